// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * signals.c - the signal events of a history read together (signals.h).
 *
 * The recorder writes two kinds of signal records (bpf/flap.h): a delivery,
 * in the thread that takes the signal, and a sent signal, in the sender as
 * the kernel queues it for a thread of the traced cgroup. Read alone, each
 * tells half of the story:
 *
 * - A handler returns with rt_sigreturn, which restores the mask saved in
 *   the signal frame: the one the delivery recorded. The handler that an
 *   rt_sigreturn ends is the thread's newest delivery with a handler that
 *   no rt_sigreturn ended yet (handlers nest).
 * - A fatal signal with no handler, if it does not dump core, never shows a
 *   delivery of its own: the kernel turns it into a group exit at once, and
 *   every thread of the process then takes a SIGKILL without siginfo
 *   (so does every other thread at an exit_group or an exec). Those are
 *   marked FLAP_SIG_GROUP_EXIT; the sent signal that caused them, the
 *   process's newest fatal one not delivered otherwise, FLAP_SIG_KILLED.
 * - A delivery names its sender only by si_pid, in the receiver's pid
 *   namespace (0 for a sender outside it, which is where a container's
 *   runtime is); the sent event it came from has the sender's host pid,
 *   command and cgroup. Deliveries take the oldest unmatched sent event of
 *   the same signal for their thread (or their process, for a signal sent
 *   to the whole process).
 *
 * Matching looks at most FLAP_SIGNALS_WINDOW events back.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "signals.h"
#include "syscalls.h"
#include "trace.h"

#include "flap.h"

bool flap_signal__kills(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGURG:
	case SIGWINCH:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return false;
	default:
		return sig > 0 && sig <= 64;
	}
}

bool flap_signal__dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return true;
	default:
		return false;
	}
}

bool flap_event__shown(const struct flap_event *ev)
{
	if (!ev->sig)
		return true;
	if (ev->sig->flags & FLAP_SIG_SENT)
		return ev->sig->flags & FLAP_SIG_KILLED;
	return !(ev->sig->flags & FLAP_SIG_GROUP_EXIT);
}

/* The events' signal data is the trace's own (flap_trace__copy_signal()). */
static struct flap_signal *sig_of(struct flap_event *ev)
{
	return (struct flap_signal *)ev->sig;
}

static bool is_delivery(const struct flap_event *ev)
{
	return ev->sig && !(ev->sig->flags & FLAP_SIG_SENT);
}

static bool is_sent(const struct flap_event *ev)
{
	return ev->sig && (ev->sig->flags & FLAP_SIG_SENT);
}

/* The syscalls after which a process's threads die without a signal of
 * their own: exit_group, exit (the last thread), execve and execveat. */
struct death_calls {
	int nr[4];
};

static void death_calls_init(struct death_calls *d)
{
	static const char *const names[] = {"exit_group", "exit", "execve", "execveat"};
	const struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < 4; i++) {
		sc = flap_syscall__by_name(names[i]);
		d->nr[i] = sc ? sc->nr : -1;
	}
}

static bool is_death_call(const struct death_calls *d, const struct flap_event *ev)
{
	int i;

	for (i = 0; i < 4 && !ev->sig; i++)
		if (d->nr[i] >= 0 && ev->nr == (__u32)d->nr[i])
			return true;
	return false;
}

/* rt_sigreturn at @i: the mask of the delivery whose handler it ends. */
static void match_sigreturn(struct flap_trace *t, bool *used, size_t lo, size_t i)
{
	struct flap_event *ev = &t->events[i], *e;
	size_t j;

	for (j = i; j-- > lo;) {
		e = &t->events[j];
		if (e->tid != ev->tid || !is_delivery(e) || used[j] ||
		    e->sig->handler <= FLAP_SIG_IGN || (e->sig->flags & FLAP_SIG_GROUP_EXIT))
			continue;
		used[j] = true;
		ev->args[0] = e->sig->mask;
		ev->flags |= FLAP_EV_F_SIGMASK;
		return;
	}
}

/* A delivery at @i with siginfo: the sent event it came from names the sender. */
static void match_sender(struct flap_trace *t, bool *used, size_t lo, size_t i)
{
	struct flap_event *ev = &t->events[i], *e;
	struct flap_signal *s = sig_of(ev);
	size_t j;

	for (j = lo; j < i; j++) {
		e = &t->events[j];
		if (!is_sent(e) || used[j] || e->sig->sig != s->sig)
			continue;
		if (e->tid != ev->tid && !(e->sig->group && e->tgid == ev->tgid))
			continue;
		if (e->sig->result != FLAP_SIG_DELIVERED && e->sig->result != FLAP_SIG_LOSE_INFO)
			continue;
		used[j] = true;
		s->flags |= FLAP_SIG_SENDER;
		s->sender_tid = e->sig->sender_tid;
		s->sender_tgid = e->sig->sender_tgid;
		s->sender_uid = e->sig->sender_uid;
		s->sender_cgid = e->sig->sender_cgid;
		memcpy(s->sender_comm, e->sig->sender_comm, sizeof(s->sender_comm));
		return;
	}
}

