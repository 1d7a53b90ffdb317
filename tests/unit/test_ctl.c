// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_ctl.c - the control protocol as the daemon answers it
 * (flap_ctl__answer(), recorder/daemon/ctl_handlers.c) against a fake daemon
 * (tests/lib/fake_daemon.c): every operation with its reply, the errors a
 * client gets for bad requests, framing (byte-by-byte delivery, lengths
 * over the cap, overlong varints, garbage), names with control bytes kept
 * out of replies and logs, and the inputs the fuzzer (tests/fuzz/fuzz_ctl.c)
 * found, replayed byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "pbio.h"
#include "test.h"
#include "util.h"

/* A reply: the Response, and the bytes after its frame (a dump stream). */
struct reply {
	int rc;
	Flap__Response *resp;
	uint8_t *raw;
	size_t len, rest_off;
};

static void reply_free(struct reply *r)
{
	if (r->resp)
		flap__response__free_unpacked(r->resp, NULL);
	free(r->raw);
	memset(r, 0, sizeof(*r));
}

/* Feeds @len bytes in chunks of @chunk (0: whole) and unpacks the reply. */
static bool ask_bytes(struct flap_daemon *d, const void *bytes, size_t len, size_t chunk,
		      struct reply *r)
{
	struct flap_pbio_stream in;
	size_t off = 0, n, used;
	uint32_t v;

	memset(r, 0, sizeof(*r));
	flap_pbio_stream__init(&in, FLAP_PBIO_MAX_CTL);
	while (off < len && r->rc == 0) {
		n = chunk && chunk < len - off ? chunk : len - off;
		r->rc = flap_ctl__answer(d, &in, 1, (const uint8_t *)bytes + off, n, &r->raw,
					 &r->len);
		off += n;
	}
	flap_pbio_stream__free(&in);
	if (r->rc != 1)
		return false;
	if (!ASSERT_EQ(flap_pbio__varint_decode(r->raw, r->len, &v, &used), 1, "reply frame") ||
	    !ASSERT_LE(used + v, r->len, "reply frame length"))
		return false;
	r->resp = flap__response__unpack(NULL, v, r->raw + used);
	r->rest_off = used + v;
	return ASSERT_OK_PTR(r->resp, "unpack the reply");
}

static bool ask(struct flap_daemon *d, Flap__Request *req, struct reply *r)
{
	uint8_t *buf = NULL;
	size_t len;
	bool ok;

	if (!req->version)
		req->version = 1;
	if (!ASSERT_OK(flap_pbio__pack(&req->base, FLAP_PBIO_MAX_CTL, &buf, &len), "pack"))
		return false;
	ok = ask_bytes(d, buf, len, 0, r);
	free(buf);
	return ASSERT_TRUE(ok, "a reply");
}

static int err_code(const struct reply *r)
{
	return r->resp && r->resp->error ? (int)r->resp->error->code : 0;
}

static const char *err_msg(const struct reply *r)
{
	return r->resp && r->resp->error ? r->resp->error->message : "";
}

/*
 * Asks @req and asserts the reply's error code @code (0: no error) and,
 * unless @msg is NULL, that its error message contains @msg.
 */
static void expect_reply(struct flap_daemon *d, Flap__Request *req, int code, const char *msg,
			 const char *what)
{
	struct reply r = {};

	if (ask(d, req, &r) && ASSERT_EQ(err_code(&r), code, what) && msg)
		ASSERT_STRCONTAINS(err_msg(&r), msg, what);
	reply_free(&r);
}

static struct flap_daemon *new_daemon(const char *dump_dir)
{
	struct flap_daemon *d = fake_daemon__new(dump_dir);

	if (!ASSERT_OK_PTR(d, "fake daemon") || !ASSERT_OK(fake_daemon__populate(d), "populate")) {
		fake_daemon__free(d);
		return NULL;
	}
	return d;
}

