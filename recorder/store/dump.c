// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dump.c - dump files and streams (proto/dump.proto): an 8-byte magic and
 * version, a DumpHeader, the events oldest first, and a DumpTrailer, each a
 * varint-delimited message of at most 1 MiB (pbio.c does the framing).
 *
 * The writer packs messages that point straight at the caller's trace and
 * metadata (nothing is copied or freed field by field) into a 64 KiB output
 * buffer, so a dump of many small events costs few write() calls. Files are
 * saved atomically by dump_save.c.
 *
 * The reader treats its input as hostile: it checks the magic and version,
 * every frame's length before allocating for it (in pbio.c), every count and
 * index against the struct it lands in, and grows the event array only as
 * events actually arrive, never by what the header claims. Unpacked messages
 * are released with *__free_unpacked() only. Errors are -EBADMSG with one
 * line in @err.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "dump.pb-c.h"
#include "dump.h"
#include "dump_internal.h"
#include "dump_procs.h"
#include "pbio.h"
#include "syscalls.h"
#include "util.h"
#include "version.h"

#define MAGIC_LEN 8
/* Output buffer of the writer; bigger messages are written on their own. */
#define OUT_BUF_SIZE (64 * 1024)
/* Read size of the reader. */
#define IN_CHUNK_SIZE (16 * 1024)
/*
 * Fixed caps on what a header may declare: a struct flap_source is ~10 KiB,
 * so the sources of a hostile header could otherwise ask for gigabytes.
 */
#define MAX_SOURCES 1024
#define MAX_CPUS    8192
#define MAX_ARGS    6

static const __u8 dump_magic[MAGIC_LEN] = {'F', 'L', 'A', 'P', 'D', 'M', 'P', FLAP_DUMP_VERSION};

_Static_assert(sizeof(FLAP_DUMP_MAGIC) == MAGIC_LEN, "magic is 7 chars + version byte");

/* Copies @src (NULL: "") into @dst of @size bytes, truncating, NUL-terminated. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n > size - 1)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void flap_dump_meta__init(struct flap_dump_meta *m, const char *target)
{
	struct utsname u;

	memset(m, 0, sizeof(*m));
	copy_str(m->tool_version, sizeof(m->tool_version), FLAP_VERSION);
	if (uname(&u) == 0) {
		copy_str(m->host, sizeof(m->host), u.nodename);
		copy_str(m->kernel, sizeof(m->kernel), u.release);
	}
	copy_str(m->arch, sizeof(m->arch), flap_syscall__arch());
	copy_str(m->target, sizeof(m->target), target);
	m->created_ns = flap_clock__real_ns();
	copy_str(m->reason.kind, sizeof(m->reason.kind), "request");
	m->reason.time_ns = m->created_ns;
}

/* ---- writer ------------------------------------------------------------- */

struct writer {
	int fd;
	size_t len;
	uint8_t buf[OUT_BUF_SIZE];
};

static int flush_out(struct writer *w)
{
	int err;

	err = flap_fd__write_all(w->fd, w->buf, w->len);
	w->len = 0;
	return err;
}

/* Frames @msg into the output buffer, flushing it as needed. */
static int put_msg(struct writer *w, const ProtobufCMessage *msg)
{
	size_t size, hlen;
	int err;

	size = protobuf_c_message_get_packed_size(msg);
	if (size > FLAP_PBIO_MAX_DUMP)
		return -EMSGSIZE;
	if (size + FLAP_PBIO_VARINT_MAX > sizeof(w->buf) - w->len) {
		err = flush_out(w);
		if (err)
			return err;
	}
	if (size + FLAP_PBIO_VARINT_MAX > sizeof(w->buf))
		return flap_pbio__write(w->fd, msg, FLAP_PBIO_MAX_DUMP);
	hlen = flap_pbio__varint_encode((uint32_t)size, w->buf + w->len);
	protobuf_c_message_pack(msg, w->buf + w->len + hlen);
	w->len += hlen + size;
	return 0;
}

