// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_list.c - `flap-recorder list`, `status` and `dumps`: what the
 * daemon records, how it is, and the crash dumps it wrote.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"

/* -o text|json; returns 0, or -1 after printing the error. */
static int parse_output(const char *arg, bool *json)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else {
		cli_err("-o: '%s' is not text or json", arg);
		return -1;
	}
	cli.json = *json;
	return 0;
}

/*
 * Parses -o and -n. Return: true when the command must stop now with
 * *@code (help printed, or a usage error).
 */
static bool simple_opts(int argc, char **argv, const char *usage, bool *json, const char **ns,
			int *code)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"namespace", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:n:h", opts, NULL)) != -1) {
		if (c == 'h') {
			*code = cli_usage(usage, true);
			return true;
		}
		if (c == 'o' && parse_output(optarg, json) == 0)
			continue;
		if (c == 'n' && ns) {
			*ns = optarg;
			continue;
		}
		*code = c == 'o' ? CLI_USAGE : cli_usage(usage, false);
		return true;
	}
	return false;
}

static json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static json_object *recorder_json(const Flap__RecorderInfo *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", jstr(r->name));
	json_object_object_add(o, "pod", jstr(r->pod));
	json_object_object_add(o, "namespace", jstr(r->namespace_));
	json_object_object_add(o, "pod_uid", jstr(r->pod_uid));
	json_object_object_add(o, "container", jstr(r->container));
	json_object_object_add(o, "container_id", jstr(r->container_id));
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(r->cgroup_id));
	json_object_object_add(o, "cgroup_path", jstr(r->cgroup_path));
	json_object_object_add(o, "state", jstr(r->state));
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
	json_object_object_add(o, "syscalls", jstr(*r->syscalls ? r->syscalls : "all"));
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

		cli_format_age(r->age_ns, age, sizeof(age));
		cli_format_bytes(r->ring_bytes, ring, sizeof(ring));
		cli_put_safe(stdout, r->name, 24);
		putchar(' ');
		cli_put_safe(stdout, *r->namespace_ ? r->namespace_ : "-", 16);
		putchar(' ');
		cli_put_safe(stdout, *r->pod ? r->pod : "-", 20);
		putchar(' ');
		cli_put_safe(stdout, *r->container ? r->container : "-", 16);
		/* "tick": only calls that spanned a kernel clock tick have a duration. */
		printf(" %10llu %-8s %9llu %11llu %8s %7s %-9s  ", (unsigned long long)r->cgroup_id,
		       r->state, (unsigned long long)r->events_held,
		       (unsigned long long)r->overwritten, ring, age,
		       r->exact_durations ? "exact" : "tick");
		/* The in-kernel filter as given at add: "all" without one. */
		cli_put_safe(stdout, *r->syscalls ? r->syscalls : "all", 0);
		putchar('\n');
	}
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

	if (simple_opts(argc, argv, list_usage, &json, NULL, &rc))
		return rc;
	if (optind != argc)
		return cli_usage(list_usage, false);
	req.op_case = FLAP__REQUEST__OP_LIST;
	req.list = &lreq;
	rc = cli_call(&req, &resp, 10000, NULL);
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

static const char status_usage[] = "usage: flap-recorder status [-o text|json]\n";

int cmd_status(int argc, char **argv)
{
	Flap__StatusRequest sreq = FLAP__STATUS_REQUEST__INIT;
	Flap__Request req = FLAP__REQUEST__INIT;
	Flap__Response *resp = NULL;
	const Flap__StatusReply *s;
	char up[32], ring[32];
	bool json = false;
	json_object *o;
	int rc;

	if (simple_opts(argc, argv, status_usage, &json, NULL, &rc))
		return rc;
	if (optind != argc)
		return cli_usage(status_usage, false);
	req.op_case = FLAP__REQUEST__OP_STATUS;
	req.status = &sreq;
	rc = cli_call(&req, &resp, 5000, NULL);
	if (rc)
		return rc;
	if (resp->body_case != FLAP__RESPONSE__BODY_STATUS) {
		flap__response__free_unpacked(resp, NULL);
		cli_err("unexpected answer from the daemon");
		return CLI_FAIL;
	}
	s = resp->status;
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "version", jstr(s->version));
		json_object_object_add(o, "pid", json_object_new_int64(s->pid));
		json_object_object_add(o, "uptime_ns", json_object_new_uint64(s->uptime_ns));
		json_object_object_add(o, "recorders", json_object_new_int64(s->recorders));
		json_object_object_add(o, "ring_bytes", json_object_new_uint64(s->ring_bytes));
		json_object_object_add(o, "socket", jstr(s->socket));
		json_object_object_add(o, "dump_dir", jstr(s->dump_dir));
		json_object_object_add(o, "dumps_written",
				       json_object_new_uint64(s->dumps_written));
		json_object_object_add(o, "node_skipped", json_object_new_uint64(s->node_skipped));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		cli_format_age(s->uptime_ns, up, sizeof(up));
		cli_format_bytes(s->ring_bytes, ring, sizeof(ring));
		printf("flap-recorder daemon %s, pid %u, up %s\n", s->version, s->pid, up);
		printf("recorders: %u, ring memory: %s\n", s->recorders, ring);
		printf("socket: %s\ndump dir: %s (%llu dumps written since start)\n", s->socket,
		       s->dump_dir, (unsigned long long)s->dumps_written);
		printf("syscalls skipped by the kernel's BPF recursion guard (node-wide): %llu\n",
		       (unsigned long long)s->node_skipped);
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}

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
	json_object_object_add(o, "path", jstr(d->path));
	json_object_object_add(o, "time", jstr(when));
	json_object_object_add(o, "created_ns", json_object_new_uint64(d->created_ns));
	json_object_object_add(o, "pod", jstr(d->pod));
	json_object_object_add(o, "namespace", jstr(d->namespace_));
	json_object_object_add(o, "container", jstr(d->container));
	json_object_object_add(o, "name", jstr(d->name));
	json_object_object_add(o, "reason", jstr(d->reason ? d->reason->text : ""));
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

	if (simple_opts(argc, argv, dumps_usage, &json, &ns, &rc))
		return rc;
	if (optind < argc - 1)
		return cli_usage(dumps_usage, false);
	target.name = optind < argc ? argv[optind] : "";
	target.namespace_ = (char *)(ns ? ns : "");
	dreq.target = &target;
	req.op_case = FLAP__REQUEST__OP_DUMPS;
	req.dumps = &dreq;
	rc = cli_call(&req, &resp, 10000, NULL);
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
				cli_format_bytes(d->size, size, sizeof(size));
				printf("%-19s ", when);
				cli_put_safe(stdout, *d->namespace_ ? d->namespace_ : "-", 16);
				putchar(' ');
				cli_put_safe(stdout, *d->pod ? d->pod : "-", 20);
				putchar(' ');
				cli_put_safe(stdout, *d->container ? d->container : d->name, 16);
				printf(" %7llu %7s  ", (unsigned long long)d->events, size);
				cli_put_safe(stdout, d->reason ? d->reason->text : "", 0);
				printf("\n%*s", 92, "");
				cli_put_safe(stdout, d->path, 0);
				putchar('\n');
			}
		}
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
