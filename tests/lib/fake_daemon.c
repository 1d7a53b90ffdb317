// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fake_daemon.c - the daemon entry API of recorder/daemon/daemon.h, and
 * the recorder calls of registry.h that the control handlers make, over a
 * plain list of entries: no BPF, no cgroups, no loop. The control handlers
 * (recorder/daemon/ctl_handlers.c) run on it unchanged, so the unit tests and the fuzzer
 * see exactly the request decoding, checks and replies of the daemon.
 *
 * Name resolution copies the real daemon's rules (recorder name, cgroup id,
 * pod in one namespace, unique container name); an add checks only what the
 * daemon checks before it touches the kernel (a cgroup, path or pid given,
 * no duplicate cgroup), and reads return a few synthetic events per entry.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_daemon.h"
#include "registry.h"
#include "trace.h"
#include "util.h"

struct flap_recorder {
	struct flap_recorder_opts opts;
	__u32 slot;
};

struct flap_daemon {
	struct flap_daemon_opts opts;
	struct flap_entry_list entries;
	char dump_dir[PATH_MAX];
	int n, reads, removes;
	__u32 next_slot;
};

struct flap_daemon *fake_daemon__new(const char *dump_dir)
{
	struct flap_daemon *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	TAILQ_INIT(&d->entries);
	snprintf(d->dump_dir, sizeof(d->dump_dir), "%s", dump_dir ? dump_dir : "/nonexistent");
	d->opts.socket_path = "/run/flap-recorder-fake/flap.sock";
	d->opts.dump_dir = d->dump_dir;
	d->opts.buf_max = -1;
	return d;
}

void fake_daemon__free(struct flap_daemon *d)
{
	struct flap_entry *e;

	if (!d)
		return;
	while ((e = TAILQ_FIRST(&d->entries))) {
		TAILQ_REMOVE(&d->entries, e, link);
		free(e->rec);
		free(e);
	}
	free(d);
}

static void set_str(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
}

/* Links a new entry for @meta; NULL when full or out of memory. */
static struct flap_entry *link_entry(struct flap_daemon *d, const struct flap_source *meta,
				     const struct flap_recorder_opts *ropts)
{
	struct flap_entry *e;

	if (d->n >= FAKE_MAX_ENTRIES)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->rec = calloc(1, sizeof(*e->rec));
	if (!e->rec) {
		free(e);
		return NULL;
	}
	e->meta = *meta;
	e->rec->opts = *ropts;
	e->rec->slot = d->next_slot++;
	e->added_ns = 1000;
	TAILQ_INSERT_TAIL(&d->entries, e, link);
	d->n++;
	return e;
}

struct flap_entry *fake_daemon__add_entry(struct flap_daemon *d, const char *name, const char *pod,
					  const char *ns, const char *container,
					  const char *container_id, __u64 cgroup_id)
{
	static const struct flap_recorder_opts ropts = {.ring_pages = 16, .buf_max = -1};
	struct flap_source *m = calloc(1, sizeof(*m));
	struct flap_entry *e;

	if (!m)
		return NULL;
	set_str(m->name, sizeof(m->name), name);
	set_str(m->pod, sizeof(m->pod), pod);
	set_str(m->ns, sizeof(m->ns), ns);
	set_str(m->container, sizeof(m->container), container);
	set_str(m->container_id, sizeof(m->container_id), container_id);
	snprintf(m->cgroup_path, sizeof(m->cgroup_path), "/sys/fs/cgroup/fake/%llu",
		 (unsigned long long)cgroup_id);
	m->cgroup_id = cgroup_id;
	e = link_entry(d, m, &ropts);
	free(m);
	return e;
}

int fake_daemon__populate(struct flap_daemon *d)
{
	if (!fake_daemon__add_entry(d, "web", "shop", "prod", "web", "c0ffee01", 101) ||
	    !fake_daemon__add_entry(d, "db", "shop", "prod", "db", "c0ffee02", 102) ||
	    !fake_daemon__add_entry(d, "web-dev", "shop", "dev", "web", "c0ffee03", 103) ||
	    !fake_daemon__add_entry(d, "solo", NULL, NULL, NULL, NULL, 4242))
		return -ENOMEM;
	return 0;
}

