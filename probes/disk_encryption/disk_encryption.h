/* SPDX-License-Identifier: MIT */
/* disk_encryption: the probe's entry point with its one outside input made
 * explicit, so tests can hand in recorded `zfs get` output. */
#ifndef COMPLYD_DISK_ENCRYPTION_H
#define COMPLYD_DISK_ENCRYPTION_H

#include <complyd/probe.h>

/* Observes the host under ctx. zfs_get is the output of `zfs get -H -p -o
 * name,property,value encryption,keystatus,encryptionroot` (NULL when not
 * available: then ZFS datasets come from /proc/spl/kstat/zfs and their
 * encryption is unknown). Returns 0 and a new object in *out, or -errno. */
int de_observe(const struct complyd_probe_ctx *ctx, const char *zfs_get, json_t **out);

#endif
