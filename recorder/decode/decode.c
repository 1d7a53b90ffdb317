// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * decode.c - parse recorder blocks (bpf/flap.h) into events and pair them.
 *
 * A block is validated completely before any of its records is used: every
 * record size, argument count, capture header and capture length must fit
 * in what is left of the block and add up exactly. A block that fails is
 * dropped and counted as torn (the oldest block of a ring that the writer
 * had started to overwrite looks like that).
 *
 * Pairing (finish): SYSCALL records written in place on the CPU where the
 * call entered carry their duration and stand alone. An ENTER record (a call
 * spilled from the pending slot, an execve, an exit_group) waits for the
 * next record of the same thread: a SYSCALL of the same number completes it;
 * anything else means its exit was never recorded. rt_sigreturn is the one
 * call whose exit has another number: the kernel sets the restored
 * registers' syscall number to -1, so its exit (65535 in the record, with
 * the interrupted context's registers and return value) completes an
 * rt_sigreturn entry. SIGNAL records stand alone, outside the pairing (a
 * sent signal arrives while its target may be in a call); signals.c then
 * says what they mean together.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flap.h"
#include "decode.h"
#include "signals.h"
#include "syscalls.h"
#include "trace.h"

/* The syscall number of a SYSCALL record written after rt_sigreturn: the
 * kernel's -1 in 16 bits. */
#define NR_AFTER_SIGRETURN 0xffff

/* One parsed record before pairing. */
struct rec {
	struct flap_event ev;
	__u64 key;   /* ENTER: entry time; SYSCALL: exit time (entry with TS_ENTER) */
	__u64 order; /* tie-break: CPU, block sequence, index */
	__u8 type;
	__u8 rflags; /* FLAP_REC_F_* */
};

struct thread_info {
	__u32 tid; /* 0 = empty slot */
	__u32 tgid;
	char comm[FLAP_COMM_LEN];
};

struct flap_decoder {
	struct flap_trace *t;
	struct rec *recs;
	size_t nrecs, cap;
	/* tid -> tgid, comm from every THREAD record seen (open addressing) */
	struct thread_info *threads;
	size_t nthreads, tcap;
	/* THREAD records of the block being walked, in order: they name the
	 * records that follow them (a thread renamed by exec is named again) */
	struct thread_info *blk;
	size_t nblk, blkcap;
};

int flap_decoder__new(struct flap_trace *t, struct flap_decoder **out)
{
	struct flap_decoder *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->t = t;
	*out = d;
	return 0;
}

void flap_decoder__free(struct flap_decoder *d)
{
	if (!d)
		return;
	free(d->recs);
	free(d->threads);
	free(d->blk);
	free(d);
}

static struct thread_info *thread_slot(struct thread_info *tab, size_t cap, __u32 tid)
{
	size_t i = (tid * 2654435761u) & (cap - 1);

