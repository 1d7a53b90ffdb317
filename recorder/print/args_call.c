// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_call.c - the printers of calls whose arguments depend on one
 * another: fcntl (the argument by command), clone, prctl, futex (by
 * operation), rseq, getrandom's buffer, getcwd, and the return values of
 * fcntl, prctl, poll and umask.
 */
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>

#include <linux/futex.h>
#include <linux/types.h>

#include "flap.h"
#include "args_internal.h"
#include "xlat.h"

void flap_args__next(const struct actx *a)
{
	flap_args__put(a, ", ");
}

/* fcntl(fd, cmd[, arg]): the argument by command. */
int flap_args__fcntl_nargs(const struct actx *a)
{
	switch ((int)flap_args__arg(a, 1)) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GET_SEALS:
	case F_GETPIPE_SZ:
		return 2;
	default:
		return 3;
	}
}

void flap_args__a_fcntl_cmd(const struct actx *a, int i)
{
	flap_xlat__val(a->out, &flap_xlat_fcntl_cmds, (unsigned int)flap_args__arg(a, i));
}

void flap_args__a_fcntl_arg(const struct actx *a, int i)
{
	__u64 v = flap_args__arg(a, i);

	switch ((int)flap_args__arg(a, 1)) {
	case F_SETFD:
		flap_args__put_flags(a, &flap_xlat_fd_flags, v);
		break;
	case F_SETFL:
		flap_args__put_open_flags(a->out, v);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETPIPE_SZ:
		flap_args__a_int(a, i);
		break;
	case F_SETSIG:
		flap_args__put_signal(a->out, v);
		break;
	case F_SETLEASE:
		flap_xlat__val(a->out, &flap_xlat_lock_types, (int)v);
		break;
	case F_ADD_SEALS:
		flap_args__put_flags(a, &flap_xlat_f_seals, v);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
	case F_GETOWN_EX:
	case F_SETOWN_EX:
		flap_args__put_addr(a->out, v);
		break;
	default:
		flap_args__put_hex(a->out, v);
	}
}

void flap_args__r_fcntl(const struct actx *a)
{
	__s64 r = a->ev->ret;

	switch ((int)flap_args__arg(a, 1)) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		flap_args__put_fd(a, (int)r, false);
		break;
	case F_GETFL:
		flap_args__put_hex(a->out, r);
		flap_args__put(a, " (flags ");
		flap_args__put_open_flags(a->out, r);
		flap_args__put(a, ")");
		break;
	case F_GETFD:
		if (!r) {
			flap_args__put(a, "0");
			break;
		}
		flap_args__put_hex(a->out, r);
		flap_args__put(a, " (flags ");
		flap_args__put_flags(a, &flap_xlat_fd_flags, r);
		flap_args__put(a, ")");
		break;
	case F_GET_SEALS:
		if (!r) {
			flap_args__put(a, "0");
			break;
		}
		flap_args__put_hex(a->out, r);
		flap_args__put(a, " (seals ");
		flap_args__put_flags(a, &flap_xlat_f_seals, r);
		flap_args__put(a, ")");
		break;
	case F_GETLEASE:
		flap_args__put_hex(a->out, r);
		flap_args__put(a, " (");
		flap_xlat__val(a->out, &flap_xlat_lock_types, (int)r);
		flap_args__put(a, ")");
		break;
	default:
		flap_text__printf(a->out, "%lld", (long long)r);
	}
}

/* clone(child_stack=, flags=[|SIG], parent_tid=, tls=, child_tidptr=) on x86_64. */
void flap_args__all_clone(const struct actx *a)
{
	__u64 flags = flap_args__arg(a, 0) & ~0xffULL;
	unsigned int sig = flap_args__arg(a, 0) & 0xff;

	flap_args__put(a, "child_stack=");
	flap_args__put_addr(a->out, flap_args__arg(a, 1));
	flap_args__put(a, ", flags=");
	if (flags) {
		flap_args__put_flags(a, &flap_xlat_clone_flags, flags);
		if (sig) {
			flap_args__put(a, "|");
			flap_args__put_signal(a->out, sig);
		}
	} else {
		flap_args__put_signal(a->out, sig);
	}
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		flap_args__put(a, ", parent_tid=");
		flap_args__put_addr(a->out, flap_args__arg(a, 2));
	}
	if (flags & CLONE_SETTLS) {
		flap_args__put(a, ", tls=");
		flap_args__put_addr(a->out, flap_args__arg(a, 4));
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		flap_args__put(a, ", child_tidptr=");
		flap_args__put_addr(a->out, flap_args__arg(a, 3));
	}
}

