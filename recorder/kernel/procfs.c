// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * procfs.c - a cgroup's processes at registration, from /proc (see
 * procfs.h): /proc/PID/cwd, /proc/PID/fd/N (the kernel's name for each
 * descriptor: a path, "socket:[93904]", "pipe:[12]", "anon_inode:[...]")
 * with the close-on-exec flag from /proc/PID/fdinfo/N, and /proc/PID/root
 * to make paths relative to the process's own root. The links name paths
 * as the reader's root sees them, so a process in a container with its own
 * root reads "/var/lib/.../merged/srv/app" until the root is cut off.
 *
 * At dump time the same root resolves the paths the history names
 * (flap_procfs__resolve_paths()), the way strace -y shows them: the kernel's
 * name of the opened file, symbolic links followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "fdnames.h"
#include "procfs.h"
#include "util.h"

const char *flap_procfs__under_root(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (path[0] != '/' || !strcmp(root, "/"))
		return path;
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n))
		return NULL;
	if (path[n] == '\0')
		return "/";
	return path[n] == '/' ? path + n : NULL;
}

/* The target of link @path into @buf. Return: 0 or negative errno. */
static int read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Was descriptor @fd of the process at @dir (/proc/PID) opened close-on-exec? */
static bool fd_cloexec(const char *dir, int fd)
{
	unsigned int flags = 0;
	char path[PATH_MAX], line[128];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fdinfo/%d", dir, fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "flags: %o", &flags) == 1;
	fclose(f);
	return found && (flags & O_CLOEXEC);
}

static void free_fds(struct flap_proc_fd *fds, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		free((char *)fds[i].name);
	free(fds);
}

/*
 * The descriptors of the process at @dir whose root is @root, at most
 * @room of them, into *@out (the caller frees with free_fds()).
 * Return: how many, or negative errno.
 */
static int read_fds(const char *dir, const char *root, int room, struct flap_proc_fd **out)
{
	char path[PATH_MAX], target[PATH_MAX], *end;
	struct flap_proc_fd *fds;
	const char *name;
	struct dirent *de;
	int n = 0;
	long fd;
	DIR *d;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/fd", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	fds = calloc(room > 0 ? room : 1, sizeof(*fds));
	if (!fds) {
		closedir(d);
		return -ENOMEM;
	}
	while (n < room && (de = readdir(d))) {
		fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < 0 || fd > INT_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/fd/%ld", dir, fd);
		if (read_link(path, target, sizeof(target)))
			continue;
		name = flap_procfs__under_root(root, target);
		if (!name)
			continue;
		fds[n].name = strdup(name);
		if (!fds[n].name) {
			free_fds(fds, n);
			closedir(d);
			return -ENOMEM;
		}
		fds[n].fd = (__s32)fd;
		fds[n].cloexec = fd_cloexec(dir, (int)fd);
		n++;
	}
	closedir(d);
	*out = fds;
	return n;
}

/* One process into @t. Return: descriptors read (>= 0), -ESRCH (gone), -ENOMEM. */
static int snap_one(struct flap_trace *t, int source, const char *proc_dir, int pid, int room)
{
	char dir[256], path[PATH_MAX], root[PATH_MAX], cwd[PATH_MAX];
	struct flap_proc_state ps = {.tgid = (__u32)pid, .source = (__u16)source};
	struct flap_proc_fd *fds = NULL;
	int n, err;

	snprintf(dir, sizeof(dir), "%s/%d", proc_dir, pid);
	snprintf(path, sizeof(path), "%s/root", dir);
	if (read_link(path, root, sizeof(root)))
		return -ESRCH;
	snprintf(path, sizeof(path), "%s/cwd", dir);
	if (!read_link(path, cwd, sizeof(cwd)))
		ps.cwd = flap_procfs__under_root(root, cwd);
	n = read_fds(dir, root, room, &fds);
	if (n == -ENOMEM)
		return n;
	if (n > 0) {
		ps.fds = fds;
		ps.nfds = n;
	}
	err = flap_trace__add_proc(t, &ps);
	free_fds(fds, n > 0 ? n : 0);
	return err ? err : (n > 0 ? n : 0);
}

