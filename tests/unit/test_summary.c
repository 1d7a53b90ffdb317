// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_summary.c - the views of a whole trace (format.h): the strace -c
 * summary (exact text: columns, sort order, errors, totals; what is not
 * counted: calls that did not return, the child's return from a fork; the
 * -e filter; JSON), the per-path files view (opens, failed opens with
 * errnos, bytes through named descriptors, first/last time; JSON), and
 * flap_format__trace()'s -e filter, --last and descriptor names learnt from
 * events that are not printed. Runs with TZ=UTC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "format.h"
#include "syscalls.h"
#include "sysset.h"
#include "test.h"
#include "trace.h"

#define WALL0 1714564800000000000LL /* 2024-05-01 12:00:00 UTC */
#define BOOT0 1000000000ULL

static struct flap_event *ev_add(struct flap_trace *t, const char *name, __u32 tid, __u32 us,
				 __u64 dur_ns, __s64 ret)
{
	const struct flap_syscall *sc = flap_syscall__by_name(name);
	struct flap_event *ev = flap_trace__push(t);

	if (!ev)
		return NULL;
	ev->ts = BOOT0 + us * 1000ULL;
	ev->exit_ts = ev->ts + dur_ns;
	ev->dur_ns = dur_ns;
	ev->ret = ret;
	ev->tid = ev->tgid = tid;
	ev->nr = sc ? sc->nr : 9999;
	ev->nargs = sc ? sc->nargs : 0;
	ev->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR;
	return ev;
}

static void ev_path(struct flap_trace *t, struct flap_event *ev, int arg, const char *path)
{
	struct flap_cap *c = &ev->caps[ev->ncaps++];

	c->arg = arg;
	c->flags = FLAP_EVCAP_F_STR;
	c->len = strlen(path);
	c->data = flap_trace__copy_bytes(t, path, c->len);
}

/* A small history: opens, I/O, errors, a fork, an exit_group. */
static struct flap_trace *history(void)
{
	struct flap_trace *t = NULL;
	struct flap_event *e;

	setenv("TZ", "UTC", 1);
	tzset();
	if (flap_trace__new(1, &t))
		return NULL;
	t->boot_to_real_ns = WALL0 - (__s64)BOOT0;
	e = ev_add(t, "openat", 10, 1, 3000, 3);
	e->args[0] = (__u64)(__s64)AT_FDCWD;
	e->args[2] = O_RDWR;
	ev_path(t, e, 1, "/data/f");
	e = ev_add(t, "write", 10, 2, 1000, 100);
	e->args[0] = 3;
	e = ev_add(t, "read", 10, 3, 2000, 40);
	e->args[0] = 3;
	e = ev_add(t, "read", 10, 4, 2000, -EINTR);
	e->args[0] = 3;
	e = ev_add(t, "openat", 10, 5, 1000, -ENOENT);
	e->args[0] = (__u64)(__s64)AT_FDCWD;
	ev_path(t, e, 1, "/data/missing");
	e = ev_add(t, "openat", 10, 6, 1000, -ENOENT);
	e->args[0] = (__u64)(__s64)AT_FDCWD;
	ev_path(t, e, 1, "/data/missing");
	e = ev_add(t, "clone", 10, 7, 50000, 11);
	e->args[0] = 17; /* SIGCHLD: a fork */
	e = ev_add(t, "clone", 11, 8, 0, 0);
	e->flags = FLAP_EV_F_HAS_RET; /* the child's return: no entry */
	e->args[0] = 17;
	e = ev_add(t, "write", 11, 9, 1000, 5);
	e->args[0] = 3; /* the child writes on the inherited fd */
	e = ev_add(t, "close", 10, 10, 1000, 0);
	e->args[0] = 3;
	e = ev_add(t, "write", 10, 11, 1000, 7);
	e->args[0] = 3; /* closed: not the file any more */
	e = ev_add(t, "exit_group", 11, 12, 0, 0);
	e->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_NORETURN;
	return t;
}

static char *capture(int (*fn)(FILE *, const struct flap_trace *, const struct flap_format_opts *),
		     const struct flap_trace *t, const struct flap_format_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!ASSERT_OK_PTR(f, "memstream"))
		return NULL;
	ASSERT_OK(fn(f, t, o), "format");
	fclose(f);
	return buf;
}

