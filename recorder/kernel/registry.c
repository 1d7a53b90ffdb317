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
 * the cgroup id the dispatcher hands over (read from the current task, not
 * the table), and the kernel keeps the program alive for RCU.
 *
 * Persistence (a pin directory in bpffs): the dispatcher's links and maps,
 * the lifecycle link and ring buffer, and each recorder's programs and
 * maps (<dir>/<slot>/) are pinned, so they stay attached and recording
 * when the process exits; a later registry on the same directory adopts
 * them instead of loading. The perf rings cannot be pinned: the caller
 * keeps their fds alive elsewhere (keeper.c) and hands them back to
 * flap_registry__adopt(). A recorder adopted without them gets fresh rings
 * swapped into its events map, and the events its old rings held are
 * counted as lost (restart_lost), never silently dropped. The events maps
 * are created with BPF_F_PRESERVE_ELEMS so that their entries survive the
 * close of the fd that inserted them (the daemon's).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flap.h"
#include "decode.h"
#include "log.h"
#include "registry.h"
#include "ring.h"
#include "syscalls.h"
#include "util.h"

#include "dispatch.skel.h"
#include "lifecycle.skel.h"
#include "record.skel.h"

/* A recorder's kernel objects, in pin order. */
enum {
	RF_ENTER,
	RF_EXIT,
	RF_EVENTS,
	RF_STATE,
	RF_STATS,
	RF_BSS,
	RF_RODATA,
	RF_NUM,
};
static const char *const rec_pins[RF_NUM] = {
	"prog_enter", "prog_exit", "events", "cpu_state", "stats", "bss", "rodata",
};

/* The dispatcher's. */
enum {
	DF_TABLE,
	DF_SLOTS,
	DF_ENTER,
	DF_EXIT,
	DF_LINK_ENTER,
	DF_LINK_EXIT,
	DF_HANDOFF,
	DF_NUM,
};
static const char *const disp_pins[DF_NUM] = {
	"cgroup_table",	  "cgroup_slots",  "recorders_enter", "recorders_exit",
	"link_sys_enter", "link_sys_exit", "handoff",
};

/* The lifecycle program's. */
enum {
	LF_LINK,
	LF_RB,
	LF_LOST,
	LF_NUM,
};
static const char *const life_pins[LF_NUM] = {"link_lifecycle", "lifecycle_rb", "lifecycle_lost"};

struct flap_recorder {
	struct flap_registry *reg;
	struct flap_record *skel; /* NULL when adopted from pins */
	struct flap_recorder_opts opts;
	__u64 cgid;
	__u32 slot;
	int fd[RF_NUM];		      /* the skeleton's, or owned when adopted */
	struct flap_record__bss *bss; /* skel->bss, or an own mapping when adopted */
	size_t bss_len;
	__u64 *restart_lost;	 /* [ncpus] events lost with rings replaced at adoption */
	struct flap_ring *rings; /* [reg->ncpus], fd -1 for offline CPUs */
	void *user;
};

struct flap_registry {
	struct flap_dispatch *disp;  /* NULL when adopted */
	struct flap_lifecycle *life; /* NULL when adopted or not loaded */
	int dfd[DF_NUM];	     /* the skeleton's, or owned when adopted */
	int lfd[LF_NUM];
	bool adopted;
	char *pin_dir; /* NULL: nothing pinned, everything goes with the registry */
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

__u64 flap_registry_bpf_id(void)
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

/* ---- pins ------------------------------------------------------------------ */

static int pin_path(char *buf, size_t size, const char *dir, int slot, const char *name)
{
	int n;

	if (slot >= 0)
		n = snprintf(buf, size, "%s/%d/%s", dir, slot, name);
	else
		n = snprintf(buf, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Pins @n objects under @dir (slot directory @slot, or -1 for @dir itself). */
static int pin_all(const char *dir, int slot, const char *const *names, const int *fds, int n)
{
	char path[PATH_MAX];
	int i, err;

	if (slot >= 0) {
		snprintf(path, sizeof(path), "%s/%d", dir, slot);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	for (i = 0; i < n; i++) {
		err = pin_path(path, sizeof(path), dir, slot, names[i]);
		if (!err && bpf_obj_pin(fds[i], path))
			err = -errno;
		if (err) {
			pr_warn("registry: pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static void unpin_all(const char *dir, int slot, const char *const *names, int n)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++)
		if (!pin_path(path, sizeof(path), dir, slot, names[i]))
			unlink(path);
	if (slot >= 0) {
		snprintf(path, sizeof(path), "%s/%d", dir, slot);
		rmdir(path);
	}
}

/*
 * Opens the @n pinned objects of @names. Return: 0 when all are there,
 * -ENOENT when none is, -ESTALE when only some are (all closed then).
 */
static int open_all(const char *dir, int slot, const char *const *names, int *fds, int n)
{
	char path[PATH_MAX];
	int i, found = 0;

	for (i = 0; i < n; i++) {
		fds[i] = -1;
		if (pin_path(path, sizeof(path), dir, slot, names[i]))
			continue;
		fds[i] = bpf_obj_get(path);
		found += fds[i] >= 0;
	}
	if (found == n)
		return 0;
	for (i = 0; i < n; i++)
		zclose(fds[i]);
	return found ? -ESTALE : -ENOENT;
}

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		zclose(fds[i]);
}

/* Removes a slot directory with whatever it holds. */
static void unpin_slot_dir(const char *dir, int slot)
{
	char path[PATH_MAX], file[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%d", dir, slot);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			unlink(file);
		}
	closedir(d);
	rmdir(path);
}

int flap_registry_unpin(const char *pin_dir)
{
	char file[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_DIR) {
			unpin_slot_dir(pin_dir, atoi(de->d_name));
			n++;
			continue;
		}
		snprintf(file, sizeof(file), "%s/%s", pin_dir, de->d_name);
		if (unlink(file) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* ---- dispatcher and lifecycle ---------------------------------------------- */

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
	if (reg->pin_dir)
		return pin_all(reg->pin_dir, -1, life_pins, reg->lfd, LF_NUM);
	return 0;
}

/* Lifecycle objects: adopted with an adopted dispatcher, else loaded. */
static int start_lifecycle(struct flap_registry *reg)
{
	int err = -ENOENT;

	if (reg->adopted)
		err = open_all(reg->pin_dir, -1, life_pins, reg->lfd, LF_NUM);
	if (err == -ESTALE)
		unpin_all(reg->pin_dir, -1, life_pins, LF_NUM);
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
	int err;

	reg->disp = flap_dispatch__open_and_load();
	if (!reg->disp) {
		err = -errno;
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
	reg->dfd[DF_LINK_ENTER] = bpf_link__fd(reg->disp->links.handle_sys_enter);
	reg->dfd[DF_LINK_EXIT] = bpf_link__fd(reg->disp->links.handle_sys_exit);
	reg->dfd[DF_HANDOFF] = bpf_map__fd(reg->disp->maps.handoff);
	if (reg->pin_dir)
		return pin_all(reg->pin_dir, -1, disp_pins, reg->dfd, DF_NUM);
	return 0;
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
		err = open_all(reg->pin_dir, -1, disp_pins, reg->dfd, DF_NUM);
		if (err == -ESTALE) {
			pr_warn("registry: %s: incomplete pins, loading afresh", reg->pin_dir);
			flap_registry_unpin(reg->pin_dir);
		}
		reg->adopted = !err;
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
	if (opts && opts->pin_dir)
		reg->pin_dir = strdup(opts->pin_dir);
	if (!reg->online || !reg->collisions || (opts && opts->pin_dir && !reg->pin_dir)) {
		err = -ENOMEM;
		goto out_free;
	}
	err = flap_online_cpus(reg->online, reg->ncpus);
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

static void release_recorder(struct flap_recorder *rec);

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
			release_recorder(reg->slots[i]);
		else
			flap_registry__remove(reg, reg->slots[i]);
	}
	ring_buffer__free(reg->exits);
	if (reg->life)
		flap_lifecycle__destroy(reg->life);
	else
		close_all(reg->lfd, LF_NUM);
	if (reg->table)
		munmap(reg->table, table_bytes());
	/* Closing a pinned link's fd leaves it attached: the pin holds it. */
	if (reg->disp)
		flap_dispatch__destroy(reg->disp);
	else
		close_all(reg->dfd, DF_NUM);
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

/* ---- the cgroup table ------------------------------------------------------ */

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
	err = bpf_map_update_elem(reg->dfd[DF_SLOTS], &cgid, &slot, BPF_NOEXIST);
	if (err)
		return -errno;
	reg->collisions[idx]++;
	__atomic_or_fetch(&e->flags, FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
	return 0;
}

/* Moves one id of table index @idx from the hash into the free entry. */
static void promote(struct flap_registry *reg, __u32 idx)
{
	int fd = reg->dfd[DF_SLOTS];
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
	if (bpf_map_delete_elem(reg->dfd[DF_SLOTS], &cgid) == 0 && --reg->collisions[idx] == 0)
		__atomic_and_fetch(&e->flags, ~FLAP_SLOT_F_COLLIDE, __ATOMIC_RELEASE);
}

/* An adopted recorder: its entry is normally there already; fix it if not. */
static int ensure_published(struct flap_registry *reg, __u64 cgid, __u32 slot)
{
	__u32 idx = cgid & (FLAP_TABLE_SIZE - 1), cur;
	struct flap_slot *e = &reg->table[idx];

	if (e->cgid == cgid) {
		if (e->slot != slot)
			__atomic_store_n(&e->slot, slot, __ATOMIC_RELEASE);
		return 0;
	}
	if (bpf_map_lookup_elem(reg->dfd[DF_SLOTS], &cgid, &cur) == 0) {
		if (cur != slot && bpf_map_update_elem(reg->dfd[DF_SLOTS], &cgid, &slot, BPF_EXIST))
			return -errno;
		return 0;
	}
	return publish(reg, cgid, slot);
}

/* ---- recorders ------------------------------------------------------------- */

static int check_opts(const struct flap_recorder_opts *in, struct flap_recorder_opts *o)
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

static int alloc_rings(struct flap_recorder *rec)
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
	int i, n = flap_syscall_count();

	for (i = 0; i < FLAP_NR_MAX; i++)
		skel->rodata->cfg_caps_need[i] = 0;
	for (i = 0; i < n; i++) {
		sc = flap_syscall_at(i);
		if (sc && sc->nr >= 0 && sc->nr < FLAP_NR_MAX)
			skel->rodata->cfg_caps_need[sc->nr] =
				flap_syscall_caps_need(sc->kinds, o->str_max, o->buf_max);
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
	struct flap_record *skel;
	int err;

	skel = flap_record__open();
	if (!skel)
		return -errno;
	rec->skel = skel;
	skel->rodata->cfg_cgroup_id = rec->cgid;
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
		pr_warn("recorder: cgroup %llu: load: %s", (unsigned long long)rec->cgid,
			strerror(-err));
		return err;
	}
	rec->fd[RF_ENTER] = bpf_program__fd(skel->progs.handle_sys_enter);
	rec->fd[RF_EXIT] = bpf_program__fd(skel->progs.handle_sys_exit);
	rec->fd[RF_EVENTS] = bpf_map__fd(skel->maps.events);
	rec->fd[RF_STATE] = bpf_map__fd(skel->maps.cpu_state);
	rec->fd[RF_STATS] = bpf_map__fd(skel->maps.stats);
	rec->fd[RF_BSS] = bpf_map__fd(skel->maps.bss);
	rec->fd[RF_RODATA] = bpf_map__fd(skel->maps.rodata);
	rec->bss = skel->bss;
	return 0;
}

static int wire(struct flap_recorder *rec)
{
	struct flap_registry *reg = rec->reg;

	if (bpf_map_update_elem(reg->dfd[DF_ENTER], &rec->slot, &rec->fd[RF_ENTER], BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(reg->dfd[DF_EXIT], &rec->slot, &rec->fd[RF_EXIT], BPF_ANY))
		return -errno;
	return 0;
}

static void unwire_slot(struct flap_registry *reg, __u32 slot)
{
	bpf_map_delete_elem(reg->dfd[DF_ENTER], &slot);
	bpf_map_delete_elem(reg->dfd[DF_EXIT], &slot);
}

static struct flap_recorder *new_recorder(struct flap_registry *reg, __u64 cgid, __u32 slot)
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
static void free_recorder(struct flap_recorder *rec)
{
	if (rec->skel)
		flap_record__destroy(rec->skel);
	else
		close_all(rec->fd, RF_NUM);
	if (!rec->skel && rec->bss)
		munmap(rec->bss, rec->bss_len);
	close_rings(rec);
	free(rec->restart_lost);
	free(rec);
}

/* Leaves a pinned recorder recording; frees only what this process holds. */
static void release_recorder(struct flap_recorder *rec)
{
	rec->reg->slots[rec->slot] = NULL;
	rec->reg->nrecorders--;
	free_recorder(rec);
}

static int validate_add(struct flap_registry *reg, __u64 cgid)
{
	if (!cgid)
		return -EINVAL;
	if (flap_registry__find(reg, cgid))
		return -EEXIST;
	return 0;
}

int flap_registry__add(struct flap_registry *reg, __u64 cgid, const struct flap_recorder_opts *opts,
		       struct flap_recorder **out)
{
	struct flap_recorder *rec;
	int slot, err;

	err = validate_add(reg, cgid);
	if (err)
		return err;
	for (slot = 0; slot < FLAP_MAX_RECORDERS && reg->slots[slot]; slot++)
		;
	if (slot == FLAP_MAX_RECORDERS)
		return -ENOSPC;
	rec = new_recorder(reg, cgid, slot);
	if (!rec)
		return -ENOMEM;
	err = check_opts(opts, &rec->opts);
	if (!err)
		err = alloc_rings(rec);
	if (err)
		goto out_free;
	err = load_recorder(rec);
	if (!err)
		err = open_rings(rec);
	if (err)
		goto out_free;
	if (reg->pin_dir) {
		/* A slot directory a killed daemon left must not block the pins. */
		unpin_slot_dir(reg->pin_dir, slot);
		err = pin_all(reg->pin_dir, slot, rec_pins, rec->fd, RF_NUM);
		if (err)
			goto out_unpin;
	}
	err = wire(rec);
	if (!err)
		err = publish(reg, cgid, slot);
	if (err)
		goto out_unwire;
	reg->slots[slot] = rec;
	reg->nrecorders++;
	*out = rec;
	return 0;

out_unwire:
	unwire_slot(reg, slot);
out_unpin:
	if (reg->pin_dir)
		unpin_slot_dir(reg->pin_dir, slot);
out_free:
	free_recorder(rec);
	return err;
}

int flap_registry__remove(struct flap_registry *reg, struct flap_recorder *rec)
{
	if (!rec)
		return 0;
	unpublish(reg, rec->cgid);
	unwire_slot(reg, rec->slot);
	if (reg->pin_dir)
		unpin_slot_dir(reg->pin_dir, rec->slot);
	reg->slots[rec->slot] = NULL;
	reg->nrecorders--;
	free_recorder(rec);
	return 0;
}

/* ---- adoption -------------------------------------------------------------- */

/* Checks that the pinned instance records @cgid (the first word of its .rodata). */
static int check_rodata(struct flap_recorder *rec)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	__u64 cgid = 0;
	__u8 *val;
	int err = 0;

	if (bpf_obj_get_info_by_fd(rec->fd[RF_RODATA], &info, &len))
		return -errno;
	if (info.value_size < sizeof(cgid))
		return -EBADMSG;
	val = calloc(1, info.value_size);
	if (!val)
		return -ENOMEM;
	if (bpf_map_lookup_elem(rec->fd[RF_RODATA], &zero, val))
		err = -errno;
	memcpy(&cgid, val, sizeof(cgid));
	free(val);
	if (!err && cgid != rec->cgid)
		err = -ESTALE;
	return err;
}

static int map_bss(struct flap_recorder *rec)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *p;

	if (bpf_obj_get_info_by_fd(rec->fd[RF_BSS], &info, &len))
		return -errno;
	if (info.value_size < sizeof(*rec->bss))
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

static int freeze(struct flap_recorder *rec, struct flap_cpu_state *states);
static void thaw(struct flap_recorder *rec);
static int read_stats(struct flap_recorder *rec, struct flap_stats *stats);

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
	err = freeze(rec, states);
	if (!err)
		err = read_stats(rec, stats);
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
	thaw(rec);
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
	thaw(rec);
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

	err = validate_add(reg, o->cgid);
	if (!err && (!reg->pin_dir || o->slot >= FLAP_MAX_RECORDERS || reg->slots[o->slot]))
		err = -EINVAL;
	if (!err) {
		rec = new_recorder(reg, o->cgid, o->slot);
		err = rec ? check_opts(&o->ropts, &rec->opts) : -ENOMEM;
	}
	if (!err)
		err = alloc_rings(rec);
	if (err)
		goto out_free;
	err = open_all(reg->pin_dir, o->slot, rec_pins, rec->fd, RF_NUM);
	if (!err)
		err = check_rodata(rec);
	if (!err)
		err = map_bss(rec);
	if (err)
		goto out_free;
	for (cpu = 0; o->restart_lost && cpu < reg->ncpus; cpu++)
		rec->restart_lost[cpu] = o->restart_lost[cpu];
	err = adopt_rings(rec, o->ring_fds);
	if (!err)
		err = wire(rec);
	if (!err)
		err = ensure_published(reg, o->cgid, o->slot);
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
		free_recorder(rec);
	}
	return err;
}

/* Unpublishes every id of the table and the hash that no recorder has. */
static int prune_table(struct flap_registry *reg)
{
	__u64 key, next, *prev = NULL, *stale;
	int n = 0, nstale = 0, i;
	__u32 idx;

	for (idx = 0; idx < FLAP_TABLE_SIZE; idx++) {
		/* unpublish() may promote another id into the entry: look again. */
		while (reg->table[idx].cgid && !flap_registry__find(reg, reg->table[idx].cgid)) {
			unpublish(reg, reg->table[idx].cgid);
			n++;
		}
	}
	stale = calloc(FLAP_MAX_RECORDERS, sizeof(*stale));
	if (!stale)
		return -ENOMEM;
	while (bpf_map_get_next_key(reg->dfd[DF_SLOTS], prev, &next) == 0 &&
	       nstale < FLAP_MAX_RECORDERS) {
		key = next;
		prev = &key;
		if (!flap_registry__find(reg, key))
			stale[nstale++] = key;
	}
	for (i = 0; i < nstale; i++)
		unpublish(reg, stale[i]);
	free(stale);
	return n + nstale;
}

int flap_registry__prune(struct flap_registry *reg)
{
	struct dirent *de;
	int n, slot;
	DIR *d;

	if (!reg->pin_dir)
		return 0;
	n = prune_table(reg);
	if (n < 0)
		return n;
	for (slot = 0; slot < FLAP_MAX_RECORDERS; slot++)
		if (!reg->slots[slot])
			unwire_slot(reg, slot);
	d = opendir(reg->pin_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		slot = atoi(de->d_name);
		if (slot >= FLAP_MAX_RECORDERS || !reg->slots[slot]) {
			unpin_slot_dir(reg->pin_dir, slot);
			n++;
		}
	}
	closedir(d);
	return n;
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

/* Per-CPU map value stride: the kernel rounds each CPU's value up to 8,
 * which these structs already are, so they can be indexed as arrays. */
#define PCPU_STRIDE(t) ((sizeof(t) + 7) & ~(size_t)7)
_Static_assert(PCPU_STRIDE(struct flap_cpu_state) == sizeof(struct flap_cpu_state), "stride");
_Static_assert(PCPU_STRIDE(struct flap_stats) == sizeof(struct flap_stats), "stride");

static int read_stats(struct flap_recorder *rec, struct flap_stats *stats)
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
static int freeze(struct flap_recorder *rec, struct flap_cpu_state *states)
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

static void thaw(struct flap_recorder *rec)
{
	__atomic_store_n(&rec->bss->frozen, 0, __ATOMIC_SEQ_CST);
}

/*
 * What one read takes while the writers are frozen: each CPU's staging
 * state (copied by freeze()), its counters and a copy of its ring. Decoding
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
	err = freeze(rec, s->states);
	if (!err) {
		s->boot_to_real_ns = flap_boot_to_real_ns();
		s->read_ns = flap_boot_ns();
		for (cpu = 0; cpu < n; cpu++) {
			struct flap_ring *r = &rec->rings[cpu];

			if (r->fd < 0)
				continue;
			flap_ring__pause(r, true);
			s->len[cpu] = flap_ring__copy(r, s->rings + cpu * s->ring_size);
			flap_ring__pause(r, false);
		}
		err = read_stats(rec, s->stats);
	}
	thaw(rec);
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

	c->produced = s->states[cpu].events + st->nested_events + st->lost_frozen + st->lost_nested;
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
		held = snap.states[cpu].hdr.nrec;
		memset(&rs, 0, sizeof(rs));
		flap_ring__walk(snap.rings + cpu * snap.ring_size, snap.len[cpu], count_block,
				&held, &rs);
		cpu_counts(rec, &snap, cpu, held, rs.torn, &c);
		flap_counts_add(out, &c);
	}
	free_snapshot(&snap);
	return 0;
}
