// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * summary.c - two summaries of a trace (format.h):
 *
 * flap_format__summary(): per-syscall counts, errors and time in the layout
 * of `strace -c` (% time, seconds, usecs/call, calls, errors, syscall; a
 * total line; sorted by time, then by syscall number). As strace counts a
 * call when it returns, calls that did not (exit_group, still running,
 * exit not recorded) are not counted, nor is the child's return from
 * clone/fork (the recorder sees it; strace does not). The time is the
 * call's duration, entry to exit (strace -c -w), not system time; a call
 * without one (recorded without --exact-durations, it returned within the
 * clock tick it entered in) counts as a call with no time, and a note
 * under the table says so.
 *
 * flap_format__files(): the file access pattern per path: successful and
 * failed opens (with the errnos), bytes read and written through the
 * descriptors the trace opened on it, first and last time the path was
 * used. Paths are named as flap_fdnames names descriptors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "flap.h"
#include "escape.h"
#include "fdnames.h"
#include "format.h"
#include "log.h"
#include "syscalls.h"
#include "sysset.h"
#include "util.h"

/* ---- strace -c ---------------------------------------------------------------- */

struct sc_count {
	__u32 nr;
	__u64 calls;
	__u64 errors;
	__u64 ns;
};

static bool is_clone_name(const char *name)
{
	return !strcmp(name, "clone") || !strcmp(name, "clone3") || !strcmp(name, "fork") ||
	       !strcmp(name, "vfork");
}

/* True when @ev is a call strace -c counts (it returned, in the parent). */
static bool counted(const struct flap_event *ev, const struct flap_format_opts *o)
{
	const struct flap_syscall *sc;

	if (!(ev->flags & FLAP_EV_F_HAS_RET) || (ev->flags & FLAP_EV_F_UNFINISHED))
		return false;
	if (o && o->filter && !flap_sysset__has(o->filter, ev->nr))
		return false;
	sc = flap_syscall__by_nr(ev->nr);
	/* The child's return from a fork: no entry of its own. */
	if (sc && is_clone_name(sc->name) && ev->ret == 0 && !(ev->flags & FLAP_EV_F_HAS_ENTER))
		return false;
	return true;
}

static int cmp_count(const void *a, const void *b)
{
	const struct sc_count *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static void count_name(const struct sc_count *c, char *buf, size_t size)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(c->nr);

	if (sc)
		snprintf(buf, size, "%s", sc->name);
	else
		snprintf(buf, size, "syscall_%u", c->nr);
}

/* Counts per syscall number, sorted; returns how many, or -ENOMEM. */
static int count_calls(const struct flap_trace *t, const struct flap_format_opts *o,
		       struct sc_count **out)
{
	struct sc_count *c = NULL;
	size_t n = 0, cap = 0, i, k;

	for (i = 0; i < t->nevents; i++) {
		const struct flap_event *ev = &t->events[i];

		if (!counted(ev, o))
			continue;
		for (k = 0; k < n && c[k].nr != ev->nr; k++)
			;
		if (k == n) {
			if (n == cap) {
				struct sc_count *p;

				cap = cap ? cap * 2 : 64;
				p = realloc(c, cap * sizeof(*c));
				if (!p) {
					free(c);
					return -ENOMEM;
				}
				c = p;
			}
			memset(&c[n], 0, sizeof(c[n]));
			c[n++].nr = ev->nr;
		}
		c[k].calls++;
		c[k].errors += ev->ret >= -4095 && ev->ret < 0;
		if (ev->flags & FLAP_EV_F_HAS_DUR)
			c[k].ns += ev->dur_ns;
	}
	if (n)
		qsort(c, n, sizeof(*c), cmp_count);
	*out = c;
	return n;
}

/* Characters of @v printed with @decimals decimals. */
static int width_of(int decimals, double v)
{
	return snprintf(NULL, 0, "%.*f", decimals, v);
}

/* Under the table when some calls' durations were not measured (no --exact-durations). */
#define SUMMARY_DUR_NOTE                                                                 \
	"# note: the time columns count only measured calls; only calls that spanned a " \
	"kernel clock tick were measured (record with --exact-durations to measure all)\n"

