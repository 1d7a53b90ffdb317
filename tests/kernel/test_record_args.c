// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_record_args.c - a child in a fresh cgroup makes a known sequence of
 * syscalls; the recorder must return exactly those calls, in order, with
 * the path string, the buffer prefix, return values and errnos; and the
 * durations: without exact durations, a call that returns in the clock tick
 * it began in keeps its entry time only (FLAP_EV_F_DUR_SHORT) while one that
 * spans ticks (a 20 ms sleep) is measured; with them, every call is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "test.h"
#include "testutil.h"

#define KNOWN_BYTES "flap-known-bytes:0123456789abcdefghijklmnopqrstuvwxyz-0123456789ABCDEFGHIJ"

#define NAP_MS 20

static char missing_path[128];

/* The known sequence, with raw syscalls so libc adds nothing between. */
static int known_sequence(void *arg)
{
	struct timespec nap = {.tv_nsec = NAP_MS * 1000000L};
	char bytes[sizeof(KNOWN_BYTES)];
	int fd = (int)(long)arg;

	/* On the stack: BPF cannot fault in a page the child never touched
	 * (fork does not copy the PTEs of file-backed .rodata). */
	memcpy(bytes, KNOWN_BYTES, sizeof(bytes));
	syscall(SYS_openat, AT_FDCWD, missing_path, O_RDONLY);
	syscall(SYS_write, fd, bytes, sizeof(KNOWN_BYTES) - 1);
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	syscall(SYS_nanosleep, &nap, NULL);
	syscall(SYS_exit_group, 7);
	return 0;
}

static void record_known(bool exact)
{
	struct flap_recorder_opts ropts = {.buf_max = -1, .exact_durations = exact};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	char buf[512];
	int err, status, devnull, nshort = 0;
	long i;

	snprintf(missing_path, sizeof(missing_path), "/nonexistent/flap-test-%d-missing",
		 (int)getpid());
	devnull = open("/dev/null", O_WRONLY);
	if (!ASSERT_OK_FD(devnull, "open /dev/null"))
		return;
	err = test_cgroup_make("args", &cg);
	if (!ASSERT_OK(err, "cgroup"))
		goto out;
	err = flap_registry__new(NULL, &reg);
	if (!ASSERT_OK(err, "registry"))
		goto out;
	err = flap_registry__add(reg, cg.id, &ropts, &rec);
	if (!ASSERT_OK(err, "add"))
		goto out;
	err = test_child_start(&cg, known_sequence, (void *)(long)devnull, &child);
	if (!ASSERT_OK(err, "child"))
		goto out;
	test_child_go(&child);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7, "child exit 7");

	err = flap_recorder__read(rec, &t);
	if (!ASSERT_OK(err, "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 50);

	i = test_find_event(t, 0, child.pid, SYS_openat);
	if (!ASSERT_GE(i, 0, "openat recorded"))
		goto out;
	/* openat(AT_FDCWD, missing, O_RDONLY) = -1 ENOENT */
	ASSERT_EQ((int)t->events[i].args[0], AT_FDCWD, "openat dirfd");
	ASSERT_STREQ(test_cap_str(&t->events[i], 1, buf, sizeof(buf)), missing_path, "openat path");
	ASSERT_EQ(t->events[i].args[2], O_RDONLY, "openat flags");
	ASSERT_EQ(t->events[i].ret, -ENOENT, "openat ENOENT");
	ASSERT_STREQ(t->events[i].comm, "kernel_tests", "comm");
	ASSERT_EQ(t->events[i].tgid, child.pid, "tgid");

	/* write(fd, "flap-known-bytes...", 74) = 74, first 64 bytes kept */
	ASSERT_EQ(t->events[i + 1].nr, SYS_write, "write next");
	ASSERT_EQ(t->events[i + 1].args[0], devnull, "write fd");
	ASSERT_EQ(t->events[i + 1].ret, sizeof(KNOWN_BYTES) - 1, "write ret");
	ASSERT_EQ(t->events[i + 1].ncaps, 1, "write captured");
	ASSERT_EQ(t->events[i + 1].caps[0].len, 64, "write prefix 64");
	ASSERT_TRUE(t->events[i + 1].caps[0].flags & FLAP_EVCAP_F_TRUNC, "write prefix truncated");
	ASSERT_MEMEQ(t->events[i + 1].caps[0].data, KNOWN_BYTES, 64, "write bytes");

	for (int k = 2; k <= 4; k++) {
		ASSERT_EQ(t->events[i + k].nr, SYS_getppid, "getppid");
		ASSERT_EQ(t->events[i + k].ret, getpid(), "getppid ret");
		ASSERT_EQ(t->events[i + k].nargs, 0, "getppid nargs");
	}
	/* The sleep spans ticks: measured in both modes. */
	ASSERT_EQ(t->events[i + 5].nr, SYS_nanosleep, "nanosleep");
	ASSERT_TRUE(t->events[i + 5].flags & FLAP_EV_F_HAS_DUR, "nanosleep duration");
	ASSERT_FALSE(t->events[i + 5].flags & FLAP_EV_F_DUR_SHORT, "nanosleep not short");
	ASSERT_GE(t->events[i + 5].dur_ns, NAP_MS * 1000000ULL, "nanosleep took the nap");
	/* The quick calls: entry time known; measured, or short without
	 * exact durations (all five cannot span a tick each). */
	for (int k = 0; k < 5; k++) {
		const struct flap_event *ev = &t->events[i + k];
		bool dur = ev->flags & FLAP_EV_F_HAS_DUR, dshort = ev->flags & FLAP_EV_F_DUR_SHORT;

		ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_ENTER, "entry time known");
		ASSERT_TRUE(dur != dshort, "measured or short");
		if (exact)
			ASSERT_TRUE(dur, "exact: measured");
		else
			nshort += dshort;
		if (dshort)
			ASSERT_EQ(ev->exit_ts, ev->ts, "short: one time");
		else
			ASSERT_EQ(ev->exit_ts - ev->ts, ev->dur_ns, "exit = entry + duration");
		if (k)
			ASSERT_GT(ev->ts, t->events[i + k - 1].exit_ts, "entered after the last");
	}
	if (!exact)
		ASSERT_GE(nshort, 4, "quick calls short (at most one spans a tick)");
	ASSERT_EQ(t->events[i + 6].nr, SYS_exit_group, "exit_group last");
	ASSERT_EQ(t->events[i + 6].args[0], 7, "exit_group status");
	ASSERT_TRUE(t->events[i + 6].flags & FLAP_EV_F_NORETURN, "exit_group no return");
	ASSERT_EQ(i + 7, (long)t->nevents, "nothing after exit_group");
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost,
		  "produced = held + overwritten + lost");
	ASSERT_EQ(t->total.overwritten, 0, "nothing overwritten");
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close(devnull);
}

void test_record_args(void)
{
	record_known(false);
}

/* The recorder option exact_durations: the clock is read at both ends. */
void test_record_exact_durations(void)
{
	record_known(true);
}
