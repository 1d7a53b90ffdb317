// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_format_signals.c - signal events printed as strace prints them:
 * "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---" for each
 * kind of siginfo (a child's exit, a fault with NULL and a wild address,
 * kill and tkill, a queued value, a timer, SIGIO, SIGSYS, si_errno, a
 * signal sent without siginfo), the sent signal that killed a process in
 * place of its delivery, the events that are not shown (a group exit's
 * SIGKILL, a sent signal that was delivered), rt_sigreturn with the mask
 * it restores, the -e filter (signals show whatever the set), and the JSON
 * objects of signals. Runs with TZ=UTC.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "dump.h"
#include "format.h"
#include "signals.h"
#include "syscalls.h"
#include "sysset.h"
#include "test.h"
#include "trace.h"

#define WALL0 1714564800000000000LL
#define BOOT0 1000000000ULL

static struct flap_trace *new_trace(void)
{
	struct flap_source s = {.cgroup_id = 4242, .main_pid = 42};
	struct flap_trace *t = NULL;

	setenv("TZ", "UTC", 1);
	tzset();
	if (flap_trace__new(1, &t))
		return NULL;
	t->boot_to_real_ns = WALL0 - (__s64)BOOT0;
	strcpy(s.name, "app");
	if (flap_trace__add_source(t, &s) < 0) {
		flap_trace__free(t);
		return NULL;
	}
	return t;
}

/* A signal event of thread 42 at BOOT0 + @us us with siginfo @si. */
static struct flap_event *add_sig(struct flap_trace *t, __u32 us, int sig, const siginfo_t *si,
				  __u32 flags)
{
	struct flap_event *ev = flap_trace__push(t);
	struct flap_signal s = {.sig = sig, .flags = flags};

	if (!ev)
		return NULL;
	if (si)
		memcpy(s.info, si, sizeof(s.info));
	s.sender_tgid = s.sender_tid = 812;
	strcpy(s.sender_comm, "containerd-shim");
	ev->ts = BOOT0 + us * 1000ULL;
	ev->tid = ev->tgid = 42;
	ev->nr = FLAP_EV_NR_SIGNAL;
	ev->flags = FLAP_EV_F_HAS_ENTER;
	strcpy(ev->comm, "app");
	ev->sig = flap_trace__copy_signal(t, &s);
	return ev->sig ? ev : NULL;
}

static char *text_of(const struct flap_trace *t, const struct flap_event *ev,
		     const struct flap_format_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_OK_PTR(f, "memstream"))
		return NULL;
	if (ev)
		ASSERT_OK(flap_format__event(f, t, ev, o), "event");
	else
		ASSERT_OK(flap_format__trace(f, NULL, t, o), "trace");
	fclose(f);
	return buf;
}

static void line_is(const struct flap_trace *t, const struct flap_event *ev, const char *want)
{
	char *s = text_of(t, ev, NULL);

	ASSERT_STREQ(s, want, want);
	free(s);
}

static siginfo_t si_of(int sig, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	return si;
}