static int summary_text(FILE *out, const struct sc_count *c, int n, bool exact)
{
	int w_sec = 11, w_avg = 11, w_calls = 9, w_err = 9, i;
	__u64 calls = 0, errors = 0, ns = 0;
	char name[32];
	double pct;

	for (i = 0; i < n; i++) {
		calls += c[i].calls;
		errors += c[i].errors;
		ns += c[i].ns;
		if (width_of(0, c[i].calls ? c[i].ns / 1e3 / c[i].calls : 0) > w_avg)
			w_avg = width_of(0, c[i].ns / 1e3 / c[i].calls);
	}
	if (width_of(6, ns / 1e9) > w_sec)
		w_sec = width_of(6, ns / 1e9);
	if (width_of(0, calls) > w_calls)
		w_calls = width_of(0, calls);
	if (width_of(0, errors) > w_err)
		w_err = width_of(0, errors);
	fprintf(out, "%6s %*s %*s %*s %*s %s\n", "% time", w_sec, "seconds", w_avg, "usecs/call",
		w_calls, "calls", w_err, "errors", "syscall");
	fprintf(out, "------ %.*s %.*s %.*s %.*s ----------------\n", w_sec,
		"--------------------------------", w_avg, "--------------------------------",
		w_calls, "--------------------------------", w_err,
		"--------------------------------");
	for (i = 0; i < n; i++) {
		pct = ns ? 100.0 * c[i].ns / ns : 0.0;
		count_name(&c[i], name, sizeof(name));
		fprintf(out, "%6.2f %*.6f %*llu %*llu %*.0llu %s\n", pct, w_sec, c[i].ns / 1e9,
			w_avg, (unsigned long long)(c[i].ns / 1000 / c[i].calls), w_calls,
			(unsigned long long)c[i].calls, w_err, (unsigned long long)c[i].errors,
			name);
	}
	fprintf(out, "------ %.*s %.*s %.*s %.*s ----------------\n", w_sec,
		"--------------------------------", w_avg, "--------------------------------",
		w_calls, "--------------------------------", w_err,
		"--------------------------------");
	fprintf(out, "%6.2f %*.6f %*llu %*llu %*.0llu total\n", 100.0, w_sec, ns / 1e9, w_avg,
		(unsigned long long)(calls ? ns / 1000 / calls : 0), w_calls,
		(unsigned long long)calls, w_err, (unsigned long long)errors);
	if (!exact)
		fputs(SUMMARY_DUR_NOTE, out);
	return ferror(out) ? -EIO : 0;
}

static int emit_json(FILE *out, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	int err = 0;

	if (!s)
		err = -ENOMEM;
	else if (fputs(s, out) == EOF || putc('\n', out) == EOF || ferror(out))
		err = -EIO;
	json_object_put(o);
	return err;
}

static int summary_json(FILE *out, const struct sc_count *c, int n, bool exact)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *e;
	__u64 calls = 0, errors = 0, ns = 0;
	char name[32];
	int i;

	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		calls += c[i].calls;
		errors += c[i].errors;
		ns += c[i].ns;
	}
	for (i = 0; i < n; i++) {
		e = json_object_new_object();
		if (!e)
			break;
		count_name(&c[i], name, sizeof(name));
		json_object_object_add(e, "syscall", json_object_new_string(name));
		json_object_object_add(e, "calls", json_object_new_uint64(c[i].calls));
		json_object_object_add(e, "errors", json_object_new_uint64(c[i].errors));
		json_object_object_add(e, "time_ns", json_object_new_uint64(c[i].ns));
		json_object_object_add(e, "percent",
				       json_object_new_double(ns ? 100.0 * c[i].ns / ns : 0.0));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "type", json_object_new_string("summary"));
	json_object_object_add(o, "syscalls", arr);
	json_object_object_add(o, "calls", json_object_new_uint64(calls));
	json_object_object_add(o, "errors", json_object_new_uint64(errors));
	json_object_object_add(o, "time_ns", json_object_new_uint64(ns));
	json_object_object_add(o, "exact_durations", json_object_new_boolean(exact));
	return emit_json(out, o);
}

