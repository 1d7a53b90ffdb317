// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_fidelity.c - what makes the output read like strace -y on real
 * programs (issue 18): the state of the processes at registration
 * (recorder/kernel/procfs.c on a real child process, flap_trace.procs, its
 * round trip through a dump file, fdnames seeded from it: AT_FDCWD</dir>
 * and fds 0-2 named), and the printing rows that follow from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sched.h>

#include "flap.h"
#include "args.h"
#include "dump.h"
#include "fdnames.h"
#include "format.h"
#include "procfs.h"
#include "syscalls.h"
#include "test.h"
#include "text.h"
#include "trace.h"

/* One event under construction, with its own capture storage. */
struct cev {
	struct flap_event ev;
	__u8 data[FLAP_EV_MAX_CAPS][2048];
};

#define U(x) ((__u64)(__s64)(x))

static void cev_init(struct cev *c, const char *name, __s64 ret, int nargs, __u64 a0, __u64 a1,
		     __u64 a2, __u64 a3)
{
	const struct flap_syscall *sc = flap_syscall__by_name(name);

	memset(c, 0, sizeof(*c));
	c->ev.nr = sc ? sc->nr : 9999;
	c->ev.tid = c->ev.tgid = 100;
	c->ev.ret = ret;
	c->ev.nargs = nargs;
	c->ev.args[0] = a0;
	c->ev.args[1] = a1;
	c->ev.args[2] = a2;
	c->ev.args[3] = a3;
	c->ev.flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_DUR;
}

static void cap(struct cev *c, int arg, __u8 flags, const void *data, size_t len)
{
	int i = c->ev.ncaps++;

	memcpy(c->data[i], data, len);
	c->ev.caps[i].arg = arg;
	c->ev.caps[i].flags = flags;
	c->ev.caps[i].len = len;
	c->ev.caps[i].data = c->data[i];
}

/* "name(args) = ret" as args.c prints it, then @fds updated. */
static bool decodes(struct cev *c, struct flap_fdnames *fds, const char *want, const char *what)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(c->ev.nr);
	struct flap_text t;
	bool ok;

	flap_text__init(&t);
	flap_text__printf(&t, "%s(", sc ? sc->name : "?");
	flap_args__print(&t, &c->ev, fds);
	if (fds)
		flap_fdnames__update(fds, &c->ev);
	flap_text__puts(&t, ") = ");
	if (c->ev.ret < 0 && c->ev.ret >= -4095)
		flap_text__printf(&t, "-%lld", (long long)-c->ev.ret);
	else
		flap_args__print_ret(&t, &c->ev, fds);
	ok = ASSERT_STREQ(t.oom ? "(oom)" : t.buf, want, what);
	flap_text__release(&t);
	return ok;
}

void test_fidelity_under_root(void)
{
	ASSERT_STREQ(flap_procfs__under_root("/", "/srv/app"), "/srv/app", "host root");
	ASSERT_STREQ(flap_procfs__under_root("/var/m", "/var/m/srv/app"), "/srv/app", "cut");
	ASSERT_STREQ(flap_procfs__under_root("/var/m/", "/var/m/srv"), "/srv", "root with /");
	ASSERT_STREQ(flap_procfs__under_root("/var/m", "/var/m"), "/", "the root itself");
	ASSERT_TRUE(flap_procfs__under_root("/var/m", "/var/mx/a") == NULL, "a sibling");
	ASSERT_TRUE(flap_procfs__under_root("/var/m", "/etc/passwd") == NULL, "outside");
	ASSERT_STREQ(flap_procfs__under_root("/var/m", "pipe:[12]"), "pipe:[12]", "not a path");
}

/* The state of @pid in @t, or NULL. */
static const struct flap_proc_state *proc_of(const struct flap_trace *t, int pid)
{
	size_t i;

	for (i = 0; i < t->nprocs; i++)
		if (t->procs[i].tgid == (__u32)pid)
			return &t->procs[i];
	return NULL;
}

static const struct flap_proc_fd *fd_of(const struct flap_proc_state *p, int fd)
{
	__u32 i;

	for (i = 0; p && i < p->nfds; i++)
		if (p->fds[i].fd == fd)
			return &p->fds[i];
	return NULL;
}

/*
 * A real process: a child in a directory of its own with a file at fd 57
 * (close-on-exec), a pipe at fd 58; what /proc says of it.
 */
