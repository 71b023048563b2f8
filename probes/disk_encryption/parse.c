/* SPDX-License-Identifier: MIT */
/* disk_encryption: parsers of mountinfo, /proc/swaps, crypttab/fstab, ZFS
 * kstat and `zfs get` output; the dm UUID classifier. See parse.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "parse.h"

#define MAX_TOKENS 64

/* A view of one token of a line. */
struct tok {
        const char *s;
        size_t len;
};

/* Calls back on each line of buf[0..len) no longer than DE_MAX_LINE, with
 * the line's 1-based number; stops at the first negative return, which it
 * returns. */
static int for_each_line(const char *buf, size_t len,
                         int (*cb)(const char *line, size_t n, unsigned lineno, void *data),
                         void *data) {
        unsigned lineno = 0;

        for (size_t off = 0; off < len;) {
                const char *nl = memchr(buf + off, '\n', len - off);
                size_t n = nl ? (size_t) (nl - (buf + off)) : len - off;
                int r;

                lineno++;
                if (n <= DE_MAX_LINE && (r = cb(buf + off, n, lineno, data)) < 0)
                        return r;
                off += n + 1;
        }
        return 0;
}

/* Splits line[0..n) at runs of blanks into at most max tokens; returns the
 * count (extra tokens are ignored). */
static size_t split(const char *line, size_t n, struct tok *t, size_t max) {
        size_t k = 0, i = 0;

        while (i < n && k < max) {
                while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
                        i++;
                if (i >= n)
                        break;
                t[k].s = line + i;
                while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
                        i++;
                t[k].len = (size_t) (line + i - t[k].s);
                k++;
        }
        return k;
}

