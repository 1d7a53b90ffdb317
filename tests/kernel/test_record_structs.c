// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_record_structs.c - the structured captures of the recorder against
 * the real kernel: a child in a fresh cgroup makes calls whose struct and
 * array arguments are known (sockaddrs in and out, struct stat/statx
 * results, iovecs both ways, open_how, sigaction, pipe fds, a wait status,
 * pollfds and epoll events, execve's argv and envp, the large structures
 * of uname, sysinfo, statfs and fstatfs, an address length given and
 * returned), and the recorded bytes must be exactly those (what the child
 * saw, kept in shared memory); a call that fails leaves its output struct
 * out.
 * Then the in-kernel syscall filter: a recorder for {openat, getppid}
 * records only those, and a negated set records everything but them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <netinet/in.h>

#include "flap.h"
#include "registry.h"
#include "sysset.h"
#include "test.h"
#include "testutil.h"

static char dir[64];

/* What the child's calls returned, for the checks (shared with the child). */
struct seen {
	struct utsname uts;
	struct sysinfo si;
	struct statfs sf, fsf;
	int cut_len; /* the long argv string's length */
};
static struct seen *seen;

struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static int struct_calls(void *arg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_storage peer;
	cpu_set_t cpu;
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	struct kernel_sigaction act = {.handler = on_usr1, .flags = SA_RESTART, .mask = 1 << 9};
	struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = 0x1122334455667788ULL}, out[2];
	/* The strings on the stack: a string literal may sit on a page of the
	 * binary this child never touched, which the recorder cannot read
	 * (no page fault in BPF), so the capture would depend on the layout. */
	char a0[] = "flap-argv0", a1[] = "two", a2[] = "", a3[] = "4th arg", a4[300], a5[] = "6";
	char path[200], small[4], big[16], *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
	char *envp[] = {"A=1", "B=2", "C=3", NULL};
	struct iovec wv[3] = {{"ab", 2}, {"cdefg", 5}, {"h", 1}};
	struct iovec rv[2] = {{small, sizeof(small)}, {big, sizeof(big)}};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct pollfd pfd[2];
	socklen_t plen = sizeof(peer);
	int fd, l, c, p[2], status;
	struct statx stx;
	struct stat st;
	pid_t pid;

	(void)arg;
	/* One CPU: every exit pairs with its entry in place, so the lengths
	 * read at entry are there. */
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	memset(a4, 'x', sizeof(a4) - 1);
	a4[sizeof(a4) - 1] = 0;
	seen->cut_len = sizeof(a4) - 1;
	syscall(SYS_uname, &seen->uts);
	syscall(SYS_sysinfo, &seen->si);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	syscall(SYS_writev, fd, wv, 3);
	lseek(fd, 0, SEEK_SET);
	syscall(SYS_readv, fd, rv, 2);
	syscall(SYS_fstat, fd, &st);
	syscall(SYS_statfs, dir, &seen->sf);
	syscall(SYS_fstatfs, fd, &seen->fsf);
	syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0);
	syscall(SYS_newfstatat, AT_FDCWD, "/nonexistent/flap", &st, 0);
	syscall(SYS_statx, AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx);
	syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 8);
	syscall(SYS_pipe2, p, O_CLOEXEC);
	pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
	syscall(SYS_poll, pfd, 2, 0);
	l = epoll_create1(0);
	syscall(SYS_epoll_ctl, l, EPOLL_CTL_ADD, p[1], &ev);
	syscall(SYS_epoll_wait, l, out, 2, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	/* Not connected: fails, and strace shows the length given. */
	plen = sizeof(sun);
	syscall(SYS_getpeername, c, &sun, &plen);
	syscall(SYS_connect, c, &sun,
		offsetof(struct sockaddr_un, sun_path) + strlen(sun.sun_path));
	/* Port 0: the kernel picks one; nonblocking, so nothing can hang. */
	l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	syscall(SYS_bind, l, &sin, sizeof(sin));
	listen(l, 1);
	plen = sizeof(sin);
	getsockname(l, (struct sockaddr *)&sin, &plen);
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sin, sizeof(sin));
	plen = sizeof(peer);
	/*
	 * connect() returns once the SYN-ACK is in; the final ACK that queues
	 * the connection on l may still be in a softirq on the other CPU (seen
	 * under qemu TCG). Wait for it so the nonblocking accept succeeds.
	 */
	pfd[0] = (struct pollfd){.fd = l, .events = POLLIN};
	poll(pfd, 1, 5000);
	syscall(SYS_accept, l, &peer, &plen);
	syscall(SYS_sendto, socket(AF_INET, SOCK_DGRAM, 0), "x", 1, 0, &sin, sizeof(sin));

	pid = fork();
	if (pid == 0)
		_exit(5);
	syscall(SYS_wait4, pid, &status, 0, NULL);

	/*
	 * A blocking accept: the process that connects (the same CPU, the same
	 * cgroup) enters its calls while the accept waits and spills it from
	 * the pending slot; its length at entry then goes with the ENTER
	 * record. (Had the connection come first, the accept pairs in place:
	 * the same capture either way.)
	 */
	l = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = 0;
	syscall(SYS_bind, l, &sin, sizeof(sin));
	listen(l, 1);
	plen = sizeof(sin);
	getsockname(l, (struct sockaddr *)&sin, &plen);
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		c = socket(AF_INET, SOCK_STREAM, 0);
		connect(c, (struct sockaddr *)&sin, sizeof(sin));
		_exit(0);
	}
	plen = sizeof(peer);
	syscall(SYS_accept, l, &peer, &plen);
	waitpid(pid, NULL, 0);
	syscall(SYS_execve, "/nonexistent/flap-exec", argv, envp);
	return 0;
}

