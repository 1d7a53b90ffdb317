// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dump_reason.c - the parts of a dump file that say what happened to the
 * processes: signal events (message Signal) and the reason of a dump
 * (message Reason: its kind, text, the process, and for a crash the signal
 * that killed, with the thread that took it and its stack). A reader
 * checks every length against the struct it fills: the siginfo is exactly
 * 48 bytes, command names fit their fields, at most FLAP_STACK_MAX frames.
 */
#include <errno.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "dump.h"
#include "dump.pb-c.h"
#include "dump_internal.h"
#include "trace.h"

_Static_assert(FLAP_REASON_FRAMES == FLAP_STACK_MAX, "a reason keeps the recorded stack");

/* Copies @src (NULL: "") into @dst of @size bytes, truncating. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* Copies bytes @b into @dst (@size bytes incl. NUL); they must be shorter. */
static int copy_name(char *dst, size_t size, const ProtobufCBinaryData *b)
{
	if (b->len >= size)
		return -EBADMSG;
	memset(dst, 0, size);
	if (b->len)
		memcpy(dst, b->data, b->len);
	return 0;
}

void flap_dump__signal_to_pb(const struct flap_signal *s, Flap__Signal *pb)
{
	flap__signal__init(pb);
	pb->sig = s->sig;
	pb->flags = s->flags;
	pb->info.len = sizeof(s->info);
	pb->info.data = (uint8_t *)s->info;
	pb->handler = s->handler;
	pb->sa_flags = s->sa_flags;
	pb->mask = s->mask;
	pb->sigflags = s->sigflags;
	pb->result = s->result;
	pb->group = s->group;
	pb->sender_tid = s->sender_tid;
	pb->sender_tgid = s->sender_tgid;
	pb->sender_uid = s->sender_uid;
	pb->sender_cgroup_id = s->sender_cgid;
	pb->sender_comm.len = strnlen(s->sender_comm, sizeof(s->sender_comm) - 1);
	pb->sender_comm.data = (uint8_t *)s->sender_comm;
	pb->ip = s->ip;
	pb->sp = s->sp;
	pb->bp = s->bp;
	pb->n_frames = s->nframes;
	pb->frames = (uint64_t *)s->frames;
}

/* The fields of @pb into @s (its frames into @frames); checks every length. */
static int signal_from_pb(const Flap__Signal *pb, struct flap_signal *s, __u64 *frames,
			  const char **why)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (pb->info.len != sizeof(s->info)) {
		*why = "siginfo of another size than 48 bytes";
		return -EBADMSG;
	}
	if (pb->sender_comm.len >= sizeof(s->sender_comm)) {
		*why = "sender command name too long";
		return -EBADMSG;
	}
	if (pb->n_frames > FLAP_STACK_MAX || pb->result > 0xff) {
		*why = "more stack frames than recorded, or a bad result";
		return -EBADMSG;
	}
	memcpy(s->info, pb->info.data, sizeof(s->info));
	copy_name(s->sender_comm, sizeof(s->sender_comm), &pb->sender_comm);
	for (i = 0; i < pb->n_frames; i++)
		frames[i] = pb->frames[i];
	s->sig = pb->sig;
	s->flags = pb->flags;
	s->handler = pb->handler;
	s->sa_flags = pb->sa_flags;
	s->mask = pb->mask;
	s->sigflags = pb->sigflags;
	s->result = pb->result;
	s->group = pb->group;
	s->sender_tid = pb->sender_tid;
	s->sender_tgid = pb->sender_tgid;
	s->sender_uid = pb->sender_uid;
	s->sender_cgid = pb->sender_cgroup_id;
	s->ip = pb->ip;
	s->sp = pb->sp;
	s->bp = pb->bp;
	s->nframes = pb->n_frames;
	s->frames = frames;
	return 0;
}

