/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * persist.h - what a persistent daemon (--persist) keeps outside bpffs: the
 * state file, a small JSON document next to the control socket with the
 * metadata of every recorder (names, pod, cgroup, options, slot, state,
 * crash counters, events lost at earlier restarts) that the pins cannot
 * hold, written atomically (temp file, fsync, rename) on every change; and
 * the bpffs mount of the pin directory.
 */
#ifndef FLAP_PERSIST_H
#define FLAP_PERSIST_H

#include <sys/types.h>
#include <linux/types.h>

#include "daemon.h"
#include "registry.h"

#define FLAP_PERSIST_FORMAT 1

/* The state file's header. */
struct flap_persist_hdr {
	__u64 bpf_id; /* flap_registry__bpf_id() of the daemon that wrote it */
	char pin_dir[4096];
	int ncpus;
	pid_t keeper_pid; /* for people and tests; 0 when unknown */
};

/* One recorder as the state file describes it. */
struct flap_persist_rec {
	struct flap_entry e; /* meta, state, on_exit, times, crash counters (rec NULL) */
	__u32 slot;
	struct flap_recorder_opts ropts;
	__u64 *restart_lost; /* [ncpus] */
};

/**
 * flap_persist__save() - write the state file at @path atomically: @h and
 * every entry of @l (their recorders give slot, options, restart_lost).
 * Context: loop thread. Return: 0 or negative errno.
 */
int flap_persist__save(const char *path, const struct flap_persist_hdr *h,
		       struct flap_entry_list *l);

/**
 * flap_persist__load() - read the state file at @path.
 * Return: the number of recorders (0..) with *@recs a new array the caller
 * frees with flap_persist__free(), -ENOENT without a file, -EBADMSG for a
 * file that is not a state file (one line logged).
 */
int flap_persist__load(const char *path, struct flap_persist_hdr *h,
		       struct flap_persist_rec **recs);

void flap_persist__free(struct flap_persist_rec *recs, int n);

/**
 * flap_persist__bpffs() - make sure @dir exists on a bpffs: create it, and
 * mount a bpffs on it (or on its parent, when the parent is not one and
 * refuses directories, like an unmounted /sys/fs/bpf) if needed.
 * Return: 0 or negative errno.
 */
int flap_persist__bpffs(const char *dir);

#endif /* FLAP_PERSIST_H */
