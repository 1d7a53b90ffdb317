// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args_struct.c - the structures and arrays the recorder captured, decoded
 * by the argument's C type as strace prints them: struct stat, statx,
 * open_how, sigaction, sigset_t, timespec, rlimit, epoll_event, pollfd,
 * clone_args, stack_t, int arrays, sockaddrs, iovecs and execve's argv.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/types.h>
#include <netinet/in.h>

#include "flap.h"
#include "args_internal.h"
#include "util.h"
#include "xlat.h"

/* "[USR1 USR2]", "~[RTMIN RT_1]" when more than half the set is full. */
void flap_args__put_sigset(struct flap_text *out, const __u8 *data, size_t len)
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
				  flap_xlat__signal(sig, true, buf, sizeof(buf)));
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
		flap_args__put_hex(out, sa.handler);
	flap_text__puts(out, ", sa_mask=");
	flap_args__put_sigset(out, (const __u8 *)&sa.mask, 8);
	flap_text__puts(out, ", sa_flags=");
	flap_xlat__flags(out, &flap_xlat_sigact_flags, sa.flags, "0");
	if (sa.flags & 0x04000000 /* SA_RESTORER: not in glibc, see xlat_kernel.c */) {
		flap_text__puts(out, ", sa_restorer=");
		flap_args__put_hex(out, sa.restorer);
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
	flap_args__put_mode(out, st.st_mode);
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
	flap_args__put_mode(out, stx.stx_mode);
	flap_text__printf(out, ", stx_size=%llu, ...}", (unsigned long long)stx.stx_size);
}

static void put_open_how(struct flap_text *out, const struct flap_cap *c)
{
	struct open_how how = {};

	memcpy(&how, c->data, c->len < sizeof(how) ? c->len : sizeof(how));
	flap_text__puts(out, "{flags=");
	flap_args__put_open_flags(out, how.flags);
	if (how.mode || how.flags & (O_CREAT | __O_TMPFILE))
		flap_text__printf(out, ", mode=%#03llo", (unsigned long long)how.mode);
	if (how.resolve) {
		flap_text__puts(out, ", resolve=");
		flap_xlat__flags(out, &flap_xlat_resolve_flags, how.resolve, "0");
	}
	flap_text__puts(out, "}");
}

void flap_args__put_timespec(struct flap_text *out, const __u8 *p, bool usec)
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
	flap_args__put_signal(out, ca.exit_signal);
	flap_text__puts(out, ", stack=");
	flap_args__put_addr(out, ca.stack);
	flap_text__printf(out, ", stack_size=%#llx", (unsigned long long)ca.stack_size);
	if (ca.flags & CLONE_SETTLS)
		flap_text__printf(out, ", tls=%#llx", (unsigned long long)ca.tls);
	flap_text__puts(out, "}");
	/* What the call wrote back, as strace: the parent's copy of the child's
	 * tid is the call's return (a pidfd's number is not known). */
	if ((ca.flags & CLONE_PARENT_SETTID) && !(ca.flags & CLONE_PIDFD) && a->ev->ret > 0 &&
	    flap_args__returned_ok(a->ev))
		flap_text__printf(out, " => {parent_tid=[%lld]}", (long long)a->ev->ret);
}

/* pollfds: [{fd=3</x>, events=POLLIN}] (in), [{fd=3, revents=POLLIN}] (out). */
void flap_args__put_pollfds(const struct actx *a, const struct flap_cap *c, bool revents)
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
			flap_args__put_fd(a, fd, false);
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
		flap_args__put_signal(out, (s >> 8) & 0xff);
		if (s >> 16)
			flap_text__printf(out, " && s >> 16 == %d", s >> 16);
	} else if (s == 0xffff) {
		flap_text__puts(out, "WIFCONTINUED(s)");
	} else {
		flap_text__puts(out, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		flap_args__put_signal(out, s & 0x7f);
		if (s & 0x80)
			flap_text__puts(out, " && WCOREDUMP(s)");
	}
	flap_text__puts(out, "}]");
}

/*
 * pipe/pipe2/socketpair: [3<pipe:[12]>, 4<pipe:[12]>] ([3<pipe>, 4<pipe>]
 * without the inodes). The arguments print before the table learns of the
 * new fds: they are named here as the call makes them.
 */
static void put_fd_pair(const struct actx *a, const struct flap_cap *c)
{
	const char *name;
	char buf[64];
	int fds[2], k;

	memcpy(fds, c->data, sizeof(fds));
	flap_text__puts(a->out, "[");
	for (k = 0; k < 2; k++) {
		flap_text__printf(a->out, "%s%d", k ? ", " : "", fds[k]);
		name = flap_fdnames__made_name(a->ev, k, buf, sizeof(buf));
		if (a->fds && name)
			flap_args__put_fdname(a->out, name);
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
	flap_args__put_addr(out, ss.sp);
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
	flap_args__put_sigset(a->out, c->data, c->len);
}

static void s_timespec(const struct actx *a, const struct flap_cap *c)
{
	flap_args__put_timespec(a->out, c->data, false);
}

static void s_timeval(const struct actx *a, const struct flap_cap *c)
{
	flap_args__put_timespec(a->out, c->data, true);
}

/* itimerspec (two timespecs) and itimerval (two timevals). */
static void put_itimer(const struct actx *a, const struct flap_cap *c, bool usec)
{
	flap_text__puts(a->out, "{it_interval=");
	flap_args__put_timespec(a->out, c->data, usec);
	flap_text__puts(a->out, ", it_value=");
	flap_args__put_timespec(a->out, c->data + 16, usec);
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
	flap_args__put_pollfds(a, c, false);
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
	/* the large structures: what the recorder keeps (flap.h FLAP_LARGE_SIZE) */
	{"struct new_utsname *", 130, flap_args__s_utsname},
	{"struct sysinfo *", 108, flap_args__s_sysinfo},
	{"struct statfs *", 88, flap_args__s_statfs},
};

/* A struct or array capture, decoded by the argument's C type. Return: false if not. */
bool flap_args__put_struct(const struct actx *a, int i, const struct flap_cap *c)
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
void flap_args__put_sockaddr(struct flap_text *out, const __u8 *p, size_t len, bool trunc)
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
void flap_args__put_iovecs(const struct actx *a, int i, const struct flap_cap *c)
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
	if (n < flap_args__arg(a, i + 1) && (c->flags & FLAP_EVCAP_F_TRUNC))
		flap_text__puts(a->out, n ? ", ..." : "...");
	flap_text__puts(a->out, "]");
}

/* ["ls", "-l"]: NUL-separated strings; a last one without NUL was cut. */
void flap_args__put_argv(const struct actx *a, const struct flap_cap *c)
{
	size_t pos = 0, n = 0, len;
	const char *s;

	flap_text__puts(a->out, "[");
	/* Each string its length and bytes, cut at the string size one by one. */
	while ((c->flags & FLAP_EVCAP_F_EACH) && pos + 2 <= c->len) {
		__u16 hdr;

		memcpy(&hdr, c->data + pos, 2);
		pos += 2;
		len = hdr & ~FLAP_ARGV_CUT;
		if (len > c->len - pos)
			len = c->len - pos;
		flap_text__puts(a->out, n++ ? ", " : "");
		flap_text__quote(a->out, c->data + pos, len, hdr & FLAP_ARGV_CUT);
		pos += len;
	}
	while (!(c->flags & FLAP_EVCAP_F_EACH) && pos < c->len) {
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
