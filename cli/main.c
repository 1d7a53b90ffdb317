// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c - `flap-recorder`: global flags and the command table. main()
 * only parses and dispatches; each subcommand lives in cmd_<name>.c.
 * Exit codes: 0 ok, 1 failure, 2 usage (and "daemon not running").
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "client.h"
#include "daemon.h"
#include "log.h"
#include "version.h"

struct cli cli = {.socket = FLAP_DEFAULT_SOCKET};

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{"daemon", cmd_daemon, "run the recorder daemon"},
	{"add", cmd_add, "record a cgroup (--pid or --cgroup)"},
	{"remove", cmd_remove, "stop recording a target"},
	{"list", cmd_list, "list recorders"},
	{"dump", cmd_dump, "print the recent syscalls of a pod, container or recorder"},
	{"show", cmd_show, "print a saved dump file"},
	{"run", cmd_run, "run a command in a new cgroup, recorded from its first instruction"},
	{"status", cmd_status, "daemon status"},
	{"dumps", cmd_dumps, "list crash dumps"},
	{"hook", cmd_hook, "OCI hook: prestart|createRuntime|poststop (state JSON on stdin)"},
};

void cli__err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli.json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "error", json_object_new_string(msg));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	fprintf(stderr, "flap-recorder: %s%s%s\n", cli.cmd ? cli.cmd : "", cli.cmd ? ": " : "",
		msg);
}

int cli__usage(const char *usage, bool to_stdout)
{
	fputs(usage, to_stdout ? stdout : stderr);
	return to_stdout ? CLI_OK : CLI_USAGE;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: flap-recorder [--socket PATH] [-v] COMMAND [ARGS]\n\n"
		     "A flight recorder for the system calls of containers.\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out,
		"\n  --socket PATH   daemon socket (default %s, or $FLAP_SOCKET)\n"
		"  -v, --verbose   more output (libbpf debug for the daemon)\n"
		"  --version       print the version\n\n"
		"`flap-recorder COMMAND --help` describes a command.\n",
		FLAP_DEFAULT_SOCKET);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *env = getenv("FLAP_SOCKET"), *base;
	size_t i;
	int c;

	/* The runc wrapper, installed as flap-runc (or as runc, ahead of the
	 * real one in $PATH): runc's command line, not ours (cmd_runc.c). */
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "flap-runc") || !strcmp(base, "runc"))
		return cmd_runc(argc, argv);
	if (env && *env)
		cli.socket = env;
	while ((c = getopt_long(argc, argv, "+s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.socket = optarg;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'V':
			printf("flap-recorder %s\n", FLAP_VERSION);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	flap_log__set_level(cli.verbose ? FLAP_LOG_DEBUG : FLAP_LOG_WARN);
	flap_log__libbpf();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name) != 0)
			continue;
		cli.cmd = cmds[i].name;
		argc -= optind;
		argv += optind;
		optind = 0; /* restart getopt for the command's own options */
		return cmds[i].fn(argc, argv);
	}
	fprintf(stderr, "flap-recorder: unknown command '%s' (see flap-recorder --help)\n",
		argv[optind]);
	return CLI_USAGE;
}
