// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_ctl.c - libFuzzer target for the control protocol as the daemon
 * decodes it. An input is the byte stream a client writes on the control
 * socket. It goes through flap_ctl__answer(), the function the server's read
 * callback calls: the flap_pbio_stream framing (64 KiB cap), the Request
 * unpacking, the version and operation checks, the request handlers and the
 * reply, against a fake daemon (tests/lib/fake_daemon.c: pods prod/shop and
 * dev/shop, a recorder "solo", and a dump directory holding a crash dump and
 * a corrupt file).
 *
 * Every input is answered twice, by two fresh daemons: once fed whole, once
 * in chunks of 1 to 16 bytes as a slow client would send it. The checks:
 * - no reply only while the bytes are a proper prefix of one frame; once a
 *   frame or a framing error is complete there is always a reply (the fake
 *   daemon never fails, so "close without a reply" is a bug);
 * - the reply is one frame of at most 16 MiB holding a Response; an error
 *   has a code, no body, and a non-empty one-line message without control
 *   bytes (it goes to the daemon's log and the user's terminal);
 * - a dump reply is followed by a dump stream flap_dump__read() accepts with
 *   as many sources as the reply says, and nothing else follows any reply;
 * - chunking changes nothing: same error code, same body, same event count.
 *
 * Built and run by `make fuzz` (every target, FUZZ_TIME seconds each, on a
 * copy of tests/fuzz/corpus/ctl): it links this file and the fake daemon
 * with the library compiled under ASan+UBSan ($B/fuzz/libflap.a), so that
 * whatever ctl_handlers.c calls comes from the archive. By hand, with B the
 * build directory:
 *
 *   make OUTPUT=$B $B/fuzz/fuzz_ctl
 *   mkdir -p $B/fuzz-corpus-ctl
 *   $B/fuzz/fuzz_ctl -max_total_time=600 -max_len=4096 $B/fuzz-corpus-ctl tests/fuzz/corpus/ctl
 *
 * The seeds (a valid request of every operation, bad ones, and garbage)
 * are made by tests/fuzz/gen_ctl_corpus.c.
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.pb-c.h"
#include "ctl_handlers.h"
#include "dump.h"
#include "fake_daemon.h"
#include "log.h"
#include "pbio.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dump_dir[64];

