// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace.c - the decoded history container: a growable event array and an
 * arena for the captured bytes the events point into.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define CHUNK_SIZE (64 * 1024)

struct flap_trace_chunk {
	struct flap_trace_chunk *next;
	size_t used;
	size_t size;
	__u8 data[] __attribute__((aligned(8)));
};

int flap_trace__new(int ncpus, struct flap_trace **out)
{
	struct flap_trace *t;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (ncpus > 0) {
		t->cpus = calloc(ncpus, sizeof(*t->cpus));
		if (!t->cpus) {
			free(t);
			return -ENOMEM;
		}
		t->ncpus = ncpus;
	}
	*out = t;
	return 0;
}

void flap_trace__free(struct flap_trace *t)
{
	struct flap_trace_chunk *c, *next;

	if (!t)
		return;
	for (c = t->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->events);
	free(t->procs);
	free(t->paths);
	free(t->cpus);
	free(t->sources);
	free(t);
}

struct flap_event *flap_trace__push(struct flap_trace *t)
{
	struct flap_event *ev;

	if (t->nevents == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;

		ev = realloc(t->events, cap * sizeof(*ev));
		if (!ev)
			return NULL;
		t->events = ev;
		t->cap = cap;
	}
	ev = &t->events[t->nevents++];
	memset(ev, 0, sizeof(*ev));
	return ev;
}

/* @len bytes of the arena at a multiple of @align (a power of two), or NULL. */
static __u8 *arena_alloc(struct flap_trace *t, size_t len, size_t align)
{
	struct flap_trace_chunk *c = t->chunks;
	size_t pad = c ? -c->used & (align - 1) : 0;
	__u8 *p;

	if (!c || c->size - c->used < len + pad) {
		size_t size = len > CHUNK_SIZE ? len : CHUNK_SIZE;

		/* malloc() aligns the chunk; data[] follows three words */
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = t->chunks;
		t->chunks = c;
		pad = 0;
	}
	p = c->data + c->used + pad;
	c->used += pad + len;
	return p;
}

const __u8 *flap_trace__copy_bytes(struct flap_trace *t, const void *data, size_t len)
{
	__u8 *p = arena_alloc(t, len, 1);

	if (p && len)
		memcpy(p, data, len);
	return p;
}

const struct flap_signal *flap_trace__copy_signal(struct flap_trace *t,
						  const struct flap_signal *sig)
{
	struct flap_signal *s;
	__u64 *frames = NULL;

	_Static_assert(_Alignof(struct flap_signal) <= 8, "arena alignment");
	s = (struct flap_signal *)arena_alloc(t, sizeof(*s), 8);
	if (!s)
		return NULL;
	*s = *sig;
	if (sig->nframes) {
		frames = (__u64 *)arena_alloc(t, sig->nframes * sizeof(*frames), 8);
		if (!frames)
			return NULL;
		memcpy(frames, sig->frames, sig->nframes * sizeof(*frames));
	}
	s->frames = frames;
	s->ids = NULL;
	s->stack = NULL;
	if (sig->nids) {
		s->ids = (struct flap_frame_id *)arena_alloc(t, sig->nids * sizeof(*s->ids), 8);
		if (!s->ids)
			return NULL;
		memcpy((void *)s->ids, sig->ids, sig->nids * sizeof(*s->ids));
	}
	if (sig->stack_len) {
		s->stack = flap_trace__copy_bytes(t, sig->stack, sig->stack_len);
		if (!s->stack)
			return NULL;
	}
	return s;
}

static const char *copy_str(struct flap_trace *t, const char *s)
{
	return s ? (const char *)flap_trace__copy_bytes(t, s, strlen(s) + 1) : NULL;
}

