/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * util.h - helpers for kernel and end-to-end tests: a cgroup2 test root
 * found from mountinfo, child processes parked in a cgroup until the test
 * releases them, fd/map/program counting for leak checks.
 */
#ifndef FLAP_TEST_UTIL_H
#define FLAP_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "trace.h"

/* A cgroup made for one test, removed (with its processes) by cleanup. */
struct test_cgroup {
	char path[4096];
	__u64 id;
};

/**
 * test_cgroup_make() - create <cgroup2>/flap-test-<pid>/<name>.
 * Return: 0 or negative errno.
 */
int test_cgroup_make(const char *name, struct test_cgroup *cg);
void test_cgroup_cleanup(struct test_cgroup *cg);

/* A child parked in a cgroup: it runs @fn only after test_child_go(). */
struct test_child {
	pid_t pid;
	int go_fd; /* write end: one byte releases the child */
};

/**
 * test_child_start() - fork a child, move it into @cg (from the parent, so
 * the child makes no syscall of its own to get there), and park it until
 * test_child_go(). The child calls @fn(@arg) and exits with its return.
 */
int test_child_start(const struct test_cgroup *cg, int (*fn)(void *), void *arg,
		     struct test_child *c);
int test_child_go(struct test_child *c);
/* Wait for the child; return its wait status or negative errno. */
int test_child_wait(struct test_child *c);

/**
 * test_wait_syscall() - wait until thread @tid is blocked in syscall @nr
 * with first argument @arg0 (-1: any), as /proc/TID/syscall shows, polling
 * for at most @timeout_ms. Return: 0, -ETIMEDOUT, or negative errno.
 */
int test_wait_syscall(pid_t tid, long nr, long arg0, int timeout_ms);

/* Open fds of this process, and BPF programs / maps on the system. */
int test_count_fds(void);
int test_count_bpf_progs(void);
int test_count_bpf_maps(void);

/**
 * test_count_recorders() - the live recorder instances of @cgids, system
 * wide: their read-only data maps (whose first word is the cgroup id) and
 * the programs that use those maps. Return: 0 or -ENOMEM.
 */
int test_count_recorders(const __u64 *cgids, int n, int *nmaps, int *nprogs);

/* Text of a capture (NUL-terminated copy, truncated to @size). */
const char *test_cap_str(const struct flap_event *ev, int arg, char *buf, size_t size);

/* First event of thread @tid with syscall @nr at or after index @from; -1 if none. */
long test_find_event(const struct flap_trace *t, long from, __u32 tid, long nr);

/* Print a trace's events (for -v). */
void test_dump_trace(const struct flap_trace *t, size_t max);

#endif /* FLAP_TEST_UTIL_H */
