// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon.c - flap_daemon__run(): the libuv loop, the registry of traced
 * cgroups and their metadata (entries), retention of exited cgroups, and
 * clean shutdown on SIGINT/SIGTERM.
 *
 * The loop owns: the control server (ctl.c), two signal handles, a sweep
 * timer that notices cgroups with no process left and frees recorders past
 * their retention, and a poll handle on the lifecycle ring buffer whose
 * records go to the crash handler (crash.c). Rings are never read per
 * event, only for a dump request or a crash.
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "flap.h"
#include "cgroup.h"
#include "crash.h"
#include "ctl.h"
#include "daemon.h"
#include "keeper.h"
#include "log.h"
#include "persist.h"
#include "util.h"

#define SWEEP_INTERVAL_MS 1000

struct flap_daemon {
	uv_loop_t loop;
	uv_signal_t sigint;
	uv_signal_t sigterm;
	uv_timer_t sweep;
	uv_poll_t exits;
	bool exits_started;
	struct flap_registry *reg;
	struct flap_entry_list entries;
	struct flap_ctl_server *ctl;
	struct flap_daemon_opts opts;
	struct flap_crash_opts crash; /* the crash policy: opts, and callbacks into d */
	char socket_path[PATH_MAX];
	char dump_dir[PATH_MAX];
	__u64 started_ns;
	__u64 dumps_written;
	__s64 boot_to_real_ns;
	int lock_fd;
	/* --persist */
	char pin_dir[PATH_MAX];
	char state_path[PATH_MAX];
	char keeper_path[PATH_MAX];
	struct flap_keeper *keeper;
	uv_poll_t keeper_poll; /* EOF when the keeper dies */
	bool keeper_polling;
	bool stopping;
	pid_t keeper_pid;
	__u64 saved_crashes; /* crash counters as last saved */
};

/* Ring fds a keeper handed back, by slot. */
struct kept_rings {
	__u64 cgid;
	__u32 pages;
	int *fds; /* [ncpus], -1 for none */
};

static void save_state(struct flap_daemon *d);
static void keep_rings(struct flap_daemon *d, struct flap_entry *e);

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

struct flap_entry *flap_daemon__find_cgroup(struct flap_daemon *d, __u64 cgid)
{
	return flap_entries__find_cgroup(&d->entries, cgid);
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
		rc = flap_cgroup_id(path, id);
		if (rc)
			snprintf(err, errlen, "%s is not a cgroup v2 directory: %s", path,
				 strerror(-rc));
		return rc;
	}
	if (spec->cgroup_id) {
		*id = spec->cgroup_id;
		rc = flap_cgroup_path_of_id(*id, path, size);
		if (rc)
			snprintf(err, errlen, "no cgroup with id %llu", (unsigned long long)*id);
		return rc;
	}
	if (spec->pid > 0) {
		rc = flap_cgroup_of_pid(spec->pid, path, size);
		if (!rc)
			rc = flap_cgroup_id(path, id);
		if (rc)
			snprintf(err, errlen, "cannot find the cgroup of pid %d: %s",
				 (int)spec->pid, rc == -ESRCH ? "no such process" : strerror(-rc));
		return rc;
	}
	snprintf(err, errlen, "add needs a pid, a cgroup path or a cgroup id");
	return -EINVAL;
}

int flap_daemon__add(struct flap_daemon *d, const struct flap_add_spec *spec,
		     struct flap_entry **out, char *err, size_t errlen)
{
	struct flap_recorder_opts ropts;
	char path[PATH_MAX];
	struct flap_entry *e;
	__u64 id = 0;
	int rc;

