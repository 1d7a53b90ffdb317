// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctl.c - the control socket's transport: a libuv unix-socket listener,
 * one request per connection, peer credentials checked before anything is
 * read. What a request means is not known here: the bytes received go to
 * the answer callback the server was started with (the daemon registers
 * the request handlers of ctl_handlers.c), and its reply is sent back.
 *
 * Lifetimes follow libuv's rules: each connection's uv_pipe_t is embedded
 * in its struct flap_ctl_conn, memory is released only in the close
 * callback, and a write request and its buffer are one allocation. A
 * connection the handlers give no reply to is closed; the server keeps
 * serving everyone else.
 *
 * A reply may come later (FLAP_CTL_LATER: an add whose recorder is being
 * loaded off the loop): the connection stays open, its idle timer stopped,
 * until the handler completes it with flap_ctl_conn__reply(). The handler
 * holds a reference until then: the memory goes when both handles are
 * closed and that reference is dropped, so a client that went away (or a
 * server closed at shutdown) leaves the late completion nothing but a free.
 *
 * Clients cannot take the daemon's fds: at most max_clients connections
 * are open at once (one more is accepted and closed at once, counted and
 * logged), and a connection whose request has not all come within idle_ms
 * is closed (its timer is a second handle of the conn: the memory goes
 * when both are closed).
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include "ctl.h"
#include "log.h"
#include "pbio.h"
#include "util.h"

struct flap_ctl_conn {
	uv_pipe_t pipe;	 /* first: the handle's address is the conn's */
	uv_timer_t idle; /* closes a connection whose request does not come */
	int handles;	 /* handles still to close: the memory goes at 0 */
	struct flap_ctl_server *srv;
	struct flap_pbio_stream in;
	bool handled;  /* one request per connection */
	bool deferred; /* the handler holds it until flap_ctl_conn__reply() */
	bool closing;
	uid_t uid;
	pid_t pid;
	TAILQ_ENTRY(flap_ctl_conn) link;
};

struct flap_ctl_server {
	uv_pipe_t pipe;
	struct flap_ctl_server_opts opts; /* who may connect, the callbacks */
	TAILQ_HEAD(, flap_ctl_conn) conns;
	unsigned int nconns;
	__u64 refused, timed_out;
	char path[PATH_MAX];
};

/* A write request and its bytes: one allocation, freed in on_written. */
struct wreq {
	uv_write_t req;
	struct flap_ctl_conn *c;
	bool close_after;
	size_t len;
	uint8_t data[];
};

static void on_conn_closed(uv_handle_t *h)
{
	struct flap_ctl_conn *c = h->data;

	if (--c->handles > 0 || c->deferred)
		return;
	flap_pbio_stream__free(&c->in);
	free(c);
}

/* Leaves the server's list at once: close callbacks may run after the
 * server itself is gone (libuv runs them in no promised order). */
static void close_conn(struct flap_ctl_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	TAILQ_REMOVE(&c->srv->conns, c, link);
	c->srv->nconns--;
	uv_close((uv_handle_t *)&c->idle, on_conn_closed);
	uv_close((uv_handle_t *)&c->pipe, on_conn_closed);
}

/* Logs the first of a kind of closed connection and every 100th. */
static void count_closed(__u64 n, const char *what, unsigned int limit)
{
	if (n == 1 || n % 100 == 0)
		pr_warn("ctl: closed a client connection: %s (%u); %llu so far", what, limit,
			(unsigned long long)n);
}

static void on_idle(uv_timer_t *t)
{
	struct flap_ctl_conn *c = t->data;

	if (c->handled)
		return;
	c->srv->timed_out++;
	count_closed(c->srv->timed_out, "no whole request within --client-timeout ms",
		     c->srv->opts.idle_ms);
	close_conn(c);
}

static void on_written(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;

	if (status < 0)
		pr_debug("ctl: pid %d: write: %s", (int)w->c->pid, uv_strerror(status));
	if (w->close_after || status < 0)
		close_conn(w->c);
	free(w);
}

/* Sends @len bytes of reply, then closes the connection. */
static void send_reply(struct flap_ctl_conn *c, const uint8_t *data, size_t len)
{
	struct wreq *w;
	uv_buf_t buf;
	int rc;

	w = malloc(sizeof(*w) + len);
	if (!w) {
		close_conn(c);
		return;
	}
	w->c = c;
	w->close_after = true;
	w->len = len;
	memcpy(w->data, data, len);
	buf = uv_buf_init((char *)w->data, w->len);
	rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, on_written);
	if (rc) {
		free(w);
		close_conn(c);
	}
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	if (suggested > 65536)
		suggested = 65536;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct flap_ctl_conn *c = (struct flap_ctl_conn *)s;
	uint8_t *out = NULL;
	size_t len = 0;
	int rc;

	if (nread < 0) {
		/* EOF or error before a whole request: nothing to answer. */
		close_conn(c);
		goto out;
	}
	if (nread == 0 || c->handled)
		goto out;
	/* Idle means nothing came for idle_ms, not a slow but steady sender. */
	if (c->srv->opts.idle_ms)
		uv_timer_start(&c->idle, on_idle, c->srv->opts.idle_ms, 0);
	rc = c->srv->opts.answer(c->srv->opts.ctx, c, &c->in, (int)c->pid, buf->base, nread, &out,
				 &len);
	if (rc == 0)
		goto out;
	c->handled = true;
	uv_read_stop(s);
	if (rc == FLAP_CTL_LATER) {
		/* Still open, and counted, until the handler replies; not idle. */
		c->deferred = true;
		uv_timer_stop(&c->idle);
	} else if (rc < 0) {
		close_conn(c);
	} else {
		send_reply(c, out, len);
	}
	free(out);
