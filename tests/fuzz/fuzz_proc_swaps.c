/* SPDX-License-Identifier: MIT */
/* libFuzzer target: disk_encryption's /proc/swaps parser. */
#include <stdint.h>
#include <stdlib.h>

#include "../../probes/disk_encryption/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct de_swaps s;

        if (de_parse_swaps((const char *) data, size, &s) == 0)
                de_swaps_free(&s);
        return 0;
}
