/* SPDX-License-Identifier: MIT */
/* ssh probe internals: the weak-algorithm table and the protocol banner,
 * pure functions over strings (unit-tested and fuzzed directly). */
#ifndef COMPLYD_PROBE_SSH_H
#define COMPLYD_PROBE_SSH_H

#include <stddef.h>

#include <jansson.h>

#define SSH_MAX_ALGORITHMS 256    /* names looked at in one list */

/* Why `algorithm` is weak, or NULL when it is not in the table. */
const char *ssh_weak_reason(const char *algorithm);

/* Appends {keyword, algorithm, reason} to `out` for each weak name of the
 * comma-separated `list` (at most SSH_MAX_ALGORITHMS names). Returns the
 * number appended, or -ENOMEM. */
int ssh_weak_scan(const char *keyword, const char *list, json_t *out);

/* The OpenSSH upstream version ("9.2p1") and the Debian revision
 * ("2+deb12u10") of a dpkg version string "1:9.2p1-2+deb12u10", in
 * upstream/revision (sizes n). Returns 0, or -EINVAL when it does not look
 * like an OpenSSH package version. */
int ssh_split_version(const char *version, char *upstream, size_t un, char *revision,
                      size_t rn);

#endif
