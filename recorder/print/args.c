// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args.c - syscall arguments and return values as strace prints them (see
 * args.h).
 *
 * An argument is printed, in this order of preference, by
 *   1. the syscall's rule (sc_rules below): a printer for a flag set or a
 *      constant (open flags, mmap prot, signals, fcntl commands...), or a
 *      printer for the whole call (clone, fcntl, prctl, futex: what they
 *      show depends on another argument);
 *   2. its capture kind (bpf/flap.h): a string or buffer is quoted, a
 *      sockaddr, iovec array, argv, struct or array is decoded by its C
 *      type (struct stat, sigaction, timespec, pollfd...);
 *   3. its C type and name: fds (with their names), addresses, octal
 *      modes, signed and unsigned integers of the right width, flags in
 *      hex.
 * An output argument of a call that failed, or whose data was not
 * captured, prints as its address, as strace does.
 *
 * The rules and the value printers are here; the captured structures are
 * decoded in args_struct.c, the default printer is args_default.c, the
 * printers of whole calls (fcntl, clone, prctl, futex...) args_call.c, and
 * the small printers all of them use args_put.c, a few arguments the type
 * does not tell (CPU masks, socket option values, group lists, utimensat's
 * times) args_more.c.
 *
 * The constants used to pick a decoder here (O_CREAT, F_GETFL, CLONE_*...)
 * come from glibc's headers; the names printed come from xlat tables.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "flap.h"
#include "args.h"
#include "args_internal.h"
#include "syscalls.h"
#include "util.h"
#include "xlat.h"

typedef void (*arg_fn)(const struct actx *a, int i);

struct sc_rule {
	const char *name;
	arg_fn args[6];			    /* NULL: by kind and type */
	void (*all)(const struct actx *a);  /* prints every argument itself */
	void (*ret)(const struct actx *a);  /* the return value on success */
	int (*nargs)(const struct actx *a); /* arguments shown (fewer than the table) */
	bool ret_addr;			    /* returns an address */
	bool ret_fd;			    /* returns a new descriptor */
};

/* ---- value printers (rules) --------------------------------------------------- */

static void a_fd(const struct actx *a, int i)
{
	flap_args__put_fd(a, (int)flap_args__arg(a, i), false);
}

static void a_hex(const struct actx *a, int i)
{
	flap_args__put_hex(a->out, flap_args__arg(a, i));
}

static void a_addr(const struct actx *a, int i)
{
	flap_args__put_addr(a->out, flap_args__arg(a, i));
}

static void a_uint(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%u", (unsigned int)flap_args__arg(a, i));
}

static void a_oct(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%#03o", (unsigned int)flap_args__arg(a, i));
}

static void a_open_flags(const struct actx *a, int i)
{
	flap_args__put_open_flags(a->out, flap_args__arg(a, i));
}

