/* SPDX-License-Identifier: MIT */
/* accounts: local accounts and who may become root. /etc/passwd with the
 * /etc/shadow fields (password state and hash scheme, never the hash;
 * aging), /etc/group, /etc/login.defs, pwquality, and the sudoers policy
 * (includes and User_Alias resolved) turned into one grant per user and
 * rule. Facts only. */
#include <complyd/probe.h>

#include <errno.h>
#include <string.h>

#include "accounts.h"
#include "cleanup.h"

#define SUDOERS "/etc/sudoers"
#define PWQUALITY "/etc/security/pwquality.conf"
#define PWQUALITY_DIR "/etc/security/pwquality.conf.d"

static const struct complyd_param accounts_params[] = {
        { COMPLYD_PARAM_STRINGS, "nologin_shells",
          "[\"/usr/sbin/nologin\", \"/sbin/nologin\", \"/bin/false\", \"/usr/bin/false\", "
          "\"/bin/sync\", \"/usr/bin/sync\"]",
          "shells that do not give an interactive login" },
        { 0 },
};

/* Reads a file under the root; -ENOENT etc. as facts for the caller. */
static int read_file(const struct complyd_probe_ctx *ctx, const char *path, char **buf,
                     size_t *len) {
        return ctx->read_file(ctx, path, ACCT_MAX_FILE, buf, len);
}

static int sudo_read(void *userdata, const char *path, char **buf, size_t *len) {
        return read_file(userdata, path, buf, len);
}

/* Sorted names in a directory (no "." entries). */
static int sudo_list(void *userdata, const char *dir, char ***names) {
        const struct complyd_probe_ctx *ctx = userdata;
        _cleanup_free_ char *pattern = NULL;
        char **paths;
        int r;

        if (asprintf(&pattern, "%s/*", dir) < 0)
                return -ENOMEM;
        if ((r = ctx->glob(ctx, pattern, &paths)) < 0)
                return r;
        for (char **p = paths; *p; p++) {
                const char *base = strrchr(*p, '/');
                memmove(*p, base ? base + 1 : *p, strlen(base ? base + 1 : *p) + 1);
        }
        *names = paths;
        return 0;
}

/* Parses one file with fn into out; "exists" facts in *exists. -ENOMEM
 * only; an unreadable file is a fact. */
static int parse_into(const struct complyd_probe_ctx *ctx, const char *path,
                      int (*fn)(const char *, size_t, json_t *), json_t *out, bool *exists,
                      int *err) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_file(ctx, path, &buf, &len);

        *exists = r >= 0 || r == -EACCES || r == -EFBIG;
        *err = r < 0 ? r : 0;
        if (r == -ENOMEM)
                return r;
        return r < 0 ? 0 : fn(buf, len, out);
}

static int kv_logindefs(const char *b, size_t l, json_t *o) { return acct_parse_keyvalue(b, l, false, o); }
static int kv_pwquality(const char *b, size_t l, json_t *o) { return acct_parse_keyvalue(b, l, true, o); }

/* An integer setting or its default. */
static json_int_t int_or(const json_t *o, const char *key, json_int_t def) {
        json_t *v = json_object_get(o, key);
        return json_is_integer(v) ? json_integer_value(v) : def;
}

/* login_defs: {exists, settings, pass_max_days, pass_min_days,
 * pass_warn_age, uid_min, uid_max, encrypt_method} (shadow's defaults when
 * unset: 99999, 0, 7, 1000, 60000). */
static int login_defs(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *s = json_object();
        bool exists;
        int err, r;
        json_t *em;

        if (!s)
                return -ENOMEM;
        if ((r = parse_into(ctx, "/etc/login.defs", kv_logindefs, s, &exists, &err)) < 0)
                return r;
        em = json_object_get(s, "ENCRYPT_METHOD");
        *out = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:O}", "exists", exists,
                         "pass_max_days", int_or(s, "PASS_MAX_DAYS", 99999), "pass_min_days",
                         int_or(s, "PASS_MIN_DAYS", 0), "pass_warn_age",
                         int_or(s, "PASS_WARN_AGE", 7), "uid_min", int_or(s, "UID_MIN", 1000),
                         "uid_max", int_or(s, "UID_MAX", 60000), "encrypt_method",
                         json_is_string(em) ? json_copy(em) : json_null(), "settings", s);
        return *out ? 0 : -ENOMEM;
}

