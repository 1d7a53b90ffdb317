// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_dump.c - dump files: round trips of a hand-built trace (memfd, pipe,
 * socket, file) compared field by field, the exact bytes of a small dump
 * (golden), what the header carries beyond the trace (window, syscall
 * names), corrupt and truncated inputs (every prefix of a valid dump, bit
 * flips, crafted streams that break one rule each), writer refusals, and
 * the atomic save (mode 0600, no temp file left on any failure).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "dump.h"
#include "dump.pb-c.h"
#include "pbio.h"
#include "syscalls.h"
#include "test.h"
#include "trace.h"
#include "util.h"

#define B2R 1700000000000000000LL

static const __u8 cap_bin[] = {0x00, 0x01, 0xff, 0x00, 0x7f, 0x80, 0x00, 0x0a};

static void fill_source(struct flap_source *s, int i)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "rec-%d", i);
	snprintf(s->pod, sizeof(s->pod), "pod-%d", i);
	snprintf(s->ns, sizeof(s->ns), "ns-%d", i);
	snprintf(s->pod_uid, sizeof(s->pod_uid), "uid-%d-0000-1111", i);
	snprintf(s->container, sizeof(s->container), "ctr-%d", i);
	snprintf(s->container_id, sizeof(s->container_id), "%064d", i);
	snprintf(s->cgroup_path, sizeof(s->cgroup_path), "/sys/fs/cgroup/kubepods/pod%d/ctr", i);
	s->cgroup_id = 0x100000000ULL + i;
	s->main_pid = 4000 + i;
	s->counts.produced = 100 + i;
	s->counts.held = 90 + i;
	s->counts.overwritten = 7 + i;
	s->counts.lost = 3;
	s->counts.torn = i;
	s->counts.bytes = 12345 + i;
	/* One filtered source, one without a filter: both must survive a round trip. */
	if (i == 1)
		snprintf(s->syscall_filter, sizeof(s->syscall_filter), "%%file,write,!futex");
	/* And one with exact durations, one without. */
	s->exact_durations = i == 0;
}

static void make_meta(struct flap_dump_meta *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->tool_version, "0.1.0");
	strcpy(m->host, "node-1");
	strcpy(m->kernel, "6.18.0-test");
	strcpy(m->arch, "x86_64");
	strcpy(m->target, "default/web");
	m->created_ns = B2R + 5000000;
	strcpy(m->reason.kind, "crash");
	m->reason.signal = 11;
	m->reason.exit_code = 139;
	m->reason.pid = 4242;
	strcpy(m->reason.comm, "crashme");
	strcpy(m->reason.text, "SIGSEGV in pid 4242 (crash)");
	m->reason.time_ns = B2R + 4000000;
	m->reason.core = true;
}

/* Adds capture @i of @ev with bytes copied into the trace's arena. */
static int add_cap(struct flap_trace *t, struct flap_event *ev, __u8 arg, __u8 flags,
		   const void *data, size_t len)
{
	struct flap_cap *c = &ev->caps[ev->ncaps];

	c->arg = arg;
	c->flags = flags;
	c->len = len;
	c->data = flap_trace__copy_bytes(t, data, len);
	if (!c->data)
		return -ENOMEM;
	ev->ncaps++;
	return 0;
}

/* Event @i of the test trace: every field set, a mix of flags and captures. */
static int add_event(struct flap_trace *t, int i)
{
	struct flap_event *ev = flap_trace__push(t);
	int j, err = 0;

	if (!ev)
		return -ENOMEM;
	ev->ts = 1000000 + i * 1000;
	ev->exit_ts = i % 4 == 3 ? 0 : ev->ts + 500 + i;
	ev->dur_ns = ev->exit_ts ? ev->exit_ts - ev->ts : 0;
	ev->ret = i % 3 == 1 ? -2 : (i % 3 == 2 ? (__s64)0x7fffffffffffffffLL : i);
	ev->nargs = i % 7;
	for (j = 0; j < ev->nargs; j++)
		ev->args[j] = j == 0 ? ~0ULL : ((__u64)i << 32 | (__u64)j);
	ev->tid = 100 + i % 5;
	ev->tgid = 100;
	ev->nr = (__u32[]){257, 0, 1, 60, 231, 9999}[i % 6];
	ev->flags = FLAP_EV_F_HAS_ENTER |
		    (ev->exit_ts ? FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR : FLAP_EV_F_UNFINISHED);
	if (i % 5 == 4)
		ev->flags |= FLAP_EV_F_CAPS_DROPPED | FLAP_EV_F_EXIT_LOST;
	ev->cpu = i % 4;
	ev->source = i % 2;
	snprintf(ev->comm, sizeof(ev->comm), i % 2 ? "fifteen-chars-x" : "sh");
	if (i % 3 == 0)
		err = add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/etc/passwd", 11);
	if (!err && i % 2 == 0)
		err = add_cap(t, ev, 1, 0, cap_bin, sizeof(cap_bin));
	if (!err && i % 4 == 0)
		err = add_cap(t, ev, 5, FLAP_EVCAP_F_TRUNC | FLAP_EVCAP_F_FAULT, "", 0);
	return err;
}

/* The round-trip trace: @nevents events, 2 sources, 4 CPUs. */
static int make_trace(size_t nevents, struct flap_trace **out)
{
	struct flap_trace *t = NULL;
	struct flap_source s;
	size_t i;
	int err;

	err = flap_trace__new(4, &t);
	if (err)
		return err;
	for (i = 0; i < 2 && !err; i++) {
		fill_source(&s, (int)i);
		err = flap_trace__add_source(t, &s) < 0 ? -ENOMEM : 0;
	}
	for (i = 0; i < 4; i++) {
		t->cpus[i].produced = 1000 * (i + 1);
		t->cpus[i].held = 900 * (i + 1);
		t->cpus[i].overwritten = 90 * i;
		t->cpus[i].lost = 10 * (i + 1);
		t->cpus[i].torn = i;
		t->cpus[i].bytes = 1ULL << (33 + i);
	}
	flap_trace__sum(t);
	t->boot_to_real_ns = B2R;
	t->read_ns = 99000000;
	for (i = 0; i < nevents && !err; i++)
		err = add_event(t, (int)i);
	if (err) {
		flap_trace__free(t);
		return err;
	}
	*out = t;
	return 0;
}

static bool counts_eq(const struct flap_cpu_counts *a, const struct flap_cpu_counts *b,
		      const char *what)
{
	return ASSERT_EQ(a->produced, b->produced, what) && ASSERT_EQ(a->held, b->held, what) &&
	       ASSERT_EQ(a->overwritten, b->overwritten, what) &&
	       ASSERT_EQ(a->lost, b->lost, what) && ASSERT_EQ(a->torn, b->torn, what) &&
	       ASSERT_EQ(a->bytes, b->bytes, what);
}

static bool meta_eq(const struct flap_dump_meta *a, const struct flap_dump_meta *b)
{
	const struct flap_reason *x = &a->reason, *y = &b->reason;

	return ASSERT_STREQ(a->tool_version, b->tool_version, "tool_version") &&
	       ASSERT_STREQ(a->host, b->host, "host") &&
	       ASSERT_STREQ(a->kernel, b->kernel, "kernel") &&
	       ASSERT_STREQ(a->arch, b->arch, "arch") &&
	       ASSERT_STREQ(a->target, b->target, "target") &&
	       ASSERT_EQ(a->created_ns, b->created_ns, "created_ns") &&
	       ASSERT_STREQ(x->kind, y->kind, "reason.kind") &&
	       ASSERT_EQ(x->signal, y->signal, "reason.signal") &&
	       ASSERT_EQ(x->exit_code, y->exit_code, "reason.exit_code") &&
	       ASSERT_EQ(x->pid, y->pid, "reason.pid") &&
	       ASSERT_MEMEQ(x->comm, y->comm, sizeof(x->comm), "reason.comm") &&
	       ASSERT_STREQ(x->text, y->text, "reason.text") &&
	       ASSERT_EQ(x->time_ns, y->time_ns, "reason.time_ns") &&
	       ASSERT_EQ(x->core, y->core, "reason.core");
}

