/* SPDX-License-Identifier: MIT */
/* Debian version ordering, identical to `dpkg --compare-versions`, and RPM's
 * rpmvercmp(). Pure functions over (pointer, length) strings: no allocation,
 * no NUL terminator needed, any byte sequence accepted. */
#ifndef COMPLYD_DEBVERSION_H
#define COMPLYD_DEBVERSION_H

#include <stddef.h>
#include <stdint.h>

/* The parts of a Debian version "[epoch:]upstream[-revision]" as dpkg's
 * parseversion() splits it: blanks around it dropped, epoch before the
 * first ':' (0 when missing or not a number), revision after the last '-'
 * ("" when none). upstream and revision point into the input. */
struct debversion_parts {
        uint64_t epoch;
        const char *upstream, *revision;
        size_t upstream_len, revision_len;
};
void debversion_split(const char *v, size_t len, struct debversion_parts *parts);

/* Compares two Debian versions "[epoch:]upstream[-revision]" as dpkg does
 * (epochs numerically, then upstream and revision with dpkg's verrevcmp: '~'
 * sorts before everything, letters before other non-digits, digit runs
 * numerically). Returns <0, 0 or >0. */
int debversion_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Convenience for NUL-terminated strings. */
int debversion_cmp_str(const char *a, const char *b);

/* rpm's rpmvercmp() on one version or release segment: alphanumeric runs
 * compared (digits numerically and newer than letters), '~' older and '^'
 * newer than the end of the string. Returns <0, 0 or >0. */
int rpmvercmp(const char *a, size_t alen, const char *b, size_t blen);

/* Compares two RPM "[epoch:]version[-release]" strings (missing epoch = 0).
 * Returns <0, 0 or >0. */
int rpm_evr_cmp_str(const char *a, const char *b);

#endif
