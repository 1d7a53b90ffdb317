/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * procfs.h - what the processes of a cgroup hold when its recording begins,
 * read from /proc: the working directory and the open descriptors of each
 * (strace -y's names for AT_FDCWD and for descriptors the history did not
 * see opened: fds 0-2, anything opened before registration), paths as the
 * process's own root sees them. Kept with the recorder and written into
 * every dump (flap_trace.procs).
 */
#ifndef FLAP_PROCFS_H
#define FLAP_PROCFS_H

#include <linux/types.h>

#include "trace.h"

/* Bounds of one snapshot (a dump header holds them all). */
#define FLAP_PROCFS_MAX_PROCS 64
#define FLAP_PROCFS_MAX_FDS   1024 /* over all its processes */

/**
 * flap_procfs__snapshot() - read the working directory and descriptors of
 * @pid (when > 0) and of every process listed in @cgroup_path/cgroup.procs
 * (when not NULL), at most FLAP_PROCFS_MAX_PROCS processes and
 * FLAP_PROCFS_MAX_FDS descriptors, into @t as the state of source @source
 * (flap_trace__add_proc()). A path is made relative to the process's root
 * (/proc/PID/root): a container's process reads as it would inside.
 * A process that is gone or cannot be read is left out.
 * @proc_dir: the procfs mount, "/proc" (tests may point elsewhere).
 *
 * Context: any thread; blocks on /proc reads.
 * Return: the number of processes read (>= 0), or -ENOMEM.
 */
int flap_procfs__snapshot(struct flap_trace *t, int source, const char *proc_dir,
			  const char *cgroup_path, int pid);

/**
 * flap_procfs__under_root() - @path as a process whose root directory is
 * @root (as the reader sees it, "/" or "/var/lib/.../merged") sees it:
 * @path itself when @root is "/" or @path is not a path ("pipe:[12]"),
 * the part after @root, "/" for @root itself.
 * Return: a pointer into @path, or NULL when @path is outside @root.
 */
const char *flap_procfs__under_root(const char *root, const char *path);

#endif /* FLAP_PROCFS_H */
