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
#include "format.h"
#include "log.h"
#include "syscalls.h"
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

/* First and last event time (entry, or exit when the entry is unknown). */
static bool trace_window(const struct flap_trace *t, __u64 *first, __u64 *last)
{
	size_t i;

	if (!t->nevents)
		return false;
	*first = *last = t->events[0].ts;
	for (i = 1; i < t->nevents; i++) {
		if (t->events[i].ts < *first)
			*first = t->events[i].ts;
		if (t->events[i].ts > *last)
			*last = t->events[i].ts;
	}
	return true;
}

/* ---- arguments -------------------------------------------------------------- */

/* One argument being printed. */
struct arg_ctx {
	const struct flap_event *ev;
	const struct flap_syscall *sc; /* NULL: unknown syscall number */
	const struct flap_cap *cap;    /* captured contents, or NULL */
	const char *type;	       /* C type, NULL when the table has none */
	const char *name;
	__u64 val;
	int idx;
	unsigned int kind; /* enum flap_arg_kind */
};

enum arg_res {
	ARG_DEFAULT, /* print by type */
	ARG_DONE,    /* printed */
	ARG_OMIT,    /* not shown at all (an argument the call ignores) */
};

/*
 * A per-syscall argument printer. It may print the argument and return
 * ARG_DONE, or leave it to the type-based printer. Symbolic flag decoders
 * (O_RDONLY|O_CLOEXEC) plug in here.
 */
typedef enum arg_res (*arg_fmt_fn)(struct line *l, const struct arg_ctx *a);

struct sc_rule {
	const char *name;
	bool ret_addr;	    /* returns an address: print it in hex */
	arg_fmt_fn args[6]; /* NULL: by type */
};

/* open/openat: the mode is only meaningful with O_CREAT or O_TMPFILE (strace hides it too). */
static enum arg_res fmt_open_mode(struct line *l, const struct arg_ctx *a)
{
	int flags = (int)a->ev->args[a->idx - 1];

	(void)l;
	if (flags & O_CREAT || (flags & O_TMPFILE) == O_TMPFILE)
		return ARG_DEFAULT;
	return ARG_OMIT;
}

static const struct sc_rule sc_rules[] = {
	{.name = "open", .args[2] = fmt_open_mode}, {.name = "openat", .args[3] = fmt_open_mode},
	{.name = "mmap", .ret_addr = true},	    {.name = "mremap", .ret_addr = true},
	{.name = "brk", .ret_addr = true},	    {.name = "shmat", .ret_addr = true},
};

/* sc_rules by syscall number, resolved once through the syscall table. */
static const struct sc_rule *rule_by_nr[FLAP_NR_MAX];
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void init_rules(void)
{
	const struct flap_syscall *sc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sc_rules); i++) {
		sc = flap_syscall_by_name(sc_rules[i].name);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			rule_by_nr[sc->nr] = &sc_rules[i];
	}
}

static const struct sc_rule *rule_of(__u32 nr)
{
	pthread_once(&rules_once, init_rules);
	return nr < FLAP_NR_MAX ? rule_by_nr[nr] : NULL;
}

enum int_kind {
	INT_S32,
	INT_U32,
	INT_ID32, /* uid_t/gid_t: unsigned, but -1 means "unchanged" */
	INT_S64,
	INT_U64,
	INT_HEX, /* opaque handles */
};

