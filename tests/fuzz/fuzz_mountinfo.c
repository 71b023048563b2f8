/* SPDX-License-Identifier: MIT */
/* libFuzzer target: disk_encryption's /proc/self/mountinfo parser. */
#include <stdint.h>
#include <stdlib.h>

#include "../../probes/disk_encryption/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct de_mounts m;

        if (de_parse_mountinfo((const char *) data, size, &m) == 0)
                de_mounts_free(&m);
        return 0;
}
