/* SPDX-License-Identifier: MIT */
/* Fuzz target: the sysctl.d parser of kernel_hardening. Every line it
 * hands over is an error or an assignment with a non-empty key. */
#include <stdint.h>
#include <string.h>

#include "../../probes/kernel_hardening/sysctl_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(const struct kh_sysctl_line *l, void *u) {
        (void) u;
        if (!l->error && (!l->key[0] || strlen(l->key) > KH_SYSCTL_KEY_MAX || !l->value))
                __builtin_trap();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        (void) kh_sysctl_conf_parse((const char *) data, size, check, NULL);
        return 0;
}
