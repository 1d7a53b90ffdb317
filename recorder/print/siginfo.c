// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * siginfo.c - a signal's siginfo as strace prints it in its
 * "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1092, si_uid=0,
 * si_status=1, si_utime=0, si_stime=0} ---" lines: si_signo and si_code by
 * name, si_errno when set, then the fields of the union that the code
 * says are there (strace's print_si_info()): the sender for signals from
 * userspace, si_addr for faults, the child's status and times for SIGCHLD,
 * band and fd for SIGIO, the call for SIGSYS. The recorder keeps the
 * kernel's struct kernel_siginfo (48 bytes, the start of glibc's
 * siginfo_t), read here through glibc's field names.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "args.h"
#include "args_internal.h"
#include "syscalls.h"
#include "text.h"
#include "trace.h"
#include "xlat.h"

/* AUDIT_ARCH_* of the architectures the recorder runs on (<linux/audit.h>). */
#define ARCH_X86_64  0xc000003eu
#define ARCH_AARCH64 0xc00000b7u

_Static_assert(sizeof(siginfo_t) >= FLAP_SIGINFO_BYTES, "siginfo_t holds the kernel's");

static void siginfo_of(const struct flap_signal *s, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	memcpy(si, s->info, FLAP_SIGINFO_BYTES);
	if (!(s->flags & FLAP_SIG_NOINFO))
		return;
	/* What the kernel makes of a signal sent without one. */
	si->si_signo = s->sig;
	si->si_code = s->flags & FLAP_SIG_PRIV ? SI_KERNEL : SI_USER;
	if (!(s->flags & FLAP_SIG_PRIV) && (s->flags & FLAP_SIG_SENT)) {
		si->si_pid = (pid_t)s->sender_tgid;
		si->si_uid = s->sender_uid;
	}
}

static void put_sig(struct flap_text *out, int sig)
{
	char buf[16];
	const char *name = flap_xlat__signal(sig, false, buf, sizeof(buf));

	if (name)
		flap_text__puts(out, name);
	else
		flap_text__printf(out, "%d", sig);
}

static void put_uid(struct flap_text *out, unsigned int uid)
{
	if (uid == (unsigned int)-1)
		flap_text__puts(out, "-1");
	else
		flap_text__printf(out, "%u", uid);
}

/* ", si_pid=P, si_uid=U" */
static void put_source(struct flap_text *out, const siginfo_t *si)
{
	flap_text__printf(out, ", si_pid=%d, si_uid=", si->si_pid);
	put_uid(out, si->si_uid);
}

static void put_value(struct flap_text *out, const siginfo_t *si)
{
	flap_text__printf(out, ", si_int=%d, si_ptr=", si->si_int);
	flap_args__put_addr(out, (__u64)(unsigned long)si->si_ptr);
}

/* A signal from userspace (si_code <= 0): who sent it, with what. */
static void put_user_info(struct flap_text *out, const siginfo_t *si)
{
	switch (si->si_code) {
	case SI_USER:
	case SI_TKILL:
		put_source(out, si);
		break;
	case SI_TIMER:
		flap_text__printf(out, ", si_timerid=%#x, si_overrun=%d", si->si_timerid,
				  si->si_overrun);
		put_value(out, si);
		break;
	case SI_SIGIO:
		flap_text__printf(out, ", si_band=%ld, si_fd=%d", si->si_band, si->si_fd);
		break;
	default:
		put_source(out, si);
		if (si->si_ptr)
			put_value(out, si);
		break;
	}
}

static void put_sigsys(struct flap_text *out, const siginfo_t *si)
{
	const struct flap_syscall *sc = NULL;

	flap_text__puts(out, ", si_call_addr=");
	flap_args__put_addr(out, (__u64)(unsigned long)si->si_call_addr);
	if (si->si_arch == ARCH_X86_64 || si->si_arch == ARCH_AARCH64)
		sc = flap_syscall__by_nr(si->si_syscall);
	if (sc)
		flap_text__printf(out, ", si_syscall=__NR_%s", sc->name);
	else
		flap_text__printf(out, ", si_syscall=%d", si->si_syscall);
	if (si->si_arch == ARCH_X86_64)
		flap_text__puts(out, ", si_arch=AUDIT_ARCH_X86_64");
	else if (si->si_arch == ARCH_AARCH64)
		flap_text__puts(out, ", si_arch=AUDIT_ARCH_AARCH64");
	else
		flap_text__printf(out, ", si_arch=%#x", si->si_arch);
}

