// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * register.c - flap_daemon__add(): a cgroup's registration, without the
 * verifier on the loop thread.
 *
 * The loop thread checks what it can at once (the cgroup exists, it is not
 * recorded, the name is free, a slot is left) and binds a recorder of the
 * pool (pool.h) when one fits: the add ends there, in well under a
 * millisecond. Otherwise its recorder is loaded and verified (~40 ms,
 * flap_recorder__prepare()) in libuv's threadpool (uv_queue_work) while
 * the loop goes on serving dumps, crashes and other adds; the add is
 * pending: its cgroup and its name are taken, so a second add of either
 * gets the answer it would get once the first is done. When the load ends
 * the loop thread checks again (the cgroup may have gone meanwhile), binds
 * the recorder (flap_registry__bind()), makes the entry and calls the
 * caller's callback (the control handler's reply).
 *
 * Binding takes the loop ~0.5 ms (the prog-array text pokes, the process's
 * fds read from /proc): a burst of adds that the pool serves would hold it
 * for tens of ms in one iteration, and a dump or a crash dump asked in the
 * same iteration would wait for all of them. So the adds of one iteration
 * share ADD_BUDGET_NS of loop time: the adds after it wait, in order, for
 * the next iteration (an idle handle runs them before the loop polls
 * again), and the requests between them are answered first.
 *
 * At shutdown the loads not yet started are cancelled; the others end and
 * are freed; every callback is called, with -ECANCELED, before the loop
 * returns.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "flap.h"
#include "cgroup.h"
#include "daemon.h"
#include "daemon_internal.h"
#include "log.h"
#include "pool.h"
#include "util.h"

/* An add waiting for its recorder's load. */
struct flap_pending_add {
	uv_work_t work;
	struct flap_daemon *d;
	struct flap_entry *e; /* names and cgroup filled; e->rec once bound */
	struct flap_recorder_opts ropts;
	struct flap_recorder *rec; /* loaded by the work, not bound yet */
	int err;		   /* of the load */
	pid_t pid;		   /* the add's process: its fds are read at the end */
	flap_add_done_fn done;
	void *ctx;
	bool deferred; /* in d->deferred: its turn on the loop is to come */
	TAILQ_ENTRY(flap_pending_add) link;
	TAILQ_ENTRY(flap_pending_add) dlink;
};

/* Loop time the adds of one loop iteration may take (the header). */
#define ADD_BUDGET_NS (5ULL * 1000000ULL)

unsigned int flap_daemon__adds_pending(const struct flap_daemon *d)
{
	return d->nadding;
}

static struct flap_pending_add *pending_cgroup(struct flap_daemon *d, __u64 cgid)
{
	struct flap_pending_add *p;

	TAILQ_FOREACH(p, &d->adding, link)
	if (p->e->meta.cgroup_id == cgid)
		return p;
	return NULL;
}

static struct flap_pending_add *pending_name(struct flap_daemon *d, const char *name)
{
	struct flap_pending_add *p;

	TAILQ_FOREACH(p, &d->adding, link)
	if (strcmp(p->e->meta.name, name) == 0)
		return p;
	return NULL;
}

/* Finds the cgroup of @spec: by id, by path, or by a process in it. */
static int resolve_cgroup(const struct flap_add_spec *spec, char *path, size_t size, __u64 *id,
			  char *err, size_t errlen)
{
	int rc;

	if (spec->cgroup_path[0]) {
		if (strlen(spec->cgroup_path) >= size)
			return -ENAMETOOLONG;
		strcpy(path, spec->cgroup_path);
		rc = flap_cgroup__id(path, id);
		if (rc)
			snprintf(err, errlen, "%s is not a cgroup v2 directory: %s", path,
				 strerror(-rc));
		return rc;
	}
	if (spec->cgroup_id) {
		*id = spec->cgroup_id;
		rc = flap_cgroup__path_of_id(*id, path, size);
		if (rc)
			snprintf(err, errlen, "no cgroup with id %llu", (unsigned long long)*id);
		return rc;
	}
	if (spec->pid > 0) {
		rc = flap_cgroup__of_pid(spec->pid, path, size);
		if (!rc)
			rc = flap_cgroup__id(path, id);
		if (rc)
			snprintf(err, errlen, "cannot find the cgroup of pid %d: %s",
				 (int)spec->pid, rc == -ESRCH ? "no such process" : strerror(-rc));
		return rc;
	}
	snprintf(err, errlen, "add needs a pid, a cgroup path or a cgroup id");
	return -EINVAL;
}

/*
 * What an add checks before any recorder is loaded: the cgroup, that no
 * entry and no pending add has it or the name asked for, a free slot.
 */
