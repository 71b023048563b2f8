/* SPDX-License-Identifier: MIT */
/* RPM command output parsing: whitespace-separated columns, line by line. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rpm.h"

#define MAX_COLS 8

struct cols {
        const char *p[MAX_COLS];
        size_t n[MAX_COLS];
        size_t count;
};

/* Splits a line at runs of the given separators (at most MAX_COLS
 * columns; the rest of the line is dropped). */
static void split(const char *l, size_t len, const char *seps, struct cols *c) {
        size_t i = 0;

        c->count = 0;
        while (i < len && c->count < MAX_COLS) {
                size_t s;

                while (i < len && strchr(seps, l[i]) && l[i])
                        i++;
                if (i >= len)
                        break;
                s = i;
                while (i < len && !(strchr(seps, l[i]) && l[i]))
                        i++;
                c->p[c->count] = l + s;
                c->n[c->count++] = i - s;
        }
}

static void put(char *dst, const char *s, size_t n) {
        const char *nul = memchr(s, '\0', n);

        if (nul)
                n = (size_t) (nul - s);
        if (n > RPM_MAX_FIELD)
                n = RPM_MAX_FIELD;
        memcpy(dst, s, n);
        dst[n] = '\0';
}

static bool all_digits(const char *s, size_t n) {
        if (!n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* Runs fn on each line of buf (at most RPM_MAX_LINES); fn returns 1 to go
 * on, 0 to stop, or -errno. */
static int each_line(const char *buf, size_t len,
                     int (*fn)(const char *l, size_t n, void *state), void *state) {
        const char *p = buf, *end = buf + (len > RPM_MAX_OUTPUT ? RPM_MAX_OUTPUT : len);
        unsigned lines = 0;

        while (p < end && lines++ < RPM_MAX_LINES) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);
                int r = fn(p, n, state);

                if (r <= 0)
                        return r;
                p = nl ? nl + 1 : end;
        }
        return 1;
}

struct parse_state {
        rpm_pkg_fn cb;
        void *userdata;
        int count;
};

static int emit(struct parse_state *st, const struct rpm_pkg *p) {
        int r = st->cb ? st->cb(p, st->userdata) : 0;

        if (r < 0)
                return r;
        st->count++;
        return 1;
}

/* NAME \t EPOCHNUM \t VERSION \t RELEASE \t ARCH */
static int qa_line(const char *l, size_t n, void *state) {
        struct rpm_pkg p;
        struct cols c;
        size_t m;

        split(l, n, "\t", &c);
        if (c.count != 5 || !all_digits(c.p[1], c.n[1]) || !c.n[0] || !c.n[2] || !c.n[3])
                return 1;
        put(p.name, c.p[0], c.n[0]);
        put(p.arch, c.p[4], c.n[4]);
        p.extra[0] = '\0';
        m = 0;
        if (!(c.n[1] == 1 && c.p[1][0] == '0'))
                m = (size_t) snprintf(p.evr, sizeof p.evr, "%.*s:", (int) c.n[1], c.p[1]);
        snprintf(p.evr + m, sizeof p.evr - m, "%.*s-%.*s", (int) c.n[2], c.p[2], (int) c.n[3], c.p[3]);
        return emit(state, &p);
}

int rpm_qa_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata) {
        struct parse_state st = { cb, userdata, 0 };
        int r = each_line(buf, len, qa_line, &st);
        return r < 0 ? r : st.count;
}

/* Splits "name.arch" at its last dot. */
static bool name_arch(const char *s, size_t n, struct rpm_pkg *p) {
        const char *dot = memrchr(s, '.', n);

        if (!dot || dot == s || dot == s + n - 1)
                return false;
        put(p->name, s, (size_t) (dot - s));
        put(p->arch, dot + 1, n - (size_t) (dot + 1 - s));
        return true;
}

/* "name.arch  evr  repo"; a blank line ends the updates list, and the
 * "Obsoleting Packages" section after it lists obsoleted ones. */
static int check_update_line(const char *l, size_t n, void *state) {
        struct rpm_pkg p;
        struct cols c;

        if (n >= 19 && !strncmp(l, "Obsoleting Packages", 19))
                return 0;
        split(l, n, " \t\r", &c);
        if (c.count != 3 || l[0] == ' ' || !memchr(c.p[1], '-', c.n[1]) ||
            !name_arch(c.p[0], c.n[0], &p) || (c.p[1][0] < '0' || c.p[1][0] > '9'))
                return 1;
        put(p.evr, c.p[1], c.n[1]);
        put(p.extra, c.p[2], c.n[2]);
        return emit(state, &p);
}

int dnf_check_update_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata) {
        struct parse_state st = { cb, userdata, 0 };
        int r = each_line(buf, len, check_update_line, &st);
        return r < 0 ? r : st.count;
}

/* Splits a NEVRA "name-[epoch:]version-release.arch". */
static bool nevra(const char *s, size_t n, struct rpm_pkg *p) {
        const char *dot = memrchr(s, '.', n), *rel, *ver;

        if (!dot || dot == s)
                return false;
        rel = memrchr(s, '-', (size_t) (dot - s));
        if (!rel || rel == s)
                return false;
        ver = memrchr(s, '-', (size_t) (rel - s));
        if (!ver || ver == s)
                return false;
        put(p->name, s, (size_t) (ver - s));
        put(p->evr, ver + 1, (size_t) (dot - ver - 1));
        put(p->arch, dot + 1, n - (size_t) (dot + 1 - s));
        return p->arch[0] && p->evr[0];
}

/* "ADVISORY  Severity/Sec.  nevra" (dnf4) or "ADVISORY  security  Sev  nevra"
 * variants: the advisory is the first column, the NEVRA the last. */
static int updateinfo_line(const char *l, size_t n, void *state) {
        struct rpm_pkg p;
        struct cols c;

        split(l, n, " \t\r", &c);
        if (c.count < 3 || c.count > 4 || !memmem(l, n, "Sec", 3) ||
            !nevra(c.p[c.count - 1], c.n[c.count - 1], &p))
                return 1;
        put(p.extra, c.p[0], c.n[0]);
        return emit(state, &p);
}

int dnf_updateinfo_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata) {
        struct parse_state st = { cb, userdata, 0 };
        int r = each_line(buf, len, updateinfo_line, &st);
        return r < 0 ? r : st.count;
}
