// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * restart.c - what a --persist daemon keeps across a restart.
 *
 * With --persist the daemon's kernel side outlives it: the registry pins
 * everything under the pin directory, a keeper process (keeper.c) holds the
 * perf rings, and the state file (persist.c) the recorders' metadata,
 * rewritten on every add, remove and state change. At start such a daemon
 * adopts what it finds: pinned programs and maps, the rings from the keeper
 * (fresh rings, with the lost history counted, when the keeper is gone),
 * the entries from the state file; pins that no entry names are pruned. On
 * SIGTERM it releases its fds and leaves everything recording.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "flap.h"
#include "cgroup.h"
#include "crash.h"
#include "daemon.h"
#include "daemon_internal.h"
#include "keeper.h"
#include "log.h"
#include "persist.h"
#include "util.h"

/* Ring fds a keeper handed back, by slot. */
struct kept_rings {
	__u64 cgid;
	__u32 pages;
	int *fds; /* [ncpus], -1 for none */
};

/* ---- --persist: state file, keeper, adoption --------------------------------- */

static __u64 crash_sum(struct flap_daemon *d)
{
	struct flap_entry *e;
	__u64 n = 0;

	TAILQ_FOREACH(e, &d->entries, link)
	n += e->crashes + e->crashes_skipped;
	return n;
}

/* Rewrites the state file (persist only). */
void flap_daemon__save_state(struct flap_daemon *d)
{
	struct flap_persist_hdr *h;

	if (!d->opts.persist || !d->reg)
		return;
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->bpf_id = flap_registry__bpf_id();
	snprintf(h->pin_dir, sizeof(h->pin_dir), "%s", d->pin_dir);
	h->ncpus = flap_registry__ncpus(d->reg);
	h->keeper_pid = d->keeper_pid;
	flap_persist__save(d->state_path, h, &d->entries);
	d->saved_crashes = crash_sum(d);
	free(h);
}

/* Hands @e's rings to the keeper, so they outlive this process. */
void flap_daemon__keep_rings(struct flap_daemon *d, struct flap_entry *e)
{
	int n, cpu, rc, *fds;

	if (!d->keeper)
		return;
	n = flap_registry__ncpus(d->reg);
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return;
	for (cpu = 0; cpu < n; cpu++)
		fds[cpu] = flap_recorder__ring_fd(e->rec, cpu);
	rc = flap_keeper__put(d->keeper, flap_recorder__slot(e->rec), e->meta.cgroup_id,
			      flap_recorder__opts(e->rec)->ring_pages, fds, n);
	if (rc)
		pr_warn("keeper: %s: cannot hand over the rings: %s", e->meta.name, strerror(-rc));
	free(fds);
}

static void on_keeper_event(uv_poll_t *h, int status, int events);

/* Connects to the keeper, starting one if none runs. */
int flap_daemon__connect_keeper(struct flap_daemon *d, bool *existing)
{
	int rc, nslots = 0, nrings = 0;

	*existing = false;
	rc = flap_keeper__connect(d->keeper_path, &d->keeper);
	if (rc == 0) {
		*existing = true;
	} else if (rc == -ENOENT || rc == -ECONNREFUSED) {
		rc = flap_keeper__spawn(d->keeper_path);
		if (!rc)
			rc = flap_keeper__connect(d->keeper_path, &d->keeper);
	}
	if (!rc)
		rc = flap_keeper__status(d->keeper, &d->keeper_pid, &nslots, &nrings);
	if (rc) {
		pr_warn("keeper: %s: %s; the rings will not survive a restart", d->keeper_path,
			strerror(-rc));
		flap_keeper__close(d->keeper);
		d->keeper = NULL;
		d->keeper_pid = 0;
		return rc;
	}
	pr_info("keeper: pid %d (%s), holding the rings of %d recorders", (int)d->keeper_pid,
		*existing ? "running" : "started", nslots);
	if (uv_poll_init(&d->loop, &d->keeper_poll, flap_keeper__fd(d->keeper)) == 0) {
		d->keeper_poll.data = d;
		d->keeper_polling = true;
		uv_poll_start(&d->keeper_poll, UV_READABLE | UV_DISCONNECT, on_keeper_event);
	}
	return 0;
}

static void on_keeper_closed(uv_handle_t *h)
{
	struct flap_daemon *d = h->data;
	struct flap_entry *e;
	bool existing;
	int n = 0;

	flap_keeper__close(d->keeper);
	d->keeper = NULL;
	d->keeper_pid = 0;
	if (d->stopping || flap_daemon__connect_keeper(d, &existing))
		return;
	TAILQ_FOREACH(e, &d->entries, link)
	{
		flap_daemon__keep_rings(d, e);
		n++;
	}
	pr_info("keeper: the rings of %d recorders handed to the new keeper", n);
	flap_daemon__save_state(d);
}

