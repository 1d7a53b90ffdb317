/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * docker.h - the name `docker ps` shows for a container. Docker gives the
 * OCI runtime no name and no annotations (the state a hook reads has the
 * 64-hex id only); the name lives in the engine's own record of the
 * container, <data-root>/containers/<id>/config.v2.json, field "Name".
 */
#ifndef FLAP_DOCKER_H
#define FLAP_DOCKER_H

#include <stddef.h>

/* dockerd's default --data-root. */
#define FLAP_DOCKER_ROOT_DEFAULT "/var/lib/docker"
/* A config.v2.json larger than this is refused. */
#define FLAP_DOCKER_CONFIG_MAX (4 * 1024 * 1024)

/**
 * flap_docker__name() - the Docker name of container @id.
 * @root: Docker's data root (dockerd --data-root), e.g. /var/lib/docker.
 * @id:   the container id from the OCI state: 64 lower-case hex digits.
 * @name: on success the name without Docker's leading '/', e.g. "web1".
 * @err:  one line on failure other than -ENOENT; may be NULL.
 *
 * Reads <@root>/containers/<@id>/config.v2.json. Its "ID" must be @id and
 * its "Name" a Docker name ('/' then [a-zA-Z0-9][a-zA-Z0-9_.-]*), which is
 * also a safe file name for dumps.
 *
 * Context: any thread.
 * Return: 0; -ENOENT when @id is not a Docker id or Docker has no such
 * container under @root (not a Docker container: no message); -EINVAL for
 * a malformed file or name; -ENAMETOOLONG when the name does not fit
 * @size; -EFBIG over FLAP_DOCKER_CONFIG_MAX; other negative errno from
 * reading the file.
 */
int flap_docker__name(const char *root, const char *id, char *name, size_t size, char *err,
		      size_t errlen);

#endif /* FLAP_DOCKER_H */
