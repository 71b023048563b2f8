/* SPDX-License-Identifier: MIT */
/* libFuzzer target: disk_encryption's table parser as used for /etc/crypttab (at least 2 fields). */
#include <stdint.h>
#include <stdlib.h>

#include "../../probes/disk_encryption/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct de_tab t;

        if (de_parse_tab((const char *) data, size, 2, &t) == 0)
                de_tab_free(&t);
        return 0;
}
