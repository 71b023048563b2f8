/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the id -> name map file_permissions reads from
 * passwd(5) and group(5). */
#include <assert.h>
#include <stdint.h>

#include "../../probes/file_permissions/file_permissions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *map = json_object(), *v;
        const char *k;

        assert(map && fperm_parse_ids((const char *) data, size, map) == 0);
        json_object_foreach(map, k, v) assert(json_is_string(v) && json_string_length(v) > 0);
        json_decref(map);
        return 0;
}