void test_format_signal_lines(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;
	siginfo_t si;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	si = si_of(SIGCHLD, CLD_EXITED);
	si.si_pid = 1092;
	si.si_status = 1;
	ev = add_sig(t, 1, SIGCHLD, &si, 0);
	line_is(t, ev,
		"12:00:00.000001 [pid 42] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, "
		"si_pid=1092, si_uid=0, si_status=1, si_utime=0, si_stime=0} ---\n");
	si = si_of(SIGCHLD, CLD_KILLED);
	si.si_pid = 1093;
	si.si_uid = 1000;
	si.si_status = SIGKILL;
	si.si_utime = 3;
	si.si_stime = 4;
	line_is(t, add_sig(t, 2, SIGCHLD, &si, 0),
		"12:00:00.000002 [pid 42] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, "
		"si_pid=1093, si_uid=1000, si_status=SIGKILL, si_utime=3, si_stime=4} ---\n");
	si = si_of(SIGSEGV, SEGV_MAPERR);
	line_is(t, add_sig(t, 3, SIGSEGV, &si, 0),
		"12:00:00.000003 [pid 42] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, "
		"si_addr=NULL} ---\n");
	si = si_of(SIGSEGV, SEGV_ACCERR);
	si.si_addr = (void *)0xdead0000UL;
	line_is(t, add_sig(t, 4, SIGSEGV, &si, 0),
		"12:00:00.000004 [pid 42] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, "
		"si_addr=0xdead0000} ---\n");
	si = si_of(SIGBUS, BUS_ADRERR);
	si.si_addr = (void *)0x7f0000001000UL;
	line_is(t, add_sig(t, 5, SIGBUS, &si, 0),
		"12:00:00.000005 [pid 42] --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, "
		"si_addr=0x7f0000001000} ---\n");
	si = si_of(SIGABRT, SI_TKILL);
	si.si_pid = 42;
	line_is(t, add_sig(t, 6, SIGABRT, &si, 0),
		"12:00:00.000006 [pid 42] --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, "
		"si_pid=42, si_uid=0} ---\n");
	si = si_of(SIGUSR1, SI_QUEUE);
	si.si_pid = 7;
	si.si_uid = (uid_t)-1;
	si.si_value.sival_ptr = (void *)5;
	line_is(t, add_sig(t, 7, SIGUSR1, &si, 0),
		"12:00:00.000007 [pid 42] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_QUEUE, "
		"si_pid=7, "
		"si_uid=-1, si_int=5, si_ptr=0x5} ---\n");
	si = si_of(SIGALRM, SI_KERNEL);
	line_is(t, add_sig(t, 8, SIGALRM, &si, 0),
		"12:00:00.000008 [pid 42] --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---\n");
	si = si_of(SIGRTMIN + 1, SI_TIMER);
	si.si_timerid = 2;
	si.si_overrun = 0;
	line_is(t, add_sig(t, 9, 35, &si, 0),
		"12:00:00.000009 [pid 42] --- SIGRT_3 {si_signo=SIGRT_3, si_code=SI_TIMER, "
		"si_timerid=0x2, si_overrun=0, si_int=0, si_ptr=NULL} ---\n");
	si = si_of(SIGIO, POLL_IN);
	si.si_band = 65;
	si.si_fd = 5;
	line_is(t, add_sig(t, 10, SIGIO, &si, 0),
		"12:00:00.000010 [pid 42] --- SIGIO {si_signo=SIGIO, si_code=POLL_IN, si_band=65, "
		"si_fd=5} ---\n");
	si = si_of(SIGSYS, 1 /* SYS_SECCOMP */);
	si.si_call_addr = (void *)0x401000UL;
	si.si_syscall = 39;
	si.si_arch = 0xc000003e;
	si.si_errno = 1;
	line_is(t, add_sig(t, 11, SIGSYS, &si, 0),
		"12:00:00.000011 [pid 42] --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, "
		"si_errno=EPERM, si_call_addr=0x401000, si_syscall=__NR_getpid, "
		"si_arch=AUDIT_ARCH_X86_64} ---\n");
	/* Sent without siginfo: what the kernel makes of it. */
	line_is(t, add_sig(t, 12, SIGTERM, NULL, FLAP_SIG_SENT | FLAP_SIG_NOINFO),
		"12:00:00.000012 [pid 42] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, "
		"si_pid=812, si_uid=0} ---\n");
	line_is(t, add_sig(t, 13, SIGHUP, NULL, FLAP_SIG_SENT | FLAP_SIG_NOINFO | FLAP_SIG_PRIV),
		"12:00:00.000013 [pid 42] --- SIGHUP {si_signo=SIGHUP, si_code=SI_KERNEL} ---\n");
	flap_trace__free(t);
}

/*
 * A whole trace: a SIGTERM that killed the process shows as its delivery;
 * the group exit's SIGKILL and a sent signal that was delivered do not.
 * An -e set selects calls, never signals.
 */
void test_format_signal_trace(void)
{
	struct flap_format_opts o = {.no_header = true};
	struct flap_trace *t = new_trace();
	struct flap_sysset set;
	struct flap_event *ev;
	char err[128], *s;
	siginfo_t si;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = flap_trace__push(t);
	ev->ts = BOOT0;
	ev->tid = ev->tgid = 42;
	ev->nr = flap_syscall__by_name("pause")->nr;
	ev->ret = -514;
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET;
	si = si_of(SIGUSR1, SI_USER);
	si.si_pid = 812;
	add_sig(t, 1, SIGUSR1, &si, FLAP_SIG_SENT);
	add_sig(t, 2, SIGUSR1, &si, FLAP_SIG_SENDER);
	si = si_of(SIGTERM, SI_USER);
	si.si_pid = 812;
	add_sig(t, 3, SIGTERM, &si, FLAP_SIG_SENT | FLAP_SIG_KILLED);
	add_sig(t, 4, SIGKILL, NULL, FLAP_SIG_NOINFO | FLAP_SIG_GROUP_EXIT);
	ASSERT_FALSE(flap_event__shown(&t->events[1]), "sent and delivered: not shown");
	ASSERT_TRUE(flap_event__shown(&t->events[3]), "the killer: shown");
	s = text_of(t, NULL, &o);
	ASSERT_STREQ(
		s,
		"12:00:00.000000 [pid 42] pause()        = ? ERESTARTNOHAND (To be restarted if "
		"no handler)\n"
		"12:00:00.000002 [pid 42] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, "
		"si_pid=812, si_uid=0} ---\n"
		"12:00:00.000003 [pid 42] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, "
		"si_pid=812, si_uid=0} ---\n",
		"shown events");
	free(s);
	if (ASSERT_OK(flap_sysset__parse(&set, "openat", err, sizeof(err)), "set")) {
		o.filter = &set;
		s = text_of(t, NULL, &o);
		ASSERT_STREQ(s,
			     "12:00:00.000002 [pid 42] --- SIGUSR1 {si_signo=SIGUSR1, "
			     "si_code=SI_USER, si_pid=812, si_uid=0} ---\n"
			     "12:00:00.000003 [pid 42] --- SIGTERM {si_signo=SIGTERM, "
			     "si_code=SI_USER, si_pid=812, si_uid=0} ---\n",
			     "-e trace=openat keeps the signals");
		free(s);
	}
	flap_trace__free(t);
}

