/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * kfeatures.h - what the running kernel's BPF can do, probed once before the
 * first load, and the program variants that follow from it. One binary
 * serves every kernel from 5.10 with BTF: the dispatcher reads the cgroup
 * id through the task's BTF where bpf_get_current_task_btf() exists (5.11)
 * and by helper calls where it does not; the recorder loads its full
 * variant where bpf_loop() and atomic fetch-and-add exist (5.17) and its
 * compat variant elsewhere (bpf/record_variant.bpf.h). Both variants record
 * the same events; what an older kernel costs is speed, and what it lacks
 * is named in `status` and in every dump.
 */
#ifndef FLAP_KFEATURES_H
#define FLAP_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

enum flap_variant {
	FLAP_VARIANT_FULL = 0,	 /* bpf_loop(), global functions, atomic fetch */
	FLAP_VARIANT_COMPAT = 1, /* bounded loops, static subprograms, plain busy guard */
};

struct flap_features {
	bool task_btf;	   /* bpf_get_current_task_btf() (5.11) */
	bool bpf_loop;	   /* bpf_loop() (5.17) */
	bool atomic_fetch; /* BPF_ATOMIC with BPF_FETCH (5.12) */
	bool prog_stats;   /* bpf_prog_info.verified_insns (5.16) */
	enum flap_variant variant;
	bool forced;	  /* the variant comes from FLAP_BPF_VARIANT, not the probes */
	char release[65]; /* uname -r */
};

/**
 * flap_features__get() - the running kernel's features, probed on the first
 * call (a few tiny program loads) and cached. FLAP_BPF_VARIANT=full|compat
 * in the environment overrides the recorder variant (for tests: the compat
 * variant's busy guard is exact only on kernels that run syscall
 * tracepoints with preemption disabled, as every kernel without bpf_loop()
 * does). Needs the privileges of a BPF load; on failure every probe reads
 * as "absent". Return: borrowed, never NULL. Context: any (not thread-safe
 * on the first call).
 */
const struct flap_features *flap_features__get(void);

/**
 * flap_features__lacks() - one line saying what this kernel lacks and what
 * that changes, for `status` and dump headers ("" when nothing): for
 * example "compat programs: no bpf_loop() (5.17), no
 * bpf_get_current_task_btf() (5.11): same events, more cost per syscall".
 * Return: the length written (snprintf rules).
 */
int flap_features__lacks(const struct flap_features *f, char *buf, size_t size);

/** flap_variant__name() - "full" or "compat". */
const char *flap_variant__name(enum flap_variant v);

#endif /* FLAP_KFEATURES_H */