static int check_add(struct flap_daemon *d, const struct flap_add_spec *spec, char *path,
		     size_t size, __u64 *id, char *err, size_t errlen)
{
	int rc;

	rc = resolve_cgroup(spec, path, size, id, err, errlen);
	if (rc)
		return rc;
	if (flap_daemon__find_cgroup(d, *id) || pending_cgroup(d, *id)) {
		snprintf(err, errlen, "cgroup %llu (%s) is already recorded",
			 (unsigned long long)*id, path);
		return -EEXIST;
	}
	/* A name asked for is the name: only a name the daemon picks is made unique. */
	if (spec->meta.name[0] && (flap_entries__find_name(&d->entries, spec->meta.name) ||
				   pending_name(d, spec->meta.name))) {
		snprintf(err, errlen,
			 "a recorder named %s exists already: remove it first or give another "
			 "--name",
			 spec->meta.name);
		return -EEXIST;
	}
	if (flap_registry__count(d->reg) + d->nadding >= FLAP_MAX_RECORDERS) {
		snprintf(err, errlen, "cannot record cgroup %llu: every recorder slot is taken",
			 (unsigned long long)*id);
		return -ENOSPC;
	}
	return 0;
}

/* A new entry for @spec's cgroup @id at @path, named; its recorder to come. */
static struct flap_entry *new_entry(struct flap_daemon *d, const struct flap_add_spec *spec,
				    __u64 id, const char *path)
{
	struct flap_entry *e;

	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->meta = spec->meta;
	e->meta.cgroup_id = id;
	snprintf(e->meta.cgroup_path, sizeof(e->meta.cgroup_path), "%s", path);
	e->meta.main_pid = spec->main_pid && spec->pid > 0 ? spec->pid : 0;
	e->on_exit = spec->has_on_exit ? spec->on_exit : d->opts.on_exit;
	flap_entries__pick_name(&d->entries, &e->meta);
	/* Unique among the pending adds' names too (their cgroup ids differ). */
	if (!spec->meta.name[0] && pending_name(d, e->meta.name)) {
		char base[sizeof(e->meta.name)];

		snprintf(base, sizeof(base), "%s", e->meta.name);
		snprintf(e->meta.name, sizeof(e->meta.name), "%.200s-%llu", base,
			 (unsigned long long)id);
	}
	return e;
}

/* The recorder of @e is bound: the entry is recorded from now on. */
static void finish_add(struct flap_daemon *d, struct flap_entry *e, pid_t pid)
{
	e->added_ns = flap_clock__boot_ns();
	if (flap_registry__skipped(d->reg, &e->skipped_base))
		e->skipped_base = 0;
	flap_recorder__set_user(e->rec, e);
	flap_daemon__read_procs(e, pid);
	TAILQ_INSERT_TAIL(&d->entries, e, link);
	pr_info("recording %s: cgroup %llu %s%s%s", e->meta.name,
		(unsigned long long)e->meta.cgroup_id, e->meta.cgroup_path,
		e->meta.pod[0] ? " pod " : "", e->meta.pod);
	flap_daemon__keep_rings(d, e);
	flap_daemon__save_state(d);
}

static void say_cannot_record(__u64 id, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot record cgroup %llu: %s", (unsigned long long)id,
		 rc == -ENOSPC ? "every recorder slot is taken" : strerror(-rc));
}

