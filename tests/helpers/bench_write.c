// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_write.c - benchmark workload: write(devnull, buf, i % 65536) for
 * i = 0 .. N-1. The length is a sequence number, so a recorded history can
 * be checked for gaps; the recorder copies a prefix of each buffer. Prints
 * the mean ns per write on stdout.
 *
 * Usage: bench_write N
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEQ_MOD 65536

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;
	static char buf[SEQ_MOD];
	double t0, t1;
	int fd;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_write N\n");
		return 2;
	}
	fd = open("/dev/null", O_WRONLY);
	if (fd < 0) {
		perror("/dev/null");
		return 1;
	}
	/* Touch the buffer: the recorder must not find unmapped pages. */
	memset(buf, 'w', sizeof(buf));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (write(fd, buf, i % SEQ_MOD) < 0) {
			perror("write");
			return 1;
		}
	}
	t1 = now_ns();
	close(fd);
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
}
