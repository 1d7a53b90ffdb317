// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_decode_args.c - the argument decoders (recorder/print/args.c, xlat.c,
 * fdnames.c) on crafted events: every flag set and constant printer
 * (open, at, access, mmap, clone, socket, fcntl, ioctl, signals, poll,
 * epoll, wait, prctl, futex...), every captured structure (sockaddrs,
 * struct stat/statx, iovecs, open_how, sigaction, sigsets, execve argv and
 * envp, timespecs, rlimits, pollfds, epoll events, wait status, pipe fds,
 * clone3 args, uname, sysinfo, statfs, address lengths given and returned),
 * return values (fds with names, F_GETFL flags, poll's
 * revents, PR_GET_DUMPABLE), unknown values (hex + marker, leftover bits),
 * output arguments of failed and unfinished calls, and descriptor naming
 * across open, dup, fcntl, close, fork, exec and chdir. The expected strings
 * are strace's spelling. The struct sizes the generated table captures are
 * checked against the uapi structs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/futex.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>

#include "flap.h"
#include "args.h"
#include "fdnames.h"
#include "syscalls.h"
#include "test.h"
#include "text.h"
#include "trace.h"
#include "xlat.h"

/* One event under construction, with its own capture storage. */
struct cev {
	struct flap_event ev;
	__u8 data[FLAP_EV_MAX_CAPS][2048];
};

static void cev_init(struct cev *c, const char *name, __s64 ret, int nargs, __u64 a0, __u64 a1,
		     __u64 a2, __u64 a3, __u64 a4, __u64 a5)
{
	const struct flap_syscall *sc = flap_syscall__by_name(name);

	memset(c, 0, sizeof(*c));
	c->ev.nr = sc ? sc->nr : 9999;
	c->ev.tid = c->ev.tgid = 100;
	c->ev.ret = ret;
	c->ev.nargs = nargs;
	c->ev.args[0] = a0;
	c->ev.args[1] = a1;
	c->ev.args[2] = a2;
	c->ev.args[3] = a3;
	c->ev.args[4] = a4;
	c->ev.args[5] = a5;
	c->ev.flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_DUR;
}

static void cap(struct cev *c, int arg, __u8 flags, const void *data, size_t len)
{
	int i = c->ev.ncaps++;

	memcpy(c->data[i], data, len);
	c->ev.caps[i].arg = arg;
	c->ev.caps[i].flags = flags;
	c->ev.caps[i].len = len;
	c->ev.caps[i].data = c->data[i];
}

/* "name(args) = ret" as args.c prints it (the errno part is format.c's). */
static char *decode(const struct flap_event *ev, struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	struct flap_text t;
	char *s;

	flap_text__init(&t);
	if (sc)
		flap_text__printf(&t, "%s(", sc->name);
	else
		flap_text__printf(&t, "syscall_%u(", ev->nr);
	flap_args__print(&t, ev, fds);
	if (fds)
		flap_fdnames__update(fds, ev);
	if (!(ev->flags & FLAP_EV_F_UNFINISHED)) {
		flap_text__puts(&t, ") = ");
		if (ev->ret < 0 && ev->ret >= -4095)
			flap_text__printf(&t, "-%lld", (long long)-ev->ret);
		else
			flap_args__print_ret(&t, ev, fds);
	}
	s = t.oom ? NULL : strdup(t.buf);
	flap_text__release(&t);
	return s;
}

static bool decodes(struct cev *c, struct flap_fdnames *fds, const char *want, const char *what)
{
	char *got = decode(&c->ev, fds);
	bool ok = ASSERT_STREQ(got, want, what);

	free(got);
	return ok;
}

#define CHECK(want, what, name, ret, n, ...)              \
	do {                                              \
		struct cev c_;                            \
		cev_init(&c_, name, ret, n, __VA_ARGS__); \
		decodes(&c_, NULL, want, what);           \
	} while (0)

#define U(x) ((__u64)(__s64)(x))