/* Threadpool: the verifier's part of the add, with every signal left to the loop thread. */
static void load_work(uv_work_t *w)
{
	struct flap_pending_add *p = w->data;
	sigset_t all, old;
	int nice;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* Nicer than the loop while the verifier runs (registry.h), given back after. */
	nice = flap_thread__nice();
	flap_thread__set_nice(nice + FLAP_LOAD_NICE);
	p->err = flap_recorder__prepare(p->d->reg, &p->ropts, &p->rec);
	flap_thread__set_nice(nice);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Loop thread: the loaded recorder of @p bound to its cgroup, checked again first. */
static int bind_loaded(struct flap_daemon *d, struct flap_pending_add *p, char *err, size_t errlen)
{
	struct flap_entry *e = p->e;
	__u64 id = e->meta.cgroup_id, now = 0;
	int rc;

	if (p->err) {
		say_cannot_record(id, p->err, err, errlen);
		return p->err;
	}
	/* The same directory, the same cgroup: not removed (and made again) meanwhile. */
	if (flap_cgroup__id(e->meta.cgroup_path, &now) || now != id) {
		snprintf(err, errlen,
			 "cgroup %llu (%.400s) went away while its recorder was loaded",
			 (unsigned long long)id, e->meta.cgroup_path);
		return -ENOENT;
	}
	rc = flap_registry__bind(d->reg, id, p->rec, &p->ropts);
	if (rc) {
		say_cannot_record(id, rc, err, errlen);
		return rc;
	}
	e->rec = p->rec;
	p->rec = NULL;
	return 0;
}

/* A pending add of @e, in d->adding: its cgroup and name are taken. */
static struct flap_pending_add *new_pending(struct flap_daemon *d, struct flap_entry *e,
					    const struct flap_recorder_opts *ropts, pid_t pid,
					    flap_add_done_fn done, void *ctx)
{
	struct flap_pending_add *p;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->d = d;
	p->e = e;
	p->ropts = *ropts;
	p->pid = pid;
	p->done = done;
	p->ctx = ctx;
	p->work.data = p;
	TAILQ_INSERT_TAIL(&d->adding, p, link);
	d->nadding++;
	return p;
}

/* @p out of d->adding: its cgroup and name are no longer taken by it. */
static void unlink_pending(struct flap_daemon *d, struct flap_pending_add *p)
{
	TAILQ_REMOVE(&d->adding, p, link);
	d->nadding--;
}

/* @p is done: out of d->adding, its callback called, freed. */
static void end_pending(struct flap_daemon *d, struct flap_pending_add *p, int rc, const char *err)
{
	unlink_pending(d, p);
	if (p->rec)
		flap_recorder__free(p->rec);
	if (rc) {
		pr_debug("add: %s", err);
		free(p->e);
		p->done(p->ctx, rc, NULL, err);
	} else {
		finish_add(d, p->e, p->pid);
		p->done(p->ctx, 0, p->e, NULL);
	}
	free(p);
}

static void load_done(uv_work_t *w, int status)
{
	struct flap_pending_add *p = w->data;
	struct flap_daemon *d = p->d;
	__u64 t0 = flap_clock__boot_ns();
	char err[512] = "";
	int rc;

	if (status == UV_ECANCELED || d->stopping) {
		snprintf(err, sizeof(err), "cannot record cgroup %llu: the daemon is stopping",
			 (unsigned long long)p->e->meta.cgroup_id);
		rc = -ECANCELED;
	} else {
		rc = bind_loaded(d, p, err, sizeof(err));
	}
	end_pending(d, p, rc, err);
	d->add_spent_ns += flap_clock__boot_ns() - t0;
}

/* Loads the recorder of @p in the threadpool; the add ends in load_done(). */
static int queue_load(struct flap_daemon *d, struct flap_pending_add *p, char *err, size_t errlen)
{
	int rc = uv_queue_work(&d->loop, &p->work, load_work, load_done);

	if (rc)
		say_cannot_record(p->e->meta.cgroup_id, rc, err, errlen);
	return rc;
}

/* Binds a pooled recorder for @e now: Return: as flap_daemon__add(). */
static int add_now(struct flap_daemon *d, struct flap_entry *e,
		   const struct flap_recorder_opts *ropts, pid_t pid, char *err, size_t errlen)
{
	__u64 t0 = flap_clock__boot_ns();
	int rc;

	rc = flap_pool__try_add(d->pool, e->meta.cgroup_id, ropts, &e->rec);
	if (rc == -EAGAIN)
		return rc;
	if (rc)
		say_cannot_record(e->meta.cgroup_id, rc, err, errlen);
	else
		finish_add(d, e, pid);
	d->add_spent_ns += flap_clock__boot_ns() - t0;
	return rc;
}

/* The turn of deferred add @p: bound from the pool, or its load queued. */
static void run_deferred(struct flap_daemon *d, struct flap_pending_add *p)
{
	struct flap_entry *e = p->e;
	__u64 now = 0;
	char err[512] = "";
	int rc;

	/* The same directory, the same cgroup: not removed (and made again) meanwhile. */
	if (flap_cgroup__id(e->meta.cgroup_path, &now) || now != e->meta.cgroup_id) {
		snprintf(err, sizeof(err), "cgroup %llu (%.400s) went away before it was recorded",
			 (unsigned long long)e->meta.cgroup_id, e->meta.cgroup_path);
		end_pending(d, p, -ENOENT, err);
		return;
	}
	rc = add_now(d, e, &p->ropts, p->pid, err, sizeof(err));
	if (rc == -EAGAIN) {
		rc = queue_load(d, p, err, sizeof(err));
		if (!rc)
			return;
	}
	if (!rc) {
		/* add_now() made the entry: only the pending add is left. */
		unlink_pending(d, p);
		p->done(p->ctx, 0, e, NULL);
		free(p);
		return;
	}
	end_pending(d, p, rc, err);
}

static void on_add_idle(uv_idle_t *h)
{
	struct flap_daemon *d = h->data;
	struct flap_pending_add *p;
	unsigned int n = 0;

	while (d->add_spent_ns < ADD_BUDGET_NS && (p = TAILQ_FIRST(&d->deferred))) {
		TAILQ_REMOVE(&d->deferred, p, dlink);
		d->ndeferred--;
		p->deferred = false;
		run_deferred(d, p);
		n++;
	}
	pr_debug("adds: %u deferred ran this turn, %u wait for the next", n, d->ndeferred);
	if (!d->ndeferred)
		uv_idle_stop(h);
}

static void on_add_check(uv_check_t *h)
{
	struct flap_daemon *d = h->data;

	d->add_spent_ns = 0;
}

void flap_daemon__start_adds(struct flap_daemon *d)
{
	uv_idle_init(&d->loop, &d->add_idle);
	uv_check_init(&d->loop, &d->add_check);
	d->add_idle.data = d->add_check.data = d;
	uv_check_start(&d->add_check, on_add_check);
	/* It only resets the budget: it must not keep the loop running. */
	uv_unref((uv_handle_t *)&d->add_check);
	d->adds_started = true;
}

static void on_add_handle_closed(uv_handle_t *h)
{
	(void)h;
}

void flap_daemon__close_adds(struct flap_daemon *d)
{
	if (!d->adds_started)
		return;
	d->adds_started = false;
	uv_close((uv_handle_t *)&d->add_idle, on_add_handle_closed);
	uv_close((uv_handle_t *)&d->add_check, on_add_handle_closed);
}

int flap_daemon__add(struct flap_daemon *d, const struct flap_add_spec *spec, flap_add_done_fn done,
		     void *ctx, struct flap_entry **out, char *err, size_t errlen)
{
	struct flap_recorder_opts ropts;
	struct flap_pending_add *p;
	char path[PATH_MAX];
	struct flap_entry *e;
	__u64 id = 0;
	int rc;

	if (d->stopping) {
		snprintf(err, errlen, "the daemon is stopping");
		return -ECANCELED;
	}
	rc = check_add(d, spec, path, sizeof(path), &id, err, errlen);
	if (rc)
		return rc;
	flap_entries__recorder_opts(&d->opts, &spec->ropts, &ropts);
	e = new_entry(d, spec, id, path);
	if (!e)
		return -ENOMEM;
	if (done && d->pool && (d->ndeferred || d->add_spent_ns >= ADD_BUDGET_NS)) {
		/* This iteration's budget is spent (or adds wait before it): next turn. */
		p = new_pending(d, e, &ropts, spec->pid, done, ctx);
		if (!p) {
			free(e);
			return -ENOMEM;
		}
		p->deferred = true;
		TAILQ_INSERT_TAIL(&d->deferred, p, dlink);
		d->ndeferred++;
		uv_idle_start(&d->add_idle, on_add_idle);
		return FLAP_DAEMON_ADD_PENDING;
	}
	rc = d->pool ? add_now(d, e, &ropts, spec->pid, err, errlen) : -EAGAIN;
	if (rc == -EAGAIN && done) {
		p = new_pending(d, e, &ropts, spec->pid, done, ctx);
		if (!p) {
			free(e);
			return -ENOMEM;
		}
		rc = queue_load(d, p, err, errlen);
		if (rc) {
			unlink_pending(d, p);
			free(p);
			free(e);
			return rc;
		}
		return FLAP_DAEMON_ADD_PENDING;
	}
	/* No callback to call later: the load is the caller's wait. */
	if (rc == -EAGAIN) {
		rc = flap_registry__add(d->reg, id, &ropts, &e->rec);
		if (rc)
			say_cannot_record(id, rc, err, errlen);
		else
			finish_add(d, e, spec->pid);
	}
	if (rc) {
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void flap_daemon__cancel_adds(struct flap_daemon *d)
{
	struct flap_pending_add *p;
	char err[128];

	while ((p = TAILQ_FIRST(&d->deferred))) {
		TAILQ_REMOVE(&d->deferred, p, dlink);
		d->ndeferred--;
		snprintf(err, sizeof(err), "cannot record cgroup %llu: the daemon is stopping",
			 (unsigned long long)p->e->meta.cgroup_id);
		end_pending(d, p, -ECANCELED, err);
	}
	/* A load under way cannot be stopped: load_done() frees what it made. */
	TAILQ_FOREACH(p, &d->adding, link)
	uv_cancel((uv_req_t *)&p->work);
}
