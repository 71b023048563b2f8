/* SPDX-License-Identifier: MIT */
/* disk_encryption: walking a block device stack in sysfs.
 *
 * From a device directory (the target of /sys/dev/block/MAJ:MIN) the layers
 * below are: for device-mapper and md devices every entry of slaves/; for a
 * partition (it has a `partition` file) the containing directory, its disk;
 * for a loop device the filesystem holding loop/backing_file. A device is
 * encrypted when it is an encrypting dm-crypt target (dm/uuid CRYPT-LUKS2-…,
 * CRYPT-PLAIN-…) or when it has layers below and every one of them is
 * encrypted — so an LVM volume spanning an encrypted and a plain PV is not. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cleanup.h"
#include "stack.h"

struct walk {
        const struct complyd_probe_ctx *ctx;
        const struct de_mounts *mounts;
        json_t *stack;    /* layer objects, pre-order, each device once */
        json_t *schemes;  /* distinct schemes of the encrypting layers */
        json_t *seen;     /* sysfs dir -> tri (integer) */
        unsigned nodes;
        bool truncated;
};

json_t *de_tri_json(enum de_tri t) {
        return t == DE_UNKNOWN ? json_null() : json_boolean(t == DE_YES);
}

int de_read_attr(const struct complyd_probe_ctx *ctx, const char *dir, const char *attr,
                 char **ret) {
        _cleanup_free_ char *p = NULL, *buf = NULL;
        int r;

        if (asprintf(&p, "%s/%s", dir, attr) < 0)
                return -ENOMEM;
        if ((r = ctx->read_file(ctx, p, 4096, &buf, NULL)) < 0)
                return r;
        buf[strcspn(buf, "\n")] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

static bool attr_exists(const struct complyd_probe_ctx *ctx, const char *dir, const char *attr) {
        _cleanup_free_ char *p = NULL;
        struct stat st;

        return asprintf(&p, "%s/%s", dir, attr) >= 0 && ctx->stat(ctx, p, &st, 0) >= 0;
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

int de_sysdir_for_devnum(const struct complyd_probe_ctx *ctx, unsigned major, unsigned minor,
                         char **ret) {
        char p[64];

        snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major, minor);
        return ctx->realpath(ctx, p, ret);
}

void de_dm_table_free(struct de_dm_table *t) {
        for (size_t i = 0; t && i < t->n; i++) {
                free(t->v[i].sysdir);
                free(t->v[i].kname);
                free(t->v[i].name);
                free(t->v[i].uuid);
        }
        if (t) {
                free(t->v);
                t->v = NULL;
                t->n = 0;
        }
}

/* Adds the dm device at /sys/block/<entry> to t; devices whose dm/name
 * cannot be read are skipped. */
static int dm_table_add(const struct complyd_probe_ctx *ctx, const char *link, struct de_dm_table *t) {
        struct de_dm d = { 0 };
        struct de_dm *v;

        if (ctx->realpath(ctx, link, &d.sysdir) < 0)
                return 0;
        if (de_read_attr(ctx, d.sysdir, "dm/name", &d.name) < 0) {
                free(d.sysdir);
                return 0;
        }
        if (de_read_attr(ctx, d.sysdir, "dm/uuid", &d.uuid) < 0)
                d.uuid = strdup("");
        d.kname = strdup(base_name(d.sysdir));
        if (!d.uuid || !d.kname || !(v = realloc(t->v, (t->n + 1) * sizeof(*v)))) {
                free(d.sysdir), free(d.name), free(d.uuid), free(d.kname);
                return -ENOMEM;
        }
        de_classify_dm_uuid(d.uuid, &d.cls);
        t->v = v;
        t->v[t->n++] = d;
        return 0;
}

int de_dm_table_load(const struct complyd_probe_ctx *ctx, struct de_dm_table *ret) {
        struct de_dm_table t = { 0 };
        char **paths = NULL;
        int r;

        if ((r = ctx->glob(ctx, "/sys/block/dm-*", &paths)) < 0)
                paths = NULL; /* no /sys: no dm devices visible */
        for (size_t i = 0; paths && paths[i] && t.n < DE_MAX_DM; i++)
                if ((r = dm_table_add(ctx, paths[i], &t)) < 0) {
                        ctx->strv_free(paths);
                        de_dm_table_free(&t);
                        return r;
                }
        if (paths)
                ctx->strv_free(paths);
        *ret = t;
        return 0;
}

/* sysfs directory of a device known by its kernel name ("vda3", "dm-1") or,
 * for /dev/mapper/NAME, by its dm name. */
static int sysdir_by_name(const struct complyd_probe_ctx *ctx, const struct de_dm_table *dm,
                          const char *devpath, char **ret) {
        _cleanup_free_ char *p = NULL;
        const char *name;

        if (startswith(devpath, "/dev/mapper/")) {
                name = devpath + strlen("/dev/mapper/");
                for (size_t i = 0; i < dm->n; i++)
                        if (streq(dm->v[i].name, name))
                                return (*ret = strdup(dm->v[i].sysdir)) ? 0 : -ENOMEM;
                return -ENOENT;
        }
        if (!startswith(devpath, "/dev/"))
                return -ENOTBLK;
        name = devpath + strlen("/dev/");
        if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -ENOENT;
        if (asprintf(&p, "/sys/class/block/%s", name) < 0)
                return -ENOMEM;
        return ctx->realpath(ctx, p, ret);
}

int de_sysdir_for_path(const struct complyd_probe_ctx *ctx, const struct de_dm_table *dm,
                       const char *path, char **ret) {
        _cleanup_free_ char *resolved = NULL;
        struct stat st;
        int r;

        if (ctx->stat(ctx, path, &st, 0) >= 0) {
                if (!S_ISBLK(st.st_mode))
                        return -ENOTBLK;
                return de_sysdir_for_devnum(ctx, major(st.st_rdev), minor(st.st_rdev), ret);
        }
        r = sysdir_by_name(ctx, dm, path, ret);
        if (r != -ENOENT)
                return r;
        /* a symlink such as /dev/disk/by-uuid/… present in an image */
        if (ctx->realpath(ctx, path, &resolved) < 0 || streq(resolved, path))
                return r;
        return sysdir_by_name(ctx, dm, resolved, ret);
}

/* True when mountpoint mp contains path (component-wise prefix). */
static bool path_under(const char *path, const char *mp) {
        size_t n = strlen(mp);

        if (streq(mp, "/"))
                return path[0] == '/';
        return strncmp(path, mp, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

const struct de_mount *de_mount_holding(const struct de_mounts *m, const char *path) {
        const struct de_mount *best = NULL;
        size_t best_len = 0;

        for (size_t i = 0; i < m->n; i++) {
                size_t n = strlen(m->v[i].mountpoint);

                if (path_under(path, m->v[i].mountpoint) && (!best || n >= best_len)) {
                        best = &m->v[i];
                        best_len = n;
                }
        }
        return best;
}

static int walk_node(struct walk *w, const char *dir, unsigned depth, enum de_tri *ret);

/* Sorted names of the entries of dir/slaves (at most DE_MAX_SLAVES); an
 * absent directory is an empty list. */
static int list_slaves(const struct complyd_probe_ctx *ctx, const char *dir, char ***ret) {
        _cleanup_free_ char *pattern = NULL;
        char **paths = NULL;

        if (asprintf(&pattern, "%s/slaves/*", dir) < 0)
                return -ENOMEM;
        if (ctx->glob(ctx, pattern, &paths) < 0)
                paths = NULL;
        *ret = paths;
        return 0;
}

/* Walks every slave of the device at dir, adding their names to the
 * layer's "below" array; *ret is the conjunction of their states, or DE_NO
 * when there are none. */
static int walk_slaves(struct walk *w, const char *dir, unsigned depth, json_t *names,
                       enum de_tri *ret) {
        char **paths = NULL;
        enum de_tri all = DE_YES;
        size_t n = 0;
        int r;

        if ((r = list_slaves(w->ctx, dir, &paths)) < 0)
                return r;
        for (size_t i = 0; paths && paths[i] && r >= 0; i++) {
                _cleanup_free_ char *child = NULL;
                enum de_tri t = DE_UNKNOWN;

                if (n >= DE_MAX_SLAVES) {
                        w->truncated = true;
                        all = all == DE_NO ? DE_NO : DE_UNKNOWN;
                        break;
                }
                n++;
                json_array_append_new(names, json_string(base_name(paths[i])));
                if (w->ctx->realpath(w->ctx, paths[i], &child) >= 0)
                        r = walk_node(w, child, depth + 1, &t);
                if (t == DE_NO || all == DE_NO)
                        all = DE_NO;
                else if (t == DE_UNKNOWN)
                        all = DE_UNKNOWN;
        }
        if (paths)
                w->ctx->strv_free(paths);
        if (r < 0)
                return r;
        *ret = n ? all : DE_NO;
        return 0;
}

/* Describes a dm device in layer; *self is DE_YES for an encrypting crypt
 * target. */
static int describe_dm(struct walk *w, const char *dir, const char *uuid, json_t *layer,
                       bool *self) {
        _cleanup_free_ char *name = NULL;
        struct de_dm_class c;
        static const char *const kinds[] = {
                [DE_DM_OTHER] = "dm", [DE_DM_CRYPT] = "crypt", [DE_DM_LVM] = "lvm",
                [DE_DM_MPATH] = "multipath", [DE_DM_PART] = "dm-partition",
        };

        de_classify_dm_uuid(uuid, &c);
        (void) de_read_attr(w->ctx, dir, "dm/name", &name);
        json_object_set_new(layer, "kind", json_string(kinds[c.kind]));
        json_object_set_new(layer, "dm_name", name ? json_string(name) : json_null());
        json_object_set_new(layer, "dm_uuid", json_string(uuid));
        if (c.kind == DE_DM_CRYPT) {
                json_object_set_new(layer, "crypt_type", json_string(c.type));
                json_object_set_new(layer, "encrypting", json_boolean(c.encrypting));
                if (c.encrypting) {
                        json_t *s = json_string(c.type);
                        size_t i;
                        json_t *e;
                        bool dup = false;

                        json_array_foreach(w->schemes, i, e) dup |= json_equal(e, s);
                        if (!dup)
                                json_array_append(w->schemes, s);
                        json_decref(s);
                }
        }
        *self = c.encrypting;
        return 0;
}

/* A loop device: its data lives in a file, so it is encrypted when the
 * filesystem holding loop/backing_file is. */
static int walk_loop(struct walk *w, const char *backing, unsigned depth, json_t *layer,
                     enum de_tri *ret) {
        const struct de_mount *m = de_mount_holding(w->mounts, backing);
        _cleanup_free_ char *child = NULL;
        json_t *names = json_object_get(layer, "below");

        json_object_set_new(layer, "kind", json_string("loop"));
        json_object_set_new(layer, "backing_file", json_string(backing));
        json_object_set_new(layer, "backing_mountpoint", m ? json_string(m->mountpoint) : json_null());
        *ret = DE_UNKNOWN;
        if (!m || m->major == 0 || de_sysdir_for_devnum(w->ctx, m->major, m->minor, &child) < 0)
                return 0;
        json_array_append_new(names, json_string(base_name(child)));
        return walk_node(w, child, depth + 1, ret);
}

/* Fills layer for the device at dir and walks below it. */
static int walk_kinds(struct walk *w, const char *dir, unsigned depth, json_t *layer,
                      enum de_tri *ret) {
        _cleanup_free_ char *uuid = NULL, *level = NULL, *backing = NULL, *parent = NULL;
        json_t *names = json_object_get(layer, "below");
        bool self = false;
        enum de_tri below;
        int r;

        if (de_read_attr(w->ctx, dir, "dm/uuid", &uuid) >= 0 || attr_exists(w->ctx, dir, "dm")) {
                describe_dm(w, dir, uuid ? uuid : "", layer, &self);
                if ((r = walk_slaves(w, dir, depth, names, &below)) < 0)
                        return r;
                *ret = self ? DE_YES : below;
                return 0;
        }
        if (de_read_attr(w->ctx, dir, "md/level", &level) >= 0) {
                json_object_set_new(layer, "kind", json_string("raid"));
                json_object_set_new(layer, "level", json_string(level));
                return walk_slaves(w, dir, depth, names, ret);
        }
        if (de_read_attr(w->ctx, dir, "loop/backing_file", &backing) >= 0)
                return walk_loop(w, backing, depth, layer, ret);
        if (attr_exists(w->ctx, dir, "partition")) {
                json_object_set_new(layer, "kind", json_string("partition"));
                if (!(parent = strdup(dir)))
                        return -ENOMEM;
                *strrchr(parent, '/') = '\0';
                json_array_append_new(names, json_string(base_name(parent)));
                return walk_node(w, parent, depth + 1, ret);
        }
        if (startswith(base_name(dir), "zram")) {
                _cleanup_free_ char *bd = NULL;
                bool vol = de_read_attr(w->ctx, dir, "backing_dev", &bd) < 0 || streq(bd, "none");

                json_object_set_new(layer, "kind", json_string("zram"));
                json_object_set_new(layer, "volatile", json_boolean(vol));
                *ret = DE_NO;
                return 0;
        }
        /* any other device with slaves (bcache, drbd, …) stacks like dm */
        if ((r = walk_slaves(w, dir, depth, names, ret)) < 0)
                return r;
        json_object_set_new(layer, "kind", json_string(json_array_size(names) ? "stacked" : "disk"));
        return 0;
}

/* Visits the device at sysfs dir once: appends its layer to w->stack and
 * sets *ret to its encryption state (memoised in w->seen). */
static int walk_node(struct walk *w, const char *dir, unsigned depth, enum de_tri *ret) {
        _cleanup_free_ char *dev = NULL;
        json_t *layer, *memo;
        struct stat st;
        int r;

        if ((memo = json_object_get(w->seen, dir))) {
                *ret = (enum de_tri) json_integer_value(memo);
                return 0;
        }
        if (depth >= DE_MAX_DEPTH || w->nodes >= DE_MAX_NODES) {
                w->truncated = true;
                *ret = DE_UNKNOWN;
                return 0;
        }
        w->nodes++;
        if (w->ctx->stat(w->ctx, dir, &st, 0) < 0 || !S_ISDIR(st.st_mode)) {
                *ret = DE_UNKNOWN;
                return 0;
        }
        (void) de_read_attr(w->ctx, dir, "dev", &dev);
        layer = json_pack("{s:s, s:o, s:[]}", "name", base_name(dir),
                          "dev", dev ? json_string(dev) : json_null(), "below");
        if (!layer || json_array_append_new(w->stack, layer) < 0)
                return -ENOMEM;
        json_object_set_new(w->seen, dir, json_integer(DE_UNKNOWN)); /* cycle guard */
        if ((r = walk_kinds(w, dir, depth, layer, ret)) < 0)
                return r;
        json_object_set_new(layer, "encrypted", de_tri_json(*ret));
        json_object_set_new(w->seen, dir, json_integer(*ret));
        return 0;
}

/* "LUKS2", or "LUKS1,LUKS2" when different layers use different schemes. */
static json_t *scheme_json(json_t *schemes, enum de_tri t) {
        _cleanup_free_ char *s = NULL;
        size_t i, len = 0;
        json_t *e;

        if (t != DE_YES || json_array_size(schemes) == 0)
                return json_null();
        json_array_foreach(schemes, i, e) len += json_string_length(e) + 1;
        if (!(s = calloc(1, len + 1)))
                return NULL;
        json_array_foreach(schemes, i, e) {
                if (i)
                        strcat(s, ",");
                strcat(s, json_string_value(e));
        }
        return json_string(s);
}

/* "dm-0 (crypt: LUKS2 cryptroot)", "vda2 (partition)": one line per layer
 * for a human reading the evidence. */
static json_t *layer_summary(json_t *l) {
        const char *kind = json_string_value(json_object_get(l, "kind"));
        const char *name = json_string_value(json_object_get(l, "name"));
        const char *ct = json_string_value(json_object_get(l, "crypt_type"));
        const char *dmn = json_string_value(json_object_get(l, "dm_name"));
        const char *lvl = json_string_value(json_object_get(l, "level"));
        const char *bf = json_string_value(json_object_get(l, "backing_file"));
        char *s = NULL;
        json_t *j;
        int r;

        if (!kind)
                kind = "?";
        if (ct)
                r = asprintf(&s, "%s (%s: %s %s)", name, kind, ct, dmn ? dmn : "");
        else if (dmn || lvl || bf)
                r = asprintf(&s, "%s (%s: %s)", name, kind, dmn ? dmn : lvl ? lvl : bf);
        else
                r = asprintf(&s, "%s (%s)", name, kind);
        if (r < 0)
                return NULL;
        j = json_string(s);
        free(s);
        return j;
}

static json_t *stack_summary(json_t *stack) {
        json_t *a = json_array(), *l;
        size_t i;

        json_array_foreach(stack, i, l) json_array_append_new(a, layer_summary(l));
        return a;
}

int de_walk_device(const struct complyd_probe_ctx *ctx, const struct de_mounts *mounts,
                   const char *sysdir, json_t **ret) {
        _cleanup_json_ json_t *schemes = json_array(), *seen = json_object(), *stack = json_array();
        struct walk w = { .ctx = ctx, .mounts = mounts, .stack = stack, .schemes = schemes,
                          .seen = seen };
        enum de_tri t = DE_UNKNOWN;
        json_t *o;
        int r;

        if (!schemes || !seen || !stack)
                return -ENOMEM;
        if ((r = walk_node(&w, sysdir, 0, &t)) < 0)
                return r;
        o = json_pack("{s:o, s:o*, s:O, s:o, s:b}", "encrypted", de_tri_json(t), "scheme",
                      scheme_json(schemes, t), "stack", stack, "stack_summary",
                      stack_summary(stack), "stack_truncated", w.truncated);
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}
