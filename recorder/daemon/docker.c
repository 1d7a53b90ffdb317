// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * docker.c - a Docker container's name from the engine's record of it,
 * <data-root>/containers/<id>/config.v2.json (json-c); see docker.h. The
 * hook runs this during the container's create: dockerd wrote the file at
 * `docker create`, before it asked containerd to start anything.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "docker.h"
#include "util.h"

#define DOCKER_ID_LEN 64

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?'; /* quoted input, printed as one line */
	return rc;
}

/* 64 lower-case hex digits: also what keeps @id a single path component. */
static bool is_docker_id(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return i == DOCKER_ID_LEN;
}

/* Docker's own rule for names (daemon/names: [a-zA-Z0-9][a-zA-Z0-9_.-]+), after the '/'. */
static bool is_docker_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	      (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

static const char *string_member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Checks the record's ID and Name and copies the name into @name. */
static int take_name(struct json_object *cfg, const char *path, const char *id, char *name,
		     size_t size, char *err, size_t errlen)
{
	const char *cid = string_member(cfg, "ID"), *n = string_member(cfg, "Name");

	if (!cid || strcmp(cid, id))
		return fail(err, errlen, -EINVAL, "%s: its ID is not %.12s", path, id);
	if (!n || n[0] != '/' || !is_docker_name(n + 1))
		return fail(err, errlen, -EINVAL, "%s: no Docker name in \"Name\" (\"%.64s\")",
			    path, n ? n : "");
	if (strlen(n + 1) >= size)
		return fail(err, errlen, -ENAMETOOLONG, "%s: name longer than %zu bytes", path,
			    size - 1);
	snprintf(name, size, "%s", n + 1);
	return 0;
}

int flap_docker__name(const char *root, const char *id, char *name, size_t size, char *err,
		      size_t errlen)
{
	struct json_object *cfg;
	char path[PATH_MAX], *json = NULL;
	size_t len = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!id || !is_docker_id(id) || !root || !*root)
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json", root, id) >=
	    sizeof(path))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", root);
	rc = flap_file__read(path, &json, &len, FLAP_DOCKER_CONFIG_MAX);
	if (rc == -ENOENT || rc == -ENOTDIR)
		return -ENOENT;
	if (rc)
		return fail(err, errlen, rc, "%s: %s", path,
			    rc == -EFBIG ? "larger than 4 MiB" : strerror(-rc));
	cfg = json_tokener_parse(json);
	free(json);
	if (!cfg || !json_object_is_type(cfg, json_type_object)) {
		json_object_put(cfg);
		return fail(err, errlen, -EINVAL, "%s: not a JSON object", path);
	}
	rc = take_name(cfg, path, id, name, size, err, errlen);
	json_object_put(cfg);
	return rc;
}
