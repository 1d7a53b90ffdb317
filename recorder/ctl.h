/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctl.h - the control socket server (proto/ctl.proto over a unix socket,
 * libuv). One request per connection; the reply (and for a dump, the dump
 * stream) is written, then the connection is closed. Only root, or members
 * of the --allow-group group, are served (SO_PEERCRED / SO_PEERGROUPS).
 */
#ifndef FLAP_CTL_H
#define FLAP_CTL_H

#include <uv.h>

struct flap_daemon;
struct flap_ctl_server;

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

#endif /* FLAP_CTL_H */
