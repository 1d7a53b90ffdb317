// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_load.c - "load everything": every BPF object of flap-recorder passes
 * the verifier of the running kernel. Through the library (a registry with
 * the lifecycle program, and recorders with the default, the largest and
 * no buffer captures), and each skeleton on its own, which gives the
 * programs' verified instruction counts (printed with -v) and load times.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flap.h"
#include "kfeatures.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"

#include "dispatch.skel.h"
#include "lifecycle.skel.h"
#include "record.skel.h"

/* Recorder settings the library accepts: every one must verify. */
static const struct flap_recorder_opts variants[] = {
	{.ring_pages = 0, .str_max = 0, .buf_max = -1}, /* defaults: 256 / 64 */
	{.ring_pages = FLAP_RING_PAGES_MIN, .str_max = FLAP_STR_MAX, .buf_max = FLAP_BUF_MAX},
	{.ring_pages = 4, .str_max = 1, .buf_max = 0},
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Checks and prints the verifier's statistics of a loaded program. */
static void report_prog(const char *obj, const struct bpf_program *prog, double load_ms)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char name[128];
	int fd = bpf_program__fd(prog);

	snprintf(name, sizeof(name), "%s/%s loaded", obj, bpf_program__name(prog));
	if (!ASSERT_OK_FD(fd, name))
		return;
	snprintf(name, sizeof(name), "%s/%s info", obj, bpf_program__name(prog));
	if (!ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len), name))
		return;
	snprintf(name, sizeof(name), "%s/%s verified_insns", obj, bpf_program__name(prog));
	/* Kernels before 5.16 do not report it. */
	if (flap_features__get()->prog_stats)
		ASSERT_GT(info.verified_insns, 0, name);
	if (test__verbose())
		fprintf(stderr,
			"  %-28s %-18s verified_insns %7u  xlated %6u B  jited %6u B  object "
			"load %.1f ms\n",
			obj, bpf_program__name(prog), info.verified_insns, info.xlated_prog_len,
			info.jited_prog_len, load_ms);
}

/* The dispatcher's pair with the task's BTF, or without it (@compat). */
static void load_dispatch(bool compat)
{
	struct flap_dispatch *skel;
	double t0 = now_ms();
	int err;

	skel = flap_dispatch__open();
	if (!ASSERT_OK_PTR(skel, "dispatch open"))
		return;
	bpf_program__set_autoload(skel->progs.handle_sys_enter, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_enter_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit_compat, compat);
	err = flap_dispatch__load(skel);
	if (ASSERT_OK(err, "dispatch load")) {
		report_prog(compat ? "dispatch compat" : "dispatch",
			    compat ? skel->progs.handle_sys_enter_compat
				   : skel->progs.handle_sys_enter,
			    now_ms() - t0);
		report_prog(compat ? "dispatch compat" : "dispatch",
			    compat ? skel->progs.handle_sys_exit_compat
				   : skel->progs.handle_sys_exit,
			    now_ms() - t0);
		/* The signal programs: one of each, loaded with either pair. */
		report_prog(compat ? "dispatch compat" : "dispatch",
			    skel->progs.handle_signal_deliver, now_ms() - t0);
		report_prog(compat ? "dispatch compat" : "dispatch",
			    skel->progs.handle_signal_generate, now_ms() - t0);
	}
	flap_dispatch__destroy(skel);
}

static void load_lifecycle(void)
{
	struct flap_lifecycle *skel;
	double t0 = now_ms();
	int err;

	skel = flap_lifecycle__open();
	if (!ASSERT_OK_PTR(skel, "lifecycle open"))
		return;
	err = flap_lifecycle__load(skel);
	if (ASSERT_OK(err, "lifecycle load")) {
		report_prog("lifecycle", skel->progs.handle_exit, now_ms() - t0);
		report_prog("lifecycle", skel->progs.handle_oom, now_ms() - t0);
	}
	flap_lifecycle__destroy(skel);
}

/* The recorder as registry.c loads it, with the settings of @o, in
 * program variant @v. */
