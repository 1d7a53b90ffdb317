/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dump_internal.h - what the files of the dump format share (dump.c,
 * dump_reason.c): the conversions of the event parts that have their own
 * message. Not part of the library API (dump.h).
 */
#ifndef FLAP_DUMP_INTERNAL_H
#define FLAP_DUMP_INTERNAL_H

#include "dump.h"
#include "dump.pb-c.h"
#include "trace.h"

/* A Signal message and its frame ids, pointing into a struct flap_signal. */
struct flap_signal_pb {
	Flap__Signal sig;
	Flap__FrameId ids[FLAP_REASON_FRAMES];
	Flap__FrameId *idp[FLAP_REASON_FRAMES];
};

/* A Reason message, its Signal and its stack, all pointing into a struct flap_reason. */
struct flap_reason_pb {
	Flap__Reason reason;
	struct flap_signal_pb sig;
	Flap__Frame frames[FLAP_REASON_STACK];
	Flap__Frame *framep[FLAP_REASON_STACK];
};

/* Copies bytes @b into @dst (@size bytes incl. NUL, zero-filled); they must
 * be shorter. Return: 0 or -EBADMSG. */
int flap_dump__copy_name(char *dst, size_t size, const ProtobufCBinaryData *b);

/* Fills @pb for @r; it points into @r (nothing to free). */
void flap_dump__reason_to_pb(const struct flap_reason *r, struct flap_reason_pb *pb);

/**
 * flap_dump__reason_from_pb() - a Reason message into @r (which the caller
 * zeroed). Return: 0, or -EBADMSG with *@why saying what is wrong.
 */
int flap_dump__reason_from_pb(const Flap__Reason *rs, struct flap_reason *r, const char **why);

/* Fills @pb for @s; it points into @s (nothing to free). */
void flap_dump__signal_to_pb(const struct flap_signal *s, struct flap_signal_pb *pb);

/**
 * flap_dump__signal_from_pb() - the signal of an Event message, copied
 * into @t's arena. Return: 0, -EBADMSG with *@why saying what is wrong,
 * or -ENOMEM.
 */
int flap_dump__signal_from_pb(struct flap_trace *t, const Flap__Signal *pb,
			      const struct flap_signal **out, const char **why);

#endif /* FLAP_DUMP_INTERNAL_H */