void test_fidelity_snapshot(void)
{
	char dir[] = "/tmp/flap-fidelity.XXXXXX", file[PATH_MAX], pipe_name[64];
	const struct flap_proc_state *p;
	const struct flap_proc_fd *e;
	struct flap_trace *t = NULL;
	int go[2], ready[2], fd;
	struct stat st;
	pid_t pid;
	char b;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(file, sizeof(file), "%s/data", dir);
	if (!ASSERT_OK(pipe(go), "pipe") || !ASSERT_OK(pipe(ready), "pipe"))
		return;
	pid = fork();
	if (pid == 0) {
		fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || dup3(fd, 57, O_CLOEXEC) < 0 || dup2(go[0], 58) < 0 || chdir(dir) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	if (!ASSERT_EQ(read(ready[0], &b, 1), 1, "child ready"))
		goto out;
	if (!ASSERT_OK(flap_trace__new(0, &t), "trace"))
		goto out;
	ASSERT_EQ(flap_procfs__snapshot(t, 0, "/proc", NULL, pid), 1, "one process read");
	p = proc_of(t, pid);
	if (!ASSERT_TRUE(p != NULL, "the child's state"))
		goto out;
	ASSERT_STREQ(p->cwd, dir, "its working directory");
	e = fd_of(p, 57);
	ASSERT_TRUE(e && e->name && !strcmp(e->name, file), "fd 57 names the file");
	ASSERT_TRUE(e && e->cloexec, "fd 57 close-on-exec");
	fstat(go[0], &st);
	snprintf(pipe_name, sizeof(pipe_name), "pipe:[%lu]", (unsigned long)st.st_ino);
	e = fd_of(p, 58);
	ASSERT_TRUE(e && e->name && !strcmp(e->name, pipe_name),
		    "fd 58 is the pipe, with its inode");
	ASSERT_TRUE(e && !e->cloexec, "fd 58 inherited across exec");
	ASSERT_TRUE(fd_of(p, 0) != NULL, "fd 0 named");
	ASSERT_EQ(flap_procfs__snapshot(t, 0, "/proc", NULL, 0x7ffffff0), 0, "no such process");
out:
	if (write(go[1], "g", 1) < 0)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	flap_trace__free(t);
	unlink(file);
	rmdir(dir);
}

/* A trace with one source and its registration state: pid 100 in /srv/app. */
static struct flap_trace *seeded_trace(void)
{
	static const struct flap_proc_fd fds[] = {
		{.fd = 0, .name = "/dev/null"},
		{.fd = 1, .name = "pipe:[4242]"},
		{.fd = 2, .name = "/dev/pts/0"},
		{.fd = 5, .name = "/srv/app/config", .cloexec = true},
	};
	struct flap_proc_state p = {.tgid = 100, .cwd = "/srv/app", .fds = fds, .nfds = 4};
	struct flap_trace *t = NULL;

	if (flap_trace__new(1, &t) || flap_trace__add_source(t, NULL) < 0 ||
	    flap_trace__add_proc(t, &p)) {
		flap_trace__free(t);
		return NULL;
	}
	return t;
}

void test_fidelity_seeded_names(void)
{
	struct flap_trace *t = seeded_trace();
	struct flap_fdnames *f = NULL;
	struct cev c;

	if (!ASSERT_TRUE(t != NULL, "trace") || !ASSERT_OK(flap_fdnames__new(&f), "fdnames"))
		goto out;
	ASSERT_OK(flap_fdnames__seed(f, t), "seed");
	cev_init(&c, "openat", 3, 4, U(AT_FDCWD), 0x10, O_RDONLY, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "data/x", 6);
	decodes(&c, f, "openat(AT_FDCWD</srv/app>, \"data/x\", O_RDONLY) = 3</srv/app/data/x>",
		"AT_FDCWD names the directory; relative paths join it");
	cev_init(&c, "write", 5, 3, 1, 0x10, 5, 0);
	decodes(&c, f, "write(1<pipe:[4242]>, 0x10, 5) = 5", "fd 1 from registration");
	cev_init(&c, "read", 0, 3, 5, 0x10, 5, 0);
	decodes(&c, f, "read(5</srv/app/config>, \"\", 5) = 0", "fd 5 from registration");
	/* fork: the child inherits the registration state too */
	cev_init(&c, "clone", 101, 5, SIGCHLD, 0, 0, 0);
	decodes(&c, f, "clone(child_stack=NULL, flags=SIGCHLD) = 101", "fork");
	cev_init(&c, "chdir", 0, 1, 0x10, 0, 0, 0);
	c.ev.tid = c.ev.tgid = 101;
	cap(&c, 0, FLAP_EVCAP_F_STR, "../lib", 6);
	decodes(&c, f, "chdir(\"../lib\") = 0", "chdir relative to the inherited cwd");
	cev_init(&c, "newfstatat", 0, 4, U(AT_FDCWD), 0x10, 0x20, 0);
	c.ev.tid = c.ev.tgid = 101;
	decodes(&c, f, "newfstatat(AT_FDCWD</srv/lib>, 0x10, 0x20, 0) = 0", "the child's cwd");
	ASSERT_STREQ(flap_fdnames__cwd(f, 100), "/srv/app", "the parent's cwd unchanged");
	/* exec drops the close-on-exec fd 5 */
	cev_init(&c, "execve", 0, 3, 0x10, 0x20, 0x30, 0);
	c.ev.tid = c.ev.tgid = 101;
	decodes(&c, f, "execve(0x10, 0x20, 0x30) = 0", "exec");
	ASSERT_TRUE(flap_fdnames__get(f, 101, 5) == NULL, "close-on-exec fd gone at exec");
	ASSERT_STREQ(flap_fdnames__get(f, 101, 2), "/dev/pts/0", "fd 2 kept across exec");
	flap_fdnames__free(f);
	f = NULL;

	/* A history that lost its start: the state may be stale, no names. */
	t->sources[0].counts.overwritten = 1;
	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames"))
		goto out;
	ASSERT_OK(flap_fdnames__seed(f, t), "seed");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 1) == NULL, "not applied after an overwrite");
	ASSERT_TRUE(flap_fdnames__cwd(f, 100) == NULL, "no cwd either");
