/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * registry_internal.h - what the files of the registry share (registry.c,
 * pins.c, table.c, lifetime.c, adoption.c, snapshot.c): the registry and
 * recorder objects and the helpers one file gives the others. Not part of
 * the library API (registry.h).
 */
#ifndef FLAP_REGISTRY_INTERNAL_H
#define FLAP_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flap.h"
#include "registry.h"

struct flap_ring;
struct flap_record__bss;
struct flap_record;
struct flap_dispatch;
struct flap_lifecycle;
struct ring_buffer;

/* A recorder's kernel objects, in pin order. */
enum {
	RF_ENTER,
	RF_EXIT,
	RF_EVENTS,
	RF_STATE,
	RF_STATS,
	RF_BSS,
	RF_RODATA,
	RF_SIG_DELIVER,
	RF_SIG_GENERATE,
	RF_NUM,
};

/* The dispatcher's. */
enum {
	DF_TABLE,
	DF_SLOTS,
	DF_ENTER,
	DF_EXIT,
	DF_LINK_ENTER,
	DF_LINK_EXIT,
	DF_HANDOFF,
	DF_SIG_DELIVER,
	DF_SIG_GENERATE,
	DF_LINK_SIG_DELIVER,
	DF_LINK_SIG_GENERATE,
	DF_NUM,
};

/* The lifecycle program's. */
enum {
	LF_LINK,
	LF_RB,
	LF_LOST,
	LF_LINK_OOM,
	LF_FALLBACK,
	LF_NUM,
};

/* The slot of a recorder not yet bound to a cgroup (flap_recorder__prepare()). */
#define FLAP_SLOT_NONE ((__u32)-1)

struct flap_recorder {
	struct flap_registry *reg;
	struct flap_record *skel; /* NULL when adopted from pins */
	struct flap_recorder_opts opts;
	__u64 cgid;
	__u32 slot;
	int fd[RF_NUM];		      /* the skeleton's, or owned when adopted */
	struct flap_record__bss *bss; /* skel->bss, or an own mapping when adopted */
	size_t bss_len;
	__u64 *restart_lost;	 /* [ncpus] events lost with rings replaced at adoption */
	struct flap_ring *rings; /* [reg->ncpus], fd -1 for offline CPUs */
	void *user;
};

struct flap_registry {
	struct flap_dispatch *disp;  /* NULL when adopted */
	struct flap_lifecycle *life; /* NULL when adopted or not loaded */
	int dfd[DF_NUM];	     /* the skeleton's, or owned when adopted */
	int stub_fd[2];		     /* slot_free_enter/exit, as dfd; -1: not there */
	__u32 stub_id[2];	     /* their program ids, once looked up */
	int lfd[LF_NUM];
	bool adopted;
	bool compat;   /* flap_registry_opts.compat */
	char *pin_dir; /* NULL: nothing pinned, everything goes with the registry */
	struct ring_buffer *exits;
	flap_exit_fn on_exit;
	flap_oom_fn on_oom;
	void *ctx;
	struct flap_slot *table; /* mmap of cgroup_table */
	__u16 *collisions;	 /* ids of each table index kept in the hash */
	struct flap_recorder *slots[FLAP_MAX_RECORDERS];
	int nrecorders;
	int ncpus; /* possible CPUs: size of per-CPU maps */
	bool *online;
};

/* pins.c */
int flap_pins__pin(const char *dir, int slot, const char *const *names, const int *fds, int n);
void flap_pins__unpin(const char *dir, int slot, const char *const *names, int n);
int flap_pins__open(const char *dir, int slot, const char *const *names, int *fds, int n);
void flap_pins__close(int *fds, int n);
void flap_pins__remove_slot(const char *dir, int slot);

/* table.c */
int flap_registry__publish(struct flap_registry *reg, __u64 cgid, __u32 slot);
void flap_registry__unpublish(struct flap_registry *reg, __u64 cgid);
int flap_registry__ensure_published(struct flap_registry *reg, __u64 cgid, __u32 slot);
int flap_registry__prune_table(struct flap_registry *reg);

/* lifetime.c (and flap_recorder__prepare(), __bind(), __free() of registry.h) */
extern const char *const flap_recorder_pins[RF_NUM];
int flap_recorder__check_opts(const struct flap_recorder_opts *in, struct flap_recorder_opts *o);
int flap_recorder__alloc_rings(struct flap_recorder *rec);
int flap_recorder__wire(struct flap_recorder *rec);
void flap_registry__unwire_slot(struct flap_registry *reg, __u32 slot);
struct flap_recorder *flap_recorder__new(struct flap_registry *reg, __u64 cgid, __u32 slot);
void flap_recorder__release(struct flap_recorder *rec);
int flap_registry__validate_add(struct flap_registry *reg, __u64 cgid);
/* Can a recorder loaded with @have (checked) record with @asked: does what the verifier saw match?
 */
bool flap_recorder__fits(const struct flap_recorder_opts *have,
			 const struct flap_recorder_opts *asked);

/* snapshot.c */
int flap_recorder__read_stats(struct flap_recorder *rec, struct flap_stats *stats);
int flap_recorder__freeze(struct flap_recorder *rec, struct flap_cpu_state *states);
void flap_recorder__thaw(struct flap_recorder *rec);

#endif /* FLAP_REGISTRY_INTERNAL_H */
