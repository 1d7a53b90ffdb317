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
 * The constants used to pick a decoder here (O_CREAT, F_GETFL, CLONE_*...)
 * come from glibc's headers; the names printed come from xlat tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <linux/futex.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "flap.h"
#include "args.h"
#include "syscalls.h"
#include "util.h"
#include "xlat.h"

/* Everything a printer needs about the call being printed. */
struct actx {
	struct flap_text *out;
	const struct flap_event *ev;
	const struct flap_syscall *sc; /* NULL: unknown syscall */
	const struct flap_fdnames *fds;
};

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

/* ---- small helpers --------------------------------------------------------- */

static void put(const struct actx *a, const char *s)
{
	flap_text__puts(a->out, s);
}

static void put_addr(struct flap_text *out, __u64 v)
{
	if (v)
		flap_text__printf(out, "%#llx", (unsigned long long)v);
	else
		flap_text__puts(out, "NULL");
}

static void put_hex(struct flap_text *out, __u64 v)
{
	flap_text__printf(out, "%#llx", (unsigned long long)v);
}

static __u64 arg(const struct actx *a, int i)
{
	return a->ev->args[i];
}

/* The captured contents of argument @idx (readable), or NULL. */
static const struct flap_cap *cap_at(const struct flap_event *ev, int idx)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;

	for (i = 0; i < n; i++)
		if (ev->caps[i].arg == idx && !(ev->caps[i].flags & FLAP_EVCAP_F_FAULT) &&
		    (ev->caps[i].data || !ev->caps[i].len))
			return &ev->caps[i];
	return NULL;
}

/* True when the call returned successfully (its outputs are valid). */
static bool returned_ok(const struct flap_event *ev)
{
	return (ev->flags & FLAP_EV_F_HAS_RET) && !(ev->flags & FLAP_EV_F_UNFINISHED) &&
	       !(ev->ret >= -4095 && ev->ret < 0);
}

/*
 * A descriptor name between <>: like strace -y, control bytes and <, >
 * as octal escapes (short form unless a digit follows), \ and " escaped.
 */
static void put_fdname(struct flap_text *out, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	flap_text__puts(out, "<");
	for (; *p; p++) {
		int next = p[1];

		if (*p == '\\' || *p == '"') {
			flap_text__printf(out, "\\%c", *p);
		} else if (*p >= ' ' && *p < 0x7f && *p != '<' && *p != '>') {
			flap_text__add(out, (const char *)p, 1);
		} else if (next >= '0' && next <= '7') {
			flap_text__printf(out, "\\%03o", *p);
		} else {
			flap_text__printf(out, "\\%o", *p);
		}
	}
	flap_text__puts(out, ">");
}

static void put_fd_of(struct flap_text *out, const struct flap_fdnames *fds, __u32 tgid, int fd,
		      bool dir)
{
	const char *name;

	/* AT_FDCWD stays bare: strace -y adds the working directory, which a
	 * trace shows only after a chdir (then relative paths use it). */
	if (dir && fd == AT_FDCWD) {
		flap_text__puts(out, "AT_FDCWD");
		return;
	}
	flap_text__printf(out, "%d", fd);
	name = flap_fdnames__get(fds, tgid, fd);
	if (name)
		put_fdname(out, name);
}

static void put_fd(const struct actx *a, int fd, bool dir)
{
	put_fd_of(a->out, a->fds, a->ev->tgid, fd, dir);
}

static void put_flags(const struct actx *a, const struct flap_xlat_table *t, __u64 v)
{
	flap_xlat__flags(a->out, t, v, "0");
}

/* "O_RDWR|O_APPEND|O_LARGEFILE": the access mode always, then the flags. */
static void put_open_flags(struct flap_text *out, __u64 v)
{
	flap_xlat__val(out, &flap_xlat_open_access, v & O_ACCMODE);
	flap_xlat__flags_more(out, &flap_xlat_open_flags, v & ~(__u64)O_ACCMODE);
}

static void put_signal(struct flap_text *out, __u64 sig)
{
	const char *name;
	char buf[16];

	name = flap_xlat_signal((int)sig, false, buf, sizeof(buf));
	if (name && sig <= 64)
		flap_text__puts(out, name);
	else
		flap_text__printf(out, "%llu", (unsigned long long)sig);
}

/* ---- value printers (rules) --------------------------------------------------- */

static void a_fd(const struct actx *a, int i)
{
	put_fd(a, (int)arg(a, i), false);
}

static void a_hex(const struct actx *a, int i)
{
	put_hex(a->out, arg(a, i));
}

static void a_addr(const struct actx *a, int i)
{
	put_addr(a->out, arg(a, i));
}

static void a_int(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%d", (int)arg(a, i));
}

static void a_uint(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%u", (unsigned int)arg(a, i));
}

static void a_oct(const struct actx *a, int i)
{
	flap_text__printf(a->out, "%#03o", (unsigned int)arg(a, i));
}

static void a_open_flags(const struct actx *a, int i)
{
	put_open_flags(a->out, arg(a, i));
}

#define FLAGS_PRINTER(fn, table)                             \
	static void fn(const struct actx *a, int i)          \
	{                                                    \
		put_flags(a, &flap_xlat_##table, arg(a, i)); \
	}
#define VAL_PRINTER(fn, table, cast)                                         \
	static void fn(const struct actx *a, int i)                          \
	{                                                                    \
		flap_xlat__val(a->out, &flap_xlat_##table, (cast)arg(a, i)); \
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
	put_signal(a->out, (unsigned int)arg(a, i));
}

/* The mode of open/openat: only with O_CREAT or O_TMPFILE (strace hides it too). */
static int open_nargs(const struct actx *a)
{
	int flags_idx = strcmp(a->sc->name, "open") ? 2 : 1, flags = (int)arg(a, flags_idx);

	if (!strcmp(a->sc->name, "creat"))
		return 2;
	return flags & O_CREAT || (flags & O_TMPFILE) == O_TMPFILE ? flags_idx + 2 : flags_idx + 1;
}

/* socket type: SOCK_STREAM|SOCK_CLOEXEC */
static void a_socktype(const struct actx *a, int i)
{
	__u64 v = arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_socket_types, v & 0xf);
	flap_xlat__flags_more(a->out, &flap_xlat_socket_type_flags, v & ~0xfULL);
}

/* socket protocol: IPPROTO_* for inet families, a number otherwise. */
static void a_sockproto(const struct actx *a, int i)
{
	int family = (int)arg(a, 0);

	if (family == AF_INET || family == AF_INET6)
		flap_xlat__val(a->out, &flap_xlat_ip_protocols, (unsigned int)arg(a, i));
	else
		a_uint(a, i);
}

static void a_sol_level(const struct actx *a, int i)
{
	int level = (int)arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_sol_levels, level == IPPROTO_TCP ? SOL_TCP : level);
}

