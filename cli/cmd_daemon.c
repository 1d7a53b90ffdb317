// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd_daemon.c - `flap-recorder daemon`: parse the daemon's options and
 * run it in the foreground until SIGINT/SIGTERM.
 */
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crash.h"
#include "daemon.h"
#include "log.h"
#include "pool.h"

static const char usage_text[] =
	"usage: flap-recorder daemon [options]\n"
	"  --socket PATH          control socket (default " FLAP_DEFAULT_SOCKET ")\n"
	"  --dump-dir DIR         crash dumps (default " FLAP_DEFAULT_DUMP_DIR ")\n"
	"  --ring-pages N         default ring pages per CPU per container (power of two, 16)\n"
	"  --string-size N        default bytes kept of strings (256)\n"
	"  --buffer-size N        default bytes kept of buffers (64, 0 = never)\n"
	"  --exact-durations      every recorder measures every call's duration (without:\n"
	"                         only those added with --exact-durations; the others only\n"
	"                         calls that span a kernel clock tick)\n"
	"  --pool N               keep N recorders with the default options loaded ahead of\n"
	"                         time, refilled as registrations take them, so a\n"
	"                         registration does not wait for the verifier (default 4,\n"
	"                         0 = off, at most 256); as many as the node starts\n"
	"                         containers at once (each ~40 ms of verifier CPU to load)\n"
	"  --retain DURATION      keep an exited container's history (default 1h)\n"
	"  --allow-group GROUP    let members of GROUP use the socket (default: root only)\n"
	"  --on-exit MODE         crash dumps on: nonzero (fatal signal or main process\n"
	"                         exit != 0, default), signal, never\n"
	"  --crash-signals LIST   fatal signals that are crashes (default\n"
	"                         SEGV,BUS,ILL,FPE,ABRT,SYS,TRAP)\n"
	"  --max-dumps N          keep at most N dump files, oldest deleted first\n"
	"  --max-dump-bytes N     keep at most N bytes of dump files\n"
	"  --crash-burst N        crash dumps per recorder per minute (default 5)\n"
	"  --max-clients N        control connections open at once (default 64); more are\n"
	"                         closed at once: fds stay for crash dumps\n"
	"  --client-timeout DURATION  close a connection whose request has not come\n"
	"                         (default 10s)\n"
	"  --persist              keep recording while the daemon is down: pin programs\n"
	"                         and maps, keep the rings in a keeper process, adopt\n"
	"                         them at start; SIGTERM leaves them recording\n"
	"  --pin-dir DIR          bpffs directory for --persist (default " FLAP_DEFAULT_PIN_DIR
	")\n"
	"  --unpin                tear down what --persist left (daemon stopped) and exit\n"
	"  -v, --verbose          log more\n";

enum {
	OPT_DUMP_DIR = 2000,
	OPT_RETAIN,
	OPT_ALLOW_GROUP,
	OPT_ON_EXIT,
	OPT_SIGNALS,
	OPT_MAX_DUMPS,
	OPT_MAX_BYTES,
	OPT_BURST,
	OPT_RING,
	OPT_STR,
	OPT_BUF,
	OPT_EXACT_DUR,
	OPT_PERSIST,
	OPT_PIN_DIR,
	OPT_UNPIN,
	OPT_MAX_CLIENTS,
	OPT_CLIENT_TIMEOUT,
	OPT_POOL,
};