int flap_trace__add_proc(struct flap_trace *t, const struct flap_proc_state *p)
{
	struct flap_proc_fd *fds = NULL;
	struct flap_proc_state *ps;
	__u32 i;

	ps = realloc(t->procs, (t->nprocs + 1) * sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	t->procs = ps;
	if (p->nfds) {
		fds = (struct flap_proc_fd *)arena_alloc(t, p->nfds * sizeof(*fds), 8);
		if (!fds)
			return -ENOMEM;
		for (i = 0; i < p->nfds; i++) {
			fds[i] = p->fds[i];
			fds[i].name = copy_str(t, p->fds[i].name);
			if (p->fds[i].name && !fds[i].name)
				return -ENOMEM;
		}
	}
	ps = &t->procs[t->nprocs];
	*ps = *p;
	ps->fds = fds;
	ps->cwd = copy_str(t, p->cwd);
	if (p->cwd && !ps->cwd)
		return -ENOMEM;
	t->nprocs++;
	return 0;
}

bool flap_trace__dump_state_apply(const struct flap_trace *t, int i)
{
	const struct flap_source *s;

	if (i < 0 || i >= t->nsources)
		return false;
	s = &t->sources[i];
	/* Torn blocks are a ring's oldest, half overwritten: where its history
	 * starts, as flap_trace__complete_from() counts it. */
	return !s->counts.lost && !s->syscall_filter[0];
}

__u64 flap_trace__complete_from(const struct flap_trace *t, int i)
{
	__u64 *oldest, from = 0;
	size_t k, ncpu = 1;
	bool cut;
	int c;

	for (k = 0; k < t->nevents; k++)
		if (t->events[k].cpu + 1u > ncpu)
			ncpu = t->events[k].cpu + 1u;
	oldest = calloc(ncpu, sizeof(*oldest));
	if (!oldest)
		return ~0ULL; /* nothing is known to be complete */
	for (k = 0; k < t->nevents; k++) {
		const struct flap_event *ev = &t->events[k];

		if (ev->source == i && (!oldest[ev->cpu] || ev->ts < oldest[ev->cpu]))
			oldest[ev->cpu] = ev->ts;
	}
	/* A CPU whose ring overwrote nothing holds every call since the start. */
	for (c = 0; c < (int)ncpu; c++) {
		cut = t->nsources > 1 || c >= t->ncpus || t->cpus[c].overwritten || t->cpus[c].torn;
		if (cut && oldest[c] > from)
			from = oldest[c];
	}
	free(oldest);
	return from;
}

int flap_trace__add_path(struct flap_trace *t, __u16 source, const char *path, const char *resolved)
{
	struct flap_path_alias *a;

	a = realloc(t->paths, (t->npaths + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	t->paths = a;
	a = &t->paths[t->npaths];
	a->source = source;
	a->path = copy_str(t, path);
	a->resolved = copy_str(t, resolved);
	if (!a->path || !a->resolved)
		return -ENOMEM;
	t->npaths++;
	return 0;
}

bool flap_trace__procs_apply(const struct flap_trace *t, int i)
{
	const struct flap_cpu_counts *c;

	if (i < 0 || i >= t->nsources)
		return false;
	c = &t->sources[i].counts;
	return !c->overwritten && !c->lost && !c->torn;
}

int flap_trace__add_source(struct flap_trace *t, const struct flap_source *src)
{
	struct flap_source *s;

	s = realloc(t->sources, (t->nsources + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	t->sources = s;
	s = &t->sources[t->nsources];
	if (src)
		*s = *src;
	else
		memset(s, 0, sizeof(*s));
	return t->nsources++;
}

static int cmp_event(const void *a, const void *b)
{
	const struct flap_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->exit_ts != y->exit_ts)
		return x->exit_ts < y->exit_ts ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return 0;
}

void flap_trace__sort(struct flap_trace *t)
{
	if (t->nevents > 1)
		qsort(t->events, t->nevents, sizeof(t->events[0]), cmp_event);
}

void flap_cpu_counts__add(struct flap_cpu_counts *dst, const struct flap_cpu_counts *src)
{
	dst->produced += src->produced;
	dst->held += src->held;
	dst->overwritten += src->overwritten;
	dst->lost += src->lost;
	dst->torn += src->torn;
	dst->bytes += src->bytes;
	dst->restart_lost += src->restart_lost;
}

void flap_trace__sum(struct flap_trace *t)
{
	int i;

	memset(&t->total, 0, sizeof(t->total));
	for (i = 0; i < t->ncpus; i++)
		flap_cpu_counts__add(&t->total, &t->cpus[i]);
}

int flap_trace__merge(struct flap_trace *dst, const struct flap_trace *src)
{
	int base = dst->nsources, j;
	struct flap_cpu_counts *cpus;
	size_t i;

	for (j = 0; j < src->nsources; j++)
		if (flap_trace__add_source(dst, &src->sources[j]) < 0)
			return -ENOMEM;
	/* One kernel recorded them all: the first that says how wins. */
	if (!dst->bpf_programs[0]) {
		memcpy(dst->bpf_programs, src->bpf_programs, sizeof(dst->bpf_programs));
		memcpy(dst->kernel_lacks, src->kernel_lacks, sizeof(dst->kernel_lacks));
	}
	if (src->nsources == 0 && flap_trace__add_source(dst, NULL) < 0)
		return -ENOMEM;
	for (i = 0; i < src->nprocs; i++) {
		struct flap_proc_state p = src->procs[i];

		p.source += base;
		if (flap_trace__add_proc(dst, &p))
			return -ENOMEM;
	}
	for (i = 0; i < src->npaths; i++)
		if (flap_trace__add_path(dst, base + src->paths[i].source, src->paths[i].path,
					 src->paths[i].resolved))
			return -ENOMEM;
	for (i = 0; i < src->nevents; i++) {
		struct flap_event *ev = flap_trace__push(dst);

		if (!ev)
			return -ENOMEM;
		*ev = src->events[i];
		ev->source = base + src->events[i].source;
		for (j = 0; j < ev->ncaps && j < FLAP_EV_MAX_CAPS; j++) {
			ev->caps[j].data = flap_trace__copy_bytes(dst, src->events[i].caps[j].data,
								  ev->caps[j].len);
			if (!ev->caps[j].data)
				return -ENOMEM;
		}
		if (ev->sig) {
			ev->sig = flap_trace__copy_signal(dst, ev->sig);
			if (!ev->sig)
				return -ENOMEM;
		}
	}
	if (src->ncpus > dst->ncpus) {
		cpus = realloc(dst->cpus, src->ncpus * sizeof(*cpus));
		if (!cpus)
			return -ENOMEM;
		memset(cpus + dst->ncpus, 0, (src->ncpus - dst->ncpus) * sizeof(*cpus));
		dst->cpus = cpus;
		dst->ncpus = src->ncpus;
	}
	for (j = 0; j < src->ncpus; j++)
		flap_cpu_counts__add(&dst->cpus[j], &src->cpus[j]);
	flap_cpu_counts__add(&dst->total, &src->total);
	if (src->read_ns > dst->read_ns)
		dst->read_ns = src->read_ns;
	if (!dst->boot_to_real_ns)
		dst->boot_to_real_ns = src->boot_to_real_ns;
	flap_trace__sort(dst);
	return 0;
}

void flap_trace__keep_last(struct flap_trace *t, size_t n)
{
	size_t i, k = 0;

	if (t->nevents <= n)
		return;
	memmove(t->events, t->events + (t->nevents - n), n * sizeof(t->events[0]));
	t->nevents = n;
	/* The history no longer starts at registration; a dump's state holds. */
	for (i = 0; i < t->nprocs; i++)
		if (t->procs[i].at_dump)
			t->procs[k++] = t->procs[i];
	t->nprocs = k;
}

bool flap_trace__source_short(const struct flap_trace *t, int i)
{
	size_t k;

	if (i < 0 || i >= t->nsources || t->sources[i].exact_durations)
		return false;
	for (k = 0; k < t->nevents; k++)
		if (t->events[k].source == i && (t->events[k].flags & FLAP_EV_F_DUR_SHORT))
			return true;
	return false;
}

int flap_trace__count_short(const struct flap_trace *t)
{
	int i, n = 0;

	for (i = 0; i < t->nsources; i++)
		n += flap_trace__source_short(t, i);
	return n;
}
