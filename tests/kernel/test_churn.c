// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_churn.c - adding and removing recorders leaves nothing behind.
 * test_churn: 200 add/remove cycles on a cgroup whose process never stops
 * making syscalls. test_churn_many: 1,024 recorders at once (fewer under
 * emulation, below), reached by direct and by indirect tail calls.
 * Afterwards the process has the fds it had, and the system no BPF map or
 * program that it did not have before.
 *
 * Other processes may load and free BPF objects while this test runs, which
 * moves the system-wide counts. So the test compares sets of object ids
 * (ids are handed out cyclically: whatever was made since the baseline has
 * a new id), and it finds its own recorder instances directly: every
 * instance has a data map ("flap_rec.bss") that holds the cgroup id it
 * records (bound_cgroup_id, see bpf/record.bpf.c). The
 * instances of this test's cgroups must all be found while they exist
 * (which shows the search works) and all be gone after removal; new
 * objects that outlive the test are accepted only if none is one of its
 * own.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>

#include "flap.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

/* Under emulation (the kernel-matrix guests set FLAP_TEST_EMULATED: qemu
 * TCG verifies a recorder some ten times slower: 612 recorders took 895 s
 * on 5.10) fewer cycles and 64 recorders, all in direct slots; the slots
 * past them, reached by the dispatcher's indirect tail call (verified on
 * every kernel when it loads), are recorded from on the host. */
#define CYCLES	    200
#define CYCLES_EMU  50
#define MANY	    1024
#define MANY_EMU    64
#define SETTLE_MS   10000
#define MAX_ID_SNAP 65536

/* The ids of the BPF maps and programs alive at one moment. */
struct id_snap {
	__u32 *maps, *progs;
	int nmaps, nprogs;
};

