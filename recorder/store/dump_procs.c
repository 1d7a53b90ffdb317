// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dump_procs.c - Source.procs of a dump header (see dump_procs.h): what the
 * processes of each source held when its recording began. Written pointing
 * at the trace, like every message of the writer; read back through
 * flap_trace__add_proc(), which copies. Names are bytes, not strings: a
 * path need not be UTF-8.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dump_procs.h"

void flap_procs_pb__release(struct flap_procs_pb *pb)
{
	free(pb->states);
	free(pb->statep);
	free(pb->fds);
	free(pb->fdp);
	free(pb->paths);
	free(pb->pathp);
	memset(pb, 0, sizeof(*pb));
}

static size_t proc_bytes(const struct flap_proc_state *p)
{
	size_t n = p->cwd ? strlen(p->cwd) : 0;
	__u32 i;

	for (i = 0; i < p->nfds; i++)
		n += (p->fds[i].name ? strlen(p->fds[i].name) : 0) + 8;
	return n + 8;
}

static void bytes_of(ProtobufCBinaryData *b, const char *s)
{
	b->data = (uint8_t *)s;
	b->len = s ? strlen(s) : 0;
}

/* The message of @p, its fds at @fds/@fdp. */
static void proc_to_pb(Flap__ProcState *m, const struct flap_proc_state *p, Flap__ProcFd *fds,
		       Flap__ProcFd **fdp)
{
	__u32 i;

	flap__proc_state__init(m);
	m->tgid = p->tgid;
	m->at_dump = p->at_dump;
	bytes_of(&m->cwd, p->cwd);
	for (i = 0; i < p->nfds; i++) {
		flap__proc_fd__init(&fds[i]);
		fds[i].fd = p->fds[i].fd;
		bytes_of(&fds[i].name, p->fds[i].name);
		fds[i].cloexec = p->fds[i].cloexec;
		fdp[i] = &fds[i];
	}
	m->n_fds = p->nfds;
	m->fds = fdp;
}

/* The aliases of @t into the paths of @srcs. Return: 0 or -ENOMEM. */
static int paths_build(struct flap_procs_pb *pb, const struct flap_trace *t, Flap__Source *srcs,
		       size_t n)
{
	size_t i, k, m = 0, budget = FLAP_DUMP_PATHS_BUDGET, size;
	const struct flap_path_alias *a;

	pb->paths = calloc(t->npaths + 1, sizeof(*pb->paths));
	pb->pathp = calloc(t->npaths + 1, sizeof(*pb->pathp));
	if (!pb->paths || !pb->pathp)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		srcs[k].paths = pb->pathp + m;
		srcs[k].n_paths = 0;
		for (i = 0; i < t->npaths; i++) {
			a = &t->paths[i];
			size = strlen(a->path) + strlen(a->resolved) + 8;
			if (a->source != k || size > budget)
				continue;
			budget -= size;
			flap__path_alias__init(&pb->paths[m]);
			bytes_of(&pb->paths[m].path, a->path);
			bytes_of(&pb->paths[m].resolved, a->resolved);
			pb->pathp[m] = &pb->paths[m];
			m++;
			srcs[k].n_paths++;
		}
	}
	return 0;
}