	rc = resolve_cgroup(spec, path, sizeof(path), &id, err, errlen);
	if (rc)
		return rc;
	if (flap_daemon__find_cgroup(d, id)) {
		snprintf(err, errlen, "cgroup %llu (%s) is already recorded",
			 (unsigned long long)id, path);
		return -EEXIST;
	}
	flap_entries__recorder_opts(&d->opts, &spec->ropts, &ropts);
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->meta = spec->meta;
	e->meta.cgroup_id = id;
	snprintf(e->meta.cgroup_path, sizeof(e->meta.cgroup_path), "%s", path);
	e->meta.main_pid = spec->main_pid && spec->pid > 0 ? spec->pid : 0;
	e->on_exit = spec->has_on_exit ? spec->on_exit : d->opts.on_exit;
	e->added_ns = flap_boot_ns();
	if (flap_registry__skipped(d->reg, &e->skipped_base))
		e->skipped_base = 0;
	flap_entries__pick_name(&d->entries, &e->meta);
	rc = flap_registry__add(d->reg, id, &ropts, &e->rec);
	if (rc) {
		snprintf(err, errlen, "cannot record cgroup %llu: %s", (unsigned long long)id,
			 rc == -ENOSPC ? "every recorder slot is taken" : strerror(-rc));
		free(e);
		return rc;
	}
	flap_recorder__set_user(e->rec, e);
	TAILQ_INSERT_TAIL(&d->entries, e, link);
	pr_info("recording %s: cgroup %llu %s%s%s", e->meta.name, (unsigned long long)id, path,
		e->meta.pod[0] ? " pod " : "", e->meta.pod);
	keep_rings(d, e);
	save_state(d);
	*out = e;
	return 0;
}

void flap_daemon__remove(struct flap_daemon *d, struct flap_entry *e)
{
	pr_info("stopped recording %s (cgroup %llu)", e->meta.name,
		(unsigned long long)e->meta.cgroup_id);
	TAILQ_REMOVE(&d->entries, e, link);
	if (d->keeper)
		flap_keeper__drop(d->keeper, flap_recorder__slot(e->rec));
	flap_registry__remove(d->reg, e->rec);
	free(e);
	save_state(d);
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
	__s64 now = flap_boot_to_real_ns();

	if (!d->boot_to_real_ns || llabs(now - d->boot_to_real_ns) > 1000000)
		d->boot_to_real_ns = now;
	return d->boot_to_real_ns;
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
		/* Its filter and duration mode, so the dump is not misread. */
		flap_entries__source_opts(&t->sources[src], flap_recorder__opts(entries[i]->rec));
		/* An adopted entry's base is 0: counted from the dispatcher's load. */
		t->sources[src].node_skipped =
			skipped > entries[i]->skipped_base ? skipped - entries[i]->skipped_base : 0;
		rc = flap_trace__merge(all, t);
		flap_trace__free(t);
		t = NULL;
		if (rc)
			goto out;
	}
	if (last)
		flap_trace__keep_last(all, last);
	all->boot_to_real_ns = stable_boot_to_real(d);
	*out = all;
	return 0;
out:
	flap_trace__free(t);
	flap_trace__free(all);
	return rc;
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
			e->exited_ns = flap_boot_ns();
			pr_info("%s: container stopped; recorder kept for retention", e->meta.name);
			save_state(d);
		}
		return 0;
	}
	return -ENOENT;
}

/* Whether @path still has processes (cgroup.events "populated 1"). */
static bool cgroup_populated(const char *path)
{
	char file[PATH_MAX + 32], *text = NULL;
	bool populated;
	size_t len;

	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	if (flap_read_file(file, &text, &len, 4096) < 0)
		return false; /* the cgroup is gone */
	populated = strstr(text, "populated 1") != NULL;
	free(text);
	return populated;
}