void test_summary_text(void)
{
	static const char want[] =
		"% time     seconds  usecs/call     calls    errors syscall\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		" 79.37    0.000050          50         1           clone\n"
		"  7.94    0.000005           1         3         2 openat\n"
		"  6.35    0.000004           2         2         1 read\n"
		"  4.76    0.000003           1         3           write\n"
		"  1.59    0.000001           1         1           close\n"
		"------ ----------- ----------- --------- --------- ----------------\n"
		"100.00    0.000063           6        10         3 total\n";
	struct flap_trace *t = history();
	char *out;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	out = capture(flap_format__summary, t, NULL);
	ASSERT_STREQ(out, want, "strace -c layout; exit_group and the child's clone not counted");
	free(out);
	flap_trace__free(t);
}

void test_summary_filter_json(void)
{
	struct flap_format_opts o = {};
	struct flap_trace *t = history();
	struct json_object *j, *arr, *v;
	struct flap_sysset set;
	char *out;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ASSERT_OK(flap_sysset__parse(&set, "%desc", NULL, 0), "set");
	o.filter = &set;
	out = capture(flap_format__summary, t, &o);
	ASSERT_TRUE(out && !strstr(out, "clone"), "clone is not %desc");
	ASSERT_STRCONTAINS(out, "     9         3 total\n", "9 calls, 3 errors of %desc");
	free(out);

	o.json = true;
	o.filter = NULL;
	out = capture(flap_format__summary, t, &o);
	j = out ? json_tokener_parse(out) : NULL;
	if (ASSERT_OK_PTR(j, "JSON parses")) {
		ASSERT_TRUE(json_object_object_get_ex(j, "calls", &v) &&
				    json_object_get_int(v) == 10,
			    "total calls");
		ASSERT_TRUE(json_object_object_get_ex(j, "syscalls", &arr) &&
				    json_object_array_length(arr) == 5,
			    "5 syscalls");
		v = json_object_object_get(json_object_array_get_idx(arr, 1), "syscall");
		ASSERT_STREQ(json_object_get_string(v), "openat", "sorted by time");
		json_object_put(j);
	}
	free(out);
	flap_trace__free(t);
}

void test_summary_files(void)
{
	static const char want[] =
		"# 2 files: 1 opens, 2 failed, 40 bytes read, 105 bytes written\n"
		"  opens  failed         read      written  first            last             "
		"path\n"
		"      1       0           40          105  12:00:00.000001  12:00:00.000009  "
		"\"/data/f\"\n"
		"      0       2            0            0  12:00:00.000005  12:00:00.000006  "
		"\"/data/missing\" (ENOENT x2)\n";
	struct flap_format_opts o = {.json = true};
	struct flap_trace *t = history();
	struct json_object *j, *f0, *v;
	char *out;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	out = capture(flap_format__files, t, NULL);
	ASSERT_STREQ(out, want, "files: the child's write counts, the write after close does not");
	free(out);
	out = capture(flap_format__files, t, &o);
	j = out ? json_tokener_parse(out) : NULL;
	if (ASSERT_OK_PTR(j, "JSON parses")) {
		f0 = json_object_array_get_idx(json_object_object_get(j, "files"), 0);
		v = json_object_object_get(f0, "bytes_written");
		ASSERT_EQ(json_object_get_int(v), 105, "bytes_written");
		v = json_object_object_get(
			json_object_array_get_idx(json_object_object_get(j, "files"), 1), "errors");
		ASSERT_EQ(json_object_get_int(json_object_object_get(v, "ENOENT")), 2, "ENOENT x2");
		json_object_put(j);
	}
	free(out);
	flap_trace__free(t);
}

/* -e and --last select the events printed; fd names come from all events. */
void test_summary_trace_filter(void)
{
	struct flap_format_opts o = {.no_header = true, .last = 1};
	struct flap_trace *t = history();
	struct flap_sysset set;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	ASSERT_OK(flap_sysset__parse(&set, "read", NULL, 0), "set");
	o.filter = &set;
	f = open_memstream(&buf, &len);
	ASSERT_OK(flap_format__trace(f, NULL, t, &o), "trace");
	fclose(f);
	ASSERT_STRCONTAINS(buf, "read(3</data/f>, ", "named by the openat that is not printed");
	ASSERT_STRCONTAINS(buf, "= -1 EINTR (Interrupted system call)", "the last read only");
	ASSERT_TRUE(!strstr(buf, "= 40"), "the first read left out by --last 1");
	free(buf);
	buf = NULL;
	o.raw_fds = true;
	f = open_memstream(&buf, &len);
	ASSERT_OK(flap_format__trace(f, NULL, t, &o), "raw");
	fclose(f);
	ASSERT_STRCONTAINS(buf, "read(3, ", "--raw-fds: plain numbers");
	free(buf);
	flap_trace__free(t);
}

