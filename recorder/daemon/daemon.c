// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * daemon.c - flap_daemon__run(): the libuv loop, retention of exited
 * cgroups, and clean shutdown on SIGINT/SIGTERM.
 *
 * The loop owns: the control server (ctl.c, answering through the request
 * handlers of ctl_handlers.c), two signal handles, a sweep timer that
 * notices cgroups with no process left and frees recorders past their
 * retention, and a poll handle on the lifecycle ring buffer whose records
 * go to the crash policy (crash.c). Rings are never read per event, only
 * for a dump request or a crash. The traced cgroups and the API on them are
 * state.c; what --persist keeps across a restart is restart.c.
 *
 * Calls go one way: daemon.c -> ctl_handlers.c -> state.c -> restart.c;
 * ctl.c and crash.c call back only through the callbacks they are given.
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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uv.h>

#include "flap.h"
#include "crash.h"
#include "ctl.h"
#include "ctl_handlers.h"
#include "daemon.h"
#include "daemon_internal.h"
#include "keeper.h"
#include "log.h"
#include "persist.h"
#include "pool.h"
#include "util.h"

#define SWEEP_INTERVAL_MS 1000
/*
 * The loop's time for freeing recorders past retention in one sweep: the
 * rest waits SWEEP_MORE_MS, so that requests and crashes are served between
 * (freeing 60 recorders at once held a dump request 866 ms).
 */
#define SWEEP_BUDGET_NS (5 * 1000000ULL)
#define SWEEP_MORE_MS	10

/* Whether @path still has processes (cgroup.events "populated 1"). */
static bool cgroup_populated(const char *path)
{
	char file[PATH_MAX + 32], *text = NULL;
	bool populated;
	size_t len;

	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	if (flap_file__read(file, &text, &len, 4096) < 0)
		return false; /* the cgroup is gone */
	populated = strstr(text, "populated 1") != NULL;
	free(text);
	return populated;
}

static void on_exit_event(void *ctx, const struct flap_exit_event *ev);

static int cmp_exit_ts(const void *a, const void *b)
{
	const struct flap_exit_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * The exits of @e's cgroup the lifecycle ring buffer refused: count them,
 * and hand the unclean ones the kernel kept (the last FLAP_FALLBACK_EXITS,
 * flap.h) to the crash policy, oldest first, each once.
 */
static void reconcile_entry(struct flap_daemon *d, struct flap_entry *e)
{
	struct flap_exit_event evs[FLAP_FALLBACK_EXITS];
	struct flap_exit_fallback f;
	__u64 was = e->exits_lost;
	int i, n = 0;

	if (flap_recorder__exit_fallback(e->rec, &f))
		return;
	e->exits_lost = f.lost;
	for (i = 0; i < FLAP_FALLBACK_EXITS && (__u64)i < f.nfatal; i++)
		if (f.fatal[i].type == FLAP_LC_EXIT && f.fatal[i].cgid == e->meta.cgroup_id &&
		    f.fatal[i].ts > e->fallback_mark)
			evs[n++] = f.fatal[i];
	if (f.lost != was)
		pr_warn("%s: %llu process exits lost by the lifecycle ring buffer (full); %d "
			"unclean ones recovered%s",
			e->meta.name, (unsigned long long)(f.lost - was), n,
			f.nfatal > FLAP_FALLBACK_EXITS ? ", older ones not kept" : "");
	qsort(evs, n, sizeof(evs[0]), cmp_exit_ts);
	for (i = 0; i < n; i++) {
		e->fallback_mark = evs[i].ts;
		on_exit_event(d, &evs[i]);
	}
}

/* Drains the lifecycle ring buffer; when it refused records, reconciles every entry. */
static void poll_exits(struct flap_daemon *d)
{
	struct flap_entry *e, *next;
	__u64 lost;

	flap_registry__poll_exits(d->reg);
	lost = flap_registry__exits_lost(d->reg);
	if (lost == d->exits_lost_seen)
		return;
	d->exits_lost_seen = lost;
	for (e = TAILQ_FIRST(&d->entries); e; e = next) {
		next = TAILQ_NEXT(e, link);
		reconcile_entry(d, e);
	}
}

/* Marks cgroups with no process left and frees recorders past retention. */
static void on_sweep(uv_timer_t *timer)
{
	struct flap_daemon *d = timer->data;
	struct flap_entry *e, *next;
	__u64 now = flap_clock__boot_ns(), crashes = 0;
	bool changed = false, more = false, expired;

	for (e = TAILQ_FIRST(&d->entries); e; e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->state == FLAP_ENTRY_RUNNING && !cgroup_populated(e->meta.cgroup_path)) {
			/* Its last exits first: a crash among them is dumped now. */
			flap_registry__poll_exits(d->reg);
			reconcile_entry(d, e);
			e->state = FLAP_ENTRY_EXITED;
			e->exited_ns = now;
			changed = true;
			pr_info("%s: no process left; history kept for %llu s", e->meta.name,
				(unsigned long long)(d->opts.retain_ns / 1000000000ULL));
		}
		expired = e->state != FLAP_ENTRY_RUNNING && now - e->exited_ns >= d->opts.retain_ns;
		if (expired && flap_clock__boot_ns() - now < SWEEP_BUDGET_NS) {
			flap_daemon__remove(d, e);
			continue;
		}
		more |= expired;
		crashes += e->crashes + e->crashes_skipped;
	}
	/* Crash counters change in crash.c: catch them up here. */
	if (changed || crashes != d->saved_crashes)
		flap_daemon__save_state(d);
	/* Past the budget: the next ones soon, the period after them as before. */
	if (more)
		uv_timer_start(&d->sweep, on_sweep, SWEEP_MORE_MS, SWEEP_INTERVAL_MS);
}

