// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_show.c - `flap-recorder show`: print a saved dump file as `dump`
 * prints (view.c).
 */
#include <getopt.h>
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "dump.h"
#include "trace.h"
#include "view.h"

static const char show_usage[] =
	"usage: flap-recorder show FILE [-e SET] [--last N] [--summary|--files] [--raw-fds]\n"
	"                          [-o text|json]\n"
	"Print a saved dump file, as `dump` prints.\n" VIEW_USAGE;

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
	rc = cli__print_view(&m, t, &v);
	flap_trace__free(t);
	return rc;
}
