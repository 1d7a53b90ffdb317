// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen_ctl_corpus.c - writes the seed corpus of fuzz_ctl.c into a directory:
 * a valid request (packed and framed with protobuf-c, as the CLI sends it)
 * of every operation of proto/ctl.proto, requests the daemon refuses (bad
 * version, no operation, bad add options, unknown or ambiguous targets), and
 * framing garbage (a length over the cap, an overlong varint, a cut frame,
 * an empty frame, two requests in one stream, random bytes).
 *
 * Build and run from the top of the tree (B: a build directory with the
 * generated proto code, `make OUTPUT=$B proto`):
 *
 *   cc -D_GNU_SOURCE -I$B/proto -Irecorder/base -Irecorder/store tests/fuzz/gen_ctl_corpus.c \
 *     recorder/store/pbio.c recorder/base/util.c $B/proto/ctl.pb-c.c $B/proto/dump.pb-c.c \
 *     -lprotobuf-c -o $B/gen_ctl_corpus
 *   $B/gen_ctl_corpus tests/fuzz/corpus/ctl
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.pb-c.h"
#include "pbio.h"

static const char *out_dir;

static void put_file(const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "we");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

/* Frames @req (version 1 unless set) and writes it as seed @name. */
static void put_req(const char *name, Flap__Request *req)
{
	uint8_t *buf = NULL;
	size_t len;

	if (flap_pbio__pack(&req->base, FLAP_PBIO_MAX_CTL, &buf, &len)) {
		fprintf(stderr, "cannot pack %s\n", name);
		exit(1);
	}
	put_file(name, buf, len);
	free(buf);
}

static void gen_add(void)
{
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	char *syscalls[] = {"openat", "write"};

	req.version = 1;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	add.spec = &spec;
	/* The OCI hook's request. */
	spec.pid = 4321;
	spec.main_pid = true;
	spec.pod = "shop";
	spec.namespace_ = "staging";
	spec.pod_uid = "7f0c1f9e-0000-4000-8000-000000000001";
	spec.container = "cart";
	spec.container_id = "0123456789abcdef0123456789abcdef";
	spec.ring_pages = 32;
	spec.str_max = 512;
	spec.buf_max = 0;
	spec.on_exit = "signal";
	put_req("add-hook.bin", &req);
	/* `add --cgroup PATH --name N`, then by id. */
	flap__recorder_spec__init(&spec);
	spec.cgroup_path = "/sys/fs/cgroup/system.slice/app.service";
	spec.name = "app";
	spec.buf_max = -1;
	put_req("add-cgroup-path.bin", &req);
	flap__recorder_spec__init(&spec);
	spec.cgroup_id = 987654;
	spec.buf_max = -1;
	put_req("add-cgroup-id.bin", &req);
	/* Refused: ring pages not a power of two, sizes, on-exit; a syscall filter; nothing. */
	spec.ring_pages = 3;
	put_req("add-bad-ring.bin", &req);
	spec.ring_pages = 0;
	spec.buf_max = 4096;
	put_req("add-bad-bufsize.bin", &req);
	spec.buf_max = -1;
	spec.on_exit = "sometimes";
	put_req("add-bad-on-exit.bin", &req);
	spec.on_exit = NULL;
	spec.n_syscalls = 2;
	spec.syscalls = syscalls;
	put_req("add-syscall-filter.bin", &req);
	flap__recorder_spec__init(&spec);
	put_req("add-nothing.bin", &req);
	/* A name that must not reach a log line or a file name as it is. */
	spec.cgroup_id = 55;
	spec.pod = "../../etc";
	spec.container = "x\n\033[31mred";
	put_req("add-hostile-names.bin", &req);
	/* An add without its spec. */
	add.spec = NULL;
	put_req("add-no-spec.bin", &req);
}

