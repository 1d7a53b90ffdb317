// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_decode.c - the block decoder on blocks built by hand, byte for byte
 * as bpf/record.bpf.c writes them: inline SYSCALL records with 4- and 8-byte
 * values, captures (string, truncated, fault), ENTER records paired with
 * their exit across CPUs, execve, exit_group, lost exits, pending slots,
 * THREAD records. Then corrupt input: every truncation of a valid block
 * and each kind of bad length, count or type must be refused whole
 * (-EBADMSG), counted as one torn block, and add no event and no name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <linux/types.h>

#include "flap.h"
#include "decode.h"
#include "test.h"
#include "trace.h"

#define NCPUS 2
#define BASE  1000000000000ULL /* a block's base_ts */

/* A block under construction. */
struct bb {
	__u8 buf[sizeof(struct flap_block_hdr) + FLAP_BLOCK_DATA + FLAP_STAGE_SLACK];
	size_t used; /* record bytes */
	__u32 nrec;  /* SYSCALL and ENTER records */
	size_t last; /* offset of the last record (from the block start) */
	__u64 base;
	__u64 seq;
	__u16 cpu;
	__u16 flags;
};

struct cap_in {
	__u8 arg;
	__u8 flags;
	const char *data; /* len bytes */
	__u16 len;
};

static void bb_init(struct bb *b, __u16 cpu, __u64 seq, __u64 base)
{
	memset(b, 0, sizeof(*b));
	b->cpu = cpu;
	b->seq = seq;
	b->base = base;
}

static void put(struct bb *b, const void *p, size_t n)
{
	if (!n)
		return; /* an empty capture has no data pointer: memcpy(NULL) is undefined */
	memcpy(b->buf + sizeof(struct flap_block_hdr) + b->used, p, n);
	b->used += n;
}

/* As put_val() in record.bpf.c: 4 bytes if it survives s32, else 8. */
static void put_val(struct bb *b, __u64 v, __u8 *wide, int bit, bool force_wide)
{
	__s32 v32 = (__s32)v;

	if (!force_wide && (__u64)(__s64)v32 == v) {
		put(b, &v32, 4);
		return;
	}
	put(b, &v, 8);
	*wide |= 1u << bit;
}

static void put_caps(struct bb *b, const struct cap_in *caps, int ncaps)
{
	struct flap_cap_hdr c;
	int i;

	for (i = 0; i < ncaps; i++) {
		c.arg = caps[i].arg;
		c.flags = caps[i].flags;
		c.len = caps[i].len;
		put(b, &c, sizeof(c));
		put(b, caps[i].data, caps[i].len);
	}
}

static void bb_thread(struct bb *b, __u32 tid, __u32 tgid, const char *comm)
{
	struct flap_rec_thread t = {};

	t.hdr.size = sizeof(t);
	t.hdr.type = FLAP_REC_THREAD;
	t.tid = tid;
	t.tgid = tgid;
	memcpy(t.comm, comm, strnlen(comm, sizeof(t.comm)));
	b->last = sizeof(struct flap_block_hdr) + b->used;
	put(b, &t, sizeof(t));
}

/* A SYSCALL record; @wide_mask forces 8-byte storage (bit 7: ret). */
static void bb_syscall(struct bb *b, __u8 flags, __u64 exit_ts, __u32 tid, __u32 dur, __u16 nr,
		       __s64 ret, int nargs, const __u64 *args, const struct cap_in *caps,
		       int ncaps, __u8 wide_mask)
{
	size_t start = sizeof(struct flap_block_hdr) + b->used;
	struct flap_rec_syscall r = {};
	__u8 wide = 0;
	int i;

	put(b, &r, sizeof(r)); /* filled below */
	put_val(b, ret, &wide, 7, wide_mask & 0x80);
	for (i = 0; i < nargs; i++)
		put_val(b, args[i], &wide, i, wide_mask & (1u << i));
	put_caps(b, caps, ncaps);
	r.hdr.size = sizeof(struct flap_block_hdr) + b->used - start;
	r.hdr.type = FLAP_REC_SYSCALL;
	r.hdr.flags = flags;
	r.ts_delta = exit_ts - b->base;
	r.tid = tid;
	r.dur = dur;
	r.nr = nr;
	r.nargs = nargs | ncaps << 4;
	r.wide = wide;
	memcpy(b->buf + start, &r, sizeof(r));
	b->last = start;
	b->nrec++;
}

static void bb_enter(struct bb *b, __u8 flags, __u32 tid, __u32 tgid, __u64 ts, __u16 nr, int nargs,
		     const __u64 *args, const struct cap_in *caps, int ncaps)
{
	size_t start = sizeof(struct flap_block_hdr) + b->used;
	struct flap_rec_enter r = {};
	__u8 wide = 0;
	int i;

	put(b, &r, sizeof(r));
	for (i = 0; i < nargs; i++)
		put_val(b, args[i], &wide, i, false);
	put_caps(b, caps, ncaps);
	r.hdr.size = sizeof(struct flap_block_hdr) + b->used - start;
	r.hdr.type = FLAP_REC_ENTER;
	r.hdr.flags = flags;
	r.tid = tid;
	r.ts = ts;
	r.tgid = tgid;
	r.nr = nr;
	r.nargs = nargs | ncaps << 4;
	r.wide = wide;
	memcpy(b->buf + start, &r, sizeof(r));
	b->last = start;
	b->nrec++;
}

/* Writes the header; returns the block's length. */
static size_t bb_done(struct bb *b)
{
	struct flap_block_hdr h = {
		.magic = FLAP_BLOCK_MAGIC,
		.used = b->used,
		.seq = b->seq,
		.base_ts = b->base,
		.nrec = b->nrec,
		.cpu = b->cpu,
		.flags = b->flags,
	};

	memcpy(b->buf, &h, sizeof(h));
	return sizeof(h) + b->used;
}

/* A decoder over a fresh trace. */
struct dec {
	struct flap_trace *t;
	struct flap_decoder *d;
};

static bool dec_new(struct dec *x)
{
	x->t = NULL;
	x->d = NULL;
	return ASSERT_OK(flap_trace__new(NCPUS, &x->t), "trace") &&
	       ASSERT_OK(flap_decoder__new(x->t, &x->d), "decoder");
}

