// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_oom.c - an OOM kill named as such. tests/helpers/crasher hog runs in
 * a traced cgroup whose memory cgroup is limited to 32 MiB (cgroup v1's
 * memory controller where the host mounts it, as here; else the v2
 * cgroup's memory.max, as in the kernel-matrix guests) and touches memory
 * until the kernel's OOM killer kills it. The lifecycle ring buffer must
 * bring the OOM kill (oom/mark_victim: the victim, the memory cgroup's
 * limit and usage) and then the exit by SIGKILL; the crash policy, given
 * both, writes a dump whose reason is "oom" with the limit, and whose
 * history ends with the allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "crash.h"
#include "dump.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

#define LIMIT	  (32ULL << 20)
#define V1_MEMORY "/sys/fs/cgroup/memory"

struct seen {
	struct flap_oom_event oom, other;
	int nother;
	struct flap_exit_event exit;
	int noom, nexit;
	pid_t pid;
};

static void on_oom(void *ctx, const struct flap_oom_event *e)
{
	struct seen *s = ctx;

	if (e->pid == (__u32)s->pid) {
		s->oom = *e;
		s->noom++;
	} else {
		s->other = *e;
		s->nother++;
	}
}

static void on_exit_ev(void *ctx, const struct flap_exit_event *e)
{
	struct seen *s = ctx;

	if (e->pid == (__u32)s->pid) {
		s->exit = *e;
		s->nexit++;
	}
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Limits the memory of the (parked) child @pid of cgroup @cg to LIMIT: a v1
 * memory cgroup @v1 (made here) when the host has one, else @cg's memory.max. */
static int limit_memory(const struct test_cgroup *cg, pid_t pid, char *v1, size_t size)
{
	char path[4096 + 32], val[32], parent[4096], *slash;
	int err;

	snprintf(val, sizeof(val), "%llu", LIMIT);
	if (access(V1_MEMORY "/cgroup.procs", F_OK) == 0) {
		snprintf(v1, size, V1_MEMORY "/flap-test-oom-%d", (int)getpid());
		if (mkdir(v1, 0755) < 0 && errno != EEXIST)
			return -errno;
		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", v1);
		err = write_file(path, val);
		snprintf(path, sizeof(path), "%s/cgroup.procs", v1);
		snprintf(val, sizeof(val), "%d", (int)pid);
		return err ? err : write_file(path, val);
	}
	v1[0] = '\0';
	/* v2: the controller enabled from the root down to the test cgroup. */
	snprintf(parent, sizeof(parent), "%s", cg->path);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/../cgroup.subtree_control", parent);
	write_file(path, "+memory");
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", parent);
	err = write_file(path, "+memory");
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg->path);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%s/memory.max", cg->path);
	return write_file(path, val);
}

static int exec_hog(void *arg)
{
	char path[4096], mode[] = "hog", tag[] = "oom", *argv[] = {path, mode, tag, NULL};

	(void)arg;
	snprintf(path, sizeof(path), "%s/crasher", test__bindir());
	execv(path, argv);
	return 127;
}

static struct flap_recorder *crash_rec;

static int crash_read(void *ctx, __u64 cgid, struct flap_trace **out)
{
	(void)ctx;
	(void)cgid;
	return flap_recorder__read(crash_rec, out);
}

static __u64 crash_count(void *ctx, __u64 cgid, enum flap_crash_count kind)
{
	(void)ctx;
	(void)cgid;
	(void)kind;
	return 1;
}

/* The crash policy on the exit and its OOM kill: a dump with reason "oom". */
static void check_policy(const struct seen *s, const struct test_cgroup *cg)
{
	char dir[] = "/tmp/flap-oom-XXXXXX", path[4096 + 64], err[256];
	struct flap_crash_opts o = {
		.signals = flap_crash__default_signals(),
		.burst = 5,
		.window_ns = 60000000000ULL,
		.read = crash_read,
		.count = crash_count,
	};
	struct flap_source meta = {.main_pid = s->pid, .cgroup_id = cg->id};
	struct flap_crash_window w = {};
	struct flap_crash_subject subj = {
		.cgid = cg->id, .meta = &meta, .window = &w, .oom = &s->oom};
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	FILE *f;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "dump dir"))
		return;
	strcpy(meta.name, "oom");
	snprintf(meta.cgroup_path, sizeof(meta.cgroup_path), "%s", cg->path);
	o.dump_dir = dir;
	flap_crash__on_exit(&o, &subj, &s->exit);
	snprintf(path, sizeof(path), "find %s -name '*-OOM.flap' | head -1", dir);
	f = popen(path, "r");
	path[0] = '\0';
	if (f) {
		if (!fgets(path, sizeof(path), f))
			path[0] = '\0';
		pclose(f);
	}
	path[strcspn(path, "\n")] = '\0';
	if (ASSERT_TRUE(path[0], "an OOM dump file") &&
	    ASSERT_OK(flap_dump__load(path, &m, &t, err, sizeof(err)), "load the dump")) {
		ASSERT_STREQ(m.reason.kind, "oom", "reason kind");
		ASSERT_EQ(m.reason.signal, SIGKILL, "SIGKILL");
		ASSERT_EQ(m.reason.oom_limit, LIMIT, "the limit in the reason");
		ASSERT_TRUE(strstr(m.reason.text, "OOM-killed: pid "), "reason text");
		ASSERT_TRUE(strstr(m.reason.text, "limit 32.0 MiB"), "limit in the text");
		if (test__verbose())
			fprintf(stderr, "  reason: %s\n", m.reason.text);
		ASSERT_GT(t->nevents, 10, "the history");
	}
	flap_trace__free(t);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path))
		test__printf("  could not remove %s\n", dir);
}

