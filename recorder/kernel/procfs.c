// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * procfs.c - a cgroup's processes at registration, from /proc (see
 * procfs.h): /proc/PID/cwd, /proc/PID/fd/N (the kernel's name for each
 * descriptor: a path, "socket:[93904]", "pipe:[12]", "anon_inode:[...]")
 * with the close-on-exec flag from /proc/PID/fdinfo/N, and /proc/PID/root
 * to make paths relative to the process's own root. The links name paths
 * as the reader's root sees them, so a process in a container with its own
 * root reads "/var/lib/.../merged/srv/app" until the root is cut off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

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
