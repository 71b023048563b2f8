/* SPDX-License-Identifier: MIT */
/* Fuzz target: the time_sync probe's dpkg status scan for the time
 * daemons' packages: never crashes, reads only within the input. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/time_sync/time_sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const names[] = { "chrony", "systemd-timesyncd", "ntpsec", "ntp" };
        bool got[4];

        assert(ts_dpkg_installed((const char *) data, size, names, 4, got) == 0);
        return 0;
}
