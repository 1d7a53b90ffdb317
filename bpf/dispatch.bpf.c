// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dispatch.bpf.c - the dispatcher: one program on each of the BTF-typed raw
 * tracepoints sys_enter and sys_exit. It runs for every syscall of every
 * process on the node, so the untraced path is kept to a few loads and no
 * helper call: this CPU's cpu_task entry (what the running task is: cgroup
 * id, pid, recorder slot), a compare of its generation with the table's,
 * and the slot. A traced cgroup's slot names the recorder loaded for it;
 * the program tail-calls it in the hook's prog-array (a sys_enter program
 * and a sys_exit program cannot share one array).
 *
 * The cpu_task entry is computed where the running task changes, at
 * sched_switch (from the next task, passed as an argument), and whenever
 * table_gen moved since: userspace bumps it after each table change, and
 * a cgroup migration (cgroup_attach_task) bumps it here, so a task moved
 * while it runs is seen at its next syscall on any CPU. An exec that
 * changes the thread's pid (a non-leader thread's exec takes the leader's)
 * recomputes it too. Computing it means reading the task's cgroup id
 * through BTF and one entry of a direct-mapped table indexed by the id's
 * low bits; ids that collide in the table are looked up in the
 * cgroup_slots hash instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "flap.h"
#include "table.bpf.h"
#include "cpu_task.bpf.h"

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

/* Bumped by userspace after each table change and here on a cgroup
 * migration; starts at 1 so that a zeroed cpu_task entry is stale. */
volatile __u64 table_gen = 1;

static __always_inline void compute(struct flap_cpu_task *c, struct task_struct *task, __u64 gen)
{
	__u64 id = task_cgroup_id(task);

	c->cgid = id;
	c->pid_tgid = (__u64)task->tgid << 32 | (__u32)task->pid;
	c->slot = cgroup_slot(id);
	/* Last: a generation read before the table was read. */
	c->gen = gen;
}

/* The recorder slot of the current task's cgroup, or -1. */
static __always_inline int current_slot(void)
{
	struct flap_cpu_task *c = this_cpu_task();
	__u64 gen = table_gen;

	if (!c)
		return -1;
	if (c->gen != gen)
		compute(c, bpf_get_current_task_btf(), gen);
	return c->slot;
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

SEC("tp_btf/sched_switch")
int BPF_PROG(handle_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct flap_cpu_task *c = this_cpu_task();

	if (c)
		compute(c, next, table_gen);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct flap_cpu_task *c;

	if (task->pid == old_pid)
		return 0;
	c = this_cpu_task();
	if (c)
		compute(c, task, table_gen);
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(handle_attach, struct cgroup *dst, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	__sync_fetch_and_add(&table_gen, 1);
	return 0;
}
