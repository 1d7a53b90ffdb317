/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * xlat.h - value <-> name tables for the symbolic decoding of syscall
 * arguments (O_RDONLY|O_CLOEXEC, PROT_READ, SIGSEGV, F_GETFL, TCGETS...),
 * one table per flag set or enumeration, printed the way strace prints
 * them. The values come from the kernel's uapi headers (xlat_kernel.c) or,
 * where only libc defines them (AF_*, SOCK_*, MSG_*...), from glibc's
 * (xlat_libc.c); never from numbers written here. Entry order matters for
 * flag sets: as in strace, combined values come before their parts and the
 * first entry whose bits are all set wins.
 */
#ifndef FLAP_XLAT_H
#define FLAP_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "text.h"

struct flap_xlat {
	__u64 val;
	const char *name;
};

struct flap_xlat_table {
	const struct flap_xlat *v;
	size_t n;
	const char *unknown; /* enum marker, "F_???": an unknown value prints as hex and it */
};

/* The tables (xlat_kernel.c, xlat_libc.c). */
extern const struct flap_xlat_table flap_xlat_open_access;
extern const struct flap_xlat_table flap_xlat_open_flags;
extern const struct flap_xlat_table flap_xlat_dup3_flags;
extern const struct flap_xlat_table flap_xlat_at_flags;
extern const struct flap_xlat_table flap_xlat_at_statx_sync;
extern const struct flap_xlat_table flap_xlat_fd_flags;
extern const struct flap_xlat_table flap_xlat_fcntl_cmds;
extern const struct flap_xlat_table flap_xlat_f_seals;
extern const struct flap_xlat_table flap_xlat_lock_types;
extern const struct flap_xlat_table flap_xlat_seek_whence;
extern const struct flap_xlat_table flap_xlat_mmap_prot;
extern const struct flap_xlat_table flap_xlat_mmap_type;
extern const struct flap_xlat_table flap_xlat_mmap_flags;
extern const struct flap_xlat_table flap_xlat_madvise;
extern const struct flap_xlat_table flap_xlat_mremap_flags;
extern const struct flap_xlat_table flap_xlat_msync_flags;
extern const struct flap_xlat_table flap_xlat_clone_flags;
extern const struct flap_xlat_table flap_xlat_signals;
extern const struct flap_xlat_table flap_xlat_sigact_flags;
extern const struct flap_xlat_table flap_xlat_sigprocmask_how;
extern const struct flap_xlat_table flap_xlat_wait_options;
extern const struct flap_xlat_table flap_xlat_waitid_which;
extern const struct flap_xlat_table flap_xlat_prctl_options;
extern const struct flap_xlat_table flap_xlat_pr_dumpable;
extern const struct flap_xlat_table flap_xlat_arch_prctl;
extern const struct flap_xlat_table flap_xlat_poll_events;
extern const struct flap_xlat_table flap_xlat_epoll_events;
extern const struct flap_xlat_table flap_xlat_epoll_create_flags;
extern const struct flap_xlat_table flap_xlat_epoll_ctl_ops;
extern const struct flap_xlat_table flap_xlat_statx_mask;
extern const struct flap_xlat_table flap_xlat_statx_attrs;
extern const struct flap_xlat_table flap_xlat_s_ifmt;
extern const struct flap_xlat_table flap_xlat_resolve_flags;
extern const struct flap_xlat_table flap_xlat_rlimits;
extern const struct flap_xlat_table flap_xlat_clocks;
extern const struct flap_xlat_table flap_xlat_timer_flags;
extern const struct flap_xlat_table flap_xlat_itimer_which;
extern const struct flap_xlat_table flap_xlat_futex_cmds;
extern const struct flap_xlat_table flap_xlat_grnd_flags;
extern const struct flap_xlat_table flap_xlat_ioctl_cmds;
extern const struct flap_xlat_table flap_xlat_rename_flags;
extern const struct flap_xlat_table flap_xlat_falloc_flags;
extern const struct flap_xlat_table flap_xlat_memfd_flags;
extern const struct flap_xlat_table flap_xlat_close_range_flags;
extern const struct flap_xlat_table flap_xlat_inotify_flags;
extern const struct flap_xlat_table flap_xlat_signalfd_flags;
extern const struct flap_xlat_table flap_xlat_timerfd_flags;
extern const struct flap_xlat_table flap_xlat_timerfd_settime_flags;
extern const struct flap_xlat_table flap_xlat_ip_protocols;
extern const struct flap_xlat_table flap_xlat_mount_flags;
extern const struct flap_xlat_table flap_xlat_sched_policies;
extern const struct flap_xlat_table flap_xlat_access_modes;
extern const struct flap_xlat_table flap_xlat_socket_families;
extern const struct flap_xlat_table flap_xlat_socket_types;
extern const struct flap_xlat_table flap_xlat_socket_type_flags;
extern const struct flap_xlat_table flap_xlat_msg_flags;
extern const struct flap_xlat_table flap_xlat_shutdown_how;
extern const struct flap_xlat_table flap_xlat_sol_levels;
extern const struct flap_xlat_table flap_xlat_so_options;
extern const struct flap_xlat_table flap_xlat_tcp_options;
extern const struct flap_xlat_table flap_xlat_eventfd_flags;
extern const struct flap_xlat_table flap_xlat_flock_ops;
extern const struct flap_xlat_table flap_xlat_fadvise;
extern const struct flap_xlat_table flap_xlat_rusage_who;
extern const struct flap_xlat_table flap_xlat_umount_flags;
extern const struct flap_xlat_table flap_xlat_splice_flags;

