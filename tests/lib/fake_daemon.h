/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fake_daemon.h - a stand-in for recorder/daemon/state.c and the recorder
 * calls of recorder/kernel/ (lifetime.c, snapshot.c), so that the control
 * protocol (recorder/daemon/ctl_handlers.c, flap_ctl__answer()) can be
 * driven without BPF, root or a libuv loop: by the unit tests
 * (tests/unit/test_ctl.c) and the fuzzer (tests/fuzz/fuzz_ctl.c). It
 * defines the daemon entry API of daemon.h over a plain list of entries,
 * so a binary that links it must not link state.o or lifetime.o (a static
 * libflap.a pulls neither in when nothing else needs them).
 *
 * A read returns FAKE_EVENTS_PER_ENTRY synthetic events per entry (an
 * openat with a path capture, a write with a buffer capture, a getppid).
 */
#ifndef FLAP_TEST_FAKE_DAEMON_H
#define FLAP_TEST_FAKE_DAEMON_H

#include <linux/types.h>

#include "daemon.h"

#define FAKE_EVENTS_PER_ENTRY 3
#define FAKE_MAX_ENTRIES      2048

/**
 * fake_daemon__new() - an empty fake daemon whose dumps live in @dump_dir
 * (borrowed; may be NULL). Return: the daemon (free with
 * fake_daemon__free()) or NULL.
 */
struct flap_daemon *fake_daemon__new(const char *dump_dir);
void fake_daemon__free(struct flap_daemon *d);

/**
 * fake_daemon__add_entry() - a running entry with these names (NULL: "")
 * and cgroup id. Return: the entry (owned by @d) or NULL.
 */
struct flap_entry *fake_daemon__add_entry(struct flap_daemon *d, const char *name, const char *pod,
					  const char *ns, const char *container,
					  const char *container_id, __u64 cgroup_id);

/* The daemon's options, for a test to set its defaults (--exact-durations...). */
struct flap_daemon_opts *fake_daemon__opts(struct flap_daemon *d);

/* Entries in @d, and how often the ctl layer called remove/read. */
int fake_daemon__count(struct flap_daemon *d);
int fake_daemon__reads(struct flap_daemon *d);
int fake_daemon__removes(struct flap_daemon *d);

/**
 * fake_daemon__populate() - the standard cast of the fuzzer and the unit
 * tests: pod prod/shop (containers web and db), pod dev/shop (container
 * web: the pod name is ambiguous without a namespace), and a plain
 * recorder "solo" with cgroup id 4242. Return: 0 or -ENOMEM.
 */
int fake_daemon__populate(struct flap_daemon *d);

#endif /* FLAP_TEST_FAKE_DAEMON_H */
