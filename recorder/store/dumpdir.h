/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dumpdir.h - the layout of the dump directory: dump files are
 * <dump-dir>/<pod or name>/<file>.flap, and flap_dump__saveat() writes each
 * through a hidden temp file next to it. One walk over that layout serves
 * the crash handler (retention, temp files a killed daemon left) and the
 * control server (the dumps request). Every step is relative to a
 * directory fd opened with O_NOFOLLOW: no symbolic link in the dump
 * directory is ever followed (docs/security.md).
 */
#ifndef FLAP_DUMPDIR_H
#define FLAP_DUMPDIR_H

#include <sys/stat.h>

enum flap_dumpdir_files {
	FLAP_DUMPDIR_FILES_DUMPS = 0, /* <name>.flap, not hidden, with the dump magic */
	FLAP_DUMPDIR_FILES_TEMPS = 1, /* hidden temp files of flap_dump__saveat() */
};

/* A file the walk found: borrowed for the call. */
struct flap_dumpdir_file {
	const char *dir;   /* the dump directory */
	const char *group; /* its group directory (one component) */
	const char *name;  /* the file (one component) */
	const char *path;  /* dir/group/name, for messages */
	struct stat st;	   /* of the file, a regular file the daemon's user owns */
};

typedef void (*flap_dumpdir_fn)(void *ctx, const struct flap_dumpdir_file *f);
typedef void (*flap_dumpdir_path_fn)(void *ctx, const char *path);

/**
 * flap_dumpdir__walk() - call @fn(@ctx, file) for every file of kind @which
 * in the group directories of @dir (<dir>/<group>/<file>). Only regular
 * files the daemon's user owns are given (dumps: only those starting with
 * the dump magic); a symbolic link met as a group or a file is skipped with
 * one log line; hidden groups are skipped, and so are paths longer than
 * PATH_MAX; a directory that cannot be opened counts as empty.
 * Context: any thread; it only reads directories (@fn may delete the file
 * with flap_dumpdir__unlink()).
 */
void flap_dumpdir__walk(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_fn fn,
			void *ctx);

/**
 * flap_dumpdir__each() - the same walk, giving @fn the file's path only.
 */
void flap_dumpdir__each(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_path_fn fn,
			void *ctx);

/**
 * flap_dumpdir__open() - open @dir (NULL @group) or its group directory
 * @group, neither through a symbolic link (O_NOFOLLOW | O_DIRECTORY).
 * Return: 0 and the fd in *@out (the caller closes it), -ELOOP for a
 * symbolic link or no directory, other negative errno.
 */
int flap_dumpdir__open(const char *dir, const char *group, int *out);

/**
 * flap_dumpdir__group() - the group directory @group of @dir, created (0700)
 * when missing, opened as flap_dumpdir__open() does. Return: 0 and the fd in
 * *@out, -ELOOP when a symbolic link (or no directory) is in its place,
 * other negative errno.
 */
int flap_dumpdir__group(const char *dir, const char *group, int *out);

/**
 * flap_dumpdir__unlink() - delete the regular file @name of @dir/@group,
 * through the directory fds (never a link's target, never a directory).
 * Return: 0, -EPERM for no regular file, other negative errno.
 */
int flap_dumpdir__unlink(const char *dir, const char *group, const char *name);

#endif /* FLAP_DUMPDIR_H */
