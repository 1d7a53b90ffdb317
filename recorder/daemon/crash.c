// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * crash.c - turns lifecycle records into crash dumps.
 *
 * The lifecycle program sends one record per thread group that exits in a
 * traced cgroup, with the group's wait status. A crash is a fatal signal
 * from the crash set (default SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
 * SIGSYS, SIGTRAP) in any process of the cgroup, or, with policy
 * "nonzero", the container's main process exiting with a non-zero status.
 * The rings then say what the exit status cannot: the signal that killed
 * as the history holds it (recorder/decode/signals.c: the delivery with
 * its siginfo, the thread, its registers and stack, or the sent signal
 * the kernel turned into the group exit, with its sender), which goes
 * into the reason and its text.
 * On a crash the daemon reads that cgroup's rings at once and writes
 * <dump-dir>/<pod or name>/<UTC time>-<container>-<reason>.flap through
 * flap_dump__save() (temp file, fsync, rename). Crash loops are rate
 * limited per recorder; old dumps are deleted first when the directory is
 * over --max-dumps or --max-dump-bytes. A dump that cannot be written (the
 * directory full, no fd left) is counted and kept in memory with the
 * history read at the crash, and written when flap_crash__retry() succeeds
 * (the daemon's retry timer, with backoff): at most FLAP_CRASH_PENDING_MAX
 * of them, FLAP_CRASH_ATTEMPTS attempts each.
 *
 * Everything of the daemon it needs comes through struct flap_crash_opts:
 * it reads rings and counts dumps through the caller's callbacks, so calls
 * go one way, from the daemon to here.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flap.h"
#include "crash.h"
#include "dump.h"
#include "dumpdir.h"
#include "format.h"
#include "log.h"
#include "signals.h"
#include "symbols.h"
#include "util.h"

__u64 flap_crash__default_signals(void)
{
	return 1ULL << SIGSEGV | 1ULL << SIGBUS | 1ULL << SIGILL | 1ULL << SIGFPE |
	       1ULL << SIGABRT | 1ULL << SIGSYS | 1ULL << SIGTRAP;
}

static int signal_number(const char *s)
{
	char name[32];
	int i;

	if (*s >= '0' && *s <= '9') {
		char *end;
		long n = strtol(s, &end, 10);

		return *end || n < 1 || n > 63 ? -EINVAL : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 1; i < 64; i++) {
		const char *abbrev = sigabbrev_np(i);

		if (abbrev && strcasecmp(abbrev, s) == 0)
			return i;
	}
	snprintf(name, sizeof(name), "%s", s);
	return -EINVAL;
}

int flap_crash__parse_signals(const char *list, __u64 *set)
{
	char buf[512], *tok, *save = NULL;
	int sig;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	*set = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		sig = signal_number(tok);
		if (sig < 0)
			return -EINVAL;
		*set |= 1ULL << sig;
	}
	return *set ? 0 : -EINVAL;
}

void flap_crash__sanitize(const char *name, char *out, size_t size)
{
	size_t i, n = 0;

	if (!size)
		return;
	for (i = 0; name && name[i] && n + 1 < size; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';

		out[n++] = ok ? ch : '_';
	}
	out[n] = '\0';
	/* No hidden files, no "." or "..", never empty. */
	if (n == 0 || out[0] == '.')
		for (i = 0; i < n; i++)
			if (out[i] == '.')
				out[i] = '_';
	/* Nothing a shell command would take for an option ("rm -- *" aside). */
	if (out[0] == '-')
		out[0] = '_';
	if (n == 0)
		snprintf(out, size, "unnamed");
}

/* The memory cgroup of an OOM kill: its id, limit, usage and, when it is the
 * traced cgroup's own, its path. */
