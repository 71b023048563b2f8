/* SPDX-License-Identifier: MIT */
/* disk_encryption: for every block-backed filesystem and swap area, whether
 * its data reaches the disks only through an encrypting layer — decided by
 * walking the device stack in sysfs (stack.c), never by /etc/crypttab.
 *
 * What is reported (see /work/notes/probe-disk_encryption.md):
 *  - a mount whose st_dev major (mountinfo MAJ:MIN) is not 0: every such
 *    mount is backed by a block device (anonymous superblocks — proc, sysfs,
 *    tmpfs, overlay, cgroup, FUSE, NFS — all have major 0);
 *  - a major-0 mount of ZFS (source pool/dataset) or of btrfs (its source
 *    is the block device);
 *  - network filesystems in network_filesystems[], not judged;
 *  - only the mount visible at each mountpoint (the last one mounted there).
 */
#include <errno.h>

#include "cleanup.h"
#include "disk_encryption.h"
#include "parse.h"
#include "stack.h"

#define MOUNTINFO_MAX (16u << 20)
#define SMALL_FILE_MAX (1u << 20)
#define ZFS_GET_MAX (16u << 20)

static const char *const network_fstypes[] = {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "fuse.glusterfs",
        "9p", "virtiofs", "lustre", "afs", "fuse.sshfs", "fuse.s3fs", "fuse.rclone",
        "fuse.ceph", "fuse.cephfs", "fuse.gcsfuse",
};

/* Everything one observation works with. */
struct obs {
        const struct complyd_probe_ctx *ctx;
        struct de_mounts mounts;
        struct de_dm_table dm;
        struct de_zfs_datasets zfs;
        bool have_zfs_get;
        json_t *walks;       /* "MAJ:MIN" or sysfs dir -> walk result (memo) */
        json_t *by_mp;       /* mountpoint -> filesystem object */
};

static bool is_network(const char *fstype) {
        for (size_t i = 0; i < ELEMENTSOF(network_fstypes); i++)
                if (streq(fstype, network_fstypes[i]))
                        return true;
        return false;
}

/* The walk result for the device at sysdir, computed once per device. The
 * returned object is borrowed from o->walks. */
static int walk_cached(struct obs *o, const char *sysdir, json_t **ret) {
        json_t *w = json_object_get(o->walks, sysdir);
        int r;

        if (!w) {
                if ((r = de_walk_device(o->ctx, &o->mounts, sysdir, &w)) < 0)
                        return r;
                json_object_set_new(o->walks, sysdir, w);
        }
        *ret = w;
        return 0;
}

/* A result for something whose stack cannot be seen. */
static json_t *unknown_walk(const char *why) {
        return json_pack("{s:n, s:n, s:[], s:[], s:b, s:s}", "encrypted", "scheme", "stack",
                         "stack_summary", "stack_truncated", false, "unknown_reason", why);
}

/* Copies encrypted, scheme, stack (and unknown_reason) of walk w into fs. */
static void take_walk(json_t *fs, json_t *w) {
        const char *k;
        json_t *v;
        json_t *stack = json_object_get(w, "stack"), *top = json_array_get(stack, 0);

        json_object_foreach(w, k, v) json_object_set(fs, k, v);
        json_object_set_new(fs, "volatile",
                            json_boolean(top && json_is_true(json_object_get(top, "volatile"))));
}

