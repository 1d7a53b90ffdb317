/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * signals.h - what the signal events of a history mean together: which
 * handler an rt_sigreturn returns from (and so the mask it restores), which
 * delivered SIGKILLs are only a process's threads dying with it, which sent
 * signal killed a process, and who sent a delivered signal. The decoder
 * calls it on every trace it makes; the answers are flags and fields of the
 * events (trace.h), so a dump file keeps them.
 */
#ifndef FLAP_SIGNALS_H
#define FLAP_SIGNALS_H

#include <stdbool.h>
#include <linux/types.h>

#include "trace.h"

/* Sent signals are matched with deliveries at most this many events apart. */
#define FLAP_SIGNALS_WINDOW 4096

/**
 * flap_signals__settle() - on a trace in time order: give each rt_sigreturn
 * the mask saved by the delivery whose handler it returns from
 * (FLAP_EV_F_SIGMASK, args[0]); mark a delivered SIGKILL without siginfo
 * FLAP_SIG_GROUP_EXIT; mark the sent signal that caused such a death
 * FLAP_SIG_KILLED; give a delivered signal the sender of the sent event it
 * came from (FLAP_SIG_SENDER). Context: any thread. Return: 0 or -ENOMEM.
 */
int flap_signals__settle(struct flap_trace *t);

/**
 * flap_signals__cause() - the signal event of @t that killed process @tgid
 * with signal @sig (the signal of its wait status): the newest delivery of
 * @sig to one of its threads with siginfo and no handler (a fault, an
 * abort, a fatal signal that was blocked or queued), else the newest sent
 * @sig marked FLAP_SIG_KILLED. Return: the event (borrowed), or NULL when
 * the history does not hold it.
 */
const struct flap_event *flap_signals__cause(const struct flap_trace *t, __u32 tgid, int sig);

/**
 * flap_signal__kills() - does signal @sig kill the process by default
 * (neither ignored nor a stop)? SIGKILL and the real-time signals do.
 */
bool flap_signal__kills(int sig);

/**
 * flap_signal__dumps_core() - is @sig's default action a core dump
 * (SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU,
 * SIGXFSZ, SIGSYS)?
 */
bool flap_signal__dumps_core(int sig);

/**
 * flap_event__shown() - is @ev printed? Every syscall; a delivered signal
 * unless it is a thread's part of a group exit; a sent signal only when it
 * killed its process (FLAP_SIG_KILLED). The others stay in the history
 * (dump files) for what they tell about the shown ones.
 */
bool flap_event__shown(const struct flap_event *ev);

#endif /* FLAP_SIGNALS_H */
