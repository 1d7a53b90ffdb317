/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * crash.h - crash handling: lifecycle records (a thread group of a traced
 * cgroup exited) are checked against the crash policy; a crash makes the
 * daemon read that cgroup's rings at once and write a dump file
 * <dump-dir>/<pod or name>/<time>-<container>-<reason>.flap atomically,
 * rate limited per recorder, with retention by count and bytes.
 */
#ifndef FLAP_CRASH_H
#define FLAP_CRASH_H

#include <stddef.h>
#include <linux/types.h>

struct flap_daemon;
struct flap_exit_event;
struct flap_entry;

/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP as a bit set. */
__u64 flap_crash_default_signals(void);

/**
 * flap_crash_parse_signals() - "SEGV,ABRT,KILL" or "11,6" -> bit set.
 * Return: 0 or -EINVAL.
 */
int flap_crash_parse_signals(const char *list, __u64 *set);

/* Lifecycle callback: apply the policy, write a dump on a crash. */
void flap_crash__on_exit(struct flap_daemon *d, const struct flap_exit_event *ev);

/* Remove temp files a killed daemon left in the dump directory. */
void flap_crash__clean_temp(struct flap_daemon *d);

/**
 * flap_crash_sanitize() - a file-name-safe copy of @name: [A-Za-z0-9._-]
 * kept, everything else (a '/', a control byte, each byte of a UTF-8
 * sequence) '_'; a leading '.' makes every '.' a '_' (no hidden file, never
 * "." or ".."), a leading '-' becomes '_'; an empty or NULL @name gives
 * "unnamed"; at most @size - 1 bytes (nothing is written when @size is 0).
 */
void flap_crash_sanitize(const char *name, char *out, size_t size);

#endif /* FLAP_CRASH_H */