/* Could the sent event @e have been turned into its target's group exit? */
static bool may_kill(const struct flap_event *e)
{
	const struct flap_signal *s = e->sig;

	if (s->result != FLAP_SIG_DELIVERED || !flap_signal__kills(s->sig))
		return false;
	if (s->sig == SIGKILL)
		return true;
	/* A handler takes it; a core-dumping one is delivered with its siginfo. */
	if (s->handler != FLAP_SIG_DFL || flap_signal__dumps_core(s->sig))
		return false;
	/* Blocked by the one thread it was sent to: it waits. */
	return s->group || !(s->sig <= 64 && (s->mask >> (s->sig - 1) & 1));
}

/*
 * The first group-exit SIGKILL of a process, at @i: the newest sent signal
 * that may have killed it, unless a fatal delivery, an exit or an exec of
 * the process (the cause then) or an earlier group exit comes first.
 */
static void mark_killer(struct flap_trace *t, const struct death_calls *dc, bool *used, size_t lo,
			size_t i)
{
	struct flap_event *ev = &t->events[i], *e;
	size_t j;

	for (j = i; j-- > lo;) {
		e = &t->events[j];
		if (e->tgid != ev->tgid)
			continue;
		if (is_death_call(dc, e))
			return;
		if (is_delivery(e)) {
			if (e->sig->flags & FLAP_SIG_GROUP_EXIT)
				return;
			if (e->sig->handler == FLAP_SIG_DFL && flap_signal__kills(e->sig->sig))
				return;
			continue;
		}
		if (is_sent(e) && !used[j] && may_kill(e)) {
			used[j] = true;
			sig_of(e)->flags |= FLAP_SIG_KILLED;
			return;
		}
	}
}

/*
 * A sent event is written in the sender's context: the blocks do not name
 * its target thread at that moment. Its name is that of the thread's own
 * event nearest before it (else after it).
 */
static void name_target(struct flap_trace *t, size_t i)
{
	struct flap_event *ev = &t->events[i], *e;
	size_t j, lo = i > FLAP_SIGNALS_WINDOW ? i - FLAP_SIGNALS_WINDOW : 0;

	for (j = i; j-- > lo;) {
		e = &t->events[j];
		if (e->tid == ev->tid && !is_sent(e) && e->comm[0]) {
			memcpy(ev->comm, e->comm, sizeof(ev->comm));
			return;
		}
	}
	for (j = i + 1; j < t->nevents && j - i <= FLAP_SIGNALS_WINDOW; j++) {
		e = &t->events[j];
		if (e->tid == ev->tid && !is_sent(e) && e->comm[0]) {
			memcpy(ev->comm, e->comm, sizeof(ev->comm));
			return;
		}
	}
}

int flap_signals__settle(struct flap_trace *t)
{
	const struct flap_syscall *sc = flap_syscall__by_name("rt_sigreturn");
	struct death_calls dc;
	struct flap_event *ev;
	struct flap_signal *s;
	size_t i, lo;
	bool *used;

	used = calloc(t->nevents ? t->nevents : 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	death_calls_init(&dc);
	for (i = 0; i < t->nevents; i++) {
		ev = &t->events[i];
		lo = i > FLAP_SIGNALS_WINDOW ? i - FLAP_SIGNALS_WINDOW : 0;
		if (!ev->sig) {
			if (sc && ev->nr == (__u32)sc->nr)
				match_sigreturn(t, used, lo, i);
			continue;
		}
		s = sig_of(ev);
		if (s->flags & FLAP_SIG_SENT) {
			name_target(t, i);
			continue;
		}
		if (s->sig == SIGKILL && (s->flags & FLAP_SIG_NOINFO)) {
			s->flags |= FLAP_SIG_GROUP_EXIT;
			mark_killer(t, &dc, used, lo, i);
			continue;
		}
		if (!(s->flags & FLAP_SIG_NOINFO))
			match_sender(t, used, lo, i);
	}
	free(used);
	return 0;
}

const struct flap_event *flap_signals__cause(const struct flap_trace *t, __u32 tgid, int sig)
{
	const struct flap_event *ev, *sent = NULL;
	size_t i;

	for (i = t->nevents; i-- > 0;) {
		ev = &t->events[i];
		if (!ev->sig || ev->tgid != tgid || ev->sig->sig != sig)
			continue;
		if (is_delivery(ev) && !(ev->sig->flags & FLAP_SIG_NOINFO) &&
		    ev->sig->handler == FLAP_SIG_DFL)
			return ev;
		if (!sent && is_sent(ev) && (ev->sig->flags & FLAP_SIG_KILLED))
			sent = ev;
	}
	return sent;
}
