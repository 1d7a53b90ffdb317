/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * oci.h - the OCI runtime state a hook receives on stdin (runtime-spec
 * state.json: ociVersion, id, status, pid, bundle, annotations), parsed
 * with json-c, and what flap-recorder takes from it: the container's main
 * pid, and pod, namespace, pod uid and container name from the
 * annotations CRI-O, containerd and podman set, plus our own
 * flap-recorder.io/ annotations (opt-out, ring and capture sizes, the
 * in-kernel syscall filter, exact durations).
 */
#ifndef FLAP_OCI_H
#define FLAP_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* State JSON larger than this is refused (no allocation sized by input). */
#define FLAP_OCI_STATE_MAX (1024 * 1024)
/* Longest flap-recorder.io/syscalls value, with its NUL (= FLAP_FILTER_EXPR_MAX). */
#define FLAP_OCI_SYSCALLS_MAX 512

struct flap_oci_state {
	char id[256];	 /* container id */
	char status[32]; /* creating, created, running, stopped */
	int pid;	 /* 0 when absent (poststop) */
	char bundle[4096];
	char pod[256]; /* empty when not a Kubernetes/podman pod */
	char ns[256];
	char pod_uid[128];
	char container[256];
	bool sandbox;	  /* a pause/sandbox container: not recorded */
	bool record;	  /* false: flap-recorder.io/record: "false" */
	__u32 ring_pages; /* flap-recorder.io/ring-pages, 0 = default */
	__u32 str_max;	  /* flap-recorder.io/string-size, 0 = default */
	__s32 buf_max;	  /* flap-recorder.io/buffer-size, -1 = default, 0 = off */
	/* flap-recorder.io/syscalls: in-kernel filter (sysset.h syntax), "" = all */
	char syscalls[FLAP_OCI_SYSCALLS_MAX];
	/* flap-recorder.io/exact-durations: "true" = every call's duration
	 * measured; false = the daemon default */
	bool exact_durations;
};

/**
 * flap_oci__parse_state() - parse a state JSON document of @len bytes.
 * @json: the bytes the runtime wrote on the hook's stdin; need not be
 *        NUL-terminated. Trailing white space is allowed, nothing else.
 * @st:   filled on success; zeroed (record false) on failure.
 * @err:  one line, "oci state: <what is wrong>", on failure; may be NULL.
 *
 * @st->pid is 0 when the state has none (poststop). Pod, namespace, pod uid
 * and container come from the CRI-O/kubelet annotations
 * (io.kubernetes.pod.name, ...) or else containerd's
 * (io.kubernetes.cri.sandbox-name, ...); the container name falls back to
 * the first 12 characters of the id. @st->sandbox is set for
 * io.kubernetes.cri-o.ContainerType or io.kubernetes.cri.container-type
 * "sandbox". flap-recorder.io/record ("true"/"false"), ring-pages (a power
 * of two, 1..4096), string-size (1..1024), buffer-size (0..1024), syscalls
 * (a set as `add --syscalls` takes it: "%file,%net", "!futex") and
 * exact-durations ("true"/"false") fill @st->record, ring_pages, str_max,
 * buf_max, syscalls and exact_durations; other values and unknown
 * flap-recorder.io/ keys are refused. A JSON null counts as absent.
 *
 * Context: any thread; no global state.
 * Return: 0; -EINVAL for malformed JSON, wrong types, a missing or empty
 * id, a string too long for its field (never truncated), a bad
 * flap-recorder.io/ annotation; -EFBIG over FLAP_OCI_STATE_MAX; -ENOMEM.
 */
int flap_oci__parse_state(const char *json, size_t len, struct flap_oci_state *st, char *err,
			  size_t errlen);

#endif /* FLAP_OCI_H */
