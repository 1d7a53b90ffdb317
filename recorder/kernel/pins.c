// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pins.c - the registry's objects pinned in bpffs: one file per object
 * under the pin directory, a recorder's in its slot directory <dir>/<slot>/.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "log.h"
#include "registry.h"
#include "registry_internal.h"
#include "util.h"

static int pin_path(char *buf, size_t size, const char *dir, int slot, const char *name)
{
	int n;

	if (slot >= 0)
		n = snprintf(buf, size, "%s/%d/%s", dir, slot, name);
	else
		n = snprintf(buf, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Pins @n objects under @dir (slot directory @slot, or -1 for @dir itself). */
int flap_pins__pin(const char *dir, int slot, const char *const *names, const int *fds, int n)
{
	char path[PATH_MAX];
	int i, err;

	if (slot >= 0) {
		snprintf(path, sizeof(path), "%s/%d", dir, slot);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	for (i = 0; i < n; i++) {
		err = pin_path(path, sizeof(path), dir, slot, names[i]);
		if (!err && bpf_obj_pin(fds[i], path))
			err = -errno;
		if (err) {
			pr_warn("registry: pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

void flap_pins__unpin(const char *dir, int slot, const char *const *names, int n)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++)
		if (!pin_path(path, sizeof(path), dir, slot, names[i]))
			unlink(path);
	if (slot >= 0) {
		snprintf(path, sizeof(path), "%s/%d", dir, slot);
		rmdir(path);
	}
}

/*
 * Opens the @n pinned objects of @names. Return: 0 when all are there,
 * -ENOENT when none is, -ESTALE when only some are (all closed then).
 */
int flap_pins__open(const char *dir, int slot, const char *const *names, int *fds, int n)
{
	char path[PATH_MAX];
	int i, found = 0;

	for (i = 0; i < n; i++) {
		fds[i] = -1;
		if (pin_path(path, sizeof(path), dir, slot, names[i]))
			continue;
		fds[i] = bpf_obj_get(path);
		found += fds[i] >= 0;
	}
	if (found == n)
		return 0;
	for (i = 0; i < n; i++)
		zclose(fds[i]);
	return found ? -ESTALE : -ENOENT;
}

void flap_pins__close(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		zclose(fds[i]);
}

/* Removes a slot directory with whatever it holds. */
void flap_pins__remove_slot(const char *dir, int slot)
{
	char path[PATH_MAX], file[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d", dir, slot);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			unlink(file);
		}
	closedir(d);
	rmdir(path);
}

int flap_registry__unpin(const char *pin_dir)
{
	char file[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_DIR) {
			flap_pins__remove_slot(pin_dir, atoi(de->d_name));
			n++;
			continue;
		}
		snprintf(file, sizeof(file), "%s/%s", pin_dir, de->d_name);
		if (unlink(file) == 0)
			n++;
	}
	closedir(d);
	return n;
}