static void set_oom(const struct flap_crash_subject *s, struct flap_reason *r)
{
	r->oom_memcg = s->oom->memcg;
	r->oom_limit = s->oom->limit;
	r->oom_usage = s->oom->usage;
	r->oom_own_memcg = s->oom->flags & FLAP_OOM_F_VICTIM_MEMCG;
	if ((s->oom->flags & FLAP_OOM_F_DFL) && s->oom->memcg == s->cgid) {
		/* A longer path keeps its start (the cgroup id is there too). */
		size_t n = strnlen(s->meta->cgroup_path, sizeof(r->oom_cgroup) - 1);

		memcpy(r->oom_cgroup, s->meta->cgroup_path, n);
		r->oom_cgroup[n] = '\0';
	}
}

/* The reason of an exit, or false when the policy says it is no crash. */
static bool classify(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
		     const struct flap_exit_event *ev, struct flap_reason *r)
{
	int sig = ev->exit_code & 0x7f, code = (ev->exit_code >> 8) & 0xff;
	bool main = s->meta->main_pid && ev->pid == s->meta->main_pid;
	char comm[sizeof(ev->comm) + 1];

	memcpy(comm, ev->comm, sizeof(ev->comm));
	comm[sizeof(ev->comm)] = '\0';
	/*
	 * The traced process chose its name (prctl PR_SET_NAME): the reason
	 * text goes to the daemon's log as it is, so no control byte in it.
	 */
	for (char *p = comm; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	memset(r, 0, sizeof(*r));
	if (s->on_exit == FLAP_ON_EXIT_NEVER)
		return false;
	if (sig == SIGKILL && s->oom) {
		/* Killed by the kernel's OOM killer: a crash whatever the signal set. */
		snprintf(r->kind, sizeof(r->kind), "oom");
		r->signal = sig;
		set_oom(s, r);
	} else if (sig && (o->signals & (1ULL << sig))) {
		snprintf(r->kind, sizeof(r->kind), "crash");
		r->signal = sig;
		r->core = ev->exit_code & 0x80;
		snprintf(r->text, sizeof(r->text), "SIG%s in pid %u (%s)%s",
			 sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", ev->pid, comm,
			 main ? ", the main process" : "");
	} else if (main && s->on_exit == FLAP_ON_EXIT_NONZERO && !sig && code) {
		snprintf(r->kind, sizeof(r->kind), "exit");
		r->exit_code = code;
		snprintf(r->text, sizeof(r->text), "main process pid %u (%s) exited with status %d",
			 ev->pid, comm, code);
	} else {
		return false;
	}
	r->pid = ev->pid;
	memcpy(r->comm, ev->comm, sizeof(r->comm) - 1);
	r->time_ns = ev->ts + flap_clock__boot_to_real_ns();
	if (!strcmp(r->kind, "oom"))
		flap_format__oom_text(r, main, r->text, sizeof(r->text));
	return true;
}

/* True when this recorder has written too many dumps in the window. */
static bool rate_limited(const struct flap_crash_opts *o, struct flap_crash_window *w, __u64 now)
{
	if (now - w->start >= o->window_ns) {
		w->start = now;
		w->count = 0;
	}
	if (w->count >= o->burst)
		return true;
	w->count++;
	return false;
}

/* The dump's group directory (one component, in @dir) and its full path. */
static int dump_path(const struct flap_crash_opts *o, const struct flap_source *m,
		     const struct flap_reason *r, char *dir, size_t dirlen, char *path,
		     size_t pathlen)
{
	char group[128], ctr[128], why[32], stamp[64];
	time_t secs = r->time_ns / 1000000000ULL;
	struct tm tm;

	flap_crash__sanitize(m->pod[0] ? m->pod : m->name, group, sizeof(group));
	flap_crash__sanitize(m->container[0] ? m->container : m->name, ctr, sizeof(ctr));
	if (!strcmp(r->kind, "oom"))
		snprintf(why, sizeof(why), "OOM");
	else if (r->signal)
		snprintf(why, sizeof(why), "SIG%s",
			 sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "UNKNOWN");
	else
		snprintf(why, sizeof(why), "exit%d", r->exit_code);
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	if ((size_t)snprintf(dir, dirlen, "%s", group) >= dirlen)
		return -ENAMETOOLONG;
	if ((size_t)snprintf(path, pathlen, "%s/%s/%s.%06lluZ-%s-%s.flap", o->dump_dir, group,
			     stamp, (unsigned long long)(r->time_ns % 1000000000ULL) / 1000, ctr,
			     why) >= pathlen)
		return -ENAMETOOLONG;
	return 0;
}

struct dump_file {
	char group[NAME_MAX + 1];
	char name[NAME_MAX + 1];
	time_t mtime;
	off_t size;
};

static int cmp_mtime(const void *a, const void *b)
{
	const struct dump_file *x = a, *y = b;
	int c;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	c = strcmp(x->group, y->group);
	return c ? c : strcmp(x->name, y->name);
}

struct file_list {
	struct dump_file *files;
	size_t n, cap;
};

/* Only the daemon's dumps (regular files with the dump magic) are counted and deleted. */
static void collect(void *ctx, const struct flap_dumpdir_file *f)
{
	struct file_list *l = ctx;
	struct dump_file *tmp;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		tmp = realloc(l->files, l->cap * sizeof(*tmp));
		if (!tmp)
			return;
		l->files = tmp;
	}
	snprintf(l->files[l->n].group, sizeof(l->files[l->n].group), "%s", f->group);
	snprintf(l->files[l->n].name, sizeof(l->files[l->n].name), "%s", f->name);
	l->files[l->n].mtime = f->st.st_mtime;
	l->files[l->n].size = f->st.st_size;
	l->n++;
}