	while (tab[i].tid && tab[i].tid != tid)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int thread_put(struct flap_decoder *d, __u32 tid, __u32 tgid, const char *comm)
{
	struct thread_info *ti;
	size_t i;

	if (!tid)
		return 0;
	if ((d->nthreads + 1) * 2 > d->tcap) {
		size_t cap = d->tcap ? d->tcap * 2 : 64;
		struct thread_info *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (i = 0; i < d->tcap; i++)
			if (d->threads[i].tid)
				*thread_slot(tab, cap, d->threads[i].tid) = d->threads[i];
		free(d->threads);
		d->threads = tab;
		d->tcap = cap;
	}
	ti = thread_slot(d->threads, d->tcap, tid);
	if (!ti->tid)
		d->nthreads++;
	ti->tid = tid;
	ti->tgid = tgid;
	memcpy(ti->comm, comm, FLAP_COMM_LEN);
	ti->comm[FLAP_COMM_LEN - 1] = '\0';
	return 0;
}

static const struct thread_info *thread_get(const struct flap_decoder *d, __u32 tid)
{
	const struct thread_info *ti;

	if (!d->tcap || !tid)
		return NULL;
	ti = thread_slot(d->threads, d->tcap, tid);
	return ti->tid ? ti : NULL;
}

/* Remembers a THREAD record of the block being walked. */
static int blk_put(struct flap_decoder *d, const struct flap_rec_thread *t)
{
	struct thread_info *ti;

	if (d->nblk == d->blkcap) {
		size_t cap = d->blkcap ? d->blkcap * 2 : 32;

		ti = realloc(d->blk, cap * sizeof(*ti));
		if (!ti)
			return -ENOMEM;
		d->blk = ti;
		d->blkcap = cap;
	}
	ti = &d->blk[d->nblk++];
	ti->tid = t->tid;
	ti->tgid = t->tgid;
	memcpy(ti->comm, t->comm, FLAP_COMM_LEN);
	ti->comm[FLAP_COMM_LEN - 1] = '\0';
	return 0;
}

/* Names @ev after the latest THREAD record of its thread so far in the block. */
static void blk_name(const struct flap_decoder *d, struct flap_event *ev)
{
	size_t i;

	for (i = d->nblk; i-- > 0;)
		if (d->blk[i].tid == ev->tid) {
			if (!ev->tgid)
				ev->tgid = d->blk[i].tgid;
			memcpy(ev->comm, d->blk[i].comm, sizeof(ev->comm));
			return;
		}
}

static struct rec *push_rec(struct flap_decoder *d)
{
	struct rec *r;