/* Marks cgroups with no process left and frees recorders past retention. */
static void on_sweep(uv_timer_t *timer)
{
	struct flap_daemon *d = timer->data;
	struct flap_entry *e, *next;
	__u64 now = flap_boot_ns(), crashes = 0;
	bool changed = false;

	for (e = TAILQ_FIRST(&d->entries); e; e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->state == FLAP_ENTRY_RUNNING && !cgroup_populated(e->meta.cgroup_path)) {
			e->state = FLAP_ENTRY_EXITED;
			e->exited_ns = now;
			changed = true;
			pr_info("%s: no process left; history kept for %llu s", e->meta.name,
				(unsigned long long)(d->opts.retain_ns / 1000000000ULL));
		}
		if (e->state != FLAP_ENTRY_RUNNING && now - e->exited_ns >= d->opts.retain_ns)
			flap_daemon__remove(d, e);
		else
			crashes += e->crashes + e->crashes_skipped;
	}
	/* Crash counters change in crash.c: catch them up here. */
	if (changed || crashes != d->saved_crashes)
		save_state(d);
}

static void on_exits_readable(uv_poll_t *h, int status, int events)
{
	struct flap_daemon *d = h->data;

	(void)events;
	if (status < 0)
		return;
	flap_registry__poll_exits(d->reg);
}

/* The crash policy's read callback: the rings of the entry of @cgid. */
static int crash_read(void *ctx, __u64 cgid, struct flap_trace **out)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, cgid);

	if (!e)
		return -ENOENT;
	return flap_daemon__read(d, &e, 1, 0, out);
}

/* The crash policy's count hook: the entry's counters, and the daemon's dumps. */
static __u64 crash_count(void *ctx, __u64 cgid, bool dumped)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, cgid);

	if (!e)
		return 0;
	if (!dumped)
		return ++e->crashes_skipped;
	e->crashes++;
	flap_daemon__count_dump(d);
	return e->crashes;
}

/* Lifecycle callback: an exit in a traced cgroup goes to the crash policy. */
static void on_exit_event(void *ctx, const struct flap_exit_event *ev)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, ev->cgid);
	struct flap_crash_subject s;

	if (!e)
		return;
	s.cgid = ev->cgid;
	s.meta = &e->meta;
	s.on_exit = e->on_exit;
	s.window = &e->crash_window;
	flap_crash__on_exit(&d->crash, &s, ev);
}

static void on_handle_closed(uv_handle_t *h)
{
	(void)h;
}

static void shutdown_loop(struct flap_daemon *d)
{
	pr_info("shutting down");
	d->stopping = true;
	if (d->keeper_polling) {
		d->keeper_polling = false;
		uv_close((uv_handle_t *)&d->keeper_poll, on_handle_closed);
	}
	flap_ctl_server__close(d->ctl);
	d->ctl = NULL;
	uv_close((uv_handle_t *)&d->sigint, on_handle_closed);
	uv_close((uv_handle_t *)&d->sigterm, on_handle_closed);
	uv_close((uv_handle_t *)&d->sweep, on_handle_closed);
	if (d->exits_started)
		uv_close((uv_handle_t *)&d->exits, on_handle_closed);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct flap_daemon *d = h->data;

	pr_info("got %s", strsignal(signum));
	uv_signal_stop(&d->sigint);
	uv_signal_stop(&d->sigterm);
	shutdown_loop(d);
}

/* One daemon per socket: a lock next to it, held for the daemon's life. */
static int take_lock(struct flap_daemon *d)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s.lock", d->socket_path);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0)
		return -errno;
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int err = -errno;

		zclose(d->lock_fd);
		return err == -EWOULDBLOCK ? -EADDRINUSE : err;
	}
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX], *p;

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* What the crash policy needs: the options in effect, reads and counts through @d. */
static void set_crash_opts(struct flap_daemon *d)
{
	struct flap_crash_opts *c = &d->crash;

	c->dump_dir = d->dump_dir;
	c->signals = d->opts.crash_signals;
	c->max_dumps = d->opts.max_dumps;
	c->max_dump_bytes = d->opts.max_dump_bytes;
	c->burst = d->opts.crash_burst;
	c->window_ns = d->opts.crash_window_ns;
	c->read = crash_read;
	c->count = crash_count;
	c->ctx = d;
}

