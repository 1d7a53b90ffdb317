// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * registry.c - the registry: the dispatcher and lifecycle programs loaded
 * (or adopted from their pins) when it is created, everything it holds
 * released when it is freed.
 *
 * The dispatcher finds a cgroup's slot in a direct-mapped table (index =
 * cgroup id & (FLAP_TABLE_SIZE - 1)) that table.c writes through an mmap
 * of the map; lifetime.c loads, adds and removes recorders, adoption.c
 * takes back pinned ones, snapshot.c reads their rings. Calls go one way:
 * registry.c and adoption.c call lifetime.c, which calls table.c and
 * pins.c; adoption.c also freezes through snapshot.c; none calls back
 * (registry_internal.h holds what these files share).
 *
 * Persistence (a pin directory in bpffs, pins.c): the dispatcher's links
 * and maps, the lifecycle link and ring buffer, and each recorder's
 * programs and maps (<dir>/<slot>/) are pinned, so they stay attached and
 * recording when the process exits; a later registry on the same
 * directory adopts them instead of loading. The perf rings cannot be
 * pinned: the caller keeps their fds alive elsewhere (keeper.c) and hands
 * them back to flap_registry__adopt(). The events maps are created with
 * BPF_F_PRESERVE_ELEMS so that their entries survive the close of the fd
 * that inserted them (the daemon's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flap.h"
#include "kfeatures.h"
#include "log.h"
#include "registry.h"
#include "registry_internal.h"
#include "util.h"

#include "dispatch.skel.h"
#include "lifecycle.skel.h"
#include "record.skel.h"

static const char *const disp_pins[DF_NUM] = {
	"cgroup_table",
	"cgroup_slots",
	"recorders_enter",
	"recorders_exit",
	"link_sys_enter",
	"link_sys_exit",
	"handoff",
	"recorders_sig_deliver",
	"recorders_sig_generate",
	"link_signal_deliver",
	"link_signal_generate",
};

/* Optional: a pin directory of an older daemon has none (then slots are emptied by deletes). */
static const char *const stub_pins[2] = {"slot_free_enter", "slot_free_exit"};

static const char *const life_pins[LF_NUM] = {"link_lifecycle", "lifecycle_rb", "lifecycle_lost",
					      "link_oom", "lifecycle_fallback"};

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

__u64 flap_registry__bpf_id(void)
{
	typedef const void *(*elf_bytes_fn)(size_t *);
	static const elf_bytes_fn objs[] = {flap_dispatch__elf_bytes, flap_record__elf_bytes,
					    flap_lifecycle__elf_bytes};
	__u64 h = 0xcbf29ce484222325ULL;
	const __u8 *p;
	size_t i, j, n;

	/* FNV-1a over the embedded objects: a new build is a new id. */
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		p = objs[i](&n);
		for (j = 0; j < n; j++)
			h = (h ^ p[j]) * 0x100000001b3ULL;
	}
	return h;
}

/* ---- dispatcher and lifecycle ---------------------------------------------- */

static int handle_exit_event(void *ctx, void *data, size_t size)
{
	const struct flap_exit_event *e = data;
	struct flap_registry *reg = ctx;

	_Static_assert(offsetof(struct flap_exit_event, type) ==
			       offsetof(struct flap_oom_event, type),
		       "lifecycle records share where their type is");
	if (size < sizeof(struct flap_exit_event))
		return 0;
	if (e->type == FLAP_LC_OOM) {
		if (size >= sizeof(struct flap_oom_event) && reg->on_oom)
			reg->on_oom(reg->ctx, data);
		return 0;
	}
	if (reg->on_exit)
		reg->on_exit(reg->ctx, e);
	return 0;
}

