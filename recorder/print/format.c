// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format.c - print a trace as `strace -f -tt -T` text or as JSON Lines.
 *
 * Text, one line per event (docs/output.md has examples):
 *
 *   [ctr]   HH:MM:SS.uuuuuu [pid TID comm] name(arg, ...) = ret <s.uuuuuu>
 *
 * - "[ctr] " (the source: container, else recorder name, else cgroup id)
 *   leads the line only when the trace has more than one source (a pod
 *   merge); it is padded to the longest source label so columns line up.
 * - The time is the local wall time of the entry (the exit when the entry
 *   is not known); " comm" follows the tid only with opts->verbose.
 * - As in strace, " = " is pushed to column 40 of the line (after the
 *   source label) when the call is short, strings are quoted with C escapes
 *   and compact octal (\0, \33, \177), "..." after the quote marks a
 *   truncated capture, output buffers are left out of an unfinished call
 *   ("read(3, <unfinished ...>"), a call that never returns ends "= ?".
 * - The duration <s.uuuuuu> follows only when it was measured: not for a
 *   call still running, nor for one that returned within the clock tick it
 *   entered in when the recorder had no --exact-durations (the header says
 *   so; JSON marks such a call "duration_short").
 * - Integers are printed as their C type says (the recorder keeps raw
 *   64-bit registers); fds are signed, AT_FDCWD by name for directory fds;
 *   umode_t in octal; arguments named *flags or prot in hex (strace -X raw)
 *   until symbolic decoders exist; pointers and addresses in hex or NULL.
 *   A table of per-syscall rules (sc_rules) overrides the type for one
 *   argument or the return value: that is where symbolic decoders plug in.
 *
 * The header is a block of lines starting with "# ". JSON Lines is one
 * header object, then one object per event, each on its own line.
 *
 * Every byte from outside (captures, comm, pod and container names, paths)
 * is escaped: text output contains no control byte, JSON output is valid
 * UTF-8 (other bytes become the four characters \xNN, see json_bytes()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "flap.h"
#include "args.h"
#include "fdnames.h"
#include "format.h"
#include "log.h"
#include "syscalls.h"
#include "sysset.h"
#include "text.h"
#include "util.h"

/* strace's default alignment column of " = ". */
#define RET_COLUMN 40
/* Longest errno value a syscall returns (the kernel's MAX_ERRNO). */
#define MAX_ERRNO 4095

/* ---- line buffer ------------------------------------------------------------ */

/*
 * One output unit (a line, or the header block) built in memory: the text
 * layout needs the column of " = " and every unit is written with one
 * fwrite(). Small lines stay in the inline buffer.
 */
struct line {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
	char inline_buf[1024];
};

static void line_init(struct line *l)
{
	l->buf = l->inline_buf;
	l->len = 0;
	l->cap = sizeof(l->inline_buf);
	l->oom = false;
	l->buf[0] = '\0';
}

static void line_release(struct line *l)
{
	if (l->buf != l->inline_buf)
		free(l->buf);
	l->buf = l->inline_buf;
}

/* Makes room for @n more bytes and a NUL. Return: false when out of memory. */
static bool line_reserve(struct line *l, size_t n)
{
	size_t cap = l->cap;
	char *p;

	if (l->oom)
		return false;
	if (l->len + n + 1 <= l->cap)
		return true;
	while (cap < l->len + n + 1)
		cap *= 2;
	if (l->buf == l->inline_buf) {
		p = malloc(cap);
		if (p)
			memcpy(p, l->buf, l->len + 1);
	} else {
		p = realloc(l->buf, cap);
	}
	if (!p) {
		l->oom = true;
		return false;
	}
	l->buf = p;
	l->cap = cap;
	return true;
}

static void line_add(struct line *l, const char *s, size_t n)
{
	if (!line_reserve(l, n))
		return;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

static void line_puts(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

static void line_pad(struct line *l, size_t column)
{
	while (l->len < column && !l->oom)
		line_add(l, " ", 1);
}

__attribute__((format(printf, 2, 3))) static void line_printf(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		l->oom = true;
		return;
	}
	if ((size_t)n >= l->cap - l->len) {
		if (!line_reserve(l, n))
			return;
		va_start(ap, fmt);
		vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
		va_end(ap);
	}
	l->len += n;
}

/* The error of a failed write: -EPIPE passes (callers stay quiet on it), else -EIO. */
static int write_error(void)
{
	return errno == EPIPE ? -EPIPE : -EIO;
}

/* Writes @l to @out and releases it. Return: 0, -ENOMEM or the write error. */
static int line_flush(FILE *out, struct line *l)
{
	int err = 0;

	if (l->oom)
		err = -ENOMEM;
	else if (fwrite(l->buf, 1, l->len, out) != l->len || ferror(out))
		err = write_error();
	line_release(l);
	return err;
}

/* ---- escaping --------------------------------------------------------------- */

enum esc_flag {
	ESC_QUOTE = 1 << 0, /* "..." around, \" inside */
	ESC_TRUNC = 1 << 1, /* ... after the closing quote */
};

/* Worst case of escape_into() for @len bytes (\ooo each, quotes, "..."). */
#define ESC_MAX(len) ((len)*4 + 5)

static void put_ch(char *out, size_t size, size_t *n, char c)
{
	if (*n < size)
		out[*n] = c;
	(*n)++;
}

/*
 * The escape of byte @c as strace writes it; @next is the byte after it
 * (-1 at the end): octal is shortest unless a digit follows.
 * Return: length written to @e (1-4).
 */
static int escape_byte(char e[4], __u8 c, int next, bool quote)
{
	static const char named[] = "\f\n\r\t\v";
	static const char letters[] = "fnrtv";
	const char *p;
	int n = 0;

	if ((c == '"' && quote) || c == '\\') {
		e[0] = '\\';
		e[1] = c;
		return 2;
	}
	if (c >= ' ' && c < 0x7f) {
		e[0] = c;
		return 1;
	}
	p = c ? strchr(named, c) : NULL;
	if (p) {
		e[0] = '\\';
		e[1] = letters[p - named];
		return 2;
	}
	e[n++] = '\\';
	if (next >= '0' && next <= '7') {
		e[n++] = '0' + (c >> 6);
		e[n++] = '0' + ((c >> 3) & 7);
	} else if (c >> 3) {
		if (c >> 6)
			e[n++] = '0' + (c >> 6);
		e[n++] = '0' + ((c >> 3) & 7);
	}
	e[n++] = '0' + (c & 7);
	return n;
}

/*
 * Escapes @len bytes into @out like snprintf: at most @size bytes with the
 * NUL, @how is a mask of enum esc_flag. Return: the length it needs.
 */
static size_t escape_into(char *out, size_t size, const __u8 *p, size_t len, unsigned int how)
{
	bool quote = how & ESC_QUOTE;
	size_t i, n = 0;
	char e[4];
	int k, j;

	if (quote)
		put_ch(out, size, &n, '"');
	for (i = 0; i < len; i++) {
		k = escape_byte(e, p[i], i + 1 < len ? p[i + 1] : -1, quote);
		for (j = 0; j < k; j++)
			put_ch(out, size, &n, e[j]);
	}
	if (quote)
		put_ch(out, size, &n, '"');
	if (how & ESC_TRUNC)
		for (j = 0; j < 3; j++)
			put_ch(out, size, &n, '.');
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

static void line_escape(struct line *l, const void *p, size_t len, unsigned int how)
{
	if (!line_reserve(l, ESC_MAX(len)))
		return;
	l->len += escape_into(l->buf + l->len, l->cap - l->len, p, len, how);
}

/* A fixed-size name field (pod, container, comm) unquoted, escaped. */
static void line_name(struct line *l, const char *s, size_t max)
{
	line_escape(l, s, strnlen(s, max), 0);
}

size_t flap_format_escape(char *out, size_t size, const void *data, size_t len, bool trunc)
{
	if (!data)
		len = 0;
	return escape_into(out, size, data, len, ESC_QUOTE | (trunc ? ESC_TRUNC : 0));
}

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
 * flap_errno_name() - the symbolic name of an errno value.
 * @err: the error number; a negative value (a syscall return) is accepted too.
 *
 * Knows libc's names (strerrorname_np()) and the kernel-internal codes a
 * tracepoint can see (ERESTARTSYS...). Context: any thread.
 * Return: a static string ("ENOENT" for 2), or NULL if unknown.
 */
const char *flap_errno_name(int err)
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
static __s64 wall_ns(const struct flap_trace *t, __u64 ts)
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
static void fmt_clock(char *buf, size_t size, __s64 ns)
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
static void fmt_wall(char *buf, size_t size, __s64 ns)
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
static void fmt_rfc3339(char *buf, size_t size, __s64 ns)
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
static bool trace_window(const struct flap_trace *t, const bool *show, __u64 *first, __u64 *last)
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

/* Number of events shown (see trace_window()). */
static size_t shown_count(const struct flap_trace *t, const bool *show)
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
static void line_text(struct line *l, struct flap_text *t)
{
	if (t->oom)
		l->oom = true;
	else
		line_add(l, t->buf, t->len);
	flap_text__release(t);
}

/* The arguments, by the per-syscall decoders of args.c. */
static void fmt_args(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds)
{
	struct flap_text t;

	flap_text__init(&t);
	flap_args__print(&t, ev, fds);
	line_text(l, &t);
}

static void fmt_ret(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds)
{
	struct flap_text t;
	const char *name;
	int err, k;

	if (ev->ret >= -MAX_ERRNO && ev->ret <= -1) {
		err = (int)-ev->ret;
		name = flap_errno_name(err);
		k = kernel_errno_index(err);
		if (k >= 0 && kernel_errnos[k].restart)
			line_printf(l, "? %s (%s)", name, errno_desc(err));
		else if (name)
			line_printf(l, "-1 %s (%s)", name, errno_desc(err));
		else
			line_printf(l, "-1 ERRNO_%d (%s)", err, errno_desc(err));
		return;
	}
	flap_text__init(&t);
	flap_args__print_ret(&t, ev, fds);
	line_text(l, &t);
}

/* What follows " = ": the return value, or "?" when there is none. */
static void fmt_outcome(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds)
{
	if (ev->flags & FLAP_EV_F_HAS_RET)
		fmt_ret(l, ev, fds);
	else if (ev->flags & FLAP_EV_F_EXIT_LOST)
		line_puts(l, "? <exit not recorded>");
	else
		line_puts(l, "?");
}

/* ") = ret <dur>", with " = " at the strace column counted from @start. */
static void fmt_result(struct line *l, const struct flap_event *ev, const struct flap_fdnames *fds,
		       size_t start)
{
	line_puts(l, ") ");
	line_pad(l, start + RET_COLUMN);
	line_puts(l, "= ");
	fmt_outcome(l, ev, fds);
	if (ev->flags & FLAP_EV_F_HAS_DUR)
		line_printf(l, " <%llu.%06llu>", (unsigned long long)(ev->dur_ns / 1000000000),
			    (unsigned long long)(ev->dur_ns % 1000000000 / 1000));
}

/* ---- sources ---------------------------------------------------------------- */

/*
 * The field that names a source: container, else recorder name, else pod.
 * Return: the field and its size in *@max, or NULL (the cgroup id names it).
 */
static const char *source_name(const struct flap_source *s, size_t *max)
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
static void source_label(struct line *l, const struct flap_source *s)
{
	const char *name;
	size_t max;

	name = source_name(s, &max);
	if (name)
		line_name(l, name, max);
	else
		line_printf(l, "cgroup %llu", (unsigned long long)s->cgroup_id);
}

/* "[label] " padded to the longest label of the trace, when there are several sources. */
static void fmt_source_prefix(struct line *l, const struct flap_trace *t, __u16 source)
{
	size_t width = 0, start = l->len;
	struct line tmp;
	int i;

	if (t->nsources <= 1)
		return;
	for (i = 0; i < t->nsources; i++) {
		line_init(&tmp);
		source_label(&tmp, &t->sources[i]);
		if (tmp.len > width)
			width = tmp.len;
		line_release(&tmp);
	}
	line_puts(l, "[");
	if (source < t->nsources)
		source_label(l, &t->sources[source]);
	else
		line_puts(l, "?");
	line_puts(l, "] ");
	line_pad(l, start + width + 3);
}

/* ---- text events ------------------------------------------------------------ */

/*
 * One event as text. With @fds (a trace printed in order) descriptors carry
 * their names and the table learns what the call did, between the
 * arguments (named as before the call) and the return value (after it).
 */
static void fmt_event_text(struct line *l, const struct flap_trace *t, const struct flap_event *ev,
			   const struct flap_format_opts *o, struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall_by_nr(ev->nr);
	char clock[32];
	size_t start;

	fmt_source_prefix(l, t, ev->source);
	start = l->len;
	fmt_clock(clock, sizeof(clock), wall_ns(t, ev->ts));
	line_printf(l, "%s [pid %u", clock, ev->tid);
	if (o->verbose && ev->comm[0]) {
		line_puts(l, " ");
		line_name(l, ev->comm, sizeof(ev->comm));
	}
	line_puts(l, "] ");
	if (sc)
		line_printf(l, "%s(", sc->name);
	else
		line_printf(l, "syscall_%u(", ev->nr);
	if (ev->flags & FLAP_EV_F_NO_ARGS)
		line_puts(l, ev->flags & FLAP_EV_F_UNFINISHED ? "... <unfinished ...>" : "...");
	else
		fmt_args(l, ev, fds);
	if (fds && flap_fdnames__update(fds, ev))
		l->oom = true;
	if (!(ev->flags & FLAP_EV_F_UNFINISHED))
		fmt_result(l, ev, fds, start);
	line_puts(l, "\n");
}

/* ---- JSON ------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence (2-4 bytes) at @p, or 0. */
static size_t utf8_seq_len(const __u8 *p, size_t left)
{
	__u32 cp;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string for bytes from outside: valid UTF-8 stays as is, "\"
 * becomes "\\", control bytes and bytes that are not valid UTF-8 become
 * the four characters \xNN, so the string is valid and reversible.
 * Return: a new json-c string, or NULL when out of memory.
 */
static struct json_object *json_bytes(const void *data, size_t len)
{
	const __u8 *p = data;
	struct json_object *js;
	struct line l;
	size_t i, n;

	line_init(&l);
	for (i = 0; i < len; i += n) {
		n = p[i] >= 0x80 ? utf8_seq_len(p + i, len - i) : 0;
		if (n) {
			line_add(&l, (const char *)p + i, n);
			continue;
		}
		n = 1;
		if (p[i] == '\\') {
			line_puts(&l, "\\\\");
		} else if (p[i] < ' ' || p[i] >= 0x7f) {
			line_printf(&l, "\\x%02x", p[i]);
		} else {
			line_add(&l, (const char *)p + i, 1);
		}
	}
	js = l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len);
	line_release(&l);
	return js;
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static void jadd_name(struct json_object *o, const char *key, const char *s, size_t max)
{
	jadd(o, key, json_bytes(s, strnlen(s, max)));
}

static void jadd_u64(struct json_object *o, const char *key, __u64 v)
{
	jadd(o, key, json_object_new_uint64(v));
}

static void jadd_time(struct json_object *o, const char *key, __s64 ns)
{
	char buf[48];

	fmt_rfc3339(buf, sizeof(buf), ns);
	jadd(o, key, json_object_new_string(buf));
}

/* Writes @o as one line and drops it. Return: 0 or negative errno. */
static int json_emit(FILE *out, struct json_object *o)
{
	const char *s;
	int err = 0;

	s = json_object_to_json_string_ext(o,
					   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		err = -ENOMEM;
	else if (fputs(s, out) == EOF || putc('\n', out) == EOF || ferror(out))
		err = write_error();
	json_object_put(o);
	return err;
}

static struct json_object *json_counts(const struct flap_cpu_counts *c, struct json_object *o)
{
	jadd_u64(o, "produced", c->produced);
	jadd_u64(o, "held", c->held);
	jadd_u64(o, "overwritten", c->overwritten);
	jadd_u64(o, "lost", c->lost);
	jadd_u64(o, "torn", c->torn);
	jadd_u64(o, "bytes", c->bytes);
	if (c->restart_lost)
		jadd_u64(o, "restart_lost", c->restart_lost);
	return o;
}

static struct json_object *json_captures(const struct flap_event *ev)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;
	struct json_object *arr = json_object_new_array(), *c;
	const struct flap_cap *cap;

	for (i = 0; arr && i < n; i++) {
		cap = &ev->caps[i];
		c = json_object_new_object();
		if (!c)
			break;
		jadd(c, "arg", json_object_new_int(cap->arg));
		jadd(c, "text", json_bytes(cap->data, cap->data ? cap->len : 0));
		jadd(c, "len", json_object_new_int(cap->data ? cap->len : 0));
		jadd(c, "truncated", json_object_new_boolean(cap->flags & FLAP_EVCAP_F_TRUNC));
		jadd(c, "fault", json_object_new_boolean(cap->flags & FLAP_EVCAP_F_FAULT));
		json_object_array_add(arr, c);
	}
	return arr;
}

static void json_event_result(struct json_object *o, const struct flap_event *ev)
{
	const char *name;
	char buf[32];
	int err;

	if ((ev->flags & FLAP_EV_F_HAS_RET) && !(ev->flags & FLAP_EV_F_UNFINISHED)) {
		jadd(o, "ret", json_object_new_int64(ev->ret));
		if (ev->ret >= -MAX_ERRNO && ev->ret <= -1) {
			err = (int)-ev->ret;
			name = flap_errno_name(err);
			if (!name) {
				snprintf(buf, sizeof(buf), "ERRNO_%d", err);
				name = buf;
			}
			jadd(o, "errno", json_object_new_string(name));
		}
	}
	if (ev->flags & FLAP_EV_F_HAS_DUR)
		jadd_u64(o, "duration_ns", ev->dur_ns);
	else if (ev->flags & FLAP_EV_F_DUR_SHORT)
		/* Returned within the tick it entered in: not measured, not lost. */
		jadd(o, "duration_short", json_object_new_boolean(true));
	jadd(o, "unfinished", json_object_new_boolean(ev->flags & FLAP_EV_F_UNFINISHED));
	if (ev->flags & FLAP_EV_F_NORETURN)
		jadd(o, "noreturn", json_object_new_boolean(true));
	if (ev->flags & FLAP_EV_F_EXIT_LOST)
		jadd(o, "exit_lost", json_object_new_boolean(true));
	if (ev->flags & FLAP_EV_F_CAPS_DROPPED)
		jadd(o, "captures_dropped", json_object_new_boolean(true));
}

/* "container": the raw name of the event's source ("cgroup N" unnamed, "?" unknown). */
static void json_source_label(struct json_object *o, const struct flap_trace *t, __u16 source)
{
	const char *name = NULL;
	char buf[48] = "?";
	size_t max = 0;

	if (source < t->nsources) {
		name = source_name(&t->sources[source], &max);
		if (!name)
			snprintf(buf, sizeof(buf), "cgroup %llu",
				 (unsigned long long)t->sources[source].cgroup_id);
	}
	if (name)
		jadd_name(o, "container", name, max);
	else
		jadd(o, "container", json_object_new_string(buf));
}

/*
 * "decoded": the call as the text output shows it, without time and pid:
 * "openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = 3</etc/x>". With @fds it
 * names descriptors and updates the table (see fmt_event_text()).
 */
static struct json_object *json_decoded(const struct flap_event *ev, struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall_by_nr(ev->nr);
	struct json_object *js;
	struct line l;

	line_init(&l);
	if (sc)
		line_printf(&l, "%s(", sc->name);
	else
		line_printf(&l, "syscall_%u(", ev->nr);
	if (ev->flags & FLAP_EV_F_NO_ARGS)
		line_puts(&l, ev->flags & FLAP_EV_F_UNFINISHED ? "... <unfinished ...>" : "...");
	else
		fmt_args(&l, ev, fds);
	if (fds && flap_fdnames__update(fds, ev))
		l.oom = true;
	if (!(ev->flags & FLAP_EV_F_UNFINISHED)) {
		line_puts(&l, ") = ");
		fmt_outcome(&l, ev, fds);
	}
	/* Printable ASCII only (every byte from outside is escaped): a plain string. */
	js = l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len);
	line_release(&l);
	return js;
}

static int fmt_event_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
			  struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall_by_nr(ev->nr);
	struct json_object *o, *args;
	char name[32];
	int i;

	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "type", json_object_new_string("event"));
	jadd_time(o, "time", wall_ns(t, ev->ts));
	jadd_u64(o, "ts_ns", ev->ts);
	jadd_u64(o, "pid", ev->tgid);
	jadd_u64(o, "tid", ev->tid);
	jadd_name(o, "comm", ev->comm, sizeof(ev->comm));
	snprintf(name, sizeof(name), "syscall_%u", ev->nr);
	jadd(o, "syscall", json_object_new_string(sc ? sc->name : name));
	jadd_u64(o, "nr", ev->nr);
	jadd_u64(o, "cpu", ev->cpu);
	if (ev->flags & FLAP_EV_F_NO_ARGS) {
		jadd(o, "no_args", json_object_new_boolean(true));
	} else {
		args = json_object_new_array();
		for (i = 0; args && i < ev->nargs && i < 6; i++)
			json_object_array_add(args, json_object_new_int64((__s64)ev->args[i]));
		jadd(o, "args", args);
	}
	jadd(o, "captures", json_captures(ev));
	jadd(o, "decoded", json_decoded(ev, fds));
	json_event_result(o, ev);
	if (t->nsources > 1)
		json_source_label(o, t, ev->source);
	return json_emit(out, o);
}

/**
 * flap_format_event() - print one event: a text line or a JSON object line.
 * @out: the stream written to.
 * @t: the trace @ev belongs to (sources, clock offset).
 * @ev: the event.
 * @o: options; NULL means text, not verbose.
 *
 * Context: any thread (one stream per thread).
 * Return: 0, -EINVAL for a NULL stream/trace/event, -ENOMEM, -EPIPE or -EIO
 * when the write failed.
 */
int flap_format_event(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
		      const struct flap_format_opts *o)
{
	static const struct flap_format_opts defaults;
	struct line l;

	if (!out || !t || !ev) {
		pr_warn("format: no output stream, trace or event");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	if (o->json)
		return fmt_event_json(out, t, ev, NULL);
	line_init(&l);
	fmt_event_text(&l, t, ev, o, NULL);
	return line_flush(out, &l);
}

/* ---- header ----------------------------------------------------------------- */

static bool same_pod(const struct flap_trace *t)
{
	int i;

	for (i = 1; i < t->nsources; i++)
		if (strncmp(t->sources[i].pod, t->sources[0].pod, sizeof(t->sources[0].pod)) ||
		    strncmp(t->sources[i].ns, t->sources[0].ns, sizeof(t->sources[0].ns)))
			return false;
	return true;
}

static void text_pod(struct line *l, const struct flap_source *s)
{
	line_puts(l, "pod ");
	line_name(l, s->pod, sizeof(s->pod));
	if (s->ns[0]) {
		line_puts(l, ", namespace ");
		line_name(l, s->ns, sizeof(s->ns));
	}
}

/* "# container web: id 0123456789ab, cgroup 1234 /path, main pid 42[, counts]". */
static void text_source(struct line *l, const struct flap_trace *t, const struct flap_source *s,
			bool pods_differ)
{
	const struct flap_cpu_counts *c = &s->counts;

	line_puts(l, s->container[0] ? "# container " : "# source ");
	source_label(l, s);
	line_puts(l, ":");
	if (pods_differ && s->pod[0]) {
		line_puts(l, " ");
		text_pod(l, s);
		line_puts(l, ",");
	}
	if (s->container_id[0]) {
		line_puts(l, " id ");
		line_escape(l, s->container_id, strnlen(s->container_id, 12), 0);
		line_puts(l, ",");
	}
	line_printf(l, " cgroup %llu", (unsigned long long)s->cgroup_id);
	if (s->cgroup_path[0]) {
		line_puts(l, " ");
		line_name(l, s->cgroup_path, sizeof(s->cgroup_path));
	}
	if (s->main_pid)
		line_printf(l, ", main pid %u", s->main_pid);
	if (t->nsources > 1)
		line_printf(l, ", %llu held, %llu overwritten, %llu lost",
			    (unsigned long long)c->held, (unsigned long long)c->overwritten,
			    (unsigned long long)c->lost);
	line_puts(l, "\n");
}

/* Whether any source was recorded with an in-kernel syscall filter, and all with the same. */
static bool filters_of(const struct flap_trace *t, bool *same)
{
	const size_t max = sizeof(t->sources[0].syscall_filter);
	bool any = false;
	int i;

	*same = true;
	for (i = 0; i < t->nsources; i++) {
		any |= t->sources[i].syscall_filter[0] != '\0';
		if (strncmp(t->sources[i].syscall_filter, t->sources[0].syscall_filter, max))
			*same = false;
	}
	return any;
}

/* "trace=%file,write (in-kernel filter)", or "all" for a source without one. */
static void text_filter_set(struct line *l, const struct flap_source *s)
{
	if (!s->syscall_filter[0]) {
		line_puts(l, "all\n");
		return;
	}
	line_puts(l, "trace=");
	line_name(l, s->syscall_filter, sizeof(s->syscall_filter));
	line_puts(l, " (in-kernel filter)\n");
}

/*
 * "# recorded syscalls: trace=%file,write (in-kernel filter)": the dump of a
 * filtered recorder lacks the other calls by design, and a reader must know
 * it ("no openat in the dump" is not "no openat made"). One line when every
 * source has the same filter, else one per source; none without filters.
 */
static void text_filters(struct line *l, const struct flap_trace *t)
{
	bool same;
	int i;

	if (!filters_of(t, &same))
		return;
	if (same) {
		line_puts(l, "# recorded syscalls: ");
		text_filter_set(l, &t->sources[0]);
		return;
	}
	for (i = 0; i < t->nsources; i++) {
		line_puts(l, "# recorded syscalls of ");
		source_label(l, &t->sources[i]);
		line_puts(l, ": ");
		text_filter_set(l, &t->sources[i]);
	}
}

/* How a source recorded without --exact-durations measured its calls. */
#define DUR_TICK_TEXT                                                                   \
	"measured only for calls that spanned a kernel clock tick; shorter calls show " \
	"none (record with --exact-durations for all)\n"

/*
 * "# durations: measured only for calls that spanned a kernel clock tick...":
 * by default a recorder reads the clock once for a call that returns in
 * the tick it entered in, so such calls have no duration, and a reader must
 * not take a missing <0.000011> for a missing exit. One line when every
 * source holds such calls, else one per source that does; none when no
 * source does (exact durations, or a file from before they could lack).
 */
static void text_durations(struct line *l, const struct flap_trace *t)
{
	int i, n = flap_trace__count_short(t);

	if (!n)
		return;
	if (n == t->nsources) {
		line_puts(l, "# durations: " DUR_TICK_TEXT);
		return;
	}
	for (i = 0; i < t->nsources; i++) {
		if (!flap_trace__source_short(t, i))
			continue;
		line_puts(l, "# durations of ");
		source_label(l, &t->sources[i]);
		line_puts(l, ": " DUR_TICK_TEXT);
	}
}

/*
 * Syscalls of the node the kernel ran no dispatcher for (its BPF recursion
 * guard) while the sources were recorded: their cgroup is unknown, so some
 * may be missing from this history. Said, never silent; no line when none.
 */
static void text_skipped(struct line *l, const struct flap_trace *t)
{
	__u64 most = 0;
	int i;

	for (i = 0; i < t->nsources; i++)
		if (t->sources[i].node_skipped > most)
			most = t->sources[i].node_skipped;
	if (most)
		line_printf(
			l,
			"# warning: the kernel skipped %llu syscalls of this node while this was "
			"recorded (BPF recursion guard); some may be missing here\n",
			(unsigned long long)most);
}

/* "crash: SIGSEGV in pid 42 (crash)", "request"... */
static void text_reason(struct line *l, const struct flap_reason *r)
{
	line_puts(l, "# reason: ");
	if (r->kind[0])
		line_name(l, r->kind, sizeof(r->kind));
	else
		line_puts(l, "unknown");
	if (r->text[0]) {
		line_puts(l, ": ");
		line_name(l, r->text, sizeof(r->text));
	} else if (r->signal) {
		line_printf(l, ": SIG%s in pid %u (",
			    sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?", r->pid);
		line_name(l, r->comm, sizeof(r->comm));
		line_puts(l, ")");
	} else if (r->pid) {
		line_printf(l, ": pid %u exited with %d", r->pid, r->exit_code);
	}
	line_puts(l, "\n");
}

/* "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped <time>": known parts only. */
static void text_host(struct line *l, const struct flap_dump_meta *m)
{
	const struct {
		const char *label;
		const char *val;
		size_t max;
	} parts[] = {
		{"host ", m->host, sizeof(m->host)},
		{"kernel ", m->kernel, sizeof(m->kernel)},
		{"", m->arch, sizeof(m->arch)},
		{"flap-recorder ", m->tool_version, sizeof(m->tool_version)},
	};
	const char *sep = "# ";
	char when[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		if (!parts[i].val[0])
			continue;
		line_printf(l, "%s%s", sep, parts[i].label);
		line_name(l, parts[i].val, parts[i].max);
		sep = ", ";
	}
	if (m->created_ns) {
		fmt_wall(when, sizeof(when), (__s64)m->created_ns);
		line_printf(l, "%sdumped %s", sep, when);
		sep = ", ";
	}
	if (sep[0] == ',')
		line_puts(l, "\n");
}

/* Window, events held and how complete the history is: never silent about losses. */
static void text_counts(struct line *l, const struct flap_trace *t, const bool *show)
{
	const struct flap_cpu_counts *c = &t->total;
	char first[64], last[64];
	__u64 from, to;
	bool any;

	any = trace_window(t, show, &from, &to);
	if (any) {
		fmt_wall(first, sizeof(first), wall_ns(t, from));
		fmt_wall(last, sizeof(last), wall_ns(t, to));
		line_printf(l, "# window: %s .. %s\n", first, last);
	} else {
		line_puts(l, "# window: no events\n");
	}
	line_printf(l, "# %llu events held", (unsigned long long)c->held);
	if (shown_count(t, show) != c->held)
		line_printf(l, ", %zu shown", shown_count(t, show));
	line_puts(l, "\n");
	if (!c->overwritten && !c->lost && !c->torn) {
		if (any)
			line_printf(l, "# history complete from %s\n", first);
		else
			line_puts(l, "# history complete: nothing recorded yet\n");
		return;
	}
	if (any)
		line_printf(l, "# history starts at %s: ", first);
	else
		line_puts(l, "# no history held: ");
	line_printf(l, "%llu earlier events overwritten, %llu lost",
		    (unsigned long long)c->overwritten, (unsigned long long)c->lost);
	if (c->restart_lost)
		line_printf(l, " (%llu of them: earlier history lost at a daemon restart)",
			    (unsigned long long)c->restart_lost);
	if (c->torn)
		line_printf(l, ", %llu torn blocks dropped", (unsigned long long)c->torn);
	line_puts(l, "\n");
}

static void text_cpus(struct line *l, const struct flap_trace *t)
{
	const struct flap_cpu_counts *c;
	int i;

	for (i = 0; i < t->ncpus; i++) {
		c = &t->cpus[i];
		if (!c->produced && !c->held && !c->overwritten && !c->lost && !c->torn)
			continue;
		line_printf(l,
			    "# cpu %d: %llu produced, %llu held, %llu overwritten, %llu lost, "
			    "%llu torn, %llu bytes\n",
			    i, (unsigned long long)c->produced, (unsigned long long)c->held,
			    (unsigned long long)c->overwritten, (unsigned long long)c->lost,
			    (unsigned long long)c->torn, (unsigned long long)c->bytes);
	}
}

static void fmt_header_text(struct line *l, const struct flap_dump_meta *m,
			    const struct flap_trace *t, const struct flap_format_opts *o,
			    const bool *show)
{
	bool pods_same = same_pod(t);
	int i;

	if (m->target[0]) {
		line_puts(l, "# target: ");
		line_name(l, m->target, sizeof(m->target));
		line_puts(l, "\n");
	}
	if (t->nsources && pods_same && t->sources[0].pod[0]) {
		line_puts(l, "# ");
		text_pod(l, &t->sources[0]);
		line_puts(l, "\n");
	}
	for (i = 0; i < t->nsources; i++)
		text_source(l, t, &t->sources[i], !pods_same);
	text_filters(l, t);
	text_durations(l, t);
	text_reason(l, &m->reason);
	text_host(l, m);
	text_counts(l, t, show);
	text_skipped(l, t);
	if (o->verbose)
		text_cpus(l, t);
}

static struct json_object *json_reason(const struct flap_reason *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	jadd_name(o, "kind", r->kind, sizeof(r->kind));
	jadd_name(o, "text", r->text, sizeof(r->text));
	jadd(o, "signal", json_object_new_int(r->signal));
	jadd(o, "exit_code", json_object_new_int(r->exit_code));
	jadd_u64(o, "pid", r->pid);
	jadd_name(o, "comm", r->comm, sizeof(r->comm));
	if (r->time_ns)
		jadd_time(o, "time", (__s64)r->time_ns);
	jadd(o, "core", json_object_new_boolean(r->core));
	return o;
}

static struct json_object *json_source(const struct flap_source *s)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	jadd_name(o, "name", s->name, sizeof(s->name));
	jadd_name(o, "pod", s->pod, sizeof(s->pod));
	jadd_name(o, "namespace", s->ns, sizeof(s->ns));
	jadd_name(o, "pod_uid", s->pod_uid, sizeof(s->pod_uid));
	jadd_name(o, "container", s->container, sizeof(s->container));
	jadd_name(o, "container_id", s->container_id, sizeof(s->container_id));
	jadd_name(o, "cgroup_path", s->cgroup_path, sizeof(s->cgroup_path));
	jadd_u64(o, "cgroup_id", s->cgroup_id);
	jadd_u64(o, "main_pid", s->main_pid);
	if (s->syscall_filter[0])
		jadd_name(o, "syscall_filter", s->syscall_filter, sizeof(s->syscall_filter));
	if (s->node_skipped)
		jadd_u64(o, "node_skipped", s->node_skipped);
	jadd(o, "exact_durations", json_object_new_boolean(s->exact_durations));
	return json_counts(&s->counts, o);
}

static void json_header_lists(struct json_object *o, const struct flap_trace *t)
{
	struct json_object *arr, *c;
	int i;

	arr = json_object_new_array();
	for (i = 0; arr && i < t->nsources; i++)
		json_object_array_add(arr, json_source(&t->sources[i]));
	jadd(o, "sources", arr);
	arr = json_object_new_array();
	for (i = 0; arr && i < t->ncpus; i++) {
		c = json_object_new_object();
		if (!c)
			break;
		jadd(c, "cpu", json_object_new_int(i));
		json_object_array_add(arr, json_counts(&t->cpus[i], c));
	}
	jadd(o, "cpus", arr);
}

/*
 * "syscall_filter": the in-kernel set every source was recorded with, or null
 * when the sources differ (each source's "syscall_filter" says); absent when
 * no source had a filter (every syscall recorded).
 */
static void json_filter(struct json_object *o, const struct flap_trace *t)
{
	const struct flap_source *s = t->nsources ? &t->sources[0] : NULL;
	bool same;

	if (!filters_of(t, &same))
		return;
	if (same)
		jadd_name(o, "syscall_filter", s->syscall_filter, sizeof(s->syscall_filter));
	else
		jadd(o, "syscall_filter", NULL);
}

/*
 * "exact_durations": true when every source measured every call's duration,
 * false when none did, null when the sources of a pod merge differ (each
 * source's "exact_durations" says). True without sources, as the text
 * header then has no durations line.
 */
static void json_durations(struct json_object *o, const struct flap_trace *t)
{
	int i, n = 0;

	for (i = 0; i < t->nsources; i++)
		n += !t->sources[i].exact_durations;

	if (n && n < t->nsources)
		jadd(o, "exact_durations", NULL);
	else
		jadd(o, "exact_durations", json_object_new_boolean(!n));
}

static int fmt_header_json(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			   const bool *show)
{
	const struct flap_cpu_counts *c = &t->total;
	struct json_object *o;
	__u64 from, to;

	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "type", json_object_new_string("header"));
	jadd_name(o, "target", m->target, sizeof(m->target));
	jadd(o, "reason", json_reason(&m->reason));
	jadd_name(o, "host", m->host, sizeof(m->host));
	jadd_name(o, "kernel", m->kernel, sizeof(m->kernel));
	jadd_name(o, "arch", m->arch, sizeof(m->arch));
	jadd_name(o, "tool_version", m->tool_version, sizeof(m->tool_version));
	if (m->created_ns)
		jadd_time(o, "created", (__s64)m->created_ns);
	jadd_u64(o, "events_held", c->held);
	jadd_u64(o, "events", shown_count(t, show));
	jadd_u64(o, "produced", c->produced);
	jadd_u64(o, "overwritten", c->overwritten);
	jadd_u64(o, "lost", c->lost);
	jadd_u64(o, "torn", c->torn);
	if (c->restart_lost)
		jadd_u64(o, "restart_lost", c->restart_lost);
	jadd(o, "history_complete",
	     json_object_new_boolean(!c->overwritten && !c->lost && !c->torn));
	if (trace_window(t, show, &from, &to)) {
		jadd_time(o, "window_start", wall_ns(t, from));
		jadd_time(o, "window_end", wall_ns(t, to));
	}
	json_filter(o, t);
	json_durations(o, t);
	json_header_lists(o, t);
	return json_emit(out, o);
}

/* The header; @show as for trace_window(). */
static int format_header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
			 const struct flap_format_opts *o, const bool *show)
{
	static const struct flap_format_opts defaults;
	struct line l;

	if (!out || !m || !t) {
		pr_warn("format: no output stream, metadata or trace");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	if (o->json)
		return fmt_header_json(out, m, t, show);
	line_init(&l);
	fmt_header_text(&l, m, t, o, show);
	return line_flush(out, &l);
}

/**
 * flap_format_header() - print the header of a trace: target, pod and
 * containers, their syscall filter and whether short calls lack a duration
 * (no --exact-durations), reason, host, the time window held, the events
 * held and how many were overwritten or lost before them; per-CPU counts
 * with verbose (always in JSON).
 * @out: the stream written to.
 * @m: the dump metadata.
 * @t: the trace (sources, counts, events for the window).
 * @o: options; NULL means text, not verbose.
 *
 * Context: any thread.
 * Return: 0, -EINVAL for a NULL argument, -ENOMEM, -EPIPE or -EIO when the
 * write failed.
 */
int flap_format_header(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		       const struct flap_format_opts *o)
{
	return format_header(out, m, t, o, NULL);
}

/*
 * After a crash dump's events, the way it ended, as strace ends a trace:
 * "12:00:01.000042 [pid 42] +++ killed by SIGSEGV (core dumped) +++" or
 * "+++ exited with 3 +++". Nothing for dumps taken on request.
 */
static int format_end(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t)
{
	const char *abbrev = sigabbrev_np(m->reason.signal);
	char when[32];

	if (!m->reason.pid || !m->reason.time_ns)
		return 0;
	fmt_clock(when, sizeof(when), (__s64)m->reason.time_ns);
	(void)t;
	if (strcmp(m->reason.kind, "crash") == 0 && m->reason.signal)
		fprintf(out, "%s [pid %u] +++ killed by SIG%s%s +++\n", when, m->reason.pid,
			abbrev ? abbrev : "?", m->reason.core ? " (core dumped)" : "");
	else if (strcmp(m->reason.kind, "exit") == 0)
		fprintf(out, "%s [pid %u] +++ exited with %d +++\n", when, m->reason.pid,
			m->reason.exit_code);
	return ferror(out) ? -EIO : 0;
}

/*
 * Which events to print: those of the filter, the newest @o->last of them.
 * Return: an array (NULL when every event is printed), or NULL with
 * *@err = -ENOMEM.
 */
static bool *select_events(const struct flap_trace *t, const struct flap_format_opts *o, int *err)
{
	size_t i, n = 0;
	bool *show;

	*err = 0;
	if (!o->filter && !o->last)
		return NULL;
	show = calloc(t->nevents ? t->nevents : 1, sizeof(*show));
	if (!show) {
		*err = -ENOMEM;
		return NULL;
	}
	for (i = t->nevents; i-- > 0;) {
		if (o->filter && !flap_sysset__has(o->filter, t->events[i].nr))
			continue;
		if (o->last && n >= o->last)
			break;
		show[i] = true;
		n++;
	}
	return show;
}

/**
 * flap_format_trace() - print the header (unless @o->no_header) and the
 * events of @t in order: all of them, or those of @o->filter, the newest
 * @o->last of them. Descriptors carry their names (strace -y) unless
 * @o->raw_fds: the names are learnt from every event of the trace, the
 * ones not printed too.
 * @out: the stream written to.
 * @m: the dump metadata.
 * @t: the trace.
 * @o: options; NULL means text, not verbose, everything.
 *
 * Stops at the first error. Context: any thread.
 * Return: 0 or a negative errno as flap_format_event() returns.
 */
int flap_format_trace(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		      const struct flap_format_opts *o)
{
	static const struct flap_format_opts defaults;
	struct flap_fdnames *fds = NULL;
	const struct flap_event *ev;
	bool *show = NULL;
	struct line l;
	size_t i;
	int err;

	if (!t) {
		pr_warn("format: no trace");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	show = select_events(t, o, &err);
	if (!err && !o->raw_fds)
		err = flap_fdnames__new(&fds);
	if (!err && !o->no_header)
		err = format_header(out, m, t, o, show);
	for (i = 0; !err && i < t->nevents; i++) {
		ev = &t->events[i];
		if (show && !show[i]) {
			if (fds && flap_fdnames__update(fds, ev))
				err = -ENOMEM;
			continue;
		}
		if (o->json) {
			err = fmt_event_json(out, t, ev, fds);
			continue;
		}
		line_init(&l);
		fmt_event_text(&l, t, ev, o, fds);
		err = line_flush(out, &l);
	}
	flap_fdnames__free(fds);
	free(show);
	if (!err && m && !o->json)
		return format_end(out, m, t);
	return err;
}
