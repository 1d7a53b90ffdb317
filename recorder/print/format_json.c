// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_json.c - JSON Lines: one header object, then one object per
 * event. Every string from outside is valid UTF-8: other bytes become the
 * four characters \xNN (json_bytes()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "flap.h"
#include "fdnames.h"
#include "format.h"
#include "format_internal.h"
#include "log.h"
#include "args.h"
#include "syscalls.h"
#include "xlat.h"

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
	struct flap_line l;
	size_t i, n;

	flap_line__init(&l);
	for (i = 0; i < len; i += n) {
		n = p[i] >= 0x80 ? utf8_seq_len(p + i, len - i) : 0;
		if (n) {
			flap_line__add(&l, (const char *)p + i, n);
			continue;
		}
		n = 1;
		if (p[i] == '\\') {
			flap_line__puts(&l, "\\\\");
		} else if (p[i] < ' ' || p[i] >= 0x7f) {
			flap_line__printf(&l, "\\x%02x", p[i]);
		} else {
			flap_line__add(&l, (const char *)p + i, 1);
		}
	}
	js = l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len);
	flap_line__release(&l);
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

	flap_format__rfc3339(buf, sizeof(buf), ns);
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
		err = flap_format__write_error();
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
			name = flap_errno__name(err);
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
		name = flap_format__source_name(&t->sources[source], &max);
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
 * names descriptors and updates the table (see flap_format__event_text()).
 */
static struct json_object *json_decoded(const struct flap_event *ev, struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	struct json_object *js;
	struct flap_line l;

	flap_line__init(&l);
	if (sc)
		flap_line__printf(&l, "%s(", sc->name);
	else
		flap_line__printf(&l, "syscall_%u(", ev->nr);
	if (ev->flags & FLAP_EV_F_NO_ARGS)
		flap_line__puts(&l,
				ev->flags & FLAP_EV_F_UNFINISHED ? "... <unfinished ...>" : "...");
	else
		flap_format__args(&l, ev, fds);
	if (fds && flap_fdnames__update(fds, ev))
		l.oom = true;
	if (!(ev->flags & FLAP_EV_F_UNFINISHED)) {
		flap_line__puts(&l, ") = ");
		flap_format__outcome(&l, ev, fds);
	}
	/* Printable ASCII only (every byte from outside is escaped): a plain string. */
	js = l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len);
	flap_line__release(&l);
	return js;
}

/* "sender": who sent a signal (host ids, command, cgroup). */
static struct json_object *json_sender(const struct flap_signal *s)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	jadd_u64(o, "pid", s->sender_tgid);
	jadd_u64(o, "tid", s->sender_tid);
	jadd_name(o, "comm", s->sender_comm, sizeof(s->sender_comm));
	jadd_u64(o, "uid", s->sender_uid);
	jadd_u64(o, "cgroup_id", s->sender_cgid);
	return o;
}

/* "fault": the thread's user registers and stack at a fatal signal. */
static struct json_object *json_fault(const struct flap_signal *s)
{
	struct json_object *o = json_object_new_object(), *arr;
	int i;

	if (!o)
		return NULL;
	jadd_u64(o, "ip", s->ip);
	jadd_u64(o, "sp", s->sp);
	jadd_u64(o, "bp", s->bp);
	arr = json_object_new_array();
	for (i = 0; arr && i < s->nframes; i++)
		json_object_array_add(arr, json_object_new_uint64(s->frames[i]));
	jadd(o, "stack", arr);
	return o;
}

/* The siginfo's named fields: those the text prints for its code. */
static void json_siginfo(struct json_object *o, const struct flap_signal *s)
{
	struct flap_siginfo_fields f;

	flap_args__siginfo_fields(s, &f);
	jadd(o, "si_code", json_object_new_int(f.code));
	jadd(o, "code", f.code_name ? json_object_new_string(f.code_name) : NULL);
	if (f.err)
		jadd(o, "si_errno", json_object_new_int(f.err));
	if (f.has_source) {
		jadd(o, "si_pid", json_object_new_int(f.pid));
		jadd_u64(o, "si_uid", f.uid);
	}
	if (f.has_status)
		jadd(o, "si_status", json_object_new_int(f.status));
	if (f.has_addr)
		jadd_u64(o, "si_addr", f.addr);
}