out:
	flap_fdnames__free(f);
	flap_trace__free(t);
}

/* Aliases name what opens and chdir name: strace's resolved paths. */
void test_fidelity_aliases(void)
{
	struct flap_trace *t = seeded_trace();
	struct flap_fdnames *f = NULL;
	char *path;
	struct cev c;

	if (!ASSERT_TRUE(t != NULL, "trace") || !ASSERT_OK(flap_fdnames__new(&f), "fdnames"))
		goto out;
	ASSERT_OK(flap_trace__add_path(t, 0, "/lib/x86_64-linux-gnu/libc.so.6",
				       "/usr/lib/x86_64-linux-gnu/libc.so.6"),
		  "alias");
	ASSERT_OK(flap_trace__add_path(t, 0, "/srv/app/current", "/srv/app/releases/7"), "alias");
	ASSERT_OK(flap_trace__add_path(t, 1, "/etc/x", "/etc/y"), "another source's");
	ASSERT_OK(flap_fdnames__seed(f, t), "seed");
	cev_init(&c, "openat", 3, 4, U(AT_FDCWD), 0x10, O_RDONLY | O_CLOEXEC, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "/lib/x86_64-linux-gnu/libc.so.6", 31);
	path = flap_fdnames__open_path(f, &c.ev);
	ASSERT_STREQ(path, "/usr/lib/x86_64-linux-gnu/libc.so.6", "open_path: the alias");
	free(path);
	decodes(&c, f,
		"openat(AT_FDCWD</srv/app>, \"/lib/x86_64-linux-gnu/libc.so.6\", "
		"O_RDONLY|O_CLOEXEC) "
		"= 3</usr/lib/x86_64-linux-gnu/libc.so.6>",
		"the new fd has the resolved name");
	cev_init(&c, "chdir", 0, 1, 0x10, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "current", 7);
	decodes(&c, f, "chdir(\"current\") = 0", "chdir");
	ASSERT_STREQ(flap_fdnames__cwd(f, 100), "/srv/app/releases/7", "the cwd resolved");
	cev_init(&c, "openat", 4, 4, U(AT_FDCWD), 0x10, O_RDONLY, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "/etc/x", 6);
	decodes(&c, f, "openat(AT_FDCWD</srv/app/releases/7>, \"/etc/x\", O_RDONLY) = 4</etc/x>",
		"an alias of another source does not apply");
out:
	flap_fdnames__free(f);
	flap_trace__free(t);
}

/* The alias of @path in source @src of @t, or NULL. */
static const char *alias_in(const struct flap_trace *t, int src, const char *path)
{
	size_t i;

	for (i = 0; i < t->npaths; i++)
		if (t->paths[i].source == src && !strcmp(t->paths[i].path, path))
			return t->paths[i].resolved;
	return NULL;
}

/* An event of @t: @name with the path @path in argument @arg (a dirfd before it). */
static void push_path(struct flap_trace *t, const char *name, __s64 ret, const char *path)
{
	struct flap_event *ev = flap_trace__push(t);
	struct cev c;
	int arg = strcmp(name, "openat") ? 0 : 1;

	cev_init(&c, name, ret, 4, arg ? U(AT_FDCWD) : 0x10, 0x10, O_RDONLY, 0);
	cap(&c, arg, FLAP_EVCAP_F_STR, path, strlen(path));
	c.ev.caps[0].data = flap_trace__copy_bytes(t, path, strlen(path));
	c.ev.tid = c.ev.tgid = getpid();
	*ev = c.ev;
}

