// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_multi_cpu.c - one history from several CPUs. Two threads of a child,
 * pinned to CPU 0 and CPU 1, take turns through a shared spin variable:
 * write number k is made by thread k % 2, and only after write k - 1 has
 * returned, so the real order of the calls is known. Each CPU's records go
 * to that CPU's staging block and ring; the decoded history must merge them
 * in time order (every write in sequence, each entry after the previous
 * exit), keep each thread's calls in order and name the right CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "registry.h"
#include "test.h"
#include "testutil.h"

#define NWRITES 400
#define TAG	0x70636c66u /* "flcp" */

struct tagged {
	__u32 tag;
	__u32 thread; /* 0 or 1: index and CPU */
	__u32 seq;
	__u32 pad;
};

struct shared {
	int devnull;
	int turn; /* the write whose turn it is */
	int err;
};

static void *take_turns(struct shared *sh, __u32 idx)
{
	struct tagged buf = {.tag = TAG, .thread = idx};
	cpu_set_t set;
	int k;

	CPU_ZERO(&set);
	CPU_SET(idx, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		__atomic_store_n(&sh->err, errno, __ATOMIC_SEQ_CST);
		return NULL;
	}
	for (k = idx; k < NWRITES; k += 2) {
		while (__atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE) != k)
			if (__atomic_load_n(&sh->err, __ATOMIC_RELAXED))
				return NULL;
		buf.seq = k;
		syscall(SYS_write, sh->devnull, &buf, sizeof(buf));
		__atomic_store_n(&sh->turn, k + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *thread_one(void *arg)
{
	return take_turns(arg, 1);
}

static int child(void *arg)
{
	struct shared *sh = arg;
	pthread_t th;

	if (pthread_create(&th, NULL, thread_one, sh))
		return 2;
	take_turns(sh, 0);
	pthread_join(th, NULL);
	return sh->err ? 3 : 0;
}

/* The written tag of a write event to /dev/null, or NULL. */
static bool get_tag(const struct flap_event *ev, int devnull, struct tagged *tg)
{
	if (ev->nr != SYS_write || (int)ev->args[0] != devnull || ev->ncaps != 1 ||
	    ev->caps[0].len != sizeof(*tg))
		return false;
	memcpy(tg, ev->caps[0].data, sizeof(*tg));
	return tg->tag == TAG;
}

static void check_history(const struct flap_trace *t, int devnull)
{
	const struct flap_event *prev = NULL;
	__u32 tids[2] = {}, next = 0;
	__u32 last_seq[2] = {};
	bool seen[2] = {};
	struct tagged tg;
	size_t i;

	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (!get_tag(ev, devnull, &tg))
			continue;
		if (!ASSERT_LT(tg.thread, 2, "thread index"))
			return;
		if (!ASSERT_EQ(tg.seq, next, "merged in the real order"))
			return;
		if (!ASSERT_EQ(tg.seq % 2, tg.thread, "whose turn"))
			return;
		if (!ASSERT_EQ(ev->cpu, tg.thread, "cpu of the thread"))
			return;
		if (!seen[tg.thread]) {
			tids[tg.thread] = ev->tid;
			seen[tg.thread] = true;
		} else if (!ASSERT_EQ(ev->tid, tids[tg.thread], "same thread") ||
			   !ASSERT_GT(tg.seq, last_seq[tg.thread], "thread's calls in order")) {
			return;
		}
		last_seq[tg.thread] = tg.seq;
		if (!ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_ENTER, "paired in place") ||
		    !ASSERT_TRUE(ev->flags & (FLAP_EV_F_HAS_DUR | FLAP_EV_F_DUR_SHORT),
				 "measured or short") ||
		    !ASSERT_EQ(ev->ret, sizeof(tg), "write ret"))
			return;
		/* Each call started after the previous one (other CPU) returned. */
		if (prev && !ASSERT_GT(ev->ts, prev->exit_ts, "entry after the previous exit"))
			return;
		if (!ASSERT_GE(ev->exit_ts, ev->ts, "exit after entry"))
			return;
		prev = ev;
		next++;
	}
	ASSERT_EQ(next, NWRITES, "every write held");
	ASSERT_TRUE(seen[0] && seen[1], "both threads");
	ASSERT_NEQ(tids[0], tids[1], "two threads");
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost,
		  "produced = held + overwritten + lost");
	ASSERT_EQ(t->total.overwritten + t->total.lost, 0, "nothing overwritten or lost");
	ASSERT_GT(t->cpus[0].held, NWRITES / 2 - 1, "cpu 0 held its writes");
	ASSERT_GT(t->cpus[1].held, NWRITES / 2 - 1, "cpu 1 held its writes");
}

void test_multi_cpu(void)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child c;
	struct shared sh = {};
	cpu_set_t online;
	int status;

	/* Both CPUs must be usable: this machine has two, and a skip is a failure. */
	if (!ASSERT_OK(sched_getaffinity(0, sizeof(online), &online), "affinity") ||
	    !ASSERT_TRUE(CPU_ISSET(0, &online) && CPU_ISSET(1, &online), "cpus 0 and 1 usable"))
		return;
	sh.devnull = open("/dev/null", O_WRONLY);
	if (!ASSERT_OK_FD(sh.devnull, "open /dev/null"))
		return;
	if (!ASSERT_OK(test_cgroup_make("multi-cpu", &cg), "cgroup") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &rec), "add"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, child, &sh, &c), "child"))
		goto out;
	test_child_go(&c);
	status = test_child_wait(&c);
	if (!ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit 0"))
		goto out;
	if (!ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 12);
	check_history(t, sh.devnull);
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close(sh.devnull);
}
