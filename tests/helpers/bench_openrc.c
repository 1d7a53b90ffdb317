// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_openrc.c - benchmark workload: N iterations of open + read (64
 * bytes) + close of a small file, the string-and-buffer mix the recorder
 * captures. Prints the mean ns per iteration (three syscalls) on stdout.
 *
 * Usage: bench_openrc N PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int one(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf)) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[1]) : 0, i;
	double t0, t1;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_openrc N PATH\n");
		return 2;
	}
	for (i = 0; i < n / 20; i++)
		one(argv[2]);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (one(argv[2]) < 0) {
			perror(argv[2]);
			return 1;
		}
	}
	t1 = now_ns();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
}