static const struct de_zfs_dataset *zfs_find(const struct obs *o, const char *name) {
        for (size_t i = 0; i < o->zfs.n; i++)
                if (streq(o->zfs.v[i].name, name))
                        return &o->zfs.v[i];
        return NULL;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* A ZFS dataset is encrypted when `zfs get` says its encryption is not
 * "off"; without `zfs get` output it is unknown. */
static json_t *zfs_walk(const struct obs *o, const char *dataset) {
        const struct de_zfs_dataset *d = o->have_zfs_get ? zfs_find(o, dataset) : NULL;
        _cleanup_free_ char *pool = strndup(dataset, strcspn(dataset, "/"));
        enum de_tri t = DE_UNKNOWN;
        json_t *layer;

        if (d && d->encryption)
                t = streq(d->encryption, "off") ? DE_NO : DE_YES;
        layer = json_pack("{s:s, s:n, s:s, s:s?, s:o, s:o, s:o, s:o, s:[]}", "name", dataset, "dev",
                          "kind", "zfs-dataset", "pool", pool, "encryption",
                          str_or_null(d ? d->encryption : NULL), "keystatus",
                          str_or_null(d ? d->keystatus : NULL), "encryptionroot",
                          str_or_null(d ? d->encryptionroot : NULL), "encrypted", de_tri_json(t),
                          "below");
        return json_pack("{s:o, s:o, s:[o], s:[s+], s:b, s:s*}", "encrypted", de_tri_json(t), "scheme",
                         t == DE_YES ? json_string("zfs-native") : json_null(), "stack", layer,
                         "stack_summary", dataset, " (zfs-dataset)", "stack_truncated", false, "unknown_reason",
                         t != DE_UNKNOWN ? NULL
                         : o->have_zfs_get ? "dataset not in zfs get output"
                                           : "zfs get not available (not the live host, or no zfs command)");
}

/* The walk result for mount m, or NULL when m is not reported (pseudo or
 * network filesystem). New reference. */
static int mount_walk(struct obs *o, const struct de_mount *m, json_t **ret) {
        _cleanup_free_ char *sysdir = NULL;
        json_t *w;
        int r;

        *ret = NULL;
        if (streq(m->fstype, "zfs")) {
                *ret = zfs_walk(o, m->source);
                return *ret ? 0 : -ENOMEM;
        }
        if (m->major != 0)
                r = de_sysdir_for_devnum(o->ctx, m->major, m->minor, &sysdir);
        else if (streq(m->fstype, "btrfs"))
                r = de_sysdir_for_path(o->ctx, &o->dm, m->source, &sysdir);
        else
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret = unknown_walk("block device not found in /sys/dev/block");
                return *ret ? 0 : -ENOMEM;
        }
        if ((r = walk_cached(o, sysdir, &w)) < 0)
                return r;
        *ret = json_incref(w);
        return 0;
}

/* True when a later mount covers the same mountpoint (m is hidden). */
static bool hidden(const struct obs *o, size_t i, json_t *last) {
        json_t *l = json_object_get(last, o->mounts.v[i].mountpoint);
        return l && (size_t) json_integer_value(l) != i;
}

/* Key identifying the filesystem behind a mount, for bind detection. */
static char *fs_key(const struct de_mount *m) {
        char *k = NULL;

        if (m->major == 0 && !streq(m->fstype, "btrfs"))
                return asprintf(&k, "%s:%s", m->fstype, m->source) < 0 ? NULL : k;
        return asprintf(&k, "%u:%u", m->major, m->minor) < 0 ? NULL : k;
}

/* Builds one filesystems[] entry for visible mount m. */
static int filesystem_entry(struct obs *o, const struct de_mount *m, json_t *first_mp,
                            json_t **ret) {
        _cleanup_json_ json_t *w = NULL;
        _cleanup_free_ char *key = fs_key(m);
        char dev[32];
        json_t *fs, *bind;
        int r;

        if (!key)
                return -ENOMEM;
        if ((r = mount_walk(o, m, &w)) < 0 || !w) {
                *ret = NULL;
                return r;
        }
        snprintf(dev, sizeof(dev), "%u:%u", m->major, m->minor);
        bind = json_object_get(first_mp, key);
        fs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "mountpoint", m->mountpoint, "source",
                       m->source, "fstype", m->fstype, "root", m->root, "dev", dev, "bind_of",
                       bind ? json_incref(bind) : json_null());
        if (!fs)
                return -ENOMEM;
        take_walk(fs, w);
        if (!bind)
                json_object_set_new(first_mp, key, json_string(m->mountpoint));
        *ret = fs;
        return 0;
}

/* filesystems[] and network_filesystems[] from the visible mounts, in
 * mountinfo order. */
static int build_filesystems(struct obs *o, json_t *fss, json_t *net) {
        _cleanup_json_ json_t *last = json_object(), *first_mp = json_object();
        int r;

        if (!last || !first_mp)
                return -ENOMEM;
        for (size_t i = 0; i < o->mounts.n; i++)
                json_object_set_new(last, o->mounts.v[i].mountpoint, json_integer((json_int_t) i));
        for (size_t i = 0; i < o->mounts.n; i++) {
                const struct de_mount *m = &o->mounts.v[i];
                json_t *fs = NULL;

                if (o->ctx->expired(o->ctx))
                        return -ETIMEDOUT;
                if (hidden(o, i, last))
                        continue;
                if (is_network(m->fstype)) {
                        json_array_append_new(net, json_pack("{s:s, s:s, s:s}", "mountpoint",
                                              m->mountpoint, "source", m->source, "fstype", m->fstype));
                        continue;
                }
                if ((r = filesystem_entry(o, m, first_mp, &fs)) < 0)
                        return r;
                if (fs) {
                        json_array_append_new(fss, fs);
                        json_object_set(o->by_mp, m->mountpoint, fs);
                }
        }
        return 0;
}