static void on_exits_readable(uv_poll_t *h, int status, int events)
{
	struct flap_daemon *d = h->data;

	(void)events;
	if (status < 0)
		return;
	poll_exits(d);
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
static __u64 crash_count(void *ctx, __u64 cgid, enum flap_crash_count kind)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, cgid);

	if (!e)
		return 0;
	if (kind == FLAP_CRASH_SKIPPED)
		return ++e->crashes_skipped;
	if (kind == FLAP_CRASH_FAILED)
		return ++e->dumps_failed;
	e->crashes++;
	flap_daemon__count_dump(d);
	return e->crashes;
}

/* The crash policy's names: a traced cgroup's container, else its recorder name. */
static void crash_name_of(void *ctx, __u64 cgid, char *buf, size_t size)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, cgid);

	snprintf(buf, size, "%s",
		 !e			? ""
		 : e->meta.container[0] ? e->meta.container
					: e->meta.name);
}

/* Lifecycle callback: the OOM killer chose a victim (any process of the node). */
static void on_oom_event(void *ctx, const struct flap_oom_event *ev)
{
	struct flap_daemon *d = ctx;

	d->ooms[d->noom++ % FLAP_DAEMON_OOMS] = *ev;
}

/* The OOM kill of process @pid, if one came shortly before its exit at @ts. */
static const struct flap_oom_event *oom_of(const struct flap_daemon *d, __u32 pid, __u64 ts)
{
	const struct flap_oom_event *o;
	unsigned int i;

	for (i = 0; i < FLAP_DAEMON_OOMS && i < d->noom; i++) {
		o = &d->ooms[(d->noom - 1 - i) % FLAP_DAEMON_OOMS];
		if (o->pid == pid && o->ts <= ts && ts - o->ts < FLAP_DAEMON_OOM_NS)
			return o;
	}
	return NULL;
}

/* Retries of failed crash dumps: 1 s after the failure, then twice as long each time, up to 30 s.
 */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS   30000

