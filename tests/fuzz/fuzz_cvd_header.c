/* SPDX-License-Identifier: MIT */
/* Fuzz target: the ClamAV database header parser (malware_protection). */
#include <stdint.h>
#include <string.h>

#include "../../probes/malware_protection/malware_protection.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct cvd_header h;

        if (cvd_header_parse((const char *) data, size, &h) == 0 &&
            (strlen(h.build_time_text) >= sizeof(h.build_time_text) || h.version < 0))
                __builtin_trap();
        return 0;
}
