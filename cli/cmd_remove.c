// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_remove.c - `flap-recorder remove`: stop recording a recorder, pod,
 * container or cgroup id.
 */
#include <getopt.h>

#include "ctl.pb-c.h"
#include "cli.h"

static const char remove_usage[] = "usage: flap-recorder remove TARGET [-n NAMESPACE]\n"
				   "Stop recording a recorder, pod, container or cgroup id.\n";

int cmd_remove(int argc, char **argv)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Flap__RemoveRequest rm = FLAP__REMOVE_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target target = FLAP__TARGET__INIT;
	Flap__Response *resp = NULL;
	int c, rc;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if (c == 'h')
			return cli__usage(remove_usage, true);
		if (c != 'n')
			return cli__usage(remove_usage, false);
		target.namespace_ = optarg;
	}
	if (optind != argc - 1)
		return cli__usage(remove_usage, false);
	target.name = argv[optind];
	rm.target = &target;
	req.op_case = FLAP__REQUEST__OP_REMOVE;
	req.remove = &rm;
	rc = cli__call(&req, &resp, 5000, NULL);
	if (rc)
		return rc;
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
