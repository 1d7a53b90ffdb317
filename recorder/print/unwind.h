/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * unwind.h - a crashing thread's callers from DWARF call frame information
 * (libdw's unwinder, as perf's --call-graph dwarf): the registers the
 * recorder kept at the fatal signal and its copy of the top of the user
 * stack, unwound through the .eh_frame (or .debug_frame) of the objects
 * whose load bias the recorded frames gave. Code built without frame
 * pointers gets its whole chain this way, as far as the stack copy holds
 * the frames.
 */
#ifndef FLAP_UNWIND_H
#define FLAP_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* An object of the crashed process: its file and its load bias. */
struct flap_unwind_obj {
	const char *path;
	__u64 bias;
};

/* The thread at the signal: its registers (0: not recorded) and the stack copy. */
struct flap_unwind_state {
	__u64 ip;
	__u64 sp;
	__u64 bp;
	const __u8 *stack; /* @stack_len bytes from sp */
	size_t stack_len;
};

/**
 * flap_unwind__dwarf() - the instruction pointers of the thread's frames,
 * innermost first ([0] = @st->ip; the others are return addresses),
 * unwound with the CFI of the objects @objs. Memory is read from the stack
 * copy, and from the objects' files for addresses in them. The unwind
 * ends at the first frame whose caller it cannot find, after the first
 * frame outside every object (its caller would be a guess), or at @max.
 * Return: frames in @pcs (0 when nothing unwinds), or negative errno.
 * Context: any thread; opens the objects' files and closes them again.
 */
int flap_unwind__dwarf(const struct flap_unwind_obj *objs, int nobjs,
		       const struct flap_unwind_state *st, __u64 *pcs, int max);

#endif /* FLAP_UNWIND_H */
