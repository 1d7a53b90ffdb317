// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_docker.c - Docker names from the engine's record of a container:
 * a config.v2.json as dockerd 20.10 writes it (captured on this machine)
 * gives "web1"; not a Docker id or no record is -ENOENT without a message
 * (not a Docker container); a record of another id, a name Docker would
 * not make (a path, control bytes, empty), malformed JSON and a name too
 * long for the caller are refused with one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docker.h"
#include "test.h"

#define ID    "75638414ea5e0f7f7021519d1a25deacdc0a1899d4dd821a270360ef55385ab8"
#define OTHER "0f3c9a27d1b84e6a9c5e2b7d8a1f4c3e6b9d2a5f8c1e4b7a0d3f6c9e2b5a8d1f"

/* dockerd 20.10.24, `docker create --name web1 bb:cap /bin/true`. */
#define RECORD(NAME)                                                                             \
	"{\"StreamConfig\":{},\"State\":{\"Running\":false,\"Paused\":false,"                    \
	"\"Restarting\":false,\"OOMKilled\":false,\"RemovalInProgress\":false,\"Dead\":false,"   \
	"\"Pid\":0,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"0001-01-01T00:00:00Z\","        \
	"\"FinishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":null},\"ID\":\"" ID "\","            \
	"\"Created\":\"2026-12-02T05:19:58.705037894Z\",\"Managed\":false,"                      \
	"\"Path\":\"/bin/true\",\"Args\":[],\"Config\":{\"Hostname\":\"75638414ea5e\","          \
	"\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":true,"         \
	"\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"           \
	"\"Env\":null,\"Cmd\":[\"/bin/true\"],\"Image\":\"bb:cap\",\"Volumes\":null,"            \
	"\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},"               \
	"\"Image\":\"sha256:cb3f4410d760f38b5e1ef79f648c6ee59dddfbaeec615362c5bc53adf38576f2\"," \
	"\"NetworkSettings\":{\"Bridge\":\"\",\"SandboxID\":\"\",\"HairpinMode\":false,"         \
	"\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,"                            \
	"\"Networks\":{\"bridge\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,"         \
	"\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\","            \
	"\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\","                     \
	"\"GlobalIPv6PrefixLen\":0,\"MacAddress\":\"\",\"DriverOpts\":null,"                     \
	"\"IPAMOperational\":false}},\"Service\":null,\"Ports\":null,\"SandboxKey\":\"\","       \
	"\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null,"                         \
	"\"IsAnonymousEndpoint\":false,\"HasSwarmEndpoint\":false},\"LogPath\":\"\","            \
	"\"Name\":\"/" NAME "\",\"Driver\":\"overlay2\",\"OS\":\"linux\",\"MountLabel\":\"\","   \
	"\"ProcessLabel\":\"\",\"RestartCount\":0,\"HasBeenStartedBefore\":false,"               \
	"\"HasBeenManuallyStopped\":false,\"MountPoints\":{},\"SecretReferences\":null,"         \
	"\"ConfigReferences\":null,\"AppArmorProfile\":\"\",\"HostnamePath\":\"\","              \
	"\"HostsPath\":\"\",\"ShmPath\":\"\",\"ResolvConfPath\":\"\",\"SeccompProfile\":\"\","   \
	"\"NoNewPrivileges\":false,\"LocalLogCacheMeta\":{\"HaveNotifyEnabled\":false}}"

struct root {
	char dir[64];
	char path[PATH_MAX];
};

/* <dir>/containers/<id>/config.v2.json holding @text. */
static bool make_record(struct root *r, const char *id, const char *text)
{
	char sub[256];
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/containers", r->dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/containers/%s", r->dir, id);
	mkdir(sub, 0700);
	snprintf(r->path, sizeof(r->path), "%s/config.v2.json", sub);
	f = fopen(r->path, "w");
	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

static void remove_record(struct root *r, const char *id)
{
	char sub[256];

	unlink(r->path);
	snprintf(sub, sizeof(sub), "%s/containers/%s", r->dir, id);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/containers", r->dir);
	rmdir(sub);
}

/* The record @text for @id is refused with @want and a line holding @why. */
static void refused(struct root *r, const char *id, const char *text, int want, const char *why)
{
	char name[256] = "untouched", err[512] = "";

	test__start_subtest(why);
	if (!ASSERT_TRUE(make_record(r, id, text), "record"))
		return;
	ASSERT_EQ(flap_docker__name(r->dir, ID, name, sizeof(name), err, sizeof(err)), want,
		  "refused");
	ASSERT_STRCONTAINS(err, why, "the reason");
	ASSERT_STRCONTAINS(err, r->path, "names the file");
	ASSERT_TRUE(!strchr(err, '\n'), "one line");
	remove_record(r, id);
}

void test_docker_name(void)
{
	struct root r = {.dir = "/tmp/flap-test-docker-XXXXXX"};
	char name[256], small[4], err[512];

	if (!ASSERT_OK_PTR(mkdtemp(r.dir), "mkdtemp"))
		return;

	test__start_subtest("dockerd_20_10");
	if (ASSERT_TRUE(make_record(&r, ID, RECORD("web1")), "record")) {
		ASSERT_OK(flap_docker__name(r.dir, ID, name, sizeof(name), err, sizeof(err)),
			  "found");
		ASSERT_STREQ(name, "web1", "the name without its '/'");
		ASSERT_EQ(flap_docker__name(r.dir, ID, small, sizeof(small), err, sizeof(err)),
			  -ENAMETOOLONG, "too long for the caller");
		ASSERT_STRCONTAINS(err, "longer than 3 bytes", "says so");
		remove_record(&r, ID);
	}

	test__start_subtest("not_docker");
	ASSERT_EQ(flap_docker__name(r.dir, ID, name, sizeof(name), err, sizeof(err)), -ENOENT,
		  "no record");
	ASSERT_STREQ(err, "", "no message");
	ASSERT_EQ(flap_docker__name(r.dir, "../../etc", name, sizeof(name), err, sizeof(err)),
		  -ENOENT, "not a Docker id: never a path");
	ASSERT_EQ(flap_docker__name(r.dir, "75638414ea5e", name, sizeof(name), err, sizeof(err)),
		  -ENOENT, "a short id is no Docker id");
	ASSERT_EQ(flap_docker__name(r.dir,
				    "75638414EA5E0F7F7021519D1A25DEACDC0A1899D4DD821A270360EF"
				    "55385AB8",
				    name, sizeof(name), err, sizeof(err)),
		  -ENOENT, "upper case is no Docker id");
	ASSERT_EQ(flap_docker__name("/nonexistent", ID, name, sizeof(name), err, sizeof(err)),
		  -ENOENT, "no data root");

	refused(&r, ID, "{\"ID\":\"" OTHER "\",\"Name\":\"/web1\"}", -EINVAL,
		"its ID is not 75638414ea5e");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":\"/../../etc\"}", -EINVAL, "no Docker name");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":\"web1\"}", -EINVAL, "(\"web1\")");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":\"/\"}", -EINVAL,
		"no Docker name in \"Name\" (\"/\")");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":\"/a\\u0001b\"}", -EINVAL, "(\"/a?b\")");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":7}", -EINVAL, "(\"\")");
	refused(&r, ID, "{\"ID\":\"" ID "\",\"Name\":", -EINVAL, "not a JSON object");
	refused(&r, ID, "[]", -EINVAL, "not a JSON object");
	rmdir(r.dir);
}
