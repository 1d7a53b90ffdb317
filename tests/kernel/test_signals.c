// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_signals.c - signals in the history, as the signal tracepoints give
 * them to the recorder (bpf/record_signal.bpf.h). Each subtest runs
 * tests/helpers/crasher in its own traced cgroup and reads the recorder:
 *
 * sigchld: a SIGCHLD handler runs as wait4 returns the child's pid. The
 *   delivery is there with the child's pid and status, named from the
 *   child's sent event; the handler's rt_sigreturn is one call, paired,
 *   with the mask the delivery saved and wait4's return value, and no
 *   syscall 65535 appears.
 * segv, wild: a store through NULL and through 0xdead0000. The delivery
 *   has SEGV_MAPERR, the address, the user registers and the stack, whose
 *   frames the CFI unwind names (the frame-pointer walk for crasher-fp).
 * deep_nofp: the same six calls deep, built -O2 without frame pointers:
 *   the CFI unwind names every caller up to main.
 * abort: SIGABRT from the process itself (SI_TKILL), with its stack.
 * term, kill: SIGTERM and SIGKILL sent by this test to a process blocked
 *   in pause(). The sent signal names this process and is marked as the
 *   one that killed; the SIGKILL each thread then takes is not shown.
 * Every subtest prints its trace as text and checks the signal lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "args.h"
#include "dump.h"
#include "format.h"
#include "registry.h"
#include "signals.h"
#include "symbols.h"
#include "test.h"
#include "testutil.h"

struct sig_run {
	struct test_cgroup cg;
	struct flap_registry *reg;
	struct flap_recorder *rec;
	struct flap_trace *t;
	struct test_child c;
	char text[65536]; /* the trace as text */
	int status;
	pid_t pid; /* the child's, after it is gone */
};

static bool start_bin(struct sig_run *r, const char *bin, const char *name, const char *mode);

static bool start(struct sig_run *r, const char *name, const char *mode)
{
	return start_bin(r, "crasher", name, mode);
}

static int exec_crasher(void *arg)
{
	char **argv = arg;

	execv(argv[0], argv);
	return 127;
}

/* Starts `BIN MODE sig-NAME` (a build of tests/helpers/crasher) in a fresh
 * traced cgroup NAME (parked until go). */
static bool start_bin(struct sig_run *r, const char *bin, const char *name, const char *mode)
{
	static char path[4096], m[32], tag[32];
	static char *argv[4];

	memset(r, 0, sizeof(*r));
	r->c.pid = -1;
	snprintf(path, sizeof(path), "%s/%s", test__bindir(), bin);
	snprintf(m, sizeof(m), "%s", mode);
	snprintf(tag, sizeof(tag), "sig-%s", name);
	argv[0] = path;
	argv[1] = m;
	argv[2] = tag;
	argv[3] = NULL;
	return ASSERT_OK(test_cgroup_make(name, &r->cg), "cgroup") &&
	       ASSERT_OK(flap_registry__new(NULL, &r->reg), "registry") &&
	       ASSERT_OK(flap_registry__add(r->reg, r->cg.id, NULL, &r->rec), "add") &&
	       ASSERT_OK(test_child_start(&r->cg, exec_crasher, argv, &r->c), "child");
}

/* Waits for the child, reads the recorder and prints the trace as text. */
static bool finish(struct sig_run *r)
{
	struct flap_dump_meta m;
	FILE *f;

	r->pid = r->c.pid;
	r->status = test_child_wait(&r->c);
	r->c.pid = -1;
	if (!ASSERT_OK(flap_recorder__read(r->rec, &r->t), "read"))
		return false;
	if (test__verbose())
		test_dump_trace(r->t, 40);
	flap_dump_meta__init(&m, "signals");
	f = fmemopen(r->text, sizeof(r->text) - 1, "w");
	if (!ASSERT_OK_PTR(f, "memstream"))
		return false;
	ASSERT_OK(flap_format__trace(f, &m, r->t, NULL), "text");
	fclose(f);
	if (test__verbose())
		fprintf(stderr, "%s", r->text);
	ASSERT_EQ(r->t->total.produced,
		  r->t->total.held + r->t->total.overwritten + r->t->total.lost,
		  "produced = held + overwritten + lost");
	ASSERT_FALSE(strstr(r->text, "syscall_65535"), "no invented syscall");
	return true;
}

