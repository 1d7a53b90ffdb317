// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * adoption.c - taking back the recorders an earlier registry pinned, and
 * pruning the pins and table entries that no adopted recorder claims.
 *
 * The perf rings cannot be pinned: the caller keeps their fds alive
 * elsewhere (keeper.c) and hands them back to flap_registry__adopt(). A
 * recorder adopted without them gets fresh rings swapped into its events
 * map, and the events its old rings held are counted as lost
 * (restart_lost), never silently dropped.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "flap.h"
#include "log.h"
#include "registry.h"
#include "registry_internal.h"
#include "ring.h"
#include "util.h"

#include "record.skel.h"

static int map_bss(struct flap_recorder *rec)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *p;

	if (bpf_obj_get_info_by_fd(rec->fd[RF_BSS], &info, &len))
		return -errno;
	/* Not sizeof(*rec->bss): the section has no tail padding, the struct may. */
	if (info.value_size <
		    offsetof(struct flap_record__bss, frozen) + sizeof(rec->bss->frozen) ||
	    info.value_size < offsetof(struct flap_record__bss, bound_cgroup_id) + sizeof(__u64))
		return -EBADMSG;
	rec->bss_len = (info.value_size + page - 1) & ~(page - 1);
	p = mmap(NULL, rec->bss_len, PROT_READ | PROT_WRITE, MAP_SHARED, rec->fd[RF_BSS], 0);
	if (p == MAP_FAILED)
		return -errno;
	rec->bss = p;
	return 0;
}

/* Maps a ring that already exists (its buffer and history are shared). */
static int map_ring(struct flap_ring *r, int cpu, int fd, __u32 pages)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	r->cpu = cpu;
	r->fd = fd;
	r->data_size = (size_t)pages * page;
	r->mmap_size = r->data_size + page;
	p = mmap(NULL, r->mmap_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		r->base = NULL;
		return -errno;
	}
	r->base = p;
	return 0;
}

/* Events of @cpu that its rings held or overwrote: produced - lost - staged. */
static __u64 ring_events(const struct flap_recorder *rec, int cpu, const struct flap_cpu_state *st,
			 const struct flap_stats *s)
{
	__u64 produced = st->events + s->nested_events + s->lost_frozen + s->lost_nested;
	__u64 gone = s->lost_frozen + s->lost_nested + s->lost_output + rec->restart_lost[cpu] +
		     st->hdr.nrec;

	return produced > gone ? produced - gone : 0;
}

/*
 * Puts the fresh rings @fresh[cpu] into the events map with the writers
 * frozen, and counts what the replaced rings held as restart_lost. The
 * staging blocks are in a map, not the ring: they survive and are not lost.
 */
static int swap_rings(struct flap_recorder *rec, const bool *fresh)
{
	struct flap_cpu_state *states;
	struct flap_stats *stats;
	int cpu, err, n = rec->reg->ncpus;
	__u64 lost = 0, l;

	states = calloc(n, sizeof(*states));
	stats = calloc(n, sizeof(*stats));
	if (!states || !stats) {
		err = -ENOMEM;
		goto out;
	}
	err = flap_recorder__freeze(rec, states);
	if (!err)
		err = flap_recorder__read_stats(rec, stats);
	for (cpu = 0; cpu < n && !err; cpu++) {
		if (!fresh[cpu])
			continue;
		l = ring_events(rec, cpu, &states[cpu], &stats[cpu]);
		if (bpf_map_update_elem(rec->fd[RF_EVENTS], &cpu, &rec->rings[cpu].fd, BPF_ANY)) {
			err = -errno;
			break;
		}
		rec->restart_lost[cpu] += l;
		lost += l;
	}
	flap_recorder__thaw(rec);
	if (!err)
		pr_warn("recorder: cgroup %llu: no ring to adopt; fresh rings, %llu earlier events "
			"lost",
			(unsigned long long)rec->cgid, (unsigned long long)lost);
out:
	free(states);
	free(stats);
	return err;
}

/*
 * Maps the rings handed over in @fds (taken: set to -1) and opens fresh
 * ones for the online CPUs that have none. A daemon killed during a read
 * may have left a ring paused and the recorder frozen: both are undone.
 */
