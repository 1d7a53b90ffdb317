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
#include "table.bpf.h"
#include "handoff.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
 * The recorder slot of the current task's cgroup, or -1. For a traced task
 * it also leaves the cgroup id and pid/tgid in this hook's handoff entry,
 * for the recorder about to be tail-called.
 */
static __always_inline int current_slot(__u32 hook)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = task_cgroup_id(task);
	struct flap_handoff *h;
	int slot;

	slot = cgroup_slot(id);
	if (slot < 0)
		return -1;
	h = handoff_of(hook);
	if (!h)
		return -1;
	h->cgid = id;
	h->pid_tgid = (__u64)task->tgid << 32 | (__u32)task->pid;
	return slot;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	int slot = current_slot(FLAP_HOOK_ENTER);

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_enter, slot);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	int slot = current_slot(FLAP_HOOK_EXIT);

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_exit, slot);
	return 0;
}
