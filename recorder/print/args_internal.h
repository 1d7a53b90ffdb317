/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * args_internal.h - what the argument printers share (args.c,
 * args_struct.c, args_default.c, args_call.c): the call being printed and
 * the printers one file gives the others. Not part of the library API
 * (args.h).
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
void put(const struct actx *a, const char *s);
void put_addr(struct flap_text *out, __u64 v);
void put_hex(struct flap_text *out, __u64 v);
__u64 arg(const struct actx *a, int i);
const struct flap_cap *cap_at(const struct flap_event *ev, int idx);
bool returned_ok(const struct flap_event *ev);
void put_fdname(struct flap_text *out, const char *name);
void put_fd(const struct actx *a, int fd, bool dir);
void put_flags(const struct actx *a, const struct flap_xlat_table *t, __u64 v);
void put_open_flags(struct flap_text *out, __u64 v);
void put_signal(struct flap_text *out, __u64 sig);
void a_int(const struct actx *a, int i);
void put_mode(struct flap_text *out, unsigned int mode);

/* args_struct.c */
void put_timespec(struct flap_text *out, const __u8 *p, bool usec);
void put_pollfds(const struct actx *a, const struct flap_cap *c, bool revents);
bool put_struct(const struct actx *a, int i, const struct flap_cap *c);
void put_sockaddr(struct flap_text *out, const __u8 *p, size_t len, bool trunc);
void put_iovecs(const struct actx *a, int i, const struct flap_cap *c);
void put_argv(const struct actx *a, const struct flap_cap *c);

/* args_default.c */
void put_default(const struct actx *a, int i);

/* args_call.c */
void next(const struct actx *a);
int fcntl_nargs(const struct actx *a);
void a_fcntl_cmd(const struct actx *a, int i);
void a_fcntl_arg(const struct actx *a, int i);
void r_fcntl(const struct actx *a);
void all_clone(const struct actx *a);
void all_prctl(const struct actx *a);
void r_prctl(const struct actx *a);
void all_futex(const struct actx *a);
void all_hex(const struct actx *a);
void a_hexbuf(const struct actx *a, int i);
void a_cwd(const struct actx *a, int i);
void r_poll(const struct actx *a);
void r_oct(const struct actx *a);

#endif /* FLAP_ARGS_INTERNAL_H */