/* The keeper never speaks first: readable means it is gone. */
static void on_keeper_event(uv_poll_t *h, int status, int events)
{
	struct flap_daemon *d = h->data;
	char b;
	ssize_t n;

	n = recv(flap_keeper__fd(d->keeper), &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (status == 0 && !(events & UV_DISCONNECT) && (n > 0 || errno == EAGAIN)) {
		if (n > 0)
			recv(flap_keeper__fd(d->keeper), &b, 1, MSG_DONTWAIT);
		return;
	}
	pr_warn("keeper: pid %d is gone; starting a new one", (int)d->keeper_pid);
	d->keeper_polling = false;
	uv_close((uv_handle_t *)h, on_keeper_closed);
}

struct kept_ctx {
	struct kept_rings *k;
	int ncpus;
};

static void on_kept_ring(void *ctx, __u32 slot, __u64 cgid, __u32 pages, int cpu, int fd)
{
	struct kept_ctx *c = ctx;
	struct kept_rings *k;
	int i;

	if (slot >= FLAP_MAX_RECORDERS || cpu < 0 || cpu >= c->ncpus) {
		close(fd);
		return;
	}
	k = &c->k[slot];
	if (!k->fds) {
		k->fds = malloc(c->ncpus * sizeof(*k->fds));
		if (!k->fds) {
			close(fd);
			return;
		}
		for (i = 0; i < c->ncpus; i++)
			k->fds[i] = -1;
		k->cgid = cgid;
		k->pages = pages;
	}
	zclose(k->fds[cpu]);
	k->fds[cpu] = fd;
}

static void free_kept(struct kept_rings *k, int ncpus)
{
	int slot, cpu;

	for (slot = 0; k && slot < FLAP_MAX_RECORDERS; slot++) {
		for (cpu = 0; k[slot].fds && cpu < ncpus; cpu++)
			zclose(k[slot].fds[cpu]);
		free(k[slot].fds);
	}
	free(k);
}

/* Everything the keeper holds, by slot (NULL without a keeper). */
static struct kept_rings *get_kept(struct flap_daemon *d)
{
	struct kept_ctx c = {.ncpus = flap_registry__ncpus(d->reg)};
	int rc;

	if (!d->keeper)
		return NULL;
	c.k = calloc(FLAP_MAX_RECORDERS, sizeof(*c.k));
	if (!c.k)
		return NULL;
	rc = flap_keeper__get_all(d->keeper, on_kept_ring, &c);
	if (rc < 0) {
		pr_warn("keeper: cannot get the rings back: %s", strerror(-rc));
		free_kept(c.k, c.ncpus);
		return NULL;
	}
	return c.k;
}

static int count_fds(const int *fds, int n)
{
	int i, k = 0;

	for (i = 0; fds && i < n; i++)
		k += fds[i] >= 0;
	return k;
}

struct adopt_stats {
	int adopted, fresh, readded, dropped;
	__u64 lost;
};

/* A recorder the pins no longer hold: record its cgroup afresh if it is still there. */
static int readd(struct flap_daemon *d, struct flap_entry *e, const struct flap_persist_rec *r)
{
	__u64 id = 0;
	int rc;

	rc = flap_cgroup__id(e->meta.cgroup_path, &id);
	if (!rc && id != e->meta.cgroup_id)
		rc = -ESTALE;
	if (!rc)
		rc = flap_registry__add(d->reg, e->meta.cgroup_id, &r->ropts, &e->rec);
	if (!rc) {
		pr_warn("%s: recording again with new programs and rings; its earlier history "
			"is lost",
			e->meta.name);
		/* Every dump says so (the header's history line). */
		e->meta.reset_ns = flap_clock__real_ns();
		/* The new recorder's slot starts with no exit lost. */
		e->exits_lost = 0;
		e->fallback_mark = 0;
		/* The new history starts now: so does what its processes hold. */
		flap_trace__free(e->procs);
		e->procs = NULL;
		flap_daemon__read_procs(e, (int)e->meta.main_pid);
	}
	return rc;
}

/* A copy of the registration state @src (source 0 of a trace without events). */
static int copy_procs(const struct flap_trace *src, struct flap_trace **out)
{
	size_t i;
	int err;

	err = flap_trace__new(0, out);
	for (i = 0; !err && i < src->nprocs; i++)
		err = flap_trace__add_proc(*out, &src->procs[i]);
	if (err) {
		flap_trace__free(*out);
		*out = NULL;
	}
	return err;
}

/* Rebuilds entry @r: adopts its pinned recorder (or records it afresh). */
static void adopt_one(struct flap_daemon *d, const struct flap_persist_rec *r,
		      struct kept_rings *kept, struct adopt_stats *st)
{
	int ncpus = flap_registry__ncpus(d->reg), rc = -ENOENT, nkept = 0, cpu;
	struct flap_adopt_opts ao = {.slot = r->slot,
				     .cgid = r->e.meta.cgroup_id,
				     .ropts = r->ropts,
				     .restart_lost = r->restart_lost};
	struct kept_rings *k = kept ? &kept[r->slot] : NULL;
	struct flap_entry *e;
	__u64 before = 0, after = 0;

	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	*e = r->e;
	/* The record keeps its own copy (flap_persist__free() frees it). */
	e->procs = NULL;
	if (r->e.procs && copy_procs(r->e.procs, &e->procs))
		pr_warn("%s: its processes at registration are lost: %s", e->meta.name,
			strerror(ENOMEM));
	if (k && k->fds && k->cgid == ao.cgid && k->pages == r->ropts.ring_pages) {
		ao.ring_fds = k->fds;
		nkept = count_fds(k->fds, ncpus);
	}
	if (flap_registry__adopted(d->reg))
		rc = flap_registry__adopt(d->reg, &ao, &e->rec);
	if (!rc) {
		for (cpu = 0; cpu < ncpus; cpu++) {
			before += r->restart_lost[cpu];
			after += flap_recorder__restart_lost(e->rec, cpu);
		}
		st->lost += after - before;
		st->adopted++;
	} else if ((rc = readd(d, e, r)) == 0) {
		st->readded++;
	} else {
		pr_warn("%s: cgroup %llu no longer recorded: %s", e->meta.name,
			(unsigned long long)e->meta.cgroup_id, strerror(-rc));
		st->dropped++;
		flap_trace__free(e->procs);
		free(e);
		return;
	}
	flap_recorder__set_user(e->rec, e);
	TAILQ_INSERT_TAIL(&d->entries, e, link);
	/* Rings the keeper did not hand over are new: give them to it. */
	for (cpu = 0, rc = 0; cpu < ncpus; cpu++)
		rc += flap_recorder__ring_fd(e->rec, cpu) >= 0;
	if (rc > nkept) {
		st->fresh++;
		flap_daemon__keep_rings(d, e);
	}
}

/* Reads the state file; a file from another build or pin dir makes a fresh start. */
int flap_daemon__load_state(struct flap_daemon *d, struct flap_persist_rec **recs)
{
	struct flap_persist_hdr *h;
	int n;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	n = flap_persist__load(d->state_path, h, recs);
	if (n >= 0 && (h->bpf_id != flap_registry__bpf_id() || strcmp(h->pin_dir, d->pin_dir))) {
		pr_warn("persist: %s was written by another build or for another pin directory: "
			"its %d recorders get new programs and rings, their history is lost",
			d->state_path, n);
		flap_registry__unpin(d->pin_dir);
	} else if (n < 0 && flap_registry__unpin(d->pin_dir) > 0) {
		/* Pins without their metadata cannot be adopted. */
		pr_warn("persist: no usable state file %s: removed the pins in %s", d->state_path,
			d->pin_dir);
	}
	free(h);
	return n < 0 ? 0 : n;
}

/* Adopts what earlier daemons left: pinned recorders, the keeper's rings. */
void flap_daemon__adopt_all(struct flap_daemon *d, struct flap_persist_rec *recs, int n)
{
	int ncpus = flap_registry__ncpus(d->reg), i, pruned;
	struct adopt_stats st = {};
	struct kept_rings *kept;
	struct flap_recorder *rec;
	bool existing = false;

	flap_daemon__connect_keeper(d, &existing);
	kept = existing ? get_kept(d) : NULL;
	if (flap_registry__adopted(d->reg) && n && !kept)
		pr_warn("persist: no ring keeper to adopt the rings from: the recorders get fresh "
			"rings and their earlier history is lost");
	for (i = 0; i < n; i++)
		adopt_one(d, &recs[i], kept, &st);
	pruned = flap_registry__prune(d->reg);
	/* Rings of recorders that were not adopted: the keeper lets them go. */
	for (i = 0; kept && i < FLAP_MAX_RECORDERS; i++) {
		rec = kept[i].fds ? flap_registry__find(d->reg, kept[i].cgid) : NULL;
		if (kept[i].fds && (!rec || flap_recorder__slot(rec) != (__u32)i))
			flap_keeper__drop(d->keeper, i);
	}
	free_kept(kept, ncpus);
	if (flap_registry__adopted(d->reg) || n)
		pr_info("persist: adopted %d recorders (%d with fresh rings, %llu earlier events "
			"lost), %d recorded afresh, %d dropped, %d stale pins pruned",
			st.adopted, st.fresh, (unsigned long long)st.lost, st.readded, st.dropped,
			pruned);
	flap_daemon__save_state(d);
}

/* Without --persist: say so if a persistent daemon left pins here. */
void flap_daemon__warn_pins(struct flap_daemon *d)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup_table", d->pin_dir);
	if (access(path, F_OK) == 0)
		pr_warn("%s holds the pinned recorders of a persistent daemon; they go on "
			"recording: start with --persist to adopt them, or --unpin to remove them",
			d->pin_dir);
}
