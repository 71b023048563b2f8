/* SPDX-License-Identifier: MIT */
/* FNV-1a, 64 bits: the hash of complyd's in-memory open-addressing tables
 * (installed packages, report strings, verified hosts). Never stored or
 * sent: only for lookups. Header-only. */
#ifndef COMPLYD_FNV1A_H
#define COMPLYD_FNV1A_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t fnv1a(const void *data, size_t n) {
        const unsigned char *p = data;
        uint64_t h = 14695981039346656037ULL;

        for (size_t i = 0; i < n; i++)
                h = (h ^ p[i]) * 1099511628211ULL;
        return h;
}

#endif