/* The pids of @cgroup_path/cgroup.procs, at most @max. Return: how many. */
static int read_procs(const char *cgroup_path, int *pids, int max)
{
	char path[PATH_MAX];
	int n = 0, pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_path);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (n < max && fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			pids[n++] = pid;
	fclose(f);
	return n;
}

int flap_procfs__snapshot(struct flap_trace *t, int source, const char *proc_dir,
			  const char *cgroup_path, int pid)
{
	int pids[FLAP_PROCFS_MAX_PROCS], n = 0, i, done = 0, room = FLAP_PROCFS_MAX_FDS, rc;

	if (pid > 0)
		pids[n++] = pid;
	if (cgroup_path)
		n += read_procs(cgroup_path, pids + n, FLAP_PROCFS_MAX_PROCS - n);
	for (i = 0; i < n; i++) {
		if (i && pids[i] == pid)
			continue;
		rc = snap_one(t, source, proc_dir, pids[i], room);
		if (rc == -ENOMEM)
			return rc;
		if (rc >= 0) {
			room -= rc;
			done++;
		}
	}
	return done;
}

bool flap_procfs__host_root(const char *proc_dir, int pid)
{
	char path[PATH_MAX], theirs[128], ours[128], root[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/root", proc_dir, pid);
	if (read_link(path, root, sizeof(root)) || strcmp(root, "/"))
		return false;
	snprintf(path, sizeof(path), "%s/%d/ns/mnt", proc_dir, pid);
	if (read_link(path, theirs, sizeof(theirs)))
		return false;
	snprintf(path, sizeof(path), "%s/self/ns/mnt", proc_dir);
	return !read_link(path, ours, sizeof(ours)) && !strcmp(theirs, ours);
}

/* Opens the root of @pid into @r. Return: 0 or negative errno. */
static int open_root_of(const char *proc_dir, int pid, struct flap_procfs_root *r)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/root", proc_dir, pid);
	if (read_link(path, r->path, sizeof(r->path)))
		return -ESRCH;
	r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

int flap_procfs__open_root(const char *proc_dir, const char *cgroup_path, int pid, bool host_root,
			   struct flap_procfs_root *r)
{
	int pids[FLAP_PROCFS_MAX_PROCS], n = 0, i;

	r->fd = -1;
	if (cgroup_path)
		n = read_procs(cgroup_path, pids, FLAP_PROCFS_MAX_PROCS - 1);
	if (pid > 0)
		pids[n++] = pid;
	for (i = 0; i < n; i++)
		if (!open_root_of(proc_dir, pids[i], r))
			return 0;
	if (!host_root)
		return -ENOENT;
	strcpy(r->path, "/");
	r->fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return r->fd < 0 ? -ENOENT : 0;
}

/* Paths whose resolution here would name our process, not theirs. */
static bool own_path(const char *path)
{
	return !strncmp(path, "/proc/", 6) || !strcmp(path, "/proc") ||
	       !strncmp(path, "/dev/fd/", 8) || !strncmp(path, "/dev/std", 8);
}

/*
 * @path (absolute) as the kernel resolves it in @r: a new string, or NULL
 * when it cannot be resolved. A missing last component keeps its name.
 */
static char *resolve_in(const struct flap_procfs_root *r, const char *path, int depth)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_CACHED};
	char link[64], target[PATH_MAX], *dir, *s, *slash;
	bool own = !strcmp(r->path, "/");
	const char *name;
	int fd;

	/*
	 * From the dentry cache only: a lookup that would ask the file system
	 * (a FUSE server that never answers) must not hold the daemon. Before
	 * 5.12 there is no RESOLVE_CACHED: then only in our own root, where the
	 * mounts are the host's.
	 */
	fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
	if (fd < 0 && errno == EINVAL && own) {
		how.resolve = RESOLVE_IN_ROOT;
		fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
	}
	/* No openat2 (valgrind): our own root needs no confinement. */
	if (fd < 0 && errno == ENOSYS && own)
		fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if ((errno != ENOENT && errno != EAGAIN) || depth > 0)
			return NULL;
		/* gone since (a temporary file), or not in the cache: its
		 * directory resolves */
		slash = strrchr(path, '/');
		if (!slash || slash == path)
			return NULL;
		dir = strndup(path, slash - path);
		s = dir ? resolve_in(r, dir, depth + 1) : NULL;
		free(dir);
		if (!s)
			return NULL;
		if (asprintf(&dir, "%s%s", strcmp(s, "/") ? s : "", slash) < 0)
			dir = NULL;
		free(s);
		return dir;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (read_link(link, target, sizeof(target))) {
		close(fd);
		return NULL;
	}
	close(fd);
	name = flap_procfs__under_root(r->path, target);
	return name ? strdup(name) : NULL;
}

