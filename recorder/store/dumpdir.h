/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dumpdir.h - the layout of the dump directory: dump files are
 * <dump-dir>/<pod or name>/<file>.flap, and flap_dump__save() writes each
 * through a hidden temp file next to it. One walk over that layout serves
 * the crash handler (retention, temp files a killed daemon left) and the
 * control server (the dumps request).
 */
#ifndef FLAP_DUMPDIR_H
#define FLAP_DUMPDIR_H

enum flap_dumpdir_files {
	FLAP_DUMPDIR_FILES_DUMPS = 0, /* <name>.flap, not hidden */
	FLAP_DUMPDIR_FILES_TEMPS = 1, /* hidden temp files of flap_dump__save() */
};

typedef void (*flap_dumpdir_fn)(void *ctx, const char *path);

/**
 * flap_dumpdir__each() - call @fn(@ctx, path) for every file of kind @which
 * in the group directories of @dir (<dir>/<group>/<file>). Hidden groups
 * are skipped, and so are paths longer than PATH_MAX; a directory that
 * cannot be opened counts as empty. @path is borrowed for the call.
 * Context: any thread; it only reads directories (@fn may unlink @path).
 */
void flap_dumpdir__each(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_fn fn,
			void *ctx);

#endif /* FLAP_DUMPDIR_H */