static bool source_eq(const struct flap_source *a, const struct flap_source *b)
{
	return ASSERT_STREQ(a->name, b->name, "source name") &&
	       ASSERT_STREQ(a->pod, b->pod, "source pod") &&
	       ASSERT_STREQ(a->ns, b->ns, "source ns") &&
	       ASSERT_STREQ(a->pod_uid, b->pod_uid, "source pod_uid") &&
	       ASSERT_STREQ(a->container, b->container, "source container") &&
	       ASSERT_STREQ(a->container_id, b->container_id, "source container_id") &&
	       ASSERT_STREQ(a->cgroup_path, b->cgroup_path, "source cgroup_path") &&
	       ASSERT_EQ(a->cgroup_id, b->cgroup_id, "source cgroup_id") &&
	       ASSERT_EQ(a->main_pid, b->main_pid, "source main_pid") &&
	       ASSERT_STREQ(a->syscall_filter, b->syscall_filter, "source syscall_filter") &&
	       ASSERT_EQ(a->node_skipped, b->node_skipped, "source node_skipped") &&
	       ASSERT_EQ(a->exact_durations, b->exact_durations, "source exact_durations") &&
	       counts_eq(&a->counts, &b->counts, "source counts");
}

static bool event_eq(const struct flap_event *a, const struct flap_event *b)
{
	bool ok;
	int j;

	ok = ASSERT_EQ(a->ts, b->ts, "ts") && ASSERT_EQ(a->exit_ts, b->exit_ts, "exit_ts") &&
	     ASSERT_EQ(a->dur_ns, b->dur_ns, "dur_ns") && ASSERT_EQ(a->ret, b->ret, "ret") &&
	     ASSERT_EQ(a->nargs, b->nargs, "nargs") && ASSERT_EQ(a->tid, b->tid, "tid") &&
	     ASSERT_EQ(a->tgid, b->tgid, "tgid") && ASSERT_EQ(a->nr, b->nr, "nr") &&
	     ASSERT_EQ(a->flags, b->flags, "flags") && ASSERT_EQ(a->cpu, b->cpu, "cpu") &&
	     ASSERT_EQ(a->source, b->source, "source") &&
	     ASSERT_MEMEQ(a->comm, b->comm, sizeof(a->comm), "comm") &&
	     ASSERT_EQ(a->ncaps, b->ncaps, "ncaps");
	for (j = 0; ok && j < a->nargs; j++)
		ok = ASSERT_EQ(a->args[j], b->args[j], "arg");
	for (j = 0; ok && j < a->ncaps; j++)
		ok = ASSERT_EQ(a->caps[j].arg, b->caps[j].arg, "cap arg") &&
		     ASSERT_EQ(a->caps[j].flags, b->caps[j].flags, "cap flags") &&
		     ASSERT_EQ(a->caps[j].len, b->caps[j].len, "cap len") &&
		     ASSERT_MEMEQ(a->caps[j].data, b->caps[j].data, a->caps[j].len, "cap data");
	return ok;
}

static bool trace_eq(const struct flap_trace *a, const struct flap_trace *b)
{
	bool ok;
	size_t i;

	ok = ASSERT_EQ(a->nevents, b->nevents, "nevents") &&
	     ASSERT_EQ(a->ncpus, b->ncpus, "ncpus") &&
	     ASSERT_EQ(a->nsources, b->nsources, "nsources") &&
	     ASSERT_EQ(a->boot_to_real_ns, b->boot_to_real_ns, "boot_to_real_ns") &&
	     ASSERT_EQ(a->read_ns, b->read_ns, "read_ns") &&
	     counts_eq(&a->total, &b->total, "total");
	for (i = 0; ok && i < (size_t)a->ncpus; i++)
		ok = counts_eq(&a->cpus[i], &b->cpus[i], "cpu counts");
	for (i = 0; ok && i < (size_t)a->nsources; i++)
		ok = source_eq(&a->sources[i], &b->sources[i]);
	for (i = 0; ok && i < a->nevents; i++)
		ok = event_eq(&a->events[i], &b->events[i]);
	return ok;
}

/* A memfd holding @len bytes, positioned at 0. */
static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("test-dump", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flap_fd__write_all(fd, data, len) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Writes a dump into memory: *@buf (caller frees), *@len. */
static int dump_to_bytes(const struct flap_dump_meta *m, const struct flap_trace *t, uint8_t **buf,
			 size_t *len)
{
	struct stat st;
	int fd, err;

	fd = memfd_create("test-dump", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = flap_dump__write(fd, m, t);
	if (!err && fstat(fd, &st) < 0)
		err = -errno;
	if (!err) {
		*len = st.st_size;
		*buf = malloc(*len ? *len : 1);
		if (!*buf || pread(fd, *buf, *len, 0) != (ssize_t)*len)
			err = -EIO;
	}
	close(fd);
	return err;
}

/* flap_dump__read() of @len bytes; checks the error contract on failure. */
static int read_bytes(const void *data, size_t len, struct flap_dump_meta *m, struct flap_trace **t,
		      char *err, size_t errlen)
{
	int fd, rc;

	*t = NULL;
	fd = memfd_with(data, len);
	if (fd < 0)
		return fd;
	err[0] = '\0';
	rc = flap_dump__read(fd, m, t, err, errlen);
	close(fd);
	if (rc) {
		ASSERT_TRUE(*t == NULL, "no trace on error");
		ASSERT_TRUE(err[0] != '\0', "error message");
		ASSERT_TRUE(strchr(err, '\n') == NULL, "one-line error");
	}
	return rc;
}

void test_dump_roundtrip(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0;
	int rc;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(24, &t), "make trace"))
		return;
	rc = dump_to_bytes(&m, t, &buf, &len);
	if (!ASSERT_OK(rc, "write"))
		goto out;
	ASSERT_MEMEQ(buf, FLAP_DUMP_MAGIC "\x01", 8, "magic");
	memset(&m2, 0xa5, sizeof(m2));
	rc = read_bytes(buf, len, &m2, &u, err, sizeof(err));
	if (!ASSERT_OK(rc, "read") || !ASSERT_OK_PTR(u, "trace"))
		goto out;
	ASSERT_TRUE(meta_eq(&m, &m2), "meta equal");
	ASSERT_TRUE(trace_eq(t, u), "trace equal");
	/* Captured bytes live in the new trace's arena, not in the input. */
	ASSERT_TRUE(u->events[0].caps[0].data != t->events[0].caps[0].data, "own copy");
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Writes in a child (so a full pipe or socket buffer blocks it), reads here. */
static void roundtrip_fd(bool sock, size_t nevents)
{
	struct flap_trace *t = NULL, *u = NULL;
	int fds[2] = {-1, -1}, rc, status;
	struct flap_dump_meta m, m2;
	char err[256];
	pid_t pid;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(nevents, &t), "make trace"))
		return;
	rc = sock ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) : pipe2(fds, O_CLOEXEC);
	if (!ASSERT_OK(rc, "pipe/socketpair"))
		goto out;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		_exit(flap_dump__write(fds[1], &m, t) ? 1 : 0);
	}
	zclose(fds[1]);
	rc = flap_dump__read(fds[0], &m2, &u, err, sizeof(err));
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer");
	if (!ASSERT_OK(rc, "read") && test__verbose())
		test__printf("  %s\n", err);
	if (!rc) {
		ASSERT_TRUE(meta_eq(&m, &m2), "meta equal");
		ASSERT_TRUE(trace_eq(t, u), "trace equal");
	}
out:
	zclose(fds[0]);
	zclose(fds[1]);
	flap_trace__free(t);
	flap_trace__free(u);
}

void test_dump_roundtrip_stream(void)
{
	/* Several pipe buffers' worth, so reads see arbitrary frame boundaries. */
	roundtrip_fd(false, 5000);
	roundtrip_fd(true, 5000);
	roundtrip_fd(false, 1);
}

