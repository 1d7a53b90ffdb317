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

static void text_pod(struct flap_line *l, const struct flap_source *s)
{
	flap_line__puts(l, "pod ");
	flap_line__name(l, s->pod, sizeof(s->pod));
	if (s->ns[0]) {
		flap_line__puts(l, ", namespace ");
		flap_line__name(l, s->ns, sizeof(s->ns));
	}
}

/* " (exited with 3)", " (killed by SIGSEGV, core dumped)": a wait status. */
static void main_status(struct flap_line *l, __u32 status)
{
	int sig = status & 0x7f;
	const char *abbrev = sigabbrev_np(sig);

	if (!sig)
		flap_line__printf(l, " (exited with %u)", (status >> 8) & 0xff);
	else if (abbrev)
		flap_line__printf(l, " (killed by SIG%s%s)", abbrev,
				  status & 0x80 ? ", core dumped" : "");
	else
		flap_line__printf(l, " (killed by signal %d)", sig);
}

/* "# container web: id 0123456789ab, cgroup 1234 /path, main pid 42[, counts]". */
static void text_source(struct flap_line *l, const struct flap_trace *t,
			const struct flap_source *s, bool pods_differ)
{
	const struct flap_cpu_counts *c = &s->counts;

	flap_line__puts(l, s->container[0] ? "# container " : "# source ");
	flap_format__source_label(l, s);
	flap_line__puts(l, ":");
	if (pods_differ && s->pod[0]) {
		flap_line__puts(l, " ");
		text_pod(l, s);
		flap_line__puts(l, ",");
	}
	if (s->container_id[0]) {
		flap_line__puts(l, " id ");
		flap_line__escape(l, s->container_id, strnlen(s->container_id, 12), 0);
		flap_line__puts(l, ",");
	}
	flap_line__printf(l, " cgroup %llu", (unsigned long long)s->cgroup_id);
	if (s->cgroup_path[0]) {
		flap_line__puts(l, " ");
		flap_line__name(l, s->cgroup_path, sizeof(s->cgroup_path));
	}
	if (s->main_pid)
		flap_line__printf(l, ", main pid %u", s->main_pid);
	if (s->main_pid && s->main_exited)
		main_status(l, s->main_status);
	if (t->nsources > 1)
		flap_line__printf(l, ", %llu held, %llu overwritten, %llu lost",
				  (unsigned long long)c->held, (unsigned long long)c->overwritten,
				  (unsigned long long)c->lost);
	flap_line__puts(l, "\n");
}

/* Whether any source was recorded with an in-kernel syscall filter, and all with the same. */
bool flap_format__filters_of(const struct flap_trace *t, bool *same)
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
static void text_filter_set(struct flap_line *l, const struct flap_source *s)
{
	if (!s->syscall_filter[0]) {
		flap_line__puts(l, "all\n");
		return;
	}
	flap_line__puts(l, "trace=");
	flap_line__name(l, s->syscall_filter, sizeof(s->syscall_filter));
	flap_line__puts(l, " (in-kernel filter)\n");
}

/*
 * "# recorded syscalls: trace=%file,write (in-kernel filter)": the dump of a
 * filtered recorder lacks the other calls by design, and a reader must know
 * it ("no openat in the dump" is not "no openat made"). One line when every
 * source has the same filter, else one per source; none without filters.
 */
