// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bundle.c - add flap-recorder's createRuntime and poststop hooks to an OCI
 * bundle's config.json (json-c), for `flap-runc`; see bundle.h.
 *
 * The document is the engine's, so everything in it is kept: other hooks,
 * key order, numbers as they were written (json-c keeps the text of a
 * parsed double and reads 64-bit integers either side of zero). Only the
 * two hook lists change, and only by an entry appended at their end. The
 * file is replaced by rename, never rewritten in place: the runtime reads
 * either the engine's file or ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "bundle.h"
#include "util.h"

#define DEFAULT_TIMEOUT 5
#define RECORDER_NAME	"flap-recorder"

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Writes one line into @err (if any) and returns @rc. */
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* A member of @obj that is present and not null. */
static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v && !json_object_is_type(v, json_type_null) ? v : NULL;
}

static bool is_string(struct json_object *v)
{
	return v && json_object_is_type(v, json_type_string);
}

/*
 * A hook entry runs flap-recorder's hook: its path or one of its arguments
 * names flap-recorder, and an argument is the word `hook` (ours) or holds
 * it between spaces (the hooks.d files' `sh -c '... flap-recorder hook
 * createRuntime'`).
 */
static bool is_flap_hook(struct json_object *entry)
{
	struct json_object *path, *args, *a;
	bool named = false, hook = false;
	const char *s;
	size_t i, n;

	if (!json_object_is_type(entry, json_type_object))
		return false;
	path = member(entry, "path");
	args = member(entry, "args");
	if (is_string(path) && strstr(json_object_get_string(path), RECORDER_NAME))
		named = true;
	if (!args || !json_object_is_type(args, json_type_array))
		return false;
	n = json_object_array_length(args);
	for (i = 0; i < n; i++) {
		a = json_object_array_get_idx(args, i);
		if (!is_string(a))
			continue;
		s = json_object_get_string(a);
		if (strstr(s, RECORDER_NAME))
			named = true;
		if (!strcmp(s, "hook") || strstr(s, " hook "))
			hook = true;
	}
	return named && hook;
}

/*
 * The list of stage @stage in @hooks: *@list is NULL when absent or null.
 * Return: 0, or -EINVAL when it is there but not an array.
 */
static int stage_list(struct json_object *hooks, const char *stage, struct json_object **list,
		      char *err, size_t errlen)
{
	*list = hooks ? member(hooks, stage) : NULL;
	if (*list && !json_object_is_type(*list, json_type_array))
		return fail(err, errlen, -EINVAL, "config.json: hooks.%s is not an array", stage);
	return 0;
}

/* Whether the list of @stage holds a flap-recorder hook. */
static int stage_has_flap(struct json_object *hooks, const char *stage, bool *has, char *err,
			  size_t errlen)
{
	struct json_object *list;
	size_t i, n;
	int rc;

	rc = stage_list(hooks, stage, &list, err, errlen);
	if (rc || !list)
		return rc;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		if (is_flap_hook(json_object_array_get_idx(list, i)))
			*has = true;
	return 0;
}