/*
 * Paths resolved in a real root (ours): through a symbolic link, a file
 * gone since through its directory, /proc left alone, a relative open after
 * a chdir through the link joined with the resolved directory.
 */
void test_fidelity_resolve(void)
{
	char dir[] = "/tmp/flap-resolve.XXXXXX", p[3][PATH_MAX], want[PATH_MAX];
	struct flap_procfs_root r = {.fd = -1};
	struct flap_trace *t = NULL;
	int fd;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "mkdtemp"))
		return;
	snprintf(p[0], sizeof(p[0]), "%s/real", dir);
	snprintf(p[1], sizeof(p[1]), "%s/link", dir);
	snprintf(p[2], sizeof(p[2]), "%s/real/f", dir);
	if (!ASSERT_OK(mkdir(p[0], 0700), "mkdir") || !ASSERT_OK(symlink("real", p[1]), "symlink"))
		goto out;
	fd = open(p[2], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	/* As a traced process's opens would have: walk through the link a
	 * clock tick after it was made. The resolver walks the dentry cache
	 * only, which cannot update a link's atime: a link whose atime is not
	 * past its ctime (relatime) is not followed from the cache. */
	nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	snprintf(want, sizeof(want), "%s/link/f", dir);
	fd = open(want, O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open through the link"))
		goto out;
	close(fd);
	if (!ASSERT_OK(flap_trace__new(1, &t), "trace") ||
	    !ASSERT_GE(flap_trace__add_source(t, NULL), 0, "source"))
		goto out;
	snprintf(want, sizeof(want), "%s/link/f", dir);
	push_path(t, "openat", 3, want);
	snprintf(want, sizeof(want), "%s/link/gone", dir);
	push_path(t, "openat", 4, want);
	push_path(t, "openat", 5, "/proc/self/status");
	snprintf(want, sizeof(want), "%s/link", dir);
	push_path(t, "chdir", 0, want);
	push_path(t, "openat", 6, "f");
	push_path(t, "openat", 7, "/etc/../etc/hostname");
	if (!ASSERT_OK(flap_procfs__open_root("/proc", NULL, getpid(), false, &r), "our root"))
		goto out;
	ASSERT_STREQ(r.path, "/", "our root is /");
	ASSERT_EQ(flap_procfs__resolve_paths(t, &r, 1), 3, "three aliases");
	snprintf(want, sizeof(want), "%s/link/f", dir);
	ASSERT_STREQ(alias_in(t, 0, want), p[2], "through the link");
	snprintf(want, sizeof(want), "%s/link/gone", dir);
	snprintf(p[1], sizeof(p[1]), "%s/real/gone", dir);
	ASSERT_STREQ(alias_in(t, 0, want), p[1], "a file gone: through its directory");
	ASSERT_TRUE(alias_in(t, 0, "/proc/self/status") == NULL, "/proc left alone");
	snprintf(want, sizeof(want), "%s/link", dir);
	ASSERT_STREQ(alias_in(t, 0, want), p[0], "chdir through the link");
	ASSERT_TRUE(alias_in(t, 0, p[2]) == NULL, "the relative open joined the resolved cwd");
	ASSERT_TRUE(alias_in(t, 0, "/etc/hostname") == NULL, "a path that resolves to itself");
out:
	if (r.fd >= 0)
		close(r.fd);
	flap_trace__free(t);
	unlink(p[2]);
	snprintf(want, sizeof(want), "%s/link", dir);
	unlink(want);
	rmdir(p[0]);
	rmdir(dir);
}

/* Merges renumber the sources of the states; keep_last drops them. */
void test_fidelity_procs_merge(void)
{
	struct flap_trace *a = seeded_trace(), *b = seeded_trace();

	if (!ASSERT_TRUE(a && b, "traces"))
		goto out;
	if (!ASSERT_OK(flap_trace__merge(a, b), "merge"))
		goto out;
	ASSERT_EQ(a->nprocs, 2, "both states");
	ASSERT_EQ(a->procs[1].source, 1, "renumbered");
	ASSERT_STREQ(a->procs[1].fds[3].name, "/srv/app/config", "copied");
	ASSERT_TRUE(flap_trace__procs_apply(a, 1), "complete history");
	flap_trace__push(a);
	flap_trace__push(a);
	flap_trace__keep_last(a, 1);
	ASSERT_EQ(a->nprocs, 0, "a cut history has no registration state");
out:
	flap_trace__free(a);
	flap_trace__free(b);
}

/* The state goes through a dump file unchanged. */
void test_fidelity_procs_dump(void)
{
	struct flap_trace *t = seeded_trace(), *r = NULL;
	const struct flap_proc_state *p;
	struct flap_dump_meta m;
	char err[256] = "";
	int fd = -1;

	if (!ASSERT_TRUE(t != NULL, "trace"))
		return;
	flap_dump_meta__init(&m, "t");
	if (!ASSERT_OK(flap_trace__add_path(t, 0, "/lib/a", "/usr/lib/a"), "alias"))
		goto out;
	fd = memfd_create("fidelity", MFD_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "memfd") || !ASSERT_OK(flap_dump__write(fd, &m, t), "write"))
		goto out;
	lseek(fd, 0, SEEK_SET);
	if (!ASSERT_OK(flap_dump__read(fd, &m, &r, err, sizeof(err)), err))
		goto out;
	if (!ASSERT_EQ(r->nprocs, 1, "one state read back"))
		goto out;
	p = &r->procs[0];
	ASSERT_EQ(p->tgid, 100, "tgid");
	ASSERT_EQ(p->source, 0, "source");
	ASSERT_STREQ(p->cwd, "/srv/app", "cwd");
	if (ASSERT_EQ(p->nfds, 4, "fds")) {
		ASSERT_EQ(p->fds[3].fd, 5, "fd number");
		ASSERT_STREQ(p->fds[3].name, "/srv/app/config", "fd name");
		ASSERT_TRUE(p->fds[3].cloexec, "cloexec");
		ASSERT_FALSE(p->fds[1].cloexec, "not cloexec");
	}
	if (ASSERT_EQ(r->npaths, 1, "the alias read back")) {
		ASSERT_STREQ(r->paths[0].path, "/lib/a", "alias path");
		ASSERT_STREQ(r->paths[0].resolved, "/usr/lib/a", "alias resolved");
	}
out:
	if (fd >= 0)
		close(fd);
	flap_trace__free(r);
	flap_trace__free(t);
}

