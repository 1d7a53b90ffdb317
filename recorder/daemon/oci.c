// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * oci.c - parse the OCI runtime state JSON an OCI hook gets on stdin
 * (runtime-spec state: ociVersion, id, status, pid, bundle, annotations)
 * with json-c, and derive what the recorder needs from it: the container's
 * main pid, the pod, namespace, pod uid and container name from the
 * annotations CRI-O (kubelet labels), containerd's CRI plugin and podman
 * set, whether it is a pod sandbox (pause) container, and our own
 * flap-recorder.io/ annotations (opt-out, sizes, in-kernel syscall filter,
 * exact durations).
 *
 * The input comes from a container runtime, but the annotations in it come
 * from whoever wrote the pod spec, so nothing is trusted: the size is
 * capped before parsing, the parser is strict (UTF-8 checked, bounded
 * nesting, no trailing data), every field is type-checked, and a string
 * that does not fit its field is refused rather than cut, so two long ids
 * can never collapse into one. Every refusal is one line in @err.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json_object.h>
#include <json-c/json_object_iterator.h>
#include <json-c/json_tokener.h>

#include <linux/types.h>

#include "flap.h"
#include "oci.h"
#include "registry.h"
#include "sysset.h"

_Static_assert(FLAP_OCI_SYSCALLS_MAX == FLAP_FILTER_EXPR_MAX, "a recorder keeps the whole set");

/* Annotations that name the pod and the container, first match wins. */
#define ANN_POD_NAME	 "io.kubernetes.pod.name"
#define ANN_POD_NS	 "io.kubernetes.pod.namespace"
#define ANN_POD_UID	 "io.kubernetes.pod.uid"
#define ANN_CTR_NAME	 "io.kubernetes.container.name"
#define ANN_CRIO_TYPE	 "io.kubernetes.cri-o.ContainerType"
#define ANN_CRI_POD_NAME "io.kubernetes.cri.sandbox-name"
#define ANN_CRI_POD_NS	 "io.kubernetes.cri.sandbox-namespace"
#define ANN_CRI_POD_UID	 "io.kubernetes.cri.sandbox-uid"
#define ANN_CRI_CTR_NAME "io.kubernetes.cri.container-name"
#define ANN_CRI_TYPE	 "io.kubernetes.cri.container-type"
#define ANN_TYPE_SANDBOX "sandbox"
#define ANN_FLAP_PREFIX	 "flap-recorder.io/"
#define ANN_FLAP_RECORD	 ANN_FLAP_PREFIX "record"
#define ANN_FLAP_RING	 ANN_FLAP_PREFIX "ring-pages"
#define ANN_FLAP_STR	 ANN_FLAP_PREFIX "string-size"
#define ANN_FLAP_BUF	 ANN_FLAP_PREFIX "buffer-size"
#define ANN_FLAP_CALLS	 ANN_FLAP_PREFIX "syscalls"
#define ANN_FLAP_EXACT	 ANN_FLAP_PREFIX "exact-durations"
/* The short form of a container id, as podman and docker print it. */
#define SHORT_ID_LEN 12
/* How much of an input key or value an error message quotes. */
#define QUOTE_MAX 64

struct parse_ctx {
	char *err;
	size_t errlen;
};

static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Writes "oci state: <message>" into the caller's buffer and returns
 * -EINVAL. The message can quote input, so anything that is not printable
 * ASCII is replaced: the caller prints it as one line of a log.
 */
static int fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -EINVAL;
	n = snprintf(c->err, c->errlen, "oci state: ");
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	for (char *p = c->err; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	}
	return -EINVAL;
}

/* Copies at most QUOTE_MAX bytes of @s for quoting in a message ("..." when cut). */
static const char *quote(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	if (len <= QUOTE_MAX || size < QUOTE_MAX + 4)
		snprintf(buf, size, "%s", s);
	else
		snprintf(buf, size, "%.*s...", QUOTE_MAX, s);
	return buf;
}

/* "pid is a string, want an integer": the article and name of a JSON type. */
static const char *type_desc(const struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a non-integer number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "of an unknown type";
}

/* A member of @obj that is present and not null. */
static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v && !json_object_is_type(v, json_type_null) ? v : NULL;
}

