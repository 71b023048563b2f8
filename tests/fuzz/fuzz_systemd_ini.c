/* SPDX-License-Identifier: MIT */
/* Fuzz target: systemd INI lookup (journald.conf, journal-upload.conf). */
#include <stdint.h>
#include <string.h>

#include "../../probes/logging/logging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char v[32];
        unsigned line = 0;

        if (ini_lookup((const char *) data, size, "Journal", "Storage", v, sizeof(v), &line) &&
            (strlen(v) >= sizeof(v) || line == 0))
                __builtin_trap();
        ini_lookup((const char *) data, size, "Upload", "URL", v, sizeof(v), &line);
        return 0;
}