int fake_daemon__count(struct flap_daemon *d)
{
	return d->n;
}

int fake_daemon__reads(struct flap_daemon *d)
{
	return d->reads;
}

int fake_daemon__removes(struct flap_daemon *d)
{
	return d->removes;
}

/* ---- daemon.h -------------------------------------------------------------- */

const struct flap_daemon_opts *flap_daemon__opts(const struct flap_daemon *d)
{
	return &d->opts;
}

struct flap_daemon_opts *fake_daemon__opts(struct flap_daemon *d)
{
	return &d->opts;
}

struct flap_entry_list *flap_daemon__entries(struct flap_daemon *d)
{
	return &d->entries;
}

__u64 flap_daemon__started_ns(const struct flap_daemon *d)
{
	(void)d;
	return 0;
}

__u64 flap_daemon__dumps_written(const struct flap_daemon *d)
{
	(void)d;
	return 0;
}

__u64 flap_daemon__node_skipped(const struct flap_daemon *d)
{
	(void)d;
	return 0;
}

/* No kernel behind the fake: its status names none. */
const struct flap_features *flap_daemon__features(const struct flap_daemon *d)
{
	(void)d;
	return NULL;
}

/* No pool either: status says it is off. */
bool flap_daemon__pool_stats(const struct flap_daemon *d, struct flap_pool_stats *out)
{
	(void)d;
	(void)out;
	return false;
}

void flap_daemon__count_dump(struct flap_daemon *d)
{
	(void)d;
}

/* Nothing lost, nothing waiting: the fake writes no crash dumps. */
unsigned int flap_daemon__dumps_pending(const struct flap_daemon *d, __u64 cgid)
{
	(void)d;
	(void)cgid;
	return 0;
}

void flap_daemon__losses(const struct flap_daemon *d, struct flap_daemon_losses *out)
{
	(void)d;
	memset(out, 0, sizeof(*out));
}

struct flap_entry *flap_daemon__find_cgroup(struct flap_daemon *d, __u64 cgid)
{
	return flap_entries__find_cgroup(&d->entries, cgid);
}

