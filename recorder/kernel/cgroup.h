/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cgroup.h - cgroup v2 helpers: where the cgroup2 hierarchy is mounted
 * (from /proc/self/mountinfo, never assumed), cgroup ids (the inode number
 * of a cgroup2 directory, which is what bpf_get_current_cgroup_id()
 * returns), the cgroup of a process, and creating, joining and removing
 * cgroups.
 */
#ifndef FLAP_CGROUP_H
#define FLAP_CGROUP_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/**
 * flap_cgroup__root() - the mount point of the cgroup2 hierarchy.
 * Return: a static string, or NULL when no cgroup2 is mounted.
 * Context: any thread; the result is computed once.
 */
const char *flap_cgroup__root(void);

/**
 * flap_cgroup__parse_mountinfo() - find the first cgroup2 mount point in a
 * mountinfo text (one line per mount, as /proc/self/mountinfo).
 * Return: 0 and the path in @buf, -ENOENT when there is none, -ENAMETOOLONG.
 */
int flap_cgroup__parse_mountinfo(const char *text, char *buf, size_t size);

/**
 * flap_cgroup__id() - cgroup id of the cgroup2 directory @path.
 * Return: 0, or negative errno (-ENOTDIR, -EINVAL if not on cgroup2).
 */
int flap_cgroup__id(const char *path, __u64 *id);

/**
 * flap_cgroup__of_pid() - absolute cgroup2 directory of process @pid, from
 * /proc/PID/cgroup ("0::/path"). Return: 0, -ESRCH, -ENOENT (no v2 line).
 */
int flap_cgroup__of_pid(pid_t pid, char *buf, size_t size);

/**
 * flap_cgroup__parse_proc() - the v2 path ("0::/x" line) in a /proc/PID/cgroup
 * text. Return: 0 and the relative path in @buf, -ENOENT, -ENAMETOOLONG.
 */
int flap_cgroup__parse_proc(const char *text, char *buf, size_t size);

/**
 * flap_cgroup__path_of_id() - absolute path of the cgroup2 directory whose id
 * is @id (a walk of the hierarchy). Return: 0, -ENOENT.
 */
int flap_cgroup__path_of_id(__u64 id, char *buf, size_t size);

/**
 * flap_cgroup__create() - mkdir @path (absolute, under the cgroup2 root)
 * and return its id in @id (may be NULL). Return: 0 or negative errno.
 */
int flap_cgroup__create(const char *path, __u64 *id);

/**
 * flap_cgroup__join() - move process @pid (0: the caller) into @path.
 */
int flap_cgroup__join(const char *path, pid_t pid);

/**
 * flap_cgroup__destroy() - kill what is left in @path (cgroup.kill, or
 * SIGKILL per pid on older kernels), wait until it is empty and rmdir it.
 * Return: 0 or negative errno.
 */
int flap_cgroup__destroy(const char *path);

/**
 * flap_cgroup__count_procs() - number of processes in @path (cgroup.procs).
 * Return: the count, or negative errno.
 */
int flap_cgroup__count_procs(const char *path);

#endif /* FLAP_CGROUP_H */
