/* SPDX-License-Identifier: MIT */
/* disk_encryption: the block device stack walk in sysfs and the lookups
 * that lead to it (device number, device path, dm name). */
#ifndef COMPLYD_DISK_ENCRYPTION_STACK_H
#define COMPLYD_DISK_ENCRYPTION_STACK_H

#include <complyd/probe.h>

#include "parse.h"

#define DE_MAX_DEPTH 16   /* layers from a filesystem down to a disk */
#define DE_MAX_NODES 128  /* devices visited for one filesystem */
#define DE_MAX_SLAVES 64  /* slaves/ entries followed per device */
#define DE_MAX_DM 4096    /* device-mapper devices enumerated */

/* Three-valued encryption state: unknown when part of the stack is not
 * visible (no sysfs entry, a ZFS dataset without `zfs get`). */
enum de_tri { DE_NO = 0, DE_YES = 1, DE_UNKNOWN = 2 };

/* One active device-mapper device, from /sys/block/dm-*. */
struct de_dm {
        char *sysdir;     /* canonical host path, /sys/devices/virtual/block/dm-N */
        char *kname;      /* "dm-N" */
        char *name;       /* dm/name, e.g. "cryptroot" */
        char *uuid;       /* dm/uuid, "" when none */
        struct de_dm_class cls;
};

struct de_dm_table {
        struct de_dm *v;
        size_t n;
};

int de_dm_table_load(const struct complyd_probe_ctx *ctx, struct de_dm_table *ret);
void de_dm_table_free(struct de_dm_table *t);

/* Canonical sysfs directory of block device MAJ:MIN (from /sys/dev/block),
 * malloc'ed; -ENOENT when there is none. */
int de_sysdir_for_devnum(const struct complyd_probe_ctx *ctx, unsigned major, unsigned minor,
                         char **ret);

/* Canonical sysfs directory of the block device at a host path ("/dev/dm-1",
 * "/dev/mapper/cryptswap", "/dev/vda3", "/dev/disk/by-uuid/…"): by stat()
 * where the node exists, else by name through /sys/class/block or the dm
 * table. -ENOENT / -ENOTBLK when it is not a block device we can see. */
int de_sysdir_for_path(const struct complyd_probe_ctx *ctx, const struct de_dm_table *dm,
                       const char *path, char **ret);

/* The mount in m holding host path `path` (longest mountpoint prefix, the
 * last mounted on ties), or NULL. */
const struct de_mount *de_mount_holding(const struct de_mounts *m, const char *path);

/* Walks the stack below the block device at sysfs directory sysdir and
 * returns a new object {"encrypted": true|false|null, "scheme": "LUKS2"|…
 * |null, "stack": [layer, …] top-down, "stack_truncated": bool}. mounts is
 * used to follow loop devices to the filesystem holding their backing
 * file. Returns 0 or -ENOMEM. */
int de_walk_device(const struct complyd_probe_ctx *ctx, const struct de_mounts *mounts,
                   const char *sysdir, json_t **ret);

/* Reads a small sysfs attribute dir/attr, without the trailing newline. */
int de_read_attr(const struct complyd_probe_ctx *ctx, const char *dir, const char *attr,
                 char **ret);

json_t *de_tri_json(enum de_tri t);

#endif
