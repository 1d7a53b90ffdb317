/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * args_internal.h - what the argument printers share (args.c,
 * args_struct.c, args_default.c, args_call.c, args_more.c, args_large.c): the call being printed
 * and the printers one file gives the others. Not part of the library API (args.h).
 */
#ifndef FLAP_ARGS_INTERNAL_H
#define FLAP_ARGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "fdnames.h"
#include "syscalls.h"
#include "text.h"
#include "trace.h"
#include "xlat.h"

/* Everything a printer needs about the call being printed. */
struct actx {
	struct flap_text *out;
	const struct flap_event *ev;
	const struct flap_syscall *sc; /* NULL: unknown syscall */
	const struct flap_fdnames *fds;
};

/* args_put.c */
void flap_args__put(const struct actx *a, const char *s);
void flap_args__put_addr(struct flap_text *out, __u64 v);
void flap_args__put_hex(struct flap_text *out, __u64 v);
__u64 flap_args__arg(const struct actx *a, int i);
const struct flap_cap *flap_args__cap_at(const struct flap_event *ev, int idx);
bool flap_args__returned_ok(const struct flap_event *ev);
void flap_args__put_fdname(struct flap_text *out, const char *name);
void flap_args__put_fd(const struct actx *a, int fd, bool dir);
void flap_args__put_flags(const struct actx *a, const struct flap_xlat_table *t, __u64 v);
void flap_args__put_open_flags(struct flap_text *out, __u64 v);
void flap_args__put_signal(struct flap_text *out, __u64 sig);
void flap_args__a_int(const struct actx *a, int i);
void flap_args__put_mode(struct flap_text *out, unsigned int mode);

/* args_struct.c */
void flap_args__put_timespec(struct flap_text *out, const __u8 *p, bool usec);
void flap_args__put_pollfds(const struct actx *a, const struct flap_cap *c, bool revents);
bool flap_args__put_struct(const struct actx *a, int i, const struct flap_cap *c);
void flap_args__put_sockaddr(struct flap_text *out, const __u8 *p, size_t len, bool trunc);
void flap_args__put_iovecs(const struct actx *a, int i, const struct flap_cap *c);
void flap_args__put_argv(const struct actx *a, const struct flap_cap *c);
void flap_args__put_sigset(struct flap_text *out, const __u8 *data, size_t len);

/* args_large.c */
void flap_args__s_utsname(const struct actx *a, const struct flap_cap *c);
void flap_args__s_sysinfo(const struct actx *a, const struct flap_cap *c);
void flap_args__s_statfs(const struct actx *a, const struct flap_cap *c);

/* siginfo.c */
void flap_args__all_sigreturn(const struct actx *a);

/* args_default.c */
void flap_args__put_default(const struct actx *a, int i);

/* args_call.c */
void flap_args__next(const struct actx *a);
int flap_args__fcntl_nargs(const struct actx *a);
void flap_args__a_fcntl_cmd(const struct actx *a, int i);
void flap_args__a_fcntl_arg(const struct actx *a, int i);
void flap_args__r_fcntl(const struct actx *a);
void flap_args__all_clone(const struct actx *a);
void flap_args__all_prctl(const struct actx *a);
void flap_args__r_prctl(const struct actx *a);
void flap_args__all_futex(const struct actx *a);
void flap_args__all_hex(const struct actx *a);
void flap_args__a_hexbuf(const struct actx *a, int i);
void flap_args__a_cwd(const struct actx *a, int i);
void flap_args__r_poll(const struct actx *a);
void flap_args__r_oct(const struct actx *a);

/* args_more.c */
void flap_args__a_cpumask(const struct actx *a, int i);
void flap_args__a_sockopt_val(const struct actx *a, int i);
void flap_args__a_gids(const struct actx *a, int i);
void flap_args__a_utimes(const struct actx *a, int i);
int flap_args__ioctl_nargs(const struct actx *a);

#endif /* FLAP_ARGS_INTERNAL_H */