static void a_sockopt_name(const struct actx *a, int i)
{
	int level = (int)arg(a, 1);

	if (level == SOL_SOCKET)
		flap_xlat__val(a->out, &flap_xlat_so_options, (unsigned int)arg(a, i));
	else if (level == IPPROTO_TCP)
		flap_xlat__val(a->out, &flap_xlat_tcp_options, (unsigned int)arg(a, i));
	else
		a_int(a, i);
}

/* mmap flags: the mapping type, then the flags. */
static void a_mmap_flags(const struct actx *a, int i)
{
	__u64 v = arg(a, i) & 0xffffffffULL;

	flap_xlat__val(a->out, &flap_xlat_mmap_type, v & 0xf);
	flap_xlat__flags_more(a->out, &flap_xlat_mmap_flags, v & ~0xfULL);
}

/* ioctl request: known names, else _IOC(dir, type, nr, size) as strace. */
static void a_ioctl_cmd(const struct actx *a, int i)
{
	unsigned int cmd = (unsigned int)arg(a, i), dir = cmd >> 30;
	static const char *const dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					   "_IOC_READ|_IOC_WRITE"};
	const char *name = flap_xlat__name(&flap_xlat_ioctl_cmds, cmd);

	if (name)
		put(a, name);
	else
		flap_text__printf(a->out, "_IOC(%s, %#x, %#x, %#x)", dirs[dir], (cmd >> 8) & 0xff,
				  cmd & 0xff, (cmd >> 16) & 0x3fff);
}

/* statx flags: the sync type (always), then the AT_* flags. */
static void a_statx_flags(const struct actx *a, int i)
{
	unsigned int v = (unsigned int)arg(a, i);

	flap_xlat__val(a->out, &flap_xlat_at_statx_sync, v & AT_STATX_SYNC_TYPE);
	flap_xlat__flags_more(a->out, &flap_xlat_at_flags, v & ~AT_STATX_SYNC_TYPE);
}

/* mknod mode: S_IFCHR|0600. */
static void put_mode(struct flap_text *out, unsigned int mode)
{
	const char *type = flap_xlat__name(&flap_xlat_s_ifmt, mode & S_IFMT);

	if (type)
		flap_text__puts(out, type);
	else if (mode & S_IFMT)
		flap_text__printf(out, "%#o", mode & S_IFMT);
	if (mode & S_ISUID)
		flap_text__printf(out, "%sS_ISUID", mode & S_IFMT ? "|" : "");
	if (mode & S_ISGID)
		flap_text__printf(out, "%sS_ISGID", mode & (S_IFMT | S_ISUID) ? "|" : "");
	if (mode & S_ISVTX)
		flap_text__printf(out, "%sS_ISVTX", mode & (S_IFMT | S_ISUID | S_ISGID) ? "|" : "");
	if (mode & (S_IFMT | S_ISUID | S_ISGID | S_ISVTX))
		flap_text__printf(out, "|%#03o", mode & 0777);
	else
		flap_text__printf(out, "%#03o", mode & 0777);
}

static void a_mknod_mode(const struct actx *a, int i)
{
	put_mode(a->out, (unsigned int)arg(a, i));
}

static int mknod_nargs(const struct actx *a)
{
	int at = strcmp(a->sc->name, "mknod") != 0;
	unsigned int type = (unsigned int)arg(a, 1 + at) & S_IFMT;

	return type == S_IFCHR || type == S_IFBLK ? 3 + at : 2 + at;
}

static void a_makedev(const struct actx *a, int i)
{
	__u64 dev = arg(a, i);

	flap_text__printf(a->out, "makedev(%#x, %#x)", major(dev), minor(dev));
}

/* ---- captured structures ---------------------------------------------------- */

/* "[USR1 USR2]", "~[RTMIN RT_1]" when more than half the set is full. */
static void put_sigset(struct flap_text *out, const __u8 *data, size_t len)
{
	__u64 set = 0;
	bool neg, first = true;
	char buf[16];
	int sig;

	memcpy(&set, data, len < 8 ? len : 8);
	neg = __builtin_popcountll(set) > 32;
	if (neg)
		set = ~set;
	flap_text__puts(out, neg ? "~[" : "[");
	for (sig = 1; sig <= 64; sig++) {
		if (!(set >> (sig - 1) & 1))
			continue;
		flap_text__printf(out, "%s%s", first ? "" : " ",
				  flap_xlat_signal(sig, true, buf, sizeof(buf)));
		first = false;
	}
	flap_text__puts(out, "]");
}

/* The kernel's struct sigaction on x86_64 (the size class checks it). */
struct k_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

static void put_sigaction(struct flap_text *out, const struct flap_cap *c)
{
	struct k_sigaction sa = {};

	memcpy(&sa, c->data, c->len < sizeof(sa) ? c->len : sizeof(sa));
	flap_text__puts(out, "{sa_handler=");
	if (sa.handler == (__u64)(unsigned long)SIG_DFL)
		flap_text__puts(out, "SIG_DFL");
	else if (sa.handler == (__u64)(unsigned long)SIG_IGN)
		flap_text__puts(out, "SIG_IGN");
	else
		put_hex(out, sa.handler);
	flap_text__puts(out, ", sa_mask=");
	put_sigset(out, (const __u8 *)&sa.mask, 8);
	flap_text__puts(out, ", sa_flags=");
	flap_xlat__flags(out, &flap_xlat_sigact_flags, sa.flags, "0");
	if (sa.flags & 0x04000000 /* SA_RESTORER: not in glibc, see xlat_kernel.c */) {
		flap_text__puts(out, ", sa_restorer=");
		put_hex(out, sa.restorer);
	}
	flap_text__puts(out, "}");
}