/* pwquality: the .d files in sorted order, then pwquality.conf; later
 * settings override (pwquality.conf(5)). */
static int pwquality(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *s = json_object(), *files = json_array();
        char **paths = NULL;
        bool exists, any = false;
        int err, r = 0;

        if (!s || !files)
                return -ENOMEM;
        if (ctx->glob(ctx, PWQUALITY_DIR "/*.conf", &paths) >= 0) {
                for (char **p = paths; *p && r >= 0; p++) {
                        r = parse_into(ctx, *p, kv_pwquality, s, &exists, &err);
                        if (r >= 0 && exists)
                                r = json_array_append_new(files, json_string(*p));
                }
                ctx->strv_free(paths);
        }
        if (r < 0 || (r = parse_into(ctx, PWQUALITY, kv_pwquality, s, &any, &err)) < 0)
                return -ENOMEM;
        if (any && json_array_append_new(files, json_string(PWQUALITY)) < 0)
                return -ENOMEM;
        *out = json_pack("{s:b, s:O, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O}", "configured",
                         json_array_size(files) > 0, "files", files, "minlen",
                         int_or(s, "minlen", 8), "minclass", int_or(s, "minclass", 0), "dcredit",
                         int_or(s, "dcredit", 0), "ucredit", int_or(s, "ucredit", 0), "lcredit",
                         int_or(s, "lcredit", 0), "ocredit", int_or(s, "ocredit", 0), "maxrepeat",
                         int_or(s, "maxrepeat", 0), "settings", s);
        return *out ? 0 : -ENOMEM;
}

/* Whether shell gives an interactive login (not in nologin_shells, not
 * empty: an empty shell field means /bin/sh). */
static bool login_shell(const struct complyd_probe_ctx *ctx, const char *shell) {
        json_t *list = json_object_get(ctx->params, "nologin_shells"), *v;
        size_t i;

        json_array_foreach(list, i, v)
                if (json_is_string(v) && streq(json_string_value(v), shell))
                        return false;
        return true;
}

/* Whether arr holds a value equal to v. */
static bool in_list(const json_t *arr, const json_t *v) {
        json_t *x;
        size_t i;

        json_array_foreach(arr, i, x)
                if (json_equal(x, v))
                        return true;
        return false;
}

/* Indexes the groups once: gid -> name (first wins) and user name ->
 * [group names listing it as a member]. 0 or -ENOMEM. */
static int index_groups(const json_t *groups, json_t **gid_name, json_t **member_of) {
        _cleanup_json_ json_t *by_gid = json_object(), *by_user = json_object();
        json_t *g, *m;
        size_t i, k;

        if (!by_gid || !by_user)
                return -ENOMEM;
        json_array_foreach(groups, i, g) {
                char key[24];
                snprintf(key, sizeof(key), "%lld", (long long) json_integer_value(json_object_get(g, "gid")));
                if (!json_object_get(by_gid, key) &&
                    json_object_set(by_gid, key, json_object_get(g, "name")) < 0)
                        return -ENOMEM;
                json_array_foreach(json_object_get(g, "members"), k, m) {
                        const char *name = json_string_value(m);
                        json_t *list = json_object_get(by_user, name);
                        if (!list && (json_object_set_new(by_user, name, json_array()) < 0 ||
                                      !(list = json_object_get(by_user, name))))
                                return -ENOMEM;
                        if (json_array_size(list) < ACCT_MAX_MEMBERS &&
                            json_array_append(list, json_object_get(g, "name")) < 0)
                                return -ENOMEM;
                }
        }
        *gid_name = TAKE_PTR(by_gid);
        *member_of = TAKE_PTR(by_user);
        return 0;
}