/* The capture of argument @arg of @ev, or NULL. */
static const struct flap_cap *cap_of(const struct flap_event *ev, int arg)
{
	int i;

	for (i = 0; i < ev->ncaps; i++)
		if (ev->caps[i].arg == arg)
			return &ev->caps[i];
	return NULL;
}

/* Event of the child with syscall @nr, the @n-th (from 0) after @from. */
static const struct flap_event *nth(const struct flap_trace *t, pid_t pid, long nr, int n)
{
	long i = -1;

	do
		i = test_find_event(t, i + 1, pid, nr);
	while (i >= 0 && n-- > 0);
	return i >= 0 ? &t->events[i] : NULL;
}

static void check_iovecs(const struct flap_trace *t, pid_t pid)
{
	const struct flap_event *ev;
	const struct flap_cap *c;
	struct flap_iov_cap ic;

	ev = nth(t, pid, SYS_writev, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (!ASSERT_OK_PTR(c, "writev iovecs captured"))
		return;
	/* {2, "ab"}, {5, "cdefg"}, {1, "h"}: 3 * 12 header bytes + 8 data bytes */
	ASSERT_EQ(c->len, 3 * sizeof(ic) + 8, "writev capture length");
	memcpy(&ic, c->data + 12 + 2, sizeof(ic));
	ASSERT_EQ(ic.len_lo, 5, "second iov_len");
	ASSERT_EQ(ic.kept, 5, "second kept");
	ASSERT_MEMEQ(c->data + 12 + 2 + 12, "cdefg", 5, "second data");
	ASSERT_FALSE(c->flags & FLAP_EVCAP_F_TRUNC, "writev whole");

	/* readv of 8 bytes into {4}, {16}: the data the call gave each iovec */
	ev = nth(t, pid, SYS_readv, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (!ASSERT_OK_PTR(c, "readv iovecs captured"))
		return;
	ASSERT_EQ(ev->ret, 8, "readv ret");
	ASSERT_EQ(c->len, 2 * sizeof(ic) + 8, "readv capture length");
	memcpy(&ic, c->data, sizeof(ic));
	ASSERT_EQ(ic.len_lo, 4, "first iov_len");
	ASSERT_MEMEQ(c->data + 12, "abcd", 4, "first data");
	memcpy(&ic, c->data + 16, sizeof(ic));
	ASSERT_EQ(ic.len_lo, 16, "second iov_len (as given)");
	ASSERT_EQ(ic.kept, 4, "second: what the call filled");
	ASSERT_MEMEQ(c->data + 28, "efgh", 4, "second data");
}

static void check_stats(const struct flap_trace *t, pid_t pid)
{
	const struct flap_event *ev;
	const struct flap_cap *c;
	struct statx stx;
	struct stat st;

	ev = nth(t, pid, SYS_fstat, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (!ASSERT_OK_PTR(c, "fstat stat captured"))
		return;
	ASSERT_EQ(c->len, 64, "struct stat prefix");
	memset(&st, 0, sizeof(st));
	memcpy(&st, c->data, c->len);
	ASSERT_EQ(st.st_size, 8, "st_size");
	ASSERT_EQ(st.st_mode, S_IFREG | 0600, "st_mode");
	ev = nth(t, pid, SYS_newfstatat, 0);
	ASSERT_TRUE(ev && cap_of(ev, 2), "newfstatat stat captured");
	ev = nth(t, pid, SYS_newfstatat, 1);
	if (ASSERT_OK_PTR(ev, "failed newfstatat"))
		ASSERT_TRUE(ev->ret == -ENOENT && !cap_of(ev, 2), "no struct of a failed call");
	ev = nth(t, pid, SYS_statx, 0);
	c = ev ? cap_of(ev, 4) : NULL;
	if (!ASSERT_OK_PTR(c, "statx captured"))
		return;
	memset(&stx, 0, sizeof(stx));
	memcpy(&stx, c->data, c->len);
	ASSERT_EQ(stx.stx_size, 8, "stx_size");
	ASSERT_EQ(stx.stx_mode, S_IFREG | 0600, "stx_mode");
}

static void check_structs(const struct flap_trace *t, pid_t pid)
{
	const struct flap_event *ev;
	const struct flap_cap *c;
	struct kernel_sigaction act;
	struct epoll_event ee;
	struct open_how how;
	struct pollfd pfd[2];
	int fds[2];

	ev = nth(t, pid, SYS_openat2, 0);
	c = ev ? cap_of(ev, 2) : NULL;
	if (ASSERT_OK_PTR(c, "open_how") && ASSERT_EQ(c->len, sizeof(how), "open_how size")) {
		memcpy(&how, c->data, sizeof(how));
		ASSERT_EQ(how.flags, O_RDONLY | O_CLOEXEC, "how.flags");
		ASSERT_EQ(how.resolve, RESOLVE_NO_SYMLINKS, "how.resolve");
	}
	ev = nth(t, pid, SYS_rt_sigaction, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "sigaction") && ASSERT_EQ(c->len, sizeof(act), "sigaction size")) {
		memcpy(&act, c->data, sizeof(act));
		ASSERT_EQ((long)act.handler, (long)on_usr1, "sa_handler");
		ASSERT_EQ(act.flags, SA_RESTART, "sa_flags");
		ASSERT_EQ(act.mask, 1 << 9, "sa_mask");
	}
	ASSERT_TRUE(ev && !cap_of(ev, 2), "NULL oact not captured");
	ev = nth(t, pid, SYS_pipe2, 0);
	c = ev ? cap_of(ev, 0) : NULL;
	if (ASSERT_OK_PTR(c, "pipe2 fds") && ASSERT_EQ(c->len, 24, "two ints, two inodes")) {
		memcpy(fds, c->data, 8);
		ASSERT_EQ(fds[1], fds[0] + 1, "pipe fds");
	}
	ev = nth(t, pid, SYS_poll, 0);
	c = ev ? cap_of(ev, 0) : NULL;
	if (ASSERT_OK_PTR(c, "pollfds") && ASSERT_EQ(c->len, sizeof(pfd), "2 pollfds")) {
		memcpy(pfd, c->data, sizeof(pfd));
		ASSERT_EQ(pfd[1].events, POLLOUT, "events");
		ASSERT_EQ(pfd[1].revents, POLLOUT, "revents at exit");
	}
	ev = nth(t, pid, SYS_epoll_ctl, 0);
	c = ev ? cap_of(ev, 3) : NULL;
	if (ASSERT_OK_PTR(c, "epoll_event") && ASSERT_EQ(c->len, sizeof(ee), "epoll_event size")) {
		memcpy(&ee, c->data, sizeof(ee));
		ASSERT_EQ(ee.data.u64, 0x1122334455667788ULL, "epoll data");
	}
	ev = nth(t, pid, SYS_epoll_wait, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "epoll_wait events") && ASSERT_EQ(ev->ret, 1, "one event"))
		ASSERT_EQ(c->len, sizeof(ee), "ret events kept");
	ev = nth(t, pid, SYS_wait4, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "wait status") && ASSERT_EQ(c->len, 4, "int")) {
		int status;

		memcpy(&status, c->data, sizeof(status)); /* not aligned */
		ASSERT_EQ(status, 5 << 8, "exit status 5");
	}
}