/*
 * Length of the UTF-8 sequence at @s (at most @len bytes), 0 when it is not
 * one (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
 * json-c's own check lets overlong forms through, and these strings end up
 * in protobuf string fields, which other readers require to be UTF-8.
 */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	__u32 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Checks that string @v fits @size bytes with its NUL, is UTF-8 and holds
 * no NUL byte or control character (it ends up in file names, logs and
 * dumps),
 * then copies it into @dst. @what names the field in the message.
 */
static int copy_string(struct parse_ctx *c, const char *what, struct json_object *v, char *dst,
		       size_t size)
{
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return fail(c, "%s is %s, want a string", what, type_desc(v));
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len >= size)
		return fail(c, "%s is %zu bytes long, longer than the limit of %zu", what, len,
			    size - 1);
	if (memchr(s, '\0', len))
		return fail(c, "%s contains a NUL byte", what);
	for (size_t i = 0, n; i < len; i += n) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(c, "%s contains a control character at byte %zu", what, i);
		n = utf8_seq((const unsigned char *)s + i, len - i);
		if (!n)
			return fail(c, "%s is not valid UTF-8 at byte %zu", what, i);
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* Parses the whole of @len bytes of @json into an object (owned by the caller). */
static int tokenize(struct parse_ctx *c, const char *json, size_t len, struct json_object **out)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *obj;
	size_t end;

	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);

	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		return fail(c, "truncated JSON: the input ends at byte %zu", len);
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return fail(c, "bad JSON at byte %zu: %s", end, json_tokener_error_desc(jerr));
	}
	/* A complete value followed by more than white space (a NUL, a second object). */
	for (size_t i = end; i < len; i++) {
		if (!isspace((unsigned char)json[i])) {
			json_object_put(obj);
			return fail(c, "bad JSON at byte %zu: trailing data after the state", i);
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		int rc = fail(c, "the state is %s, want an object", type_desc(obj));

		json_object_put(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

static int parse_pid(struct parse_ctx *c, struct json_object *v, int *pid)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return fail(c, "pid is %s, want an integer", type_desc(v));
	/* json-c clamps what does not fit 64 bits to INT64_MIN/MAX: still out of range. */
	n = json_object_get_int64(v);
	if (n == INT64_MIN || n == INT64_MAX)
		return fail(c, "pid is out of range (0 to %d)", INT_MAX);
	if (n < 0 || n > INT_MAX)
		return fail(c, "pid %lld is out of range (0 to %d)", (long long)n, INT_MAX);
	*pid = (int)n;
	return 0;
}

/* The top-level fields; unknown ones are allowed ("MAY include additional properties"). */
static int parse_fields(struct parse_ctx *c, struct json_object *obj, struct flap_oci_state *st)
{
	char version[64];
	struct json_object *v;
	int rc;

	v = member(obj, "id");
	if (!v)
		return fail(c, "no container id");
	rc = copy_string(c, "id", v, st->id, sizeof(st->id));
	if (rc)
		return rc;
	if (!st->id[0])
		return fail(c, "the container id is empty");

	v = member(obj, "ociVersion");
	if (v && (rc = copy_string(c, "ociVersion", v, version, sizeof(version))))
		return rc;
	v = member(obj, "status");
	if (v && (rc = copy_string(c, "status", v, st->status, sizeof(st->status))))
		return rc;
	v = member(obj, "bundle");
	if (v && (rc = copy_string(c, "bundle", v, st->bundle, sizeof(st->bundle))))
		return rc;
	/* Absent after the container stopped (poststop): 0. */
	v = member(obj, "pid");
	if (v && (rc = parse_pid(c, v, &st->pid)))
		return rc;
	return 0;
}

/* An annotation's value, or NULL when it is absent or empty. */
static const char *ann_get(struct json_object *ann, const char *key)
{
	struct json_object *v = ann ? member(ann, key) : NULL;
	const char *s = v ? json_object_get_string(v) : NULL;

	return s && *s ? s : NULL;
}

/* Copies the first of the annotations @key1, @key2 present into @dst. */
static int ann_copy(struct parse_ctx *c, struct json_object *ann, const char *key1,
		    const char *key2, char *dst, size_t size)
{
	const char *key = ann_get(ann, key1) ? key1 : key2;
	struct json_object *v = ann_get(ann, key) ? member(ann, key) : NULL;
	char what[128];

	if (!v)
		return 0;
	snprintf(what, sizeof(what), "annotation %s", key);
	return copy_string(c, what, v, dst, size);
}

/* A decimal number from @min to @max, digits only; -1 when @s is anything else. */
static long parse_number(const char *s, long min, long max)
{
	long n;

	if (!*s || strlen(s) > 9)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
	}
	n = strtol(s, NULL, 10);
	return n < min || n > max ? -1 : n;
}

/*
 * flap-recorder.io/syscalls: the in-kernel filter, in the syntax of `add
 * --syscalls` (strace's -e trace=). Checked here, so a bad set is one line
 * from the hook rather than an error from the daemon.
 */
static int parse_syscalls(struct parse_ctx *c, struct json_object *ann, struct flap_oci_state *st)
{
	char q[QUOTE_MAX + 4], why[256];
	struct flap_sysset set;
	const char *s;
	int rc;

	s = ann_get(ann, ANN_FLAP_CALLS);
	if (!s)
		return 0;
	rc = copy_string(c, "annotation " ANN_FLAP_CALLS, member(ann, ANN_FLAP_CALLS), st->syscalls,
			 sizeof(st->syscalls));
	if (rc)
		return rc;
	if (flap_sysset__parse(&set, st->syscalls, why, sizeof(why)))
		return fail(c, "annotation %s is \"%s\": %s", ANN_FLAP_CALLS,
			    quote(s, q, sizeof(q)), why);
	return 0;
}

/*
 * A "true"/"false" annotation @key (either case) into *@out; absent leaves
 * it as it is. Anything else is refused.
 */
static int parse_bool(struct parse_ctx *c, struct json_object *ann, const char *key, bool *out)
{
	const char *s = ann_get(ann, key);
	char q[QUOTE_MAX + 4];

	if (!s)
		return 0;
	if (!strcasecmp(s, "true"))
		*out = true;
	else if (!strcasecmp(s, "false"))
		*out = false;
	else
		return fail(c, "annotation %s is \"%s\", want \"true\" or \"false\"", key,
			    quote(s, q, sizeof(q)));
	return 0;
}

/* Our own annotations: opt-out and per-container sizes. Bad values are refused. */
static int parse_overrides(struct parse_ctx *c, struct json_object *ann, struct flap_oci_state *st)
{
	char q[QUOTE_MAX + 4];
	const char *s;
	long n;
	int rc;

	rc = parse_bool(c, ann, ANN_FLAP_RECORD, &st->record);
	if (!rc)
		rc = parse_bool(c, ann, ANN_FLAP_EXACT, &st->exact_durations);
	if (rc)
		return rc;

	s = ann_get(ann, ANN_FLAP_RING);
	if (s) {
		n = parse_number(s, FLAP_RING_PAGES_MIN, FLAP_RING_PAGES_MAX);
		if (n < 0 || (n & (n - 1)))
			return fail(c, "annotation %s is \"%s\", want a power of two from %d to %d",
				    ANN_FLAP_RING, quote(s, q, sizeof(q)), FLAP_RING_PAGES_MIN,
				    FLAP_RING_PAGES_MAX);
		st->ring_pages = (__u32)n;
	}
	s = ann_get(ann, ANN_FLAP_STR);
	if (s) {
		n = parse_number(s, 1, FLAP_STR_MAX);
		if (n < 0)
			return fail(c, "annotation %s is \"%s\", want a number from 1 to %d",
				    ANN_FLAP_STR, quote(s, q, sizeof(q)), FLAP_STR_MAX);
		st->str_max = (__u32)n;
	}
	s = ann_get(ann, ANN_FLAP_BUF);
	if (s) {
		n = parse_number(s, 0, FLAP_BUF_MAX);
		if (n < 0)
			return fail(c,
				    "annotation %s is \"%s\", want a number from 0 to %d (0: "
				    "never copy buffers)",
				    ANN_FLAP_BUF, quote(s, q, sizeof(q)), FLAP_BUF_MAX);
		st->buf_max = (__s32)n;
	}
	return parse_syscalls(c, ann, st);
}

/*
 * Every flap-recorder.io/ key must be one we know, with a value: a
 * misspelt key would otherwise be ignored, and buffer-size: "0" is what
 * keeps secrets out of the rings.
 */
static int check_flap_keys(struct parse_ctx *c, struct json_object *ann)
{
	struct json_object_iterator it, end = json_object_iter_end(ann);
	char kq[QUOTE_MAX + 4];
	const char *key;

	for (it = json_object_iter_begin(ann); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (strncmp(key, ANN_FLAP_PREFIX, strlen(ANN_FLAP_PREFIX)))
			continue;
		if (strcmp(key, ANN_FLAP_RECORD) && strcmp(key, ANN_FLAP_RING) &&
		    strcmp(key, ANN_FLAP_STR) && strcmp(key, ANN_FLAP_BUF) &&
		    strcmp(key, ANN_FLAP_CALLS) && strcmp(key, ANN_FLAP_EXACT))
			return fail(c,
				    "unknown annotation %s (known: record, ring-pages, "
				    "string-size, buffer-size, syscalls, exact-durations)",
				    quote(key, kq, sizeof(kq)));
		/* Present but empty: someone meant to set it. */
		if (!*json_object_get_string(json_object_iter_peek_value(&it)))
			return fail(c, "annotation %s is empty", key);
	}
	return 0;
}

/* Pod, namespace, uid and container name: CRI-O/kubelet keys first, then containerd's. */
static int parse_names(struct parse_ctx *c, struct json_object *ann, struct flap_oci_state *st)
{
	const char *crio_type = ann_get(ann, ANN_CRIO_TYPE);
	const char *cri_type = ann_get(ann, ANN_CRI_TYPE);
	int rc;

	rc = ann_copy(c, ann, ANN_POD_NAME, ANN_CRI_POD_NAME, st->pod, sizeof(st->pod));
	if (!rc)
		rc = ann_copy(c, ann, ANN_POD_NS, ANN_CRI_POD_NS, st->ns, sizeof(st->ns));
	if (!rc)
		rc = ann_copy(c, ann, ANN_POD_UID, ANN_CRI_POD_UID, st->pod_uid,
			      sizeof(st->pod_uid));
	if (!rc)
		rc = ann_copy(c, ann, ANN_CTR_NAME, ANN_CRI_CTR_NAME, st->container,
			      sizeof(st->container));
	if (rc)
		return rc;
	/* podman and plain runc name nothing: the short id, as `podman ps` shows it. */
	if (!st->container[0])
		snprintf(st->container, sizeof(st->container), "%.*s", SHORT_ID_LEN, st->id);
	st->sandbox = (crio_type && !strcmp(crio_type, ANN_TYPE_SANDBOX)) ||
		      (cri_type && !strcmp(cri_type, ANN_TYPE_SANDBOX));
	return 0;
}

/* Annotations are a map of strings to strings; anything else is refused. */
static int check_annotations(struct parse_ctx *c, struct json_object *ann)
{
	struct json_object_iterator it, end;
	char kq[QUOTE_MAX + 4];
	struct json_object *v;

	if (!json_object_is_type(ann, json_type_object))
		return fail(c, "annotations is %s, want an object", type_desc(ann));
	end = json_object_iter_end(ann);
	for (it = json_object_iter_begin(ann); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		v = json_object_iter_peek_value(&it);
		if (!json_object_is_type(v, json_type_string))
			return fail(c, "annotation %s is %s, want a string",
				    quote(json_object_iter_peek_name(&it), kq, sizeof(kq)),
				    type_desc(v));
	}
	return 0;
}

int flap_oci__parse_state(const char *json, size_t len, struct flap_oci_state *st, char *err,
			  size_t errlen)
{
	struct parse_ctx c = {.err = err, .errlen = errlen};
	struct json_object *obj = NULL, *ann;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!st || (!json && len))
		return fail(&c, "no input, or nowhere to put it");
	/* Until the state is known good, it says "do not record". */
	memset(st, 0, sizeof(*st));
	st->buf_max = -1;
	if (len > FLAP_OCI_STATE_MAX) {
		fail(&c, "%zu bytes, more than the limit of %d", len, FLAP_OCI_STATE_MAX);
		return -EFBIG;
	}
	if (!len)
		return fail(&c, "empty input");

	rc = tokenize(&c, json, len, &obj);
	if (rc)
		return rc;
	rc = parse_fields(&c, obj, st);
	if (rc)
		goto out_put_obj;
	st->record = true;
	ann = member(obj, "annotations");
	if (ann) {
		rc = check_annotations(&c, ann);
		if (!rc)
			rc = parse_names(&c, ann, st);
		if (!rc)
			rc = check_flap_keys(&c, ann);
		if (!rc)
			rc = parse_overrides(&c, ann, st);
	} else {
		rc = parse_names(&c, NULL, st);
	}

out_put_obj:
	json_object_put(obj);
	if (rc) {
		/* No half-filled state, and no recording, for a caller that ignores @rc. */
		memset(st, 0, sizeof(*st));
		st->buf_max = -1;
	}
	return rc;
}