/* A signal from the kernel (si_code > 0): the fields its signal has. */
static void put_kernel_info(struct flap_text *out, const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGCHLD:
		put_source(out, si);
		flap_text__puts(out, ", si_status=");
		if (si->si_code == CLD_EXITED)
			flap_text__printf(out, "%d", si->si_status);
		else
			put_sig(out, si->si_status);
		flap_text__printf(out, ", si_utime=%ld, si_stime=%ld", (long)si->si_utime,
				  (long)si->si_stime);
		break;
	case SIGILL:
	case SIGFPE:
	case SIGBUS:
	case SIGSEGV:
	case SIGTRAP:
		flap_text__puts(out, ", si_addr=");
		flap_args__put_addr(out, (__u64)(unsigned long)si->si_addr);
		if (si->si_signo == SIGSEGV && si->si_code == SEGV_BNDERR) {
			flap_text__puts(out, ", si_lower=");
			flap_args__put_addr(out, (__u64)(unsigned long)si->si_lower);
			flap_text__puts(out, ", si_upper=");
			flap_args__put_addr(out, (__u64)(unsigned long)si->si_upper);
		} else if (si->si_signo == SIGSEGV && si->si_code == SEGV_PKUERR) {
			flap_text__printf(out, ", si_pkey=%u", si->si_pkey);
		} else if (si->si_signo == SIGBUS &&
			   (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO)) {
			flap_text__printf(out, ", si_addr_lsb=%#x", (unsigned int)si->si_addr_lsb);
		}
		break;
	case SIGIO:
		if (si->si_code >= POLL_IN && si->si_code <= POLL_MSG)
			flap_text__printf(out, ", si_band=%ld, si_fd=%d", si->si_band, si->si_fd);
		break;
	case SIGSYS:
		put_sigsys(out, si);
		break;
	default:
		if (si->si_pid || si->si_uid)
			put_source(out, si);
		if (si->si_ptr)
			put_value(out, si);
		break;
	}
}

void flap_args__siginfo(struct flap_text *out, const struct flap_signal *s)
{
	const char *code, *err;
	siginfo_t si;

	siginfo_of(s, &si);
	flap_text__puts(out, "{");
	if (si.si_signo) {
		flap_text__puts(out, "si_signo=");
		put_sig(out, si.si_signo);
		code = flap_xlat__si_code(si.si_signo, si.si_code);
		if (code)
			flap_text__printf(out, ", si_code=%s", code);
		else
			flap_text__printf(out, ", si_code=%d", si.si_code);
		if (si.si_errno) {
			err = strerrorname_np(si.si_errno);
			if (err)
				flap_text__printf(out, ", si_errno=%s", err);
			else
				flap_text__printf(out, ", si_errno=%d", si.si_errno);
		}
		if (si.si_code <= 0)
			put_user_info(out, &si);
		else
			put_kernel_info(out, &si);
	}
	flap_text__puts(out, "}");
}

void flap_args__siginfo_fields(const struct flap_signal *s, struct flap_siginfo_fields *f)
{
	siginfo_t si;

	siginfo_of(s, &si);
	memset(f, 0, sizeof(*f));
	f->signo = si.si_signo;
	f->code = si.si_code;
	f->err = si.si_errno;
	f->code_name = flap_xlat__si_code(si.si_signo, si.si_code);
	if (si.si_code <= 0 ? si.si_code != SI_TIMER && si.si_code != SI_SIGIO
			    : si.si_signo == SIGCHLD) {
		f->has_source = true;
		f->pid = si.si_pid;
		f->uid = si.si_uid;
	}
	if (si.si_code > 0 && si.si_signo == SIGCHLD) {
		f->has_status = true;
		f->status = si.si_status;
	}
	if (si.si_code > 0 &&
	    (si.si_signo == SIGILL || si.si_signo == SIGFPE || si.si_signo == SIGBUS ||
	     si.si_signo == SIGSEGV || si.si_signo == SIGTRAP)) {
		f->has_addr = true;
		f->addr = (__u64)(unsigned long)si.si_addr;
	}
}

void flap_args__all_sigreturn(const struct actx *a)
{
	const struct flap_event *ev = a->ev;

	flap_text__puts(a->out, "{mask=");
	if (ev->flags & FLAP_EV_F_SIGMASK)
		flap_args__put_sigset(a->out, (const __u8 *)&ev->args[0], 8);
	else
		flap_text__puts(a->out, "?");
	flap_text__puts(a->out, "}");
}
