// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pbio.c - varint32-length-delimited protobuf framing: the "delimited"
 * format of the dump files and the control socket. A frame is the payload
 * length as a base-128 varint (at most 5 bytes, at most 32 bits) followed by
 * that many bytes of a packed message.
 *
 * Everything here works on untrusted bytes: a length is checked against the
 * caller's cap before anything is allocated for the payload, a varint that
 * runs past 5 bytes or 32 bits is refused, and a stream that ends inside a
 * frame is an error, not a short frame. The blocking reader never reads past
 * the frame it returns, so a caller can hand the same fd to another reader
 * (the CLI reads a `dump` reply, then the dump stream after it).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pbio.h"
#include "util.h"

/* Smallest buffer the stream decoder allocates. */
#define STREAM_MIN_CAP 4096

size_t flap_pbio__varint_encode(uint32_t v, uint8_t out[FLAP_PBIO_VARINT_MAX])
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

int flap_pbio__varint_decode(const uint8_t *p, size_t n, uint32_t *v, size_t *used)
{
	uint32_t val = 0;
	size_t i;

	for (i = 0; i < n && i < FLAP_PBIO_VARINT_MAX; i++) {
		/* The 5th byte holds bits 28..31: anything above them overflows. */
		if (i == FLAP_PBIO_VARINT_MAX - 1 && p[i] > 0x0f)
			return -EBADMSG;
		val |= (uint32_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = val;
			*used = i + 1;
			return 1;
		}
	}
	return i == FLAP_PBIO_VARINT_MAX ? -EBADMSG : 0;
}

int flap_pbio__pack(const ProtobufCMessage *msg, size_t max, uint8_t **buf, size_t *len)
{
	uint8_t hdr[FLAP_PBIO_VARINT_MAX];
	size_t size, hlen;
	uint8_t *p;

	size = protobuf_c_message_get_packed_size(msg);
	if (size > max || size > UINT32_MAX)
		return -EMSGSIZE;
	hlen = flap_pbio__varint_encode((uint32_t)size, hdr);
	p = malloc(hlen + size);
	if (!p)
		return -ENOMEM;
	memcpy(p, hdr, hlen);
	if (protobuf_c_message_pack(msg, p + hlen) != size) {
		/* Only a message changed under us gets here: an internal bug. */
		free(p);
		return -EINVAL;
	}
	*buf = p;
	*len = hlen + size;
	return 0;
}