void test_ctl_list_status(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__ListRequest list = FLAP__LIST_REQUEST__INIT;
	Flap__StatusRequest status = FLAP__STATUS_REQUEST__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r = {};

	if (!d)
		return;
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &list;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_LIST, "list")) {
		ASSERT_EQ(r.resp->list->n_recorders, 4, "four recorders");
		ASSERT_STREQ(r.resp->list->recorders[0]->name, "web", "first");
		ASSERT_STREQ(r.resp->list->recorders[0]->pod, "shop", "its pod");
		ASSERT_STREQ(r.resp->list->recorders[0]->state, "running", "its state");
		ASSERT_EQ(r.resp->list->recorders[3]->cgroup_id, 4242, "solo's cgroup");
		ASSERT_EQ(r.rest_off, r.len, "nothing after the reply");
	}
	reply_free(&r);
	req.op_case = FLAP__REQUEST__OP_STATUS;
	req.status = &status;
	if (ask(d, &req, &r) &&
	    ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_STATUS, "status")) {
		ASSERT_EQ(r.resp->status->recorders, 4, "status counts recorders");
		ASSERT_STRCONTAINS(r.resp->status->socket, "flap.sock", "socket path");
		ASSERT_EQ(r.resp->status->pid, getpid(), "daemon pid");
	}
	reply_free(&r);
	fake_daemon__free(d);
}

void test_ctl_add(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	char long_name[300];
	struct reply r = {};

	if (!d)
		return;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	add.spec = &spec;
	spec.pid = 77;
	spec.main_pid = true;
	spec.pod = "cart";
	spec.namespace_ = "prod";
	spec.container = "api";
	spec.buf_max = -1;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_ADD, "add")) {
		ASSERT_STREQ(r.resp->add->recorder->name, "api", "named after the container");
		ASSERT_EQ(r.resp->add->recorder->main_pid, 77, "main pid");
		ASSERT_EQ(fake_daemon__count(d), 5, "five recorders");
	}
	reply_free(&r);
	expect_reply(d, &req, FLAP__ERROR_CODE__EXISTS, NULL, "the same pid again");

	/* Each refusal names its reason; nothing is added. */
	spec.pid = 78;
	spec.ring_pages = 3;
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, "power of two", "ring pages 3");
	spec.ring_pages = 0;
	spec.buf_max = 2000;
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, NULL, "buffer size 2000");
	spec.buf_max = -1;
	spec.on_exit = "sometimes";
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, "on-exit", "bad on-exit");
	spec.on_exit = NULL;
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	spec.container = long_name;
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, "the container is 299 bytes long",
		     "299-byte container");
	spec.container = "api2";
	add.spec = NULL;
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, "no recorder spec",
		     "add without a spec");
	ASSERT_EQ(fake_daemon__count(d), 5, "no refused add was added");
	fake_daemon__free(d);
}

/* Names with control bytes are refused; "../../etc" is a name like any other. */
void test_ctl_hostile_names(void)
{
	static const char *const bad[] = {"a\nb", "\033[31mred", "tab\there", "del\x7f"};
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	Flap__StoppedRequest stop = FLAP__STOPPED_REQUEST__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r = {};
	size_t i;

	if (!d)
		return;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	add.spec = &spec;
	spec.cgroup_id = 9001;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		spec.pod = (char *)bad[i];
		expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST,
			     "the pod contains a control character", bad[i]);
	}
	spec.pod = "../../etc";
	spec.container = "..";
	if (ask(d, &req, &r) && ASSERT_EQ(err_code(&r), 0, "dots are accepted"))
		ASSERT_STREQ(r.resp->add->recorder->pod, "../../etc", "kept as given");
	reply_free(&r);

	/* An error message that quotes the request carries no control byte. */
	req.op_case = FLAP__REQUEST__OP_STOPPED;
	req.stopped = &stop;
	stop.container_id = "x\n\033]0;title\007";
	if (ask(d, &req, &r)) {
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__NOT_FOUND, "unknown container");
		ASSERT_STREQ(err_msg(&r), "no recorder for container 'x??]0;title?'", "escaped");
	}
	reply_free(&r);
	fake_daemon__free(d);
}

