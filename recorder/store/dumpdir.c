// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dumpdir.c - the dump directory (<dump-dir>/<group>/<file>) for the crash
 * handler and the control server; see dumpdir.h.
 *
 * The directory may hold what others put there (a dump directory shared
 * with a container, a careless admin): every step goes through directory
 * fds opened with O_NOFOLLOW | O_DIRECTORY, one component at a time, so a
 * symbolic link in place of a group directory or of a file is never
 * followed; it is skipped with one log line. A walk hands out only regular
 * files the daemon's user owns, of the daemon's names, and dumps only when
 * they start with the dump magic: retention and the clean-up of temp files
 * delete nothing else, and nothing outside the dump directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "dumpdir.h"
#include "log.h"

/*
 * A temp file of flap_dump__saveat(): ".<name>.flap.XXXXXX" (see
 * dump_save.c). Older daemons used ".<name>.tmp.*": those go too. Only
 * regular files the daemon's user owns are ever handed out (ours()).
 */
static bool is_temp(const char *name)
{
	return name[0] == '.' && (strstr(name, ".flap.") || strstr(name, ".tmp"));
}

/* A dump file: not hidden (no temp file, never "." or ".."), ending in ".flap". */
static bool is_dump(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n >= 6 && strcmp(name + n - 5, ".flap") == 0;
}

static bool wanted(const char *name, enum flap_dumpdir_files which)
{
	return which == FLAP_DUMPDIR_FILES_TEMPS ? is_temp(name) : is_dump(name);
}

/* Starts with the dump magic (the version byte aside). */
static bool has_magic(int fd)
{
	char magic[sizeof(FLAP_DUMP_MAGIC) - 1];

	return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
	       !memcmp(magic, FLAP_DUMP_MAGIC, sizeof(magic));
}

int flap_dumpdir__open(const char *dir, const char *group, int *out)
{
	int dfd, fd, err;

	*out = -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	if (!group) {
		*out = dfd;
		return 0;
	}
	fd = openat(dfd, group, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	err = fd < 0 ? (errno == ENOTDIR ? -ELOOP : -errno) : 0;
	close(dfd);
	*out = fd;
	return err;
}

int flap_dumpdir__group(const char *dir, const char *group, int *out)
{
	int dfd, err;

	err = flap_dumpdir__open(dir, NULL, &dfd);
	if (err)
		return err;
	if (mkdirat(dfd, group, 0700) < 0 && errno != EEXIST) {
		err = -errno;
		close(dfd);
		return err;
	}
	close(dfd);
	return flap_dumpdir__open(dir, group, out);
}

int flap_dumpdir__unlink(const char *dir, const char *group, const char *name)
{
	struct stat st;
	int gfd, err;

	err = flap_dumpdir__open(dir, group, &gfd);
	if (err)
		return err;
	/* Only a regular file: never a link, a directory or a device. */
	if (fstatat(gfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EPERM;
	else if (unlinkat(gfd, name, 0) < 0)
		err = -errno;
	close(gfd);
	return err;
}

/* A file of ours: a regular file the daemon's user owns (and a dump when asked). */
static bool ours(int gfd, const struct flap_dumpdir_file *f, enum flap_dumpdir_files which,
		 struct stat *st)
{
	bool ok;
	int fd;

	fd = openat(gfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			pr_warn("dump dir: %s is a symbolic link: skipped", f->path);
		return false;
	}
	ok = fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	     (which != FLAP_DUMPDIR_FILES_DUMPS || has_magic(fd));
	close(fd);
	return ok;
}

/* Calls @fn for the files of kind @which in the group directory @group of @dir. */
static void each_in_group(const char *dir, const char *group, enum flap_dumpdir_files which,
			  flap_dumpdir_fn fn, void *ctx)
{
	struct flap_dumpdir_file f = {.dir = dir, .group = group};
	char path[PATH_MAX];
	struct dirent *fe;
	int gfd, err;
	DIR *sd;

	err = flap_dumpdir__open(dir, group, &gfd);
	if (err == -ELOOP)
		pr_warn("dump dir: %s/%s is a symbolic link: skipped", dir, group);
	if (err)
		return;
	sd = fdopendir(gfd);
	if (!sd) {
		close(gfd);
		return;
	}
	f.path = path;
	while ((fe = readdir(sd))) {
		if (!wanted(fe->d_name, which) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s/%s", dir, group, fe->d_name) >=
			    sizeof(path))
			continue;
		f.name = fe->d_name;
		if (ours(dirfd(sd), &f, which, &f.st))
			fn(ctx, &f);
	}
	closedir(sd);
}

void flap_dumpdir__walk(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_fn fn,
			void *ctx)
{
	struct dirent *de;
	int dfd;
	DIR *dd;

	if (flap_dumpdir__open(dir, NULL, &dfd))
		return;
	dd = fdopendir(dfd);
	if (!dd) {
		close(dfd);
		return;
	}
	while ((de = readdir(dd))) {
		/* Hidden entries are no group (and "." and ".." are not walked). */
		if (de->d_name[0] == '.')
			continue;
		each_in_group(dir, de->d_name, which, fn, ctx);
	}
	closedir(dd);
}

struct path_ctx {
	flap_dumpdir_path_fn fn;
	void *ctx;
};

static void call_path(void *ctx, const struct flap_dumpdir_file *f)
{
	struct path_ctx *p = ctx;

	p->fn(p->ctx, f->path);
}

void flap_dumpdir__each(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_path_fn fn,
			void *ctx)
{
	struct path_ctx p = {.fn = fn, .ctx = ctx};

	flap_dumpdir__walk(dir, which, call_path, &p);
}