static void on_retry(uv_timer_t *timer)
{
	struct flap_daemon *d = timer->data;
	__u64 delay;

	if (!flap_crash__retry(&d->crash)) {
		d->retry_round = 0;
		return;
	}
	delay = (__u64)RETRY_FIRST_MS << (d->retry_round < 5 ? ++d->retry_round : 5);
	uv_timer_start(&d->retry, on_retry, delay < RETRY_MAX_MS ? delay : RETRY_MAX_MS, 0);
}

/* Crash dumps wait for a retry: start the timer unless it runs. */
static void schedule_retry(struct flap_daemon *d)
{
	if (d->crash_queue.n && d->retry_started && !uv_is_active((uv_handle_t *)&d->retry)) {
		d->retry_round = 0;
		uv_timer_start(&d->retry, on_retry, RETRY_FIRST_MS, 0);
	}
}

/* Lifecycle callback: an exit in a traced cgroup goes to the crash policy. */
static void on_exit_event(void *ctx, const struct flap_exit_event *ev)
{
	struct flap_daemon *d = ctx;
	struct flap_entry *e = flap_daemon__find_cgroup(d, ev->cgid);
	struct flap_crash_subject s;

	if (!e)
		return;
	/* Every dump from now on says how the main process ended. */
	if (e->meta.main_pid && ev->pid == e->meta.main_pid) {
		e->meta.main_exited = true;
		e->meta.main_status = ev->exit_code;
	}
	s.oom = oom_of(d, ev->pid, ev->ts);
	s.cgid = ev->cgid;
	s.meta = &e->meta;
	s.on_exit = e->on_exit;
	s.window = &e->crash_window;
	flap_crash__on_exit(&d->crash, &s, ev);
	schedule_retry(d);
}

static void on_handle_closed(uv_handle_t *h)
{
	(void)h;
}

static void shutdown_loop(struct flap_daemon *d)
{
	pr_info("shutting down");
	d->stopping = true;
	/* Before the server closes: their clients' connections close with it. */
	flap_daemon__cancel_adds(d);
	flap_daemon__close_adds(d);
	if (d->keeper_polling) {
		d->keeper_polling = false;
		uv_close((uv_handle_t *)&d->keeper_poll, on_handle_closed);
	}
	flap_ctl_server__close(d->ctl);
	d->ctl = NULL;
	uv_close((uv_handle_t *)&d->sigint, on_handle_closed);
	uv_close((uv_handle_t *)&d->sigterm, on_handle_closed);
	uv_close((uv_handle_t *)&d->sweep, on_handle_closed);
	if (d->retry_started)
		uv_close((uv_handle_t *)&d->retry, on_handle_closed);
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

/*
 * One daemon per directory too: an exclusive flock() on the directory @path
 * itself (bpffs holds no lock file), held on *@fd for the daemon's life.
 * @path is opened with O_NOFOLLOW. Return: 0, -EADDRINUSE when another
 * process holds it, -ELOOP for a symbolic link, other negative errno.
 */
static int lock_dir(const char *path, int *fd)
{
	int err;

	*fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		err = -errno;
		zclose(*fd);
		return err == -EWOULDBLOCK ? -EADDRINUSE : err;
	}
	return 0;
}

/*
 * The pin directory of --persist, locked: a second daemon on it (another
 * socket, the same --pin-dir) would unpin the first one's recorders.
 */
static int take_pin_dir(struct flap_daemon *d)
{
	int rc;

	rc = flap_persist__bpffs(d->pin_dir);
	if (rc) {
		pr_warn("pin directory %s: %s", d->pin_dir, strerror(-rc));
		return rc;
	}
	rc = lock_dir(d->pin_dir, &d->pin_lock_fd);
	if (rc == -EADDRINUSE)
		pr_warn("another daemon uses the pin directory %s: stop it first or give "
			"another --pin-dir",
			d->pin_dir);
	else if (rc)
		pr_warn("pin directory %s: %s", d->pin_dir, strerror(-rc));
	return rc;
}

