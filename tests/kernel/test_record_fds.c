// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_record_fds.c - what the recorder captures for strace -y's names of
 * the descriptors a call makes, and for the entries of a directory read,
 * against the real kernel: a child in a fresh cgroup makes a pipe, a socket
 * pair, a socket and an accepted connection, and reads a directory of known
 * size with getdents64 (a small buffer: several calls, then the end). The
 * inode numbers recorded must be those fstat() gives the child, the counts
 * those of the entries the child walked itself. Then the small arguments
 * the table captures for strace's sake: setsockopt's value, the CPU mask
 * of sched_getaffinity, getgroups' list, utimensat's two times.
 */
#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>

#include "flap.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

#define NFILES 40

/* What the child saw, in memory it shares with the test. */
struct seen {
	__u64 pipe_ino, pair_ino[2], sock_ino, acc_ino;
	int pipe_fds[2];
	int counts[16]; /* entries each getdents64 call returned */
	int ncalls;
};

static char dir[64];

static __u64 ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* The entries in @n bytes of a getdents64 buffer. */
static int count_dirents(const char *buf, long n)
{
	int count = 0;
	long pos = 0;

	while (pos < n) {
		unsigned short reclen;

		memcpy(&reclen, buf + pos + 16, sizeof(reclen));
		if (!reclen)
			break;
		pos += reclen;
		count++;
	}
	return count;
}

static int fd_calls(void *arg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	struct seen *s = arg;
	struct pollfd pfd;
	int sv[2], l, c, a, d;
	char buf[1024];
	long n;

	syscall(SYS_pipe2, s->pipe_fds, O_CLOEXEC);
	s->pipe_ino = ino_of(s->pipe_fds[0]);
	syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
	s->pair_ino[0] = ino_of(sv[0]);
	s->pair_ino[1] = ino_of(sv[1]);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	s->sock_ino = ino_of(l);
	bind(l, (struct sockaddr *)&sin, sizeof(sin));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&sin, &len);
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sin, sizeof(sin));
	/* the connection may still be on its way to the queue (qemu TCG) */
	pfd = (struct pollfd){.fd = l, .events = POLLIN};
	poll(&pfd, 1, 5000);
	a = (int)syscall(SYS_accept4, l, NULL, NULL, SOCK_CLOEXEC);
	s->acc_ino = ino_of(a);
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	do {
		n = syscall(SYS_getdents64, d, buf, sizeof(buf));
		if (s->ncalls < 16)
			s->counts[s->ncalls++] = n > 0 ? count_dirents(buf, n) : 0;
	} while (n > 0);
	return 0;
}

/* The capture of argument @arg of @ev, or NULL. */
static const struct flap_cap *cap_of(const struct flap_event *ev, int arg)
{
	int i;

	for (i = 0; ev && i < ev->ncaps; i++)
		if (ev->caps[i].arg == arg)
			return &ev->caps[i];
	return NULL;
}

static const struct flap_event *nth(const struct flap_trace *t, pid_t pid, long nr, int n)
{
	long i = -1;

	do
		i = test_find_event(t, i + 1, pid, nr);
	while (i >= 0 && n-- > 0);
	return i >= 0 ? &t->events[i] : NULL;
}

static __u64 u64_at(const struct flap_cap *c, size_t off)
{
	__u64 v = 0;

	if (c && c->len >= off + 8)
		memcpy(&v, c->data + off, 8);
	return v;
}

static void check_newfds(const struct flap_trace *t, pid_t pid, const struct seen *s)
{
	const struct flap_cap *c;
	int fds[2];

	c = cap_of(nth(t, pid, SYS_pipe2, 0), 0);
	if (ASSERT_OK_PTR(c, "pipe2 capture") && ASSERT_EQ(c->len, 24, "fds and inodes")) {
		memcpy(fds, c->data, sizeof(fds));
		ASSERT_EQ(fds[0], s->pipe_fds[0], "pipe fd 0");
		ASSERT_EQ(fds[1], s->pipe_fds[1], "pipe fd 1");
		ASSERT_NEQ(s->pipe_ino, 0, "the child saw the pipe's inode");
		ASSERT_EQ(u64_at(c, 8), s->pipe_ino, "pipe inode");
		ASSERT_EQ(u64_at(c, 16), s->pipe_ino, "both ends, one pipe");
	}
	c = cap_of(nth(t, pid, SYS_socketpair, 0), 3);
	if (ASSERT_OK_PTR(c, "socketpair capture") && ASSERT_EQ(c->len, 24, "fds and inodes")) {
		ASSERT_EQ(u64_at(c, 8), s->pair_ino[0], "socketpair inode 0");
		ASSERT_EQ(u64_at(c, 16), s->pair_ino[1], "socketpair inode 1");
	}
	c = cap_of(nth(t, pid, SYS_socket, 0), 0);
	if (ASSERT_OK_PTR(c, "socket capture") && ASSERT_EQ(c->len, 8, "an inode"))
		ASSERT_EQ(u64_at(c, 0), s->sock_ino, "socket inode");
	c = cap_of(nth(t, pid, SYS_accept4, 0), 0);
	if (ASSERT_OK_PTR(c, "accept4 capture") && ASSERT_EQ(c->len, 8, "an inode"))
		ASSERT_EQ(u64_at(c, 0), s->acc_ino, "accepted socket inode");
}

