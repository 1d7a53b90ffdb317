// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_ring_overwrite.c - a child pinned to one CPU writes far more than its
 * ring holds: write(/dev/null, buf, LEN0 + i) with the sequence number i at
 * the start of buf, many thousands of times. The history must end with the
 * newest calls, all of them, in order: a contiguous run of sequence numbers
 * up to the last, no gap, no duplicate, nothing torn misread. The counters
 * must account for every call the child made after it was released, which
 * is known exactly because the child makes raw syscalls only: produced =
 * held + overwritten + lost, with overwritten the calls missing from the
 * front of the history.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

#define NWRITES 20000
#define TAG	"flapseq"
/* Every write is at least this long, so its captured prefix holds the tag and seq. */
#define LEN0 (sizeof(struct seq_hdr))

struct seq_hdr {
	char tag[8];
	__u32 seq;
	__u32 pad;
};

/* Written by the parent before fork, so the child's pages are present. */
static char wbuf[NWRITES + LEN0];

/*
 * After test_child_go(): the parked read() returns, test_child_start()'s
 * child closes its pipe, then NWRITES writes and exit_group: NWRITES + 3
 * syscalls, all raw.
 */
#define CHILD_CALLS (NWRITES + 3)

static int writer(void *arg)
{
	struct seq_hdr *h = (struct seq_hdr *)wbuf;
	int fd = (int)(long)arg;
	__u32 i;

	for (i = 0; i < NWRITES; i++) {
		h->seq = i;
		syscall(SYS_write, fd, wbuf, LEN0 + i);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Checks one write event; returns its sequence number or -1. */
static long check_write(const struct flap_event *ev, int devnull)
{
	struct seq_hdr h;

	if (!ASSERT_EQ(ev->nr, SYS_write, "a write") || !ASSERT_EQ(ev->args[0], devnull, "fd") ||
	    !ASSERT_EQ(ev->ncaps, 1, "captured") || !ASSERT_GE(ev->caps[0].len, LEN0, "prefix"))
		return -1;
	memcpy(&h, ev->caps[0].data, sizeof(h));
	if (!ASSERT_MEMEQ(h.tag, TAG, sizeof(h.tag), "tag") ||
	    !ASSERT_EQ(ev->args[2], LEN0 + h.seq, "length matches seq") ||
	    !ASSERT_EQ(ev->ret, (long long)ev->args[2], "ret = length") ||
	    !ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_ENTER, "paired") ||
	    !ASSERT_TRUE(ev->flags & (FLAP_EV_F_HAS_DUR | FLAP_EV_F_DUR_SHORT), "duration") ||
	    !ASSERT_EQ(ev->cpu, 0, "on the pinned cpu"))
		return -1;
	return h.seq;
}

/* The newest calls, in order, contiguous, ending with the last write and exit_group. */
static void check_history(const struct flap_trace *t, pid_t pid, int devnull)
{
	long first = -1, expect = -1, seq;
	size_t i, nwrites = 0;

	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (!ASSERT_EQ(ev->tid, pid, "only the child"))
			return;
		if (ev->nr != SYS_write)
			continue;
		seq = check_write(ev, devnull);
		if (seq < 0)
			return;
		if (first < 0)
			first = expect = seq;
		if (!ASSERT_EQ(seq, expect, "contiguous, in order"))
			return;
		expect++;
		nwrites++;
	}
	if (!ASSERT_GT(nwrites, 0, "writes held"))
		return;
	ASSERT_EQ(expect, NWRITES, "ends with the last write");
	ASSERT_EQ(t->events[t->nevents - 1].nr, SYS_exit_group, "then exit_group");
	ASSERT_TRUE(t->events[t->nevents - 1].flags & FLAP_EV_F_NORETURN, "exit_group no return");
	/* Only writes (and exit_group) can remain of a history this long. */
	ASSERT_EQ(t->nevents, nwrites + 1, "nothing else held");
	ASSERT_GT(first, 0, "the oldest writes are gone");
	/* Missing: the read, the close and writes 0 .. first - 1. */
	ASSERT_EQ(t->total.overwritten, first + 2, "overwritten = calls missing at the front");
	ASSERT_EQ(t->total.held, t->nevents, "held = events");
	if (test__verbose())
		fprintf(stderr, "  held writes %ld..%d (%zu events)\n", first, NWRITES - 1,
			nwrites);
}