/*
 * The dump directory: created 0700 when missing, locked (a second daemon's
 * start-up would delete the first one's temp files, their retention each
 * other's dumps), and made 0700 through its fd. A symbolic link given as
 * --dump-dir is refused: the mode is never set through a link.
 */
static int take_dump_dir(struct flap_daemon *d)
{
	int rc;

	rc = mkdir_p(d->dump_dir, 0700);
	if (!rc)
		rc = lock_dir(d->dump_dir, &d->dump_lock_fd);
	if (rc == -ELOOP)
		pr_warn("dump directory %s is a symbolic link (or no directory): give the "
			"directory itself as --dump-dir",
			d->dump_dir);
	else if (rc == -EADDRINUSE)
		pr_warn("another daemon uses the dump directory %s: stop it first or give "
			"another --dump-dir",
			d->dump_dir);
	else if (!rc && fchmod(d->dump_lock_fd, 0700) < 0)
		rc = -errno;
	if (rc && rc != -ELOOP && rc != -EADDRINUSE)
		pr_warn("dump directory %s: %s", d->dump_dir, strerror(-rc));
	return rc;
}

/* The control server's callbacks: the request handlers, on this daemon. */
static int answer_request(void *ctx, struct flap_ctl_conn *conn, struct flap_pbio_stream *in,
			  int pid, const void *data, size_t len, uint8_t **out, size_t *outlen)
{
	return flap_ctl__answer_conn(ctx, conn, in, pid, data, len, out, outlen);
}

static int refuse_peer(void *ctx, int pid, unsigned int uid, uint8_t **out, size_t *outlen)
{
	return flap_ctl__refuse(ctx, pid, uid, out, outlen);
}

