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
struct line {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
	char inline_buf[1024];
};

/* format_event.c */
__s64 wall_ns(const struct flap_trace *t, __u64 ts);
void fmt_clock(char *buf, size_t size, __s64 ns);
void fmt_wall(char *buf, size_t size, __s64 ns);
void fmt_rfc3339(char *buf, size_t size, __s64 ns);
bool trace_window(const struct flap_trace *t, const bool *show, __u64 *first, __u64 *last);
size_t shown_count(const struct flap_trace *t, const bool *show);
void fmt_args(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds);
void fmt_outcome(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds);
const char *source_name(const struct flap_source *s, size_t *max);
void source_label(struct line *l, const struct flap_source *s);
void fmt_event_text(struct line *l, const struct flap_trace *t, const struct flap_event *ev,
		    const struct flap_format_opts *o, struct flap_fdnames *fds);

/* format_line.c */
void line_init(struct line *l);
void line_release(struct line *l);
void line_add(struct line *l, const char *s, size_t n);
void line_puts(struct line *l, const char *s);
void line_pad(struct line *l, size_t column);
__attribute__((format(printf, 2, 3))) void line_printf(struct line *l, const char *fmt, ...);
int write_error(void);
int line_flush(FILE *out, struct line *l);
void line_escape(struct line *l, const void *p, size_t len, unsigned int how);
void line_name(struct line *l, const char *s, size_t max);

/* format_header.c */
bool filters_of(const struct flap_trace *t, bool *same);
void fmt_header_text(struct line *l, const struct flap_dump_meta *m, const struct flap_trace *t,
		     const struct flap_format_opts *o, const bool *show);

/* format_json.c */
int fmt_event_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
		   struct flap_fdnames *fds);
int fmt_header_json(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		    const bool *show);

#endif /* FLAP_FORMAT_INTERNAL_H */
