/* SPDX-License-Identifier: MIT */
/* libFuzzer target: disk_encryption's `zfs get` output and ZFS objset kstat parsers. */
#include <stdint.h>
#include <stdlib.h>

#include "../../probes/disk_encryption/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct de_zfs_datasets z;
        char *name;

        if (de_parse_zfs_get((const char *) data, size, &z) == 0)
                de_zfs_datasets_free(&z);
        if (de_parse_kstat_dataset_name((const char *) data, size, &name) == 0)
                free(name);
        return 0;
}