static int parse_opt(int c, const char *arg, struct flap_daemon_opts *o)
{
	struct group *g;
	__u64 v;

	switch (c) {
	case 's':
		o->socket_path = arg;
		cli.socket = arg;
		return 0;
	case OPT_DUMP_DIR:
		o->dump_dir = arg;
		return 0;
	case OPT_RETAIN:
		if (cli__parse_duration(arg, &o->retain_ns) || !o->retain_ns) {
			cli__err("--retain: '%s' is not a duration (30s, 10m, 1h, 2d)", arg);
			return -1;
		}
		return 0;
	case OPT_ALLOW_GROUP:
		g = getgrnam(arg);
		if (!g && cli__parse_u64(arg, 0xffffffffULL, &v) == 0) {
			o->allow_gid = v;
		} else if (g) {
			o->allow_gid = g->gr_gid;
		} else {
			cli__err("--allow-group: no group '%s'", arg);
			return -1;
		}
		o->allow_group = true;
		return 0;
	case OPT_ON_EXIT:
		if (strcmp(arg, "nonzero") == 0)
			o->on_exit = FLAP_ON_EXIT_NONZERO;
		else if (strcmp(arg, "signal") == 0)
			o->on_exit = FLAP_ON_EXIT_SIGNAL;
		else if (strcmp(arg, "never") == 0)
			o->on_exit = FLAP_ON_EXIT_NEVER;
		else {
			cli__err("--on-exit: '%s' is not nonzero, signal or never", arg);
			return -1;
		}
		return 0;
	case OPT_SIGNALS:
		if (flap_crash__parse_signals(arg, &o->crash_signals)) {
			cli__err("--crash-signals: '%s' is not a list of signals (SEGV,ABRT,9)",
				 arg);
			return -1;
		}
		return 0;
	case OPT_POOL:
		if (cli__parse_u64(arg, FLAP_POOL_MAX, &v)) {
			cli__err("--pool: '%s' is not a number from 0 to %d", arg, FLAP_POOL_MAX);
			return -1;
		}
		o->pool = (int)v;
		return 0;
	case OPT_MAX_DUMPS:
	case OPT_MAX_BYTES:
	case OPT_BURST:
	case OPT_RING:
	case OPT_STR:
	case OPT_BUF:
		if (cli__parse_u64(arg, c == OPT_MAX_BYTES ? ~0ULL : 0xffffffffULL, &v)) {
			cli__err("'%s' is not a number", arg);
			return -1;
		}
		if (c == OPT_MAX_DUMPS)
			o->max_dumps = v;
		else if (c == OPT_MAX_BYTES)
			o->max_dump_bytes = v;
		else if (c == OPT_BURST)
			o->crash_burst = v ? v : 1;
		else if (c == OPT_RING && (v < 2 || (v & (v - 1)) || v > 4096)) {
			cli__err("--ring-pages: %s is not a power of two from 2 to 4096", arg);
			return -1;
		} else if (c == OPT_RING)
			o->ring_pages = v;
		else if ((c == OPT_STR && (v < 1 || v > 1024)) || (c == OPT_BUF && v > 1024)) {
			cli__err("string size is 1..1024, buffer size 0..1024");
			return -1;
		} else if (c == OPT_STR)
			o->str_max = v;
		else
			o->buf_max = v;
		return 0;
	case OPT_EXACT_DUR:
		o->exact_durations = true;
		return 0;
	case OPT_MAX_CLIENTS:
		if (cli__parse_u64(arg, 65536, &v) || !v) {
			cli__err("--max-clients: '%s' is not a number from 1 to 65536", arg);
			return -1;
		}
		o->max_clients = v;
		return 0;
	case OPT_CLIENT_TIMEOUT:
		if (cli__parse_duration(arg, &o->client_timeout_ns) || !o->client_timeout_ns) {
			cli__err("--client-timeout: '%s' is not a duration (500ms, 10s, 1m)", arg);
			return -1;
		}
		return 0;
	case OPT_PERSIST:
		o->persist = true;
		return 0;
	case OPT_PIN_DIR:
		o->pin_dir = arg;
		return 0;
	case 'v':
		cli.verbose = true;
		return 0;
	}
	return 1;
}

int cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"dump-dir", required_argument, NULL, OPT_DUMP_DIR},
		{"retain", required_argument, NULL, OPT_RETAIN},
		{"allow-group", required_argument, NULL, OPT_ALLOW_GROUP},
		{"on-exit", required_argument, NULL, OPT_ON_EXIT},
		{"crash-signals", required_argument, NULL, OPT_SIGNALS},
		{"max-dumps", required_argument, NULL, OPT_MAX_DUMPS},
		{"max-dump-bytes", required_argument, NULL, OPT_MAX_BYTES},
		{"crash-burst", required_argument, NULL, OPT_BURST},
		{"ring-pages", required_argument, NULL, OPT_RING},
		{"string-size", required_argument, NULL, OPT_STR},
		{"buffer-size", required_argument, NULL, OPT_BUF},
		{"exact-durations", no_argument, NULL, OPT_EXACT_DUR},
		{"persist", no_argument, NULL, OPT_PERSIST},
		{"pin-dir", required_argument, NULL, OPT_PIN_DIR},
		{"unpin", no_argument, NULL, OPT_UNPIN},
		{"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
		{"client-timeout", required_argument, NULL, OPT_CLIENT_TIMEOUT},
		{"pool", required_argument, NULL, OPT_POOL},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct flap_daemon_opts o = {
		.socket_path = cli.socket, .buf_max = -1, .pool = FLAP_DAEMON_POOL_DEFAULT};
	bool unpin = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		if (c == 'h')
			return cli__usage(usage_text, true);
		if (c == OPT_UNPIN) {
			unpin = true;
			continue;
		}
		rc = parse_opt(c, optarg, &o);
		if (rc < 0)
			return CLI_USAGE;
		if (rc > 0)
			return cli__usage(usage_text, false);
	}
	if (optind < argc)
		return cli__usage(usage_text, false);
	if (cli.verbose)
		flap_log__set_level(FLAP_LOG_DEBUG);
	else
		flap_log__set_level(FLAP_LOG_INFO);
	if (unpin)
		return flap_daemon__unpin(&o) ? CLI_FAIL : CLI_OK;
	rc = flap_daemon__run(&o);
	return rc ? CLI_FAIL : CLI_OK;
}
