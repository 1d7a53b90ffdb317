/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * text.h - a growing text buffer for the argument decoders (args.c,
 * xlat.c): printf-style appends, strace-style quoted strings, and a sticky
 * out-of-memory flag so callers check once at the end.
 */
#ifndef FLAP_TEXT_H
#define FLAP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct flap_text {
	char *buf; /* NUL-terminated; "" before the first append */
	size_t len;
	size_t cap;
	bool oom; /* an append failed: the text is incomplete */
};

/* Start empty (no allocation yet). */
void flap_text__init(struct flap_text *t);
/* Free the buffer; @t is empty again. NULL-safe. */
void flap_text__release(struct flap_text *t);
/* Drop the content, keep the buffer. */
void flap_text__clear(struct flap_text *t);

/* Append @n bytes of @s / the string @s / printf output; on -ENOMEM set oom. */
void flap_text__add(struct flap_text *t, const char *s, size_t n);
void flap_text__puts(struct flap_text *t, const char *s);
void flap_text__printf(struct flap_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * flap_text__quote() - append @len bytes as strace quotes a string
 * ("...", C escapes, compact octal), with "..." after it when @trunc.
 */
void flap_text__quote(struct flap_text *t, const void *data, size_t len, bool trunc);

#endif /* FLAP_TEXT_H */
