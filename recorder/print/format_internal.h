/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * format_internal.h - what the files of the formatter share (format.c,
 * format_line.c, format_header.c, format_json.c): the line buffer and the
 * pieces one file gives the others. Not part of the library API (format.h).
 */
#ifndef FLAP_FORMAT_INTERNAL_H
#define FLAP_FORMAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "dump.h"
#include "fdnames.h"
#include "format.h"
#include "trace.h"

/* Longest errno value a syscall returns (the kernel's MAX_ERRNO). */
#define MAX_ERRNO 4095

/*
 * One output unit (a line, or the header block) built in memory: the text
 * layout needs the column of " = " and every unit is written with one
 * fwrite(). Small lines stay in the inline buffer.
 */
struct flap_line {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
	char inline_buf[1024];
};

/* format_event.c */
__s64 flap_format__wall_ns(const struct flap_trace *t, __u64 ts);
void flap_format__clock(char *buf, size_t size, __s64 ns);
void flap_format__wall(char *buf, size_t size, __s64 ns);
void flap_format__rfc3339(char *buf, size_t size, __s64 ns);
bool flap_format__trace_window(const struct flap_trace *t, const bool *show, __u64 *first,
			       __u64 *last);
size_t flap_format__shown_count(const struct flap_trace *t, const bool *show);
void flap_format__args(struct flap_line *l, const struct flap_event *ev,
		       const struct flap_fdnames *fds);
void flap_format__outcome(struct flap_line *l, const struct flap_event *ev,
			  const struct flap_fdnames *fds);
const char *flap_format__source_name(const struct flap_source *s, size_t *max);
void flap_format__source_label(struct flap_line *l, const struct flap_source *s);
void flap_format__signal(struct flap_line *l, const struct flap_event *ev);
void flap_format__event_text(struct flap_line *l, const struct flap_trace *t,
			     const struct flap_event *ev, const struct flap_format_opts *o,
			     struct flap_fdnames *fds);

/* format_line.c */
void flap_line__init(struct flap_line *l);
void flap_line__release(struct flap_line *l);
void flap_line__add(struct flap_line *l, const char *s, size_t n);
void flap_line__puts(struct flap_line *l, const char *s);
void flap_line__pad(struct flap_line *l, size_t column);
__attribute__((format(printf, 2, 3))) void flap_line__printf(struct flap_line *l, const char *fmt,
							     ...);
int flap_format__write_error(void);
int flap_line__flush(FILE *out, struct flap_line *l);
void flap_line__escape(struct flap_line *l, const void *p, size_t len, unsigned int how);
void flap_line__name(struct flap_line *l, const char *s, size_t max);

/* format_header.c */
bool flap_format__filters_of(const struct flap_trace *t, bool *same);
void flap_format__header_text(struct flap_line *l, const struct flap_dump_meta *m,
			      const struct flap_trace *t, const struct flap_format_opts *o,
			      const bool *show);

/* reason.c */
void flap_format__reason_lines(struct flap_line *l, const struct flap_reason *r);
void flap_format__oom_line(struct flap_line *l, const struct flap_reason *r);

/* format_json.c */
int flap_format__event_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
			    struct flap_fdnames *fds);
int flap_format__header_json(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			     const bool *show);
struct json_object;
void flap_format__json_signal_fields(struct json_object *o, const struct flap_signal *s);

#endif /* FLAP_FORMAT_INTERNAL_H */
