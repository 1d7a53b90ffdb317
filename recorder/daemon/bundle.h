/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bundle.h - add flap-recorder's OCI hooks (createRuntime: register,
 * poststop: stopped) to an OCI bundle's config.json, as `flap-runc` does
 * before it hands `create`/`run` to the real runc. The edit keeps every
 * hook already there, never adds ours twice, and replaces the file
 * atomically (temp file + rename), so the runtime reads the old file or
 * the new one, never half of one.
 */
#ifndef FLAP_BUNDLE_H
#define FLAP_BUNDLE_H

#include <stddef.h>

/* A config.json larger than this is refused (no allocation sized by input). */
#define FLAP_BUNDLE_CONFIG_MAX (16 * 1024 * 1024)

struct flap_bundle_hook_opts {
	/* Absolute path of the flap-recorder binary the runtime runs. */
	const char *recorder;
	/* `--socket` for the hook; NULL: the hook's default. */
	const char *socket;
	/* `hook --docker-root` (Docker's data root); NULL: the hook's default. */
	const char *docker_root;
	/* The runtime's timeout for each hook, in seconds; 0: 5. */
	unsigned int timeout;
};

/**
 * flap_bundle__edit_config() - add our hooks to the config.json text @json
 * (@len bytes, need not be NUL-terminated).
 * @out: on 1, the new document (NUL-terminated, owned by the caller, free()).
 * @err: one line, "config.json: <what is wrong>", on failure; may be NULL.
 *
 * A createRuntime hook is added unless a flap-recorder hook already runs at
 * prestart or createRuntime, a poststop hook unless one already runs at
 * poststop; hooks of other programs are kept, in their order, ours after
 * them. "A flap-recorder hook" is an entry whose path or arguments name
 * flap-recorder and whose arguments say `hook`: ours, or the hooks.d
 * files' `/bin/sh -c '... flap-recorder hook ...'`.
 *
 * Context: any thread; no global state.
 * Return: 1 edited (*@out set); 0 both hooks were there already (*@out
 * NULL); -EINVAL for malformed JSON or a document that is not a spec
 * (not an object, `hooks` not an object, a stage not an array); -EFBIG
 * over FLAP_BUNDLE_CONFIG_MAX; -ENOMEM.
 */
int flap_bundle__edit_config(const char *json, size_t len, const struct flap_bundle_hook_opts *o,
			     char **out, char *err, size_t errlen);

/**
 * flap_bundle__add_hooks() - flap_bundle__edit_config() on
 * <@bundle>/config.json, written back through a temp file in @bundle
 * (same mode and owner) renamed over it. Nothing is written when the hooks
 * are there already.
 * @err: one line naming the file and what failed; may be NULL.
 *
 * Context: any thread.
 * Return: 1 edited, 0 already there, negative errno (the file is then
 * unchanged and no temp file is left).
 */
int flap_bundle__add_hooks(const char *bundle, const struct flap_bundle_hook_opts *o, char *err,
			   size_t errlen);

#endif /* FLAP_BUNDLE_H */