static void text_filters(struct flap_line *l, const struct flap_trace *t)
{
	bool same;
	int i;

	if (!flap_format__filters_of(t, &same))
		return;
	if (same) {
		flap_line__puts(l, "# recorded syscalls: ");
		text_filter_set(l, &t->sources[0]);
		return;
	}
	for (i = 0; i < t->nsources; i++) {
		flap_line__puts(l, "# recorded syscalls of ");
		flap_format__source_label(l, &t->sources[i]);
		flap_line__puts(l, ": ");
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
static void text_durations(struct flap_line *l, const struct flap_trace *t)
{
	int i, n = flap_trace__count_short(t);

	if (!n)
		return;
	if (n == t->nsources) {
		flap_line__puts(l, "# durations: " DUR_TICK_TEXT);
		return;
	}
	for (i = 0; i < t->nsources; i++) {
		if (!flap_trace__source_short(t, i))
			continue;
		flap_line__puts(l, "# durations of ");
		flap_format__source_label(l, &t->sources[i]);
		flap_line__puts(l, ": " DUR_TICK_TEXT);
	}
}

/*
 * Syscalls of the node the kernel ran no dispatcher for (its BPF recursion
 * guard) while the sources were recorded: their cgroup is unknown, so some
 * may be missing from this history. Said, never silent; no line when none.
 */
static void text_skipped(struct flap_line *l, const struct flap_trace *t)
{
	__u64 most = 0;
	int i;

	for (i = 0; i < t->nsources; i++)
		if (t->sources[i].node_skipped > most)
			most = t->sources[i].node_skipped;
	if (most)
		flap_line__printf(
			l,
			"# warning: the kernel skipped %llu syscalls of this node while this was "
			"recorded (BPF recursion guard); some may be missing here\n",
			(unsigned long long)most);
}

/*
 * Exits of the sources' processes the daemon's lifecycle ring buffer
 * refused (a burst while the daemon was away): not delivered at once, the
 * crashes among them recovered from what the kernel kept. No line when none.
 */
static void text_exits_lost(struct flap_line *l, const struct flap_trace *t)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < t->nsources; i++)
		n += t->sources[i].exits_lost;
	if (n)
		flap_line__printf(l,
				  "# warning: %llu process exits were lost by the daemon's "
				  "lifecycle ring buffer (full); crashes among them were "
				  "recovered, their exit status otherwise not known\n",
				  (unsigned long long)n);
}

/* "crash: SIGSEGV in pid 42 (crash)", "request"... */
static void text_reason(struct flap_line *l, const struct flap_reason *r)
{
	flap_line__puts(l, "# reason: ");
	if (r->kind[0])
		flap_line__name(l, r->kind, sizeof(r->kind));
	else
		flap_line__puts(l, "unknown");
	if (r->text[0]) {
		flap_line__puts(l, ": ");
		flap_line__name(l, r->text, sizeof(r->text));
	} else if (r->signal) {
		flap_line__printf(l, ": SIG%s in pid %u (",
				  sigabbrev_np(r->signal) ? sigabbrev_np(r->signal) : "?", r->pid);
		flap_line__name(l, r->comm, sizeof(r->comm));
		flap_line__puts(l, ")");
	} else if (r->pid) {
		flap_line__printf(l, ": pid %u exited with %d", r->pid, r->exit_code);
	}
	flap_line__puts(l, "\n");
}

/* "# host node-1, kernel 6.18.0, x86_64, flap-recorder 0.1.0, dumped <time>": known parts only. */
static void text_host(struct flap_line *l, const struct flap_dump_meta *m)
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
		flap_line__printf(l, "%s%s", sep, parts[i].label);
		flap_line__name(l, parts[i].val, parts[i].max);
		sep = ", ";
	}
	if (m->created_ns) {
		flap_format__wall(when, sizeof(when), (__s64)m->created_ns);
		flap_line__printf(l, "%sdumped %s", sep, when);
		sep = ", ";
	}
	if (sep[0] == ',')
		flap_line__puts(l, "\n");
}

/*
 * "# bpf: compat programs: no bpf_loop() (5.17), ...": what the recording
 * kernel's BPF lacks (kfeatures.h); nothing when it lacks nothing.
 */
static void text_kernel_lacks(struct flap_line *l, const struct flap_trace *t)
{
	if (!t->kernel_lacks[0])
		return;
	flap_line__puts(l, "# bpf: ");
	flap_line__name(l, t->kernel_lacks, sizeof(t->kernel_lacks));
	flap_line__puts(l, "\n");
}

/*
 * "earlier history lost at a daemon restart at 2026-12-02 16:40:01 (how
 * many events: not known), ": a source a restarted daemon could not adopt
 * was recorded afresh, its earlier history is gone (and its rings, which
 * alone knew how much). Return: whether any source was.
 */
static bool text_reset(struct flap_line *l, const struct flap_trace *t)
{
	const struct flap_source *s;
	bool any = false;
	char when[64];
	int i;

	for (i = 0; i < t->nsources; i++) {
		s = &t->sources[i];
		if (!s->reset_ns)
			continue;
		any = true;
		flap_format__wall(when, sizeof(when), (__s64)s->reset_ns);
		flap_line__puts(l, "earlier history ");
		if (t->nsources > 1) {
			flap_line__puts(l, "of ");
			flap_format__source_label(l, s);
			flap_line__puts(l, " ");
		}
		flap_line__printf(
			l, "lost at a daemon restart at %s (how many events: not known), ", when);
	}
	return any;
}

