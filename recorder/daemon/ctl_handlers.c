// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ctl_handlers.c - the control protocol's request handlers: a request
 * (proto/ctl.proto, varint-delimited, 64 KiB max) decoded, turned into
 * daemon calls (the entry API of daemon.h), and answered with a Response
 * (and the dump stream for a dump). A malformed, oversized or unknown
 * request is answered with an error like any refused one. The transport
 * (ctl.c) reaches these through the callbacks the daemon registers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.pb-c.h"
#include "crash.h"
#include "ctl.h"
#include "ctl_handlers.h"
#include "daemon.h"
#include "dump.h"
#include "dumpdir.h"
#include "kfeatures.h"
#include "log.h"
#include "pbio.h"
#include "pool.h"
#include "sysset.h"
#include "util.h"
#include "version.h"

#define MAX_MATCHES 256

/*
 * One request being answered, apart from the socket it came on: the
 * daemon it goes to, the peer (for log lines), and the reply built for it.
 */
struct answer {
	struct flap_daemon *d;
	struct flap_ctl_conn *conn; /* NULL: no transport, every reply now */
	int pid;
	uint8_t *out; /* a framed Response, then for a dump the dump stream */
	size_t len;
	int err;    /* no reply could be built: close without one */
	bool later; /* the reply goes to conn later (an add under way) */
};

/* Builds the reply: @resp framed, then @extra (a dump stream). */
static void reply(struct answer *a, const Flap__Response *resp, const void *extra, size_t extra_len)
{
	uint8_t *frame = NULL;
	size_t flen = 0;
	int rc;

	rc = flap_pbio__pack(&resp->base, FLAP_PBIO_MAX_CTL_REPLY, &frame, &flen);
	if (rc) {
		pr_warn("ctl: pid %d: cannot pack reply: %s", a->pid, strerror(-rc));
		a->err = rc;
		return;
	}
	free(a->out);
	a->out = malloc(flen + extra_len);
	if (!a->out) {
		free(frame);
		a->err = -ENOMEM;
		return;
	}
	memcpy(a->out, frame, flen);
	if (extra_len)
		memcpy(a->out + flen, extra, extra_len);
	a->len = flen + extra_len;
	free(frame);
}

/*
 * Error messages quote what the client sent (names, paths): a control byte
 * in them would end up raw in the daemon's log and on the user's terminal.
 */
static void clean_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void reply_error_list(struct answer *a, Flap__ErrorCode code, const char *msg,
			     char **candidates, size_t ncand)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__Error err = FLAP__ERROR__INIT;
	char line[512];

	snprintf(line, sizeof(line), "%s", msg);
	clean_line(line);
	pr_debug("ctl: pid %d: %s", a->pid, line);
	err.code = code;
	err.message = line;
	err.candidates = candidates;
	err.n_candidates = ncand;
	resp.error = &err;
	reply(a, &resp, NULL, 0);
}

static void reply_error(struct answer *a, Flap__ErrorCode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct answer *a, Flap__ErrorCode code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_error_list(a, code, msg, NULL, 0);
}

static Flap__ErrorCode code_of(int err)
{
	switch (err) {
	case -EEXIST:
		return FLAP__ERROR_CODE__EXISTS;
	case -ENOENT:
	case -ESRCH:
		return FLAP__ERROR_CODE__NOT_FOUND;
	case -ENOSPC:
		return FLAP__ERROR_CODE__NO_SPACE;
	case -EINVAL:
	case -ENAMETOOLONG:
	case -ENOTDIR:
		return FLAP__ERROR_CODE__BAD_REQUEST;
	case -EPERM:
	case -EACCES:
		return FLAP__ERROR_CODE__PERMISSION;
	default:
		return FLAP__ERROR_CODE__INTERNAL;
	}
}

/*
 * Copies request string @src (NULL: "") into a fixed field. Refused: one
 * that does not fit (never cut: two long names must not become one), and
 * one holding a control byte (names reach logs, listings and file names).
 */