/* A read that returned 0 filled nothing: "" as strace, not the pointer. */
void test_fidelity_read_eof(void)
{
	struct cev c;

	cev_init(&c, "read", 0, 3, 3, 0x10, 4096, 0);
	decodes(&c, NULL, "read(3, \"\", 4096) = 0", "end of file");
	cev_init(&c, "pread64", 0, 4, 3, 0x10, 4096, 100);
	decodes(&c, NULL, "pread64(3, \"\", 4096, 100) = 0", "pread64 at the end");
	cev_init(&c, "recvfrom", 0, 6, 3, 0x10, 64, 0);
	decodes(&c, NULL, "recvfrom(3, \"\", 64, 0, NULL, NULL) = 0", "recvfrom of a closed peer");
	cev_init(&c, "read", -EAGAIN, 3, 3, 0x10, 4096, 0);
	decodes(&c, NULL, "read(3, 0x10, 4096) = -11", "a failed read shows the pointer");
	cev_init(&c, "write", 0, 3, 3, 0x10, 0, 0);
	decodes(&c, NULL, "write(3, \"\", 0) = 0", "an empty input buffer");
	cev_init(&c, "write", 5, 3, 3, 0x10, 5, 0);
	c.ev.flags |= FLAP_EV_F_CAPS_DROPPED;
	decodes(&c, NULL, "write(3, 0x10, 5) = 5", "a buffer not captured stays a pointer");
}

/* Sockets and pipes by inode, as strace -y: socket:[N], pipe:[N]. */
void test_fidelity_inodes(void)
{
	struct {
		int fds[2];
		__u64 ino[2];
	} pair = {{5, 6}, {77, 77}}, sp = {{7, 8}, {90, 91}};
	struct flap_fdnames *f = NULL;
	__u64 ino = 4242;
	struct cev c;

	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames"))
		return;
	cev_init(&c, "pipe2", 0, 2, 0x10, O_CLOEXEC, 0, 0);
	cap(&c, 0, 0, &pair, sizeof(pair));
	decodes(&c, f, "pipe2([5<pipe:[77]>, 6<pipe:[77]>], O_CLOEXEC) = 0", "pipe by inode");
	cev_init(&c, "socketpair", 0, 4, AF_UNIX, SOCK_STREAM, 0, 0x10);
	cap(&c, 3, 0, &sp, sizeof(sp));
	decodes(&c, f, "socketpair(AF_UNIX, SOCK_STREAM, 0, [7<socket:[90]>, 8<socket:[91]>]) = 0",
		"socketpair by inode");
	cev_init(&c, "socket", 3, 3, AF_INET, SOCK_STREAM, 0, 0);
	cap(&c, 0, 0, &ino, sizeof(ino));
	decodes(&c, f, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<socket:[4242]>",
		"socket by inode");
	ino = 4343;
	cev_init(&c, "accept", 4, 3, 3, 0, 0, 0);
	cap(&c, 0, 0, &ino, sizeof(ino));
	decodes(&c, f, "accept(3<socket:[4242]>, NULL, NULL) = 4<socket:[4343]>",
		"accept: the new socket's inode");
	cev_init(&c, "write", 1, 3, 6, 0x10, 1, 0);
	decodes(&c, f, "write(6<pipe:[77]>, 0x10, 1) = 1", "named after");
	cev_init(&c, "accept", 9, 3, 0, 0, 0, 0);
	cap(&c, 0, 0, &ino, sizeof(ino));
	decodes(&c, f, "accept(0, NULL, NULL) = 9<socket:[4343]>", "fd 0 listens: still captured");
	/* Older dumps: no inode, the kind. */
	cev_init(&c, "accept", 10, 3, 3, 0, 0, 0);
	decodes(&c, f, "accept(3<socket:[4242]>, NULL, NULL) = 10<socket:[4242]>",
		"no inode: the listener's name");
	cev_init(&c, "socket", 11, 3, AF_UNIX, SOCK_DGRAM, 0, 0);
	decodes(&c, f, "socket(AF_UNIX, SOCK_DGRAM, 0) = 11<UNIX-DGRAM>", "no inode: the kind");
	flap_fdnames__free(f);
}