void test_dump_empty_trace(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0;
	int rc;

	flap_dump_meta__init(&m, NULL);
	if (!ASSERT_OK(flap_trace__new(0, &t), "new"))
		return;
	rc = dump_to_bytes(&m, t, &buf, &len);
	if (!ASSERT_OK(rc, "write"))
		goto out;
	rc = read_bytes(buf, len, &m2, &u, err, sizeof(err));
	if (ASSERT_OK(rc, "read empty dump")) {
		ASSERT_TRUE(meta_eq(&m, &m2), "meta");
		ASSERT_TRUE(trace_eq(t, u), "trace");
	}
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

void test_dump_meta_init(void)
{
	struct flap_dump_meta m;
	__u64 before = flap_clock__real_ns();

	flap_dump_meta__init(&m, "default/web");
	ASSERT_STREQ(m.tool_version, "0.1.0", "version");
	ASSERT_TRUE(m.host[0] != '\0', "host");
	ASSERT_TRUE(m.kernel[0] != '\0', "kernel");
	ASSERT_STREQ(m.arch, flap_syscall__arch(), "arch");
	ASSERT_STREQ(m.target, "default/web", "target");
	ASSERT_STREQ(m.reason.kind, "request", "reason");
	ASSERT_GE(m.created_ns, before, "created_ns");
	ASSERT_LE(m.created_ns, flap_clock__real_ns(), "created_ns not in the future");
}

/* The header and events as written, checked with the generated decoder. */
void test_dump_header_fields(void)
{
	Flap__DumpHeader *h = NULL;
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	uint8_t *buf = NULL;
	size_t len = 0, used;
	uint32_t flen;
	int i;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(6, &t), "make trace"))
		return;
	/* Out of time order on purpose: the window is the oldest/newest ts. */
	t->events[2].ts = 500;
	if (!ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write"))
		goto out;
	if (!ASSERT_EQ(flap_pbio__varint_decode(buf + 8, len - 8, &flen, &used), 1, "varint"))
		goto out;
	h = flap__dump_header__unpack(NULL, flen, buf + 8 + used);
	if (!ASSERT_OK_PTR(h, "header"))
		goto out;
	ASSERT_EQ(h->format_version, 1, "format_version");
	ASSERT_EQ(h->event_count, 6, "event_count");
	ASSERT_EQ(h->window_start_ns, 500 + B2R, "window start");
	ASSERT_EQ(h->window_end_ns, t->events[5].ts + B2R, "window end");
	ASSERT_EQ(h->read_boot_ns, t->read_ns, "read_boot_ns");
	ASSERT_EQ(h->n_cpus, 4, "cpus");
	for (i = 0; i < (int)h->n_cpus; i++)
		ASSERT_EQ(h->cpus[i]->cpu, i, "cpu number");
	ASSERT_EQ(h->n_sources, 2, "sources");
	ASSERT_STREQ(h->sources[1]->namespace_, "ns-1", "namespace");

	/* Syscall names go with the numbers (this build's table). */
	{
		const struct flap_syscall *sc = flap_syscall__by_nr(t->events[0].nr);
		size_t off = 8 + used + flen;
		Flap__Event *ev;

		ASSERT_EQ(flap_pbio__varint_decode(buf + off, len - off, &flen, &used), 1, "ev");
		ev = flap__event__unpack(NULL, flen, buf + off + used);
		if (ASSERT_OK_PTR(ev, "event") && sc)
			ASSERT_STREQ(ev->syscall, sc->name, "syscall name");
		flap__event__free_unpacked(ev, NULL);
	}
out:
	flap__dump_header__free_unpacked(h, NULL);
	free(buf);
	flap_trace__free(t);
}

/*
 * The exact encoding of a small dump. If this fails, the dump format
 * changed: bump FLAP_DUMP_VERSION or make sure old readers still cope,
 * then update the bytes.
 */
/* clang-format off */
static const uint8_t golden[] = {
	0x46, 0x4c, 0x41, 0x50, 0x44, 0x4d, 0x50, 0x01, /* "FLAPDMP" 1 */
	/* DumpHeader, 112 bytes */
	0x70, 0x08, 0x01, 0x12, 0x05, 0x30, 0x2e, 0x31, 0x2e, 0x30, 0x1a, 0x01,
	0x68, 0x22, 0x04, 0x36, 0x2e, 0x31, 0x38, 0x2a, 0x06, 0x78, 0x38, 0x36,
	0x5f, 0x36, 0x34, 0x32, 0x03, 0x70, 0x6f, 0x64, 0x3a, 0x1d, 0x0a, 0x05,
	0x63, 0x72, 0x61, 0x73, 0x68, 0x10, 0x0b, 0x20, 0x07, 0x2a, 0x02, 0x73,
	0x68, 0x32, 0x07, 0x53, 0x49, 0x47, 0x53, 0x45, 0x47, 0x56, 0x38, 0xcf,
	0x0f, 0x40, 0x01, 0x42, 0x0e, 0x0a, 0x02, 0x63, 0x31, 0x38, 0x2a, 0x52,
	0x06, 0x10, 0x03, 0x18, 0x01, 0x20, 0x02, 0x48, 0xe8, 0x07, 0x50, 0x84,
	0x07, 0x58, 0x88, 0x0e, 0x60, 0x88, 0x0e, 0x6a, 0x06, 0x10, 0x03, 0x18,
	0x01, 0x20, 0x02, 0x72, 0x06, 0x10, 0x03, 0x18, 0x01, 0x20, 0x02, 0x78,
	0x01, 0x80, 0x01, 0xd0, 0x0f,
	/* Event, 57 bytes: openat, ret -2 (zigzag 3), args packed, capture "/x\0y" */
	0x39, 0x08, 0xa0, 0x06, 0x10, 0xd2, 0x06, 0x18, 0x32, 0x20, 0x03, 0x2a,
	0x0c, 0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xb4,
	0x24, 0x30, 0x07, 0x38, 0x07, 0x40, 0x81, 0x02, 0x48, 0x1c, 0x62, 0x02,
	0x73, 0x68, 0x6a, 0x0a, 0x08, 0x01, 0x10, 0x01, 0x1a, 0x04, 0x2f, 0x78,
	0x00, 0x79, 0x72, 0x06, 0x6f, 0x70, 0x65, 0x6e, 0x61, 0x74,
	/* DumpTrailer, 2 bytes: event_count 1 */
	0x02, 0x08, 0x01,
};
/* clang-format on */

static int make_golden(struct flap_dump_meta *m, struct flap_trace **out)
{
	struct flap_trace *t = NULL;
	struct flap_event *ev;
	struct flap_source s;
	int err;

	memset(m, 0, sizeof(*m));
	strcpy(m->tool_version, "0.1.0");
	strcpy(m->host, "h");
	strcpy(m->kernel, "6.18");
	strcpy(m->arch, "x86_64");
	strcpy(m->target, "pod");
	m->created_ns = 2000;
	strcpy(m->reason.kind, "crash");
	m->reason.signal = 11;
	m->reason.pid = 7;
	strcpy(m->reason.comm, "sh");
	strcpy(m->reason.text, "SIGSEGV");
	m->reason.time_ns = 1999;
	m->reason.core = true;
	err = flap_trace__new(1, &t);
	if (err)
		return err;
	memset(&s, 0, sizeof(s));
	strcpy(s.name, "c1");
	s.cgroup_id = 42;
	s.counts.produced = 3;
	s.counts.held = 1;
	s.counts.overwritten = 2;
	if (flap_trace__add_source(t, &s) < 0 || !(ev = flap_trace__push(t))) {
		flap_trace__free(t);
		return -ENOMEM;
	}
	t->cpus[0] = s.counts;
	t->total = s.counts;
	t->boot_to_real_ns = 1000;
	t->read_ns = 900;
	ev->ts = 800;
	ev->exit_ts = 850;
	ev->dur_ns = 50;
	ev->ret = -2;
	ev->nargs = 2;
	ev->args[0] = (__u64)-100;
	ev->args[1] = 0x1234;
	ev->tid = 7;
	ev->tgid = 7;
	ev->nr = 257;
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR;
	strcpy(ev->comm, "sh");
	err = add_cap(t, ev, 1, FLAP_EVCAP_F_STR, "/x\0y", 4);
	if (err) {
		flap_trace__free(t);
		return err;
	}
	*out = t;
	return 0;
}

