// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dump_save.c - saves a dump file atomically: a temp file in the same
 * directory, fsync, rename, fsync of the directory.
 *
 * The daemon saves into a directory it opened itself (flap_dump__saveat()),
 * so nothing of the path is looked up again: the temp file is created with
 * O_EXCL | O_NOFOLLOW (a symbolic link planted at its name is never
 * followed), and renameat() replaces whatever entry has the final name (a
 * link there is replaced, its target is not written).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "util.h"

#define TEMP_TRIES 16

/* Six letters or digits, like mkostemp()'s XXXXXX. */
static void temp_suffix(char *s)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	int i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != sizeof(r)) {
		unsigned long x = (unsigned long)flap_clock__boot_ns() ^ (unsigned long)getpid();

		for (i = 0; i < 6; i++, x >>= 6)
			r[i] = x;
	}
	for (i = 0; i < 6; i++)
		s[i] = set[r[i] % (sizeof(set) - 1)];
	s[6] = '\0';
}

/* Creates the temp file ".<name>.XXXXXX" in @dfd (mode 0600); @tmp gets its name. */
static int open_temp(int dfd, const char *name, char *tmp, size_t size)
{
	int fd, i, n;

	for (i = 0; i < TEMP_TRIES; i++) {
		n = snprintf(tmp, size, ".%s.XXXXXX", name);
		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
		temp_suffix(tmp + n - 6);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	/* Make sure no umask or ACL widened it. */
	if (fchmod(fd, 0600) < 0) {
		n = -errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		return n;
	}
	return fd;
}

/**
 * flap_dump__saveat() - write a dump file @name in the directory @dfd
 * atomically.
 * @dfd: an open directory; borrowed.
 * @name: the final name, one component (no '/').
 * @m, @t: as for flap_dump__write(); borrowed.
 *
 * The dump goes to a new temp file ".<name>.XXXXXX" in @dfd (mode 0600,
 * close on exec, O_EXCL | O_NOFOLLOW), which is fsynced, renamed over
 * @name, and @dfd fsynced, so a reader sees either no file or the whole
 * dump. No path is resolved but the single components in @dfd.
 *
 * Context: any thread; blocks on disk I/O.
 * Return: 0 or negative errno; on error neither @name nor the temp file is
 * left behind.
 */
int flap_dump__saveat(int dfd, const char *name, const struct flap_dump_meta *m,
		      const struct flap_trace *t)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	fd = open_temp(dfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	err = flap_dump__write(fd, m, t);
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err)
		goto out_unlink_tmp;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		err = -errno;
		goto out_unlink_tmp;
	}
	/* The rename itself must be durable. */
	if (fsync(dfd) < 0) {
		err = -errno;
		unlinkat(dfd, name, 0);
	}
	return err;

out_unlink_tmp:
	unlinkat(dfd, tmp, 0);
	return err;
}

/**
 * flap_dump__save() - write a dump file at @path atomically.
 * @path: the final name; its directory must exist and be writable.
 * @m, @t: as for flap_dump__write(); borrowed.
 *
 * Opens the directory of @path (as the caller named it: `dump --save`
 * writes where its user says) and saves there with flap_dump__saveat().
 *
 * Context: any thread; blocks on disk I/O.
 * Return: 0 or negative errno; on error neither @path nor the temp file is
 * left behind.
 */
int flap_dump__save(const char *path, const struct flap_dump_meta *m, const struct flap_trace *t)
{
	const char *slash, *name;
	char *dir = NULL;
	int dfd, err;

	if (!path || !*path || path[strlen(path) - 1] == '/')
		return -EINVAL;
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, slash - path);
	if (!dir)
		return -ENOMEM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = dfd < 0 ? -errno : 0;
	free(dir);
	if (err)
		return err;
	err = flap_dump__saveat(dfd, name, m, t);
	close(dfd);
	return err;
}
