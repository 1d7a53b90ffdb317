// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * registry.c - cgroup <-> slot table and per-cgroup recorder lifetime.
 *
 * The dispatcher finds a cgroup's slot in a direct-mapped table (index =
 * cgroup id & (FLAP_TABLE_SIZE - 1)) that this file writes through an
 * mmap of the map. An id whose table entry is taken by another id goes
 * into the cgroup_slots hash and the entry is flagged, so only those ids
 * pay for a hash lookup.
 *
 * Publishing order matters because the dispatcher reads without locks:
 * add wires the programs into the prog-arrays and only then writes the
 * table entry (slot first, id last); remove clears the id first, then the
 * prog-array entries, then frees the instance. A dispatcher that read the
 * old entry just before may still tail-call the slot: the recorder checks
 * the cgroup id itself, and the kernel keeps the program alive for RCU.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flap.h"
#include "decode.h"
#include "log.h"
#include "registry.h"
#include "ring.h"
#include "util.h"

#include "dispatch.skel.h"
#include "lifecycle.skel.h"
#include "record.skel.h"

struct flap_recorder {
	struct flap_registry *reg;
	struct flap_record *skel;
	struct flap_recorder_opts opts;
	__u64 cgid;
	__u32 slot;
	struct flap_ring *rings; /* [reg->ncpus], fd -1 for offline CPUs */
	void *user;
};

struct flap_registry {
	struct flap_dispatch *disp;
	struct flap_lifecycle *life;
	struct ring_buffer *exits;
	flap_exit_fn on_exit;
	void *ctx;
	struct flap_slot *table; /* mmap of cgroup_table */
	__u16 *collisions;	 /* ids of each table index kept in the hash */
	struct flap_recorder *slots[FLAP_MAX_RECORDERS];
	int nrecorders;
	int ncpus; /* possible CPUs: size of per-CPU maps */
	bool *online;
};

static size_t table_bytes(void)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (FLAP_TABLE_SIZE * sizeof(struct flap_slot) + page - 1) & ~(page - 1);
}

/* Each recorder holds ~2 + ncpus fds; allow a thousand of them. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int handle_exit_event(void *ctx, void *data, size_t size)
{
	struct flap_registry *reg = ctx;

	if (size >= sizeof(struct flap_exit_event) && reg->on_exit)
		reg->on_exit(reg->ctx, data);
	return 0;
}

static int load_lifecycle(struct flap_registry *reg)
{
	int err;

	reg->life = flap_lifecycle__open();
	if (!reg->life)
		return -errno;
	/* Share the dispatcher's table: one source of truth for "traced". */
	err = bpf_map__reuse_fd(reg->life->maps.cgroup_table,
				bpf_map__fd(reg->disp->maps.cgroup_table));
	if (!err)
		err = bpf_map__reuse_fd(reg->life->maps.cgroup_slots,
					bpf_map__fd(reg->disp->maps.cgroup_slots));
	if (!err)
		err = flap_lifecycle__load(reg->life);
	if (!err)
		err = flap_lifecycle__attach(reg->life);
	if (err) {
		pr_warn("registry: lifecycle program: %s", strerror(-err));
		return err;
	}
	reg->exits = ring_buffer__new(bpf_map__fd(reg->life->maps.lifecycle_rb), handle_exit_event,
				      reg, NULL);
	if (!reg->exits)
		return -errno;
	return 0;
}

