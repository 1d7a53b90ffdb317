/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctl_handlers.h - the control protocol (proto/ctl.proto) as the daemon
 * speaks it, without the socket: what the daemon registers as the control
 * server's callbacks (ctl.h), and what the fuzzer and the unit tests call
 * directly.
 */
#ifndef FLAP_CTL_HANDLERS_H
#define FLAP_CTL_HANDLERS_H

#include <stddef.h>
#include <stdint.h>

struct flap_ctl_conn;
struct flap_daemon;
struct flap_pbio_stream;

/**
 * flap_ctl__answer() - feed @len bytes received on a connection into its
 * decoder @in (flap_pbio_stream__init() with FLAP_PBIO_MAX_CTL) and, once a
 * whole request or a framing error is there, handle it against daemon @d.
 * One request per connection: after a non-zero return the caller sends the
 * reply, closes, and feeds nothing more.
 *
 * Context: the daemon's loop thread.
 * Return: 0 when more bytes are needed; 1 and the reply in *@out (a
 * framed Response, then the dump stream for a dump; *@outlen bytes, a new
 * buffer the caller frees); negative errno (-ENOMEM, -EMSGSIZE over
 * FLAP_PBIO_MAX_CTL_REPLY) when no
 * reply can be built and the connection is closed without one.
 */
int flap_ctl__answer(struct flap_daemon *d, struct flap_pbio_stream *in, int pid, const void *data,
		     size_t len, uint8_t **out, size_t *outlen);

/**
 * flap_ctl__answer_conn() - flap_ctl__answer() for connection @conn of the
 * control server (ctl.h): an add whose recorder is still to be loaded
 * returns FLAP_CTL_LATER, and its reply goes to @conn with
 * flap_ctl_conn__reply() when the add ends (on the loop thread).
 * flap_ctl__answer() is this with no connection: every reply is given at
 * once (an add loads its recorder first).
 */
int flap_ctl__answer_conn(struct flap_daemon *d, struct flap_ctl_conn *conn,
			  struct flap_pbio_stream *in, int pid, const void *data, size_t len,
			  uint8_t **out, size_t *outlen);

/**
 * flap_ctl__refuse() - the reply to a peer that may not use the socket (not
 * root, not in the allowed group): a permission error naming uid @uid.
 * Return: 1 and the reply in *@out (*@outlen bytes, a new buffer the caller
 * frees), or negative errno.
 */
int flap_ctl__refuse(struct flap_daemon *d, int pid, unsigned int uid, uint8_t **out,
		     size_t *outlen);

#endif /* FLAP_CTL_HANDLERS_H */
