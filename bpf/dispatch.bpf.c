// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dispatch.bpf.c - the dispatcher: one program on each of the BTF-typed raw
 * tracepoints sys_enter and sys_exit. It runs for every syscall of every
 * process on the node, so the untraced path is kept to a few loads: the
 * current task's cgroup id read through BTF, one entry of a direct-mapped
 * table indexed by the id's low bits, one compare. A traced cgroup's entry
 * names a slot; the program tail-calls the recorder loaded for that cgroup
 * in the hook's prog-array (a sys_enter program and a sys_exit program
 * cannot share one array). Ids that collide in the table are looked up in
 * the cgroup_slots hash instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "flap.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} recorders_enter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} recorders_exit SEC(".maps");

/*
 * Returns the recorder slot of the current task's cgroup, or -1 when the
 * cgroup is not traced. The id is kernfs_node.id of the task's cgroup in the
 * default (v2) hierarchy: what bpf_get_current_cgroup_id() returns and the
 * inode number of the cgroup2 directory, without the helper call.
 */
static __always_inline int current_slot(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct flap_slot *e;
	__u32 idx, *slot;
	__u64 id;

	id = task->cgroups->dfl_cgrp->kn->id;
	idx = id & (FLAP_TABLE_SIZE - 1);
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

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	int slot = current_slot();

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_enter, slot);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	int slot = current_slot();

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_exit, slot);
	return 0;
}
