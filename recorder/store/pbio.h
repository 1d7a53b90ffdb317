/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pbio.h - varint32-length-delimited protobuf framing (the standard
 * "delimited" format) for the dump files and the control socket. Every
 * reader checks a frame's length against a cap before it allocates: 64 KiB
 * on the socket, 1 MiB per dump record. Messages are packed and unpacked by
 * the callers (dump.c, ctl.c, cli/client.c) with protobuf-c.
 */
#ifndef FLAP_PBIO_H
#define FLAP_PBIO_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#define FLAP_PBIO_MAX_CTL (64 * 1024)
/*
 * A reply comes from the daemon (root), not from an unknown peer: a list of
 * 1024 recorders or thousands of dumps is far over 64 KiB.
 */
#define FLAP_PBIO_MAX_CTL_REPLY (16 * 1024 * 1024)
#define FLAP_PBIO_MAX_DUMP	(1024 * 1024)
#define FLAP_PBIO_VARINT_MAX	5

/**
 * flap_pbio__varint_encode() - encode @v as a varint into @out.
 * Return: bytes used (1..5).
 */
size_t flap_pbio__varint_encode(uint32_t v, uint8_t out[FLAP_PBIO_VARINT_MAX]);

/**
 * flap_pbio__varint_decode() - decode a varint32 from the @n bytes at @p.
 * Return: 1 and *@v, *@used; 0 when more bytes are needed; -EBADMSG when
 * it is longer than 5 bytes or overflows 32 bits.
 */
int flap_pbio__varint_decode(const uint8_t *p, size_t n, uint32_t *v, size_t *used);

/**
 * flap_pbio__pack() - frame @msg: varint length + packed bytes, in a new
 * buffer the caller frees. Return: 0, -EMSGSIZE when the packed message is
 * over @max, -ENOMEM.
 */
int flap_pbio__pack(const ProtobufCMessage *msg, size_t max, uint8_t **buf, size_t *len);

/**
 * flap_pbio__write() - frame @msg and write it all to @fd (blocking fd).
 * Return: 0 or negative errno (-EMSGSIZE over @max).
 */
int flap_pbio__write(int fd, const ProtobufCMessage *msg, size_t max);

/**
 * flap_pbio__read() - read one frame from a blocking @fd.
 * @timeout_ms: give up after this long (-1: wait forever) with -ETIMEDOUT.
 * Return: 1 and the payload in a new buffer (*@buf, *@len; caller frees);
 * 0 at a clean end of stream before any byte of a frame; -EBADMSG for a
 * bad varint, a length over @max, or an end of stream inside a frame;
 * -ETIMEDOUT; other negative errno. The length is checked against @max
 * before anything is allocated; an empty payload still comes in a (1-byte)
 * buffer. Nothing after the frame is read, so the caller can go on reading
 * @fd itself. EINTR is retried; a non-blocking @fd is waited on with poll().
 */
int flap_pbio__read(int fd, size_t max, int timeout_ms, uint8_t **buf, size_t *len);

/*
 * Incremental decoder for non-blocking streams (the daemon's libuv reads):
 * feed what arrived, take out complete frames. The bytes not yet taken are
 * buf[off..len); consumed bytes are dropped lazily, so taking many small
 * frames out of one large read costs no copying per frame.
 */
struct flap_pbio_stream {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max; /* largest frame payload accepted */
	size_t off; /* start of the bytes not yet taken */
};

/**
 * flap_pbio_stream__init() - an empty decoder accepting frames up to @max
 * payload bytes. Allocates nothing.
 */
void flap_pbio_stream__init(struct flap_pbio_stream *s, size_t max);

/**
 * flap_pbio_stream__free() - release the buffered bytes (NULL-safe); the
 * decoder is empty and usable again afterwards.
 */
void flap_pbio_stream__free(struct flap_pbio_stream *s);

/**
 * flap_pbio_stream__pending() - bytes fed but not yet taken out as frames
 * (non-zero at the end of a stream means it was cut inside a frame).
 */
size_t flap_pbio_stream__pending(const struct flap_pbio_stream *s);

/**
 * flap_pbio_stream__feed() - append @len received bytes.
 * Return: 0, -ENOMEM, or -EBADMSG when the buffered bytes can no longer be
 * the start of a valid frame (bad varint, length over max).
 */
int flap_pbio_stream__feed(struct flap_pbio_stream *s, const void *data, size_t len);

/**
 * flap_pbio_stream__next() - take the next complete frame.
 * Return: 1 and its payload (*@frame: new buffer the caller frees, *@len;
 * an empty payload still gets a buffer); 0 when no complete frame is
 * buffered; -EBADMSG as above; -ENOMEM.
 */
int flap_pbio_stream__next(struct flap_pbio_stream *s, uint8_t **frame, size_t *len);

#endif /* FLAP_PBIO_H */