/* The dump stream after a dump reply, read back (NULL on failure; caller frees). */
static struct flap_trace *read_dump(const struct reply *r)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[256];
	int fd;

	fd = memfd_create("test-ctl", MFD_CLOEXEC);
	if (!ASSERT_OK_FD(fd, "memfd"))
		return NULL;
	if (!ASSERT_OK(flap_fd__write_all(fd, r->raw + r->rest_off, r->len - r->rest_off),
		       "write") ||
	    !ASSERT_OK(lseek(fd, 0, SEEK_SET), "seek") ||
	    !ASSERT_OK(flap_dump__read(fd, &m, &t, err, sizeof(err)), err))
		t = NULL;
	close(fd);
	return t;
}

/* The dump stream after a dump reply, read back. */
static void check_dump(const struct reply *r, int sources, size_t events)
{
	struct flap_trace *t = read_dump(r);

	if (t) {
		ASSERT_EQ(t->nsources, sources, "sources");
		ASSERT_EQ(t->nevents, events, "events");
		flap_trace__free(t);
	}
}

void test_ctl_targets(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__DumpRequest dump = FLAP__DUMP_REQUEST__INIT;
	Flap__RemoveRequest rm = FLAP__REMOVE_REQUEST__INIT;
	Flap__StoppedRequest stop = FLAP__STOPPED_REQUEST__INIT;
	Flap__Target t = FLAP__TARGET__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r = {};

	if (!d)
		return;
	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dump;
	dump.target = &t;
	t.name = "shop";
	t.namespace_ = "prod";
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_DUMP, "dump")) {
		ASSERT_EQ(r.resp->dump->sources, 2, "a pod of two containers");
		check_dump(&r, 2, 2 * FAKE_EVENTS_PER_ENTRY);
	}
	reply_free(&r);
	dump.last = 2;
	if (ask(d, &req, &r) && ASSERT_EQ(err_code(&r), 0, "dump --last 2"))
		check_dump(&r, 2, 2);
	reply_free(&r);
	dump.last = 0;
	t.name = "4242";
	t.namespace_ = NULL;
	if (ask(d, &req, &r) && ASSERT_EQ(err_code(&r), 0, "by cgroup id"))
		ASSERT_EQ(r.resp->dump->sources, 1, "one source");
	reply_free(&r);

	t.name = "shop";
	if (ask(d, &req, &r)) {
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__AMBIGUOUS, "shop in two namespaces");
		ASSERT_GE(r.resp->error->n_candidates, 4, "candidates listed");
	}
	reply_free(&r);
	t.name = "nope";
	expect_reply(d, &req, FLAP__ERROR_CODE__NOT_FOUND, "'nope'", "unknown");
	dump.target = NULL;
	if (ask(d, &req, &r))
		ASSERT_STREQ(err_msg(&r), "no target given", "no target");
	reply_free(&r);
	ASSERT_EQ(fake_daemon__reads(d), 3, "only resolved targets are read");

	req.op_case = FLAP__REQUEST__OP_STOPPED;
	req.stopped = &stop;
	stop.container_id = "c0ffee02";
	expect_reply(d, &req, 0, NULL, "stopped");

	req.op_case = FLAP__REQUEST__OP_REMOVE;
	req.remove = &rm;
	rm.target = &t;
	t.name = "shop";
	t.namespace_ = "prod";
	expect_reply(d, &req, 0, NULL, "remove a pod");
	ASSERT_EQ(fake_daemon__removes(d), 2, "both containers removed");
	ASSERT_EQ(fake_daemon__count(d), 2, "two left");
	fake_daemon__free(d);
}

