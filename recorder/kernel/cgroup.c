// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cgroup.c - cgroup v2 helpers. The cgroup2 mount point is read from
 * /proc/self/mountinfo: hosts mount it at /sys/fs/cgroup (unified) or
 * /sys/fs/cgroup/unified (hybrid) or elsewhere. A cgroup's id is the inode
 * number of its directory (kernfs node id on 64-bit kernels).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cgroup.h"
#include "util.h"

static char cgroup_root_buf[PATH_MAX];
static pthread_once_t cgroup_root_once = PTHREAD_ONCE_INIT;

/* Undo the octal escapes mountinfo uses for spaces, tabs and newlines. */
static void unescape_mount_path(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

int flap_cgroup__parse_mountinfo(const char *text, char *buf, size_t size)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char tmp[PATH_MAX * 2], mnt[PATH_MAX], fstype[64];
		const char *sep;

		if (len < sizeof(tmp)) {
			memcpy(tmp, line, len);
			tmp[len] = '\0';
			/* "id parent maj:min root mountpoint opts... - fstype source sopts" */
			sep = strstr(tmp, " - ");
			if (sep && sscanf(sep + 3, "%63s", fstype) == 1 &&
			    strcmp(fstype, "cgroup2") == 0 &&
			    sscanf(tmp, "%*s %*s %*s %*s %4095s", mnt) == 1) {
				unescape_mount_path(mnt);
				if (strlen(mnt) >= size)
					return -ENAMETOOLONG;
				strcpy(buf, mnt);
				return 0;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

static void find_cgroup_root(void)
{
	char *text = NULL;
	size_t len;

	if (flap_file__read("/proc/self/mountinfo", &text, &len, 1 << 22) < 0)
		return;
	if (flap_cgroup__parse_mountinfo(text, cgroup_root_buf, sizeof(cgroup_root_buf)) < 0)
		cgroup_root_buf[0] = '\0';
	free(text);
}

const char *flap_cgroup__root(void)
{
	pthread_once(&cgroup_root_once, find_cgroup_root);
	return cgroup_root_buf[0] ? cgroup_root_buf : NULL;
}

int flap_cgroup__id(const char *path, __u64 *id)
{
	struct statfs sfs;
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (statfs(path, &sfs) < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EINVAL;
	*id = st.st_ino;
	return 0;
}

int flap_cgroup__parse_proc(const char *text, char *buf, size_t size)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len >= 3 && strncmp(line, "0::", 3) == 0) {
			if (len - 3 >= size)
				return -ENAMETOOLONG;
			memcpy(buf, line + 3, len - 3);
			buf[len - 3] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int flap_cgroup__of_pid(pid_t pid, char *buf, size_t size)
{
	char path[64], rel[PATH_MAX], *text = NULL;
	const char *root = flap_cgroup__root();
	size_t len;
	int err;

	if (!root)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	err = flap_file__read(path, &text, &len, 1 << 16);
	if (err < 0)
		return err == -ENOENT ? -ESRCH : err;
	err = flap_cgroup__parse_proc(text, rel, sizeof(rel));
	free(text);
	if (err < 0)
		return err;
	/* A process whose cgroup was removed shows " (deleted)". */
	if (strstr(rel, " (deleted)"))
		return -ENOENT;
	if ((size_t)snprintf(buf, size, "%s%s", root, strcmp(rel, "/") == 0 ? "" : rel) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Depth-first search for the directory with inode @id below @dir. */
static int walk_for_id(char *dir, size_t size, __u64 id, int depth)
{
	size_t len = strlen(dir);
	struct dirent *de;
	struct stat st;
	int err = -ENOENT;
	DIR *d;

	if (depth > 64)
		return -ENOENT;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (len + 1 + strlen(de->d_name) + 1 > size)
			continue;
		sprintf(dir + len, "/%s", de->d_name);
		if (stat(dir, &st) == 0 && st.st_ino == id) {
			err = 0;
			break;
		}
		err = walk_for_id(dir, size, id, depth + 1);
		if (err == 0)
			break;
		dir[len] = '\0';
		err = -ENOENT;
	}
	closedir(d);
	return err;
}

int flap_cgroup__path_of_id(__u64 id, char *buf, size_t size)
{
	const char *root = flap_cgroup__root();
	struct stat st;

	if (!root)
		return -ENOENT;
	if (strlen(root) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, root);
	if (stat(buf, &st) == 0 && st.st_ino == id)
		return 0;
	return walk_for_id(buf, size, id, 0);
}

int flap_cgroup__create(const char *path, __u64 *id)
{
	__u64 tmp;

	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return flap_cgroup__id(path, id ? id : &tmp);
}

int flap_cgroup__join(const char *path, pid_t pid)
{
	char file[PATH_MAX], val[32];

	if ((size_t)snprintf(file, sizeof(file), "%s/cgroup.procs", path) >= sizeof(file))
		return -ENAMETOOLONG;
	snprintf(val, sizeof(val), "%d\n", pid ? (int)pid : (int)getpid());
	return flap_file__write(file, val, strlen(val));
}

int flap_cgroup__count_procs(const char *path)
{
	char file[PATH_MAX], *text = NULL, *p;
	size_t len;
	int n = 0, err;

	if ((size_t)snprintf(file, sizeof(file), "%s/cgroup.procs", path) >= sizeof(file))
		return -ENAMETOOLONG;
	err = flap_file__read(file, &text, &len, 1 << 22);
	if (err < 0)
		return err;
	for (p = text; *p; p++)
		if (*p == '\n')
			n++;
	free(text);
	return n;
}

/* Sends SIGKILL to every process listed in @path/cgroup.procs. */
static void kill_procs(const char *path)
{
	char file[PATH_MAX], *text = NULL, *p, *end;
	size_t len;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	if (flap_file__read(file, &text, &len, 1 << 22) < 0)
		return;
	for (p = text; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
		while (*end == '\n')
			end++;
	}
	free(text);
}

int flap_cgroup__destroy(const char *path)
{
	struct timespec ts = {.tv_nsec = 1000000};
	char file[PATH_MAX];
	int i;

	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	snprintf(file, sizeof(file), "%s/cgroup.kill", path);
	if (flap_file__write(file, "1", 1) < 0)
		kill_procs(path);
	for (i = 0; i < 5000; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		if (i % 100 == 99)
			kill_procs(path);
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}
