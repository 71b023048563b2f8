/* SPDX-License-Identifier: MIT */
/* file_permissions probe: the id -> name map read from passwd(5)/group(5)
 * (pure parser, fuzzed directly). */
#ifndef COMPLYD_PROBE_FILE_PERMISSIONS_H
#define COMPLYD_PROBE_FILE_PERMISSIONS_H

#include <stddef.h>

#include <jansson.h>

#define FPERM_MAX_FILE (16u << 20)
#define FPERM_MAX_IDS 200000
#define FPERM_MAX_LINE 65536

/* Adds "id" -> name to `map` for every "name:x:id:..." line of a passwd or
 * group file (the first name of an id wins). 0 or -ENOMEM. */
int fperm_parse_ids(const char *buf, size_t len, json_t *map);

#endif