/* Builds a table from an array (in the xlat_*.c files). */
#define FLAP_XLAT_TABLE(name, unknown_)                   \
	const struct flap_xlat_table flap_xlat_##name = { \
		.v = name##_v, .n = sizeof(name##_v) / sizeof(name##_v[0]), .unknown = unknown_}
#define XV(c)                  \
	{                      \
		(__u64)(c), #c \
	}

/**
 * flap_xlat__name() - the name of value @val in @t (exact match).
 * Return: a static string, or NULL.
 */
const char *flap_xlat__name(const struct flap_xlat_table *t, __u64 val);

/**
 * flap_xlat__val() - print the name of @val, else the value as strace does:
 * in hex followed by the table's marker in a C comment ("F_???"), or in
 * decimal for a table without a marker.
 */
void flap_xlat__val(struct flap_text *out, const struct flap_xlat_table *t, __u64 val);

/**
 * flap_xlat__flags() - print the flag set @val: the names of the entries
 * whose bits are all set, in table order, joined by "|", then the bits no
 * entry names in hex ("PROT_READ|0x10"). A zero @val prints the table's
 * zero entry if it has one, else @dflt ("0").
 * Return: the bits no entry named.
 */
__u64 flap_xlat__flags(struct flap_text *out, const struct flap_xlat_table *t, __u64 val,
		       const char *dflt);

/**
 * flap_xlat__flags_more() - like flap_xlat__flags(), but only after text
 * already printed for other parts of the same value: nothing is printed
 * for zero, and a "|" goes before the first name.
 */
void flap_xlat__flags_more(struct flap_text *out, const struct flap_xlat_table *t, __u64 val);

/**
 * flap_xlat__signal() - "SIGSEGV", "SIGRTMIN", "SIGRT_3" for signal @sig;
 * with @bare the names lose "SIG" (sigset members: [USR1 RTMIN]).
 * Return: a static string or one in @buf, NULL for 0 or > 64.
 */
const char *flap_xlat__signal(int sig, bool bare, char *buf, size_t size);

/**
 * flap_xlat__si_code() - the name of si_code @code of signal @sig: the
 * codes any signal may carry (SI_USER, SI_TKILL, SI_KERNEL...), else
 * those of @sig (SEGV_MAPERR, CLD_EXITED, ...).
 * Return: a static string, or NULL if unknown.
 */
const char *flap_xlat__si_code(int sig, int code);

#endif /* FLAP_XLAT_H */
