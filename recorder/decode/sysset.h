/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sysset.h - sets of syscalls written the way strace's `-e trace=SET`
 * takes them: names, classes (%file, %net...), all, none, /regex, ?name,
 * and a leading ! that negates the whole set. One syntax serves the output
 * filter of dump/show and the in-kernel filter of a recorder (add/run
 * --syscalls), whose bitmap (by syscall number) is this set's.
 *
 * Classes, as strace groups syscalls (its syscallent tables):
 *   %file     takes a file name (derived from the syscall table: a string
 *             argument named like a path), plus getcwd, acct, umount2...
 *   %desc     takes or returns a file descriptor (derived: an argument named
 *             fd/dfd/fildes..., plus the calls that return new fds), socket
 *             calls excepted (they are %net)
 *   %net (%network), %process, %memory, %signal, %ipc, %creds, %clock:
 *             explicit lists
 */
#ifndef FLAP_SYSSET_H
#define FLAP_SYSSET_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Bitmap words: syscall numbers 0..511 (flap.h FLAP_NR_MAX). */
#define FLAP_SYSSET_WORDS 8

struct flap_sysset {
	__u64 bits[FLAP_SYSSET_WORDS]; /* bit nr: syscall nr is in the set */
	bool rest;		       /* numbers past the bitmap are in the set */
};

enum flap_sc_class {
	FLAP_CLASS_FILE = 1u << 0,
	FLAP_CLASS_DESC = 1u << 1,
	FLAP_CLASS_NET = 1u << 2,
	FLAP_CLASS_PROCESS = 1u << 3,
	FLAP_CLASS_MEMORY = 1u << 4,
	FLAP_CLASS_SIGNAL = 1u << 5,
	FLAP_CLASS_IPC = 1u << 6,
	FLAP_CLASS_CREDS = 1u << 7,
	FLAP_CLASS_CLOCK = 1u << 8,
};

/**
 * flap_sysset__parse() - parse @expr ("%file,%net,close", "!futex",
 * "/^stat", "?fancy_new_call", "all", "none") into @set.
 * @set: the result (overwritten).
 * @expr: the set; items separated by commas, a leading "!" negates it.
 * @err: one line saying what is wrong (may be NULL).
 * @errlen: size of @err.
 *
 * An unknown name or class is an error unless written "?name". Numbers
 * past the table (syscall_NNN) are in the set only when it is negated or
 * "all". Context: any thread.
 * Return: 0, or -EINVAL with the reason in @err.
 */
int flap_sysset__parse(struct flap_sysset *set, const char *expr, char *err, size_t errlen);

/**
 * flap_sysset__parse_items() - parse @n items of a set given as a list (the
 * control protocol's repeated string): the same as flap_sysset__parse() of
 * the items joined with commas. Return: 0 or -EINVAL.
 */
int flap_sysset__parse_items(struct flap_sysset *set, char *const *items, size_t n, char *err,
			     size_t errlen);

/* Every syscall, or none. */
void flap_sysset__all(struct flap_sysset *set);
void flap_sysset__none(struct flap_sysset *set);

/* True when syscall @nr is in @set. */
bool flap_sysset__has(const struct flap_sysset *set, long nr);

/* Adds syscall @nr (0 <= nr < 64 * FLAP_SYSSET_WORDS). */
void flap_sysset__add(struct flap_sysset *set, long nr);

/* True when @set holds every syscall (the default of a recorder and of dump). */
bool flap_sysset__is_all(const struct flap_sysset *set);

/* Number of syscalls of the table in @set. */
int flap_sysset__count(const struct flap_sysset *set);

/**
 * flap_syscall__classes() - the classes (mask of enum flap_sc_class) of
 * syscall @nr; 0 for numbers outside the table. Context: any thread.
 */
unsigned int flap_syscall__classes(long nr);

#endif /* FLAP_SYSSET_H */