/* Window, events held and how complete the history is: never silent about losses. */
static void text_counts(struct flap_line *l, const struct flap_trace *t, const bool *show)
{
	const struct flap_cpu_counts *c = &t->total;
	char first[64], last[64];
	__u64 from, to;
	bool any, reset = false;
	int i;

	for (i = 0; i < t->nsources; i++)
		reset |= t->sources[i].reset_ns != 0;
	any = flap_format__trace_window(t, show, &from, &to);
	if (any) {
		flap_format__wall(first, sizeof(first), flap_format__wall_ns(t, from));
		flap_format__wall(last, sizeof(last), flap_format__wall_ns(t, to));
		flap_line__printf(l, "# window: %s .. %s\n", first, last);
	} else {
		flap_line__puts(l, "# window: no events\n");
	}
	flap_line__printf(l, "# %llu events held", (unsigned long long)c->held);
	if (flap_format__shown_count(t, show) != c->held)
		flap_line__printf(l, ", %zu shown", flap_format__shown_count(t, show));
	flap_line__puts(l, "\n");
	if (!c->overwritten && !c->lost && !c->torn && !reset) {
		if (any)
			flap_line__printf(l, "# history complete from %s\n", first);
		else
			flap_line__puts(l, "# history complete: nothing recorded yet\n");
		return;
	}
	if (any)
		flap_line__printf(l, "# history starts at %s: ", first);
	else
		flap_line__puts(l, "# no history held: ");
	if (text_reset(l, t))
		flap_line__puts(l, "since then ");
	flap_line__printf(l, "%llu earlier events overwritten, %llu lost",
			  (unsigned long long)c->overwritten, (unsigned long long)c->lost);
	if (c->restart_lost)
		flap_line__printf(l, " (%llu of them: earlier history lost at a daemon restart)",
				  (unsigned long long)c->restart_lost);
	if (c->torn)
		flap_line__printf(l, ", %llu torn blocks dropped", (unsigned long long)c->torn);
	flap_line__puts(l, "\n");
}

static void text_cpus(struct flap_line *l, const struct flap_trace *t)
{
	const struct flap_cpu_counts *c;
	int i;

	for (i = 0; i < t->ncpus; i++) {
		c = &t->cpus[i];
		if (!c->produced && !c->held && !c->overwritten && !c->lost && !c->torn)
			continue;
		flap_line__printf(
			l,
			"# cpu %d: %llu produced, %llu held, %llu overwritten, %llu lost, "
			"%llu torn, %llu bytes\n",
			i, (unsigned long long)c->produced, (unsigned long long)c->held,
			(unsigned long long)c->overwritten, (unsigned long long)c->lost,
			(unsigned long long)c->torn, (unsigned long long)c->bytes);
	}
}

void flap_format__header_text(struct flap_line *l, const struct flap_dump_meta *m,
			      const struct flap_trace *t, const struct flap_format_opts *o,
			      const bool *show)
{
	bool pods_same = same_pod(t);
	int i;

	if (m->target[0]) {
		flap_line__puts(l, "# target: ");
		flap_line__name(l, m->target, sizeof(m->target));
		flap_line__puts(l, "\n");
	}
	if (t->nsources && pods_same && t->sources[0].pod[0]) {
		flap_line__puts(l, "# ");
		text_pod(l, &t->sources[0]);
		flap_line__puts(l, "\n");
	}
	for (i = 0; i < t->nsources; i++)
		text_source(l, t, &t->sources[i], !pods_same);
	text_filters(l, t);
	text_durations(l, t);
	text_reason(l, &m->reason);
	flap_format__oom_line(l, &m->reason);
	flap_format__reason_lines(l, &m->reason);
	text_host(l, m);
	text_kernel_lacks(l, t);
	text_counts(l, t, show);
	text_skipped(l, t);
	text_exits_lost(l, t);
	if (o->verbose)
		text_cpus(l, t);
}
