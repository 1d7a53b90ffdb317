// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_crash_sanitize.c - flap_crash__sanitize(), which turns pod, container
 * and recorder names (chosen by whoever wrote the pod spec or ran `add`)
 * into the directory and file names of crash dumps: path traversal
 * ("../../etc", "/", "." and ".."), hidden files, option-like names, control
 * bytes, UTF-8, empty and very long names, tiny buffers, and every single
 * byte value.
 */
#include <string.h>

#include "crash.h"
#include "test.h"
#include "util.h"

/* A name is safe as one path component under the dump directory. */
static bool safe_component(const char *s)
{
	size_t i;

	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; s[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    s[i]))
			return false;
	return true;
}

void test_crash_sanitize(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"web", "web"},
		{"shop-7f9c_v1.2", "shop-7f9c_v1.2"},
		{"../../etc", "______etc"},
		{"../../../../etc/passwd", "____________etc_passwd"},
		{"/etc", "_etc"},
		{"a/../b", "a_.._b"},
		{".", "_"},
		{"..", "__"},
		{"...", "___"},
		{".hidden.flap", "_hidden_flap"},
		{"-rf", "_rf"},
		{"--help", "_-help"},
		{"", "unnamed"},
		{"a\nb\tc\r", "a_b_c_"},
		{"\033[31mred\033[0m", "__31mred__0m"},
		{"del\x7f", "del_"},
		{"caf\xc3\xa9", "caf__"},
		{"\xe2\x80\xae"
		 "evil",
		 "___evil"}, /* U+202E right-to-left override */
		{"pod name;rm -rf *", "pod_name_rm_-rf__"},
	};
	char out[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(out, 'X', sizeof(out));
		flap_crash__sanitize(cases[i].in, out, sizeof(out));
		ASSERT_STREQ(out, cases[i].out, cases[i].in);
		ASSERT_TRUE(safe_component(out), "a safe path component");
	}
	flap_crash__sanitize(NULL, out, sizeof(out));
	ASSERT_STREQ(out, "unnamed", "NULL");
}

void test_crash_sanitize_limits(void)
{
	char name[1000], out[128], small[4];
	size_t i;

	/* Very long: cut to the buffer, still terminated, nothing written past it. */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(out, 'X', sizeof(out));
	flap_crash__sanitize(name, out, sizeof(out) - 8);
	ASSERT_EQ(strlen(out), sizeof(out) - 9, "cut to size - 1");
	for (i = sizeof(out) - 8; i < sizeof(out); i++)
		ASSERT_EQ(out[i], 'X', "nothing written past size");
	/* A long run of dots stays harmless when cut. */
	memset(name, '.', 300);
	name[300] = '\0';
	flap_crash__sanitize(name, out, sizeof(out));
	ASSERT_TRUE(safe_component(out), "dots, cut");
	ASSERT_EQ(strlen(out), sizeof(out) - 1, "dots: full length");

	/* Tiny buffers: "unnamed" is cut, size 1 gives "", size 0 writes nothing. */
	flap_crash__sanitize("", small, sizeof(small));
	ASSERT_STREQ(small, "unn", "unnamed cut to 3");
	flap_crash__sanitize("..", small, sizeof(small));
	ASSERT_STREQ(small, "__", "dots in a small buffer");
	small[0] = 'X';
	flap_crash__sanitize("abc", small, 1);
	ASSERT_EQ(small[0], '\0', "size 1: empty string");
	small[0] = 'X';
	flap_crash__sanitize("abc", small, 0);
	ASSERT_EQ(small[0], 'X', "size 0: untouched");
}

/* Every byte value alone, and after a letter: always one safe component. */
void test_crash_sanitize_bytes(void)
{
	char name[3], out[8];
	int c;

	for (c = 1; c < 256; c++) {
		name[0] = (char)c;
		name[1] = '\0';
		flap_crash__sanitize(name, out, sizeof(out));
		if (!ASSERT_TRUE(safe_component(out), "one byte"))
			test__printf("  byte %#x gave \"%s\"\n", c, out);
		ASSERT_EQ(strlen(out), 1, "one byte in, one out");
		name[0] = 'a';
		name[1] = (char)c;
		name[2] = '\0';
		flap_crash__sanitize(name, out, sizeof(out));
		if (!ASSERT_TRUE(safe_component(out), "a + byte"))
			test__printf("  byte %#x gave \"%s\"\n", c, out);
		ASSERT_EQ(out[1] == '/', false, "never a slash");
	}
}