void test_decode_args_flags(void)
{
	CHECK("openat(AT_FDCWD, 0x1000, O_RDONLY|O_CLOEXEC|O_DIRECTORY) = 3", "openat flags",
	      "openat", 3, 4, U(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC | O_DIRECTORY, 0, 0, 0);
	CHECK("openat(AT_FDCWD, 0x1000, O_RDWR|O_TMPFILE, 0600) = 3", "O_TMPFILE shows the mode",
	      "openat", 3, 4, U(AT_FDCWD), 0x1000, O_RDWR | O_TMPFILE, 0600, 0, 0);
	CHECK("open(0x1000, O_WRONLY|O_CREAT|O_EXCL|0x40000000, 0644) = 3", "unknown open bits",
	      "open", 3, 3, 0x1000, O_WRONLY | O_CREAT | O_EXCL | 0x40000000, 0644, 0, 0, 0);
	CHECK("open(0x1000, O_ACCMODE) = -22", "access mode 3", "open", -EINVAL, 3, 0x1000, 3, 0644,
	      0, 0, 0);
	CHECK("access(0x10, F_OK) = 0", "F_OK", "access", 0, 2, 0x10, F_OK, 0, 0, 0, 0);
	CHECK("access(0x10, R_OK|X_OK) = 0", "R_OK|X_OK", "access", 0, 2, 0x10, R_OK | X_OK, 0, 0,
	      0, 0);
	CHECK("unlinkat(3, 0x10, AT_REMOVEDIR) = 0", "at flags", "unlinkat", 0, 3, 3, 0x10,
	      AT_REMOVEDIR, 0, 0, 0);
	CHECK("newfstatat(AT_FDCWD, 0x10, 0x20, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) = -2",
	      "newfstatat flags; failed: the stat buffer as an address", "newfstatat", -ENOENT, 4,
	      U(AT_FDCWD), 0x10, 0x20, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 0, 0);
	CHECK("statx(AT_FDCWD, 0x10, AT_STATX_DONT_SYNC|AT_EMPTY_PATH, STATX_TYPE|STATX_SIZE, "
	      "0x20) = -2",
	      "statx sync type and mask", "statx", -ENOENT, 5, U(AT_FDCWD), 0x10,
	      AT_STATX_DONT_SYNC | AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, 0x20, 0);
	CHECK("lseek(3, -10, SEEK_END) = 90", "whence", "lseek", 90, 3, 3, U(-10), SEEK_END, 0, 0,
	      0);
	CHECK("lseek(3, 0, 0x9 /* SEEK_??? */) = -22", "unknown whence", "lseek", -EINVAL, 3, 3, 0,
	      9, 0, 0, 0);
	CHECK("mprotect(0x7f0000001000, 4096, PROT_READ|0x10) = -22", "unknown prot bit",
	      "mprotect", -EINVAL, 3, 0x7f0000001000ULL, 4096, PROT_READ | 0x10, 0, 0, 0);
	CHECK("mmap(NULL, 4096, PROT_NONE, MAP_SHARED|MAP_FIXED|MAP_NORESERVE|MAP_POPULATE, 5, "
	      "0x3000) = 0x7f0000000000",
	      "mmap flags in strace's order", "mmap", 0x7f0000000000LL, 6, 0, 4096, PROT_NONE,
	      MAP_SHARED | MAP_FIXED | MAP_POPULATE | MAP_NORESERVE, 5, 0x3000);
	CHECK("madvise(0x7f0000000000, 4096, MADV_FREE) = 0", "madvise", "madvise", 0, 3,
	      0x7f0000000000ULL, 4096, MADV_FREE, 0, 0, 0);
	CHECK("mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE, NULL) = 0x7f0000010000", "mremap",
	      "mremap", 0x7f0000010000LL, 5, 0x7f0000000000ULL, 4096, 8192, MREMAP_MAYMOVE, 0, 0);
	CHECK("dup3(3, 4, O_CLOEXEC) = 4", "dup3", "dup3", 4, 3, 3, 4, O_CLOEXEC, 0, 0, 0);
	CHECK("pipe2(0x10, O_NONBLOCK|O_CLOEXEC) = -24", "pipe2 flags (failed)", "pipe2", -EMFILE,
	      2, 0x10, O_NONBLOCK | O_CLOEXEC, 0, 0, 0, 0);
	CHECK("epoll_create1(EPOLL_CLOEXEC) = 5", "epoll_create1", "epoll_create1", 5, 1,
	      EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	CHECK("wait4(-1, 0x10, WNOHANG|__WALL, NULL) = 0",
	      "wait options; no child ready: status as an address", "wait4", 0, 4, U(-1), 0x10,
	      WNOHANG | __WALL, 0, 0, 0);
	CHECK("eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK) = 3", "eventfd2 flags (strace order)",
	      "eventfd2", 3, 2, 0, EFD_NONBLOCK | EFD_CLOEXEC, 0, 0, 0, 0);
	CHECK("getrandom(0x10, 16, GRND_NONBLOCK|GRND_INSECURE) = -11", "getrandom flags",
	      "getrandom", -EAGAIN, 3, 0x10, 16, GRND_NONBLOCK | GRND_INSECURE, 0, 0, 0);
	CHECK("flock(3, LOCK_EX|LOCK_NB) = 0", "flock", "flock", 0, 2, 3, LOCK_EX | LOCK_NB, 0, 0,
	      0, 0);
	CHECK("shutdown(3, SHUT_WR) = 0", "shutdown", "shutdown", 0, 2, 3, SHUT_WR, 0, 0, 0, 0);
	CHECK("umask(022) = 077", "umask in octal", "umask", 077, 1, 022, 0, 0, 0, 0, 0);
	CHECK("mknodat(AT_FDCWD, 0x10, S_IFCHR|0600, makedev(0x1, 0x3)) = 0", "mknod", "mknodat", 0,
	      4, U(AT_FDCWD), 0x10, S_IFCHR | 0600, makedev(1, 3), 0, 0);
	CHECK("mknodat(AT_FDCWD, 0x10, S_IFIFO|0644) = 0", "mknod without a device", "mknodat", 0,
	      4, U(AT_FDCWD), 0x10, S_IFIFO | 0644, 0, 0, 0);
	CHECK("renameat2(AT_FDCWD, 0x10, AT_FDCWD, 0x20, RENAME_NOREPLACE) = 0", "renameat2",
	      "renameat2", 0, 5, U(AT_FDCWD), 0x10, U(AT_FDCWD), 0x20, 1, 0);
}

void test_decode_args_values(void)
{
	CHECK("kill(42, SIGSEGV) = 0", "signal", "kill", 0, 2, 42, SIGSEGV, 0, 0, 0, 0);
	CHECK("kill(42, 0) = 0", "signal 0", "kill", 0, 2, 42, 0, 0, 0, 0, 0);
	CHECK("tgkill(42, 43, SIGRTMIN) = 0", "SIGRTMIN is 32", "tgkill", 0, 3, 42, 43, 32, 0, 0,
	      0);
	CHECK("tkill(43, SIGRT_3) = 0", "real-time signal", "tkill", 0, 2, 43, 35, 0, 0, 0, 0);
	CHECK("kill(42, 100) = -22", "no such signal", "kill", -EINVAL, 2, 42, 100, 0, 0, 0, 0);
	CHECK("rt_sigprocmask(SIG_UNBLOCK, NULL, NULL, 8) = 0", "how", "rt_sigprocmask", 0, 4,
	      SIG_UNBLOCK, 0, 0, 8, 0, 0);
	CHECK("socket(AF_INET6, SOCK_DGRAM|SOCK_NONBLOCK, IPPROTO_UDP) = 3", "socket", "socket", 3,
	      3, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDP, 0, 0, 0);
	CHECK("socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, 0) = 3", "netlink protocol as a number",
	      "socket", 3, 3, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0, 0, 0, 0);
	CHECK("socket(0x63 /* AF_??? */, SOCK_STREAM, 0) = -97", "unknown family", "socket",
	      -EAFNOSUPPORT, 3, 99, SOCK_STREAM, 0, 0, 0, 0);
	CHECK("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, 0x10, 4) = 0", "SOL_SOCKET option",
	      "setsockopt", 0, 5, 3, SOL_SOCKET, SO_REUSEADDR, 0x10, 4, 0);
	CHECK("setsockopt(3, SOL_TCP, TCP_NODELAY, 0x10, 4) = 0", "IPPROTO_TCP is SOL_TCP",
	      "setsockopt", 0, 5, 3, IPPROTO_TCP, 1, 0x10, 4, 0);
	CHECK("sendto(3, 0x10, 5, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 5", "msg flags", "sendto",
	      5, 6, 3, 0x10, 5, MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	CHECK("epoll_ctl(4, EPOLL_CTL_DEL, 5, NULL) = 0", "epoll op", "epoll_ctl", 0, 4, 4,
	      EPOLL_CTL_DEL, 5, 0, 0, 0);
	CHECK("ioctl(0, TIOCGWINSZ, 0x7ffd0000) = 0", "ioctl TIOCGWINSZ", "ioctl", 0, 3, 0,
	      TIOCGWINSZ, 0x7ffd0000, 0, 0, 0);
	CHECK("ioctl(3, FIONREAD, 0x10) = 0", "FIONREAD", "ioctl", 0, 3, 3, FIONREAD, 0x10, 0, 0,
	      0);
	CHECK("ioctl(3, _IOC(_IOC_READ|_IOC_WRITE, 0xab, 0x12, 0x40), 0x10) = -25", "unknown ioctl",
	      "ioctl", -ENOTTY, 3, 3, 0xc040ab12, 0x10, 0, 0, 0);
	CHECK("prlimit64(0, RLIMIT_NOFILE, NULL, 0x10) = 0", "rlimit resource", "prlimit64", 0, 4,
	      0, RLIMIT_NOFILE, 0, 0x10, 0, 0);
	CHECK("clock_nanosleep(CLOCK_BOOTTIME, TIMER_ABSTIME, 0x10, NULL) = 0", "clock and flags",
	      "clock_nanosleep", 0, 4, CLOCK_BOOTTIME, TIMER_ABSTIME, 0x10, 0, 0, 0);
	CHECK("arch_prctl(ARCH_SET_FS, 0x7f0000000740) = 0", "arch_prctl", "arch_prctl", 0, 2,
	      0x1002, 0x7f0000000740ULL, 0, 0, 0, 0);
	CHECK("rseq(0x7f0000000060, 0x20, 0, 0x53053053) = 0", "rseq raw", "rseq", 0, 4,
	      0x7f0000000060ULL, 0x20, 0, 0x53053053, 0, 0);
	CHECK("fadvise64(3, 0, 0, POSIX_FADV_SEQUENTIAL) = 0", "fadvise", "fadvise64", 0, 4, 3, 0,
	      0, POSIX_FADV_SEQUENTIAL, 0, 0);
	CHECK("close_range(3, 4294967295, CLOSE_RANGE_CLOEXEC) = 0", "close_range", "close_range",
	      0, 3, 3, 0xffffffffULL, 4, 0, 0, 0);
	CHECK("syscall_9999() = 0", "unknown number (nargs 0)", "no-such-call", 0, 0, 0, 0, 0, 0, 0,
	      0);
}

void test_decode_args_fcntl(void)
{
	CHECK("fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)", "F_GETFL", "fcntl", 0x8002,
	      3, 3, F_GETFL, 0, 0, 0, 0);
	CHECK("fcntl(3, F_GETFL) = 0 (flags O_RDONLY)", "F_GETFL 0", "fcntl", 0, 3, 3, F_GETFL, 0,
	      0, 0, 0);
	CHECK("fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)", "F_GETFD", "fcntl", 1, 3, 3, F_GETFD, 0,
	      0, 0, 0);
	CHECK("fcntl(3, F_GETFD) = 0", "F_GETFD 0", "fcntl", 0, 3, 3, F_GETFD, 0, 0, 0, 0);
	CHECK("fcntl(3, F_SETFD, FD_CLOEXEC) = 0", "F_SETFD", "fcntl", 0, 3, 3, F_SETFD, 1, 0, 0,
	      0);
	CHECK("fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0", "F_SETFL", "fcntl", 0, 3, 3, F_SETFL,
	      O_NONBLOCK, 0, 0, 0);
	CHECK("fcntl(3, F_DUPFD_CLOEXEC, 10) = 10", "F_DUPFD_CLOEXEC", "fcntl", 10, 3, 3,
	      F_DUPFD_CLOEXEC, 10, 0, 0, 0);
	CHECK("fcntl(3, F_SETLKW, 0x7ffd0000) = 0", "a struct flock", "fcntl", 0, 3, 3, F_SETLKW,
	      0x7ffd0000, 0, 0, 0);
	CHECK("fcntl(3, F_SETSIG, SIGIO) = 0", "F_SETSIG", "fcntl", 0, 3, 3, F_SETSIG, SIGIO, 0, 0,
	      0);
	CHECK("fcntl(3, F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW) = 0", "seals", "fcntl", 0, 3, 3,
	      F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW, 0, 0, 0);
	CHECK("fcntl(3, F_GET_SEALS) = 0x1 (seals F_SEAL_SEAL)", "F_GET_SEALS", "fcntl", 1, 3, 3,
	      F_GET_SEALS, 0, 0, 0, 0);
	CHECK("fcntl(3, 0x4d2 /* F_??? */, 0x5) = -22", "unknown command", "fcntl", -EINVAL, 3, 3,
	      1234, 5, 0, 0, 0);
}

void test_decode_args_calls(void)
{
	CHECK("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
	      "child_tidptr=0x7f0000000a10) = 43",
	      "clone (fork)", "clone", 43, 5, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD,
	      0, 0, 0x7f0000000a10ULL, 0, 0);
	CHECK("clone(child_stack=0x7f0000100000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
	      "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
	      "parent_tid=0x7f0000000990, tls=0x7f00000006c0, child_tidptr=0x7f0000000990) = 44",
	      "clone (thread)", "clone", 44, 5,
	      CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		      CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
	      0x7f0000100000ULL, 0x7f0000000990ULL, 0x7f0000000990ULL, 0x7f00000006c0ULL, 0);
	CHECK("clone(child_stack=NULL, flags=SIGCHLD) = 45", "clone: signal only", "clone", 45, 5,
	      SIGCHLD, 0, 0, 0, 0, 0);
	CHECK("prctl(PR_SET_PDEATHSIG, SIGTERM) = 0", "PR_SET_PDEATHSIG", "prctl", 0, 5,
	      PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0, 0);
	CHECK("prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)", "PR_GET_DUMPABLE", "prctl", 1, 5,
	      PR_GET_DUMPABLE, 0, 0, 0, 0, 0);
	CHECK("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0", "PR_SET_NO_NEW_PRIVS", "prctl", 0, 5,
	      PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	CHECK("prctl(PR_SET_NAME, 0x7ffd0000) = 0", "PR_SET_NAME (name not captured)", "prctl", 0,
	      5, PR_SET_NAME, 0x7ffd0000, 0, 0, 0, 0);
	CHECK("prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = 0", "PR_SET_DUMPABLE", "prctl", 0, 5,
	      PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
	CHECK("prctl(0x12345 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -22", "unknown option", "prctl",
	      -EINVAL, 5, 0x12345, 1, 2, 3, 4, 0);
	CHECK("futex(0x7f0000000010, FUTEX_WAKE_PRIVATE, 1) = 0", "futex wake", "futex", 0, 6,
	      0x7f0000000010ULL, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, 0, 0, 0);
	CHECK("futex(0x7f0000000010, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 2, NULL, "
	      "FUTEX_BITSET_MATCH_ANY) = -11",
	      "futex wait bitset", "futex", -EAGAIN, 6, 0x7f0000000010ULL,
	      FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 2, 0, 0,
	      FUTEX_BITSET_MATCH_ANY);
	CHECK("futex(0x7f0000000010, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2147483647, 0x7f0000000020, 3) "
	      "= 1",
	      "futex requeue", "futex", 1, 6, 0x7f0000000010ULL,
	      FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 0x7fffffff, 0x7f0000000020ULL, 3);
}

void test_decode_args_sockaddr(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(80)};
	struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	__u8 out[8 + sizeof(sin)];
	struct cev c;
	__u32 len;

	sin.sin_addr.s_addr = inet_addr("10.0.0.1");
	cev_init(&c, "connect", 0, 3, 3, 0x10, sizeof(sin), 0, 0, 0);
	cap(&c, 1, 0, &sin, sizeof(sin));
	decodes(&c, NULL,
		"connect(3, {sa_family=AF_INET, sin_port=htons(80), "
		"sin_addr=inet_addr(\"10.0.0.1\")}, 16) = 0",
		"inet");
	inet_pton(AF_INET6, "fe80::1", &six.sin6_addr);
	six.sin6_scope_id = 2;
	six.sin6_flowinfo = htonl(7);
	cev_init(&c, "bind", 0, 3, 3, 0x10, sizeof(six), 0, 0, 0);
	cap(&c, 1, 0, &six, sizeof(six));
	decodes(&c, NULL,
		"bind(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(7), "
		"inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=2}, 28) = 0",
		"inet6");
	strcpy(sun.sun_path, "/run/x.sock");
	cev_init(&c, "connect", -ENOENT, 3, 3, 0x10, 14, 0, 0, 0);
	cap(&c, 1, 0, &sun, offsetof(struct sockaddr_un, sun_path) + 12);
	decodes(&c, NULL, "connect(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 14) = -2",
		"unix path (input: printed even when the call failed)");
	memcpy(sun.sun_path, "\0abstract", 9);
	cev_init(&c, "bind", 0, 3, 3, 0x10, 11, 0, 0, 0);
	cap(&c, 1, 0, &sun, offsetof(struct sockaddr_un, sun_path) + 9);
	decodes(&c, NULL, "bind(3, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = 0",
		"abstract unix");

	/* accept: the length the kernel stored, then the address. */
	len = sizeof(sin);
	memcpy(out, &len, 4);
	memcpy(out + 4, &sin, sizeof(sin));
	cev_init(&c, "accept4", 5, 4, 3, 0x10, 0x20, SOCK_CLOEXEC, 0, 0);
	cap(&c, 1, 0, out, 4 + sizeof(sin));
	decodes(&c, NULL,
		"accept4(3, {sa_family=AF_INET, sin_port=htons(80), "
		"sin_addr=inet_addr(\"10.0.0.1\")}, [16], SOCK_CLOEXEC) = 5",
		"accept4");
	len = 2;
	memcpy(out, &len, 4);
	sun.sun_family = AF_UNIX;
	memcpy(out + 4, &sun.sun_family, 2);
	cev_init(&c, "accept", 5, 3, 3, 0x10, 0x20, 0, 0, 0);
	cap(&c, 1, 0, out, 4 + 2);
	decodes(&c, NULL, "accept(3, {sa_family=AF_UNIX}, [2]) = 5", "unnamed peer");
	cev_init(&c, "accept", -EAGAIN, 3, 3, 0x10, 0x20, 0, 0, 0);
	decodes(&c, NULL, "accept(3, 0x10, 0x20) = -11", "failed accept: addresses");
	cev_init(&c, "recvfrom", 2, 6, 5, 0x10, 16, 0, 0, 0);
	cap(&c, 1, 0, "hi", 2);
	decodes(&c, NULL, "recvfrom(5, \"hi\", 16, 0, NULL, NULL) = 2", "recvfrom without address");

	/* With the length at entry (FLAP_EVCAP_F_INLEN): strace's [in => out]. */
	len = 128;
	memcpy(out, &len, 4);
	len = sizeof(sin);
	memcpy(out + 4, &len, 4);
	memcpy(out + 8, &sin, sizeof(sin));
	cev_init(&c, "accept4", 5, 4, 3, 0x10, 0x20, SOCK_CLOEXEC, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_INLEN, out, 8 + sizeof(sin));
	decodes(&c, NULL,
		"accept4(3, {sa_family=AF_INET, sin_port=htons(80), "
		"sin_addr=inet_addr(\"10.0.0.1\")}, [128 => 16], SOCK_CLOEXEC) = 5",
		"accept4: the length given and the length stored");
	len = sizeof(sin);
	memcpy(out, &len, 4);
	cev_init(&c, "getsockname", 0, 3, 3, 0x10, 0x20, 0, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_INLEN, out, 8 + sizeof(sin));
	decodes(&c, NULL,
		"getsockname(3, {sa_family=AF_INET, sin_port=htons(80), "
		"sin_addr=inet_addr(\"10.0.0.1\")}, [16]) = 0",
		"the same length: once");
	len = 110;
	memcpy(out, &len, 4);
	cev_init(&c, "getpeername", -ENOTCONN, 3, 3, 0x10, 0x20, 0, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_INLEN, out, 4);
	decodes(&c, NULL, "getpeername(3, 0x10, [110]) = -107", "failed: the length given");
	len = 128;
	memcpy(out, &len, 4);
	len = 16;
	memcpy(out + 4, &len, 4);
	memcpy(out + 8, &sin, sizeof(sin));
	cev_init(&c, "recvfrom", 1, 6, 5, 0x10, 16, 0, 0x30, 0x40);
	cap(&c, 1, 0, "x", 1);
	cap(&c, 4, FLAP_EVCAP_F_INLEN, out, 8 + sizeof(sin));
	decodes(&c, NULL,
		"recvfrom(5, \"x\", 16, 0, {sa_family=AF_INET, sin_port=htons(80), "
		"sin_addr=inet_addr(\"10.0.0.1\")}, [128 => 16]) = 1",
		"recvfrom's address and lengths");
}

#ifndef ST_VALID
#define ST_VALID 0x20 /* the kernel's; glibc does not name it */
#endif

/* The large structures: uname, sysinfo, statfs (what strace prints without -v). */
void test_decode_args_large(void)
{
	struct sysinfo si = {.uptime = 1071,
			     .loads = {518848, 438944, 248512},
			     .totalram = 25275990016UL,
			     .freeram = 23044669440UL,
			     .sharedram = 70799360,
			     .bufferram = 7950336,
			     .procs = 189,
			     .mem_unit = 1};
	struct statfs sf = {.f_type = 0xef53,
			    .f_bsize = 4096,
			    .f_blocks = 66053021,
			    .f_bfree = 61440348,
			    .f_bavail = 20471624,
			    .f_files = 16777216,
			    .f_ffree = 16348030,
			    .f_namelen = 255,
			    .f_frsize = 4096,
			    .f_flags = ST_VALID | ST_RELATIME};
	char uts[130] = "Linux";
	struct cev c;

	strcpy(uts + 65, "vm");
	cev_init(&c, "uname", 0, 1, 0x10, 0, 0, 0, 0, 0);
	cap(&c, 0, 0, uts, sizeof(uts));
	decodes(&c, NULL, "uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0", "uname");
	cev_init(&c, "uname", -EFAULT, 1, 0x10, 0, 0, 0, 0, 0);
	decodes(&c, NULL, "uname(0x10) = -14", "failed uname: the address");
	cev_init(&c, "sysinfo", 0, 1, 0x10, 0, 0, 0, 0, 0);
	cap(&c, 0, 0, &si, 108);
	decodes(&c, NULL,
		"sysinfo({uptime=1071, loads=[518848, 438944, 248512], totalram=25275990016, "
		"freeram=23044669440, sharedram=70799360, bufferram=7950336, totalswap=0, "
		"freeswap=0, procs=189, totalhigh=0, freehigh=0, mem_unit=1}) = 0",
		"sysinfo");
	memcpy(&sf.f_fsid, (int[2]){(int)0x975b69a0, 0x214cc814}, 8);
	cev_init(&c, "statfs", 0, 2, 0x10, 0x20, 0, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/", 1);
	cap(&c, 1, 0, &sf, 88);
	decodes(&c, NULL,
		"statfs(\"/\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, "
		"f_bfree=61440348, f_bavail=20471624, f_files=16777216, f_ffree=16348030, "
		"f_fsid={val=[0x975b69a0, 0x214cc814]}, f_namelen=255, f_frsize=4096, "
		"f_flags=ST_VALID|ST_RELATIME}) = 0",
		"statfs");
	sf.f_type = 0x12345678;
	sf.f_flags = ST_VALID | ST_RDONLY | 0x100000;
	memset(&sf.f_fsid, 0, 8);
	cev_init(&c, "fstatfs", 0, 2, 3, 0x20, 0, 0, 0, 0);
	cap(&c, 1, 0, &sf, 88);
	decodes(&c, NULL,
		"fstatfs(3, {f_type=0x12345678, f_bsize=4096, f_blocks=66053021, "
		"f_bfree=61440348, f_bavail=20471624, f_files=16777216, f_ffree=16348030, "
		"f_fsid={val=[0, 0]}, f_namelen=255, f_frsize=4096, "
		"f_flags=ST_VALID|ST_RDONLY|0x100000}) = 0",
		"fstatfs: an unknown magic, unknown flags");
	cev_init(&c, "statfs", 0, 2, 0x10, 0x20, 0, 0, 0, 0);
	cap(&c, 1, 0, &sf, 64);
	decodes(&c, NULL, "statfs(0x10, 0x20) = 0", "a short capture: the address");
}

void test_decode_args_structs(void)
{
	struct {
		__u64 handler, flags, restorer, mask;
	} sa = {(__u64)(unsigned long)SIG_IGN, SA_SIGINFO | 0x04000000, 0x7f0000001000ULL,
		(1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)) | (1ULL << 33)};
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT, .mode = 0600, .resolve = RESOLVE_BENEATH};
	__u64 set = ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1))),
	      rl[2] = {8192 * 1024, ~0ULL};
	struct timespec ts = {.tv_sec = 1, .tv_nsec = 500};
	struct stat st;
	struct cev c;
	int status;

	cev_init(&c, "rt_sigaction", 0, 4, SIGINT, 0x10, 0, 8, 0, 0);
	cap(&c, 1, 0, &sa, sizeof(sa));
	decodes(&c, NULL,
		"rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[INT TERM RT_2], "
		"sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
		"sigaction in");
	cev_init(&c, "rt_sigprocmask", 0, 4, SIG_SETMASK, 0x10, 0x20, 8, 0, 0);
	cap(&c, 1, 0, &set, 8);
	set = 0;
	cap(&c, 2, 0, &set, 8);
	decodes(&c, NULL, "rt_sigprocmask(SIG_SETMASK, ~[KILL STOP], [], 8) = 0",
		"sigsets: complement, empty");
	cev_init(&c, "openat2", 3, 4, U(AT_FDCWD), 0x10, 0x20, 24, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "f", 1);
	cap(&c, 2, 0, &how, sizeof(how));
	decodes(&c, NULL,
		"openat2(AT_FDCWD, \"f\", {flags=O_WRONLY|O_CREAT, mode=0600, "
		"resolve=RESOLVE_BENEATH}, 24) = 3",
		"open_how");
	cev_init(&c, "prlimit64", 0, 4, 0, RLIMIT_STACK, 0, 0x20, 0, 0);
	cap(&c, 3, 0, rl, sizeof(rl));
	decodes(&c, NULL,
		"prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) "
		"= 0",
		"rlimit");
	cev_init(&c, "nanosleep", 0, 2, 0x10, 0, 0, 0, 0, 0);
	cap(&c, 0, 0, &ts, sizeof(ts));
	decodes(&c, NULL, "nanosleep({tv_sec=1, tv_nsec=500}, NULL) = 0", "timespec");

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFCHR | 0620;
	st.st_rdev = makedev(0x88, 2);
	cev_init(&c, "fstat", 0, 2, 0, 0x10, 0, 0, 0, 0);
	cap(&c, 1, 0, &st, 64);
	decodes(&c, NULL, "fstat(0, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x2), ...}) = 0",
		"stat of a device");
	st.st_mode = S_IFREG | S_ISUID | 0755;
	st.st_size = 1234;
	cev_init(&c, "stat", 0, 2, 0x10, 0x20, 0, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/bin/x", 6);
	cap(&c, 1, 0, &st, 64);
	decodes(&c, NULL, "stat(\"/bin/x\", {st_mode=S_IFREG|S_ISUID|0755, st_size=1234, ...}) = 0",
		"stat of a setuid file");

	status = 0x8b; /* SIGSEGV, core dumped */
	cev_init(&c, "wait4", 42, 4, U(-1), 0x10, 0, 0, 0, 0);
	cap(&c, 1, 0, &status, 4);
	decodes(&c, NULL,
		"wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL) "
		"= 42",
		"wait status: signal");
	status = 0x137f; /* stopped by SIGSTOP */
	cev_init(&c, "wait4", 42, 4, 42, 0x10, WUNTRACED, 0, 0, 0);
	cap(&c, 1, 0, &status, 4);
	decodes(&c, NULL,
		"wait4(42, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WUNTRACED, NULL) = 42",
		"wait status: stopped");
}

void test_decode_args_arrays(void)
{
	struct pollfd pfd[3] = {{3, POLLIN | POLLPRI, POLLIN}, {-1, POLLIN, 0}, {4, POLLOUT, 0}};
	__u8 ev[2][12], iov[3 * 12 + 16];
	struct flap_iov_cap ic;
	struct cev c;
	__u32 events = EPOLLIN | EPOLLRDHUP, n = 3;
	__u64 data = 0x100000007ULL;
	char argv[] = "ls\0-l\0/very/lo";
	__u8 each[16];

	cev_init(&c, "poll", 1, 3, 0x10, 3, 100, 0, 0, 0);
	cap(&c, 0, 0, pfd, sizeof(pfd));
	decodes(&c, NULL,
		"poll([{fd=3, events=POLLIN|POLLPRI}, {fd=-1}, {fd=4, events=POLLOUT}], 3, 100) = "
		"1 ([{fd=3, revents=POLLIN}])",
		"poll: events in, revents in the return value");
	cev_init(&c, "poll", 0, 3, 0x10, 1, 0, 0, 0, 0);
	cap(&c, 0, 0, pfd, 8);
	decodes(&c, NULL, "poll([{fd=3, events=POLLIN|POLLPRI}], 1, 0) = 0 (Timeout)", "timeout");

	memcpy(ev[0], &events, 4);
	memcpy(ev[0] + 4, &data, 8);
	memcpy(ev[1], &events, 4);
	memcpy(ev[1] + 4, &data, 8);
	cev_init(&c, "epoll_wait", 2, 4, 5, 0x10, 8, U(-1), 0, 0);
	cap(&c, 1, 0, ev, sizeof(ev));
	decodes(&c, NULL,
		"epoll_wait(5, [{events=EPOLLIN|EPOLLRDHUP, data={u32=7, u64=4294967303}}, "
		"{events=EPOLLIN|EPOLLRDHUP, data={u32=7, u64=4294967303}}], 8, -1) = 2",
		"epoll events");
	cev_init(&c, "epoll_wait", 0, 4, 5, 0x10, 8, 0, 0, 0);
	decodes(&c, NULL, "epoll_wait(5, 0x10, 8, 0) = 0", "no events: the buffer's address");

	/* writev of {3, "abc"}, {5, "de" kept of "defgh"}, more iovecs left out */
	ic = (struct flap_iov_cap){.len_lo = 3, .kept = 3};
	memcpy(iov, &ic, 12);
	memcpy(iov + 12, "abc", 3);
	ic = (struct flap_iov_cap){.len_lo = 5, .kept = 2};
	memcpy(iov + 15, &ic, 12);
	memcpy(iov + 27, "de", 2);
	cev_init(&c, "writev", 8, 3, 1, 0x10, 6, 0, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_TRUNC, iov, 29);
	decodes(&c, NULL,
		"writev(1, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"de\"..., iov_len=5}, ...], "
		"6) "
		"= 8",
		"writev, truncated");
	cev_init(&c, "readv", -EBADF, 3, 9, 0x10, 2, 0, 0, 0);
	decodes(&c, NULL, "readv(9, 0x10, 2) = -9", "failed readv: the array's address");

	cev_init(&c, "execve", 0, 3, 0x10, 0x20, 0x30, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/bin/ls", 7);
	cap(&c, 1, FLAP_EVCAP_F_TRUNC, argv, sizeof(argv) - 1);
	cap(&c, 2, 0, &n, 4);
	decodes(&c, NULL,
		"execve(\"/bin/ls\", [\"ls\", \"-l\", \"/very/lo\"..., ...], 0x30 /* 3 vars */) = "
		"0",
		"execve argv and envp");
	cev_init(&c, "execve", -ENOENT, 3, 0x10, 0x20, 0x30, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/x", 2);
	cap(&c, 1, 0, "x\0", 2);
	decodes(&c, NULL, "execve(\"/x\", [\"x\"], 0x30) = -2",
		"argv of one string, envp not kept");

	/* Each string cut on its own (FLAP_EVCAP_F_EACH), strace's -s. */
	memcpy(each, (__u16[]){2}, 2);
	memcpy(each + 2, "ls", 2);
	memcpy(each + 4, (__u16[]){4 | FLAP_ARGV_CUT}, 2);
	memcpy(each + 6, "/ver", 4);
	memcpy(each + 10, (__u16[]){0}, 2);
	memcpy(each + 12, (__u16[]){2}, 2);
	memcpy(each + 14, "-l", 2);
	cev_init(&c, "execve", 0, 3, 0x10, 0x20, 0x30, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/bin/ls", 7);
	cap(&c, 1, FLAP_EVCAP_F_EACH, each, 16);
	decodes(&c, NULL, "execve(\"/bin/ls\", [\"ls\", \"/ver\"..., \"\", \"-l\"], 0x30) = 0",
		"argv: a string cut, the ones after it kept");
	cev_init(&c, "execve", 0, 3, 0x10, 0x20, 0x30, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/bin/ls", 7);
	cap(&c, 1, FLAP_EVCAP_F_EACH | FLAP_EVCAP_F_TRUNC, each, 9);
	decodes(&c, NULL, "execve(\"/bin/ls\", [\"ls\", \"/ve\"..., ...], 0x30) = 0",
		"argv: strings past the capture left out");
}

/* Calls still running: output arguments are not shown yet. */
void test_decode_args_unfinished(void)
{
	struct cev c;

	cev_init(&c, "accept4", 0, 4, 3, 0x10, 0x20, SOCK_CLOEXEC, 0, 0);
	c.ev.flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	decodes(&c, NULL, "accept4(3, <unfinished ...>", "accept4 running");
	cev_init(&c, "wait4", 0, 4, U(-1), 0x10, 0, 0, 0, 0);
	c.ev.flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	decodes(&c, NULL, "wait4(-1, <unfinished ...>", "wait4 running");
	cev_init(&c, "clone", 0, 5, SIGCHLD, 0, 0, 0, 0, 0);
	c.ev.flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
	decodes(&c, NULL, "clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>",
		"clone running");
}

/* The struct sizes of the generated table are the uapi structs'. */
void test_decode_args_sizes(void)
{
	static const struct {
		const char *sc;
		size_t size;
	} sizes[] = {
		{"openat2", sizeof(struct open_how)},
		{"epoll_ctl", sizeof(struct epoll_event)},
		{"epoll_wait", sizeof(struct epoll_event)},
		{"poll", sizeof(struct pollfd)},
		{"clock_nanosleep", sizeof(struct timespec)},
		{"prlimit64", sizeof(struct rlimit)},
		{"sigaltstack", sizeof(stack_t)},
		{"rt_sigprocmask", 8},
		{"rt_sigaction", 32},
		{"wait4", sizeof(int)},
		{"pipe2", 2 * sizeof(int)},
		{"newfstatat", 64},
		{"statx", 64},
	};
	const struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sc = flap_syscall__by_name(sizes[i].sc);
		if (!ASSERT_OK_PTR(sc, sizes[i].sc))
			continue;
		ASSERT_EQ(FLAP_KIND_SIZE(sc->kinds), sizes[i].size, sizes[i].sc);
	}
	/* The 64-byte stat prefixes hold what the decoders read. */
	ASSERT_LE(offsetof(struct stat, st_size) + 8, 64, "stat prefix");
	ASSERT_LE(offsetof(struct statx, stx_size) + 8, 64, "statx prefix");
	sc = flap_syscall__by_name("connect");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_SOCKADDR_IN, "connect sockaddr");
	sc = flap_syscall__by_name("recvfrom");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 4), FLAP_ARG_SOCKADDR_OUT, "recvfrom sockaddr");
	sc = flap_syscall__by_name("execve");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_ARGV, "execve argv");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 2), FLAP_ARG_ENVP, "execve envp");
	sc = flap_syscall__by_name("writev");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 1), FLAP_ARG_IOV_IN, "writev iovecs");
	sc = flap_syscall__by_name("stat");
	ASSERT_EQ(FLAP_KIND_ARG(sc->kinds, 0), FLAP_ARG_STR, "stat: metadata of newstat");
}

