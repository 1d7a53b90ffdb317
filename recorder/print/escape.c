// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * escape.c - bytes from outside (captures, names, paths) as strace quotes
 * them: printable ASCII as it is, \" and \\, the named escapes \f \n \r
 * \t \v, every other byte in the shortest octal that cannot be misread
 * (\0, \33, \177; three digits when a digit follows).
 */
#include <string.h>

#include <linux/types.h>

#include "escape.h"

static void put_ch(char *out, size_t size, size_t *n, char c)
{
	if (*n < size)
		out[*n] = c;
	(*n)++;
}

/*
 * The escape of byte @c as strace writes it; @next is the byte after it
 * (-1 at the end): octal is shortest unless a digit follows.
 * Return: length written to @e (1-4).
 */
static int escape_byte(char e[4], __u8 c, int next, bool quote)
{
	static const char named[] = "\f\n\r\t\v";
	static const char letters[] = "fnrtv";
	const char *p;
	int n = 0;

	if ((c == '"' && quote) || c == '\\') {
		e[0] = '\\';
		e[1] = c;
		return 2;
	}
	if (c >= ' ' && c < 0x7f) {
		e[0] = c;
		return 1;
	}
	p = c ? strchr(named, c) : NULL;
	if (p) {
		e[0] = '\\';
		e[1] = letters[p - named];
		return 2;
	}
	e[n++] = '\\';
	if (next >= '0' && next <= '7') {
		e[n++] = '0' + (c >> 6);
		e[n++] = '0' + ((c >> 3) & 7);
	} else if (c >> 3) {
		if (c >> 6)
			e[n++] = '0' + (c >> 6);
		e[n++] = '0' + ((c >> 3) & 7);
	}
	e[n++] = '0' + (c & 7);
	return n;
}

/*
 * Escapes @len bytes into @out like snprintf: at most @size bytes with the
 * NUL, @how is a mask of enum esc_flag. Return: the length it needs.
 */
size_t flap_escape__into(char *out, size_t size, const __u8 *p, size_t len, unsigned int how)
{
	bool quote = how & ESC_QUOTE;
	size_t i, n = 0;
	char e[4];
	int k, j;

	if (quote)
		put_ch(out, size, &n, '"');
	for (i = 0; i < len; i++) {
		k = escape_byte(e, p[i], i + 1 < len ? p[i + 1] : -1, quote);
		for (j = 0; j < k; j++)
			put_ch(out, size, &n, e[j]);
	}
	if (quote)
		put_ch(out, size, &n, '"');
	if (how & ESC_TRUNC)
		for (j = 0; j < 3; j++)
			put_ch(out, size, &n, '.');
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

size_t flap_escape__quote(char *out, size_t size, const void *data, size_t len, bool trunc)
{
	if (!data)
		len = 0;
	return flap_escape__into(out, size, data, len, ESC_QUOTE | (trunc ? ESC_TRUNC : 0));
}