static int take_str(char *dst, size_t size, const char *src, const char *what, char *err,
		    size_t errlen)
{
	size_t i, n;

	if (!src)
		src = "";
	n = strlen(src);
	if (n >= size) {
		snprintf(err, errlen, "add: the %s is %zu bytes long, over the limit of %zu", what,
			 n, size - 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) {
			snprintf(err, errlen,
				 "add: the %s contains a control character at byte %zu", what, i);
			return -EINVAL;
		}
	}
	memcpy(dst, src, n + 1);
	return 0;
}

static void fill_info(struct flap_daemon *d, struct flap_entry *e, Flap__RecorderInfo *ri)
{
	const struct flap_recorder_opts *o = flap_recorder__opts(e->rec);
	struct flap_cpu_counts cnt;

	ri->name = e->meta.name;
	ri->pod = e->meta.pod;
	ri->namespace_ = e->meta.ns;
	ri->pod_uid = e->meta.pod_uid;
	ri->container = e->meta.container;
	ri->container_id = e->meta.container_id;
	ri->cgroup_id = e->meta.cgroup_id;
	ri->cgroup_path = e->meta.cgroup_path;
	ri->state = (char *)flap_entry__state_name(e->state);
	if (flap_recorder__counts(e->rec, &cnt) == 0) {
		ri->events_held = cnt.held;
		ri->produced = cnt.produced;
		ri->lost = cnt.lost;
		ri->overwritten = cnt.overwritten;
	}
	ri->ring_bytes = flap_recorder__memory(e->rec);
	ri->age_ns = flap_clock__boot_ns() - e->added_ns;
	ri->main_pid = e->meta.main_pid;
	ri->ring_pages = o->ring_pages;
	ri->str_max = o->str_max;
	ri->buf_max = o->buf_max;
	ri->syscalls = (char *)(o->filter ? o->filter_expr : "");
	ri->syscalls_recorded = flap_sysset__count(&o->syscalls);
	ri->exact_durations = o->exact_durations;
	ri->slot = flap_recorder__slot(e->rec);
	ri->crashes = e->crashes;
	ri->crashes_skipped = e->crashes_skipped;
	ri->exits_lost = e->exits_lost;
	ri->dumps_failed = e->dumps_failed;
	ri->dumps_pending = flap_daemon__dumps_pending(d, e->meta.cgroup_id);
	ri->history_reset_ns = e->meta.reset_ns;
}

static int parse_on_exit(const char *s, enum flap_on_exit *out)
{
	if (strcmp(s, "nonzero") == 0)
		*out = FLAP_ON_EXIT_NONZERO;
	else if (strcmp(s, "signal") == 0)
		*out = FLAP_ON_EXIT_SIGNAL;
	else if (strcmp(s, "never") == 0)
		*out = FLAP_ON_EXIT_NEVER;
	else
		return -EINVAL;
	return 0;
}

/*
 * The in-kernel syscall filter of an add request: the items of a strace
 * -e trace= set. A set of every syscall is no filter at all.
 */
static int filter_from_msg(const Flap__RecorderSpec *m, struct flap_recorder_opts *o, char *err,
			   size_t errlen)
{
	size_t i, len = 0;
	char why[256];

	if (!m->n_syscalls)
		return 0;
	for (i = 0; i < m->n_syscalls; i++)
		len += strlen(m->syscalls[i] ? m->syscalls[i] : "") + 1;
	if (len > sizeof(o->filter_expr)) {
		snprintf(err, errlen, "add: the syscall set is longer than %zu bytes",
			 sizeof(o->filter_expr) - 1);
		return -EINVAL;
	}
	if (flap_sysset__parse_items(&o->syscalls, m->syscalls, m->n_syscalls, why, sizeof(why))) {
		snprintf(err, errlen, "add: syscalls: %s", why);
		return -EINVAL;
	}
	o->filter = !flap_sysset__is_all(&o->syscalls);
	o->filter_expr[0] = '\0';
	for (i = 0; o->filter && i < m->n_syscalls; i++)
		snprintf(o->filter_expr + strlen(o->filter_expr),
			 sizeof(o->filter_expr) - strlen(o->filter_expr), "%s%s", i ? "," : "",
			 m->syscalls[i] ? m->syscalls[i] : "");
	return 0;
}

