// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xlat.c - printing values and flag sets by name (see xlat.h). The tables
 * themselves are in xlat_kernel.c (uapi headers) and xlat_libc.c (glibc).
 */
#include <stdio.h>
#include <string.h>

#include "xlat.h"

const char *flap_xlat__name(const struct flap_xlat_table *t, __u64 val)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].val == val)
			return t->v[i].name;
	return NULL;
}

void flap_xlat__val(struct flap_text *out, const struct flap_xlat_table *t, __u64 val)
{
	const char *name = flap_xlat__name(t, val);

	if (name)
		flap_text__puts(out, name);
	else if (t->unknown)
		flap_text__printf(out, "%#llx /* %s */", (unsigned long long)val, t->unknown);
	else
		flap_text__printf(out, "%lld", (long long)val);
}

/* Prints the names of the set bits of @val; returns what no entry named. */
static __u64 print_bits(struct flap_text *out, const struct flap_xlat_table *t, __u64 val,
			bool *first)
{
	size_t i;

	for (i = 0; i < t->n && val; i++) {
		__u64 v = t->v[i].val;

		if (!v || (val & v) != v)
			continue;
		flap_text__printf(out, "%s%s", *first ? "" : "|", t->v[i].name);
		*first = false;
		val &= ~v;
	}
	return val;
}

__u64 flap_xlat__flags(struct flap_text *out, const struct flap_xlat_table *t, __u64 val,
		       const char *dflt)
{
	bool first = true;
	__u64 rest;

	if (!val) {
		const char *zero = flap_xlat__name(t, 0);

		flap_text__puts(out, zero ? zero : dflt);
		return 0;
	}
	rest = print_bits(out, t, val, &first);
	if (rest)
		flap_text__printf(out, "%s%#llx", first ? "" : "|", (unsigned long long)rest);
	return rest;
}

void flap_xlat__flags_more(struct flap_text *out, const struct flap_xlat_table *t, __u64 val)
{
	bool first = false;
	__u64 rest = print_bits(out, t, val, &first);

	if (rest)
		flap_text__printf(out, "|%#llx", (unsigned long long)rest);
}

const char *flap_xlat__signal(int sig, bool bare, char *buf, size_t size)
{
	const char *name;

	if (sig <= 0 || sig > 64)
		return NULL;
	name = flap_xlat__name(&flap_xlat_signals, sig);
	if (name)
		return bare ? name + 3 : name;
	/* The kernel's real-time signals: 32 is SIGRTMIN, 33 SIGRT_1... */
	if (sig == 32)
		snprintf(buf, size, "%sRTMIN", bare ? "" : "SIG");
	else if (sig > 32)
		snprintf(buf, size, "%sRT_%d", bare ? "" : "SIG", sig - 32);
	else
		snprintf(buf, size, "%d", sig);
	return buf;
}