static void gen_targets(void)
{
	Flap__RemoveRequest rm = FLAP__REMOVE_REQUEST__INIT;
	Flap__DumpRequest dump = FLAP__DUMP_REQUEST__INIT;
	Flap__DumpsRequest dumps = FLAP__DUMPS_REQUEST__INIT;
	Flap__StoppedRequest stop = FLAP__STOPPED_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target t = FLAP__TARGET__INIT;

	req.version = 1;
	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dump;
	dump.target = &t;
	t.name = "shop";
	t.namespace_ = "prod";
	dump.last = 2;
	put_req("dump-pod.bin", &req);
	t.namespace_ = NULL;
	dump.last = 0;
	put_req("dump-ambiguous.bin", &req);
	t.name = "4242";
	put_req("dump-cgroup-id.bin", &req);
	t.name = "no-such-pod";
	put_req("dump-unknown.bin", &req);
	dump.target = NULL;
	put_req("dump-no-target.bin", &req);

	req.op_case = FLAP__REQUEST__OP_REMOVE;
	req.remove = &rm;
	rm.target = &t;
	t.name = "web";
	t.namespace_ = "prod";
	put_req("remove-name.bin", &req);

	req.op_case = FLAP__REQUEST__OP_DUMPS;
	req.dumps = &dumps;
	put_req("dumps-all.bin", &req);
	dumps.target = &t;
	t.name = "shop";
	put_req("dumps-pod.bin", &req);

	req.op_case = FLAP__REQUEST__OP_STOPPED;
	req.stopped = &stop;
	stop.container_id = "c0ffee02";
	put_req("stopped.bin", &req);
	stop.container_id = "deadbeef";
	put_req("stopped-unknown.bin", &req);
}

static void gen_simple(void)
{
	Flap__ListRequest list = FLAP__LIST_REQUEST__INIT;
	Flap__StatusRequest status = FLAP__STATUS_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;

	req.version = 1;
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &list;
	put_req("list.bin", &req);
	req.op_case = FLAP__REQUEST__OP_STATUS;
	req.status = &status;
	put_req("status.bin", &req);
	req.version = 2;
	put_req("status-version-2.bin", &req);
	req.version = 1;
	req.op_case = FLAP__REQUEST__OP__NOT_SET;
	put_req("no-op.bin", &req);
}

static void gen_garbage(void)
{
	/* 65537 bytes announced: over the 64 KiB cap before any payload. */
	static const uint8_t too_large[] = {0x81, 0x80, 0x04, 0x08, 0x01};
	static const uint8_t overlong[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	/* A status request whose frame says 10 bytes but holds 4. */
	static const uint8_t cut[] = {0x0a, 0x08, 0x01, 0x6a, 0x00};
	static const uint8_t empty[] = {0x00};
	/* An unknown field (99, varint) and an op field of the wrong wire type. */
	static const uint8_t unknown[] = {0x07, 0x08, 0x01, 0x98, 0x06, 0x01, 0x60, 0x05};
	/* list then status in one write: only the first is answered. */
	static const uint8_t two[] = {0x04, 0x08, 0x01, 0x62, 0x00, 0x04, 0x08, 0x01, 0x6a, 0x00};
	static const uint8_t text[] = "GET / HTTP/1.0\r\n\r\n";
	uint8_t rnd[97];
	size_t i;

	put_file("garbage-too-large.bin", too_large, sizeof(too_large));
	put_file("garbage-overlong-varint.bin", overlong, sizeof(overlong));
	put_file("garbage-cut.bin", cut, sizeof(cut));
	put_file("garbage-empty-frame.bin", empty, sizeof(empty));
	put_file("garbage-wire-types.bin", unknown, sizeof(unknown));
	put_file("two-requests.bin", two, sizeof(two));
	put_file("garbage-http.bin", text, sizeof(text) - 1);
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 73 + 41);
	rnd[0] = sizeof(rnd) - 1;
	put_file("garbage-random.bin", rnd, sizeof(rnd));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	gen_add();
	gen_targets();
	gen_simple();
	gen_garbage();
	return 0;
}