static void cleanup(struct sig_run *r)
{
	if (r->c.pid > 0) {
		kill(r->c.pid, SIGKILL);
		test_child_wait(&r->c);
	}
	flap_trace__free(r->t);
	flap_registry__free(r->reg);
	test_cgroup_cleanup(&r->cg);
}

/* The first signal event of process @tgid with signal @sig, sent or delivered. */
static const struct flap_event *find_signal(const struct flap_trace *t, __u32 tgid, int sig,
					    bool sent)
{
	size_t i;

	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (ev->sig && ev->tgid == tgid && ev->sig->sig == sig &&
		    !!(ev->sig->flags & FLAP_SIG_SENT) == sent)
			return ev;
	}
	return NULL;
}

static void symbolize(const struct sig_run *r, struct flap_reason *reason);

/*
 * The reason a crash dump of @r's child gives (as daemon/crash.c makes it):
 * the signal that killed, taken from the history; its text must contain
 * @want, its header lines @line.
 */
static void check_reason_of(const struct sig_run *r, int sig, const char *comm, const char *want,
			    const char *line, struct flap_reason *out)
{
	const struct flap_event *ev = flap_signals__cause(r->t, r->pid, sig);
	struct flap_dump_meta m;
	char text[8192] = "";
	FILE *f;

	if (!ASSERT_OK_PTR(ev, "the signal that killed"))
		return;
	flap_dump_meta__init(&m, "signals");
	strcpy(m.reason.kind, "crash");
	m.reason.signal = sig;
	m.reason.pid = r->pid;
	snprintf(m.reason.comm, sizeof(m.reason.comm), "%s", comm);
	flap_reason__set_signal(&m.reason, ev);
	ASSERT_TRUE(m.reason.has_signal, "reason has the signal");
	ASSERT_EQ(m.reason.tid, (__u32)r->pid, "the thread");
	ASSERT_STREQ(m.reason.thread_comm, comm, "the thread's comm");
	symbolize(r, &m.reason);
	ASSERT_GT(flap_format__reason_text(&m.reason, true, m.reason.text, sizeof(m.reason.text)),
		  0, "reason text");
	if (!ASSERT_TRUE(strstr(m.reason.text, want), "reason text says it"))
		fprintf(stderr, "  text: %s\n  want: %s\n", m.reason.text, want);
	f = fmemopen(text, sizeof(text) - 1, "w");
	if (!ASSERT_OK_PTR(f, "memstream"))
		return;
	flap_format__header(f, &m, r->t, NULL);
	fclose(f);
	if (!ASSERT_TRUE(strstr(text, line), "header line"))
		fprintf(stderr, "  header: %s\n  want: %s\n", text, line);
	if (test__verbose())
		fprintf(stderr, "%s", text);
	if (out)
		*out = m.reason;
}

static void check_reason(const struct sig_run *r, int sig, const char *want, const char *line)
{
	check_reason_of(r, sig, "crasher", want, line, NULL);
}

/*
 * The stack of @reason named as crash.c names it: from the files the
 * history names (the crasher and libc, as the host sees them).
 */
static void symbolize(const struct sig_run *r, struct flap_reason *reason)
{
	struct flap_symbols_opts so = {.no_debug_dir = true};
	struct flap_symbols *sym = NULL;
	char exe[4096], **paths = NULL;
	int n;

	if (!reason->nframes)
		return;
	n = flap_symbols__paths_of(r->t, &paths);
	if (!ASSERT_GE(n, 1, "paths in the history"))
		return;
	so.paths = (const char *const *)paths;
	so.npaths = n;
	so.exe = flap_symbols__exe_of(r->t, r->pid, exe, sizeof(exe));
	ASSERT_OK_PTR(so.exe, "the program's file");
	if (ASSERT_OK(flap_symbols__new(&so, &sym), "symbolizer"))
		ASSERT_GE(flap_stack__symbolize(sym, reason), 1, "frames named");
	flap_symbols__free(sym);
	flap_symbols__free_paths(paths, n);
}

/* The named frames of @reason start with @names, found as @how says. */
static void check_stack(const struct flap_reason *reason, const char *const *names, const __u8 *how,
			int n)
{
	char what[128];
	int i;

	if (!ASSERT_GE(reason->nsyms, n, "stack frames named"))
		n = reason->nsyms;
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "frame #%d is %s", i, names[i]);
		ASSERT_STREQ(reason->syms[i].symbol, names[i], what);
		snprintf(what, sizeof(what), "frame #%d found by %d", i, how[i]);
		ASSERT_EQ(reason->syms[i].how, how[i], what);
		ASSERT_TRUE(strstr(reason->syms[i].path, "/crasher"), "in the crasher's file");
	}
}