static void counts_to_pb(Flap__Counts *pb, const struct flap_cpu_counts *c, uint32_t cpu)
{
	flap__counts__init(pb);
	pb->cpu = cpu;
	pb->produced = c->produced;
	pb->held = c->held;
	pb->overwritten = c->overwritten;
	pb->lost = c->lost;
	pb->torn = c->torn;
	pb->bytes = c->bytes;
	pb->restart_lost = c->restart_lost;
}

static void source_to_pb(Flap__Source *pb, Flap__Counts *counts, const struct flap_source *s)
{
	flap__source__init(pb);
	pb->name = (char *)s->name;
	pb->pod = (char *)s->pod;
	pb->namespace_ = (char *)s->ns;
	pb->pod_uid = (char *)s->pod_uid;
	pb->container = (char *)s->container;
	pb->container_id = (char *)s->container_id;
	pb->cgroup_id = s->cgroup_id;
	pb->cgroup_path = (char *)s->cgroup_path;
	pb->main_pid = s->main_pid;
	pb->syscall_filter = (char *)s->syscall_filter;
	pb->node_skipped = s->node_skipped;
	pb->exact_durations = s->exact_durations;
	pb->main_exited = s->main_exited;
	pb->main_status = s->main_status;
	pb->exits_lost = s->exits_lost;
	pb->reset_ns = s->reset_ns;
	counts_to_pb(counts, &s->counts, 0);
	pb->counts = counts;
}

/* CLOCK_REALTIME of the oldest and newest event (0 and 0 without events). */
static void event_window(const struct flap_trace *t, uint64_t *start, uint64_t *end)
{
	__u64 lo = UINT64_MAX, hi = 0;
	size_t i;

	*start = 0;
	*end = 0;
	for (i = 0; i < t->nevents; i++) {
		if (t->events[i].ts < lo)
			lo = t->events[i].ts;
		if (t->events[i].ts > hi)
			hi = t->events[i].ts;
	}
	if (!t->nevents)
		return;
	*start = lo + (__u64)t->boot_to_real_ns;
	*end = hi + (__u64)t->boot_to_real_ns;
}

/* The parts of a header message that point into the trace. */
struct header_pb {
	Flap__DumpHeader hdr;
	struct flap_reason_pb reason;
	Flap__Counts total;
	Flap__Source *srcs;
	Flap__Source **srcp;
	Flap__Counts *src_counts;
	Flap__Counts *cpus;
	Flap__Counts **cpup;
	struct flap_procs_pb procs;
};

static void header_pb_free(struct header_pb *h)
{
	flap_procs_pb__release(&h->procs);
	free(h->srcs);
	free(h->srcp);
	free(h->src_counts);
	free(h->cpus);
	free(h->cpup);
}

/*
 * A trace with events but no source still gets one (empty) source, so every
 * event's index is valid for the reader, as in flap_trace__merge().
 */
static int header_pb_sources(struct header_pb *h, const struct flap_trace *t)
{
	static const struct flap_source empty_source;
	size_t n = t->nsources > 0 ? (size_t)t->nsources : (t->nevents ? 1 : 0);
	size_t i;

	if (n > MAX_SOURCES)
		return -E2BIG;
	h->srcs = calloc(n ? n : 1, sizeof(*h->srcs));
	h->srcp = calloc(n ? n : 1, sizeof(*h->srcp));
	h->src_counts = calloc(n ? n : 1, sizeof(*h->src_counts));
	if (!h->srcs || !h->srcp || !h->src_counts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		source_to_pb(&h->srcs[i], &h->src_counts[i],
			     t->nsources > 0 ? &t->sources[i] : &empty_source);
		h->srcp[i] = &h->srcs[i];
	}
	h->hdr.n_sources = n;
	h->hdr.sources = h->srcp;
	return flap_procs_pb__build(&h->procs, t, h->srcs, n);
}