static int spec_from_msg(const Flap__RecorderSpec *m, struct flap_add_spec *s, char *err,
			 size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (!m) {
		snprintf(err, errlen, "add: no recorder spec");
		return -EINVAL;
	}
	s->cgroup_id = m->cgroup_id;
	s->pid = m->pid;
	s->main_pid = m->main_pid;
	if (m->pid > INT_MAX) {
		snprintf(err, errlen, "add: bad pid %u", m->pid);
		return -EINVAL;
	}
	if (take_str(s->cgroup_path, sizeof(s->cgroup_path), m->cgroup_path, "cgroup path", err,
		     errlen) ||
	    take_str(s->meta.name, sizeof(s->meta.name), m->name, "name", err, errlen) ||
	    take_str(s->meta.pod, sizeof(s->meta.pod), m->pod, "pod", err, errlen) ||
	    take_str(s->meta.ns, sizeof(s->meta.ns), m->namespace_, "namespace", err, errlen) ||
	    take_str(s->meta.pod_uid, sizeof(s->meta.pod_uid), m->pod_uid, "pod uid", err,
		     errlen) ||
	    take_str(s->meta.container, sizeof(s->meta.container), m->container, "container", err,
		     errlen) ||
	    take_str(s->meta.container_id, sizeof(s->meta.container_id), m->container_id,
		     "container id", err, errlen))
		return -EINVAL;
	s->ropts.ring_pages = m->ring_pages;
	s->ropts.str_max = m->str_max;
	s->ropts.buf_max = m->buf_max;
	/* false is "the daemon default" (flap_daemon__add() merges it), never "off". */
	s->ropts.exact_durations = m->exact_durations;
	if (m->ring_pages &&
	    (m->ring_pages & (m->ring_pages - 1) || m->ring_pages < FLAP_RING_PAGES_MIN ||
	     m->ring_pages > FLAP_RING_PAGES_MAX)) {
		snprintf(err, errlen,
			 "add: ring pages must be a power of two from %d to %d (got %u)",
			 FLAP_RING_PAGES_MIN, FLAP_RING_PAGES_MAX, m->ring_pages);
		return -EINVAL;
	}
	if (m->str_max > 1024 || m->buf_max > 1024 || m->buf_max < -1) {
		snprintf(err, errlen, "add: string size 1..1024, buffer size 0..1024");
		return -EINVAL;
	}
	if (m->on_exit && *m->on_exit) {
		if (parse_on_exit(m->on_exit, &s->on_exit)) {
			snprintf(err, errlen, "add: on-exit must be nonzero, signal or never");
			return -EINVAL;
		}
		s->has_on_exit = true;
	}
	return filter_from_msg(m, &s->ropts, err, errlen);
}

static void reply_added(struct answer *a, struct flap_entry *e)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__RecorderInfo ri = FLAP__RECORDER_INFO__INIT;
	Flap__AddReply ar = FLAP__ADD_REPLY__INIT;

	fill_info(a->d, e, &ri);
	ar.recorder = &ri;
	resp.body_case = FLAP__RESPONSE__BODY_ADD;
	resp.add = &ar;
	reply(a, &resp, NULL, 0);
}

/* An add the daemon finishes later: where its reply goes. */
struct late_add {
	struct flap_daemon *d;
	struct flap_ctl_conn *conn;
	int pid;
};

static int take_answer(struct answer *a, uint8_t **out, size_t *outlen);

/* flap_add_done_fn: the add's reply, on the connection that asked for it. */
static void on_added(void *ctx, int rc, struct flap_entry *e, const char *err)
{
	struct late_add *l = ctx;
	struct answer a = {.d = l->d, .pid = l->pid};
	uint8_t *out = NULL;
	size_t len = 0;

	if (rc)
		reply_error(&a, code_of(rc), "%s", err);
	else
		reply_added(&a, e);
	/* No reply could be built: the connection closes without one. */
	if (take_answer(&a, &out, &len) < 0)
		out = NULL;
	flap_ctl_conn__reply(l->conn, out, len);
	free(out);
	free(l);
}