/* Descriptor names: open, dup, fcntl, close, fork, exec, chdir, sockets, pipes. */
void test_decode_args_fdnames(void)
{
	struct flap_fdnames *f = NULL;
	int pipefd[2] = {5, 6};
	struct cev c;

	if (!ASSERT_OK(flap_fdnames__new(&f), "new"))
		return;
	cev_init(&c, "openat", 3, 4, U(AT_FDCWD), 0x10, O_RDONLY | O_DIRECTORY, 0, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "/srv//app/./", 12);
	decodes(&c, f, "openat(AT_FDCWD, \"/srv//app/./\", O_RDONLY|O_DIRECTORY) = 3</srv/app>",
		"cleaned path");
	cev_init(&c, "openat", 4, 4, 3, 0x10, O_RDONLY | O_CLOEXEC, 0, 0, 0);
	cap(&c, 1, FLAP_EVCAP_F_STR, "../etc/x<y>", 11);
	decodes(&c, f,
		"openat(3</srv/app>, \"../etc/x<y>\", O_RDONLY|O_CLOEXEC) = 4</srv/etc/x\\74y\\76>",
		"joined with the dirfd, < > escaped");
	cev_init(&c, "read", 2, 3, 4, 0x10, 2, 0, 0, 0);
	decodes(&c, f, "read(4</srv/etc/x\\74y\\76>, 0x10, 2) = 2", "named argument");
	cev_init(&c, "dup2", 10, 2, 4, 10, 0, 0, 0, 0);
	decodes(&c, f, "dup2(4</srv/etc/x\\74y\\76>, 10) = 10</srv/etc/x\\74y\\76>", "dup2 copies");
	cev_init(&c, "fcntl", 20, 3, 3, F_DUPFD, 20, 0, 0, 0);
	decodes(&c, f, "fcntl(3</srv/app>, F_DUPFD, 20) = 20</srv/app>", "F_DUPFD copies");
	cev_init(&c, "close", 0, 1, 3, 0, 0, 0, 0, 0);
	decodes(&c, f, "close(3</srv/app>) = 0", "close names, then forgets");
	cev_init(&c, "close", -EBADF, 1, 3, 0, 0, 0, 0, 0);
	decodes(&c, f, "close(3) = -9", "forgotten");
	cev_init(&c, "pipe2", 0, 2, 0x10, O_CLOEXEC, 0, 0, 0, 0);
	cap(&c, 0, 0, pipefd, sizeof(pipefd));
	decodes(&c, f, "pipe2([5<pipe>, 6<pipe>], O_CLOEXEC) = 0", "pipe fds named");
	cev_init(&c, "socket", 7, 3, AF_INET, SOCK_STREAM, 0, 0, 0, 0);
	decodes(&c, f, "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 7<TCP>", "socket kind");
	cev_init(&c, "accept", 8, 3, 7, 0, 0, 0, 0, 0);
	decodes(&c, f, "accept(7<TCP>, NULL, NULL) = 8<TCP>", "accept: the listener's kind");
	cev_init(&c, "memfd_create", 9, 2, 0x10, 1, 0, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "buf", 3);
	decodes(&c, f, "memfd_create(\"buf\", MFD_CLOEXEC) = 9</memfd:buf (deleted)>", "memfd");

	/* fork: the child starts with the parent's table. */
	cev_init(&c, "clone", 200, 5, SIGCHLD, 0, 0, 0, 0, 0);
	decodes(&c, f, "clone(child_stack=NULL, flags=SIGCHLD) = 200", "fork");
	cev_init(&c, "write", 1, 3, 10, 0x10, 1, 0, 0, 0);
	c.ev.tgid = c.ev.tid = 200;
	decodes(&c, f, "write(10</srv/etc/x\\74y\\76>, 0x10, 1) = 1", "inherited by the child");
	/* exec closes the close-on-exec fds: 4 (O_CLOEXEC), 5 and 6 (pipe2), 9 (memfd). */
	cev_init(&c, "execve", 0, 3, 0x10, 0x20, 0x30, 0, 0, 0);
	c.ev.tgid = c.ev.tid = 200;
	decodes(&c, f, "execve(0x10, 0x20, 0x30) = 0", "exec");
	ASSERT_TRUE(flap_fdnames__get(f, 200, 4) == NULL, "O_CLOEXEC fd gone at exec");
	ASSERT_TRUE(flap_fdnames__get(f, 200, 5) == NULL, "pipe2 O_CLOEXEC gone");
	ASSERT_STREQ(flap_fdnames__get(f, 200, 10), "/srv/etc/x<y>",
		     "dup2 copy stays (no cloexec)");
	ASSERT_STREQ(flap_fdnames__get(f, 100, 4), "/srv/etc/x<y>", "the parent keeps its fds");
	/* chdir: relative opens get the directory. */
	cev_init(&c, "chdir", 0, 1, 0x10, 0, 0, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "/tmp", 4);
	decodes(&c, f, "chdir(\"/tmp\") = 0", "chdir");
	cev_init(&c, "open", 3, 3, 0x10, O_RDONLY, 0, 0, 0, 0);
	cap(&c, 0, FLAP_EVCAP_F_STR, "a/b", 3);
	decodes(&c, f, "open(\"a/b\", O_RDONLY) = 3</tmp/a/b>", "relative to the cwd");
	cev_init(&c, "faccessat", 0, 3, U(AT_FDCWD), 0x10, R_OK, 0, 0, 0);
	decodes(&c, f, "faccessat(AT_FDCWD</tmp>, 0x10, R_OK) = 0", "AT_FDCWD names the cwd");
	ASSERT_STREQ(flap_fdnames__cwd(f, 100), "/tmp", "the cwd is known");
	cev_init(&c, "close_range", 0, 3, 0, 100, 0, 0, 0, 0);
	decodes(&c, f, "close_range(0, 100, 0) = 0", "close_range");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 3) == NULL, "closed by close_range");
	/* A dump may hold any number: the table grows with names, not values. */
	cev_init(&c, "socket", 2147483000, 3, AF_UNIX, SOCK_DGRAM, 0, 0, 0, 0);
	decodes(&c, f, "socket(AF_UNIX, SOCK_DGRAM, 0) = 2147483000<UNIX-DGRAM>", "huge fd");
	cev_init(&c, "close_range", 0, 3, 0, 0xffffffffULL, 0, 0, 0, 0);
	decodes(&c, f, "close_range(0, 4294967295, 0) = 0", "close everything");
	ASSERT_TRUE(flap_fdnames__get(f, 100, 2147483000) == NULL, "closed");
	cev_init(&c, "dup2", 5, 2, U(-5), 5, 0, 0, 0, 0);
	decodes(&c, f, "dup2(-5, 5) = 5", "a negative fd");
	flap_fdnames__free(f);
}

