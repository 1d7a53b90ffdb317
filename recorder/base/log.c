// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * log.c - the logging sink behind pr_warn/pr_info/pr_debug. One line per
 * message on stderr by default, prefixed with the program name; a daemon or
 * test may install its own backend.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "log.h"

static enum flap_log_level log_level = FLAP_LOG_WARN;
static flap_log_fn log_backend;
static const char *log_prefix = "flap-recorder: ";

void flap_log__set_level(enum flap_log_level level)
{
	log_level = level;
}

enum flap_log_level flap_log__get_level(void)
{
	return log_level;
}

void flap_log__set_backend(flap_log_fn fn)
{
	log_backend = fn;
}

void flap_log__set_prefix(const char *prefix)
{
	log_prefix = prefix ? prefix : "";
}

static void log_stderr(enum flap_log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	(void)level;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	/* One line per message, whatever the caller put at the end. */
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	fprintf(stderr, "%s%s\n", log_prefix, line);
}

void flap_log__print(enum flap_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	if (log_backend)
		log_backend(level, fmt, ap);
	else
		log_stderr(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum flap_log_level ours = level == LIBBPF_WARN	  ? FLAP_LOG_WARN
				   : level == LIBBPF_INFO ? FLAP_LOG_INFO
							  : FLAP_LOG_DEBUG;
	char line[1024];

	/* libbpf's info lines are chatty (feature probes): debug for us. */
	if (ours == FLAP_LOG_INFO)
		ours = FLAP_LOG_DEBUG;
	if (ours > log_level)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	flap_log__print(ours, "libbpf: %s", line);
	return 0;
}

void flap_log__libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
