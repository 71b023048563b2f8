/* SPDX-License-Identifier: MIT */
/* passwd(5) and group(5) parser: lines -> table in file order -> by-id
 * index. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "passwd.h"

int passwd_each_line(const char *buf, size_t len, passwd_line_fn fn, void *userdata) {
        const char *p = buf, *end = buf + len;
        size_t count = 0;

        while (p < end && count < PASSWD_MAX_ENTRIES) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);

                if (n > 0 && p[n - 1] == '\r')
                        n--;
                if (n > 0 && n <= PASSWD_MAX_LINE && p[0] != '#' && !memchr(p, '\0', n)) {
                        int r = fn(p, n, userdata);
                        if (r < 0)
                                return r;
                        count += r > 0;
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}

size_t passwd_split(const char *l, size_t n, struct passwd_str *f, size_t max) {
        const char *end = l + n;
        size_t k = 0;

        while (k < max) {
                const char *c = memchr(l, ':', (size_t) (end - l));
                f[k++] = (struct passwd_str) { l, (size_t) ((c ? c : end) - l) };
                if (!c)
                        break;
                l = c + 1;
        }
        return k;
}

long long passwd_field_num(struct passwd_str f) {
        long long v = 0;

        if (f.n == 0 || f.n > 18)
                return -1;
        for (size_t i = 0; i < f.n; i++) {
                if (f.s[i] < '0' || f.s[i] > '9')
                        return -1;
                v = v * 10 + (f.s[i] - '0');
        }
        return v;
}

/* A uid/gid field: true with *id for 0 .. 2^32-1. */
static bool field_id(struct passwd_str f, uint32_t *id) {
        long long v = passwd_field_num(f);

        if (v < 0 || v > UINT32_MAX)
                return false;
        *id = (uint32_t) v;
        return true;
}

/* One line as an entry of fmt: true with *e filled, false when the line
 * is not one. */
static bool parse_entry(enum passwd_format fmt, const char *l, size_t n, struct passwd_entry *e) {
        size_t want = fmt == PASSWD_FORMAT_PASSWD ? 7 : 4;
        static const struct passwd_str none = { "", 0 };
        struct passwd_str f[8];
        struct passwd_entry x = { .gecos = none, .home = none, .shell = none, .members = none };

        if (passwd_split(l, n, f, want + 1) != want || f[0].n == 0 || l[0] == '+' || l[0] == '-')
                return false;
        x.name = f[0];
        x.password = f[1];
        if (!field_id(f[2], &x.id))
                return false;
        if (fmt == PASSWD_FORMAT_GROUP) {
                x.gid = x.id;
                x.members = f[3];
        } else {
                if (!field_id(f[3], &x.gid))
                        return false;
                x.gecos = f[4];
                x.home = f[5];
                x.shell = f[6];
        }
        *e = x;
        return true;
}

struct builder {
        enum passwd_format fmt;
        struct passwd_entry *entries;
        size_t n, cap;
};

/* passwd_each_line() callback: appends the line's entry. 1 when kept, 0
 * when not an entry, -ENOMEM. */
static int add_line(const char *l, size_t n, void *userdata) {
        struct builder *b = userdata;
        struct passwd_entry e;

        if (!parse_entry(b->fmt, l, n, &e))
                return 0;
        if (b->n == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 64;
                struct passwd_entry *p = realloc(b->entries, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                b->entries = p;
                b->cap = cap;
        }
        b->entries[b->n++] = e;
        return 1;
}

static int cmp_id(const void *a, const void *b) {
        const struct passwd_id *x = a, *y = b;

        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return (x->entry > y->entry) - (x->entry < y->entry);
}

/* The by-id index of entries[0..n): sorted by (id, file order), then only
 * the first entry of each id kept. A malloc'ed array (its length in
 * *n_ids), or NULL on ENOMEM. */
static struct passwd_id *index_ids(const struct passwd_entry *entries, size_t n, size_t *n_ids) {
        struct passwd_id *ids = malloc((n ? n : 1) * sizeof(*ids));
        size_t w = 0;

        if (!ids)
                return NULL;
        for (size_t i = 0; i < n; i++)
                ids[i] = (struct passwd_id) { entries[i].id, (uint32_t) i };
        qsort(ids, n, sizeof(*ids), cmp_id);
        for (size_t i = 0; i < n; i++)
                if (w == 0 || ids[w - 1].id != ids[i].id)
                        ids[w++] = ids[i];
        *n_ids = w;
        return ids;
}

int passwd_table_parse(struct passwd_table *t, enum passwd_format fmt, const char *buf,
                       size_t len) {
        struct builder b = { .fmt = fmt };
        struct passwd_id *ids;
        size_t n_ids;

        if (passwd_each_line(buf, len, add_line, &b) < 0 ||
            !(ids = index_ids(b.entries, b.n, &n_ids))) {
                free(b.entries);
                return -ENOMEM;
        }
        *t = (struct passwd_table) {
                .entries = b.entries, .n_entries = b.n, .by_id = ids, .n_ids = n_ids
        };
        return 0;
}

void passwd_table_done(struct passwd_table *t) {
        if (!t)
                return;
        free(t->entries);
        free(t->by_id);
        *t = (struct passwd_table) { 0 };
}

const struct passwd_entry *passwd_table_find(const struct passwd_table *t, uint32_t id) {
        size_t lo = 0, hi = t->n_ids;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (t->by_id[mid].id == id)
                        return &t->entries[t->by_id[mid].entry];
                if (t->by_id[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

bool passwd_member_next(const struct passwd_entry *g, struct passwd_member_iter *it,
                        struct passwd_str *m) {
        const char *list = g->members.s;
        size_t n = g->members.n;

        while (it->pos < n && it->count < PASSWD_MAX_MEMBERS) {
                const char *c = memchr(list + it->pos, ',', n - it->pos);
                size_t k = (size_t) ((c ? c : list + n) - (list + it->pos));

                const char *s = list + it->pos;

                it->pos += k + 1;
                it->count++;
                if (k > 0) {
                        *m = (struct passwd_str) { s, k };
                        return true;
                }
        }
        return false;
}
