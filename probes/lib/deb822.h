/* SPDX-License-Identifier: MIT */
/* Tiny helpers for deb822 control text (dpkg status, apt Packages and
 * Release files): line-level field matching on (pointer, length) spans.
 * Header-only, no allocation. */
#ifndef COMPLYD_DEB822_H
#define COMPLYD_DEB822_H

#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

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

#endif