/* The text line of @ev must contain @want. */
static void check_line(const struct flap_trace *t, const struct flap_event *ev, const char *want)
{
	char line[1024] = "";
	FILE *f = fmemopen(line, sizeof(line) - 1, "w");

	if (!ASSERT_OK_PTR(f, "memstream"))
		return;
	flap_format__event(f, t, ev, NULL);
	fclose(f);
	if (!ASSERT_TRUE(strstr(line, want), "signal line"))
		fprintf(stderr, "  line: %s  want: %s\n", line, want);
}

static void subtest_sigchld(void)
{
	const struct flap_event *dl, *sent, *ret = NULL, *wait = NULL;
	struct flap_siginfo_fields f;
	struct sig_run r;
	char want[256];
	__u32 child = 0;
	size_t i;

	test__start_subtest("sigchld");
	if (!start(&r, "sigchld", "sigchld"))
		goto out;
	test_child_go(&r.c);
	if (!finish(&r) ||
	    !ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "handler ran"))
		goto out;
	for (i = 0; i < r.t->nevents; i++) {
		const struct flap_event *ev = &r.t->events[i];

		if (ev->tgid != (__u32)r.pid || ev->sig)
			continue;
		if ((ev->nr == SYS_clone || ev->nr == SYS_fork) && ev->ret > 0 && !child)
			child = ev->ret;
		if (ev->nr == SYS_wait4 && ev->ret > 0)
			wait = ev;
		if (ev->nr == SYS_rt_sigreturn)
			ret = ev;
		ASSERT_NEQ(ev->nr, 65535, "no syscall 65535");
	}
	if (!ASSERT_GT(child, 0, "fork's child pid"))
		goto out;
	dl = find_signal(r.t, r.pid, SIGCHLD, false);
	sent = find_signal(r.t, r.pid, SIGCHLD, true);
	if (!ASSERT_OK_PTR(dl, "SIGCHLD delivered") || !ASSERT_OK_PTR(sent, "SIGCHLD sent") ||
	    !ASSERT_OK_PTR(ret, "rt_sigreturn") || !ASSERT_OK_PTR(wait, "wait4"))
		goto out;
	flap_args__siginfo_fields(dl->sig, &f);
	ASSERT_EQ(f.code, CLD_EXITED, "si_code");
	ASSERT_EQ(f.pid, (int)child, "si_pid: the child");
	ASSERT_EQ(f.status, 1, "si_status");
	ASSERT_GT(dl->sig->handler, 1, "a handler");
	ASSERT_FALSE(dl->sig->flags & FLAP_SIG_FAULT, "no fault for a handled signal");
	ASSERT_TRUE(flap_event__shown(dl), "delivery shown");
	ASSERT_FALSE(flap_event__shown(sent), "sent event not shown");
	ASSERT_EQ(sent->sig->sender_tgid, child, "sent by the child");
	ASSERT_STREQ(sent->sig->sender_comm, "crasher", "sender comm");
	ASSERT_TRUE(dl->sig->flags & FLAP_SIG_SENDER, "delivery knows its sender");
	ASSERT_EQ(dl->sig->sender_tgid, child, "delivery's sender");
	snprintf(want, sizeof(want),
		 "] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=%u, si_uid=0, "
		 "si_status=1, si_utime=",
		 child);
	check_line(r.t, dl, want);
	ASSERT_TRUE(strstr(r.text, want), "in the trace's text");
	/* The handler returns: one call, paired, wait4's value restored. */
	ASSERT_TRUE(ret->flags & FLAP_EV_F_HAS_RET, "rt_sigreturn returned");
	ASSERT_FALSE(ret->flags & (FLAP_EV_F_EXIT_LOST | FLAP_EV_F_UNFINISHED), "paired");
	ASSERT_EQ(ret->ret, (__s64)child, "rt_sigreturn = the restored return value");
	ASSERT_TRUE(ret->flags & FLAP_EV_F_SIGMASK, "mask known");
	ASSERT_EQ(ret->args[0], 0, "mask empty");
	ASSERT_LT(dl - r.t->events, ret - r.t->events, "delivery before rt_sigreturn");
	snprintf(want, sizeof(want), "] rt_sigreturn({mask=[]})");
	check_line(r.t, ret, want);
	snprintf(want, sizeof(want), "] rt_sigreturn({mask=[]}) = %u <", child);
	if (!ASSERT_TRUE(strstr(r.text, want), "rt_sigreturn = pid, as strace"))
		fprintf(stderr, "  rt_sigreturn flags %#x ts %llu dur %llu\n%s", ret->flags,
			(unsigned long long)ret->ts, (unsigned long long)ret->dur_ns, r.text);
