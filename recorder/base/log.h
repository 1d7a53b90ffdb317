/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - the one logging sink. pr_warn/pr_info/pr_debug go through
 * flap_log__print(), whose backend and level the program chooses (stderr for the
 * CLI and the daemon by default). libbpf's messages are forwarded into it;
 * its debug output appears only at FLAP_LOG_DEBUG (-v).
 */
#ifndef FLAP_LOG_H
#define FLAP_LOG_H

#include <stdarg.h>

enum flap_log_level {
	FLAP_LOG_WARN = 0,
	FLAP_LOG_INFO = 1,
	FLAP_LOG_DEBUG = 2,
};

typedef void (*flap_log_fn)(enum flap_log_level level, const char *fmt, va_list ap);

/**
 * flap_log__set_level() - messages above @level are dropped.
 * Context: any; call before threads start.
 */
void flap_log__set_level(enum flap_log_level level);
enum flap_log_level flap_log__get_level(void);

/**
 * flap_log__set_backend() - replace the sink (NULL restores stderr) and set
 * the prefix each stderr line starts with ("flap-recorder: ").
 */
void flap_log__set_backend(flap_log_fn fn);
void flap_log__set_prefix(const char *prefix);

/**
 * flap_log__libbpf() - forward libbpf's print callback into flap_log__print().
 */
void flap_log__libbpf(void);

void flap_log__print(enum flap_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(fmt, ...)  flap_log__print(FLAP_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)  flap_log__print(FLAP_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) flap_log__print(FLAP_LOG_DEBUG, fmt, ##__VA_ARGS__)

#endif /* FLAP_LOG_H */