/* One swap[] entry. A swap file is as encrypted as the filesystem holding
 * it; a swap partition by its own stack. */
static int swap_entry(struct obs *o, const struct de_swap *s, json_t **ret) {
        _cleanup_free_ char *sysdir = NULL;
        _cleanup_json_ json_t *w = NULL;
        json_t *e, *fs = NULL;
        const struct de_mount *m = NULL;
        int r;

        e = json_pack("{s:s, s:s, s:I, s:I, s:I}", "device", s->path, "type",
                      s->is_file ? "file" : "partition", "size_kib", (json_int_t) s->size_kib,
                      "used_kib", (json_int_t) s->used_kib, "priority", (json_int_t) s->priority);
        if (!e)
                return -ENOMEM;
        if (s->is_file) {
                m = de_mount_holding(&o->mounts, s->path);
                fs = m ? json_object_get(o->by_mp, m->mountpoint) : NULL;
                json_object_set_new(e, "filesystem", m ? json_string(m->mountpoint) : json_null());
                w = fs ? json_incref(fs) : unknown_walk("no reported filesystem holds the file");
        } else if ((r = de_sysdir_for_path(o->ctx, &o->dm, s->path, &sysdir)) >= 0) {
                if ((r = walk_cached(o, sysdir, &w)) < 0) {
                        json_decref(e);
                        return r;
                }
                json_incref(w);
        } else
                w = unknown_walk("swap device not found in sysfs");
        if (!w) {
                json_decref(e);
                return -ENOMEM;
        }
        json_object_set(e, "encrypted", json_object_get(w, "encrypted"));
        json_object_set(e, "scheme", json_object_get(w, "scheme"));
        if (!s->is_file) {
                take_walk(e, w);
        } else
                json_object_set(e, "volatile", json_false());
        *ret = e;
        return 0;
}

static int build_swap(struct obs *o, json_t *arr, json_t *facts) {
        _cleanup_free_ char *buf = NULL;
        struct de_swaps s = { 0 };
        size_t len;
        int r;

        r = o->ctx->read_file(o->ctx, "/proc/swaps", SMALL_FILE_MAX, &buf, &len);
        json_object_set_new(facts, "swaps_readable", json_boolean(r >= 0));
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if ((r = de_parse_swaps(buf, len, &s)) < 0)
                return r;
        for (size_t i = 0; i < s.n && r >= 0; i++) {
                json_t *e = NULL;

                if ((r = swap_entry(o, &s.v[i], &e)) >= 0)
                        json_array_append_new(arr, e);
        }
        de_swaps_free(&s);
        return r < 0 ? r : 0;
}

static const struct de_dm *dm_by_name(const struct obs *o, const char *name) {
        for (size_t i = 0; i < o->dm.n; i++)
                if (streq(o->dm.v[i].name, name))
                        return &o->dm.v[i];
        return NULL;
}

/* Splits a comma-separated option string into a JSON array. */
static json_t *options_json(const char *opts) {
        json_t *a = json_array();

        for (const char *p = opts; a && p && *p;) {
                size_t n = strcspn(p, ",");

                if (n)
                        json_array_append_new(a, json_stringn(p, n));
                p += n + (p[n] == ',');
        }
        return a;
}

/* One crypttab[] entry: active when a dm-crypt device of that name exists. */
static json_t *crypttab_entry(const struct obs *o, const struct de_tab_entry *t) {
        const struct de_dm *d = dm_by_name(o, t->f[0]);
        bool active = d && d->cls.kind == DE_DM_CRYPT;
        const char *key = t->f[2];
        bool random_key = key && (streq(key, "/dev/urandom") || streq(key, "/dev/random") ||
                                  streq(key, "/dev/hw_random"));

        if (key && (streq(key, "none") || streq(key, "-")))
                key = NULL;
        return json_pack("{s:s, s:s, s:o, s:o, s:b, s:i, s:b, s:o, s:o}", "name", t->f[0],
                         "device", t->f[1], "keyfile", str_or_null(key), "options",
                         options_json(t->f[3]), "random_key", random_key, "line", (int) t->line,
                         "active", active, "dm", str_or_null(active ? d->kname : NULL), "scheme",
                         str_or_null(active ? d->cls.type : NULL));
}

