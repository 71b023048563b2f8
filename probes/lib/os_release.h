/* SPDX-License-Identifier: MIT */
/* os-release(5): the one reader of the OS identity (ID, VERSION_ID,
 * PRETTY_NAME) for the probes. */
#ifndef COMPLYD_OS_RELEASE_H
#define COMPLYD_OS_RELEASE_H

#include <complyd/probe.h>

#define OS_RELEASE_MAX_FILE 65536

/* The value of the first "KEY=value" line of an os-release text (text is
 * NUL-terminated and read up to its first NUL), without one pair of
 * enclosing '"' or '\'' quotes, as a lossy JSON string (bytes of invalid
 * UTF-8 become '?'); JSON null when there is no such line. NULL on ENOMEM. */
json_t *os_release_value(const char *text, const char *key);

/* {id, version_id, pretty_name} from /etc/os-release under ctx's root, or
 * /usr/lib/os-release when that cannot be read; each null when absent or
 * when neither file can be read. NULL on ENOMEM. */
json_t *os_release_facts(const struct complyd_probe_ctx *ctx);

#endif