int flap_registry__new(const struct flap_registry_opts *opts, struct flap_registry **out)
{
	struct flap_registry *reg;
	void *table;
	int err;

	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	raise_nofile();
	reg->ncpus = libbpf_num_possible_cpus();
	if (reg->ncpus <= 0) {
		err = reg->ncpus ? reg->ncpus : -EINVAL;
		goto out_free;
	}
	reg->online = calloc(reg->ncpus, sizeof(*reg->online));
	reg->collisions = calloc(FLAP_TABLE_SIZE, sizeof(*reg->collisions));
	if (!reg->online || !reg->collisions) {
		err = -ENOMEM;
		goto out_free;
	}
	err = flap_online_cpus(reg->online, reg->ncpus);
	if (err < 0)
		goto out_free;

	reg->disp = flap_dispatch__open_and_load();
	if (!reg->disp) {
		err = -errno;
		pr_warn("registry: load dispatcher: %s", strerror(-err));
		goto out_free;
	}
	table = mmap(NULL, table_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED,
		     bpf_map__fd(reg->disp->maps.cgroup_table), 0);
	if (table == MAP_FAILED) {
		err = -errno;
		pr_warn("registry: mmap cgroup table: %s", strerror(-err));
		goto out_destroy;
	}
	reg->table = table;
	err = flap_dispatch__attach(reg->disp);
	if (err) {
		pr_warn("registry: attach dispatcher: %s", strerror(-err));
		goto out_destroy;
	}
	if (opts && opts->lifecycle) {
		reg->on_exit = opts->on_exit;
		reg->ctx = opts->ctx;
		err = load_lifecycle(reg);
		if (err)
			goto out_destroy;
	}
	*out = reg;
	return 0;

out_destroy:
	flap_registry__free(reg);
	return err;
out_free:
	free(reg->online);
	free(reg->collisions);
	free(reg);
	return err;
}

void flap_registry__free(struct flap_registry *reg)
{
	int i;

	if (!reg)
		return;
	for (i = 0; i < FLAP_MAX_RECORDERS; i++)
		if (reg->slots[i])
			flap_registry__remove(reg, reg->slots[i]);
	ring_buffer__free(reg->exits);
	flap_lifecycle__destroy(reg->life);
	if (reg->table)
		munmap(reg->table, table_bytes());
	flap_dispatch__destroy(reg->disp);
	free(reg->online);
	free(reg->collisions);
	free(reg);
}

/* Makes @cgid -> @slot visible to the dispatcher. */
static int publish(struct flap_registry *reg, __u64 cgid, __u32 slot)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1);
	struct flap_slot *e = &reg->table[idx];
	int err;

	if (e->cgid == 0) {
		e->slot = slot;
		/* The id goes last: a dispatcher that sees it sees the slot. */
		__atomic_store_n(&e->cgid, cgid, __ATOMIC_RELEASE);
		return 0;
	}
	err = bpf_map_update_elem(bpf_map__fd(reg->disp->maps.cgroup_slots), &cgid, &slot,
				  BPF_NOEXIST);
	if (err)
		return -errno;
	reg->collisions[idx]++;
	__atomic_or_fetch(&e->flags, FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
	return 0;
}

/* Moves one id of table index @idx from the hash into the free entry. */
static void promote(struct flap_registry *reg, __u32 idx)
{
	int fd = bpf_map__fd(reg->disp->maps.cgroup_slots);
	struct flap_slot *e = &reg->table[idx];
	__u64 key, next, *prev = NULL;
	__u32 slot;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if ((key & (FLAP_TABLE_SIZE - 1)) != idx || bpf_map_lookup_elem(fd, &key, &slot))
			continue;
		e->slot = slot;
		__atomic_store_n(&e->cgid, key, __ATOMIC_RELEASE);
		/* Found in the table now; the hash entry can go. */
		bpf_map_delete_elem(fd, &key);
		if (--reg->collisions[idx] == 0)
			__atomic_and_fetch(&e->flags, ~FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
		return;
	}
}

static void unpublish(struct flap_registry *reg, __u64 cgid)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1);
	struct flap_slot *e = &reg->table[idx];

	if (e->cgid == cgid) {
		__atomic_store_n(&e->cgid, 0, __ATOMIC_RELEASE);
		if (reg->collisions[idx])
			promote(reg, idx);
		return;
	}
	if (bpf_map_delete_elem(bpf_map__fd(reg->disp->maps.cgroup_slots), &cgid) == 0 &&
	    --reg->collisions[idx] == 0)
		__atomic_and_fetch(&e->flags, ~FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
}

static int check_opts(const struct flap_recorder_opts *in, struct flap_recorder_opts *o)
{
	o->ring_pages = in && in->ring_pages ? in->ring_pages : FLAP_RING_PAGES_DEFAULT;
	o->str_max = in && in->str_max ? in->str_max : FLAP_STR_DEFAULT;
	o->buf_max = in && in->buf_max >= 0 ? in->buf_max : FLAP_BUF_DEFAULT;
	if (o->ring_pages & (o->ring_pages - 1) || o->ring_pages < FLAP_RING_PAGES_MIN ||
	    o->ring_pages > FLAP_RING_PAGES_MAX)
		return -EINVAL;
	if (o->str_max > FLAP_STR_MAX || o->buf_max > FLAP_BUF_MAX)
		return -EINVAL;
	return 0;
}

