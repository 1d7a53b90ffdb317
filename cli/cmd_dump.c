// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_dump.c - `flap-recorder dump` (read the rings of a pod, container or
 * recorder through the daemon) and `flap-recorder show` (read a saved dump
 * file). Both print the same way, so `dump --save F` then `show F` gives
 * the output `dump` would have: the events like strace -f -tt -T -y, or
 * a strace -c summary (--summary), or the files touched (--files), for
 * all syscalls or an -e trace=SET of them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dump.h"
#include "format.h"
#include "sysset.h"
#include "trace.h"

struct view_opts {
	struct flap_format_opts fmt;
	struct flap_sysset filter; /* -e trace=SET */
	bool summary;		   /* --summary: strace -c counts */
	bool files;		   /* --files: per-path access pattern */
	const char *save;
	const char *ns;
};

#define VIEW_USAGE                                                                              \
	"  -e [trace=]SET      only these syscalls: names, %file %desc %net %process %memory\n" \
	"                      %signal %ipc %creds %clock, /regex, all, none; !SET negates\n"   \
	"  --last N            only the newest N events (of the -e set)\n"                      \
	"  -c, --summary       per-syscall counts, errors and time, like strace -c\n"           \
	"  --files             per-path opens, failed opens, bytes read and written\n"          \
	"  --raw-fds           plain fd numbers (not 3</etc/passwd>)\n"                         \
	"  -o text|json        strace-like text (default) or JSON Lines\n"                      \
	"  -v, --verbose       command name on every line, per-CPU counts\n"

static const char dump_usage[] =
	"usage: flap-recorder dump TARGET [-n NAMESPACE] [-e SET] [--last N] [--summary|--files]\n"
	"                          [--raw-fds] [-o text|json] [--save FILE]\n"
	"Print the recent syscalls of a recorder, a pod (all its containers merged by time),\n"
	"a container or a cgroup id. Recording goes on.\n"
	"  -n, --namespace NS  the pod's namespace\n"
	"  --save FILE         write a dump file instead of printing (see `show`)\n" VIEW_USAGE;

static const char show_usage[] =
	"usage: flap-recorder show FILE [-e SET] [--last N] [--summary|--files] [--raw-fds]\n"
	"                          [-o text|json]\n"
	"Print a saved dump file, as `dump` prints.\n" VIEW_USAGE;

/* -e trace=SET (or t=SET, or SET): the only qualifier dump and show take. */
static int parse_qualifier(const char *arg, struct view_opts *v)
{
	const char *eq = strchr(arg, '='), *set = arg;
	char err[256];

	if (eq) {
		if (strncmp(arg, "trace=", 6) && strncmp(arg, "t=", 2)) {
			cli_err("-e %.*s: only trace=SET is supported", (int)(eq - arg), arg);
			return CLI_USAGE;
		}
		set = eq + 1;
	}
	if (flap_sysset__parse(&v->filter, set, err, sizeof(err))) {
		cli_err("-e %s: %s", arg, err);
		return CLI_USAGE;
	}
	v->fmt.filter = &v->filter;
	return -1;
}

/* Parses the options dump and show share. Return: -1 to go on, else an exit code. */
static int parse_view(int argc, char **argv, const char *usage, bool is_dump, struct view_opts *v)
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	v->fmt.verbose = cli.verbose;
	while ((c = getopt_long(argc, argv, is_dump ? "n:o:e:cvh" : "o:e:cvh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cli_usage(usage, true);
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
			if (cli_parse_u64(optarg, ~0ULL, &v->fmt.last) || !v->fmt.last) {
				cli_err("--last: '%s' is not a positive number", optarg);
				return CLI_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				cli_err("-o: '%s' is not text or json", optarg);
				return CLI_USAGE;
			}
			v->fmt.json = cli.json = strcmp(optarg, "json") == 0;
			break;
		case 's':
			if (!is_dump)
				return cli_usage(usage, false);
			v->save = optarg;
			break;
		case 'v':
			v->fmt.verbose = true;
			break;
		default:
			return cli_usage(usage, false);
		}
	}
	if (optind != argc - 1)
		return cli_usage(usage, false);
	if (v->summary && v->files) {
		cli_err("--summary and --files: choose one");
		return CLI_USAGE;
	}
	if (v->save && (v->summary || v->files || v->fmt.filter || v->fmt.last)) {
		cli_err("--save writes the whole history: no -e, --last, --summary or --files");
		return CLI_USAGE;
	}
	return -1;
}

static int print(const struct flap_dump_meta *m, struct flap_trace *t, const struct view_opts *v)
{
	int rc;

	if (v->summary)
		rc = flap_format_summary(stdout, t, &v->fmt);
	else if (v->files)
		rc = flap_format_files(stdout, t, &v->fmt);
	else
		rc = flap_format_trace(stdout, m, t, &v->fmt);
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc && rc != -EPIPE) {
		cli_err("cannot write the output: %s", strerror(-rc));
		return CLI_FAIL;
	}
	return CLI_OK;
}

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

	rc = parse_view(argc, argv, dump_usage, true, &v);
	if (rc >= 0)
		return rc;
	target.name = argv[optind];
	target.namespace_ = (char *)(v.ns ? v.ns : "");
	dreq.target = &target;
	req.op_case = FLAP__REQUEST__OP_DUMP;
	req.dump = &dreq;
	rc = cli_call(&req, &resp, 30000, &fd);
	if (rc)
		return rc;
	flap__response__free_unpacked(resp, NULL);
	rc = flap_dump_read(fd, &m, &t, err, sizeof(err));
	close(fd);
	if (rc) {
		cli_err("bad dump stream from the daemon: %s", err);
		return CLI_FAIL;
	}
	if (v.save) {
		rc = flap_dump_save(v.save, &m, t);
		if (rc) {
			cli_err("cannot save %s: %s", v.save, strerror(-rc));
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
	rc = print(&m, t, &v);
	flap_trace__free(t);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	struct view_opts v = {};
	struct flap_trace *t = NULL;
	struct flap_dump_meta m;
	char err[512];
	int rc;

	rc = parse_view(argc, argv, show_usage, false, &v);
	if (rc >= 0)
		return rc;
	rc = flap_dump_load(argv[optind], &m, &t, err, sizeof(err));
	if (rc) {
		cli_err("%s: %s", argv[optind], rc == -EBADMSG ? err : strerror(-rc));
		return CLI_FAIL;
	}
	rc = print(&m, t, &v);
	flap_trace__free(t);
	return rc;
}