static void check_sockaddrs(const struct flap_trace *t, pid_t pid)
{
	const struct flap_event *ev;
	const struct flap_cap *c;
	struct sockaddr_un sun;
	struct sockaddr_in sin;
	__u32 len;

	ev = nth(t, pid, SYS_connect, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "unix sockaddr")) {
		memset(&sun, 0, sizeof(sun));
		memcpy(&sun, c->data, c->len < sizeof(sun) ? c->len : sizeof(sun));
		ASSERT_EQ(sun.sun_family, AF_UNIX, "family");
		ASSERT_TRUE(strstr(sun.sun_path, "/sock") != NULL, "sun_path");
	}
	ev = nth(t, pid, SYS_bind, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "inet sockaddr") && ASSERT_EQ(c->len, sizeof(sin), "sin size")) {
		memcpy(&sin, c->data, sizeof(sin));
		ASSERT_EQ(sin.sin_port, 0, "port 0");
		ASSERT_EQ(ntohl(sin.sin_addr.s_addr), INADDR_LOOPBACK, "addr");
	}
	/* accept: the length given at entry, the length the kernel stored,
	 * then the peer address (strace's [128 => 16]) */
	ev = nth(t, pid, SYS_accept, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ev)
		ASSERT_GE(ev->ret, 0, "accept succeeded");
	if (ASSERT_OK_PTR(c, "accepted peer") && ASSERT_EQ(c->len, 8 + sizeof(sin), "lens + sin")) {
		ASSERT_TRUE(c->flags & FLAP_EVCAP_F_INLEN, "length at entry kept");
		memcpy(&len, c->data, 4);
		ASSERT_EQ(len, sizeof(struct sockaddr_storage), "length given");
		memcpy(&len, c->data + 4, 4);
		memcpy(&sin, c->data + 8, sizeof(sin));
		ASSERT_EQ(len, sizeof(sin), "returned length");
		ASSERT_EQ(sin.sin_family, AF_INET, "peer family");
	}
	/* the blocking one, spilled or not: the same */
	ev = nth(t, pid, SYS_accept, 1);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ev)
		ASSERT_GE(ev->ret, 0, "blocking accept succeeded");
	if (ASSERT_OK_PTR(c, "blocking accept's peer") &&
	    ASSERT_EQ(c->len, 8 + sizeof(sin), "blocking: lens + sin")) {
		ASSERT_TRUE(c->flags & FLAP_EVCAP_F_INLEN, "blocking: length at entry kept");
		memcpy(&len, c->data, 4);
		ASSERT_EQ(len, sizeof(struct sockaddr_storage), "blocking: length given");
		memcpy(&len, c->data + 4, 4);
		ASSERT_EQ(len, sizeof(sin), "blocking: returned length");
	}
	/* a failed getpeername: the length given only */
	ev = nth(t, pid, SYS_getpeername, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ev)
		ASSERT_EQ(ev->ret, -ENOTCONN, "getpeername ENOTCONN");
	if (ASSERT_OK_PTR(c, "failed getpeername's length") &&
	    ASSERT_EQ(c->len, 4, "the length given only")) {
		ASSERT_TRUE(c->flags & FLAP_EVCAP_F_INLEN, "length at entry");
		memcpy(&len, c->data, 4);
		ASSERT_EQ(len, sizeof(struct sockaddr_un), "sizeof(sun)");
	}
	ev = nth(t, pid, SYS_getsockname, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "getsockname") && ASSERT_EQ(c->len, 8 + sizeof(sin), "lens + sin")) {
		memcpy(&len, c->data, 4);
		ASSERT_EQ(len, sizeof(sin), "given 16");
		memcpy(&len, c->data + 4, 4);
		ASSERT_EQ(len, sizeof(sin), "16 => 16");
	}
	ev = nth(t, pid, SYS_sendto, 0);
	ASSERT_TRUE(ev && cap_of(ev, 1) && cap_of(ev, 4), "sendto buffer and address");
}

