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

#include <stdbool.h>
#include <linux/types.h>

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

/**
 * flap_args__siginfo() - a signal event's siginfo as strace prints it:
 * "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}". For a signal
 * sent without siginfo, what the kernel makes of it (SI_USER from the
 * sender, SI_KERNEL). Context: any thread.
 */
void flap_args__siginfo(struct flap_text *out, const struct flap_signal *s);

/* The fields of a siginfo the JSON output and crash reasons name. */
struct flap_siginfo_fields {
	int signo;
	int code;
	int err;
	const char *code_name; /* "SEGV_MAPERR", NULL if unknown */
	bool has_source;       /* si_pid, si_uid */
	bool has_status;       /* SIGCHLD: si_status */
	bool has_addr;	       /* a fault: si_addr */
	int pid;
	unsigned int uid;
	int status;
	__u64 addr;
};

/* flap_args__siginfo_fields() - those of @s's siginfo. */
void flap_args__siginfo_fields(const struct flap_signal *s, struct flap_siginfo_fields *f);

/* True when syscall @nr returns an address (mmap, brk...): printed in hex. */
bool flap_args__ret_is_addr(__u32 nr);

#endif /* FLAP_ARGS_H */