void test_ctl_dumps(void)
{
	char dir[] = "/tmp/test-ctl.XXXXXX", sub[64], path[128], path2[128];
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__DumpsRequest dumps = FLAP__DUMPS_REQUEST__INIT;
	Flap__Target t = FLAP__TARGET__INIT;
	struct flap_trace *tr = NULL;
	struct flap_daemon *d = NULL;
	struct flap_dump_meta m;
	struct flap_entry *e;
	struct reply r = {};
	int fd;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(sub, sizeof(sub), "%s/shop", dir);
	snprintf(path, sizeof(path), "%s/20260101T000000.000000Z-web-SIGSEGV.flap", sub);
	snprintf(path2, sizeof(path2), "%s/corrupt.flap", sub);
	d = new_daemon(dir);
	if (!d || !ASSERT_OK(mkdir(sub, 0700), "mkdir") ||
	    !ASSERT_EQ(flap_daemon__resolve(d, "web", "prod", &e, 1), 1, "web") ||
	    !ASSERT_OK(flap_daemon__read(d, &e, 1, 0, &tr), "read"))
		goto out;
	flap_dump_meta__init(&m, "web");
	snprintf(m.reason.kind, sizeof(m.reason.kind), "crash");
	snprintf(m.reason.text, sizeof(m.reason.text), "SIGSEGV in pid 100");
	if (!ASSERT_OK(flap_dump__save(path, &m, tr), "save"))
		goto out;
	fd = open(path2, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (!ASSERT_OK_FD(fd, "corrupt file") ||
	    !ASSERT_OK(flap_fd__write_all(fd, "FLAPDMP", 7), "w"))
		goto out;
	close(fd);
	req.op_case = FLAP__REQUEST__OP_DUMPS;
	req.dumps = &dumps;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_DUMPS, "dumps") &&
	    ASSERT_EQ(r.resp->dumps->n_dumps, 1, "the corrupt file is skipped")) {
		ASSERT_STREQ(r.resp->dumps->dumps[0]->path, path, "path");
		ASSERT_STREQ(r.resp->dumps->dumps[0]->reason->text, "SIGSEGV in pid 100", "reason");
		ASSERT_EQ(r.resp->dumps->dumps[0]->events, FAKE_EVENTS_PER_ENTRY, "events");
	}
	reply_free(&r);
	dumps.target = &t;
	t.name = "db";
	if (ask(d, &req, &r))
		ASSERT_EQ(r.resp->dumps->n_dumps, 0, "no dump of db");
	reply_free(&r);
out:
	flap_trace__free(tr);
	fake_daemon__free(d);
	unlink(path);
	unlink(path2);
	rmdir(sub);
	rmdir(dir);
}

/*
 * As many recorders as the registry holds (1024), with long names, and
 * hundreds of crash dumps: the list and dumps replies are far over the
 * 64 KiB request cap and must still come whole.
 */
void test_ctl_big_replies(void)
{
	char dir[] = "/tmp/test-ctl-big.XXXXXX", sub[64], path[160], name[256];
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__ListRequest list = FLAP__LIST_REQUEST__INIT;
	Flap__DumpsRequest dumps = FLAP__DUMPS_REQUEST__INIT;
	struct flap_trace *tr = NULL;
	struct flap_daemon *d = NULL;
	struct flap_dump_meta m;
	struct flap_entry *e;
	struct reply r = {};
	int i, ndumps = 0;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	d = fake_daemon__new(dir);
	if (!ASSERT_OK_PTR(d, "daemon"))
		goto out;
	for (i = 0; i < 1024; i++) {
		snprintf(name, sizeof(name), "%0200d", i);
		if (!ASSERT_OK_PTR(fake_daemon__add_entry(d, name, "a-pod-with-a-long-name",
							  "a-namespace", name, name, 1000 + i),
				   "add"))
			goto out;
	}
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &list;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_LIST, "list")) {
		ASSERT_GT(r.len, 4 * FLAP_PBIO_MAX_CTL, "a reply over 256 KiB");
		ASSERT_EQ(r.resp->list->n_recorders, 1024, "all 1024 recorders");
	}
	reply_free(&r);

	e = TAILQ_FIRST(flap_daemon__entries(d));
	snprintf(sub, sizeof(sub), "%s/pod", dir);
	if (!ASSERT_OK(mkdir(sub, 0700), "mkdir") ||
	    !ASSERT_OK(flap_daemon__read(d, &e, 1, 0, &tr), "read"))
		goto out;
	flap_dump_meta__init(&m, "web");
	snprintf(m.reason.kind, sizeof(m.reason.kind), "crash");
	for (ndumps = 0; ndumps < 600; ndumps++) {
		snprintf(m.reason.text, sizeof(m.reason.text), "SIGSEGV number %d", ndumps);
		snprintf(path, sizeof(path), "%s/%06d-web-SIGSEGV.flap", sub, ndumps);
		if (!ASSERT_OK(flap_dump__save(path, &m, tr), "save"))
			goto out;
	}
	req.op_case = FLAP__REQUEST__OP_DUMPS;
	req.dumps = &dumps;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_DUMPS, "dumps"))
		ASSERT_EQ(r.resp->dumps->n_dumps, 600, "all 600 dumps");
	reply_free(&r);
