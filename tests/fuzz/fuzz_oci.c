// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_oci.c - libFuzzer target for the OCI state parser, fed the bytes a
 * hook reads on stdin. Beyond "no crash, no leak, no undefined behaviour"
 * it checks the contract: a success fills a non-empty, terminated id and
 * leaves no error text; a failure returns -EINVAL or -EFBIG, leaves a
 * zeroed state that says "do not record", and exactly one printable line
 * starting with "oci state: ".
 *
 * Built and run by `make fuzz` (FUZZ_TIME seconds, on a copy of the seeds),
 * or `make OUTPUT=$B $B/fuzz/fuzz_<name>`. By hand, from the top of the tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -D_GNU_SOURCE \
 *     -Ibuild -Ibpf -Irecorder/base -Irecorder/decode -Irecorder/kernel -Irecorder/daemon \
 *     tests/fuzz/fuzz_oci.c recorder/daemon/oci.c recorder/decode/sysset.c \
 *     recorder/decode/syscalls.c recorder/base/util.c -ljson-c -o build/fuzz_oci
 *   mkdir -p build/fuzz-corpus-oci
 *   build/fuzz_oci -max_total_time=60 -max_len=8192 -dict=tests/fuzz/oci.dict \
 *     build/fuzz-corpus-oci tests/fuzz/corpus/oci
 *
 * New findings go to the first corpus directory (a scratch one), leaving
 * the seeds in tests/fuzz/corpus/oci as they are.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void check_failure(const struct flap_oci_state *st, const char *err, int rc)
{
	static const struct flap_oci_state zero = {.buf_max = -1};

	if (rc != -EINVAL && rc != -EFBIG && rc != -ENOMEM)
		abort();
	if (memcmp(st, &zero, sizeof(zero)))
		abort(); /* a failure leaves nothing to record */
	if (strncmp(err, "oci state: ", 11) || !err[11])
		abort();
	for (const char *p = err; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			abort(); /* one printable line */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flap_oci_state st;
	char err[256];
	int rc;

	memset(&st, 0x5a, sizeof(st));
	rc = flap_oci__parse_state((const char *)data, size, &st, err, sizeof(err));
	if (rc) {
		check_failure(&st, err, rc);
		return 0;
	}
	if (err[0] || !st.id[0] || st.pid < 0)
		abort();
	check_string(st.id, sizeof(st.id));
	check_string(st.status, sizeof(st.status));
	check_string(st.bundle, sizeof(st.bundle));
	check_string(st.pod, sizeof(st.pod));
	check_string(st.ns, sizeof(st.ns));
	check_string(st.pod_uid, sizeof(st.pod_uid));
	check_string(st.container, sizeof(st.container));
	if (!st.container[0])
		abort(); /* always named, at least by the short id */
	if (st.ring_pages > 4096 || (st.ring_pages & (st.ring_pages - 1)) || st.str_max > 1024 ||
	    st.buf_max < -1 || st.buf_max > 1024)
		abort();
	return 0;
}
