/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * syscalls.h - the syscall table of the build architecture: number, name,
 * argument types and names, and the capture kind of each argument (the same
 * kind word the BPF recorder uses). Generated at build time by
 * gen-syscalls.sh from the system headers and the kernel's syscall metadata.
 */
#ifndef FLAP_SYSCALLS_H
#define FLAP_SYSCALLS_H

#include <linux/types.h>

struct flap_syscall_arg {
	const char *type; /* C type as the kernel declares it, "const char *" */
	const char *name; /* parameter name, "filename" */
};

struct flap_syscall {
	int nr;
	const char *name;
	__u32 kinds; /* FLAP_KINDS(): nargs, flags, capture kind per argument */
	__u8 nargs;
	struct flap_syscall_arg args[6];
};

/**
 * flap_syscall__by_nr() - the table entry of syscall @nr.
 * Return: a pointer into the static table (borrowed), or NULL if unknown.
 */
const struct flap_syscall *flap_syscall__by_nr(long nr);

/**
 * flap_syscall__by_name() - the table entry of the syscall called @name.
 * Return: borrowed pointer or NULL.
 */
const struct flap_syscall *flap_syscall__by_name(const char *name);

/* Number of entries, and entry @i (0 <= i < count), in number order. */
int flap_syscall__count(void);
const struct flap_syscall *flap_syscall__at(int i);

/**
 * flap_syscall__caps_need() - the most bytes the recorder's captures of one
 * call with kind word @kinds can take (capture headers included), with
 * strings kept to @str_max and buffers to @buf_max bytes: the same rules as
 * put_body() in bpf/record.bpf.c (the first FLAP_MAX_CAPS captured
 * arguments, by kind). The loader stores it per syscall in the recorder.
 * Context: any thread. Return: bytes.
 */
__u32 flap_syscall__caps_need(__u32 kinds, __u32 str_max, __u32 buf_max);

/* The architecture the table was generated for ("x86_64"). */
const char *flap_syscall__arch(void);

#endif /* FLAP_SYSCALLS_H */
