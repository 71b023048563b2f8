/* SPDX-License-Identifier: MIT */
/* Fuzz target: the firewall probe's reader of a firewalld zone's target
 * attribute: a found target lies inside the input. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/firewall/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *t = NULL;
        int r = fw_firewalld_zone_target((const char *) data, size, &t);

        assert(r == 0 || r == 1 || r == -EINVAL);
        if (r == 1) {
                assert(strlen(t) < size);
                free(t);
        }
        return 0;
}
