// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_dispatch.c - the dispatcher sends a cgroup's syscalls to that
 * cgroup's recorder and to no other. The same known sequence is run in a
 * traced cgroup, in an untraced one and by the test itself: only the traced
 * child's calls may be in the history. Two recorders at once each see only
 * their own child. Finally two cgroups whose ids share a slot of the
 * direct-mapped table (id & (FLAP_TABLE_SIZE - 1)) both record, and
 * removing either one leaves the other recording.
 *
 * The dispatcher keeps what it knows of the running task per CPU and
 * computes it again at context switches and table changes; three cases
 * where that knowledge goes stale while the task keeps running are checked:
 * its cgroup is added while it spins on syscalls on its own CPU, it moves
 * itself into a traced cgroup, and a non-leader thread's exec gives it the
 * leader's pid (every event after it must carry that pid).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "flap.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

/* Bounds of the search for a colliding cgroup id. */
#define PROBE_MAX     (4 * FLAP_TABLE_SIZE)
#define PROBE_SECONDS 60

/* A test cgroup, its marker and the children that ran in it. */
struct traced_cg {
	struct test_cgroup cg;
	char marker[128];
	pid_t pids[16];
	int npids;
};

/* The known sequence's marker: openat() of a path no one else opens. */
static void init_cg(struct traced_cg *tc, const char *tag)
{
	memset(tc, 0, sizeof(*tc));
	snprintf(tc->marker, sizeof(tc->marker), "/nonexistent/flap-dispatch-%d-%s", (int)getpid(),
		 tag);
}

/* The known sequence, with raw syscalls: openat(marker), getppid, getppid. */
static void run_sequence(const char *marker)
{
	char path[128];

	/* On the stack, so BPF finds the page present. */
	snprintf(path, sizeof(path), "%s", marker);
	syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	syscall(SYS_getppid);
	syscall(SYS_getppid);
}

static int child_sequence(void *arg)
{
	run_sequence(arg);
	syscall(SYS_exit_group, 0);
	return 0;
}