void test_format_sigreturn(void)
{
	struct flap_trace *t = new_trace();
	struct flap_event *ev;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ev = flap_trace__push(t);
	ev->ts = BOOT0 + 5000;
	ev->dur_ns = 2000;
	ev->tid = ev->tgid = 42;
	ev->nr = flap_syscall__by_name("rt_sigreturn")->nr;
	ev->ret = 1092;
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR | FLAP_EV_F_SIGMASK;
	line_is(t, ev, "12:00:00.000005 [pid 42] rt_sigreturn({mask=[]}) = 1092 <0.000002>\n");
	ev->args[0] = 1ULL << (SIGUSR2 - 1) | 1ULL << (SIGCHLD - 1);
	line_is(t, ev,
		"12:00:00.000005 [pid 42] rt_sigreturn({mask=[USR2 CHLD]}) = 1092 <0.000002>\n");
	ev->flags &= ~FLAP_EV_F_SIGMASK;
	ev->ret = -4;
	line_is(t, ev,
		"12:00:00.000005 [pid 42] rt_sigreturn({mask=?}) = -1 EINTR (Interrupted system "
		"call) <0.000002>\n");
	flap_trace__free(t);
}

static struct json_object *json_of(const struct flap_trace *t, const struct flap_event *ev)
{
	struct flap_format_opts o = {.json = true};
	struct json_object *j;
	char *s = text_of(t, ev, &o);