static const struct {
	const char *type;
	enum int_kind kind;
} int_types[] = {
	{"int", INT_S32},	    {"pid_t", INT_S32},	       {"key_t", INT_S32},
	{"clockid_t", INT_S32},	    {"mqd_t", INT_S32},	       {"timer_t", INT_S32},
	{"__s32", INT_S32},	    {"key_serial_t", INT_S32}, {"rwf_t", INT_S32},
	{"unsigned int", INT_U32},  {"unsigned", INT_U32},     {"u32", INT_U32},
	{"__u32", INT_U32},	    {"qid_t", INT_U32},	       {"uid_t", INT_ID32},
	{"gid_t", INT_ID32},	    {"long", INT_S64},	       {"off_t", INT_S64},
	{"loff_t", INT_S64},	    {"ssize_t", INT_S64},      {"unsigned long", INT_U64},
	{"size_t", INT_U64},	    {"u64", INT_U64},	       {"__u64", INT_U64},
	{"aio_context_t", INT_HEX},
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* @type without "const " in front or " const" behind, into @buf. */
static const char *base_type(const char *type, char *buf, size_t size)
{
	size_t n;

	if (starts_with(type, "const "))
		type += 6;
	n = strlen(type);
	if (ends_with(type, " const"))
		n -= 6;
	snprintf(buf, size, "%.*s", (int)n, type);
	return buf;
}

static bool is_pointer_type(const char *type)
{
	/* The kernel's pointer typedefs in syscall signatures. */
	return strchr(type, '*') || strstr(type, "cap_user_");
}

/* fd, dfd, epfd, oldfd, fd_in... but not max_fd (a count). */
static bool is_fd_name(const char *name)
{
	return (ends_with(name, "fd") && !starts_with(name, "max_")) || starts_with(name, "fd_");
}

/* A directory fd, where -100 means AT_FDCWD: *dfd, or fd before a path (execveat). */
static bool is_dirfd(const struct arg_ctx *a)
{
	if (ends_with(a->name, "dfd") || !strcmp(a->name, "dirfd"))
		return true;
	return !strcmp(a->name, "fd") && a->idx < 5 &&
	       FLAP_KIND_ARG(a->sc->kinds, a->idx + 1) == FLAP_ARG_STR;
}

static bool is_flags_name(const char *name)
{
	return ends_with(name, "flags") || !strcmp(name, "prot");
}

/* unsigned long arguments that are addresses (mmap, munmap, mprotect, brk...). */
static bool is_addr_name(const char *name)
{
	return !strcmp(name, "addr") || !strcmp(name, "start") || !strcmp(name, "brk") ||
	       !strcmp(name, "new_addr");
}

static void fmt_addr(struct line *l, __u64 v)
{
	if (v)
		line_printf(l, "%#llx", (unsigned long long)v);
	else
		line_puts(l, "NULL");
}

static void fmt_int_kind(struct line *l, enum int_kind kind, __u64 v)
{
	switch (kind) {
	case INT_S32:
		line_printf(l, "%d", (int)v);
		break;
	case INT_U32:
		line_printf(l, "%u", (unsigned int)v);
		break;
	case INT_ID32:
		if ((unsigned int)v == ~0u)
			line_puts(l, "-1");
		else
			line_printf(l, "%u", (unsigned int)v);
		break;
	case INT_S64:
		line_printf(l, "%lld", (long long)v);
		break;
	case INT_U64:
		line_printf(l, "%llu", (unsigned long long)v);
		break;
	default:
		line_printf(l, "%#llx", (unsigned long long)v);
		break;
	}
}

/* An integer argument by its C type and name. */
static void fmt_int(struct line *l, const struct arg_ctx *a)
{
	enum int_kind kind = INT_HEX;
	const char *type;
	char buf[64];
	size_t i;

	type = base_type(a->type, buf, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(int_types); i++) {
		if (!strcmp(type, int_types[i].type)) {
			kind = int_types[i].kind;
			break;
		}
	}
	if (starts_with(type, "enum "))
		kind = INT_S32;
	if (is_fd_name(a->name)) {
		if ((int)a->val == AT_FDCWD && is_dirfd(a))
			line_puts(l, "AT_FDCWD");
		else
			line_printf(l, "%d", (int)a->val);
	} else if (!strcmp(type, "umode_t")) {
		line_printf(l, "%#03o", (unsigned int)a->val);
	} else if (is_flags_name(a->name) && kind != INT_HEX) {
		if (kind == INT_S64 || kind == INT_U64)
			line_printf(l, "%#llx", (unsigned long long)a->val);
		else
			line_printf(l, "%#x", (unsigned int)a->val);
	} else if (kind == INT_U64 && is_addr_name(a->name)) {
		fmt_addr(l, a->val);
	} else {
		fmt_int_kind(l, kind, a->val);
	}
}

/* The default printer: captured contents, else pointer, else integer by type. */
static void fmt_arg_default(struct line *l, const struct arg_ctx *a)
{
	const struct flap_cap *c = a->cap;

	if (c && !(c->flags & FLAP_EVCAP_F_FAULT)) {
		line_escape(l, c->data, c->len,
			    ESC_QUOTE | (c->flags & FLAP_EVCAP_F_TRUNC ? ESC_TRUNC : 0));
		return;
	}
	if (a->kind != FLAP_ARG_VAL || c || (a->type && is_pointer_type(a->type))) {
		fmt_addr(l, a->val);
		return;
	}
	if (!a->type || !a->name) {
		line_printf(l, "%#llx", (unsigned long long)a->val);
		return;
	}
	fmt_int(l, a);
}

static const struct flap_cap *find_cap(const struct flap_event *ev, int idx)
{
	int i, n = ev->ncaps < FLAP_EV_MAX_CAPS ? ev->ncaps : FLAP_EV_MAX_CAPS;

	for (i = 0; i < n; i++)
		if (ev->caps[i].arg == idx && (ev->caps[i].data || !ev->caps[i].len))
			return &ev->caps[i];
	return NULL;
}

/* Number of arguments to show: what was stored, at most what the call has. */
static int shown_nargs(const struct flap_event *ev, const struct flap_syscall *sc)
{
	int n = ev->nargs < 6 ? ev->nargs : 6;

	if (sc && sc->nargs < n)
		n = sc->nargs;
	return n;
}

static void fmt_args(struct line *l, const struct flap_event *ev, const struct flap_syscall *sc,
		     const struct sc_rule *rule)
{
	bool unfinished = ev->flags & FLAP_EV_F_UNFINISHED, pending = false;
	int i, n = shown_nargs(ev, sc), shown = 0;
	struct arg_ctx a = {.ev = ev, .sc = sc};
	enum arg_res res;

	for (i = 0; i < n; i++) {
		a.idx = i;
		a.val = ev->args[i];
		a.kind = sc ? FLAP_KIND_ARG(sc->kinds, i) : FLAP_ARG_VAL;
		a.type = sc ? sc->args[i].type : NULL;
		a.name = sc ? sc->args[i].name : NULL;
		a.cap = sc ? find_cap(ev, i) : NULL;
		/* strace shows output arguments only once the call returned. */
		if (unfinished && a.kind == FLAP_ARG_BUF_OUT) {
			pending = true;
			break;
		}
		res = rule && rule->args[i] ? rule->args[i](l, &a) : ARG_DEFAULT;
		if (res == ARG_OMIT)
			continue;
		if (shown++)
			line_puts(l, ", ");
		if (res == ARG_DEFAULT)
			fmt_arg_default(l, &a);
	}
	/* "read(3, <unfinished ...>", "openat(AT_FDCWD, \"/x\", 0 <unfinished ...>" */
	if (unfinished && shown)
		line_puts(l, pending ? ", " : " ");
	if (unfinished)
		line_puts(l, "<unfinished ...>");
}

/* ---- return values ---------------------------------------------------------- */

static void fmt_ret(struct line *l, const struct flap_event *ev, const struct sc_rule *rule)
{
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
	} else if (rule && rule->ret_addr) {
		line_printf(l, "%#llx", (unsigned long long)ev->ret);
	} else {
		line_printf(l, "%lld", (long long)ev->ret);
	}
}