static int build_crypttab(struct obs *o, json_t *arr, json_t *facts) {
        _cleanup_free_ char *buf = NULL;
        struct de_tab t = { 0 };
        size_t len;
        int r;

        r = o->ctx->read_file(o->ctx, "/etc/crypttab", SMALL_FILE_MAX, &buf, &len);
        json_object_set_new(facts, "crypttab_present", json_boolean(r >= 0));
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if ((r = de_parse_tab(buf, len, 2, &t)) < 0)
                return r;
        for (size_t i = 0; i < t.n; i++)
                json_array_append_new(arr, crypttab_entry(o, &t.v[i]));
        de_tab_free(&t);
        return 0;
}

/* fstab[]: what the host means to mount, with whether it is mounted now
 * (null for swap entries: see swap[]). */
static int build_fstab(struct obs *o, json_t *arr) {
        _cleanup_free_ char *buf = NULL;
        struct de_tab t = { 0 };
        size_t len;
        int r;

        if ((r = o->ctx->read_file(o->ctx, "/etc/fstab", SMALL_FILE_MAX, &buf, &len)) < 0)
                return r == -ENOMEM ? r : 0;
        if ((r = de_parse_tab(buf, len, 2, &t)) < 0)
                return r;
        for (size_t i = 0; i < t.n; i++) {
                const struct de_tab_entry *e = &t.v[i];
                bool swap = e->f[2] && streq(e->f[2], "swap");
                bool mounted = false;

                for (size_t j = 0; !swap && j < o->mounts.n && !mounted; j++)
                        mounted = streq(o->mounts.v[j].mountpoint, e->f[1]);
                json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o, s:i, s:o}", "spec",
                                      e->f[0], "mountpoint", e->f[1], "fstype", str_or_null(e->f[2]),
                                      "options", options_json(e->f[3]), "line", (int) e->line,
                                      "mounted", swap ? json_null() : json_boolean(mounted)));
        }
        de_tab_free(&t);
        return 0;
}

/* crypt_mappings[]: every active dm-crypt device, whatever crypttab says. */
static void build_crypt_mappings(const struct obs *o, json_t *arr) {
        for (size_t i = 0; i < o->dm.n; i++) {
                const struct de_dm *d = &o->dm.v[i];

                if (d->cls.kind == DE_DM_CRYPT)
                        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "name",
                                              d->name, "dm", d->kname, "type", d->cls.type,
                                              "encrypting", d->cls.encrypting));
        }
}

/* zfs.datasets[]: from `zfs get` when given, else the dataset names of the
 * kernel's objset kstats (encryption unknown). */
static int build_zfs(struct obs *o, json_t *zfs) {
        json_t *arr = json_object_get(zfs, "datasets");
        char **paths = NULL;

        if (o->have_zfs_get) {
                json_object_set_new(zfs, "source", json_string("zfs get"));
                for (size_t i = 0; i < o->zfs.n; i++) {
                        const struct de_zfs_dataset *d = &o->zfs.v[i];
                        json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:o}", "name",
                                              d->name, "encryption", str_or_null(d->encryption),
                                              "keystatus", str_or_null(d->keystatus),
                                              "encryptionroot", str_or_null(d->encryptionroot)));
                }
                return 0;
        }
        if (o->ctx->glob(o->ctx, "/proc/spl/kstat/zfs/*/objset-*", &paths) < 0 || !paths[0]) {
                json_object_set_new(zfs, "source", json_null());
                if (paths)
                        o->ctx->strv_free(paths);
                return 0;
        }
        json_object_set_new(zfs, "source", json_string("kstat"));
        for (size_t i = 0; paths[i] && i < DE_MAX_ZFS_DATASETS; i++) {
                _cleanup_free_ char *buf = NULL, *name = NULL;
                size_t len;

                if (o->ctx->read_file(o->ctx, paths[i], 65536, &buf, &len) < 0 ||
                    de_parse_kstat_dataset_name(buf, len, &name) < 0)
                        continue;
                json_array_append_new(arr, json_pack("{s:s, s:n, s:n, s:n}", "name", name,
                                      "encryption", "keystatus", "encryptionroot"));
        }
        o->ctx->strv_free(paths);
        return 0;
}

/* root_encrypted and all_encrypted from the built arrays. all_encrypted is
 * true when at least one filesystem is reported and every reported
 * filesystem and swap area is encrypted (no exclusions: /boot usually makes
 * it false; the controls exclude). */
