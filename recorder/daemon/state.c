// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * state.c - the daemon's traced cgroups (its entries) and the API on them
 * that the control handlers and the crash policy use: remove, resolve,
 * read, stopped, and the daemon's counters (add is register.c).
 * (tests/lib/fake_daemon.c stands in for this file in the unit tests.)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>

#include "flap.h"
#include "cgroup.h"
#include "crash.h"
#include "ctl.h"
#include "daemon.h"
#include "daemon_internal.h"
#include "keeper.h"
#include "kfeatures.h"
#include "log.h"
#include "pool.h"
#include "procfs.h"
#include "util.h"

const struct flap_daemon_opts *flap_daemon__opts(const struct flap_daemon *d)
{
	return &d->opts;
}

struct flap_entry_list *flap_daemon__entries(struct flap_daemon *d)
{
	return &d->entries;
}

__u64 flap_daemon__started_ns(const struct flap_daemon *d)
{
	return d->started_ns;
}

__u64 flap_daemon__dumps_written(const struct flap_daemon *d)
{
	return d->dumps_written;
}

__u64 flap_daemon__node_skipped(const struct flap_daemon *d)
{
	__u64 n;

	return flap_registry__skipped(d->reg, &n) ? 0 : n;
}

void flap_daemon__count_dump(struct flap_daemon *d)
{
	d->dumps_written++;
}

unsigned int flap_daemon__dumps_pending(const struct flap_daemon *d, __u64 cgid)
{
	return flap_crash__pending_of(&d->crash_queue, cgid);
}

void flap_daemon__losses(const struct flap_daemon *d, struct flap_daemon_losses *out)
{
	struct flap_ctl_server_stats cs;

	memset(out, 0, sizeof(*out));
	out->exits_lost = flap_registry__exits_lost(d->reg);
	out->dumps_failed = d->crash_queue.failed;
	out->dumps_dropped = d->crash_queue.dropped;
	out->dumps_pending = d->crash_queue.n;
	flap_ctl_server__stats(d->ctl, &cs);
	out->clients = cs.open;
	out->clients_refused = cs.refused;
	out->clients_timed_out = cs.timed_out;
}

struct flap_entry *flap_daemon__find_cgroup(struct flap_daemon *d, __u64 cgid)
{
	return flap_entries__find_cgroup(&d->entries, cgid);
}

/*
 * What the processes of @e's cgroup (and @pid) hold now that it is recorded:
 * whatever they do from here on is in the history. Not fatal: without it a
 * dump names fewer descriptors. Context: loop thread (add, a re-add after a
 * restart).
 */
void flap_daemon__read_procs(struct flap_entry *e, int pid)
{
	int rc = flap_trace__new(0, &e->procs);

	if (!rc)
		rc = flap_procfs__snapshot(e->procs, 0, "/proc", e->meta.cgroup_path, pid);
	if (rc > 0)
		e->host_root = flap_procfs__host_root("/proc", (int)e->procs->procs[0].tgid);
	if (rc < 0) {
		pr_warn("%s: cannot read its processes from /proc: %s", e->meta.name,
			strerror(-rc));
		flap_trace__free(e->procs);
		e->procs = NULL;
	}
}

/* Adds the registration state of @e to @t as source @src. Return: 0 or -ENOMEM. */
static int add_procs(struct flap_trace *t, const struct flap_entry *e, int src)
{
	struct flap_proc_state p;
	size_t i;

	for (i = 0; e->procs && i < e->procs->nprocs; i++) {
		p = e->procs->procs[i];
		p.source = (__u16)src;
		if (flap_trace__add_proc(t, &p))
			return -ENOMEM;
	}
	return 0;
}

/*
 * When the history of @e, source @src of @t, does not start at registration
 * (overwritten, or no registration state), what its processes hold now:
 * it names what the history does not change (fdtouch.h). Not fatal.
 */
static int add_dump_state(struct flap_trace *t, const struct flap_entry *e, int src)
{
	size_t n0 = t->nprocs, i;
	int rc;

	if (e->procs && flap_trace__procs_apply(t, src))
		return 0;
	rc = flap_procfs__snapshot(t, src, "/proc", e->meta.cgroup_path, 0);
	for (i = n0; i < t->nprocs; i++)
		t->procs[i].at_dump = true;
	return rc == -ENOMEM ? rc : 0;
}

void flap_daemon__remove(struct flap_daemon *d, struct flap_entry *e)
{
	pr_info("stopped recording %s (cgroup %llu)", e->meta.name,
		(unsigned long long)e->meta.cgroup_id);
	TAILQ_REMOVE(&d->entries, e, link);
	if (d->keeper)
		flap_keeper__drop(d->keeper, flap_recorder__slot(e->rec));
	flap_registry__remove(d->reg, e->rec);
	flap_trace__free(e->procs);
	free(e);
	flap_daemon__save_state(d);
}

