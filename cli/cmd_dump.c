// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_dump.c - `flap-recorder dump`: read the rings of a pod, container or
 * recorder through the daemon, and print them (view.c, as `show` prints a
 * saved file) or save them (--save): the events like strace -f -tt -T -y,
 * or a strace -c summary (--summary), or the files touched (--files), for
 * all syscalls or an -e trace=SET of them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.pb-c.h"
#include "cli.h"
#include "dump.h"
#include "trace.h"
#include "view.h"

static const char dump_usage[] =
	"usage: flap-recorder dump TARGET [-n NAMESPACE] [-e SET] [--last N] [--summary|--files]\n"
	"                          [--raw-fds] [-o text|json] [--save FILE]\n"
	"Print the recent syscalls of a recorder, a pod (all its containers merged by time),\n"
	"a container or a cgroup id. Recording goes on.\n"
	"  -n, --namespace NS  the pod's namespace\n"
	"  --save FILE         write a dump file instead of printing (see `show`)\n" VIEW_USAGE;

int cmd_dump(int argc, char **argv)
{
	Flap__DumpRequest dreq = FLAP__DUMP_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target target = FLAP__TARGET__INIT;
	struct view_opts v = {};
	struct flap_trace *t = NULL;
	Flap__Response *resp = NULL;
	struct flap_dump_meta m;
	char err[512];
	int rc, fd = -1;

	rc = cli__parse_view(argc, argv, dump_usage, true, &v);
	if (rc >= 0)
		return rc;
	target.name = argv[optind];
	target.namespace_ = (char *)(v.ns ? v.ns : "");
	dreq.target = &target;
	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dreq;
	rc = cli__call(&req, &resp, 30000, &fd);
	if (rc)
		return rc;
	flap__response__free_unpacked(resp, NULL);
	rc = flap_dump__read(fd, &m, &t, err, sizeof(err));
	close(fd);
	if (rc) {
		cli__err("bad dump stream from the daemon: %s", err);
		return CLI_FAIL;
	}
	if (v.save) {
		rc = flap_dump__save(v.save, &m, t);
		if (rc) {
			cli__err("cannot save %s: %s", v.save, strerror(-rc));
		} else if (!cli.json) {
			fprintf(stderr,
				"flap-recorder: saved %zu events (%llu overwritten, %llu lost "
				"before "
				"them) to %s\n",
				t->nevents, (unsigned long long)t->total.overwritten,
				(unsigned long long)t->total.lost, v.save);
		}
		flap_trace__free(t);
		return rc ? CLI_FAIL : CLI_OK;
	}
	rc = cli__print_view(&m, t, &v);
	flap_trace__free(t);
	return rc;
}
