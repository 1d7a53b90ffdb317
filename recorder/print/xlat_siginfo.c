// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xlat_siginfo.c - the names of si_code values (SI_USER, SEGV_MAPERR,
 * CLD_EXITED...), from the kernel's uapi <asm/siginfo.h>. Like
 * xlat_kernel.c this file includes no glibc header that defines the same
 * names (<signal.h> has them as enumerators).
 */
#include <linux/types.h>
#include <asm/siginfo.h>
#include <asm/signal.h>

#include "xlat.h"

/* Codes any signal may carry: who sent it. */
static const struct flap_xlat si_codes_v[] = {
	XV(SI_USER),	XV(SI_KERNEL), XV(SI_QUEUE), XV(SI_TIMER),    XV(SI_MESGQ),
	XV(SI_ASYNCIO), XV(SI_SIGIO),  XV(SI_TKILL), XV(SI_DETHREAD), XV(SI_ASYNCNL),
};
FLAP_XLAT_TABLE(si_codes, NULL);

static const struct flap_xlat sigill_codes_v[] = {
	XV(ILL_ILLOPC), XV(ILL_ILLOPN), XV(ILL_ILLADR), XV(ILL_ILLTRP),	  XV(ILL_PRVOPC),
	XV(ILL_PRVREG), XV(ILL_COPROC), XV(ILL_BADSTK), XV(ILL_BADIADDR),
};
FLAP_XLAT_TABLE(sigill_codes, NULL);

static const struct flap_xlat sigfpe_codes_v[] = {
	XV(FPE_INTDIV), XV(FPE_INTOVF), XV(FPE_FLTDIV), XV(FPE_FLTOVF), XV(FPE_FLTUND),
	XV(FPE_FLTRES), XV(FPE_FLTINV), XV(FPE_FLTSUB), XV(FPE_FLTUNK), XV(FPE_CONDTRAP),
};
FLAP_XLAT_TABLE(sigfpe_codes, NULL);

static const struct flap_xlat sigsegv_codes_v[] = {
	XV(SEGV_MAPERR),  XV(SEGV_ACCERR),  XV(SEGV_BNDERR),  XV(SEGV_PKUERR),	XV(SEGV_ACCADI),
	XV(SEGV_ADIDERR), XV(SEGV_ADIPERR), XV(SEGV_MTEAERR), XV(SEGV_MTESERR),
#ifdef SEGV_CPERR
	XV(SEGV_CPERR),
#endif
};
FLAP_XLAT_TABLE(sigsegv_codes, NULL);

static const struct flap_xlat sigbus_codes_v[] = {
	XV(BUS_ADRALN), XV(BUS_ADRERR), XV(BUS_OBJERR), XV(BUS_MCEERR_AR), XV(BUS_MCEERR_AO),
};
FLAP_XLAT_TABLE(sigbus_codes, NULL);

static const struct flap_xlat sigtrap_codes_v[] = {
	XV(TRAP_BRKPT),	 XV(TRAP_TRACE), XV(TRAP_BRANCH),
	XV(TRAP_HWBKPT), XV(TRAP_UNK),	 XV(TRAP_PERF),
};
FLAP_XLAT_TABLE(sigtrap_codes, NULL);

static const struct flap_xlat sigchld_codes_v[] = {
	XV(CLD_EXITED),	 XV(CLD_KILLED),  XV(CLD_DUMPED),
	XV(CLD_TRAPPED), XV(CLD_STOPPED), XV(CLD_CONTINUED),
};
FLAP_XLAT_TABLE(sigchld_codes, NULL);

static const struct flap_xlat sigpoll_codes_v[] = {
	XV(POLL_IN), XV(POLL_OUT), XV(POLL_MSG), XV(POLL_ERR), XV(POLL_PRI), XV(POLL_HUP),
};
FLAP_XLAT_TABLE(sigpoll_codes, NULL);

static const struct flap_xlat sigsys_codes_v[] = {
	XV(SYS_SECCOMP),
	XV(SYS_USER_DISPATCH),
};
FLAP_XLAT_TABLE(sigsys_codes, NULL);

const char *flap_xlat__si_code(int sig, int code)
{
	const struct flap_xlat_table *t = NULL;
	const char *name = flap_xlat__name(&flap_xlat_si_codes, (__u64)(__s64)code);

	if (name)
		return name;
	if (code <= 0)
		return NULL;
	switch (sig) {
	case SIGILL:
		t = &flap_xlat_sigill_codes;
		break;
	case SIGFPE:
		t = &flap_xlat_sigfpe_codes;
		break;
	case SIGSEGV:
		t = &flap_xlat_sigsegv_codes;
		break;
	case SIGBUS:
		t = &flap_xlat_sigbus_codes;
		break;
	case SIGTRAP:
		t = &flap_xlat_sigtrap_codes;
		break;
	case SIGCHLD:
		t = &flap_xlat_sigchld_codes;
		break;
	case SIGIO:
		t = &flap_xlat_sigpoll_codes;
		break;
	case SIGSYS:
		t = &flap_xlat_sigsys_codes;
		break;
	default:
		return NULL;
	}
	return flap_xlat__name(t, code);
}