/* getdents64: the number of entries, as strace. */
void test_fidelity_dirents(void)
{
	__u32 n = 149;
	struct cev c;

	cev_init(&c, "getdents64", 4856, 3, 3, 0x55d0c8e5f2c0ULL, 32768, 0);
	cap(&c, 1, 0, &n, sizeof(n));
	decodes(&c, NULL, "getdents64(3, 0x55d0c8e5f2c0 /* 149 entries */, 32768) = 4856", "count");
	cev_init(&c, "getdents64", 0, 3, 3, 0x55d0c8e5f2c0ULL, 32768, 0);
	decodes(&c, NULL, "getdents64(3, 0x55d0c8e5f2c0 /* 0 entries */, 32768) = 0", "the end");
	cev_init(&c, "getdents64", -EBADF, 3, 3, 0x55d0c8e5f2c0ULL, 32768, 0);
	decodes(&c, NULL, "getdents64(3, 0x55d0c8e5f2c0, 32768) = -9", "failed: the address");
	cev_init(&c, "getdents64", 60000, 3, 3, 0x1000, 65536, 0);
	n = FLAP_DIRENTS_MAX;
	cap(&c, 1, FLAP_EVCAP_F_TRUNC, &n, sizeof(n));
	decodes(&c, NULL, "getdents64(3, 0x1000 /* 2048+ entries */, 65536) = 60000",
		"past the bound");
	cev_init(&c, "getdents64", 4856, 3, 3, 0x1000, 32768, 0);
	decodes(&c, NULL, "getdents64(3, 0x1000, 32768) = 4856", "not captured: the address");
}

/* The smaller structures strace decodes (row "structures" of issue 18). */
void test_fidelity_structs(void)
{
	struct {
		__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} ca = {.flags = CLONE_VM | CLONE_PARENT_SETTID, .parent_tid = 0x7f00, .stack = 0x1000};
	__s64 ts[4] = {1764678794, 152072576, 0, UTIME_NOW};
	__u32 gids[3] = {0, 4, 27};
	__u64 mask = 0x3;
	int one = 1;
	struct cev c;

	setenv("TZ", "UTC", 1);
	tzset();
	cev_init(&c, "clone3", 4321, 2, 0x10, 88, 0, 0);
	cap(&c, 0, 0, &ca, sizeof(ca));
	decodes(&c, NULL,
		"clone3({flags=CLONE_VM|CLONE_PARENT_SETTID, parent_tid=0x7f00, exit_signal=0, "
		"stack=0x1000, stack_size=0} => {parent_tid=[4321]}, 88) = 4321",
		"clone3: what it wrote back");
	cev_init(&c, "clone3", 0, 2, 0x10, 88, 0, 0);
	cap(&c, 0, 0, &ca, sizeof(ca));
	decodes(&c, NULL,
		"clone3({flags=CLONE_VM|CLONE_PARENT_SETTID, parent_tid=0x7f00, exit_signal=0, "
		"stack=0x1000, stack_size=0}, 88) = 0",
		"clone3 in the child: nothing written");
	cev_init(&c, "sched_getaffinity", 8, 3, 0, 128, 0x10, 0);
	cap(&c, 2, 0, &mask, sizeof(mask));
	decodes(&c, NULL, "sched_getaffinity(0, 128, [0 1]) = 8", "cpu mask");
	cev_init(&c, "setsockopt", 0, 5, 3, SOL_SOCKET, SO_REUSEADDR, 0x10);
	c.ev.args[4] = 4;
	cap(&c, 3, 0, &one, sizeof(one));
	decodes(&c, NULL, "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", "int option");
	cev_init(&c, "getgroups", 0, 2, 0, 0, 0, 0);
	decodes(&c, NULL, "getgroups(0, NULL) = 0", "no groups, size 0: the address (strace)");
	cev_init(&c, "getgroups", 0, 2, 4, 0x10, 0, 0);
	decodes(&c, NULL, "getgroups(4, []) = 0", "no groups");
	cev_init(&c, "getgroups", 3, 2, 3, 0x10, 0, 0);
	cap(&c, 1, 0, gids, sizeof(gids));
	decodes(&c, NULL, "getgroups(3, [0, 4, 27]) = 3", "groups");
	cev_init(&c, "getgroups", 3, 2, 0, 0, 0, 0);
	decodes(&c, NULL, "getgroups(0, NULL) = 3", "the count only");
	cev_init(&c, "utimensat", 0, 4, 4, 0, 0x10, 0);
	cap(&c, 2, 0, ts, sizeof(ts));
	decodes(&c, NULL,
		"utimensat(4, NULL, [{tv_sec=1764678794, tv_nsec=152072576} "
		"/* 2025-12-02T12:33:14.152072576+0000 */, {tv_sec=0, tv_nsec=UTIME_NOW}], 0) = 0",
		"utimensat's two times");
	cev_init(&c, "ioctl", 0, 3, 3, FIOCLEX, 0, 0);
	decodes(&c, NULL, "ioctl(3, FIOCLEX) = 0", "FIOCLEX has no argument");
}