static void put_stat(struct flap_text *out, const struct flap_cap *c)
{
	struct stat st;

	_Static_assert(offsetof(struct stat, st_size) + sizeof(st.st_size) <= 64,
		       "the 64-byte capture holds st_size");
	memset(&st, 0, sizeof(st));
	memcpy(&st, c->data, c->len < sizeof(st) ? c->len : sizeof(st));
	flap_text__puts(out, "{st_mode=");
	put_mode(out, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		flap_text__printf(out, ", st_rdev=makedev(%#x, %#x), ...}", major(st.st_rdev),
				  minor(st.st_rdev));
	else
		flap_text__printf(out, ", st_size=%lld, ...}", (long long)st.st_size);
}

static void put_statx(struct flap_text *out, const struct flap_cap *c)
{
	struct statx stx;

	_Static_assert(offsetof(struct statx, stx_size) + sizeof(stx.stx_size) <= 64,
		       "the 64-byte capture holds stx_size");
	memset(&stx, 0, sizeof(stx));
	memcpy(&stx, c->data, c->len < sizeof(stx) ? c->len : sizeof(stx));
	flap_text__puts(out, "{stx_mask=");
	flap_xlat__flags(out, &flap_xlat_statx_mask, stx.stx_mask, "0");
	flap_text__puts(out, ", stx_attributes=");
	flap_xlat__flags(out, &flap_xlat_statx_attrs, stx.stx_attributes, "0");
	flap_text__puts(out, ", stx_mode=");
	put_mode(out, stx.stx_mode);
	flap_text__printf(out, ", stx_size=%llu, ...}", (unsigned long long)stx.stx_size);
}

static void put_open_how(struct flap_text *out, const struct flap_cap *c)
{
	struct open_how how = {};

	memcpy(&how, c->data, c->len < sizeof(how) ? c->len : sizeof(how));
	flap_text__puts(out, "{flags=");
	put_open_flags(out, how.flags);
	if (how.mode || how.flags & (O_CREAT | __O_TMPFILE))
		flap_text__printf(out, ", mode=%#03llo", (unsigned long long)how.mode);
	if (how.resolve) {
		flap_text__puts(out, ", resolve=");
		flap_xlat__flags(out, &flap_xlat_resolve_flags, how.resolve, "0");
	}
	flap_text__puts(out, "}");
}

static void put_timespec(struct flap_text *out, const __u8 *p, bool usec)
{
	__s64 v[2];

	memcpy(v, p, sizeof(v));
	flap_text__printf(out, "{tv_sec=%lld, tv_%ssec=%lld}", (long long)v[0], usec ? "u" : "n",
			  (long long)v[1]);
}

/* "8192*1024", "RLIM64_INFINITY" */
static void put_rlim(struct flap_text *out, __u64 v)
{
	if (v == ~0ULL)
		flap_text__puts(out, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		flap_text__printf(out, "%llu*1024", (unsigned long long)v / 1024);
	else
		flap_text__printf(out, "%llu", (unsigned long long)v);
}

static void put_rlimit(struct flap_text *out, const struct flap_cap *c)
{
	__u64 v[2];

	memcpy(v, c->data, sizeof(v));
	flap_text__puts(out, "{rlim_cur=");
	put_rlim(out, v[0]);
	flap_text__puts(out, ", rlim_max=");
	put_rlim(out, v[1]);
	flap_text__puts(out, "}");
}

/* struct epoll_event is packed on x86_64: events, then 8 bytes of data. */
static void put_epoll_event(struct flap_text *out, const __u8 *p)
{
	__u32 events;
	__u64 data;

	memcpy(&events, p, 4);
	memcpy(&data, p + 4, 8);
	flap_text__puts(out, "{events=");
	flap_xlat__flags(out, &flap_xlat_epoll_events, events, "0");
	flap_text__printf(out, ", data={u32=%u, u64=%llu}}", (unsigned int)data,
			  (unsigned long long)data);
}

static void put_clone3_args(const struct actx *a, const struct flap_cap *c)
{
	struct {
		__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} ca = {};
	struct flap_text *out = a->out;

	memcpy(&ca, c->data, c->len < sizeof(ca) ? c->len : sizeof(ca));
	flap_text__puts(out, "{flags=");
	flap_xlat__flags(out, &flap_xlat_clone_flags, ca.flags, "0");
	if (ca.flags & CLONE_PIDFD)
		flap_text__printf(out, ", pidfd=%#llx", (unsigned long long)ca.pidfd);
	if (ca.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		flap_text__printf(out, ", child_tid=%#llx", (unsigned long long)ca.child_tid);
	if (ca.flags & CLONE_PARENT_SETTID)
		flap_text__printf(out, ", parent_tid=%#llx", (unsigned long long)ca.parent_tid);
	flap_text__puts(out, ", exit_signal=");
	put_signal(out, ca.exit_signal);
	flap_text__puts(out, ", stack=");
	put_addr(out, ca.stack);
	flap_text__printf(out, ", stack_size=%#llx", (unsigned long long)ca.stack_size);
	if (ca.flags & CLONE_SETTLS)
		flap_text__printf(out, ", tls=%#llx", (unsigned long long)ca.tls);
	flap_text__puts(out, "}");
}

/* pollfds: [{fd=3</x>, events=POLLIN}] (in), [{fd=3, revents=POLLIN}] (out). */
static void put_pollfds(const struct actx *a, const struct flap_cap *c, bool revents)
{
	size_t i, n = c->len / 8;
	bool first = true;
	__s16 ev[2];
	__s32 fd;

	flap_text__puts(a->out, "[");
	for (i = 0; i < n; i++) {
		memcpy(&fd, c->data + 8 * i, 4);
		memcpy(ev, c->data + 8 * i + 4, 4);
		if (revents && !ev[1])
			continue;
		flap_text__puts(a->out, first ? "{fd=" : ", {fd=");
		first = false;
		if (revents)
			flap_text__printf(a->out, "%d", fd);
		else
			put_fd(a, fd, false);
		if (!revents && fd < 0) {
			flap_text__puts(a->out, "}");
			continue;
		}
		flap_text__puts(a->out, revents ? ", revents=" : ", events=");
		flap_xlat__flags(a->out, &flap_xlat_poll_events, (__u16)ev[revents], "0");
		flap_text__puts(a->out, "}");
	}
	if (!revents && (c->flags & FLAP_EVCAP_F_TRUNC))
		flap_text__puts(a->out, first ? "..." : ", ...");
	flap_text__puts(a->out, "]");
}

static void put_epoll_events(const struct actx *a, const struct flap_cap *c)
{
	size_t i, n = c->len / 12;

	flap_text__puts(a->out, "[");
	for (i = 0; i < n; i++) {
		if (i)
			flap_text__puts(a->out, ", ");
		put_epoll_event(a->out, c->data + 12 * i);
	}
	if (c->flags & FLAP_EVCAP_F_TRUNC)
		flap_text__puts(a->out, n ? ", ..." : "...");
	flap_text__puts(a->out, "]");
}

/* wait status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
static void put_wstatus(struct flap_text *out, int s)
{
	flap_text__puts(out, "[{");
	if ((s & 0x7f) == 0) {
		flap_text__printf(out, "WIFEXITED(s) && WEXITSTATUS(s) == %d", (s >> 8) & 0xff);
	} else if ((s & 0xff) == 0x7f) {
		flap_text__puts(out, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signal(out, (s >> 8) & 0xff);
		if (s >> 16)
			flap_text__printf(out, " && s >> 16 == %d", s >> 16);
	} else if (s == 0xffff) {
		flap_text__puts(out, "WIFCONTINUED(s)");
	} else {
		flap_text__puts(out, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signal(out, s & 0x7f);
		if (s & 0x80)
			flap_text__puts(out, " && WCOREDUMP(s)");
	}
	flap_text__puts(out, "}]");
}

/*
 * pipe/pipe2/socketpair: [3<pipe>, 4<pipe>]. The arguments print before the
 * table learns of the new fds: they are named here as the call makes them.
 */
static void put_fd_pair(const struct actx *a, const struct flap_cap *c)
{
	bool sock = !strcmp(a->sc->name, "socketpair");
	const char *name = sock ? flap_fdnames_socket_kind(arg(a, 0), arg(a, 1)) : "pipe";
	int fds[2], k;

	memcpy(fds, c->data, sizeof(fds));
	flap_text__puts(a->out, "[");
	for (k = 0; k < 2; k++) {
		flap_text__printf(a->out, "%s%d", k ? ", " : "", fds[k]);
		if (a->fds)
			put_fdname(a->out, name);
	}
	flap_text__puts(a->out, "]");
}

static void put_stack_t(struct flap_text *out, const struct flap_cap *c)
{
	struct {
		__u64 sp;
		__s32 flags;
		__u32 pad;
		__u64 size;
	} ss = {};

	memcpy(&ss, c->data, c->len < sizeof(ss) ? c->len : sizeof(ss));
	flap_text__puts(out, "{ss_sp=");
	put_addr(out, ss.sp);
	flap_text__printf(out, ", ss_flags=%s, ss_size=%llu}",
			  ss.flags == 1	  ? "SS_ONSTACK"
			  : ss.flags == 2 ? "SS_DISABLE"
					  : "0",
			  (unsigned long long)ss.size);
}

static void s_stat(const struct actx *a, const struct flap_cap *c)
{
	put_stat(a->out, c);
}

static void s_statx(const struct actx *a, const struct flap_cap *c)
{
	put_statx(a->out, c);
}

static void s_open_how(const struct actx *a, const struct flap_cap *c)
{
	put_open_how(a->out, c);
}

static void s_sigaction(const struct actx *a, const struct flap_cap *c)
{
	put_sigaction(a->out, c);
}

static void s_sigset(const struct actx *a, const struct flap_cap *c)
{
	put_sigset(a->out, c->data, c->len);
}

static void s_timespec(const struct actx *a, const struct flap_cap *c)
{
	put_timespec(a->out, c->data, false);
}

static void s_timeval(const struct actx *a, const struct flap_cap *c)
{
	put_timespec(a->out, c->data, true);
}

/* itimerspec (two timespecs) and itimerval (two timevals). */
static void put_itimer(const struct actx *a, const struct flap_cap *c, bool usec)
{
	flap_text__puts(a->out, "{it_interval=");
	put_timespec(a->out, c->data, usec);
	flap_text__puts(a->out, ", it_value=");
	put_timespec(a->out, c->data + 16, usec);
	flap_text__puts(a->out, "}");
}

static void s_itimerspec(const struct actx *a, const struct flap_cap *c)
{
	put_itimer(a, c, false);
}

static void s_itimerval(const struct actx *a, const struct flap_cap *c)
{
	put_itimer(a, c, true);
}

static void s_rlimit(const struct actx *a, const struct flap_cap *c)
{
	put_rlimit(a->out, c);
}

/* epoll_ctl's one event, or the events epoll_wait filled. */
static void s_epoll(const struct actx *a, const struct flap_cap *c)
{
	if (!strcmp(a->sc->name, "epoll_ctl"))
		put_epoll_event(a->out, c->data);
	else
		put_epoll_events(a, c);
}

static void s_pollfds(const struct actx *a, const struct flap_cap *c)
{
	put_pollfds(a, c, false);
}

static void s_stack(const struct actx *a, const struct flap_cap *c)
{
	put_stack_t(a->out, c);
}

/* int *: wait4's status, or the two fds of pipe, pipe2, socketpair. */
static void s_ints(const struct actx *a, const struct flap_cap *c)
{
	int s;

	if (strcmp(a->sc->name, "wait4")) {
		put_fd_pair(a, c);
		return;
	}
	memcpy(&s, c->data, 4);
	put_wstatus(a->out, s);
}

/* Decoders of struct and array captures by the argument's C type (no "const"). */
static const struct {
	const char *type;
	size_t min; /* bytes the decoder reads */
	void (*fn)(const struct actx *a, const struct flap_cap *c);
} struct_printers[] = {
	{"struct stat *", 56, s_stat},
	{"struct statx *", 48, s_statx},
	{"struct open_how *", 24, s_open_how},
	{"struct sigaction *", 32, s_sigaction},
	{"sigset_t *", 8, s_sigset},
	{"struct __kernel_timespec *", 16, s_timespec},
	{"struct __kernel_old_timeval *", 16, s_timeval},
	{"struct __kernel_itimerspec *", 32, s_itimerspec},
	{"struct __kernel_old_itimerval *", 32, s_itimerval},
	{"struct rlimit64 *", 16, s_rlimit},
	{"struct rlimit *", 16, s_rlimit},
	{"struct epoll_event *", 0, s_epoll},
	{"struct pollfd *", 0, s_pollfds},
	{"struct clone_args *", 64, put_clone3_args},
	{"stack_t *", 24, s_stack},
	{"int *", 4, s_ints},
};

/* A struct or array capture, decoded by the argument's C type. Return: false if not. */
static bool put_struct(const struct actx *a, int i, const struct flap_cap *c)
{
	const char *t = a->sc->args[i].type;
	size_t k;

	if (!t)
		return false;
	if (!strncmp(t, "const ", 6))
		t += 6;
	for (k = 0; k < ARRAY_SIZE(struct_printers); k++) {
		if (strcmp(t, struct_printers[k].type) || c->len < struct_printers[k].min)
			continue;
		/* A pipe's fds are two ints; WNOHANG with no child leaves the status. */
		if (!strcmp(t, "int *") &&
		    (strcmp(a->sc->name, "wait4") ? c->len < 8 : a->ev->ret <= 0))
			return false;
		struct_printers[k].fn(a, c);
		return true;
	}
	return false;
}

/* {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("10.0.0.1")} */
static void put_sockaddr(struct flap_text *out, const __u8 *p, size_t len, bool trunc)
{
	char buf[INET6_ADDRSTRLEN];
	sa_family_t family;

	if (len < sizeof(family)) {
		flap_text__puts(out, "{}");
		return;
	}
	memcpy(&family, p, sizeof(family));
	flap_text__puts(out, "{sa_family=");
	flap_xlat__val(out, &flap_xlat_socket_families, family);
	if (family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const char *path = (const char *)p + offsetof(struct sockaddr_un, sun_path);
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		flap_text__puts(out, ", sun_path=");
		if (path[0] == '\0' && n > 1) {
			/* Abstract: the bytes after the NUL, all of them. */
			flap_text__puts(out, "@");
			flap_text__quote(out, path + 1, n - 1, trunc);
		} else {
			flap_text__quote(out, path, strnlen(path, n), trunc);
		}
	} else if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, p, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof(buf));
		flap_text__printf(out, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
				  ntohs(sin.sin_port), buf);
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 six;

		memcpy(&six, p, sizeof(six));
		inet_ntop(AF_INET6, &six.sin6_addr, buf, sizeof(buf));
		flap_text__printf(out,
				  ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
				  "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
				  ntohs(six.sin6_port), ntohl(six.sin6_flowinfo), buf,
				  six.sin6_scope_id);
	} else if (family == AF_NETLINK && len >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl nl;

		memcpy(&nl, p, sizeof(nl));
		flap_text__printf(out, ", nl_pid=%u, nl_groups=%08x", nl.nl_pid, nl.nl_groups);
	} else if (len > sizeof(family)) {
		flap_text__puts(out, ", sa_data=");
		flap_text__quote(out, p + sizeof(family), len - sizeof(family), trunc);
	}
	flap_text__puts(out, "}");
}

/* [{iov_base="abc", iov_len=3}, ...] from an IOV capture. */
static void put_iovecs(const struct actx *a, int i, const struct flap_cap *c)
{
	size_t pos = 0, n = 0;
	struct flap_iov_cap ic;
	__u64 left = ~0ULL, want;

	if (FLAP_KIND_ARG(a->sc->kinds, i) == FLAP_ARG_IOV_OUT)
		left = a->ev->ret;
	flap_text__puts(a->out, "[");
	while (pos + sizeof(ic) <= c->len) {
		memcpy(&ic, c->data + pos, sizeof(ic));
		pos += sizeof(ic);
		if (ic.kept > c->len - pos)
			break;
		want = (__u64)ic.len_hi << 32 | ic.len_lo;
		if (want > left)
			want = left;
		left -= want;
		flap_text__puts(a->out, n++ ? ", {iov_base=" : "{iov_base=");
		flap_text__quote(a->out, c->data + pos, ic.kept, ic.kept < want);
		flap_text__printf(a->out, ", iov_len=%llu}",
				  (unsigned long long)((__u64)ic.len_hi << 32 | ic.len_lo));
		pos += ic.kept;
	}
	if (n < arg(a, i + 1) && (c->flags & FLAP_EVCAP_F_TRUNC))
		flap_text__puts(a->out, n ? ", ..." : "...");
	flap_text__puts(a->out, "]");
}

/* ["ls", "-l"]: NUL-separated strings; a last one without NUL was cut. */
static void put_argv(const struct actx *a, const struct flap_cap *c)
{
	size_t pos = 0, n = 0, len;
	const char *s;

	flap_text__puts(a->out, "[");
	while (pos < c->len) {
		s = (const char *)c->data + pos;
		len = strnlen(s, c->len - pos);
		flap_text__puts(a->out, n++ ? ", " : "");
		flap_text__quote(a->out, s, len, pos + len == c->len);
		pos += len + 1;
	}
	if (c->flags & FLAP_EVCAP_F_TRUNC)
		flap_text__puts(a->out, n ? ", ..." : "...");
	flap_text__puts(a->out, "]");
}

/* ---- the default printer ------------------------------------------------------ */

enum int_kind {
	INT_S32,
	INT_U32,
	INT_ID32, /* uid_t/gid_t: unsigned, but -1 means "unchanged" */
	INT_S64,
	INT_U64,
	INT_HEX, /* opaque handles */
};

static const struct {
	const char *type;
	enum int_kind kind;
} int_types[] = {
	{"int", INT_S32},	    {"pid_t", INT_S32},	       {"key_t", INT_S32},
	{"clockid_t", INT_S32},	    {"mqd_t", INT_S32},	       {"timer_t", INT_S32},
	{"__s32", INT_S32},	    {"key_serial_t", INT_S32}, {"rwf_t", INT_S32},
	{"unsigned int", INT_U32},  {"unsigned", INT_U32},     {"u32", INT_U32},
	{"__u32", INT_U32},	    {"qid_t", INT_U32},	       {"uid_t", INT_ID32},
	{"gid_t", INT_ID32},	    {"long", INT_S64},	       {"off_t", INT_S64},
	{"loff_t", INT_S64},	    {"ssize_t", INT_S64},      {"unsigned long", INT_U64},
	{"size_t", INT_U64},	    {"u64", INT_U64},	       {"__u64", INT_U64},
	{"aio_context_t", INT_HEX},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* @type without "const " in front or " const" behind, into @buf. */
static const char *base_type(const char *type, char *buf, size_t size)
{
	size_t n;

	if (starts_with(type, "const "))
		type += 6;
	n = strlen(type);
	if (ends_with(type, " const"))
		n -= 6;
	snprintf(buf, size, "%.*s", (int)n, type);
	return buf;
}

static bool is_pointer_type(const char *type)
{
	/* The kernel's pointer typedefs in syscall signatures. */
	return strchr(type, '*') || strstr(type, "cap_user_");
}

/* fd, dfd, epfd, oldfd, fildes, fd_in... but not max_fd (a count). */
static bool is_fd_name(const char *name)
{
	return (ends_with(name, "fd") && !starts_with(name, "max_")) || starts_with(name, "fd_") ||
	       !strcmp(name, "fildes");
}

/* A directory fd, where -100 means AT_FDCWD: *dfd, or fd before a path (execveat). */
static bool is_dirfd(const struct actx *a, int i)
{
	const char *name = a->sc->args[i].name;

	if (ends_with(name, "dfd") || !strcmp(name, "dirfd"))
		return true;
	return !strcmp(name, "fd") && i < 5 && FLAP_KIND_ARG(a->sc->kinds, i + 1) == FLAP_ARG_STR;
}

static bool is_flags_name(const char *name)
{
	return ends_with(name, "flags") || !strcmp(name, "prot");
}

/* unsigned long arguments that are addresses (mmap, munmap, mprotect, brk...). */
static bool is_addr_name(const char *name)
{
	return !strcmp(name, "addr") || !strcmp(name, "start") || !strcmp(name, "brk") ||
	       !strcmp(name, "new_addr");
}

static void put_int_kind(struct flap_text *out, enum int_kind kind, __u64 v)
{
	switch (kind) {
	case INT_S32:
		flap_text__printf(out, "%d", (int)v);
		break;
	case INT_U32:
		flap_text__printf(out, "%u", (unsigned int)v);
		break;
	case INT_ID32:
		if ((unsigned int)v == ~0u)
			flap_text__puts(out, "-1");
		else
			flap_text__printf(out, "%u", (unsigned int)v);
		break;
	case INT_S64:
		flap_text__printf(out, "%lld", (long long)v);
		break;
	case INT_U64:
		flap_text__printf(out, "%llu", (unsigned long long)v);
		break;
	default:
		put_hex(out, v);
		break;
	}
}

/* An integer argument by its C type and name. */
static void put_int(const struct actx *a, int i)
{
	const char *type, *name = a->sc->args[i].name;
	enum int_kind kind = INT_HEX;
	__u64 v = arg(a, i);
	char buf[64];
	size_t k;

	type = base_type(a->sc->args[i].type, buf, sizeof(buf));
	for (k = 0; k < ARRAY_SIZE(int_types); k++) {
		if (!strcmp(type, int_types[k].type)) {
			kind = int_types[k].kind;
			break;
		}
	}
	if (starts_with(type, "enum "))
		kind = INT_S32;
	if (is_fd_name(name))
		put_fd(a, (int)v, is_dirfd(a, i));
	else if (!strcmp(type, "umode_t"))
		flap_text__printf(a->out, "%#03o", (unsigned int)v);
	else if (is_flags_name(name) && kind != INT_HEX)
		put_hex(a->out, kind == INT_S64 || kind == INT_U64 ? v : (unsigned int)v);
	else if (kind == INT_U64 && is_addr_name(name))
		put_addr(a->out, v);
	else
		put_int_kind(a->out, kind, v);
}

/* The length an accept/recvfrom/getsockname stored: "[16]" (from the address capture). */
static bool put_socklen(const struct actx *a, int i)
{
	const struct flap_cap *c;
	__u32 len;

	if (i == 0 || FLAP_KIND_ARG(a->sc->kinds, i - 1) != FLAP_ARG_SOCKADDR_OUT)
		return false;
	c = cap_at(a->ev, i - 1);
	if (!c || c->len < 4 || !returned_ok(a->ev) || !arg(a, i))
		return false;
	memcpy(&len, c->data, 4);
	flap_text__printf(a->out, "[%u]", len);
	return true;
}

/* By capture kind, then by type. */
static void put_default(const struct actx *a, int i)
{
	unsigned int kind = FLAP_KIND_ARG(a->sc->kinds, i);
	const struct flap_cap *c = cap_at(a->ev, i);
	__u32 n;

	switch (kind) {
	case FLAP_ARG_STR:
	case FLAP_ARG_BUF_IN:
	case FLAP_ARG_BUF_OUT:
		if (c) {
			flap_text__quote(a->out, c->data, c->len, c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		break;
	case FLAP_ARG_SOCKADDR_IN:
		if (c) {
			put_sockaddr(a->out, c->data, c->len, c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		break;
	case FLAP_ARG_SOCKADDR_OUT:
		if (c && c->len >= 4 && returned_ok(a->ev)) {
			put_sockaddr(a->out, c->data + 4, c->len - 4,
				     c->flags & FLAP_EVCAP_F_TRUNC);
			return;
		}
		break;
	case FLAP_ARG_IOV_IN:
	case FLAP_ARG_IOV_OUT:
		if (c && (kind == FLAP_ARG_IOV_IN || returned_ok(a->ev))) {
			put_iovecs(a, i, c);
			return;
		}
		break;
	case FLAP_ARG_ARGV:
		if (c) {
			put_argv(a, c);
			return;
		}
		break;
	case FLAP_ARG_ENVP:
		put_addr(a->out, arg(a, i));
		if (c && c->len >= 4) {
			memcpy(&n, c->data, 4);
			flap_text__printf(a->out, " /* %u%s vars */", n,
					  c->flags & FLAP_EVCAP_F_TRUNC ? "+" : "");
		}
		return;
	case FLAP_ARG_STRUCT_IN:
	case FLAP_ARG_STRUCT_OUT:
	case FLAP_ARG_ARRAY:
	case FLAP_ARG_ARRAY_RET:
		if (c && (kind == FLAP_ARG_STRUCT_IN || returned_ok(a->ev)) && put_struct(a, i, c))
			return;
		break;
	default:
		break;
	}
	if (put_socklen(a, i))
		return;
	if (kind != FLAP_ARG_VAL || is_pointer_type(a->sc->args[i].type ? a->sc->args[i].type : ""))
		put_addr(a->out, arg(a, i));
	else if (!a->sc->args[i].type || !a->sc->args[i].name)
		put_hex(a->out, arg(a, i));
	else
		put_int(a, i);
}

/* ---- whole-call printers ---------------------------------------------------- */

static void next(const struct actx *a)
{
	put(a, ", ");
}

/* fcntl(fd, cmd[, arg]): the argument by command. */
static int fcntl_nargs(const struct actx *a)
{
	switch ((int)arg(a, 1)) {
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

static void a_fcntl_cmd(const struct actx *a, int i)
{
	flap_xlat__val(a->out, &flap_xlat_fcntl_cmds, (unsigned int)arg(a, i));
}

static void a_fcntl_arg(const struct actx *a, int i)
{
	__u64 v = arg(a, i);

	switch ((int)arg(a, 1)) {
	case F_SETFD:
		put_flags(a, &flap_xlat_fd_flags, v);
		break;
	case F_SETFL:
		put_open_flags(a->out, v);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETPIPE_SZ:
		a_int(a, i);
		break;
	case F_SETSIG:
		put_signal(a->out, v);
		break;
	case F_SETLEASE:
		flap_xlat__val(a->out, &flap_xlat_lock_types, (int)v);
		break;
	case F_ADD_SEALS:
		put_flags(a, &flap_xlat_f_seals, v);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
	case F_GETOWN_EX:
	case F_SETOWN_EX:
		put_addr(a->out, v);
		break;
	default:
		put_hex(a->out, v);
	}
}

static void r_fcntl(const struct actx *a)
{
	__s64 r = a->ev->ret;

	switch ((int)arg(a, 1)) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		put_fd(a, (int)r, false);
		break;
	case F_GETFL:
		put_hex(a->out, r);
		put(a, " (flags ");
		put_open_flags(a->out, r);
		put(a, ")");
		break;
	case F_GETFD:
		if (!r) {
			put(a, "0");
			break;
		}
		put_hex(a->out, r);
		put(a, " (flags ");
		put_flags(a, &flap_xlat_fd_flags, r);
		put(a, ")");
		break;
	case F_GET_SEALS:
		if (!r) {
			put(a, "0");
			break;
		}
		put_hex(a->out, r);
		put(a, " (seals ");
		put_flags(a, &flap_xlat_f_seals, r);
		put(a, ")");
		break;
	case F_GETLEASE:
		put_hex(a->out, r);
		put(a, " (");
		flap_xlat__val(a->out, &flap_xlat_lock_types, (int)r);
		put(a, ")");
		break;
	default:
		flap_text__printf(a->out, "%lld", (long long)r);
	}
}

/* clone(child_stack=, flags=[|SIG], parent_tid=, tls=, child_tidptr=) on x86_64. */
static void all_clone(const struct actx *a)
{
	__u64 flags = arg(a, 0) & ~0xffULL;
	unsigned int sig = arg(a, 0) & 0xff;

	put(a, "child_stack=");
	put_addr(a->out, arg(a, 1));
	put(a, ", flags=");
	if (flags) {
		put_flags(a, &flap_xlat_clone_flags, flags);
		if (sig) {
			put(a, "|");
			put_signal(a->out, sig);
		}
	} else {
		put_signal(a->out, sig);
	}
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		put(a, ", parent_tid=");
		put_addr(a->out, arg(a, 2));
	}
	if (flags & CLONE_SETTLS) {
		put(a, ", tls=");
		put_addr(a->out, arg(a, 4));
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		put(a, ", child_tidptr=");
		put_addr(a->out, arg(a, 3));
	}
}

/* prctl(option, ...): the arguments the option uses, as strace shows them. */
static void all_prctl(const struct actx *a)
{
	unsigned int option = (unsigned int)arg(a, 0), first = 1, i;

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
		next(a);
		put_addr(a->out, arg(a, 1));
		return;
	case PR_SET_CHILD_SUBREAPER:
	case PR_SET_ENDIAN:
	case PR_SET_FPEMU:
	case PR_SET_FPEXC:
	case PR_SET_KEEPCAPS:
	case PR_SET_TIMING:
		next(a);
		flap_text__printf(a->out, "%llu", (unsigned long long)arg(a, 1));
		return;
	case PR_SET_DUMPABLE:
		next(a);
		flap_xlat__val(a->out, &flap_xlat_pr_dumpable, arg(a, 1));
		return;
	case PR_SET_PDEATHSIG:
		next(a);
		if (arg(a, 1) > 128)
			flap_text__printf(a->out, "%llu", (unsigned long long)arg(a, 1));
		else
			put_signal(a->out, arg(a, 1));
		return;
	case PR_SET_NAME:
		next(a);
		put_addr(a->out, arg(a, 1));
		return;
	case PR_SET_TIMERSLACK:
		next(a);
		flap_text__printf(a->out, "%lld", (long long)arg(a, 1));
		return;
	case PR_SET_NO_NEW_PRIVS:
	case PR_SET_THP_DISABLE:
	case PR_SET_IO_FLUSHER:
		next(a);
		flap_text__printf(a->out, "%llu", (unsigned long long)arg(a, 1));
		first = 2;
		break;
	default:
		break;
	}
	for (i = first; i < 5; i++) {
		next(a);
		put_hex(a->out, arg(a, i));
	}
}

static void r_prctl(const struct actx *a)
{
	const char *name;

	flap_text__printf(a->out, "%lld", (long long)a->ev->ret);
	if ((unsigned int)arg(a, 0) == PR_GET_DUMPABLE) {
		name = flap_xlat__name(&flap_xlat_pr_dumpable, a->ev->ret);
		if (name)
			flap_text__printf(a->out, " (%s)", name);
	}
}

/* futex(uaddr, op, val[, timeout[, uaddr2[, val3]]]): what the command uses. */
static void all_futex(const struct actx *a)
{
	unsigned int op = (unsigned int)arg(a, 1), cmd = op & FUTEX_CMD_MASK;
	const struct flap_cap *t = cap_at(a->ev, 3);

	put_addr(a->out, arg(a, 0));
	next(a);
	flap_xlat__val(a->out, &flap_xlat_futex_cmds, cmd);
	if (op & FUTEX_PRIVATE_FLAG)
		put(a, "_PRIVATE");
	if (op & FUTEX_CLOCK_REALTIME)
		put(a, "|FUTEX_CLOCK_REALTIME");
	flap_text__printf(a->out, ", %u", (unsigned int)arg(a, 2));
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
		next(a);
		if (t && t->len >= 16)
			put_timespec(a->out, t->data, false);
		else
			put_addr(a->out, arg(a, 3));
		if (cmd == FUTEX_WAIT_BITSET) {
			next(a);
			if ((unsigned int)arg(a, 5) == FUTEX_BITSET_MATCH_ANY)
				put(a, "FUTEX_BITSET_MATCH_ANY");
			else
				put_hex(a->out, (unsigned int)arg(a, 5));
		} else if (cmd == FUTEX_WAIT_REQUEUE_PI) {
			next(a);
			put_addr(a->out, arg(a, 4));
		}
		return;
	case FUTEX_WAKE_BITSET:
		flap_text__printf(a->out, ", %#x", (unsigned int)arg(a, 5));
		return;
	default:
		/* The requeue and wake_op commands: val2 (in the timeout slot), uaddr2, val3. */
		flap_text__printf(a->out, ", %u, ", (unsigned int)arg(a, 3));
		put_addr(a->out, arg(a, 4));
		flap_text__printf(a->out, ", %u", (unsigned int)arg(a, 5));
		return;
	}
}

/* rseq(rseq, rseq_len, flags, sig): raw, as strace prints it. */
static void all_hex(const struct actx *a)
{
	int i;

	for (i = 0; i < a->sc->nargs && i < a->ev->nargs; i++) {
		if (i)
			next(a);
		put_hex(a->out, arg(a, i));
	}
}

/* getrandom's bytes, all in \x escapes. */
static void a_hexbuf(const struct actx *a, int i)
{
	const struct flap_cap *c = cap_at(a->ev, i);
	size_t k;

	if (!c || !returned_ok(a->ev)) {
		put_addr(a->out, arg(a, i));
		return;
	}
	put(a, "\"");
	for (k = 0; k < c->len; k++)
		flap_text__printf(a->out, "\\x%02x", c->data[k]);
	put(a, c->flags & FLAP_EVCAP_F_TRUNC ? "\"..." : "\"");
}

/* getcwd's buffer: the path up to its NUL. */
static void a_cwd(const struct actx *a, int i)
{
	const struct flap_cap *c = cap_at(a->ev, i);

	if (!c || !returned_ok(a->ev)) {
		put_addr(a->out, arg(a, i));
		return;
	}
	flap_text__quote(a->out, c->data, strnlen((const char *)c->data, c->len),
			 c->flags & FLAP_EVCAP_F_TRUNC);
}

static void r_poll(const struct actx *a)
{
	const struct flap_cap *c = cap_at(a->ev, 0);

	flap_text__printf(a->out, "%lld", (long long)a->ev->ret);
	if (a->ev->ret == 0) {
		put(a, " (Timeout)");
		return;
	}
	if (!c)
		return;
	put(a, " (");
	put_pollfds(a, c, true);
	put(a, ")");
}

static void r_oct(const struct actx *a)
{
	flap_text__printf(a->out, "%#03llo", (unsigned long long)a->ev->ret);
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
	{.name = "utimensat", .args = {[3] = a_at_flags}},
	{.name = "execveat", .args = {[4] = a_at_flags}},
	{.name = "name_to_handle_at", .args = {[4] = a_at_flags}},
	{.name = "renameat2", .args = {[4] = a_rename_flags}},
	{.name = "mknod", .args = {[1] = a_mknod_mode, [2] = a_makedev}, .nargs = mknod_nargs},
	{.name = "mknodat", .args = {[2] = a_mknod_mode, [3] = a_makedev}, .nargs = mknod_nargs},
	{.name = "umask", .args = {[0] = a_oct}, .ret = r_oct},
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
	{.name = "rt_sigprocmask", .args = {[0] = a_sighow}},
	{.name = "kill", .args = {[1] = a_signal}},
	{.name = "tkill", .args = {[1] = a_signal}},
	{.name = "tgkill", .args = {[2] = a_signal}},
	{.name = "rt_sigqueueinfo", .args = {[1] = a_signal}},
	{.name = "rt_tgsigqueueinfo", .args = {[2] = a_signal}},
	{.name = "pidfd_send_signal", .args = {[1] = a_signal}},
	{.name = "ioctl", .args = {[1] = a_ioctl_cmd, [2] = a_hex}},
	{.name = "fcntl",
	 .args = {[1] = a_fcntl_cmd, [2] = a_fcntl_arg},
	 .nargs = fcntl_nargs,
	 .ret = r_fcntl},
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
	{.name = "setsockopt", .args = {[1] = a_sol_level, [2] = a_sockopt_name}},
	{.name = "getsockopt", .args = {[1] = a_sol_level, [2] = a_sockopt_name}},
	{.name = "poll", .ret = r_poll},
	{.name = "ppoll", .ret = r_poll},
	{.name = "epoll_create", .ret_fd = true},
	{.name = "epoll_create1", .args = {[0] = a_epoll_create_flags}, .ret_fd = true},
	{.name = "epoll_ctl", .args = {[1] = a_epoll_op}},
	{.name = "wait4", .args = {[2] = a_wait_options}},
	{.name = "waitid", .args = {[0] = a_waitid_which, [3] = a_wait_options}},
	{.name = "clone", .all = all_clone},
	{.name = "unshare", .args = {[0] = a_clone_ns}},
	{.name = "setns", .args = {[1] = a_clone_ns}},
	{.name = "prctl", .all = all_prctl, .ret = r_prctl},
	{.name = "arch_prctl", .args = {[0] = a_arch_prctl, [1] = a_hex}},
	{.name = "futex", .all = all_futex},
	{.name = "rseq", .all = all_hex},
	{.name = "prlimit64", .args = {[1] = a_rlimit_res}},
	{.name = "getrlimit", .args = {[0] = a_rlimit_res}},
	{.name = "setrlimit", .args = {[0] = a_rlimit_res}},
	{.name = "getrandom", .args = {[0] = a_hexbuf, [2] = a_grnd}},
	{.name = "getcwd", .args = {[0] = a_cwd}},
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
		sc = flap_syscall_by_name(sc_rules[i].name);
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
		return true;
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

	a.sc = flap_syscall_by_nr(ev->nr);
	rule = a.sc ? rule_of(ev->nr) : NULL;
	n = shown_nargs(&a, rule);
	if (!a.sc) {
		/* Unknown number: raw registers. */
		for (i = 0; i < n; i++) {
			if (i)
				next(&a);
			put_hex(out, ev->args[i]);
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
				next(&a);
			if (rule && rule->args[i])
				rule->args[i](&a, i);
			else
				put_default(&a, i);
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

	a.sc = flap_syscall_by_nr(ev->nr);
	rule = a.sc ? rule_of(ev->nr) : NULL;
	if (rule && rule->ret)
		rule->ret(&a);
	else if (rule && rule->ret_addr)
		put_hex(out, ev->ret);
	else if (rule && rule->ret_fd && ev->ret >= 0 && ev->ret <= INT_MAX)
		put_fd(&a, (int)ev->ret, false);
	else
		flap_text__printf(out, "%lld", (long long)ev->ret);
}