static void check_counts(const struct flap_trace *t)
{
	const struct flap_cpu_counts *c;
	int cpu;

	for (cpu = 0; cpu < t->ncpus; cpu++) {
		c = &t->cpus[cpu];
		if (test__verbose())
			fprintf(stderr,
				"  cpu%d: produced %llu held %llu overwritten %llu lost %llu torn "
				"%llu "
				"bytes %llu\n",
				cpu, (unsigned long long)c->produced, (unsigned long long)c->held,
				(unsigned long long)c->overwritten, (unsigned long long)c->lost,
				(unsigned long long)c->torn, (unsigned long long)c->bytes);
		ASSERT_EQ(c->produced, c->held + c->overwritten + c->lost,
			  "per cpu: produced = held + overwritten + lost");
		if (cpu != 0)
			ASSERT_EQ(c->produced, 0, "nothing on other cpus");
	}
	c = &t->total;
	ASSERT_EQ(c->produced, CHILD_CALLS, "produced = calls after go");
	ASSERT_EQ(c->produced, c->held + c->overwritten + c->lost, "produced = held+overwr.+lost");
	ASSERT_EQ(c->lost, 0, "nothing lost");
	ASSERT_GT(c->overwritten, 0, "overwritten");
}

/* One run with a ring of @pages pages per CPU. */
static void run_overwrite(__u32 pages)
{
	struct flap_recorder_opts opts = {.ring_pages = pages, .buf_max = -1};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	int err, status, devnull;
	cpu_set_t set;
	size_t ring;

	memset(wbuf, 'x', sizeof(wbuf));
	memcpy(wbuf, TAG, sizeof(TAG));
	devnull = open("/dev/null", O_WRONLY);
	if (!ASSERT_OK_FD(devnull, "open /dev/null"))
		return;
	if (!ASSERT_OK(test_cgroup_make("overwrite", &cg), "cgroup") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		goto out;
	err = test_child_start(&cg, writer, (void *)(long)devnull, &child);
	if (!ASSERT_OK(err, "child"))
		goto out;
	/* Pinned from here, so it makes no syscall for it; it wakes on CPU 0. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	err = sched_setaffinity(child.pid, sizeof(set), &set);
	if (ASSERT_OK(err, "pin child"))
		err = test_wait_syscall(child.pid, SYS_read, -1, 5000);
	/* Start recording once it is parked, so every call it makes later counts. */
	if (ASSERT_OK(err, "child parked"))
		err = flap_registry__add(reg, cg.id, &opts, &rec);
	ASSERT_OK(err, "add");
	test_child_go(&child);
	status = test_child_wait(&child);
	if (!err && !ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit"))
		goto out;
	if (err)
		goto out;

	err = flap_recorder__read(rec, &t);
	if (!ASSERT_OK(err, "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 5);
	ring = (size_t)opts.ring_pages * sysconf(_SC_PAGESIZE);
	ASSERT_GT(t->total.bytes, 10 * ring, "produced more than 10x the ring");
	check_counts(t);
	check_history(t, child.pid, devnull);
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close(devnull);
}

void test_ring_overwrite(void)
{
	/* Two pages hold one block (up to 4 KiB of records plus headers) plus
	 * the staging block; four hold three. The smallest rings wrap most. */
	test__start_subtest("ring_pages_2");
	run_overwrite(2);
	test__start_subtest("ring_pages_4");
	run_overwrite(4);
}
