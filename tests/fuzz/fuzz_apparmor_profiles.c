/* SPDX-License-Identifier: MIT */
/* Fuzz target: kernel_hardening's parser of
 * /sys/kernel/security/apparmor/profiles ("name (mode)" lines): the modes
 * counted always add up to the number of profiles returned. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/kernel_hardening/kernel_hardening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct kh_apparmor_counts c;
        unsigned long n = kh_apparmor_profiles((const char *) data, size, &c);

        assert(n == c.enforce + c.complain + c.kill + c.unconfined + c.other);
        assert(n <= size);
        return 0;
}