/* Runs the known sequence in a child parked in @tc's cgroup. */
static int run_child(struct traced_cg *tc)
{
	struct test_child c;
	int err, status;

	if (tc->npids == (int)(sizeof(tc->pids) / sizeof(tc->pids[0])))
		return -E2BIG;
	err = test_child_start(&tc->cg, child_sequence, tc->marker, &c);
	if (err)
		return err;
	tc->pids[tc->npids++] = c.pid;
	test_child_go(&c);
	status = test_child_wait(&c);
	if (status < 0)
		return status;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static bool ran_in(const struct traced_cg *tc, __u32 pid)
{
	int i;

	for (i = 0; i < tc->npids; i++)
		if ((__u32)tc->pids[i] == pid)
			return true;
	return false;
}

/* Does any event carry a capture equal to @marker? */
static bool has_marker(const struct flap_trace *t, const char *marker)
{
	size_t i, len = strlen(marker);
	int j;

	for (i = 0; i < t->nevents; i++)
		for (j = 0; j < t->events[i].ncaps; j++)
			if (t->events[i].caps[j].len == len &&
			    memcmp(t->events[i].caps[j].data, marker, len) == 0)
				return true;
	return false;
}

/*
 * Checks that the history of @rec holds the known sequence of the last
 * child run in @tc (openat of its marker, getppid, getppid, exit_group) and
 * nothing of any process that did not run in @tc.
 */
static bool check_only(struct flap_recorder *rec, const struct traced_cg *tc, const char *what)
{
	pid_t pid = tc->pids[tc->npids - 1];
	struct flap_trace *t = NULL;
	char buf[256], name[128];
	bool ok = false;
	size_t k;
	long i;

	if (!ASSERT_OK_PTR(rec, what) || !ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		return false;
	if (test__verbose())
		test_dump_trace(t, 40);
	snprintf(name, sizeof(name), "%s: openat recorded", what);
	i = test_find_event(t, 0, pid, SYS_openat);
	if (!ASSERT_GE(i, 0, name))
		goto out;
	snprintf(name, sizeof(name), "%s: marker path", what);
	if (!ASSERT_STREQ(test_cap_str(&t->events[i], 1, buf, sizeof(buf)), tc->marker, name))
		goto out;
	snprintf(name, sizeof(name), "%s: sequence follows", what);
	if (!ASSERT_LE(i + 4, (long)t->nevents, name))
		goto out;
	ASSERT_EQ(t->events[i].ret, -ENOENT, name);
	ASSERT_EQ(t->events[i + 1].nr, SYS_getppid, name);
	ASSERT_EQ(t->events[i + 2].nr, SYS_getppid, name);
	ASSERT_EQ(t->events[i + 3].nr, SYS_exit_group, name);
	snprintf(name, sizeof(name), "%s: only children of this cgroup", what);
	for (k = 0; k < t->nevents; k++)
		if (!ASSERT_TRUE(ran_in(tc, t->events[k].tgid), name))
			goto out;
	snprintf(name, sizeof(name), "%s: produced = held + overwritten + lost", what);
	ASSERT_EQ(t->total.produced, t->total.held + t->total.overwritten + t->total.lost, name);
	snprintf(name, sizeof(name), "%s: nothing overwritten or lost", what);
	ASSERT_EQ(t->total.overwritten + t->total.lost, 0, name);
	ok = true;
out:
	flap_trace__free(t);
	return ok;
}

/* The traced child is recorded; an untraced child and the test are not. */
static void subtest_isolation(void)
{
	struct traced_cg traced, untraced, self;
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	size_t k;

	test__start_subtest("isolation");
	init_cg(&traced, "traced");
	init_cg(&untraced, "untraced");
	init_cg(&self, "self");
	if (!ASSERT_OK(test_cgroup_make("traced", &traced.cg), "cgroup traced") ||
	    !ASSERT_OK(test_cgroup_make("untraced", &untraced.cg), "cgroup untraced"))
		goto out;
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, traced.cg.id, NULL, &rec), "add"))
		goto out;

	/* Untraced before, around and after the traced one. */
	if (!ASSERT_OK(run_child(&untraced), "untraced child"))
		goto out;
	run_sequence(self.marker);
	if (!ASSERT_OK(run_child(&traced), "traced child"))
		goto out;
	run_sequence(self.marker);
	if (!ASSERT_OK(run_child(&untraced), "untraced child again"))
		goto out;

	if (!check_only(rec, &traced, "traced"))
		goto out;
	if (!ASSERT_OK(flap_recorder__read(rec, &t), "read"))
		goto out;
	ASSERT_FALSE(has_marker(t, untraced.marker), "untraced cgroup's path absent");
	ASSERT_FALSE(has_marker(t, self.marker), "test's own path absent");
	for (k = 0; k < t->nevents; k++) {
		if (!ASSERT_FALSE(ran_in(&untraced, t->events[k].tgid), "no untraced event") ||
		    !ASSERT_NEQ(t->events[k].tgid, getpid(), "no event of the test"))
			break;
	}
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&traced.cg);
	test_cgroup_cleanup(&untraced.cg);
}

/* Two recorders at once: each holds its own child only. */
static void subtest_two_recorders(void)
{
	struct flap_recorder *rec_a = NULL, *rec_b = NULL;
	struct test_child child_a, child_b;
	struct flap_registry *reg = NULL;
	struct traced_cg a, b;
	int status;

	test__start_subtest("two_recorders");
	init_cg(&a, "a");
	init_cg(&b, "b");
	if (!ASSERT_OK(test_cgroup_make("two-a", &a.cg), "cgroup a") ||
	    !ASSERT_OK(test_cgroup_make("two-b", &b.cg), "cgroup b"))
		goto out;
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, a.cg.id, NULL, &rec_a), "add a") ||
	    !ASSERT_OK(flap_registry__add(reg, b.cg.id, NULL, &rec_b), "add b"))
		goto out;
	ASSERT_NEQ(flap_recorder__slot(rec_a), flap_recorder__slot(rec_b), "own slots");
	ASSERT_EQ(flap_registry__count(reg), 2, "two recorders");

	/* Both run at the same time. */
	if (!ASSERT_OK(test_child_start(&a.cg, child_sequence, a.marker, &child_a), "child a"))
		goto out;
	a.pids[a.npids++] = child_a.pid;
	if (!ASSERT_OK(test_child_start(&b.cg, child_sequence, b.marker, &child_b), "child b"))
		goto out;
	b.pids[b.npids++] = child_b.pid;
	test_child_go(&child_a);
	test_child_go(&child_b);
	status = test_child_wait(&child_a);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child a exit");
	status = test_child_wait(&child_b);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child b exit");

	check_only(rec_a, &a, "recorder a");
	check_only(rec_b, &b, "recorder b");