/* Deletes the oldest dumps while over --max-dumps or --max-dump-bytes. */
static void enforce_retention(const struct flap_crash_opts *o)
{
	struct file_list l = {};
	struct dump_file *f;
	__u64 bytes = 0;
	size_t i;

	if (!o->max_dumps && !o->max_dump_bytes)
		return;
	flap_dumpdir__walk(o->dump_dir, FLAP_DUMPDIR_FILES_DUMPS, collect, &l);
	if (l.n > 1)
		qsort(l.files, l.n, sizeof(l.files[0]), cmp_mtime);
	for (i = 0; i < l.n; i++)
		bytes += l.files[i].size;
	for (i = 0; i < l.n; i++) {
		if ((!o->max_dumps || l.n - i <= o->max_dumps) &&
		    (!o->max_dump_bytes || bytes <= o->max_dump_bytes))
			break;
		f = &l.files[i];
		if (flap_dumpdir__unlink(o->dump_dir, f->group, f->name) == 0)
			pr_info("retention: deleted %s/%s/%s", o->dump_dir, f->group, f->name);
		bytes -= f->size;
	}
	free(l.files);
}

static void unlink_temp(void *ctx, const struct flap_dumpdir_file *f)
{
	(void)ctx;
	if (flap_dumpdir__unlink(f->dir, f->group, f->name) == 0)
		pr_info("removed the partial dump %s left by an earlier daemon", f->path);
}

void flap_crash__clean_temp(const struct flap_crash_opts *o)
{
	/* Temp files live next to the dump as hidden files. */
	flap_dumpdir__walk(o->dump_dir, FLAP_DUMPDIR_FILES_TEMPS, unlink_temp, NULL);
}

/*
 * The crashing thread's stack in function names, while the files are at
 * hand: those the history names, read through the main process's root when
 * it still runs (the container's files), else as the host sees them.
 */
static void symbolize(const struct flap_crash_subject *s, const struct flap_trace *t,
		      struct flap_reason *r)
{
	struct flap_symbols_opts so = {};
	struct flap_symbols *sym = NULL;
	const char *roots[2] = {"", ""};
	char root[64], exe[PATH_MAX], **paths = NULL;
	int n;

	if (!r->nframes)
		return;
	n = flap_symbols__paths_of(t, &paths);
	if (n < 0)
		return;
	if (s->meta->main_pid && s->meta->main_pid != r->pid) {
		snprintf(root, sizeof(root), "/proc/%u/root", s->meta->main_pid);
		if (access(root, F_OK) == 0)
			roots[0] = root;
	}
	so.exe = flap_symbols__exe_of(t, r->pid, exe, sizeof(exe));
	so.paths = (const char *const *)paths;
	so.npaths = n;
	so.roots = roots;
	so.nroots = roots[0][0] ? 2 : 1;
	if (!flap_symbols__new(&so, &sym))
		flap_stack__symbolize(sym, r);
	flap_symbols__free(sym);
	flap_symbols__free_paths(paths, n);
}