/* The cgroup id the real daemon would find: the id, else one made up. */
static __u64 fake_cgroup_id(const struct flap_add_spec *spec)
{
	__u64 h = 1469598103934665603ULL;
	const char *p;

	if (spec->cgroup_path[0]) {
		for (p = spec->cgroup_path; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		return h | 1;
	}
	if (spec->cgroup_id)
		return spec->cgroup_id;
	return 1000000 + (__u64)spec->pid;
}

int flap_daemon__add(struct flap_daemon *d, const struct flap_add_spec *spec, flap_add_done_fn done,
		     void *ctx, struct flap_entry **out, char *err, size_t errlen)
{
	struct flap_recorder_opts ropts;
	struct flap_source *m;
	struct flap_entry *e;
	__u64 id;

	if (!spec->cgroup_path[0] && !spec->cgroup_id && spec->pid <= 0) {
		snprintf(err, errlen, "add needs a pid, a cgroup path or a cgroup id");
		return -EINVAL;
	}
	id = fake_cgroup_id(spec);
	if (flap_daemon__find_cgroup(d, id)) {
		snprintf(err, errlen, "cgroup %llu is already recorded", (unsigned long long)id);
		return -EEXIST;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = spec->meta;
	m->cgroup_id = id;
	set_str(m->cgroup_path, sizeof(m->cgroup_path), spec->cgroup_path);
	m->main_pid = spec->main_pid && spec->pid > 0 ? spec->pid : 0;
	flap_entries__pick_name(&d->entries, m);
	/* The daemon's defaults, by the daemon's own rule (recorder/daemon/entries.c). */
	flap_entries__recorder_opts(&d->opts, &spec->ropts, &ropts);
	e = link_entry(d, m, &ropts);
	free(m);
	if (!e) {
		snprintf(err, errlen, "cannot record cgroup %llu: every recorder slot is taken",
			 (unsigned long long)id);
		return -ENOSPC;
	}
	e->on_exit = spec->has_on_exit ? spec->on_exit : d->opts.on_exit;
	*out = e;
	/* Nothing to load: every add ends at once (the callback is never kept). */
	(void)done;
	(void)ctx;
	return 0;
}

/* Nothing is ever loaded: no add waits. */
unsigned int flap_daemon__adds_pending(const struct flap_daemon *d)
{
	(void)d;
	return 0;
}

void flap_daemon__remove(struct flap_daemon *d, struct flap_entry *e)
{
	TAILQ_REMOVE(&d->entries, e, link);
	free(e->rec);
	free(e);
	d->n--;
	d->removes++;
}

/* The real daemon's rules (recorder/daemon/entries.c). */
int flap_daemon__resolve(struct flap_daemon *d, const char *target, const char *ns,
			 struct flap_entry **out, int max)
{
	return flap_entries__resolve(&d->entries, target, ns, out, max);
}

static int fake_events(struct flap_trace *t, int src, __u64 base)
{
	static const char path[] = "/etc/fake.conf", data[] = "hello\n";
	struct flap_event *ev;
	int i;

	for (i = 0; i < FAKE_EVENTS_PER_ENTRY; i++) {
		ev = flap_trace__push(t);
		if (!ev)
			return -ENOMEM;
		ev->ts = base + i * 1000;
		ev->exit_ts = ev->ts + 500;
		ev->dur_ns = 500;
		ev->tid = ev->tgid = 100 + src;
		ev->cpu = i & 1;
		ev->source = src;
		ev->flags = FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR | FLAP_EV_F_HAS_ENTER;
		snprintf(ev->comm, sizeof(ev->comm), "fake%d", src);
		ev->nr = i == 0 ? 257 : i == 1 ? 1 : 110; /* x86_64 openat, write, getppid */
		ev->nargs = i == 2 ? 0 : 3;
		ev->ret = i == 0 ? 3 : i == 1 ? 6 : 1;
		if (i < 2) {
			ev->ncaps = 1;
			ev->caps[0].arg = 1;
			ev->caps[0].flags = i == 0 ? FLAP_EVCAP_F_STR : 0;
			ev->caps[0].len = i == 0 ? sizeof(path) - 1 : sizeof(data) - 1;
			ev->caps[0].data =
				flap_trace__copy_bytes(t, i == 0 ? path : data, ev->caps[0].len);
			if (!ev->caps[0].data)
				return -ENOMEM;
		}
	}
	t->cpus[0].held += 2;
	t->cpus[1].held += 1;
	t->cpus[0].produced += 2;
	t->cpus[1].produced += 1;
	return 0;
}

int flap_daemon__read(struct flap_daemon *d, struct flap_entry **entries, int n, __u64 last,
		      struct flap_trace **out)
{
	struct flap_trace *t = NULL;
	int i, src, rc;

	d->reads++;
	rc = flap_trace__new(2, &t);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		src = flap_trace__add_source(t, &entries[i]->meta);
		if (src >= 0)
			flap_entries__source_opts(&t->sources[src], &entries[i]->rec->opts);
		rc = src < 0 ? src : fake_events(t, src, 1000000 * (__u64)(i + 1));
		if (rc) {
			flap_trace__free(t);
			return rc;
		}
	}
	flap_trace__sort(t);
	if (last)
		flap_trace__keep_last(t, last);
	flap_trace__sum(t);
	*out = t;
	return 0;
}

int flap_daemon__stopped(struct flap_daemon *d, const char *container_id)
{
	struct flap_entry *e;

	TAILQ_FOREACH(e, &d->entries, link)
	{
		if (!container_id[0] || strcmp(e->meta.container_id, container_id) != 0)
			continue;
		e->state = FLAP_ENTRY_STOPPED;
		return 0;
	}
	return -ENOENT;
}

/* ---- registry.h: the recorder calls of ctl_handlers.c --------------------- */

const struct flap_recorder_opts *flap_recorder__opts(const struct flap_recorder *rec)
{
	return &rec->opts;
}

int flap_recorder__counts(struct flap_recorder *rec, struct flap_cpu_counts *out)
{
	(void)rec;
	memset(out, 0, sizeof(*out));
	out->produced = out->held = FAKE_EVENTS_PER_ENTRY;
	return 0;
}

size_t flap_recorder__memory(const struct flap_recorder *rec)
{
	return (size_t)rec->opts.ring_pages * 4096 * 2;
}

__u32 flap_recorder__slot(const struct flap_recorder *rec)
{
	return rec->slot;
}
