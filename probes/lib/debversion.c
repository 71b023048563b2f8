/* SPDX-License-Identifier: MIT */
/* Debian and RPM version comparison. The Debian part is a transcription of
 * dpkg's lib/dpkg/version.c (parseversion + verrevcmp) onto length-bounded
 * strings; out-of-range positions read as NUL, exactly like dpkg's pointer
 * walk over a C string. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "debversion.h"

struct span {
        const char *p;
        size_t n;
};

static inline int at(struct span s, size_t i) {
        return i < s.n ? (unsigned char) s.p[i] : 0;
}

static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* dpkg's order(): digits 0, letters their code, '~' -1, end 0, anything
 * else code + 256. */
static inline int order(int c) {
        if (is_digit(c))
                return 0;
        if (is_alpha(c))
                return c;
        if (c == '~')
                return -1;
        if (c)
                return c + 256;
        return 0;
}

/* dpkg's verrevcmp() on two spans (no NUL inside): alternating non-digit
 * and digit runs. Neither index ever passes its span's end: the non-digit
 * loop returns as soon as one side ends while the other has a non-digit. */
static int verrevcmp(struct span a, struct span b) {
        size_t i = 0, j = 0;

        while (i < a.n || j < b.n) {
                int first_diff = 0;

                while ((at(a, i) && !is_digit(at(a, i))) || (at(b, j) && !is_digit(at(b, j)))) {
                        int ac = order(at(a, i)), bc = order(at(b, j));

                        if (ac != bc)
                                return ac - bc;
                        i++, j++;
                }
                while (at(a, i) == '0')
                        i++;
                while (at(b, j) == '0')
                        j++;
                while (is_digit(at(a, i)) && is_digit(at(b, j))) {
                        if (!first_diff)
                                first_diff = at(a, i) - at(b, j);
                        i++, j++;
                }
                if (is_digit(at(a, i)))
                        return 1;
                if (is_digit(at(b, j)))
                        return -1;
                if (first_diff)
                        return first_diff;
        }
        return 0;
}

struct debver {
        uint64_t epoch;
        struct span version, revision;
};

/* Splits "[epoch:]version[-revision]" like dpkg's parseversion(): leading and
 * trailing blanks dropped, epoch before the first ':', revision after the
 * last '-'. A missing or non-numeric epoch counts as 0 (dpkg would reject the
 * latter); epochs saturate rather than overflow. */
static struct debver debver_split(const char *s, size_t n) {
        struct debver v = { 0 };
        const char *colon, *hyphen;
        const char *nul = memchr(s, '\0', n);

        if (nul)
                n = (size_t) (nul - s);
        while (n && (*s == ' ' || *s == '\t' || *s == '\n'))
                s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
                n--;
        colon = memchr(s, ':', n);
        if (colon) {
                for (const char *p = s; p < colon; p++) {
                        if (!is_digit((unsigned char) *p)) {
                                v.epoch = 0;
                                break;
                        }
                        v.epoch = v.epoch > UINT32_MAX ? v.epoch : v.epoch * 10 + (uint64_t) (*p - '0');
                }
                n -= (size_t) (colon + 1 - s);
                s = colon + 1;
        }
        hyphen = memrchr(s, '-', n);
        if (hyphen) {
                v.version = (struct span) { s, (size_t) (hyphen - s) };
                v.revision = (struct span) { hyphen + 1, n - (size_t) (hyphen + 1 - s) };
        } else {
                v.version = (struct span) { s, n };
                v.revision = (struct span) { "", 0 };
        }
        return v;
}

void debversion_split(const char *v, size_t len, struct debversion_parts *parts) {
        struct debver d = debver_split(v, len);

        *parts = (struct debversion_parts) {
                .epoch = d.epoch,
                .upstream = d.version.p, .upstream_len = d.version.n,
                .revision = d.revision.p, .revision_len = d.revision.n,
        };
}

int debversion_cmp(const char *a, size_t alen, const char *b, size_t blen) {
        struct debver va = debver_split(a, alen), vb = debver_split(b, blen);
        int r;

        if (va.epoch != vb.epoch)
                return va.epoch > vb.epoch ? 1 : -1;
        r = verrevcmp(va.version, vb.version);
        if (r)
                return r;
        return verrevcmp(va.revision, vb.revision);
}