static int header_pb_cpus(struct header_pb *h, const struct flap_trace *t)
{
	size_t n = t->ncpus > 0 ? (size_t)t->ncpus : 0, i;

	if (n > MAX_CPUS)
		return -E2BIG;
	h->cpus = calloc(n ? n : 1, sizeof(*h->cpus));
	h->cpup = calloc(n ? n : 1, sizeof(*h->cpup));
	if (!h->cpus || !h->cpup)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		counts_to_pb(&h->cpus[i], &t->cpus[i], (uint32_t)i);
		h->cpup[i] = &h->cpus[i];
	}
	h->hdr.n_cpus = n;
	h->hdr.cpus = h->cpup;
	return 0;
}

static int header_pb_build(struct header_pb *h, const struct flap_dump_meta *m,
			   const struct flap_trace *t)
{
	Flap__DumpHeader *hdr = &h->hdr;
	int err;

	memset(h, 0, sizeof(*h));
	flap__dump_header__init(hdr);
	hdr->format_version = FLAP_DUMP_VERSION;
	hdr->tool_version = (char *)m->tool_version;
	hdr->host = (char *)m->host;
	hdr->kernel = (char *)m->kernel;
	hdr->arch = (char *)m->arch;
	hdr->target = (char *)m->target;
	flap_dump__reason_to_pb(&m->reason, &h->reason);
	hdr->reason = &h->reason.reason;
	hdr->boot_to_real_ns = t->boot_to_real_ns;
	hdr->read_boot_ns = t->read_ns;
	event_window(t, &hdr->window_start_ns, &hdr->window_end_ns);
	counts_to_pb(&h->total, &t->total, 0);
	hdr->total = &h->total;
	hdr->event_count = t->nevents;
	hdr->created_ns = m->created_ns;
	hdr->bpf_programs = (char *)t->bpf_programs;
	hdr->kernel_lacks = (char *)t->kernel_lacks;
	err = header_pb_sources(h, t);
	if (!err)
		err = header_pb_cpus(h, t);
	return err;
}

/* Checks what the reader would refuse, so we never write an unreadable dump. */
static int check_event(const struct flap_event *ev, int nsources)
{
	int i;

	if (ev->nargs > MAX_ARGS || ev->ncaps > FLAP_EV_MAX_CAPS)
		return -EINVAL;
	if (ev->source >= (nsources > 0 ? nsources : 1))
		return -EINVAL;
	for (i = 0; i < ev->ncaps; i++)
		if (ev->caps[i].arg >= MAX_ARGS || (ev->caps[i].len && !ev->caps[i].data))
			return -EINVAL;
	return 0;
}

static int put_event(struct writer *w, const struct flap_event *ev)
{
	Flap__Event pb = FLAP__EVENT__INIT;
	Flap__Capture caps[FLAP_EV_MAX_CAPS];
	Flap__Capture *capp[FLAP_EV_MAX_CAPS];
	const struct flap_syscall *sc;
	struct flap_signal_pb sig;
	uint64_t args[MAX_ARGS];
	int i;

	pb.ts = ev->ts;
	pb.exit_ts = ev->exit_ts;
	pb.dur_ns = ev->dur_ns;
	pb.ret = ev->ret;
	for (i = 0; i < ev->nargs; i++)
		args[i] = ev->args[i];
	pb.n_args = ev->nargs;
	pb.args = args;
	pb.tid = ev->tid;
	pb.tgid = ev->tgid;
	pb.nr = ev->nr;
	pb.flags = ev->flags;
	pb.cpu = ev->cpu;
	pb.source = ev->source;
	pb.comm.len = strnlen(ev->comm, sizeof(ev->comm) - 1);
	pb.comm.data = (uint8_t *)ev->comm;
	for (i = 0; i < ev->ncaps; i++) {
		flap__capture__init(&caps[i]);
		caps[i].arg = ev->caps[i].arg;
		caps[i].flags = ev->caps[i].flags;
		caps[i].data.len = ev->caps[i].len;
		caps[i].data.data = (uint8_t *)ev->caps[i].data;
		capp[i] = &caps[i];
	}
	pb.n_caps = ev->ncaps;
	pb.caps = capp;
	sc = ev->sig ? NULL : flap_syscall__by_nr(ev->nr);
	if (sc && sc->name)
		pb.syscall = (char *)sc->name;
	if (ev->sig) {
		flap_dump__signal_to_pb(ev->sig, &sig);
		pb.signal = &sig.sig;
	}
	return put_msg(w, &pb.base);
}

