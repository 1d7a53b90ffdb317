/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * format.h - print a trace the way people read syscalls: text like
 * `strace -f -tt -T`, or JSON Lines (a header object, then one object per
 * event) for jq. Bytes from the traced processes (strings, buffers, command
 * names) and names from outside (pods, containers) are escaped: no control
 * byte reaches the terminal raw.
 */
#ifndef FLAP_FORMAT_H
#define FLAP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "dump.h"
#include "trace.h"

struct flap_sysset;

struct flap_format_opts {
	bool json;			  /* JSON Lines instead of text */
	bool verbose;			  /* text: command name on every line */
	bool no_header;			  /* events only */
	bool raw_fds;			  /* plain descriptor numbers, not 3</etc/passwd> */
	const struct flap_sysset *filter; /* flap_format__trace(): only these (NULL: all) */
	__u64 last; /* flap_format__trace(): only the newest N (of the filter's), 0: all */
};

/**
 * flap_format__header() - the header: target, pod/namespace/container(s),
 * syscall filter and duration mode, reason, the time window held, events
 * held and how many were overwritten or lost before it ("history complete
 * from ..." when none were). Return: 0 or negative errno (write error).
 */
int flap_format__header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			const struct flap_format_opts *o);

/**
 * flap_format__event() - one event, one line (text or a JSON object).
 * Return: 0 or negative errno.
 */
int flap_format__event(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
		       const struct flap_format_opts *o);

/**
 * flap_format__trace() - the header (unless no_header) and the events: all,
 * or @o->filter's, the newest @o->last of them, descriptors named from the
 * whole history unless @o->raw_fds. Return: 0 or negative errno.
 */
int flap_format__trace(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		       const struct flap_format_opts *o);

/**
 * flap_format__summary() - per-syscall counts, errors and time in the layout
 * of `strace -c` (% time, seconds, usecs/call, calls, errors, syscall, a
 * total line), or one JSON object with @o->json; only @o->filter's
 * syscalls when set. Calls that did not return are not counted. Time is
 * the calls' duration (strace -c -w); when a source was recorded without
 * exact durations, a note says the times count only measured calls (JSON:
 * "exact_durations": false). Return: 0 or negative errno.
 */
int flap_format__summary(FILE *out, const struct flap_trace *t, const struct flap_format_opts *o);

/**
 * flap_format__files() - the file access pattern per path: opens, failed
 * opens with their errnos, bytes read and written through descriptors the
 * trace opened on it, first and last time; or one JSON object with
 * @o->json. Return: 0 or negative errno.
 */
int flap_format__files(FILE *out, const struct flap_trace *t, const struct flap_format_opts *o);

/**
 * flap_format__reason_text() - the one-line text of a crash reason @r that
 * says what killed pid @r->pid: "SIGSEGV (SEGV_MAPERR at NULL, ip 0x55d0c3a1b139)
 * in pid 42 (app), the main process", "SIGTERM from pid 812 (containerd-shim,
 * container web) in pid 42 (app)", "SIGABRT (SI_TKILL from itself, ip ...) in
 * pid 42 (app), thread 43 (worker)"; "SIGSEGV in pid 42 (app)" when the
 * history did not hold the signal (!@r->has_signal). @main: @r->pid is the
 * container's main process. Control bytes in names become '?'.
 * Return: the length snprintf() would write, or -ENOMEM.
 */
int flap_format__reason_text(const struct flap_reason *r, bool main, char *buf, size_t size);

/**
 * flap_format__oom_text() - the text of an OOM kill's reason (kind "oom"):
 * "OOM-killed: pid 42 (app), the main process; its memory cgroup
 * /sys/fs/cgroup/x (id 4242), limit 32.0 MiB, usage 32.0 MiB".
 * Return: as flap_format__reason_text().
 */
int flap_format__oom_text(const struct flap_reason *r, bool main, char *buf, size_t size);

/* "ENOENT" for 2, NULL if unknown. */
const char *flap_errno__name(int err);

#endif /* FLAP_FORMAT_H */