void test_oom(void)
{
	struct flap_registry_opts ro = {.lifecycle = true, .on_exit = on_exit_ev, .on_oom = on_oom};
	struct flap_registry *reg = NULL;
	struct test_cgroup cg = {};
	struct test_child c = {.pid = -1};
	char v1[4096] = "";
	struct seen s = {};
	int status, i;

	ro.ctx = &s;
	if (!ASSERT_OK(test_cgroup_make("oom", &cg), "cgroup") ||
	    !ASSERT_OK(flap_registry__new(&ro, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, NULL, &crash_rec), "add") ||
	    !ASSERT_OK(test_child_start(&cg, exec_hog, NULL, &c), "child"))
		goto out;
	s.pid = c.pid;
	if (!ASSERT_OK(limit_memory(&cg, c.pid, v1, sizeof(v1)), "memory limit"))
		goto out;
	test_child_go(&c);
	status = test_child_wait(&c);
	c.pid = -1;
	if (!ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed by SIGKILL"))
		goto out;
	for (i = 0; i < 200 && (!s.noom || !s.nexit); i++) {
		flap_registry__poll_exits(reg);
		usleep(10000);
	}
	if (s.noom != 1)
		fprintf(stderr,
			"  child %d; %d other OOM kills, the last: pid %u by %u memcg %llu\n",
			(int)s.pid, s.nother, s.other.pid, s.other.by_pid,
			(unsigned long long)s.other.memcg);
	if (!ASSERT_EQ(s.noom, 1, "one OOM kill of the child") ||
	    !ASSERT_EQ(s.nexit, 1, "its exit"))
		goto out;
	ASSERT_EQ(s.exit.exit_code & 0x7f, SIGKILL, "exit by SIGKILL");
	ASSERT_LE(s.oom.ts, s.exit.ts, "the OOM kill comes first");
	ASSERT_EQ(s.oom.limit, LIMIT, "the memory cgroup's limit");
	ASSERT_GT(s.oom.usage, LIMIT / 2, "usage near the limit");
	ASSERT_NEQ(s.oom.memcg, 0, "memory cgroup id");
	if (!v1[0])
		ASSERT_EQ(s.oom.memcg, cg.id, "v2: the traced cgroup is the memory cgroup");
	if (test__verbose())
		fprintf(stderr,
			"  oom: pid %u by %u memcg %llu limit %llu usage %llu flags %#x %s\n",
			s.oom.pid, s.oom.by_pid, (unsigned long long)s.oom.memcg,
			(unsigned long long)s.oom.limit, (unsigned long long)s.oom.usage,
			s.oom.flags, s.oom.comm);
	check_policy(&s, &cg);
out:
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		test_child_wait(&c);
	}
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	if (v1[0])
		rmdir(v1);
}
