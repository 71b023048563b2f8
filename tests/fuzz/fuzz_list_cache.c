/* SPDX-License-Identifier: MIT */
/* Fuzz target: patch_level's list cache reader. The input is a cache file
 * for a list whose stat is fixed (dev 1, inode 2, size 3, mtime 4.000000005):
 * whatever the bytes, it is a hit whose entries are complete, or a miss that
 * hands over nothing. */
#include <stdint.h>
#include <string.h>

#include "../../probes/patch_level/list_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *u, const struct deb_entry *e) {
        if (!e->name_len || !e->version_len || !e->arch_len)
                __builtin_trap();
        ++*(size_t *) u;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const struct stat src = { .st_dev = 1, .st_ino = 2, .st_size = 3,
                                         .st_mtim = { .tv_sec = 4, .tv_nsec = 5 } };
        size_t n = 0;
        struct deb_sink sink = { .entry = count, .userdata = &n };
        int r = list_cache_parse((const char *) data, size, &src, &sink);

        if (r < 0 || r > 1 || (r == 0 && (n || sink.entries)))
                __builtin_trap();
        return 0;
}