/* A thread in a call when another thread ends the process: "= ?" as strace. */
void test_fidelity_ended_call(void)
{
	const struct flap_syscall *futex = flap_syscall__by_name("futex"),
				  *exit_group = flap_syscall__by_name("exit_group");
	struct flap_format_opts o = {.no_header = true};
	struct flap_trace *t = NULL;
	struct flap_event *ev;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!ASSERT_OK(flap_trace__new(1, &t), "trace") ||
	    !ASSERT_GE(flap_trace__add_source(t, NULL), 0, "source"))
		goto out;
	/* thread 101 waits; thread 100 ends the process */
	ev = flap_trace__push(t);
	*ev = (struct flap_event){.ts = 1000,
				  .exit_ts = 5000,
				  .dur_ns = 4000,
				  .ret = -512,
				  .tid = 101,
				  .tgid = 100,
				  .nr = futex->nr,
				  .nargs = 6,
				  .flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR |
					   FLAP_EV_F_HAS_ENTER};
	ev->args[1] = 0x80; /* FUTEX_WAIT_PRIVATE */
	ev = flap_trace__push(t);
	*ev = (struct flap_event){.ts = 2000,
				  .tid = 100,
				  .tgid = 100,
				  .nr = exit_group->nr,
				  .nargs = 1,
				  .flags = FLAP_EV_F_NORETURN | FLAP_EV_F_HAS_ENTER};
	f = open_memstream(&buf, &len);
	if (!ASSERT_OK_PTR(f, "memstream"))
		goto out;
	ASSERT_OK(flap_format__trace(f, NULL, t, &o), "format");
	fclose(f);
	if (test__verbose())
		fprintf(stderr, "%s", buf);
	ASSERT_TRUE(buf && strstr(buf, "futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL) = ?\n"),
		    "the waiting thread's call: = ?");
	ASSERT_TRUE(buf && !strstr(buf, "ERESTARTSYS"), "no errno the thread never saw");
	free(buf);
	buf = NULL;
	/* Without the process's end the errno stays (the call is restarted). */
	t->events[1].nr = flap_syscall__by_name("getpid")->nr;
	f = open_memstream(&buf, &len);
	if (!ASSERT_OK_PTR(f, "memstream"))
		goto out;
	ASSERT_OK(flap_format__trace(f, NULL, t, &o), "format");
	fclose(f);
	ASSERT_TRUE(buf && strstr(buf, "= ? ERESTARTSYS"), "a restart shows its errno");
out:
	free(buf);
	flap_trace__free(t);
}

/* An event of tgid/tid @pid for the tests below. */
static struct flap_event *push_call(struct flap_trace *t, const char *name, __s64 ret, __u32 pid,
				    __u64 a0, __u64 a1, __u64 a2)
{
	struct flap_event *ev = flap_trace__push(t);

	if (!ev)
		return NULL;
	ev->nr = flap_syscall__by_name(name)->nr;
	ev->tid = ev->tgid = pid;
	ev->ret = ret;
	ev->nargs = 3;
	ev->args[0] = a0;
	ev->args[1] = a1;
	ev->args[2] = a2;
	ev->flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_ENTER;
	return ev;
}

