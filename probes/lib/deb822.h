/* SPDX-License-Identifier: MIT */
/* Tiny helpers for deb822 control text (dpkg status, apt Packages and
 * Release files): line-level field matching on (pointer, length) spans.
 * Header-only, no allocation. */
#ifndef COMPLYD_DEB822_H
#define COMPLYD_DEB822_H

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* When the line [l, l+len) is "Field: value" for field (case-insensitive,
 * as deb822 field names are), stores the value without surrounding blanks
 * and returns true. Continuation lines (leading blank) never match. */
static inline bool deb822_field(const char *l, size_t len, const char *field, size_t flen,
                                const char **val, size_t *vlen) {
        const char *v, *e = l + len;

        if (len <= flen || l[flen] != ':' || strncasecmp(l, field, flen) != 0)
                return false;
        v = l + flen + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
                v++;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                e--;
        *val = v;
        *vlen = (size_t) (e - v);
        return true;
}

#define DEB822_FIELD(l, len, lit, val, vlen) deb822_field(l, len, lit, sizeof(lit) - 1, val, vlen)

/* True for a line that ends a stanza: empty or only blanks / CR. */
static inline bool deb822_blank(const char *l, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
                        return false;
        return true;
}

/* First "\n\n" in [p, end) (pointer to its first byte), or NULL: the end
 * of a stanza. With SSE2, 16 bytes per step: a mask of newlines, ANDed with
 * itself shifted by one, marks newline pairs; glibc's memmem() is several
 * times slower for this two-byte needle. */
static inline const char *deb822_find_blank_line(const char *p, const char *end) {
#ifdef __SSE2__
        const __m128i nl = _mm_set1_epi8('\n');
        bool carry = false; /* the byte before p is a newline */

        while (end - p >= 16) {
                unsigned m = (unsigned) _mm_movemask_epi8(
                        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *) (const void *) p), nl));
                unsigned pairs = m & (m >> 1);

                if (carry && (m & 1))
                        return p - 1;
                if (pairs)
                        return p + __builtin_ctz(pairs);
                carry = m & 0x8000;
                p += 16;
        }
        if (carry && p < end && *p == '\n')
                return p - 1;
#endif
        for (; end - p >= 2; p++)
                if (p[0] == '\n' && p[1] == '\n')
                        return p;
        return NULL;
}

#endif