static void handle_add(struct answer *a, const Flap__AddRequest *req)
{
	struct late_add *late = NULL;
	struct flap_add_spec *spec;
	struct flap_entry *e;
	char err[512];
	int rc;

	spec = malloc(sizeof(*spec));
	if (a->conn)
		late = malloc(sizeof(*late));
	if (!spec || (a->conn && !late)) {
		free(spec);
		free(late);
		reply_error(a, FLAP__ERROR_CODE__INTERNAL, "out of memory");
		return;
	}
	if (late)
		*late = (struct late_add){.d = a->d, .conn = a->conn, .pid = a->pid};
	rc = spec_from_msg(req->spec, spec, err, sizeof(err));
	if (!rc)
		rc = flap_daemon__add(a->d, spec, late ? on_added : NULL, late, &e, err,
				      sizeof(err));
	free(spec);
	if (rc == FLAP_DAEMON_ADD_PENDING) {
		/* on_added() replies and frees late. */
		a->later = true;
		return;
	}
	free(late);
	if (rc) {
		reply_error(a, code_of(rc), "%s", err);
		return;
	}
	reply_added(a, e);
}

/* "name" for each recorder and "ns/pod" for each pod: what a target can be. */
static size_t list_candidates(struct flap_daemon *d, char **out, size_t max, char *pool,
			      size_t poolsize)
{
	struct flap_entry *e;
	size_t n = 0, used = 0, i;

	TAILQ_FOREACH(e, flap_daemon__entries(d), link)
	{
		char item[600];
		bool dup = false;

		for (int k = 0; k < 2 && n < max; k++) {
			if (k == 0)
				snprintf(item, sizeof(item), "%s", e->meta.name);
			else if (e->meta.pod[0])
				snprintf(item, sizeof(item), "pod %s/%s", e->meta.ns, e->meta.pod);
			else
				continue;
			for (i = 0, dup = false; i < n; i++)
				dup |= strcmp(out[i], item) == 0;
			if (dup || used + strlen(item) + 1 > poolsize)
				continue;
			out[n++] = strcpy(pool + used, item);
			used += strlen(item) + 1;
		}
	}
	return n;
}

/* Resolves a target; replies with the error itself when it fails. */
static int resolve(struct answer *a, const Flap__Target *t, struct flap_entry **out)
{
	struct flap_daemon *d = a->d;
	char *cand[64], pool[8192];
	const char *name, *ns;
	size_t ncand;
	int n;

	name = t && t->name ? t->name : "";
	ns = t && t->namespace_ ? t->namespace_ : "";
	if (!*name) {
		reply_error(a, FLAP__ERROR_CODE__BAD_REQUEST, "no target given");
		return -EINVAL;
	}
	n = flap_daemon__resolve(d, name, ns, out, MAX_MATCHES);
	if (n > 0)
		return n;
	ncand = list_candidates(d, cand, 64, pool, sizeof(pool));
	if (n == -EINVAL) {
		reply_error_list(a, FLAP__ERROR_CODE__AMBIGUOUS,
				 "target matches several pods or containers: give a namespace or a "
				 "recorder name",
				 cand, ncand);
		return n;
	}
	{
		char msg[512];

		snprintf(msg, sizeof(msg), "no recorder, pod or container named '%.200s'%s%.100s",
			 name, *ns ? " in namespace " : "", ns);
		reply_error_list(a, FLAP__ERROR_CODE__NOT_FOUND, msg, cand, ncand);
	}
	return -ENOENT;
}

static void handle_remove(struct answer *a, const Flap__RemoveRequest *req)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	struct flap_entry *m[MAX_MATCHES];
	int n, i;

	n = resolve(a, req->target, m);
	if (n < 0)
		return;
	for (i = 0; i < n; i++)
		flap_daemon__remove(a->d, m[i]);
	reply(a, &resp, NULL, 0);
}