static void load_record(const struct flap_recorder_opts *o, enum flap_variant v)
{
	bool compat = v == FLAP_VARIANT_COMPAT;
	struct flap_record *skel;
	char obj[64];
	double t0 = now_ms();
	int err;

	skel = flap_record__open();
	if (!ASSERT_OK_PTR(skel, "record open"))
		return;
	bpf_program__set_autoload(skel->progs.handle_sys_enter, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_enter_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_signal_deliver, !compat);
	bpf_program__set_autoload(skel->progs.handle_signal_generate, !compat);
	bpf_program__set_autoload(skel->progs.handle_signal_deliver_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_signal_generate_compat, compat);
	skel->rodata->cfg_str_max = o->str_max ? o->str_max : FLAP_STR_DEFAULT;
	skel->rodata->cfg_buf_max = o->buf_max >= 0 ? (__u32)o->buf_max : FLAP_BUF_DEFAULT;
	err = bpf_map__set_max_entries(skel->maps.events, libbpf_num_possible_cpus());
	if (ASSERT_OK(err, "record events size"))
		err = flap_record__load(skel);
	snprintf(obj, sizeof(obj), "record %s(str %u, buf %u)", flap_variant__name(v),
		 skel->rodata->cfg_str_max, skel->rodata->cfg_buf_max);
	if (ASSERT_OK(err, "record load")) {
		report_prog(obj,
			    compat ? skel->progs.handle_sys_enter_compat
				   : skel->progs.handle_sys_enter,
			    now_ms() - t0);
		report_prog(obj,
			    compat ? skel->progs.handle_sys_exit_compat
				   : skel->progs.handle_sys_exit,
			    now_ms() - t0);
		report_prog(obj,
			    compat ? skel->progs.handle_signal_deliver_compat
				   : skel->progs.handle_signal_deliver,
			    now_ms() - t0);
		report_prog(obj,
			    compat ? skel->progs.handle_signal_generate_compat
				   : skel->progs.handle_signal_generate,
			    now_ms() - t0);
	}
	flap_record__destroy(skel);
}

/* The library path: registry (dispatcher + lifecycle) and recorders. */
static void load_registry(void)
{
	struct flap_registry_opts ropts = {.lifecycle = true};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec;
	struct test_cgroup cg = {};
	double t0;
	size_t i;
	int err;

	if (!ASSERT_OK(test_cgroup_make("load", &cg), "cgroup"))
		return;
	t0 = now_ms();
	err = flap_registry__new(&ropts, &reg);
	if (!ASSERT_OK(err, "registry with lifecycle"))
		goto out;
	if (test__verbose())
		fprintf(stderr,
			"  registry (dispatcher + lifecycle) loaded and attached in %.1f ms\n",
			now_ms() - t0);
	ASSERT_GE(flap_registry__exits_fd(reg), 0, "lifecycle ring");
	{
		/* The kernel's recursion_misses of the dispatcher: readable. */
		__u64 skipped = ~0ULL;

		ASSERT_OK(flap_registry__skipped(reg, &skipped), "skipped count");
		ASSERT_NEQ(skipped, ~0ULL, "skipped count set");
	}
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		t0 = now_ms();
		err = flap_registry__add(reg, cg.id, &variants[i], &rec);
		if (!ASSERT_OK(err, "add recorder"))
			continue;
		if (test__verbose())
			fprintf(stderr, "  recorder (str %u, buf %d, %u pages) added in %.1f ms\n",
				flap_recorder__opts(rec)->str_max,
				flap_recorder__opts(rec)->buf_max,
				flap_recorder__opts(rec)->ring_pages, now_ms() - t0);
		flap_registry__remove(reg, rec);
	}
out:
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
}

void test_load(void)
{
	const struct flap_features *f = flap_features__get();
	size_t i;

	load_registry();
	/* The compat pair loads on every kernel; the other where the kernel
	 * has bpf_get_current_task_btf(). */
	if (f->task_btf)
		load_dispatch(false);
	load_dispatch(true);
	load_lifecycle();
	/* The compat variant loads on every kernel; the full one where the
	 * probes chose it (and on every kernel with bpf_loop()). */
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (f->bpf_loop && f->atomic_fetch)
			load_record(&variants[i], FLAP_VARIANT_FULL);
		load_record(&variants[i], FLAP_VARIANT_COMPAT);
	}
}