out:
	cleanup(&r);
}

/*
 * A fault: SEGV_MAPERR at @addr, with registers and a stack named @names
 * (@n of them): by the frame-pointer walk for the build with frame
 * pointers (@bin crasher-fp), by the objects' CFI over the stack copy
 * without.
 */
static void subtest_fault(const char *name, const char *bin, const char *mode, __u64 addr,
			  const char *addr_text, const char *const *names, int n)
{
	bool fp = !strcmp(bin, "crasher-fp");
	static struct flap_reason reason;
	const struct flap_event *dl;
	struct flap_siginfo_fields f;
	__u8 how[FLAP_REASON_STACK];
	struct sig_run r;
	char want[256];
	int i;

	for (i = 0; i < n; i++)
		how[i] = !i ? FLAP_FRAME_REGS : fp ? FLAP_FRAME_FP : FLAP_FRAME_CFI;
	test__start_subtest(name);
	if (!start_bin(&r, bin, name, mode))
		goto out;
	test_child_go(&r.c);
	if (!finish(&r) ||
	    !ASSERT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSEGV, "SIGSEGV"))
		goto out;
	dl = find_signal(r.t, r.pid, SIGSEGV, false);
	if (!ASSERT_OK_PTR(dl, "SIGSEGV delivered"))
		goto out;
	flap_args__siginfo_fields(dl->sig, &f);
	ASSERT_EQ(f.code, SEGV_MAPERR, "SEGV_MAPERR");
	ASSERT_TRUE(f.has_addr, "si_addr");
	ASSERT_EQ(f.addr, addr, "the address");
	ASSERT_EQ(dl->sig->handler, 0, "no handler");
	ASSERT_TRUE(dl->sig->flags & FLAP_SIG_FAULT, "fault part");
	ASSERT_NEQ(dl->sig->ip, 0, "ip");
	if (ASSERT_GE(dl->sig->nframes, 1, "stack frames"))
		ASSERT_EQ(dl->sig->frames[0], dl->sig->ip, "frame 0 is the ip");
	ASSERT_TRUE(dl->sig->flags & FLAP_SIG_SENDER, "the fault's sent event");
	ASSERT_EQ(dl->sig->sender_tgid, r.pid, "sent by itself");
	snprintf(want, sizeof(want),
		 "] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=%s} ---\n",
		 addr_text);
	ASSERT_TRUE(strstr(r.text, want), "SIGSEGV line");
	if (!strstr(r.text, want))
		fprintf(stderr, "  want: %s", want);
	snprintf(want, sizeof(want), "SIGSEGV (SEGV_MAPERR at %s, ip %#llx) in pid %d (%s)",
		 addr_text, (unsigned long long)dl->sig->ip, r.pid, bin);
	check_reason_of(&r, SIGSEGV, bin, want,
			"# signal: --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR", &reason);
	check_stack(&reason, names, how, n);
	/* The stack copy held main's frame too: its caller (in libc) follows. */
	if (!fp)
		ASSERT_GT(reason.nsyms, n, "main's caller");
	if (fp)
		ASSERT_GE(dl->sig->nframes, 3, "the frame-pointer walk: 3 frames or more");
out:
	cleanup(&r);
}

static void subtest_abort(void)
{
	static struct flap_reason reason;
	const struct flap_event *dl;
	struct sig_run r;
	char want[256];
	int i;

	test__start_subtest("abort");
	if (!start(&r, "abort", "abort"))
		goto out;
	test_child_go(&r.c);
	if (!finish(&r) ||
	    !ASSERT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGABRT, "SIGABRT"))
		goto out;
	dl = find_signal(r.t, r.pid, SIGABRT, false);
	if (!ASSERT_OK_PTR(dl, "SIGABRT delivered"))
		goto out;
	ASSERT_TRUE(dl->sig->flags & FLAP_SIG_FAULT, "registers and stack");
	ASSERT_GE(dl->sig->nframes, 1, "stack frames");
	snprintf(want, sizeof(want),
		 "] --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=%d, si_uid=0} ---\n",
		 r.pid);
	ASSERT_TRUE(strstr(r.text, want), "SIGABRT line");
	snprintf(want, sizeof(want), "SIGABRT (SI_TKILL from itself, ip %#llx) in pid %d (crasher)",
		 (unsigned long long)dl->sig->ip, r.pid);
	check_reason_of(&r, SIGABRT, "crasher", want, ", the process itself, uid 0", &reason);
	/* libc has no frame pointers: its caller, main, from libc's CFI. */
	for (i = 0; i < reason.nsyms; i++)
		if (!strcmp(reason.syms[i].symbol, "main"))
			break;
	if (ASSERT_LT(i, reason.nsyms, "main on the stack"))
		ASSERT_EQ(reason.syms[i].how, FLAP_FRAME_CFI, "found by CFI");
