// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * text.c - the decoders' growing text buffer (see text.h). Quoting goes
 * through flap_escape__quote() (escape.c), the one implementation of
 * strace's escapes, which the formatter uses too: text.c needs nothing of
 * the formatter.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "text.h"

void flap_text__init(struct flap_text *t)
{
	static char empty[1];

	t->buf = empty;
	t->len = 0;
	t->cap = 0;
	t->oom = false;
}

void flap_text__release(struct flap_text *t)
{
	if (!t)
		return;
	if (t->cap)
		free(t->buf);
	flap_text__init(t);
}

void flap_text__clear(struct flap_text *t)
{
	t->len = 0;
	if (t->cap)
		t->buf[0] = '\0';
	t->oom = false;
}

/* Room for @n more bytes and a NUL. Return: false when out of memory. */
static bool reserve(struct flap_text *t, size_t n)
{
	size_t cap = t->cap ? t->cap : 256;
	char *p;

	if (t->oom)
		return false;
	if (t->len + n + 1 <= t->cap)
		return true;
	while (cap < t->len + n + 1)
		cap *= 2;
	p = t->cap ? realloc(t->buf, cap) : malloc(cap);
	if (!p) {
		t->oom = true;
		return false;
	}
	if (!t->cap)
		p[0] = '\0';
	t->buf = p;
	t->cap = cap;
	return true;
}

void flap_text__add(struct flap_text *t, const char *s, size_t n)
{
	if (!reserve(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void flap_text__puts(struct flap_text *t, const char *s)
{
	flap_text__add(t, s, strlen(s));
}

void flap_text__printf(struct flap_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->oom = true;
		return;
	}
	if (!reserve(t, n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, n + 1, fmt, ap);
	va_end(ap);
	t->len += n;
}

void flap_text__quote(struct flap_text *t, const void *data, size_t len, bool trunc)
{
	size_t n = flap_escape__quote(NULL, 0, data, len, trunc);

	if (!reserve(t, n))
		return;
	flap_escape__quote(t->buf + t->len, n + 1, data, len, trunc);
	t->len += n;
}