#define FLAGS_PRINTER(fn, table)                                                   \
	static void fn(const struct actx *a, int i)                                \
	{                                                                          \
		flap_args__put_flags(a, &flap_xlat_##table, flap_args__arg(a, i)); \
	}

#define VAL_PRINTER(fn, table, cast)                                                    \
	static void fn(const struct actx *a, int i)                                     \
	{                                                                               \
		flap_xlat__val(a->out, &flap_xlat_##table, (cast)flap_args__arg(a, i)); \
	}

FLAGS_PRINTER(a_at_flags, at_flags)

FLAGS_PRINTER(a_access, access_modes)

FLAGS_PRINTER(a_prot, mmap_prot)

FLAGS_PRINTER(a_mremap_flags, mremap_flags)

FLAGS_PRINTER(a_msync, msync_flags)

FLAGS_PRINTER(a_wait_options, wait_options)

FLAGS_PRINTER(a_dup3_flags, dup3_flags)

FLAGS_PRINTER(a_epoll_create_flags, epoll_create_flags)

FLAGS_PRINTER(a_msg_flags, msg_flags)

FLAGS_PRINTER(a_sock_flags, socket_type_flags)

FLAGS_PRINTER(a_statx_mask, statx_mask)

FLAGS_PRINTER(a_grnd, grnd_flags)

FLAGS_PRINTER(a_timer_flags, timer_flags)

FLAGS_PRINTER(a_eventfd_flags, eventfd_flags)

FLAGS_PRINTER(a_timerfd_flags, timerfd_flags)

FLAGS_PRINTER(a_timerfd_settime_flags, timerfd_settime_flags)

FLAGS_PRINTER(a_signalfd_flags, signalfd_flags)

FLAGS_PRINTER(a_inotify_flags, inotify_flags)

FLAGS_PRINTER(a_memfd_flags, memfd_flags)

FLAGS_PRINTER(a_rename_flags, rename_flags)

FLAGS_PRINTER(a_falloc, falloc_flags)

FLAGS_PRINTER(a_flock, flock_ops)

FLAGS_PRINTER(a_close_range_flags, close_range_flags)

FLAGS_PRINTER(a_mount_flags, mount_flags)

FLAGS_PRINTER(a_umount_flags, umount_flags)

FLAGS_PRINTER(a_splice_flags, splice_flags)

FLAGS_PRINTER(a_clone_ns, clone_flags)

VAL_PRINTER(a_whence, seek_whence, unsigned int)

VAL_PRINTER(a_madvise, madvise, int)

VAL_PRINTER(a_sighow, sigprocmask_how, int)

VAL_PRINTER(a_family, socket_families, unsigned int)

VAL_PRINTER(a_shutdown, shutdown_how, int)

VAL_PRINTER(a_epoll_op, epoll_ctl_ops, int)

VAL_PRINTER(a_rlimit_res, rlimits, unsigned int)

VAL_PRINTER(a_clock, clocks, int)

VAL_PRINTER(a_itimer_which, itimer_which, int)

VAL_PRINTER(a_waitid_which, waitid_which, int)

VAL_PRINTER(a_arch_prctl, arch_prctl, int)

VAL_PRINTER(a_fadvise, fadvise, int)

VAL_PRINTER(a_rusage_who, rusage_who, int)

VAL_PRINTER(a_sched_policy, sched_policies, int)

static void a_signal(const struct actx *a, int i)
{
	flap_args__put_signal(a->out, (unsigned int)flap_args__arg(a, i));
}

/* The mode of open/openat: only with O_CREAT or O_TMPFILE (strace hides it too). */
static int open_nargs(const struct actx *a)
{
	int flags_idx = strcmp(a->sc->name, "open") ? 2 : 1,
	    flags = (int)flap_args__arg(a, flags_idx);

	if (!strcmp(a->sc->name, "creat"))
		return 2;
	return flags & O_CREAT || (flags & O_TMPFILE) == O_TMPFILE ? flags_idx + 2 : flags_idx + 1;
}

/* socket type: SOCK_STREAM|SOCK_CLOEXEC */
static void a_socktype(const struct actx *a, int i)
{
	__u64 v = flap_args__arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_socket_types, v & 0xf);
	flap_xlat__flags_more(a->out, &flap_xlat_socket_type_flags, v & ~0xfULL);
}

/* socket protocol: IPPROTO_* for inet families, a number otherwise. */
static void a_sockproto(const struct actx *a, int i)
{
	int family = (int)flap_args__arg(a, 0);

	if (family == AF_INET || family == AF_INET6)
		flap_xlat__val(a->out, &flap_xlat_ip_protocols, (unsigned int)flap_args__arg(a, i));
	else
		a_uint(a, i);
}

static void a_sol_level(const struct actx *a, int i)
{
	int level = (int)flap_args__arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_sol_levels, level == IPPROTO_TCP ? SOL_TCP : level);
}

static void a_sockopt_name(const struct actx *a, int i)
{
	int level = (int)flap_args__arg(a, 1);

	if (level == SOL_SOCKET)
		flap_xlat__val(a->out, &flap_xlat_so_options, (unsigned int)flap_args__arg(a, i));
	else if (level == IPPROTO_TCP)
		flap_xlat__val(a->out, &flap_xlat_tcp_options, (unsigned int)flap_args__arg(a, i));
	else
		flap_args__a_int(a, i);
}

