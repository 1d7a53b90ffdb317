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
_Static_assert(FLAP_SIG_STACK_BYTES == FLAP_STACK_BYTES, "and the recorded stack bytes");

/* Copies @src (NULL: "") into @dst of @size bytes, truncating. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

int flap_dump__copy_name(char *dst, size_t size, const ProtobufCBinaryData *b)
{
	if (b->len >= size)
		return -EBADMSG;
	memset(dst, 0, size);
	if (b->len)
		memcpy(dst, b->data, b->len);
	return 0;
}

/* The frame ids @ids into @pb's storage. */
static void ids_to_pb(const struct flap_frame_id *ids, unsigned int n, struct flap_signal_pb *spb)
{
	unsigned int i;

	if (n > FLAP_STACK_MAX)
		n = FLAP_STACK_MAX;
	for (i = 0; i < n; i++) {
		flap__frame_id__init(&spb->ids[i]);
		spb->ids[i].status = ids[i].status;
		spb->ids[i].build_id.len = sizeof(ids[i].build_id);
		spb->ids[i].build_id.data = (uint8_t *)ids[i].build_id;
		spb->ids[i].offset = ids[i].offset;
		spb->idp[i] = &spb->ids[i];
	}
	spb->sig.n_ids = n;
	spb->sig.ids = spb->idp;
}

void flap_dump__signal_to_pb(const struct flap_signal *s, struct flap_signal_pb *spb)
{
	Flap__Signal *pb = &spb->sig;

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
	pb->start_code = s->start_code;
	pb->n_frames = s->nframes;
	pb->frames = (uint64_t *)s->frames;
	ids_to_pb(s->ids, s->ids ? s->nids : 0, spb);
	pb->stack.len = s->stack ? s->stack_len : 0;
	pb->stack.data = (uint8_t *)s->stack;
	if (!s->frames)
		pb->n_frames = 0;
}

/* The frame ids of @pb into @ids; checks their counts and lengths. */
static int ids_from_pb(const Flap__Signal *pb, struct flap_frame_id *ids, const char **why)
{
	size_t i;

	if (pb->n_ids > FLAP_STACK_MAX) {
		*why = "more frame ids than recorded";
		return -EBADMSG;
	}
	for (i = 0; i < pb->n_ids; i++) {
		const Flap__FrameId *f = pb->ids[i];

		if (f->build_id.len > sizeof(ids[i].build_id) || f->status > FLAP_FRAME_IP) {
			*why = "a frame id with a bad build-id or status";
			return -EBADMSG;
		}
		memset(&ids[i], 0, sizeof(ids[i]));
		if (f->build_id.len)
			memcpy(ids[i].build_id, f->build_id.data, f->build_id.len);
		ids[i].status = f->status;
		ids[i].offset = f->offset;
	}
	return 0;
}

/*
 * The fields of @pb into @s (its frames into @frames, its ids into @ids,
 * its stack bytes into @stack); checks every length.
 */
static int signal_from_pb(const Flap__Signal *pb, struct flap_signal *s, __u64 *frames,
			  struct flap_frame_id *ids, __u8 *stack, const char **why)
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
	if (pb->stack.len > FLAP_SIG_STACK_BYTES) {
		*why = "more stack bytes than recorded";
		return -EBADMSG;
	}
	if (ids_from_pb(pb, ids, why))
		return -EBADMSG;
	if (pb->stack.len)
		memcpy(stack, pb->stack.data, pb->stack.len);
	memcpy(s->info, pb->info.data, sizeof(s->info));
	flap_dump__copy_name(s->sender_comm, sizeof(s->sender_comm), &pb->sender_comm);
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
	s->start_code = pb->start_code;
	s->nframes = pb->n_frames;
	s->frames = frames;
	s->nids = pb->n_ids;
	s->ids = ids;
	s->stack_len = pb->stack.len;
	s->stack = stack;
	return 0;
}