/* prctl(option, ...): the arguments the option uses, as strace shows them. */
void flap_args__all_prctl(const struct actx *a)
{
	unsigned int option = (unsigned int)flap_args__arg(a, 0), first = 1, i;

	flap_xlat__val(a->out, &flap_xlat_prctl_options, option);
	switch (option) {
	case PR_GET_KEEPCAPS:
	case PR_GET_SECCOMP:
	case PR_GET_TIMERSLACK:
	case PR_GET_TIMING:
	case PR_GET_DUMPABLE:
	case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE:
		return;
	case PR_GET_CHILD_SUBREAPER:
	case PR_GET_ENDIAN:
	case PR_GET_FPEMU:
	case PR_GET_FPEXC:
	case PR_GET_NAME:
	case PR_GET_PDEATHSIG:
	case PR_GET_TID_ADDRESS:
	case PR_GET_TSC:
	case PR_GET_UNALIGN:
		flap_args__next(a);
		flap_args__put_addr(a->out, flap_args__arg(a, 1));
		return;
	case PR_SET_CHILD_SUBREAPER:
	case PR_SET_ENDIAN:
	case PR_SET_FPEMU:
	case PR_SET_FPEXC:
	case PR_SET_KEEPCAPS:
	case PR_SET_TIMING:
		flap_args__next(a);
		flap_text__printf(a->out, "%llu", (unsigned long long)flap_args__arg(a, 1));
		return;
	case PR_SET_DUMPABLE:
		flap_args__next(a);
		flap_xlat__val(a->out, &flap_xlat_pr_dumpable, flap_args__arg(a, 1));
		return;
	case PR_SET_PDEATHSIG:
		flap_args__next(a);
		if (flap_args__arg(a, 1) > 128)
			flap_text__printf(a->out, "%llu", (unsigned long long)flap_args__arg(a, 1));
		else
			flap_args__put_signal(a->out, flap_args__arg(a, 1));
		return;
	case PR_SET_NAME:
		flap_args__next(a);
		flap_args__put_addr(a->out, flap_args__arg(a, 1));
		return;
	case PR_SET_TIMERSLACK:
		flap_args__next(a);
		flap_text__printf(a->out, "%lld", (long long)flap_args__arg(a, 1));
		return;
	case PR_SET_NO_NEW_PRIVS:
	case PR_SET_THP_DISABLE:
	case PR_SET_IO_FLUSHER:
		flap_args__next(a);
		flap_text__printf(a->out, "%llu", (unsigned long long)flap_args__arg(a, 1));
		first = 2;
		break;
	default:
		break;
	}
	for (i = first; i < 5; i++) {
		flap_args__next(a);
		flap_args__put_hex(a->out, flap_args__arg(a, i));
	}
}

void flap_args__r_prctl(const struct actx *a)
{
	const char *name;

	flap_text__printf(a->out, "%lld", (long long)a->ev->ret);
	if ((unsigned int)flap_args__arg(a, 0) == PR_GET_DUMPABLE) {
		name = flap_xlat__name(&flap_xlat_pr_dumpable, a->ev->ret);
		if (name)
			flap_text__printf(a->out, " (%s)", name);
	}
}

