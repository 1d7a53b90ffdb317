// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_list.c - `flap-recorder list`: what the daemon records, by pod, as
 * a table or JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.pb-c.h"
#include "cli.h"

static json_object *recorder_json(const Flap__RecorderInfo *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", cli__jstr(r->name));
	json_object_object_add(o, "pod", cli__jstr(r->pod));
	json_object_object_add(o, "namespace", cli__jstr(r->namespace_));
	json_object_object_add(o, "pod_uid", cli__jstr(r->pod_uid));
	json_object_object_add(o, "container", cli__jstr(r->container));
	json_object_object_add(o, "container_id", cli__jstr(r->container_id));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(r->cgroup_id));
	json_object_object_add(o, "cgroup_path", cli__jstr(r->cgroup_path));
	json_object_object_add(o, "state", cli__jstr(r->state));
	json_object_object_add(o, "main_pid", json_object_new_int64(r->main_pid));
	json_object_object_add(o, "events_held", json_object_new_uint64(r->events_held));
	json_object_object_add(o, "overwritten", json_object_new_uint64(r->overwritten));
	json_object_object_add(o, "produced", json_object_new_uint64(r->produced));
	json_object_object_add(o, "lost", json_object_new_uint64(r->lost));
	json_object_object_add(o, "ring_bytes", json_object_new_uint64(r->ring_bytes));
	json_object_object_add(o, "ring_pages", json_object_new_int64(r->ring_pages));
	json_object_object_add(o, "string_size", json_object_new_int64(r->str_max));
	json_object_object_add(o, "buffer_size", json_object_new_int64(r->buf_max));
	json_object_object_add(o, "age_ns", json_object_new_uint64(r->age_ns));
	json_object_object_add(o, "crash_dumps", json_object_new_uint64(r->crashes));
	json_object_object_add(o, "crash_dumps_skipped",
			       json_object_new_uint64(r->crashes_skipped));
	json_object_object_add(o, "crash_dumps_failed", json_object_new_uint64(r->dumps_failed));
	json_object_object_add(o, "crash_dumps_pending", json_object_new_int64(r->dumps_pending));
	json_object_object_add(o, "exits_lost", json_object_new_uint64(r->exits_lost));
	json_object_object_add(o, "history_reset_ns", json_object_new_uint64(r->history_reset_ns));
	json_object_object_add(o, "syscalls", cli__jstr(*r->syscalls ? r->syscalls : "all"));
	json_object_object_add(o, "syscalls_recorded", json_object_new_int64(r->syscalls_recorded));
	json_object_object_add(o, "exact_durations", json_object_new_boolean(r->exact_durations));
	return o;
}

static int cmp_pod(const void *a, const void *b)
{
	const Flap__RecorderInfo *x = *(Flap__RecorderInfo *const *)a;
	const Flap__RecorderInfo *y = *(Flap__RecorderInfo *const *)b;
	int c = strcmp(x->namespace_, y->namespace_);

	if (!c)
		c = strcmp(x->pod, y->pod);
	return c ? c : strcmp(x->name, y->name);
}

/* Under the table, what a recorder lost: never silent, no line when nothing. */
static void print_losses(const Flap__RecorderInfo *r)
{
	if (!r->exits_lost && !r->dumps_failed && !r->dumps_pending && !r->history_reset_ns)
		return;
	printf("# ");
	cli__put_safe(stdout, r->name, 0);
	printf(": %llu process exits lost by the lifecycle ring buffer, %llu crash dump "
	       "attempts failed, %u waiting for a retry%s\n",
	       (unsigned long long)r->exits_lost, (unsigned long long)r->dumps_failed,
	       r->dumps_pending,
	       r->history_reset_ns ? "; earlier history lost at a daemon restart" : "");
}

static void print_list(Flap__ListReply *lr)
{
	char age[32], ring[32];
	size_t i;

	/* Grouped by pod: the containers of a pod are listed together. */
	if (lr->n_recorders > 1) /* an empty list has no array: qsort(NULL) is undefined */
		qsort(lr->recorders, lr->n_recorders, sizeof(lr->recorders[0]), cmp_pod);
	printf("%-24s %-16s %-20s %-16s %10s %-8s %9s %11s %8s %7s %-9s  %s\n", "NAME", "NAMESPACE",
	       "POD", "CONTAINER", "CGROUP", "STATE", "HELD", "OVERWRITTEN", "RING", "AGE",
	       "DURATIONS", "SYSCALLS");
	for (i = 0; i < lr->n_recorders; i++) {
		const Flap__RecorderInfo *r = lr->recorders[i];

		cli__format_age(r->age_ns, age, sizeof(age));
		cli__format_bytes(r->ring_bytes, ring, sizeof(ring));
		cli__put_safe(stdout, r->name, 24);
		putchar(' ');
		cli__put_safe(stdout, *r->namespace_ ? r->namespace_ : "-", 16);
		putchar(' ');
		cli__put_safe(stdout, *r->pod ? r->pod : "-", 20);
		putchar(' ');
		cli__put_safe(stdout, *r->container ? r->container : "-", 16);
		/* "tick": only calls that spanned a kernel clock tick have a duration. */
		printf(" %10llu %-8s %9llu %11llu %8s %7s %-9s  ", (unsigned long long)r->cgroup_id,
		       r->state, (unsigned long long)r->events_held,
		       (unsigned long long)r->overwritten, ring, age,
		       r->exact_durations ? "exact" : "tick");
		/* The in-kernel filter as given at add: "all" without one. */
		cli__put_safe(stdout, *r->syscalls ? r->syscalls : "all", 0);
		putchar('\n');
	}
	for (i = 0; i < lr->n_recorders; i++)
		print_losses(lr->recorders[i]);
}

static const char list_usage[] =
	"usage: flap-recorder list [-o text|json]\n"
	"Recorders grouped by pod, with held and overwritten events, how durations are\n"
	"measured (exact: every call, --exact-durations; tick: only calls that span a\n"
	"kernel clock tick) and the in-kernel syscall filter.\n";

int cmd_list(int argc, char **argv)
{
	Flap__ListRequest lreq = FLAP__LIST_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Response *resp = NULL;
	bool json = false;
	json_object *arr;
	size_t i;
	int rc;

	if (cli__simple_opts(argc, argv, list_usage, &json, NULL, &rc))
		return rc;
	if (optind != argc)
		return cli__usage(list_usage, false);
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &lreq;
	rc = cli__call(&req, &resp, 10000, NULL);
	if (rc)
		return rc;
	if (resp->body_case == FLAP__RESPONSE__BODY_LIST) {
		if (json) {
			arr = json_object_new_array();
			for (i = 0; i < resp->list->n_recorders; i++)
				json_object_array_add(arr, recorder_json(resp->list->recorders[i]));
			printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
			json_object_put(arr);
		} else {
			print_list(resp->list);
		}
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
