// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_show.c - `flap-recorder show`: print a saved dump file as `dump`
 * prints (view.c).
 */
#include <getopt.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dump.h"
#include "symbols.h"
#include "trace.h"
#include "view.h"

static const char show_usage[] =
	"usage: flap-recorder show FILE [-e SET] [--last N] [--summary|--files] [--raw-fds]\n"
	"                          [--symbols DIR] [-o text|json]\n"
	"Print a saved dump file, as `dump` prints.\n" VIEW_USAGE
	"  --symbols DIR       name the crashing thread's stack from the binaries in DIR\n"
	"                      (found by build-id; files in DIR and two levels down)\n";

/*
 * show --symbols DIR: the crash stack named again, from the binaries of @dir
 * (and the files the history names, when they are here), for a dump made
 * where they were not found or stripped.
 */
static int resymbolize(struct flap_dump_meta *m, const struct flap_trace *t, const char *dir)
{
	struct flap_symbols_opts so = {.dir = dir};
	struct flap_symbols *sym = NULL;
	char exe[4096], **paths = NULL;
	struct stat st;
	int n, rc;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli__err("--symbols: %s: not a directory", dir);
		return CLI_USAGE;
	}
	if (!m->reason.has_signal || !m->reason.nframes)
		return CLI_OK;
	n = flap_symbols__paths_of(t, &paths);
	if (n < 0)
		return CLI_FAIL;
	so.paths = (const char *const *)paths;
	so.npaths = n;
	so.exe = flap_symbols__exe_of(t, m->reason.pid, exe, sizeof(exe));
	rc = flap_symbols__new(&so, &sym);
	if (!rc)
		rc = flap_stack__symbolize(sym, &m->reason);
	flap_symbols__free(sym);
	flap_symbols__free_paths(paths, n);
	return rc < 0 ? CLI_FAIL : CLI_OK;
}

int cmd_show(int argc, char **argv)
{
	struct view_opts v = {};
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[512];
	int rc;

	rc = cli__parse_view(argc, argv, show_usage, false, &v);
	if (rc >= 0)
		return rc;
	rc = flap_dump__load(argv[optind], &m, &t, err, sizeof(err));
	if (rc) {
		cli__err("%s: %s", argv[optind], rc == -EBADMSG ? err : strerror(-rc));
		return CLI_FAIL;
	}
	if (v.symbols) {
		rc = resymbolize(&m, t, v.symbols);
		if (rc != CLI_OK) {
			flap_trace__free(t);
			return rc;
		}
	}
	rc = cli__print_view(&m, t, &v);
	flap_trace__free(t);
	return rc;
}
