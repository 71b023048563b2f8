/* SPDX-License-Identifier: MIT */
/* Fuzz target: the tls_certificates parser (PEM bundles, DER). */
#include <stdint.h>

#include "../../probes/tls_certificates/tls_certificates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *certs = json_array();
        struct tlsc_stats st = { 0 };
        int r = tlsc_parse((const char *) data, size, 1700000000, 16, certs, &st);

        if (r >= 0 && (size_t) r != json_array_size(certs))
                __builtin_trap(); /* the count returned is what was appended */
        json_decref(certs);
        return 0;
}
