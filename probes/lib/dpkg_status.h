/* SPDX-License-Identifier: MIT */
/* Parser of dpkg's status database (/var/lib/dpkg/status). */
#ifndef COMPLYD_DPKG_STATUS_H
#define COMPLYD_DPKG_STATUS_H

#include <stddef.h>

#include "pkgdb.h"

#define DPKG_STATUS_MAX_BYTES (256u << 20) /* the file itself */
#define DPKG_STATUS_MAX_STANZA (1u << 20)  /* one package's stanza */

/* Adds to db every package of the status text buf[0,len) whose Status is
 * "<want> ok installed" (any want: install, hold, deinstall; the files are
 * on disk), and sets db->native_arch from the dpkg package. Stanzas without
 * Package, Version or Architecture, over-long ones and garbage are skipped.
 * Returns the number of installed packages added, -ENOMEM, or -E2BIG when
 * there are more than PKGDB_MAX_PACKAGES. */
int dpkg_status_parse(const char *buf, size_t len, struct pkgdb *db);

#endif
