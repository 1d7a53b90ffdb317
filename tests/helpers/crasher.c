// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * crasher.c - a workload that makes a known sequence of syscalls and then
 * ends the way it is told to, for the crash tests and the demo:
 *   crasher segv [TAG]       openat a missing /flap/<TAG> path, write, then NULL deref
 *   crasher abort [TAG]      ... then abort()
 *   crasher exit N [TAG]     ... then exit(N)
 *   crasher child-segv [TAG] a child does the sequence and segfaults; the parent
 *                            waits for it and exits 0
 * The last syscalls before the end are: openat(AT_FDCWD, "/flap/TAG", O_RDONLY)
 * = ENOENT, write(devnull, "about to TAG", ...), getppid().
 */
#include <fcntl.h>
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

static void segv(void)
{
	stamp();
	/* The pointer itself is volatile: the compiler must really store. */
	volatile int *volatile p = NULL;

	*p = 42;
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
	known_calls(tag);
	if (strcmp(mode, "abort") == 0)
		abort();
	segv();
	return 0;
}
