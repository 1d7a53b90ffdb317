// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_add.c - `flap-recorder add`: record the cgroup of a process, or a
 * cgroup given by path or id.
 */
#include <getopt.h>
#include <stdio.h>

#include "ctl.pb-c.h"
#include "cli.h"

static const char add_usage[] =
	"usage: flap-recorder add (--pid PID | --cgroup PATH|ID) [options]\n"
	"Record the cgroup (v2) of a process, or a cgroup given by path or id.\n"
	"  --pid PID           the cgroup of this process; it becomes the main process\n"
	"  --cgroup PATH|ID    a cgroup2 directory or cgroup id\n" CLI_ADD_USAGE;

static void print_added(const Flap__RecorderInfo *ri)
{
	printf("recording ");
	cli__put_safe(stdout, ri->name, 0);
	printf(" (cgroup %llu ", (unsigned long long)ri->cgroup_id);
	cli__put_safe(stdout, ri->cgroup_path, 0);
	printf(", %u pages per CPU)\n", ri->ring_pages);
}

int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pid", required_argument, NULL, 'p'},
		{"cgroup", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		CLI_ADD_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	Flap__RecorderSpec spec = FLAP__RECORDER_SPEC__INIT;
	Flap__AddRequest add = FLAP__ADD_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Response *resp = NULL;
	int c, rc, given = 0;
	__u64 v;

	spec.buf_max = -1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli__usage(add_usage, true);
		case 'p':
			if (cli__parse_u64(optarg, 0x7fffffff, &v) || !v) {
				cli__err("--pid: '%s' is not a process id", optarg);
				return CLI_USAGE;
			}
			spec.pid = v;
			spec.main_pid = true;
			given++;
			break;
		case 'c':
			if (cli__parse_u64(optarg, ~0ULL, &v) == 0)
				spec.cgroup_id = v;
			else
				spec.cgroup_path = optarg;
			given++;
			break;
		default:
			rc = cli__add_option(c, optarg, &spec);
			if (rc < 0)
				return CLI_USAGE;
			if (rc > 0)
				return cli__usage(add_usage, false);
		}
	}
	if (given != 1 || optind < argc) {
		cli__err("give exactly one of --pid or --cgroup (see add --help)");
		return CLI_USAGE;
	}
	add.spec = &spec;
	req.op_case = FLAP__REQUEST__OP_ADD;
	req.add = &add;
	/* A registration that misses the pool loads and verifies a recorder
	 * on the daemon's loop: behind a burst of them (100 at once without a
	 * pool: over 6 s here) it waits its turn, as `run` does. */
	rc = cli__call(&req, &resp, 30000, NULL);
	if (rc)
		return rc;
	if (resp->body_case == FLAP__RESPONSE__BODY_ADD && resp->add->recorder)
		print_added(resp->add->recorder);
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
