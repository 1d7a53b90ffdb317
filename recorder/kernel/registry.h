/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * registry.h - the kernel side of flap-recorder as a library. A registry
 * loads and attaches the dispatcher (and optionally the lifecycle program);
 * adding a cgroup loads one recorder instance for it, gives it a slot in
 * the dispatcher's prog-arrays and its own overwritable per-CPU rings.
 * Reading a recorder returns its decoded history.
 *
 * Not thread-safe: one thread (the daemon's loop) owns a registry.
 */
#ifndef FLAP_REGISTRY_H
#define FLAP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "sysset.h"
#include "trace.h"

struct flap_registry;
struct flap_recorder;
struct flap_exit_event;
struct flap_exit_fallback;

/* Called for every exit of a thread group in a traced cgroup. */
typedef void (*flap_exit_fn)(void *ctx, const struct flap_exit_event *e);
struct flap_oom_event;
/* An OOM kill on the node (any cgroup), before the victim's exit. */
typedef void (*flap_oom_fn)(void *ctx, const struct flap_oom_event *e);

struct flap_registry_opts {
	bool lifecycle;	      /* load the process-exit program and its ring buffer */
	flap_exit_fn on_exit; /* lifecycle callback (flap_registry__poll_exits()) */
	flap_oom_fn on_oom;   /* the same for OOM kills (NULL: dropped) */
	void *ctx;	      /* passed to on_exit and on_oom */
	/*
	 * A directory in bpffs: pin the dispatcher, the lifecycle objects and
	 * every recorder there, adopt what an earlier registry pinned, and
	 * leave it all recording at flap_registry__free(). NULL: nothing is
	 * pinned and free detaches everything.
	 */
	const char *pin_dir;
	/*
	 * Load the compat programs (kfeatures.h) whatever the probes chose: the
	 * dispatcher without the task's BTF and the compat recorder. For tests
	 * that compare the variants on one kernel; the compat busy guard is
	 * exact only where syscall tracepoints run with preemption disabled.
	 */
	bool compat;
};

/* Default ring size: 16 pages (64 KiB) per CPU per traced cgroup. */
#define FLAP_RING_PAGES_DEFAULT 16
#define FLAP_RING_PAGES_MAX	4096
/* A block (up to 4 KiB of records + headers) needs more than one page. */
#define FLAP_RING_PAGES_MIN 2

/* Longest syscall set expression a recorder keeps (for list, dumps and restarts). */
#define FLAP_FILTER_EXPR_MAX FLAP_SOURCE_FILTER_MAX

struct flap_recorder_opts {
	__u32 ring_pages;	     /* data pages per CPU, power of two >= 2; 0 = default */
	__u32 str_max;		     /* bytes kept of strings; 0 = default (256), max 1024 */
	__s32 buf_max;		     /* bytes kept of buffers; -1 = default (64), 0 = off */
	bool filter;		     /* record only the syscalls in @syscalls (else all) */
	struct flap_sysset syscalls; /* with @filter: the recorded set (in-kernel check) */
	char filter_expr[FLAP_FILTER_EXPR_MAX]; /* with @filter: the set as written */
	/* Read the clock at both ends of every call: every duration exact. Off
	 * (the default), a call that ends in the clock tick it began in keeps
	 * its entry time only (one clock read instead of two). */
	bool exact_durations;
};

/**
 * flap_registry__new() - load and attach the dispatcher, or with a pin
 * directory that holds a complete set, adopt the pinned one (its recorders
 * are adopted one by one with flap_registry__adopt()).
 * Return: 0 and a registry the caller owns, or negative errno (-EPERM
 * without CAP_BPF/CAP_PERFMON, -ENOENT without BTF).
 */
int flap_registry__new(const struct flap_registry_opts *opts, struct flap_registry **out);

/**
 * flap_registry__free() - remove every recorder, detach, free. With a pin
 * directory, only this process's fds and mappings are released: programs,
 * maps and attachments stay pinned and recording. NULL-safe.
 */
void flap_registry__free(struct flap_registry *reg);

/* True when flap_registry__new() adopted a pinned dispatcher. */
bool flap_registry__adopted(const struct flap_registry *reg);

/* Possible CPUs: the length of the per-CPU arrays below. */
int flap_registry__ncpus(const struct flap_registry *reg);

/**
 * flap_registry__bpf_id() - a hash of the BPF objects built into this
 * program. Pinned objects from a build with another id must not be adopted.
 */
__u64 flap_registry__bpf_id(void);

/**
 * flap_registry__unpin() - remove every pin under @pin_dir (the directory
 * itself stays). Objects nobody else holds are freed and detached.
 * Return: pins removed, or negative errno.
 */
int flap_registry__unpin(const char *pin_dir);

/* What flap_registry__adopt() needs to know of a pinned recorder. */
struct flap_adopt_opts {
	__u32 slot;
	__u64 cgid;
	struct flap_recorder_opts ropts; /* as it was added (ring_pages must match) */
	int *ring_fds;			 /* [ncpus] its perf ring fds or -1; NULL: none */
	const __u64 *restart_lost;	 /* [ncpus] carried over from earlier; NULL: 0 */
};

/**
 * flap_registry__adopt() - take over the recorder pinned in slot @o->slot:
 * open its programs and maps, check that it records @o->cgid, map the rings
 * in @o->ring_fds (takes ownership of every fd there, and sets them to -1),
 * open fresh rings for online CPUs without one (what the replaced rings held
 * is counted in restart_lost and logged), wire and publish it if needed.
 * Return: 0 and the recorder, -ENOENT (no pins), -ESTALE (another cgroup's
 * instance), -EINVAL, or another negative errno; the pins are left then.
 */
int flap_registry__adopt(struct flap_registry *reg, const struct flap_adopt_opts *o,
			 struct flap_recorder **out);

/**
 * flap_registry__prune() - after adoption: remove from the dispatcher and
 * the pin directory every slot, table entry and pin no recorder owns (left
 * by a daemon killed half-way through an add or a remove).
 * Return: the number of things removed, or negative errno.
 */
int flap_registry__prune(struct flap_registry *reg);

/**
 * flap_registry__add() - start recording cgroup @cgid: load a recorder
 * instance, open its rings, wire it into a free slot.
 * Return: 0 and the recorder (owned by the registry, valid until removed),
 * -EEXIST if @cgid is already traced, -ENOSPC when every slot is taken,
 * -EINVAL for bad options, or another negative errno.
 */
int flap_registry__add(struct flap_registry *reg, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out);

/*
 * flap_registry__add() in two steps, so that the verifier's time (~40 ms) is
 * spent off the owner's thread:
 *
 * flap_recorder__prepare() - load and verify a recorder with @opts and open
 * its rings, bound to no cgroup and in no slot. Reads only what the registry
 * fixed at its creation: any thread may call it while the owner's thread
 * uses the registry. Return: 0 and a recorder the caller owns, or negative
 * errno.
 *
 * flap_registry__bind() - record cgroup @cgid with the prepared @rec (its
 * rings resized to @opts if needed): write the id into its data, pin, wire
 * and publish it in a free slot. Return: as flap_registry__add(); on
 * success the registry owns @rec, on failure the caller still does. Owner's
 * thread only.
 *
 * flap_recorder__free() - free a prepared recorder that was never bound (a
 * bound one goes with flap_registry__remove()). Any thread.
 */
int flap_recorder__prepare(struct flap_registry *reg, const struct flap_recorder_opts *opts,
			   struct flap_recorder **out);
/*
 * How much nicer than the owner's thread a thread runs flap_recorder__prepare()
 * (the pool's refill, the daemon's loads): the verifier's CPU time then
 * goes to what the loop does not need (measured: a dump during 100 loads at
 * once answers in ~5 ms instead of ~25 ms on 2 CPUs).
 */
#define FLAP_LOAD_NICE 10
int flap_registry__bind(struct flap_registry *reg, __u64 cgid, struct flap_recorder *rec,
			const struct flap_recorder_opts *opts);
void flap_recorder__free(struct flap_recorder *rec);

/**
 * flap_registry__remove() - stop recording and free everything the
 * recorder took (programs, maps, perf fds, mappings, slot). @rec is invalid
 * afterwards. Return: 0.
 */
int flap_registry__remove(struct flap_registry *reg, struct flap_recorder *rec);

/* The recorder of cgroup @cgid, or NULL. */
struct flap_recorder *flap_registry__find(struct flap_registry *reg, __u64 cgid);

/* Number of recorders. */
int flap_registry__count(const struct flap_registry *reg);

/**
 * flap_registry__exits_fd() - an fd that becomes readable when lifecycle
 * records are waiting (epoll fd of the ring buffer), or -1 without one.
 */
int flap_registry__exits_fd(const struct flap_registry *reg);

/**
 * flap_registry__poll_exits() - deliver waiting lifecycle records to the
 * on_exit callback. Return: records delivered, or negative errno.
 */
int flap_registry__poll_exits(struct flap_registry *reg);

/**
 * flap_registry__exits_lost() - lifecycle records the ring buffer refused
 * since the lifecycle program was loaded (lifecycle_lost, summed over
 * CPUs): exits of traced cgroups and OOM kills. 0 without the program.
 */
__u64 flap_registry__exits_lost(const struct flap_registry *reg);

/**
 * flap_recorder__exit_fallback() - what the lifecycle program kept of the
 * exits of @rec's cgroup the ring buffer refused (flap.h: how many, and
 * the last ones that were not clean) into @out.
 * Return: 0, -ENOENT without the lifecycle program, or negative errno.
 */
int flap_recorder__exit_fallback(const struct flap_recorder *rec, struct flap_exit_fallback *out);

/* Forget what the lifecycle program kept for @slot (a new recorder takes it). */
void flap_registry__clear_fallback(struct flap_registry *reg, __u32 slot);

/**
 * flap_recorder__read() - the recorder's history: freeze its writers,
 * copy every CPU's ring and staging block, resume, decode. Recording goes
 * on; events made during the copy are counted as lost.
 * Return: 0 and a trace the caller owns (flap_trace__free()), or negative
 * errno.
 */
int flap_recorder__read(struct flap_recorder *rec, struct flap_trace **out);

/* Accessors. */
__u64 flap_recorder__cgroup_id(const struct flap_recorder *rec);
__u32 flap_recorder__slot(const struct flap_recorder *rec);
/* Bytes of ring and staging memory the recorder holds. */
size_t flap_recorder__memory(const struct flap_recorder *rec);
const struct flap_recorder_opts *flap_recorder__opts(const struct flap_recorder *rec);

/**
 * flap_recorder__counts() - produced, held, overwritten and lost summed
 * over CPUs, from the counters and the block headers only (no decoding):
 * cheap enough for a listing. Briefly freezes the writers like a read.
 * Return: 0 or negative errno.
 */
int flap_recorder__counts(struct flap_recorder *rec, struct flap_cpu_counts *out);

/* The perf ring fd of @cpu (borrowed), or -1. */
int flap_recorder__ring_fd(const struct flap_recorder *rec, int cpu);

/* Events of @cpu lost when an adoption had to replace the rings. */
__u64 flap_recorder__restart_lost(const struct flap_recorder *rec, int cpu);

/*
 * Every recorder instance has a data map of this name, whose value (looked
 * up at key 0) says which cgroup it records: flap_recorder__bound_cgroup().
 * For tools and tests that find instances among all the system's maps.
 */
#define FLAP_RECORDER_BSS_NAME "flap_rec.bss"

/**
 * flap_recorder__bound_cgroup() - the cgroup id a recorder's data map value
 * @val (@len bytes) holds, 0 for an instance not yet bound (pooled).
 * Return: 0, or -EBADMSG when @len is too short.
 */
int flap_recorder__bound_cgroup(const void *val, size_t len, __u64 *out);

/* A pointer the owner may attach to a recorder. */
void flap_recorder__set_user(struct flap_recorder *rec, void *user);
void *flap_recorder__user(const struct flap_recorder *rec);

/**
 * flap_registry__skipped() - syscalls, of any process on the node, for which
 * the kernel did not run the dispatcher because a dispatcher program was
 * already running on that CPU (its recursion guard, counted by the kernel as
 * recursion_misses of the sys_enter and sys_exit programs, summed). Their
 * cgroup is unknown: a recorder may have missed any of them. Counts from
 * the dispatcher's load, across daemon restarts when it is pinned.
 * Return: 0 and the count in @out, or negative errno.
 */
int flap_registry__skipped(const struct flap_registry *reg, __u64 *out);

#endif /* FLAP_REGISTRY_H */