static void check_dirents(const struct flap_trace *t, pid_t pid, const struct seen *s)
{
	const struct flap_event *ev;
	const struct flap_cap *c;
	int i, total = 0;
	__u32 n;

	ASSERT_GT(s->ncalls, 2, "several getdents64 calls");
	for (i = 0; i < s->ncalls; i++) {
		ev = nth(t, pid, SYS_getdents64, i);
		if (!ASSERT_OK_PTR(ev, "getdents64 recorded"))
			return;
		c = cap_of(ev, 1);
		total += s->counts[i];
		if (!s->counts[i]) {
			ASSERT_TRUE(c == NULL, "the end: nothing captured");
			continue;
		}
		if (!ASSERT_OK_PTR(c, "entries counted") || !ASSERT_EQ(c->len, 4, "a count"))
			return;
		memcpy(&n, c->data, 4);
		ASSERT_EQ(n, s->counts[i], "the entries of the call");
		ASSERT_FALSE(c->flags & (FLAP_EVCAP_F_TRUNC | FLAP_EVCAP_F_FAULT), "whole");
	}
	ASSERT_EQ(total, NFILES + 2, "every entry, . and ..");
}

void test_record_fds(void)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	char path[128];
	struct seen *s;
	int err, status, i, fd;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_TRUE(s != MAP_FAILED, "mmap"))
		return;
	memset(s, 0, sizeof(*s));
	snprintf(dir, sizeof(dir), "/tmp/flap-fds-%d", (int)getpid());
	if (!ASSERT_OK(mkdir(dir, 0700), "mkdir"))
		goto out_unmap;
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/a-file-with-a-long-name-%03d", dir, i);
		fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		close(fd);
	}
	err = test_cgroup_make("fds", &cg);
	if (!ASSERT_OK(err, "cgroup"))
		goto out;
	err = flap_registry__new(NULL, &reg);
	if (!ASSERT_OK(err, "registry"))
		goto out;
	err = flap_registry__add(reg, cg.id, NULL, &rec);
	if (!ASSERT_OK(err, "add"))
		goto out;
	err = test_child_start(&cg, fd_calls, s, &child);
	if (!ASSERT_OK(err, "child"))
		goto out;
	test_child_go(&child);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFEXITED(status), "child exited");
	err = flap_recorder__read(rec, &t);
	if (!ASSERT_OK(err, "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 80);
	check_newfds(t, child.pid, s);
	check_dirents(t, child.pid, s);
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/a-file-with-a-long-name-%03d", dir, i);
		unlink(path);
	}
	rmdir(dir);
out_unmap:
	munmap(s, sizeof(*s));
}

/* What the child of test_record_small passed and got. */
struct small {
	__u8 mask[128];
	long mask_len;
	gid_t gids[8];
	int ngids;
	struct timespec times[2];
};

static int small_calls(void *arg)
{
	struct small *s = arg;
	char path[128];
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	s->mask_len = syscall(SYS_sched_getaffinity, 0, sizeof(s->mask), s->mask);
	s->ngids = (int)syscall(SYS_getgroups, 8, s->gids);
	snprintf(path, sizeof(path), "%s/f", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	s->times[0] = (struct timespec){.tv_sec = 1000000000, .tv_nsec = 5};
	s->times[1] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_NOW};
	syscall(SYS_utimensat, AT_FDCWD, path, s->times, 0);
	unlink(path);
	return 0;
}

static void check_small(const struct flap_trace *t, pid_t pid, const struct small *s)
{
	const struct flap_cap *c;
	int v = 0;

	c = cap_of(nth(t, pid, SYS_setsockopt, 0), 3);
	if (ASSERT_OK_PTR(c, "setsockopt value") && ASSERT_EQ(c->len, 4, "an int"))
		memcpy(&v, c->data, 4);
	ASSERT_EQ(v, 1, "SO_REUSEADDR on");
	c = cap_of(nth(t, pid, SYS_sched_getaffinity, 0), 2);
	if (ASSERT_OK_PTR(c, "cpu mask") && ASSERT_GT(s->mask_len, 0, "the call returned bytes") &&
	    ASSERT_EQ(c->len, s->mask_len < 64 ? s->mask_len : 64, "the bytes returned"))
		ASSERT_OK(memcmp(c->data, s->mask, c->len), "the mask");
	c = cap_of(nth(t, pid, SYS_getgroups, 0), 1);
	if (s->ngids == 0)
		ASSERT_TRUE(c == NULL, "no group: nothing captured");
	else if (ASSERT_OK_PTR(c, "groups") && ASSERT_EQ(c->len, 4 * s->ngids, "every group"))
		ASSERT_OK(memcmp(c->data, s->gids, c->len), "the groups");
	c = cap_of(nth(t, pid, SYS_utimensat, 0), 2);
	if (ASSERT_OK_PTR(c, "times") && ASSERT_EQ(c->len, 32, "two timespecs"))
		ASSERT_OK(memcmp(c->data, s->times, 32), "the times");
}

void test_record_small(void)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	struct small *s;
	int err, status;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_TRUE(s != MAP_FAILED, "mmap"))
		return;
	memset(s, 0, sizeof(*s));
	snprintf(dir, sizeof(dir), "/tmp/flap-small-%d", (int)getpid());
	if (!ASSERT_OK(mkdir(dir, 0700), "mkdir"))
		goto out_unmap;
	err = test_cgroup_make("small", &cg);
	if (!ASSERT_OK(err, "cgroup"))
		goto out;
	err = flap_registry__new(NULL, &reg);
	if (!ASSERT_OK(err, "registry"))
		goto out;
	err = flap_registry__add(reg, cg.id, NULL, &rec);
	if (!ASSERT_OK(err, "add"))
		goto out;
	err = test_child_start(&cg, small_calls, s, &child);
	if (!ASSERT_OK(err, "child"))
		goto out;
	test_child_go(&child);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFEXITED(status), "child exited");
	err = flap_recorder__read(rec, &t);
	if (!ASSERT_OK(err, "read"))
		goto out;
	check_small(t, child.pid, s);
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	rmdir(dir);
out_unmap:
	munmap(s, sizeof(*s));
}