static void dec_free(struct dec *x)
{
	flap_decoder__free(x->d);
	flap_trace__free(x->t);
}

static int add(struct dec *x, struct bb *b)
{
	return flap_decoder__add_block(x->d, b->cpu, b->buf, bb_done(b));
}

static bool cap_is(const struct flap_event *ev, int i, __u8 arg, __u8 flags, const char *data,
		   __u16 len, const char *what)
{
	char name[96];

	snprintf(name, sizeof(name), "%s: capture %d", what, i);
	if (!ASSERT_LT(i, ev->ncaps, name))
		return false;
	return ASSERT_EQ(ev->caps[i].arg, arg, name) && ASSERT_EQ(ev->caps[i].flags, flags, name) &&
	       ASSERT_EQ(ev->caps[i].len, len, name) &&
	       (!len || ASSERT_MEMEQ(ev->caps[i].data, data, len, name));
}

#define PATH  "/etc/flap/known-path"
#define BYTES "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* One block of inline SYSCALL records: values, captures, durations, names. */
static void subtest_inline(void)
{
	const __u64 w_args[3] = {3, 0x7ffd12345678ULL, 74};
	const __u64 o_args[4] = {(__u64)-100LL, 0x55aa00001000ULL, 0x80000, 0};
	const __u64 m_args[6] = {0, 4096, 3, 0x22, (__u64)-1LL, 0};
	const __u64 f_args[3] = {(__u64)-100LL, 0x10, 0};
	const struct cap_in w_cap = {1, FLAP_CAP_F_TRUNC, BYTES, 64};
	const struct cap_in o_cap = {1, FLAP_CAP_F_STR, PATH, sizeof(PATH) - 1};
	const struct cap_in f_cap = {1, FLAP_CAP_F_STR | FLAP_CAP_F_FAULT, NULL, 0};
	const struct flap_event *ev;
	struct dec x;
	struct bb b;

	test__start_subtest("inline");
	if (!dec_new(&x))
		return;
	bb_init(&b, 1, 7, BASE);
	bb_thread(&b, 100, 90, "worker");
	bb_syscall(&b, 0, BASE + 1000, 100, 600, SYS_write, 74, 3, w_args, &w_cap, 1, 0);
	bb_syscall(&b, 0, BASE + 5000, 100, 2500, SYS_openat, -ENOENT, 4, o_args, &o_cap, 1, 0);
	/* mmap: an 8-byte return value; 8-byte storage of small values too. */
	bb_syscall(&b, 0, BASE + 9000, 100, 1000, SYS_mmap, 0x7f1234567000LL, 6, m_args, NULL, 0,
		   0x80 | 1u << 1);
	bb_syscall(&b, FLAP_REC_F_DUR_US, BASE + 20000000, 100, 7, SYS_openat, -EFAULT, 3, f_args,
		   &f_cap, 1, 0);
	if (!ASSERT_EQ(add(&x, &b), 4, "4 events") ||
	    !ASSERT_OK(flap_decoder__finish(x.d), "finish"))
		goto out;
	if (!ASSERT_EQ(x.t->nevents, 4, "nevents"))
		goto out;
	ASSERT_EQ(x.t->cpus[1].held, 4, "held on cpu 1");
	ASSERT_EQ(x.t->cpus[1].torn, 0, "nothing torn");

	ev = &x.t->events[0];
	ASSERT_EQ(ev->nr, SYS_write, "write");
	ASSERT_EQ(ev->tid, 100, "tid");
	ASSERT_EQ(ev->tgid, 90, "tgid from THREAD");
	ASSERT_STREQ(ev->comm, "worker", "comm from THREAD");
	ASSERT_EQ(ev->cpu, 1, "cpu");
	ASSERT_EQ(ev->exit_ts, BASE + 1000, "exit_ts = base + delta");
	ASSERT_EQ(ev->dur_ns, 600, "dur");
	ASSERT_EQ(ev->ts, BASE + 400, "ts = exit - dur");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR | FLAP_EV_F_HAS_ENTER, "flags");
	ASSERT_EQ(ev->ret, 74, "ret");
	ASSERT_EQ(ev->nargs, 3, "nargs");
	ASSERT_MEMEQ(ev->args, w_args, sizeof(w_args), "args (8-byte pointer)");
	cap_is(ev, 0, 1, FLAP_CAP_F_TRUNC, BYTES, 64, "write");

	ev = &x.t->events[1];
	ASSERT_EQ(ev->ret, -ENOENT, "negative ret, sign-extended");
	ASSERT_EQ((int)ev->args[0], -100, "AT_FDCWD");
	ASSERT_EQ(ev->args[0], (__u64)-100LL, "4-byte arg sign-extended");
	ASSERT_MEMEQ(ev->args, o_args, sizeof(o_args), "openat args");
	cap_is(ev, 0, 1, FLAP_CAP_F_STR, PATH, sizeof(PATH) - 1, "openat");

	ev = &x.t->events[2];
	ASSERT_EQ(ev->ret, 0x7f1234567000LL, "8-byte ret");
	ASSERT_EQ(ev->nargs, 6, "six args");
	ASSERT_MEMEQ(ev->args, m_args, sizeof(m_args), "mmap args, some stored wide");
	ASSERT_EQ(ev->ncaps, 0, "no capture");

	ev = &x.t->events[3];
	ASSERT_EQ(ev->dur_ns, 7000, "dur in microseconds");
	ASSERT_EQ(ev->ts, BASE + 20000000 - 7000, "ts with us dur");
	cap_is(ev, 0, 1, FLAP_CAP_F_STR | FLAP_CAP_F_FAULT, NULL, 0, "fault");
out:
	dec_free(&x);
}