static bool emulated(void)
{
	const char *e = getenv("FLAP_TEST_EMULATED");

	return e && *e && strcmp(e, "0") != 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int snap_ids(struct id_snap *s)
{
	__u32 id = 0;

	s->maps = calloc(MAX_ID_SNAP, sizeof(*s->maps));
	s->progs = calloc(MAX_ID_SNAP, sizeof(*s->progs));
	s->nmaps = s->nprogs = 0;
	if (!s->maps || !s->progs)
		return -ENOMEM;
	while (bpf_map_get_next_id(id, &id) == 0 && s->nmaps < MAX_ID_SNAP)
		s->maps[s->nmaps++] = id;
	id = 0;
	while (bpf_prog_get_next_id(id, &id) == 0 && s->nprogs < MAX_ID_SNAP)
		s->progs[s->nprogs++] = id;
	return 0;
}

static void free_snap(struct id_snap *s)
{
	free(s->maps);
	free(s->progs);
	s->maps = s->progs = NULL;
}

static bool in_list(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * Waits until no recorder instance of @cgids is alive: a removed instance's
 * maps and programs are freed after an RCU grace period or from a work
 * item, not at once.
 */
static void check_own_gone(const __u64 *cgids, int n)
{
	int own_maps = -1, own_progs = -1, waited, err;

	for (waited = 0; waited < SETTLE_MS; waited += 50) {
		err = test_count_recorders(cgids, n, &own_maps, &own_progs);
		if (!ASSERT_OK(err, "count own"))
			return;
		if (!own_maps && !own_progs)
			break;
		sleep_ms(50);
	}
	if (test__verbose())
		fprintf(stderr, "  own instances gone after %d ms\n", waited);
	ASSERT_EQ(own_maps, 0, "no recorder map left");
	ASSERT_EQ(own_progs, 0, "no recorder program left");
}

/* Ids in @now that are not in @base. */
static int surplus(const __u32 *now, int nnow, const __u32 *base, int nbase)
{
	int i, n = 0;

	for (i = 0; i < nnow; i++)
		n += !in_list(base, nbase, now[i]);
	return n;
}

/*
 * The system holds no BPF map or program that was not there at the
 * baseline @base. Ids are handed out cyclically, so every object made since
 * has a new id. Freed objects go away after an RCU grace period or a work
 * item, so this waits for them. Objects other processes made meanwhile
 * are a surplus too: after the wait, the surplus must not hold any of this
 * test's recorder instances (test_count_recorders() finds none).
 */
static void check_system(const struct id_snap *base, const __u64 *cgids, int n)
{
	int maps = 0, progs = 0, own_maps, own_progs, waited;
	struct id_snap now = {};

	for (waited = 0; waited < SETTLE_MS; waited += 50) {
		if (!ASSERT_OK(snap_ids(&now), "snapshot"))
			goto out;
		maps = surplus(now.maps, now.nmaps, base->maps, base->nmaps);
		progs = surplus(now.progs, now.nprogs, base->progs, base->nprogs);
		if (!maps && !progs)
			break;
		free_snap(&now);
		sleep_ms(50);
	}
	if (test__verbose() || maps || progs)
		fprintf(stderr,
			"  bpf maps %d (baseline %d, %d new), progs %d (baseline %d, %d new), "
			"waited %d ms\n",
			test_count_bpf_maps(), base->nmaps, maps, test_count_bpf_progs(),
			base->nprogs, progs, waited);
	if (!maps && !progs)
		goto out;
	if (!ASSERT_OK(test_count_recorders(cgids, n, &own_maps, &own_progs), "count own"))
		goto out;
	ASSERT_EQ(own_maps, 0, "no recorder map of ours among the new objects");
	ASSERT_EQ(own_progs, 0, "no recorder program of ours among the new objects");
	fprintf(stderr, "  note: the new objects belong to other processes\n");
out:
	free_snap(&now);
}

/* The traced process: syscalls without end, until killed. */
static int busy(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_getppid);
	return 0;
}

/*
 * Waits until @rec holds at least @n events (bounded). Held, not produced:
 * each look freezes the recorder for its copies, and the calls it makes
 * meanwhile are counted lost; under emulation a look takes longer than the
 * pause between looks, so a recorder polled every millisecond could
 * produce its events as nothing but such losses.
 */
static int wait_held(struct flap_recorder *rec, __u64 n)
{
	struct flap_cpu_counts c;
	int i, err;

	for (i = 0; i < 1000; i++) {
		err = flap_recorder__counts(rec, &c);
		if (err)
			return err;
		if (c.held >= n)
			return 0;
		sleep_ms(i < 10 ? 1 : 10);
	}
	return -ETIMEDOUT;
}

/* What a read that held nothing counted, per CPU (for the failure message). */
static void print_counts(const struct flap_trace *t)
{
	int cpu;

	for (cpu = 0; cpu < t->ncpus; cpu++) {
		const struct flap_cpu_counts *c = &t->cpus[cpu];

		fprintf(stderr,
			"  cpu %d: produced %llu held %llu overwritten %llu lost %llu torn %llu "
			"bytes %llu\n",
			cpu, (unsigned long long)c->produced, (unsigned long long)c->held,
			(unsigned long long)c->overwritten, (unsigned long long)c->lost,
			(unsigned long long)c->torn, (unsigned long long)c->bytes);
	}
}

/* 200 add/remove cycles, each recording a busy process. */
void test_churn(void)
{
	struct test_child child = {.pid = -1};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct test_cgroup cg = {};
	struct id_snap base = {};
	int fds0, fds1, err, i, cycles;
	struct flap_trace *t;
	double t0;

	fds0 = test_count_fds();
	if (!ASSERT_OK(test_cgroup_make("churn", &cg), "cgroup"))
		goto out;
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		goto out;
	if (!ASSERT_OK(test_child_start(&cg, busy, NULL, &child), "child"))
		goto out;
	test_child_go(&child);
	fds1 = test_count_fds();
	if (!ASSERT_OK(snap_ids(&base), "baseline"))
		goto out;

	t0 = now_s();
	cycles = emulated() ? CYCLES_EMU : CYCLES;
	for (i = 0; i < cycles; i++) {
		err = flap_registry__add(reg, cg.id, NULL, &rec);
		if (!ASSERT_OK(err, "add"))
			break;
		err = wait_held(rec, 10);
		if (!ASSERT_OK(err, "recording"))
			break;
		if (i % 20 == 0) {
			t = NULL;
			err = flap_recorder__read(rec, &t);
			if (ASSERT_OK(err, "read") && !ASSERT_GT(t->nevents, 0, "events"))
				print_counts(t);
			flap_trace__free(t);
		}
		flap_registry__remove(reg, rec);
		rec = NULL;
	}
	fprintf(stderr, "  %d add/remove cycles in %.2fs\n", i, now_s() - t0);
	ASSERT_EQ(flap_registry__count(reg), 0, "no recorder left");
	ASSERT_EQ(test_count_fds(), fds1, "fds after cycles");
	check_own_gone(&cg.id, 1);
	check_system(&base, &cg.id, 1);

	kill(child.pid, SIGKILL);
	test_child_wait(&child);
	child.pid = -1;
	flap_registry__free(reg);
	reg = NULL;
	ASSERT_EQ(test_count_fds(), fds0, "fds after freeing the registry");
out:
	if (child.pid > 0) {
		kill(child.pid, SIGKILL);
		test_child_wait(&child);
	}
	free_snap(&base);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
}

/* A busy child in @cg: are its getppid() calls in @rec's history? */
static void check_records(const struct test_cgroup *cg, struct flap_recorder *rec)
{
	struct flap_trace *t = NULL;
	struct test_child child;
	int status;

	if (!ASSERT_OK(test_child_start(cg, busy, NULL, &child), "child"))
		return;
	test_child_go(&child);
	ASSERT_OK(wait_held(rec, 10), "recording with all recorders");
	kill(child.pid, SIGKILL);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFSIGNALED(status), "child killed");
	if (!ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		return;
	ASSERT_GE(test_find_event(t, 0, child.pid, SYS_getppid), 0, "getppid recorded");
	flap_trace__free(t);
}

/* 1,024 recorders at once (two ring pages each, to keep the memory small). */
void test_churn_many(void)
{
	struct flap_recorder_opts opts = {.ring_pages = 2, .buf_max = -1};
	int fds0, fds1, own_maps, own_progs, i, nadded = 0, ncg = 0;
	int many = emulated() ? MANY_EMU : MANY;
	struct flap_recorder **recs = NULL;
	struct flap_registry *reg = NULL;
	struct test_cgroup *cgs = NULL;
	struct id_snap base = {};
	__u64 *cgids = NULL;
	struct rlimit rl;
	char name[32];
	double t0;

	cgs = calloc(many, sizeof(*cgs));
	cgids = calloc(many, sizeof(*cgids));
	recs = calloc(many, sizeof(*recs));
	if (!ASSERT_OK_PTR(cgs, "alloc") || !ASSERT_OK_PTR(cgids, "alloc") ||
	    !ASSERT_OK_PTR(recs, "alloc"))
		goto out;
	for (ncg = 0; ncg < many; ncg++) {
		snprintf(name, sizeof(name), "many-%d", ncg);
		if (!ASSERT_OK(test_cgroup_make(name, &cgs[ncg]), "cgroup"))
			goto out;
		cgids[ncg] = cgs[ncg].id;
	}
	fds0 = test_count_fds();
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		goto out;
	/* The registry raised the soft limit to the hard one; each recorder
	 * takes about 7 + CPUs fds. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && test__verbose())
		fprintf(stderr, "  RLIMIT_NOFILE %llu/%llu\n", (unsigned long long)rl.rlim_cur,
			(unsigned long long)rl.rlim_max);
	fds1 = test_count_fds();
	if (!ASSERT_OK(snap_ids(&base), "baseline"))
		goto out;

	t0 = now_s();
	for (i = 0; i < many; i++) {
		if (!ASSERT_OK(flap_registry__add(reg, cgids[i], &opts, &recs[i]), "add"))
			break;
		nadded++;
	}
	fprintf(stderr, "  %d recorders added in %.2fs (%d fds)\n", nadded, now_s() - t0,
		test_count_fds());
	if (!ASSERT_EQ(nadded, many, "all added"))
		goto out;
	ASSERT_EQ(flap_registry__count(reg), many, "count");
	if (ASSERT_OK(test_count_recorders(cgids, many, &own_maps, &own_progs), "count own")) {
		ASSERT_EQ(own_maps, many, "one data map per recorder");
		/* sys_enter, sys_exit, signal_deliver, signal_generate */
		ASSERT_EQ(own_progs, 4 * many, "four programs per recorder");
	}
	/* The dispatcher reaches slots below FLAP_DIRECT_SLOTS by direct tail
	 * calls and the others by an indirect one: both ends of both record. */
	ASSERT_EQ(flap_recorder__slot(recs[0]), 0, "first slot");
	check_records(&cgs[many - 1], recs[many - 1]);
	if (many > FLAP_DIRECT_SLOTS) {
		ASSERT_EQ(flap_recorder__slot(recs[FLAP_DIRECT_SLOTS]), FLAP_DIRECT_SLOTS,
			  "first indirect slot");
		check_records(&cgs[FLAP_DIRECT_SLOTS], recs[FLAP_DIRECT_SLOTS]);
		check_records(&cgs[FLAP_DIRECT_SLOTS - 1], recs[FLAP_DIRECT_SLOTS - 1]);
	}
	check_records(&cgs[0], recs[0]);

	t0 = now_s();
	for (i = 0; i < many; i++) {
		flap_registry__remove(reg, recs[i]);
		recs[i] = NULL;
	}
	fprintf(stderr, "  %d recorders removed in %.2fs\n", many, now_s() - t0);
	ASSERT_EQ(flap_registry__count(reg), 0, "none left");
	ASSERT_EQ(test_count_fds(), fds1, "fds after removing all");
	check_own_gone(cgids, many);
	check_system(&base, cgids, many);
	flap_registry__free(reg);
	reg = NULL;
	ASSERT_EQ(test_count_fds(), fds0, "fds after freeing the registry");
out:
	flap_registry__free(reg);
	for (i = 0; i < ncg; i++)
		test_cgroup_cleanup(&cgs[i]);
	free_snap(&base);
	free(cgs);
	free(cgids);
	free(recs);
}
