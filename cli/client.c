// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * client.c - the CLI side of the control protocol (proto/ctl.proto): a
 * blocking unix-socket client whose every step has a deadline.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl.pb-c.h"
#include "client.h"
#include "pbio.h"
#include "util.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send and receive timeouts: a stuck daemon cannot block a write, or the
 * blocking reads of a dump stream after the response, forever. */
static void set_timeouts(int fd, long ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int flap_client__call(const char *socket, int timeout_ms, const Flap__Request *req,
		      Flap__Response **resp, int *keep_fd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	long deadline = now_ms() + timeout_ms, left;
	uint8_t *buf = NULL;
	size_t len;
	int fd = -1, err;

	err = flap_unix__connect(socket, SOCK_STREAM, &fd);
	if (err)
		return err;
	set_timeouts(fd, timeout_ms);
	/*
	 * A daemon that closes without reading the request (a refused peer, a
	 * shutdown) must not kill the caller with SIGPIPE: an OCI hook has to
	 * exit 0, and the CLI has to say why. On EPIPE the daemon may still have
	 * answered before closing (permission denied): read that answer.
	 */
	sigaction(SIGPIPE, &ign, &old);
	err = flap_pbio__write(fd, &req->base, FLAP_PBIO_MAX_CTL);
	sigaction(SIGPIPE, &old, NULL);
	if (err && err != -EPIPE)
		goto out;
	left = deadline - now_ms();
	err = flap_pbio__read(fd, FLAP_PBIO_MAX_CTL_REPLY, left > 0 ? (int)left : 0, &buf, &len);
	if (err == 0)
		err = -ECONNRESET; /* closed without an answer */
	if (err < 0)
		goto out;
	*resp = flap__response__unpack(NULL, len, buf);
	free(buf);
	if (!*resp) {
		err = -EBADMSG;
		goto out;
	}
	err = 0;
	if (keep_fd) {
		*keep_fd = fd;
		fd = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

const char *flap_client__strerror(int err, const char *socket, char *buf, size_t size)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		snprintf(buf, size, "flap-recorder daemon not running at %s", socket);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, size,
			 "permission denied on %s: the daemon serves root only (see daemon "
			 "--allow-group)",
			 socket);
		break;
	case -ETIMEDOUT:
		snprintf(buf, size, "the daemon at %s did not answer in time", socket);
		break;
	case -ENAMETOOLONG:
		snprintf(buf, size, "socket path too long: %s", socket);
		break;
	case -ECONNRESET:
		snprintf(buf, size, "the daemon at %s closed the connection without an answer",
			 socket);
		break;
	case -EBADMSG:
		snprintf(buf, size, "malformed answer from the daemon at %s", socket);
		break;
	default:
		snprintf(buf, size, "cannot talk to the daemon at %s: %s", socket, strerror(-err));
	}
	return buf;
}