/* ENTER on one CPU, its exit (NO_ENTER) on another; pending slots. */
static void subtest_pairing(void)
{
	const __u64 r_args[3] = {5, 0x7ffc00001000ULL, 64};
	const struct cap_in r_cap = {1, 0, "hello", 5};
	const struct flap_event *ev;
	struct flap_pending p = {};
	struct dec x;
	struct bb b0, b1;

	test__start_subtest("pairing");
	if (!dec_new(&x))
		return;
	/* cpu 0: thread 200 entered read at BASE + 100 and was spilled. */
	bb_init(&b0, 0, 1, BASE);
	bb_thread(&b0, 201, 200, "other");
	bb_enter(&b0, FLAP_REC_F_SPILLED, 200, 200, BASE + 100, SYS_read, 3, r_args, NULL, 0);
	bb_syscall(&b0, 0, BASE + 300, 201, 50, SYS_getppid, 1, 0, NULL, NULL, 0, 0);
	/* cpu 1: its exit at BASE + 900000, read side captured. */
	bb_init(&b1, 1, 1, BASE + 800000);
	bb_thread(&b1, 200, 200, "reader");
	bb_syscall(&b1, FLAP_REC_F_NO_ENTER, BASE + 900000, 200, 0, SYS_read, 5, 3, r_args, &r_cap,
		   1, 0);
	ASSERT_EQ(add(&x, &b1), 1, "cpu 1 block");
	ASSERT_EQ(add(&x, &b0), 2, "cpu 0 block");

	/* A call in flight on cpu 1 (pending slot), and one that is not. */
	p.valid = 1;
	p.tid = 300;
	p.tgid = 300;
	p.nr = SYS_read;
	p.ts = BASE + 950000;
	memcpy(p.args, r_args, sizeof(r_args));
	ASSERT_OK(flap_decoder__add_pending(x.d, 1, &p), "pending");
	p.valid = 2; /* its ENTER record is in a block: nothing to add */
	p.tid = 301;
	ASSERT_OK(flap_decoder__add_pending(x.d, 0, &p), "pending valid 2");
	p.valid = 0;
	p.tid = 302;
	ASSERT_OK(flap_decoder__add_pending(x.d, 0, &p), "pending empty");

	if (!ASSERT_OK(flap_decoder__finish(x.d), "finish") ||
	    !ASSERT_EQ(x.t->nevents, 3, "read (paired), getppid, pending read"))
		goto out;
	ev = &x.t->events[0];
	ASSERT_EQ(ev->nr, SYS_read, "read first (entered first)");
	ASSERT_EQ(ev->tid, 200, "tid");
	ASSERT_EQ(ev->ts, BASE + 100, "entry time from ENTER");
	ASSERT_EQ(ev->exit_ts, BASE + 900000, "exit time from SYSCALL");
	ASSERT_EQ(ev->dur_ns, 900000 - 100, "dur = exit - enter");
	ASSERT_EQ(ev->ret, 5, "ret");
	ASSERT_EQ(ev->cpu, 1, "cpu of the exit");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR | FLAP_EV_F_HAS_ENTER,
		  "finished");
	ASSERT_STREQ(ev->comm, "reader", "comm");
	cap_is(ev, 0, 1, 0, "hello", 5, "read side");
	ev = &x.t->events[1];
	ASSERT_EQ(ev->nr, SYS_getppid, "getppid between");
	ASSERT_STREQ(ev->comm, "other", "its own comm");
	ASSERT_EQ(ev->tgid, 200, "its tgid");
	ev = &x.t->events[2];
	ASSERT_EQ(ev->tid, 300, "pending");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_ENTER | FLAP_EV_F_UNFINISHED, "unfinished");
	ASSERT_EQ(ev->ts, BASE + 950000, "pending entry time");
	ASSERT_EQ(ev->nargs, 3, "read's nargs from the table");
	ASSERT_MEMEQ(ev->args, r_args, sizeof(r_args), "pending args");
	ASSERT_EQ(ev->cpu, 1, "pending cpu");
	ASSERT_EQ(ev->tgid, 300, "pending tgid");
	ASSERT_EQ(x.t->cpus[0].held, 2, "held cpu 0");
	ASSERT_EQ(x.t->cpus[1].held, 2, "held cpu 1 (the call in the pending slot is held)");
out:
	dec_free(&x);
}

/* execve: ENTER with the path, exit with ret only; names before and after. */
static void subtest_execve(void)
{
	const __u64 e_args[3] = {0x7ffc00002000ULL, 0x7ffc00002100ULL, 0x7ffc00002200ULL};
	const struct cap_in e_cap = {0, FLAP_CAP_F_STR, "/bin/true", 9};
	const __u64 x_args[1] = {0};
	const struct flap_event *ev;
	struct dec x;
	struct bb b;

	test__start_subtest("execve");
	if (!dec_new(&x))
		return;
	bb_init(&b, 0, 3, BASE);
	bb_thread(&b, 400, 400, "kernel_tests");
	bb_syscall(&b, 0, BASE + 100, 400, 10, SYS_close, 0, 1, x_args, NULL, 0, 0);
	bb_enter(&b, 0, 400, 400, BASE + 200, SYS_execve, 3, e_args, &e_cap, 1);
	/* The exec renamed the thread: the recorder names it again. */
	bb_thread(&b, 400, 400, "true");
	bb_syscall(&b, FLAP_REC_F_NO_ARGS, BASE + 90200, 400, 90000, SYS_execve, 0, 0, NULL, NULL,
		   0, 0);
	bb_syscall(&b, 0, BASE + 95000, 400, 20, SYS_getppid, 1, 0, NULL, NULL, 0, 0);
	bb_enter(&b, 0, 400, 400, BASE + 99000, SYS_exit_group, 1, x_args, NULL, 0);
	if (!ASSERT_EQ(add(&x, &b), 5, "5 records") ||
	    !ASSERT_OK(flap_decoder__finish(x.d), "finish") ||
	    !ASSERT_EQ(x.t->nevents, 4, "close, execve, getppid, exit_group"))
		goto out;
	ASSERT_STREQ(x.t->events[0].comm, "kernel_tests", "close: old comm");
	ev = &x.t->events[1];
	ASSERT_EQ(ev->nr, SYS_execve, "execve");
	ASSERT_EQ(ev->ret, 0, "execve ret");
	ASSERT_EQ(ev->dur_ns, 90000, "execve dur from its exit record");
	ASSERT_EQ(ev->ts, BASE + 200, "entry time");
	ASSERT_EQ(ev->exit_ts, BASE + 90200, "exit time");
	ASSERT_EQ(ev->nargs, 3, "args kept from the ENTER record");
	ASSERT_MEMEQ(ev->args, e_args, sizeof(e_args), "execve args");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_RET | FLAP_EV_F_HAS_DUR | FLAP_EV_F_HAS_ENTER,
		  "execve finished");
	cap_is(ev, 0, 0, FLAP_CAP_F_STR, "/bin/true", 9, "execve path");
	ASSERT_STREQ(ev->comm, "kernel_tests", "execve: the caller's comm");
	ASSERT_STREQ(x.t->events[2].comm, "true", "getppid: new comm");
	ev = &x.t->events[3];
	ASSERT_EQ(ev->nr, SYS_exit_group, "exit_group");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_ENTER | FLAP_EV_F_NORETURN, "no return, not unfinished");
	ASSERT_EQ(ev->args[0], 0, "status");
	ASSERT_STREQ(ev->comm, "true", "exit_group: new comm");
