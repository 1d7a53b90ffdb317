// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * filewait.c - benchmark helper: the moment a file appears in a directory.
 * Watches DIR with inotify for a file renamed or created into it whose name
 * ends in SUFFIX, prints "ready" once the watch is in place, then prints the
 * CLOCK_REALTIME ns at which the event arrived and the file's name. Used by
 * crash_latency.sh: a file's ctime comes from the kernel's coarse clock
 * (up to a tick behind), too coarse to time a dump that appears within
 * milliseconds.
 *
 * Usage: filewait DIR SUFFIX TIMEOUT_MS
 * Exit: 0 found, 1 timeout, 2 usage or error.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int main(int argc, char **argv)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	struct pollfd pfd;
	struct timespec ts;
	int fd, timeout;
	ssize_t len;
	char *p;

	if (argc != 4) {
		fprintf(stderr, "usage: filewait DIR SUFFIX TIMEOUT_MS\n");
		return 2;
	}
	timeout = atoi(argv[3]);
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, argv[1], IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		fprintf(stderr, "filewait: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, timeout) <= 0)
			return 1;
		clock_gettime(CLOCK_REALTIME, &ts);
		len = read(fd, buf, sizeof(buf));
		if (len <= 0)
			return 2;
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len && ends_with(ev->name, argv[2])) {
				printf("%lld %s\n",
				       (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, ev->name);
				return 0;
			}
		}
	}
}