out:
	for (i = 0; i < ndumps; i++) {
		snprintf(path, sizeof(path), "%s/%06d-web-SIGSEGV.flap", sub, i);
		unlink(path);
	}
	rmdir(sub);
	rmdir(dir);
	flap_trace__free(tr);
	fake_daemon__free(d);
}

void test_ctl_bad_requests(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__StatusRequest status = FLAP__STATUS_REQUEST__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r = {};

	if (!d)
		return;
	req.version = 2;
	req.op_case = FLAP__REQUEST__OP_STATUS;
	req.status = &status;
	if (ask(d, &req, &r)) {
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__UNSUPPORTED, "version 2");
		ASSERT_STREQ(err_msg(&r), "protocol version 2 not supported", "message");
	}
	reply_free(&r);
	req.version = 1;
	req.op_case = FLAP__REQUEST__OP__NOT_SET;
	if (ask(d, &req, &r))
		ASSERT_STREQ(err_msg(&r), "unknown operation", "no operation");
	reply_free(&r);
	fake_daemon__free(d);
}

void test_ctl_framing(void)
{
	/* status, version 1 */
	static const uint8_t status[] = {0x04, 0x08, 0x01, 0x6a, 0x00};
	static const uint8_t too_large[] = {0x81, 0x80, 0x04};
	static const uint8_t overlong[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t junk[] = {0x03, 0xff, 0xff, 0xff};
	static const uint8_t empty[] = {0x00};
	static const uint8_t two[] = {0x04, 0x08, 0x01, 0x62, 0x00, 0x04, 0x08, 0x01, 0x6a, 0x00};
	struct flap_daemon *d = new_daemon(NULL);
	struct flap_pbio_stream in;
	uint8_t *out = NULL;
	size_t len, i;
	struct reply r;

	if (!d)
		return;
	/* Byte by byte: no answer until the last byte. */
	flap_pbio_stream__init(&in, FLAP_PBIO_MAX_CTL);
	for (i = 0; i + 1 < sizeof(status); i++)
		ASSERT_EQ(flap_ctl__answer(d, &in, 1, status + i, 1, &out, &len), 0, "wait");
	ASSERT_EQ(flap_ctl__answer(d, &in, 1, status + i, 1, &out, &len), 1, "answered");
	free(out);
	flap_pbio_stream__free(&in);
	if (ask_bytes(d, status, sizeof(status), 1, &r))
		ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_STATUS, "status");
	reply_free(&r);

	/* Refused as soon as the length says too much, before the payload. */
	if (ask_bytes(d, too_large, sizeof(too_large), 0, &r)) {
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__TOO_LARGE, "65537 bytes");
		ASSERT_STRCONTAINS(err_msg(&r), "larger than 65536 bytes", "says the cap");
	}
	reply_free(&r);
	if (ask_bytes(d, overlong, sizeof(overlong), 1, &r))
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__TOO_LARGE, "overlong varint");
	reply_free(&r);
	if (ask_bytes(d, junk, sizeof(junk), 0, &r))
		ASSERT_STREQ(err_msg(&r), "malformed request", "junk payload");
	reply_free(&r);
	/* An empty message is a request of version 0. */
	if (ask_bytes(d, empty, sizeof(empty), 0, &r))
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__UNSUPPORTED, "empty frame");
	reply_free(&r);
	/* One request per connection: the second is not looked at. */
	if (ask_bytes(d, two, sizeof(two), 0, &r))
		ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_LIST, "first one answered");
	reply_free(&r);
	fake_daemon__free(d);
}