/* What a signal object and a reason's "killed_by" share. */
void flap_format__json_signal_fields(struct json_object *o, const struct flap_signal *s)
{
	char buf[16];
	const char *name = flap_xlat__signal(s->sig, false, buf, sizeof(buf));

	jadd(o, "signal", name ? json_object_new_string(name) : NULL);
	jadd(o, "signo", json_object_new_int(s->sig));
	jadd(o, "sent", json_object_new_boolean(s->flags & FLAP_SIG_SENT));
	json_siginfo(o, s);
	if (s->handler == FLAP_SIG_DFL || s->handler == FLAP_SIG_IGN)
		jadd(o, "handler",
		     json_object_new_string(s->handler == FLAP_SIG_DFL ? "SIG_DFL" : "SIG_IGN"));
	else
		jadd_u64(o, "handler", s->handler);
	if (s->flags & FLAP_SIG_KILLED)
		jadd(o, "killed_process", json_object_new_boolean(true));
	if (s->flags & (FLAP_SIG_SENT | FLAP_SIG_SENDER))
		jadd(o, "sender", json_sender(s));
	if (s->flags & FLAP_SIG_FAULT)
		jadd(o, "fault", json_fault(s));
}

/* A signal event: "type":"signal", what the text line shows as "decoded". */
static int signal_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev)
{
	const struct flap_signal *s = ev->sig;
	struct json_object *o;
	struct flap_line l;

	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "type", json_object_new_string("signal"));
	jadd_time(o, "time", flap_format__wall_ns(t, ev->ts));
	jadd_u64(o, "ts_ns", ev->ts);
	jadd_u64(o, "pid", ev->tgid);
	jadd_u64(o, "tid", ev->tid);
	jadd_name(o, "comm", ev->comm, sizeof(ev->comm));
	flap_format__json_signal_fields(o, s);
	flap_line__init(&l);
	flap_format__signal(&l, ev);
	jadd(o, "decoded", l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len));
	flap_line__release(&l);
	if (t->nsources > 1)
		json_source_label(o, t, ev->source);
	return json_emit(out, o);
}

int flap_format__event_json(FILE *out, const struct flap_trace *t, const struct flap_event *ev,
			    struct flap_fdnames *fds)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(ev->nr);
	struct json_object *o, *args;
	char name[32];
	int i;

	if (ev->sig)
		return signal_json(out, t, ev);
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	jadd(o, "type", json_object_new_string("event"));
	jadd_time(o, "time", flap_format__wall_ns(t, ev->ts));
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

/* The symbolized stack: per frame its address, function, offset, file. */
static struct json_object *json_stack(const struct flap_reason *r)
{
	static const char *const how[] = {"registers", "frame pointer", "stack scan", "cfi"};
	struct json_object *arr = json_object_new_array(), *f;
	int i;

	for (i = 0; arr && i < r->nsyms; i++) {
		const struct flap_stack_frame *s = &r->syms[i];

		f = json_object_new_object();
		if (!f)
			break;
		jadd_u64(f, "addr", s->addr);
		if (s->symbol[0]) {
			jadd_name(f, "symbol", s->symbol, sizeof(s->symbol));
			jadd_u64(f, "offset", s->sym_off);
		}
		if (s->path[0])
			jadd_name(f, "path", s->path, sizeof(s->path));
		if (s->has_build_id)
			jadd_u64(f, "file_offset", s->file_offset);
		jadd(f, "found_by",
		     json_object_new_string(
			     how[s->how <= FLAP_FRAME_CFI ? s->how : FLAP_FRAME_SCAN]));
		json_object_array_add(arr, f);
	}
	return arr;
}

/* The reason's signal: the fields of a signal object, its thread, its stack. */
static struct json_object *json_killed_by(const struct flap_reason *r)
{
	struct json_object *o = json_object_new_object(), *f;
	struct flap_event ev = {.sig = &r->sig};
	struct flap_signal s = r->sig;
	struct flap_line l;