int debversion_cmp_str(const char *a, const char *b) {
        return debversion_cmp(a, strlen(a), b, strlen(b));
}

static inline bool is_alnum(int c) { return is_digit(c) || is_alpha(c); }

/* Compares two digit runs numerically (leading zeros ignored). */
static int cmp_digits(struct span a, struct span b) {
        while (a.n && *a.p == '0')
                a.p++, a.n--;
        while (b.n && *b.p == '0')
                b.p++, b.n--;
        if (a.n != b.n)
                return a.n > b.n ? 1 : -1;
        return memcmp(a.p, b.p, a.n) > 0 ? 1 : memcmp(a.p, b.p, a.n) < 0 ? -1 : 0;
}

/* rpm's rpmvercmp() (rpmio/rpmvercmp.c) on spans. */
int rpmvercmp(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0, j = 0;

        if (alen == blen && memcmp(a, b, alen) == 0)
                return 0;
        for (;;) {
                bool isnum;
                size_t si, sj;
                int r;

                while (i < alen && !is_alnum((unsigned char) a[i]) && a[i] != '~' && a[i] != '^')
                        i++;
                while (j < blen && !is_alnum((unsigned char) b[j]) && b[j] != '~' && b[j] != '^')
                        j++;
                if ((i < alen && a[i] == '~') || (j < blen && b[j] == '~')) {
                        if (!(i < alen && a[i] == '~'))
                                return 1;
                        if (!(j < blen && b[j] == '~'))
                                return -1;
                        i++, j++;
                        continue;
                }
                if ((i < alen && a[i] == '^') || (j < blen && b[j] == '^')) {
                        if (i >= alen)
                                return -1;
                        if (j >= blen)
                                return 1;
                        if (a[i] != '^')
                                return 1;
                        if (b[j] != '^')
                                return -1;
                        i++, j++;
                        continue;
                }
                if (i >= alen || j >= blen)
                        break;
                si = i, sj = j;
                isnum = is_digit((unsigned char) a[i]);
                if (isnum) {
                        while (i < alen && is_digit((unsigned char) a[i]))
                                i++;
                        while (j < blen && is_digit((unsigned char) b[j]))
                                j++;
                } else {
                        while (i < alen && is_alpha((unsigned char) a[i]))
                                i++;
                        while (j < blen && is_alpha((unsigned char) b[j]))
                                j++;
                }
                if (sj == j)
                        return isnum ? 1 : -1;
                if (isnum) {
                        r = cmp_digits((struct span) { a + si, i - si }, (struct span) { b + sj, j - sj });
                } else {
                        size_t la = i - si, lb = j - sj, m = la < lb ? la : lb;
                        r = memcmp(a + si, b + sj, m);
                        if (!r && la != lb)
                                r = la > lb ? 1 : -1;
                }
                if (r)
                        return r > 0 ? 1 : -1;
        }
        if (i >= alen && j >= blen)
                return 0;
        return i >= alen ? -1 : 1;
}

/* Splits "[epoch:]version[-release]" for rpm and compares part by part. */
int rpm_evr_cmp_str(const char *a, const char *b) {
        const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
        unsigned long ea = 0, eb = 0;
        const char *va = a, *vb = b, *ra, *rb;
        size_t lva, lvb;
        int r;

        if (ca) {
                for (const char *p = a; p < ca && is_digit((unsigned char) *p) && ea < UINT32_MAX; p++)
                        ea = ea * 10 + (unsigned long) (*p - '0');
                va = ca + 1;
        }
        if (cb) {
                for (const char *p = b; p < cb && is_digit((unsigned char) *p) && eb < UINT32_MAX; p++)
                        eb = eb * 10 + (unsigned long) (*p - '0');
                vb = cb + 1;
        }
        if (ea != eb)
                return ea > eb ? 1 : -1;
        ra = strrchr(va, '-');
        rb = strrchr(vb, '-');
        lva = ra ? (size_t) (ra - va) : strlen(va);
        lvb = rb ? (size_t) (rb - vb) : strlen(vb);
        r = rpmvercmp(va, lva, vb, lvb);
        if (r || !ra || !rb)
                return r;
        return rpmvercmp(ra + 1, strlen(ra + 1), rb + 1, strlen(rb + 1));
}
