// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_line.c - the output unit of the formatter (struct flap_line): a line,
 * or the header block, built in memory because the text layout needs the
 * column of " = ", and written with one fwrite().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "escape.h"
#include "format_internal.h"
#include "log.h"
#include "util.h"

void flap_line__init(struct flap_line *l)
{
	l->buf = l->inline_buf;
	l->len = 0;
	l->cap = sizeof(l->inline_buf);
	l->oom = false;
	l->buf[0] = '\0';
}

void flap_line__release(struct flap_line *l)
{
	if (l->buf != l->inline_buf)
		free(l->buf);
	l->buf = l->inline_buf;
}

/* Makes room for @n more bytes and a NUL. Return: false when out of memory. */
static bool line_reserve(struct flap_line *l, size_t n)
{
	size_t cap = l->cap;
	char *p;

	if (l->oom)
		return false;
	if (l->len + n + 1 <= l->cap)
		return true;
	while (cap < l->len + n + 1)
		cap *= 2;
	if (l->buf == l->inline_buf) {
		p = malloc(cap);
		if (p)
			memcpy(p, l->buf, l->len + 1);
	} else {
		p = realloc(l->buf, cap);
	}
	if (!p) {
		l->oom = true;
		return false;
	}
	l->buf = p;
	l->cap = cap;
	return true;
}

void flap_line__add(struct flap_line *l, const char *s, size_t n)
{
	if (!line_reserve(l, n))
		return;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

void flap_line__puts(struct flap_line *l, const char *s)
{
	flap_line__add(l, s, strlen(s));
}

void flap_line__pad(struct flap_line *l, size_t column)
{
	while (l->len < column && !l->oom)
		flap_line__add(l, " ", 1);
}

__attribute__((format(printf, 2, 3))) void flap_line__printf(struct flap_line *l, const char *fmt,
							     ...)
{
	va_list ap;
	int n;

	if (l->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		l->oom = true;
		return;
	}
	if ((size_t)n >= l->cap - l->len) {
		if (!line_reserve(l, n))
			return;
		va_start(ap, fmt);
		vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
	}
	l->len += n;
}

/* The error of a failed write: -EPIPE passes (callers stay quiet on it), else -EIO. */
int flap_format__write_error(void)
{
	return errno == EPIPE ? -EPIPE : -EIO;
}

/* Writes @l to @out and releases it. Return: 0, -ENOMEM or the write error. */
int flap_line__flush(FILE *out, struct flap_line *l)
{
	int err = 0;

	if (l->oom)
		err = -ENOMEM;
	else if (fwrite(l->buf, 1, l->len, out) != l->len || ferror(out))
		err = flap_format__write_error();
	flap_line__release(l);
	return err;
}

void flap_line__escape(struct flap_line *l, const void *p, size_t len, unsigned int how)
{
	if (!line_reserve(l, ESC_MAX(len)))
		return;
	l->len += flap_escape__into(l->buf + l->len, l->cap - l->len, p, len, how);
}

/* A fixed-size name field (pod, container, comm) unquoted, escaped. */
void flap_line__name(struct flap_line *l, const char *s, size_t max)
{
	flap_line__escape(l, s, strnlen(s, max), 0);
}