static int write_stream(struct writer *w, const struct flap_dump_meta *m,
			const struct flap_trace *t)
{
	Flap__DumpTrailer trailer = FLAP__DUMP_TRAILER__INIT;
	struct header_pb h;
	size_t i;
	int err;

	for (i = 0; i < t->nevents; i++) {
		err = check_event(&t->events[i], t->nsources);
		if (err)
			return err;
	}
	memcpy(w->buf, dump_magic, MAGIC_LEN);
	w->len = MAGIC_LEN;
	err = header_pb_build(&h, m, t);
	if (!err)
		err = put_msg(w, &h.hdr.base);
	header_pb_free(&h);
	for (i = 0; !err && i < t->nevents; i++)
		err = put_event(w, &t->events[i]);
	if (err)
		return err;
	trailer.event_count = t->nevents;
	err = put_msg(w, &trailer.base);
	if (err)
		return err;
	return flush_out(w);
}

/**
 * flap_dump__write() - write @m and @t as a dump stream to @fd.
 * @fd: a blocking file, pipe or socket; borrowed.
 * @m: metadata (strings NUL-terminated); borrowed.
 * @t: the trace, events oldest first; borrowed. Every event's source must
 *     index @t->sources (a trace without sources gets one empty source).
 *
 * Context: any thread; nothing is logged.
 * Return: 0; -EINVAL for a NULL argument or an event the reader would
 * refuse; -EMSGSIZE when one message is over 1 MiB; -E2BIG over the
 * source/CPU caps; -ENOMEM; or the write error. Bytes may have been
 * written before an error: a stream without its trailer reads as truncated.
 */
int flap_dump__write(int fd, const struct flap_dump_meta *m, const struct flap_trace *t)
{
	struct writer *w;
	int err;

	if (fd < 0 || !m || !t || (t->nevents && !t->events) || (t->nsources > 0 && !t->sources) ||
	    (t->ncpus > 0 && !t->cpus))
		return -EINVAL;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->len = 0;
	err = write_stream(w, m, t);
	free(w);
	return err;
}

/* ---- reader ------------------------------------------------------------- */

struct reader {
	int fd;
	struct flap_pbio_stream in;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct reader *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->err && r->errlen) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Reads up to @len bytes, fewer only at the end of the stream. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

static int check_magic(struct reader *r)
{
	__u8 magic[MAGIC_LEN];
	ssize_t n;

	n = read_full(r->fd, magic, sizeof(magic));
	if (n < 0)
		return fail(r, (int)n, "read: %s", strerror((int)-n));
	if (n == 0)
		return fail(r, -EBADMSG, "empty input: not a flap-recorder dump file");
	if (n < MAGIC_LEN || memcmp(magic, dump_magic, MAGIC_LEN - 1) != 0)
		return fail(r, -EBADMSG, "not a flap-recorder dump file");
	if (magic[MAGIC_LEN - 1] != FLAP_DUMP_VERSION)
		return fail(r, -EBADMSG,
			    "dump format version %u not supported (this build reads %u)",
			    magic[MAGIC_LEN - 1], FLAP_DUMP_VERSION);
	return 0;
}

/* Says why the pending bytes cannot start a frame. */
static int bad_frame(struct reader *r, const char *what)
{
	size_t pending = flap_pbio_stream__pending(&r->in), used;
	uint32_t v;

	if (flap_pbio__varint_decode(r->in.buf + r->in.off, pending, &v, &used) == 1)
		return fail(r, -EBADMSG, "corrupt: %s is %u bytes, over the %d-byte limit", what, v,
			    FLAP_PBIO_MAX_DUMP);
	return fail(r, -EBADMSG, "corrupt: bad length prefix of %s", what);
}