static void handle_list(struct answer *a)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__ListReply lr = FLAP__LIST_REPLY__INIT;
	struct flap_daemon *d = a->d;
	Flap__RecorderInfo *infos, **ptrs;
	struct flap_entry *e;
	size_t n = 0, i = 0;

	TAILQ_FOREACH(e, flap_daemon__entries(d), link)
	n++;
	infos = calloc(n ? n : 1, sizeof(*infos));
	ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	if (!infos || !ptrs) {
		free(infos);
		free(ptrs);
		reply_error(a, FLAP__ERROR_CODE__INTERNAL, "out of memory");
		return;
	}
	TAILQ_FOREACH(e, flap_daemon__entries(d), link)
	{
		flap__recorder_info__init(&infos[i]);
		fill_info(d, e, &infos[i]);
		ptrs[i] = &infos[i];
		i++;
	}
	lr.recorders = ptrs;
	lr.n_recorders = n;
	resp.body_case = FLAP__RESPONSE__BODY_LIST;
	resp.list = &lr;
	reply(a, &resp, NULL, 0);
	free(infos);
	free(ptrs);
}

static void handle_status(struct answer *a)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__StatusReply sr = FLAP__STATUS_REPLY__INIT;
	struct flap_daemon *d = a->d;
	const struct flap_daemon_opts *o = flap_daemon__opts(d);
	const struct flap_features *f;
	struct flap_daemon_losses l;
	struct flap_pool_stats ps;
	struct flap_entry *e;
	char lacks[256];

	sr.version = FLAP_VERSION;
	sr.uptime_ns = flap_clock__boot_ns() - flap_daemon__started_ns(d);
	TAILQ_FOREACH(e, flap_daemon__entries(d), link)
	{
		sr.recorders++;
		sr.ring_bytes += flap_recorder__memory(e->rec);
	}
	sr.socket = (char *)o->socket_path;
	sr.dump_dir = (char *)o->dump_dir;
	sr.pid = getpid();
	sr.dumps_written = flap_daemon__dumps_written(d);
	sr.node_skipped = flap_daemon__node_skipped(d);
	flap_daemon__losses(d, &l);
	sr.exits_lost = l.exits_lost;
	sr.dumps_failed = l.dumps_failed;
	sr.dumps_pending = l.dumps_pending;
	sr.dumps_dropped = l.dumps_dropped;
	sr.clients = l.clients;
	sr.max_clients = o->max_clients;
	sr.clients_refused = l.clients_refused;
	sr.clients_timed_out = l.clients_timed_out;
	f = flap_daemon__features(d);
	if (f) {
		sr.kernel = (char *)f->release;
		sr.bpf_programs = (char *)flap_variant__name(f->variant);
		flap_features__lacks(f, lacks, sizeof(lacks));
		sr.kernel_lacks = lacks;
	}
	sr.registrations_pending = flap_daemon__adds_pending(d);
	if (flap_daemon__pool_stats(d, &ps)) {
		sr.pool_size = ps.size;
		sr.pool_ready = ps.ready;
		sr.pool_loading = ps.loading;
		sr.pool_taken = ps.taken;
		sr.pool_empty = ps.empty;
		sr.pool_failed = ps.failed;
	}
	resp.body_case = FLAP__RESPONSE__BODY_STATUS;
	resp.status = &sr;
	reply(a, &resp, NULL, 0);
}

/* Serializes a dump into memory (a memfd), for one uv_write. */
static int dump_to_buffer(const struct flap_dump_meta *m, const struct flap_trace *t, uint8_t **buf,
			  size_t *len)
{
	struct stat st;
	int fd, rc;
	ssize_t r;

	fd = memfd_create("flap-dump", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = flap_dump__write(fd, m, t);
	if (rc)
		goto out;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		rc = -ENOMEM;
		goto out;
	}
	r = pread(fd, *buf, st.st_size, 0);
	if (r != st.st_size) {
		rc = r < 0 ? -errno : -EIO;
		free(*buf);
		goto out;
	}
	*len = st.st_size;
out:
	close(fd);
	return rc;
}

