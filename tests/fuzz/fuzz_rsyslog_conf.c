/* SPDX-License-Identifier: MIT */
/* Fuzz target: rsyslog forwarding parser (logging). */
#include <stdint.h>
#include <string.h>

#include "../../probes/logging/logging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fwd_dest d[4];
        size_t n = 99, total = rsyslog_parse((const char *) data, size, d, 4, &n);

        if (n > 4 || n > total)
                __builtin_trap();
        for (size_t i = 0; i < n; i++)
                if (!d[i].target[0] || strlen(d[i].target) >= sizeof(d[i].target) ||
                    d[i].port < 0 || d[i].port > 65535)
                        __builtin_trap();
        return 0;
}