int flap_dump__signal_from_pb(struct flap_trace *t, const Flap__Signal *pb,
			      const struct flap_signal **out, const char **why)
{
	__u64 frames[FLAP_STACK_MAX];
	struct flap_signal s;
	int rc;

	rc = signal_from_pb(pb, &s, frames, why);
	if (rc)
		return rc;
	*out = flap_trace__copy_signal(t, &s);
	if (!*out) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

void flap_dump__reason_to_pb(const struct flap_reason *r, struct flap_reason_pb *pb)
{
	Flap__Reason *rp = &pb->reason;

	flap__reason__init(rp);
	rp->kind = (char *)r->kind;
	rp->signal = r->signal;
	rp->exit_code = r->exit_code;
	rp->pid = r->pid;
	/* A command name never fills all 16 bytes: the kernel's ends in NUL. */
	rp->comm.len = strnlen(r->comm, sizeof(r->comm) - 1);
	rp->comm.data = (uint8_t *)r->comm;
	rp->text = (char *)r->text;
	rp->time_ns = r->time_ns;
	rp->core = r->core;
	rp->oom_memcg_id = r->oom_memcg;
	rp->oom_limit = r->oom_limit;
	rp->oom_usage = r->oom_usage;
	rp->oom_own_memcg = r->oom_own_memcg;
	rp->oom_cgroup = (char *)r->oom_cgroup;
	if (!r->has_signal)
		return;
	flap_dump__signal_to_pb(&r->sig, &pb->sig);
	pb->sig.n_frames = r->nframes;
	pb->sig.frames = (uint64_t *)r->frames;
	rp->killed_by = &pb->sig;
	rp->tid = r->tid;
	rp->thread_comm.len = strnlen(r->thread_comm, sizeof(r->thread_comm) - 1);
	rp->thread_comm.data = (uint8_t *)r->thread_comm;
	rp->sender_name = (char *)r->sender_name;
}

int flap_dump__reason_from_pb(const Flap__Reason *rs, struct flap_reason *r, const char **why)
{
	int rc;

	copy_str(r->kind, sizeof(r->kind), rs->kind);
	r->signal = rs->signal;
	r->exit_code = rs->exit_code;
	r->pid = rs->pid;
	if (copy_name(r->comm, sizeof(r->comm), &rs->comm)) {
		*why = "command name too long";
		return -EBADMSG;
	}
	copy_str(r->text, sizeof(r->text), rs->text);
	r->time_ns = rs->time_ns;
	r->core = rs->core;
	r->oom_memcg = rs->oom_memcg_id;
	r->oom_limit = rs->oom_limit;
	r->oom_usage = rs->oom_usage;
	r->oom_own_memcg = rs->oom_own_memcg;
	copy_str(r->oom_cgroup, sizeof(r->oom_cgroup), rs->oom_cgroup);
	if (!rs->killed_by)
		return 0;
	rc = signal_from_pb(rs->killed_by, &r->sig, r->frames, why);
	if (rc)
		return rc;
	if (copy_name(r->thread_comm, sizeof(r->thread_comm), &rs->thread_comm)) {
		*why = "thread command name too long";
		return -EBADMSG;
	}
	r->nframes = r->sig.nframes;
	r->sig.frames = NULL;
	r->tid = rs->tid;
	copy_str(r->sender_name, sizeof(r->sender_name), rs->sender_name);
	r->has_signal = true;
	return 0;
}

void flap_reason__set_signal(struct flap_reason *r, const struct flap_event *ev)
{
	const struct flap_signal *s = ev->sig;

	if (!s)
		return;
	r->has_signal = true;
	r->sig = *s;
	r->sig.frames = NULL;
	r->nframes = s->nframes <= FLAP_REASON_FRAMES ? s->nframes : FLAP_REASON_FRAMES;
	if (r->nframes)
		memcpy(r->frames, s->frames, r->nframes * sizeof(r->frames[0]));
	r->tid = ev->tid;
	memcpy(r->thread_comm, ev->comm, sizeof(r->thread_comm));
	r->thread_comm[sizeof(r->thread_comm) - 1] = '\0';
}