/*
 * Inputs fuzz_ctl found (also seeds in tests/fuzz/corpus/ctl/). Each must
 * get its one-line, control-byte-free error reply.
 */
void test_ctl_fuzz_regressions(void)
{
	/* crash-stopped-control-bytes.bin: a stopped request whose container
	 * id "c0ffeew\b" was quoted raw into the error message (and the daemon's
	 * log); the 3 bytes after the frame are not looked at. */
	static const uint8_t stopped_ctl[] = {0x0f, 0x08, 0x01, 0x82, 0x01, 0x0a, 0x0a,
					      0x08, 0x63, 0x30, 0x66, 0x66, 0x65, 0x65,
					      0x77, 0x08, 0x01, 0x30, 0x32};
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r;

	if (!d)
		return;
	if (ask_bytes(d, stopped_ctl, sizeof(stopped_ctl), 0, &r)) {
		ASSERT_EQ(err_code(&r), FLAP__ERROR_CODE__NOT_FOUND, "stopped, unknown id");
		ASSERT_STREQ(err_msg(&r), "no recorder for container 'c0ffeew?'", "escaped");
	}
	reply_free(&r);
	fake_daemon__free(d);
}

/* A dump of @target through the control protocol, read back (NULL on failure; caller frees). */
static struct flap_trace *dump_target(struct flap_daemon *d, const char *target)
{
	Flap__DumpRequest dump = FLAP__DUMP_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target tg = FLAP__TARGET__INIT;
	struct flap_trace *t = NULL;
	struct reply r = {};

	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dump;
	dump.target = &tg;
	tg.name = (char *)target;
	if (ask(d, &req, &r) && ASSERT_EQ(err_code(&r), 0, "dump"))
		t = read_dump(&r);
	reply_free(&r);
	return t;
}

/* The sources of a dump of @target: their syscall filters, comma-joined, in @out. */
static void dump_filters(struct flap_daemon *d, const char *target, char *out, size_t size)
{
	struct flap_trace *t = dump_target(d, target);
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; t && i < t->nsources; i++)
		n += snprintf(out + n, size - n, "%s[%s]", i ? "," : "",
			      t->sources[i].syscall_filter);
	flap_trace__free(t);
}

/* An add with an in-kernel syscall filter: parsed, kept, listed, dumped; bad sets refused. */
void test_ctl_add_syscalls(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	char *items[] = {"%net", "close"}, *bad[] = {"%net", "no_such_call"};
	struct flap_daemon *d = new_daemon(NULL);
	Flap__RecorderInfo *ri;
	struct reply r = {};
	char filters[256];

	if (!d)
		return;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	add.spec = &spec;
	spec.pid = 91;
	spec.buf_max = -1;
	spec.syscalls = items;
	spec.n_syscalls = 2;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_ADD, "add")) {
		ri = r.resp->add->recorder;
		ASSERT_STREQ(ri->syscalls, "%net,close", "the set as given");
		ASSERT_EQ(ri->syscalls_recorded, 20, "19 %net calls and close");
		/* Its dumps say which syscalls were recorded. */
		dump_filters(d, ri->name, filters, sizeof(filters));
		ASSERT_STREQ(filters, "[%net,close]", "the dump's source carries the set");
	}
	reply_free(&r);
	spec.pid = 92;
	spec.syscalls = bad;
	expect_reply(d, &req, FLAP__ERROR_CODE__BAD_REQUEST, "unknown syscall 'no_such_call'",
		     "unknown syscall");
	items[0] = "all";
	spec.syscalls = items;
	spec.n_syscalls = 1;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_ADD, "all")) {
		ri = r.resp->add->recorder;
		ASSERT_STREQ(ri->syscalls, "", "\"all\" is no filter");
		dump_filters(d, ri->name, filters, sizeof(filters));
		ASSERT_STREQ(filters, "[]", "no filter in the dump");
	}
	reply_free(&r);
	fake_daemon__free(d);
}

