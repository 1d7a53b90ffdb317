// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * snapshot.c - reading a recorder: its writers frozen, each CPU's staging
 * state, counters and ring copied, the writers thawed, and the copies
 * decoded into a trace (flap_recorder__read()) or only counted
 * (flap_recorder__counts()).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "flap.h"
#include "decode.h"
#include "registry.h"
#include "registry_internal.h"
#include "ring.h"
#include "util.h"

#include "record.skel.h"

/* Per-CPU map value stride: the kernel rounds each CPU's value up to 8,
 * which these structs already are, so they can be indexed as arrays. */
#define PCPU_STRIDE(t) ((sizeof(t) + 7) & ~(size_t)7)

_Static_assert(PCPU_STRIDE(struct flap_cpu_state) == sizeof(struct flap_cpu_state), "stride");

_Static_assert(PCPU_STRIDE(struct flap_stats) == sizeof(struct flap_stats), "stride");

int flap_recorder__read_stats(struct flap_recorder *rec, struct flap_stats *stats)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(rec->fd[RF_STATS], &zero, stats))
		return -errno;
	return 0;
}

/*
 * Stops the recorder's writers: set frozen, then wait until no CPU has a
 * writer inside (busy == 0). A writer increments busy before it looks at
 * frozen, and we set frozen before we look at busy, both with full
 * barriers: a writer we do not see in busy sees frozen and writes nothing.
 * The per-CPU states copied by the lookup that saw every busy at 0 are
 * therefore stable. Return: 0 or -EBUSY after ~1 s.
 */