static int adopt_rings(struct flap_recorder *rec, int *fds)
{
	struct flap_registry *reg = rec->reg;
	bool *fresh, any = false;
	int cpu, err = 0;

	fresh = calloc(reg->ncpus, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	for (cpu = 0; cpu < reg->ncpus && !err; cpu++) {
		struct flap_ring *r = &rec->rings[cpu];

		if (fds && fds[cpu] >= 0) {
			err = map_ring(r, cpu, fds[cpu], rec->opts.ring_pages);
			fds[cpu] = -1;
			if (err) {
				pr_warn("recorder: cgroup %llu: map ring cpu %d: %s",
					(unsigned long long)rec->cgid, cpu, strerror(-err));
				flap_ring__close(r);
				err = 0;
			}
		}
		if (r->fd >= 0 || !reg->online[cpu])
			continue;
		err = flap_ring__open(r, cpu, rec->opts.ring_pages);
		fresh[cpu] = !err;
		any |= fresh[cpu];
	}
	if (!err && any)
		err = swap_rings(rec, fresh);
	for (cpu = 0; cpu < reg->ncpus; cpu++)
		flap_ring__pause(&rec->rings[cpu], false);
	flap_recorder__thaw(rec);
	free(fresh);
	return err;
}

static void close_fds(int *fds, int n)
{
	int i;

	for (i = 0; fds && i < n; i++)
		zclose(fds[i]);
}

int flap_registry__adopt(struct flap_registry *reg, const struct flap_adopt_opts *o,
			 struct flap_recorder **out)
{
	struct flap_recorder *rec = NULL;
	int err, cpu;

	err = flap_registry__validate_add(reg, o->cgid);
	if (!err && (!reg->pin_dir || o->slot >= FLAP_MAX_RECORDERS || reg->slots[o->slot]))
		err = -EINVAL;
	if (!err) {
		rec = flap_recorder__new(reg, o->cgid, o->slot);
		err = rec ? flap_recorder__check_opts(&o->ropts, &rec->opts) : -ENOMEM;
	}
	if (!err)
		err = flap_recorder__alloc_rings(rec);
	if (err)
		goto out_free;
	err = flap_pins__open(reg->pin_dir, o->slot, flap_recorder_pins, rec->fd, RF_NUM);
	if (!err)
		err = map_bss(rec);
	/* The instance must be bound to @cgid (bpf/record.bpf.c bound_cgroup_id). */
	if (!err && __atomic_load_n(&rec->bss->bound_cgroup_id, __ATOMIC_SEQ_CST) != o->cgid)
		err = -ESTALE;
	if (err)
		goto out_free;
	for (cpu = 0; o->restart_lost && cpu < reg->ncpus; cpu++)
		rec->restart_lost[cpu] = o->restart_lost[cpu];
	err = adopt_rings(rec, o->ring_fds);
	if (!err)
		err = flap_recorder__wire(rec);
	if (!err)
		err = flap_registry__ensure_published(reg, o->cgid, o->slot);
	if (err)
		goto out_free;
	reg->slots[o->slot] = rec;
	reg->nrecorders++;
	*out = rec;
	return 0;

out_free:
	close_fds(o->ring_fds, reg->ncpus);
	if (rec) {
		/* The pins stay: flap_registry__prune() decides about them. */
		pr_warn("recorder: cgroup %llu: cannot adopt slot %u: %s",
			(unsigned long long)o->cgid, o->slot, strerror(-err));
		flap_recorder__free(rec);
	}
	return err;
}

int flap_registry__prune(struct flap_registry *reg)
{
	struct dirent *de;
	int n, slot;
	DIR *d;

	if (!reg->pin_dir)
		return 0;
	n = flap_registry__prune_table(reg);
	if (n < 0)
		return n;
	for (slot = 0; slot < FLAP_MAX_RECORDERS; slot++)
		if (!reg->slots[slot])
			flap_registry__unwire_slot(reg, slot);
	d = opendir(reg->pin_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		slot = atoi(de->d_name);
		if (slot >= FLAP_MAX_RECORDERS || !reg->slots[slot]) {
			flap_pins__remove_slot(reg->pin_dir, slot);
			n++;
		}
	}
	closedir(d);
	return n;
}
