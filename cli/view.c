// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * view.c - what `dump` and `show` share: the view options (-e, --last,
 * --summary, --files, --raw-fds, -o, -v) and the printing of a trace by
 * them, so `dump --save F` then `show F` gives the output `dump` would have.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dump.h"
#include "format.h"
#include "sysset.h"
#include "trace.h"
#include "view.h"

/* -e trace=SET (or t=SET, or SET): the only qualifier dump and show take. */
static int parse_qualifier(const char *arg, struct view_opts *v)
{
	const char *eq = strchr(arg, '='), *set = arg;
	char err[256];

	if (eq) {
		if (strncmp(arg, "trace=", 6) && strncmp(arg, "t=", 2)) {
			cli__err("-e %.*s: only trace=SET is supported", (int)(eq - arg), arg);
			return CLI_USAGE;
		}
		set = eq + 1;
	}
	if (flap_sysset__parse(&v->filter, set, err, sizeof(err))) {
		cli__err("-e %s: %s", arg, err);
		return CLI_USAGE;
	}
	v->fmt.filter = &v->filter;
	return -1;
}

/* Parses the options dump and show share. Return: -1 to go on, else an exit code. */
int cli__parse_view(int argc, char **argv, const char *usage, bool is_dump, struct view_opts *v)
{
	static const struct option opts[] = {
		{"namespace", required_argument, NULL, 'n'},
		{"last", required_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"save", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"summary", no_argument, NULL, 'c'},
		{"files", no_argument, NULL, 'F'},
		{"raw-fds", no_argument, NULL, 'R'},
		{"symbols", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	v->fmt.verbose = cli.verbose;
	while ((c = getopt_long(argc, argv, is_dump ? "n:o:e:cvh" : "o:e:cvh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli__usage(usage, true);
		case 'e':
			rc = parse_qualifier(optarg, v);
			if (rc >= 0)
				return rc;
			break;
		case 'c':
			v->summary = true;
			break;
		case 'F':
			v->files = true;
			break;
		case 'R':
			v->fmt.raw_fds = true;
			break;
		case 'n':
			v->ns = optarg;
			break;
		case 'l':
			if (cli__parse_u64(optarg, ~0ULL, &v->fmt.last) || !v->fmt.last) {
				cli__err("--last: '%s' is not a positive number", optarg);
				return CLI_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				cli__err("-o: '%s' is not text or json", optarg);
				return CLI_USAGE;
			}
			v->fmt.json = cli.json = strcmp(optarg, "json") == 0;
			break;
		case 's':
			if (!is_dump)
				return cli__usage(usage, false);
			v->save = optarg;
			break;
		case 'S':
			if (is_dump)
				return cli__usage(usage, false);
			v->symbols = optarg;
			break;
		case 'v':
			v->fmt.verbose = true;
			break;
		default:
			return cli__usage(usage, false);
		}
	}
	if (optind != argc - 1)
		return cli__usage(usage, false);
	if (v->summary && v->files) {
		cli__err("--summary and --files: choose one");
		return CLI_USAGE;
	}
	if (v->save && (v->summary || v->files || v->fmt.filter || v->fmt.last)) {
		cli__err("--save writes the whole history: no -e, --last, --summary or --files");
		return CLI_USAGE;
	}
	return -1;
}

int cli__print_view(const struct flap_dump_meta *m, struct flap_trace *t, const struct view_opts *v)
{
	int rc;

	if (v->summary)
		rc = flap_format__summary(stdout, t, &v->fmt);
	else if (v->files)
		rc = flap_format__files(stdout, t, &v->fmt);
	else
		rc = flap_format__trace(stdout, m, t, &v->fmt);
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc && rc != -EPIPE) {
		cli__err("cannot write the output: %s", strerror(-rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}
