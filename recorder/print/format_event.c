// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_event.c - one event as a text line, and the pieces of it that the
 * header and JSON use too: errno names, times, arguments and results,
 * source labels (format.c describes the output).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/types.h>

#include "flap.h"
#include "args.h"
#include "fdnames.h"
#include "format.h"
#include "format_internal.h"
#include "log.h"
#include "syscalls.h"
#include "text.h"
#include "util.h"
#include "xlat.h"

/* strace's default alignment column of " = ". */
#define RET_COLUMN 40

/* ---- errno names ------------------------------------------------------------ */

/*
 * Kernel-internal codes a raw sys_exit tracepoint sees (include/linux/errno.h)
 * and libc does not know. The restart codes never reach the program: the
 * call is restarted or fails with EINTR, so strace prints "= ?" for them.
 */
static const struct {
	int err;
	bool restart;
	const char *name;
	const char *desc;
} kernel_errnos[] = {
	{512, true, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
	{513, true, "ERESTARTNOINTR", "To be restarted"},
	{514, true, "ERESTARTNOHAND", "To be restarted if no handler"},
	{515, false, "ENOIOCTLCMD", "No ioctl command"},
	{516, true, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
	{517, false, "EPROBE_DEFER", "Driver requests probe retry"},
	{518, false, "EOPENSTALE", "Open found a stale dentry"},
	{519, false, "ENOPARAM", "Parameter not supported"},
	{521, false, "EBADHANDLE", "Illegal NFS file handle"},
	{522, false, "ENOTSYNC", "Update synchronization mismatch"},
	{523, false, "EBADCOOKIE", "Cookie is stale"},
	{524, false, "ENOTSUPP", "Operation is not supported"},
	{525, false, "ETOOSMALL", "Buffer or request is too small"},
	{526, false, "ESERVERFAULT", "An untranslatable error occurred"},
	{527, false, "EBADTYPE", "Type not supported by server"},
	{528, false, "EJUKEBOX", "Request initiated, but will not complete before timeout"},
	{529, false, "EIOCBQUEUED", "iocb queued, will get completion event"},
	{530, false, "ERECALLCONFLICT", "Conflict with recalled state"},
};

static int kernel_errno_index(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kernel_errnos); i++)
		if (kernel_errnos[i].err == err)
			return (int)i;
	return -1;
}

/**
 * flap_errno__name() - the symbolic name of an errno value.
 * @err: the error number; a negative value (a syscall return) is accepted too.
 *
 * Knows libc's names (strerrorname_np()) and the kernel-internal codes a
 * tracepoint can see (ERESTARTSYS...). Context: any thread.
 * Return: a static string ("ENOENT" for 2), or NULL if unknown.
 */
const char *flap_errno__name(int err)
{
	int i;

	if (err == INT_MIN)
		return NULL;
	if (err < 0)
		err = -err;
	if (!err)
		return NULL;
	i = kernel_errno_index(err);
	if (i >= 0)
		return kernel_errnos[i].name;
	return strerrorname_np(err);
}

static const char *errno_desc(int err)
{
	int i = kernel_errno_index(err);

	return i >= 0 ? kernel_errnos[i].desc : strerror(err);
}

/* ---- times ------------------------------------------------------------------ */

/* Wall time in ns of boot time @ts (unsigned arithmetic: corrupt values wrap, no UB). */
__s64 flap_format__wall_ns(const struct flap_trace *t, __u64 ts)
{
	return (__s64)(ts + (__u64)t->boot_to_real_ns);
}

static void split_ns(__s64 ns, time_t *sec, long *usec)
{
	__s64 s = ns / 1000000000, r = ns % 1000000000;

	if (r < 0) {
		r += 1000000000;
		s--;
	}
	*sec = (time_t)s;
	*usec = (long)(r / 1000);
}

/* "12:00:01.000042" in local time. */
void flap_format__clock(char *buf, size_t size, __s64 ns)
{
	struct tm tm;
	time_t sec;
	long usec;

	split_ns(ns, &sec, &usec);
	if (!localtime_r(&sec, &tm) || !strftime(buf, size, "%H:%M:%S", &tm))
		snprintf(buf, size, "??:??:??");
	snprintf(buf + strlen(buf), size - strlen(buf), ".%06ld", usec);
}