out:
	free(buf->base);
}

/* Root, or a member of the allowed group, may talk to the daemon. */
static bool peer_allowed(struct flap_ctl_server *srv, int fd, struct flap_ctl_conn *c)
{
	const struct flap_ctl_server_opts *o = &srv->opts;
	socklen_t len = sizeof(struct ucred);
	gid_t groups[256];
	struct ucred cred;
	int i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	c->uid = cred.uid;
	c->pid = cred.pid;
	if (cred.uid == 0)
		return true;
	if (!o->allow_group)
		return false;
	if (cred.gid == o->allow_gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	n = len / sizeof(gid_t);
	for (i = 0; i < n; i++)
		if (groups[i] == o->allow_gid)
			return true;
	return false;
}

/* Answers a refused peer with the refusal callback's reply, then closes. */
static void refuse(struct flap_ctl_conn *c)
{
	struct flap_ctl_server_opts *o = &c->srv->opts;
	uint8_t *out = NULL;
	size_t len = 0;

	if (o->refuse(o->ctx, (int)c->pid, (unsigned)c->uid, &out, &len) < 0) {
		close_conn(c);
		return;
	}
	send_reply(c, out, len);
	free(out);
}

static void on_connection(uv_stream_t *server, int status)
{
	struct flap_ctl_server *srv = server->data;
	uv_os_fd_t fd;
	struct flap_ctl_conn *c;

	if (status < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;
	c->srv = srv;
	flap_pbio_stream__init(&c->in, FLAP_PBIO_MAX_CTL);
	uv_pipe_init(server->loop, &c->pipe, 0);
	uv_timer_init(server->loop, &c->idle);
	c->pipe.data = c->idle.data = c;
	c->handles = 2;
	TAILQ_INSERT_TAIL(&srv->conns, c, link);
	srv->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
		close_conn(c);
		return;
	}
	if (srv->opts.max_clients && srv->nconns > srv->opts.max_clients) {
		srv->refused++;
		count_closed(srv->refused, "over --max-clients", srv->opts.max_clients);
		close_conn(c);
		return;
	}
	if (srv->opts.idle_ms)
		uv_timer_start(&c->idle, on_idle, srv->opts.idle_ms, 0);
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) || !peer_allowed(srv, fd, c)) {
		c->handled = true;
		pr_warn("ctl: refused a client (uid %u, pid %d): not root and not in the allowed "
			"group",
			(unsigned)c->uid, (int)c->pid);
		refuse(c);
		return;
	}
	uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, on_read);
}

void flap_ctl_conn__reply(struct flap_ctl_conn *c, const uint8_t *data, size_t len)
{
	assert(c->deferred);
	c->deferred = false;
	if (c->closing) {
		/* Gone meanwhile: its handles are closed, or closing. */
		if (c->handles == 0) {
			flap_pbio_stream__free(&c->in);
			free(c);
		}
		return;
	}
	if (data)
		send_reply(c, data, len);
	else
		close_conn(c);
}

int flap_ctl_conn__pid(const struct flap_ctl_conn *c)
{
	return (int)c->pid;
}

static void on_server_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Is a daemon answering on @path? (A leftover socket file refuses.) */
static bool socket_alive(const char *path)
{
	int fd;

	if (flap_unix__connect(path, SOCK_STREAM, &fd))
		return false;
	close(fd);
	return true;
}

int flap_ctl_server__start(uv_loop_t *loop, const char *path, const struct flap_ctl_server_opts *o,
			   struct flap_ctl_server **out)
{
	struct sockaddr_un sa;
	struct flap_ctl_server *srv;
	mode_t old;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_warn("socket path %s is %zu bytes; a unix socket path must be under %zu", path,
			strlen(path), sizeof(sa.sun_path));
		return -ENAMETOOLONG;
	}
	if (socket_alive(path)) {
		pr_warn("a daemon is already running on %s", path);
		return -EADDRINUSE;
	}
	unlink(path);
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->opts = *o;
	TAILQ_INIT(&srv->conns);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	uv_pipe_init(loop, &srv->pipe, 0);
	srv->pipe.data = srv;
	/* Created 0600 (0660 with --allow-group): no window where others connect. */
	old = umask(o->allow_group ? 0117 : 0177);
	rc = uv_pipe_bind(&srv->pipe, path);
	umask(old);
	if (!rc && o->allow_group && chown(path, 0, o->allow_gid) < 0)
		rc = -errno;
	if (!rc)
		rc = uv_listen((uv_stream_t *)&srv->pipe, 128, on_connection);
	if (rc) {
		pr_warn("cannot listen on %s: %s", path, uv_strerror(rc));
		/* Freed in the close callback when the caller runs the loop. */
		uv_close((uv_handle_t *)&srv->pipe, on_server_closed);
		return rc;
	}
	*out = srv;
	return 0;
}

void flap_ctl_server__close(struct flap_ctl_server *s)
{
	struct flap_ctl_conn *c;

	if (!s)
		return;
	while ((c = TAILQ_FIRST(&s->conns)))
		close_conn(c);
	unlink(s->path);
	uv_close((uv_handle_t *)&s->pipe, on_server_closed);
}

void flap_ctl_server__stats(const struct flap_ctl_server *s, struct flap_ctl_server_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->open = s->nconns;
	out->refused = s->refused;
	out->timed_out = s->timed_out;
}
