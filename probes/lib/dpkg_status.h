/* SPDX-License-Identifier: MIT */
/* Parser of dpkg's status database (/var/lib/dpkg/status): the one every
 * probe uses to know which packages are installed, and at which version. */
#ifndef COMPLYD_DPKG_STATUS_H
#define COMPLYD_DPKG_STATUS_H

#include <stddef.h>

#include <complyd/probe.h>

#include "pkgdb.h"

#define DPKG_STATUS_PATH "/var/lib/dpkg/status"
#define DPKG_STATUS_MAX_BYTES (256u << 20) /* the file itself */
#define DPKG_STATUS_MAX_STANZA (1u << 20)  /* one package's stanza */

/* Adds to db every package of the status text buf[0,len) whose Status is
 * "<want> ok installed" (any want: install, hold, deinstall; the files are
 * on disk), and sets db->native_arch from the dpkg package. Stanzas without
 * Package, Version or Architecture, over-long ones and garbage are skipped.
 * Returns the number of installed packages added, -ENOMEM, or -E2BIG when
 * there are more than PKGDB_MAX_PACKAGES. */
int dpkg_status_parse(const char *buf, size_t len, struct pkgdb *db);

/* Reads DPKG_STATUS_PATH under ctx's root and fills the empty table db
 * with its installed packages (dpkg_status_parse); ask it with
 * pkgdb_installed_version() or pkgdb_find(). Returns the number of
 * installed packages; -ENOMEM or -E2BIG (more than PKGDB_MAX_PACKAGES)
 * when parsing fails; any other -errno is ctx->read_file's, meaning no
 * usable status file (-ENOENT: not a dpkg host, -EFBIG: over
 * DPKG_STATUS_MAX_BYTES). On failure db is left empty. The caller owns db
 * and frees it with pkgdb_free(). */
int dpkg_status_load(const struct complyd_probe_ctx *ctx, struct pkgdb *db);

#endif
