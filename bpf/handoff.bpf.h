/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * handoff.bpf.h - what the dispatcher hands the recorder it tail-calls
 * (struct flap_handoff, one entry per CPU and hook). The dispatcher defines
 * the map; the loader makes every recorder reuse it.
 */
#ifndef FLAP_HANDOFF_BPF_H
#define FLAP_HANDOFF_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FLAP_HOOKS);
	__type(key, __u32);
	__type(value, struct flap_handoff);
} handoff SEC(".maps");

static __always_inline struct flap_handoff *handoff_of(__u32 hook)
{
	return bpf_map_lookup_elem(&handoff, &hook);
}

#endif /* FLAP_HANDOFF_BPF_H */