out:
	dec_free(&x);
}

/* An ENTER followed by another record of its thread: the exit is lost. */
static void subtest_exit_lost(void)
{
	const __u64 r_args[3] = {5, 0x1000, 64};
	const struct flap_event *ev;
	struct dec x;
	struct bb b;

	test__start_subtest("exit_lost");
	if (!dec_new(&x))
		return;
	bb_init(&b, 0, 1, BASE);
	bb_thread(&b, 500, 500, "t");
	bb_enter(&b, FLAP_REC_F_SPILLED, 500, 500, BASE + 10, SYS_read, 3, r_args, NULL, 0);
	bb_syscall(&b, 0, BASE + 500, 500, 100, SYS_getppid, 1, 0, NULL, NULL, 0, 0);
	/* A NO_ENTER exit of another call does not complete an open read. */
	bb_enter(&b, FLAP_REC_F_SPILLED, 500, 500, BASE + 600, SYS_read, 3, r_args, NULL, 0);
	bb_syscall(&b, FLAP_REC_F_NO_ENTER, BASE + 900, 500, 0, SYS_write, 3, 3, r_args, NULL, 0,
		   0);
	if (!ASSERT_EQ(add(&x, &b), 4, "records") ||
	    !ASSERT_OK(flap_decoder__finish(x.d), "finish") ||
	    !ASSERT_EQ(x.t->nevents, 4, "every record stays an event"))
		goto out;
	ev = &x.t->events[0];
	ASSERT_EQ(ev->nr, SYS_read, "read");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_ENTER | FLAP_EV_F_EXIT_LOST,
		  "exit lost (and not unfinished: the thread went on)");
	ASSERT_MEMEQ(ev->args, r_args, sizeof(r_args), "args of the ENTER record");
	ASSERT_EQ(x.t->events[1].nr, SYS_getppid, "getppid");
	ASSERT_EQ(x.t->events[2].flags, FLAP_EV_F_HAS_ENTER | FLAP_EV_F_EXIT_LOST, "second read");
	ev = &x.t->events[3];
	ASSERT_EQ(ev->nr, SYS_write, "write");
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_RET, "unpaired exit: no entry time, no dur");
	ASSERT_EQ(ev->ts, BASE + 900, "ts = exit time");
out:
	dec_free(&x);
}

/* A one-record block from a nested writer (THREAD record padded to 32). */
static void subtest_nested(void)
{
	const __u64 args[3] = {1, 0x7ffd00000010ULL, 3};
	struct flap_rec_thread t = {};
	const struct flap_event *ev;
	__u32 pad = 0;
	struct dec x;
	struct bb b;

	test__start_subtest("nested");
	if (!dec_new(&x))
		return;
	bb_init(&b, 1, 0, BASE);
	b.flags = FLAP_BLOCK_F_DIRECT;
	t.hdr.size = sizeof(t) + sizeof(pad);
	t.hdr.type = FLAP_REC_THREAD;
	t.tid = 600;
	t.tgid = 600;
	memcpy(t.comm, "nested", 7);
	put(&b, &t, sizeof(t));
	put(&b, &pad, sizeof(pad));
	bb_syscall(&b, FLAP_REC_F_NO_ENTER | FLAP_REC_F_CAPS_DROPPED, BASE, 600, 0, SYS_write, 3, 3,
		   args, NULL, 0, 0);
	if (!ASSERT_EQ(add(&x, &b), 1, "one record") ||
	    !ASSERT_OK(flap_decoder__finish(x.d), "finish") || !ASSERT_EQ(x.t->nevents, 1, "event"))
		goto out;
	ev = &x.t->events[0];
	ASSERT_EQ(ev->flags, FLAP_EV_F_HAS_RET | FLAP_EV_F_CAPS_DROPPED, "caps dropped");
	ASSERT_STREQ(ev->comm, "nested", "comm");
	ASSERT_MEMEQ(ev->args, args, sizeof(args), "args");
out:
	dec_free(&x);
}

/* Events from several blocks and CPUs come out in time order. */
static void subtest_order(void)
{
	struct dec x;
	struct bb b[3];
	size_t i;
	int k;

	test__start_subtest("order");
	if (!dec_new(&x))
		return;
	/* cpu 0 blocks seq 0 and 1, cpu 1 block seq 0: interleaved times. */
	bb_init(&b[0], 0, 0, BASE);
	bb_init(&b[1], 0, 1, BASE + 100);
	bb_init(&b[2], 1, 0, BASE);
	for (k = 0; k < 10; k++) {
		struct bb *blk = &b[k < 5 ? 0 : 1];

		bb_syscall(blk, 0, BASE + 10 + 20 * k, 700, 5, SYS_getppid, k, 0, NULL, NULL, 0, 0);
		bb_syscall(&b[2], 0, BASE + 20 + 20 * k, 701, 5, SYS_getppid, 100 + k, 0, NULL,
			   NULL, 0, 0);
	}
	/* Newest first, as the ring is read. */
	ASSERT_EQ(add(&x, &b[2]), 10, "cpu 1");
	ASSERT_EQ(add(&x, &b[1]), 5, "cpu 0 seq 1");
	ASSERT_EQ(add(&x, &b[0]), 5, "cpu 0 seq 0");
	if (!ASSERT_OK(flap_decoder__finish(x.d), "finish") || !ASSERT_EQ(x.t->nevents, 20, "20"))
		goto out;
	for (i = 0; i < 20; i++) {
		const struct flap_event *ev = &x.t->events[i];

		if (!ASSERT_EQ(ev->ret, i % 2 ? 100 + (long)i / 2 : (long)i / 2, "time order") ||
		    !ASSERT_EQ(ev->cpu, i % 2, "cpu") ||
		    !ASSERT_EQ(ev->tgid, ev->tid, "tgid = tid"))
			break;
		ASSERT_STREQ(ev->comm, "", "unnamed thread");
	}
out:
	dec_free(&x);
}