/* mmap flags: the mapping type, then the flags. */
static void a_mmap_flags(const struct actx *a, int i)
{
	__u64 v = flap_args__arg(a, i) & 0xffffffffULL;

	flap_xlat__val(a->out, &flap_xlat_mmap_type, v & 0xf);
	flap_xlat__flags_more(a->out, &flap_xlat_mmap_flags, v & ~0xfULL);
}

/* ioctl request: known names, else _IOC(dir, type, nr, size) as strace. */
static void a_ioctl_cmd(const struct actx *a, int i)
{
	unsigned int cmd = (unsigned int)flap_args__arg(a, i), dir = cmd >> 30;
	static const char *const dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					   "_IOC_READ|_IOC_WRITE"};
	const char *name = flap_xlat__name(&flap_xlat_ioctl_cmds, cmd);

	if (name)
		flap_args__put(a, name);
	else
		flap_text__printf(a->out, "_IOC(%s, %#x, %#x, %#x)", dirs[dir], (cmd >> 8) & 0xff,
				  cmd & 0xff, (cmd >> 16) & 0x3fff);
}

/* statx flags: the sync type (always), then the AT_* flags. */
static void a_statx_flags(const struct actx *a, int i)
{
	unsigned int v = (unsigned int)flap_args__arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_at_statx_sync, v & AT_STATX_SYNC_TYPE);
	flap_xlat__flags_more(a->out, &flap_xlat_at_flags, v & ~AT_STATX_SYNC_TYPE);
}

static void a_mknod_mode(const struct actx *a, int i)
{
	flap_args__put_mode(a->out, (unsigned int)flap_args__arg(a, i));
}

static int mknod_nargs(const struct actx *a)
{
	int at = strcmp(a->sc->name, "mknod") != 0;
	unsigned int type = (unsigned int)flap_args__arg(a, 1 + at) & S_IFMT;

	return type == S_IFCHR || type == S_IFBLK ? 3 + at : 2 + at;
}

static void a_makedev(const struct actx *a, int i)
{
	__u64 dev = flap_args__arg(a, i);

	flap_text__printf(a->out, "makedev(%#x, %#x)", major(dev), minor(dev));
}

/* ---- the rules ---------------------------------------------------------------- */

