// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * table.c - the cgroup -> slot table the dispatcher reads, and the
 * registry's recorders by slot.
 *
 * An id whose table entry is taken by another id goes into the
 * cgroup_slots hash and the entry is flagged, so only those ids pay for a
 * hash lookup. The table is written through an mmap of the map, without
 * locks on the reading side: an entry's slot is written before its id, and
 * its id is cleared first (see lifetime.c for the order of add and remove).
 */
#include <errno.h>

#include <bpf/bpf.h>

#include "flap.h"
#include "registry.h"
#include "registry_internal.h"
#include "util.h"

/* Makes @cgid -> @slot visible to the dispatcher. */
int flap_registry__publish(struct flap_registry *reg, __u64 cgid, __u32 slot)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1);
	struct flap_slot *e = &reg->table[idx];
	int err;

	if (e->cgid == 0) {
		e->slot = slot;
		/* The id goes last: a dispatcher that sees it sees the slot. */
		__atomic_store_n(&e->cgid, cgid, __ATOMIC_RELEASE);
		return 0;
	}
	err = bpf_map_update_elem(reg->dfd[DF_SLOTS], &cgid, &slot, BPF_NOEXIST);
	if (err)
		return -errno;
	reg->collisions[idx]++;
	__atomic_or_fetch(&e->flags, FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
	return 0;
}

/* Moves one id of table index @idx from the hash into the free entry. */
static void promote(struct flap_registry *reg, __u32 idx)
{
	int fd = reg->dfd[DF_SLOTS];
	struct flap_slot *e = &reg->table[idx];
	__u64 key, next, *prev = NULL;
	__u32 slot;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if ((key & (FLAP_TABLE_SIZE - 1)) != idx || bpf_map_lookup_elem(fd, &key, &slot))
			continue;
		e->slot = slot;
		__atomic_store_n(&e->cgid, key, __ATOMIC_RELEASE);
		/* Found in the table now; the hash entry can go. */
		bpf_map_delete_elem(fd, &key);
		if (--reg->collisions[idx] == 0)
			__atomic_and_fetch(&e->flags, ~FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
		return;
	}
}

void flap_registry__unpublish(struct flap_registry *reg, __u64 cgid)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1);
	struct flap_slot *e = &reg->table[idx];

	if (e->cgid == cgid) {
		__atomic_store_n(&e->cgid, 0, __ATOMIC_RELEASE);
		if (reg->collisions[idx])
			promote(reg, idx);
		return;
	}
	if (bpf_map_delete_elem(reg->dfd[DF_SLOTS], &cgid) == 0 && --reg->collisions[idx] == 0)
		__atomic_and_fetch(&e->flags, ~FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
}

/* An adopted recorder: its entry is normally there already; fix it if not. */
int flap_registry__ensure_published(struct flap_registry *reg, __u64 cgid, __u32 slot)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1), cur;
	struct flap_slot *e = &reg->table[idx];

	if (e->cgid == cgid) {
		if (e->slot != slot)
			__atomic_store_n(&e->slot, slot, __ATOMIC_RELEASE);
		return 0;
	}
	if (bpf_map_lookup_elem(reg->dfd[DF_SLOTS], &cgid, &cur) == 0) {
		if (cur != slot && bpf_map_update_elem(reg->dfd[DF_SLOTS], &cgid, &slot, BPF_EXIST))
			return -errno;
		return 0;
	}
	return flap_registry__publish(reg, cgid, slot);
}

/* Unpublishes every id of the table and the hash that no recorder has. */
int flap_registry__prune_table(struct flap_registry *reg)
{
	__u64 key, next, *prev = NULL, *stale;
	int n = 0, nstale = 0, i;
	__u32 idx;

	for (idx = 0; idx < FLAP_TABLE_SIZE; idx++) {
		/* flap_registry__unpublish() may promote another id into the entry: look again. */
		while (reg->table[idx].cgid && !flap_registry__find(reg, reg->table[idx].cgid)) {
			flap_registry__unpublish(reg, reg->table[idx].cgid);
			n++;
		}
	}
	stale = calloc(FLAP_MAX_RECORDERS, sizeof(*stale));
	if (!stale)
		return -ENOMEM;
	while (bpf_map_get_next_key(reg->dfd[DF_SLOTS], prev, &next) == 0 &&
	       nstale < FLAP_MAX_RECORDERS) {
		key = next;
		prev = &key;
		if (!flap_registry__find(reg, key))
			stale[nstale++] = key;
	}
	for (i = 0; i < nstale; i++)
		flap_registry__unpublish(reg, stale[i]);
	free(stale);
	return n + nstale;
}

struct flap_recorder *flap_registry__find(struct flap_registry *reg, __u64 cgid)
{
	int i;

	for (i = 0; i < FLAP_MAX_RECORDERS; i++)
		if (reg->slots[i] && reg->slots[i]->cgid == cgid)
			return reg->slots[i];
	return NULL;
}

int flap_registry__count(const struct flap_registry *reg)
{
	return reg->nrecorders;
}