/* Completes each passwd user with shadow facts, groups, and the derived
 * facts human, login_shell, empty_password. */
static int complete_users(const struct complyd_probe_ctx *ctx, json_t *users, const json_t *shadow,
                          bool shadow_read, const json_t *groups, const json_t *defs) {
        json_int_t uid_min = json_integer_value(json_object_get(defs, "uid_min"));
        json_int_t uid_max = json_integer_value(json_object_get(defs, "uid_max"));
        _cleanup_json_ json_t *gid_name = NULL, *member_of = NULL;
        json_t *u, *g;
        size_t i, j;
        char key[24];

        if (index_groups(groups, &gid_name, &member_of) < 0)
                return -ENOMEM;

        json_array_foreach(users, i, u) {
                const char *name = json_string_value(json_object_get(u, "name"));
                const char *pf = json_string_value(json_object_get(u, "password_field"));
                json_int_t uid = json_integer_value(json_object_get(u, "uid"));
                json_int_t gid = json_integer_value(json_object_get(u, "gid"));
                json_t *sh = json_object_get(shadow, name), *gl = json_array();
                const char *pstate = streq(pf, "empty") ? "none" : NULL;

                if (!gl)
                        return -ENOMEM;
                snprintf(key, sizeof(key), "%lld", (long long) gid);
                if ((g = json_object_get(gid_name, key)))
                        json_array_append(gl, g);
                json_array_foreach(json_object_get(member_of, name), j, g)
                        if (!in_list(gl, g))
                                json_array_append(gl, g);
                if (!pstate && streq(pf, "shadowed") && sh)
                        pstate = json_string_value(json_object_get(sh, "password"));
                if (!pstate && streq(pf, "hash"))
                        pstate = "set";
                if (!pstate && streq(pf, "locked"))
                        pstate = "disabled";
                if (json_object_set_new(u, "groups", gl) < 0 ||
                    json_object_set_new(u, "human", json_boolean(uid >= uid_min && uid <= uid_max &&
                                                                 !streq(name, "nobody"))) < 0 ||
                    json_object_set_new(u, "login_shell", json_boolean(login_shell(
                                                ctx, json_string_value(json_object_get(u, "shell"))))) < 0 ||
                    json_object_set_new(u, "password", pstate ? json_string(pstate) : json_null()) < 0 ||
                    json_object_set_new(u, "empty_password", json_boolean(pstate && streq(pstate, "none"))) < 0 ||
                    json_object_set_new(u, "shadow", sh ? json_copy(sh)
                                                        : shadow_read ? json_null() : json_null()) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Whether command list entry cmd is ALL (directly or through Cmnd_Alias). */
static bool all_commands(const struct sudo_policy *p, const char *cmd, unsigned depth) {
        json_t *alias = json_object_get(json_object_get(p->aliases, "Cmnd_Alias"), cmd), *m;
        size_t i;

        if (streq(cmd, "ALL"))
                return true;
        if (!alias || depth >= SUDO_MAX_ALIAS_DEPTH)
                return false;
        json_array_foreach(alias, i, m)
                if (json_is_string(m) && all_commands(p, json_string_value(m), depth + 1))
                        return true;
        return false;
}

/* Whether user u is in the group called name (primary or member). */
static bool in_group(const json_t *u, const char *name) {
        json_t *g;
        size_t i;

        json_array_foreach(json_object_get(u, "groups"), i, g)
                if (json_is_string(g) && streq(json_string_value(g), name))
                        return true;
        return false;
}

/* Whether user u is named by sudoers user-list entry e (after aliases):
 * ALL, name, #uid, %group, %#gid. Netgroups (+name) and non-Unix groups
 * (%:name) match nobody here. */
static bool user_matches(const json_t *u, const char *e, const json_t *groups) {
        json_t *g;
        size_t i;

        if (streq(e, "ALL"))
                return true;
        if (e[0] == '#')
                return e[1] && json_integer_value(json_object_get(u, "uid")) == strtoll(e + 1, NULL, 10);
        if (e[0] == '%' && e[1] == '#') {
                json_array_foreach(groups, i, g)
                        if (json_integer_value(json_object_get(g, "gid")) == strtoll(e + 2, NULL, 10) &&
                            in_group(u, json_string_value(json_object_get(g, "name"))))
                                return true;
                return false;
        }
        if (e[0] == '%')
                return in_group(u, e + 1);
        return streq(json_string_value(json_object_get(u, "name")), e);
}

/* Whether a Defaults !authenticate applies to user u ("all", ":name",
 * ":%group"). */
static bool no_auth(const struct sudo_policy *p, const json_t *u, const json_t *groups) {
        json_t *d;
        size_t i;

        json_array_foreach(p->no_authenticate, i, d) {
                const char *scope = json_string_value(json_object_get(d, "scope"));
                if (streq(scope, "all") || (scope[0] == ':' && user_matches(u, scope + 1, groups)))
                        return true;
        }
        return false;
}

/* The entry of the rule's user list (as written: a name, %group, alias,
 * ALL) through which user u is named, or NULL. */
static const char *granted_via(const struct sudo_policy *p, const json_t *rule, const json_t *u,
                               const json_t *groups, int *err) {
        json_t *e, *x;
        size_t i, j;

        json_array_foreach(json_object_get(rule, "users"), i, e) {
                _cleanup_json_ json_t *one = json_array(), *expanded = NULL;
                if (!one || json_array_append(one, e) < 0 || !(expanded = sudo_expand_users(p, one))) {
                        *err = -ENOMEM;
                        return NULL;
                }
                json_array_foreach(expanded, j, x)
                        if (user_matches(u, json_string_value(x), groups))
                                return json_string_value(e);
        }
        return NULL;
}

/* One grant per (rule, local user it names): {user, uid, human, via, file,
 * line, hosts, nopasswd, all_commands, commands[]}; a rule's NOPASSWD
 * counts when any of its commands has it. */
static int rule_grants(const struct sudo_policy *p, const json_t *rule, const json_t *users,
                       const json_t *groups, json_t *grants) {
        json_t *cmds = json_object_get(rule, "commands"), *c, *u;
        bool nopasswd = false, all = false;
        size_t i, j;
        int err = 0;

        json_array_foreach(cmds, i, c) {
                nopasswd |= json_is_true(json_object_get(c, "nopasswd"));
                all |= all_commands(p, json_string_value(json_object_get(c, "command")), 0);
        }
        json_array_foreach(users, j, u) {
                const char *via = granted_via(p, rule, u, groups, &err);
                json_t *g, *cl;

                if (err < 0)
                        return err;
                if (!via)
                        continue;
                if (!(cl = json_array()))
                        return -ENOMEM;
                json_array_foreach(cmds, i, c) json_array_append(cl, json_object_get(c, "command"));
                g = json_pack("{s:O, s:O, s:O, s:s, s:O, s:O, s:O, s:b, s:b, s:o}", "user",
                              json_object_get(u, "name"), "uid", json_object_get(u, "uid"), "human",
                              json_object_get(u, "human"), "via", via, "file",
                              json_object_get(rule, "file"), "line", json_object_get(rule, "line"),
                              "hosts", json_object_get(rule, "hosts"), "nopasswd",
                              nopasswd || no_auth(p, u, groups), "all_commands", all, "commands", cl);
                if (!g || json_array_append_new(grants, g) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* sudo: {installed (sudoers exists), files, rules, grants, aliases,
 * no_authenticate, errors}. */
static int sudo_facts(const struct complyd_probe_ctx *ctx, const json_t *users,
                      const json_t *groups, json_t **out) {
        struct sudo_io io = { sudo_read, sudo_list, (void *) ctx };
        _cleanup_(sudo_policy_done) struct sudo_policy p;
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ json_t *grants = json_array();
        json_t *rule;
        size_t len, i;
        int r;

        if (!grants || (r = sudo_policy_init(&p)) < 0)
                return -ENOMEM;
        r = read_file(ctx, SUDOERS, &buf, &len);
        if (r == -ENOMEM || (r >= 0 && sudo_parse(&p, SUDOERS, buf, len, &io) < 0))
                return -ENOMEM;
        json_array_foreach(p.rules, i, rule)
                if (rule_grants(&p, rule, users, groups, grants) < 0)
                        return -ENOMEM;
        *out = json_pack("{s:b, s:b, s:O, s:O, s:O, s:O, s:O, s:O}", "sudoers_exists",
                         r >= 0 || r == -EACCES, "sudoers_readable", r >= 0, "files", p.files,
                         "rules", p.rules, "grants", grants, "aliases", p.aliases,
                         "no_authenticate", p.no_authenticate, "errors", p.errors);
        return *out ? 0 : -ENOMEM;
}

/* Users sharing a UID with an earlier one: [{uid, users[]}]. */
static json_t *duplicate_uids(const json_t *users) {
        _cleanup_json_ json_t *by = json_object(), *out = json_array();
        json_t *u, *v;
        const char *k;

        if (!by || !out)
                return NULL;
        for (size_t i = 0; i < json_array_size(users); i++) {
                char key[24];
                json_t *list;
                u = json_array_get(users, i);
                snprintf(key, sizeof(key), "%lld", (long long) json_integer_value(json_object_get(u, "uid")));
                if (!(list = json_object_get(by, key)) &&
                    (json_object_set_new(by, key, json_array()) < 0 || !(list = json_object_get(by, key))))
                        return NULL;
                json_array_append(list, json_object_get(u, "name"));
        }
        json_object_foreach(by, k, v)
                if (json_array_size(v) > 1 &&
                    json_array_append_new(out, json_pack("{s:I, s:O}", "uid",
                                                         (json_int_t) strtoll(k, NULL, 10), "users", v)) < 0)
                        return NULL;
        return TAKE_PTR(out);
}

static int accounts_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *users = json_array(), *shadow = json_object(), *groups = json_array();
        _cleanup_json_ json_t *defs = NULL, *pwq = NULL, *sudo = NULL, *uid0 = json_array();
        bool passwd_exists, shadow_exists, group_exists;
        int perr, serr, gerr;
        json_t *u;
        size_t i;

        if (!users || !shadow || !groups || !uid0)
                return -ENOMEM;
        if (parse_into(ctx, "/etc/passwd", acct_parse_passwd, users, &passwd_exists, &perr) < 0 ||
            parse_into(ctx, "/etc/shadow", acct_parse_shadow, shadow, &shadow_exists, &serr) < 0 ||
            parse_into(ctx, "/etc/group", acct_parse_group, groups, &group_exists, &gerr) < 0 ||
            login_defs(ctx, &defs) < 0 || pwquality(ctx, &pwq) < 0)
                return -ENOMEM;
        if (complete_users(ctx, users, shadow, serr == 0, groups, defs) < 0 ||
            sudo_facts(ctx, users, groups, &sudo) < 0)
                return -ENOMEM;
        json_array_foreach(users, i, u)
                if (json_integer_value(json_object_get(u, "uid")) == 0)
                        json_array_append(uid0, json_object_get(u, "name"));
        *out = json_pack("{s:s, s:b, s:b, s:b, s:b, s:O, s:O, s:o, s:O, s:O, s:O, s:O}", "schema",
                         "complyd.accounts.v1", "passwd_readable", perr == 0, "shadow_exists",
                         shadow_exists, "shadow_readable", serr == 0, "group_readable", gerr == 0,
                         "users", users, "uid0_users", uid0, "duplicate_uids", duplicate_uids(users),
                         "groups", groups, "login_defs", defs, "pwquality", pwq, "sudo", sudo);
        return *out ? 0 : -ENOMEM;
}

const struct complyd_probe complyd_probe_accounts = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "accounts",
        .version = "1.0",
        .description = "local accounts, password state and aging (never hashes), groups, "
                       "login.defs, pwquality, sudoers grants",
        .params = accounts_params,
        .observe = accounts_observe,
        .max_output = 16u << 20,
};