static const struct sc_rule sc_rules[] = {
	{.name = "open", .args = {[1] = a_open_flags}, .nargs = open_nargs, .ret_fd = true},
	{.name = "openat", .args = {[2] = a_open_flags}, .nargs = open_nargs, .ret_fd = true},
	{.name = "creat", .ret_fd = true},
	{.name = "openat2", .ret_fd = true},
	{.name = "open_by_handle_at", .args = {[2] = a_open_flags}, .ret_fd = true},
	{.name = "access", .args = {[1] = a_access}},
	{.name = "faccessat", .args = {[2] = a_access}},
	{.name = "faccessat2", .args = {[2] = a_access, [3] = a_at_flags}},
	{.name = "newfstatat", .args = {[3] = a_at_flags}},
	{.name = "statx", .args = {[2] = a_statx_flags, [3] = a_statx_mask}},
	{.name = "unlinkat", .args = {[2] = a_at_flags}},
	{.name = "linkat", .args = {[4] = a_at_flags}},
	{.name = "fchownat", .args = {[4] = a_at_flags}},
	{.name = "fchmodat2", .args = {[3] = a_at_flags}},
	{.name = "utimensat", .args = {[2] = flap_args__a_utimes, [3] = a_at_flags}},
	{.name = "execveat", .args = {[4] = a_at_flags}},
	{.name = "name_to_handle_at", .args = {[4] = a_at_flags}},
	{.name = "renameat2", .args = {[4] = a_rename_flags}},
	{.name = "mknod", .args = {[1] = a_mknod_mode, [2] = a_makedev}, .nargs = mknod_nargs},
	{.name = "mknodat", .args = {[2] = a_mknod_mode, [3] = a_makedev}, .nargs = mknod_nargs},
	{.name = "umask", .args = {[0] = a_oct}, .ret = flap_args__r_oct},
	{.name = "lseek", .args = {[2] = a_whence}},
	{.name = "mmap",
	 .args = {[2] = a_prot, [3] = a_mmap_flags, [4] = a_fd, [5] = a_hex},
	 .ret_addr = true},
	{.name = "mprotect", .args = {[2] = a_prot}},
	{.name = "pkey_mprotect", .args = {[2] = a_prot}},
	{.name = "madvise", .args = {[2] = a_madvise}},
	{.name = "process_madvise", .args = {[3] = a_madvise}},
	{.name = "mremap", .args = {[3] = a_mremap_flags, [4] = a_addr}, .ret_addr = true},
	{.name = "msync", .args = {[2] = a_msync}},
	{.name = "brk", .ret_addr = true},
	{.name = "shmat", .ret_addr = true},
	{.name = "rt_sigaction", .args = {[0] = a_signal}},
	{.name = "rt_sigreturn", .all = flap_args__all_sigreturn},
	{.name = "rt_sigprocmask", .args = {[0] = a_sighow}},
	{.name = "kill", .args = {[1] = a_signal}},
	{.name = "tkill", .args = {[1] = a_signal}},
	{.name = "tgkill", .args = {[2] = a_signal}},
	{.name = "rt_sigqueueinfo", .args = {[1] = a_signal}},
	{.name = "rt_tgsigqueueinfo", .args = {[2] = a_signal}},
	{.name = "pidfd_send_signal", .args = {[1] = a_signal}},
	{.name = "ioctl",
	 .args = {[1] = a_ioctl_cmd, [2] = a_hex},
	 .nargs = flap_args__ioctl_nargs},
	{.name = "fcntl",
	 .args = {[1] = flap_args__a_fcntl_cmd, [2] = flap_args__a_fcntl_arg},
	 .nargs = flap_args__fcntl_nargs,
	 .ret = flap_args__r_fcntl},
	{.name = "dup", .ret_fd = true},
	{.name = "dup2", .ret_fd = true},
	{.name = "dup3", .args = {[2] = a_dup3_flags}, .ret_fd = true},
	{.name = "pipe2", .args = {[1] = a_dup3_flags}},
	{.name = "socket",
	 .args = {[0] = a_family, [1] = a_socktype, [2] = a_sockproto},
	 .ret_fd = true},
	{.name = "socketpair", .args = {[0] = a_family, [1] = a_socktype, [2] = a_sockproto}},
	{.name = "accept", .ret_fd = true},
	{.name = "accept4", .args = {[3] = a_sock_flags}, .ret_fd = true},
	{.name = "sendto", .args = {[3] = a_msg_flags}},
	{.name = "recvfrom", .args = {[3] = a_msg_flags}},
	{.name = "sendmsg", .args = {[2] = a_msg_flags}},
	{.name = "recvmsg", .args = {[2] = a_msg_flags}},
	{.name = "sendmmsg", .args = {[3] = a_msg_flags}},
	{.name = "recvmmsg", .args = {[3] = a_msg_flags}},
	{.name = "shutdown", .args = {[1] = a_shutdown}},
	{.name = "setsockopt",
	 .args = {[1] = a_sol_level, [2] = a_sockopt_name, [3] = flap_args__a_sockopt_val}},
	{.name = "getsockopt", .args = {[1] = a_sol_level, [2] = a_sockopt_name}},
	{.name = "poll", .ret = flap_args__r_poll},
	{.name = "ppoll", .ret = flap_args__r_poll},
	{.name = "epoll_create", .ret_fd = true},
	{.name = "epoll_create1", .args = {[0] = a_epoll_create_flags}, .ret_fd = true},
	{.name = "epoll_ctl", .args = {[1] = a_epoll_op}},
	{.name = "wait4", .args = {[2] = a_wait_options}},
	{.name = "waitid", .args = {[0] = a_waitid_which, [3] = a_wait_options}},
	{.name = "clone", .all = flap_args__all_clone},
	{.name = "unshare", .args = {[0] = a_clone_ns}},
	{.name = "setns", .args = {[1] = a_clone_ns}},
	{.name = "prctl", .all = flap_args__all_prctl, .ret = flap_args__r_prctl},
	{.name = "arch_prctl", .args = {[0] = a_arch_prctl, [1] = a_hex}},
	{.name = "futex", .all = flap_args__all_futex},
	{.name = "rseq", .all = flap_args__all_hex},
	{.name = "prlimit64", .args = {[1] = a_rlimit_res}},
	{.name = "getrlimit", .args = {[0] = a_rlimit_res}},
	{.name = "setrlimit", .args = {[0] = a_rlimit_res}},
	{.name = "getrandom", .args = {[0] = flap_args__a_hexbuf, [2] = a_grnd}},
	{.name = "getcwd", .args = {[0] = flap_args__a_cwd}},
	{.name = "getgroups", .args = {[1] = flap_args__a_gids}},
	{.name = "sched_getaffinity", .args = {[2] = flap_args__a_cpumask}},
	{.name = "clock_gettime", .args = {[0] = a_clock}},
	{.name = "clock_settime", .args = {[0] = a_clock}},
	{.name = "clock_getres", .args = {[0] = a_clock}},
	{.name = "clock_nanosleep", .args = {[0] = a_clock, [1] = a_timer_flags}},
	{.name = "timer_create", .args = {[0] = a_clock}},
	{.name = "timerfd_create", .args = {[0] = a_clock, [1] = a_timerfd_flags}, .ret_fd = true},
	{.name = "timerfd_settime", .args = {[1] = a_timerfd_settime_flags}},
	{.name = "getitimer", .args = {[0] = a_itimer_which}},
	{.name = "setitimer", .args = {[0] = a_itimer_which}},
	{.name = "eventfd", .ret_fd = true},
	{.name = "eventfd2", .args = {[1] = a_eventfd_flags}, .ret_fd = true},
	{.name = "signalfd", .ret_fd = true},
	{.name = "signalfd4", .args = {[3] = a_signalfd_flags}, .ret_fd = true},
	{.name = "inotify_init", .ret_fd = true},
	{.name = "inotify_init1", .args = {[0] = a_inotify_flags}, .ret_fd = true},
	{.name = "memfd_create", .args = {[1] = a_memfd_flags}, .ret_fd = true},
	{.name = "pidfd_open", .ret_fd = true},
	{.name = "pidfd_getfd", .ret_fd = true},
	{.name = "fanotify_init", .ret_fd = true},
	{.name = "userfaultfd", .ret_fd = true},
	{.name = "perf_event_open", .ret_fd = true},
	{.name = "io_uring_setup", .ret_fd = true},
	{.name = "fallocate", .args = {[1] = a_falloc}},
	{.name = "flock", .args = {[1] = a_flock}},
	{.name = "fadvise64", .args = {[3] = a_fadvise}},
	{.name = "close_range", .args = {[2] = a_close_range_flags}},
	{.name = "mount", .args = {[3] = a_mount_flags}},
	{.name = "umount2", .args = {[1] = a_umount_flags}},
	{.name = "splice", .args = {[5] = a_splice_flags}},
	{.name = "tee", .args = {[3] = a_splice_flags}},
	{.name = "vmsplice", .args = {[3] = a_splice_flags}},
	{.name = "getrusage", .args = {[0] = a_rusage_who}},
	{.name = "sched_setscheduler", .args = {[1] = a_sched_policy}},
	{.name = "sched_get_priority_max", .args = {[0] = a_sched_policy}},
	{.name = "sched_get_priority_min", .args = {[0] = a_sched_policy}},
};

