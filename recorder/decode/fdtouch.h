/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fdtouch.h - which descriptors, and whose working directory, the calls of
 * a trace change, per process. A descriptor no call of the history makes,
 * replaces or closes referred to the same file all along it: what the
 * process holds when the dump is made names it in every event (the state
 * read at the dump, flap_proc_state.at_dump), even when the history lost
 * its start. Anything the history cannot tell (a pipe whose numbers were
 * not captured, a descriptor table shared with another process) counts as
 * a change of every descriptor of the process.
 */
#ifndef FLAP_FDTOUCH_H
#define FLAP_FDTOUCH_H

#include <stdbool.h>
#include <linux/types.h>

#include "trace.h"

struct flap_fdtouch;

/**
 * flap_fdtouch__new() - what the calls of @t change, of each source @s
 * those at or after @from[s] (CLOCK_BOOTTIME ns; @from NULL: all).
 * Return: 0 or -ENOMEM; the caller owns *@out (flap_fdtouch__free()).
 */
int flap_fdtouch__new(const struct flap_trace *t, const __u64 *from, struct flap_fdtouch **out);
void flap_fdtouch__free(struct flap_fdtouch *x);

/* Does a call of the history make, replace or close descriptor @fd of @tgid? */
bool flap_fdtouch__fd(const struct flap_fdtouch *x, __u32 tgid, int fd);

/* Does a call of the history change the working directory (or root) of @tgid? */
bool flap_fdtouch__cwd(const struct flap_fdtouch *x, __u32 tgid);

#endif /* FLAP_FDTOUCH_H */
