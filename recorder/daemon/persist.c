// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * persist.c - the state file of a persistent daemon and the bpffs mount of
 * its pin directory (see persist.h).
 *
 * The state file is JSON (json-c): a header (format, the id of the BPF
 * objects, pin directory, CPUs, keeper pid) and one object per recorder.
 * It is rewritten whole on every change: a temp file next to it, fsync,
 * rename, so a daemon killed at any moment leaves the old file or the new
 * one. Adoption reconciles it with the pins (registry.c prunes what the
 * file does not name).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <json-c/json.h>

#include "flap.h"
#include "log.h"
#include "persist.h"
#include "sysset.h"
#include "util.h"

#define STATE_MAX (64 << 20)

static const char *const on_exit_names[] = {"nonzero", "signal", "never"};

static void add_str(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

static void add_u64(json_object *o, const char *key, __u64 val)
{
	json_object_object_add(o, key, json_object_new_uint64(val));
}

/* The registration state of @e (its procs): [{tgid, cwd, fds: [{fd, name, cloexec}]}]. */
static json_object *procs_to_json(const struct flap_entry *e)
{
	json_object *arr = json_object_new_array(), *o, *fds, *fo;
	const struct flap_proc_state *p;
	size_t i;
	__u32 k;

	for (i = 0; arr && e->procs && i < e->procs->nprocs; i++) {
		p = &e->procs->procs[i];
		o = json_object_new_object();
		fds = json_object_new_array();
		if (!o || !fds || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(fds);
			json_object_put(arr);
			return NULL;
		}
		add_u64(o, "tgid", p->tgid);
		add_str(o, "cwd", p->cwd ? p->cwd : "");
		json_object_object_add(o, "fds", fds);
		for (k = 0; k < p->nfds; k++) {
			fo = json_object_new_object();
			if (!fo || json_object_array_add(fds, fo)) {
				json_object_put(fo);
				json_object_put(arr);
				return NULL;
			}
			json_object_object_add(fo, "fd", json_object_new_int(p->fds[k].fd));
			add_str(fo, "name", p->fds[k].name ? p->fds[k].name : "");
			json_object_object_add(fo, "cloexec",
					       json_object_new_boolean(p->fds[k].cloexec));
		}
	}
	return arr;
}

static json_object *entry_to_json(struct flap_entry *e, int ncpus)
{
	const struct flap_recorder_opts *ro = flap_recorder__opts(e->rec);
	json_object *o = json_object_new_object(), *lost;
	const struct flap_source *m = &e->meta;
	int cpu;

	if (!o)
		return NULL;
	add_u64(o, "slot", flap_recorder__slot(e->rec));
	add_u64(o, "cgroup_id", m->cgroup_id);
	add_str(o, "cgroup_path", m->cgroup_path);
	add_str(o, "name", m->name);
	add_str(o, "pod", m->pod);
	add_str(o, "namespace", m->ns);
	add_str(o, "pod_uid", m->pod_uid);
	add_str(o, "container", m->container);
	add_str(o, "container_id", m->container_id);
	add_u64(o, "main_pid", m->main_pid);
	add_u64(o, "reset_ns", m->reset_ns);
	add_u64(o, "ring_pages", ro->ring_pages);
	add_u64(o, "str_max", ro->str_max);
	json_object_object_add(o, "buf_max", json_object_new_int(ro->buf_max));
	add_str(o, "syscalls", ro->filter ? ro->filter_expr : "");
	json_object_object_add(o, "exact_durations", json_object_new_boolean(ro->exact_durations));
	add_str(o, "on_exit", on_exit_names[e->on_exit]);
	add_str(o, "state", flap_entry__state_name(e->state));
	add_u64(o, "added_ns", e->added_ns);
	add_u64(o, "exited_ns", e->exited_ns);
	add_u64(o, "crashes", e->crashes);
	add_u64(o, "crashes_skipped", e->crashes_skipped);
	add_u64(o, "dumps_failed", e->dumps_failed);
	add_u64(o, "fallback_mark", e->fallback_mark);
	lost = json_object_new_array();
	for (cpu = 0; lost && cpu < ncpus; cpu++)
		json_object_array_add(
			lost, json_object_new_uint64(flap_recorder__restart_lost(e->rec, cpu)));
	json_object_object_add(o, "restart_lost", lost);
	/* What its processes held at registration names fds 0-2 and AT_FDCWD in
	 * the dumps of the daemon that adopts it. */
	if (e->procs)
		json_object_object_add(o, "procs", procs_to_json(e));
	json_object_object_add(o, "host_root", json_object_new_boolean(e->host_root));
	return o;
}

/* Writes @text to @path through a temp file, fsync and rename. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = flap_fd__write_all(fd, text, strlen(text));
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int flap_persist__save(const char *path, const struct flap_persist_hdr *h,
		       struct flap_entry_list *l)
{
	json_object *root, *arr, *o;
	struct flap_entry *e;
	char id[32];
	int err;

	root = json_object_new_object();
	arr = json_object_new_array();
	if (!root || !arr) {
		json_object_put(root);
		json_object_put(arr);
		return -ENOMEM;
	}
	snprintf(id, sizeof(id), "%016llx", (unsigned long long)h->bpf_id);
	json_object_object_add(root, "format", json_object_new_int(FLAP_PERSIST_FORMAT));
	add_str(root, "bpf_id", id);
	add_str(root, "pin_dir", h->pin_dir);
	json_object_object_add(root, "ncpus", json_object_new_int(h->ncpus));
	json_object_object_add(root, "keeper_pid", json_object_new_int(h->keeper_pid));
	json_object_object_add(root, "recorders", arr);
	TAILQ_FOREACH(e, l, link)
	{
		o = entry_to_json(e, h->ncpus);
		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			json_object_put(root);
			return -ENOMEM;
		}
	}
	err = write_atomic(path, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	if (err)
		pr_warn("state: %s: %s", path, strerror(-err));
	return err;
}

/* ---- load ------------------------------------------------------------------ */

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static __u64 get_u64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_uint64(v);
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static int parse_state(const char *s, enum flap_entry_state *out)
{
	enum flap_entry_state st;

	for (st = FLAP_ENTRY_RUNNING; st <= FLAP_ENTRY_STOPPED; st++) {
		if (strcmp(s, flap_entry__state_name(st)) == 0) {
			*out = st;
			return 0;
		}
	}
	return -EINVAL;
}

/* One process of "procs" into @t. Return: 0, -ENOMEM, -EBADMSG. */
static int proc_from_json(json_object *o, struct flap_trace *t)
{
	struct flap_proc_state p = {.tgid = (__u32)get_u64(o, "tgid")};
	struct flap_proc_fd *fds = NULL;
	json_object *arr, *fo, *v;
	size_t i, n = 0;
	int err;

	if (!json_object_is_type(o, json_type_object) || !p.tgid)
		return -EBADMSG;
	if (json_object_object_get_ex(o, "fds", &arr) && json_object_is_type(arr, json_type_array))
		n = json_object_array_length(arr);
	if (n > 65536)
		return -EBADMSG;
	fds = calloc(n ? n : 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		fo = json_object_array_get_idx(arr, i);
		fds[i].fd = json_object_object_get_ex(fo, "fd", &v) ? json_object_get_int(v) : -1;
		fds[i].name = get_str(fo, "name")[0] ? get_str(fo, "name") : NULL;
		fds[i].cloexec =
			json_object_object_get_ex(fo, "cloexec", &v) && json_object_get_boolean(v);
	}
	p.cwd = get_str(o, "cwd")[0] ? get_str(o, "cwd") : NULL;
	p.fds = fds;
	p.nfds = (__u32)n;
	err = flap_trace__add_proc(t, &p);
	free(fds);
	return err;
}

/* "procs" of a recorder (absent in files written before it): r->e.procs. */
static int procs_from_json(json_object *o, struct flap_persist_rec *r)
{
	json_object *arr;
	size_t i;
	int err;

	if (!json_object_object_get_ex(o, "procs", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	err = flap_trace__new(0, &r->e.procs);
	for (i = 0; !err && i < json_object_array_length(arr); i++)
		err = proc_from_json(json_object_array_get_idx(arr, i), r->e.procs);
	return err;
}

static int rec_from_json(json_object *o, int ncpus, struct flap_persist_rec *r)
{
	struct flap_source *m = &r->e.meta;
	json_object *v, *lost;
	size_t i;

	r->slot = get_u64(o, "slot");
	m->cgroup_id = get_u64(o, "cgroup_id");
	copy(m->cgroup_path, sizeof(m->cgroup_path), get_str(o, "cgroup_path"));
	copy(m->name, sizeof(m->name), get_str(o, "name"));
	copy(m->pod, sizeof(m->pod), get_str(o, "pod"));
	copy(m->ns, sizeof(m->ns), get_str(o, "namespace"));
	copy(m->pod_uid, sizeof(m->pod_uid), get_str(o, "pod_uid"));
	copy(m->container, sizeof(m->container), get_str(o, "container"));
	copy(m->container_id, sizeof(m->container_id), get_str(o, "container_id"));
	m->main_pid = get_u64(o, "main_pid");
	/* A restart that lost the history stays said in every later dump. */
	m->reset_ns = get_u64(o, "reset_ns");
	r->ropts.ring_pages = get_u64(o, "ring_pages");
	r->ropts.str_max = get_u64(o, "str_max");
	r->ropts.buf_max =
		json_object_object_get_ex(o, "buf_max", &v) ? json_object_get_int(v) : -1;
	/* The in-kernel syscall filter, as written at add (sysset.h syntax). */
	copy(r->ropts.filter_expr, sizeof(r->ropts.filter_expr), get_str(o, "syscalls"));
	if (r->ropts.filter_expr[0] &&
	    flap_sysset__parse(&r->ropts.syscalls, r->ropts.filter_expr, NULL, 0))
		return -EBADMSG;
	r->ropts.filter = r->ropts.filter_expr[0] != '\0';
	/* Absent (written before the option existed): off. */
	r->ropts.exact_durations =
		json_object_object_get_ex(o, "exact_durations", &v) && json_object_get_boolean(v);
	r->e.on_exit = FLAP_ON_EXIT_NONZERO;
	for (i = 0; i < ARRAY_SIZE(on_exit_names); i++)
		if (strcmp(get_str(o, "on_exit"), on_exit_names[i]) == 0)
			r->e.on_exit = i;
	if (parse_state(get_str(o, "state"), &r->e.state))
		return -EBADMSG;
	r->e.added_ns = get_u64(o, "added_ns");
	r->e.exited_ns = get_u64(o, "exited_ns");
	r->e.crashes = get_u64(o, "crashes");
	r->e.crashes_skipped = get_u64(o, "crashes_skipped");
	r->e.dumps_failed = get_u64(o, "dumps_failed");
	/* The exits the last daemon took from the fallback are not taken twice. */
	r->e.fallback_mark = get_u64(o, "fallback_mark");
	r->restart_lost = calloc(ncpus, sizeof(*r->restart_lost));
	if (!r->restart_lost)
		return -ENOMEM;
	if (json_object_object_get_ex(o, "restart_lost", &lost) &&
	    json_object_is_type(lost, json_type_array))
		for (i = 0; i < json_object_array_length(lost) && (int)i < ncpus; i++)
			r->restart_lost[i] =
				json_object_get_uint64(json_object_array_get_idx(lost, i));
	if (!m->cgroup_id || r->slot >= FLAP_MAX_RECORDERS)
		return -EBADMSG;
	r->e.host_root =
		json_object_object_get_ex(o, "host_root", &v) && json_object_get_boolean(v);
	return procs_from_json(o, r);
}

static int parse_header(json_object *root, struct flap_persist_hdr *h)
{
	json_object *v;

	memset(h, 0, sizeof(*h));
	if (!json_object_object_get_ex(root, "format", &v) ||
	    json_object_get_int(v) != FLAP_PERSIST_FORMAT)
		return -EBADMSG;
	h->bpf_id = strtoull(get_str(root, "bpf_id"), NULL, 16);
	copy(h->pin_dir, sizeof(h->pin_dir), get_str(root, "pin_dir"));
	h->ncpus = get_u64(root, "ncpus");
	h->keeper_pid = get_u64(root, "keeper_pid");
	if (h->ncpus <= 0 || h->ncpus > 65536)
		return -EBADMSG;
	return 0;
}

int flap_persist__load(const char *path, struct flap_persist_hdr *h, struct flap_persist_rec **recs)
{
	struct flap_persist_rec *r = NULL;
	json_object *root = NULL, *arr;
	char *text = NULL;
	size_t len, i, n = 0;
	int err;

	err = flap_file__read(path, &text, &len, STATE_MAX);
	if (err)
		return err;
	root = json_tokener_parse(text);
	err = root ? parse_header(root, h) : -EBADMSG;
	if (!err && (!json_object_object_get_ex(root, "recorders", &arr) ||
		     !json_object_is_type(arr, json_type_array)))
		err = -EBADMSG;
	if (err)
		goto out;
	n = json_object_array_length(arr);
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !err; i++)
		err = rec_from_json(json_object_array_get_idx(arr, i), h->ncpus, &r[i]);
out:
	if (err == -EBADMSG)
		pr_warn("state: %s: not a flap-recorder state file", path);
	if (err) {
		flap_persist__free(r, n);
		r = NULL;
	}
	json_object_put(root);
	free(text);
	*recs = r;
	return err ? err : (int)n;
}

void flap_persist__free(struct flap_persist_rec *recs, int n)
{
	int i;

	for (i = 0; recs && i < n; i++) {
		free(recs[i].restart_lost);
		flap_trace__free(recs[i].e.procs);
	}
	free(recs);
}

/* ---- bpffs ----------------------------------------------------------------- */

static bool on_bpffs(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int mount_bpffs(const char *dir)
{
	if (mount("bpf", dir, "bpf", 0, "mode=0700") < 0) {
		int err = -errno;

		pr_warn("persist: mount bpffs on %s: %s", dir, strerror(-err));
		return err;
	}
	pr_info("persist: mounted bpffs on %s", dir);
	return 0;
}

int flap_persist__bpffs(const char *dir)
{
	char parent[PATH_MAX], *slash;
	int err;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return on_bpffs(dir) ? 0 : mount_bpffs(dir);
	/* An unmounted /sys/fs/bpf (sysfs) takes no directory: mount it first. */
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -errno;
	*slash = '\0';
	if (on_bpffs(parent))
		return -EACCES;
	err = mount_bpffs(parent);
	if (err)
		return err;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