/* A valid block with a little of everything, for the corruption cases. */
static size_t make_valid(struct bb *b)
{
	const __u64 args[3] = {3, 0x7ffd12345678ULL, 74};
	const struct cap_in cap = {1, FLAP_CAP_F_TRUNC, BYTES, 16};
	const struct cap_in path = {0, FLAP_CAP_F_STR, PATH, sizeof(PATH) - 1};

	bb_init(b, 0, 9, BASE);
	bb_thread(b, 800, 800, "valid");
	bb_syscall(b, 0, BASE + 100, 800, 10, SYS_write, 74, 3, args, &cap, 1, 0);
	bb_enter(b, 0, 800, 800, BASE + 200, SYS_execve, 3, args, &path, 1);
	bb_syscall(b, FLAP_REC_F_NO_ARGS, BASE + 300, 800, 100, SYS_execve, -ENOENT, 0, NULL, NULL,
		   0, 0);
	return bb_done(b);
}

/*
 * Feeds @len bytes of @data after a good block of another CPU: the bad
 * block must be refused whole and counted torn, and change nothing: no
 * event, and no thread name (the bad blocks name thread 900 "evil"; its
 * pending call, named from the decoder's thread table, stays "good").
 */
static void expect_torn(const void *data, size_t len, const char *what)
{
	struct flap_pending p = {.valid = 1, .tid = 900, .nr = SYS_read, .ts = BASE + 70};
	const __u64 args[1] = {0};
	struct dec x;
	struct bb good;
	char name[128];
	size_t i;

	if (!dec_new(&x))
		return;
	bb_init(&good, 1, 0, BASE);
	bb_thread(&good, 900, 900, "good");
	bb_syscall(&good, 0, BASE + 50, 900, 5, SYS_close, 0, 1, args, NULL, 0, 0);
	ASSERT_EQ(add(&x, &good), 1, "good block");
	snprintf(name, sizeof(name), "%s: -EBADMSG", what);
	ASSERT_EQ(flap_decoder__add_block(x.d, 0, data, len), -EBADMSG, name);
	snprintf(name, sizeof(name), "%s: one torn block", what);
	ASSERT_EQ(x.t->cpus[0].torn, 1, name);
	ASSERT_EQ(x.t->cpus[0].held, 0, name);
	ASSERT_OK(flap_decoder__add_pending(x.d, 1, &p), "pending");
	snprintf(name, sizeof(name), "%s: nothing added", what);
	if (ASSERT_OK(flap_decoder__finish(x.d), "finish") && ASSERT_EQ(x.t->nevents, 2, name)) {
		for (i = 0; i < x.t->nevents; i++) {
			snprintf(name, sizeof(name), "%s: names untouched", what);
			if (!ASSERT_STREQ(x.t->events[i].comm, "good", name) ||
			    !ASSERT_EQ(x.t->events[i].tid, 900, name))
				break;
		}
	}
	dec_free(&x);
}

/* Offset of the first record after the THREAD record (the write). */
#define REC0 (sizeof(struct flap_block_hdr) + sizeof(struct flap_rec_thread))

static void subtest_corrupt(void)
{
	struct flap_rec_syscall s;
	struct flap_block_hdr h;
	struct flap_rec_hdr rh;
	struct flap_cap_hdr c;
	struct bb b;
	size_t len, n, cap_off;
	__u8 *copy;
	char what[64];

	test__start_subtest("corrupt");
	len = make_valid(&b);
	copy = malloc(sizeof(b.buf));
	if (!ASSERT_OK_PTR(copy, "alloc"))
		return;

	/* The valid block itself, renamed to thread 900 "evil" below. */
	{
		struct dec x;

		if (dec_new(&x)) {
			ASSERT_EQ(flap_decoder__add_block(x.d, 0, b.buf, len), 3, "valid block");
			ASSERT_EQ(x.t->cpus[0].torn, 0, "valid not torn");
			dec_free(&x);
		}
	}
	/* Corrupt blocks carry a THREAD record of 900 that must not be used. */
	{
		struct flap_rec_thread t;

		memcpy(&t, b.buf + sizeof(h), sizeof(t));
		t.tid = 900;
		memcpy(t.comm, "evil", 5);
		memcpy(b.buf + sizeof(h), &t, sizeof(t));
	}

	/* Every truncation, by the length given and by the header's used. */
	for (n = 0; n < len; n++) {
		snprintf(what, sizeof(what), "truncated to %zu", n);
		expect_torn(b.buf, n, what);
		if (n < sizeof(h))
			continue;
		memcpy(copy, b.buf, n);
		memcpy(&h, copy, sizeof(h));
		h.used = n - sizeof(h);
		memcpy(copy, &h, sizeof(h));
		snprintf(what, sizeof(what), "used cut to %zu", n - sizeof(h));
		expect_torn(copy, n, what);
	}

/* A fresh copy of the valid block with one change to the struct @var at @off. */
#define MUTATE_FIELD(desc, var, off, change)               \
	do {                                               \
		memcpy(copy, b.buf, len);                  \
		memcpy(&(var), copy + (off), sizeof(var)); \
		change;                                    \
		memcpy(copy + (off), &(var), sizeof(var)); \
		expect_torn(copy, len, desc);              \
	} while (0)

	MUTATE_FIELD("wrong magic", h, 0, h.magic ^= 1);
	MUTATE_FIELD("nrec one more", h, 0, h.nrec++);
	MUTATE_FIELD("nrec one less", h, 0, h.nrec--);
	MUTATE_FIELD("used > length", h, 0, h.used++);
	MUTATE_FIELD("used huge", h, 0, h.used = 0xffffffffu);
	MUTATE_FIELD("record size past the end", rh, REC0, rh.size = len);
	MUTATE_FIELD("record size 0", rh, REC0, rh.size = 0);
	MUTATE_FIELD("record size below its struct", rh, REC0, rh.size = sizeof(s) - 1);
	MUTATE_FIELD("record one byte longer", rh, REC0, rh.size++);
	MUTATE_FIELD("THREAD record too short", rh, sizeof(h),
		     rh.size = sizeof(struct flap_rec_thread) - 4);
	MUTATE_FIELD("nargs 7", s, REC0, s.nargs = (s.nargs & 0xf0) | 7);
	MUTATE_FIELD("nargs 15", s, REC0, s.nargs = (s.nargs & 0xf0) | 15);
	MUTATE_FIELD("ncaps 4", s, REC0, s.nargs = (s.nargs & 0x0f) | 4 << 4);
	MUTATE_FIELD("nargs one more", s, REC0, s.nargs++);
	MUTATE_FIELD("wide bit on a 4-byte value", s, REC0, s.wide |= 1);
	/* The write record: header, ret 4, args 4 + 8 + 4, then its capture. */
	cap_off = REC0 + sizeof(s) + 4 + 16;
	MUTATE_FIELD("capture length past the record", c, cap_off, c.len++);
	MUTATE_FIELD("capture length huge", c, cap_off, c.len = 0xffff);
	MUTATE_FIELD("capture length short", c, cap_off, c.len--);
	MUTATE_FIELD("capture of argument 6", c, cap_off, c.arg = 6);
	MUTATE_FIELD("unknown record type 5", rh, REC0, rh.type = 5);
	MUTATE_FIELD("a SYSCALL read as a SIGNAL", rh, REC0, rh.type = FLAP_REC_SIGNAL);
	MUTATE_FIELD("record type 0", rh, b.last, rh.type = 0);
#undef MUTATE_FIELD
	/* A block that claims more than a staging block can hold. */
	{
		size_t big = sizeof(h) + FLAP_BLOCK_DATA + FLAP_STAGE_SLACK + 4;
		__u8 *p = calloc(1, big);

		if (ASSERT_OK_PTR(p, "alloc")) {
			memcpy(p, b.buf, len);
			memcpy(&h, p, sizeof(h));
			h.used = big - sizeof(h);
			memcpy(p, &h, sizeof(h));
			expect_torn(p, big, "used over the staging size");
		}
		free(p);
	}
	free(copy);
}