/* What a resolve pass knows: the roots, and every path it resolved. */
struct resolver {
	struct flap_trace *t;
	const struct flap_procfs_root *roots;
	int nroots;
	struct seen {
		char *path; /* NULL: free slot */
		char *resolved;
		__u16 source;
	} * seen;
	size_t nseen, cap;
	int added;
	bool oom;
};

static size_t seen_hash(__u16 source, const char *path)
{
	size_t h = 2166136261u ^ source;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return h;
}

static struct seen *seen_slot(struct seen *tab, size_t cap, __u16 source, const char *path)
{
	size_t i = seen_hash(source, path) & (cap - 1);

	while (tab[i].path && (tab[i].source != source || strcmp(tab[i].path, path)))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* The slot of @path in the resolver, grown as needed. Return: NULL on -ENOMEM. */
static struct seen *seen_get(struct resolver *rs, __u16 source, const char *path)
{
	struct seen *tab;
	size_t cap, i;

	if ((rs->nseen + 1) * 2 > rs->cap) {
		cap = rs->cap ? rs->cap * 2 : 256;
		tab = calloc(cap, sizeof(*tab));
		if (!tab)
			return NULL;
		for (i = 0; i < rs->cap; i++)
			if (rs->seen[i].path)
				*seen_slot(tab, cap, rs->seen[i].source, rs->seen[i].path) =
					rs->seen[i];
		free(rs->seen);
		rs->seen = tab;
		rs->cap = cap;
	}
	return seen_slot(rs->seen, rs->cap, source, path);
}

/* The fdnames resolver: @path (owned) of @source as the kernel names it. */
static char *resolve_cb(void *ctx, __u16 source, char *path)
{
	struct resolver *rs = ctx;
	struct seen *e;
	char *s;

	if (source >= rs->nroots || rs->roots[source].fd < 0 || own_path(path) ||
	    rs->nseen >= FLAP_PROCFS_MAX_RESOLVE)
		return path;
	e = seen_get(rs, source, path);
	if (!e) {
		rs->oom = true;
		return path;
	}
	if (!e->path) {
		e->path = strdup(path);
		if (!e->path) {
			rs->oom = true;
			return path;
		}
		e->source = source;
		rs->nseen++;
		e->resolved = resolve_in(&rs->roots[source], path, 0);
		if (e->resolved && !strcmp(e->resolved, path))
			zfree(&e->resolved);
		if (e->resolved) {
			if (flap_trace__add_path(rs->t, source, path, e->resolved))
				rs->oom = true;
			else
				rs->added++;
		}
	}
	if (!e->resolved)
		return path;
	s = strdup(e->resolved);
	if (!s)
		return path;
	free(path);
	return s;
}

int flap_procfs__resolve_paths(struct flap_trace *t, const struct flap_procfs_root *roots,
			       int nroots)
{
	struct resolver rs = {.t = t, .roots = roots, .nroots = nroots};
	struct flap_fdnames *f = NULL;
	size_t i;
	int err;

	err = flap_fdnames__new(&f);
	if (!err)
		err = flap_fdnames__seed(f, t);
	if (!err) {
		flap_fdnames__set_resolver(f, resolve_cb, &rs);
		for (i = 0; i < t->nevents && !err && !rs.oom; i++)
			err = flap_fdnames__update(f, &t->events[i]);
	}
	flap_fdnames__free(f);
	for (i = 0; i < rs.cap; i++) {
		free(rs.seen[i].path);
		free(rs.seen[i].resolved);
	}
	free(rs.seen);
	if (!err && rs.oom)
		err = -ENOMEM;
	return err ? err : rs.added;
}
