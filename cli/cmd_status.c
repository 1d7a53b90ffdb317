// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_status.c - `flap-recorder status`: the daemon's version, uptime,
 * recorders, ring memory, socket, dump directory and counters.
 */
#include <getopt.h>
#include <stdio.h>

#include <json-c/json.h>

#include "ctl.pb-c.h"
#include "cli.h"

static const char status_usage[] = "usage: flap-recorder status [-o text|json]\n";

/* The pool of recorders loaded ahead of time (daemon --pool), as an object. */
static void add_pool_json(json_object *o, const Flap__StatusReply *s)
{
	json_object *p = json_object_new_object();

	json_object_object_add(p, "size", json_object_new_int64(s->pool_size));
	json_object_object_add(p, "ready", json_object_new_int64(s->pool_ready));
	json_object_object_add(p, "loading", json_object_new_int64(s->pool_loading));
	json_object_object_add(p, "taken", json_object_new_uint64(s->pool_taken));
	json_object_object_add(p, "empty", json_object_new_uint64(s->pool_empty));
	json_object_object_add(p, "failed", json_object_new_uint64(s->pool_failed));
	json_object_object_add(o, "pool", p);
}

static void print_pool(const Flap__StatusReply *s)
{
	if (!s->pool_size) {
		printf("pool: off (every registration loads its recorder)\n");
		return;
	}
	printf("pool: %u of %u ready, %u loading (%llu registrations served, %llu found it empty, "
	       "%llu loads failed)\n",
	       s->pool_ready, s->pool_size, s->pool_loading, (unsigned long long)s->pool_taken,
	       (unsigned long long)s->pool_empty, (unsigned long long)s->pool_failed);
}

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

	if (cli__simple_opts(argc, argv, status_usage, &json, NULL, &rc))
		return rc;
	if (optind != argc)
		return cli__usage(status_usage, false);
	req.op_case = FLAP__REQUEST__OP_STATUS;
	req.status = &sreq;
	rc = cli__call(&req, &resp, 5000, NULL);
	if (rc)
		return rc;
	if (resp->body_case != FLAP__RESPONSE__BODY_STATUS) {
		flap__response__free_unpacked(resp, NULL);
		cli__err("unexpected answer from the daemon");
		return CLI_FAIL;
	}
	s = resp->status;
	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "version", cli__jstr(s->version));
		json_object_object_add(o, "pid", json_object_new_int64(s->pid));
		json_object_object_add(o, "uptime_ns", json_object_new_uint64(s->uptime_ns));
		json_object_object_add(o, "recorders", json_object_new_int64(s->recorders));
		json_object_object_add(o, "ring_bytes", json_object_new_uint64(s->ring_bytes));
		json_object_object_add(o, "socket", cli__jstr(s->socket));
		json_object_object_add(o, "dump_dir", cli__jstr(s->dump_dir));
		json_object_object_add(o, "dumps_written",
				       json_object_new_uint64(s->dumps_written));
		json_object_object_add(o, "node_skipped", json_object_new_uint64(s->node_skipped));
		json_object_object_add(o, "kernel", cli__jstr(s->kernel));
		json_object_object_add(o, "bpf_programs", cli__jstr(s->bpf_programs));
		json_object_object_add(o, "kernel_lacks", cli__jstr(s->kernel_lacks));
		json_object_object_add(o, "exits_lost", json_object_new_uint64(s->exits_lost));
		json_object_object_add(o, "dumps_failed", json_object_new_uint64(s->dumps_failed));
		json_object_object_add(o, "dumps_pending", json_object_new_int64(s->dumps_pending));
		json_object_object_add(o, "dumps_dropped",
				       json_object_new_uint64(s->dumps_dropped));
		json_object_object_add(o, "clients", json_object_new_int64(s->clients));
		json_object_object_add(o, "max_clients", json_object_new_int64(s->max_clients));
		json_object_object_add(o, "clients_refused",
				       json_object_new_uint64(s->clients_refused));
		json_object_object_add(o, "clients_timed_out",
				       json_object_new_uint64(s->clients_timed_out));
		json_object_object_add(o, "registrations_pending",
				       json_object_new_int64(s->registrations_pending));
		add_pool_json(o, s);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		cli__format_age(s->uptime_ns, up, sizeof(up));
		cli__format_bytes(s->ring_bytes, ring, sizeof(ring));
		printf("flap-recorder daemon %s, pid %u, up %s\n", s->version, s->pid, up);
		printf("recorders: %u, ring memory: %s\n", s->recorders, ring);
		printf("socket: %s\ndump dir: %s (%llu dumps written since start)\n", s->socket,
		       s->dump_dir, (unsigned long long)s->dumps_written);
		printf("syscalls skipped by the kernel's BPF recursion guard (node-wide): %llu\n",
		       (unsigned long long)s->node_skipped);
		printf("crash dumps: %llu attempts failed, %u waiting for a retry, %llu given up\n",
		       (unsigned long long)s->dumps_failed, s->dumps_pending,
		       (unsigned long long)s->dumps_dropped);
		printf("process exits lost by the lifecycle ring buffer (node-wide): %llu\n",
		       (unsigned long long)s->exits_lost);
		printf("clients: %u open (at most %u), %llu refused over the limit, %llu closed "
		       "idle\n",
		       s->clients, s->max_clients, (unsigned long long)s->clients_refused,
		       (unsigned long long)s->clients_timed_out);
		if (s->kernel && s->kernel[0])
			printf("kernel %s: %s\n", s->kernel,
			       s->kernel_lacks && s->kernel_lacks[0] ? s->kernel_lacks
								     : "full programs");
		print_pool(s);
		printf("registrations pending (recorder being loaded, or next in line): %u\n",
		       s->registrations_pending);
	}
	flap__response__free_unpacked(resp, NULL);
	return CLI_OK;
}
