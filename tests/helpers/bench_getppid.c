// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench_getppid.c - benchmark workload: N raw getppid() system calls (the
 * cheapest syscall that is never cached by libc), after a short untimed
 * warm-up. Prints the mean ns per call (CLOCK_MONOTONIC) on stdout.
 *
 * Usage: bench_getppid N
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;
	double t0, t1;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_getppid N\n");
		return 2;
	}
	for (i = 0; i < n / 20; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
}