static int add_string(struct json_object *arr, const char *s)
{
	struct json_object *v = json_object_new_string(s);

	if (!v)
		return -ENOMEM;
	if (json_object_array_add(arr, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* {"path": recorder, "args": [flap-recorder, --socket S, hook, --docker-root D, STAGE], "timeout":
 * T} */
static struct json_object *new_hook(const struct flap_bundle_hook_opts *o, const char *stage)
{
	struct json_object *h = json_object_new_object(), *args = json_object_new_array();
	int rc = h && args ? 0 : -ENOMEM;

	if (!rc)
		rc = add_string(args, RECORDER_NAME);
	if (!rc && o->socket && *o->socket && !(rc = add_string(args, "--socket")))
		rc = add_string(args, o->socket);
	if (!rc)
		rc = add_string(args, "hook");
	if (!rc && o->docker_root && *o->docker_root && !(rc = add_string(args, "--docker-root")))
		rc = add_string(args, o->docker_root);
	if (!rc)
		rc = add_string(args, stage);
	if (!rc)
		rc = json_object_object_add(h, "path", json_object_new_string(o->recorder));
	if (!rc) {
		rc = json_object_object_add(h, "args", args);
		args = NULL; /* owned by @h now, whatever the result */
	}
	if (!rc)
		rc = json_object_object_add(
			h, "timeout",
			json_object_new_int(o->timeout ? (int)o->timeout : DEFAULT_TIMEOUT));
	json_object_put(args);
	if (rc) {
		json_object_put(h);
		return NULL;
	}
	return h;
}

/* Appends our hook for @stage to @hooks' list of @stage, made if absent. */
static int append_hook(struct json_object *hooks, const struct flap_bundle_hook_opts *o,
		       const char *stage)
{
	struct json_object *list = member(hooks, stage), *h;

	if (!list) {
		list = json_object_new_array();
		if (!list || json_object_object_add(hooks, stage, list)) {
			json_object_put(list);
			return -ENOMEM;
		}
	}
	h = new_hook(o, stage);
	if (!h)
		return -ENOMEM;
	if (json_object_array_add(list, h)) {
		json_object_put(h);
		return -ENOMEM;
	}
	return 0;
}

/* The whole of @len bytes of @json as one object (owned by the caller). */
static int parse_spec(const char *json, size_t len, struct json_object **out, char *err,
		      size_t errlen)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	if (len > FLAP_BUNDLE_CONFIG_MAX)
		return fail(err, errlen, -EFBIG,
			    "config.json: %zu bytes, more than the limit of %d", len,
			    FLAP_BUNDLE_CONFIG_MAX);
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return fail(err, errlen, -EINVAL, "config.json: bad JSON at byte %zu: %s", end,
			    jerr == json_tokener_continue ? "truncated"
							  : json_tokener_error_desc(jerr));
	}
	for (size_t i = end; i < len; i++) {
		if (json[i] != ' ' && json[i] != '\n' && json[i] != '\t' && json[i] != '\r') {
			json_object_put(obj);
			return fail(err, errlen, -EINVAL,
				    "config.json: bad JSON at byte %zu: trailing data", i);
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return fail(err, errlen, -EINVAL, "config.json: not a JSON object");
	}
	*out = obj;
	return 0;
}

/* Adds the missing hooks to @spec. Return: 1 added some, 0 none missing. */
static int add_missing(struct json_object *spec, const struct flap_bundle_hook_opts *o, char *err,
		       size_t errlen)
{
	struct json_object *hooks = member(spec, "hooks");
	bool has_create = false, has_stop = false;
	int rc;

	if (hooks && !json_object_is_type(hooks, json_type_object))
		return fail(err, errlen, -EINVAL, "config.json: hooks is not an object");
	rc = stage_has_flap(hooks, "prestart", &has_create, err, errlen);
	if (!rc)
		rc = stage_has_flap(hooks, "createRuntime", &has_create, err, errlen);
	if (!rc)
		rc = stage_has_flap(hooks, "poststop", &has_stop, err, errlen);
	if (rc)
		return rc;
	if (has_create && has_stop)
		return 0;
	if (!hooks) {
		/* Absent or null: a new object in its place. */
		hooks = json_object_new_object();
		if (!hooks || json_object_object_add(spec, "hooks", hooks)) {
			json_object_put(hooks);
			return -ENOMEM;
		}
	}
	if (!has_create && (rc = append_hook(hooks, o, "createRuntime")))
		return rc;
	if (!has_stop && (rc = append_hook(hooks, o, "poststop")))
		return rc;
	return 1;
}

int flap_bundle__edit_config(const char *json, size_t len, const struct flap_bundle_hook_opts *o,
			     char **out, char *err, size_t errlen)
{
	struct json_object *spec = NULL;
	const char *text;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!o || !o->recorder || o->recorder[0] != '/')
		return fail(err, errlen, -EINVAL, "the hook path must be absolute");
	rc = parse_spec(json, len, &spec, err, errlen);
	if (rc)
		return rc;
	rc = add_missing(spec, o, err, errlen);
	if (rc == 1) {
		text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE);
		*out = text ? strdup(text) : NULL;
		if (!*out)
			rc = -ENOMEM;
	}
	json_object_put(spec);
	return rc;
}

/*
 * Writes @text to a new temp file beside @path with @st's mode and owner,
 * then renames it over @path. No fsync: a bundle does not outlive a host
 * crash (the engine makes it anew), and rename alone is what makes the
 * replacement atomic for the runtime reading it.
 */
static int replace_file(const char *dir, const char *path, const struct stat *st, const char *text,
			char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.config.json.flap-XXXXXX", dir) >= sizeof(tmp))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		return fail(err, errlen, rc, "%s: cannot create a temp file: %s", dir,
			    strerror(-rc));
	}
	if (fchmod(fd, st->st_mode & 07777) < 0 ||
	    ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
	     fchown(fd, st->st_uid, st->st_gid) < 0)) {
		rc = -errno;
		fail(err, errlen, rc, "%s: cannot set mode and owner: %s", tmp, strerror(-rc));
		goto out_unlink;
	}
	rc = flap_fd__write_all(fd, text, strlen(text));
	if (rc) {
		fail(err, errlen, rc, "%s: cannot write: %s", tmp, strerror(-rc));
		goto out_unlink;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = -errno;
		fail(err, errlen, rc, "%s: cannot write: %s", tmp, strerror(-rc));
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		fail(err, errlen, rc, "%s: cannot replace: %s", path, strerror(-rc));
		goto out_unlink;
	}
	return 0;

out_unlink:
	zclose(fd);
	unlink(tmp);
	return rc;
}

int flap_bundle__add_hooks(const char *bundle, const struct flap_bundle_hook_opts *o, char *err,
			   size_t errlen)
{
	char path[PATH_MAX], why[512];
	char *json = NULL, *text = NULL;
	const char *msg;
	struct stat st;
	size_t len = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", bundle);
	if (stat(path, &st) < 0) {
		rc = -errno;
		return fail(err, errlen, rc, "%s: %s", path, strerror(-rc));
	}
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, -EINVAL, "%s: not a regular file", path);
	rc = flap_file__read(path, &json, &len, FLAP_BUNDLE_CONFIG_MAX);
	if (rc)
		return fail(err, errlen, rc, "%s: %s", path,
			    rc == -EFBIG ? "larger than 16 MiB" : strerror(-rc));
	rc = flap_bundle__edit_config(json, len, o, &text, why, sizeof(why));
	free(json);
	if (rc < 0) {
		/* "config.json: why": the path says which file. */
		msg = strncmp(why, "config.json: ", 13) ? why : why + 13;
		return fail(err, errlen, rc, "%s: %s", path, *msg ? msg : strerror(-rc));
	}
	if (rc == 1) {
		rc = replace_file(bundle, path, &st, text, err, errlen);
		rc = rc ? rc : 1;
	}
	free(text);
	return rc;
}
