// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_dumps.c - `flap-recorder dumps`: the crash dumps the daemon wrote,
 * oldest first, as a table or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.pb-c.h"
#include "cli.h"

static const char dumps_usage[] =
	"usage: flap-recorder dumps [TARGET] [-n NAMESPACE] [-o text|json]\n"
	"Crash dumps on disk (newest last); `show PATH` prints one.\n";

static int cmp_created(const void *a, const void *b)
{
	const Flap__DumpInfo *x = *(Flap__DumpInfo *const *)a;
	const Flap__DumpInfo *y = *(Flap__DumpInfo *const *)b;

	return x->created_ns < y->created_ns ? -1 : x->created_ns > y->created_ns;
}

static void time_str(__u64 ns, char *buf, size_t size)
{
	time_t secs = ns / 1000000000ULL;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static json_object *dump_json(const Flap__DumpInfo *d)
{
	json_object *o = json_object_new_object();
	char when[64];

	time_str(d->created_ns, when, sizeof(when));
	json_object_object_add(o, "path", cli__jstr(d->path));
	json_object_object_add(o, "time", cli__jstr(when));
	json_object_object_add(o, "created_ns", json_object_new_uint64(d->created_ns));
	json_object_object_add(o, "pod", cli__jstr(d->pod));
	json_object_object_add(o, "namespace", cli__jstr(d->namespace_));
	json_object_object_add(o, "container", cli__jstr(d->container));
	json_object_object_add(o, "name", cli__jstr(d->name));
	json_object_object_add(o, "reason", cli__jstr(d->reason ? d->reason->text : ""));
	json_object_object_add(o, "signal", json_object_new_int(d->reason ? d->reason->signal : 0));
	json_object_object_add(o, "exit_code",
			       json_object_new_int(d->reason ? d->reason->exit_code : 0));
	json_object_object_add(o, "events", json_object_new_uint64(d->events));
	json_object_object_add(o, "overwritten", json_object_new_uint64(d->overwritten));
	json_object_object_add(o, "size", json_object_new_uint64(d->size));
	return o;
}

int cmd_dumps(int argc, char **argv)
{
	Flap__DumpsRequest dreq = FLAP__DUMPS_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Target target = FLAP__TARGET__INIT;
	Flap__Response *resp = NULL;
	const char *ns = NULL;
	bool json = false;
	char when[64], size[32];
	json_object *arr;
	size_t i;
	int rc;

	if (cli__simple_opts(argc, argv, dumps_usage, &json, &ns, &rc))
		return rc;
	if (optind < argc - 1)
		return cli__usage(dumps_usage, false);
	target.name = optind < argc ? argv[optind] : "";
	target.namespace_ = (char *)(ns ? ns : "");
	dreq.target = &target;
	req.op_case = FLAP__REQUEST__OP_DUMPS;
	req.dumps = &dreq;
	rc = cli__call(&req, &resp, 10000, NULL);
	if (rc)
		return rc;
	if (resp->body_case == FLAP__RESPONSE__BODY_DUMPS) {
		Flap__DumpsReply *dr = resp->dumps;

		if (dr->n_dumps > 1)
			qsort(dr->dumps, dr->n_dumps, sizeof(dr->dumps[0]), cmp_created);
		if (json) {
			arr = json_object_new_array();
			for (i = 0; i < dr->n_dumps; i++)
				json_object_array_add(arr, dump_json(dr->dumps[i]));
			printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
			json_object_put(arr);
		} else {
			printf("%-19s %-16s %-20s %-16s %7s %7s  %s\n", "TIME", "NAMESPACE", "POD",
			       "CONTAINER", "EVENTS", "SIZE", "REASON / PATH");
			for (i = 0; i < dr->n_dumps; i++) {
				const Flap__DumpInfo *d = dr->dumps[i];

				time_str(d->created_ns, when, sizeof(when));
				cli__format_bytes(d->size, size, sizeof(size));
				printf("%-19s ", when);
				cli__put_safe(stdout, *d->namespace_ ? d->namespace_ : "-", 16);
				putchar(' ');
				cli__put_safe(stdout, *d->pod ? d->pod : "-", 20);
				putchar(' ');
				cli__put_safe(stdout, *d->container ? d->container : d->name, 16);
				printf(" %7llu %7s  ", (unsigned long long)d->events, size);
				cli__put_safe(stdout, d->reason ? d->reason->text : "", 0);
				printf("\n%*s", 92, "");
				cli__put_safe(stdout, d->path, 0);
				putchar('\n');
			}
		}
		/* Dumps that are not on disk: said on stderr, the JSON array stays as it is. */
		if (dr->failed || dr->pending || dr->dropped)
			cli__err("%llu crash dump attempts failed since the daemon started; %u "
				 "dumps waiting for a retry, %llu given up (see the daemon's log)",
				 (unsigned long long)dr->failed, dr->pending,
				 (unsigned long long)dr->dropped);
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