out:
	flap_registry__free(reg);
	test_cgroup_cleanup(&a.cg);
	test_cgroup_cleanup(&b.cg);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Creates a cgroup whose id equals @id modulo FLAP_TABLE_SIZE. cgroup ids
 * are kernfs inode numbers, handed out cyclically (not reused until the
 * 32-bit space wraps) to every node of the hierarchy: each mkdir takes the
 * directory's id and one per control file, so creating and removing probe
 * cgroups walks the ids forward until one lands on @id's table entry.
 * Bounded in attempts and time. Return: 0 and the cgroup in @cg,
 * -ETIMEDOUT, or negative errno.
 */
static int make_colliding(__u64 id, struct test_cgroup *cg, int *probes)
{
	double t0 = now_s();
	int err, i;

	for (i = 0; i < PROBE_MAX && now_s() - t0 < PROBE_SECONDS; i++) {
		err = test_cgroup_make("collide", cg);
		if (err)
			return err;
		*probes = i + 1;
		if (cg->id != id &&
		    (cg->id & (FLAP_TABLE_SIZE - 1)) == (id & (FLAP_TABLE_SIZE - 1)))
			return 0;
		if (rmdir(cg->path) < 0)
			return -errno;
		cg->path[0] = '\0';
	}
	return -ETIMEDOUT;
}

/* Runs a child in @x (and @y) and checks each recorder holds its own only. */
static bool check_pair(struct flap_registry *reg, struct traced_cg *x, struct traced_cg *y,
		       const char *what)
{
	char name[128];
	bool ok = true;

	snprintf(name, sizeof(name), "%s: child x", what);
	if (!ASSERT_OK(run_child(x), name))
		return false;
	if (y) {
		snprintf(name, sizeof(name), "%s: child y", what);
		if (!ASSERT_OK(run_child(y), name))
			return false;
		snprintf(name, sizeof(name), "%s: y", what);
		ok &= check_only(flap_registry__find(reg, y->cg.id), y, name);
	}
	snprintf(name, sizeof(name), "%s: x", what);
	ok &= check_only(flap_registry__find(reg, x->cg.id), x, name);
	return ok;
}

/*
 * The dispatcher's table entry that holds @id or @other (ids of this test
 * only, so the entry is this test's registry's even when other registries
 * exist): finds the cgroup_table maps of the system and reads entry
 * @id & (FLAP_TABLE_SIZE - 1). Return: 0 and the entry, or -ENOENT.
 */
