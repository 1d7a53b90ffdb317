/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * view.h - the view options `dump` and `show` share, and the printing of a
 * trace by them (view.c).
 */
#ifndef FLAP_CLI_VIEW_H
#define FLAP_CLI_VIEW_H

#include <stdbool.h>

#include "dump.h"
#include "format.h"
#include "sysset.h"
#include "trace.h"

struct view_opts {
	struct flap_format_opts fmt;
	struct flap_sysset filter; /* -e trace=SET */
	bool summary;		   /* --summary: strace -c counts */
	bool files;		   /* --files: per-path access pattern */
	const char *save;
	const char *ns;
	const char *symbols; /* show --symbols DIR: symbolize the crash stack against DIR */
};

#define VIEW_USAGE                                                                              \
	"  -e [trace=]SET      only these syscalls: names, %file %desc %net %process %memory\n" \
	"                      %signal %ipc %creds %clock, /regex, all, none; !SET negates\n"   \
	"  --last N            only the newest N events (of the -e set)\n"                      \
	"  -c, --summary       per-syscall counts, errors and time, like strace -c\n"           \
	"  --files             per-path opens, failed opens, bytes read and written\n"          \
	"  --raw-fds           plain fd numbers (not 3</etc/passwd>)\n"                         \
	"  -o text|json        strace-like text (default) or JSON Lines\n"                      \
	"  -v, --verbose       command name on every line, per-CPU counts\n"

/* Parses the options `dump` (@is_dump) and `show` share. Return: -1 to go on, else an exit code. */
int cli__parse_view(int argc, char **argv, const char *usage, bool is_dump, struct view_opts *v);

/* Prints @t as @v says (events, --summary or --files). Return: the exit code. */
int cli__print_view(const struct flap_dump_meta *m, struct flap_trace *t,
		    const struct view_opts *v);

#endif /* FLAP_CLI_VIEW_H */
