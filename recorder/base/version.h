/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* version.h - the flap-recorder version, reported by `status` and in dumps. */
#ifndef FLAP_VERSION_H
#define FLAP_VERSION_H

#define FLAP_VERSION "0.1.0"

#endif /* FLAP_VERSION_H */
