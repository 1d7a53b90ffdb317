// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_oci.c - the OCI state parser: real-shaped states from CRI-O
 * (container and sandbox), containerd's CRI plugin (container and
 * sandbox), podman and plain runc (captured on this machine, see
 * shared/reference/oci.md §7), poststop without a pid; then what must be
 * refused, each with one line of error: every truncation of a real state,
 * wrong types for each field, a missing or empty id, too long strings, the
 * size cap, deep nesting, bytes that are not UTF-8, trailing data, and bad
 * flap-recorder.io/ annotations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "test.h"

#define ID64 "0f3c9a27d1b84e6a9c5e2b7d8a1f4c3e6b9d2a5f8c1e4b7a0d3f6c9e2b5a8d1f"
#define SB64 "7e1d4a2b9c8f3e6d5a4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
#define UID  "6f0b7e2c-3d4a-4b5c-8d9e-0f1a2b3c4d5e"

/* CRI-O 1.3x, a container of pod default/nginx-7d9f8b6c5-x2x4q (createRuntime). */
static const char crio_ctr[] =
	"{\"ociVersion\":\"1.2.0\",\"id\":\"" ID64 "\",\"status\":\"creating\",\"pid\":41873,"
	"\"bundle\":\"/run/containers/storage/overlay-containers/" ID64 "/userdata\","
	"\"annotations\":{"
	"\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.hash\":\"4a5b6c7d\","
	"\"io.kubernetes.container.name\":\"web\","
	"\"io.kubernetes.container.restartCount\":\"0\","
	"\"io.kubernetes.container.terminationMessagePath\":\"/dev/termination-log\","
	"\"io.kubernetes.cri-o.Annotations\":\"{\\\"io.kubernetes.container.hash\\\":"
	"\\\"4a5b6c7d\\\"}\","
	"\"io.kubernetes.cri-o.ContainerID\":\"" ID64 "\","
	"\"io.kubernetes.cri-o.ContainerName\":\"k8s_web_nginx-7d9f8b6c5-x2x4q_default_" UID "_0\","
	"\"io.kubernetes.cri-o.ContainerType\":\"container\","
	"\"io.kubernetes.cri-o.Created\":\"2026-11-22T12:01:47.0229199Z\","
	"\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.pod.name\\\":"
	"\\\"nginx-7d9f8b6c5-x2x4q\\\"}\","
	"\"io.kubernetes.cri-o.LogPath\":\"/var/log/pods/default_nginx-7d9f8b6c5-x2x4q_" UID
	"/web/0.log\","
	"\"io.kubernetes.cri-o.SandboxID\":\"" SB64 "\","
	"\"io.kubernetes.cri-o.SandboxName\":\"k8s_nginx-7d9f8b6c5-x2x4q_default_" UID "_0\","
	"\"io.kubernetes.cri-o.TTY\":\"false\","
	"\"io.kubernetes.pod.name\":\"nginx-7d9f8b6c5-x2x4q\","
	"\"io.kubernetes.pod.namespace\":\"default\","
	"\"io.kubernetes.pod.terminationGracePeriod\":\"30\","
	"\"io.kubernetes.pod.uid\":\"" UID "\","
	"\"kubernetes.io/config.source\":\"api\"}}";

/* CRI-O, the pod's pause container. */
static const char crio_sandbox[] =
	"{\"ociVersion\":\"1.2.0\",\"id\":\"" SB64 "\",\"status\":\"creating\",\"pid\":41790,"
	"\"bundle\":\"/run/containers/storage/overlay-containers/" SB64 "/userdata\","
	"\"annotations\":{\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.name\":\"POD\","
	"\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
	"\"io.kubernetes.cri-o.SandboxID\":\"" SB64 "\","
	"\"io.kubernetes.pod.name\":\"nginx-7d9f8b6c5-x2x4q\","
	"\"io.kubernetes.pod.namespace\":\"default\","
	"\"io.kubernetes.pod.uid\":\"" UID "\"}}";

/* containerd 2.x CRI plugin, a container (no kubelet labels in the annotations). */
static const char containerd_ctr[] =
	"{\"ociVersion\":\"1.2.0\",\"id\":\"" ID64 "\",\"status\":\"creating\",\"pid\":52011,"
	"\"bundle\":\"/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID64 "\","
	"\"annotations\":{"
	"\"io.kubernetes.cri.container-name\":\"api\","
	"\"io.kubernetes.cri.container-type\":\"container\","
	"\"io.kubernetes.cri.image-name\":\"registry.example.com/shop/api:1.4.2\","
	"\"io.kubernetes.cri.sandbox-id\":\"" SB64 "\","
	"\"io.kubernetes.cri.sandbox-name\":\"api-5c6d7e8f9-qwert\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}}";