int flap_format__summary(FILE *out, const struct flap_trace *t, const struct flap_format_opts *o)
{
	struct sc_count *c = NULL;
	bool exact;
	int n, err;

	if (!out || !t) {
		pr_warn("format: no output stream or trace");
		return -EINVAL;
	}
	n = count_calls(t, o, &c);
	if (n < 0)
		return n;
	/* No call without a measured duration: the times are complete. */
	exact = flap_trace__count_short(t) == 0;
	err = o && o->json ? summary_json(out, c, n, exact) : summary_text(out, c, n, exact);
	free(c);
	return err;
}

/* ---- files ---------------------------------------------------------------------- */

#define MAX_ERRS 4

struct file_stat {
	char *path;
	__u64 opens, failed, rd, wr;
	__u64 first, last; /* CLOCK_BOOTTIME ns */
	struct {
		int err;
		__u64 n;
	} errs[MAX_ERRS]; /* failed opens by errno (the first few errnos) */
};

struct files {
	struct file_stat *v;
	size_t n, cap;
	size_t *index; /* open addressing by path: v index + 1, 0 = empty */
	size_t icap;
};

static size_t hash_path(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The index slot of @path (its entry's or the empty one it would take). */
static size_t *path_slot(const struct files *f, const char *path)
{
	size_t i = hash_path(path) & (f->icap - 1);

	while (f->index[i] && strcmp(f->v[f->index[i] - 1].path, path))
		i = (i + 1) & (f->icap - 1);
	return &f->index[i];
}

/* Room for one more path (the array and its index). Return: 0 or -ENOMEM. */
static int files_grow(struct files *f)
{
	struct file_stat *v;
	size_t icap, i;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;

		v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	if ((f->n + 1) * 2 <= f->icap)
		return 0;
	icap = f->icap ? f->icap * 2 : 64;
	free(f->index);
	f->index = calloc(icap, sizeof(*f->index));
	if (!f->index) {
		f->icap = 0;
		return -ENOMEM;
	}
	f->icap = icap;
	for (i = 0; i < f->n; i++)
		*path_slot(f, f->v[i].path) = i + 1;
	return 0;
}

/* The entry of @path (taken: freed when it exists already). Return: NULL on -ENOMEM. */
static struct file_stat *file_get(struct files *f, char *path, __u64 ts)
{
	struct file_stat *s;
	size_t *slot;

	if (files_grow(f)) {
		free(path);
		return NULL;
	}
	slot = path_slot(f, path);
	if (*slot) {
		free(path);
		s = &f->v[*slot - 1];
	} else {
		s = &f->v[f->n++];
		*slot = f->n;
		memset(s, 0, sizeof(*s));
		s->path = path;
		s->first = ts;
	}
	if (ts < s->first)
		s->first = ts;
	if (ts > s->last)
		s->last = ts;
	return s;
}

static void add_err(struct file_stat *s, int err)
{
	int i;

	s->failed++;
	for (i = 0; i < MAX_ERRS; i++) {
		if (!s->errs[i].n || s->errs[i].err == err) {
			s->errs[i].err = err;
			s->errs[i].n++;
			return;
		}
	}
}

enum io_dir { IO_NONE, IO_READ, IO_WRITE, IO_SENDFILE };

static enum io_dir io_of(const char *name)
{
	static const char *const reads[] = {"read", "pread64", "readv", "preadv", "preadv2"};
	static const char *const writes[] = {"write", "pwrite64", "writev", "pwritev", "pwritev2"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reads); i++)
		if (!strcmp(name, reads[i]))
			return IO_READ;
	for (i = 0; i < ARRAY_SIZE(writes); i++)
		if (!strcmp(name, writes[i]))
			return IO_WRITE;
	if (!strcmp(name, "sendfile") || !strcmp(name, "copy_file_range"))
		return IO_SENDFILE;
	return IO_NONE;
}

static bool is_open_name(const char *name)
{
	return !strcmp(name, "open") || !strcmp(name, "openat") || !strcmp(name, "openat2") ||
	       !strcmp(name, "creat");
}

/* A file name (not "pipe", "TCP", "anon_inode:[...]"). */
static bool is_path(const char *name)
{
	return name && (name[0] == '/' || (strchr(name, '/') && !strchr(name, ':')));
}

/* Counts @bytes of I/O on @fd of @ev's process against the file's path. */
static int count_io(struct files *f, const struct flap_fdnames *fds, const struct flap_event *ev,
		    int fd, __u64 bytes, bool write)
{
	const char *name = flap_fdnames__get(fds, ev->tgid, fd);
	struct file_stat *s;
	char *path;

	if (!is_path(name))
		return 0;
	path = strdup(name);
	s = path ? file_get(f, path, ev->ts) : NULL;
	if (!s)
		return -ENOMEM;
	if (write)
		s->wr += bytes;
	else
		s->rd += bytes;
	return 0;
}

/* Accounts for one event (before the fd table learns of it). */
static int file_event(struct files *f, struct flap_fdnames *fds, const struct flap_event *ev,
		      const struct flap_format_opts *o)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	struct file_stat *s;
	enum io_dir dir;
	char *path;

	if (!sc || !(ev->flags & FLAP_EV_F_HAS_RET) || (ev->flags & FLAP_EV_F_UNFINISHED) ||
	    (o && o->filter && !flap_sysset__has(o->filter, ev->nr)))
		return 0;
	if (is_open_name(sc->name)) {
		path = flap_fdnames__open_path(fds, ev);
		if (!path)
			return 0;
		s = file_get(f, path, ev->ts);
		if (!s)
			return -ENOMEM;
		if (ev->ret >= 0)
			s->opens++;
		else if (ev->ret >= -4095)
			add_err(s, (int)-ev->ret);
		return 0;
	}
	dir = io_of(sc->name);
	if (dir == IO_NONE || ev->ret <= 0 || (ev->flags & FLAP_EV_F_NO_ARGS))
		return 0;
	if (dir == IO_SENDFILE) {
		/* sendfile(out, in...), copy_file_range(in, off, out...) */
		bool cfr = !strcmp(sc->name, "copy_file_range");
		int in = (int)ev->args[cfr ? 0 : 1], out = (int)ev->args[cfr ? 2 : 0];

		return count_io(f, fds, ev, in, ev->ret, false)
			       ?: count_io(f, fds, ev, out, ev->ret, true);
	}
	return count_io(f, fds, ev, (int)ev->args[0], ev->ret, dir == IO_WRITE);
}

