// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_bundle.c - flap-runc's edit of a bundle's config.json: our
 * createRuntime and poststop hooks added to a `runc spec` document, to a
 * Docker-shaped one (its prestart hook kept, first) and to one whose hooks
 * are null; nothing else changes (the rest of the document compares equal,
 * numbers keep their text); never added twice, and not added where the
 * hooks.d files' entries already run; malformed documents refused with one
 * line; and the file itself: replaced by rename with its mode kept, left
 * alone (same inode) when nothing is missing, no temp file left on failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "bundle.h"
#include "util.h"
#include "test.h"

#define REC "/usr/local/sbin/flap-recorder"

/* `runc spec` (runc 1.1.5), cut to its shape: no hooks. */
static const char runc_spec[] =
	"{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {\"terminal\": true, \"user\": "
	"{\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"env\": [\"PATH=/usr/local/sbin:/usr/bin\","
	" \"TERM=xterm\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, "
	"\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}], "
	"\"noNewPrivileges\": true},\n\t\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
	"\t\"hostname\": \"runc\",\n\t\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\","
	" \"source\": \"proc\"}],\n\t\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, "
	"\"access\": \"rwm\"}]}, \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}], "
	"\"maskedPaths\": [\"/proc/kcore\"]}\n}\n";

/* What dockerd 20.10 writes: a prestart hook of its own, no annotations. */
static const char docker_spec[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":"
	"[\"/bin/sh\",\"-c\",\"true\"],\"cwd\":\"/\"},\"root\":{\"path\":\"/var/lib/docker/"
	"overlay2/"
	"4f1e/merged\"},\"hostname\":\"0f3c9a27d1b8\",\"hooks\":{\"prestart\":[{\"path\":"
	"\"/proc/2113/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/run/docker\","
	"\"0f3c9a27d1b84e6a9c5e2b7d8a1f4c3e6b9d2a5f8c1e4b7a0d3f6c9e2b5a8d1f\",\"8b2d5c1e0f3a\"]}]},"
	"\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775807,\"swap\":-1}},"
	"\"cgroupsPath\":\"/docker/0f3c9a27d1b8\"},\"annotations\":null}";

/* The hooks.d files' commands (examples/hooks.d), as CRI-O or NRI inject them. */
static const char hooksd_spec[] =
	"{\"ociVersion\":\"1.0.2\",\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/sh\",\"args\":"
	"[\"sh\",\"-c\",\"test ! -x " REC " || exec " REC " hook createRuntime\"],\"timeout\":5}],"
	"\"poststop\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"test ! -x " REC
	" || exec " REC " hook poststop\"],\"timeout\":5}]}}";

static const struct flap_bundle_hook_opts plain = {.recorder = REC};

static struct json_object *parse(const char *s)
{
	return json_tokener_parse(s);
}

/* The hook list of @stage in @doc, or NULL. */
static struct json_object *stage(struct json_object *doc, const char *name)
{
	struct json_object *hooks = NULL, *list = NULL;

	if (!json_object_object_get_ex(doc, "hooks", &hooks) || !hooks)
		return NULL;
	return json_object_object_get_ex(hooks, name, &list) ? list : NULL;
}

/* The JSON text of entry @i of @stage's list ("" when there is none). */
static const char *entry(struct json_object *doc, const char *name, size_t i)
{
	struct json_object *list = stage(doc, name);

	if (!list || i >= json_object_array_length(list))
		return "";
	return json_object_to_json_string_ext(json_object_array_get_idx(list, i),
					      JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
}

static size_t count(struct json_object *doc, const char *name)
{
	struct json_object *list = stage(doc, name);

	return list ? json_object_array_length(list) : 0;
}

/* @out without its hooks equals @in without its hooks: nothing else changed. */
static bool same_but_hooks(const char *in, const char *out)
{
	struct json_object *a = parse(in), *b = parse(out);
	bool eq;

	json_object_object_del(a, "hooks");
	json_object_object_del(b, "hooks");
	eq = a && b && json_object_equal(a, b);
	json_object_put(a);
	json_object_put(b);
	return eq;
}

static int edit(const char *in, const struct flap_bundle_hook_opts *o, char **out, char *err)
{
	return flap_bundle__edit_config(in, strlen(in), o, out, err, 256);
}

void test_bundle_add(void)
{
	struct flap_bundle_hook_opts full = {.recorder = REC,
					     .socket = "/run/x/flap.sock",
					     .docker_root = "/data/docker",
					     .timeout = 7};
	struct json_object *doc;
	char *out = NULL, err[256];

	test__start_subtest("runc_spec");
	if (!ASSERT_EQ(edit(runc_spec, &plain, &out, err), 1, "edited"))
		return;
	doc = parse(out);
	ASSERT_STREQ(entry(doc, "createRuntime", 0),
		     "{\"path\":\"" REC
		     "\",\"args\":[\"flap-recorder\",\"hook\",\"createRuntime\"],"
		     "\"timeout\":5}",
		     "createRuntime hook");
	ASSERT_STREQ(entry(doc, "poststop", 0),
		     "{\"path\":\"" REC "\",\"args\":[\"flap-recorder\",\"hook\",\"poststop\"],"
		     "\"timeout\":5}",
		     "poststop hook");
	ASSERT_EQ(count(doc, "prestart"), 0, "no prestart hook");
	ASSERT_TRUE(same_but_hooks(runc_spec, out), "nothing else changed");
	json_object_put(doc);
	free(out);

	test__start_subtest("docker_prestart_kept");
	if (!ASSERT_EQ(edit(docker_spec, &full, &out, err), 1, "edited"))
		return;
	doc = parse(out);
	ASSERT_EQ(count(doc, "prestart"), 1, "docker's prestart hook kept");
	ASSERT_STRCONTAINS(entry(doc, "prestart", 0), "libnetwork-setkey", "the same hook");
	ASSERT_STREQ(
		entry(doc, "createRuntime", 0),
		"{\"path\":\"" REC
		"\",\"args\":[\"flap-recorder\",\"--socket\",\"/run/x/flap.sock\","
		"\"hook\",\"--docker-root\",\"/data/docker\",\"createRuntime\"],\"timeout\":7}",
		"socket, docker root and timeout passed on");
	ASSERT_STRCONTAINS(out, "\"annotations\":null", "annotations left as they were");
	ASSERT_TRUE(same_but_hooks(docker_spec, out), "nothing else changed");
	ASSERT_STRCONTAINS(out, "\"hooks\":{\"prestart\":[", "hooks keep their place");
	json_object_put(doc);
	free(out);

	test__start_subtest("trailing_white_space");
	ASSERT_EQ(edit("{}\n\t \r\n", &plain, &out, err), 1, "accepted");
	free(out);

	test__start_subtest("hooks_null");
	if (!ASSERT_EQ(edit("{\"ociVersion\":\"1.0.2\",\"hooks\":null}", &plain, &out, err), 1,
		       "edited"))
		return;
	doc = parse(out);
	ASSERT_EQ(count(doc, "createRuntime"), 1, "createRuntime added");
	ASSERT_EQ(count(doc, "poststop"), 1, "poststop added");
	json_object_put(doc);
	free(out);

	test__start_subtest("others_first");
	if (!ASSERT_EQ(edit("{\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/bin/a\"}],"
			    "\"poststop\":[{\"path\":\"/usr/bin/b\"},{\"path\":\"/usr/bin/c\"}]}}",
			    &plain, &out, err),
		       1, "edited"))
		return;
	doc = parse(out);
	ASSERT_STREQ(entry(doc, "createRuntime", 0), "{\"path\":\"/usr/bin/a\"}", "theirs first");
	ASSERT_STRCONTAINS(entry(doc, "createRuntime", 1), "\"createRuntime\"]", "ours after");
	ASSERT_STREQ(entry(doc, "poststop", 1), "{\"path\":\"/usr/bin/c\"}", "theirs kept");
	ASSERT_STRCONTAINS(entry(doc, "poststop", 2), "\"poststop\"]", "ours last");
	json_object_put(doc);
	free(out);
}

void test_bundle_idempotent(void)
{
	char *out = NULL, *again = (char *)1, err[256];
	struct json_object *doc;

	test__start_subtest("twice");
	if (!ASSERT_EQ(edit(docker_spec, &plain, &out, err), 1, "first edit"))
		return;
	ASSERT_EQ(edit(out, &plain, &again, err), 0, "second edit: nothing to add");
	ASSERT_TRUE(again == NULL, "no new document");
	free(out);

	test__start_subtest("hooks_d_entries");
	ASSERT_EQ(edit(hooksd_spec, &plain, &out, err), 0, "the hooks.d commands count as ours");
	ASSERT_TRUE(out == NULL, "no new document");

	test__start_subtest("prestart_counts");
	if (!ASSERT_EQ(edit("{\"hooks\":{\"prestart\":[{\"path\":\"" REC "\",\"args\":"
			    "[\"flap-recorder\",\"--socket\",\"/s\",\"hook\",\"prestart\"]}]}}",
			    &plain, &out, err),
		       1, "poststop missing"))
		return;
	doc = parse(out);
	ASSERT_EQ(count(doc, "createRuntime"), 0, "no createRuntime beside the prestart one");
	ASSERT_EQ(count(doc, "poststop"), 1, "poststop added");
	json_object_put(doc);
	free(out);

	test__start_subtest("not_ours");
	/* Our binary for something else, and someone else's hook: neither counts. */
	if (!ASSERT_EQ(edit("{\"hooks\":{\"createRuntime\":[{\"path\":\"" REC "\",\"args\":"
			    "[\"flap-recorder\",\"status\"]}],\"poststop\":[{\"path\":"
			    "\"/usr/bin/nvidia-container-runtime-hook\",\"args\":[\"hook\","
			    "\"poststop\"]}]}}",
			    &plain, &out, err),
		       1, "edited"))
		return;
	doc = parse(out);
	ASSERT_EQ(count(doc, "createRuntime"), 2, "createRuntime added");
	ASSERT_EQ(count(doc, "poststop"), 2, "poststop added");
	json_object_put(doc);
	free(out);
}

void test_bundle_numbers(void)
{
	static const char in[] =
		"{\"a\":1.50,\"b\":18446744073709551615,\"c\":-9223372036854775808,"
		"\"d\":1e3,\"e\":\"caf\\u00e9 /x/y\",\"f\":[true,false,null],\"g\":{}}";
	char *out = NULL, err[256];

	if (!ASSERT_EQ(edit(in, &plain, &out, err), 1, "edited"))
		return;
	ASSERT_STRCONTAINS(out,
			   "{\"a\":1.50,\"b\":18446744073709551615,\"c\":-9223372036854775808,"
			   "\"d\":1e3,\"e\":\"caf\xc3\xa9 /x/y\",\"f\":[true,false,null],\"g\":{},"
			   "\"hooks\":{",
			   "numbers keep their text, keys their order, slashes unescaped");
	free(out);
}

/* @in is refused with -EINVAL (or @want) and a line containing @why. */
static void refused(const char *in, size_t len, const struct flap_bundle_hook_opts *o, int want,
		    const char *why)
{
	char *out = (char *)1, err[256] = "";

	test__start_subtest(why);
	ASSERT_EQ(flap_bundle__edit_config(in, len, o, &out, err, sizeof(err)), want, "refused");
	ASSERT_TRUE(out == NULL, "no document");
	ASSERT_STRCONTAINS(err, why, "the reason");
	ASSERT_TRUE(!strchr(err, '\n'), "one line");
}

void test_bundle_refused(void)
{
	static const struct flap_bundle_hook_opts relative = {.recorder = "flap-recorder"};
	static const char trunc[] = "{\"ociVersion\":\"1.0.2\",\"hooks\":{";

	refused(trunc, strlen(trunc), &plain, -EINVAL, "truncated");
	refused("{\"a\":1,}", 8, &plain, -EINVAL, "bad JSON at byte");
	refused("{} {}", 5, &plain, -EINVAL, "bad JSON at byte 3");
	refused("[]", 2, &plain, -EINVAL, "not a JSON object");
	refused("{\"hooks\":[]}", 12, &plain, -EINVAL, "hooks is not an object");
	refused("{\"hooks\":{\"poststop\":{}}}", 25, &plain, -EINVAL,
		"hooks.poststop is not an array");
	refused("{}", 2, &relative, -EINVAL, "must be absolute");
	refused("{}", FLAP_BUNDLE_CONFIG_MAX + 1, &plain, -EFBIG, "more than the limit");
}

/* The names in @dir other than "." and "..", joined by spaces. */
static void list_dir(const char *dir, char *buf, size_t size)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	buf[0] = '\0';
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && n < size)
			n += snprintf(buf + n, size - n, "%s ", de->d_name);
	closedir(d);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -EIO;
	fchmod(fd, mode);
	close(fd);
	return rc;
}

