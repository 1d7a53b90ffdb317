// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * util.c - test helpers (see util.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cgroup.h"
#include "registry.h"
#include "syscalls.h"
#include "testutil.h"

int test_cgroup_make(const char *name, struct test_cgroup *cg)
{
	const char *root = flap_cgroup__root();
	char parent[4096];
	int err;

	if (!root)
		return -ENOENT;
	snprintf(parent, sizeof(parent), "%s/flap-test-%d", root, (int)getpid());
	if (mkdir(parent, 0755) < 0 && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(cg->path, sizeof(cg->path), "%s/%s", parent, name) >= sizeof(cg->path))
		return -ENAMETOOLONG;
	err = flap_cgroup__create(cg->path, &cg->id);
	return err;
}

void test_cgroup_cleanup(struct test_cgroup *cg)
{
	char parent[4096], *slash;

	if (!cg->path[0])
		return;
	flap_cgroup__destroy(cg->path);
	snprintf(parent, sizeof(parent), "%s", cg->path);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		rmdir(parent); /* fails while sibling tests' cgroups exist */
	}
	cg->path[0] = '\0';
}

int test_child_start(const struct test_cgroup *cg, int (*fn)(void *), void *arg,
		     struct test_child *c)
{
	int go[2], err;
	char b;

	if (pipe(go) < 0)
		return -errno;
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		return err;
	}
	if (c->pid == 0) {
		close(go[1]);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		close(go[0]);
		_exit(fn(arg));
	}
	close(go[0]);
	c->go_fd = go[1];
	err = flap_cgroup__join(cg->path, c->pid);
	if (err) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		close(c->go_fd);
		return err;
	}
	return 0;
}

int test_child_go(struct test_child *c)
{
	int err = 0;

	if (write(c->go_fd, "g", 1) != 1)
		err = -errno;
	close(c->go_fd);
	c->go_fd = -1;
	return err;
}

int test_child_wait(struct test_child *c)
{
	int status;

	if (waitpid(c->pid, &status, 0) < 0)
		return -errno;
	return status;
}

int test_wait_syscall(pid_t tid, long nr, long arg0, int timeout_ms)
{
	struct timespec ts = {.tv_nsec = 1000000};
	char path[64], buf[256], *end;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	for (i = 0; i < timeout_ms; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			/* "running" while on a CPU, else "<nr> <arg0> ... <sp> <pc>". */
			if (buf[0] >= '0' && buf[0] <= '9' && strtol(buf, &end, 10) == nr &&
			    (arg0 == -1 || strtol(end, NULL, 0) == arg0))
				return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

int test_count_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

int test_count_bpf_progs(void)
{
	__u32 id = 0;
	int n = 0;

	while (bpf_prog_get_next_id(id, &id) == 0)
		n++;
	return n;
}

int test_count_bpf_maps(void)
{
	__u32 id = 0;
	int n = 0;

	while (bpf_map_get_next_id(id, &id) == 0)
		n++;
	return n;
}

#define MAX_OWN_MAPS 65536

static bool in_u64s(const __u64 *v, int n, __u64 x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* Is map @id the data of a recorder bound to one of @cgids? */
static bool is_own_data(__u32 id, const __u64 *cgids, int n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	bool own = false;
	__u8 *val;
	__u64 cgid;
	int fd;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return false;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || strcmp(info.name, FLAP_RECORDER_BSS_NAME))
		goto out;
	val = calloc(1, info.value_size);
	if (val && bpf_map_lookup_elem(fd, &zero, val) == 0 &&
	    flap_recorder__bound_cgroup(val, info.value_size, &cgid) == 0)
		own = in_u64s(cgids, n, cgid);
	free(val);
out:
	close(fd);
	return own;
}

/* Does program @id use one of the maps in @maps? */
static bool prog_uses(__u32 id, const __u64 *maps, int nmaps)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], i;
	bool uses = false;
	int fd;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		for (i = 0; i < info.nr_map_ids && i < 64; i++)
			uses |= in_u64s(maps, nmaps, ids[i]);
	close(fd);
	return uses;
}

int test_count_recorders(const __u64 *cgids, int n, int *nmaps, int *nprogs)
{
	__u32 id = 0;
	__u64 *own;

	*nmaps = *nprogs = 0;
	own = calloc(MAX_OWN_MAPS, sizeof(*own));
	if (!own)
		return -ENOMEM;
	while (bpf_map_get_next_id(id, &id) == 0 && *nmaps < MAX_OWN_MAPS)
		if (is_own_data(id, cgids, n))
			own[(*nmaps)++] = id;
	id = 0;
	while (bpf_prog_get_next_id(id, &id) == 0)
		*nprogs += prog_uses(id, own, *nmaps);
	free(own);
	return 0;
}

const char *test_cap_str(const struct flap_event *ev, int arg, char *buf, size_t size)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < ev->ncaps; i++) {
		if (ev->caps[i].arg != arg)
			continue;
		size_t n = ev->caps[i].len < size - 1 ? ev->caps[i].len : size - 1;

		memcpy(buf, ev->caps[i].data, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

long test_find_event(const struct flap_trace *t, long from, __u32 tid, long nr)
{
	size_t i;

	for (i = from < 0 ? 0 : from; i < t->nevents; i++)
		if ((!tid || t->events[i].tid == tid) && (nr < 0 || t->events[i].nr == nr))
			return i;
	return -1;
}

void test_dump_trace(const struct flap_trace *t, size_t max)
{
	size_t i, from = t->nevents > max ? t->nevents - max : 0;
	char buf[64];

	for (i = from; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];
		const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);

		if (ev->sig) {
			fprintf(stderr,
				"  [%zu] %llu cpu%u %s[%u/%u] signal %d flags=%x code=%d "
				"handler=%llx "
				"sender=%u(%s) ip=%llx frames=%u\n",
				i, (unsigned long long)ev->ts, ev->cpu, ev->comm, ev->tgid, ev->tid,
				ev->sig->sig, ev->sig->flags, *(const int *)(ev->sig->info + 8),
				(unsigned long long)ev->sig->handler, ev->sig->sender_tgid,
				ev->sig->sender_comm, (unsigned long long)ev->sig->ip,
				ev->sig->nframes);
			continue;
		}
		fprintf(stderr,
			"  [%zu] %llu cpu%u %s[%u/%u] %s(%llx, %llx, %llx) = %lld flags=%x "
			"dur=%llu",
			i, (unsigned long long)ev->ts, ev->cpu, ev->comm, ev->tgid, ev->tid,
			sc ? sc->name : "?", (unsigned long long)ev->args[0],
			(unsigned long long)ev->args[1], (unsigned long long)ev->args[2],
			(long long)ev->ret, ev->flags, (unsigned long long)ev->dur_ns);
		for (int j = 0; j < ev->ncaps; j++) {
			size_t n = ev->caps[j].len < sizeof(buf) - 1 ? ev->caps[j].len
								     : sizeof(buf) - 1;

			memcpy(buf, ev->caps[j].data, n);
			buf[n] = '\0';
			for (size_t k = 0; k < n; k++)
				if (buf[k] < 32 || buf[k] > 126)
					buf[k] = '.';
			fprintf(stderr, " cap%d[%u]=\"%s\"", ev->caps[j].arg, ev->caps[j].flags,
				buf);
		}
		fprintf(stderr, "\n");
	}
}
