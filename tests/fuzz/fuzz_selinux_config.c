/* SPDX-License-Identifier: MIT */
/* Fuzz target: kernel_hardening's KEY=VALUE reader of /etc/selinux/config:
 * a value found is no longer than the input and holds no newline. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/kernel_hardening/kernel_hardening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "SELINUX", "SELINUXTYPE", "S" };

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char *v = NULL;
                int r = kh_kv_value((const char *) data, size, keys[i], &v);

                assert(r == 0 || r == 1);
                if (r == 1) {
                        assert(strlen(v) <= size && !strchr(v, '\n'));
                        free(v);
                }
        }
        return 0;
}
