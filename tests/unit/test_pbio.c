// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_pbio.c - the varint-delimited framing: varint edge cases, frames
 * over pipes (clean end, cut frames, lengths over the cap rejected before
 * any payload is read, timeouts, EINTR, non-blocking fds, no read-ahead),
 * and the incremental stream decoder fed byte by byte and in random chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dump.pb-c.h"
#include "pbio.h"
#include "test.h"
#include "util.h"

static const struct {
	uint32_t v;
	size_t len;
	uint8_t bytes[FLAP_PBIO_VARINT_MAX];
} varints[] = {
	{0, 1, {0x00}},
	{1, 1, {0x01}},
	{127, 1, {0x7f}},
	{128, 2, {0x80, 0x01}},
	{300, 2, {0xac, 0x02}},
	{16383, 2, {0xff, 0x7f}},
	{16384, 3, {0x80, 0x80, 0x01}},
	{(1u << 21) - 1, 3, {0xff, 0xff, 0x7f}},
	{1u << 21, 4, {0x80, 0x80, 0x80, 0x01}},
	{(1u << 28) - 1, 4, {0xff, 0xff, 0xff, 0x7f}},
	{1u << 28, 5, {0x80, 0x80, 0x80, 0x80, 0x01}},
	{UINT32_MAX, 5, {0xff, 0xff, 0xff, 0xff, 0x0f}},
};