/* Large structures: the bytes the recorder keeps are what the child saw. */
static void check_large(const struct flap_trace *t, pid_t pid)
{
	const struct flap_event *ev;
	const struct flap_cap *c;

	ev = nth(t, pid, SYS_uname, 0);
	c = ev ? cap_of(ev, 0) : NULL;
	if (ASSERT_OK_PTR(c, "utsname") && ASSERT_EQ(c->len, 130, "sysname, nodename")) {
		ASSERT_STREQ((const char *)c->data, seen->uts.sysname, "sysname");
		ASSERT_STREQ((const char *)c->data + 65, seen->uts.nodename, "nodename");
	}
	ev = nth(t, pid, SYS_sysinfo, 0);
	c = ev ? cap_of(ev, 0) : NULL;
	if (ASSERT_OK_PTR(c, "sysinfo") && ASSERT_EQ(c->len, 108, "up to mem_unit")) {
		ASSERT_MEMEQ(c->data, &seen->si, 108, "struct sysinfo as seen");
		ASSERT_GT(seen->si.totalram, 0, "totalram");
	}
	ev = nth(t, pid, SYS_statfs, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "statfs") && ASSERT_EQ(c->len, 88, "up to f_flags")) {
		ASSERT_MEMEQ(c->data, &seen->sf, 88, "struct statfs as seen");
		ASSERT_NEQ(seen->sf.f_type, 0, "f_type");
	}
	ev = nth(t, pid, SYS_fstatfs, 0);
	c = ev ? cap_of(ev, 1) : NULL;
	if (ASSERT_OK_PTR(c, "fstatfs") && ASSERT_EQ(c->len, 88, "fstatfs up to f_flags"))
		ASSERT_MEMEQ(c->data, &seen->fsf, 88, "fstatfs as seen");
}

