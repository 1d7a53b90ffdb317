// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * crashme.c - the demo workload: a small "service" that looks for its
 * config file, logs that it is missing, reads /etc/hostname, then uses the
 * config it never loaded and dies of SIGSEGV. The post-mortem dump shows
 * the failed open right before the crash: the kind of story flap-recorder
 * exists to tell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct config {
	char listen[64];
	int workers;
};

static struct config *load_config(const char *path)
{
	struct config *c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "crashme: %s: %s, carrying on\n", path, strerror(errno));
		return NULL; /* the bug: callers do not check */
	}
	c = calloc(1, sizeof(*c));
	if (c && read(fd, c->listen, sizeof(c->listen) - 1) < 0)
		c->listen[0] = '\0';
	close(fd);
	return c;
}

int main(void)
{
	struct timespec tick = {.tv_nsec = 20 * 1000000L};
	char host[64] = "";
	struct config *cfg;
	int fd, i;

	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, host, sizeof(host) - 1) < 0)
			host[0] = '\0';
		close(fd);
	}
	for (i = 0; i < 3; i++) {
		printf("crashme: warming up on %.*s (%d)\n", (int)strcspn(host, "\n"), host, i);
		fflush(stdout);
		nanosleep(&tick, NULL);
	}
	cfg = load_config("/etc/crashme/crashme.conf");
	printf("crashme: starting %d workers\n", cfg->workers); /* SIGSEGV */
	return 0;
}