void test_pbio_varint(void)
{
	uint8_t buf[FLAP_PBIO_VARINT_MAX + 1];
	size_t i, n, used;
	uint32_t v;
	int rc;

	for (i = 0; i < ARRAY_SIZE(varints); i++) {
		n = flap_pbio__varint_encode(varints[i].v, buf);
		ASSERT_EQ(n, varints[i].len, "encoded length");
		ASSERT_MEMEQ(buf, varints[i].bytes, varints[i].len, "encoded bytes");
		rc = flap_pbio__varint_decode(varints[i].bytes, varints[i].len, &v, &used);
		ASSERT_EQ(rc, 1, "decode");
		ASSERT_EQ(v, varints[i].v, "decoded value");
		ASSERT_EQ(used, varints[i].len, "decoded length");
		/* Every proper prefix asks for more bytes. */
		for (n = 0; n < varints[i].len; n++)
			ASSERT_EQ(flap_pbio__varint_decode(varints[i].bytes, n, &v, &used), 0,
				  "prefix needs more");
	}

	/* A non-minimal encoding is still a valid varint. */
	rc = flap_pbio__varint_decode((const uint8_t[]){0x80, 0x00}, 2, &v, &used);
	ASSERT_EQ(rc, 1, "non-minimal");
	ASSERT_EQ(v, 0, "non-minimal value");
	ASSERT_EQ(used, 2, "non-minimal length");
	/* Bytes after the varint are not looked at. */
	rc = flap_pbio__varint_decode((const uint8_t[]){0x05, 0xff, 0xff}, 3, &v, &used);
	ASSERT_EQ(rc, 1, "trailing bytes");
	ASSERT_EQ(used, 1, "trailing bytes length");

	/* Longer than 5 bytes, or bits past 32: refused. */
	rc = flap_pbio__varint_decode((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, &v,
				      &used);
	ASSERT_EQ(rc, -EBADMSG, "6-byte varint");
	rc = flap_pbio__varint_decode((const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff}, 5, &v,
				      &used);
	ASSERT_EQ(rc, -EBADMSG, "5th byte continues");
	rc = flap_pbio__varint_decode((const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x10}, 5, &v,
				      &used);
	ASSERT_EQ(rc, -EBADMSG, "33 bits");
	rc = flap_pbio__varint_decode((const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x7f}, 5, &v,
				      &used);
	ASSERT_EQ(rc, -EBADMSG, "35 bits");
}

/* A trailer message is the smallest real message at hand. */
static void make_msg(Flap__DumpTrailer *m, uint64_t count)
{
	flap__dump_trailer__init(m);
	m->event_count = count;
}

void test_pbio_pack(void)
{
	Flap__DumpTrailer m, *u;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	make_msg(&m, 300);
	rc = flap_pbio__pack(&m.base, FLAP_PBIO_MAX_CTL, &buf, &len);
	if (!ASSERT_OK(rc, "pack"))
		return;
	/* 3 payload bytes: tag 0x08, varint 300. */
	ASSERT_EQ(len, 4, "frame length");
	ASSERT_MEMEQ(buf, ((const uint8_t[]){0x03, 0x08, 0xac, 0x02}), 4, "frame bytes");
	u = flap__dump_trailer__unpack(NULL, len - 1, buf + 1);
	if (ASSERT_OK_PTR(u, "unpack"))
		ASSERT_EQ(u->event_count, 300, "value");
	flap__dump_trailer__free_unpacked(u, NULL);
	zfree(&buf);

	/* Over the cap: nothing allocated, nothing returned. */
	rc = flap_pbio__pack(&m.base, 2, &buf, &len);
	ASSERT_EQ(rc, -EMSGSIZE, "over max");
	ASSERT_TRUE(buf == NULL, "no buffer");
	rc = flap_pbio__write(1, &m.base, 2);
	ASSERT_EQ(rc, -EMSGSIZE, "write over max");

	/* The empty message is a one-byte frame. */
	make_msg(&m, 0);
	rc = flap_pbio__pack(&m.base, 0, &buf, &len);
	if (ASSERT_OK(rc, "pack empty")) {
		ASSERT_EQ(len, 1, "empty frame length");
		ASSERT_EQ(buf[0], 0, "empty frame byte");
	}
	free(buf);
}

static int make_pipe(int p[2])
{
	return pipe2(p, O_CLOEXEC) < 0 ? -errno : 0;
}

static void close_pipe(int p[2])
{
	zclose(p[0]);
	zclose(p[1]);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void test_pbio_read(void)
{
	Flap__DumpTrailer m;
	uint8_t *buf = NULL, raw[8];
	int p[2] = {-1, -1}, rc;
	size_t len;

	if (!ASSERT_OK(make_pipe(p), "pipe"))
		return;
	/* Two frames and raw bytes back to back: each read takes one frame only. */
	make_msg(&m, 1ULL << 40);
	ASSERT_OK(flap_pbio__write(p[1], &m.base, FLAP_PBIO_MAX_CTL), "write 1");
	make_msg(&m, 0);
	ASSERT_OK(flap_pbio__write(p[1], &m.base, FLAP_PBIO_MAX_CTL), "write empty");
	ASSERT_OK(flap_fd__write_all(p[1], "RAW", 3), "write raw");

	rc = flap_pbio__read(p[0], FLAP_PBIO_MAX_CTL, 1000, &buf, &len);
	if (ASSERT_EQ(rc, 1, "read 1")) {
		Flap__DumpTrailer *u = flap__dump_trailer__unpack(NULL, len, buf);

		if (ASSERT_OK_PTR(u, "unpack 1"))
			ASSERT_EQ(u->event_count, 1ULL << 40, "value 1");
		flap__dump_trailer__free_unpacked(u, NULL);
		zfree(&buf);
	}
	rc = flap_pbio__read(p[0], FLAP_PBIO_MAX_CTL, -1, &buf, &len);
	ASSERT_EQ(rc, 1, "read empty frame");
	ASSERT_EQ(len, 0, "empty frame length");
	ASSERT_OK_PTR(buf, "empty frame buffer");
	zfree(&buf);
	ASSERT_EQ(read(p[0], raw, sizeof(raw)), 3, "raw bytes left for the next reader");
	ASSERT_MEMEQ(raw, "RAW", 3, "raw bytes");

	/* A clean end of stream between frames. */
	zclose(p[1]);
	rc = flap_pbio__read(p[0], FLAP_PBIO_MAX_CTL, 1000, &buf, &len);
	ASSERT_EQ(rc, 0, "clean EOF");
	close_pipe(p);
}

/* Writes @n bytes into a new pipe and closes its write end unless @keep. */
static int pipe_with(const void *data, size_t n, bool keep, int p[2])
{
	int rc;

	rc = make_pipe(p);
	if (rc)
		return rc;
	rc = flap_fd__write_all(p[1], data, n);
	if (!keep)
		zclose(p[1]);
	return rc;
}

static int read_from(const void *data, size_t n, bool keep, size_t max, int timeout_ms)
{
	int p[2] = {-1, -1}, rc;
	uint8_t *buf = NULL;
	size_t len;

	rc = pipe_with(data, n, keep, p);
	if (!ASSERT_OK(rc, "pipe"))
		return rc;
	rc = flap_pbio__read(p[0], max, timeout_ms, &buf, &len);
	if (rc == 1)
		free(buf);
	close_pipe(p);
	return rc;
}

void test_pbio_read_errors(void)
{
	long long t0, dt;
	int rc;

	/* Cut inside the varint, cut inside the payload. */
	rc = read_from("\x80", 1, false, FLAP_PBIO_MAX_CTL, 1000);
	ASSERT_EQ(rc, -EBADMSG, "EOF in varint");
	rc = read_from("\x0a"
		       "abcde",
		       6, false, FLAP_PBIO_MAX_CTL, 1000);
	ASSERT_EQ(rc, -EBADMSG, "EOF in payload");
	rc = read_from("\x80\x80\x80\x80\x80\x00", 6, false, FLAP_PBIO_MAX_CTL, 1000);
	ASSERT_EQ(rc, -EBADMSG, "6-byte varint");

	/*
	 * Over the cap: refused as soon as the length is read, with the writer
	 * still open, so no payload is waited for (or allocated).
	 */
	t0 = now_ms();
	rc = read_from("\x81\x80\x04", 3, true, FLAP_PBIO_MAX_CTL, 5000);
	ASSERT_EQ(rc, -EBADMSG, "length 65537 over 64 KiB");
	rc = read_from("\xff\xff\xff\xff\x0f", 5, true, FLAP_PBIO_MAX_DUMP, 5000);
	ASSERT_EQ(rc, -EBADMSG, "length 4 GiB");
	ASSERT_LT(now_ms() - t0, 1000, "refused without waiting");
	rc = read_from("\x80\x80\x04", 3, true, FLAP_PBIO_MAX_CTL, 0);
	ASSERT_EQ(rc, -ETIMEDOUT, "length 65536 at the cap is waited for");

	/* Nothing written, writer open: times out after about the timeout. */
	t0 = now_ms();
	rc = read_from("", 0, true, FLAP_PBIO_MAX_CTL, 100);
	dt = now_ms() - t0;
	ASSERT_EQ(rc, -ETIMEDOUT, "timeout, no data");
	ASSERT_GE(dt, 90, "waited");
	ASSERT_LT(dt, 2000, "not much longer");
	/* Half a frame, then silence. */
	rc = read_from("\x0a"
		       "abc",
		       4, true, FLAP_PBIO_MAX_CTL, 50);
	ASSERT_EQ(rc, -ETIMEDOUT, "timeout inside a frame");
	/* Timeout 0 still takes what is already there. */
	rc = read_from("\x01"
		       "a",
		       2, true, FLAP_PBIO_MAX_CTL, 0);
	ASSERT_EQ(rc, 1, "timeout 0 with data");

	ASSERT_EQ(flap_pbio__read(-1, 10, 10, NULL, NULL), -EBADF, "bad fd, timeout");
	ASSERT_EQ(flap_pbio__read(-1, 10, -1, NULL, NULL), -EBADF, "bad fd, no timeout");
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A child interrupts the reader with a signal (no SA_RESTART), then writes a
 * frame in two halves; the reader, on a non-blocking fd, still gets it.
 */
static void read_interrupted(int timeout_ms)
{
	struct sigaction sa = {.sa_handler = on_usr1}, old;
	int p[2] = {-1, -1}, rc, status;
	pid_t parent = getpid(), pid;
	uint8_t *buf = NULL;
	size_t len;

	if (!ASSERT_OK(make_pipe(p), "pipe"))
		return;
	sigaction(SIGUSR1, &sa, &old);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	pid = fork();
	if (pid == 0) {
		usleep(30000);
		kill(parent, SIGUSR1);
		usleep(30000);
		if (write(p[1],
			  "\x05"
			  "he",
			  3) != 3)
			_exit(1);
		usleep(30000);
		kill(parent, SIGUSR1);
		usleep(30000);
		_exit(write(p[1], "llo", 3) == 3 ? 0 : 1);
	}
	rc = flap_pbio__read(p[0], FLAP_PBIO_MAX_CTL, timeout_ms, &buf, &len);
	if (ASSERT_EQ(rc, 1, "read across EINTR")) {
		ASSERT_EQ(len, 5, "length");
		ASSERT_MEMEQ(buf, "hello", 5, "payload");
		free(buf);
	}
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer");
	sigaction(SIGUSR1, &old, NULL);
	close_pipe(p);
}

void test_pbio_read_eintr(void)
{
	read_interrupted(5000);
	read_interrupted(-1);
}

/* Frames of these payload sizes, each filled with a pattern of its index. */
static const size_t frame_sizes[] = {0, 1, 127, 128, 300, 0, 16384, 65536, 5};

static uint8_t *make_stream(size_t *total)
{
	size_t i, j, off = 0, n = 0;
	uint8_t *s;

	for (i = 0; i < ARRAY_SIZE(frame_sizes); i++)
		n += FLAP_PBIO_VARINT_MAX + frame_sizes[i];
	s = malloc(n);
	if (!s)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(frame_sizes); i++) {
		off += flap_pbio__varint_encode(frame_sizes[i], s + off);
		for (j = 0; j < frame_sizes[i]; j++)
			s[off++] = (uint8_t)(i * 31 + j);
	}
	*total = off;
	return s;
}

/* Feeds @data in chunks (@chunk 0: random 1..4096), checking each frame. */
static bool feed_chunks(const uint8_t *data, size_t total, size_t chunk, unsigned int seed)
{
	struct flap_pbio_stream s;
	size_t off = 0, n, len, j, got = 0;
	uint8_t *frame;
	bool ok = true;
	int rc;

	flap_pbio_stream__init(&s, FLAP_PBIO_MAX_CTL);
	srand(seed);
	while (ok && off < total) {
		n = chunk ? chunk : 1 + (size_t)rand() % 4096;
		if (n > total - off)
			n = total - off;
		rc = flap_pbio_stream__feed(&s, data + off, n);
		ok = ASSERT_OK(rc, "feed");
		off += n;
		while (ok && (rc = flap_pbio_stream__next(&s, &frame, &len)) == 1) {
			ok = ASSERT_LT(got, ARRAY_SIZE(frame_sizes), "frame count") &&
			     ASSERT_EQ(len, frame_sizes[got], "frame length");
			for (j = 0; ok && j < len; j++)
				ok = ASSERT_EQ(frame[j], (uint8_t)(got * 31 + j), "frame byte");
			free(frame);
			got++;
		}
		if (ok)
			ok = ASSERT_EQ(rc, 0, "next");
	}
	if (ok)
		ok = ASSERT_EQ(got, ARRAY_SIZE(frame_sizes), "all frames") &&
		     ASSERT_EQ(flap_pbio_stream__pending(&s), 0, "nothing pending");
	flap_pbio_stream__free(&s);
	return ok;
}

void test_pbio_stream(void)
{
	size_t total = 0, chunk;
	unsigned int seed;
	uint8_t *data;

	data = make_stream(&total);
	if (!ASSERT_OK_PTR(data, "stream"))
		return;
	ASSERT_TRUE(feed_chunks(data, total, 1, 0), "byte by byte");
	for (chunk = 2; chunk <= 7; chunk++)
		ASSERT_TRUE(feed_chunks(data, total, chunk, 0), "fixed chunks");
	ASSERT_TRUE(feed_chunks(data, total, total, 0), "all at once");
	for (seed = 1; seed <= 50; seed++)
		ASSERT_TRUE(feed_chunks(data, total, 0, seed), "random chunks");
	free(data);
}

void test_pbio_stream_errors(void)
{
	struct flap_pbio_stream s;
	uint8_t *frame = NULL;
	size_t len;
	int rc;

	/* A length over the cap is refused from its header alone. */
	flap_pbio_stream__init(&s, FLAP_PBIO_MAX_CTL);
	rc = flap_pbio_stream__feed(&s, "\xff\xff\xff\xff\x0f", 5);
	ASSERT_EQ(rc, -EBADMSG, "4 GiB frame");
	ASSERT_LE(s.cap, 4096, "nothing allocated for it");
	ASSERT_EQ(flap_pbio_stream__next(&s, &frame, &len), -EBADMSG, "next after bad header");
	flap_pbio_stream__free(&s);

	/* The same one byte at a time: refused once the varint is complete. */
	flap_pbio_stream__init(&s, FLAP_PBIO_MAX_CTL);
	ASSERT_OK(flap_pbio_stream__feed(&s, "\x81", 1), "byte 1");
	ASSERT_OK(flap_pbio_stream__feed(&s, "\x80", 1), "byte 2");
	ASSERT_EQ(flap_pbio_stream__next(&s, &frame, &len), 0, "incomplete varint");
	ASSERT_EQ(flap_pbio_stream__feed(&s, "\x04", 1), -EBADMSG, "65537 > cap");
	flap_pbio_stream__free(&s);

	/* A bad varint. */
	flap_pbio_stream__init(&s, FLAP_PBIO_MAX_CTL);
	rc = flap_pbio_stream__feed(&s, "\x80\x80\x80\x80\x80\x01", 6);
	ASSERT_EQ(rc, -EBADMSG, "6-byte varint");
	flap_pbio_stream__free(&s);

	/* An incomplete frame stays pending; the decoder is reusable after free. */
	flap_pbio_stream__init(&s, 16);
	ASSERT_OK(flap_pbio_stream__feed(&s,
					 "\x10"
					 "abc",
					 4),
		  "feed 16 at cap");
	ASSERT_EQ(flap_pbio_stream__next(&s, &frame, &len), 0, "incomplete");
	ASSERT_EQ(flap_pbio_stream__pending(&s), 4, "pending");
	flap_pbio_stream__free(&s);
	flap_pbio_stream__free(&s);
	flap_pbio_stream__free(NULL);
	ASSERT_EQ(flap_pbio_stream__pending(&s), 0, "empty after free");
	ASSERT_OK(flap_pbio_stream__feed(&s,
					 "\x01"
					 "z",
					 2),
		  "reuse");
	ASSERT_EQ(flap_pbio_stream__next(&s, &frame, &len), 1, "frame after reuse");
	if (frame) {
		ASSERT_EQ(len, 1, "length");
		ASSERT_EQ(frame[0], 'z', "payload");
	}
	free(frame);
	ASSERT_OK(flap_pbio_stream__feed(&s, NULL, 0), "empty feed");
	ASSERT_EQ(flap_pbio_stream__next(&s, &frame, &len), 0, "no frame");
	flap_pbio_stream__free(&s);
}
