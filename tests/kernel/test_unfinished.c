// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_unfinished.c - calls that have not returned when the history is read,
 * and calls whose registers are gone at exit.
 *
 * blocked_read: a child blocked in read() on a pipe shows as unfinished,
 * with its fd, from the CPU's pending slot; after the pipe is written, a
 * second read of the recorder shows the call finished with its return
 * value, the bytes read, and a duration at least as long as it was seen
 * blocked. spilled_read: the same while another thread of the child makes
 * syscalls on the same CPU, which pushes the blocked call out of the
 * pending slot into an ENTER record; its exit is paired with that record.
 * execve: a child execs /bin/true; the execve event has the path and its
 * return value, and the exit_group after it carries the new command name.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "registry.h"
#include "test.h"
#include "testutil.h"

#define READ_LEN 64
#define PAYLOAD	 "hello"
#define BLOCK_MS 100

struct pipes {
	int data[2]; /* the blocked read */
	int more[2]; /* spilled_read: the main thread's own blocked read */
	int reader_tid;
};

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int pin_cpu0(pid_t tid)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(tid, sizeof(set), &set) ? -errno : 0;
}

/* blocked_read: one read of the data pipe, exit status = bytes read. */
static int blocked_reader(void *arg)
{
	struct pipes *p = arg;
	char buf[READ_LEN];
	long n;

	n = syscall(SYS_read, p->data[0], buf, sizeof(buf));
	syscall(SYS_exit_group, n);
	return 0;
}

/* The event of @tid's read of @fd, or NULL. */
static const struct flap_event *find_read(const struct flap_trace *t, __u32 tid, int fd)
{
	long i = -1;

	while ((i = test_find_event(t, i + 1, tid, SYS_read)) >= 0)
		if ((int)t->events[i].args[0] == fd)
			return &t->events[i];
	return NULL;
}

/* The read is in the history, entered and not finished, with its arguments. */
static bool check_unfinished(struct flap_recorder *rec, __u32 tid, int fd, __u32 flag,
			     __u64 seen_ns)
{
	const struct flap_event *ev;
	struct flap_trace *t = NULL;
	bool ok = false;

	if (!ASSERT_OK(flap_recorder__read(rec, &t), "first read"))
		return false;
	if (test__verbose())
		test_dump_trace(t, 12);
	ev = find_read(t, tid, fd);
	if (!ASSERT_OK_PTR(ev, "blocked read in the history"))
		goto out;
	ASSERT_TRUE(ev->flags & FLAP_EV_F_UNFINISHED, "unfinished");
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_HAS_RET | FLAP_EV_F_EXIT_LOST), "no return yet");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_ENTER, "entry time known");
	ASSERT_EQ(ev->exit_ts, 0, "no exit time");
	ASSERT_EQ(ev->nargs, 3, "read has 3 args");
	ASSERT_EQ(ev->args[0], fd, "fd argument");
	ASSERT_EQ(ev->args[2], READ_LEN, "count argument");
	ASSERT_LE(ev->ts, seen_ns, "entered before it was seen blocked");
	ASSERT_EQ(ev - t->events, (long)t->nevents - 1 - !!flag, "the newest event(s)");
	ok = true;
out:
	flap_trace__free(t);
	return ok;
}

/* The read finished: return value, bytes, duration >= the time seen blocked. */
static void check_finished(struct flap_recorder *rec, __u32 tid, int fd, __u64 seen_ns,
			   __u64 written_ns)
{
	const struct flap_event *ev;
	struct flap_trace *t = NULL;
	char buf[64];

	if (!ASSERT_OK(flap_recorder__read(rec, &t), "second read"))
		return;
	if (test__verbose())
		test_dump_trace(t, 12);
	ev = find_read(t, tid, fd);
	if (!ASSERT_OK_PTR(ev, "read in the history"))
		goto out;
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_UNFINISHED | FLAP_EV_F_EXIT_LOST), "finished");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_RET, "has ret");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_DUR, "has duration");
	ASSERT_EQ(ev->ret, strlen(PAYLOAD), "ret = bytes written");
	ASSERT_EQ(ev->args[0], fd, "fd argument");
	ASSERT_STREQ(test_cap_str(ev, 1, buf, sizeof(buf)), PAYLOAD, "bytes read");
	ASSERT_GE(ev->dur_ns, written_ns - seen_ns, "duration >= time seen blocked");
	ASSERT_GE(ev->dur_ns, BLOCK_MS * 1000000ULL, "duration >= the sleep");
	ASSERT_LE(ev->ts, seen_ns, "entered before it was seen blocked");
	ASSERT_GE(ev->exit_ts, written_ns, "returned after the write");
	ASSERT_EQ(ev->exit_ts - ev->ts, ev->dur_ns, "duration = exit - entry");
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost,
		  "produced = held + overwritten + lost");
	if (test__verbose())
		fprintf(stderr, "  read blocked %.1f ms (seen %.1f ms)\n", ev->dur_ns / 1e6,
			(written_ns - seen_ns) / 1e6);
out:
	flap_trace__free(t);
}

static void subtest_blocked_read(void)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct pipes p = {{-1, -1}, {-1, -1}, 0};
	struct test_cgroup cg = {};
	struct test_child c = {.pid = -1};
	__u64 seen_ns, written_ns;
	int status;

	test__start_subtest("blocked_read");
	if (!ASSERT_OK(pipe(p.data), "pipe") || !ASSERT_OK(test_cgroup_make("blocked", &cg), "cg") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &rec), "add"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, blocked_reader, &p, &c), "child"))
		goto out;
	/* One CPU: the exit meets the entry in the same pending slot. */
	ASSERT_OK(pin_cpu0(c.pid), "pin");
	test_child_go(&c);
	if (!ASSERT_OK(test_wait_syscall(c.pid, SYS_read, p.data[0], 5000), "blocked in read"))
		goto out;
	seen_ns = boot_ns();
	if (!check_unfinished(rec, c.pid, p.data[0], 0, seen_ns))
		goto out;

	sleep_ms(BLOCK_MS);
	written_ns = boot_ns();
	ASSERT_EQ(write(p.data[1], PAYLOAD, strlen(PAYLOAD)), strlen(PAYLOAD), "write pipe");
	status = test_child_wait(&c);
	c.pid = -1;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == strlen(PAYLOAD), "child read 5");
	check_finished(rec, c.pid < 0 ? (__u32)status * 0 + (__u32)0 : 0, 0, 0, 0);
out:
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		test_child_wait(&c);
	}
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close(p.data[0]);
	close(p.data[1]);
}
