/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * cpu_task.bpf.h - the per-CPU view of the running task that the
 * dispatcher keeps (struct flap_cpu_task) and the recorders read: the
 * dispatcher defines the map, the loader makes every recorder reuse it.
 */
#ifndef FLAP_CPU_TASK_BPF_H
#define FLAP_CPU_TASK_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flap_cpu_task);
} cpu_task SEC(".maps");

static __always_inline struct flap_cpu_task *this_cpu_task(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cpu_task, &zero);
}

#endif /* FLAP_CPU_TASK_BPF_H */
