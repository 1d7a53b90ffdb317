// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pool.c - recorders loaded ahead of time (recorder/kernel/pool.h).
 * A recorder taken from the pool records the cgroup it was bound to and
 * nothing of another: two cgroups bound from one pool each hold the known
 * sequence of their own child only (the cgroup id is data the programs
 * read, written at bind). The pool refills after it was drained. A
 * registration with options the pool's recorders were not verified with,
 * and one that finds the pool empty, load their own and record as well.
 * Freeing a pool while its thread loads leaves no fd behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "pool.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

/* How long a test waits for the pool's thread (verifier time under TCG is seconds). */
#define FILL_SECONDS 120

struct pool_cg {
	struct test_cgroup cg;
	char marker[128];
	pid_t pid;
};

static void init_cg(struct pool_cg *pc, const char *tag)
{
	memset(pc, 0, sizeof(*pc));
	snprintf(pc->marker, sizeof(pc->marker), "/nonexistent/flap-pool-%d-%s", (int)getpid(),
		 tag);
}

/* The known sequence, raw syscalls: openat(marker), getppid, exit_group. */
static int child_sequence(void *arg)
{
	char path[128];

	/* On the stack, so BPF finds the page present. */
	snprintf(path, sizeof(path), "%s", (const char *)arg);
	syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	syscall(SYS_getppid);
	syscall(SYS_exit_group, 0);
	return 0;
}