out:
	cleanup(&r);
}

/* SIGTERM or SIGKILL from this process to one blocked in pause(). */
static void subtest_killed(int sig, const char *mode)
{
	const struct flap_event *sent, *ev;
	struct sig_run r;
	char want[256];
	size_t i;
	int n = 0;

	test__start_subtest(mode);
	if (!start(&r, mode, "pause"))
		goto out;
	test_child_go(&r.c);
	if (!ASSERT_OK(test_wait_syscall(r.c.pid, SYS_pause, -1, 10000), "in pause()"))
		goto out;
	if (!ASSERT_OK(kill(r.c.pid, sig), "kill"))
		goto out;
	if (!finish(&r) ||
	    !ASSERT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == sig, "killed by it"))
		goto out;
	sent = find_signal(r.t, r.pid, sig, true);
	if (!ASSERT_OK_PTR(sent, "sent signal"))
		goto out;
	ASSERT_TRUE(sent->sig->flags & FLAP_SIG_KILLED, "the one that killed");
	ASSERT_TRUE(flap_event__shown(sent), "shown");
	ASSERT_EQ(sent->sig->sender_tgid, (__u32)getpid(), "sender pid");
	ASSERT_STREQ(sent->sig->sender_comm, "kernel_tests", "sender comm");
	ASSERT_NEQ(sent->sig->sender_cgid, r.cg.id, "sender outside the cgroup");
	ASSERT_TRUE(sent->sig->group, "sent to the process");
	for (i = 0; i < r.t->nevents; i++) {
		ev = &r.t->events[i];
		if (ev->sig && !(ev->sig->flags & FLAP_SIG_SENT)) {
			ASSERT_EQ(ev->sig->sig, SIGKILL, "a group exit's SIGKILL");
			ASSERT_TRUE(ev->sig->flags & FLAP_SIG_GROUP_EXIT, "group exit");
			ASSERT_FALSE(flap_event__shown(ev), "not shown");
			n++;
		}
	}
	ASSERT_EQ(n, 1, "one thread took the group exit");
	snprintf(want, sizeof(want),
		 "] --- %s {si_signo=%s, si_code=SI_USER, si_pid=%d, si_uid=0} ---\n",
		 sig == SIGKILL ? "SIGKILL" : "SIGTERM", sig == SIGKILL ? "SIGKILL" : "SIGTERM",
		 getpid());
	ASSERT_TRUE(strstr(r.text, want), "the signal's line");
	if (!strstr(r.text, want))
		fprintf(stderr, "  want: %s", want);
	if (sig != SIGKILL)
		ASSERT_FALSE(strstr(r.text, "--- SIGKILL"), "no SIGKILL line");
	snprintf(want, sizeof(want), "%s from pid %d (kernel_tests) in pid %d (crasher)",
		 sig == SIGKILL ? "SIGKILL" : "SIGTERM", getpid(), r.pid);
	check_reason(&r, sig, want, "# sender: pid ");
out:
	cleanup(&r);
}

void test_signals(void)
{
	static const char *const names[] = {"flapbar_leaf", "flapbar_mid", "main"};
	static const char *const deep[] = {"flapbar_leaf",  "flapbar_mid",   "flapbar_deep1",
					   "flapbar_deep2", "flapbar_deep3", "main"};

	subtest_sigchld();
	subtest_fault("segv", "crasher", "segv", 0, "NULL", names, 3);
	subtest_fault("wild", "crasher", "wild", 0xdead0000ULL, "0xdead0000", names, 3);
	subtest_fault("segv_fp", "crasher-fp", "segv", 0, "NULL", names, 3);
	/* -O2 without frame pointers, a 256-byte buffer on the way: every caller. */
	subtest_fault("deep_nofp", "crasher-nofp", "deep", 0, "NULL", deep, 6);
	subtest_abort();
	subtest_killed(SIGTERM, "term");
	subtest_killed(SIGKILL, "kill");
}
