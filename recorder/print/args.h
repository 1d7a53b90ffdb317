/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * args.h - a syscall's arguments and return value as strace prints them:
 * symbolic flags and constants (O_RDONLY|O_CLOEXEC, PROT_READ, SIGSEGV,
 * F_GETFL, TCGETS...), the structures the recorder captured (sockaddrs,
 * struct stat, iovecs, open_how, sigaction, execve's argv...), and file
 * descriptors with their names ("3</etc/passwd>") when a flap_fdnames
 * table is given. The per-syscall decoders are the sc_rules table of
 * args.c; everything without a rule prints by its C type.
 */
#ifndef FLAP_ARGS_H
#define FLAP_ARGS_H

#include "fdnames.h"
#include "text.h"
#include "trace.h"

/**
 * flap_args__print() - the arguments of @ev, without the parentheses
 * ("AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC"). For a call still
 * running, the arguments it has not filled yet are left out and
 * "<unfinished ...>" ends the list, as strace does.
 * @out: appended to.
 * @ev: the event.
 * @fds: descriptor names before the call, or NULL for plain numbers.
 *
 * Context: any thread (one @out per thread).
 */
void flap_args__print(struct flap_text *out, const struct flap_event *ev,
		      const struct flap_fdnames *fds);

/**
 * flap_args__print_ret() - the return value of a call that returned and
 * did not fail (-4095..-1 is the caller's business): "3</etc/passwd>",
 * "0x7f5a1c000000", "0x8402 (flags O_RDWR|O_APPEND|O_LARGEFILE)",
 * "1 (SUID_DUMP_USER)", "0 (Timeout)".
 * @fds: descriptor names after the call, or NULL.
 */
void flap_args__print_ret(struct flap_text *out, const struct flap_event *ev,
			  const struct flap_fdnames *fds);

/* True when syscall @nr returns an address (mmap, brk...): printed in hex. */
bool flap_args__ret_is_addr(__u32 nr);

#endif /* FLAP_ARGS_H */