/* containerd, the sandbox (pause) container: no container name. */
static const char containerd_sandbox[] =
	"{\"ociVersion\":\"1.2.0\",\"id\":\"" SB64 "\",\"status\":\"creating\",\"pid\":51900,"
	"\"bundle\":\"/run/containerd/io.containerd.runtime.v2.task/k8s.io/" SB64 "\","
	"\"annotations\":{"
	"\"io.kubernetes.cri.container-type\":\"sandbox\","
	"\"io.kubernetes.cri.podsandbox.image-name\":\"registry.k8s.io/pause:3.10\","
	"\"io.kubernetes.cri.sandbox-id\":\"" SB64 "\","
	"\"io.kubernetes.cri.sandbox-log-directory\":\"/var/log/pods/shop_api_" UID "\","
	"\"io.kubernetes.cri.sandbox-name\":\"api-5c6d7e8f9-qwert\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}}";

/* podman 4.3.1 + runc, `podman run --annotation io.kubernetes.pod.name=mypod ...` (§7.4). */
#define PODMAN_ID "5d33081d63fe8e09790e598b0043a85642d23c867487f1ed257ad768f1eb0e4c"
static const char podman_ctr[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"id\":\"" PODMAN_ID "\",\"status\":\"creating\","
	"\"pid\":10884,"
	"\"bundle\":\"/var/lib/containers/storage/overlay-containers/" PODMAN_ID "/userdata\","
	"\"annotations\":{\"io.container.manager\":\"libpod\","
	"\"io.kubernetes.cri-o.Created\":\"2026-11-22T12:01:47.0229199Z\","
	"\"io.kubernetes.cri-o.TTY\":\"false\","
	"\"io.kubernetes.pod.name\":\"mypod\",\"io.kubernetes.pod.namespace\":\"default\","
	"\"io.podman.annotations.autoremove\":\"FALSE\","
	"\"io.podman.annotations.init\":\"FALSE\","
	"\"io.podman.annotations.privileged\":\"FALSE\","
	"\"io.podman.annotations.publish-all\":\"FALSE\","
	"\"org.opencontainers.image.stopSignal\":\"15\"}}\n";

/* podman's poststop: no pid, fewer annotations. */
static const char podman_poststop[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"id\":\"" PODMAN_ID "\",\"status\":\"stopped\","
	"\"bundle\":\"/var/lib/containers/storage/overlay-containers/" PODMAN_ID "/userdata\","
	"\"annotations\":{\"io.kubernetes.cri-o.TTY\":\"false\","
	"\"io.kubernetes.pod.name\":\"mypod\",\"io.kubernetes.pod.namespace\":\"default\","
	"\"io.podman.annotations.autoremove\":\"FALSE\"}}";

/* runc 1.1.5, a bundle from `runc spec` without annotations (§7.1). */
static const char runc_plain[] = "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"probe1\","
				 "\"status\":\"creating\",\"pid\":8847,"
				 "\"bundle\":\"/srv/probe/bundle\"}";

/* Fails the test unless @err is one printable line starting "oci state: ". */
static bool one_line(const char *err, const char *what)
{
	bool ok = ASSERT_TRUE(!strncmp(err, "oci state: ", 11), what) &&
		  ASSERT_GT(strlen(err), 11, what);

	for (const char *p = err; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			ok = ASSERT_FAIL_("%s: byte 0x%02x at %zu in \"%s\"", what,
					  (unsigned char)*p, (size_t)(p - err), err);
			break;
		}
	}
	return ok;
}

static int parse(const char *json, struct flap_oci_state *st, char *err, size_t errlen)
{
	return flap_oci__parse_state(json, strlen(json), st, err, errlen);
}

/* @json must be refused with @want and an error containing @needle. */
static void expect_bad(const char *json, size_t len, int want, const char *needle, const char *what)
{
	struct flap_oci_state st;
	char err[512];
	int rc;

	memset(err, 'X', sizeof(err));
	rc = flap_oci__parse_state(json, len, &st, err, sizeof(err));
	if (!ASSERT_EQ(rc, want, what)) {
		test__printf("  input: %.200s\n  err: %s\n", json, rc ? err : "(none)");
		return;
	}
	one_line(err, what);
	if (needle)
		ASSERT_STRCONTAINS(err, needle, what);
	ASSERT_EQ(st.id[0], 0, "state cleared on error");
	ASSERT_FALSE(st.record, "nothing to record on error");
	if (test__verbose())
		test__printf("  %-40.60s %s\n", what, err);
}

#define BAD(json, needle) expect_bad(json, strlen(json), -EINVAL, needle, json)

void test_oci_samples(void)
{
	struct flap_oci_state st;
	char err[256];

	test__start_subtest("crio_container");
	if (ASSERT_OK(parse(crio_ctr, &st, err, sizeof(err)), "crio container")) {
		ASSERT_STREQ(st.id, ID64, "id");
		ASSERT_STREQ(st.status, "creating", "status");
		ASSERT_EQ(st.pid, 41873, "pid");
		ASSERT_STREQ(st.bundle,
			     "/run/containers/storage/overlay-containers/" ID64 "/userdata",
			     "bundle");
		ASSERT_STREQ(st.pod, "nginx-7d9f8b6c5-x2x4q", "pod");
		ASSERT_STREQ(st.ns, "default", "ns");
		ASSERT_STREQ(st.pod_uid, UID, "pod uid");
		ASSERT_STREQ(st.container, "web", "container");
		ASSERT_FALSE(st.sandbox, "not a sandbox");
		ASSERT_TRUE(st.record, "recorded by default");
		ASSERT_EQ(st.ring_pages, 0, "ring default");
		ASSERT_EQ(st.str_max, 0, "string default");
		ASSERT_EQ(st.buf_max, -1, "buffer default");
		ASSERT_STREQ(err, "", "no error text");
	}

	test__start_subtest("crio_sandbox");
	if (ASSERT_OK(parse(crio_sandbox, &st, err, sizeof(err)), "crio sandbox")) {
		ASSERT_TRUE(st.sandbox, "sandbox");
		ASSERT_STREQ(st.pod, "nginx-7d9f8b6c5-x2x4q", "pod");
		ASSERT_STREQ(st.container, "POD", "container");
		ASSERT_EQ(st.pid, 41790, "pid");
	}

	test__start_subtest("containerd_container");
	if (ASSERT_OK(parse(containerd_ctr, &st, err, sizeof(err)), "containerd container")) {
		ASSERT_STREQ(st.pod, "api-5c6d7e8f9-qwert", "pod");
		ASSERT_STREQ(st.ns, "shop", "ns");
		ASSERT_STREQ(st.pod_uid, UID, "pod uid");
		ASSERT_STREQ(st.container, "api", "container");
		ASSERT_FALSE(st.sandbox, "container-type container");
		ASSERT_EQ(st.pid, 52011, "pid");
	}

	test__start_subtest("containerd_sandbox");
	if (ASSERT_OK(parse(containerd_sandbox, &st, err, sizeof(err)), "containerd sandbox")) {
		ASSERT_TRUE(st.sandbox, "container-type sandbox");
		ASSERT_STREQ(st.pod, "api-5c6d7e8f9-qwert", "pod");
		ASSERT_STREQ(st.container, "7e1d4a2b9c8f", "short id for the unnamed pause");
	}

	test__start_subtest("podman");
	if (ASSERT_OK(parse(podman_ctr, &st, err, sizeof(err)), "podman")) {
		ASSERT_STREQ(st.id, PODMAN_ID, "id");
		ASSERT_EQ(st.pid, 10884, "pid");
		ASSERT_STREQ(st.pod, "mypod", "pod");
		ASSERT_STREQ(st.ns, "default", "ns");
		ASSERT_STREQ(st.pod_uid, "", "no uid");
		ASSERT_STREQ(st.container, "5d33081d63fe", "short id, as podman ps shows");
		ASSERT_FALSE(st.sandbox, "not a sandbox");
	}

	test__start_subtest("runc_plain");
	if (ASSERT_OK(parse(runc_plain, &st, err, sizeof(err)), "runc")) {
		ASSERT_STREQ(st.id, "probe1", "id");
		ASSERT_EQ(st.pid, 8847, "pid");
		ASSERT_STREQ(st.pod, "", "no pod");
		ASSERT_STREQ(st.ns, "", "no ns");
		ASSERT_STREQ(st.container, "probe1", "id shorter than 12");
		ASSERT_TRUE(st.record, "record");
	}

	test__start_subtest("poststop");
	if (ASSERT_OK(parse(podman_poststop, &st, err, sizeof(err)), "poststop")) {
		ASSERT_EQ(st.pid, 0, "no pid after stop");
		ASSERT_STREQ(st.status, "stopped", "status");
		ASSERT_STREQ(st.pod, "mypod", "pod");
	}

	test__start_subtest("minimal_and_nulls");
	ASSERT_OK(parse("{\"id\":\"x\"}", &st, err, sizeof(err)), "only an id");
	ASSERT_OK(parse(" \t\r\n{\"id\":\"x\",\"pid\":null,\"annotations\":null,\"bundle\":null,"
			"\"extra\":{\"deep\":[1,2,{\"a\":[true,false,null]}]}} \n\n",
			&st, err, sizeof(err)),
		  "nulls count as absent; unknown fields allowed");
	ASSERT_EQ(st.pid, 0, "null pid");
	ASSERT_OK(parse("{\"id\":\"x\",\"pid\":0}", &st, err, sizeof(err)), "pid 0");
	ASSERT_OK(parse("{\"id\":\"x\",\"pid\":2147483647}", &st, err, sizeof(err)), "INT_MAX");
	ASSERT_EQ(st.pid, 2147483647, "INT_MAX pid");
	ASSERT_OK(parse("{\"id\":\"x\",\"annotations\":{}}", &st, err, sizeof(err)), "{}");
	ASSERT_OK(parse("{\"id\":\"caf\\u00e9-\xe2\x9c\x93\"}", &st, err, sizeof(err)), "UTF-8");
	ASSERT_STREQ(st.id, "caf\xc3\xa9-\xe2\x9c\x93", "escapes decoded");
}

void test_oci_naming(void)
{
	struct flap_oci_state st;
	char err[256];

	test__start_subtest("crio_keys_win");
	ASSERT_OK(parse("{\"id\":\"abc\",\"annotations\":{"
			"\"io.kubernetes.cri.sandbox-name\":\"cri-pod\","
			"\"io.kubernetes.pod.name\":\"kube-pod\","
			"\"io.kubernetes.cri.container-name\":\"cri-ctr\","
			"\"io.kubernetes.container.name\":\"kube-ctr\"}}",
			&st, err, sizeof(err)),
		  "both sets");
	ASSERT_STREQ(st.pod, "kube-pod", "pod");
	ASSERT_STREQ(st.container, "kube-ctr", "container");

	test__start_subtest("empty_falls_back");
	ASSERT_OK(parse("{\"id\":\"abc\",\"annotations\":{"
			"\"io.kubernetes.pod.name\":\"\",\"io.kubernetes.cri.sandbox-name\":\"p\","
			"\"io.kubernetes.container.name\":\"\"}}",
			&st, err, sizeof(err)),
		  "empty value");
	ASSERT_STREQ(st.pod, "p", "next key");
	ASSERT_STREQ(st.container, "abc", "id");

	test__start_subtest("sandbox_markers");
	ASSERT_OK(parse("{\"id\":\"a\",\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":"
			"\"sandbox\"}}",
			&st, err, sizeof(err)),
		  "cri-o");
	ASSERT_TRUE(st.sandbox, "cri-o sandbox");
	ASSERT_OK(parse("{\"id\":\"a\",\"annotations\":{\"io.kubernetes.cri.container-type\":"
			"\"sandbox\"}}",
			&st, err, sizeof(err)),
		  "containerd");
	ASSERT_TRUE(st.sandbox, "containerd sandbox");
	ASSERT_OK(parse("{\"id\":\"a\",\"annotations\":{\"io.kubernetes.cri.container-type\":"
			"\"Sandbox\",\"io.kubernetes.cri-o.ContainerType\":\"container\"}}",
			&st, err, sizeof(err)),
		  "exact value only");
	ASSERT_FALSE(st.sandbox, "not a sandbox");
}

void test_oci_bad_json(void)
{
	const size_t n = strlen(crio_ctr);
	struct flap_oci_state st;
	char err[512], *deep;
	int rc;

	test__start_subtest("every_truncation");
	for (size_t len = 0; len < n; len++) {
		char what[64];

		snprintf(what, sizeof(what), "truncated to %zu bytes", len);
		memset(err, 0, sizeof(err));
		rc = flap_oci__parse_state(crio_ctr, len, &st, err, sizeof(err));
		if (!ASSERT_EQ(rc, -EINVAL, what) || !one_line(err, what))
			break;
	}
	expect_bad(crio_ctr, 0, -EINVAL, "empty input", "0 bytes");
	expect_bad(crio_ctr, 1, -EINVAL, "truncated JSON: the input ends at byte 1", "1 byte");
	expect_bad(crio_ctr, 100, -EINVAL, "truncated JSON", "mid-value");
	expect_bad(crio_ctr, n - 1, -EINVAL, "truncated JSON", "last brace missing");
	expect_bad(runc_plain, 30, -EINVAL, "truncated JSON", "inside a string");

	test__start_subtest("syntax");
	BAD("{\"id\":\"x\",}", "bad JSON at byte 10: unexpected character");
	BAD("{\"id\":\"x\" \"pid\":1}", "bad JSON at byte");
	BAD("{\"id\":\"x\"}{\"id\":\"y\"}", "bad JSON at byte");
	BAD("{\"id\":\"x\"} garbage", "bad JSON at byte");
	BAD("{\"id\":\"x\",\"pid\":01}", "bad JSON at byte");
	BAD("not json", "bad JSON at byte 1: null expected");
	BAD("\"just a string\"", "the state is a string, want an object");
	BAD("[{\"id\":\"x\"}]", "the state is an array, want an object");
	BAD("42 ", "the state is an integer, want an object");
	BAD("null\n", "the state is null, want an object");
	BAD("null", "truncated JSON");
	expect_bad("{\"id\":\"x\"}\0{}", 12, -EINVAL, "trailing data after the state",
		   "NUL then more");
	expect_bad("{\"id\":\"x\0y\"}", 11, -EINVAL, "bad JSON at byte", "raw NUL in a string");

	test__start_subtest("not_utf8");
	BAD("{\"id\":\"\xff\xfe\"}", "invalid utf-8");
	/* json-c lets overlong forms and encoded surrogates through; we do not. */
	BAD("{\"id\":\"\xc0\xaf\"}", "id is not valid UTF-8 at byte 0");
	BAD("{\"id\":\"ab\xe0\x80\xaf\"}", "id is not valid UTF-8 at byte 2");
	BAD("{\"id\":\"\xed\xa0\x80\"}", "id is not valid UTF-8 at byte 0");
	BAD("{\"id\":\"\xf4\x90\x80\x80\"}", "not valid UTF-8");
	BAD("{\"id\":\"x\",\"annotations\":{\"io.kubernetes.pod.name\":\"\xc1\xbf\"}}",
	    "annotation io.kubernetes.pod.name is not valid UTF-8");
	BAD("{\"id\":\"a\",\"annotations\":{\"k\xe9y\":\"v\"}}", "invalid utf-8");
	BAD("{\"id\":\"\xe2\x9c\"}", "invalid utf-8");

	test__start_subtest("deep_nesting");
	deep = malloc(200001);
	if (ASSERT_OK_PTR(deep, "malloc")) {
		strcpy(deep, "{\"id\":\"x\",\"a\":");
		memset(deep + 14, '[', 100000);
		memset(deep + 100014, ']', 99986);
		deep[200000] = '\0';
		deep[199999] = '}';
		BAD(deep, "nesting too deep");
		/* Nested objects in an annotation value position. */
		strcpy(deep, "{\"id\":\"x\",\"annotations\":");
		for (size_t i = 0; i < 5000; i++)
			memcpy(deep + 24 + i * 5, "{\"a\":", 5);
		deep[24 + 5000 * 5] = '\0';
		BAD(deep, "nesting too deep");
		free(deep);
	}

	test__start_subtest("escapes");
	BAD("{\"id\":\"a\\u0000b\"}", "id contains a NUL byte");
	BAD("{\"id\":\"a\\nb\"}", "id contains a control character at byte 1");
	BAD("{\"id\":\"x\",\"annotations\":{\"io.kubernetes.pod.name\":\"p\\u001b[31m\"}}",
	    "annotation io.kubernetes.pod.name contains a control character");
	BAD("{\"id\":\"x\",\"bundle\":\"/a\\u0000/b\"}", "bundle contains a NUL byte");
}

void test_oci_bad_types(void)
{
	test__start_subtest("id");
	BAD("{}", "oci state: no container id");
	BAD("{\"pid\":1,\"status\":\"creating\"}", "no container id");
	BAD("{\"id\":null}", "no container id");
	BAD("{\"id\":\"\"}", "the container id is empty");
	BAD("{\"id\":42}", "oci state: id is an integer, want a string");
	BAD("{\"id\":[\"x\"]}", "id is an array, want a string");
	BAD("{\"id\":{}}", "id is an object, want a string");
	BAD("{\"id\":true}", "id is a boolean, want a string");

	test__start_subtest("pid");
	BAD("{\"id\":\"x\",\"pid\":\"123\"}", "oci state: pid is a string, want an integer");
	BAD("{\"id\":\"x\",\"pid\":12.5}", "pid is a non-integer number, want an integer");
	BAD("{\"id\":\"x\",\"pid\":1e3}", "pid is a non-integer number, want an integer");
	BAD("{\"id\":\"x\",\"pid\":NaN}", "pid is a non-integer number");
	BAD("{\"id\":\"x\",\"pid\":true}", "pid is a boolean, want an integer");
	BAD("{\"id\":\"x\",\"pid\":[1]}", "pid is an array, want an integer");
	BAD("{\"id\":\"x\",\"pid\":-1}", "pid -1 is out of range (0 to 2147483647)");
	BAD("{\"id\":\"x\",\"pid\":2147483648}", "pid 2147483648 is out of range");
	BAD("{\"id\":\"x\",\"pid\":99999999999999999999999}", "is out of range");
	BAD("{\"id\":\"x\",\"pid\":-99999999999999999999999}", "is out of range");

	test__start_subtest("strings");
	BAD("{\"id\":\"x\",\"status\":1}", "status is an integer, want a string");
	BAD("{\"id\":\"x\",\"bundle\":{}}", "bundle is an object, want a string");
	BAD("{\"id\":\"x\",\"ociVersion\":1.0}", "ociVersion is a non-integer number");

	test__start_subtest("annotations");
	BAD("{\"id\":\"x\",\"annotations\":[]}", "annotations is an array, want an object");
	BAD("{\"id\":\"x\",\"annotations\":\"a=b\"}", "annotations is a string, want an object");
	BAD("{\"id\":\"x\",\"annotations\":{\"io.kubernetes.pod.name\":7}}",
	    "annotation io.kubernetes.pod.name is an integer, want a string");
	BAD("{\"id\":\"x\",\"annotations\":{\"unrelated\":null}}",
	    "annotation unrelated is null, want a string");
	BAD("{\"id\":\"x\",\"annotations\":{\"unrelated\":{\"a\":\"b\"}}}",
	    "annotation unrelated is an object, want a string");
	BAD("{\"id\":\"x\",\"annotations\":{\"k\\nk\":1}}", "annotation k?k is an integer");
}

/* A state with one field of @n bytes of 'a' ("id", or an annotation key). */
static char *state_with(const char *field, size_t n, bool annotation)
{
	char *s = malloc(n + 256), *p;

	if (!s)
		return NULL;
	p = s + sprintf(s, "{%s", strcmp(field, "id") ? "\"id\":\"x\"," : "");
	if (annotation)
		p += sprintf(p, "\"annotations\":{\"%s\":\"", field);
	else
		p += sprintf(p, "\"%s\":\"", field);
	memset(p, 'a', n);
	p += n;
	strcpy(p, annotation ? "\"}}" : "\"}");
	return s;
}

static void check_len(const char *field, bool annotation, size_t max)
{
	struct flap_oci_state st;
	char what[128], err[512], *s;

	snprintf(what, sizeof(what), "%s of %zu bytes", field, max);
	s = state_with(field, max, annotation);
	if (!ASSERT_OK_PTR(s, "malloc"))
		return;
	ASSERT_OK(parse(s, &st, err, sizeof(err)), what);
	free(s);
	snprintf(what, sizeof(what), "%s of %zu bytes", field, max + 1);
	s = state_with(field, max + 1, annotation);
	if (!ASSERT_OK_PTR(s, "malloc"))
		return;
	expect_bad(s, strlen(s), -EINVAL, "longer than the limit", what);
	free(s);
}

void test_oci_limits(void)
{
	struct flap_oci_state st;
	char err[512], small[16], *big;
	size_t base;

	test__start_subtest("field_lengths");
	check_len("id", false, sizeof(st.id) - 1);
	check_len("status", false, sizeof(st.status) - 1);
	check_len("bundle", false, sizeof(st.bundle) - 1);
	check_len("io.kubernetes.pod.name", true, sizeof(st.pod) - 1);
	check_len("io.kubernetes.cri.sandbox-namespace", true, sizeof(st.ns) - 1);
	check_len("io.kubernetes.pod.uid", true, sizeof(st.pod_uid) - 1);
	check_len("io.kubernetes.cri.container-name", true, sizeof(st.container) - 1);
	/* Not stored: any length. */
	big = state_with("org.example.note", 100000, true);
	if (ASSERT_OK_PTR(big, "malloc")) {
		ASSERT_OK(parse(big, &st, err, sizeof(err)), "long unrelated annotation");
		free(big);
	}

	test__start_subtest("size_cap");
	big = malloc(FLAP_OCI_STATE_MAX + 2);
	if (ASSERT_OK_PTR(big, "malloc")) {
		base = strlen(runc_plain);
		memcpy(big, runc_plain, base);
		memset(big + base, ' ', FLAP_OCI_STATE_MAX + 1 - base);
		ASSERT_OK(flap_oci__parse_state(big, FLAP_OCI_STATE_MAX, &st, err, sizeof(err)),
			  "exactly the cap");
		ASSERT_EQ(st.pid, 8847, "parsed at the cap");
		expect_bad(big, FLAP_OCI_STATE_MAX + 1, -EFBIG,
			   "1048577 bytes, more than the limit of 1048576", "one byte over");
		/* Refused before it is read: the bytes past the buffer are never touched. */
		ASSERT_EQ(flap_oci__parse_state(big, (size_t)1 << 40, &st, err, sizeof(err)),
			  -EFBIG, "1 TiB claimed");
		free(big);
	}

	test__start_subtest("error_buffer");
	ASSERT_EQ(flap_oci__parse_state("{}", 2, &st, NULL, 0), -EINVAL, "no err buffer");
	ASSERT_EQ(flap_oci__parse_state("{}", 2, &st, small, sizeof(small)), -EINVAL, "small");
	ASSERT_EQ(strlen(small), sizeof(small) - 1, "cut, terminated");
	ASSERT_EQ(flap_oci__parse_state(NULL, 10, &st, err, sizeof(err)), -EINVAL, "NULL json");
	ASSERT_EQ(flap_oci__parse_state("{}", 2, NULL, err, sizeof(err)), -EINVAL, "NULL state");

	test__start_subtest("long_key_quoted");
	big = malloc(2000);
	if (ASSERT_OK_PTR(big, "malloc")) {
		strcpy(big, "{\"id\":\"x\",\"annotations\":{\"");
		memset(big + strlen(big), 'k', 1000);
		strcpy(big + 26 + 1000, "\":1}}");
		memset(err, 0, sizeof(err));
		ASSERT_EQ(parse(big, &st, err, sizeof(err)), -EINVAL, "long key");
		one_line(err, "long key");
		ASSERT_STRCONTAINS(err, "kkk... is an integer", "key cut");
		ASSERT_LT(strlen(err), 160, "message stays short");
		free(big);
	}
}

void test_oci_overrides(void)
{
	struct flap_oci_state st;
	char err[512];

#define ANN(k, v) "{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/" k "\":\"" v "\"}}"
	test__start_subtest("good");
	ASSERT_OK(parse(ANN("record", "false"), &st, err, sizeof(err)), "record false");
	ASSERT_FALSE(st.record, "opted out");
	ASSERT_OK(parse(ANN("record", "FALSE"), &st, err, sizeof(err)), "FALSE");
	ASSERT_FALSE(st.record, "case-insensitive");
	ASSERT_OK(parse(ANN("record", "true"), &st, err, sizeof(err)), "record true");
	ASSERT_TRUE(st.record, "opted in");
	ASSERT_OK(parse(ANN("ring-pages", "2"), &st, err, sizeof(err)), "ring 2");
	ASSERT_EQ(st.ring_pages, 2, "ring 2");
	ASSERT_OK(parse(ANN("ring-pages", "64"), &st, err, sizeof(err)), "ring 64");
	ASSERT_EQ(st.ring_pages, 64, "ring 64");
	ASSERT_OK(parse(ANN("ring-pages", "4096"), &st, err, sizeof(err)), "ring 4096");
	ASSERT_EQ(st.ring_pages, 4096, "ring 4096");
	ASSERT_OK(parse(ANN("string-size", "1"), &st, err, sizeof(err)), "str 1");
	ASSERT_EQ(st.str_max, 1, "str 1");
	ASSERT_OK(parse(ANN("string-size", "1024"), &st, err, sizeof(err)), "str 1024");
	ASSERT_EQ(st.str_max, 1024, "str 1024");
	ASSERT_OK(parse(ANN("buffer-size", "0"), &st, err, sizeof(err)), "buf 0");
	ASSERT_EQ(st.buf_max, 0, "buf 0: never copy");
	ASSERT_OK(parse(ANN("buffer-size", "1024"), &st, err, sizeof(err)), "buf 1024");
	ASSERT_EQ(st.buf_max, 1024, "buf 1024");
	ASSERT_OK(parse(ANN("buffer-size", "0064"), &st, err, sizeof(err)), "leading zeros");
	ASSERT_EQ(st.buf_max, 64, "buf 64");
	ASSERT_OK(parse("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/ring-pages\":\"8\","
			"\"flap-recorder.io/string-size\":\"512\","
			"\"flap-recorder.io/buffer-size\":\"16\","
			"\"flap-recorder.io/record\":\"true\"}}",
			&st, err, sizeof(err)),
		  "all four");
	ASSERT_EQ(st.ring_pages, 8, "ring");
	ASSERT_EQ(st.str_max, 512, "str");
	ASSERT_EQ(st.buf_max, 16, "buf");
	ASSERT_OK(parse(crio_sandbox, &st, err, sizeof(err)), "defaults");
	ASSERT_EQ(st.buf_max, -1, "buffer default is -1");

	test__start_subtest("bad");
	BAD(ANN("record", "yes"),
	    "annotation flap-recorder.io/record is \"yes\", want \"true\" or \"false\"");
	BAD(ANN("record", "0"), "want \"true\" or \"false\"");
	BAD(ANN("record", ""), "annotation flap-recorder.io/record is empty");
	BAD(ANN("ring-pages", "0"), "want a power of two from 2 to 4096");
	BAD(ANN("ring-pages", "1"), "want a power of two from 2 to 4096");
	BAD(ANN("ring-pages", "3"), "ring-pages is \"3\", want a power of two");
	BAD(ANN("ring-pages", "8192"), "want a power of two");
	BAD(ANN("ring-pages", "-4"), "want a power of two");
	BAD(ANN("ring-pages", "+4"), "want a power of two");
	BAD(ANN("ring-pages", " 4"), "want a power of two");
	BAD(ANN("ring-pages", "4k"), "want a power of two");
	BAD(ANN("ring-pages", "0x10"), "want a power of two");
	BAD(ANN("ring-pages", "4294967296"), "want a power of two");
	BAD(ANN("string-size", "0"), "string-size is \"0\", want a number from 1 to 1024");
	BAD(ANN("string-size", "1025"), "want a number from 1 to 1024");
	BAD(ANN("buffer-size", "-1"), "buffer-size is \"-1\", want a number from 0 to 1024");
	BAD(ANN("buffer-size", "1025"), "want a number from 0 to 1024 (0: never copy buffers)");
	BAD(ANN("buffer-size", "lots"), "want a number from 0 to 1024");
	BAD(ANN("buffer_size", "0"), "unknown annotation flap-recorder.io/buffer_size");
	BAD(ANN("Record", "false"), "unknown annotation flap-recorder.io/Record");
	BAD("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/buffer-size\":0}}",
	    "annotation flap-recorder.io/buffer-size is an integer, want a string");
	BAD(ANN("string-size", "\\u001b[2J"), "string-size is \"?[2J\"");
#undef ANN
}

/* flap-recorder.io/syscalls: the in-kernel filter, in the syntax of add --syscalls. */
void test_oci_syscalls(void)
{
	struct flap_oci_state st;
	char err[512], *json;
	size_t n = 600;

#define ANN(v) "{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/syscalls\":\"" v "\"}}"
	test__start_subtest("good");
	ASSERT_OK(parse(crio_ctr, &st, err, sizeof(err)), "absent");
	ASSERT_STREQ(st.syscalls, "", "absent: every syscall");
	ASSERT_OK(parse(ANN("%file,%net,close"), &st, err, sizeof(err)), "classes and a name");
	ASSERT_STREQ(st.syscalls, "%file,%net,close", "kept as written");
	ASSERT_TRUE(st.record, "still recorded");
	ASSERT_OK(parse(ANN("!futex,nanosleep"), &st, err, sizeof(err)), "negated");
	ASSERT_STREQ(st.syscalls, "!futex,nanosleep", "negated set");
	ASSERT_OK(parse(ANN("/^open,?fancy_new_call"), &st, err, sizeof(err)), "regex, ?name");
	ASSERT_STREQ(st.syscalls, "/^open,?fancy_new_call", "regex set");
	ASSERT_OK(parse(ANN("all"), &st, err, sizeof(err)), "all");
	ASSERT_STREQ(st.syscalls, "all", "all (the daemon makes it no filter)");
	ASSERT_OK(parse("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/syscalls\":\"%file\","
			"\"flap-recorder.io/ring-pages\":\"64\"}}",
			&st, err, sizeof(err)),
		  "with another override");
	ASSERT_STREQ(st.syscalls, "%file", "set");
	ASSERT_EQ(st.ring_pages, 64, "ring");

	test__start_subtest("bad");
	BAD(ANN("bogus"),
	    "annotation flap-recorder.io/syscalls is \"bogus\": unknown syscall 'bogus'");
	BAD(ANN("%file,%bogus"), "syscalls is \"%file,%bogus\": unknown syscall class '%bogus'");
	BAD(ANN("/["), "'/[' is not a valid regular expression");
	BAD(ANN("/^zzz"), "'/^zzz' matches no syscall");
	BAD(ANN("open,,close"), "an empty item in the syscall set");
	BAD(ANN(""), "annotation flap-recorder.io/syscalls is empty");
	BAD(ANN("open\\u001bclose"), "annotation flap-recorder.io/syscalls contains a control");
	BAD("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/syscalls\":[\"open\"]}}",
	    "annotation flap-recorder.io/syscalls is an array, want a string");
	BAD("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/syscall\":\"open\"}}",
	    "unknown annotation flap-recorder.io/syscall (known: record, ring-pages, "
	    "string-size, buffer-size, syscalls, exact-durations)");
#undef ANN

	/* Longer than a recorder keeps: refused, never cut. */
	json = malloc(n + 128);
	if (!ASSERT_OK_PTR(json, "malloc"))
		return;
	strcpy(json, "{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/syscalls\":\"");
	for (size_t i = 0; i < n / 6; i++)
		strcat(json, "close,");
	strcat(json, "close\"}}");
	BAD(json, "syscalls is 605 bytes long, longer than the limit of 511");
	free(json);
}

/* flap-recorder.io/exact-durations: "true" or "false", like record; nothing else. */
void test_oci_exact_durations(void)
{
	struct flap_oci_state st;
	char err[512];

#define ANN(v) "{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/exact-durations\":\"" v "\"}}"
	test__start_subtest("good");
	ASSERT_OK(parse(crio_ctr, &st, err, sizeof(err)), "absent");
	ASSERT_FALSE(st.exact_durations, "absent: the daemon default");
	ASSERT_OK(parse(ANN("true"), &st, err, sizeof(err)), "true");
	ASSERT_TRUE(st.exact_durations, "every duration measured");
	ASSERT_TRUE(st.record, "still recorded");
	ASSERT_OK(parse(ANN("TRUE"), &st, err, sizeof(err)), "TRUE");
	ASSERT_TRUE(st.exact_durations, "case-insensitive");
	ASSERT_OK(parse(ANN("false"), &st, err, sizeof(err)), "false");
	ASSERT_FALSE(st.exact_durations, "false: the daemon default");
	ASSERT_OK(parse("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/exact-durations\":"
			"\"true\",\"flap-recorder.io/syscalls\":\"%file\","
			"\"flap-recorder.io/record\":\"true\"}}",
			&st, err, sizeof(err)),
		  "with other overrides");
	ASSERT_TRUE(st.exact_durations, "exact");
	ASSERT_STREQ(st.syscalls, "%file", "set");

	test__start_subtest("bad");
	BAD(ANN("yes"),
	    "annotation flap-recorder.io/exact-durations is \"yes\", want \"true\" or \"false\"");
	BAD(ANN("1"), "exact-durations is \"1\", want \"true\" or \"false\"");
	BAD(ANN(" true"), "want \"true\" or \"false\"");
	BAD(ANN(""), "annotation flap-recorder.io/exact-durations is empty");
	BAD(ANN("tr\\u001bue"), "exact-durations is \"tr?ue\"");
	BAD("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/exact-durations\":true}}",
	    "annotation flap-recorder.io/exact-durations is a boolean, want a string");
	BAD("{\"id\":\"x\",\"annotations\":{\"flap-recorder.io/exact-duration\":\"true\"}}",
	    "unknown annotation flap-recorder.io/exact-duration");
#undef ANN
}