static void handle_dump(struct answer *a, const Flap__DumpRequest *req)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__DumpReply dr = FLAP__DUMP_REPLY__INIT;
	struct flap_entry *m[MAX_MATCHES];
	struct flap_trace *t = NULL;
	struct flap_dump_meta meta;
	uint8_t *buf = NULL;
	size_t len = 0;
	int n, rc;

	n = resolve(a, req->target, m);
	if (n < 0)
		return;
	rc = flap_daemon__read(a->d, m, n, req->last, &t);
	if (rc) {
		reply_error(a, FLAP__ERROR_CODE__INTERNAL, "cannot read the rings: %s",
			    strerror(-rc));
		return;
	}
	flap_dump_meta__init(&meta, req->target->name);
	rc = dump_to_buffer(&meta, t, &buf, &len);
	flap_trace__free(t);
	if (rc) {
		reply_error(a, FLAP__ERROR_CODE__INTERNAL, "cannot encode the dump: %s",
			    strerror(-rc));
		return;
	}
	dr.sources = n;
	resp.body_case = FLAP__RESPONSE__BODY_DUMP;
	resp.dump = &dr;
	reply(a, &resp, buf, len);
	free(buf);
}

static void handle_stopped(struct answer *a, const Flap__StoppedRequest *req)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	int rc = -ENOENT;

	if (req->container_id && *req->container_id)
		rc = flap_daemon__stopped(a->d, req->container_id);
	if (rc) {
		reply_error(a, FLAP__ERROR_CODE__NOT_FOUND, "no recorder for container '%.200s'",
			    req->container_id ? req->container_id : "");
		return;
	}
	reply(a, &resp, NULL, 0);
}

/* Does dump file header @t (sources) match target @name / @ns? */
static bool dump_matches(const struct flap_trace *t, const struct flap_dump_meta *m,
			 const char *name, const char *ns)
{
	int i;

	if (!name || !*name)
		return true;
	for (i = 0; i < t->nsources; i++) {
		const struct flap_source *s = &t->sources[i];

		if (ns && *ns && strcmp(s->ns, ns) != 0)
			continue;
		if (strcmp(s->name, name) == 0 || strcmp(s->pod, name) == 0 ||
		    strcmp(s->container, name) == 0)
			return true;
	}
	return strcmp(m->target, name) == 0;
}

struct dump_list {
	const char *name, *ns; /* the target whose dumps are listed (NULL: all) */
	Flap__DumpInfo *infos;
	Flap__Reason *reasons;
	char **strs; /* everything the infos point at */
	size_t n, cap, nstrs, strcap;
};

static char *keep_str(struct dump_list *l, const char *s)
{
	char **tmp, *copy;

	if (l->nstrs == l->strcap) {
		l->strcap = l->strcap ? l->strcap * 2 : 64;
		tmp = realloc(l->strs, l->strcap * sizeof(*tmp));
		if (!tmp)
			return NULL;
		l->strs = tmp;
	}
	copy = strdup(s);
	if (copy)
		l->strs[l->nstrs++] = copy;
	return copy;
}

/* Dump directory walk callback: lists dump file @path if it matches the target. */
static void add_dump_file(void *ctx, const char *path)
{
	struct flap_trace *t = NULL;
	struct dump_list *l = ctx;
	struct flap_dump_meta m;
	Flap__DumpInfo *di;
	char err[256];
	struct stat st;

	if (stat(path, &st) < 0 || flap_dump__load_header(path, &m, &t, err, sizeof(err)))
		return;
	if (!dump_matches(t, &m, l->name, l->ns) || l->n == l->cap) {
		flap_trace__free(t);
		return;
	}
	di = &l->infos[l->n];
	flap__dump_info__init(di);
	flap__reason__init(&l->reasons[l->n]);
	di->path = keep_str(l, path);
	di->size = st.st_size;
	di->created_ns = m.created_ns;
	di->pod = keep_str(l, t->nsources ? t->sources[0].pod : "");
	di->namespace_ = keep_str(l, t->nsources ? t->sources[0].ns : "");
	di->container = keep_str(l, t->nsources ? t->sources[0].container : "");
	di->name = keep_str(l, t->nsources ? t->sources[0].name : "");
	l->reasons[l->n].kind = keep_str(l, m.reason.kind);
	l->reasons[l->n].text = keep_str(l, m.reason.text);
	l->reasons[l->n].signal = m.reason.signal;
	l->reasons[l->n].exit_code = m.reason.exit_code;
	l->reasons[l->n].pid = m.reason.pid;
	l->reasons[l->n].time_ns = m.reason.time_ns;
	di->reason = &l->reasons[l->n];
	di->events = t->total.held;
	di->overwritten = t->total.overwritten;
	if (di->path && di->pod && di->namespace_ && di->container && di->name &&
	    l->reasons[l->n].kind && l->reasons[l->n].text)
		l->n++;
	flap_trace__free(t);
}