/* ") = ret <dur>", with " = " at the strace column counted from @start. */
static void fmt_result(struct line *l, const struct flap_event *ev, const struct sc_rule *rule,
		       size_t start)
{
	line_puts(l, ") ");
	line_pad(l, start + RET_COLUMN);
	line_puts(l, "= ");
	if (ev->flags & FLAP_EV_F_HAS_RET)
		fmt_ret(l, ev, rule);
	else if (ev->flags & FLAP_EV_F_EXIT_LOST)
		line_puts(l, "? <exit not recorded>");
	else
		line_puts(l, "?");
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

static void fmt_event_text(struct line *l, const struct flap_trace *t, const struct flap_event *ev,
			   const struct flap_format_opts *o)
{
	const struct flap_syscall *sc = flap_syscall_by_nr(ev->nr);
	const struct sc_rule *rule = sc ? rule_of(ev->nr) : NULL;
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
		fmt_args(l, ev, sc, rule);
	if (!(ev->flags & FLAP_EV_F_UNFINISHED))
		fmt_result(l, ev, rule, start);
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

static int fmt_event_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev)
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
		return fmt_event_json(out, t, ev);
	line_init(&l);
	fmt_event_text(&l, t, ev, o);
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
static void text_counts(struct line *l, const struct flap_trace *t)
{
	const struct flap_cpu_counts *c = &t->total;
	char first[64], last[64];
	__u64 from, to;
	bool any;

	any = trace_window(t, &from, &to);
	if (any) {
		fmt_wall(first, sizeof(first), wall_ns(t, from));
		fmt_wall(last, sizeof(last), wall_ns(t, to));
		line_printf(l, "# window: %s .. %s\n", first, last);
	} else {
		line_puts(l, "# window: no events\n");
	}
	line_printf(l, "# %llu events held", (unsigned long long)c->held);
	if (t->nevents != c->held)
		line_printf(l, ", %zu shown", t->nevents);
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
			    const struct flap_trace *t, const struct flap_format_opts *o)
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
	text_reason(l, &m->reason);
	text_host(l, m);
	text_counts(l, t);
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

static int fmt_header_json(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t)
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
	jadd_u64(o, "events", t->nevents);
	jadd_u64(o, "produced", c->produced);
	jadd_u64(o, "overwritten", c->overwritten);
	jadd_u64(o, "lost", c->lost);
	jadd_u64(o, "torn", c->torn);
	jadd(o, "history_complete",
	     json_object_new_boolean(!c->overwritten && !c->lost && !c->torn));
	if (trace_window(t, &from, &to)) {
		jadd_time(o, "window_start", wall_ns(t, from));
		jadd_time(o, "window_end", wall_ns(t, to));
	}
	json_header_lists(o, t);
	return json_emit(out, o);
}