	if (!o)
		return NULL;
	s.frames = r->frames;
	s.nframes = r->nframes;
	flap_format__json_signal_fields(o, &s);
	jadd_u64(o, "tid", r->tid);
	jadd_name(o, "thread_comm", r->thread_comm, sizeof(r->thread_comm));
	if (r->sender_name[0] && json_object_object_get_ex(o, "sender", &f))
		jadd_name(f, "container", r->sender_name, sizeof(r->sender_name));
	flap_line__init(&l);
	flap_format__signal(&l, &ev);
	jadd(o, "decoded", l.oom ? NULL : json_object_new_string_len(l.buf, (int)l.len));
	flap_line__release(&l);
	if (r->nsyms)
		jadd(o, "symbolized", json_stack(r));
	return o;
}

/* An OOM kill's memory cgroup. */
static struct json_object *json_oom(const struct flap_reason *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	jadd_u64(o, "memcg_id", r->oom_memcg);
	if (r->oom_cgroup[0])
		jadd_name(o, "cgroup", r->oom_cgroup, sizeof(r->oom_cgroup));
	jadd(o, "own_memcg", json_object_new_boolean(r->oom_own_memcg));
	jadd_u64(o, "limit", r->oom_limit);
	jadd_u64(o, "usage", r->oom_usage);
	return o;
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
	if (r->has_signal)
		jadd(o, "killed_by", json_killed_by(r));
	if (!strcmp(r->kind, "oom"))
		jadd(o, "oom", json_oom(r));
	return o;
}

/* The main process's end: {"code":3} or {"signal":"SIGSEGV","core":true}. */
static struct json_object *json_main_exit(__u32 status)
{
	struct json_object *o = json_object_new_object();
	int sig = status & 0x7f;
	char buf[16];
	const char *name = flap_xlat__signal(sig, false, buf, sizeof(buf));

	if (!o)
		return NULL;
	if (!sig) {
		jadd(o, "code", json_object_new_int((status >> 8) & 0xff));
		return o;
	}
	jadd(o, "signal", name ? json_object_new_string(name) : NULL);
	jadd(o, "signo", json_object_new_int(sig));
	jadd(o, "core", json_object_new_boolean(status & 0x80));
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
	if (s->main_exited)
		jadd(o, "main_exit", json_main_exit(s->main_status));
	if (s->syscall_filter[0])
		jadd_name(o, "syscall_filter", s->syscall_filter, sizeof(s->syscall_filter));
	if (s->node_skipped)
		jadd_u64(o, "node_skipped", s->node_skipped);
	if (s->exits_lost)
		jadd_u64(o, "exits_lost", s->exits_lost);
	if (s->reset_ns)
		jadd_u64(o, "history_reset_ns", s->reset_ns);
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

	if (!flap_format__filters_of(t, &same))
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

int flap_format__header_json(FILE *out, const struct flap_dump_meta *m, const struct flap_trace *t,
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
	if (t->bpf_programs[0])
		jadd_name(o, "bpf_programs", t->bpf_programs, sizeof(t->bpf_programs));
	if (t->kernel_lacks[0])
		jadd_name(o, "kernel_lacks", t->kernel_lacks, sizeof(t->kernel_lacks));
	if (m->created_ns)
		jadd_time(o, "created", (__s64)m->created_ns);
	jadd_u64(o, "events_held", c->held);
	jadd_u64(o, "events", flap_format__shown_count(t, show));
	jadd_u64(o, "produced", c->produced);
	jadd_u64(o, "overwritten", c->overwritten);
	jadd_u64(o, "lost", c->lost);
	jadd_u64(o, "torn", c->torn);
	if (c->restart_lost)
		jadd_u64(o, "restart_lost", c->restart_lost);
	jadd(o, "history_complete",
	     json_object_new_boolean(!c->overwritten && !c->lost && !c->torn));
	if (flap_format__trace_window(t, show, &from, &to)) {
		jadd_time(o, "window_start", flap_format__wall_ns(t, from));
		jadd_time(o, "window_end", flap_format__wall_ns(t, to));
	}
	json_filter(o, t);
	json_durations(o, t);
	json_header_lists(o, t);
	return json_emit(out, o);
}
