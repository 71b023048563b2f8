/* SPDX-License-Identifier: MIT */
/* The installed-package table of a dpkg host (hash table by name) and the
 * upgrade policy that turns versions seen in apt's lists into candidates,
 * the way apt's pkgPolicy::GetCandidateVer() does with default pins. */
#ifndef COMPLYD_PKGDB_H
#define COMPLYD_PKGDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKGDB_MAX_PACKAGES 500000u
#define PKGDB_MAX_NAME 256u
#define PKGDB_MAX_VERSION 256u
#define PKGDB_MAX_ARCH 64u

/* What is known about the apt source a version came from. Owned by the
 * caller; pkgdb keeps pointers to suite for the packages' lifetime. */
struct pkg_source {
        const char *suite;  /* "bookworm-security" / "oldstable-security", "" unknown */
        int priority;       /* 500, 100 (NotAutomatic + ButAutomaticUpgrades), 1 (NotAutomatic) */
        bool security;
};

struct inst_pkg {
        char *name, *arch, *version;    /* owned */
        uint32_t next;                  /* index + 1 of the next package of this name, 0 = none */
        int inst_prio;                  /* best priority holding the installed version (>= 100) */
        int cand_prio;                  /* priority of the best newer version, 0 = none seen */
        char *cand_version, *cand_arch; /* owned, NULL when none */
        const char *cand_suite;         /* borrowed from a pkg_source */
        bool security;                  /* a newer version is in a security suite */
};

struct pkgdb {
        struct inst_pkg *pkgs;
        size_t n, cap;
        uint32_t *slots;                /* index + 1 of the first package of a name */
        size_t nslots;                  /* power of two, or 0 */
        char native_arch[PKGDB_MAX_ARCH + 1]; /* "" when unknown */
};

/* Adds an installed package (copies every string). Returns 0, -E2BIG past
 * PKGDB_MAX_PACKAGES or an over-long field, -EINVAL for a field with blanks,
 * control bytes or non-ASCII, -ENOMEM. */
int pkgdb_add(struct pkgdb *db, const char *name, size_t nlen, const char *arch, size_t alen,
              const char *version, size_t vlen);

/* First installed package with this name (others follow through ->next),
 * or NULL. */
struct inst_pkg *pkgdb_find(const struct pkgdb *db, const char *name, size_t nlen);

/* The version of the installed package name (of the first architecture
 * the status file lists), borrowed from db; NULL when it is not
 * installed. */
const char *pkgdb_installed_version(const struct pkgdb *db, const char *name);

/* True when a Packages entry of architecture arch can upgrade p: the same
 * architecture, or "all" on the native side. */
bool pkgdb_arch_matches(const struct pkgdb *db, const struct inst_pkg *p, const char *arch,
                        size_t alen);

/* Records that version (of a matching architecture) is available from src.
 * Returns 0 or -ENOMEM. */
int pkgdb_offer(struct inst_pkg *p, const char *version, size_t vlen, const char *arch,
                size_t alen, const struct pkg_source *src);

/* True when apt would upgrade p: a newer version whose priority is at least
 * that of the installed one. */
bool pkgdb_upgradable(const struct inst_pkg *p);

void pkgdb_free(struct pkgdb *db);

#endif
