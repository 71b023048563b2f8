/* SPDX-License-Identifier: MIT */
/* libFuzzer target: disk_encryption's dm/uuid classifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/disk_encryption/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        struct de_dm_class c;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        de_classify_dm_uuid(s, &c);
        free(s);
        return 0;
}