static int table_entry(__u64 id, __u64 other, struct flap_slot *out)
{
	__u32 map_id = 0, idx = id & (FLAP_TABLE_SIZE - 1);
	struct bpf_map_info info;
	__u32 len;
	int fd;

	while (bpf_map_get_next_id(map_id, &map_id) == 0) {
		fd = bpf_map_get_fd_by_id(map_id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    !strcmp(info.name, "cgroup_table") && info.value_size == sizeof(*out) &&
		    info.max_entries == FLAP_TABLE_SIZE &&
		    bpf_map_lookup_elem(fd, &idx, out) == 0 &&
		    (out->cgid == id || out->cgid == other)) {
			close(fd);
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

/* The entry holds @in_table, and is flagged for the hash when @collide. */
static void check_entry(__u64 in_table, __u64 other, bool collide, const char *what)
{
	struct flap_slot e;
	char name[128];

	snprintf(name, sizeof(name), "%s: table entry found", what);
	if (!ASSERT_OK(table_entry(in_table, other, &e), name))
		return;
	snprintf(name, sizeof(name), "%s: id in the table entry", what);
	ASSERT_EQ(e.cgid, in_table, name);
	snprintf(name, sizeof(name), "%s: collision flag", what);
	ASSERT_EQ(e.flags & FLAP_SLOT_F_COLLIDE, collide ? FLAP_SLOT_F_COLLIDE : 0, name);
}

/* Two cgroups in one table entry: both record; removing either keeps the other. */
static void subtest_collision(void)
{
	struct flap_recorder *ra = NULL, *rb = NULL;
	struct flap_registry *reg = NULL;
	struct flap_trace *t = NULL;
	struct traced_cg a, b, c;
	int probes = 0, err;
	double t0;

	test__start_subtest("collision");
	init_cg(&a, "coll-a");
	init_cg(&b, "coll-b");
	init_cg(&c, "coll-c");
	if (!ASSERT_OK(test_cgroup_make("coll-a", &a.cg), "cgroup a"))
		goto out;
	t0 = now_s();
	err = make_colliding(a.cg.id, &b.cg, &probes);
	fprintf(stderr, "  collision: ids %llu and %llu share entry %llu after %d probes (%.2fs)\n",
		(unsigned long long)a.cg.id, (unsigned long long)b.cg.id,
		(unsigned long long)(a.cg.id & (FLAP_TABLE_SIZE - 1)), probes, now_s() - t0);
	if (!ASSERT_OK(err, "colliding cgroup id"))
		goto out;
	if (!ASSERT_EQ(a.cg.id & (FLAP_TABLE_SIZE - 1), b.cg.id & (FLAP_TABLE_SIZE - 1),
		       "same entry"))
		goto out;
	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		goto out;

	/* a takes the table entry, b goes to the hash. */
	if (!ASSERT_OK(flap_registry__add(reg, a.cg.id, NULL, &ra), "add a"))
		goto out;
	check_entry(a.cg.id, b.cg.id, false, "a alone");
	if (!ASSERT_OK(flap_registry__add(reg, b.cg.id, NULL, &rb), "add b"))
		goto out;
	check_entry(a.cg.id, b.cg.id, true, "a and b");
	if (!check_pair(reg, &a, &b, "both"))
		goto out;

	/* Remove the hashed one: a (in the table) keeps recording. */
	flap_registry__remove(reg, rb);
	rb = NULL;
	check_entry(a.cg.id, b.cg.id, false, "b removed");
	if (!ASSERT_OK(run_child(&b), "b after remove"))
		goto out;
	if (!check_pair(reg, &a, NULL, "a after removing b"))
		goto out;

	/* Again, then remove the one in the table: b is promoted from the hash. */
	if (!ASSERT_OK(flap_registry__add(reg, b.cg.id, NULL, &rb), "re-add b"))
		goto out;
	check_entry(a.cg.id, b.cg.id, true, "a and b again");
	if (!check_pair(reg, &a, &b, "both again"))
		goto out;
	flap_registry__remove(reg, ra);
	ra = NULL;
	check_entry(b.cg.id, a.cg.id, false, "a removed, b promoted");
	if (!check_pair(reg, &b, NULL, "b after removing a"))
		goto out;

	/* a, added back, now collides with b the other way round. */
	if (!ASSERT_OK(flap_registry__add(reg, a.cg.id, NULL, &ra), "re-add a"))
		goto out;
	check_entry(b.cg.id, a.cg.id, true, "b and a");
	if (!check_pair(reg, &b, &a, "both, swapped"))
		goto out;

	/* A removed cgroup's child leaves nothing in the other's history. */
	flap_registry__remove(reg, ra);
	ra = NULL;
	if (!ASSERT_OK(run_child(&a), "a after second remove"))
		goto out;
	if (!ASSERT_OK(flap_recorder__read(rb, &t), "read b"))
		goto out;
	ASSERT_FALSE(has_marker(t, a.marker), "a's path not in b's history");
	/* An untraced cgroup next to them: its child runs, b holds nothing of it. */
	if (!ASSERT_OK(test_cgroup_make("coll-c", &c.cg), "cgroup c") ||
	    !ASSERT_OK(run_child(&c), "untraced child c"))
		goto out;
	check_only(rb, &b, "b after untraced c");
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&c.cg);
	test_cgroup_cleanup(&b.cg);
	test_cgroup_cleanup(&a.cg);
}

/* Pins the caller to @cpu; 0 or negative errno. */
static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

/* Lets the caller run on every CPU again. */
static void pin_cpu_all(void)
{
	cpu_set_t set;
	int cpu;

	CPU_ZERO(&set);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Shared with a spinning child: set by the test, read without a syscall. */
struct spin {
	volatile int go;
	char marker[128];
	char cgroup[4096];
};

/* Spins on getppid (on CPU 1) until told, then runs the known sequence. */
static int child_spin(void *arg)
{
	struct spin *sp = arg;

	pin_cpu(1);
	while (!sp->go)
		syscall(SYS_getppid);
	child_sequence(sp->marker);
	return 0;
}

/* Moves itself into the traced cgroup, then runs the known sequence at once. */
static int child_move_self(void *arg)
{
	struct spin *sp = arg;

	if (flap_cgroup__join(sp->cgroup, 0))
		return 1;
	child_sequence(sp->marker);
	return 0;
}

static void *thread_exec(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	return NULL;
}

/* A non-leader thread execs: the process goes on under the leader's pid. */
static int child_thread_exec(void *arg)
{
	pthread_t th;

	(void)arg;
	if (pthread_create(&th, NULL, thread_exec, NULL))
		return 1;
	for (;;)
		pause();
	return 0;
}

/* The dispatcher's per-CPU view of the running task never goes stale. */
static void subtest_running(void)
{
	struct flap_recorder *rec = NULL, *rec_m = NULL, *rec_x = NULL;
	struct traced_cg spin, moved, origin, xec;
	struct flap_registry *reg = NULL;
	struct flap_trace *t = NULL;
	struct test_child c;
	struct spin *sp;
	long i, last = -1;
	int status;
	size_t k;

	test__start_subtest("running");
	sp = mmap(NULL, sizeof(*sp), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_NEQ(sp, MAP_FAILED, "shared page"))
		return;
	init_cg(&spin, "spin");
	init_cg(&moved, "moved");
	init_cg(&origin, "origin");
	init_cg(&xec, "exec");
	if (!ASSERT_OK(test_cgroup_make("spin", &spin.cg), "cgroup spin") ||
	    !ASSERT_OK(test_cgroup_make("moved", &moved.cg), "cgroup moved") ||
	    !ASSERT_OK(test_cgroup_make("origin", &origin.cg), "cgroup origin") ||
	    !ASSERT_OK(test_cgroup_make("exec", &xec.cg), "cgroup exec") ||
	    !ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		goto out;

	/* Added while its task spins on CPU 1 with no reason to be switched out. */
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->marker, sizeof(sp->marker), "%s", spin.marker);
	pin_cpu(0);
	if (!ASSERT_OK(test_child_start(&spin.cg, child_spin, sp, &c), "spinning child"))
		goto out;
	spin.pids[spin.npids++] = c.pid;
	test_child_go(&c);
	usleep(100 * 1000);
	if (!ASSERT_OK(flap_registry__add(reg, spin.cg.id, NULL, &rec), "add while running"))
		goto out;
	sp->go = 1;
	status = test_child_wait(&c);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "spinning child exit");
	check_only(rec, &spin, "added while running");

	/* Moves itself from an untraced cgroup into a traced one. */
	memset(sp, 0, sizeof(*sp));
	snprintf(sp->marker, sizeof(sp->marker), "%s", moved.marker);
	snprintf(sp->cgroup, sizeof(sp->cgroup), "%s", moved.cg.path);
	if (!ASSERT_OK(flap_registry__add(reg, moved.cg.id, NULL, &rec_m), "add moved") ||
	    !ASSERT_OK(test_child_start(&origin.cg, child_move_self, sp, &c), "moving child"))
		goto out;
	moved.pids[moved.npids++] = c.pid;
	test_child_go(&c);
	status = test_child_wait(&c);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "moving child exit");
	check_only(rec_m, &moved, "moved itself");

	/* A thread's exec: after it, every event carries the leader's pid. */
	if (!ASSERT_OK(flap_registry__add(reg, xec.cg.id, NULL, &rec_x), "add exec") ||
	    !ASSERT_OK(test_child_start(&xec.cg, child_thread_exec, NULL, &c), "exec child"))
		goto out;
	test_child_go(&c);
	status = test_child_wait(&c);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exec child exit");
	if (!ASSERT_OK(flap_recorder__read(rec_x, &t), "read exec"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 400);
	for (k = 0; k < t->nevents; k++)
		if (t->events[k].tgid == (__u32)c.pid && t->events[k].nr == SYS_execve &&
		    t->events[k].ret == 0)
			last = k;
	if (!ASSERT_GE(last, 0, "the thread's execve succeeded, recorded"))
		goto out;
	ASSERT_EQ(t->events[last].tid, c.pid, "execve returns under the leader's pid");
	for (i = last + 1; i < (long)t->nevents; i++)
		if (t->events[i].tgid == (__u32)c.pid &&
		    !ASSERT_EQ(t->events[i].tid, c.pid, "after exec: leader's pid"))
			break;
	ASSERT_EQ(t->events[t->nevents - 1].nr, SYS_exit_group, "/bin/true ran to its end");
out:
	sp->go = 1;
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&spin.cg);
	test_cgroup_cleanup(&moved.cg);
	test_cgroup_cleanup(&origin.cg);
	test_cgroup_cleanup(&xec.cg);
	munmap(sp, sizeof(*sp));
	pin_cpu_all();
}

void test_dispatch(void)
{
	subtest_isolation();
	subtest_two_recorders();
	subtest_collision();
	subtest_running();
}