static int load_lifecycle(struct flap_registry *reg)
{
	int err;

	reg->life = flap_lifecycle__open();
	if (!reg->life)
		return -errno;
	/* Share the dispatcher's table: one source of truth for "traced". */
	err = bpf_map__reuse_fd(reg->life->maps.cgroup_table, reg->dfd[DF_TABLE]);
	if (!err)
		err = bpf_map__reuse_fd(reg->life->maps.cgroup_slots, reg->dfd[DF_SLOTS]);
	if (!err)
		err = flap_lifecycle__load(reg->life);
	if (!err)
		err = flap_lifecycle__attach(reg->life);
	if (err) {
		pr_warn("registry: lifecycle program: %s", strerror(-err));
		return err;
	}
	reg->lfd[LF_LINK] = bpf_link__fd(reg->life->links.handle_exit);
	reg->lfd[LF_RB] = bpf_map__fd(reg->life->maps.lifecycle_rb);
	reg->lfd[LF_LOST] = bpf_map__fd(reg->life->maps.lifecycle_lost);
	reg->lfd[LF_LINK_OOM] = bpf_link__fd(reg->life->links.handle_oom);
	reg->lfd[LF_FALLBACK] = bpf_map__fd(reg->life->maps.lifecycle_fallback);
	if (reg->pin_dir)
		return flap_pins__pin(reg->pin_dir, -1, life_pins, reg->lfd, LF_NUM);
	return 0;
}

/* Lifecycle objects: adopted with an adopted dispatcher, else loaded. */
static int start_lifecycle(struct flap_registry *reg)
{
	int err = -ENOENT;

	if (reg->adopted)
		err = flap_pins__open(reg->pin_dir, -1, life_pins, reg->lfd, LF_NUM);
	if (err == -ESTALE)
		flap_pins__unpin(reg->pin_dir, -1, life_pins, LF_NUM);
	if (err) {
		err = load_lifecycle(reg);
		if (err)
			return err;
	}
	reg->exits = ring_buffer__new(reg->lfd[LF_RB], handle_exit_event, reg, NULL);
	if (!reg->exits)
		return -errno;
	return 0;
}

static int load_dispatcher(struct flap_registry *reg)
{
	bool compat;
	int err;

	reg->disp = flap_dispatch__open();
	if (!reg->disp) {
		err = -errno;
		pr_warn("registry: open dispatcher: %s", strerror(-err));
		return err;
	}
	/* One pair of programs: with the task's BTF where the kernel has it. */
	compat = reg->compat || !flap_features__get()->task_btf;
	bpf_program__set_autoload(reg->disp->progs.handle_sys_enter, !compat);
	bpf_program__set_autoload(reg->disp->progs.handle_sys_exit, !compat);
	bpf_program__set_autoload(reg->disp->progs.handle_sys_enter_compat, compat);
	bpf_program__set_autoload(reg->disp->progs.handle_sys_exit_compat, compat);
	bpf_program__set_autoattach(reg->disp->progs.slot_free_enter, false);
	bpf_program__set_autoattach(reg->disp->progs.slot_free_exit, false);
	err = flap_dispatch__load(reg->disp);
	if (err) {
		pr_warn("registry: load dispatcher: %s", strerror(-err));
		return err;
	}
	err = flap_dispatch__attach(reg->disp);
	if (err) {
		pr_warn("registry: attach dispatcher: %s", strerror(-err));
		return err;
	}
	reg->dfd[DF_TABLE] = bpf_map__fd(reg->disp->maps.cgroup_table);
	reg->dfd[DF_SLOTS] = bpf_map__fd(reg->disp->maps.cgroup_slots);
	reg->dfd[DF_ENTER] = bpf_map__fd(reg->disp->maps.recorders_enter);
	reg->dfd[DF_EXIT] = bpf_map__fd(reg->disp->maps.recorders_exit);
	reg->dfd[DF_LINK_ENTER] = bpf_link__fd(compat ? reg->disp->links.handle_sys_enter_compat
						      : reg->disp->links.handle_sys_enter);
	reg->dfd[DF_LINK_EXIT] = bpf_link__fd(compat ? reg->disp->links.handle_sys_exit_compat
						     : reg->disp->links.handle_sys_exit);
	reg->dfd[DF_HANDOFF] = bpf_map__fd(reg->disp->maps.handoff);
	reg->dfd[DF_SIG_DELIVER] = bpf_map__fd(reg->disp->maps.recorders_sig_deliver);
	reg->dfd[DF_SIG_GENERATE] = bpf_map__fd(reg->disp->maps.recorders_sig_generate);
	reg->dfd[DF_LINK_SIG_DELIVER] = bpf_link__fd(reg->disp->links.handle_signal_deliver);
	reg->dfd[DF_LINK_SIG_GENERATE] = bpf_link__fd(reg->disp->links.handle_signal_generate);
	reg->stub_fd[0] = bpf_program__fd(reg->disp->progs.slot_free_enter);
	reg->stub_fd[1] = bpf_program__fd(reg->disp->progs.slot_free_exit);
	if (!reg->pin_dir)
		return 0;
	err = flap_pins__pin(reg->pin_dir, -1, disp_pins, reg->dfd, DF_NUM);
	return err ? err : flap_pins__pin(reg->pin_dir, -1, stub_pins, reg->stub_fd, 2);
}

