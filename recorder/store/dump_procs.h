/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * dump_procs.h - the registration state of a dump's sources (flap_trace.procs,
 * Source.procs in proto/dump.proto) and their path aliases (flap_trace.paths,
 * Source.paths) to and from their protobuf messages, for dump.c. Not part of
 * the library API (dump.h).
 */
#ifndef FLAP_DUMP_PROCS_H
#define FLAP_DUMP_PROCS_H

#include <stddef.h>

#include "dump.pb-c.h"
#include "trace.h"

/*
 * Bytes of descriptor names and working directories, and of path aliases,
 * a header carries at most (each): the header is one message of at most
 * 1 MiB. The processes and aliases past it are left out (their descriptors
 * have no name, their paths print as opened), never cut.
 */
#define FLAP_DUMP_PROCS_BUDGET (256 * 1024)
#define FLAP_DUMP_PATHS_BUDGET (384 * 1024)
/* What a header may declare: processes per source, descriptors per process. */
#define FLAP_DUMP_MAX_PROCS 4096
#define FLAP_DUMP_MAX_FDS   65536
#define FLAP_DUMP_MAX_PATHS 65536

/* The messages of one header's processes; they point into the trace. */
struct flap_procs_pb {
	Flap__ProcState *states;
	Flap__ProcState **statep;
	Flap__ProcFd *fds;
	Flap__ProcFd **fdp;
	Flap__PathAlias *paths;
	Flap__PathAlias **pathp;
};

/**
 * flap_procs_pb__build() - point the procs and paths of each of the @n
 * messages in @srcs at the processes and aliases of @t of that source,
 * within FLAP_DUMP_PROCS_BUDGET and FLAP_DUMP_PATHS_BUDGET. Return: 0 or -ENOMEM (@pb is released
 * anyway by flap_procs_pb__release()).
 */
int flap_procs_pb__build(struct flap_procs_pb *pb, const struct flap_trace *t, Flap__Source *srcs,
			 size_t n);
void flap_procs_pb__release(struct flap_procs_pb *pb);

/**
 * flap_procs_pb__read() - add the processes and aliases of @pb, source
 * @src, to @t.
 * Return: 0, -EBADMSG (over the caps: @why says which), -ENOMEM.
 */
int flap_procs_pb__read(struct flap_trace *t, int src, const Flap__Source *pb, const char **why);

#endif /* FLAP_DUMP_PROCS_H */
