// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * crasher.c - a workload that makes a known sequence of syscalls and then
 * ends the way it is told to, for the crash tests and the demo:
 *   crasher segv [TAG]       openat a missing /flap/<TAG> path, write, then NULL deref
 *   crasher abort [TAG]      ... then abort()
 *   crasher exit N [TAG]     ... then exit(N)
 *   crasher child-segv [TAG] a child does the sequence and segfaults; the parent
 *                            waits for it and exits 0
 *   crasher wild [TAG]       ... then a store to the unmapped address 0xdead0000
 *   crasher pause [TAG]      ... then pause() until a signal ends it
 *   crasher hog [TAG]        ... then touches fresh memory, 1 MiB at a time, until the
 *                            OOM killer ends it (exits 4 after 4 GiB)
 *   crasher sigchld [TAG]    ... with a SIGCHLD handler, forks a child that exits 1
 *                            and waits for it: the handler runs as wait4 returns;
 *                            exits 0
 *   crasher deep [TAG]       ... then the NULL deref of segv, three calls deeper:
 *                            main, flapbar_deep3, flapbar_deep2 (a 256-byte buffer
 *                            on its stack), flapbar_deep1, flapbar_mid, flapbar_leaf
 * The last syscalls before the end are: openat(AT_FDCWD, "/flap/TAG", O_RDONLY)
 * = ENOENT, write(devnull, "about to TAG", ...), getppid(). The faults happen
 * in flapbar_leaf(), called by flapbar_mid(), called by main(): known
 * functions for the stack of a crash dump.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void known_calls(const char *tag)
{
	char path[256], msg[256];
	int fd;

	snprintf(path, sizeof(path), "/flap/%s", tag);
	snprintf(msg, sizeof(msg), "about to %s", tag);
	fd = open("/dev/null", O_WRONLY);
	syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
	syscall(SYS_write, fd, msg, strlen(msg));
	syscall(SYS_getppid);
}

/* With FLAP_CRASH_TS set, write the CLOCK_REALTIME ns of the fault there
 * first (the crash-latency benchmark measures from this moment). */
static void stamp(void)
{
	const char *path = getenv("FLAP_CRASH_TS");
	struct timespec ts;
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fclose(f);
}

/* Not inlined, not cloned (-O2 would make flapbar_mid.constprop.0 and
 * the like), so each function keeps its own name and frame. */
#ifdef __clang__
#define FLAPBAR __attribute__((noinline))
#else
#define FLAPBAR __attribute__((noipa))
#endif

/* Called first by the faulting function, so that a build with frame
 * pointers gives it a frame of its own (gcc sets up none in a leaf). */
FLAPBAR void flapbar_note(void);
FLAPBAR void flapbar_note(void)
{
	asm volatile("" ::: "memory");
}

/* The faulting function: a store through @p. Not inlined, not static: it
 * keeps its name in the symbol table and its frame on the stack. */
FLAPBAR void flapbar_leaf(volatile int *p);
FLAPBAR void flapbar_leaf(volatile int *p)
{
	flapbar_note();
	*p = 42;
	/* Keep the call a call, not a tail jump: the frame stays. */
	asm volatile("" ::: "memory");
}

FLAPBAR void flapbar_mid(unsigned long addr);
FLAPBAR void flapbar_mid(unsigned long addr)
{
	/* The pointer itself is volatile: the compiler must really store. */
	volatile int *volatile p = (volatile int *)addr;

	flapbar_leaf(p);
	asm volatile("" ::: "memory");
}

FLAPBAR void flapbar_deep1(unsigned long addr);
FLAPBAR void flapbar_deep1(unsigned long addr)
{
	flapbar_mid(addr);
	asm volatile("" ::: "memory");
}

/* An ordinary buffer on the stack, live across the call (its frame is
 * over 256 bytes: what a stack copy must hold to unwind past it). */
FLAPBAR int flapbar_deep2(unsigned long addr, const char *tag);
FLAPBAR int flapbar_deep2(unsigned long addr, const char *tag)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "deep %s", tag);
	flapbar_deep1(addr);
	asm volatile("" : : "r"(buf) : "memory");
	return n + buf[n / 2];
}

FLAPBAR int flapbar_deep3(unsigned long addr, const char *tag);
FLAPBAR int flapbar_deep3(unsigned long addr, const char *tag)
{
	int n = flapbar_deep2(addr, tag);

	asm volatile("" ::: "memory");
	return n;
}

static void segv(void)
{
	stamp();
	flapbar_mid(0);
}

static volatile sig_atomic_t chld_seen;

static void on_chld(int sig)
{
	(void)sig;
	chld_seen = 1;
}

/* A SIGCHLD handler runs when the child's exit is noticed: the parent's
 * wait4 returns its pid, and the handler's rt_sigreturn returns it again. */
static int sigchld(const char *tag)
{
	struct sigaction sa = {.sa_handler = on_chld};
	int status;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	known_calls(tag);
	pid = fork();
	if (pid == 0)
		_exit(1);
	waitpid(pid, &status, 0);
	return chld_seen && WIFEXITED(status) && WEXITSTATUS(status) == 1 ? 0 : 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "segv";
	const char *tag = argc > 2 ? argv[2] : mode;
	int status;
	pid_t pid;

	if (strcmp(mode, "exit") == 0) {
		int code = argc > 2 ? atoi(argv[2]) : 1;

		tag = argc > 3 ? argv[3] : "exit";
		known_calls(tag);
		exit(code);
	}
	if (strcmp(mode, "child-segv") == 0) {
		pid = fork();
		if (pid == 0) {
			known_calls(tag);
			segv();
		}
		waitpid(pid, &status, 0);
		return 0;
	}
	if (strcmp(mode, "sigchld") == 0)
		return sigchld(tag);
	known_calls(tag);
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "hog") == 0) {
		for (int i = 0; i < 4096; i++) {
			char *p = malloc(1 << 20);

			if (!p)
				return 5;
			memset(p, i, 1 << 20);
		}
		return 4;
	}
	if (strcmp(mode, "pause") == 0) {
		pause();
		return 3;
	}
	if (strcmp(mode, "deep") == 0) {
		stamp();
		/* A call, not a tail jump: main stays on the stack. */
		status = flapbar_deep3(0, tag);
		asm volatile("" ::: "memory");
		return status;
	}
	if (strcmp(mode, "wild") == 0) {
		stamp();
		flapbar_mid(0xdead0000UL);
	}
	segv();
	return 0;
}
