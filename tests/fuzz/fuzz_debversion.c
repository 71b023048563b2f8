/* SPDX-License-Identifier: MIT */
/* Fuzz target: Debian and RPM version comparison. The input is two
 * versions separated by the first newline; the order must be antisymmetric
 * and a version equal to itself; the split of the first stays inside it. */
#include <stdint.h>
#include <string.h>

#include "debversion.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x) { return (x > 0) - (x < 0); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *) data;
        const char *nl = memchr(s, '\n', size);
        size_t alen = nl ? (size_t) (nl - s) : size / 2;
        const char *b = nl ? nl + 1 : s + alen;
        size_t blen = size - (size_t) (b - s);

        if (sign(debversion_cmp(s, alen, b, blen)) != -sign(debversion_cmp(b, blen, s, alen)))
                __builtin_trap();
        if (debversion_cmp(s, alen, s, alen) != 0 || rpmvercmp(s, alen, s, alen) != 0)
                __builtin_trap();
        if (sign(rpmvercmp(s, alen, b, blen)) != -sign(rpmvercmp(b, blen, s, alen)))
                __builtin_trap();
        /* the split stays inside the input */
        struct debversion_parts v;
        debversion_split(s, alen, &v);
        if (v.upstream < s || v.upstream + v.upstream_len > s + alen ||
            (v.revision_len && (v.revision < v.upstream || v.revision + v.revision_len > s + alen)))
                __builtin_trap();
        return 0;
}
