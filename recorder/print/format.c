// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format.c - print a trace as `strace -f -tt -T` text or as JSON Lines.
 *
 * Text, one line per event (docs/output.md has examples):
 *
 *   [ctr]   HH:MM:SS.uuuuuu [pid TID comm] name(arg, ...) = ret <s.uuuuuu>
 *
 * - "[ctr] " (the source: container, else recorder name, else cgroup id)
 *   leads the line only when the trace has more than one source (a pod
 *   merge); it is padded to the longest source label so columns line up.
 * - The time is the local wall time of the entry (the exit when the entry
 *   is not known); " comm" follows the tid only with opts->verbose.
 * - As in strace, " = " is pushed to column 40 of the line (after the
 *   source label) when the call is short, strings are quoted with C escapes
 *   and compact octal (\0, \33, \177), "..." after the quote marks a
 *   truncated capture, output buffers are left out of an unfinished call
 *   ("read(3, <unfinished ...>"), a call that never returns ends "= ?".
 * - The duration <s.uuuuuu> follows only when it was measured: not for a
 *   call still running, nor for one that returned within the clock tick it
 *   entered in when the recorder had no --exact-durations (the header says
 *   so; JSON marks such a call "duration_short").
 * - Integers are printed as their C type says (the recorder keeps raw
 *   64-bit registers); fds are signed, AT_FDCWD by name for directory fds;
 *   umode_t in octal; arguments named *flags or prot in hex (strace -X raw)
 *   until symbolic decoders exist; pointers and addresses in hex or NULL.
 *   A table of per-syscall rules (sc_rules) overrides the type for one
 *   argument or the return value: that is where symbolic decoders plug in.
 *
 * The header is a block of lines starting with "# ". JSON Lines is one
 * header object, then one object per event, each on its own line.
 *
 * This file prints events and whole traces; the text header is
 * format_header.c, JSON format_json.c, the line buffer format_line.c and
 * the escaping of bytes escape.c.
 *
 * Every byte from outside (captures, comm, pod and container names, paths)
 * is escaped: text output contains no control byte, JSON output is valid
 * UTF-8 (other bytes become the four characters \xNN, see json_bytes()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "fdnames.h"
#include "format.h"
#include "format_internal.h"
#include "log.h"
#include "signals.h"
#include "syscalls.h"
#include "sysset.h"
#include "util.h"

/**
 * flap_format__event() - print one event: a text line or a JSON object line.
 * @out: the stream written to.
 * @t: the trace @ev belongs to (sources, clock offset).
 * @ev: the event.
 * @o: options; NULL means text, not verbose.
 *
 * Context: any thread (one stream per thread).
 * Return: 0, -EINVAL for a NULL stream/trace/event, -ENOMEM, -EPIPE or -EIO
 * when the write failed.
 */
int flap_format__event(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
		       const struct flap_format_opts *o)
{
	static const struct flap_format_opts defaults;
	struct flap_line l;

	if (!out || !t || !ev) {
		pr_warn("format: no output stream, trace or event");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	if (o->json)
		return flap_format__event_json(out, t, ev, NULL);
	flap_line__init(&l);
	flap_format__event_text(&l, t, ev, o, NULL);
	return flap_line__flush(out, &l);
}

/* The header; @show as for flap_format__trace_window(). */
static int format_header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			 const struct flap_format_opts *o, const bool *show)
{
	static const struct flap_format_opts defaults;
	struct flap_line l;

	if (!out || !m || !t) {
		pr_warn("format: no output stream, metadata or trace");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	if (o->json)
		return flap_format__header_json(out, m, t, show);
	flap_line__init(&l);
	flap_format__header_text(&l, m, t, o, show);
	return flap_line__flush(out, &l);
}

/**
 * flap_format__header() - print the header of a trace: target, pod and
 * containers, their syscall filter and whether short calls lack a duration
 * (no --exact-durations), reason, host, the time window held, the events
 * held and how many were overwritten or lost before them; per-CPU counts
 * with verbose (always in JSON).
 * @out: the stream written to.
 * @m: the dump metadata.
 * @t: the trace (sources, counts, events for the window).
 * @o: options; NULL means text, not verbose.
 *
 * Context: any thread.
 * Return: 0, -EINVAL for a NULL argument, -ENOMEM, -EPIPE or -EIO when the
 * write failed.
 */
int flap_format__header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			const struct flap_format_opts *o)
{
	return format_header(out, m, t, o, NULL);
}

/*
 * After a crash dump's events, the way it ended, as strace ends a trace:
 * "12:00:01.000042 [pid 42] +++ killed by SIGSEGV (core dumped) +++" or
 * "+++ exited with 3 +++". Nothing for dumps taken on request.
 */
static int format_end(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t)
{
	const char *abbrev = sigabbrev_np(m->reason.signal);
	char when[32];

	if (!m->reason.pid || !m->reason.time_ns)
		return 0;
	flap_format__clock(when, sizeof(when), (__s64)m->reason.time_ns);
	(void)t;
	if (strcmp(m->reason.kind, "crash") == 0 && m->reason.signal)
		fprintf(out, "%s [pid %u] +++ killed by SIG%s%s +++\n", when, m->reason.pid,
			abbrev ? abbrev : "?", m->reason.core ? " (core dumped)" : "");
	else if (strcmp(m->reason.kind, "exit") == 0)
		fprintf(out, "%s [pid %u] +++ exited with %d +++\n", when, m->reason.pid,
			m->reason.exit_code);
	return ferror(out) ? -EIO : 0;
}

/* Does @t hold events that are not printed (signals.h flap_event__shown())? */
static bool hides_any(const struct flap_trace *t)
{
	size_t i;

	for (i = 0; i < t->nevents; i++)
		if (!flap_event__shown(&t->events[i]))
			return true;
	return false;
}

/*
 * Which events to print: those of the filter, the newest @o->last of them.
 * Return: an array (NULL when every event is printed), or NULL with
 * *@err = -ENOMEM.
 */
static bool *select_events(const struct flap_trace *t, const struct flap_format_opts *o, int *err)
{
	size_t i, n = 0;
	bool *show;

	*err = 0;
	if (!o->filter && !o->last && !hides_any(t))
		return NULL;
	show = calloc(t->nevents ? t->nevents : 1, sizeof(*show));
	if (!show) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = t->nevents; i-- > 0;) {
		if (!flap_event__shown(&t->events[i]))
			continue;
		/* strace -e trace= selects calls; signals show whatever the set. */
		if (o->filter && !t->events[i].sig && !flap_sysset__has(o->filter, t->events[i].nr))
			continue;
		if (o->last && n >= o->last)
			break;
		show[i] = true;
		n++;
	}
	return show;
}

