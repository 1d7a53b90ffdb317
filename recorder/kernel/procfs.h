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

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#include "trace.h"

/* Bounds of one snapshot (a dump header holds them all). */
#define FLAP_PROCFS_MAX_PROCS 64
#define FLAP_PROCFS_MAX_FDS   1024 /* over all its processes */
/* Distinct paths one dump resolves at most (each a lookup in the dentry cache). */
#define FLAP_PROCFS_MAX_RESOLVE 16384

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

/* A source's root directory: an O_PATH descriptor and its path as we see it. */
struct flap_procfs_root {
	int fd; /* -1: none */
	char path[PATH_MAX];
};

/**
 * flap_procfs__host_root() - does @pid see the files we see: the same mount
 * namespace and "/" as its root? Then our own root may stand for its when
 * none of its processes is left (flap_procfs__open_root()).
 */
bool flap_procfs__host_root(const char *proc_dir, int pid);

/**
 * flap_procfs__open_root() - open the root directory of the first process
 * of @cgroup_path (cgroup.procs) or of @pid that is still there; when none
 * is and @host_root, our own "/". The caller closes @r->fd.
 * Return: 0, or -ENOENT (@r->fd is -1).
 */
int flap_procfs__open_root(const char *proc_dir, const char *cgroup_path, int pid, bool host_root,
			   struct flap_procfs_root *r);

/**
 * flap_procfs__resolve_paths() - resolve the paths the history of @t names
 * (what open-like calls and chdir name, as flap_fdnames names them) in the
 * root of their source, @roots[source] (@nroots of them; fd -1: not
 * resolved): openat2(RESOLVE_IN_ROOT), so a container's symbolic links
 * cannot lead out of its root. A path that resolves to another one becomes
 * an alias of the trace (flap_trace__add_path()); paths under /proc and
 * /dev/fd are left alone (they would name our own process). A file gone
 * since resolves through its directory. Lookups use the dentry cache only
 * (RESOLVE_CACHED, 5.12): a path not in it stays as opened, and no file
 * system is asked (before 5.12: only in our own root, asking it); at most
 * FLAP_PROCFS_MAX_RESOLVE distinct paths. Context: any thread.
 * Return: the number of aliases added, or -ENOMEM.
 */
int flap_procfs__resolve_paths(struct flap_trace *t, const struct flap_procfs_root *roots,
			       int nroots);

#endif /* FLAP_PROCFS_H */
