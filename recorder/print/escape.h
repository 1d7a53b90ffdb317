/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * escape.h - bytes from outside quoted as strace quotes them, for the text
 * buffer (text.c) and the formatter (format*.c).
 */
#ifndef FLAP_ESCAPE_H
#define FLAP_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum esc_flag {
	ESC_QUOTE = 1 << 0, /* "..." around, \" inside */
	ESC_TRUNC = 1 << 1, /* ... after the closing quote */
};

/* Worst case of flap_escape__into() for @len bytes (\ooo each, quotes, "..."). */
#define ESC_MAX(len) ((len)*4 + 5)

/* @len bytes escaped into @out like snprintf, @how a mask of enum esc_flag. */
size_t flap_escape__into(char *out, size_t size, const __u8 *p, size_t len, unsigned int how);

/**
 * flap_escape__quote() - quote @len bytes as strace does ("..." with \n,
 * \t, \", \\, \ooo escapes), with "..." appended after the closing quote
 * when @trunc. Return: the length it needs (like snprintf).
 */
size_t flap_escape__quote(char *out, size_t size, const void *data, size_t len, bool trunc);

#endif /* FLAP_ESCAPE_H */
