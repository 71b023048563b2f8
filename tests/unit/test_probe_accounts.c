/* SPDX-License-Identifier: MIT */
/* The accounts probe on a clean and a neglected Debian 12 root, and its
 * parsers on edge cases (shadow password states, login.defs octal values,
 * sudoers syntax). */
#include <string.h>

#include "../../probes/accounts/accounts.h"
#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"

extern const struct complyd_probe complyd_probe_accounts;

static json_t *observe(const char *root) {
        struct complyd_probe_ctx *ctx;
        json_t *params = NULL, *out = NULL;
        char err[256];

        ck_assert_int_ge(probe_params_resolve(&complyd_probe_accounts, NULL, &params, err, sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_accounts.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_ptr_nonnull(out);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.accounts.v1");
        return out;
}

static json_t *user(json_t *o, const char *name) {
        json_t *u;
        size_t i;

        json_array_foreach(json_object_get(o, "users"), i, u)
                if (streq(json_string_value(json_object_get(u, "name")), name))
                        return u;
        ck_abort_msg("no user %s", name);
        return NULL;
}

static const char *ustr(json_t *o, const char *name, const char *key) {
        return json_string_value(json_object_get(user(o, name), key));
}

/* The grant of sudoers to name at line, or NULL. */
static json_t *grant(json_t *o, const char *name, int line) {
        json_t *g;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(o, "sudo"), "grants"), i, g)
                if (streq(json_string_value(json_object_get(g, "user")), name) &&
                    json_integer_value(json_object_get(g, "line")) == line)
                        return g;
        return NULL;
}

/* Whether the output mentions a password hash anywhere. */
static bool leaks_hash(json_t *o) {
        _cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
        return strstr(text, "$y$") || strstr(text, "$1$") || strstr(text, "3hQeFq0x");
}

START_TEST(clean_host) {
        json_t *o = observe(FIXTURE("hosts/accounts-clean"));
        json_t *d = json_object_get(o, "login_defs"), *g;

        ck_assert(!leaks_hash(o));
        ck_assert_int_eq(json_array_size(json_object_get(o, "users")), 24);
        ck_assert_int_eq(json_array_size(json_object_get(o, "uid0_users")), 1);
        ck_assert_str_eq(ustr(o, "alice", "password"), "set");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(user(o, "alice"), "shadow"),
                                                           "scheme")), "yescrypt");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(user(o, "alice"), "shadow"),
                                                            "max_days")), 365);
        ck_assert_str_eq(ustr(o, "bob", "password"), "locked");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(user(o, "bob"), "shadow"),
                                                           "expire_date")), "2026-02-16");
        ck_assert_str_eq(ustr(o, "root", "password"), "disabled");
        ck_assert(json_is_true(json_object_get(user(o, "alice"), "human")));
        ck_assert(json_is_false(json_object_get(user(o, "deploy"), "human")));
        ck_assert(json_is_false(json_object_get(user(o, "nobody"), "human")));
        ck_assert(json_is_false(json_object_get(user(o, "daemon"), "login_shell")));
        ck_assert_int_eq(json_integer_value(json_object_get(d, "pass_max_days")), 365);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "settings"), "UMASK")), "022");
        /* %sudo ALL=(ALL:ALL) ALL: with a password; the deploy account's
         * NOPASSWD rule comes from sudoers.d; old.dpkg-old is skipped */
        g = grant(o, "alice", 50);
        ck_assert_ptr_nonnull(g);
        ck_assert_str_eq(json_string_value(json_object_get(g, "via")), "%sudo");
        ck_assert(json_is_false(json_object_get(g, "nopasswd")));
        ck_assert(json_is_true(json_object_get(g, "all_commands")));
        g = grant(o, "deploy", 4);
        ck_assert_ptr_nonnull(g);
        ck_assert(json_is_true(json_object_get(g, "nopasswd")));
        ck_assert(json_is_false(json_object_get(g, "all_commands")));
        ck_assert_int_eq(json_array_size(json_object_get(json_object_get(o, "sudo"), "files")), 3);
        ck_assert_int_eq(json_array_size(json_object_get(json_object_get(o, "sudo"), "grants")), 4);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "pwquality"), "minlen")), 14);
        ck_assert(json_is_true(json_object_get(json_object_get(json_object_get(o, "pwquality"), "settings"),
                                               "enforce_for_root")));
        json_decref(o);
}
END_TEST

START_TEST(neglected_host) {
        json_t *o = observe(FIXTURE("hosts/accounts-bad"));
        json_t *dups = json_object_get(o, "duplicate_uids"), *g;

        ck_assert(!leaks_hash(o));
        ck_assert_int_eq(json_array_size(json_object_get(o, "uid0_users")), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "uid0_users"), 1)), "toor");
        ck_assert(json_is_true(json_object_get(user(o, "guest"), "empty_password")));
        ck_assert(json_is_true(json_object_get(user(o, "guest"), "login_shell")));
        ck_assert(json_is_true(json_object_get(user(o, "kiosk"), "empty_password")));
        ck_assert(json_is_false(json_object_get(user(o, "kiosk"), "login_shell")));
        ck_assert_str_eq(ustr(o, "legacy", "password_field"), "hash");
        ck_assert_int_eq(json_array_size(dups), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(dups, 1), "uid")), 1002);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "login_defs"),
                                                            "pass_max_days")), 99999);
        g = grant(o, "carol", 12);   /* %admins NOPASSWD: ALL */
        ck_assert(json_is_true(json_object_get(g, "nopasswd")));
        ck_assert_str_eq(json_string_value(json_object_get(g, "via")), "%admins");
        g = grant(o, "dave", 13);    /* OPS alias; NOPASSWD on the second command */
        ck_assert(json_is_true(json_object_get(g, "nopasswd")));
        ck_assert_str_eq(json_string_value(json_object_get(g, "via")), "OPS");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(g, "commands"), 0)),
                         "/usr/bin/apt-get update");
        ck_assert(json_is_false(json_object_get(grant(o, "alice", 11), "nopasswd")));
        g = grant(o, "alice", 14);   /* #1000 ALL = (ALL) EVERYTHING (a Cmnd_Alias of ALL) */
        ck_assert(json_is_true(json_object_get(g, "all_commands")));
        ck_assert(json_is_false(json_object_get(g, "nopasswd")));
        ck_assert_ptr_nonnull(grant(o, "legacy", 4)); /* #includedir sudoers.d */
        ck_assert_ptr_null(grant(o, "guest", 12));
        /* pwquality.conf.d first, then pwquality.conf: the main file wins */
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "pwquality"), "minlen")), 10);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "pwquality"), "ucredit")), -1);
        json_decref(o);
}
END_TEST