static int start_ctl(struct flap_daemon *d)
{
	struct flap_ctl_server_opts o = {
		.allow_group = d->opts.allow_group,
		.allow_gid = d->opts.allow_gid,
		.answer = answer_request,
		.refuse = refuse_peer,
		.ctx = d,
		.max_clients = d->opts.max_clients,
		.idle_ms = d->opts.client_timeout_ns / 1000000ULL,
	};

	return flap_ctl_server__start(&d->loop, d->socket_path, &o, &d->ctl);
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
	c->name_of = crash_name_of;
	c->ctx = d;
	c->queue = &d->crash_queue;
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
		d->opts.crash_signals = flap_crash__default_signals();
	if (!d->opts.crash_burst)
		d->opts.crash_burst = 5;
	if (!d->opts.max_clients)
		d->opts.max_clients = 64;
	if (!d->opts.client_timeout_ns)
		d->opts.client_timeout_ns = 10ULL * 1000000000ULL;
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

/* Starts the pool of recorders with the defaults an add request gets. Not fatal. */
static void start_pool(struct flap_daemon *d)
{
	struct flap_recorder_opts asked = {.buf_max = -1};
	struct flap_pool_opts po = {.size = d->opts.pool};
	int rc;

	if (d->opts.pool <= 0)
		return;
	flap_entries__recorder_opts(&d->opts, &asked, &po.ropts);
	rc = flap_pool__new(d->reg, &po, &d->pool);
	if (rc)
		pr_warn("pool: cannot start a pool of %d recorders: %s", d->opts.pool,
			strerror(-rc));
}

static int start(struct flap_daemon *d)
{
	struct flap_registry_opts ropts = {
		.lifecycle = true, .on_exit = on_exit_event, .on_oom = on_oom_event, .ctx = d};
	struct flap_persist_rec *recs = NULL;
	char dir[PATH_MAX], *slash;
	int rc, fd, nrecs = 0;

	/* Said before any lock is taken: a path that cannot work changes nothing. */
	if (strlen(d->socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		pr_warn("socket path %s is %zu bytes; a unix socket path must be under %zu",
			d->socket_path, strlen(d->socket_path),
			sizeof(((struct sockaddr_un *)0)->sun_path));
		return -ENAMETOOLONG;
	}
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
	/* Every lock before anything changes: a second daemon changes nothing. */
	if (d->opts.persist) {
		rc = take_pin_dir(d);
		if (rc)
			return rc;
	}
	rc = take_dump_dir(d);
	if (rc)
		return rc;
	flap_crash__clean_temp(&d->crash);
	flap_crash__reserve_fds(&d->crash, d->reserve_fds, FLAP_CRASH_RESERVE_FDS);
	if (d->opts.persist) {
		nrecs = flap_daemon__load_state(d, &recs);
		ropts.pin_dir = d->pin_dir;
	} else {
		flap_daemon__warn_pins(d);
	}
	rc = flap_registry__new(&ropts, &d->reg);
	if (rc) {
		flap_persist__free(recs, nrecs);
		pr_warn("cannot load the BPF programs: %s%s", strerror(-rc),
			rc == -EPERM ? " (needs root: CAP_BPF, CAP_PERFMON)" : "");
		return rc;
	}
	if (d->opts.persist)
		flap_daemon__adopt_all(d, recs, nrecs);
	flap_persist__free(recs, nrecs);
	start_pool(d);
	rc = start_ctl(d);
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
	flap_daemon__start_adds(d);
	uv_timer_init(&d->loop, &d->retry);
	d->retry.data = d;
	d->retry_started = true;
	fd = flap_registry__exits_fd(d->reg);
	if (fd >= 0 && uv_poll_init(&d->loop, &d->exits, fd) == 0) {
		d->exits.data = d;
		d->exits_started = true;
		uv_poll_start(&d->exits, UV_READABLE, on_exits_readable);
	}
	/* Exits that happened while no daemon ran are waiting: handle them now. */
	poll_exits(d);
	schedule_retry(d);
	return 0;
}

/* After the loop: free everything, or with --persist leave it recording. */
static void finish(struct flap_daemon *d)
{
	struct flap_entry *e;
	int i;

	/* First: its thread loads recorders for d->reg (waits for a load under way). */
	flap_pool__free(d->pool);
	d->pool = NULL;
	if (d->opts.persist && d->reg) {
		flap_daemon__save_state(d);
		while ((e = TAILQ_FIRST(&d->entries))) {
			TAILQ_REMOVE(&d->entries, e, link);
			flap_trace__free(e->procs);
			free(e);
		}
		pr_info("persist: %d recorders left recording in %s", flap_registry__count(d->reg),
			d->pin_dir);
	}
	while ((e = TAILQ_FIRST(&d->entries)))
		flap_daemon__remove(d, e);
	flap_registry__free(d->reg);
	if (d->crash_queue.n)
		pr_warn("%u crash dumps never written: the daemon stops", d->crash_queue.n);
	flap_crash__queue_free(&d->crash_queue);
	for (i = 0; i < d->crash.nreserve; i++)
		zclose(d->reserve_fds[i]);
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
	d->lock_fd = d->pin_lock_fd = d->dump_lock_fd = -1;
	TAILQ_INIT(&d->entries);
	TAILQ_INIT(&d->adding);
	TAILQ_INIT(&d->deferred);
	fill_defaults(d, opts);
	d->started_ns = flap_clock__boot_ns();
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
	zclose(d->dump_lock_fd);
	zclose(d->pin_lock_fd);
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
	d->lock_fd = d->pin_lock_fd = d->dump_lock_fd = -1;
	fill_defaults(d, opts);
	rc = take_lock(d);
	if (rc == -EADDRINUSE) {
		pr_warn("a daemon is running on %s: stop it first", d->socket_path);
		goto out;
	}
	/* A daemon on another socket may use this pin directory: leave its pins. */
	rc = lock_dir(d->pin_dir, &d->pin_lock_fd);
	if (rc == -EADDRINUSE) {
		pr_warn("a daemon uses the pin directory %s: stop it first", d->pin_dir);
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
	rc = flap_registry__unpin(d->pin_dir);
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
	zclose(d->pin_lock_fd);
	zclose(d->lock_fd);
	free(d);
	return rc;
}
