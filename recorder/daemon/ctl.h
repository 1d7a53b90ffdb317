/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ctl.h - the control socket server (a unix socket, libuv). One request
 * per connection; the reply (and for a dump, the dump stream) is written,
 * then the connection is closed; the reply may come later than the
 * request (FLAP_CTL_LATER). Only root, or members of the allowed
 * group, are served (SO_PEERCRED / SO_PEERGROUPS). The protocol itself
 * (proto/ctl.proto) is the answer callback's business (ctl_handlers.h).
 */
#ifndef FLAP_CTL_H
#define FLAP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include <uv.h>

struct flap_ctl_server;
struct flap_ctl_conn;
struct flap_pbio_stream;

/* An answer callback's return: no reply yet, flap_ctl_conn__reply() gives it. */
#define FLAP_CTL_LATER 2

/*
 * Answers the @len bytes just received from peer @pid on connection @conn,
 * whose decoder is @in: flap_ctl__answer()'s contract (0: more bytes
 * needed; 1 and the reply in *@out, a new buffer; negative errno: close
 * without a reply), or FLAP_CTL_LATER: the callback keeps @conn and
 * completes it, exactly once, with flap_ctl_conn__reply().
 */
typedef int (*flap_ctl_answer_fn)(void *ctx, struct flap_ctl_conn *conn,
				  struct flap_pbio_stream *in, int pid, const void *data,
				  size_t len, uint8_t **out, size_t *outlen);

/* The reply to peer @pid, uid @uid, who may not use the socket: 1 and *@out, or negative errno. */
typedef int (*flap_ctl_refuse_fn)(void *ctx, int pid, unsigned int uid, uint8_t **out,
				  size_t *outlen);

struct flap_ctl_server_opts {
	bool allow_group; /* members of allow_gid may connect too (else root only) */
	gid_t allow_gid;
	flap_ctl_answer_fn answer;
	flap_ctl_refuse_fn refuse;
	void *ctx; /* passed to answer and refuse */
	/*
	 * Connections open at once, at most (0: no limit): one over it is
	 * closed at once and counted, so clients never take the fds a crash
	 * dump needs.
	 */
	unsigned int max_clients;
	/* A connection whose request has not all come after this long is closed (0: never). */
	unsigned int idle_ms;
};

/* What the server counts. */
struct flap_ctl_server_stats {
	unsigned int open; /* connections open now */
	__u64 refused;	   /* closed at once: over max_clients */
	__u64 timed_out;   /* closed after idle_ms without a whole request */
};

/**
 * flap_ctl_server__start() - bind @path (mode 0600, 0660 with a group),
 * listen on @loop; requests go to @o->answer. A stale socket file (nobody
 * listening) is replaced.
 * Return: 0 and the server, -ENAMETOOLONG (path over sun_path),
 * -EADDRINUSE (a daemon answers there), or negative errno.
 */
int flap_ctl_server__start(uv_loop_t *loop, const char *path, const struct flap_ctl_server_opts *o,
			   struct flap_ctl_server **out);

/**
 * flap_ctl_server__close() - stop listening, close every connection; the
 * memory goes in the close callbacks (the loop must run once more), that
 * of a connection waiting for a late reply when flap_ctl_conn__reply()
 * comes. NULL-safe.
 */
void flap_ctl_server__close(struct flap_ctl_server *s);

/**
 * flap_ctl_conn__reply() - complete connection @conn, whose answer callback
 * returned FLAP_CTL_LATER: send the @len bytes of @data (copied), then
 * close; with @data NULL, close without a reply. A connection closed
 * meanwhile (the client went away, the server was closed) is only freed.
 * Either way @conn is not to be used again.
 *
 * Context: the loop thread; the server's memory need not exist any more.
 */
void flap_ctl_conn__reply(struct flap_ctl_conn *conn, const uint8_t *data, size_t len);

/* The peer's pid (for log lines). */
int flap_ctl_conn__pid(const struct flap_ctl_conn *conn);

/* The server's counters into @out (zeros for NULL). */
void flap_ctl_server__stats(const struct flap_ctl_server *s, struct flap_ctl_server_stats *out);

#endif /* FLAP_CTL_H */