	j = s ? json_tokener_parse(s) : NULL;
	free(s);
	return j;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

void test_format_signal_json(void)
{
	const __u64 frames[2] = {0x55d0c3a1b139, 0x55d0c3a1b160};
	struct flap_trace *t = new_trace();
	struct json_object *j, *f, *snd;
	struct flap_signal *s;
	struct flap_event *ev;
	siginfo_t si;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	si = si_of(SIGSEGV, SEGV_MAPERR);
	si.si_addr = (void *)0x10UL;
	ev = add_sig(t, 1, SIGSEGV, &si, FLAP_SIG_FAULT | FLAP_SIG_SENDER);
	s = (struct flap_signal *)ev->sig;
	s->ip = frames[0];
	s->sp = 0x7ffd00001000;
	s->nframes = 2;
	s->frames = frames;
	j = json_of(t, ev);
	if (!ASSERT_OK_PTR(j, "json"))
		goto out;
	ASSERT_STREQ(json_object_get_string(jget(j, "type")), "signal", "type");
	ASSERT_STREQ(json_object_get_string(jget(j, "signal")), "SIGSEGV", "signal");
	ASSERT_EQ(json_object_get_int(jget(j, "signo")), SIGSEGV, "signo");
	ASSERT_STREQ(json_object_get_string(jget(j, "code")), "SEGV_MAPERR", "code");
	ASSERT_EQ(json_object_get_uint64(jget(j, "si_addr")), 0x10, "si_addr");
	ASSERT_STREQ(json_object_get_string(jget(j, "handler")), "SIG_DFL", "handler");
	ASSERT_STREQ(json_object_get_string(jget(j, "decoded")),
		     "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---",
		     "decoded");
	f = jget(j, "fault");
	ASSERT_EQ(json_object_get_uint64(jget(f, "ip")), frames[0], "ip");
	ASSERT_EQ(json_object_array_length(jget(f, "stack")), 2, "stack");
	snd = jget(j, "sender");
	ASSERT_EQ(json_object_get_int(jget(snd, "pid")), 812, "sender pid");
	ASSERT_STREQ(json_object_get_string(jget(snd, "comm")), "containerd-shim", "sender comm");
	json_object_put(j);
out:
	flap_trace__free(t);
}

/* A crash reason of pid 42 (app) killed by @sig, holding the signal event @ev. */
static void reason_of(struct flap_reason *r, int sig, const struct flap_event *ev)
{
	memset(r, 0, sizeof(*r));
	strcpy(r->kind, "crash");
	r->signal = sig;
	r->pid = 42;
	strcpy(r->comm, "app");
	if (ev)
		flap_reason__set_signal(r, ev);
}

static void reason_is(const struct flap_reason *r, bool main, const char *want)
{
	char buf[256];

	ASSERT_EQ(flap_format__reason_text(r, main, buf, sizeof(buf)), (int)strlen(want), want);
	ASSERT_STREQ(buf, want, want);
}

/*
 * The reason of a crash dump says what killed: the fault with its code,
 * address and ip, the sender of a kill (and its container), a signal the
 * process sent itself, the thread when it is not the main one; the header
 * gives the signal line, the thread, the sender.
 */
void test_format_reason(void)
{
	const __u64 frames[2] = {0x55d0c3a1b139, 0x55d0c3a1b160};
	struct flap_trace *t = new_trace();
	struct flap_dump_meta m;
	struct flap_signal *s;
	struct flap_event *ev;
	struct flap_reason r;
	char *hdr = NULL;
	size_t len = 0;
	siginfo_t si;
	FILE *f;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	reason_of(&r, SIGSEGV, NULL);
	reason_is(&r, true, "SIGSEGV in pid 42 (app), the main process");

	si = si_of(SIGSEGV, SEGV_MAPERR);
	ev = add_sig(t, 1, SIGSEGV, &si, FLAP_SIG_FAULT | FLAP_SIG_SENDER);
	s = (struct flap_signal *)ev->sig;
	s->sender_tgid = 42;
	s->ip = frames[0];
	s->sp = 0x7ffd00001000;
	s->nframes = 2;
	s->frames = frames;
	ev->tid = 43;
	strcpy(ev->comm, "app-worker");
	reason_of(&r, SIGSEGV, ev);
	ASSERT_EQ(r.nframes, 2, "the stack kept");
	ASSERT_EQ(r.frames[1], frames[1], "outer frame");
	ASSERT_TRUE(r.sig.frames == NULL, "no pointer into the trace");
	reason_is(&r, true,
		  "SIGSEGV (SEGV_MAPERR at NULL, ip 0x55d0c3a1b139) in pid 42 (app), the main "
		  "process, thread 43 (app-worker)");

	si = si_of(SIGBUS, BUS_ADRERR);
	si.si_addr = (void *)0xdead0000UL;
	ev = add_sig(t, 2, SIGBUS, &si, 0);
	reason_of(&r, SIGBUS, ev);
	reason_is(&r, false, "SIGBUS (BUS_ADRERR at 0xdead0000) in pid 42 (app)");

	si = si_of(SIGABRT, SI_TKILL);
	si.si_pid = 42;
	ev = add_sig(t, 3, SIGABRT, &si, FLAP_SIG_FAULT | FLAP_SIG_SENDER);
	((struct flap_signal *)ev->sig)->sender_tgid = 42;
	((struct flap_signal *)ev->sig)->ip = 0x7f0000001234;
	reason_of(&r, SIGABRT, ev);
	reason_is(&r, false, "SIGABRT (SI_TKILL from itself, ip 0x7f0000001234) in pid 42 (app)");

	si = si_of(SIGTERM, SI_USER);
	ev = add_sig(t, 4, SIGTERM, &si, FLAP_SIG_SENT | FLAP_SIG_KILLED);
	((struct flap_signal *)ev->sig)->sender_cgid = 77;
	reason_of(&r, SIGTERM, ev);
	reason_is(&r, true,
		  "SIGTERM from pid 812 (containerd-shim) in pid 42 (app), the main process");
	strcpy(r.sender_name, "sidecar");
	reason_is(&r, true,
		  "SIGTERM from pid 812 (containerd-shim, container sidecar) in pid 42 (app), the "
		  "main process");
	/* The header: the signal line, to whom, the sender. */
	flap_dump_meta__init(&m, "web");
	m.reason = r;
	f = open_memstream(&hdr, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, NULL);
		fclose(f);
		ASSERT_TRUE(strstr(hdr, "# signal: --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, "
					"si_pid=0, si_uid=0} --- sent to thread 42 (app)\n"),
			    "signal line");
		ASSERT_TRUE(strstr(hdr, "# sender: pid 812 (containerd-shim), uid 0, cgroup 77, "
					"container sidecar\n"),
			    "sender line");
	}
	free(hdr);
	flap_trace__free(t);
}

