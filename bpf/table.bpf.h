/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * table.bpf.h - the cgroup table the dispatcher and the lifecycle program
 * both read: a direct-mapped array indexed by cgroup id & (FLAP_TABLE_SIZE
 * - 1), written by userspace through an mmap, and the hash that holds the
 * ids whose table entry another id already took. Each object defines the
 * maps; the loader makes the lifecycle object reuse the dispatcher's.
 */
#ifndef FLAP_TABLE_BPF_H
#define FLAP_TABLE_BPF_H

/* cgroup id & (FLAP_TABLE_SIZE - 1) -> {id, slot}; mmapped by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLAP_TABLE_SIZE);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct flap_slot);
} cgroup_table SEC(".maps");

/* Ids whose table entry is taken by another id: cgroup id -> slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__type(key, __u64);
	__type(value, __u32);
} cgroup_slots SEC(".maps");

/* The current task's cgroup id: kernfs_node.id of its cgroup in the
 * default (v2) hierarchy, what bpf_get_current_cgroup_id() returns and the
 * inode number of the cgroup2 directory, without the helper call. */
static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

/*
 * The recorder slot of cgroup @id, or -1 when it is not traced: one array
 * entry and one compare for almost every id; the hash only for the ids of
 * an entry flagged as collided.
 */
static __always_inline int cgroup_slot(__u64 id)
{
	__u32 idx = id & (FLAP_TABLE_SIZE - 1), *slot;
	struct flap_slot *e;

	e = bpf_map_lookup_elem(&cgroup_table, &idx);
	if (!e)
		return -1;
	if (e->cgid == id)
		return e->slot;
	if (!(e->flags & FLAP_SLOT_F_COLLIDE))
		return -1;
	slot = bpf_map_lookup_elem(&cgroup_slots, &id);
	return slot ? (int)*slot : -1;
}

#endif /* FLAP_TABLE_BPF_H */