int flap_dump__signal_from_pb(struct flap_trace *t, const Flap__Signal *pb,
			      const struct flap_signal **out, const char **why)
{
	struct flap_frame_id ids[FLAP_STACK_MAX];
	__u8 stack[FLAP_SIG_STACK_BYTES];
	__u64 frames[FLAP_STACK_MAX];
	struct flap_signal s;
	int rc;

	rc = signal_from_pb(pb, &s, frames, ids, stack, why);
	if (rc)
		return rc;
	*out = flap_trace__copy_signal(t, &s);
	if (!*out) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

/* The symbolized stack of @r into @pb's storage. */
static void frames_to_pb(const struct flap_reason *r, struct flap_reason_pb *pb)
{
	unsigned int i, n = r->nsyms < FLAP_REASON_STACK ? r->nsyms : FLAP_REASON_STACK;

	for (i = 0; i < n; i++) {
		const struct flap_stack_frame *f = &r->syms[i];
		Flap__Frame *fp = &pb->frames[i];

		flap__frame__init(fp);
		fp->addr = f->addr;
		fp->symbol = (char *)f->symbol;
		fp->symbol_offset = f->sym_off;
		fp->path = (char *)f->path;
		fp->how = f->how;
		if (f->has_build_id) {
			fp->build_id.len = sizeof(f->build_id);
			fp->build_id.data = (uint8_t *)f->build_id;
		}
		fp->file_offset = f->file_offset;
		pb->framep[i] = fp;
	}
	pb->reason.n_stack = n;
	pb->reason.stack = pb->framep;
}

/* The symbolized stack of @rs into @r; checks counts and lengths. */
static int frames_from_pb(const Flap__Reason *rs, struct flap_reason *r, const char **why)
{
	size_t i;

	if (rs->n_stack > FLAP_REASON_STACK) {
		*why = "a stack of more frames than a dump keeps";
		return -EBADMSG;
	}
	for (i = 0; i < rs->n_stack; i++) {
		const Flap__Frame *fp = rs->stack[i];
		struct flap_stack_frame *f = &r->syms[i];

		if (fp->build_id.len && fp->build_id.len != sizeof(f->build_id)) {
			*why = "a frame with a build-id of another size";
			return -EBADMSG;
		}
		memset(f, 0, sizeof(*f));
		f->addr = fp->addr;
		copy_str(f->symbol, sizeof(f->symbol), fp->symbol);
		f->sym_off = fp->symbol_offset;
		copy_str(f->path, sizeof(f->path), fp->path);
		f->how = fp->how <= FLAP_FRAME_CFI ? fp->how : FLAP_FRAME_SCAN;
		f->has_build_id = fp->build_id.len != 0;
		if (f->has_build_id)
			memcpy(f->build_id, fp->build_id.data, sizeof(f->build_id));
		f->file_offset = fp->file_offset;
	}
	r->nsyms = rs->n_stack;
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
	pb->sig.sig.n_frames = r->nframes;
	pb->sig.sig.frames = (uint64_t *)r->frames;
	ids_to_pb(r->ids, r->nids, &pb->sig);
	pb->sig.sig.stack.len = r->stack_len;
	pb->sig.sig.stack.data = (uint8_t *)r->stack;
	rp->killed_by = &pb->sig.sig;
	frames_to_pb(r, pb);
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
	if (flap_dump__copy_name(r->comm, sizeof(r->comm), &rs->comm)) {
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
	rc = signal_from_pb(rs->killed_by, &r->sig, r->frames, r->ids, r->stack, why);
	if (!rc)
		rc = frames_from_pb(rs, r, why);
	if (rc)
		return rc;
	if (flap_dump__copy_name(r->thread_comm, sizeof(r->thread_comm), &rs->thread_comm)) {
		*why = "thread command name too long";
		return -EBADMSG;
	}
	r->nframes = r->sig.nframes;
	r->nids = r->sig.nids;
	r->stack_len = r->sig.stack_len;
	r->sig.frames = NULL;
	r->sig.ids = NULL;
	r->sig.stack = NULL;
	r->sig.nframes = r->sig.nids = r->sig.stack_len = 0;
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
	r->sig.ids = NULL;
	r->sig.stack = NULL;
	r->sig.nframes = r->sig.nids = r->sig.stack_len = 0;
	r->nframes = s->nframes <= FLAP_REASON_FRAMES ? s->nframes : FLAP_REASON_FRAMES;
	if (r->nframes)
		memcpy(r->frames, s->frames, r->nframes * sizeof(r->frames[0]));
	r->nids = s->nids <= FLAP_REASON_FRAMES ? s->nids : FLAP_REASON_FRAMES;
	if (r->nids)
		memcpy(r->ids, s->ids, r->nids * sizeof(r->ids[0]));
	r->stack_len = s->stack_len <= sizeof(r->stack) ? s->stack_len : sizeof(r->stack);
	if (r->stack_len)
		memcpy(r->stack, s->stack, r->stack_len);
	r->tid = ev->tid;
	memcpy(r->thread_comm, ev->comm, sizeof(r->thread_comm));
	r->thread_comm[sizeof(r->thread_comm) - 1] = '\0';
}
