// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * common.c - helpers the subcommands share (see cli.h): the daemon call
 * and its error reporting, number/duration parsing, recorder options, the
 * -o/-n options of list, status and dumps.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.pb-c.h"
#include "cli.h"
#include "client.h"
#include "sysset.h"

static void print_error_response(const Flap__Error *e)
{
	size_t i;

	cli__err("%s", e->message && *e->message ? e->message : "the daemon refused the request");
	if (cli.json || !e->n_candidates)
		return;
	fprintf(stderr,
		"%s:", e->code == FLAP__ERROR_CODE__AMBIGUOUS ? "  candidates" : "  recorded now");
	for (i = 0; i < e->n_candidates; i++) {
		fputc(' ', stderr);
		cli__put_safe(stderr, e->candidates[i], 0);
		if (i + 1 < e->n_candidates)
			fputc(',', stderr);
	}
	fputc('\n', stderr);
}

int cli__call(Flap__Request *req, Flap__Response **resp, int timeout_ms, int *keep_fd)
{
	char msg[512];
	int err;

	req->version = 1;
	err = flap_client__call(cli.socket, timeout_ms, req, resp, keep_fd);
	if (err) {
		cli__err("%s", flap_client__strerror(err, cli.socket, msg, sizeof(msg)));
		return err == -ENOENT || err == -ECONNREFUSED ? CLI_NO_DAEMON : CLI_FAIL;
	}
	if ((*resp)->error && (*resp)->error->code != FLAP__ERROR_CODE__OK) {
		print_error_response((*resp)->error);
		flap__response__free_unpacked(*resp, NULL);
		*resp = NULL;
		if (keep_fd && *keep_fd >= 0) {
			close(*keep_fd);
			*keep_fd = -1;
		}
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli__parse_u64(const char *s, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli__parse_duration(const char *s, __u64 *ns)
{
	static const struct {
		const char *unit;
		__u64 mult;
	} units[] = {
		{"ns", 1ULL},
		{"us", 1000ULL},
		{"ms", 1000000ULL},
		{"s", 1000000000ULL},
		{"m", 60000000000ULL},
		{"h", 3600000000000ULL},
		{"d", 86400000000000ULL},
		{"", 1000000000ULL},
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > ~0ULL / units[i].mult)
			return -EINVAL;
		*ns = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

void cli__format_age(__u64 ns, char *buf, size_t size)
{
	__u64 s = ns / 1000000000ULL;

	if (s < 60)
		snprintf(buf, size, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", (unsigned long long)s / 3600,
			 (unsigned long long)(s % 3600) / 60);
	else
		snprintf(buf, size, "%llud%02lluh", (unsigned long long)s / 86400,
			 (unsigned long long)(s % 86400) / 3600);
}

void cli__format_bytes(__u64 bytes, char *buf, size_t size)
{
	if (bytes >= 10ULL << 20)
		snprintf(buf, size, "%lluMiB", (unsigned long long)bytes >> 20);
	else if (bytes >= 10ULL << 10)
		snprintf(buf, size, "%lluKiB", (unsigned long long)bytes >> 10);
	else
		snprintf(buf, size, "%lluB", (unsigned long long)bytes);
}

void cli__put_safe(FILE *out, const char *s, int width)
{
	int n = 0;

	for (; s && *s; s++) {
		unsigned char ch = *s;

		if (ch < 0x20 || ch >= 0x7f)
			n += fprintf(out, "\\x%02x", ch);
		else
			n += fputc(ch, out) != EOF;
	}
	for (; n < width; n++)
		fputc(' ', out);
}

static int parse_size_opt(const char *name, const char *arg, __u64 max, __u64 *v)
{
	if (cli__parse_u64(arg, max, v)) {
		cli__err("--%s: '%s' is not a number from 0 to %llu", name, arg,
			 (unsigned long long)max);
		return -1;
	}
	return 0;
}

/*
 * --syscalls SET: checked here for a clear message before the daemon sees
 * it; sent as one item of RecorderSpec.syscalls (the daemon joins items
 * with commas, so one item holds the whole set).
 */
static int add_syscalls(const char *arg, Flap__RecorderSpec *spec)
{
	static char *item[1];
	struct flap_sysset set;
	char err[256];

	if (flap_sysset__parse(&set, arg, err, sizeof(err))) {
		cli__err("--syscalls: %s", err);
		return -1;
	}
	item[0] = (char *)arg;
	spec->syscalls = item;
	spec->n_syscalls = 1;
	return 0;
}

int cli__add_option(int c, const char *arg, Flap__RecorderSpec *spec)
{
	__u64 v;

	switch (c) {
	case 1001:
		spec->name = (char *)arg;
		return 0;
	case 1002:
		spec->pod = (char *)arg;
		return 0;
	case 1003:
		spec->namespace_ = (char *)arg;
		return 0;
	case 1004:
		spec->container = (char *)arg;
		return 0;
	case 1005:
		if (parse_size_opt("ring-pages", arg, 4096, &v))
			return -1;
		if (v < 2 || (v & (v - 1))) {
			cli__err("--ring-pages: %s is not a power of two from 2 to 4096", arg);
			return -1;
		}
		spec->ring_pages = v;
		return 0;
	case 1006:
		if (parse_size_opt("string-size", arg, 1024, &v))
			return -1;
		spec->str_max = v;
		return 0;
	case 1007:
		if (parse_size_opt("buffer-size", arg, 1024, &v))
			return -1;
		spec->buf_max = v;
		return 0;
	case 1008:
		if (strcmp(arg, "nonzero") && strcmp(arg, "signal") && strcmp(arg, "never")) {
			cli__err("--on-exit: '%s' is not nonzero, signal or never", arg);
			return -1;
		}
		spec->on_exit = (char *)arg;
		return 0;
	case 1009:
		spec->pod_uid = (char *)arg;
		return 0;
	case 1010:
		spec->container_id = (char *)arg;
		return 0;
	case 1011:
		return add_syscalls(arg, spec);
	case 1012:
		spec->exact_durations = true;
		return 0;
	}
	return 1;
}

/* -o text|json; returns 0, or -1 after printing the error. */
static int parse_output(const char *arg, bool *json)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else {
		cli__err("-o: '%s' is not text or json", arg);
		return -1;
	}
	cli.json = *json;
	return 0;
}

/*
 * Parses -o and -n. Return: true when the command must stop now with
 * *@code (help printed, or a usage error).
 */
bool cli__simple_opts(int argc, char **argv, const char *usage, bool *json, const char **ns,
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
			*code = cli__usage(usage, true);
			return true;
		}
		if (c == 'o' && parse_output(optarg, json) == 0)
			continue;
		if (c == 'n' && ns) {
			*ns = optarg;
			continue;
		}
		*code = c == 'o' ? CLI_USAGE : cli__usage(usage, false);
		return true;
	}
	return false;
}

/* A JSON string of @s, "" for NULL. */
json_object *cli__jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}