/* The next argv string of capture @c at *@pos: its length | FLAP_ARGV_CUT. */
static int argv_next(const struct flap_cap *c, size_t *pos, const char **s)
{
	__u16 hdr;

	if (*pos + 2 > c->len)
		return -1;
	memcpy(&hdr, c->data + *pos, 2);
	*s = (const char *)c->data + *pos + 2;
	*pos += 2 + (hdr & ~FLAP_ARGV_CUT);
	return hdr;
}

static void check_execve(const struct flap_trace *t, pid_t pid)
{
	static const char *const want[] = {"flap-argv0", "two", "", "4th arg"};
	const struct flap_event *ev = nth(t, pid, SYS_execve, 0);
	const struct flap_cap *c;
	const char *s = "";
	size_t pos = 0;
	int i, h;

	if (!ASSERT_OK_PTR(ev, "execve"))
		return;
	ASSERT_EQ(ev->ret, -ENOENT, "execve ENOENT");
	c = cap_of(ev, 1);
	if (ASSERT_OK_PTR(c, "argv")) {
		/* each string cut at the string size on its own (strace -s) */
		ASSERT_TRUE(c->flags & FLAP_EVCAP_F_EACH, "argv strings one by one");
		for (i = 0; i < 4; i++) {
			h = argv_next(c, &pos, &s);
			ASSERT_EQ(h, (int)strlen(want[i]), want[i]);
			if (h >= 0)
				ASSERT_MEMEQ(s, want[i], strlen(want[i]), want[i]);
		}
		h = argv_next(c, &pos, &s);
		ASSERT_GT(seen->cut_len, FLAP_STR_DEFAULT, "a string longer than the size");
		ASSERT_EQ(h, FLAP_STR_DEFAULT | FLAP_ARGV_CUT,
			  "long string cut at the string size");
		ASSERT_TRUE(h > 0 && s[0] == 'x' && s[FLAP_STR_DEFAULT - 1] == 'x', "its bytes");
		h = argv_next(c, &pos, &s);
		ASSERT_TRUE(h == 1 && s[0] == '6', "the string after the cut one");
		ASSERT_EQ(pos, c->len, "argv bytes");
		ASSERT_FALSE(c->flags & FLAP_EVCAP_F_TRUNC, "argv whole");
	}
	c = cap_of(ev, 2);
	if (ASSERT_OK_PTR(c, "envp") && ASSERT_EQ(c->len, 4, "envp count")) {
		__u32 n;

		/* Captured bytes are not aligned in the trace: no *(__u32 *). */
		memcpy(&n, c->data, sizeof(n));
		ASSERT_EQ(n, 3, "3 variables");
	}
}

