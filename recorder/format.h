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

#include "dump.h"
#include "trace.h"

struct flap_format_opts {
	bool json;	/* JSON Lines instead of text */
	bool verbose;	/* text: command name on every line */
	bool no_header; /* events only */
};

/**
 * flap_format_header() - the header: target, pod/namespace/container(s),
 * reason, the time window held, events held and how many were overwritten
 * or lost before it ("history complete from ..." when none were).
 * Return: 0 or negative errno (write error).
 */
int flap_format_header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		       const struct flap_format_opts *o);

/**
 * flap_format_event() - one event, one line (text or a JSON object).
 * Return: 0 or negative errno.
 */
int flap_format_event(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
		      const struct flap_format_opts *o);

/* Header (unless no_header) and every event. */
int flap_format_trace(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		      const struct flap_format_opts *o);

/**
 * flap_format_escape() - quote @len bytes as strace does ("..." with \n,
 * \t, \", \\, \ooo escapes), with "..." appended after the closing quote
 * when @trunc. Return: the length it needs (like snprintf).
 */
size_t flap_format_escape(char *out, size_t size, const void *data, size_t len, bool trunc);

/* "ENOENT" for 2, NULL if unknown. */
const char *flap_errno_name(int err);

#endif /* FLAP_FORMAT_H */
