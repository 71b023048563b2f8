/* SPDX-License-Identifier: MIT */
/* Installed-package hash table (open addressing over names, FNV-1a) and
 * apt's default candidate policy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "debversion.h"
#include "fnv1a.h"
#include "pkgdb.h"

#define DPKG_STATUS_PRIORITY 100

static bool name_is(const struct inst_pkg *p, const char *name, size_t nlen) {
        return strncmp(p->name, name, nlen) == 0 && p->name[nlen] == '\0';
}

/* Slot of name: the one holding it, or the empty one where it goes. */
static size_t slot_of(const struct pkgdb *db, const char *name, size_t nlen) {
        size_t mask = db->nslots - 1, i = (size_t) fnv1a(name, nlen) & mask;

        while (db->slots[i] && !name_is(&db->pkgs[db->slots[i] - 1], name, nlen))
                i = (i + 1) & mask;
        return i;
}

/* Doubles the slot array and re-inserts the first package of every name. */
static int rehash(struct pkgdb *db) {
        size_t nslots = db->nslots ? db->nslots * 2 : 1024;
        uint32_t *old = db->slots;
        size_t oldn = db->nslots;

        db->slots = calloc(nslots, sizeof(uint32_t));
        if (!db->slots) {
                db->slots = old;
                return -ENOMEM;
        }
        db->nslots = nslots;
        for (size_t i = 0; i < oldn; i++)
                if (old[i]) {
                        const struct inst_pkg *p = &db->pkgs[old[i] - 1];
                        db->slots[slot_of(db, p->name, strlen(p->name))] = old[i];
                }
        free(old);
        return 0;
}

static int grow(struct pkgdb *db) {
        size_t cap = db->cap ? db->cap * 2 : 1024;
        struct inst_pkg *p;

        if (db->n < db->cap)
                return 0;
        p = realloc(db->pkgs, cap * sizeof(*p));
        if (!p)
                return -ENOMEM;
        db->pkgs = p;
        db->cap = cap;
        return 0;
}

/* Package names, versions and architectures are printable ASCII without
 * blanks; anything else (a NUL in particular) is not a package. */
static bool token_ok(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] <= ' ' || (unsigned char) s[i] >= 0x7f)
                        return false;
        return true;
}

int pkgdb_add(struct pkgdb *db, const char *name, size_t nlen, const char *arch, size_t alen,
              const char *version, size_t vlen) {
        struct inst_pkg p = { .inst_prio = DPKG_STATUS_PRIORITY };
        size_t s;
        int r;

        if (db->n >= PKGDB_MAX_PACKAGES || nlen == 0 || nlen > PKGDB_MAX_NAME ||
            alen > PKGDB_MAX_ARCH || vlen == 0 || vlen > PKGDB_MAX_VERSION)
                return -E2BIG;
        if (!token_ok(name, nlen) || !token_ok(arch, alen) || !token_ok(version, vlen))
                return -EINVAL;
        if ((db->n + 1) * 2 > db->nslots && (r = rehash(db)) < 0)
                return r;
        if ((r = grow(db)) < 0)
                return r;
        p.name = strndup(name, nlen);
        p.arch = strndup(arch, alen);
        p.version = strndup(version, vlen);
        if (!p.name || !p.arch || !p.version) {
                free(p.name), free(p.arch), free(p.version);
                return -ENOMEM;
        }
        s = slot_of(db, name, nlen);
        if (db->slots[s]) {
                /* chain after the existing packages of this name */
                struct inst_pkg *q = &db->pkgs[db->slots[s] - 1];
                while (q->next)
                        q = &db->pkgs[q->next - 1];
                q->next = (uint32_t) db->n + 1;
        } else
                db->slots[s] = (uint32_t) db->n + 1;
        db->pkgs[db->n++] = p;
        return 0;
}

struct inst_pkg *pkgdb_find(const struct pkgdb *db, const char *name, size_t nlen) {
        size_t s;

        if (!db->nslots || nlen == 0 || nlen > PKGDB_MAX_NAME)
                return NULL;
        s = slot_of(db, name, nlen);
        return db->slots[s] ? &db->pkgs[db->slots[s] - 1] : NULL;
}

const char *pkgdb_installed_version(const struct pkgdb *db, const char *name) {
        const struct inst_pkg *p = pkgdb_find(db, name, strlen(name));

        return p ? p->version : NULL;
}

static bool span_is(const char *s, size_t n, const char *lit) {
        return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

bool pkgdb_arch_matches(const struct pkgdb *db, const struct inst_pkg *p, const char *arch,
                        size_t alen) {
        bool native_known = db->native_arch[0] != '\0';

        if (span_is(arch, alen, p->arch))
                return true;
        if (span_is(arch, alen, "all"))
                return !native_known || !strcmp(p->arch, db->native_arch) || !strcmp(p->arch, "all");
        if (!strcmp(p->arch, "all"))
                return !native_known || span_is(arch, alen, db->native_arch);
        return false;
}

int pkgdb_offer(struct inst_pkg *p, const char *version, size_t vlen, const char *arch,
                size_t alen, const struct pkg_source *src) {
        int c = debversion_cmp(version, vlen, p->version, strlen(p->version));
        char *v, *a;

        if (c == 0) {
                if (src->priority > p->inst_prio)
                        p->inst_prio = src->priority;
                return 0;
        }
        if (c < 0)
                return 0;
        if (src->security)
                p->security = true;
        if (src->priority <= 0 || src->priority < p->cand_prio)
                return 0;
        if (src->priority == p->cand_prio &&
            debversion_cmp(version, vlen, p->cand_version, strlen(p->cand_version)) <= 0)
                return 0;
        if (vlen > PKGDB_MAX_VERSION || alen > PKGDB_MAX_ARCH)
                return 0;
        v = strndup(version, vlen);
        a = strndup(arch, alen);
        if (!v || !a) {
                free(v), free(a);
                return -ENOMEM;
        }
        free(p->cand_version), free(p->cand_arch);
        p->cand_version = v;
        p->cand_arch = a;
        p->cand_prio = src->priority;
        p->cand_suite = src->suite;
        return 0;
}

bool pkgdb_upgradable(const struct inst_pkg *p) {
        return p->cand_version && p->cand_prio >= p->inst_prio;
}

void pkgdb_free(struct pkgdb *db) {
        for (size_t i = 0; i < db->n; i++) {
                free(db->pkgs[i].name), free(db->pkgs[i].arch), free(db->pkgs[i].version);
                free(db->pkgs[i].cand_version), free(db->pkgs[i].cand_arch);
        }
        free(db->pkgs);
        free(db->slots);
        *db = (struct pkgdb) { 0 };
}
