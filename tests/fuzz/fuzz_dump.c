// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_dump.c - libFuzzer target for the dump reader. Each input is put in
 * a memfd and read with flap_dump__read(), as the CLI reads a dump file or
 * the daemon's reply stream. Whatever the reader accepts must also write
 * back and read again with the same number of events and sources: the
 * reader never accepts a trace the writer would refuse.
 *
 * Built and run by `make fuzz` (FUZZ_TIME seconds, on a copy of the seeds),
 * or `make OUTPUT=$B $B/fuzz/fuzz_<name>`. By hand, from the top of the tree, with
 * B the build directory (build by default) holding the generated proto code
 * and syscall table (`make OUTPUT=$B proto $B/syscalls_$(uname -m).h`):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *     -D_GNU_SOURCE \
 *     -I$B -I$B/proto -Ibpf -Irecorder/base -Irecorder/decode -Irecorder/store \
 *     tests/fuzz/fuzz_dump.c recorder/store/dump.c recorder/store/dump_procs.c \
 *     recorder/store/pbio.c \
 *     recorder/decode/trace.c recorder/base/util.c recorder/decode/syscalls.c \
 *     $B/proto/dump.pb-c.c \
 *     -lprotobuf-c -o $B/fuzz_dump
 *   mkdir -p $B/fuzz-corpus
 *   $B/fuzz_dump -max_total_time=60 -max_len=65536 $B/fuzz-corpus tests/fuzz/corpus/dump
 *
 * New findings go to the first corpus directory (a scratch one), leaving
 * the seeds in tests/fuzz/corpus/dump as they are.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump.h"
#include "trace.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-dump", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (flap_fd__write_all(fd, data, size) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	return fd;
}

/* Writes @t back and reads it again: it must round-trip. */
static void rewrite(const struct flap_dump_meta *m, const struct flap_trace *t)
{
	struct flap_trace *u = NULL;
	struct flap_dump_meta m2;
	char err[256];
	int fd;

	fd = memfd_create("fuzz-dump-2", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (flap_dump__write(fd, m, t) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	if (flap_dump__read(fd, &m2, &u, err, sizeof(err)))
		abort();
	if (u->nevents != t->nevents || u->nsources != t->nsources || u->ncpus != t->ncpus)
		abort();
	flap_trace__free(u);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[256];
	int fd, rc;

	fd = memfd_with(data, size);
	rc = flap_dump__read(fd, &m, &t, err, sizeof(err));
	close(fd);
	if (rc == 0) {
		rewrite(&m, t);
		flap_trace__free(t);
	} else if (t || !err[0]) {
		abort(); /* an error leaves no trace and always says why */
	}
	return 0;
}