/* JSON events carry the decoded call, fd names included, as one string. */
void test_summary_json_decoded(void)
{
	struct flap_format_opts o = {.json = true, .no_header = true};
	struct flap_trace *t = history();
	struct json_object *j, *v;
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	f = open_memstream(&buf, &len);
	ASSERT_OK(flap_format__trace(f, NULL, t, &o), "json");
	fclose(f);
	line = buf ? strtok(buf, "\n") : NULL;
	j = line ? json_tokener_parse(line) : NULL;
	if (ASSERT_OK_PTR(j, "first event parses")) {
		v = json_object_object_get(j, "decoded");
		ASSERT_STREQ(json_object_get_string(v),
			     "openat(AT_FDCWD, \"/data/f\", O_RDWR) = 3</data/f>", "decoded");
		json_object_put(j);
	}
	line = strtok(NULL, "\n");
	j = line ? json_tokener_parse(line) : NULL;
	if (ASSERT_OK_PTR(j, "second event parses")) {
		v = json_object_object_get(j, "decoded");
		ASSERT_STREQ(json_object_get_string(v), "write(3</data/f>, NULL, 0) = 100",
			     "fd named from the first event");
		json_object_put(j);
	}
	free(buf);
	flap_trace__free(t);
}

/* The JSON summary's "exact_durations" of @t: 0 or 1, -1 when it does not parse. */
static int json_exact(const struct flap_trace *t)
{
	struct flap_format_opts o = {.json = true};
	char *out = capture(flap_format__summary, t, &o);
	struct json_object *j = out ? json_tokener_parse(out) : NULL;
	int v = j ? json_object_get_boolean(json_object_object_get(j, "exact_durations")) : -1;

	json_object_put(j);
	free(out);
	return v;
}

/*
 * Without --exact-durations the calls that returned within their clock
 * tick have no duration: the times count only the measured calls, and a
 * note under the table says so. With exact durations, or without such a
 * call in the history, there is no note.
 */
void test_summary_duration_note(void)
{
	static const char note[] =
		" total\n"
		"# note: the time columns count only measured calls; only calls that spanned a "
		"kernel clock tick were measured (record with --exact-durations to measure all)\n";
	struct flap_trace *t = history();
	struct flap_source s = {};
	struct flap_event *e;
	char *out;

	if (!ASSERT_OK_PTR(t, "trace"))
		return;
	strcpy(s.container, "app");
	if (!ASSERT_EQ(flap_trace__add_source(t, &s), 0, "source"))
		goto out;
	/* A short call: counted, no time; the note ends the output. */
	e = ev_add(t, "getpid", 10, 13, 0, 10);
	e->flags = FLAP_EV_F_HAS_ENTER | FLAP_EV_F_HAS_RET | FLAP_EV_F_DUR_SHORT;
	out = capture(flap_format__summary, t, NULL);
	ASSERT_STRCONTAINS(out, "  0.00    0.000000           0         1           getpid\n",
			   "the short call counted, with no time");
	ASSERT_STRCONTAINS(out, "11         3 total\n# note: the time columns count only measured",
			   "the note follows the total line");
	ASSERT_TRUE(out && strlen(out) > strlen(note) &&
			    !strcmp(out + strlen(out) - strlen(note), note),
		    "nothing after it");
	free(out);
	ASSERT_EQ(json_exact(t), 0, "json: exact_durations false");

	t->sources[0].exact_durations = true;
	out = capture(flap_format__summary, t, NULL);
	ASSERT_TRUE(out && !strstr(out, "note"), "exact: no note");
	free(out);
	ASSERT_EQ(json_exact(t), 1, "json: exact_durations true");

	/* Without a short call every time is complete (a file from before). */
	t->sources[0].exact_durations = false;
	t->nevents--;
	out = capture(flap_format__summary, t, NULL);
	ASSERT_TRUE(out && !strstr(out, "note"), "no short call: no note");
	free(out);
out:
	flap_trace__free(t);
}
