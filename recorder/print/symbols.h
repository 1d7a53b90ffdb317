/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * symbols.h - a crashing thread's stack in function names. The recorder
 * keeps, for a fatal signal, the thread's frames as addresses and as the
 * build-id and file offset of the object each is in (bpf/flap.h); this
 * finds the objects' files by build-id (files the history names, a
 * directory of binaries, /usr/lib/debug/.build-id) and looks the frames up
 * in their ELF symbol tables (libelf). Frames the kernel's frame-pointer
 * walk could not give (code built without frame pointers) are looked for
 * in the copy of the top of the stack: a word that points just after a
 * call instruction in a known object is a return address.
 */
#ifndef FLAP_SYMBOLS_H
#define FLAP_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "dump.h"
#include "trace.h"

struct flap_symbols;

struct flap_symbols_opts {
	const char *dir; /* binaries searched by build-id (files in it and one level down) */
	/* Files the history names (flap_symbols__paths_of()), each tried under
	 * every root ("" is the file itself; "/proc/PID/root" of a process of
	 * the container that still runs). */
	const char *const *paths;
	size_t npaths;
	const char *const *roots;
	size_t nroots;
	/* The program's file (its last execve in the history), placed by the
	 * fault's start_code even when no frame of the walk is in it. */
	const char *exe;
	bool no_debug_dir; /* do not look in /usr/lib/debug/.build-id */
};

/**
 * flap_symbols__new() - a symbolizer: it opens files only when a build-id
 * asks for them, and keeps them open until freed. The strings of @o are
 * borrowed until then. Return: 0 or -ENOMEM.
 */
int flap_symbols__new(const struct flap_symbols_opts *o, struct flap_symbols **out);
void flap_symbols__free(struct flap_symbols *s);

/**
 * flap_symbols__exe_of() - the program of process @tgid in @t: the file of
 * its last successful execve, made absolute with the working directory the
 * history knows when it was relative (`run -- ./app`), in @buf; or NULL.
 */
const char *flap_symbols__exe_of(const struct flap_trace *t, __u32 tgid, char *buf, size_t size);

/**
 * flap_symbols__paths_of() - the paths the history of @t names as programs
 * and files opened (execve's file, open and openat of successful calls),
 * each once, as absolute paths: a relative one is joined with its directory
 * fd or its process's working directory as the history knows them (from
 * registration, chdir), and left out when they are not known.
 * Return: their number, or -ENOMEM; *@out and its strings are the caller's
 * (flap_symbols__free_paths()).
 */
int flap_symbols__paths_of(const struct flap_trace *t, char ***out);
void flap_symbols__free_paths(char **paths, int n);

/**
 * flap_stack__symbolize() - the stack of @r's signal (r->frames, r->ids,
 * r->stack) as r->syms: each frame with its function, offset and file when
 * found. The frame-pointer walk is kept while its frames follow a call
 * instruction (in code without frame pointers it reads garbage); when it
 * kept fewer than two, return addresses found by scanning the stack follow.
 * Replaces what r->syms held. Return: the frames, or negative errno.
 */
int flap_stack__symbolize(struct flap_symbols *s, struct flap_reason *r);

/**
 * flap_build_id__of() - the GNU build-id of the ELF file at @path.
 * Return: its length (up to @size bytes copied), 0 when it has none,
 * negative errno.
 */
int flap_build_id__of(const char *path, __u8 *id, size_t size);

#endif /* FLAP_SYMBOLS_H */