static int run_child(struct pool_cg *pc)
{
	struct test_child c;
	int err, status;

	err = test_child_start(&pc->cg, child_sequence, pc->marker, &c);
	if (err)
		return err;
	pc->pid = c.pid;
	test_child_go(&c);
	status = test_child_wait(&c);
	if (status < 0)
		return status;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* @rec holds @pc's child's openat of its marker and no event of another process. */
static void check_only(struct flap_recorder *rec, const struct pool_cg *pc, const char *what)
{
	struct flap_trace *t = NULL;
	char buf[256], name[160];
	size_t k;
	long i;

	if (!ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		return;
	snprintf(name, sizeof(name), "%s: openat recorded", what);
	i = test_find_event(t, 0, pc->pid, SYS_openat);
	if (ASSERT_GE(i, 0, name)) {
		snprintf(name, sizeof(name), "%s: its own marker", what);
		ASSERT_STREQ(test_cap_str(&t->events[i], 1, buf, sizeof(buf)), pc->marker, name);
	}
	snprintf(name, sizeof(name), "%s: only its own child", what);
	for (k = 0; k < t->nevents; k++)
		if (!ASSERT_EQ(t->events[k].tgid, (__u32)pc->pid, name))
			break;
	flap_trace__free(t);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits until @ready recorders are ready and none loads. Return: true if so. */
static bool wait_ready(struct flap_pool *pool, int ready)
{
	struct flap_pool_stats st;
	double t0 = now_s();

	do {
		flap_pool__stats(pool, &st);
		if (st.ready == ready && !st.loading)
			return true;
		usleep(20000);
	} while (now_s() - t0 < FILL_SECONDS);
	return false;
}

/* Two cgroups bound from one pool: each records its own child only; then the pool refills. */
static void subtest_bind(void)
{
	struct flap_pool_opts po = {.size = 2, .ropts.buf_max = -1};
	struct flap_recorder *rec_a = NULL, *rec_b = NULL;
	struct flap_registry *reg = NULL;
	struct flap_pool *pool = NULL;
	struct flap_pool_stats st;
	struct pool_cg a, b;

	test__start_subtest("bind");
	init_cg(&a, "a");
	init_cg(&b, "b");
	if (!ASSERT_OK(test_cgroup_make("pool-a", &a.cg), "cgroup a") ||
	    !ASSERT_OK(test_cgroup_make("pool-b", &b.cg), "cgroup b") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_pool__new(reg, &po, &pool), "pool"))
		goto out;
	if (!ASSERT_TRUE(wait_ready(pool, 2), "pool filled"))
		goto out;
	if (!ASSERT_OK(flap_pool__add(pool, a.cg.id, NULL, &rec_a), "add a") ||
	    !ASSERT_OK(flap_pool__add(pool, b.cg.id, NULL, &rec_b), "add b"))
		goto out;
	flap_pool__stats(pool, &st);
	ASSERT_EQ(st.taken, 2, "both from the pool");
	ASSERT_EQ(flap_pool__add(pool, a.cg.id, NULL, &rec_a), -EEXIST, "a twice");
	ASSERT_EQ(flap_recorder__cgroup_id(rec_a), a.cg.id, "a's id");
	ASSERT_OK(run_child(&a), "child a");
	ASSERT_OK(run_child(&b), "child b");
	check_only(rec_a, &a, "recorder a");
	check_only(rec_b, &b, "recorder b");

	ASSERT_TRUE(wait_ready(pool, 2), "pool refilled");
	flap_pool__stats(pool, &st);
	ASSERT_EQ(st.failed, 0, "no load failed");
	ASSERT_EQ(st.size, 2, "size");
out:
	flap_pool__free(pool);
	flap_registry__free(reg);
	test_cgroup_cleanup(&a.cg);
	test_cgroup_cleanup(&b.cg);
}

/* Other options and an empty pool: a recorder of its own, recording all the same. */
static void subtest_miss(void)
{
	struct flap_pool_opts po = {.size = 1, .ropts.buf_max = -1};
	struct flap_recorder_opts other = {.str_max = 128, .buf_max = -1};
	struct flap_recorder *rec_a = NULL, *rec_b = NULL, *rec_c = NULL;
	struct flap_registry *reg = NULL;
	struct flap_pool *pool = NULL;
	struct flap_pool_stats st;
	struct pool_cg a, b, c;

	test__start_subtest("miss");
	init_cg(&a, "ma");
	init_cg(&b, "mb");
	init_cg(&c, "mc");
	if (!ASSERT_OK(test_cgroup_make("pool-ma", &a.cg), "cgroup a") ||
	    !ASSERT_OK(test_cgroup_make("pool-mb", &b.cg), "cgroup b") ||
	    !ASSERT_OK(test_cgroup_make("pool-mc", &c.cg), "cgroup c") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_pool__new(reg, &po, &pool), "pool") ||
	    !ASSERT_TRUE(wait_ready(pool, 1), "pool filled"))
		goto out;
	/* Not what the pool's programs were verified with: loaded for it. */
	if (!ASSERT_OK(flap_pool__add(pool, a.cg.id, &other, &rec_a), "add a (other options)"))
		goto out;
	flap_pool__stats(pool, &st);
	ASSERT_EQ(st.taken, 0, "other options: not from the pool");
	ASSERT_EQ(flap_recorder__opts(rec_a)->str_max, 128, "its own string size");
	/* The one ready recorder, then none ready: b from the pool, c loads its own. */
	if (!ASSERT_OK(flap_pool__add(pool, b.cg.id, NULL, &rec_b), "add b") ||
	    !ASSERT_OK(flap_pool__add(pool, c.cg.id, NULL, &rec_c), "add c"))
		goto out;
	flap_pool__stats(pool, &st);
	ASSERT_EQ(st.taken, 1, "b from the pool");
	ASSERT_GE(st.empty + st.taken, 2, "c found it empty or refilled");
	ASSERT_OK(run_child(&a), "child a");
	ASSERT_OK(run_child(&b), "child b");
	ASSERT_OK(run_child(&c), "child c");
	check_only(rec_a, &a, "recorder a");
	check_only(rec_b, &b, "recorder b");
	check_only(rec_c, &c, "recorder c");
out:
	flap_pool__free(pool);
	flap_registry__free(reg);
	test_cgroup_cleanup(&a.cg);
	test_cgroup_cleanup(&b.cg);
	test_cgroup_cleanup(&c.cg);
}

/* A pool freed while its thread loads: nothing of it is left. */
static void subtest_free_loading(void)
{
	struct flap_pool_opts po = {.size = 4, .ropts.buf_max = -1};
	struct flap_registry *reg = NULL;
	struct flap_pool *pool = NULL;
	struct flap_pool_stats st;
	int fds;

	test__start_subtest("free_loading");
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		return;
	fds = test_count_fds();
	if (ASSERT_OK(flap_pool__new(reg, &po, &pool), "pool")) {
		usleep(1000);
		flap_pool__stats(pool, &st);
		ASSERT_LT(st.ready, 4, "freed before it filled");
		flap_pool__free(pool);
	}
	ASSERT_EQ(test_count_fds(), fds, "fds as before");
	flap_registry__free(reg);
}

void test_pool(void)
{
	subtest_bind();
	subtest_miss();
	subtest_free_loading();
}