static bool tok_eq(const struct tok *t, const char *s) {
        return t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

/* Parses a decimal number of at most 18 digits with an optional '-'. */
static bool tok_ll(const struct tok *t, long long *v) {
        size_t i = 0;
        bool neg = false;
        long long x = 0;

        if (t->len > 0 && t->s[0] == '-')
                neg = true, i = 1;
        if (i >= t->len || t->len - i > 18)
                return false;
        for (; i < t->len; i++) {
                if (t->s[i] < '0' || t->s[i] > '9')
                        return false;
                x = x * 10 + (t->s[i] - '0');
        }
        *v = neg ? -x : x;
        return true;
}

static bool tok_uint(const struct tok *t, unsigned *v) {
        long long x;

        if (!tok_ll(t, &x) || x < 0 || x > UINT32_MAX)
                return false;
        *v = (unsigned) x;
        return true;
}

char *de_unescape(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len &&
                    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                    s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
                                       (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return out;
}

static char *tok_dup(const struct tok *t) { return de_unescape(t->s, t->len); }

/* Grows *v (elements of size sz, *n used) so one more fits, up to max.
 * Returns 1 when there is room, 0 when max is reached, -ENOMEM. */
static int grow(void **v, size_t *n, size_t sz, size_t max) {
        size_t cap;
        void *p;

        if (*n >= max)
                return 0;
        /* the capacity is the smallest power of two >= n: full when n is
         * zero or a power of two */
        if (*n & (*n - 1))
                return 1;
        cap = *n ? *n * 2 : 1;
        if (!(p = realloc(*v, cap * sz)))
                return -ENOMEM;
        *v = p;
        return 1;
}

/* ---- mountinfo ---- */

void de_mounts_free(struct de_mounts *m) {
        for (size_t i = 0; m && i < m->n; i++) {
                free(m->v[i].root);
                free(m->v[i].mountpoint);
                free(m->v[i].fstype);
                free(m->v[i].source);
        }
        if (m) {
                free(m->v);
                m->v = NULL;
                m->n = 0;
        }
}

/* Parses "MAJ:MIN". */
static bool parse_devnum(const struct tok *t, unsigned *maj, unsigned *min) {
        const char *c = memchr(t->s, ':', t->len);
        struct tok a, b;

        if (!c)
                return false;
        a = (struct tok) { t->s, (size_t) (c - t->s) };
        b = (struct tok) { c + 1, t->len - a.len - 1 };
        return tok_uint(&a, maj) && tok_uint(&b, min);
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...]
 * - FSTYPE SOURCE SUPEROPTS". Malformed lines are skipped. */
static int mountinfo_line(const char *line, size_t n, unsigned lineno, void *data) {
        struct de_mounts *m = data;
        struct tok t[MAX_TOKENS];
        size_t k = split(line, n, t, MAX_TOKENS), sep = 0;
        struct de_mount e = { 0 };
        int r;

        (void) lineno;
        for (size_t i = 6; i < k; i++)
                if (tok_eq(&t[i], "-")) {
                        sep = i;
                        break;
                }
        if (!sep || sep + 2 >= k)
                return 0;
        if (!tok_uint(&t[0], &e.id) || !tok_uint(&t[1], &e.parent) ||
            !parse_devnum(&t[2], &e.major, &e.minor))
                return 0;
        if ((r = grow((void **) &m->v, &m->n, sizeof(*m->v), DE_MAX_MOUNTS)) <= 0)
                return r;
        e.root = tok_dup(&t[3]);
        e.mountpoint = tok_dup(&t[4]);
        e.fstype = tok_dup(&t[sep + 1]);
        e.source = tok_dup(&t[sep + 2]);
        m->v[m->n++] = e;
        if (!e.root || !e.mountpoint || !e.fstype || !e.source)
                return -ENOMEM;
        return 0;
}

int de_parse_mountinfo(const char *buf, size_t len, struct de_mounts *ret) {
        struct de_mounts m = { 0 };
        int r = for_each_line(buf, len, mountinfo_line, &m);

        if (r < 0) {
                de_mounts_free(&m);
                return r;
        }
        *ret = m;
        return 0;
}

/* ---- /proc/swaps ---- */

void de_swaps_free(struct de_swaps *s) {
        for (size_t i = 0; s && i < s->n; i++)
                free(s->v[i].path);
        if (s) {
                free(s->v);
                s->v = NULL;
                s->n = 0;
        }
}

/* One /proc/swaps line: "Filename Type Size Used Priority" (the header
 * line is skipped). */
static int swaps_line(const char *line, size_t n, unsigned lineno, void *data) {
        struct de_swaps *s = data;
        struct tok t[6];
        size_t k = split(line, n, t, 6);
        struct de_swap e = { 0 };
        int r;

        (void) lineno;
        if (k < 5 || t[0].s[0] != '/')
                return 0;
        if (!tok_eq(&t[1], "file") && !tok_eq(&t[1], "partition"))
                return 0;
        if (!tok_ll(&t[2], &e.size_kib) || !tok_ll(&t[3], &e.used_kib) ||
            !tok_ll(&t[4], &e.priority))
                return 0;
        e.is_file = tok_eq(&t[1], "file");
        if ((r = grow((void **) &s->v, &s->n, sizeof(*s->v), DE_MAX_SWAPS)) <= 0)
                return r;
        if (!(e.path = tok_dup(&t[0])))
                return -ENOMEM;
        s->v[s->n++] = e;
        return 0;
}

int de_parse_swaps(const char *buf, size_t len, struct de_swaps *ret) {
        struct de_swaps s = { 0 };
        int r = for_each_line(buf, len, swaps_line, &s);

        if (r < 0) {
                de_swaps_free(&s);
                return r;
        }
        *ret = s;
        return 0;
}

/* ---- crypttab / fstab ---- */

void de_tab_free(struct de_tab *t) {
        for (size_t i = 0; t && i < t->n; i++)
                for (size_t j = 0; j < DE_TAB_FIELDS; j++)
                        free(t->v[i].f[j]);
        if (t) {
                free(t->v);
                t->v = NULL;
                t->n = 0;
        }
}

struct tab_parse {
        struct de_tab *t;
        unsigned min_fields;
};

/* One table line; '#' starts a comment line, blank lines are skipped. */
static int tab_line(const char *line, size_t n, unsigned lineno, void *data) {
        struct tab_parse *p = data;
        struct tok t[DE_TAB_FIELDS];
        size_t k = split(line, n, t, DE_TAB_FIELDS);
        struct de_tab_entry e = { .line = lineno };
        int r;

        if (k == 0 || t[0].s[0] == '#' || k < p->min_fields)
                return 0;
        if ((r = grow((void **) &p->t->v, &p->t->n, sizeof(*p->t->v), DE_MAX_TAB_ENTRIES)) <= 0)
                return r;
        p->t->v[p->t->n++] = e;
        for (size_t i = 0; i < k; i++)
                if (!(p->t->v[p->t->n - 1].f[i] = tok_dup(&t[i])))
                        return -ENOMEM;
        return 0;
}

int de_parse_tab(const char *buf, size_t len, unsigned min_fields, struct de_tab *ret) {
        struct de_tab t = { 0 };
        struct tab_parse p = { &t, min_fields ? min_fields : 1 };
        int r = for_each_line(buf, len, tab_line, &p);

        if (r < 0) {
                de_tab_free(&t);
                return r;
        }
        *ret = t;
        return 0;
}

/* ---- ZFS ---- */

struct kstat_find {
        char *value;
};

/* A kstat row "dataset_name  7  rpool/ROOT/debian" (name, type, data). */
static int kstat_line(const char *line, size_t n, unsigned lineno, void *data) {
        struct kstat_find *f = data;
        struct tok t[3];
        size_t k = split(line, n, t, 3);

        (void) lineno;
        if (k < 3 || !tok_eq(&t[0], "dataset_name"))
                return 0;
        /* the value runs to the end of the line (dataset names have no blanks) */
        if (!(f->value = strndup(t[2].s, (size_t) (line + n - t[2].s))))
                return -ENOMEM;
        f->value[strcspn(f->value, " \t\r")] = '\0';
        return -EEXIST; /* stop: found */
}

int de_parse_kstat_dataset_name(const char *buf, size_t len, char **ret) {
        struct kstat_find f = { 0 };
        int r = for_each_line(buf, len, kstat_line, &f);

        if (r == -EEXIST && f.value && f.value[0]) {
                *ret = f.value;
                return 0;
        }
        free(f.value);
        return r < 0 && r != -EEXIST ? r : -ENOENT;
}

void de_zfs_datasets_free(struct de_zfs_datasets *z) {
        for (size_t i = 0; z && i < z->n; i++) {
                free(z->v[i].name);
                free(z->v[i].encryption);
                free(z->v[i].keystatus);
                free(z->v[i].encryptionroot);
        }
        if (z) {
                free(z->v);
                z->v = NULL;
                z->n = 0;
        }
}

/* One "NAME\tPROPERTY\tVALUE" line of `zfs get -H -o name,property,value`.
 * Rows of one dataset are consecutive; a new name starts a new dataset. */
static int zfs_get_line(const char *line, size_t n, unsigned lineno, void *data) {
        struct de_zfs_datasets *z = data;
        struct tok t[4];
        size_t k = split(line, n, t, 4);
        struct de_zfs_dataset *d;
        char **slot;
        int r;

        (void) lineno;
        if (k != 3 || !(tok_eq(&t[1], "encryption") || tok_eq(&t[1], "keystatus") ||
                        tok_eq(&t[1], "encryptionroot")))
                return 0;
        d = z->n ? &z->v[z->n - 1] : NULL;
        if (!d || strlen(d->name) != t[0].len || memcmp(d->name, t[0].s, t[0].len) != 0) {
                if ((r = grow((void **) &z->v, &z->n, sizeof(*z->v), DE_MAX_ZFS_DATASETS)) <= 0)
                        return r;
                d = &z->v[z->n++];
                *d = (struct de_zfs_dataset) { 0 };
                if (!(d->name = strndup(t[0].s, t[0].len)))
                        return -ENOMEM;
        }
        if (tok_eq(&t[1], "encryption"))
                slot = &d->encryption;
        else if (tok_eq(&t[1], "keystatus"))
                slot = &d->keystatus;
        else if (tok_eq(&t[1], "encryptionroot"))
                slot = &d->encryptionroot;
        else
                return 0;
        free(*slot);
        *slot = NULL;
        if (tok_eq(&t[2], "-"))
                return 0;
        return (*slot = strndup(t[2].s, t[2].len)) ? 0 : -ENOMEM;
}

int de_parse_zfs_get(const char *buf, size_t len, struct de_zfs_datasets *ret) {
        struct de_zfs_datasets z = { 0 };
        int r = for_each_line(buf, len, zfs_get_line, &z);

        if (r < 0) {
                de_zfs_datasets_free(&z);
                return r;
        }
        *ret = z;
        return 0;
}

/* ---- dm UUIDs ---- */

/* cryptsetup's dm UUID is "CRYPT-<TYPE>-<uuid without dashes>-<name>" (or
 * "CRYPT-<TYPE>-<name>" when the device has no UUID, e.g. PLAIN). These
 * types encrypt; VERITY, INTEGRITY, SUBDEV (LUKS2 integrity helpers) and
 * TEMP devices do not. */
static const char *const encrypting_types[] = {
        "LUKS1", "LUKS2", "LUKS", "PLAIN", "LOOPAES", "TCRYPT", "BITLK", "FVAULT2",
};

void de_classify_dm_uuid(const char *uuid, struct de_dm_class *ret) {
        struct de_dm_class c = { .kind = DE_DM_OTHER };

        if (startswith(uuid, "CRYPT-")) {
                const char *t = uuid + 6;
                size_t n = strcspn(t, "-\n");

                c.kind = DE_DM_CRYPT;
                if (n >= sizeof(c.type))
                        n = sizeof(c.type) - 1;
                memcpy(c.type, t, n);
                c.type[n] = '\0';
                for (size_t i = 0; i < ELEMENTSOF(encrypting_types); i++)
                        if (streq(c.type, encrypting_types[i]))
                                c.encrypting = true;
        } else if (startswith(uuid, "LVM-"))
                c.kind = DE_DM_LVM;
        else if (startswith(uuid, "mpath-"))
                c.kind = DE_DM_MPATH;
        else if (startswith(uuid, "part") && uuid[4] >= '0' && uuid[4] <= '9')
                c.kind = DE_DM_PART;
        *ret = c;
}
