/* SPDX-License-Identifier: MIT */
/* libFuzzer target: probes/lib/os_release, the os-release(5) reader of the
 * hostinfo and patch_level probes. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os_release.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "ID", "VERSION_ID", "PRETTY_NAME", "" };
        char *text = malloc(size + 1);

        assert(text);
        memcpy(text, data, size);
        text[size] = '\0';
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
                json_t *v = os_release_value(text, keys[i]);

                assert(v && (json_is_null(v) || json_string_length(v) <= size));
                json_decref(v);
        }
        free(text);
        return 0;
}