/* What one run of an input produced. */
struct result {
	int rc;	      /* of the last flap_ctl__answer() call */
	uint8_t *out; /* the reply */
	size_t len;
	size_t pending; /* bytes fed but not taken as a frame */
	int code;	/* error code of the Response (0: none) */
	int body;	/* its body case */
	size_t events;	/* events of a dump reply */
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_dump_dir(void)
{
	nftw(dump_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* A crash dump of pod prod/shop and a corrupt file, as handle_dumps finds them. */
static void make_dump_dir(void)
{
	struct flap_daemon *d = fake_daemon__new(NULL);
	struct flap_entry *e[1];
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char path[256];
	FILE *f;

	snprintf(dump_dir, sizeof(dump_dir), "/tmp/fuzz-ctl.XXXXXX");
	if (!d || !mkdtemp(dump_dir) || fake_daemon__populate(d))
		abort();
	atexit(remove_dump_dir);
	snprintf(path, sizeof(path), "%s/shop", dump_dir);
	if (mkdir(path, 0700) || flap_daemon__resolve(d, "web", "prod", e, 1) != 1 ||
	    flap_daemon__read(d, e, 1, 0, &t))
		abort();
	flap_dump_meta__init(&m, "web");
	snprintf(m.reason.kind, sizeof(m.reason.kind), "crash");
	snprintf(m.reason.text, sizeof(m.reason.text), "SIGSEGV in pid 100 (fake0)");
	m.reason.signal = 11;
	snprintf(path, sizeof(path), "%s/shop/20260101T000000.000000Z-web-SIGSEGV.flap", dump_dir);
	if (flap_dump__save(path, &m, t))
		abort();
	snprintf(path, sizeof(path), "%s/shop/corrupt.flap", dump_dir);
	f = fopen(path, "we");
	if (!f || fputs("FLAPDMP\001\377\377\377", f) < 0 || fclose(f))
		abort();
	flap_trace__free(t);
	fake_daemon__free(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	flap_log__set_level(FLAP_LOG_WARN);
	make_dump_dir();
	return 0;
}

/* No byte below 0x20 (no newline, no escape sequence) and no DEL. */
static bool one_clean_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The dump stream after a dump reply must read back whole. */
static size_t check_dump_stream(const uint8_t *p, size_t len, uint32_t sources)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[256];
	size_t n;
	int fd;

	fd = memfd_create("fuzz-ctl-dump", MFD_CLOEXEC);
	if (fd < 0 || flap_fd__write_all(fd, p, len) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	if (flap_dump__read(fd, &m, &t, err, sizeof(err)))
		abort();
	/* Nothing after the trailer: the stream ends with the dump. */
	if (read(fd, err, 1) != 0 || t->nsources != (int)sources)
		abort();
	n = t->nevents;
	flap_trace__free(t);
	close(fd);
	return n;
}

/* The reply is one Response frame, then a dump stream for a dump only. */
static void check_reply(struct result *r)
{
	Flap__Response *resp;
	size_t used, rest;
	uint32_t v;

	if (flap_pbio__varint_decode(r->out, r->len, &v, &used) != 1 ||
	    v > FLAP_PBIO_MAX_CTL_REPLY || v > r->len - used)
		abort();
	resp = flap__response__unpack(NULL, v, r->out + used);
	if (!resp)
		abort();
	rest = r->len - used - v;
	r->body = resp->body_case;
	if (resp->error && resp->error->code != FLAP__ERROR_CODE__OK) {
		r->code = resp->error->code;
		if (resp->body_case != FLAP__RESPONSE__BODY__NOT_SET || !resp->error->message ||
		    !*resp->error->message || !one_clean_line(resp->error->message))
			abort();
	}
	if (resp->body_case == FLAP__RESPONSE__BODY_DUMP)
		r->events = check_dump_stream(r->out + used + v, rest, resp->dump->sources);
	else if (rest)
		abort();
	flap__response__free_unpacked(resp, NULL);
}

/* Feeds @data as the daemon's read callback would, whole or in small chunks. */
static void answer(const uint8_t *data, size_t size, bool chunked, struct result *r)
{
	struct flap_daemon *d = fake_daemon__new(dump_dir);
	uint32_t seed = (uint32_t)size * 2654435761u + 1;
	struct flap_pbio_stream in;
	size_t off = 0, n;

	if (!d || fake_daemon__populate(d))
		abort();
	memset(r, 0, sizeof(*r));
	flap_pbio_stream__init(&in, FLAP_PBIO_MAX_CTL);
	while (off < size && r->rc == 0) {
		seed = seed * 1103515245u + 12345u;
		n = chunked ? 1 + (seed >> 16) % 16 : size - off;
		if (n > size - off)
			n = size - off;
		r->rc = flap_ctl__answer(d, &in, 1, data + off, n, &r->out, &r->len);
		off += n;
	}
	r->pending = flap_pbio_stream__pending(&in);
	if (fake_daemon__count(d) > FAKE_MAX_ENTRIES)
		abort();
	flap_pbio_stream__free(&in);
	fake_daemon__free(d);
	if (r->rc < 0)
		abort(); /* the fake daemon never fails: every request gets a reply */
	if (r->rc == 0 && r->pending != size)
		abort(); /* no reply only while nothing was taken out */
	if (r->rc == 1)
		check_reply(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result whole, chunks;

	answer(data, size, false, &whole);
	answer(data, size, true, &chunks);
	if (whole.rc != chunks.rc || whole.code != chunks.code || whole.body != chunks.body ||
	    whole.events != chunks.events)
		abort();
	free(whole.out);
	free(chunks.out);
	return 0;
}