void test_bundle_file(void)
{
	char dir[] = "/tmp/flap-test-bundle-XXXXXX", path[128], names[256], err[512], *text = NULL;
	struct stat st1, st2;
	size_t len;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/config.json", dir);

	test__start_subtest("edited_in_place");
	if (!ASSERT_OK(write_file(path, docker_spec, 0640), "write config.json"))
		goto out;
	ASSERT_OK(stat(path, &st1), "stat");
	ASSERT_EQ(flap_bundle__add_hooks(dir, &plain, err, sizeof(err)), 1, "edited");
	ASSERT_OK(stat(path, &st2), "stat");
	ASSERT_EQ(st2.st_mode & 07777, 0640, "mode kept");
	ASSERT_NEQ(st2.st_ino, st1.st_ino, "replaced by rename (a new inode)");
	list_dir(dir, names, sizeof(names));
	ASSERT_STREQ(names, "config.json ", "no temp file left");
	if (ASSERT_OK(flap_file__read(path, &text, &len, 1 << 20), "read back")) {
		ASSERT_STRCONTAINS(text, "\"createRuntime\":[{\"path\":\"" REC "\"", "hooks in");
		ASSERT_TRUE(same_but_hooks(docker_spec, text), "nothing else changed");
		free(text);
	}

	test__start_subtest("second_time_untouched");
	ASSERT_EQ(flap_bundle__add_hooks(dir, &plain, err, sizeof(err)), 0, "nothing to add");
	ASSERT_OK(stat(path, &st1), "stat");
	ASSERT_EQ(st1.st_ino, st2.st_ino, "the same file, not rewritten");

	test__start_subtest("malformed_untouched");
	write_file(path, "{\"hooks\":", 0600);
	ASSERT_OK(stat(path, &st1), "stat");
	ASSERT_EQ(flap_bundle__add_hooks(dir, &plain, err, sizeof(err)), -EINVAL, "refused");
	ASSERT_STRCONTAINS(err, "/config.json: bad JSON at byte", "names the file and why");
	ASSERT_OK(stat(path, &st2), "stat");
	ASSERT_EQ(st2.st_ino, st1.st_ino, "file left alone");
	list_dir(dir, names, sizeof(names));
	ASSERT_STREQ(names, "config.json ", "no temp file left");

	test__start_subtest("not_a_file");
	unlink(path);
	mkdir(path, 0700);
	ASSERT_EQ(flap_bundle__add_hooks(dir, &plain, err, sizeof(err)), -EINVAL, "a directory");
	ASSERT_STRCONTAINS(err, "not a regular file", "says so");
	rmdir(path);

	test__start_subtest("no_bundle");
	ASSERT_EQ(flap_bundle__add_hooks("/nonexistent/bundle", &plain, err, sizeof(err)), -ENOENT,
		  "missing");
	ASSERT_STREQ(err, "/nonexistent/bundle/config.json: No such file or directory",
		     "names the file");
out:
	unlink(path);
	rmdir(dir);
}