void test_record_structs(void)
{
	struct flap_registry *reg = NULL;
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	int err, status;

	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ASSERT_TRUE(seen != MAP_FAILED, "shared memory"))
		return;
	snprintf(dir, sizeof(dir), "/tmp/flap-structs-%d", (int)getpid());
	if (!ASSERT_OK(mkdir(dir, 0700), "mkdir"))
		return;
	err = test_cgroup_make("structs", &cg);
	if (!ASSERT_OK(err, "cgroup"))
		goto out;
	err = flap_registry__new(NULL, &reg);
	if (!ASSERT_OK(err, "registry"))
		goto out;
	err = flap_registry__add(reg, cg.id, NULL, &rec);
	if (!ASSERT_OK(err, "add"))
		goto out;
	err = test_child_start(&cg, struct_calls, NULL, &child);
	if (!ASSERT_OK(err, "child"))
		goto out;
	test_child_go(&child);
	status = test_child_wait(&child);
	ASSERT_TRUE(WIFEXITED(status), "child exited");
	err = flap_recorder__read(rec, &t);
	if (!ASSERT_OK(err, "read"))
		goto out;
	if (test__verbose())
		test_dump_trace(t, 80);
	check_iovecs(t, child.pid);
	check_stats(t, child.pid);
	check_structs(t, child.pid);
	check_sockaddrs(t, child.pid);
	check_execve(t, child.pid);
	check_large(t, child.pid);
	ASSERT_EQ(t->total.torn, 0, "no torn block");
out:
	flap_trace__free(t);
	flap_registry__free(reg);
	test_cgroup_cleanup(&cg);
	unlink(strcat(strcpy((char[160]){0}, dir), "/f"));
	unlink(strcat(strcpy((char[160]){0}, dir), "/sock"));
	rmdir(dir);
	munmap(seen, sizeof(*seen));
}

static int filter_calls(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	syscall(SYS_getpid);
	syscall(SYS_openat, AT_FDCWD, "/nonexistent/flap-filter", O_RDONLY);
	syscall(SYS_getuid);
	syscall(SYS_getppid);
	syscall(SYS_exit_group, 3);
	return 0;
}

/* Runs filter_calls under a recorder with @set; returns the trace. */
static struct flap_trace *filtered_run(struct flap_registry *reg, const char *name, const char *set,
				       pid_t *pid)
{
	struct flap_recorder_opts o = {.filter = true, .buf_max = -1};
	struct flap_recorder *rec = NULL;
	struct flap_trace *t = NULL;
	struct test_cgroup cg = {};
	struct test_child child;
	char err[256];

	if (!ASSERT_OK(flap_sysset__parse(&o.syscalls, set, err, sizeof(err)), set))
		return NULL;
	if (!ASSERT_OK(test_cgroup_make(name, &cg), "cgroup"))
		return NULL;
	if (ASSERT_OK(flap_registry__add(reg, cg.id, &o, &rec), "add") &&
	    ASSERT_OK(test_child_start(&cg, filter_calls, NULL, &child), "child")) {
		test_child_go(&child);
		test_child_wait(&child);
		*pid = child.pid;
		ASSERT_OK(flap_recorder__read(rec, &t), "read");
		ASSERT_TRUE(flap_recorder__opts(rec)->filter, "filter kept in the opts");
	}
	if (rec)
		flap_registry__remove(reg, rec);
	test_cgroup_cleanup(&cg);
	return t;
}

void test_record_filter(void)
{
	struct flap_registry *reg = NULL;
	struct flap_trace *t;
	pid_t pid = 0;
	size_t i, n;

	if (!ASSERT_OK(flap_registry__new(NULL, &reg), "registry"))
		return;
	t = filtered_run(reg, "filter-in", "openat,getppid", &pid);
	if (t) {
		for (i = 0, n = 0; i < t->nevents; i++) {
			if (t->events[i].tid != (__u32)pid)
				continue;
			n++;
			ASSERT_TRUE(t->events[i].nr == SYS_openat || t->events[i].nr == SYS_getppid,
				    "only openat and getppid recorded");
		}
		ASSERT_EQ(n, 3, "getppid, openat, getppid");
		ASSERT_GE(test_find_event(t, 0, pid, SYS_openat), 0, "openat there");
		flap_trace__free(t);
	}
	t = filtered_run(reg, "filter-out", "!openat,getppid", &pid);
	if (t) {
		ASSERT_LT(test_find_event(t, 0, pid, SYS_openat), 0, "no openat");
		ASSERT_LT(test_find_event(t, 0, pid, SYS_getppid), 0, "no getppid");
		ASSERT_GE(test_find_event(t, 0, pid, SYS_getpid), 0, "getpid recorded");
		ASSERT_GE(test_find_event(t, 0, pid, SYS_getuid), 0, "getuid recorded");
		ASSERT_GE(test_find_event(t, 0, pid, SYS_exit_group), 0, "exit_group recorded");
		flap_trace__free(t);
	}
	flap_registry__free(reg);
}