static void handle_dumps(struct answer *a, const Flap__DumpsRequest *req)
{
	Flap__Response resp = FLAP__RESPONSE__INIT;
	Flap__DumpsReply dr = FLAP__DUMPS_REPLY__INIT;
	const struct flap_daemon_opts *o = flap_daemon__opts(a->d);
	struct dump_list l = {.cap = 4096};
	struct flap_daemon_losses loss;
	Flap__DumpInfo **ptrs = NULL;
	size_t i;

	l.infos = calloc(l.cap, sizeof(*l.infos));
	l.reasons = calloc(l.cap, sizeof(*l.reasons));
	if (!l.infos || !l.reasons)
		goto nomem;
	l.name = req->target ? req->target->name : NULL;
	l.ns = req->target ? req->target->namespace_ : NULL;
	flap_dumpdir__each(o->dump_dir, FLAP_DUMPDIR_FILES_DUMPS, add_dump_file, &l);
	ptrs = calloc(l.n ? l.n : 1, sizeof(*ptrs));
	if (!ptrs)
		goto nomem;
	for (i = 0; i < l.n; i++)
		ptrs[i] = &l.infos[i];
	dr.dumps = ptrs;
	dr.n_dumps = l.n;
	flap_daemon__losses(a->d, &loss);
	dr.failed = loss.dumps_failed;
	dr.pending = loss.dumps_pending;
	dr.dropped = loss.dumps_dropped;
	resp.body_case = FLAP__RESPONSE__BODY_DUMPS;
	resp.dumps = &dr;
	reply(a, &resp, NULL, 0);
	goto out;
nomem:
	reply_error(a, FLAP__ERROR_CODE__INTERNAL, "out of memory");
out:
	for (i = 0; i < l.nstrs; i++)
		free(l.strs[i]);
	free(l.strs);
	free(ptrs);
	free(l.infos);
	free(l.reasons);
}

static void handle_request(struct answer *a, const uint8_t *buf, size_t len)
{
	Flap__Request *req;

	req = flap__request__unpack(NULL, len, buf);
	if (!req) {
		reply_error(a, FLAP__ERROR_CODE__BAD_REQUEST, "malformed request");
		return;
	}
	if (req->version != 1) {
		reply_error(a, FLAP__ERROR_CODE__UNSUPPORTED, "protocol version %u not supported",
			    req->version);
		goto out;
	}
	switch (req->op_case) {
	case FLAP__REQUEST__OP_ADD:
		handle_add(a, req->add);
		break;
	case FLAP__REQUEST__OP_REMOVE:
		handle_remove(a, req->remove);
		break;
	case FLAP__REQUEST__OP_LIST:
		handle_list(a);
		break;
	case FLAP__REQUEST__OP_STATUS:
		handle_status(a);
		break;
	case FLAP__REQUEST__OP_DUMP:
		handle_dump(a, req->dump);
		break;
	case FLAP__REQUEST__OP_DUMPS:
		handle_dumps(a, req->dumps);
		break;
	case FLAP__REQUEST__OP_STOPPED:
		handle_stopped(a, req->stopped);
		break;
	default:
		reply_error(a, FLAP__ERROR_CODE__BAD_REQUEST, "unknown operation");
	}
out:
	flap__request__free_unpacked(req, NULL);
}