/* futex(uaddr, op, val[, timeout[, uaddr2[, val3]]]): what the command uses. */
void flap_args__all_futex(const struct actx *a)
{
	unsigned int op = (unsigned int)flap_args__arg(a, 1), cmd = op & FUTEX_CMD_MASK;
	const struct flap_cap *t = flap_args__cap_at(a->ev, 3);

	flap_args__put_addr(a->out, flap_args__arg(a, 0));
	flap_args__next(a);
	flap_xlat__val(a->out, &flap_xlat_futex_cmds, cmd);
	if (op & FUTEX_PRIVATE_FLAG)
		flap_args__put(a, "_PRIVATE");
	if (op & FUTEX_CLOCK_REALTIME)
		flap_args__put(a, "|FUTEX_CLOCK_REALTIME");
	flap_text__printf(a->out, ", %u", (unsigned int)flap_args__arg(a, 2));
	switch (cmd) {
	case FUTEX_WAKE:
	case FUTEX_FD:
	case FUTEX_UNLOCK_PI:
		return;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI:
		flap_args__next(a);
		if (t && t->len >= 16)
			flap_args__put_timespec(a->out, t->data, false);
		else
			flap_args__put_addr(a->out, flap_args__arg(a, 3));
		if (cmd == FUTEX_WAIT_BITSET) {
			flap_args__next(a);
			if ((unsigned int)flap_args__arg(a, 5) == FUTEX_BITSET_MATCH_ANY)
				flap_args__put(a, "FUTEX_BITSET_MATCH_ANY");
			else
				flap_args__put_hex(a->out, (unsigned int)flap_args__arg(a, 5));
		} else if (cmd == FUTEX_WAIT_REQUEUE_PI) {
			flap_args__next(a);
			flap_args__put_addr(a->out, flap_args__arg(a, 4));
		}
		return;
	case FUTEX_WAKE_BITSET:
		flap_text__printf(a->out, ", %#x", (unsigned int)flap_args__arg(a, 5));
		return;
	default:
		/* The requeue and wake_op commands: val2 (in the timeout slot), uaddr2, val3. */
		flap_text__printf(a->out, ", %u, ", (unsigned int)flap_args__arg(a, 3));
		flap_args__put_addr(a->out, flap_args__arg(a, 4));
		flap_text__printf(a->out, ", %u", (unsigned int)flap_args__arg(a, 5));
		return;
	}
}

/* rseq(rseq, rseq_len, flags, sig): raw, as strace prints it. */
void flap_args__all_hex(const struct actx *a)
{
	int i;

	for (i = 0; i < a->sc->nargs && i < a->ev->nargs; i++) {
		if (i)
			flap_args__next(a);
		flap_args__put_hex(a->out, flap_args__arg(a, i));
	}
}

/* getrandom's bytes, all in \x escapes. */
void flap_args__a_hexbuf(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);
	size_t k;

	if (!c || !flap_args__returned_ok(a->ev)) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	flap_args__put(a, "\"");
	for (k = 0; k < c->len; k++)
		flap_text__printf(a->out, "\\x%02x", c->data[k]);
	flap_args__put(a, c->flags & FLAP_EVCAP_F_TRUNC ? "\"..." : "\"");
}

/* getcwd's buffer: the path up to its NUL. */
void flap_args__a_cwd(const struct actx *a, int i)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, i);

	if (!c || !flap_args__returned_ok(a->ev)) {
		flap_args__put_addr(a->out, flap_args__arg(a, i));
		return;
	}
	flap_text__quote(a->out, c->data, strnlen((const char *)c->data, c->len),
			 c->flags & FLAP_EVCAP_F_TRUNC);
}

void flap_args__r_poll(const struct actx *a)
{
	const struct flap_cap *c = flap_args__cap_at(a->ev, 0);

	flap_text__printf(a->out, "%lld", (long long)a->ev->ret);
	if (a->ev->ret == 0) {
		flap_args__put(a, " (Timeout)");
		return;
	}
	if (!c)
		return;
	flap_args__put(a, " (");
	flap_args__put_pollfds(a, c, true);
	flap_args__put(a, ")");
}

void flap_args__r_oct(const struct actx *a)
{
	flap_text__printf(a->out, "%#03llo", (unsigned long long)a->ev->ret);
}