void test_dump_golden(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0, i;

	if (strcmp(flap_syscall__arch(), "x86_64") != 0) {
		test__skip("golden bytes carry x86_64 syscall names");
		return;
	}
	if (!ASSERT_OK(make_golden(&m, &t), "make") ||
	    !ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write"))
		goto out;
	if (!ASSERT_EQ(len, sizeof(golden), "golden length") ||
	    !ASSERT_MEMEQ(buf, golden, len, "golden bytes")) {
		test__printf("  actual bytes (%zu):\n\t", len);
		for (i = 0; i < len; i++)
			test__printf("0x%02x,%s", buf[i], i % 12 == 11 ? "\n\t" : " ");
		test__printf("\n");
	}
	if (ASSERT_OK(read_bytes(golden, sizeof(golden), &m2, &u, err, sizeof(err)), "read")) {
		ASSERT_TRUE(meta_eq(&m, &m2), "golden meta");
		ASSERT_TRUE(trace_eq(t, u), "golden trace");
	}
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

/*
 * The golden bytes read back: a file written before the newer Source
 * fields. Return: its trace with its one source, or NULL (asserted).
 */
static struct flap_trace *read_old_dump(void)
{
	struct flap_trace *u = NULL;
	struct flap_dump_meta m;
	char err[256];

	if (ASSERT_OK(read_bytes(golden, sizeof(golden), &m, &u, err, sizeof(err)), "old dump") &&
	    ASSERT_EQ(u->nsources, 1, "old dump sources"))
		return u;
	flap_trace__free(u);
	return NULL;
}

/*
 * Writes @t (the golden trace with one Source field set) and reads it back.
 * With @field, the bytes are the golden ones plus exactly @field; without,
 * nothing is checked of them. Return: the trace read, equal to @t, or NULL.
 */
static struct flap_trace *round_trip(const struct flap_dump_meta *m, const struct flap_trace *t,
				     const uint8_t *field, size_t flen, const char *name)
{
	struct flap_trace *u = NULL;
	struct flap_dump_meta m2;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0;

	if (!ASSERT_OK(dump_to_bytes(m, t, &buf, &len), name))
		return NULL;
	if (field) {
		ASSERT_EQ(len, sizeof(golden) + flen, "the old dump's bytes and the field");
		ASSERT_TRUE(!flen || memmem(buf, len, field, flen) != NULL, "the field's bytes");
	}
	if (!ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), name) ||
	    !ASSERT_TRUE(trace_eq(t, u), "trace equal")) {
		flap_trace__free(u);
		u = NULL;
	}
	free(buf);
	return u;
}

/*
 * The in-kernel syscall filter of a source (Source.syscall_filter, tag 11)
 * is written, read back, and absent from files written before it existed:
 * the golden bytes above have no such field and read as "every syscall".
 */
void test_dump_syscall_filter(void)
{
	static const uint8_t field[] = {0x5a, 0x0b, '%', 'f', 'i', 'l', 'e',
					',',  'w',  'r', 'i', 't', 'e'};
	struct flap_trace *t = NULL, *u;
	struct flap_dump_meta m;

	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	/* An older dump (the golden bytes): no filter, still reads. */
	u = read_old_dump();
	if (u)
		ASSERT_STREQ(u->sources[0].syscall_filter, "", "old dump: every syscall");
	flap_trace__free(u);

	/* The same dump from a filtered recorder carries the set as given (tag 11). */
	snprintf(t->sources[0].syscall_filter, sizeof(t->sources[0].syscall_filter),
		 "%%file,write");
	u = round_trip(&m, t, field, sizeof(field), "filter");
	if (u)
		ASSERT_STREQ(u->sources[0].syscall_filter, "%file,write", "filter read back");
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Asserts that @len bytes are refused with -EBADMSG and @msg in the error. */
static void expect_bad(const void *data, size_t len, const char *msg, const char *name)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[256];
	int rc;

	rc = read_bytes(data, len, &m, &t, err, sizeof(err));
	if (!ASSERT_EQ(rc, -EBADMSG, name))
		test__printf("  (%s)\n", err);
	else if (!ASSERT_STRCONTAINS(err, msg, name))
		test__printf("  (%s)\n", name);
	flap_trace__free(t);
}

void test_dump_bad_magic(void)
{
	uint8_t buf[sizeof(golden)];

	expect_bad("", 0, "not a flap-recorder dump file", "empty input");
	expect_bad("FLAP", 4, "not a flap-recorder dump file", "short magic");
	expect_bad("#!/bin/sh\necho hi\n", 18, "not a flap-recorder dump file", "script");
	memcpy(buf, golden, sizeof(buf));
	buf[6] = 'X';
	expect_bad(buf, sizeof(buf), "not a flap-recorder dump file", "wrong magic");
	buf[6] = 'P';
	buf[7] = 2;
	expect_bad(buf, sizeof(buf), "dump format version 2 not supported", "version 2");
	buf[7] = 0;
	expect_bad(buf, sizeof(buf), "dump format version 0 not supported", "version 0");
}

/* Every proper prefix of a valid dump is refused, with a one-line reason. */
void test_dump_truncated(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	uint8_t *buf = NULL;
	size_t len = 0, n;
	char err[256];
	int rc;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(12, &t), "make trace") ||
	    !ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write"))
		goto out;
	for (n = 0; n < len; n++) {
		rc = read_bytes(buf, n, &m2, &u, err, sizeof(err));
		if (!ASSERT_EQ(rc, -EBADMSG, "prefix refused")) {
			test__printf("  prefix of %zu of %zu bytes\n", n, len);
			flap_trace__free(u);
			break;
		}
		if (n > 8 && !ASSERT_TRUE(strstr(err, "truncated"), "says truncated")) {
			test__printf("  prefix %zu: %s\n", n, err);
			break;
		}
	}
	/* The golden dump too, and the whole of it reads. */
	for (n = 0; n < sizeof(golden); n++)
		if (!ASSERT_EQ(read_bytes(golden, n, &m2, &u, err, sizeof(err)), -EBADMSG,
			       "golden"))
			break;
	ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), "whole");
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Flipping any byte must give an error or a valid trace, never a crash. */
void test_dump_bitflips(void)
{
	struct flap_trace *u = NULL;
	struct flap_dump_meta m;
	uint8_t buf[sizeof(golden)];
	char err[256];
	size_t i;
	int bit, rc;

	for (i = 0; i < sizeof(golden); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, golden, sizeof(buf));
			buf[i] ^= 1u << bit;
			rc = read_bytes(buf, sizeof(buf), &m, &u, err, sizeof(err));
			ASSERT_TRUE(rc == 0 || rc == -EBADMSG, "ok or EBADMSG");
			flap_trace__free(u);
			u = NULL;
		}
	}
}

/* Random bytes after a valid magic. */
void test_dump_garbage(void)
{
	uint8_t buf[512];
	unsigned int seed;
	size_t n, i;

	memcpy(buf, golden, 8);
	for (seed = 1; seed <= 300; seed++) {
		srand(seed);
		n = 8 + 1 + (size_t)rand() % (sizeof(buf) - 8);
		for (i = 8; i < n; i++)
			buf[i] = (uint8_t)rand();
		expect_bad(buf, n, "", "garbage after the magic");
	}
	expect_bad(FLAP_DUMP_MAGIC "\x01\xff\xff\xff\xff\xff\xff", 14, "bad length prefix",
		   "bad varint");
	/* 1 MiB + 1 announced, nothing after it: refused on the length alone. */
	expect_bad(FLAP_DUMP_MAGIC "\x01\x81\x80\x40", 11, "over the 1048576-byte limit",
		   "header over the cap");
	expect_bad(FLAP_DUMP_MAGIC "\x01\x01\xff", 10, "corrupt header: cannot decode",
		   "header does not decode");
	expect_bad(FLAP_DUMP_MAGIC "\x01", 8, "truncated: no header", "magic only");
}

