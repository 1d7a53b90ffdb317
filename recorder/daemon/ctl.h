/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctl.h - the control socket server (proto/ctl.proto over a unix socket,
 * libuv). One request per connection; the reply (and for a dump, the dump
 * stream) is written, then the connection is closed. Only root, or members
 * of the --allow-group group, are served (SO_PEERCRED / SO_PEERGROUPS).
 */
#ifndef FLAP_CTL_H
#define FLAP_CTL_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct flap_daemon;
struct flap_ctl_server;
struct flap_pbio_stream;

/**
 * flap_ctl_server__start() - bind @path (mode 0600, 0660 with a group),
 * listen on @loop. A stale socket file (nobody listening) is replaced.
 * Return: 0 and the server, -ENAMETOOLONG (path over sun_path),
 * -EADDRINUSE (a daemon answers there), or negative errno.
 */
int flap_ctl_server__start(struct flap_daemon *d, uv_loop_t *loop, const char *path,
			   struct flap_ctl_server **out);

/**
 * flap_ctl_server__close() - stop listening, close every connection; the
 * memory goes in the close callbacks (the loop must run once more).
 * NULL-safe.
 */
void flap_ctl_server__close(struct flap_ctl_server *s);

/**
 * flap_ctl_answer() - the protocol as the server speaks it, without the
 * socket: feed @len bytes received on a connection into its decoder @in
 * (flap_pbio_stream_init() with FLAP_PBIO_MAX_CTL) and, once a whole
 * request or a framing error is there, handle it against daemon @d.
 * The server calls this from its read callback; the fuzzer and the unit
 * tests call it directly. One request per connection: after a non-zero
 * return the caller sends the reply, closes, and feeds nothing more.
 *
 * Context: the daemon's loop thread.
 * Return: 0 when more bytes are needed; 1 and the reply in *@out (a
 * framed Response, then the dump stream for a dump; *@outlen bytes, a new
 * buffer the caller frees); negative errno (-ENOMEM, -EMSGSIZE over
 * FLAP_PBIO_MAX_CTL_REPLY) when no
 * reply can be built and the connection is closed without one.
 */
int flap_ctl_answer(struct flap_daemon *d, struct flap_pbio_stream *in, int pid, const void *data,
		    size_t len, uint8_t **out, size_t *outlen);

#endif /* FLAP_CTL_H */
