// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dumpdir.c - walks the dump directory (<dump-dir>/<group>/<file>) for the
 * crash handler and the control server; see dumpdir.h.
 */
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dumpdir.h"

/*
 * A temp file of flap_dump__save(): hidden, "<dir>/.<name>.flap.XXXXXX"
 * (mkostemp suffix, see open_temp() in dump.c). Older daemons used
 * ".<name>.tmp.*": those go too.
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

/* Calls @fn for the files of kind @which in one group directory @sub. */
static void each_in_group(const char *sub, enum flap_dumpdir_files which, flap_dumpdir_fn fn,
			  void *ctx)
{
	char file[PATH_MAX];
	struct dirent *fe;
	DIR *sd;

	sd = opendir(sub);
	if (!sd)
		return;
	while ((fe = readdir(sd)))
		if (wanted(fe->d_name, which) &&
		    (size_t)snprintf(file, sizeof(file), "%s/%s", sub, fe->d_name) < sizeof(file))
			fn(ctx, file);
	closedir(sd);
}

void flap_dumpdir__each(const char *dir, enum flap_dumpdir_files which, flap_dumpdir_fn fn,
			void *ctx)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *dd;

	dd = opendir(dir);
	if (!dd)
		return;
	while ((de = readdir(dd))) {
		/* Hidden entries are no group (and "." and ".." are not walked). */
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < sizeof(sub))
			each_in_group(sub, which, fn, ctx);
	}
	closedir(dd);
}