/* ---- crafted streams: a valid dump with one rule broken ---------------- */

struct bytes {
	uint8_t *p;
	size_t n;
	size_t cap;
};

static int put_raw(struct bytes *b, const void *d, size_t n)
{
	uint8_t *p;

	if (b->cap - b->n < n) {
		b->cap = (b->cap + n) * 2;
		p = realloc(b->p, b->cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
	return 0;
}

static int put_frame(struct bytes *b, const ProtobufCMessage *msg)
{
	uint8_t *f = NULL;
	size_t n;
	int err;

	err = flap_pbio__pack(msg, SIZE_MAX, &f, &n);
	if (!err)
		err = put_raw(b, f, n);
	free(f);
	return err;
}

struct craft {
	Flap__DumpHeader h;
	Flap__Source src;
	Flap__Source *srcp[1];
	Flap__Event ev;
	uint64_t args[2];
	Flap__DumpTrailer tr;
	size_t nev; /* Event frames written */
	bool no_trailer;
};

static void craft_init(struct craft *c, size_t nev)
{
	memset(c, 0, sizeof(*c));
	flap__dump_header__init(&c->h);
	flap__source__init(&c->src);
	flap__event__init(&c->ev);
	flap__dump_trailer__init(&c->tr);
	c->h.format_version = 1;
	c->src.name = "c";
	c->srcp[0] = &c->src;
	c->h.n_sources = 1;
	c->h.sources = c->srcp;
	c->h.event_count = nev;
	c->ev.nr = 39;
	c->ev.n_args = 2;
	c->ev.args = c->args;
	c->tr.event_count = nev;
	c->nev = nev;
}

static int craft_build(struct craft *c, struct bytes *b)
{
	size_t i;
	int err;

	memset(b, 0, sizeof(*b));
	err = put_raw(b, FLAP_DUMP_MAGIC "\x01", 8);
	if (!err)
		err = put_frame(b, &c->h.base);
	for (i = 0; !err && i < c->nev; i++) {
		c->ev.ts = 1000 + i;
		err = put_frame(b, &c->ev.base);
	}
	if (!err && !c->no_trailer)
		err = put_frame(b, &c->tr.base);
	return err;
}

static void craft_expect(struct craft *c, int want, const char *msg, const char *name)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	struct bytes b;
	char err[256];
	int rc;

	if (!ASSERT_OK(craft_build(c, &b), "craft"))
		return;
	if (want) {
		expect_bad(b.p, b.n, msg, name);
	} else {
		rc = read_bytes(b.p, b.n, &m, &t, err, sizeof(err));
		if (!ASSERT_OK(rc, name))
			test__printf("  (%s)\n", err);
		flap_trace__free(t);
	}
	free(b.p);
}

/* The event count in the header, the events present and the trailer disagree. */
void test_dump_crafted_counts(void)
{
	struct craft c;

	craft_init(&c, 3);
	craft_expect(&c, 0, NULL, "the crafted stream itself is valid");

	craft_init(&c, 3);
	c.tr.event_count = 2;
	craft_expect(&c, -EBADMSG, "the header says 3 events, the trailer 2", "trailer count");
	craft_init(&c, 2);
	c.h.event_count = 1; /* the 2nd event is taken for the trailer */
	craft_expect(&c, -EBADMSG, "the header says 1 events", "more events than the header");
	craft_init(&c, 2);
	c.h.event_count = 4; /* the trailer is taken for a 3rd event */
	craft_expect(&c, -EBADMSG, "truncated: 3 of 4 events", "fewer events than the header");
	craft_init(&c, 2);
	c.no_trailer = true;
	craft_expect(&c, -EBADMSG, "truncated: no trailer after 2 events", "no trailer");
	craft_init(&c, 0);
	c.h.event_count = 1ULL << 62; /* claims are not preallocated */
	c.no_trailer = true;
	craft_expect(&c, -EBADMSG, "truncated: 0 of", "huge event_count");
}

/* One field out of range in a header or an event. */
void test_dump_crafted_fields(void)
{
	static uint8_t big[70000];
	Flap__Capture cap = FLAP__CAPTURE__INIT, *caps[4] = {&cap, &cap, &cap, &cap};
	Flap__Counts cpu = FLAP__COUNTS__INIT, *cpus[1] = {&cpu};
	uint64_t args[7] = {0};
	struct craft c;

	craft_init(&c, 1);
	c.h.format_version = 2;
	craft_expect(&c, -EBADMSG, "format version 2, the magic says 1", "header version");
	craft_init(&c, 1);
	c.ev.source = 1;
	craft_expect(&c, -EBADMSG, "corrupt event 0: source 1 of 1", "source out of range");
	craft_init(&c, 1);
	c.h.n_sources = 0;
	craft_expect(&c, -EBADMSG, "source 0 of 0", "event without sources");
	craft_init(&c, 1);
	c.ev.n_args = 7;
	c.ev.args = args;
	craft_expect(&c, -EBADMSG, "7 args", "7 args");
	craft_init(&c, 1);
	c.ev.n_caps = 4;
	c.ev.caps = caps;
	craft_expect(&c, -EBADMSG, "4 captures", "4 captures");
	craft_init(&c, 1);
	c.ev.n_caps = 1;
	c.ev.caps = caps;
	cap.arg = 6;
	craft_expect(&c, -EBADMSG, "capture of arg 6", "capture arg 6");
	cap.arg = 0;
	cap.flags = 0x100;
	craft_expect(&c, -EBADMSG, "flags 0x100", "capture flags");
	cap.flags = 0;
	cap.data.data = big;
	cap.data.len = sizeof(big);
	craft_expect(&c, -EBADMSG, "70000 bytes", "capture over 64 KiB");
	craft_init(&c, 1);
	c.ev.comm.data = (uint8_t *)"0123456789abcdef";
	c.ev.comm.len = 16;
	craft_expect(&c, -EBADMSG, "comm of 16 bytes", "comm 16 bytes");
	craft_init(&c, 1);
	c.ev.cpu = 65536;
	craft_expect(&c, -EBADMSG, "CPU 65536", "event CPU");

	craft_init(&c, 1);
	c.h.n_cpus = 1;
	c.h.cpus = cpus;
	cpu.cpu = 8192;
	craft_expect(&c, -EBADMSG, "CPU 8192", "header CPU");
	cpu.cpu = 8191; /* sparse CPUs are fine: the gaps read as zero */
	cpu.held = 5;
	craft_expect(&c, 0, NULL, "CPU 8191");
}

void test_dump_crafted_limits(void)
{
	static Flap__Source srcs[1025], *srcp[1025];
	Flap__Reason reason = FLAP__REASON__INIT;
	struct craft c;
	size_t i;

	for (i = 0; i < 1025; i++) {
		flap__source__init(&srcs[i]);
		srcp[i] = &srcs[i];
	}
	craft_init(&c, 1);
	c.h.n_sources = 1025;
	c.h.sources = srcp;
	craft_expect(&c, -EBADMSG, "1025 sources (max 1024)", "too many sources");
	c.h.n_sources = 1024;
	craft_expect(&c, 0, NULL, "1024 sources");

	craft_init(&c, 1);
	reason.comm.data = (uint8_t *)"0123456789abcdef";
	reason.comm.len = 16;
	c.h.reason = &reason;
	craft_expect(&c, -EBADMSG, "reason comm of 16 bytes", "reason comm");

	/* An event frame that does not decode. */
	{
		struct bytes b;

		craft_init(&c, 0);
		c.h.event_count = 1;
		c.no_trailer = true;
		if (ASSERT_OK(craft_build(&c, &b), "craft")) {
			put_raw(&b, "\x02\xff\xff", 3);
			expect_bad(b.p, b.n, "corrupt event 0: cannot decode", "event garbage");
		}
		free(b.p);
	}
}

/* A trace with events but no source gets one empty source in the dump. */
void test_dump_no_sources(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	uint8_t *buf = NULL;
	char err[256];
	size_t len;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(4, &t), "trace"))
		return;
	t->nsources = 0;
	t->events[1].source = 0;
	t->events[3].source = 0;
	if (!ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write"))
		goto out;
	if (ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), "read")) {
		ASSERT_EQ(u->nsources, 1, "one source");
		ASSERT_STREQ(u->sources[0].name, "", "empty source");
		ASSERT_EQ(u->nevents, 4, "events");
	}
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