/* "2024-05-01 12:00:01.000042 UTC" in local time. */
void flap_format__wall(char *buf, size_t size, __s64 ns)
{
	char date[32], zone[16];
	struct tm tm;
	time_t sec;
	long usec;

	split_ns(ns, &sec, &usec);
	if (!localtime_r(&sec, &tm) || !strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) ||
	    !strftime(zone, sizeof(zone), "%Z", &tm)) {
		snprintf(buf, size, "@%lld.%06ld", (long long)sec, usec);
		return;
	}
	snprintf(buf, size, "%s.%06ld %s", date, usec, zone);
}

/* RFC 3339 in UTC with microseconds: "2024-05-01T12:00:01.000042Z". */
void flap_format__rfc3339(char *buf, size_t size, __s64 ns)
{
	char date[32];
	struct tm tm;
	time_t sec;
	long usec;

	split_ns(ns, &sec, &usec);
	if (!gmtime_r(&sec, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(date, sizeof(date), "0000-00-00T00:00:00");
	snprintf(buf, size, "%s.%06ldZ", date, usec);
}

/*
 * First and last time (entry, or exit when the entry is unknown) of the
 * events shown: those with @show[i] set, or all with @show NULL.
 */
bool flap_format__trace_window(const struct flap_trace *t, const bool *show, __u64 *first,
			       __u64 *last)
{
	bool any = false;
	size_t i;

	for (i = 0; i < t->nevents; i++) {
		if (show && !show[i])
			continue;
		if (!any || t->events[i].ts < *first)
			*first = t->events[i].ts;
		if (!any || t->events[i].ts > *last)
			*last = t->events[i].ts;
		any = true;
	}
	return any;
}

/* Number of events shown (see flap_format__trace_window()). */
size_t flap_format__shown_count(const struct flap_trace *t, const bool *show)
{
	size_t i, n = 0;

	if (!show)
		return t->nevents;
	for (i = 0; i < t->nevents; i++)
		n += show[i];
	return n;
}

/* ---- arguments and return values ---------------------------------------------- */

/* Moves the decoders' text (args.c) to the line. */
static void line_text(struct flap_line *l, struct flap_text *t)
{
	if (t->oom)
		l->oom = true;
	else
		flap_line__add(l, t->buf, t->len);
	flap_text__release(t);
}

/* The arguments, by the per-syscall decoders of args.c. */
void flap_format__args(struct flap_line *l, const struct flap_event *ev,
		       const struct flap_fdnames *fds)
{
	struct flap_text t;

	flap_text__init(&t);
	flap_args__print(&t, ev, fds);
	line_text(l, &t);
}

static void fmt_ret(struct flap_line *l, const struct flap_event *ev,
		    const struct flap_fdnames *fds)
{
	struct flap_text t;
	const char *name;
	int err, k;

	if (ev->ret >= -MAX_ERRNO && ev->ret <= -1) {
		err = (int)-ev->ret;
		name = flap_errno__name(err);
		k = kernel_errno_index(err);
		if (k >= 0 && kernel_errnos[k].restart)
			flap_line__printf(l, "? %s (%s)", name, errno_desc(err));
		else if (name)
			flap_line__printf(l, "-1 %s (%s)", name, errno_desc(err));
		else
			flap_line__printf(l, "-1 ERRNO_%d (%s)", err, errno_desc(err));
		return;
	}
	flap_text__init(&t);
	flap_args__print_ret(&t, ev, fds);
	line_text(l, &t);
}

/* What follows " = ": the return value, or "?" when there is none. */
void flap_format__outcome(struct flap_line *l, const struct flap_event *ev,
			  const struct flap_fdnames *fds)
{
	if (ev->flags & FLAP_EV_F_HAS_RET)
		fmt_ret(l, ev, fds);
	else if (ev->flags & FLAP_EV_F_EXIT_LOST)
		flap_line__puts(l, "? <exit not recorded>");
	else
		flap_line__puts(l, "?");
}

/* ") = ret <dur>", with " = " at the strace column counted from @start. */
static void fmt_result(struct flap_line *l, const struct flap_event *ev,
		       const struct flap_fdnames *fds, size_t start)
{
	flap_line__puts(l, ") ");
	flap_line__pad(l, start + RET_COLUMN);
	flap_line__puts(l, "= ");
	flap_format__outcome(l, ev, fds);
	if (ev->flags & FLAP_EV_F_HAS_DUR)
		flap_line__printf(l, " <%llu.%06llu>",
				  (unsigned long long)(ev->dur_ns / 1000000000),
				  (unsigned long long)(ev->dur_ns % 1000000000 / 1000));
}

/* ---- sources ---------------------------------------------------------------- */

/*
 * The field that names a source: container, else recorder name, else pod.
 * Return: the field and its size in *@max, or NULL (the cgroup id names it).
 */
const char *flap_format__source_name(const struct flap_source *s, size_t *max)
{
	if (s->container[0]) {
		*max = sizeof(s->container);
		return s->container;
	}
	if (s->name[0]) {
		*max = sizeof(s->name);
		return s->name;
	}
	*max = sizeof(s->pod);
	return s->pod[0] ? s->pod : NULL;
}

/* The name of a source, escaped: "nginx", or "cgroup 1234". */
void flap_format__source_label(struct flap_line *l, const struct flap_source *s)
{
	const char *name;
	size_t max;

	name = flap_format__source_name(s, &max);
	if (name)
		flap_line__name(l, name, max);
	else
		flap_line__printf(l, "cgroup %llu", (unsigned long long)s->cgroup_id);
}

/* "[label] " padded to the longest label of the trace, when there are several sources. */
static void fmt_source_prefix(struct flap_line *l, const struct flap_trace *t, __u16 source)
{
	size_t width = 0, start = l->len;
	struct flap_line tmp;
	int i;

	if (t->nsources <= 1)
		return;
	for (i = 0; i < t->nsources; i++) {
		flap_line__init(&tmp);
		flap_format__source_label(&tmp, &t->sources[i]);
		if (tmp.len > width)
			width = tmp.len;
		flap_line__release(&tmp);
	}
	flap_line__puts(l, "[");
	if (source < t->nsources)
		flap_format__source_label(l, &t->sources[source]);
	else
		flap_line__puts(l, "?");
	flap_line__puts(l, "] ");
	flap_line__pad(l, start + width + 3);
}

/* ---- text events ------------------------------------------------------------ */

/* "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---", as strace. */
void flap_format__signal(struct flap_line *l, const struct flap_event *ev)
{
	struct flap_text t;
	char buf[16];
	const char *name = flap_xlat__signal(ev->sig->sig, false, buf, sizeof(buf));

	flap_text__init(&t);
	flap_args__siginfo(&t, ev->sig);
	if (name)
		flap_line__printf(l, "--- %s ", name);
	else
		flap_line__printf(l, "--- signal %d ", ev->sig->sig);
	line_text(l, &t);
	flap_line__puts(l, " ---");
}

/*
 * One event as text. With @fds (a trace printed in order) descriptors carry
 * their names and the table learns what the call did, between the
 * arguments (named as before the call) and the return value (after it).
 */
void flap_format__event_text(struct flap_line *l, const struct flap_trace *t,
			     const struct flap_event *ev, const struct flap_format_opts *o,
			     struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = ev->sig ? NULL : flap_syscall__by_nr(ev->nr);
	char clock[32];
	size_t start;

	fmt_source_prefix(l, t, ev->source);
	start = l->len;
	flap_format__clock(clock, sizeof(clock), flap_format__wall_ns(t, ev->ts));
	flap_line__printf(l, "%s [pid %u", clock, ev->tid);
	if (o->verbose && ev->comm[0]) {
		flap_line__puts(l, " ");
		flap_line__name(l, ev->comm, sizeof(ev->comm));
	}
	flap_line__puts(l, "] ");
	if (ev->sig) {
		flap_format__signal(l, ev);
		flap_line__puts(l, "\n");
		return;
	}
	if (sc)
		flap_line__printf(l, "%s(", sc->name);
	else
		flap_line__printf(l, "syscall_%u(", ev->nr);
	if (ev->flags & FLAP_EV_F_NO_ARGS)
		flap_line__puts(l,
				ev->flags & FLAP_EV_F_UNFINISHED ? "... <unfinished ...>" : "...");
	else
		flap_format__args(l, ev, fds);
	if (fds && flap_fdnames__update(fds, ev))
		l->oom = true;
	if (!(ev->flags & FLAP_EV_F_UNFINISHED))
		fmt_result(l, ev, fds, start);
	flap_line__puts(l, "\n");
}