/*
 * Takes the next frame, reading more input as needed. Return: 1 and a new
 * buffer, 0 at a clean end of the stream, or negative errno (@err set).
 */
static int next_frame(struct reader *r, const char *what, uint8_t **buf, size_t *len)
{
	uint8_t chunk[IN_CHUNK_SIZE];
	ssize_t n;
	int rc;

	for (;;) {
		rc = flap_pbio_stream__next(&r->in, buf, len);
		if (rc == -EBADMSG)
			return bad_frame(r, what);
		if (rc)
			return rc < 0 ? fail(r, rc, "%s: %s", what, strerror(-rc)) : rc;
		n = read(r->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(r, -errno, "read: %s", strerror(errno));
		if (n == 0) {
			if (flap_pbio_stream__pending(&r->in))
				return fail(r, -EBADMSG, "truncated: the input ends inside %s",
					    what);
			return 0;
		}
		rc = flap_pbio_stream__feed(&r->in, chunk, n);
		if (rc == -EBADMSG)
			return bad_frame(r, what);
		if (rc)
			return fail(r, rc, "%s: %s", what, strerror(-rc));
	}
}

static void counts_from_pb(struct flap_cpu_counts *c, const Flap__Counts *pb)
{
	memset(c, 0, sizeof(*c));
	if (!pb)
		return;
	c->produced = pb->produced;
	c->held = pb->held;
	c->overwritten = pb->overwritten;
	c->lost = pb->lost;
	c->torn = pb->torn;
	c->bytes = pb->bytes;
	c->restart_lost = pb->restart_lost;
}

static int meta_from_pb(struct reader *r, struct flap_dump_meta *m, const Flap__DumpHeader *h)
{
	const Flap__Reason *rs = h->reason;
	const char *why = "";
	int rc;

	memset(m, 0, sizeof(*m));
	copy_str(m->tool_version, sizeof(m->tool_version), h->tool_version);
	copy_str(m->host, sizeof(m->host), h->host);
	copy_str(m->kernel, sizeof(m->kernel), h->kernel);
	copy_str(m->arch, sizeof(m->arch), h->arch);
	copy_str(m->target, sizeof(m->target), h->target);
	m->created_ns = h->created_ns;
	if (!rs)
		return 0;
	if (rs->comm.len >= sizeof(m->reason.comm))
		return fail(r, -EBADMSG, "corrupt header: reason comm of %zu bytes", rs->comm.len);
	rc = flap_dump__reason_from_pb(rs, &m->reason, &why);
	if (rc)
		return fail(r, rc, "corrupt header: reason %s", why);
	return 0;
}

static void source_from_pb(struct flap_source *s, const Flap__Source *pb)
{
	memset(s, 0, sizeof(*s));
	copy_str(s->name, sizeof(s->name), pb->name);
	copy_str(s->pod, sizeof(s->pod), pb->pod);
	copy_str(s->ns, sizeof(s->ns), pb->namespace_);
	copy_str(s->pod_uid, sizeof(s->pod_uid), pb->pod_uid);
	copy_str(s->container, sizeof(s->container), pb->container);
	copy_str(s->container_id, sizeof(s->container_id), pb->container_id);
	copy_str(s->cgroup_path, sizeof(s->cgroup_path), pb->cgroup_path);
	s->cgroup_id = pb->cgroup_id;
	s->main_pid = pb->main_pid;
	/* Fields absent in older files read "" (all recorded), false or 0 (nothing said). */
	copy_str(s->syscall_filter, sizeof(s->syscall_filter), pb->syscall_filter);
	s->node_skipped = pb->node_skipped;
	s->exact_durations = pb->exact_durations;
	s->main_exited = pb->main_exited;
	s->main_status = pb->main_status;
	s->exits_lost = pb->exits_lost;
	s->reset_ns = pb->reset_ns;
	counts_from_pb(&s->counts, pb->counts);
}

/* Number of per-CPU slots the header needs: highest CPU listed + 1. */
static int header_ncpus(struct reader *r, const Flap__DumpHeader *h)
{
	uint32_t ncpus = 0;
	size_t i;

	if (h->n_cpus > MAX_CPUS)
		return fail(r, -EBADMSG, "corrupt header: %zu per-CPU counts (max %d)", h->n_cpus,
			    MAX_CPUS);
	for (i = 0; i < h->n_cpus; i++) {
		if (h->cpus[i]->cpu >= MAX_CPUS)
			return fail(r, -EBADMSG, "corrupt header: CPU %u (max %d)", h->cpus[i]->cpu,
				    MAX_CPUS - 1);
		if (h->cpus[i]->cpu >= ncpus)
			ncpus = h->cpus[i]->cpu + 1;
	}
	return (int)ncpus;
}

/* Builds the trace (sources, counts; no events yet) from the header. */
static int trace_from_header(struct reader *r, const Flap__DumpHeader *h, struct flap_trace **out)
{
	struct flap_trace *t = NULL;
	int ncpus, err;
	size_t i;

	if (h->format_version != FLAP_DUMP_VERSION)
		return fail(r, -EBADMSG, "corrupt header: format version %u, the magic says %u",
			    h->format_version, FLAP_DUMP_VERSION);
	if (h->n_sources > MAX_SOURCES)
		return fail(r, -EBADMSG, "corrupt header: %zu sources (max %d)", h->n_sources,
			    MAX_SOURCES);
	ncpus = header_ncpus(r, h);
	if (ncpus < 0)
		return ncpus;
	err = flap_trace__new(ncpus, &t);
	if (err)
		return fail(r, err, "header: %s", strerror(-err));
	t->sources = calloc(h->n_sources ? h->n_sources : 1, sizeof(*t->sources));
	if (!t->sources) {
		flap_trace__free(t);
		return fail(r, -ENOMEM, "header: %s", strerror(ENOMEM));
	}
	t->nsources = (int)h->n_sources;
	for (i = 0; i < h->n_sources; i++) {
		const char *why = "";

		source_from_pb(&t->sources[i], h->sources[i]);
		err = flap_procs_pb__read(t, (int)i, h->sources[i], &why);
		if (err) {
			flap_trace__free(t);
			if (err == -EBADMSG)
				return fail(r, err, "corrupt header: source %zu: too many %s", i,
					    why);
			return fail(r, err, "header: %s", strerror(-err));
		}
	}
	/* CPUs not listed keep zero counts; a CPU listed twice adds up. */
	for (i = 0; i < h->n_cpus; i++) {
		struct flap_cpu_counts c;

		counts_from_pb(&c, h->cpus[i]);
		flap_cpu_counts__add(&t->cpus[h->cpus[i]->cpu], &c);
	}
	counts_from_pb(&t->total, h->total);
	t->boot_to_real_ns = h->boot_to_real_ns;
	t->read_ns = h->read_boot_ns;
	*out = t;
	return 0;
}

static int read_header(struct reader *r, struct flap_dump_meta *m, struct flap_trace **t,
		       __u64 *event_count)
{
	Flap__DumpHeader *h;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	rc = next_frame(r, "the header", &buf, &len);
	if (rc == 0)
		return fail(r, -EBADMSG, "truncated: no header after the magic");
	if (rc < 0)
		return rc;
	h = flap__dump_header__unpack(NULL, len, buf);
	free(buf);
	if (!h)
		return fail(r, -EBADMSG, "corrupt header: cannot decode %zu bytes", len);
	rc = meta_from_pb(r, m, h);
	if (!rc)
		rc = trace_from_header(r, h, t);
	if (!rc) {
		copy_str((*t)->bpf_programs, sizeof((*t)->bpf_programs), h->bpf_programs);
		copy_str((*t)->kernel_lacks, sizeof((*t)->kernel_lacks), h->kernel_lacks);
	}
	*event_count = h->event_count;
	flap__dump_header__free_unpacked(h, NULL);
	return rc;
}

static int caps_from_pb(struct reader *r, struct flap_trace *t, struct flap_event *ev,
			const Flap__Event *pb, size_t idx)
{
	size_t i;

	if (pb->n_caps > FLAP_EV_MAX_CAPS)
		return fail(r, -EBADMSG, "corrupt event %zu: %zu captures (max %d)", idx,
			    pb->n_caps, FLAP_EV_MAX_CAPS);
	for (i = 0; i < pb->n_caps; i++) {
		const Flap__Capture *c = pb->caps[i];

		if (c->arg >= MAX_ARGS || c->flags > UINT8_MAX || c->data.len > UINT16_MAX)
			return fail(r, -EBADMSG,
				    "corrupt event %zu: capture of arg %u, flags %#x, %zu bytes",
				    idx, c->arg, c->flags, c->data.len);
		ev->caps[i].arg = c->arg;
		ev->caps[i].flags = c->flags;
		ev->caps[i].len = c->data.len;
		ev->caps[i].data = flap_trace__copy_bytes(t, c->data.data, c->data.len);
		if (!ev->caps[i].data)
			return fail(r, -ENOMEM, "event %zu: %s", idx, strerror(ENOMEM));
	}
	ev->ncaps = pb->n_caps;
	return 0;
}

static int event_from_pb(struct reader *r, struct flap_trace *t, const Flap__Event *pb, size_t idx)
{
	struct flap_event *ev;
	size_t i;

	if (pb->n_args > MAX_ARGS)
		return fail(r, -EBADMSG, "corrupt event %zu: %zu args (max %d)", idx, pb->n_args,
			    MAX_ARGS);
	if (pb->source >= (uint32_t)t->nsources)
		return fail(r, -EBADMSG, "corrupt event %zu: source %u of %d", idx, pb->source,
			    t->nsources);
	if (pb->cpu > UINT16_MAX)
		return fail(r, -EBADMSG, "corrupt event %zu: CPU %u", idx, pb->cpu);
	ev = flap_trace__push(t);
	if (!ev)
		return fail(r, -ENOMEM, "event %zu: %s", idx, strerror(ENOMEM));
	ev->ts = pb->ts;
	ev->exit_ts = pb->exit_ts;
	ev->dur_ns = pb->dur_ns;
	ev->ret = pb->ret;
	for (i = 0; i < pb->n_args; i++)
		ev->args[i] = pb->args[i];
	ev->nargs = pb->n_args;
	ev->tid = pb->tid;
	ev->tgid = pb->tgid;
	ev->nr = pb->nr;
	ev->flags = pb->flags;
	ev->cpu = pb->cpu;
	ev->source = pb->source;
	if (flap_dump__copy_name(ev->comm, sizeof(ev->comm), &pb->comm))
		return fail(r, -EBADMSG, "corrupt event %zu: comm of %zu bytes", idx, pb->comm.len);
	if (pb->signal) {
		const char *why = "";
		int rc = flap_dump__signal_from_pb(t, pb->signal, &ev->sig, &why);

		if (rc)
			return fail(r, rc, "corrupt event %zu: %s", idx, why);
		ev->nr = FLAP_EV_NR_SIGNAL;
	}
	return caps_from_pb(r, t, ev, pb, idx);
}

static int read_events(struct reader *r, struct flap_trace *t, __u64 count)
{
	Flap__Event *pb;
	uint8_t *buf;
	size_t len;
	__u64 i;
	int rc;

	for (i = 0; i < count; i++) {
		buf = NULL;
		rc = next_frame(r, "an event", &buf, &len);
		if (rc == 0)
			return fail(r, -EBADMSG, "truncated: %llu of %llu events, no trailer",
				    (unsigned long long)i, (unsigned long long)count);
		if (rc < 0)
			return rc;
		pb = flap__event__unpack(NULL, len, buf);
		free(buf);
		if (!pb)
			return fail(r, -EBADMSG, "corrupt event %llu: cannot decode %zu bytes",
				    (unsigned long long)i, len);
		rc = event_from_pb(r, t, pb, (size_t)i);
		flap__event__free_unpacked(pb, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_trailer(struct reader *r, __u64 count)
{
	Flap__DumpTrailer *tr;
	uint8_t *buf = NULL;
	size_t len;
	__u64 n;
	int rc;

	rc = next_frame(r, "the trailer", &buf, &len);
	if (rc == 0)
		return fail(r, -EBADMSG, "truncated: no trailer after %llu events",
			    (unsigned long long)count);
	if (rc < 0)
		return rc;
	tr = flap__dump_trailer__unpack(NULL, len, buf);
	free(buf);
	if (!tr)
		return fail(r, -EBADMSG, "corrupt trailer: cannot decode %zu bytes", len);
	n = tr->event_count;
	flap__dump_trailer__free_unpacked(tr, NULL);
	if (n != count)
		return fail(r, -EBADMSG, "corrupt: the header says %llu events, the trailer %llu",
			    (unsigned long long)count, (unsigned long long)n);
	return 0;
}

static int read_dump(int fd, bool header_only, struct flap_dump_meta *m, struct flap_trace **out,
		     char *err, size_t errlen)
{
	struct reader r = {.fd = fd, .err = err, .errlen = errlen};
	struct flap_trace *t = NULL;
	__u64 count = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (fd < 0 || !m || !out)
		return fail(&r, -EINVAL, "invalid argument");
	*out = NULL;
	flap_pbio_stream__init(&r.in, FLAP_PBIO_MAX_DUMP);
	rc = check_magic(&r);
	if (!rc)
		rc = read_header(&r, m, &t, &count);
	if (!rc && !header_only)
		rc = read_events(&r, t, count);
	if (!rc && !header_only)
		rc = read_trailer(&r, count);
	flap_pbio_stream__free(&r.in);
	if (rc) {
		flap_trace__free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/**
 * flap_dump__read() - read a dump stream from @fd.
 * @fd: a file, pipe or socket (blocking); borrowed. The stream is read up
 *      to its trailer; input after the trailer is not looked at.
 * @m: filled with the header's metadata.
 * @t: on success a new trace the caller frees with flap_trace__free(); its
 *     captured bytes live in the trace's arena. NULL on error.
 * @err: one line saying what is wrong, for any error (may be NULL).
 *
 * Context: any thread; nothing is logged.
 * Return: 0; -EBADMSG for a foreign, corrupt or truncated stream; -ENOMEM;
 * or the read error.
 */
int flap_dump__read(int fd, struct flap_dump_meta *m, struct flap_trace **t, char *err,
		    size_t errlen)
{
	return read_dump(fd, false, m, t, err, errlen);
}

static int load(const char *path, bool header_only, struct flap_dump_meta *m, struct flap_trace **t,
		char *err, size_t errlen)
{
	int fd, rc;

	if (!path) {
		if (err && errlen)
			snprintf(err, errlen, "invalid argument");
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot open: %s", strerror(-rc));
		return rc;
	}
	rc = read_dump(fd, header_only, m, t, err, errlen);
	close(fd);
	return rc;
}

/**
 * flap_dump__load() - flap_dump__read() on the file at @path.
 * Return: as flap_dump__read(), or the open() error (@err says so).
 */
int flap_dump__load(const char *path, struct flap_dump_meta *m, struct flap_trace **t, char *err,
		    size_t errlen)
{
	return load(path, false, m, t, err, errlen);
}

/**
 * flap_dump__load_header() - read only the magic and header of the file at
 * @path: @m, and a new trace (caller frees) with the sources, per-CPU and
 * total counts, boot_to_real_ns and read_ns, but no events. The events and
 * trailer are not read, so a cut file still lists.
 * Return: as flap_dump__load().
 */
int flap_dump__load_header(const char *path, struct flap_dump_meta *m, struct flap_trace **t,
			   char *err, size_t errlen)
{
	return load(path, true, m, t, err, errlen);
}