static int write_to_null(const struct flap_dump_meta *m, const struct flap_trace *t)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = flap_dump__write(fd, m, t);
	close(fd);
	return rc;
}

/* The writer refuses what the reader would refuse. */
void test_dump_write_errors(void)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	struct flap_source s;
	int i;

	make_meta(&m);
	if (!ASSERT_OK(make_trace(4, &t), "trace"))
		return;
	ASSERT_EQ(flap_dump__write(-1, &m, t), -EINVAL, "bad fd");
	ASSERT_EQ(flap_dump__write(1, NULL, t), -EINVAL, "no meta");
	ASSERT_EQ(flap_dump__write(1, &m, NULL), -EINVAL, "no trace");
	t->events[1].source = 2;
	ASSERT_EQ(write_to_null(&m, t), -EINVAL, "source out of range");
	t->events[1].source = 1;
	t->events[2].nargs = 7;
	ASSERT_EQ(write_to_null(&m, t), -EINVAL, "7 args");
	t->events[2].nargs = 6;
	t->events[0].caps[0].arg = 6;
	ASSERT_EQ(write_to_null(&m, t), -EINVAL, "capture arg 6");
	t->events[0].caps[0].arg = 1;
	ASSERT_OK(write_to_null(&m, t), "valid again");

	/* A header over 1 MiB: -EMSGSIZE; more sources than a reader takes: -E2BIG. */
	fill_source(&s, 9);
	memset(s.cgroup_path, 'p', sizeof(s.cgroup_path) - 1);
	for (i = 0; i < 300; i++)
		flap_trace__add_source(t, &s);
	ASSERT_EQ(write_to_null(&m, t), -EMSGSIZE, "header over 1 MiB");
	fill_source(&s, 9);
	while (t->nsources <= 1024)
		flap_trace__add_source(t, &s);
	ASSERT_EQ(write_to_null(&m, t), -E2BIG, "1025 sources");
	flap_trace__free(t);
}

/* ---- load, load_header, save ---------------------------------------------- */

static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