START_TEST(empty_root) {
        json_t *o = observe(FIXTURE("hosts/ssh-no-sshd"));

        ck_assert(json_is_false(json_object_get(o, "passwd_readable")));
        ck_assert(json_is_false(json_object_get(o, "shadow_exists")));
        ck_assert_int_eq(json_array_size(json_object_get(o, "users")), 0);
        ck_assert(json_is_false(json_object_get(json_object_get(o, "sudo"), "sudoers_exists")));
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "login_defs"),
                                                            "pass_max_days")), 99999);
        json_decref(o);
}
END_TEST

START_TEST(password_states) {
        static const struct {
                const char *field, *state, *scheme;
        } cases[] = {
                { "", "none", NULL },
                { "*", "disabled", NULL },
                { "!", "disabled", NULL },
                { "!*", "disabled", NULL },
                { "$6$salt$hash", "set", "sha512crypt" },
                { "!$y$j9T$salt$hash", "locked", "yescrypt" },
                { "!!$5$x$y", "locked", "sha256crypt" },
                { "$2b$12$abcdefghijklmnopqrstuv", "set", "bcrypt" },
                { "abcdefghijklm", "set", "descrypt" },
                { "$1$", "disabled", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *scheme;
                const char *state = acct_password_state(cases[i].field, strlen(cases[i].field), &scheme);
                ck_assert_msg(streq(state, cases[i].state), "%s: %s", cases[i].field, state);
                if (cases[i].scheme)
                        ck_assert_str_eq(scheme, cases[i].scheme);
                else
                        ck_assert_ptr_null(scheme);
        }
}
END_TEST

START_TEST(sudoers_syntax) {
        struct sudo_policy p;
        static const char text[] =
                "Defaults !authenticate\n"
                "User_Alias A = x, B\nUser_Alias B = y, !z\n"
                "A, %wheel   web1, web2 = (root : adm) NOEXEC: /bin/ls, PASSWD: /bin/cat, \\\n"
                "   NOPASSWD:SETENV: /bin/df\n"
                "bogus line without equals\n"
                "@include /etc/sudoers.d/x\n";
        json_t *users, *r;

        ck_assert_int_eq(sudo_policy_init(&p), 0);
        ck_assert_int_eq(sudo_parse(&p, "/etc/sudoers", text, sizeof text - 1, NULL), 0);
        ck_assert_int_eq(json_array_size(p.no_authenticate), 1);
        ck_assert_int_eq(json_array_size(p.rules), 1);
        r = json_array_get(p.rules, 0);
        ck_assert_str_eq(json_string_value(json_object_get(r, "hosts")), "web1, web2");
        ck_assert_int_eq(json_integer_value(json_object_get(r, "line")), 4);
        ck_assert_int_eq(json_array_size(json_object_get(r, "commands")), 3);
        ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(r, "commands"), 1), "nopasswd")));
        ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(r, "commands"), 2), "nopasswd")));
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r, "commands"), 0), "runas")),
                         "root : adm");
        users = sudo_expand_users(&p, json_object_get(r, "users"));
        ck_assert_int_eq(json_array_size(users), 3); /* x, y (z negated), %wheel */
        ck_assert_str_eq(json_string_value(json_array_get(users, 1)), "y");
        json_decref(users);
        ck_assert_int_eq(json_array_size(p.errors), 2); /* the bogus line, the include */
        sudo_policy_done(&p);
}
END_TEST

START_TEST(garbage) {
        static const char junk[] = "::::\n\xff\xfe:x:0:0::/:/bin/sh\nroot:x:0\n\0\n#c\n:x:1:1:::\n"
                                   "a:x:99999999999:1:::\nb:x:1:1::/:\n";
        json_t *users = json_array(), *sh = json_object(), *gr = json_array(), *kv = json_object();

        ck_assert_int_eq(acct_parse_passwd(junk, sizeof junk - 1, users), 0);
        ck_assert_int_eq(json_array_size(users), 2); /* the invalid name is '?'-replaced, b */
        ck_assert_int_eq(acct_parse_shadow(junk, sizeof junk - 1, sh), 0);
        ck_assert_int_eq(acct_parse_group(junk, sizeof junk - 1, gr), 0);
        ck_assert_int_eq(acct_parse_keyvalue(junk, sizeof junk - 1, true, kv), 0);
        json_decref(users);
        json_decref(sh);
        json_decref(gr);
        json_decref(kv);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_accounts");
        TCase *tc = tcase_create("accounts");

        tcase_add_test(tc, clean_host);
        tcase_add_test(tc, neglected_host);
        tcase_add_test(tc, empty_root);
        tcase_add_test(tc, password_states);
        tcase_add_test(tc, sudoers_syntax);
        tcase_add_test(tc, garbage);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