/* An OOM kill's reason: its own text, the "# oom:" line, JSON "oom". */
void test_format_oom(void)
{
	struct flap_format_opts o = {.json = true};
	struct flap_trace *t = new_trace();
	struct json_object *j, *r, *oom;
	struct flap_dump_meta m;
	char buf[256], *s = NULL;
	size_t len = 0;
	FILE *f;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	flap_dump_meta__init(&m, "web");
	reason_of(&m.reason, SIGKILL, NULL);
	strcpy(m.reason.kind, "oom");
	m.reason.oom_memcg = 4242;
	m.reason.oom_limit = 32ULL << 20;
	m.reason.oom_usage = (32ULL << 20) - 4096;
	m.reason.oom_own_memcg = true;
	strcpy(m.reason.oom_cgroup, "/sys/fs/cgroup/kubepods/podX/nginx");
	flap_format__oom_text(&m.reason, true, buf, sizeof(buf));
	ASSERT_STREQ(buf,
		     "OOM-killed: pid 42 (app), the main process; its memory cgroup "
		     "/sys/fs/cgroup/kubepods/podX/nginx (id 4242), limit 32.0 MiB, usage 32.0 MiB",
		     "oom text");
	m.reason.oom_own_memcg = false;
	m.reason.oom_cgroup[0] = '\0';
	m.reason.oom_limit = 1ULL << 62;
	flap_format__oom_text(&m.reason, false, buf, sizeof(buf));
	ASSERT_STREQ(buf,
		     "OOM-killed: pid 42 (app); the allocating task's memory cgroup id 4242, limit "
		     "max, usage 32.0 MiB",
		     "oom text without a limit of its own");
	m.reason.oom_limit = 32ULL << 20;
	m.reason.oom_own_memcg = true;
	f = open_memstream(&s, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, NULL);
		fclose(f);
		ASSERT_TRUE(strstr(s,
				   "# oom: memory cgroup id 4242: limit 32.0 MiB (33554432 bytes), "
				   "usage 32.0 MiB (33550336 bytes)\n"),
			    "oom line");
	}
	free(s);
	s = NULL;
	f = open_memstream(&s, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, &o);
		fclose(f);
		j = json_tokener_parse(s);
		r = jget(j, "reason");
		oom = jget(r, "oom");
		ASSERT_STREQ(json_object_get_string(jget(r, "kind")), "oom", "json kind");
		ASSERT_EQ(json_object_get_uint64(jget(oom, "limit")), 32ULL << 20, "json limit");
		ASSERT_EQ(json_object_get_uint64(jget(oom, "memcg_id")), 4242, "json memcg");
		json_object_put(j);
	}
	free(s);
	flap_trace__free(t);
}

/* How the main process ended, in the source line and in JSON. */
void test_format_main_exit(void)
{
	struct flap_format_opts o = {.json = true};
	struct flap_trace *t = new_trace();
	struct json_object *j, *src;
	struct flap_dump_meta m;
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	flap_dump_meta__init(&m, "web");
	t->sources[0].main_exited = true;
	t->sources[0].main_status = 3 << 8;
	f = open_memstream(&s, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, NULL);
		fclose(f);
		ASSERT_TRUE(strstr(s, ", main pid 42 (exited with 3)\n"), "exit code");
	}
	free(s);
	s = NULL;
	t->sources[0].main_status = SIGSEGV | 0x80;
	f = open_memstream(&s, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, NULL);
		fclose(f);
		ASSERT_TRUE(strstr(s, ", main pid 42 (killed by SIGSEGV, core dumped)\n"),
			    "signal");
	}
	free(s);
	s = NULL;
	f = open_memstream(&s, &len);
	if (ASSERT_OK_PTR(f, "memstream")) {
		flap_format__header(f, &m, t, &o);
		fclose(f);
		j = json_tokener_parse(s);
		src = json_object_array_get_idx(jget(j, "sources"), 0);
		ASSERT_STREQ(json_object_get_string(jget(jget(src, "main_exit"), "signal")),
			     "SIGSEGV", "json signal");
		ASSERT_TRUE(json_object_get_boolean(jget(jget(src, "main_exit"), "core")),
			    "json core");
		json_object_put(j);
	}
	free(s);
	flap_trace__free(t);
}