void test_decode_args_xlat(void)
{
	struct flap_text t;
	char buf[16];

	flap_text__init(&t);
	ASSERT_EQ(flap_xlat__flags(&t, &flap_xlat_mmap_prot, PROT_READ | PROT_EXEC | 0x100, "0"),
		  0x100, "leftover bits returned");
	ASSERT_STREQ(t.buf, "PROT_READ|PROT_EXEC|0x100", "flags and leftover");
	flap_text__clear(&t);
	flap_xlat__flags(&t, &flap_xlat_mmap_prot, 0, "0");
	ASSERT_STREQ(t.buf, "PROT_NONE", "the table's zero entry");
	flap_text__clear(&t);
	flap_xlat__flags(&t, &flap_xlat_at_flags, 0, "0");
	ASSERT_STREQ(t.buf, "0", "no zero entry: the default");
	flap_text__clear(&t);
	flap_xlat__flags(&t, &flap_xlat_statx_mask, 0x17ff, "0");
	ASSERT_STREQ(t.buf, "STATX_BASIC_STATS|STATX_MNT_ID", "a group before its parts");
	flap_text__clear(&t);
	flap_xlat__val(&t, &flap_xlat_rlimits, 77);
	ASSERT_STREQ(t.buf, "0x4d /* RLIMIT_??? */", "unknown value with a marker");
	flap_text__clear(&t);
	flap_xlat__val(&t, &flap_xlat_clocks, 77);
	ASSERT_STREQ(t.buf, "77", "unknown value without a marker");
	flap_text__release(&t);
	ASSERT_STREQ(flap_xlat__signal(SIGCHLD, true, buf, sizeof(buf)), "CHLD", "bare");
	ASSERT_STREQ(flap_xlat__signal(64, false, buf, sizeof(buf)), "SIGRT_32", "last rt signal");
	ASSERT_TRUE(flap_xlat__signal(65, false, buf, sizeof(buf)) == NULL, "65");
	/* glibc says O_LARGEFILE is 0 on x86_64; the kernel's (asm-generic) is 0100000. */
	ASSERT_STREQ(flap_xlat__name(&flap_xlat_open_flags, 0100000), "O_LARGEFILE",
		     "O_LARGEFILE has the kernel's value");
}

