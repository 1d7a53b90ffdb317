// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lifecycle.bpf.c - process exits in traced cgroups. Every exiting thread
 * group of a traced cgroup sends one small record (pid, exit code or fatal
 * signal, comm) into a normal BPF ring buffer that the daemon drains from
 * its event loop, so it learns of a crash as it happens. Untraced cgroups
 * cost the same table lookup as in the dispatcher; the table is the
 * dispatcher's own map (the loader reuses its fd).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "flap.h"
#include "table.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} lifecycle_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lifecycle_lost SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *task)
{
	struct flap_exit_event *e;
	__u32 zero = 0;
	__u64 *lost;
	__u64 id;

	/* One record per thread group: the leader exits last, with the group's
	 * exit code (a fatal signal in any thread kills the whole group). */
	if (task->pid != task->tgid)
		return 0;
	id = task_cgroup_id(task);
	if (cgroup_slot(id) < 0)
		return 0;
	e = bpf_ringbuf_reserve(&lifecycle_rb, sizeof(*e), 0);
	if (!e) {
		lost = bpf_map_lookup_elem(&lifecycle_lost, &zero);
		if (lost)
			(*lost)++;
		return 0;
	}
	e->ts = bpf_ktime_get_boot_ns();
	e->cgid = id;
	e->pid = task->tgid;
	e->ppid = task->real_parent->tgid;
	e->exit_code = task->exit_code;
	e->type = FLAP_LC_EXIT;
	e->pad = 0;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