static void summarise(struct obs *o, json_t *facts, json_t *fss, json_t *swaps) {
        json_t *root = json_object_get(o->by_mp, "/"), *e;
        bool all = json_array_size(fss) > 0;
        size_t i;

        json_object_set_new(facts, "root_encrypted",
                            root ? json_incref(json_object_get(root, "encrypted")) : json_null());
        json_array_foreach(fss, i, e) all &= json_is_true(json_object_get(e, "encrypted"));
        json_array_foreach(swaps, i, e) all &= json_is_true(json_object_get(e, "encrypted"));
        json_object_set_new(facts, "all_encrypted", json_boolean(all));
}

static void obs_done(struct obs *o) {
        de_mounts_free(&o->mounts);
        de_dm_table_free(&o->dm);
        de_zfs_datasets_free(&o->zfs);
        json_decref(o->walks);
        json_decref(o->by_mp);
}

/* Reads and parses mountinfo; an unreadable file is a fact (no mounts). */
static int load_mounts(struct obs *o, json_t *facts) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = o->ctx->read_file(o->ctx, "/proc/self/mountinfo", MOUNTINFO_MAX, &buf, &len);
        json_object_set_new(facts, "mountinfo_readable", json_boolean(r >= 0));
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        return de_parse_mountinfo(buf, len, &o->mounts);
}

static int observe_into(struct obs *o, json_t *facts) {
        json_t *fss = json_object_get(facts, "filesystems"), *swaps = json_object_get(facts, "swap");
        int r;

        if ((r = load_mounts(o, facts)) < 0 || (r = de_dm_table_load(o->ctx, &o->dm)) < 0 ||
            (r = build_filesystems(o, fss, json_object_get(facts, "network_filesystems"))) < 0 ||
            (r = build_swap(o, swaps, facts)) < 0 ||
            (r = build_crypttab(o, json_object_get(facts, "crypttab"), facts)) < 0 ||
            (r = build_fstab(o, json_object_get(facts, "fstab"))) < 0 ||
            (r = build_zfs(o, json_object_get(facts, "zfs"))) < 0)
                return r;
        build_crypt_mappings(o, json_object_get(facts, "crypt_mappings"));
        summarise(o, facts, fss, swaps);
        return 0;
}

int de_observe(const struct complyd_probe_ctx *ctx, const char *zfs_get, json_t **out) {
        struct obs o = { .ctx = ctx, .walks = json_object(), .by_mp = json_object() };
        _cleanup_json_ json_t *facts = NULL;
        int r;

        facts = json_pack("{s:s, s:[], s:[], s:n, s:n, s:[], s:[], s:[], s:[], s:{s:n, s:[]}}",
                          "schema", "complyd.disk_encryption.v1", "filesystems", "swap",
                          "root_encrypted", "all_encrypted", "crypttab", "crypt_mappings",
                          "network_filesystems", "fstab", "zfs", "source", "datasets");
        if (!facts || !o.walks || !o.by_mp) {
                obs_done(&o);
                return -ENOMEM;
        }
        if (zfs_get) {
                if ((r = de_parse_zfs_get(zfs_get, strlen(zfs_get), &o.zfs)) < 0) {
                        obs_done(&o);
                        return r;
                }
                o.have_zfs_get = true;
        }
        r = observe_into(&o, facts);
        obs_done(&o);
        if (r < 0)
                return r;
        *out = TAKE_PTR(facts);
        return 0;
}

/* On the live host, the output of `zfs get` when ZFS is loaded and the
 * command exists; NULL otherwise. */
static char *live_zfs_get(const struct complyd_probe_ctx *ctx) {
        static const char *const cmds[] = { "/usr/sbin/zfs", "/sbin/zfs" };
        struct stat st;

        if (!ctx->live_host || ctx->stat(ctx, "/proc/spl/kstat/zfs", &st, 0) < 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                const char *argv[] = { cmds[i], "get", "-H", "-p", "-t", "filesystem,volume",
                                       "-o", "name,property,value",
                                       "encryption,keystatus,encryptionroot", NULL };
                char *out = NULL;

                if (ctx->run(ctx, argv, ZFS_GET_MAX, &out) == 0)
                        return out;
                free(out);
        }
        return NULL;
}

static int disk_encryption_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_free_ char *zfs_get = live_zfs_get(ctx);

        return de_observe(ctx, zfs_get, out);
}

const struct complyd_probe complyd_probe_disk_encryption = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "disk_encryption",
        .version = "1.0",
        .description = "filesystems and swap: encrypted or not, by walking the device stack in sysfs",
        .observe = disk_encryption_observe,
};