static int cmp_file(const void *a, const void *b)
{
	const struct file_stat *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void clock_str(const struct flap_trace *t, __u64 ts, char *buf, size_t size)
{
	__s64 ns = (__s64)(ts + (__u64)t->boot_to_real_ns);
	time_t sec = ns / 1000000000;
	struct tm tm;

	if (!localtime_r(&sec, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	snprintf(buf + strlen(buf), size - strlen(buf), ".%06lld",
		 (long long)(ns % 1000000000 / 1000));
}

static int files_text(FILE *out, const struct flap_trace *t, const struct files *f)
{
	__u64 opens = 0, failed = 0, rd = 0, wr = 0;
	char first[32], last[32], esc[4 * 4096 + 8];
	size_t i;
	int k;

	for (i = 0; i < f->n; i++) {
		opens += f->v[i].opens;
		failed += f->v[i].failed;
		rd += f->v[i].rd;
		wr += f->v[i].wr;
	}
	fprintf(out, "# %zu files: %llu opens, %llu failed, %llu bytes read, %llu bytes written\n",
		f->n, (unsigned long long)opens, (unsigned long long)failed, (unsigned long long)rd,
		(unsigned long long)wr);
	fprintf(out, "%7s %7s %12s %12s  %-15s  %-15s  %s\n", "opens", "failed", "read", "written",
		"first", "last", "path");
	for (i = 0; i < f->n; i++) {
		const struct file_stat *s = &f->v[i];

		clock_str(t, s->first, first, sizeof(first));
		clock_str(t, s->last, last, sizeof(last));
		flap_escape__quote(esc, sizeof(esc), s->path, strlen(s->path), false);
		fprintf(out, "%7llu %7llu %12llu %12llu  %-15s  %-15s  %s",
			(unsigned long long)s->opens, (unsigned long long)s->failed,
			(unsigned long long)s->rd, (unsigned long long)s->wr, first, last, esc);
		/* The errnos of the failed opens: " (ENOENT x2, EACCES)". */
		for (k = 0; k < MAX_ERRS && s->errs[k].n; k++) {
			fprintf(out, "%s%s", k ? ", " : " (",
				flap_errno__name(s->errs[k].err) ?: "ERRNO");
			if (s->errs[k].n > 1)
				fprintf(out, " x%llu", (unsigned long long)s->errs[k].n);
		}
		fprintf(out, "%s\n", k ? ")" : "");
	}
	return ferror(out) ? -EIO : 0;
}

static int files_json(FILE *out, const struct flap_trace *t, const struct files *f)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array(), *e, *errs;
	char name[24], esc[4 * 4096 + 8];
	size_t i;
	int k;

	(void)t;
	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return -ENOMEM;
	}
	for (i = 0; i < f->n; i++) {
		const struct file_stat *s = &f->v[i];

		e = json_object_new_object();
		errs = json_object_new_object();
		if (!e || !errs) {
			json_object_put(e);
			json_object_put(errs);
			break;
		}
		/* Escaped as in the text output (C escapes, no quotes): valid JSON. */
		flap_escape__quote(esc, sizeof(esc), s->path, strlen(s->path), false);
		esc[strlen(esc) - 1] = '\0';
		json_object_object_add(e, "path", json_object_new_string(esc + 1));
		json_object_object_add(e, "opens", json_object_new_uint64(s->opens));
		json_object_object_add(e, "failed", json_object_new_uint64(s->failed));
		for (k = 0; k < MAX_ERRS && s->errs[k].n; k++) {
			snprintf(name, sizeof(name), "%s",
				 flap_errno__name(s->errs[k].err) ?: "ERRNO");
			json_object_object_add(errs, name, json_object_new_uint64(s->errs[k].n));
		}
		json_object_object_add(e, "errors", errs);
		json_object_object_add(e, "bytes_read", json_object_new_uint64(s->rd));
		json_object_object_add(e, "bytes_written", json_object_new_uint64(s->wr));
		json_object_object_add(e, "first_ts_ns", json_object_new_uint64(s->first));
		json_object_object_add(e, "last_ts_ns", json_object_new_uint64(s->last));
		json_object_array_add(arr, e);
	}
	json_object_object_add(o, "type", json_object_new_string("files"));
	json_object_object_add(o, "files", arr);
	return emit_json(out, o);
}

int flap_format__files(FILE *out, const struct flap_trace *t, const struct flap_format_opts *o)
{
	struct flap_fdnames *fds = NULL;
	struct files f = {};
	size_t i;
	int err;

	if (!out || !t) {
		pr_warn("format: no output stream or trace");
		return -EINVAL;
	}
	err = flap_fdnames__new(&fds);
	if (!err)
		err = flap_fdnames__seed(fds, t);
	for (i = 0; !err && i < t->nevents; i++) {
		err = file_event(&f, fds, &t->events[i], o);
		if (!err)
			err = flap_fdnames__update(fds, &t->events[i]);
	}
	if (!err && f.n)
		qsort(f.v, f.n, sizeof(*f.v), cmp_file);
	if (!err)
		err = o && o->json ? files_json(out, t, &f) : files_text(out, t, &f);
	for (i = 0; i < f.n; i++)
		free(f.v[i].path);
	free(f.v);
	free(f.index);
	flap_fdnames__free(fds);
	return err;
}