/* The errnos of a call the kernel restarts (or abandons when the thread dies). */
static bool restart_errno(__s64 ret)
{
	return ret == -512 || ret == -513 || ret == -514 || ret == -516;
}

struct tid_last {
	__u32 tid;
	size_t idx;
};

static int cmp_tid_last(const void *a, const void *b)
{
	const struct tid_last *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Did the process @tgid end in the history (an exit_group, or the dump's reason)? */
static bool process_ended(const struct flap_trace *t, const struct flap_dump_meta *m, __u32 tgid,
			  __u32 exit_nr)
{
	size_t i;

	if (m && m->reason.pid == tgid)
		return true;
	for (i = t->nevents; i-- > 0;)
		if (t->events[i].tgid == tgid && t->events[i].nr == exit_nr)
			return true;
	return false;
}

/*
 * Which calls a thread was in when its process ended: the last call of its
 * thread in the history, returned with a restart errno, in a process that
 * ended there. The thread never went back to user space; strace, which does
 * not see that exit, prints "= ?", and so does the text.
 * Return: an array by event (NULL when there is none, or on -ENOMEM: *@err).
 */
static bool *ended_calls(const struct flap_trace *t, const struct flap_dump_meta *m, int *err)
{
	const struct flap_syscall *sc = flap_syscall__by_name("exit_group");
	struct tid_last *v;
	bool *ended = NULL;
	size_t i, n = 0;

	*err = 0;
	for (i = 0; i < t->nevents; i++)
		n += restart_errno(t->events[i].ret) && (t->events[i].flags & FLAP_EV_F_HAS_RET);
	if (!n || !sc)
		return NULL;
	v = calloc(t->nevents, sizeof(*v));
	ended = calloc(t->nevents, sizeof(*ended));
	if (!v || !ended) {
		free(v);
		free(ended);
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < t->nevents; i++)
		v[i] = (struct tid_last){.tid = t->events[i].tid, .idx = i};
	qsort(v, t->nevents, sizeof(*v), cmp_tid_last);
	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[v[i].idx];

		if (i + 1 < t->nevents && v[i + 1].tid == v[i].tid)
			continue;
		if (restart_errno(ev->ret) && (ev->flags & FLAP_EV_F_HAS_RET) &&
		    process_ended(t, m, ev->tgid, sc->nr))
			ended[v[i].idx] = true;
	}
	free(v);
	return ended;
}

/**
 * flap_format__trace() - print the header (unless @o->no_header) and the
 * events of @t in order: all of them, or those of @o->filter, the newest
 * @o->last of them. Descriptors carry their names (strace -y) unless
 * @o->raw_fds: the names are learnt from every event of the trace, the
 * ones not printed too.
 * @out: the stream written to.
 * @m: the dump metadata.
 * @t: the trace.
 * @o: options; NULL means text, not verbose, everything.
 *
 * Stops at the first error. Context: any thread.
 * Return: 0 or a negative errno as flap_format__event() returns.
 */
int flap_format__trace(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		       const struct flap_format_opts *o)
{
	static const struct flap_format_opts defaults;
	struct flap_fdnames *fds = NULL;
	bool *show = NULL, *ended = NULL;
	const struct flap_event *ev;
	struct flap_event copy;
	struct flap_line l;
	size_t i;
	int err;

	if (!t) {
		pr_warn("format: no trace");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	show = select_events(t, o, &err);
	if (!err && !o->json)
		ended = ended_calls(t, m, &err);
	if (!err && !o->raw_fds)
		err = flap_fdnames__new(&fds);
	if (!err && fds)
		err = flap_fdnames__seed(fds, t);
	if (!err && !o->no_header)
		err = format_header(out, m, t, o, show);
	for (i = 0; !err && i < t->nevents; i++) {
		ev = &t->events[i];
		if (show && !show[i]) {
			if (fds && flap_fdnames__update(fds, ev))
				err = -ENOMEM;
			continue;
		}
		if (o->json) {
			err = flap_format__event_json(out, t, ev, fds);
			continue;
		}
		if (ended && ended[i]) {
			/* "= ?": the thread never returned (see ended_calls()) */
			copy = *ev;
			copy.flags &= ~(FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR);
			ev = &copy;
		}
		flap_line__init(&l);
		flap_format__event_text(&l, t, ev, o, fds);
		err = flap_line__flush(out, &l);
	}
	flap_fdnames__free(fds);
	free(ended);
	free(show);
	if (!err && m && !o->json)
		return format_end(out, m, t);
	return err;
}