static void fill_defaults(struct flap_daemon *d, const struct flap_daemon_opts *o)
{
	d->opts = *o;
	snprintf(d->socket_path, sizeof(d->socket_path), "%s",
		 o->socket_path ? o->socket_path : FLAP_DEFAULT_SOCKET);
	snprintf(d->dump_dir, sizeof(d->dump_dir), "%s",
		 o->dump_dir ? o->dump_dir : FLAP_DEFAULT_DUMP_DIR);
	d->opts.socket_path = d->socket_path;
	d->opts.dump_dir = d->dump_dir;
	if (!d->opts.retain_ns)
		d->opts.retain_ns = 3600ULL * 1000000000ULL;
	if (!d->opts.crash_signals)
		d->opts.crash_signals = flap_crash_default_signals();
	if (!d->opts.crash_burst)
		d->opts.crash_burst = 5;
	if (!d->opts.crash_window_ns)
		d->opts.crash_window_ns = 60ULL * 1000000000ULL;
	snprintf(d->pin_dir, sizeof(d->pin_dir), "%s",
		 o->pin_dir ? o->pin_dir : FLAP_DEFAULT_PIN_DIR);
	d->opts.pin_dir = d->pin_dir;
	/* The state file and the keeper's socket live next to the control socket. */
	snprintf(d->state_path, sizeof(d->state_path), "%.*s%s",
		 (int)(strrchr(d->socket_path, '/')
			       ? strrchr(d->socket_path, '/') - d->socket_path + 1
			       : 0),
		 d->socket_path, FLAP_STATE_FILE);
	snprintf(d->keeper_path, sizeof(d->keeper_path), "%.*s%s",
		 (int)(strrchr(d->socket_path, '/')
			       ? strrchr(d->socket_path, '/') - d->socket_path + 1
			       : 0),
		 d->socket_path, FLAP_KEEPER_SOCK);
	set_crash_opts(d);
}

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
static void save_state(struct flap_daemon *d)
{
	struct flap_persist_hdr *h;

	if (!d->opts.persist || !d->reg)
		return;
	h = calloc(1, sizeof(*h));
	if (!h)
		return;
	h->bpf_id = flap_registry_bpf_id();
	snprintf(h->pin_dir, sizeof(h->pin_dir), "%s", d->pin_dir);
	h->ncpus = flap_registry__ncpus(d->reg);
	h->keeper_pid = d->keeper_pid;
	flap_persist_save(d->state_path, h, &d->entries);
	d->saved_crashes = crash_sum(d);
	free(h);
}

/* Hands @e's rings to the keeper, so they outlive this process. */
static void keep_rings(struct flap_daemon *d, struct flap_entry *e)
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
static int connect_keeper(struct flap_daemon *d, bool *existing)
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
	if (d->stopping || connect_keeper(d, &existing))
		return;
	TAILQ_FOREACH(e, &d->entries, link)
	{
		keep_rings(d, e);
		n++;
	}
	pr_info("keeper: the rings of %d recorders handed to the new keeper", n);
	save_state(d);
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

	rc = flap_cgroup_id(e->meta.cgroup_path, &id);
	if (!rc && id != e->meta.cgroup_id)
		rc = -ESTALE;
	if (!rc)
		rc = flap_registry__add(d->reg, e->meta.cgroup_id, &r->ropts, &e->rec);
	if (!rc)
		pr_warn("%s: recording again with new programs and rings; its earlier history "
			"is lost",
			e->meta.name);
	return rc;
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
		keep_rings(d, e);
	}
}

/* Reads the state file; a file from another build or pin dir makes a fresh start. */
static int load_state(struct flap_daemon *d, struct flap_persist_rec **recs)
{
	struct flap_persist_hdr *h;
	int n;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	n = flap_persist_load(d->state_path, h, recs);
	if (n >= 0 && (h->bpf_id != flap_registry_bpf_id() || strcmp(h->pin_dir, d->pin_dir))) {
		pr_warn("persist: %s was written by another build or for another pin directory: "
			"its %d recorders get new programs and rings, their history is lost",
			d->state_path, n);
		flap_registry_unpin(d->pin_dir);
	} else if (n < 0 && flap_registry_unpin(d->pin_dir) > 0) {
		/* Pins without their metadata cannot be adopted. */
		pr_warn("persist: no usable state file %s: removed the pins in %s", d->state_path,
			d->pin_dir);
	}
	free(h);
	return n < 0 ? 0 : n;
}

