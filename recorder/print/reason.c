// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * reason.c - what killed a process, in words: the one-line text of a crash
 * reason ("SIGSEGV (SEGV_MAPERR at NULL, ip 0x55d0c3a1b139) in pid 42
 * (app), the main process"; "SIGTERM from pid 812 (containerd-shim) in pid
 * 42 (app)") and the header lines that give the whole signal: its siginfo
 * as strace prints it, the thread that took it and where, who sent it.
 * The crash policy (daemon/crash.c) writes the text into the dump; the
 * header prints the lines from the reason's signal (struct flap_reason).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "args.h"
#include "dump.h"
#include "format.h"
#include "format_internal.h"
#include "text.h"
#include "trace.h"
#include "xlat.h"

/* A name field as text: no control byte (the traced process chose it). */
static void clean_name(char *dst, size_t size, const char *src, size_t max)
{
	size_t i, n = strnlen(src, max);

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[n] = '\0';
}

/* Was the signal sent by a process (kill, tkill, sigqueue), not by the kernel? */
static bool from_process(const struct flap_reason *r, const struct flap_siginfo_fields *f)
{
	if (!(r->sig.flags & (FLAP_SIG_SENT | FLAP_SIG_SENDER)) || (r->sig.flags & FLAP_SIG_PRIV))
		return false;
	return f->code <= 0 && f->code != SI_TIMER && f->code != SI_SIGIO &&
	       f->code != SI_ASYNCIO && f->code != SI_MESGQ;
}

/* "SEGV_MAPERR at NULL", "SI_TKILL", or "si_code 77". */
static void put_code(struct flap_text *out, const struct flap_siginfo_fields *f)
{
	if (f->code_name)
		flap_text__puts(out, f->code_name);
	else
		flap_text__printf(out, "si_code %d", f->code);
	if (f->has_addr) {
		flap_text__puts(out, " at ");
		if (f->addr)
			flap_text__printf(out, "%#llx", (unsigned long long)f->addr);
		else
			flap_text__puts(out, "NULL");
	}
}

int flap_format__reason_text(const struct flap_reason *r, bool main, char *buf, size_t size)
{
	char comm[32], scomm[32], sname[64], tcomm[32], sig[16];
	const char *name = flap_xlat__signal(r->signal, false, sig, sizeof(sig));
	struct flap_siginfo_fields f;
	struct flap_text t;
	int n;

	clean_name(comm, sizeof(comm), r->comm, sizeof(r->comm));
	flap_text__init(&t);
	flap_text__puts(&t, name ? name : "signal");
	if (r->has_signal) {
		flap_args__siginfo_fields(&r->sig, &f);
		clean_name(scomm, sizeof(scomm), r->sig.sender_comm, sizeof(r->sig.sender_comm));
		clean_name(sname, sizeof(sname), r->sender_name, sizeof(r->sender_name));
		clean_name(tcomm, sizeof(tcomm), r->thread_comm, sizeof(r->thread_comm));
		if (from_process(r, &f) && r->sig.sender_tgid != r->pid) {
			flap_text__printf(&t, " from pid %u (%s%s%s)", r->sig.sender_tgid, scomm,
					  sname[0] ? ", container " : "", sname);
		} else {
			flap_text__puts(&t, " (");
			put_code(&t, &f);
			if (from_process(r, &f))
				flap_text__puts(&t, " from itself");
			if (r->sig.flags & FLAP_SIG_FAULT)
				flap_text__printf(&t, ", ip %#llx", (unsigned long long)r->sig.ip);
			flap_text__puts(&t, ")");
		}
	}
	flap_text__printf(&t, " in pid %u (%s)%s", r->pid, comm, main ? ", the main process" : "");
	if (r->has_signal && r->tid && r->tid != r->pid)
		flap_text__printf(&t, ", thread %u (%s)", r->tid, tcomm);
	n = snprintf(buf, size, "%s", t.oom ? "" : t.buf);
	flap_text__release(&t);
	return t.oom ? -ENOMEM : n;
}

/* "1a2b3c4d..." (the first 8 bytes of a build-id). */
static void put_build_id(struct flap_line *l, const __u8 *id)
{
	int i;

	for (i = 0; i < 8; i++)
		flap_line__printf(l, "%02x", id[i]);
}

/*
 * "#   #0 0x55d0c3a1b139 flapbar_leaf+0x9 (/usr/local/bin/app)" per frame:
 * symbolized when the dump was written (or by show --symbols), else the
 * address and, when the recorder had it, the build-id and file offset.
 */
static void stack_lines(struct flap_line *l, const struct flap_reason *r)
{
	static const char *const how[] = {"", "", " [stack scan]", " [cfi]"};
	int i, n = r->nsyms ? r->nsyms : r->nframes;

	if (!n)
		return;
	flap_line__printf(l, "# stack of thread %u (", r->tid);
	flap_line__name(l, r->thread_comm, sizeof(r->thread_comm));
	flap_line__puts(l, "), innermost first:\n");
	for (i = 0; i < n; i++) {
		const struct flap_stack_frame *f = r->nsyms ? &r->syms[i] : NULL;
		const struct flap_frame_id *id = !f && i < r->nids ? &r->ids[i] : NULL;

		flap_line__printf(l, "#   #%d %#llx", i,
				  (unsigned long long)(f ? f->addr : r->frames[i]));
		if (f && f->symbol[0]) {
			flap_line__puts(l, " ");
			flap_line__name(l, f->symbol, sizeof(f->symbol));
			flap_line__printf(l, "+0x%llx", (unsigned long long)f->sym_off);
		} else if (f) {
			flap_line__puts(l, " ??");
		}
		if (f && f->path[0]) {
			flap_line__puts(l, " (");
			flap_line__name(l, f->path, sizeof(f->path));
			/* No name: where in the file, for a symbolizer with its debug info. */
			if (!f->symbol[0] && f->has_build_id)
				flap_line__printf(l, "+0x%llx", (unsigned long long)f->file_offset);
			flap_line__puts(l, ")");
		} else if ((f && f->has_build_id) || (id && id->status == FLAP_FRAME_VALID)) {
			flap_line__puts(l, " (build-id ");
			put_build_id(l, f ? f->build_id : id->build_id);
			flap_line__printf(l, "..., offset 0x%llx)",
					  (unsigned long long)(f ? f->file_offset : id->offset));
		}
		if (f && f->how <= FLAP_FRAME_CFI)
			flap_line__puts(l, how[f->how]);
		flap_line__puts(l, "\n");
	}
}

/*
 * "# signal: --- SIGSEGV {...} --- taken by thread 42 (app) at ip 0x...",
 * "# sender: pid 812 (containerd-shim), uid 0, cgroup 77, container web"
 * for a reason that holds its signal.
 */
void flap_format__reason_lines(struct flap_line *l, const struct flap_reason *r)
{
	struct flap_event ev = {.sig = &r->sig};
	struct flap_siginfo_fields f;

	if (!r->has_signal)
		return;
	flap_line__puts(l, "# signal: ");
	flap_format__signal(l, &ev);
	flap_line__printf(l, " %s thread %u (",
			  r->sig.flags & FLAP_SIG_SENT ? "sent to" : "taken by", r->tid);
	flap_line__name(l, r->thread_comm, sizeof(r->thread_comm));
	flap_line__puts(l, ")");
	if (r->sig.flags & FLAP_SIG_FAULT) {
		flap_line__printf(l, " at ip %#llx", (unsigned long long)r->sig.ip);
		if (r->sig.sp)
			flap_line__printf(l, ", sp %#llx", (unsigned long long)r->sig.sp);
	}
	flap_line__puts(l, "\n");
	flap_args__siginfo_fields(&r->sig, &f);
	if (!from_process(r, &f)) {
		stack_lines(l, r);
		return;
	}
	flap_line__printf(l, "# sender: pid %u (", r->sig.sender_tgid);
	flap_line__name(l, r->sig.sender_comm, sizeof(r->sig.sender_comm));
	flap_line__printf(l, ")%s, uid %u, cgroup %llu",
			  r->sig.sender_tgid == r->pid ? ", the process itself" : "",
			  r->sig.sender_uid, (unsigned long long)r->sig.sender_cgid);
	if (r->sender_name[0]) {
		flap_line__puts(l, ", container ");
		flap_line__name(l, r->sender_name, sizeof(r->sender_name));
	}
	flap_line__puts(l, "\n");
	stack_lines(l, r);
}

/* "32.0 MiB", "1.5 GiB", "900 bytes"; "max" for no limit. */
static void put_bytes(struct flap_text *out, __u64 n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = n;
	int u = -1;

	/* The kernel's "max" is the page counter's largest value. */
	if (n >= 1ULL << 62) {
		flap_text__puts(out, "max");
		return;
	}
	while (v >= 1024 && u + 1 < 6) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		flap_text__printf(out, "%llu bytes", (unsigned long long)n);
	else
		flap_text__printf(out, "%.1f %s", v, units[u]);
}

/* "memory cgroup /sys/fs/cgroup/x (id 42)" or "memory cgroup id 42". */
static void put_memcg(struct flap_text *out, const struct flap_reason *r)
{
	char path[256];

	if (r->oom_cgroup[0]) {
		clean_name(path, sizeof(path), r->oom_cgroup, sizeof(r->oom_cgroup));
		flap_text__printf(out, "memory cgroup %s (id %llu)", path,
				  (unsigned long long)r->oom_memcg);
	} else {
		flap_text__printf(out, "memory cgroup id %llu", (unsigned long long)r->oom_memcg);
	}
}

int flap_format__oom_text(const struct flap_reason *r, bool main, char *buf, size_t size)
{
	struct flap_text t;
	char comm[32];
	int n;

	clean_name(comm, sizeof(comm), r->comm, sizeof(r->comm));
	flap_text__init(&t);
	flap_text__printf(&t, "OOM-killed: pid %u (%s)%s; %s", r->pid, comm,
			  main ? ", the main process" : "",
			  r->oom_own_memcg ? "its " : "the allocating task's ");
	put_memcg(&t, r);
	flap_text__puts(&t, ", limit ");
	put_bytes(&t, r->oom_limit);
	flap_text__puts(&t, ", usage ");
	put_bytes(&t, r->oom_usage);
	n = snprintf(buf, size, "%s", t.oom ? "" : t.buf);
	flap_text__release(&t);
	return t.oom ? -ENOMEM : n;
}

/* "# oom: memory cgroup ... limit 32.0 MiB (33554432 bytes), usage ..." */
void flap_format__oom_line(struct flap_line *l, const struct flap_reason *r)
{
	struct flap_text t;

	if (strcmp(r->kind, "oom"))
		return;
	flap_text__init(&t);
	flap_text__puts(&t, "# oom: ");
	put_memcg(&t, r);
	flap_text__printf(&t, "%s: limit ", r->oom_own_memcg ? "" : " (the allocating task's)");
	put_bytes(&t, r->oom_limit);
	flap_text__printf(&t, " (%llu bytes), usage ", (unsigned long long)r->oom_limit);
	put_bytes(&t, r->oom_usage);
	flap_text__printf(&t, " (%llu bytes)\n", (unsigned long long)r->oom_usage);
	if (t.oom)
		l->oom = true;
	else
		flap_line__add(l, t.buf, t.len);
	flap_text__release(&t);
}