/**
 * flap_format_header() - print the header of a trace: target, pod and
 * containers, reason, host, the time window held, the events held and how
 * many were overwritten or lost before them; per-CPU counts with verbose
 * (always in JSON).
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
	static const struct flap_format_opts defaults;
	struct line l;

	if (!out || !m || !t) {
		pr_warn("format: no output stream, metadata or trace");
		return -EINVAL;
	}
	if (!o)
		o = &defaults;
	if (o->json)
		return fmt_header_json(out, m, t);
	line_init(&l);
	fmt_header_text(&l, m, t, o);
	return line_flush(out, &l);
}

/**
 * flap_format_trace() - print the header (unless @o->no_header) and every
 * event of @t in order.
 * @out: the stream written to.
 * @m: the dump metadata.
 * @t: the trace.
 * @o: options; NULL means text, not verbose.
 *
 * Stops at the first error. Context: any thread.
 * Return: 0 or a negative errno as flap_format_event() returns.
 */
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

int flap_format_trace(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
		      const struct flap_format_opts *o)
{
	size_t i;
	int err;

	if (!t) {
		pr_warn("format: no trace");
		return -EINVAL;
	}
	if (!o || !o->no_header) {
		err = flap_format_header(out, m, t, o);
		if (err)
			return err;
	}
	for (i = 0; i < t->nevents; i++) {
		err = flap_format_event(out, t, &t->events[i], o);
		if (err)
			return err;
	}
	if (m && (!o || !o->json))
		return format_end(out, m, t);
	return 0;
}