	if (d->nrecs == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;

		r = realloc(d->recs, cap * sizeof(*r));
		if (!r)
			return NULL;
		d->recs = r;
		d->cap = cap;
	}
	r = &d->recs[d->nrecs++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* Reads a value stored in 4 (sign-extended) or 8 bytes. */
static __u64 get_val(const __u8 *p, bool wide)
{
	__s32 v32;
	__u64 v64;

	if (wide) {
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return (__u64)(__s64)v32;
}

/*
 * Parses the variable part of an ENTER or SYSCALL record: [ret], args,
 * captures. With @ev NULL only checks that it is exactly @len bytes.
 * Return: 0, or -EBADMSG.
 */
static int parse_body(struct flap_decoder *d, const __u8 *p, size_t len, bool with_ret,
		      __u8 nargs_byte, __u8 wide, struct flap_event *ev)
{
	unsigned int nargs = nargs_byte & 0xf, ncaps = nargs_byte >> 4, i;
	size_t pos = 0, w;

	if (nargs > 6 || ncaps > FLAP_EV_MAX_CAPS)
		return -EBADMSG;
	if (with_ret) {
		w = wide & 0x80 ? 8 : 4;
		if (pos + w > len)
			return -EBADMSG;
		if (ev) {
			ev->ret = (__s64)get_val(p + pos, w == 8);
			ev->flags |= FLAP_EV_F_HAS_RET;
		}
		pos += w;
	}
	for (i = 0; i < nargs; i++) {
		w = wide & (1u << i) ? 8 : 4;
		if (pos + w > len)
			return -EBADMSG;
		if (ev)
			ev->args[i] = get_val(p + pos, w == 8);
		pos += w;
	}
	if (ev)
		ev->nargs = nargs;
	for (i = 0; i < ncaps; i++) {
		struct flap_cap_hdr c;

		if (pos + sizeof(c) > len)
			return -EBADMSG;
		memcpy(&c, p + pos, sizeof(c));
		pos += sizeof(c);
		if (c.arg >= 6 || c.len > len - pos)
			return -EBADMSG;
		if (ev) {
			ev->caps[i].arg = c.arg;
			ev->caps[i].flags = c.flags & FLAP_CAP_F_ALL;
			ev->caps[i].len = c.len;
			ev->caps[i].data = flap_trace__copy_bytes(d->t, p + pos, c.len);
			if (!ev->caps[i].data)
				return -ENOMEM;
		}
		pos += c.len;
	}
	if (ev)
		ev->ncaps = ncaps;
	return pos == len ? 0 : -EBADMSG;
}

/*
 * The body of a SYSCALL or ENTER record: @len bytes at @p after its fixed
 * part (the caller checked that the record holds that part). Pass 0 only
 * validates; pass 1 appends a record, parses the body into its event and
 * sets *@out to it (the caller fills in the fixed part's fields).
 */
static int parse_call(struct flap_decoder *d, const __u8 *p, size_t len, bool with_ret,
		      __u8 nargs_byte, __u8 wide, int pass, struct rec **out)
{
	struct rec *r;

	*out = NULL;
	if (pass == 0)
		return parse_body(d, p, len, with_ret, nargs_byte, wide, NULL);
	r = push_rec(d);
	if (!r)
		return -ENOMEM;
	*out = r;
	return parse_body(d, p, len, with_ret, nargs_byte, wide, &r->ev);
}

/*
 * The build-id frames and the stack bytes after a fault's ips, at *@pos of
 * the @len-byte record @p: checked, the ids converted into @ids, *@pos moved
 * past the ids. Return: 0, or -EBADMSG.
 */
static int parse_frame_ids(const __u8 *p, size_t len, size_t *pos, const struct flap_sig_fault *f,
			   struct flap_frame_id *ids)
{
	struct flap_sig_frame_id id;
	unsigned int i;

	if (f->nids > FLAP_STACK_MAX || f->stack_len > FLAP_STACK_BYTES ||
	    (len - *pos) / sizeof(id) < f->nids)
		return -EBADMSG;
	for (i = 0; i < f->nids; i++) {
		memcpy(&id, p + *pos, sizeof(id));
		*pos += sizeof(id);
		memset(&ids[i], 0, sizeof(ids[i]));
		memcpy(ids[i].build_id, id.build_id, sizeof(ids[i].build_id));
		ids[i].status = id.status >= 0 && id.status <= FLAP_FRAME_IP ? id.status : 0;
		ids[i].offset = id.offset;
	}
	return len - *pos < f->stack_len ? -EBADMSG : 0;
}

/*
 * A SIGNAL record of @len bytes at @p (its header checked by the caller).
 * Pass 0 validates its parts; pass 1 appends its event.
 */
static int parse_signal(struct flap_decoder *d, const __u8 *p, size_t len, __u8 flags,
			const struct flap_block_hdr *bh, int pass, struct rec **out)
{
	struct flap_frame_id ids[FLAP_STACK_MAX];
	__u64 frames[FLAP_STACK_MAX];
	struct flap_sig_sender snd;
	struct flap_rec_signal rs;
	struct flap_sig_fault f;
	struct flap_signal sig;
	size_t pos = sizeof(rs);
	struct rec *r;

	*out = NULL;
	if (len < sizeof(rs))
		return -EBADMSG;
	memcpy(&rs, p, sizeof(rs));
	memset(&sig, 0, sizeof(sig));
	if (flags & FLAP_SIG_F_SENT) {
		if (len - pos < sizeof(snd))
			return -EBADMSG;
		memcpy(&snd, p + pos, sizeof(snd));
		pos += sizeof(snd);
		sig.sender_cgid = snd.cgid;
		sig.sender_tid = snd.tid;
		sig.sender_tgid = snd.tgid;
		sig.sender_uid = snd.uid;
		memcpy(sig.sender_comm, snd.comm, sizeof(sig.sender_comm));
		sig.sender_comm[sizeof(sig.sender_comm) - 1] = '\0';
		sig.flags |= FLAP_SIG_SENT;
	}
	if (flags & FLAP_SIG_F_FAULT) {
		if (len - pos < sizeof(f))
			return -EBADMSG;
		memcpy(&f, p + pos, sizeof(f));
		pos += sizeof(f);
		if (f.nframes > FLAP_STACK_MAX || len - pos < f.nframes * 8u)
			return -EBADMSG;
		memcpy(frames, p + pos, f.nframes * 8u);
		pos += f.nframes * 8u;
		if (parse_frame_ids(p, len, &pos, &f, ids) < 0)
			return -EBADMSG;
		sig.ids = ids;
		sig.nids = f.nids;
		sig.stack = p + pos;
		sig.stack_len = f.stack_len;
		pos += f.stack_len;
		sig.ip = f.ip;
		sig.sp = f.sp;
		sig.bp = f.bp;
		sig.start_code = f.start_code;
		sig.nframes = f.nframes;
		sig.frames = frames;
		sig.flags |= FLAP_SIG_FAULT;
	}
	if (pos != len)
		return -EBADMSG;
	if (pass == 0)
		return 0;
	if (flags & FLAP_SIG_F_NOINFO)
		sig.flags |= FLAP_SIG_NOINFO;
	if (flags & FLAP_SIG_F_PRIV)
		sig.flags |= FLAP_SIG_PRIV;
	sig.sig = rs.sig;
	sig.result = rs.result & 0xff;
	sig.group = (rs.result >> 8) & 1;
	sig.handler = rs.handler;
	sig.sa_flags = rs.sa_flags;
	sig.mask = rs.mask;
	sig.sigflags = rs.sigflags;
	memcpy(sig.info, rs.info, sizeof(sig.info));
	r = push_rec(d);
	if (!r)
		return -ENOMEM;
	*out = r;
	r->ev.sig = flap_trace__copy_signal(d->t, &sig);
	if (!r->ev.sig)
		return -ENOMEM;
	r->ev.tid = rs.tid;
	r->ev.tgid = rs.tgid;
	r->ev.nr = FLAP_EV_NR_SIGNAL;
	r->ev.ts = bh->base_ts + rs.ts_delta;
	r->ev.flags = FLAP_EV_F_HAS_ENTER;
	r->key = r->ev.ts;
	return 0;
}

/*
 * Walks the records of a block. Pass 0 validates; pass 1 (only after pass
 * 0 succeeded) collects the THREAD records and creates the events.
 */
static int walk_block(struct flap_decoder *d, int cpu, const struct flap_block_hdr *bh,
		      const __u8 *data, int pass)
{
	size_t off = 0, idx = 0;
	int nevents = 0, err;

	d->nblk = 0;
	while (off < bh->used) {
		struct flap_rec_hdr h;
		const __u8 *p = data + off;
		struct rec *r;

		if (bh->used - off < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		if (h.size < sizeof(h) || h.size > bh->used - off)
			return -EBADMSG;
		if (h.type == FLAP_REC_THREAD) {
			struct flap_rec_thread t;

			if (h.size < sizeof(t))
				return -EBADMSG;
			memcpy(&t, p, sizeof(t));
			/* Only a block that parsed whole may name threads. */
			if (pass == 1 && (thread_put(d, t.tid, t.tgid, t.comm) || blk_put(d, &t)))
				return -ENOMEM;
		} else if (h.type == FLAP_REC_SYSCALL) {
			struct flap_rec_syscall s;

			if (h.size < sizeof(s))
				return -EBADMSG;
			memcpy(&s, p, sizeof(s));
			err = parse_call(d, p + sizeof(s), h.size - sizeof(s), true, s.nargs,
					 s.wide, pass, &r);
			if (err)
				return err;
			if (pass == 1) {
				r->ev.tid = s.tid;
				r->ev.nr = s.nr;
				r->ev.exit_ts = bh->base_ts + s.ts_delta;
				r->ev.dur_ns =
					h.flags & FLAP_REC_F_DUR_US ? (__u64)s.dur * 1000 : s.dur;
				r->key = r->ev.exit_ts;
			}
			nevents++;
		} else if (h.type == FLAP_REC_ENTER) {
			struct flap_rec_enter e;

			if (h.size < sizeof(e))
				return -EBADMSG;
			memcpy(&e, p, sizeof(e));
			err = parse_call(d, p + sizeof(e), h.size - sizeof(e), false, e.nargs,
					 e.wide, pass, &r);
			if (err)
				return err;
			if (pass == 1) {
				r->ev.tid = e.tid;
				r->ev.tgid = e.tgid;
				r->ev.nr = e.nr;
				r->ev.ts = e.ts;
				r->key = e.ts;
			}
			nevents++;
		} else if (h.type == FLAP_REC_SIGNAL) {
			err = parse_signal(d, p, h.size, h.flags, bh, pass, &r);
			if (err)
				return err;
			nevents++;
		} else {
			return -EBADMSG;
		}
		if (pass == 1 && h.type != FLAP_REC_THREAD) {
			r = &d->recs[d->nrecs - 1];
			r->type = h.type;
			r->rflags = h.flags;
			blk_name(d, &r->ev);
			r->ev.cpu = cpu;
			r->order = ((__u64)cpu << 56) | ((bh->seq & 0xffffffffffULL) << 16) | idx;
		}
		off += h.size;
		idx++;
	}
	return nevents;
}

int flap_decoder__add_block(struct flap_decoder *d, int cpu, const void *data, size_t len)
{
	struct flap_cpu_counts *cnt = cpu >= 0 && cpu < d->t->ncpus ? &d->t->cpus[cpu] : NULL;
	struct flap_block_hdr bh;
	size_t nrecs = d->nrecs;
	int n;

	if (len < sizeof(bh))
		goto bad;
	memcpy(&bh, data, sizeof(bh));
	if (bh.magic != FLAP_BLOCK_MAGIC || bh.used > len - sizeof(bh) ||
	    bh.used > FLAP_BLOCK_DATA + FLAP_STAGE_SLACK)
		goto bad;
	n = walk_block(d, cpu, &bh, (const __u8 *)data + sizeof(bh), 0);
	if (n < 0)
		goto bad;
	if ((__u32)n != bh.nrec)
		goto bad;
	n = walk_block(d, cpu, &bh, (const __u8 *)data + sizeof(bh), 1);
	if (n < 0) {
		d->nrecs = nrecs;
		return n;
	}
	if (cnt)
		cnt->held += n;
	return n;
bad:
	if (cnt)
		cnt->torn++;
	return -EBADMSG;
}

int flap_decoder__add_pending(struct flap_decoder *d, int cpu, const struct flap_pending *p)
{
	const struct flap_syscall *sc;
	struct rec *r;
	int i;

	if (p->valid != 1)
		return 0;
	r = push_rec(d);
	if (!r)
		return -ENOMEM;
	sc = flap_syscall__by_nr(p->nr);
	r->type = FLAP_REC_ENTER;
	r->rflags = FLAP_REC_F_SPILLED;
	r->ev.tid = p->tid;
	r->ev.tgid = p->tgid;
	r->ev.nr = p->nr;
	r->ev.ts = p->ts;
	r->ev.cpu = cpu;
	r->ev.nargs = sc ? sc->nargs : 6;
	for (i = 0; i < 6; i++)
		r->ev.args[i] = p->args[i];
	r->key = p->ts;
	r->order = ((__u64)cpu << 56) | 0xffffffffffffULL;
	/* Held, though in no block: counted, so shown never exceeds held. */
	if (cpu >= 0 && cpu < d->t->ncpus)
		d->t->cpus[cpu].held++;
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

static bool is_exec(__u32 nr)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(nr);

	return sc && (!strcmp(sc->name, "execve") || !strcmp(sc->name, "execveat"));
}

static bool is_noreturn(__u32 nr)
{
	const struct flap_syscall *sc = flap_syscall__by_nr(nr);

	return sc && FLAP_SC_IS_NORETURN(sc->kinds);
}

/* Turns a parsed record into its final event (before pairing). */
static void settle(struct rec *r)
{
	struct flap_event *ev = &r->ev;

	if (r->type == FLAP_REC_SIGNAL)
		return;
	if (r->rflags & FLAP_REC_F_CAPS_DROPPED)
		ev->flags |= FLAP_EV_F_CAPS_DROPPED;
	if (r->type == FLAP_REC_ENTER) {
		/* exit/exit_group do not return: "= ?", not unfinished. */
		ev->flags |= FLAP_EV_F_HAS_ENTER |
			     (is_noreturn(ev->nr) ? FLAP_EV_F_NORETURN : FLAP_EV_F_UNFINISHED);
		return;
	}
	if (r->rflags & FLAP_REC_F_NO_ARGS)
		ev->flags |= FLAP_EV_F_NO_ARGS;
	if (r->rflags & (FLAP_REC_F_TS_ENTER | FLAP_REC_F_NO_ENTER)) {
		/* One time: the entry's (TS_ENTER: the call returned within that
		 * tick), or the exit's. */
		ev->ts = ev->exit_ts;
		ev->dur_ns = 0;
		if (r->rflags & FLAP_REC_F_TS_ENTER)
			ev->flags |= FLAP_EV_F_HAS_ENTER | FLAP_EV_F_DUR_SHORT;
	} else {
		ev->ts = ev->exit_ts - ev->dur_ns;
		ev->flags |= FLAP_EV_F_HAS_DUR | FLAP_EV_F_HAS_ENTER;
	}
}

/*
 * A spilled entry's length at entry (FLAP_CAP_F_INLEN, the capture of 4
 * bytes put_body() wrote for it) before the exit's capture of the same
 * argument, which lacks it: one capture as an exit paired in place has.
 */
static void merge_inlen(struct flap_trace *t, struct flap_event *e, const struct flap_cap *in)
{
	__u8 buf[8 + FLAP_SOCKADDR_MAX];
	struct flap_cap *c;
	const __u8 *data;
	int i;

	if (!(in->flags & FLAP_EVCAP_F_INLEN) || in->len != 4)
		return;
	for (i = 0; i < e->ncaps; i++) {
		c = &e->caps[i];
		if (c->arg != in->arg || (c->flags & (FLAP_EVCAP_F_INLEN | FLAP_EVCAP_F_FAULT)) ||
		    c->len > sizeof(buf) - 4)
			continue;
		memcpy(buf, in->data, 4);
		memcpy(buf + 4, c->data, c->len);
		data = flap_trace__copy_bytes(t, buf, 4 + c->len);
		if (!data)
			return; /* out of memory: the length stored only */
		c->data = data;
		c->len += 4;
		c->flags |= FLAP_EVCAP_F_INLEN;
		return;
	}
	/* The call failed: no capture at exit, the length given only. */
	if (e->ncaps < FLAP_EV_MAX_CAPS)
		e->caps[e->ncaps++] = *in;
}

/* Completes the entry @e with its exit @x (same thread, same number). */
static void pair(struct flap_trace *t, struct flap_event *e, const struct rec *x)
{
	const struct flap_event *xe = &x->ev;
	struct flap_cap in = {0};
	int i;

	e->exit_ts = xe->exit_ts;
	e->ret = xe->ret;
	e->flags &= ~(FLAP_EV_F_UNFINISHED | FLAP_EV_F_NORETURN);
	e->flags |= FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR;
	e->dur_ns = !(x->rflags & FLAP_REC_F_NO_ENTER) ? xe->dur_ns : xe->exit_ts - e->ts;
	if (!(x->rflags & FLAP_REC_F_NO_ARGS)) {
		e->nargs = xe->nargs;
		for (i = 0; i < 6; i++)
			e->args[i] = xe->args[i];
	}
	/* The exit's captures hold the read side; the entry's are kept
	 * otherwise, and so is a spilled entry's length at entry. */
	if (xe->ncaps) {
		for (i = 0; i < e->ncaps; i++)
			if (e->caps[i].flags & FLAP_EVCAP_F_INLEN)
				in = e->caps[i];
		e->ncaps = xe->ncaps;
		for (i = 0; i < FLAP_EV_MAX_CAPS; i++)
			e->caps[i] = xe->caps[i];
		if (in.data)
			merge_inlen(t, e, &in);
	}
	e->flags |= xe->flags & FLAP_EV_F_CAPS_DROPPED;
	e->cpu = xe->cpu;
}

/* Events of a thread after its exec that are still looked at for a stale name. */
#define EXEC_RENAME_WINDOW 16384

/*
 * The end of the events of @ex's thread after its exec at @i (the next exec
 * or the window), and the new name (the first name after it that differs
 * from @old) in @name. Return: false when no event has a new name.
 */
static bool exec_span(const struct flap_trace *t, size_t i, const char *old, char *name,
		      size_t *end)
{
	const struct flap_event *ex = &t->events[i], *ev;
	size_t k, lim = i + EXEC_RENAME_WINDOW < t->nevents ? i + EXEC_RENAME_WINDOW : t->nevents;
	bool found = false;

	for (k = i + 1; k < lim; k++) {
		ev = &t->events[k];
		if (ev->tid != ex->tid)
			continue;
		if (!ev->sig && is_exec(ev->nr))
			break;
		if (!found && ev->comm[0] && memcmp(ev->comm, old, FLAP_EV_COMM_LEN)) {
			memcpy(name, ev->comm, FLAP_EV_COMM_LEN);
			found = true;
		}
	}
	*end = k;
	return found;
}

/*
 * After a successful exec, the block of another CPU may still name the
 * thread by its old command (a THREAD record written there before the
 * exec, still in that CPU's block): events of the thread after the exec
 * that carry the old name get the new one (the exec itself keeps the
 * caller's).
 */
static void rename_after_exec(struct flap_trace *t)
{
	char old[FLAP_EV_COMM_LEN], name[FLAP_EV_COMM_LEN];
	const struct flap_event *ex;
	size_t i, k, end;

	for (i = 0; i < t->nevents; i++) {
		ex = &t->events[i];
		if (ex->sig || !is_exec(ex->nr) || !(ex->flags & FLAP_EV_F_HAS_RET) || ex->ret)
			continue;
		/* The caller's name: its last event's before the exec, else the exec's. */
		memcpy(old, ex->comm, sizeof(old));
		for (k = i; k-- > 0 && i - k <= EXEC_RENAME_WINDOW;)
			if (t->events[k].tid == ex->tid) {
				memcpy(old, t->events[k].comm, sizeof(old));
				break;
			}
		if (!old[0] || !exec_span(t, i, old, name, &end))
			continue;
		for (k = i + 1; k < end; k++) {
			struct flap_event *ev = &t->events[k];

			if (ev->tid == ex->tid && !memcmp(ev->comm, old, sizeof(old)))
				memcpy(ev->comm, name, sizeof(ev->comm));
		}
	}
}

static int emit(struct flap_decoder *d, const struct flap_event *ev)
{
	const struct thread_info *ti = thread_get(d, ev->tid);
	struct flap_event *out = flap_trace__push(d->t);

	if (!out)
		return -ENOMEM;
	*out = *ev;
	/* Events named by their own block keep that name; the others (a call
	 * spilled by another thread, a pending slot) get the thread's last. */
	if (ti) {
		if (!out->tgid)
			out->tgid = ti->tgid;
		if (!out->comm[0])
			memcpy(out->comm, ti->comm, sizeof(out->comm));
	}
	if (!out->tgid)
		out->tgid = out->tid;
	return 0;
}

/* Index of the open entry of each thread: a small open-addressing map. */
struct open_map {
	__u32 *tid;
	size_t *idx;
	size_t cap;
};

static size_t *open_find(struct open_map *m, __u32 tid, bool create)
{
	size_t i = (tid * 2654435761u) & (m->cap - 1);

	while (m->tid[i] && m->tid[i] != tid)
		i = (i + 1) & (m->cap - 1);
	if (!m->tid[i]) {
		if (!create)
			return NULL;
		m->tid[i] = tid;
		m->idx[i] = (size_t)-1;
	}
	return &m->idx[i];
}

/*
 * The exit after an rt_sigreturn (number -1, registers of the interrupted
 * context): the call is rt_sigreturn, its arguments (none) are not these
 * registers. Return: whether @r is one.
 */
static bool sigreturn_exit(struct rec *r, int nr_sigreturn)
{
	if (r->type != FLAP_REC_SYSCALL || !(r->rflags & FLAP_REC_F_NO_ENTER) ||
	    r->ev.nr != NR_AFTER_SIGRETURN || nr_sigreturn < 0)
		return false;
	r->rflags |= FLAP_REC_F_NO_ARGS;
	r->ev.nr = nr_sigreturn;
	r->ev.nargs = 0;
	r->ev.ncaps = 0;
	memset(r->ev.args, 0, sizeof(r->ev.args));
	return true;
}

int flap_decoder__finish(struct flap_decoder *d)
{
	const struct flap_syscall *sc = flap_syscall__by_name("rt_sigreturn");
	int nr_sigreturn = sc ? sc->nr : -1;
	struct open_map m = {};
	size_t i, *slot;
	int err = 0;

	m.cap = 64;
	while (m.cap < d->nrecs * 2 + 2)
		m.cap *= 2;
	m.tid = calloc(m.cap, sizeof(*m.tid));
	m.idx = calloc(m.cap, sizeof(*m.idx));
	if (!m.tid || !m.idx) {
		err = -ENOMEM;
		goto out;
	}
	/* No record, no array: qsort(NULL, 0) is undefined (found by fuzz_decode). */
	if (d->nrecs > 1)
		qsort(d->recs, d->nrecs, sizeof(d->recs[0]), cmp_rec);
	for (i = 0; i < d->nrecs; i++) {
		struct rec *r = &d->recs[i];

		settle(r);
		if (r->type == FLAP_REC_SIGNAL) {
			err = emit(d, &r->ev);
			if (err)
				goto out;
			continue;
		}
		slot = open_find(&m, r->ev.tid, true);
		if (*slot != (size_t)-1) {
			struct rec *open = &d->recs[*slot];

			if (open->ev.nr == (__u32)nr_sigreturn && sigreturn_exit(r, nr_sigreturn)) {
				pair(d->t, &open->ev, r);
				err = emit(d, &open->ev);
				*slot = (size_t)-1;
				if (err)
					goto out;
				continue;
			}
			if (r->type == FLAP_REC_SYSCALL &&
			    (r->rflags & (FLAP_REC_F_NO_ENTER | FLAP_REC_F_NO_ARGS)) &&
			    open->ev.nr == r->ev.nr) {
				pair(d->t, &open->ev, r);
				err = emit(d, &open->ev);
				*slot = (size_t)-1;
				if (err)
					goto out;
				continue;
			}
			/* The thread went on: the open call's exit is not in the
			 * history, and the call is not running any more. */
			if (!(open->ev.flags & FLAP_EV_F_NORETURN)) {
				open->ev.flags &= ~FLAP_EV_F_UNFINISHED;
				open->ev.flags |= FLAP_EV_F_EXIT_LOST;
			}
			err = emit(d, &open->ev);
			*slot = (size_t)-1;
			if (err)
				goto out;
		}
		if (r->type == FLAP_REC_ENTER) {
			*slot = i;
			continue;
		}
		/* Its entry is not in the history: still an rt_sigreturn. */
		sigreturn_exit(r, nr_sigreturn);
		err = emit(d, &r->ev);
		if (err)
			goto out;
	}
	/* Calls still open at the end of the history are unfinished. */
	for (i = 0; i < m.cap; i++)
		if (m.tid[i] && m.idx[i] != (size_t)-1) {
			err = emit(d, &d->recs[m.idx[i]].ev);
			if (err)
				goto out;
		}
	flap_trace__sort(d->t);
	rename_after_exec(d->t);
	err = flap_signals__settle(d->t);
out:
	free(m.tid);
	free(m.idx);
	return err;
}
