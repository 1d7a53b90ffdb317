// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_decode.c - libFuzzer target for the block decoder (recorder/decode/decode.c),
 * which parses whatever the rings and staging blocks hold. An input is a
 * series of chunks, each [kind: 1 byte][len: 2 bytes, little endian][len
 * bytes] (a short last chunk takes what is left): kind bit 7 set makes the
 * bytes a pending slot (struct flap_pending, zero-padded) of CPU kind & 7,
 * otherwise they are one block of CPU kind & 7 (4 CPUs: 4-7 are out of
 * range). Then finish(). Every block must parse or be refused with -EBADMSG,
 * the counts must add up, and every event must be well formed.
 *
 * Built and run by `make fuzz` (FUZZ_TIME seconds, on a copy of the seeds),
 * or `make OUTPUT=$B $B/fuzz/fuzz_<name>`. By hand, from the top of the tree, with
 * B the build directory holding the generated syscall table
 * (`make OUTPUT=$B $B/syscalls_$(uname -m).h`):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -D_GNU_SOURCE \
 *     -I$B -Ibpf -Irecorder/base -Irecorder/decode tests/fuzz/fuzz_decode.c \
 *     recorder/decode/decode.c recorder/decode/trace.c recorder/decode/syscalls.c \
 *     recorder/base/util.c -lpthread -o $B/fuzz_decode
 *   mkdir -p $B/fuzz-corpus-decode
 *   $B/fuzz_decode -max_total_time=60 -max_len=20000 $B/fuzz-corpus-decode \
 *     tests/fuzz/corpus/decode
 *
 * New findings go to the first corpus directory (a scratch one), leaving
 * the seeds in tests/fuzz/corpus/decode as they are.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "decode.h"
#include "trace.h"

#define NCPUS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every event is well formed; its captured bytes are readable (ASan). */
static void check_trace(const struct flap_trace *t, __u64 parsed)
{
	volatile __u8 sink = 0;
	__u64 held = 0;
	size_t i;
	int c, j;

	for (c = 0; c < t->ncpus; c++)
		held += t->cpus[c].held;
	/* Out-of-range CPUs are parsed but counted nowhere. */
	if (held > parsed)
		abort();
	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (ev->nargs > 6 || ev->ncaps > FLAP_EV_MAX_CAPS)
			abort();
		if (i && ev->ts < t->events[i - 1].ts)
			abort();
		if (ev->comm[FLAP_EV_COMM_LEN - 1] != '\0')
			abort();
		for (j = 0; j < ev->ncaps; j++) {
			if (ev->caps[j].arg >= 6 || (ev->caps[j].len && !ev->caps[j].data))
				abort();
			if (ev->caps[j].len)
				sink ^= ev->caps[j].data[0] ^ ev->caps[j].data[ev->caps[j].len - 1];
		}
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flap_decoder *d = NULL;
	struct flap_trace *t = NULL;
	__u64 parsed = 0, events = 0;
	size_t off = 0, len;
	int n;

	if (flap_trace__new(NCPUS, &t) || flap_decoder__new(t, &d))
		abort();
	while (size - off >= 3) {
		uint8_t kind = data[off];

		len = data[off + 1] | (size_t)data[off + 2] << 8;
		off += 3;
		if (len > size - off)
			len = size - off;
		if (kind & 0x80) {
			struct flap_pending p = {};

			memcpy(&p, data + off, len < sizeof(p) ? len : sizeof(p));
			if (flap_decoder__add_pending(d, kind & 7, &p) < 0)
				abort();
			events += p.valid == 1;
			/* A call in flight is held too (in no block). */
			if (p.valid == 1 && (kind & 7) < NCPUS)
				parsed++;
		} else {
			/* A copy of exactly len bytes, so ASan sees any overread. */
			uint8_t *blk = malloc(len ? len : 1);

			if (!blk)
				abort();
			memcpy(blk, data + off, len);
			n = flap_decoder__add_block(d, kind & 7, blk, len);
			free(blk);
			if (n < 0 && n != -EBADMSG)
				abort();
			if (n > 0) {
				events += n;
				if ((kind & 7) < NCPUS)
					parsed += n;
			}
		}
		off += len;
	}
	if (flap_decoder__finish(d))
		abort();
	/* Pairing merges records: never more events than records. */
	if (t->nevents > events)
		abort();
	check_trace(t, parsed);
	flap_decoder__free(d);
	flap_trace__free(t);
	return 0;
}
