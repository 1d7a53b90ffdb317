// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pool.c - recorders loaded ahead of time (pool.h). The refill thread only
 * calls flap_recorder__prepare(), which reads what the registry fixed at its
 * creation; everything that changes the registry (slots, pins, prog-arrays,
 * the table) happens in flap_pool__add() on the owner's thread. The mutex
 * guards the list of ready recorders and the counters, never a load: a
 * registration waits for the lock only while the thread appends a recorder
 * or counts.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kfeatures.h"
#include "log.h"
#include "pool.h"
#include "registry_internal.h"
#include "util.h"

/* After a failed load, the refill waits this long before it tries again. */
#define RETRY_SEC 1

struct flap_pool {
	struct flap_registry *reg;
	struct flap_recorder_opts ropts;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct flap_pool_stats st;
	struct flap_recorder *ready[FLAP_POOL_MAX];
};

/* Waits (lock held) until a recorder is missing, or @retry after a failure. */
static void wait_for_room(struct flap_pool *p, bool retry)
{
	struct timespec until;

	if (retry) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RETRY_SEC;
		while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0)
			;
	}
	while (!p->stop && p->st.ready >= p->st.size)
		pthread_cond_wait(&p->wake, &p->lock);
}

static void *refill(void *arg)
{
	struct flap_pool *p = arg;
	struct flap_recorder *rec;
	bool retry = false;
	int err;

	/* Its loads give way to the owner's thread (registry.h). */
	flap_thread__set_nice(flap_thread__nice() + FLAP_LOAD_NICE);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		wait_for_room(p, retry);
		if (p->stop)
			break;
		p->st.loading = 1;
		pthread_mutex_unlock(&p->lock);

		err = flap_recorder__prepare(p->reg, &p->ropts, &rec);

		pthread_mutex_lock(&p->lock);
		p->st.loading = 0;
		retry = err != 0;
		if (err) {
			/* Logged once per kind of failure, not once a second. */
			if (err != p->st.last_err)
				pr_warn("pool: cannot load a recorder: %s", strerror(-err));
			p->st.failed++;
			p->st.last_err = err;
			continue;
		}
		p->st.last_err = 0;
		p->ready[p->st.ready++] = rec;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Starts the refill with every signal blocked: they belong to the loop thread. */
static int start_thread(struct flap_pool *p)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&p->thread, NULL, refill, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int flap_pool__new(struct flap_registry *reg, const struct flap_pool_opts *opts,
		   struct flap_pool **out)
{
	struct flap_recorder_opts check;
	struct flap_pool *p;
	int err;

	if (!opts || opts->size < 1 || opts->size > FLAP_POOL_MAX || opts->ropts.filter)
		return -EINVAL;
	err = flap_recorder__check_opts(&opts->ropts, &check);
	if (err)
		return err;
	/* Probed here, on the owner's thread: the refill only reads the result. */
	flap_features__get();
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->reg = reg;
	p->ropts = check;
	p->st.size = opts->size;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	err = start_thread(p);
	if (err) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return err;
	}
	*out = p;
	return 0;
}

void flap_pool__free(struct flap_pool *p)
{
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	for (i = 0; i < p->st.ready; i++)
		flap_recorder__free(p->ready[i]);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* A ready recorder that records with @opts, or NULL. */
static struct flap_recorder *take(struct flap_pool *p, const struct flap_recorder_opts *opts)
{
	struct flap_recorder *rec = NULL;

	if (!flap_recorder__fits(&p->ropts, opts))
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->st.ready) {
		rec = p->ready[--p->st.ready];
		p->ready[p->st.ready] = NULL;
		p->st.taken++;
		pthread_cond_signal(&p->wake);
	} else {
		p->st.empty++;
	}
	pthread_mutex_unlock(&p->lock);
	return rec;
}

int flap_pool__add(struct flap_pool *p, __u64 cgid, const struct flap_recorder_opts *opts,
		   struct flap_recorder **out)
{
	int err = flap_pool__try_add(p, cgid, opts, out);

	return err == -EAGAIN ? flap_registry__add(p->reg, cgid, opts, out) : err;
}

int flap_pool__try_add(struct flap_pool *p, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out)
{
	struct flap_recorder *rec;
	int err;

	err = flap_registry__validate_add(p->reg, cgid);
	if (err)
		return err;
	rec = take(p, opts);
	if (!rec)
		return -EAGAIN;
	err = flap_registry__bind(p->reg, cgid, rec, opts);
	if (err) {
		flap_recorder__free(rec);
		return err;
	}
	*out = rec;
	return 0;
}

void flap_pool__stats(struct flap_pool *p, struct flap_pool_stats *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->st;
	pthread_mutex_unlock(&p->lock);
}
