// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_exit_fallback.c - a crash in a burst of exits that fills the
 * lifecycle ring buffer is kept. Nothing drains the ring while 25,000
 * processes of traced cgroup A exit cleanly (more than its 1 MiB holds),
 * then a process of traced cgroup B dies of SIGSEGV: the ring has no room
 * for it, and lifecycle_fallback must hold it (pid, signal) in B's slot,
 * with B's and A's refused exits counted there and in lifecycle_lost; the
 * exits delivered and the exits lost add up to every exit.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

#define BURST 25000

struct seen {
	__u64 cgid_a, cgid_b;
	int na, nb;
};

static void on_exit_ev(void *ctx, const struct flap_exit_event *e)
{
	struct seen *s = ctx;

	s->na += e->cgid == s->cgid_a;
	s->nb += e->cgid == s->cgid_b;
}

/* A child that exits at once (vfork: no memory copied, cheap even in an
 * emulated guest), in a function of its own: no variable of the caller's
 * loop lives across the vfork. */
static pid_t exit_child(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* BURST children that exit at once, one after another. */
static int burst(void *arg)
{
	int i, status;
	pid_t pid;

	(void)arg;
	for (i = 0; i < BURST; i++) {
		pid = exit_child();
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return 1;
	}
	return 0;
}

static int segv(void *arg)
{
	(void)arg;
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
	return 0;
}

void test_exit_fallback(void)
{
	struct flap_registry_opts ro = {.lifecycle = true, .on_exit = on_exit_ev};
	struct test_child ca = {.pid = -1}, cb = {.pid = -1};
	struct flap_recorder *ra = NULL, *rb = NULL;
	struct test_cgroup a = {}, b = {};
	struct flap_exit_fallback fa, fb;
	struct flap_registry *reg = NULL;
	struct seen s = {};
	pid_t crashed;
	int status;

	ro.ctx = &s;
	if (!ASSERT_OK(test_cgroup_make("fallback-a", &a), "cgroup a") ||
	    !ASSERT_OK(test_cgroup_make("fallback-b", &b), "cgroup b") ||
	    !ASSERT_OK(flap_registry__new(&ro, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, a.id, NULL, &ra), "add a") ||
	    !ASSERT_OK(flap_registry__add(reg, b.id, NULL, &rb), "add b"))
		goto out;
	s.cgid_a = a.id;
	s.cgid_b = b.id;
	/* Whatever is in the ring now (other tests' exits) is not counted. */
	flap_registry__poll_exits(reg);
	s.na = s.nb = 0;
	if (!ASSERT_OK(test_child_start(&a, burst, NULL, &ca), "burst child"))
		goto out;
	test_child_go(&ca);
	status = test_child_wait(&ca);
	ca.pid = -1;
	if (!ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status), "the burst ran"))
		goto out;
	if (!ASSERT_OK(test_child_start(&b, segv, NULL, &cb), "crashing child"))
		goto out;
	crashed = cb.pid;
	test_child_go(&cb);
	status = test_child_wait(&cb);
	cb.pid = -1;
	if (!ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "died of SIGSEGV"))
		goto out;

	ASSERT_GT(flap_registry__exits_lost(reg), 0, "lifecycle_lost counts the refused exits");
	if (!ASSERT_OK(flap_recorder__exit_fallback(rb, &fb), "b's fallback") ||
	    !ASSERT_OK(flap_recorder__exit_fallback(ra, &fa), "a's fallback"))
		goto out;
	ASSERT_EQ(fb.lost, 1, "b lost its one exit");
	ASSERT_EQ(fb.nfatal, 1, "and kept it");
	ASSERT_EQ(fb.fatal[0].pid, (__u32)crashed, "the crashed pid");
	ASSERT_EQ(fb.fatal[0].cgid, b.id, "its cgroup");
	ASSERT_EQ(fb.fatal[0].exit_code & 0x7f, SIGSEGV, "its signal");
	ASSERT_EQ(fb.fatal[0].type, FLAP_LC_EXIT, "an exit record");
	ASSERT_GT(fb.fatal[0].ts, 0, "its time");
	ASSERT_GT(fa.lost, 0, "a lost exits of the burst");
	ASSERT_EQ(fa.nfatal, 0, "none of them unclean");

	flap_registry__poll_exits(reg);
	ASSERT_EQ(s.nb, 0, "b's exit did not come through the ring");
	/* The burst's children, and the child that ran it. */
	ASSERT_EQ((__u64)s.na + fa.lost, BURST + 1, "every exit of a delivered or counted");

	/* A recorder that takes the slot starts with nothing lost. */
	flap_registry__remove(reg, rb);
	rb = NULL;
	if (ASSERT_OK(flap_registry__add(reg, b.id, NULL, &rb), "add b again") &&
	    ASSERT_OK(flap_recorder__exit_fallback(rb, &fb), "b's fallback again"))
		ASSERT_EQ(fb.lost + fb.nfatal, 0, "cleared for the new recorder");
out:
	if (ca.pid > 0) {
		kill(ca.pid, SIGKILL);
		test_child_wait(&ca);
	}
	flap_registry__free(reg);
	test_cgroup_cleanup(&a);
	test_cgroup_cleanup(&b);
}