/*
 * Hostile captures (a dump file may hold anything): random arguments,
 * returns and capture bytes and lengths for every syscall of the table,
 * through the decoders and the descriptor table. Nothing may crash (run
 * under ASan/valgrind) and no control byte may reach the text.
 */
void test_decode_args_hostile(void)
{
	struct flap_fdnames *f = NULL;
	unsigned int seed = 12345;
	struct cev c;
	int i, k, n = flap_syscall__count();
	size_t j;
	char *s;

	if (!ASSERT_OK(flap_fdnames__new(&f), "new"))
		return;
	for (i = 0; i < 20000; i++) {
		const struct flap_syscall *sc = flap_syscall__at(rand_r(&seed) % n);
		__u64 v[6];

		for (k = 0; k < 6; k++)
			v[k] = rand_r(&seed) % 4 ? (__u64)(rand_r(&seed) % 70) - 3
						 : (__u64)rand_r(&seed) << 33 | rand_r(&seed);
		cev_init(&c, sc->name,
			 rand_r(&seed) % 3 ? rand_r(&seed) % 50 : -(rand_r(&seed) % 600), sc->nargs,
			 v[0], v[1], v[2], v[3], v[4], v[5]);
		c.ev.tgid = c.ev.tid = 1 + rand_r(&seed) % 4;
		c.ev.flags =
			rand_r(&seed) % 8 ? c.ev.flags : FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED;
		for (k = 0; k < FLAP_EV_MAX_CAPS && rand_r(&seed) % 3; k++) {
			size_t len = rand_r(&seed) % 2 ? rand_r(&seed) % 24 : rand_r(&seed) % 2048;
			__u8 bytes[2048];

			for (j = 0; j < len; j++)
				bytes[j] =
					rand_r(&seed) % 4 ? rand_r(&seed) % 256 : rand_r(&seed) % 4;
			cap(&c, rand_r(&seed) % 6, rand_r(&seed) % 8, bytes, len);
		}
		s = decode(&c.ev, f);
		if (!ASSERT_OK_PTR(s, sc->name))
			break;
		for (j = 0; s[j]; j++)
			if (!ASSERT_TRUE(s[j] >= ' ' && s[j] < 0x7f, sc->name))
				break;
		free(s);
	}
	flap_fdnames__free(f);
}
