// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_variants.c - the program variants (recorder/kernel/kfeatures.h). The
 * probes pick what this kernel verifies and name what it lacks; the compat
 * programs load on every kernel from 5.10, the full recorder only where the
 * kernel has bpf_loop() and atomic fetch (elsewhere the kernel refuses it:
 * the case the loader must avoid). Both variants record one known workload
 * exactly alike: strings (an empty one among them), a buffer, iovecs, a
 * struct and execve's argv, with the same return values.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "flap.h"
#include "kfeatures.h"
#include "log.h"
#include "registry.h"
#include "test.h"
#include "testutil.h"
#include "util.h"

#include "record.skel.h"

static char missing[128];

/* Raw syscalls, so that libc adds nothing between them. */
static int workload(void *arg)
{
	char bytes[] = "flap-variants-known-bytes", a[] = "iov-one", b[] = "iov-two";
	char p0[] = "/nonexistent/flap-exec", s0[] = "flap-argv0", s1[] = "", s2[] = "third";
	char *argv[] = {s0, s1, s2, NULL}, *envp[] = {NULL}, empty[] = "";
	struct iovec iov[2] = {{a, sizeof(a) - 1}, {b, sizeof(b) - 1}};
	int fd = (int)(long)arg;
	struct stat st;

	syscall(SYS_openat, AT_FDCWD, missing, O_RDONLY);
	syscall(SYS_write, fd, bytes, sizeof(bytes) - 1);
	syscall(SYS_writev, fd, iov, 2);
	/* An empty path: some kernels count no NUL for it (record.bpf.c). */
	syscall(SYS_newfstatat, fd, empty, &st, AT_EMPTY_PATH);
	syscall(SYS_execve, p0, argv, envp);
	syscall(SYS_exit_group, 3);
	return 0;
}

/* The child's events of the workload, recorded by a registry of @compat. */
static struct flap_trace *record(bool compat, pid_t *pid)
{
	struct flap_registry_opts o = {.compat = compat};
	struct flap_recorder_opts ropts = {.buf_max = -1};
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	int devnull, status;

	devnull = open("/dev/null", O_WRONLY);
	if (!ASSERT_OK_FD(devnull, "open /dev/null"))
		return NULL;
	if (!ASSERT_OK(test_cgroup_make(compat ? "variant-compat" : "variant-chosen", &cg),
		       "cgroup"))
		goto out;
	if (!ASSERT_OK(flap_registry__new(&o, &reg), "registry") ||
	    !ASSERT_OK(flap_registry__add(reg, cg.id, &ropts, &rec), "add") ||
	    !ASSERT_OK(test_child_start(&cg, workload, (void *)(long)devnull, &child), "child"))
		goto out;
	test_child_go(&child);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3, "child exit 3");
	*pid = child.pid;
	if (ASSERT_OK(flap_recorder__read(rec, &t), "read") && test__verbose())
		test_dump_trace(t, 20);
out:
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	close(devnull);
	return t;
}

/* Event @i of @a and of @b (for threads @pa, @pb) say the same. */
static bool same_event(const struct flap_trace *a, pid_t pa, const struct flap_trace *b, pid_t pb,
		       long nr)
{
	long i = test_find_event(a, 0, pa, nr), j = test_find_event(b, 0, pb, nr);
	const struct flap_event *x, *y;
	char what[64];
	int k;

	snprintf(what, sizeof(what), "syscall %ld recorded by both", nr);
	if (!ASSERT_TRUE(i >= 0 && j >= 0, what))
		return false;
	x = &a->events[i];
	y = &b->events[j];
	snprintf(what, sizeof(what), "syscall %ld: ret, args, captures", nr);
	if (!ASSERT_TRUE(x->ret == y->ret && x->nargs == y->nargs && x->ncaps == y->ncaps, what))
		return false;
	/* Arguments that are not pointers into the child's (equal) layout. */
	for (k = 0; k < x->ncaps; k++) {
		snprintf(what, sizeof(what), "syscall %ld capture %d", nr, k);
		if (!ASSERT_TRUE(x->caps[k].arg == y->caps[k].arg &&
					 x->caps[k].flags == y->caps[k].flags &&
					 x->caps[k].len == y->caps[k].len &&
					 !memcmp(x->caps[k].data, y->caps[k].data, x->caps[k].len),
				 what))
			return false;
	}
	return true;
}

