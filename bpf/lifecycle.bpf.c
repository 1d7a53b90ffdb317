// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lifecycle.bpf.c - process exits in traced cgroups. Every exiting thread
 * group of a traced cgroup sends one small record (pid, exit code or fatal
 * signal, comm) into a normal BPF ring buffer that the daemon drains from
 * its event loop, so it learns of a crash as it happens. Untraced cgroups
 * cost the same table lookup as in the dispatcher; the table is the
 * dispatcher's own map (the loader reuses its fd).
 *
 * The OOM killer's choice of a victim (oom/mark_victim, rare) goes to the
 * same ring buffer for any process of the node, with the memory cgroup's
 * limit and usage: the daemon matches it with the victim's exit. The
 * tracepoint gave only the victim's pid until 6.8 (and stable backports
 * such as 6.1.1xx), and its task since: a raw tracepoint program takes
 * both (an argument that is a kernel address is the task). With only the
 * pid, the memory cgroup is the allocating task's.
 *
 * The ring buffer can fill (the daemon stopped, a burst of exits): what it
 * refuses is counted in lifecycle_lost, and an exit of a traced cgroup
 * also in its slot's lifecycle_fallback entry, which keeps the last exits
 * that were not clean. A crash is never lost with the exits around it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "flap.h"
#include "table.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/* 1 MiB: some 18,000 exits (56 bytes each) while the daemon is away. */
	__uint(max_entries, 1024 * 1024);
} lifecycle_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lifecycle_lost SEC(".maps");

/* Recorder slot -> the exits the ring buffer refused (flap.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLAP_MAX_RECORDERS);
	__type(key, __u32);
	__type(value, struct flap_exit_fallback);
} lifecycle_fallback SEC(".maps");

static __always_inline void fill_exit(struct flap_exit_event *e, struct task_struct *task, __u64 id)
{
	e->ts = bpf_ktime_get_boot_ns();
	e->cgid = id;
	e->pid = task->tgid;
	e->ppid = task->real_parent->tgid;
	e->exit_code = task->exit_code;
	e->type = FLAP_LC_EXIT;
	e->pad = 0;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
}

/*
 * The ring buffer refused the exit of @task (slot @slot): count it, and
 * keep it when it was not clean. Two CPUs losing exits of one cgroup at
 * the same instant may pick the same entry (no fetch-and-add before
 * 5.12): the counts stay exact.
 */
static __always_inline void keep_lost_exit(struct task_struct *task, __u64 id, __u32 slot)
{
	struct flap_exit_fallback *f;
	__u32 i;

	f = bpf_map_lookup_elem(&lifecycle_fallback, &slot);
	if (!f)
		return;
	__sync_fetch_and_add(&f->lost, 1);
	if (!task->exit_code)
		return;
	i = f->nfatal % FLAP_FALLBACK_EXITS;
	fill_exit(&f->fatal[i], task, id);
	__sync_fetch_and_add(&f->nfatal, 1);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	struct flap_exit_event *e;
	__u32 zero = 0;
	__u64 *lost;
	__u64 id;
	int slot;

	/* One record per thread group: the leader exits last, with the group's
	 * exit code (a fatal signal in any thread kills the whole group). */
	if (task->pid != task->tgid)
		return 0;
	id = task_cgroup_id(task);
	slot = cgroup_slot(id);
	if (slot < 0)
		return 0;
	e = bpf_ringbuf_reserve(&lifecycle_rb, sizeof(*e), 0);
	if (!e) {
		lost = bpf_map_lookup_elem(&lifecycle_lost, &zero);
		if (lost)
			(*lost)++;
		keep_lost_exit(task, id, slot);
		return 0;
	}
	fill_exit(e, task, id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* The memory cgroup of @task: its cgroup id, memory.max and usage (bytes). */
static __always_inline void memcg_of(struct task_struct *task, struct flap_oom_event *e)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	__u64 page = 4096;

	if (id < 0 || id >= CGROUP_SUBSYS_COUNT)
		return;
	css = BPF_CORE_READ(task, cgroups, subsys[id]);
	if (!css)
		return;
	/* The css is the first member of struct mem_cgroup. */
	memcg = (void *)css;
	e->memcg = BPF_CORE_READ(css, cgroup, kn, id);
	if (BPF_CORE_READ(css, cgroup, root) == BPF_CORE_READ(task, cgroups, dfl_cgrp, root))
		e->flags |= FLAP_OOM_F_DFL;
	e->limit = BPF_CORE_READ(memcg, memory.max) * page;
	e->usage = BPF_CORE_READ(memcg, memory.usage.counter) * page;
}

SEC("raw_tp/mark_victim")
int handle_oom(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *victim = NULL, *cur = (void *)bpf_get_current_task();
	struct flap_oom_event *e;
	__u64 a0 = ctx->args[0];
	__u32 zero = 0;
	__u64 *lost;

	e = bpf_ringbuf_reserve(&lifecycle_rb, sizeof(*e), 0);
	if (!e) {
		lost = bpf_map_lookup_elem(&lifecycle_lost, &zero);
		if (lost)
			(*lost)++;
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	/* (int pid) before 6.8 (and its backports), (struct task_struct *task,
	 * uid_t uid) since: a pid fits 32 bits, a kernel address does not (it
	 * starts 0xff... with 4- or 5-level page tables). */
	if (a0 >> 32)
		victim = (void *)a0;
	e->ts = bpf_ktime_get_boot_ns();
	e->type = FLAP_LC_OOM;
	e->by_pid = bpf_get_current_pid_tgid() >> 32;
	if (victim) {
		e->pid = BPF_CORE_READ(victim, pid);
		e->flags = FLAP_OOM_F_VICTIM_MEMCG;
		BPF_CORE_READ_STR_INTO(&e->comm, victim, comm);
		memcg_of(victim, e);
	} else {
		e->pid = (__u32)a0;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		memcg_of(cur, e);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
