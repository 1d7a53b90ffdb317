// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * decode_workload.c - a fixed sequence of system calls whose decoded form
 * is compared with strace's (tests/e2e/decode.sh):
 *
 *   decode_workload DIR PORT
 *
 * DIR is an empty directory (absolute path) it may write into, PORT a free
 * TCP/UDP port on 127.0.0.1. Between the marker calls
 * openat(AT_FDCWD, "/flap-decode/begin", O_RDONLY) = ENOENT and
 * openat(AT_FDCWD, "/flap-decode/end", O_RDONLY) = ENOENT it opens files
 * with various flags, reads and writes them (plain, vectored, positioned),
 * stats them, maps memory, plays with fds (fcntl, dup, pipes, an ioctl on a
 * file), signals, unix and IPv4/IPv6 sockets, a child (fork + wait4), polls
 * and epoll. Then it re-executes itself with a known argv; the new image
 * makes the marker call "/flap-decode/stage2" and exits 0.
 *
 * Every call is made once, in this order, with fixed arguments, so two runs
 * decode to the same lines apart from pids, addresses, inode numbers and the
 * ephemeral port of accepted TCP connections. The bytes it writes to
 * DIR/data (17) and reads from it (104) are fixed too (see files()); the
 * test checks them against `dump --files`.
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/openat2.h>
#include <netinet/in.h>

static char path_buf[4][512];

static const char *in_dir(int slot, const char *dir, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", dir, name);
	return path_buf[slot];
}

static void mark(const char *what)
{
	char p[64];

	snprintf(p, sizeof(p), "/flap-decode/%s", what);
	syscall(SYS_openat, AT_FDCWD, p, O_RDONLY);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* A shared read-only mapping of the file @fd (102 bytes long). */
static void mmap_file(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/* Writes 6 + 9 + 2 bytes to DIR/data; reads 64 + 38 + 2 bytes back. */
static void files(const char *dir)
{
	struct iovec wv[2] = {{"abc", 3}, {"defgh\n", 6}};
	char buf[256], small[3], big[200];
	struct iovec rv[2] = {{small, sizeof(small)}, {big, sizeof(big)}};
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	struct termios tio;
	struct statx stx;
	struct stat st;
	int fd, dfd, fd2;

	fd = open(in_dir(0, dir, "data"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	write(fd, "hello\n", 6);
	writev(fd, wv, 2);
	pwrite(fd, "XY", 2, 100);
	fsync(fd);
	close(fd);

	fd = syscall(SYS_open, in_dir(0, dir, "data"), O_RDWR | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	read(fd, buf, 64);
	readv(fd, rv, 2);
	pread(fd, buf, 2, 100);
	syscall(SYS_fstat, fd, &st);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fcntl(fd, F_GETFD);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fd2 = fcntl(fd, F_DUPFD, 10);
	close(fd2);
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	close(fd2);
	ioctl(fd, TCGETS, &tio);
	fd2 = dup(fd);
	close(fd2);
	dup2(fd, 30);
	dup3(fd, 31, O_CLOEXEC);
	close(30);
	close(31);
	mmap_file(fd);
	close(fd);

	syscall(SYS_stat, in_dir(0, dir, "data"), &st);
	syscall(SYS_lstat, in_dir(0, dir, "data"), &st);
	stat(in_dir(1, dir, "missing"), &st);
	statx(AT_FDCWD, in_dir(0, dir, "data"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx);
	syscall(SYS_access, in_dir(0, dir, "data"), R_OK | W_OK);
	syscall(SYS_access, in_dir(1, dir, "missing"), F_OK);

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = openat(dfd, "data", O_RDONLY | O_NOFOLLOW);
	fstatat(dfd, "data", &st, AT_SYMLINK_NOFOLLOW);
	unlinkat(dfd, "gone", 0);
	mkdirat(dfd, "sub", 0755);
	unlinkat(dfd, "sub", AT_REMOVEDIR);
	close(fd);
	fd = syscall(SYS_openat2, AT_FDCWD, in_dir(0, dir, "data"), &how, sizeof(how));
	close(fd);
	close(dfd);
}

static void memory(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	mprotect(p, 4096, PROT_READ);
	madvise(p, 8192, MADV_DONTNEED);
	munmap(p, 8192);
	mmap((void *)-1, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void fds(void)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 7};
	struct epoll_event out[4];
	struct pollfd pfd[2];
	int p[2], q[2], ep;
	char buf[16];

	pipe2(p, O_CLOEXEC);
	syscall(SYS_pipe, q);
	pfd[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = q[1], .events = POLLOUT};
	poll(pfd, 1, 0);
	write(p[1], "ping", 4);
	poll(pfd, 2, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	epoll_wait(ep, out, 4, 0);
	read(p[0], buf, sizeof(buf));
	dup2(p[0], 40);
	close(40);
	close(ep);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void signals(void)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART}, old;
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static socklen_t un_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1;
}

static void unix_sockets(const char *dir)
{
	struct sockaddr_un sa, peer;
	socklen_t len, plen;
	int l, c, a;
	char buf[16];

	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	len = un_addr(&sa, in_dir(2, dir, "sock"));
	bind(l, (struct sockaddr *)&sa, len);
	listen(l, 4);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&sa, len);
	plen = sizeof(peer);
	a = accept4(l, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	sendto(c, "hi", 2, MSG_NOSIGNAL, NULL, 0);
	recvfrom(a, buf, sizeof(buf), 0, NULL, NULL);
	close(a);
	close(c);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = un_addr(&sa, in_dir(2, dir, "nobody"));
	connect(c, (struct sockaddr *)&sa, len);
	close(c);
	close(l);
}

static void inet_sockets(int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)}, peer;
	struct sockaddr_in6 six = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	socklen_t plen = sizeof(peer);
	int l, c, a, u;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	six.sin6_addr = in6addr_loopback;
	l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&sin, sizeof(sin));
	listen(l, 4);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	connect(c, (struct sockaddr *)&sin, sizeof(sin));
	a = accept(l, (struct sockaddr *)&peer, &plen);
	write(c, "tcp", 3);
	/* The client closes first: its port, not PORT, waits in TIME_WAIT, so
	 * the next run can bind PORT again. */
	close(c);
	close(a);
	close(l);
	u = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(u, "dgram", 5, 0, (struct sockaddr *)&sin, sizeof(sin));
	close(u);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&six, sizeof(six));
	close(c);
}

static void processes(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};
	int status;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_GET_DUMPABLE);
	pid = fork();
	if (pid == 0) {
		syscall(SYS_getppid);
		_exit(7);
	}
	wait4(pid, &status, 0, NULL);
	wait4(-1, &status, WNOHANG, NULL);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

int main(int argc, char **argv)
{
	char *args[] = {argv[0], "stage2", "a b", "tab\there", NULL};
	int port;

	if (argc >= 2 && strcmp(argv[1], "stage2") == 0) {
		mark("stage2");
		return 0;
	}
	if (argc != 3 || argv[1][0] != '/') {
		fprintf(stderr, "usage: decode_workload DIR PORT\n");
		return 2;
	}
	port = atoi(argv[2]);
	mark("begin");
	files(argv[1]);
	memory();
	fds();
	signals();
	unix_sockets(argv[1]);
	inet_sockets(port);
	processes();
	mark("end");
	execv("/proc/self/exe", args);
	return 1;
}