int flap_recorder__freeze(struct flap_recorder *rec, struct flap_cpu_state *states)
{
	struct timespec ts = {.tv_nsec = 20000};
	int fd = rec->fd[RF_STATE], cpu, tries;
	__u32 zero = 0;
	bool busy;

	__atomic_store_n(&rec->bss->frozen, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (tries = 0; tries < 50000; tries++) {
		if (bpf_map_lookup_elem(fd, &zero, states))
			return -errno;
		busy = false;
		for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
			busy |= states[cpu].busy != 0;
		if (!busy)
			return 0;
		if (tries < 100)
			sched_yield();
		else
			nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

void flap_recorder__thaw(struct flap_recorder *rec)
{
	__atomic_store_n(&rec->bss->frozen, 0, __ATOMIC_SEQ_CST);
}

/*
 * What one read takes while the writers are frozen: each CPU's staging
 * state (copied by flap_recorder__freeze()), its counters and a copy of its ring. Decoding
 * happens after the thaw, so the writers are held only for the copies.
 */
struct snapshot {
	struct flap_cpu_state *states;
	struct flap_stats *stats;
	__u8 *rings; /* ncpus copies of ring_size bytes */
	size_t *len; /* bytes copied from each CPU's ring */
	size_t ring_size;
	__u64 read_ns;
	__s64 boot_to_real_ns;
};

static void free_snapshot(struct snapshot *s)
{
	free(s->states);
	free(s->stats);
	free(s->rings);
	free(s->len);
}

static int take_snapshot(struct flap_recorder *rec, struct snapshot *s)
{
	int cpu, err, n = rec->reg->ncpus;

	memset(s, 0, sizeof(*s));
	s->ring_size = (size_t)rec->opts.ring_pages * sysconf(_SC_PAGESIZE);
	s->states = calloc(n, PCPU_STRIDE(struct flap_cpu_state));
	s->stats = calloc(n, PCPU_STRIDE(struct flap_stats));
	s->rings = malloc(n * s->ring_size);
	s->len = calloc(n, sizeof(*s->len));
	if (!s->states || !s->stats || !s->rings || !s->len) {
		free_snapshot(s);
		return -ENOMEM;
	}
	err = flap_recorder__freeze(rec, s->states);
	if (!err) {
		s->boot_to_real_ns = flap_clock__boot_to_real_ns();
		s->read_ns = flap_clock__boot_ns();
		for (cpu = 0; cpu < n; cpu++) {
			struct flap_ring *r = &rec->rings[cpu];

			if (r->fd < 0)
				continue;
			flap_ring__pause(r, true);
			s->len[cpu] = flap_ring__copy(r, s->rings + cpu * s->ring_size);
			flap_ring__pause(r, false);
		}
		err = flap_recorder__read_stats(rec, s->stats);
	}
	flap_recorder__thaw(rec);
	if (err)
		free_snapshot(s);
	return err;
}

/* The counts of CPU @cpu in @s, with @held events held and @torn blocks. */
static void cpu_counts(const struct flap_recorder *rec, const struct snapshot *s, int cpu,
		       __u64 held, __u64 torn, struct flap_cpu_counts *c)
{
	const struct flap_stats *st = &s->stats[cpu];
	__u64 accounted;

	/* A call in flight (the pending slot) is an event held, not yet counted by the
	 * recorder: it is produced and held here, so a dump never shows more than it holds. */
	c->produced = s->states[cpu].events + st->nested_events + st->lost_frozen +
		      st->lost_nested + (s->states[cpu].pending.valid == 1);
	c->lost = st->lost_frozen + st->lost_nested + st->lost_output + rec->restart_lost[cpu];
	c->restart_lost = rec->restart_lost[cpu];
	c->bytes = st->bytes;
	c->held = held;
	c->torn = torn;
	accounted = c->held + c->lost;
	c->overwritten = c->produced > accounted ? c->produced - accounted : 0;
}

struct walk_ctx {
	struct flap_decoder *dec;
	int cpu;
};

static int on_sample(void *ctx, const void *raw, size_t len)
{
	struct walk_ctx *w = ctx;
	int err = flap_decoder__add_block(w->dec, w->cpu, raw, len);

	/* A bad block is counted (torn) and skipped; only -ENOMEM stops. */
	return err == -ENOMEM ? err : 0;
}

/* Decodes the ring copies of a snapshot. */
static int decode_rings(struct flap_recorder *rec, const struct snapshot *s,
			struct flap_decoder *dec, struct flap_trace *t)
{
	struct walk_ctx w = {.dec = dec};
	struct flap_ring_stats rs;
	int cpu, err = 0;

	for (cpu = 0; cpu < rec->reg->ncpus && !err; cpu++) {
		memset(&rs, 0, sizeof(rs));
		w.cpu = cpu;
		err = flap_ring__walk(s->rings + cpu * s->ring_size, s->len[cpu], on_sample, &w,
				      &rs);
		/* PERF_RECORD_LOST counts blocks the recorder already counted as
		 * lost_output events: only torn blocks are new information. */
		t->cpus[cpu].torn += rs.torn;
	}
	return err;
}

/* Decodes each CPU's staging block and in-flight call. */
static int read_staging(struct flap_recorder *rec, struct flap_decoder *dec,
			struct flap_cpu_state *states)
{
	int cpu, err;

	for (cpu = 0; cpu < rec->reg->ncpus; cpu++) {
		struct flap_cpu_state *st = &states[cpu];
		struct flap_block_hdr *bh = &st->hdr;

		if (st->hdr.used) {
			/* The staging header is filled at flush time: complete it. */
			bh->magic = FLAP_BLOCK_MAGIC;
			bh->cpu = cpu;
			err = flap_decoder__add_block(dec, cpu, bh, sizeof(*bh) + st->hdr.used);
			if (err == -ENOMEM)
				return err;
		}
		err = flap_decoder__add_pending(dec, cpu, &st->pending);
		if (err)
			return err;
	}
	return 0;
}

int flap_recorder__read(struct flap_recorder *rec, struct flap_trace **out)
{
	struct flap_decoder *dec = NULL;
	struct flap_trace *t = NULL;
	struct snapshot snap;
	int cpu, err;

	err = take_snapshot(rec, &snap);
	if (err)
		return err;
	err = flap_trace__new(rec->reg->ncpus, &t);
	if (!err)
		err = flap_decoder__new(t, &dec);
	if (err)
		goto out;
	t->boot_to_real_ns = snap.boot_to_real_ns;
	t->read_ns = snap.read_ns;
	err = decode_rings(rec, &snap, dec, t);
	if (!err)
		err = read_staging(rec, dec, snap.states);
	if (!err)
		err = flap_decoder__finish(dec);
	if (err)
		goto out;
	for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
		cpu_counts(rec, &snap, cpu, t->cpus[cpu].held, t->cpus[cpu].torn, &t->cpus[cpu]);
	flap_trace__sum(t);
	*out = t;
	t = NULL;
out:
	flap_decoder__free(dec);
	flap_trace__free(t);
	free_snapshot(&snap);
	return err;
}

/* Counts the events of the complete blocks of a copied ring. */
static int count_block(void *ctx, const void *raw, size_t len)
{
	struct flap_block_hdr bh;
	__u64 *held = ctx;

	if (len < sizeof(bh))
		return 0;
	memcpy(&bh, raw, sizeof(bh));
	if (bh.magic == FLAP_BLOCK_MAGIC && bh.used <= len - sizeof(bh))
		*held += bh.nrec;
	return 0;
}

int flap_recorder__counts(struct flap_recorder *rec, struct flap_cpu_counts *out)
{
	struct flap_cpu_counts c;
	struct flap_ring_stats rs;
	struct snapshot snap;
	int cpu, err;
	__u64 held;

	memset(out, 0, sizeof(*out));
	err = take_snapshot(rec, &snap);
	if (err)
		return err;
	for (cpu = 0; cpu < rec->reg->ncpus; cpu++) {
		held = snap.states[cpu].hdr.nrec + (snap.states[cpu].pending.valid == 1);
		memset(&rs, 0, sizeof(rs));
		flap_ring__walk(snap.rings + cpu * snap.ring_size, snap.len[cpu], count_block,
				&held, &rs);
		cpu_counts(rec, &snap, cpu, held, rs.torn, &c);
		flap_cpu_counts__add(out, &c);
	}
	free_snapshot(&snap);
	return 0;
}