static void close_rings(struct flap_recorder *rec)
{
	int cpu;

	if (!rec->rings)
		return;
	for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
		flap_ring__close(&rec->rings[cpu]);
	zfree(&rec->rings);
}

static int open_rings(struct flap_recorder *rec)
{
	struct flap_registry *reg = rec->reg;
	int cpu, fd, err;

	rec->rings = calloc(reg->ncpus, sizeof(*rec->rings));
	if (!rec->rings)
		return -ENOMEM;
	for (cpu = 0; cpu < reg->ncpus; cpu++)
		rec->rings[cpu].fd = -1;
	fd = bpf_map__fd(rec->skel->maps.events);
	for (cpu = 0; cpu < reg->ncpus; cpu++) {
		if (!reg->online[cpu])
			continue;
		err = flap_ring__open(&rec->rings[cpu], cpu, rec->opts.ring_pages);
		if (err) {
			pr_warn("recorder: cgroup %llu: perf ring cpu %d: %s",
				(unsigned long long)rec->cgid, cpu, strerror(-err));
			return err;
		}
		if (bpf_map_update_elem(fd, &cpu, &rec->rings[cpu].fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int load_recorder(struct flap_recorder *rec)
{
	struct flap_record *skel;
	int err;

	skel = flap_record__open();
	if (!skel)
		return -errno;
	rec->skel = skel;
	skel->rodata->cfg_cgroup_id = rec->cgid;
	skel->rodata->cfg_str_max = rec->opts.str_max;
	skel->rodata->cfg_buf_max = rec->opts.buf_max;
	err = bpf_map__set_max_entries(skel->maps.events, rec->reg->ncpus);
	if (!err)
		err = flap_record__load(skel);
	if (err)
		pr_warn("recorder: cgroup %llu: load: %s", (unsigned long long)rec->cgid,
			strerror(-err));
	return err;
}

static int wire(struct flap_recorder *rec)
{
	struct flap_dispatch *d = rec->reg->disp;
	int enter = bpf_program__fd(rec->skel->progs.handle_sys_enter);
	int exit = bpf_program__fd(rec->skel->progs.handle_sys_exit);

	if (bpf_map_update_elem(bpf_map__fd(d->maps.recorders_enter), &rec->slot, &enter, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(bpf_map__fd(d->maps.recorders_exit), &rec->slot, &exit, BPF_ANY))
		return -errno;
	return 0;
}

static void unwire(struct flap_recorder *rec)
{
	struct flap_dispatch *d = rec->reg->disp;

	bpf_map_delete_elem(bpf_map__fd(d->maps.recorders_enter), &rec->slot);
	bpf_map_delete_elem(bpf_map__fd(d->maps.recorders_exit), &rec->slot);
}

int flap_registry__add(struct flap_registry *reg, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out)
{
	struct flap_recorder *rec;
	int slot, err;

	if (!cgid)
		return -EINVAL;
	if (flap_registry__find(reg, cgid))
		return -EEXIST;
	for (slot = 0; slot < FLAP_MAX_RECORDERS && reg->slots[slot]; slot++)
		;
	if (slot == FLAP_MAX_RECORDERS)
		return -ENOSPC;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->reg = reg;
	rec->cgid = cgid;
	rec->slot = slot;
	err = check_opts(opts, &rec->opts);
	if (err)
		goto out_free;
	err = load_recorder(rec);
	if (err)
		goto out_destroy;
	err = open_rings(rec);
	if (err)
		goto out_rings;
	err = wire(rec);
	if (err)
		goto out_unwire;
	err = publish(reg, cgid, slot);
	if (err)
		goto out_unwire;
	reg->slots[slot] = rec;
	reg->nrecorders++;
	*out = rec;
	return 0;

out_unwire:
	unwire(rec);
out_rings:
	close_rings(rec);
out_destroy:
	flap_record__destroy(rec->skel);
out_free:
	free(rec);
	return err;
}

int flap_registry__remove(struct flap_registry *reg, struct flap_recorder *rec)
{
	if (!rec)
		return 0;
	unpublish(reg, rec->cgid);
	unwire(rec);
	flap_record__destroy(rec->skel);
	close_rings(rec);
	reg->slots[rec->slot] = NULL;
	reg->nrecorders--;
	free(rec);
	return 0;
}

struct flap_recorder *flap_registry__find(struct flap_registry *reg, __u64 cgid)
{
	int i;

	for (i = 0; i < FLAP_MAX_RECORDERS; i++)
		if (reg->slots[i] && reg->slots[i]->cgid == cgid)
			return reg->slots[i];
	return NULL;
}

int flap_registry__count(const struct flap_registry *reg)
{
	return reg->nrecorders;
}

int flap_registry__exits_fd(const struct flap_registry *reg)
{
	return reg->exits ? ring_buffer__epoll_fd(reg->exits) : -1;
}

int flap_registry__poll_exits(struct flap_registry *reg)
{
	if (!reg->exits)
		return 0;
	return ring_buffer__consume(reg->exits);
}

__u64 flap_recorder__cgroup_id(const struct flap_recorder *rec)
{
	return rec->cgid;
}

__u32 flap_recorder__slot(const struct flap_recorder *rec)
{
	return rec->slot;
}

const struct flap_recorder_opts *flap_recorder__opts(const struct flap_recorder *rec)
{
	return &rec->opts;
}

void flap_recorder__set_user(struct flap_recorder *rec, void *user)
{
	rec->user = user;
}

void *flap_recorder__user(const struct flap_recorder *rec)
{
	return rec->user;
}

size_t flap_recorder__memory(const struct flap_recorder *rec)
{
	size_t page = sysconf(_SC_PAGESIZE), n = 0;
	int cpu;

	for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
		if (rec->rings[cpu].fd >= 0)
			n += rec->rings[cpu].mmap_size;
	n += (size_t)rec->reg->ncpus * sizeof(struct flap_cpu_state);
	return n + page; /* stats, config */
}

/* Per-CPU map value stride: the kernel rounds each CPU's value up to 8,
 * which these structs already are, so they can be indexed as arrays. */
#define PCPU_STRIDE(t) ((sizeof(t) + 7) & ~(size_t)7)
_Static_assert(PCPU_STRIDE(struct flap_cpu_state) == sizeof(struct flap_cpu_state), "stride");
_Static_assert(PCPU_STRIDE(struct flap_stats) == sizeof(struct flap_stats), "stride");

static int read_stats(struct flap_recorder *rec, struct flap_stats *stats)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(rec->skel->maps.stats), &zero, stats))
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
static int freeze(struct flap_recorder *rec, struct flap_cpu_state *states)
{
	struct timespec ts = {.tv_nsec = 20000};
	int fd = bpf_map__fd(rec->skel->maps.cpu_state), cpu, tries;
	__u32 zero = 0;
	bool busy;

	__atomic_store_n(&rec->skel->bss->frozen, 1, __ATOMIC_SEQ_CST);
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

static void thaw(struct flap_recorder *rec)
{
	__atomic_store_n(&rec->skel->bss->frozen, 0, __ATOMIC_SEQ_CST);
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

/* Copies and decodes every ring of @rec (writers frozen). */
static int read_rings(struct flap_recorder *rec, struct flap_decoder *dec, struct flap_trace *t)
{
	size_t size = (size_t)rec->opts.ring_pages * sysconf(_SC_PAGESIZE), len;
	struct walk_ctx w = {.dec = dec};
	struct flap_ring_stats rs;
	int cpu, err = 0;
	void *buf;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (cpu = 0; cpu < rec->reg->ncpus && !err; cpu++) {
		struct flap_ring *r = &rec->rings[cpu];

		if (r->fd < 0)
			continue;
		flap_ring__pause(r, true);
		len = flap_ring__copy(r, buf);
		flap_ring__pause(r, false);
		memset(&rs, 0, sizeof(rs));
		w.cpu = cpu;
		err = flap_ring__walk(buf, len, on_sample, &w, &rs);
		/* PERF_RECORD_LOST counts blocks the recorder already counted as
		 * lost_output events: only torn blocks are new information. */
		t->cpus[cpu].torn += rs.torn;
	}
	free(buf);
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

static void count(struct flap_recorder *rec, const struct flap_cpu_state *states,
		  const struct flap_stats *stats, struct flap_trace *t)
{
	int cpu;

	for (cpu = 0; cpu < rec->reg->ncpus; cpu++) {
		struct flap_cpu_counts *c = &t->cpus[cpu];
		const struct flap_stats *s = &stats[cpu];
		__u64 accounted;

		c->produced =
			states[cpu].events + s->nested_events + s->lost_frozen + s->lost_nested;
		c->lost += s->lost_frozen + s->lost_nested + s->lost_output;
		c->bytes = s->bytes;
		accounted = c->held + c->lost;
		c->overwritten = c->produced > accounted ? c->produced - accounted : 0;
	}
	flap_trace__sum(t);
}

int flap_recorder__read(struct flap_recorder *rec, struct flap_trace **out)
{
	struct flap_cpu_state *states = NULL;
	struct flap_decoder *dec = NULL;
	struct flap_stats *stats = NULL;
	struct flap_trace *t = NULL;
	int err, n = rec->reg->ncpus;

	states = calloc(n, PCPU_STRIDE(struct flap_cpu_state));
	stats = calloc(n, PCPU_STRIDE(struct flap_stats));
	if (!states || !stats) {
		err = -ENOMEM;
		goto out;
	}
	err = flap_trace__new(n, &t);
	if (err)
		goto out;
	err = flap_decoder__new(t, &dec);
	if (err)
		goto out;

	err = freeze(rec, states);
	if (err) {
		thaw(rec);
		goto out;
	}
	t->boot_to_real_ns = flap_boot_to_real_ns();
	t->read_ns = flap_boot_ns();
	err = read_rings(rec, dec, t);
	if (!err)
		err = read_stats(rec, stats);
	thaw(rec);
	if (err)
		goto out;

	err = read_staging(rec, dec, states);
	if (!err)
		err = flap_decoder__finish(dec);
	if (err)
		goto out;
	count(rec, states, stats, t);
	*out = t;
	t = NULL;
out:
	flap_decoder__free(dec);
	flap_trace__free(t);
	free(states);
	free(stats);
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
	size_t size = (size_t)rec->opts.ring_pages * sysconf(_SC_PAGESIZE), len;
	struct flap_cpu_state *states = NULL;
	struct flap_stats *stats = NULL;
	int cpu, err, n = rec->reg->ncpus;
	struct flap_ring_stats rs;
	void *buf = NULL;

	memset(out, 0, sizeof(*out));
	states = calloc(n, PCPU_STRIDE(struct flap_cpu_state));
	stats = calloc(n, PCPU_STRIDE(struct flap_stats));
	buf = malloc(size);
	if (!states || !stats || !buf) {
		err = -ENOMEM;
		goto out;
	}
	err = freeze(rec, states);
	if (!err) {
		for (cpu = 0; cpu < n; cpu++) {
			struct flap_ring *r = &rec->rings[cpu];

			out->held += states[cpu].hdr.nrec;
			if (r->fd < 0)
				continue;
			flap_ring__pause(r, true);
			len = flap_ring__copy(r, buf);
			flap_ring__pause(r, false);
			memset(&rs, 0, sizeof(rs));
			flap_ring__walk(buf, len, count_block, &out->held, &rs);
			out->torn += rs.torn;
		}
		err = read_stats(rec, stats);
	}
	thaw(rec);
	if (err)
		goto out;
	for (cpu = 0; cpu < n; cpu++) {
		out->produced += states[cpu].events + stats[cpu].nested_events +
				 stats[cpu].lost_frozen + stats[cpu].lost_nested;
		out->lost +=
			stats[cpu].lost_frozen + stats[cpu].lost_nested + stats[cpu].lost_output;
		out->bytes += stats[cpu].bytes;
	}
	if (out->produced > out->held + out->lost)
		out->overwritten = out->produced - out->held - out->lost;
out:
	free(buf);
	free(states);
	free(stats);
	return err;
}
