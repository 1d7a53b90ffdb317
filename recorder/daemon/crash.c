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
 * over --max-dumps or --max-dump-bytes.
 *
 * Everything of the daemon it needs comes through struct flap_crash_opts:
 * it reads rings and counts dumps through the caller's callbacks, so calls
 * go one way, from the daemon to here.
 */
#include <errno.h>
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

static int write_crash_dump(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
			    struct flap_reason *r, char *path, size_t pathlen)
{
	struct flap_trace *t = NULL;
	struct flap_dump_meta meta;
	char group[128];
	int rc, gfd = -1;

	rc = o->read(o->ctx, s->cgid, &t);
	if (rc)
		return rc;
	explain(o, s, t, r);
	flap_dump_meta__init(&meta, s->meta->name);
	meta.reason = *r;
	rc = dump_path(o, s->meta, r, group, sizeof(group), path, pathlen);
	/* Through the group directory's fd: never through a link planted there. */
	if (!rc)
		rc = flap_dumpdir__group(o->dump_dir, group, &gfd);
	if (!rc)
		rc = flap_dump__saveat(gfd, strrchr(path, '/') + 1, &meta, t);
	if (gfd >= 0)
		close(gfd);
	flap_trace__free(t);
	return rc;
}

void flap_crash__on_exit(const struct flap_crash_opts *o, const struct flap_crash_subject *s,
			 const struct flap_exit_event *ev)
{
	char path[PATH_MAX];
	struct flap_reason r;
	__u64 skipped;
	int rc;

	if (!classify(o, s, ev, &r))
		return;
	if (rate_limited(o, s->window, flap_clock__boot_ns())) {
		skipped = o->count(o->ctx, s->cgid, false);
		if (skipped == 1 || skipped % 100 == 0)
			pr_warn("%s: crash loop: %s; %llu dumps skipped by the rate limit",
				s->meta->name, r.text, (unsigned long long)skipped);
		return;
	}
	rc = write_crash_dump(o, s, &r, path, sizeof(path));
	if (rc) {
		pr_warn("%s: %s: cannot write the crash dump: %s", s->meta->name, r.text,
			rc == -ELOOP ? "a symbolic link (or no directory) is in the place of its "
				       "directory in the dump directory, never followed"
				     : strerror(-rc));
		return;
	}
	o->count(o->ctx, s->cgid, true);
	pr_info("%s: %s: dump written to %s", s->meta->name, r.text, path);
	enforce_retention(o);
}