/*
 * What the history says of the death of @r->pid: the signal event that
 * killed it, its thread, its sender's container; the text says it all.
 */
static void explain(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
		    const struct flap_trace *t, struct flap_reason *r)
{
	bool main = s->meta->main_pid && r->pid == s->meta->main_pid;
	const struct flap_event *ev;

	if (!r->signal)
		return;
	ev = flap_signals__cause(t, r->pid, r->signal);
	if (!ev)
		return;
	flap_reason__set_signal(r, ev);
	if (o->name_of && (r->sig.flags & (FLAP_SIG_SENT | FLAP_SIG_SENDER)))
		o->name_of(o->ctx, r->sig.sender_cgid, r->sender_name, sizeof(r->sender_name));
	symbolize(s, t, r);
	/* An OOM kill's text says so already: its SIGKILL adds nothing to it. */
	if (strcmp(r->kind, "oom"))
		flap_format__reason_text(r, main, r->text, sizeof(r->text));
}

/* A crash dump not written yet: its history (NULL: read it again), where it goes. */
struct flap_crash_pending {
	struct flap_crash_pending *next;
	struct flap_dump_meta meta;
	struct flap_trace *t;
	char name[256];
	char dir[PATH_MAX];
	char path[PATH_MAX];
	__u64 cgid;
	unsigned int attempts;
};

