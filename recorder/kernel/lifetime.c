// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lifetime.c - a recorder's life: added (its program loaded with its
 * configuration, its rings opened, pinned, wired into the dispatcher's
 * prog-arrays, published in the table) and removed, and what the owner may
 * ask of it.
 *
 * Publishing order matters because the dispatcher reads without locks:
 * add wires the programs into the prog-arrays and only then writes the
 * table entry (slot first, id last); remove clears the id first, then the
 * prog-array entries, then frees the instance. A dispatcher that read the
 * old entry just before may still tail-call the slot: the recorder checks
 * the cgroup id the dispatcher hands over (read from the current task, not
 * the table), and the kernel keeps the program alive for RCU.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "flap.h"
#include "kfeatures.h"
#include "log.h"
#include "registry.h"
#include "registry_internal.h"
#include "ring.h"
#include "syscalls.h"
#include "util.h"

#include "record.skel.h"

const char *const flap_recorder_pins[RF_NUM] = {
	"prog_enter", "prog_exit", "events",	       "cpu_state",	    "stats",
	"bss",	      "rodata",	   "prog_sig_deliver", "prog_sig_generate",
};

int flap_recorder__check_opts(const struct flap_recorder_opts *in, struct flap_recorder_opts *o)
{
	o->ring_pages = in && in->ring_pages ? in->ring_pages : FLAP_RING_PAGES_DEFAULT;
	o->str_max = in && in->str_max ? in->str_max : FLAP_STR_DEFAULT;
	o->buf_max = in && in->buf_max >= 0 ? in->buf_max : FLAP_BUF_DEFAULT;
	o->filter = in && in->filter;
	o->exact_durations = in && in->exact_durations;
	o->filter_expr[0] = '\0';
	if (o->filter) {
		o->syscalls = in->syscalls;
		memcpy(o->filter_expr, in->filter_expr, sizeof(o->filter_expr));
		o->filter_expr[sizeof(o->filter_expr) - 1] = '\0';
	} else {
		flap_sysset__all(&o->syscalls);
	}
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

int flap_recorder__alloc_rings(struct flap_recorder *rec)
{
	int cpu;

	rec->rings = calloc(rec->reg->ncpus, sizeof(*rec->rings));
	rec->restart_lost = calloc(rec->reg->ncpus, sizeof(*rec->restart_lost));
	if (!rec->rings || !rec->restart_lost)
		return -ENOMEM;
	for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
		rec->rings[cpu].fd = -1;
	return 0;
}

static int open_rings(struct flap_recorder *rec)
{
	struct flap_registry *reg = rec->reg;
	int cpu, err;

	for (cpu = 0; cpu < reg->ncpus; cpu++) {
		if (!reg->online[cpu])
			continue;
		err = flap_ring__open(&rec->rings[cpu], cpu, rec->opts.ring_pages);
		if (err) {
			pr_warn("recorder: cgroup %llu: perf ring cpu %d: %s",
				(unsigned long long)rec->cgid, cpu, strerror(-err));
			return err;
		}
		if (bpf_map_update_elem(rec->fd[RF_EVENTS], &cpu, &rec->rings[cpu].fd, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Worst-case capture bytes of every syscall with these sizes (record.bpf.c caps_need()). */
static void set_caps_need(struct flap_record *skel, const struct flap_recorder_opts *o)
{
	const struct flap_syscall *sc;
	int i, n = flap_syscall__count();

	for (i = 0; i < FLAP_NR_MAX; i++)
		skel->rodata->cfg_caps_need[i] = 0;
	for (i = 0; i < n; i++) {
		sc = flap_syscall__at(i);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			skel->rodata->cfg_caps_need[sc->nr] =
				flap_syscall__caps_need(sc->kinds, o->str_max, o->buf_max);
	}
}

/* The in-kernel syscall filter (record.bpf.c filtered_out()): off records all. */
static void set_filter(struct flap_record *skel, const struct flap_recorder_opts *o)
{
	int i;

	_Static_assert(sizeof(skel->rodata->cfg_syscalls) == sizeof(o->syscalls.bits),
		       "filter bitmap size");
	skel->rodata->cfg_filter = o->filter ? 1 | (o->syscalls.rest ? 2 : 0) : 0;
	for (i = 0; i < FLAP_FILTER_WORDS; i++)
		skel->rodata->cfg_syscalls[i] = o->filter ? o->syscalls.bits[i] : ~0ULL;
}

static int load_recorder(struct flap_recorder *rec)
{
	bool compat = rec->reg->compat || flap_features__get()->variant == FLAP_VARIANT_COMPAT;
	struct flap_record *skel;
	int err;

	skel = flap_record__open();
	if (!skel)
		return -errno;
	rec->skel = skel;
	/* One pair of programs: the variant this kernel verifies (kfeatures.h). */
	bpf_program__set_autoload(skel->progs.handle_sys_enter, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit, !compat);
	bpf_program__set_autoload(skel->progs.handle_sys_enter_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_sys_exit_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_signal_deliver, !compat);
	bpf_program__set_autoload(skel->progs.handle_signal_generate, !compat);
	bpf_program__set_autoload(skel->progs.handle_signal_deliver_compat, compat);
	bpf_program__set_autoload(skel->progs.handle_signal_generate_compat, compat);
	skel->rodata->cfg_str_max = rec->opts.str_max;
	skel->rodata->cfg_buf_max = rec->opts.buf_max;
	skel->rodata->cfg_exact_dur = rec->opts.exact_durations;
	set_caps_need(skel, &rec->opts);
	set_filter(skel, &rec->opts);
	/* What the dispatcher hands over before the tail call: one map for all. */
	err = bpf_map__reuse_fd(skel->maps.handoff, rec->reg->dfd[DF_HANDOFF]);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.events, rec->reg->ncpus);
	/* Pinned: the ring entries must outlive the fd that put them there. */
	if (!err && rec->reg->pin_dir)
		err = bpf_map__set_map_flags(skel->maps.events,
					     bpf_map__map_flags(skel->maps.events) |
						     BPF_F_PRESERVE_ELEMS);
	if (!err)
		err = flap_record__load(skel);
	if (err) {
		pr_warn("recorder: load: %s", strerror(-err));
		return err;
	}
	rec->fd[RF_ENTER] = bpf_program__fd(compat ? skel->progs.handle_sys_enter_compat
						   : skel->progs.handle_sys_enter);
	rec->fd[RF_EXIT] = bpf_program__fd(compat ? skel->progs.handle_sys_exit_compat
						  : skel->progs.handle_sys_exit);
	rec->fd[RF_SIG_DELIVER] = bpf_program__fd(compat ? skel->progs.handle_signal_deliver_compat
							 : skel->progs.handle_signal_deliver);
	rec->fd[RF_SIG_GENERATE] =
		bpf_program__fd(compat ? skel->progs.handle_signal_generate_compat
				       : skel->progs.handle_signal_generate);
	rec->fd[RF_EVENTS] = bpf_map__fd(skel->maps.events);
	rec->fd[RF_STATE] = bpf_map__fd(skel->maps.cpu_state);
	rec->fd[RF_STATS] = bpf_map__fd(skel->maps.stats);
	rec->fd[RF_BSS] = bpf_map__fd(skel->maps.bss);
	rec->fd[RF_RODATA] = bpf_map__fd(skel->maps.rodata);
	rec->bss = skel->bss;
	return 0;
}

/* The dispatcher's prog-array of each of a recorder's programs, and the
 * slot_free program (reg->stub_fd[]) a freed slot gets there, or -1. */
static const struct {
	int df, rf, stub;
} wiring[] = {
	{DF_ENTER, RF_ENTER, 0},
	{DF_EXIT, RF_EXIT, 1},
	{DF_SIG_DELIVER, RF_SIG_DELIVER, -1},
	{DF_SIG_GENERATE, RF_SIG_GENERATE, -1},
};

int flap_recorder__wire(struct flap_recorder *rec)
{
	struct flap_registry *reg = rec->reg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(wiring); i++)
		if (bpf_map_update_elem(reg->dfd[wiring[i].df], &rec->slot, &rec->fd[wiring[i].rf],
					BPF_ANY))
			return -errno;
	return 0;
}

/* The id of the dispatcher's slot_free program @k, 0 when unknown. */
static __u32 stub_id(struct flap_registry *reg, int k)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (!reg->stub_id[k] && reg->stub_fd[k] >= 0 &&
	    !bpf_obj_get_info_by_fd(reg->stub_fd[k], &info, &len))
		reg->stub_id[k] = info.id;
	return reg->stub_id[k];
}

/*
 * recorders_enter/exit get the dispatcher's slot_free programs (one text
 * poke each, where a delete waits an RCU grace period: bpf/dispatch.bpf.c);
 * a slot that holds nothing or the stub is left alone. The signals' arrays
 * (indirect tail calls) are deleted from, as is everything without the
 * stubs (a pin directory of an older daemon).
 */
void flap_registry__unwire_slot(struct flap_registry *reg, __u32 slot)
{
	__u32 id;
	size_t i;
	int k, fd;

	for (i = 0; i < ARRAY_SIZE(wiring); i++) {
		fd = reg->dfd[wiring[i].df];
		k = wiring[i].stub;
		if (k >= 0 && reg->stub_fd[k] >= 0) {
			if (bpf_map_lookup_elem(fd, &slot, &id) || id == stub_id(reg, k))
				continue;
			if (!bpf_map_update_elem(fd, &slot, &reg->stub_fd[k], BPF_ANY))
				continue;
		}
		bpf_map_delete_elem(fd, &slot);
	}
}

struct flap_recorder *flap_recorder__new(struct flap_registry *reg, __u64 cgid, __u32 slot)
{
	struct flap_recorder *rec;
	int i;

	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	rec->reg = reg;
	rec->cgid = cgid;
	rec->slot = slot;
	for (i = 0; i < RF_NUM; i++)
		rec->fd[i] = -1;
	return rec;
}

/* Frees the process's side of @rec: fds, mappings, memory. */
void flap_recorder__free(struct flap_recorder *rec)
{
	if (rec->skel)
		flap_record__destroy(rec->skel);
	else
		flap_pins__close(rec->fd, RF_NUM);
	if (!rec->skel && rec->bss)
		munmap(rec->bss, rec->bss_len);
	close_rings(rec);
	free(rec->restart_lost);
	free(rec);
}

/* Leaves a pinned recorder recording; frees only what this process holds. */
void flap_recorder__release(struct flap_recorder *rec)
{
	rec->reg->slots[rec->slot] = NULL;
	rec->reg->nrecorders--;
	flap_recorder__free(rec);
}

int flap_registry__validate_add(struct flap_registry *reg, __u64 cgid)
{
	if (!cgid)
		return -EINVAL;
	if (flap_registry__find(reg, cgid))
		return -EEXIST;
	return 0;
}

int flap_recorder__prepare(struct flap_registry *reg, const struct flap_recorder_opts *opts,
			   struct flap_recorder **out)
{
	struct flap_recorder *rec;
	int err;

	rec = flap_recorder__new(reg, 0, FLAP_SLOT_NONE);
	if (!rec)
		return -ENOMEM;
	err = flap_recorder__check_opts(opts, &rec->opts);
	if (!err)
		err = flap_recorder__alloc_rings(rec);
	if (!err)
		err = load_recorder(rec);
	if (!err)
		err = open_rings(rec);
	if (err) {
		flap_recorder__free(rec);
		return err;
	}
	*out = rec;
	return 0;
}

bool flap_recorder__fits(const struct flap_recorder_opts *have,
			 const struct flap_recorder_opts *asked)
{
	struct flap_recorder_opts o;

	/* What the verifier saw as constants must match; the ring size need not. */
	if (flap_recorder__check_opts(asked, &o))
		return false;
	return !o.filter && !have->filter && o.str_max == have->str_max &&
	       o.buf_max == have->buf_max && o.exact_durations == have->exact_durations;
}

/* Gives @rec rings of @pages pages per CPU if its pooled rings are another size. */
static int resize_rings(struct flap_recorder *rec, __u32 pages)
{
	int cpu;

	if (rec->opts.ring_pages == pages)
		return 0;
	for (cpu = 0; cpu < rec->reg->ncpus; cpu++)
		flap_ring__close(&rec->rings[cpu]);
	rec->opts.ring_pages = pages;
	return open_rings(rec);
}

/*
 * Writes @cgid into the recorder's .bss through the map (a syscall), not
 * only through the mapping: the update is what the programs are known to
 * see on every kernel, and the mapping shows it too.
 */
static int set_bound(struct flap_recorder *rec, __u64 cgid)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	size_t off = offsetof(struct flap_record__bss, bound_cgroup_id);
	__u8 *val;
	int err = 0;

	if (bpf_obj_get_info_by_fd(rec->fd[RF_BSS], &info, &len))
		return -errno;
	if (info.value_size < off + sizeof(cgid))
		return -EBADMSG;
	val = calloc(1, info.value_size);
	if (!val)
		return -ENOMEM;
	if (bpf_map_lookup_elem(rec->fd[RF_BSS], &zero, val))
		err = -errno;
	memcpy(val + off, &cgid, sizeof(cgid));
	if (!err && bpf_map_update_elem(rec->fd[RF_BSS], &zero, val, BPF_ANY))
		err = -errno;
	free(val);
	return err;
}

int flap_registry__bind(struct flap_registry *reg, __u64 cgid, struct flap_recorder *rec,
			const struct flap_recorder_opts *opts)
{
	struct flap_recorder_opts o;
	int slot, err;

	err = flap_registry__validate_add(reg, cgid);
	if (!err)
		err = flap_recorder__check_opts(opts, &o);
	if (err)
		return err;
	for (slot = 0; slot < FLAP_MAX_RECORDERS && reg->slots[slot]; slot++)
		;
	if (slot == FLAP_MAX_RECORDERS)
		return -ENOSPC;
	err = resize_rings(rec, o.ring_pages);
	if (err)
		return err;
	/* Only the filter's text is not in the programs (fits() checked the rest). */
	memcpy(rec->opts.filter_expr, o.filter_expr, sizeof(o.filter_expr));
	rec->cgid = cgid;
	rec->slot = slot;
	/* Before it is wired: the programs must never see another id in this slot. */
	err = set_bound(rec, cgid);
	if (err)
		return err;
	if (reg->pin_dir) {
		/* A slot directory a killed daemon left must not block the pins. */
		flap_pins__remove_slot(reg->pin_dir, slot);
		err = flap_pins__pin(reg->pin_dir, slot, flap_recorder_pins, rec->fd, RF_NUM);
		if (err)
			goto out_unpin;
	}
	/* The exits an earlier recorder of this slot lost are not this one's. */
	flap_registry__clear_fallback(reg, slot);
	err = flap_recorder__wire(rec);
	if (!err)
		err = flap_registry__publish(reg, cgid, slot);
	if (err)
		goto out_unwire;
	reg->slots[slot] = rec;
	reg->nrecorders++;
	return 0;

out_unwire:
	flap_registry__unwire_slot(reg, slot);
out_unpin:
	if (reg->pin_dir)
		flap_pins__remove_slot(reg->pin_dir, slot);
	return err;
}

int flap_registry__add(struct flap_registry *reg, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out)
{
	struct flap_recorder *rec;
	int err;

	err = flap_registry__validate_add(reg, cgid);
	if (err)
		return err;
	err = flap_recorder__prepare(reg, opts, &rec);
	if (err)
		return err;
	err = flap_registry__bind(reg, cgid, rec, opts);
	if (err) {
		flap_recorder__free(rec);
		return err;
	}
	*out = rec;
	return 0;
}

int flap_registry__remove(struct flap_registry *reg, struct flap_recorder *rec)
{
	if (!rec)
		return 0;
	flap_registry__unpublish(reg, rec->cgid);
	flap_registry__unwire_slot(reg, rec->slot);
	if (reg->pin_dir)
		flap_pins__remove_slot(reg->pin_dir, rec->slot);
	reg->slots[rec->slot] = NULL;
	reg->nrecorders--;
	flap_recorder__free(rec);
	return 0;
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

int flap_recorder__ring_fd(const struct flap_recorder *rec, int cpu)
{
	return cpu >= 0 && cpu < rec->reg->ncpus ? rec->rings[cpu].fd : -1;
}

__u64 flap_recorder__restart_lost(const struct flap_recorder *rec, int cpu)
{
	return cpu >= 0 && cpu < rec->reg->ncpus ? rec->restart_lost[cpu] : 0;
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
