/* SPDX-License-Identifier: MIT */
/* file_permissions: owner, group and mode of the files whose permissions
 * CIS Debian 12 prescribes (account databases, sshd host private keys,
 * sudoers, cron) and of complyd's own state directory and signing key.
 * Facts only: the expectations live in the controls. lstat() semantics: a
 * symlink is reported as a symlink, not followed. */
#include <complyd/probe.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "json_build.h"
#include "passwd.h"

static const struct complyd_param fperm_params[] = {
        { COMPLYD_PARAM_STRING, "state_dir", "\"/var/lib/complyd\"", "complyd's state directory" },
        { COMPLYD_PARAM_STRING, "key", "\"/var/lib/complyd/key\"",
          "complyd's evidence signing key (private)" },
        { 0 },
};

/* The fixed files: path and what it is (the controls select by kind). */
static const struct {
        const char *path, *kind;
} files[] = {
        { "/etc/passwd", "passwd" },           { "/etc/passwd-", "passwd_backup" },
        { "/etc/group", "group" },             { "/etc/group-", "group_backup" },
        { "/etc/shadow", "shadow" },           { "/etc/shadow-", "shadow_backup" },
        { "/etc/gshadow", "gshadow" },         { "/etc/gshadow-", "gshadow_backup" },
        { "/etc/ssh/sshd_config", "sshd_config" },
        { "/etc/sudoers", "sudoers" },         { "/etc/crontab", "crontab" },
        { "/etc/cron.d", "cron_dir" },         { "/etc/cron.hourly", "cron_dir" },
        { "/etc/cron.daily", "cron_dir" },     { "/etc/cron.weekly", "cron_dir" },
        { "/etc/cron.monthly", "cron_dir" },
};

static const char *type_name(mode_t m) {
        return S_ISREG(m) ? "file" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" : "other";
}

/* The id -> name table of a passwd or group file; it points into buf. */
struct id_db {
        char *buf;
        struct passwd_table t;
};

static void id_db_done(struct id_db *db) {
        passwd_table_done(&db->t);
        free(db->buf);
}

/* Reads an id table from path into the zeroed db; a file that cannot be
 * read leaves it empty. 0 or -ENOMEM. */
static int id_db_load(const struct complyd_probe_ctx *ctx, const char *path,
                      enum passwd_format fmt, struct id_db *db) {
        size_t len;
        int r = ctx->read_file(ctx, path, PASSWD_MAX_FILE, &db->buf, &len);

        if (r == -ENOMEM)
                return r;
        return r < 0 ? 0 : passwd_table_parse(&db->t, fmt, db->buf, len);
}

/* The name of id (the file's first entry of it), or null; NULL on ENOMEM. */
static json_t *name_of(const struct id_db *db, unsigned id) {
        const struct passwd_entry *e = passwd_table_find(&db->t, id);

        return e ? lossy_string_json(e->name.s, e->name.n) : json_null();
}

/* One file's facts: {path, kind, exists, type, owner, uid, group, gid,
 * mode ("0640"), mode_int}; owner/group names null when unknown. */
static json_t *file_facts(const struct complyd_probe_ctx *ctx, const char *path, const char *kind,
                          const struct id_db *users, const struct id_db *groups) {
        struct stat st;
        char mode[8];
        int r = ctx->stat(ctx, path, &st, AT_SYMLINK_NOFOLLOW);

        if (r < 0)
                return json_pack("{s:s, s:s, s:b, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:o}", "path",
                                 path, "kind", kind, "exists", false, "type", "owner", "uid",
                                 "group", "gid", "mode", "mode_int", "error",
                                 r == -ENOENT ? json_null() : json_string(strerror(-r)));
        snprintf(mode, sizeof(mode), "%04o", (unsigned) (st.st_mode & 07777));
        return json_pack("{s:s, s:s, s:b, s:s, s:o, s:I, s:o, s:I, s:s, s:I, s:n}", "path", path,
                         "kind", kind, "exists", true, "type", type_name(st.st_mode), "owner",
                         name_of(users, st.st_uid), "uid", (json_int_t) st.st_uid, "group",
                         name_of(groups, st.st_gid), "gid", (json_int_t) st.st_gid, "mode", mode,
                         "mode_int", (json_int_t) (st.st_mode & 07777), "error");
}

/* present: {ssh, sudoers, cron, complyd_state_dir}: whether any file of
 * those kinds exists (what the controls' applies_when test). */
static json_t *present(const json_t *arr) {
        bool ssh = false, sudoers = false, cron = false, state = false;
        json_t *f;
        size_t i;

        json_array_foreach(arr, i, f) {
                const char *kind = json_string_value(json_object_get(f, "kind"));
                if (!json_is_true(json_object_get(f, "exists")))
                        continue;
                ssh |= streq(kind, "ssh_host_private_key") || streq(kind, "sshd_config");
                sudoers |= streq(kind, "sudoers");
                cron |= streq(kind, "crontab") || streq(kind, "cron_dir");
                state |= streq(kind, "complyd_state_dir");
        }
        return json_pack("{s:b, s:b, s:b, s:b}", "ssh", ssh, "sudoers", sudoers, "cron", cron,
                         "complyd_state_dir", state);
}

/* Appends one file's facts. 0 or -ENOMEM. */
static int add(json_t *arr, json_t *o) {
        return !o || json_array_append_new(arr, o) < 0 ? -ENOMEM : 0;
}

static int fperm_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_(id_db_done) struct id_db users = { 0 }, groups = { 0 };
        _cleanup_json_ json_t *arr = json_array();
        const char *state = json_string_value(json_object_get(ctx->params, "state_dir"));
        const char *key = json_string_value(json_object_get(ctx->params, "key"));
        char **keys = NULL;
        int r = 0;

        if (!arr || id_db_load(ctx, "/etc/passwd", PASSWD_FORMAT_PASSWD, &users) < 0 ||
            id_db_load(ctx, "/etc/group", PASSWD_FORMAT_GROUP, &groups) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(files) && r >= 0; i++)
                r = add(arr, file_facts(ctx, files[i].path, files[i].kind, &users, &groups));
        if (r >= 0 && ctx->glob(ctx, "/etc/ssh/ssh_host_*_key", &keys) >= 0) {
                for (char **k = keys; *k && r >= 0; k++)
                        r = add(arr, file_facts(ctx, *k, "ssh_host_private_key", &users, &groups));
                ctx->strv_free(keys);
        }
        if (r >= 0 && state && *state == '/')
                r = add(arr, file_facts(ctx, state, "complyd_state_dir", &users, &groups));
        if (r >= 0 && key && *key == '/')
                r = add(arr, file_facts(ctx, key, "complyd_key", &users, &groups));
        if (r < 0)
                return r;
        *out = json_pack("{s:s, s:o, s:O}", "schema", "complyd.file_permissions.v1", "present",
                         present(arr), "files", arr);
        return *out ? 0 : -ENOMEM;
}

const struct complyd_probe complyd_probe_file_permissions = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "file_permissions",
        .version = "1.0",
        .description = "owner, group and mode of account databases, sshd host keys, sudoers, "
                       "cron and complyd's own key",
        .params = fperm_params,
        .observe = fperm_observe,
};
