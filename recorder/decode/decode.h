/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * decode.h - raw recorder blocks -> decoded events. Every length in a block
 * is checked before it is used; a block that does not parse exactly is
 * dropped whole and counted as torn, never half-read. finish() merges the
 * CPUs by time and pairs entries with exits per thread.
 */
#ifndef FLAP_DECODE_H
#define FLAP_DECODE_H

#include <stddef.h>
#include <linux/types.h>

#include "trace.h"

struct flap_decoder;
struct flap_pending;

/**
 * flap_decoder__new() - a decoder that fills @t (borrowed; captured bytes
 * are copied into its arena, counts into its per-CPU counters).
 * Return: 0 or -ENOMEM.
 */
int flap_decoder__new(struct flap_trace *t, struct flap_decoder **out);
void flap_decoder__free(struct flap_decoder *d);

/**
 * flap_decoder__add_block() - parse one block (struct flap_block_hdr and its
 * records, @len bytes as read from CPU @cpu's ring or staging state).
 * Return: events parsed (>= 0), -EBADMSG for a corrupt or partial block
 * (counted in the CPU's torn count), -ENOMEM.
 */
int flap_decoder__add_block(struct flap_decoder *d, int cpu, const void *data, size_t len);

/**
 * flap_decoder__add_pending() - a call in flight on CPU @cpu (its pending
 * slot); it shows as unfinished unless an exit record pairs with it, and
 * counts in the CPU's held events (as the snapshot counts it produced).
 */
int flap_decoder__add_pending(struct flap_decoder *d, int cpu, const struct flap_pending *p);

/**
 * flap_decoder__finish() - pair entries with exits, fill command names,
 * append the events to the trace in time order and set its held and torn
 * counts. Return: 0 or -ENOMEM.
 */
int flap_decoder__finish(struct flap_decoder *d);

#endif /* FLAP_DECODE_H */