int flap_procs_pb__build(struct flap_procs_pb *pb, const struct flap_trace *t, Flap__Source *srcs,
			 size_t n)
{
	size_t i, nstates = 0, nfds = 0, budget = FLAP_DUMP_PROCS_BUDGET, k, size;
	bool *keep;

	memset(pb, 0, sizeof(*pb));
	if (t->npaths && paths_build(pb, t, srcs, n))
		return -ENOMEM;
	if (!t->nprocs)
		return 0;
	keep = calloc(t->nprocs, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	for (i = 0; i < t->nprocs; i++) {
		size = proc_bytes(&t->procs[i]);
		if (t->procs[i].source >= n || size > budget)
			continue;
		budget -= size;
		keep[i] = true;
		nstates++;
		nfds += t->procs[i].nfds;
	}
	pb->states = calloc(nstates + 1, sizeof(*pb->states));
	pb->statep = calloc(nstates + 1, sizeof(*pb->statep));
	pb->fds = calloc(nfds + 1, sizeof(*pb->fds));
	pb->fdp = calloc(nfds + 1, sizeof(*pb->fdp));
	if (!pb->states || !pb->statep || !pb->fds || !pb->fdp) {
		free(keep);
		return -ENOMEM;
	}
	/* Each source's processes are one run of statep. */
	nstates = 0;
	nfds = 0;
	for (k = 0; k < n; k++) {
		srcs[k].procs = pb->statep + nstates;
		srcs[k].n_procs = 0;
		for (i = 0; i < t->nprocs; i++) {
			if (!keep[i] || t->procs[i].source != k)
				continue;
			proc_to_pb(&pb->states[nstates], &t->procs[i], pb->fds + nfds,
				   pb->fdp + nfds);
			pb->statep[nstates] = &pb->states[nstates];
			nfds += t->procs[i].nfds;
			nstates++;
			srcs[k].n_procs++;
		}
	}
	free(keep);
	return 0;
}

/* A NUL-terminated copy of @b, or NULL (empty, or -ENOMEM: *@oom). */
static char *str_of(const ProtobufCBinaryData *b, bool *oom)
{
	char *s;

	if (!b->len)
		return NULL;
	s = malloc(b->len + 1);
	if (!s) {
		*oom = true;
		return NULL;
	}
	memcpy(s, b->data, b->len);
	s[b->len] = '\0';
	return s;
}

static int read_one(struct flap_trace *t, int src, const Flap__ProcState *m)
{
	struct flap_proc_state p = {.tgid = m->tgid, .source = (__u16)src, .at_dump = m->at_dump};
	struct flap_proc_fd *fds;
	bool oom = false;
	int err = 0;
	size_t i;

	fds = calloc(m->n_fds + 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (i = 0; i < m->n_fds; i++) {
		fds[i].fd = m->fds[i]->fd;
		fds[i].cloexec = m->fds[i]->cloexec;
		fds[i].name = str_of(&m->fds[i]->name, &oom);
	}
	p.cwd = str_of(&m->cwd, &oom);
	p.fds = fds;
	p.nfds = (__u32)m->n_fds;
	err = oom ? -ENOMEM : flap_trace__add_proc(t, &p);
	for (i = 0; i < m->n_fds; i++)
		free((char *)fds[i].name);
	free(fds);
	free((char *)p.cwd);
	return err;
}

int flap_procs_pb__read(struct flap_trace *t, int src, const Flap__Source *pb, const char **why)
{
	char *path, *resolved;
	bool oom = false;
	size_t i;
	int err;

	if (pb->n_paths > FLAP_DUMP_MAX_PATHS) {
		*why = "paths";
		return -EBADMSG;
	}
	for (i = 0; i < pb->n_paths; i++) {
		path = str_of(&pb->paths[i]->path, &oom);
		resolved = str_of(&pb->paths[i]->resolved, &oom);
		err = oom ? -ENOMEM : 0;
		/* an empty one names nothing */
		if (!err && path && resolved)
			err = flap_trace__add_path(t, (__u16)src, path, resolved);
		free(path);
		free(resolved);
		if (err)
			return err;
	}

	if (pb->n_procs > FLAP_DUMP_MAX_PROCS) {
		*why = "processes";
		return -EBADMSG;
	}
	for (i = 0; i < pb->n_procs; i++) {
		if (pb->procs[i]->n_fds > FLAP_DUMP_MAX_FDS) {
			*why = "descriptors of a process";
			return -EBADMSG;
		}
		err = read_one(t, src, pb->procs[i]);
		if (err)
			return err;
	}
	return 0;
}