/* Adds a recorder for cgroup @cgid, asking for exact durations or not. Return: its info. */
static Flap__RecorderInfo *add_exact(struct flap_daemon *d, __u64 cgid, bool exact, struct reply *r)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;

	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	add.spec = &spec;
	spec.cgroup_id = cgid;
	spec.buf_max = -1;
	spec.exact_durations = exact;
	if (!ask(d, &req, r) || !ASSERT_EQ(r->resp->body_case, FLAP__RESPONSE__BODY_ADD, "add"))
		return NULL;
	return r->resp->add->recorder;
}

/* Whether the recorder of cgroup @cgid measures every duration, and its dumps say so. */
static bool recorder_exact(struct flap_daemon *d, __u64 cgid, const char *name)
{
	struct flap_entry *e = flap_daemon__find_cgroup(d, cgid);
	bool exact = e && flap_recorder__opts(e->rec)->exact_durations;
	struct flap_trace *t = dump_target(d, name);

	if (ASSERT_OK_PTR(t, "dump") && ASSERT_EQ(t->nsources, 1, "one source"))
		ASSERT_EQ(t->sources[0].exact_durations, exact,
			  "the dump says what the recorder did");
	flap_trace__free(t);
	return exact;
}

/*
 * --exact-durations: an add request carries it to the recorder's options,
 * list shows it, dumps say it; the daemon's --exact-durations turns it on
 * for every recorder, and a request cannot turn that off.
 */
void test_ctl_add_exact_durations(void)
{
	struct flap_daemon *d = new_daemon(NULL);
	Flap__RecorderInfo *ri;
	struct reply r = {};
	char name[256] = "";

	if (!d)
		return;
	ri = add_exact(d, 7001, true, &r);
	if (ri) {
		ASSERT_TRUE(ri->exact_durations, "the add reply says exact");
		ASSERT_TRUE(recorder_exact(d, 7001, ri->name), "asked: exact");
	}
	reply_free(&r);
	ri = add_exact(d, 7002, false, &r);
	if (ri) {
		ASSERT_FALSE(ri->exact_durations, "the add reply says not");
		ASSERT_FALSE(recorder_exact(d, 7002, ri->name), "not asked: the default, off");
		snprintf(name, sizeof(name), "%s", ri->name);
	}
	reply_free(&r);

	/* flap-recorder daemon --exact-durations: the default for every new recorder. */
	fake_daemon__opts(d)->exact_durations = true;
	ri = add_exact(d, 7003, false, &r);
	if (ri) {
		ASSERT_TRUE(ri->exact_durations, "daemon default: exact");
		ASSERT_TRUE(recorder_exact(d, 7003, ri->name), "false is the daemon default");
	}
	reply_free(&r);
	ri = add_exact(d, 7004, true, &r);
	if (ri)
		ASSERT_TRUE(recorder_exact(d, 7004, ri->name), "both: exact");
	reply_free(&r);
	ASSERT_FALSE(recorder_exact(d, 7002, name), "earlier recorders keep theirs");
	fake_daemon__free(d);
}

/* list reports each recorder's duration mode. */
void test_ctl_list_exact_durations(void)
{
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__ListRequest list = FLAP__LIST_REQUEST__INIT;
	struct flap_daemon *d = new_daemon(NULL);
	struct reply r = {};
	size_t i;

	if (!d)
		return;
	ASSERT_OK_PTR(add_exact(d, 7101, true, &r), "add");
	reply_free(&r);
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &list;
	if (ask(d, &req, &r) && ASSERT_EQ(r.resp->body_case, FLAP__RESPONSE__BODY_LIST, "list") &&
	    ASSERT_EQ(r.resp->list->n_recorders, 5, "five recorders")) {
		for (i = 0; i < r.resp->list->n_recorders; i++)
			ASSERT_EQ(r.resp->list->recorders[i]->exact_durations,
				  r.resp->list->recorders[i]->cgroup_id == 7101,
				  "only the one asked");
	}
	reply_free(&r);
	fake_daemon__free(d);
}