/* Lets the reserved fds go (@release) or takes them again, as far as it can. */
static void reserve_fds(const struct flap_crash_opts *o, bool release)
{
	int i;

	for (i = 0; i < o->nreserve; i++) {
		if (release && o->reserve[i] >= 0)
			zclose(o->reserve[i]);
		else if (!release && o->reserve[i] < 0)
			o->reserve[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
}

static int save_pending(const struct flap_crash_opts *o, struct flap_crash_pending *p)
{
	int rc = 0, gfd = -1;

	reserve_fds(o, true);
	if (!p->t)
		rc = o->read(o->ctx, p->cgid, &p->t);
	/* Through the group directory's fd: never through a link planted there. */
	if (!rc)
		rc = flap_dumpdir__group(o->dump_dir, p->dir, &gfd);
	if (!rc)
		rc = flap_dump__saveat(gfd, strrchr(p->path, '/') + 1, &p->meta, p->t);
	if (gfd >= 0)
		close(gfd);
	reserve_fds(o, false);
	p->attempts++;
	return rc;
}

void flap_crash__reserve_fds(struct flap_crash_opts *o, int *fds, int n)
{
	o->reserve = fds;
	o->nreserve = n;
	memset(fds, 0xff, n * sizeof(*fds));
	reserve_fds(o, false);
}

/* A dump written: counted, logged, the directory kept within its limits. */
static void dumped(const struct flap_crash_opts *o, const struct flap_crash_pending *p)
{
	o->count(o->ctx, p->cgid, FLAP_CRASH_DUMPED);
	if (p->attempts > 1)
		pr_info("%s: %s: dump written to %s at attempt %u", p->name, p->meta.reason.text,
			p->path, p->attempts);
	else
		pr_info("%s: %s: dump written to %s", p->name, p->meta.reason.text, p->path);
	enforce_retention(o);
}

static void free_pending(struct flap_crash_pending *p)
{
	flap_trace__free(p->t);
	free(p);
}

/* A failed attempt: counted, and the dump kept for a retry while it may be. */
static void failed(const struct flap_crash_opts *o, struct flap_crash_pending *p, int rc)
{
	struct flap_crash_queue *q = o->queue;
	struct flap_crash_pending **tail;
	const char *what = "";
	bool keep;

	o->count(o->ctx, p->cgid, FLAP_CRASH_FAILED);
	keep = q && p->attempts < FLAP_CRASH_ATTEMPTS && q->n < FLAP_CRASH_PENDING_MAX;
	if (keep)
		what = "; kept in memory, retried later";
	else if (q && p->attempts >= FLAP_CRASH_ATTEMPTS)
		what = "; given up after the last attempt";
	else if (q)
		what = "; too many dumps waiting already: dropped";
	pr_warn("%s: %s: cannot write the crash dump: %s%s", p->name, p->meta.reason.text,
		rc == -ELOOP ? "a symbolic link (or no directory) is in the place of its "
			       "directory in the dump directory, never followed"
			     : strerror(-rc),
		what);
	if (q)
		q->failed++;
	if (!keep) {
		if (q)
			q->dropped++;
		free_pending(p);
		return;
	}
	for (tail = &q->head; *tail; tail = &(*tail)->next)
		;
	p->next = NULL;
	*tail = p;
	q->n++;
}

static void write_crash_dump(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
			     struct flap_reason *r)
{
	struct flap_crash_pending *p;
	int rc;

	p = calloc(1, sizeof(*p));
	if (!p) {
		pr_warn("%s: %s: cannot write the crash dump: %s", s->meta->name, r->text,
			strerror(ENOMEM));
		o->count(o->ctx, s->cgid, FLAP_CRASH_FAILED);
		return;
	}
	p->cgid = s->cgid;
	snprintf(p->name, sizeof(p->name), "%s", s->meta->name);
	flap_dump_meta__init(&p->meta, s->meta->name);
	reserve_fds(o, true);
	rc = o->read(o->ctx, s->cgid, &p->t);
	reserve_fds(o, false);
	if (!rc)
		explain(o, s, p->t, r);
	p->meta.reason = *r;
	if (dump_path(o, s->meta, r, p->dir, sizeof(p->dir), p->path, sizeof(p->path)) < 0) {
		p->attempts = FLAP_CRASH_ATTEMPTS; /* no retry makes the name shorter */
		failed(o, p, -ENAMETOOLONG);
		return;
	}
	/* A read that failed is tried again with the dump. */
	if (rc)
		p->attempts++;
	else
		rc = save_pending(o, p);
	if (rc) {
		failed(o, p, rc);
		return;
	}
	dumped(o, p);
	free_pending(p);
}

unsigned int flap_crash__retry(const struct flap_crash_opts *o)
{
	struct flap_crash_queue *q = o->queue;
	struct flap_crash_pending *p, *todo;
	int rc;

	if (!q)
		return 0;
	/* Each waiting dump once: failed() queues again what fails again. */
	todo = q->head;
	q->head = NULL;
	q->n = 0;
	while ((p = todo)) {
		todo = p->next;
		rc = save_pending(o, p);
		if (rc) {
			failed(o, p, rc);
			continue;
		}
		dumped(o, p);
		free_pending(p);
	}
	return q->n;
}

unsigned int flap_crash__pending_of(const struct flap_crash_queue *q, __u64 cgid)
{
	const struct flap_crash_pending *p;
	unsigned int n = 0;

	for (p = q->head; p; p = p->next)
		n += p->cgid == cgid;
	return n;
}

void flap_crash__queue_free(struct flap_crash_queue *q)
{
	struct flap_crash_pending *p;

	while ((p = q->head)) {
		q->head = p->next;
		free_pending(p);
	}
	q->n = 0;
}

void flap_crash__on_exit(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
			 const struct flap_exit_event *ev)
{
	struct flap_reason r;
	__u64 skipped;

	if (!classify(o, s, ev, &r))
		return;
	if (rate_limited(o, s->window, flap_clock__boot_ns())) {
		skipped = o->count(o->ctx, s->cgid, FLAP_CRASH_SKIPPED);
		if (skipped == 1 || skipped % 100 == 0)
			pr_warn("%s: crash loop: %s; %llu dumps skipped by the rate limit",
				s->meta->name, r.text, (unsigned long long)skipped);
		return;
	}
	write_crash_dump(o, s, &r);
}
