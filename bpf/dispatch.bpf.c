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
 *
 * The first FLAP_DIRECT_SLOTS slots are reached by direct tail calls: a
 * tree of bit tests leads to one bpf_tail_call_static() per slot, whose key
 * the verifier sees as a constant, and the JIT turns each into a jump that
 * the kernel patches when the slot's program changes. A tail call with a
 * key known only at run time is an indirect jump, which a kernel with
 * retpolines makes costly; the slots past the tree still take that path.
 *
 * Signals take the same way, off the syscall path: a program on
 * signal_deliver (in the receiving thread) and one on signal_generate (in
 * the sender, so the cgroup is the target task's) tail-call the recorder's
 * signal programs through two more prog-arrays, indexed by the same slot.
 * Signals are rare next to syscalls: these look the slot up with a helper
 * call and tail-call indirectly.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
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

/* The recorders' signal programs, by slot (one array per hook, as above). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} recorders_sig_deliver SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} recorders_sig_generate SEC(".maps");

/* Direct tail calls into slot @b + (@s & (2^(n+1) - 1)) of @map: level n
 * of the tree tests bit n of @s. */
/* clang-format off */
#define TC(map, b)    bpf_tail_call_static(ctx, map, b)
#define D0(map, s, b) if ((s) & 1) TC(map, (b) + 1); else TC(map, b)
#define D1(map, s, b) if ((s) & 2) { D0(map, s, (b) + 2); } else { D0(map, s, b); }
#define D2(map, s, b) if ((s) & 4) { D1(map, s, (b) + 4); } else { D1(map, s, b); }
#define D3(map, s, b) if ((s) & 8) { D2(map, s, (b) + 8); } else { D2(map, s, b); }
#define D4(map, s, b) if ((s) & 16) { D3(map, s, (b) + 16); } else { D3(map, s, b); }
#define D5(map, s, b) if ((s) & 32) { D4(map, s, (b) + 32); } else { D4(map, s, b); }
#define D6(map, s, b) if ((s) & 64) { D5(map, s, (b) + 64); } else { D5(map, s, b); }
#define D7(map, s, b) if ((s) & 128) { D6(map, s, (b) + 128); } else { D6(map, s, b); }
#define D8(map, s, b) if ((s) & 256) { D7(map, s, (b) + 256); } else { D7(map, s, b); }
/* clang-format on */
_Static_assert(FLAP_DIRECT_SLOTS == 512, "the tree below covers 512 slots");

/* Tail-calls the program in @slot of @map (returns only if it is empty). */
#define TAIL_CALL_SLOT(map, slot)                    \
	do {                                         \
		__u32 s_ = (slot);                   \
		if (s_ < FLAP_DIRECT_SLOTS) {        \
			D8(map, s_, 0);              \
		} else {                             \
			bpf_tail_call(ctx, map, s_); \
		}                                    \
	} while (0)

/*
 * The recorder slot of cgroup @id, or -1. For a traced task it also leaves
 * the cgroup id and pid/tgid (from @task, or by a helper call when @task is
 * NULL) in this hook's handoff entry, for the recorder about to be
 * tail-called.
 */
static __always_inline int slot_of(__u32 hook, __u64 id, struct task_struct *task)
{
	struct flap_handoff *h;
	int slot;

	slot = cgroup_slot(id);
	if (slot < 0)
		return -1;
	h = handoff_of(hook);
	if (!h)
		return -1;
	h->cgid = id;
	if (task)
		h->pid_tgid = (__u64)task->tgid << 32 | (__u32)task->pid;
	else
		h->pid_tgid = bpf_get_current_pid_tgid();
	return slot;
}

/* The current task's slot: its cgroup id read through BTF (5.11). */
static __always_inline int current_slot(__u32 hook)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return slot_of(hook, task_cgroup_id(task), task);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter, struct pt_regs *regs, long id)
{
	int slot = current_slot(FLAP_HOOK_ENTER);

	if (slot >= 0)
		TAIL_CALL_SLOT(&recorders_enter, slot);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit, struct pt_regs *regs, long ret)
{
	int slot = current_slot(FLAP_HOOK_EXIT);

	if (slot >= 0)
		TAIL_CALL_SLOT(&recorders_exit, slot);
	return 0;
}

/*
 * What a freed slot of recorders_enter/exit holds until it is bound again
 * (loaded, never attached): replacing the target of a direct tail call is
 * one text poke, removing it waits an RCU grace period (prog_array_map_poke_run(),
 * 16-22 ms a map here) on the daemon's loop.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(slot_free_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(slot_free_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/*
 * The same for kernels without bpf_get_current_task_btf() (5.10): the
 * cgroup id and pid/tgid by helper calls. The loader loads one pair
 * (recorder/kernel/kfeatures.c), so neither pays for the other's check.
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(handle_sys_enter_compat, struct pt_regs *regs, long id)
{
	int slot = slot_of(FLAP_HOOK_ENTER, bpf_get_current_cgroup_id(), NULL);

	if (slot >= 0)
		TAIL_CALL_SLOT(&recorders_enter, slot);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(handle_sys_exit_compat, struct pt_regs *regs, long ret)
{
	int slot = slot_of(FLAP_HOOK_EXIT, bpf_get_current_cgroup_id(), NULL);

	if (slot >= 0)
		TAIL_CALL_SLOT(&recorders_exit, slot);
	return 0;
}

/*
 * A signal taken by the current thread (before its handler runs, or before
 * it dies of it): its cgroup's recorder writes the delivery.
 */
SEC("tp_btf/signal_deliver")
int BPF_PROG(handle_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	int slot = cgroup_slot(bpf_get_current_cgroup_id());

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_sig_deliver, slot);
	return 0;
}

/*
 * A signal queued for @task by the current task (or the kernel): the
 * target's cgroup's recorder writes it, with the sender.
 */
SEC("tp_btf/signal_generate")
int BPF_PROG(handle_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	int slot = cgroup_slot(BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id));

	if (slot >= 0)
		bpf_tail_call(ctx, &recorders_sig_generate, slot);
	return 0;
}
