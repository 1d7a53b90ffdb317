/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * client.h - talk to the daemon: connect to its unix socket, send one
 * request, read the response, all with timeouts (an OCI hook must never
 * hang a container start).
 */
#ifndef FLAP_CLI_CLIENT_H
#define FLAP_CLI_CLIENT_H

#include <stddef.h>

/* The control protocol's messages (ctl.pb-c.h). */
struct Flap__Request;
struct Flap__Response;

/**
 * flap_client__call() - one request/response exchange with the daemon at
 * @socket. Everything (connect, write, read) finishes within @timeout_ms.
 * With @keep_fd the connection stays open for what follows the response
 * (a dump stream) and its fd is returned there; otherwise it is closed.
 * Return: 0 and the response (free with flap__response__free_unpacked);
 * -ENOENT/-ECONNREFUSED when no daemon listens, -EACCES when the socket is
 * not ours to use, -ETIMEDOUT, -EBADMSG for a malformed response.
 */
int flap_client__call(const char *socket, int timeout_ms, const struct Flap__Request *req,
		      struct Flap__Response **resp, int *keep_fd);

/* One line for a connect/exchange error (not running, permission...). */
const char *flap_client__strerror(int err, const char *socket, char *buf, size_t size);

#endif /* FLAP_CLI_CLIENT_H */