int flap_daemon__resolve(struct flap_daemon *d, const char *target, const char *ns,
			 struct flap_entry **out, int max)
{
	return flap_entries__resolve(&d->entries, target, ns, out, max);
}

/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME, kept while it moves by less than 1 ms, so
 * two dumps of the same events print the same wall times (each measurement
 * of the offset differs by a few hundred ns). A clock step is followed.
 */
static __s64 stable_boot_to_real(struct flap_daemon *d)
{
	__s64 now = flap_clock__boot_to_real_ns();

	if (!d->boot_to_real_ns || llabs(now - d->boot_to_real_ns) > 1000000)
		d->boot_to_real_ns = now;
	return d->boot_to_real_ns;
}

/*
 * The paths the history of @t names as the kernel resolves them (strace -y's
 * names), in the root of each source's processes (source i is entries[i]).
 * Not fatal: without the aliases paths print as opened.
 */
static void resolve_paths(struct flap_trace *t, struct flap_entry **entries, int n)
{
	struct flap_procfs_root *roots;
	int i, rc;

	if (t->nsources != n || !n)
		return;
	roots = calloc(n, sizeof(*roots));
	if (!roots)
		return;
	for (i = 0; i < n; i++)
		flap_procfs__open_root("/proc", entries[i]->meta.cgroup_path,
				       (int)entries[i]->meta.main_pid, entries[i]->host_root,
				       &roots[i]);
	rc = flap_procfs__resolve_paths(t, roots, n);
	if (rc < 0)
		pr_warn("dump: cannot resolve the paths: %s", strerror(-rc));
	for (i = 0; i < n; i++)
		if (roots[i].fd >= 0)
			close(roots[i].fd);
	free(roots);
}

/* Which programs recorded the rings, and what this kernel lacks (dump headers). */
static void set_programs(struct flap_trace *t)
{
	const struct flap_features *f = flap_features__get();

	snprintf(t->bpf_programs, sizeof(t->bpf_programs), "%s", flap_variant__name(f->variant));
	flap_features__lacks(f, t->kernel_lacks, sizeof(t->kernel_lacks));
}

int flap_daemon__read(struct flap_daemon *d, struct flap_entry **entries, int n, __u64 last,
		      struct flap_trace **out)
{
	struct flap_trace *all = NULL, *t = NULL;
	__u64 skipped = 0;
	int i, rc, src;

	/* Not fatal: a dump without the count still holds every event it has. */
	if (flap_registry__skipped(d->reg, &skipped))
		skipped = 0;
	rc = flap_trace__new(0, &all);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		rc = flap_recorder__read(entries[i]->rec, &t);
		if (rc) {
			pr_warn("dump: %s: read rings: %s", entries[i]->meta.name, strerror(-rc));
			goto out;
		}
		src = flap_trace__add_source(t, &entries[i]->meta);
		if (src < 0) {
			rc = src;
			goto out;
		}
		t->sources[src].counts = t->total;
		rc = add_procs(t, entries[i], src);
		if (!rc)
			rc = add_dump_state(t, entries[i], src);
		if (rc)
			goto out;
		/* Its filter and duration mode, so the dump is not misread. */
		flap_entries__source_opts(&t->sources[src], flap_recorder__opts(entries[i]->rec));
		/* An adopted entry's base is 0: counted from the dispatcher's load. */
		t->sources[src].node_skipped =
			skipped > entries[i]->skipped_base ? skipped - entries[i]->skipped_base : 0;
		t->sources[src].exits_lost = entries[i]->exits_lost;
		rc = flap_trace__merge(all, t);
		flap_trace__free(t);
		t = NULL;
		if (rc)
			goto out;
	}
	if (last)
		flap_trace__keep_last(all, last);
	resolve_paths(all, entries, n);
	all->boot_to_real_ns = stable_boot_to_real(d);
	set_programs(all);
	*out = all;
	return 0;
out:
	flap_trace__free(t);
	flap_trace__free(all);
	return rc;
}

bool flap_daemon__pool_stats(const struct flap_daemon *d, struct flap_pool_stats *out)
{
	if (!d->pool)
		return false;
	flap_pool__stats(d->pool, out);
	return true;
}

const struct flap_features *flap_daemon__features(const struct flap_daemon *d)
{
	(void)d;
	return flap_features__get();
}

int flap_daemon__stopped(struct flap_daemon *d, const char *container_id)
{
	struct flap_entry *e;

	TAILQ_FOREACH(e, &d->entries, link)
	{
		if (!container_id[0] || strcmp(e->meta.container_id, container_id) != 0)
			continue;
		if (e->state != FLAP_ENTRY_STOPPED) {
			e->state = FLAP_ENTRY_STOPPED;
			e->exited_ns = flap_clock__boot_ns();
			pr_info("%s: container stopped; recorder kept for retention", e->meta.name);
			flap_daemon__save_state(d);
		}
		return 0;
	}
	return -ENOENT;
}
