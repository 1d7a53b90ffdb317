/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pool.h - recorders loaded and verified ahead of time. Loading a recorder
 * takes the verifier ~40 ms; a registration that finds a ready recorder in
 * the pool only binds it to its cgroup (writes the id into the recorder's
 * data, wires and publishes it), in well under a millisecond. A thread of
 * the pool's own refills it, one recorder at a time, as soon as one is
 * taken.
 *
 * Only recorders with the pool's options come from it: what the verifier
 * prunes on (string and buffer sizes, the syscall filter, exact durations)
 * is a constant of each program. A registration with other options, or one
 * that finds the pool empty, loads a recorder of its own as before.
 */
#ifndef FLAP_POOL_H
#define FLAP_POOL_H

#include <linux/types.h>

#include "registry.h"

struct flap_pool;

/* The most recorders a pool keeps ready. */
#define FLAP_POOL_MAX 256

struct flap_pool_opts {
	int size;			 /* recorders kept ready, 1..FLAP_POOL_MAX */
	struct flap_recorder_opts ropts; /* what they are loaded with (no filter) */
};

struct flap_pool_stats {
	int size;     /* the target */
	int ready;    /* loaded and verified, waiting for a cgroup */
	int loading;  /* being loaded now (0 or 1) */
	__u64 taken;  /* registrations served from the pool */
	__u64 empty;  /* registrations that fit but found it empty */
	__u64 failed; /* loads that failed */
	int last_err; /* of the latest failed load, 0 if none */
};

/**
 * flap_pool__new() - start filling a pool of recorders for @reg in a thread
 * of its own. The pool borrows @reg, which must outlive it.
 * Return: 0 and a pool the caller owns, -EINVAL for bad options, or
 * negative errno. Owner's thread.
 */
int flap_pool__new(struct flap_registry *reg, const struct flap_pool_opts *opts,
		   struct flap_pool **out);

/**
 * flap_pool__free() - stop the refill (waits for a load under way, at most
 * one recorder's load) and free the recorders still waiting. NULL-safe.
 */
void flap_pool__free(struct flap_pool *pool);

/**
 * flap_pool__add() - flap_registry__add() through the pool: when @opts fit
 * the pool's and a recorder is ready, bind it to @cgid at once (and wake
 * the refill); otherwise load one as flap_registry__add() does.
 * Return: as flap_registry__add(). Owner's thread.
 */
int flap_pool__add(struct flap_pool *pool, __u64 cgid, const struct flap_recorder_opts *opts,
		   struct flap_recorder **out);

/**
 * flap_pool__try_add() - flap_pool__add() without a load of its own: when
 * no ready recorder fits @opts, nothing is done and the caller loads one
 * (flap_recorder__prepare(), off its thread, then flap_registry__bind()).
 * Return: as flap_registry__add(), or -EAGAIN: no recorder of the pool.
 * Owner's thread.
 */
int flap_pool__try_add(struct flap_pool *pool, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out);

/* The pool's counts now. Any thread. */
void flap_pool__stats(struct flap_pool *pool, struct flap_pool_stats *out);

#endif /* FLAP_POOL_H */