/* Adopts what earlier daemons left: pinned recorders, the keeper's rings. */
static void adopt_all(struct flap_daemon *d, struct flap_persist_rec *recs, int n)
{
	int ncpus = flap_registry__ncpus(d->reg), i, pruned;
	struct adopt_stats st = {};
	struct kept_rings *kept;
	struct flap_recorder *rec;
	bool existing = false;

	connect_keeper(d, &existing);
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
	save_state(d);
}

/* Without --persist: say so if a persistent daemon left pins here. */
static void warn_pins(struct flap_daemon *d)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup_table", d->pin_dir);
	if (access(path, F_OK) == 0)
		pr_warn("%s holds the pinned recorders of a persistent daemon; they go on "
			"recording: start with --persist to adopt them, or --unpin to remove them",
			d->pin_dir);
}

static int start(struct flap_daemon *d)
{
	struct flap_registry_opts ropts = {.lifecycle = true, .on_exit = on_exit_event, .ctx = d};
	struct flap_persist_rec *recs = NULL;
	char dir[PATH_MAX], *slash;
	int rc, fd, nrecs = 0;

	snprintf(dir, sizeof(dir), "%s", d->socket_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		rc = mkdir_p(dir, d->opts.allow_group ? 0750 : 0700);
		/* The group needs to reach the socket: root:GROUP 0750. */
		if (!rc && d->opts.allow_group &&
		    (chown(dir, 0, d->opts.allow_gid) < 0 || chmod(dir, 0750) < 0))
			rc = -errno;
		if (rc) {
			pr_warn("socket directory %s: %s", dir, strerror(-rc));
			return rc;
		}
	}
	rc = take_lock(d);
	if (rc) {
		pr_warn("a daemon is already running on %s", d->socket_path);
		return rc;
	}
	rc = mkdir_p(d->dump_dir, 0700);
	if (rc) {
		pr_warn("dump directory %s: %s", d->dump_dir, strerror(-rc));
		return rc;
	}
	chmod(d->dump_dir, 0700);
	flap_crash__clean_temp(&d->crash);
	if (d->opts.persist) {
		rc = flap_persist_bpffs(d->pin_dir);
		if (rc) {
			pr_warn("pin directory %s: %s", d->pin_dir, strerror(-rc));
			return rc;
		}
		nrecs = load_state(d, &recs);
		ropts.pin_dir = d->pin_dir;
	} else {
		warn_pins(d);
	}
	rc = flap_registry__new(&ropts, &d->reg);
	if (rc) {
		flap_persist_free(recs, nrecs);
		pr_warn("cannot load the BPF programs: %s%s", strerror(-rc),
			rc == -EPERM ? " (needs root: CAP_BPF, CAP_PERFMON)" : "");
		return rc;
	}
	if (d->opts.persist)
		adopt_all(d, recs, nrecs);
	flap_persist_free(recs, nrecs);
	rc = flap_ctl_server__start(d, &d->loop, d->socket_path, &d->ctl);
	if (rc)
		return rc;
	uv_signal_init(&d->loop, &d->sigint);
	uv_signal_init(&d->loop, &d->sigterm);
	d->sigint.data = d->sigterm.data = d;
	uv_signal_start(&d->sigint, on_signal, SIGINT);
	uv_signal_start(&d->sigterm, on_signal, SIGTERM);
	uv_timer_init(&d->loop, &d->sweep);
	d->sweep.data = d;
	uv_timer_start(&d->sweep, on_sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
	fd = flap_registry__exits_fd(d->reg);
	if (fd >= 0 && uv_poll_init(&d->loop, &d->exits, fd) == 0) {
		d->exits.data = d;
		d->exits_started = true;
		uv_poll_start(&d->exits, UV_READABLE, on_exits_readable);
	}
	/* Exits that happened while no daemon ran are waiting: handle them now. */
	flap_registry__poll_exits(d->reg);
	return 0;
}

/* After the loop: free everything, or with --persist leave it recording. */
static void finish(struct flap_daemon *d)
{
	struct flap_entry *e;

	if (d->opts.persist && d->reg) {
		save_state(d);
		while ((e = TAILQ_FIRST(&d->entries))) {
			TAILQ_REMOVE(&d->entries, e, link);
			free(e);
		}
		pr_info("persist: %d recorders left recording in %s", flap_registry__count(d->reg),
			d->pin_dir);
	}
	while ((e = TAILQ_FIRST(&d->entries)))
		flap_daemon__remove(d, e);
	flap_registry__free(d->reg);
	flap_keeper__close(d->keeper);
	d->keeper = NULL;
}

int flap_daemon__run(const struct flap_daemon_opts *opts)
{
	struct flap_daemon *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->lock_fd = -1;
	TAILQ_INIT(&d->entries);
	fill_defaults(d, opts);
	d->started_ns = flap_boot_ns();
	signal(SIGPIPE, SIG_IGN);
	rc = uv_loop_init(&d->loop);
	if (rc)
		goto out_free;
	rc = start(d);
	if (rc) {
		/* Close whatever start() opened, then let the loop finish them. */
		if (d->ctl)
			flap_ctl_server__close(d->ctl);
		if (uv_is_active((uv_handle_t *)&d->sweep))
			shutdown_loop(d);
		else if (d->keeper_polling)
			uv_close((uv_handle_t *)&d->keeper_poll, on_handle_closed);
		uv_run(&d->loop, UV_RUN_DEFAULT);
	} else {
		pr_info("flap-recorder daemon listening on %s, dumps in %s", d->socket_path,
			d->dump_dir);
		uv_run(&d->loop, UV_RUN_DEFAULT);
	}
	finish(d);
	if (uv_loop_close(&d->loop))
		pr_warn("loop closed with handles still open");
out_free:
	zclose(d->lock_fd);
	free(d);
	return rc;
}

/* Removes the pin directory, unmounting the bpffs mounted on it if any. */
static void remove_pin_dir(const char *dir)
{
	if (rmdir(dir) == 0 || errno != EBUSY)
		return;
	if (umount2(dir, MNT_DETACH) == 0)
		rmdir(dir);
}

int flap_daemon__unpin(const struct flap_daemon_opts *opts)
{
	struct flap_keeper *k = NULL;
	struct flap_daemon *d;
	int rc, nslots, nrings;
	pid_t pid;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->lock_fd = -1;
	fill_defaults(d, opts);
	rc = take_lock(d);
	if (rc == -EADDRINUSE) {
		pr_warn("a daemon is running on %s: stop it first", d->socket_path);
		goto out;
	}
	if (flap_keeper__connect(d->keeper_path, &k) == 0) {
		if (flap_keeper__status(k, &pid, &nslots, &nrings) == 0 &&
		    flap_keeper__quit(k) == 0)
			pr_info("keeper pid %d stopped: it held %d rings of %d recorders", (int)pid,
				nrings, nslots);
		flap_keeper__close(k);
	}
	unlink(d->keeper_path);
	rc = flap_registry_unpin(d->pin_dir);
	if (rc >= 0) {
		pr_info("removed %d pins from %s: recording stopped", rc, d->pin_dir);
		remove_pin_dir(d->pin_dir);
		rc = 0;
	} else {
		pr_warn("pin directory %s: %s", d->pin_dir, strerror(-rc));
	}
	if (unlink(d->state_path) == 0)
		pr_info("removed %s", d->state_path);
out:
	zclose(d->lock_fd);
	free(d);
	return rc;
}
