/* SPDX-License-Identifier: MIT */
/* disk_encryption: pure parsers of the host files the probe reads —
 * /proc/self/mountinfo, /proc/swaps, /etc/crypttab, /etc/fstab, ZFS kstat
 * objset files and `zfs get` output — and the dm UUID classifier. Each takes
 * a (buffer, length), owns nothing of it, has explicit limits and survives
 * garbage: a malformed line is skipped, never fatal. */
#ifndef COMPLYD_DISK_ENCRYPTION_PARSE_H
#define COMPLYD_DISK_ENCRYPTION_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define DE_MAX_LINE 16384        /* longer lines are skipped */
#define DE_MAX_MOUNTS 65536      /* mountinfo entries kept */
#define DE_MAX_SWAPS 1024        /* /proc/swaps entries kept (kernel max is 32) */
#define DE_MAX_TAB_ENTRIES 4096  /* crypttab / fstab entries kept */
#define DE_MAX_ZFS_DATASETS 65536

/* One line of /proc/self/mountinfo (proc(5)); strings unescaped, owned. */
struct de_mount {
        unsigned id, parent, major, minor;
        char *root;       /* subtree of the filesystem mounted here */
        char *mountpoint;
        char *fstype;
        char *source;     /* "none" when the kernel says so */
};

struct de_mounts {
        struct de_mount *v;
        size_t n;
};

/* One line of /proc/swaps. */
struct de_swap {
        char *path;       /* unescaped */
        bool is_file;     /* Type "file" (else "partition") */
        long long size_kib, used_kib, priority;
};

struct de_swaps {
        struct de_swap *v;
        size_t n;
};

/* One non-comment line of a whitespace-separated table (crypttab: name,
 * device, keyfile, options; fstab: spec, file, vfstype, mntops, freq,
 * passno). Missing fields are NULL; fields are octal-unescaped. */
#define DE_TAB_FIELDS 6
struct de_tab_entry {
        char *f[DE_TAB_FIELDS];
        unsigned line;    /* 1-based line number in the file */
};

struct de_tab {
        struct de_tab_entry *v;
        size_t n;
};

/* One dataset of `zfs get -H -p -o name,property,value
 * encryption,keystatus,encryptionroot` output ("-" values become NULL). */
struct de_zfs_dataset {
        char *name, *encryption, *keystatus, *encryptionroot;
};

struct de_zfs_datasets {
        struct de_zfs_dataset *v;
        size_t n;
};

/* What a device-mapper UUID (sysfs dm/uuid) says about the target. */
enum de_dm_kind {
        DE_DM_OTHER = 0,  /* no or unknown UUID prefix */
        DE_DM_CRYPT,      /* CRYPT-<TYPE>-…: cryptsetup */
        DE_DM_LVM,        /* LVM-… */
        DE_DM_MPATH,      /* mpath-… */
        DE_DM_PART,       /* partN-… (kpartx) */
};

struct de_dm_class {
        enum de_dm_kind kind;
        char type[32];    /* CRYPT type: "LUKS2", "PLAIN", "VERITY", ...; else "" */
        bool encrypting;  /* a crypt type that encrypts data (not VERITY/INTEGRITY/...) */
};

int de_parse_mountinfo(const char *buf, size_t len, struct de_mounts *ret);
void de_mounts_free(struct de_mounts *m);

int de_parse_swaps(const char *buf, size_t len, struct de_swaps *ret);
void de_swaps_free(struct de_swaps *s);

/* min_fields: lines with fewer fields are skipped (crypttab 2, fstab 2). */
int de_parse_tab(const char *buf, size_t len, unsigned min_fields, struct de_tab *ret);
void de_tab_free(struct de_tab *t);

/* The value of the "dataset_name" row of a ZFS objset kstat file, malloc'ed
 * in *ret; -ENOENT when absent. */
int de_parse_kstat_dataset_name(const char *buf, size_t len, char **ret);

int de_parse_zfs_get(const char *buf, size_t len, struct de_zfs_datasets *ret);
void de_zfs_datasets_free(struct de_zfs_datasets *z);

/* Classify a dm/uuid string (trailing newline allowed). Never fails. */
void de_classify_dm_uuid(const char *uuid, struct de_dm_class *ret);

/* Decode the kernel's octal escapes (\040 \011 \012 \134) of s[0..len) into
 * a new string; NULL on out of memory. */
char *de_unescape(const char *s, size_t len);

#endif