void test_dump_save(void)
{
	char dir[] = "/tmp/flap-test-dump-XXXXXX", path[256];
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	char err[256];
	struct stat st;
	int rc;

	make_meta(&m);
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp") || !ASSERT_OK(make_trace(30, &t), "trace"))
		goto out;
	snprintf(path, sizeof(path), "%s/crash-1.flapdump", dir);
	umask(0);
	rc = flap_dump__save(path, &m, t);
	umask(022);
	if (!ASSERT_OK(rc, "save"))
		goto out;
	if (ASSERT_OK(stat(path, &st), "stat")) {
		ASSERT_TRUE(S_ISREG(st.st_mode), "regular file");
		ASSERT_EQ(st.st_mode & 07777, 0600, "mode 0600");
	}
	ASSERT_EQ(count_entries(dir), 1, "no temp file left");
	rc = flap_dump__load(path, &m2, &u, err, sizeof(err));
	if (ASSERT_OK(rc, "load")) {
		ASSERT_TRUE(meta_eq(&m, &m2), "meta");
		ASSERT_TRUE(trace_eq(t, u), "trace");
	}
	flap_trace__free(u);
	u = NULL;

	/* Replacing an existing dump. */
	t->events[0].ts = 7;
	ASSERT_OK(flap_dump__save(path, &m, t), "save again");
	ASSERT_EQ(count_entries(dir), 1, "still one file");
	if (ASSERT_OK(flap_dump__load(path, &m2, &u, err, sizeof(err)), "load again"))
		ASSERT_EQ(u->events[0].ts, 7, "new content");
out:
	if (dir[strlen(dir) - 1] != 'X') {
		unlink(path);
		rmdir(dir);
	}
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Failures after the temp file exists leave nothing behind. */
void test_dump_save_errors(void)
{
	char dir[] = "/tmp/flap-test-dump-XXXXXX", path[256], sub[300];
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	char err[256];

	make_meta(&m);
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp") || !ASSERT_OK(make_trace(30, &t), "trace"))
		goto out;
	snprintf(path, sizeof(path), "%s/old.flapdump", dir);
	if (!ASSERT_OK(flap_dump__save(path, &m, t), "save"))
		goto out;
	snprintf(sub, sizeof(sub), "%s/new.flapdump", dir);
	t->events[3].source = 9;
	ASSERT_EQ(flap_dump__save(sub, &m, t), -EINVAL, "write fails");
	t->events[3].source = 1;
	ASSERT_EQ(count_entries(dir), 1, "no temp after a write error");
	ASSERT_ERR(access(sub, F_OK), "no file after a write error");
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	ASSERT_OK(mkdir(sub, 0700), "mkdir");
	ASSERT_EQ(flap_dump__save(sub, &m, t), -EISDIR, "rename over a directory");
	ASSERT_EQ(count_entries(dir), 2, "no temp after a rename error");
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/missing/x.flapdump", dir);
	ASSERT_EQ(flap_dump__save(sub, &m, t), -ENOENT, "missing directory");
	ASSERT_EQ(flap_dump__save("", &m, t), -EINVAL, "empty path");
	ASSERT_EQ(flap_dump__load(sub, &m2, &u, err, sizeof(err)), -ENOENT, "load missing");
	ASSERT_STRCONTAINS(err, "cannot open", "load error message");
out:
	if (dir[strlen(dir) - 1] != 'X') {
		unlink(path);
		rmdir(dir);
	}
	flap_trace__free(t);
	flap_trace__free(u);
}

/* A directory the caller cannot write to: -EACCES, nothing created. */
void test_dump_save_unwritable(void)
{
	char dir[] = "/tmp/flap-test-dump-XXXXXX", path[256];
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	int status = 0;
	pid_t pid;

	make_meta(&m);
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	if (!ASSERT_OK(make_trace(3, &t), "trace"))
		goto out;
	snprintf(path, sizeof(path), "%s/x.flapdump", dir);
	/* Root ignores permissions: try as nobody in a child. */
	chmod(dir, 0555);
	pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
			_exit(2);
		_exit(flap_dump__save(path, &m, t) == -EACCES ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "save refused with EACCES");
	ASSERT_EQ(count_entries(dir), 0, "nothing left");
out:
	chmod(dir, 0700);
	rmdir(dir);
	flap_trace__free(t);
}

void test_dump_load_header(void)
{
	char dir[] = "/tmp/flap-test-dump-XXXXXX", path[256];
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	size_t hdr_end, used;
	char err[256];
	uint32_t flen;
	struct stat st;

	make_meta(&m);
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/d.flapdump", dir);
	if (!ASSERT_OK(make_trace(40, &t), "trace") ||
	    !ASSERT_OK(flap_dump__save(path, &m, t), "save"))
		goto out;
	if (ASSERT_OK(flap_dump__load_header(path, &m2, &u, err, sizeof(err)), "header")) {
		ASSERT_TRUE(meta_eq(&m, &m2), "meta");
		ASSERT_EQ(u->nevents, 0, "no events");
		/* Everything but the events is there. */
		t->nevents = 0;
		ASSERT_TRUE(trace_eq(t, u), "sources and counts");
		t->nevents = 40;
	}
	flap_trace__free(u);
	u = NULL;

	/* Cut right after the header: the header still lists, the dump does not load. */
	{
		uint8_t head[16];
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (!ASSERT_OK_FD(fd, "open") ||
		    !ASSERT_EQ(pread(fd, head, sizeof(head), 0), sizeof(head), "pread")) {
			if (fd >= 0)
				close(fd);
			goto out;
		}
		flap_pbio__varint_decode(head + 8, 8, &flen, &used);
		hdr_end = 8 + used + flen;
		ASSERT_OK(fstat(fd, &st), "fstat");
		ASSERT_GT(st.st_size, hdr_end, "events after the header");
		ASSERT_OK(ftruncate(fd, hdr_end), "truncate");
		close(fd);
	}
	ASSERT_OK(flap_dump__load_header(path, &m2, &u, err, sizeof(err)), "header of cut file");
	flap_trace__free(u);
	u = NULL;
	ASSERT_EQ(flap_dump__load(path, &m2, &u, err, sizeof(err)), -EBADMSG, "cut file");
	ASSERT_STRCONTAINS(err, "truncated: 0 of 40 events", "message");
out:
	unlink(path);
	rmdir(dir);
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Events larger than the writer's buffer go out on their own, in order. */
void test_dump_big_event(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	struct flap_event *ev;
	static __u8 big[60000];
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (__u8)(i * 7);
	make_meta(&m);
	if (!ASSERT_OK(make_trace(3, &t), "trace"))
		return;
	ev = &t->events[1];
	ev->ncaps = 0;
	for (i = 0; i < FLAP_EV_MAX_CAPS; i++)
		if (!ASSERT_OK(add_cap(t, ev, (__u8)i, 0, big, sizeof(big) - i), "cap"))
			goto out;
	if (!ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write"))
		goto out;
	ASSERT_GT(len, 3 * sizeof(big), "size");
	if (ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), "read"))
		ASSERT_TRUE(trace_eq(t, u), "trace");
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

/* The node-wide skipped count travels with each source; older files read 0. */
void test_dump_node_skipped(void)
{
	struct flap_trace *t = NULL, *u;
	struct flap_dump_meta m;

	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	u = read_old_dump();
	if (u)
		ASSERT_EQ(u->sources[0].node_skipped, 0, "old dump: none known");
	flap_trace__free(u);
	t->sources[0].node_skipped = 123456789;
	u = round_trip(&m, t, NULL, 0, "skipped");
	if (u)
		ASSERT_EQ(u->sources[0].node_skipped, 123456789, "count read back");
	flap_trace__free(t);
	flap_trace__free(u);
}

/* Exits lost and a history lost at a restart (Source fields 22, 23) travel; older files read 0. */
void test_dump_losses(void)
{
	struct flap_trace *t = NULL, *u;
	struct flap_dump_meta m;

	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	u = read_old_dump();
	if (u)
		ASSERT_EQ(u->sources[0].exits_lost + u->sources[0].reset_ns, 0,
			  "old dump: nothing said");
	flap_trace__free(u);
	t->sources[0].exits_lost = 18001;
	t->sources[0].reset_ns = 1714564800000000000ULL;
	u = round_trip(&m, t, NULL, 0, "losses");
	if (u) {
		ASSERT_EQ(u->sources[0].exits_lost, 18001, "exits_lost read back");
		ASSERT_EQ(u->sources[0].reset_ns, 1714564800000000000ULL, "reset_ns read back");
	}
	flap_trace__free(t);
	flap_trace__free(u);
}

/*
 * Whether a source measured every call's duration (Source.exact_durations,
 * tag 13) is written when true, read back, and false in files written
 * before the field existed (the golden bytes) or by a recorder without it:
 * the field is left out then, so those files are byte for byte as before.
 */
void test_dump_exact_durations(void)
{
	static const uint8_t field[] = {0x68, 0x01}; /* tag 13, varint: true */
	struct flap_trace *t = NULL, *u;
	struct flap_dump_meta m;

	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	u = read_old_dump();
	if (u)
		ASSERT_FALSE(u->sources[0].exact_durations, "old dump: not exact");
	flap_trace__free(u);

	/* Without exact durations: nothing written, the same bytes as before. */
	u = round_trip(&m, t, field, 0, "default");
	if (u)
		ASSERT_FALSE(u->sources[0].exact_durations, "default read back");
	flap_trace__free(u);

	t->sources[0].exact_durations = true;
	u = round_trip(&m, t, field, sizeof(field), "exact");
	if (u)
		ASSERT_TRUE(u->sources[0].exact_durations, "exact read back");
	flap_trace__free(t);
	flap_trace__free(u);
}

/*
 * The program variant and what the recording kernel lacked (DumpHeader
 * tags 17 and 18) are read back; files written before the fields existed
 * (the golden bytes) read as not known.
 */
void test_dump_kernel_lacks(void)
{
	static const char lacks[] = "compat programs: no bpf_loop() (5.17): the same events";
	struct flap_trace *t = NULL, *u;
	struct flap_dump_meta m;

	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	u = read_old_dump();
	if (u) {
		ASSERT_STREQ(u->bpf_programs, "", "old dump: variant not known");
		ASSERT_STREQ(u->kernel_lacks, "", "old dump: nothing said");
	}
	flap_trace__free(u);
	snprintf(t->bpf_programs, sizeof(t->bpf_programs), "compat");
	snprintf(t->kernel_lacks, sizeof(t->kernel_lacks), "%s", lacks);
	u = round_trip(&m, t, NULL, 0, "lacks");
	if (u) {
		ASSERT_STREQ(u->bpf_programs, "compat", "variant read back");
		ASSERT_STREQ(u->kernel_lacks, lacks, "lacks read back");
	}
	flap_trace__free(t);
	flap_trace__free(u);
}

/*
 * Signal events (Event.signal, tag 15) survive a round trip whole: the
 * siginfo, the sender, the registers and the stack; a golden dump written
 * before them has none and still reads. A crafted signal with a siginfo
 * of another size, a sender name that does not fit or more frames than a
 * recorder keeps is refused.
 */
void test_dump_signals(void)
{
	static const __u64 frames[3] = {0x55d0c3a1b139, 0x55d0c3a1b160, 0x7f0011223344};
	static const __u8 stack_bytes[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct flap_signal s = {.sig = 11, .flags = 8 | 64, .ip = 0x55d0c3a1b139, .sp = 0x7ffd1000};
	struct flap_frame_id ids[1];
	struct flap_trace *t = NULL, *u = NULL;
	Flap__Signal sig = FLAP__SIGNAL__INIT;
	uint64_t many[FLAP_STACK_MAX + 1] = {0};
	uint8_t info[49] = {11};
	struct flap_dump_meta m, m2;
	struct flap_event *ev;
	uint8_t *buf = NULL;
	struct craft c;
	char err[256];
	size_t len = 0, i;

	u = read_old_dump();
	if (u)
		for (i = 0; i < u->nevents; i++)
			ASSERT_TRUE(u->events[i].sig == NULL, "old dump: no signals");
	flap_trace__free(u);
	u = NULL;
	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	s.info[0] = 11;
	s.info[8] = 1; /* SEGV_MAPERR */
	s.nframes = 3;
	s.frames = frames;
	s.nids = 1;
	s.ids = ids;
	memset(ids, 0x5a, sizeof(ids));
	ids[0].status = 1;
	ids[0].offset = 0x1139;
	s.stack = stack_bytes;
	s.stack_len = sizeof(stack_bytes);
	s.start_code = 0x55d0c3a1a000;
	s.sender_tgid = s.sender_tid = 812;
	s.sender_cgid = 77;
	s.mask = 1ULL << 11;
	strcpy(s.sender_comm, "containerd-shim");
	ev = flap_trace__push(t);
	if (!ASSERT_OK_PTR(ev, "push"))
		goto out;
	ev->ts = t->events[0].ts + 1;
	ev->tid = ev->tgid = 42;
	ev->nr = FLAP_EV_NR_SIGNAL;
	ev->sig = flap_trace__copy_signal(t, &s);
	if (!ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write") ||
	    !ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), "read"))
		goto out;
	ev = &u->events[u->nevents - 1];
	if (ASSERT_OK_PTR(ev->sig, "signal read back")) {
		ASSERT_EQ(ev->nr, FLAP_EV_NR_SIGNAL, "signal number");
		ASSERT_EQ(ev->sig->sig, 11, "sig");
		ASSERT_EQ(ev->sig->flags, 8 | 64, "flags");
		ASSERT_MEMEQ(ev->sig->info, s.info, sizeof(s.info), "siginfo");
		ASSERT_EQ(ev->sig->ip, s.ip, "ip");
		ASSERT_EQ(ev->sig->sp, s.sp, "sp");
		ASSERT_EQ(ev->sig->mask, s.mask, "mask");
		ASSERT_EQ(ev->sig->sender_tgid, 812, "sender");
		ASSERT_EQ(ev->sig->sender_cgid, 77, "sender cgroup");
		ASSERT_STREQ(ev->sig->sender_comm, "containerd-shim", "sender comm");
		if (ASSERT_EQ(ev->sig->nframes, 3, "frames"))
			ASSERT_EQ(ev->sig->frames[2], frames[2], "outer frame");
		ASSERT_EQ(ev->sig->start_code, 0x55d0c3a1a000, "start_code");
		if (ASSERT_EQ(ev->sig->nids, 1, "frame ids")) {
			ASSERT_EQ(ev->sig->ids[0].offset, 0x1139, "id offset");
			ASSERT_EQ(ev->sig->ids[0].status, 1, "id status");
			ASSERT_MEMEQ(ev->sig->ids[0].build_id, ids[0].build_id, 20, "build-id");
		}
		if (ASSERT_EQ(ev->sig->stack_len, sizeof(stack_bytes), "stack bytes"))
			ASSERT_MEMEQ(ev->sig->stack, stack_bytes, sizeof(stack_bytes),
				     "stack copy");
	}
	for (i = 0; i + 1 < u->nevents; i++)
		ASSERT_TRUE(u->events[i].sig == NULL, "syscalls stay syscalls");

	craft_init(&c, 1);
	c.ev.signal = &sig;
	sig.info.data = info;
	sig.info.len = 48;
	craft_expect(&c, 0, NULL, "a crafted signal");
	sig.info.len = 49;
	craft_expect(&c, -EBADMSG, "siginfo of another size", "siginfo 49 bytes");
	sig.info.len = 0;
	craft_expect(&c, -EBADMSG, "siginfo of another size", "no siginfo");
	sig.info.len = 48;
	sig.sender_comm.data = (uint8_t *)"0123456789abcdef";
	sig.sender_comm.len = 16;
	craft_expect(&c, -EBADMSG, "sender command name too long", "sender comm 16 bytes");
	sig.sender_comm.len = 0;
	sig.n_frames = FLAP_STACK_MAX + 1;
	sig.frames = many;
	craft_expect(&c, -EBADMSG, "more stack frames", "33 frames");
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}

/*
 * A crash reason with the signal that killed (Reason.killed_by, tags 9-12)
 * reads back whole; the golden dump, written before, has none.
 */
void test_dump_reason_signal(void)
{
	struct flap_trace *t = NULL, *u = NULL;
	struct flap_dump_meta m, m2;
	struct flap_reason *r = &m.reason;
	uint8_t *buf = NULL;
	char err[256];
	size_t len = 0;

	if (ASSERT_OK(read_bytes(golden, sizeof(golden), &m2, &u, err, sizeof(err)), "old"))
		ASSERT_FALSE(m2.reason.has_signal, "old dump: no signal in the reason");
	flap_trace__free(u);
	u = NULL;
	if (!ASSERT_OK(make_golden(&m, &t), "make"))
		return;
	strcpy(r->kind, "crash");
	r->signal = 11;
	r->pid = 42;
	r->has_signal = true;
	r->sig.sig = 11;
	r->sig.flags = 8;
	r->sig.info[0] = 11;
	r->sig.ip = 0x55d0c3a1b139;
	r->nframes = 2;
	r->frames[0] = 0x55d0c3a1b139;
	r->frames[1] = 0x55d0c3a1b160;
	r->tid = 43;
	strcpy(r->thread_comm, "app-worker");
	strcpy(r->sender_name, "sidecar");
	r->oom_memcg = 99;
	r->oom_limit = 32ULL << 20;
	r->oom_usage = 1000;
	r->oom_own_memcg = true;
	strcpy(r->oom_cgroup, "/sys/fs/cgroup/x");
	t->sources[0].main_exited = true;
	t->sources[0].main_status = 11 | 0x80;
	r->nsyms = 2;
	r->syms[0].addr = 0x55d0c3a1b139;
	strcpy(r->syms[0].symbol, "flapbar_leaf");
	r->syms[0].sym_off = 9;
	strcpy(r->syms[0].path, "/usr/local/bin/app");
	r->syms[0].has_build_id = 1;
	r->syms[0].build_id[0] = 0x12;
	r->syms[0].file_offset = 0x1139;
	r->syms[1].how = FLAP_FRAME_SCAN;
	r->syms[1].addr = 0x55d0c3a1b160;
	r->nids = 1;
	r->ids[0].status = 1;
	r->stack_len = 8;
	r->stack[7] = 0x77;
	if (!ASSERT_OK(dump_to_bytes(&m, t, &buf, &len), "write") ||
	    !ASSERT_OK(read_bytes(buf, len, &m2, &u, err, sizeof(err)), "read"))
		goto out;
	ASSERT_TRUE(m2.reason.has_signal, "signal read back");
	ASSERT_EQ(m2.reason.sig.sig, 11, "sig");
	ASSERT_EQ(m2.reason.sig.ip, 0x55d0c3a1b139, "ip");
	ASSERT_EQ(m2.reason.nframes, 2, "frames");
	ASSERT_EQ(m2.reason.frames[1], 0x55d0c3a1b160, "outer frame");
	ASSERT_TRUE(m2.reason.sig.frames == NULL, "frames in the reason, not a pointer");
	ASSERT_EQ(m2.reason.tid, 43, "tid");
	ASSERT_STREQ(m2.reason.thread_comm, "app-worker", "thread comm");
	ASSERT_STREQ(m2.reason.sender_name, "sidecar", "sender name");
	ASSERT_EQ(m2.reason.oom_memcg, 99, "oom memcg");
	ASSERT_EQ(m2.reason.oom_limit, 32ULL << 20, "oom limit");
	ASSERT_EQ(m2.reason.oom_usage, 1000, "oom usage");
	ASSERT_TRUE(m2.reason.oom_own_memcg, "oom own memcg");
	ASSERT_STREQ(m2.reason.oom_cgroup, "/sys/fs/cgroup/x", "oom cgroup");
	if (ASSERT_EQ(m2.reason.nsyms, 2, "symbolized frames")) {
		ASSERT_STREQ(m2.reason.syms[0].symbol, "flapbar_leaf", "symbol");
		ASSERT_EQ(m2.reason.syms[0].sym_off, 9, "symbol offset");
		ASSERT_STREQ(m2.reason.syms[0].path, "/usr/local/bin/app", "path");
		ASSERT_EQ(m2.reason.syms[0].build_id[0], 0x12, "build-id");
		ASSERT_EQ(m2.reason.syms[0].file_offset, 0x1139, "file offset");
		ASSERT_EQ(m2.reason.syms[1].how, FLAP_FRAME_SCAN, "found by the scan");
	}
	ASSERT_TRUE(u->sources[0].main_exited, "main process exited");
	ASSERT_EQ(u->sources[0].main_status, 11 | 0x80, "its wait status");
	ASSERT_EQ(m2.reason.nids, 1, "reason frame ids");
	ASSERT_EQ(m2.reason.stack_len, 8, "reason stack bytes");
	ASSERT_EQ(m2.reason.stack[7], 0x77, "reason stack copy");
out:
	free(buf);
	flap_trace__free(t);
	flap_trace__free(u);
}
