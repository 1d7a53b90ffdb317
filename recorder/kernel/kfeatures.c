// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kfeatures.c - BPF feature probes of the running kernel (see kfeatures.h).
 *
 * Helpers are probed with libbpf_probe_bpf_helper() on a raw tracepoint
 * program (the program type shares its helpers with tp_btf); an instruction
 * is probed by loading a three-instruction socket filter that uses it,
 * the way bpftool's `feature probe` does. The kernel's version is never
 * used to decide: distribution kernels backport.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kfeatures.h"
#include "log.h"

static struct flap_features features;
static bool probed;

static bool has_helper(enum bpf_func_id id)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, id, NULL) == 1;
}

/* Loads `*(u64 *)(r10 - 8) = 0; r1 = 1; r1 = atomic_fetch_add(r10 - 8, r1)`. */
static bool has_atomic_fetch(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10, .off = -8, .imm = 0},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1},
		{.code = BPF_STX | BPF_ATOMIC | BPF_DW,
		 .dst_reg = BPF_REG_10,
		 .src_reg = BPF_REG_1,
		 .off = -8,
		 .imm = BPF_ADD | BPF_FETCH},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* bpf_prog_info.verified_insns (5.16): a kernel that has it fills it in. */
static bool has_prog_stats(void)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	bool ok;
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, 2, NULL);
	if (fd < 0)
		return false;
	ok = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.verified_insns > 0;
	close(fd);
	return ok;
}

static void pick_variant(struct flap_features *f)
{
	const char *env = getenv("FLAP_BPF_VARIANT");

	f->variant = f->bpf_loop && f->atomic_fetch ? FLAP_VARIANT_FULL : FLAP_VARIANT_COMPAT;
	if (env && *env) {
		if (!strcmp(env, "full")) {
			f->variant = FLAP_VARIANT_FULL;
			f->forced = true;
		} else if (!strcmp(env, "compat")) {
			f->variant = FLAP_VARIANT_COMPAT;
			f->forced = true;
		} else {
			pr_warn("features: FLAP_BPF_VARIANT=%s: not full or compat, ignored", env);
		}
	}
}

const struct flap_features *flap_features__get(void)
{
	struct utsname u;

	if (probed)
		return &features;
	probed = true;
	features.task_btf = has_helper(BPF_FUNC_get_current_task_btf);
	features.bpf_loop = has_helper(BPF_FUNC_loop);
	features.atomic_fetch = has_atomic_fetch();
	features.prog_stats = has_prog_stats();
	if (uname(&u) == 0)
		snprintf(features.release, sizeof(features.release), "%s", u.release);
	pick_variant(&features);
	pr_debug("features: kernel %s: task_btf %d, bpf_loop %d, atomic_fetch %d: %s recorder%s",
		 features.release, features.task_btf, features.bpf_loop, features.atomic_fetch,
		 flap_variant__name(features.variant), features.forced ? " (forced)" : "");
	return &features;
}

const char *flap_variant__name(enum flap_variant v)
{
	return v == FLAP_VARIANT_COMPAT ? "compat" : "full";
}

int flap_features__lacks(const struct flap_features *f, char *buf, size_t size)
{
	const char *sep = "";
	int n = 0;

	if (size)
		buf[0] = 0;
	if (f->variant == FLAP_VARIANT_FULL && f->task_btf)
		return 0;
#define ADD(...) n += snprintf(buf + n, (size_t)n < size ? size - n : 0, __VA_ARGS__)
	ADD("%s programs", f->variant == FLAP_VARIANT_COMPAT ? "compat" : "full");
	if (f->forced)
		ADD(" (FLAP_BPF_VARIANT)");
	ADD(":");
	if (!f->bpf_loop) {
		ADD("%s no bpf_loop() (5.17)", sep);
		sep = ",";
	}
	if (!f->atomic_fetch) {
		ADD("%s no atomic fetch (5.12)", sep);
		sep = ",";
	}
	if (!f->task_btf) {
		ADD("%s no bpf_get_current_task_btf() (5.11)", sep);
		sep = ",";
	}
	if (!*sep)
		ADD(" chosen");
	ADD(": the same events, more cost per syscall");
#undef ADD
	return n;
}
