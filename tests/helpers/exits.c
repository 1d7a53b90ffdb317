// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exits.c - a burst of process exits for the loss tests:
 *   exits N
 * makes N children one after another, each exiting 0 at once, and waits
 * for each: N clean exits in its cgroup, as fast as the kernel makes them
 * (vfork: no memory copied). Exits 1 if a child could not be made.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	volatile long i; /* vfork: the child shares the frame */
	int status;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = vfork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return 1;
	}
	return 0;
}