int flap_pbio__write(int fd, const ProtobufCMessage *msg, size_t max)
{
	uint8_t *buf = NULL;
	size_t len;
	int err;

	err = flap_pbio__pack(msg, max, &buf, &len);
	if (err)
		return err;
	err = flap_fd__write_all(fd, buf, len);
	free(buf);
	return err;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until @fd is readable or @deadline (CLOCK_MONOTONIC ms; negative:
 * none) passes. Return: 0 readable or hung up (read() tells which),
 * -ETIMEDOUT, or negative errno.
 */
static int wait_readable(int fd, long long deadline)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	long long left = -1;
	int n;

	for (;;) {
		if (deadline >= 0) {
			left = deadline - mono_ms();
			if (left < 0)
				left = 0;
			if (left > INT32_MAX)
				left = INT32_MAX;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ETIMEDOUT;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		return 0;
	}
}

/*
 * Reads up to @len bytes before @deadline (negative: none). Return: bytes
 * read (0 at the end of the stream) or negative errno. A non-blocking fd is
 * waited on like a blocking one.
 */
static ssize_t read_some(int fd, void *buf, size_t len, long long deadline)
{
	ssize_t n;
	int err;

	for (;;) {
		if (deadline >= 0) {
			err = wait_readable(fd, deadline);
			if (err)
				return err;
		}
		n = read(fd, buf, len);
		if (n >= 0)
			return n;
		err = -errno;
		if (err == -EINTR)
			continue;
		if (err != -EAGAIN)
			return err;
		err = wait_readable(fd, deadline);
		if (err)
			return err;
	}
}

/*
 * Reads the length varint one byte at a time, so nothing after the frame
 * is consumed. Return: 1 and *@v, 0 at a clean end before its first byte,
 * -EBADMSG (bad varint, end inside it), or negative errno.
 */
static int read_varint(int fd, long long deadline, uint32_t *v)
{
	uint8_t b[FLAP_PBIO_VARINT_MAX];
	size_t n = 0, used;
	ssize_t r;
	int rc;

	for (;;) {
		r = read_some(fd, &b[n], 1, deadline);
		if (r < 0)
			return (int)r;
		if (r == 0)
			return n ? -EBADMSG : 0;
		n++;
		rc = flap_pbio__varint_decode(b, n, v, &used);
		if (rc)
			return rc;
	}
}

int flap_pbio__read(int fd, size_t max, int timeout_ms, uint8_t **buf, size_t *len)
{
	long long deadline = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	size_t got = 0;
	uint8_t *p;
	uint32_t v;
	ssize_t r;
	int rc;

	/* poll() ignores a negative fd: it would only time out. */
	if (fd < 0)
		return -EBADF;
	rc = read_varint(fd, deadline, &v);
	if (rc <= 0)
		return rc;
	/* The cap is checked before the length sizes any allocation. */
	if (v > max)
		return -EBADMSG;
	/* An empty message is a valid frame: hand out a buffer all the same. */
	p = malloc(v ? v : 1);
	if (!p)
		return -ENOMEM;
	while (got < v) {
		r = read_some(fd, p + got, v - got, deadline);
		if (r <= 0) {
			free(p);
			return r < 0 ? (int)r : -EBADMSG;
		}
		got += r;
	}
	*buf = p;
	*len = v;
	return 1;
}

void flap_pbio_stream__init(struct flap_pbio_stream *s, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->max = max;
}

void flap_pbio_stream__free(struct flap_pbio_stream *s)
{
	if (!s)
		return;
	zfree(&s->buf);
	s->len = 0;
	s->cap = 0;
	s->off = 0;
}

size_t flap_pbio_stream__pending(const struct flap_pbio_stream *s)
{
	return s->len - s->off;
}

/*
 * Decodes the header of the frame at the start of the pending bytes.
 * Return: 1 with the payload length and header size, 0 when more bytes are
 * needed to tell, -EBADMSG when it cannot start a valid frame.
 */
static int peek_frame(const struct flap_pbio_stream *s, uint32_t *v, size_t *hlen)
{
	int rc;

	if (s->len == s->off)
		return 0;
	rc = flap_pbio__varint_decode(s->buf + s->off, s->len - s->off, v, hlen);
	if (rc == 1 && *v > s->max)
		return -EBADMSG;
	return rc;
}

/* Makes room for @len more bytes, dropping the consumed ones first. */
static int stream_reserve(struct flap_pbio_stream *s, size_t len)
{
	size_t pending = s->len - s->off, cap;
	uint8_t *p;

	if (s->off) {
		memmove(s->buf, s->buf + s->off, pending);
		s->len = pending;
		s->off = 0;
	}
	if (s->cap - s->len >= len)
		return 0;
	if (len > SIZE_MAX / 2 - s->len)
		return -ENOMEM;
	cap = s->cap ? s->cap : STREAM_MIN_CAP;
	while (cap < s->len + len)
		cap *= 2;
	p = realloc(s->buf, cap);
	if (!p)
		return -ENOMEM;
	s->buf = p;
	s->cap = cap;
	return 0;
}

int flap_pbio_stream__feed(struct flap_pbio_stream *s, const void *data, size_t len)
{
	uint32_t v;
	size_t hlen;
	int rc;

	/*
	 * Compact only when the new bytes do not fit behind the old ones, so
	 * the cost of dropping consumed bytes is amortised over many frames.
	 */
	if (len && s->cap - s->len < len) {
		rc = stream_reserve(s, len);
		if (rc)
			return rc;
	}
	if (len) {
		memcpy(s->buf + s->len, data, len);
		s->len += len;
	}
	rc = peek_frame(s, &v, &hlen);
	return rc < 0 ? rc : 0;
}

int flap_pbio_stream__next(struct flap_pbio_stream *s, uint8_t **frame, size_t *len)
{
	uint32_t v;
	size_t hlen;
	uint8_t *p;
	int rc;

	rc = peek_frame(s, &v, &hlen);
	if (rc <= 0)
		return rc;
	if (s->len - s->off - hlen < v)
		return 0;
	p = malloc(v ? v : 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, s->buf + s->off + hlen, v);
	s->off += hlen + v;
	if (s->off == s->len) {
		s->off = 0;
		s->len = 0;
	}
	*frame = p;
	*len = v;
	return 1;
}