/* A SIGNAL record: @snd (SENT) and @frames (FAULT) follow when given. */
static void bb_signal(struct bb *b, __u8 flags, __u64 ts, __u32 tid, __u32 tgid, int sig, int code,
		      int pid, __u64 handler, __u64 mask, int result,
		      const struct flap_sig_sender *snd, const __u64 *frames, __u16 nframes)
{
	size_t start = sizeof(struct flap_block_hdr) + b->used;
	struct flap_rec_signal r = {};
	struct flap_sig_fault f = {};

	r.hdr.type = FLAP_REC_SIGNAL;
	r.hdr.flags = flags | (snd ? FLAP_SIG_F_SENT : 0) | (frames ? FLAP_SIG_F_FAULT : 0);
	r.ts_delta = ts - b->base;
	r.tid = tid;
	r.tgid = tgid;
	r.sig = sig;
	r.result = result;
	r.handler = handler;
	r.mask = mask;
	memcpy(r.info, &sig, 4);
	memcpy(r.info + 8, &code, 4);
	memcpy(r.info + 16, &pid, 4);
	put(b, &r, sizeof(r));
	if (snd)
		put(b, snd, sizeof(*snd));
	if (frames) {
		struct flap_sig_frame_id id = {.status = FLAP_FRAME_VALID, .offset = 0x1139};
		const __u8 stack[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

		f.ip = frames[0];
		f.sp = 0x7ffd0000;
		f.start_code = 0x55d0c3a1a000;
		f.nframes = nframes;
		f.nids = 1;
		f.stack_len = sizeof(stack);
		put(b, &f, sizeof(f));
		put(b, frames, nframes * 8);
		memset(id.build_id, 0xab, sizeof(id.build_id));
		put(b, &id, sizeof(id));
		put(b, stack, sizeof(stack));
	}
	r.hdr.size = sizeof(struct flap_block_hdr) + b->used - start;
	memcpy(b->buf + start, &r.hdr, sizeof(r.hdr));
	b->last = start;
	b->nrec++;
}

/* Index of the first event of syscall @nr (0 when there is none: checked by the caller). */
static size_t test_find_ev(const struct flap_trace *t, __u32 nr)
{
	size_t i;

	for (i = 0; i < t->nevents; i++)
		if (t->events[i].nr == nr)
			return i;
	ASSERT_FAIL_("no event of syscall %u", nr);
	return 0;
}

static const struct flap_event *nth_signal(const struct flap_trace *t, int sig, bool sent, int n)
{
	size_t i;

	for (i = 0; i < t->nevents; i++)
		if (t->events[i].sig && t->events[i].sig->sig == sig &&
		    !!(t->events[i].sig->flags & FLAP_SIG_SENT) == sent && n-- == 0)
			return &t->events[i];
	return NULL;
}

/*
 * A handled SIGCHLD: wait4 returns 43, the child's sent SIGCHLD and its
 * delivery, the handler's rt_sigreturn whose entry was spilled after its
 * exit (number 65535, the restored registers) was written.
 */
static void subtest_signals(void)
{
	struct flap_sig_sender snd = {.cgid = 7, .tid = 43, .tgid = 43, .uid = 0, .comm = "child"};
	const __u64 regs[6] = {0xffffffff, 0x7ffca0fa965c, 0, 0, 2, 2}, w4[4] = {43, 0, 0, 0};
	const __u64 frames[3] = {0x55d0c3a1b139, 0x55d0c3a1b160, 0x7f0011223344};
	const struct flap_event *ev, *dl, *sent, *segv;
	const __u64 mask = 1ULL << (12 - 1); /* USR2 */
	struct dec x;
	struct bb b;
	size_t i;

	test__start_subtest("signals");
	if (!dec_new(&x))
		return;
	bb_init(&b, 0, 1, BASE);
	bb_thread(&b, 42, 42, "sh");
	bb_syscall(&b, 0, BASE + 1000, 42, 500, SYS_wait4, 43, 4, w4, NULL, 0, 0);
	bb_signal(&b, 0, BASE + 900, 42, 42, 17, 1 /* CLD_EXITED */, 43, 0, 0, 0, &snd, NULL, 0);
	bb_signal(&b, 0, BASE + 2000, 42, 42, 17, 1, 43, 0x5555aaaa, mask, 0, NULL, NULL, 0);
	bb_syscall(&b, FLAP_REC_F_NO_ENTER, BASE + 4000, 42, 0, 0xffff, 43, 6, regs, NULL, 0, 0);
	bb_enter(&b, FLAP_REC_F_SPILLED, 42, 42, BASE + 3000, SYS_rt_sigreturn, 0, NULL, NULL, 0);
	/* A fault: SIGSEGV at 0 (SEGV_MAPERR) with its stack. */
	bb_signal(&b, 0, BASE + 5000, 42, 42, 11, 1, 0, 0, 0, 0, NULL, frames, 3);
	if (!ASSERT_EQ(add(&x, &b), 6, "events in the block"))
		goto out;
	ASSERT_OK(flap_decoder__finish(x.d), "finish");
	for (i = 0; i < x.t->nevents; i++)
		ASSERT_NEQ(x.t->events[i].nr, 0xffff, "no syscall 65535");
	sent = nth_signal(x.t, 17, true, 0);
	dl = nth_signal(x.t, 17, false, 0);
	segv = nth_signal(x.t, 11, false, 0);
	if (!ASSERT_OK_PTR(sent, "sent") || !ASSERT_OK_PTR(dl, "delivered") ||
	    !ASSERT_OK_PTR(segv, "segv"))
		goto out;
	ASSERT_EQ(dl->nr, FLAP_EV_NR_SIGNAL, "signal event number");
	ASSERT_EQ(dl->ts, BASE + 2000, "delivery time");
	ASSERT_STREQ(dl->comm, "sh", "named by its block");
	ASSERT_EQ(dl->sig->handler, 0x5555aaaa, "handler");
	ASSERT_TRUE(dl->sig->flags & FLAP_SIG_SENDER, "sender matched");
	ASSERT_EQ(dl->sig->sender_tgid, 43, "sender pid");
	ASSERT_STREQ(dl->sig->sender_comm, "child", "sender comm");
	ASSERT_STREQ(sent->sig->sender_comm, "child", "sent event's sender");
	ev = &x.t->events[test_find_ev(x.t, SYS_rt_sigreturn)];
	ASSERT_TRUE(ev->flags & FLAP_EV_F_HAS_RET, "rt_sigreturn returned");
	ASSERT_EQ(ev->ret, 43, "the restored return value");
	ASSERT_EQ(ev->ts, BASE + 3000, "entry time");
	ASSERT_EQ(ev->dur_ns, 1000, "duration entry to exit");
	ASSERT_EQ(ev->nargs, 0, "no arguments from the restored registers");
	ASSERT_FALSE(ev->flags & (FLAP_EV_F_EXIT_LOST | FLAP_EV_F_NO_ARGS), "paired");
	ASSERT_TRUE(ev->flags & FLAP_EV_F_SIGMASK, "mask known");
	ASSERT_EQ(ev->args[0], mask, "mask the delivery saved");
	ASSERT_TRUE(segv->sig->flags & FLAP_SIG_FAULT, "fault");
	ASSERT_EQ(segv->sig->ip, frames[0], "ip");
	ASSERT_EQ(segv->sig->sp, 0x7ffd0000, "sp");
	if (ASSERT_EQ(segv->sig->nframes, 3, "frames"))
		ASSERT_EQ(segv->sig->frames[2], frames[2], "outer frame");
	ASSERT_EQ(segv->sig->start_code, 0x55d0c3a1a000, "start_code");
	if (ASSERT_EQ(segv->sig->nids, 1, "frame ids")) {
		ASSERT_EQ(segv->sig->ids[0].status, FLAP_FRAME_VALID, "id status");
		ASSERT_EQ(segv->sig->ids[0].offset, 0x1139, "id offset");
		ASSERT_EQ(segv->sig->ids[0].build_id[19], 0xab, "build-id");
	}
	if (ASSERT_EQ(segv->sig->stack_len, 16, "stack bytes"))
		ASSERT_EQ(segv->sig->stack[15], 16, "stack copy");
out:
	dec_free(&x);

	/* The exit after rt_sigreturn without its entry is still rt_sigreturn. */
	if (!dec_new(&x))
		return;
	bb_init(&b, 1, 1, BASE);
	bb_thread(&b, 42, 42, "sh");
	bb_syscall(&b, FLAP_REC_F_NO_ENTER, BASE + 4000, 42, 0, 0xffff, -4, 6, regs, NULL, 0, 0);
	if (ASSERT_EQ(add(&x, &b), 1, "one") && ASSERT_OK(flap_decoder__finish(x.d), "finish") &&
	    ASSERT_EQ(x.t->nevents, 1, "one event")) {
		ASSERT_EQ(x.t->events[0].nr, SYS_rt_sigreturn, "rt_sigreturn");
		ASSERT_EQ(x.t->events[0].nargs, 0, "no arguments");
		ASSERT_EQ(x.t->events[0].ret, -4, "EINTR restored");
		ASSERT_FALSE(x.t->events[0].flags & FLAP_EV_F_SIGMASK, "mask unknown");
	}
	dec_free(&x);
}

/* SIGTERM sent to a process that has no handler: each thread takes a
 * SIGKILL without siginfo; the SIGTERM is the one that killed it. */
static void subtest_group_exit(void)
{
	struct flap_sig_sender snd = {
		.cgid = 1, .tid = 812, .tgid = 812, .comm = "containerd-shim"};
	const struct flap_event *ev;
	struct dec x;
	struct bb b;
	size_t i;
	int hidden = 0;

	test__start_subtest("group_exit");
	if (!dec_new(&x))
		return;
	bb_init(&b, 0, 1, BASE);
	bb_thread(&b, 50, 50, "app");
	bb_signal(&b, 0, BASE + 100, 50, 50, 15, 0 /* SI_USER */, 0, 0, 0, 1 << 8, &snd, NULL, 0);
	bb_signal(&b, FLAP_SIG_F_NOINFO, BASE + 200, 50, 50, 9, 0, 0, 0, 0, 0, NULL, NULL, 0);
	bb_thread(&b, 51, 50, "app-worker");
	bb_signal(&b, FLAP_SIG_F_NOINFO, BASE + 300, 51, 50, 9, 0, 0, 0, 0, 0, NULL, NULL, 0);
	if (!ASSERT_EQ(add(&x, &b), 3, "events") || !ASSERT_OK(flap_decoder__finish(x.d), "fin"))
		goto out;
	ev = nth_signal(x.t, 15, true, 0);
	if (!ASSERT_OK_PTR(ev, "SIGTERM"))
		goto out;
	ASSERT_TRUE(ev->sig->flags & FLAP_SIG_KILLED, "SIGTERM killed it");
	ASSERT_TRUE(ev->sig->group, "sent to the process");
	for (i = 0; i < x.t->nevents; i++) {
		ev = &x.t->events[i];
		if (ev->sig->sig == 9) {
			ASSERT_TRUE(ev->sig->flags & FLAP_SIG_GROUP_EXIT, "group exit");
			hidden++;
		}
	}
	ASSERT_EQ(hidden, 2, "both threads");
out:
	dec_free(&x);
}

/* Signal records whose parts do not add up are refused whole. */
static void subtest_signal_corrupt(void)
{
	struct flap_sig_sender snd = {.tgid = 1};
	const __u64 frames[2] = {1, 2};
	struct flap_rec_signal r;
	struct flap_sig_fault f;
	__u8 copy[sizeof(((struct bb *)0)->buf)];
	size_t len, off;
	struct bb b;

	test__start_subtest("signal_corrupt");
	bb_init(&b, 0, 1, BASE);
	bb_thread(&b, 42, 42, "sh");
	bb_signal(&b, 0, BASE + 10, 42, 42, 11, 1, 0, 0, 0, 0, NULL, frames, 2);
	off = b.last;
	len = bb_done(&b);
	memcpy(copy, b.buf, len);
	memcpy(&r, copy + off, sizeof(r));
	r.hdr.flags |= FLAP_SIG_F_SENT; /* claims a sender that is not there */
	memcpy(copy + off, &r, sizeof(r));
	expect_torn(copy, len, "sender missing");
	memcpy(copy, b.buf, len);
	memcpy(&f, copy + off + sizeof(r), sizeof(f));
	f.nframes = FLAP_STACK_MAX + 1;
	memcpy(copy + off + sizeof(r), &f, sizeof(f));
	expect_torn(copy, len, "too many frames");
	memcpy(copy, b.buf, len);
	f.nframes = 1;
	memcpy(copy + off + sizeof(r), &f, sizeof(f));
	expect_torn(copy, len, "frames short of the record");
	memcpy(copy, b.buf, len);
	memcpy(&f, copy + off + sizeof(r), sizeof(f));
	f.nids = FLAP_STACK_MAX + 1;
	memcpy(copy + off + sizeof(r), &f, sizeof(f));
	expect_torn(copy, len, "too many frame ids");
	memcpy(copy, b.buf, len);
	memcpy(&f, copy + off + sizeof(r), sizeof(f));
	f.stack_len++;
	memcpy(copy + off + sizeof(r), &f, sizeof(f));
	expect_torn(copy, len, "stack bytes past the record");
	bb_init(&b, 0, 1, BASE);
	bb_signal(&b, 0, BASE + 10, 42, 42, 15, 0, 0, 0, 0, 0, &snd, NULL, 0);
	len = bb_done(&b);
	memcpy(copy, b.buf, len);
	memcpy(&r, copy + b.last, sizeof(r));
	r.hdr.size = sizeof(r) + 2; /* the sender cut */
	memcpy(copy + b.last, &r, sizeof(r));
	expect_torn(copy, len, "sender cut");
}

/*
 * An exec on CPU 1; CPU 0's block named the thread before it and still does
 * when the thread comes back there: its calls there get the new name.
 */
static void subtest_exec_stale_name(void)
{
	const __u64 x_args[1] = {0}, e_args[3] = {0x1000, 0x2000, 0x3000};
	struct dec x;
	struct bb b0, b1;

	test__start_subtest("exec_stale_name");
	if (!dec_new(&x))
		return;
	bb_init(&b0, 0, 1, BASE);
	bb_thread(&b0, 400, 400, "kernel_tests");
	bb_syscall(&b0, 0, BASE + 100, 400, 10, SYS_close, 0, 1, x_args, NULL, 0, 0);
	bb_syscall(&b0, 0, BASE + 200000, 400, 10, SYS_getppid, 1, 0, NULL, NULL, 0, 0);
	bb_init(&b1, 1, 1, BASE);
	bb_thread(&b1, 400, 400, "kernel_tests");
	bb_enter(&b1, 0, 400, 400, BASE + 1000, SYS_execve, 3, e_args, NULL, 0);
	bb_thread(&b1, 400, 400, "true");
	bb_syscall(&b1, FLAP_REC_F_NO_ARGS, BASE + 90000, 400, 89000, SYS_execve, 0, 0, NULL, NULL,
		   0, 0);
	bb_syscall(&b1, 0, BASE + 95000, 400, 20, SYS_brk, 0, 1, x_args, NULL, 0, 0);
	if (ASSERT_EQ(add(&x, &b0), 2, "cpu 0") && ASSERT_EQ(add(&x, &b1), 3, "cpu 1") &&
	    ASSERT_OK(flap_decoder__finish(x.d), "finish") &&
	    ASSERT_EQ(x.t->nevents, 4, "close, execve, brk, getppid")) {
		ASSERT_STREQ(x.t->events[0].comm, "kernel_tests", "close before the exec");
		ASSERT_STREQ(x.t->events[1].comm, "kernel_tests", "the exec: the caller's name");
		ASSERT_STREQ(x.t->events[2].comm, "true", "brk after it");
		ASSERT_STREQ(x.t->events[3].comm, "true", "getppid on cpu 0: the new name");
	}
	dec_free(&x);
}

void test_decode(void)
{
	subtest_inline();
	subtest_pairing();
	subtest_execve();
	subtest_exit_lost();
	subtest_nested();
	subtest_order();
	subtest_corrupt();
	subtest_exec_stale_name();
	subtest_signals();
	subtest_group_exit();
	subtest_signal_corrupt();
}
