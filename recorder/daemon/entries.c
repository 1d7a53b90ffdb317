// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * entries.c - the daemon's list of traced cgroups as names see it: lookups
 * by cgroup id and by recorder name, the choice of a unique name, and what
 * a dump target names; and the options of an entry's recorder: the daemon
 * defaults an add request gets, and what a dump's source says of them.
 * Pure functions, so that the tests' fake daemon (tests/lib/fake_daemon.c)
 * follows the same rules as the daemon.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

const char *flap_entry__state_name(enum flap_entry_state s)
{
	switch (s) {
	case FLAP_ENTRY_RUNNING:
		return "running";
	case FLAP_ENTRY_EXITED:
		return "exited";
	case FLAP_ENTRY_STOPPED:
		return "stopped";
	}
	return "unknown";
}

struct flap_entry *flap_entries__find_cgroup(struct flap_entry_list *list, __u64 cgid)
{
	struct flap_entry *e;

	TAILQ_FOREACH(e, list, link)
	if (e->meta.cgroup_id == cgid)
		return e;
	return NULL;
}

struct flap_entry *flap_entries__find_name(struct flap_entry_list *list, const char *name)
{
	struct flap_entry *e;

	TAILQ_FOREACH(e, list, link)
	if (strcmp(e->meta.name, name) == 0)
		return e;
	return NULL;
}

void flap_entries__pick_name(struct flap_entry_list *list, struct flap_source *m)
{
	char base[sizeof(m->name)];
	const char *slash;

	if (m->name[0])
		snprintf(base, sizeof(base), "%s", m->name);
	else if (m->container[0])
		snprintf(base, sizeof(base), "%s", m->container);
	else if ((slash = strrchr(m->cgroup_path, '/')) && slash[1])
		snprintf(base, sizeof(base), "%s", slash + 1);
	else
		snprintf(base, sizeof(base), "cgroup-%llu", (unsigned long long)m->cgroup_id);
	if (!flap_entries__find_name(list, base)) {
		snprintf(m->name, sizeof(m->name), "%s", base);
		return;
	}
	snprintf(m->name, sizeof(m->name), "%.200s-%llu", base, (unsigned long long)m->cgroup_id);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int flap_entries__resolve(struct flap_entry_list *list, const char *target, const char *ns,
			  struct flap_entry **out, int max)
{
	const char *pod_ns = NULL;
	struct flap_entry *e;
	int n = 0;

	/* 1. A recorder name names exactly one. */
	e = flap_entries__find_name(list, target);
	if (e && (!ns || !*ns || strcmp(e->meta.ns, ns) == 0)) {
		out[0] = e;
		return 1;
	}
	/* 2. A cgroup id. */
	if (is_number(target)) {
		e = flap_entries__find_cgroup(list, strtoull(target, NULL, 10));
		if (e) {
			out[0] = e;
			return 1;
		}
	}
	/* 3. A pod: all of its containers, in one namespace. */
	TAILQ_FOREACH(e, list, link)
	{
		if (strcmp(e->meta.pod, target) != 0 || (ns && *ns && strcmp(e->meta.ns, ns) != 0))
			continue;
		if (pod_ns && strcmp(pod_ns, e->meta.ns) != 0)
			return -EINVAL; /* the same pod name in two namespaces */
		pod_ns = e->meta.ns;
		if (n < max)
			out[n++] = e;
	}
	if (n)
		return n;
	/* 4. A container name, if only one container has it. */
	TAILQ_FOREACH(e, list, link)
	{
		if (strcmp(e->meta.container, target) != 0 ||
		    (ns && *ns && strcmp(e->meta.ns, ns) != 0))
			continue;
		if (n)
			return -EINVAL;
		out[n++] = e;
	}
	return n;
}

void flap_entries__recorder_opts(const struct flap_daemon_opts *d,
				 const struct flap_recorder_opts *asked,
				 struct flap_recorder_opts *out)
{
	*out = *asked;
	if (!out->ring_pages)
		out->ring_pages = d->ring_pages;
	if (!out->str_max)
		out->str_max = d->str_max;
	if (out->buf_max < 0)
		out->buf_max = d->buf_max;
	/* The request's false means "the daemon default", never "off". */
	out->exact_durations = asked->exact_durations || d->exact_durations;
}

/*
 * A dump says which syscalls its source recorded: a reader must not take
 * "no openat in the dump" for "no openat made" when the filter left it out.
 * It also says whether a call without a duration was measured at all.
 */
void flap_entries__source_opts(struct flap_source *s, const struct flap_recorder_opts *o)
{
	_Static_assert(sizeof(s->syscall_filter) == sizeof(o->filter_expr), "filter sizes");
	snprintf(s->syscall_filter, sizeof(s->syscall_filter), "%s",
		 o->filter ? o->filter_expr : "");
	s->exact_durations = o->exact_durations;
}