/* sc_rules by syscall number, resolved once through the syscall table. */
static const struct sc_rule *rule_by_nr[FLAP_NR_MAX];

static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void init_rules(void)
{
	const struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sc_rules); i++) {
		sc = flap_syscall__by_name(sc_rules[i].name);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			rule_by_nr[sc->nr] = &sc_rules[i];
	}
}

static const struct sc_rule *rule_of(__u32 nr)
{
	pthread_once(&rules_once, init_rules);
	return nr < FLAP_NR_MAX ? rule_by_nr[nr] : NULL;
}

bool flap_args__ret_is_addr(__u32 nr)
{
	const struct sc_rule *r = rule_of(nr);

	return r && r->ret_addr;
}

/* Kinds the call fills in: not shown while it runs. */
static bool is_output(const struct actx *a, int i)
{
	switch (FLAP_KIND_ARG(a->sc->kinds, i)) {
	case FLAP_ARG_BUF_OUT:
	case FLAP_ARG_SOCKADDR_OUT:
	case FLAP_ARG_IOV_OUT:
	case FLAP_ARG_STRUCT_OUT:
	case FLAP_ARG_ARRAY_RET:
	case FLAP_ARG_DIRENTS:
		return true;
	case FLAP_ARG_NEWFD:
		/* pipe's int[2]; not socket's family (flap.h) */
		return FLAP_KIND_SIZE(a->sc->kinds) != 0;
	default:
		return false;
	}
}