/* The reply built in @a, handed to the caller; or why there is none. */
static int take_answer(struct answer *a, uint8_t **out, size_t *outlen)
{
	if (a->err || !a->out) {
		free(a->out);
		return a->err ? a->err : -ENOMEM;
	}
	*out = a->out;
	*outlen = a->len;
	return 1;
}

/**
 * flap_ctl__answer() - the control protocol as the daemon speaks it, without
 * the socket: feed the bytes received on a connection into its decoder and,
 * once a whole request (or a framing error) is there, handle it.
 * @d: the daemon the request goes to; borrowed (a request may change it).
 * @in: the connection's decoder (flap_pbio_stream__init() with
 *      FLAP_PBIO_MAX_CTL); borrowed, keeps the bytes of a partial request.
 * @pid: the peer's pid, for log lines only.
 * @data, @len: the bytes just received.
 * @out, @outlen: the reply: a framed Response, followed by the dump stream
 *                for a dump request; a new buffer the caller frees.
 *
 * One request per connection: after a non-zero return the caller sends the
 * reply (if any), closes, and feeds nothing more. A request that is
 * malformed, oversized, of another version or for an unknown operation
 * gets an error reply like any refused request.
 *
 * Context: the daemon's loop thread (it calls the daemon's entry API).
 * Return: 0 when more bytes are needed; 1 and the reply; negative errno
 * (-ENOMEM, -EMSGSIZE for a reply over FLAP_PBIO_MAX_CTL_REPLY) when no
 * reply can be built and the connection is to be closed without one.
 */
int flap_ctl__answer(struct flap_daemon *d, struct flap_pbio_stream *in, int pid, const void *data,
		     size_t len, uint8_t **out, size_t *outlen)
{
	return flap_ctl__answer_conn(d, NULL, in, pid, data, len, out, outlen);
}

/**
 * flap_ctl__answer_conn() - flap_ctl__answer() on connection @conn of the
 * control server (ctl.h): an add whose recorder is not ready is answered
 * later, on @conn.
 *
 * Context: the daemon's loop thread.
 * Return: as flap_ctl__answer(), or FLAP_CTL_LATER: the reply goes to
 * @conn with flap_ctl_conn__reply() when the add ends.
 */
int flap_ctl__answer_conn(struct flap_daemon *d, struct flap_ctl_conn *conn,
			  struct flap_pbio_stream *in, int pid, const void *data, size_t len,
			  uint8_t **out, size_t *outlen)
{
	struct answer a = {.d = d, .conn = conn, .pid = pid};
	uint8_t *frame = NULL;
	size_t flen;
	int rc;

	rc = flap_pbio_stream__feed(in, data, len);
	if (!rc)
		rc = flap_pbio_stream__next(in, &frame, &flen);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		reply_error(&a,
			    rc == -EBADMSG ? FLAP__ERROR_CODE__TOO_LARGE
					   : FLAP__ERROR_CODE__INTERNAL,
			    "request is malformed or larger than %d bytes", FLAP_PBIO_MAX_CTL);
		return take_answer(&a, out, outlen);
	}
	handle_request(&a, frame, flen);
	free(frame);
	if (a.later)
		return FLAP_CTL_LATER;
	return take_answer(&a, out, outlen);
}

/**
 * flap_ctl__refuse() - the reply to a peer that may not use the socket (not
 * root, not in the allowed group): a permission error naming uid @uid.
 *
 * Context: the daemon's loop thread.
 * Return: 1 and the reply in *@out (*@outlen bytes, a new buffer the caller
 * frees), or negative errno.
 */
int flap_ctl__refuse(struct flap_daemon *d, int pid, unsigned int uid, uint8_t **out,
		     size_t *outlen)
{
	struct answer a = {.d = d, .pid = pid};

	reply_error(&a, FLAP__ERROR_CODE__PERMISSION,
		    "permission denied: uid %u may not use flap-recorder (root only; see "
		    "daemon --allow-group)",
		    uid);
	return take_answer(&a, out, outlen);
}
