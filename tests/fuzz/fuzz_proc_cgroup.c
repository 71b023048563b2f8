/* SPDX-License-Identifier: MIT */
/* Fuzz target: the /proc/<pid>/cgroup unit finder of open_ports. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/open_ports/open_ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *unit = NULL;
        int r = oports_cgroup_unit((const char *) data, size, &unit);

        assert(r >= 0);
        if (r > 0) {
                assert(unit && *unit && !strchr(unit, '/'));
                free(unit);
        }
        return 0;
}
