// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_bundle.c - libFuzzer target for flap-runc's edit of a bundle's
 * config.json (flap_bundle__edit_config). Beyond "no crash, no leak, no
 * undefined behaviour" it checks the contract: an edit returns a document
 * that is itself accepted and needs no second edit (idempotence); 0 leaves
 * no document; a failure is -EINVAL or -EFBIG with one line of error and no
 * document.
 *
 * Built and run by `make fuzz` (FUZZ_TIME seconds, on a copy of the seeds
 * in tests/fuzz/corpus/bundle).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct flap_bundle_hook_opts opts = {
	.recorder = "/usr/local/sbin/flap-recorder",
	.socket = "/run/flap-recorder/flap.sock",
	.docker_root = "/var/lib/docker",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], err2[256], *out = NULL, *again = NULL;
	int rc, rc2;

	rc = flap_bundle__edit_config((const char *)data, size, &opts, &out, err, sizeof(err));
	if (rc < 0) {
		if ((rc != -EINVAL && rc != -EFBIG) || out || !err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (rc == 0) {
		if (out)
			abort();
		return 0;
	}
	if (rc != 1 || !out)
		abort();
	/* Our own output is a spec that already has both hooks. */
	rc2 = flap_bundle__edit_config(out, strlen(out), &opts, &again, err2, sizeof(err2));
	if (rc2 != 0 || again)
		abort();
	free(out);
	return 0;
}