/* Counts the hash's ids per table index again (after adopting the maps). */
static void count_collisions(struct flap_registry *reg)
{
	__u64 key, next, *prev = NULL;

	while (bpf_map_get_next_key(reg->dfd[DF_SLOTS], prev, &next) == 0) {
		key = next;
		prev = &key;
		reg->collisions[key & (FLAP_TABLE_SIZE - 1)]++;
		__atomic_or_fetch(&reg->table[key & (FLAP_TABLE_SIZE - 1)].flags,
				  FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
	}
}

/*
 * With a pin directory: adopt its dispatcher if it is complete; a partial
 * set (a daemon killed while pinning) is removed and loaded afresh.
 */
static int start_dispatcher(struct flap_registry *reg)
{
	int err = -ENOENT;

	if (reg->pin_dir) {
		if (mkdir(reg->pin_dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		err = flap_pins__open(reg->pin_dir, -1, disp_pins, reg->dfd, DF_NUM);
		if (err == -ESTALE) {
			pr_warn("registry: %s: incomplete pins, loading afresh", reg->pin_dir);
			flap_registry__unpin(reg->pin_dir);
		}
		reg->adopted = !err;
		if (reg->adopted)
			flap_pins__open(reg->pin_dir, -1, stub_pins, reg->stub_fd, 2);
	}
	if (err)
		err = load_dispatcher(reg);
	return err;
}

static int map_table(struct flap_registry *reg)
{
	void *table;
	int err;

	table = mmap(NULL, table_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, reg->dfd[DF_TABLE],
		     0);
	if (table == MAP_FAILED) {
		err = -errno;
		pr_warn("registry: mmap cgroup table: %s", strerror(-err));
		return err;
	}
	reg->table = table;
	return 0;
}

int flap_registry__new(const struct flap_registry_opts *opts, struct flap_registry **out)
{
	struct flap_registry *reg;
	int err, i;

	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	for (i = 0; i < DF_NUM; i++)
		reg->dfd[i] = -1;
	reg->stub_fd[0] = reg->stub_fd[1] = -1;
	for (i = 0; i < LF_NUM; i++)
		reg->lfd[i] = -1;
	raise_nofile();
	reg->ncpus = libbpf_num_possible_cpus();
	if (reg->ncpus <= 0) {
		err = reg->ncpus ? reg->ncpus : -EINVAL;
		goto out_free;
	}
	reg->online = calloc(reg->ncpus, sizeof(*reg->online));
	reg->collisions = calloc(FLAP_TABLE_SIZE, sizeof(*reg->collisions));
	reg->compat = opts && opts->compat;
	if (opts && opts->pin_dir)
		reg->pin_dir = strdup(opts->pin_dir);
	if (!reg->online || !reg->collisions || (opts && opts->pin_dir && !reg->pin_dir)) {
		err = -ENOMEM;
		goto out_free;
	}
	err = flap_cpus__online(reg->online, reg->ncpus);
	if (err < 0)
		goto out_free;

	err = start_dispatcher(reg);
	if (!err)
		err = map_table(reg);
	if (err)
		goto out_destroy;
	if (reg->adopted)
		count_collisions(reg);
	if (opts && opts->lifecycle) {
		reg->on_exit = opts->on_exit;
		reg->on_oom = opts->on_oom;
		reg->ctx = opts->ctx;
		err = start_lifecycle(reg);
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
	free(reg->pin_dir);
	free(reg);
	return err;
}

void flap_registry__free(struct flap_registry *reg)
{
	int i;

	if (!reg)
		return;
	for (i = 0; i < FLAP_MAX_RECORDERS; i++) {
		if (!reg->slots[i])
			continue;
		/* Pinned recorders go on recording for the next registry. */
		if (reg->pin_dir)
			flap_recorder__release(reg->slots[i]);
		else
			flap_registry__remove(reg, reg->slots[i]);
	}
	ring_buffer__free(reg->exits);
	if (reg->life)
		flap_lifecycle__destroy(reg->life);
	else
		flap_pins__close(reg->lfd, LF_NUM);
	if (reg->table)
		munmap(reg->table, table_bytes());
	/* Closing a pinned link's fd leaves it attached: the pin holds it. */
	if (reg->disp) {
		flap_dispatch__destroy(reg->disp);
	} else {
		flap_pins__close(reg->dfd, DF_NUM);
		flap_pins__close(reg->stub_fd, 2);
	}
	free(reg->online);
	free(reg->collisions);
	free(reg->pin_dir);
	free(reg);
}

int flap_registry__skipped(const struct flap_registry *reg, __u64 *out)
{
	const int links[] = {reg->dfd[DF_LINK_ENTER], reg->dfd[DF_LINK_EXIT]};
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	__u64 sum = 0;
	int fd, err;
	size_t i;
	__u32 len;

	for (i = 0; i < ARRAY_SIZE(links); i++) {
		memset(&li, 0, sizeof(li));
		len = sizeof(li);
		if (bpf_obj_get_info_by_fd(links[i], &li, &len))
			return -errno;
		fd = bpf_prog_get_fd_by_id(li.prog_id);
		if (fd < 0)
			return -errno;
		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		err = bpf_obj_get_info_by_fd(fd, &pi, &len) ? -errno : 0;
		close(fd);
		if (err)
			return err;
		sum += pi.recursion_misses;
	}
	*out = sum;
	return 0;
}

bool flap_registry__adopted(const struct flap_registry *reg)
{
	return reg->adopted;
}

int flap_registry__ncpus(const struct flap_registry *reg)
{
	return reg->ncpus;
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

__u64 flap_registry__exits_lost(const struct flap_registry *reg)
{
	__u64 *per_cpu, sum = 0;
	__u32 zero = 0;
	int cpu;

	if (!reg->exits)
		return 0;
	per_cpu = calloc(reg->ncpus, sizeof(*per_cpu));
	if (!per_cpu)
		return 0;
	if (bpf_map_lookup_elem(reg->lfd[LF_LOST], &zero, per_cpu) == 0)
		for (cpu = 0; cpu < reg->ncpus; cpu++)
			sum += per_cpu[cpu];
	free(per_cpu);
	return sum;
}

int flap_recorder__exit_fallback(const struct flap_recorder *rec, struct flap_exit_fallback *out)
{
	const struct flap_registry *reg = rec->reg;
	__u32 slot = rec->slot;

	memset(out, 0, sizeof(*out));
	if (!reg->exits)
		return -ENOENT;
	if (bpf_map_lookup_elem(reg->lfd[LF_FALLBACK], &slot, out) < 0)
		return -errno;
	return 0;
}

void flap_registry__clear_fallback(struct flap_registry *reg, __u32 slot)
{
	struct flap_exit_fallback zero = {};

	if (reg->exits)
		bpf_map_update_elem(reg->lfd[LF_FALLBACK], &slot, &zero, BPF_ANY);
}