/*
 * A history that lost its start: what the processes held at the dump names
 * what no call of the history changes, nothing else.
 */
void test_fidelity_dump_state(void)
{
	static const struct flap_proc_fd reg_fds[] = {{.fd = 1, .name = "/registration/out"}};
	static const struct flap_proc_fd fds[] = {
		{.fd = 1, .name = "/log/out"},	 {.fd = 3, .name = "/etc/a"},
		{.fd = 4, .name = "/etc/b"},	 {.fd = 15, .name = "/etc/in-range"},
		{.fd = 9, .name = "socket:[7]"},
	};
	struct flap_proc_state reg = {.tgid = 100, .cwd = "/old", .fds = reg_fds, .nfds = 1};
	struct flap_proc_state end = {
		.tgid = 100, .at_dump = true, .cwd = "/srv", .fds = fds, .nfds = 5};
	struct flap_proc_state other = {.tgid = 200, .at_dump = true, .fds = fds, .nfds = 5};
	struct flap_trace *t = NULL;
	struct flap_fdnames *f = NULL;
	struct flap_event *ev;

	if (!ASSERT_OK(flap_trace__new(1, &t), "trace") ||
	    !ASSERT_GE(flap_trace__add_source(t, NULL), 0, "source") ||
	    !ASSERT_OK(flap_trace__add_proc(t, &reg), "registration") ||
	    !ASSERT_OK(flap_trace__add_proc(t, &end), "at dump") ||
	    !ASSERT_OK(flap_trace__add_proc(t, &other), "at dump"))
		goto out;
	t->sources[0].counts.overwritten = 1000;
	push_call(t, "close", 0, 100, 3, 0, 0);
	ev = push_call(t, "openat", 3, 100, (__u64)AT_FDCWD, 0x10, 0);
	ev->ncaps = 1;
	ev->caps[0] = (struct flap_cap){.arg = 1, .flags = FLAP_EVCAP_F_STR, .len = 6};
	ev->caps[0].data = flap_trace__copy_bytes(t, "/etc/a", 6);
	push_call(t, "close_range", 0, 100, 10, 20, 0);
	/* process 200 makes a pipe whose numbers were not captured */
	push_call(t, "pipe2", 0, 200, 0x10, 0, 0);
	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames") ||
	    !ASSERT_OK(flap_fdnames__seed(f, t), "seed"))
		goto out;
	ASSERT_STREQ(flap_fdnames__get(f, 100, 1), "/log/out", "untouched: named by the dump");
	ASSERT_STREQ(flap_fdnames__get(f, 100, 4), "/etc/b", "untouched");
	ASSERT_STREQ(flap_fdnames__get(f, 100, 9), "socket:[7]", "untouched socket");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 3) == NULL, "closed in the history: not named");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 15) == NULL, "in a range closed: not named");
	ASSERT_STREQ(flap_fdnames__cwd(f, 100), "/srv", "the cwd no call changed");
	ASSERT_TRUE(flap_fdnames__get(f, 200, 4) == NULL, "a pipe of unknown numbers: none");
	flap_fdnames__free(f);
	f = NULL;

	/* chdir, exit_group: the cwd and the whole process are out */
	push_call(t, "chdir", 0, 100, 0x10, 0, 0);
	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames") ||
	    !ASSERT_OK(flap_fdnames__seed(f, t), "seed"))
		goto out;
	ASSERT_TRUE(flap_fdnames__cwd(f, 100) == NULL, "chdir in the history: no cwd");
	ASSERT_STREQ(flap_fdnames__get(f, 100, 4), "/etc/b", "its fds still");
	flap_fdnames__free(f);
	f = NULL;
	push_call(t, "exit_group", 0, 100, 0, 0, 0)->flags = FLAP_EV_F_NORETURN;
	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames") ||
	    !ASSERT_OK(flap_fdnames__seed(f, t), "seed"))
		goto out;
	ASSERT_TRUE(flap_fdnames__get(f, 100, 4) == NULL, "the process ended: its tgid reused");
	flap_fdnames__free(f);
	f = NULL;

	/* events lost in the middle: nothing can be said */
	t->nevents = 1;
	t->sources[0].counts.lost = 1;
	if (!ASSERT_OK(flap_fdnames__new(&f), "fdnames") ||
	    !ASSERT_OK(flap_fdnames__seed(f, t), "seed"))
		goto out;
	ASSERT_TRUE(flap_fdnames__get(f, 100, 4) == NULL, "lost events: no dump state");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 1) == NULL, "nor registration state");
out:
	flap_fdnames__free(f);
	flap_trace__free(t);
}