/* Number of arguments to show: what was stored, at most what the call has. */
static int shown_nargs(const struct actx *a, const struct sc_rule *rule)
{
	int n = a->ev->nargs < 6 ? a->ev->nargs : 6;

	if (a->sc && a->sc->nargs < n)
		n = a->sc->nargs;
	if (a->sc && rule && rule->nargs && rule->nargs(a) < n)
		n = rule->nargs(a);
	return n;
}

void flap_args__print(struct flap_text *out, const struct flap_event *ev,
		      const struct flap_fdnames *fds)
{
	bool unfinished = ev->flags & FLAP_EV_F_UNFINISHED, pending = false;
	struct actx a = {.out = out, .ev = ev, .fds = fds};
	const struct sc_rule *rule;
	int i, n, shown = 0;

	a.sc = flap_syscall__by_nr(ev->nr);
	rule = a.sc ? rule_of(ev->nr) : NULL;
	n = shown_nargs(&a, rule);
	if (!a.sc) {
		/* Unknown number: raw registers. */
		for (i = 0; i < n; i++) {
			if (i)
				flap_args__next(&a);
			flap_args__put_hex(out, ev->args[i]);
		}
		shown = n;
	} else if (rule && rule->all) {
		rule->all(&a);
		shown = 1;
	} else {
		for (i = 0; i < n; i++) {
			/* strace shows output arguments only once the call returned. */
			if (unfinished && is_output(&a, i)) {
				pending = true;
				break;
			}
			if (shown++)
				flap_args__next(&a);
			if (rule && rule->args[i])
				rule->args[i](&a, i);
			else
				flap_args__put_default(&a, i);
		}
	}
	/* "read(3, <unfinished ...>", "openat(AT_FDCWD, \"/x\", 0 <unfinished ...>" */
	if (unfinished && shown)
		flap_text__puts(out, pending ? ", " : " ");
	if (unfinished)
		flap_text__puts(out, "<unfinished ...>");
}

void flap_args__print_ret(struct flap_text *out, const struct flap_event *ev,
			  const struct flap_fdnames *fds)
{
	struct actx a = {.out = out, .ev = ev, .fds = fds};
	const struct sc_rule *rule;

	a.sc = flap_syscall__by_nr(ev->nr);
	rule = a.sc ? rule_of(ev->nr) : NULL;
	if (rule && rule->ret)
		rule->ret(&a);
	else if (rule && rule->ret_addr)
		flap_args__put_hex(out, ev->ret);
	else if (rule && rule->ret_fd && ev->ret >= 0 && ev->ret <= INT_MAX)
		flap_args__put_fd(&a, (int)ev->ret, false);
	else
		flap_text__printf(out, "%lld", (long long)ev->ret);
}
