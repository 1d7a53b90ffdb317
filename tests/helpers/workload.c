// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * workload.c - a long-running process with recognisable syscalls:
 *   workload TAG COUNT INTERVAL_MS
 * every interval: openat(AT_FDCWD, "/flap/TAG-<i>", O_RDONLY) = ENOENT and
 * write(devnull, "TAG <i>", ...), COUNT times (0 = until killed). It
 * prints "ready" on stdout once started.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *tag = argc > 1 ? argv[1] : "work";
	long count = argc > 2 ? atol(argv[2]) : 0;
	long ms = argc > 3 ? atol(argv[3]) : 100;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	char path[256], msg[256];
	int fd = open("/dev/null", O_WRONLY);
	long i;

	printf("ready\n");
	fflush(stdout);
	for (i = 0; count == 0 || i < count; i++) {
		snprintf(path, sizeof(path), "/flap/%s-%ld", tag, i);
		snprintf(msg, sizeof(msg), "%s %ld", tag, i);
		syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		syscall(SYS_write, fd, msg, strlen(msg));
		nanosleep(&ts, NULL);
	}
	return 0;
}
