// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_ctl_server.c - the control socket's transport (recorder/daemon/ctl.c)
 * on a real libuv loop and a real unix socket, with an answer callback of
 * the test's own: a request starting with 'N' is answered now, one
 * starting with 'L' later (FLAP_CTL_LATER, then flap_ctl_conn__reply()).
 * Checked: a late reply reaches its client while others are answered at
 * once; a waiting connection is not closed as idle and counts as open; a
 * late reply to a client that went away, or after the server was closed,
 * only frees (ASan and valgrind see no leak); the loop closes with nothing
 * left (uv_loop_close() == 0).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include "ctl.h"
#include "test.h"

#define MAX_LATE 8

struct srv_ctx {
	struct flap_ctl_conn *late[MAX_LATE];
	int nlate, nnow;
};

static int answer(void *ctx, struct flap_ctl_conn *conn, struct flap_pbio_stream *in, int pid,
		  const void *data, size_t len, uint8_t **out, size_t *outlen)
{
	struct srv_ctx *c = ctx;

	(void)in;
	(void)pid;
	if (!len)
		return 0;
	if (((const char *)data)[0] == 'L' && c->nlate < MAX_LATE) {
		c->late[c->nlate++] = conn;
		return FLAP_CTL_LATER;
	}
	*out = (uint8_t *)strdup("now");
	*outlen = 3;
	c->nnow++;
	return *out ? 1 : -ENOMEM;
}

static int refuse(void *ctx, int pid, unsigned int uid, uint8_t **out, size_t *outlen)
{
	(void)ctx;
	(void)pid;
	(void)uid;
	(void)out;
	(void)outlen;
	return -EPERM;
}

/* Runs @loop without blocking until *@flag is at least @want, for at most ~2 s. */
static bool spin_until(uv_loop_t *loop, const int *flag, int want)
{
	int i;

	for (i = 0; i < 2000 && *flag < want; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		if (*flag < want)
			usleep(1000);
	}
	return *flag >= want;
}

static void spin(uv_loop_t *loop, int ms)
{
	int i;

	for (i = 0; i < ms; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
}

/* A client that sent @req: its fd, non-blocking, or -1. */
static int client(const char *path, const char *req)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * What client @fd has received, run with @loop until the server closed the
 * connection (or ~2 s): into @buf (NUL-terminated). Return: bytes, or -1
 * when the connection is still open.
 */
static int read_reply(uv_loop_t *loop, int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 2000; i++) {
		uv_run(loop, UV_RUN_NOWAIT);
		n = recv(fd, buf + got, size - 1 - got, MSG_DONTWAIT);
		if (n == 0) {
			buf[got] = '\0';
			return (int)got;
		}
		if (n > 0)
			got += n;
		else if (errno != EAGAIN)
			break;
		usleep(1000);
	}
	buf[got] = '\0';
	return -1;
}

/* Still open, nothing received: no byte and no EOF. */
static bool waiting(int fd)
{
	char b;

	return recv(fd, &b, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

void test_ctl_server_late_reply(void)
{
	struct flap_ctl_server_opts o = {
		.allow_group = true,
		.answer = answer,
		.refuse = refuse,
		.max_clients = 8,
		.idle_ms = 50,
	};
	struct flap_ctl_server_stats st;
	struct flap_ctl_server *srv = NULL;
	char dir[] = "/tmp/flap-ctl-test.XXXXXX", path[64], buf[64];
	int a = -1, b = -1, gone = -1, last = -1;
	struct srv_ctx ctx = {};
	uv_loop_t loop;

	signal(SIGPIPE, SIG_IGN);
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp") || !ASSERT_OK(uv_loop_init(&loop), "loop"))
		return;
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	/* Not root: the test's own group is let in. */
	o.allow_gid = getgid();
	o.ctx = &ctx;
	if (!ASSERT_OK(flap_ctl_server__start(&loop, path, &o, &srv), "start"))
		goto out;

	a = client(path, "L1");
	if (!ASSERT_OK_FD(a, "client a") ||
	    !ASSERT_TRUE(spin_until(&loop, &ctx.nlate, 1), "a late"))
		goto out;
	b = client(path, "N2");
	ASSERT_OK_FD(b, "client b");
	ASSERT_EQ(read_reply(&loop, b, buf, sizeof(buf)), 3, "b answered while a waits");
	ASSERT_STREQ(buf, "now", "b's reply");
	/* Past idle_ms: a waits for its reply, it is not idle. */
	spin(&loop, 120);
	ASSERT_TRUE(waiting(a), "a still open, no reply yet");
	flap_ctl_server__stats(srv, &st);
	ASSERT_EQ(st.open, 1, "a counts as open");
	ASSERT_EQ(st.timed_out, 0, "none timed out");
	flap_ctl_conn__reply(ctx.late[0], (const uint8_t *)"late", 4);
	ASSERT_EQ(read_reply(&loop, a, buf, sizeof(buf)), 4, "a's late reply, then closed");
	ASSERT_STREQ(buf, "late", "a's reply");

	/* A client gone before its late reply: the reply only frees. */
	gone = client(path, "L3");
	if (!ASSERT_OK_FD(gone, "client gone") ||
	    !ASSERT_TRUE(spin_until(&loop, &ctx.nlate, 2), "gone late"))
		goto out;
	close(gone);
	gone = -1;
	spin(&loop, 10);
	flap_ctl_conn__reply(ctx.late[1], (const uint8_t *)"late", 4);
	spin(&loop, 10);
	flap_ctl_server__stats(srv, &st);
	ASSERT_EQ(st.open, 0, "gone closed");

	/* The server closed with a reply still to come: the client sees EOF, the reply frees. */
	last = client(path, "L4");
	if (!ASSERT_OK_FD(last, "client last") ||
	    !ASSERT_TRUE(spin_until(&loop, &ctx.nlate, 3), "last late"))
		goto out;
	flap_ctl_server__close(srv);
	srv = NULL;
	ASSERT_EQ(read_reply(&loop, last, buf, sizeof(buf)), 0, "closed without a reply");
	flap_ctl_conn__reply(ctx.late[2], NULL, 0);
out:
	flap_ctl_server__close(srv);
	uv_run(&loop, UV_RUN_DEFAULT);
	ASSERT_EQ(uv_loop_close(&loop), 0, "loop closes with nothing left");
	ASSERT_EQ(ctx.nnow, 1, "answered now once");
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (last >= 0)
		close(last);
	unlink(path);
	rmdir(dir);
}
