// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_fuzz_regressions.c - inputs the libFuzzer targets (tests/fuzz/)
 * found, replayed through the same API so that the unit tests (and
 * `make test SANITIZE=1`, which makes undefined behaviour fatal) keep them
 * fixed. Each input is also a seed of its target's corpus, named in the
 * comment. The control protocol's are in test_ctl.c, next to its helpers.
 */
#include <errno.h>
#include <stdlib.h>

#include "decode.h"
#include "test.h"
#include "trace.h"

/*
 * fuzz_decode, corpus/decode/empty.bin (no chunk at all): finish() on a
 * decoder that saw no record sorted a NULL array (qsort(NULL, 0, ...) is
 * undefined: glibc declares the pointer nonnull).
 */
void test_fuzz_decode_empty(void)
{
	struct flap_decoder *d = NULL;
	struct flap_trace *t = NULL;

	if (!ASSERT_OK(flap_trace__new(4, &t), "trace") ||
	    !ASSERT_OK(flap_decoder__new(t, &d), "decoder"))
		goto out;
	ASSERT_OK(flap_decoder__finish(d), "finish with no record");
	ASSERT_EQ(t->nevents, 0, "no event");
	ASSERT_EQ(t->cpus[0].held + t->cpus[0].torn, 0, "nothing counted");
out:
	flap_decoder__free(d);
	flap_trace__free(t);
}
