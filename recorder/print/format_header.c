// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * format_header.c - the text header: a block of lines starting with "# "
 * (what was recorded, where, why the dump was written, the filters and
 * duration mode of each source, the counts of every CPU).
 */
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "format.h"
#include "format_internal.h"
#include "log.h"
#include "util.h"

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
bool filters_of(const struct flap_trace *t, bool *same)
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

void fmt_header_text(struct line *l, const struct flap_dump_meta *m, const struct flap_trace *t,
		     const struct flap_format_opts *o, const bool *show)
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
