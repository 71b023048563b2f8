/* SPDX-License-Identifier: MIT */
/* Fuzz target: kernel_hardening's /proc/sys value parser and the efivarfs
 * boolean reader: any bytes give a JSON value (integer, string or null),
 * and a string value is what was read minus trailing newlines/spaces. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/kernel_hardening/kernel_hardening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *v = kh_sysctl_value((const char *) data, size);
        int b = kh_efivar_bool((const char *) data, size);

        assert(v);
        assert(json_is_integer(v) || json_is_string(v) || json_is_null(v));
        if (json_is_string(v))
                assert(json_string_length(v) <= size &&
                       memcmp(json_string_value(v), data, json_string_length(v)) == 0);
        assert(size < 5 ? b < 0 : (b == 0 || b == 1));
        json_decref(v);
        return 0;
}