/* The full recorder on its own: the kernel refuses it, or loads it. */
static int load_full(void)
{
	struct flap_record *skel = flap_record__open();
	int err;

	if (!skel)
		return -errno;
	bpf_program__set_autoload(skel->progs.handle_sys_enter_compat, false);
	bpf_program__set_autoload(skel->progs.handle_sys_exit_compat, false);
	bpf_program__set_autoload(skel->progs.handle_signal_deliver_compat, false);
	bpf_program__set_autoload(skel->progs.handle_signal_generate_compat, false);
	err = bpf_map__set_max_entries(skel->maps.events, libbpf_num_possible_cpus());
	if (!err) {
		/* The refusal's verifier log is expected here: keep it quiet. */
		libbpf_set_print(NULL);
		err = flap_record__load(skel);
		flap_log__libbpf();
	}
	flap_record__destroy(skel);
	return err;
}

/* What the probes found, and what they say the kernel lacks. */
static void check_features(const struct flap_features *f)
{
	char lacks[256];

	flap_features__lacks(f, lacks, sizeof(lacks));
	if (test__verbose())
		fprintf(stderr, "  kernel %s: %s programs; lacks: %s\n", f->release,
			flap_variant__name(f->variant), lacks[0] ? lacks : "nothing");
	ASSERT_FALSE(f->forced, "variant from the probes (FLAP_BPF_VARIANT unset)");
	ASSERT_EQ(f->variant,
		  f->bpf_loop && f->atomic_fetch ? FLAP_VARIANT_FULL : FLAP_VARIANT_COMPAT,
		  "full only with bpf_loop() and atomic fetch");
	ASSERT_EQ(!lacks[0], f->variant == FLAP_VARIANT_FULL && f->task_btf,
		  "lacks nothing exactly when everything is there");
	ASSERT_EQ(!!strstr(lacks, "no bpf_loop()"), !f->bpf_loop, "bpf_loop() named when absent");
	ASSERT_EQ(!!strstr(lacks, "no bpf_get_current_task_btf()"), !f->task_btf,
		  "the task's BTF named when absent");
	/* The degraded case: a full recorder the kernel cannot verify. */
	if (f->variant == FLAP_VARIANT_FULL)
		ASSERT_OK(load_full(), "full recorder loads where chosen");
	else
		ASSERT_ERR(load_full(), "full recorder refused where compat is chosen");
}

void test_variants(void)
{
	const struct flap_features *f = flap_features__get();
	struct flap_trace *chosen = NULL, *compat = NULL;
	const long nrs[] = {SYS_openat, SYS_write, SYS_writev, SYS_newfstatat, SYS_execve};
	char buf[128];
	pid_t pc = 0, pk = 0;
	size_t i;
	long e;

	snprintf(missing, sizeof(missing), "/nonexistent/flap-variants-%d", (int)getpid());
	check_features(f);
	chosen = record(false, &pc);
	compat = record(true, &pk);
	if (!ASSERT_OK_PTR(chosen, "trace of the chosen variant") ||
	    !ASSERT_OK_PTR(compat, "trace of the compat variant"))
		goto out;
	for (i = 0; i < ARRAY_SIZE(nrs); i++)
		same_event(chosen, pc, compat, pk, nrs[i]);
	/* And what both recorded is right. */
	e = test_find_event(compat, 0, pk, SYS_newfstatat);
	if (ASSERT_GE(e, 0, "fstatat")) {
		ASSERT_STREQ(test_cap_str(&compat->events[e], 1, buf, sizeof(buf)), "",
			     "empty path kept as a string");
		ASSERT_EQ(compat->events[e].ret, 0, "fstatat of /dev/null");
	}
	e = test_find_event(compat, 0, pk, SYS_execve);
	if (ASSERT_GE(e, 0, "execve")) {
		/* each string a __u16 length and its bytes (FLAP_CAP_F_EACH) */
		static const char want[] = "\012\000flap-argv0\000\000\005\000third";
		const struct flap_event *ev = &compat->events[e];
		int k;

		ASSERT_EQ(ev->ret, -ENOENT, "execve ENOENT");
		for (k = 0; k < ev->ncaps && ev->caps[k].arg != 1; k++)
			;
		if (ASSERT_LT(k, ev->ncaps, "argv captured")) {
			ASSERT_EQ(ev->caps[k].len, sizeof(want) - 1,
				  "argv bytes, the empty one too");
			ASSERT_MEMEQ(ev->caps[k].data, want, sizeof(want) - 1, "argv strings");
			ASSERT_TRUE(ev->caps[k].flags & FLAP_EVCAP_F_EACH,
				    "argv strings one by one");
		}
	}
out:
	flap_trace__free(chosen);
	flap_trace__free(compat);
}
