/* SPDX-License-Identifier: MIT */
/* sshd_config parser: OpenSSH 9.2 semantics on in-memory files and on
 * Debian 12's shipped sshd_config. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sshd_config.h"
#include "testutil.h"

/* An in-memory file system: NULL-terminated {path, text} pairs. */
struct memfs {
        const char *const *files;
};

static int mem_read(void *u, const char *path, char **buf, size_t *len) {
        const struct memfs *fs = u;

        for (const char *const *f = fs->files; *f; f += 2)
                if (streq(*f, path)) {
                        *buf = strdup(f[1]);
                        *len = strlen(f[1]);
                        return *buf ? 0 : -ENOMEM;
                }
        return -ENOENT;
}

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int mem_glob(void *u, const char *pattern, char ***paths) {
        const struct memfs *fs = u;
        char **v = calloc(64, sizeof(char *));
        size_t n = 0;

        for (const char *const *f = fs->files; v && *f && n < 63; f += 2)
                if (fnmatch(pattern, *f, FNM_PATHNAME | FNM_PERIOD) == 0)
                        v[n++] = strdup(*f);
        if (!v)
                return -ENOMEM;
        qsort(v, n, sizeof(char *), cmp);
        *paths = v;
        return 0;
}

static void mem_strv_free(char **v) { strv_free(v); }

/* Parses files[1] as files[0] with the rest reachable through Include. */
static void load(struct sshd_config *cfg, const char *const *files) {
        struct memfs fs = { files };
        struct sshd_config_io io = { mem_read, mem_glob, mem_strv_free, &fs };

        sshd_config_init(cfg);
        ck_assert_int_eq(sshd_config_load(cfg, files[0], &io), 0);
}

static const char *val(const struct sshd_config *cfg, const char *kw) {
        return sshd_config_value(cfg, NULL, kw);
}

START_TEST(defaults_are_openssh_92) {
        struct sshd_config cfg;
        const char *const files[] = { "/etc/ssh/sshd_config", "# empty\n", NULL };
        json_t *eff;

        load(&cfg, files);
        ck_assert_str_eq(val(&cfg, "UsePAM"), "no");
        ck_assert_str_eq(val(&cfg, "KbdInteractiveAuthentication"), "yes");
        ck_assert_str_eq(val(&cfg, "PasswordAuthentication"), "yes");
        ck_assert_str_eq(val(&cfg, "AuthenticationMethods"), "any");
        eff = sshd_config_effective(&cfg);
        ck_assert_str_eq(json_string_value(json_object_get(eff, "permitrootlogin")),
                         "without-password");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(eff, "port"), 0)), "22");
        ck_assert_int_eq(json_array_size(json_object_get(eff, "hostkey")), 3);
        ck_assert_ptr_null(json_object_get(eff, "challengeresponseauthentication"));
        json_decref(eff);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(debian_shipped_file) {
        _cleanup_free_ char *text = NULL;
        struct sshd_config cfg;
        FILE *f = fopen(FIXTURE("hosts/mfa-debian-default/etc/ssh/sshd_config"), "r");
        size_t n;
        json_t *eff;

        ck_assert_ptr_nonnull(f);
        text = calloc(1, 65536);
        n = fread(text, 1, 65535, f);
        fclose(f);
        ck_assert_uint_gt(n, 1000);
        const char *const files[] = { "/etc/ssh/sshd_config", text, NULL };
        load(&cfg, files);
        ck_assert_int_eq(cfg.n_errors, 0);
        ck_assert_str_eq(val(&cfg, "UsePAM"), "yes");
        ck_assert_str_eq(val(&cfg, "KbdInteractiveAuthentication"), "no");
        eff = sshd_config_effective(&cfg);
        ck_assert_str_eq(json_string_value(json_object_get(eff, "x11forwarding")), "yes");
        ck_assert_str_eq(json_string_value(json_object_get(eff, "printmotd")), "no");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(eff, "subsystem"), 0)),
                         "sftp /usr/lib/openssh/sftp-server");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(eff, "acceptenv"), 1)),
                         "LC_*");
        json_decref(eff);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(syntax_case_equals_quotes) {
        struct sshd_config cfg;
        const char *const files[] = {
                "/etc/ssh/sshd_config",
                "  usepam=YES\n"
                "PASSWORDAUTHENTICATION = no\n"
                "Banner \"/etc/issue net\" # trailing comment\n"
                "ForceCommand '/usr/bin/run it' \"a b\" c\\ d\n"
                "PasswordAuthentication yes\n"
                "Port 22\nPort 2222\n"
                "ChallengeResponseAuthentication no\n"
                "KbdInteractiveAuthentication yes\n",
                NULL };
        const struct sshd_setting *s;
        json_t *eff;

        load(&cfg, files);
        ck_assert_int_eq(cfg.n_errors, 0);
        ck_assert_str_eq(val(&cfg, "UsePAM"), "yes");
        ck_assert_str_eq(val(&cfg, "PasswordAuthentication"), "no"); /* first wins */
        ck_assert_str_eq(val(&cfg, "Banner"), "/etc/issue net");
        ck_assert_str_eq(val(&cfg, "ForceCommand"), "/usr/bin/run it a b c d");
        /* the old name sets the same option: the later new name is ignored */
        s = sshd_config_get(&cfg, "KbdInteractiveAuthentication");
        ck_assert_str_eq(s->value, "no");
        ck_assert_uint_eq(s->line, 8);
        eff = sshd_config_effective(&cfg);
        ck_assert_int_eq(json_array_size(json_object_get(eff, "port")), 2);
        json_decref(eff);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(errors_are_reported) {
        struct sshd_config cfg;
        const char *const files[] = {
                "/etc/ssh/sshd_config",
                "NoSuchOption yes\n"
                "PermitRootLogin\n"
                "Banner \"unterminated\n"
                "UseDNS maybe\n"
                "AuthenticationMethods publickey,sms\n"
                "AuthenticationMethods any publickey\n"
                "Protocol 2\n"
                "Match User x\n"
                "UsePAM yes\n",
                NULL };

        load(&cfg, files);
        ck_assert_uint_eq(cfg.n_errors, 7);
        ck_assert_uint_eq(cfg.errors[0].line, 1);
        ck_assert(strstr(cfg.errors[0].message, "Bad configuration option: NoSuchOption"));
        ck_assert(strstr(cfg.errors[1].message, "no argument"));
        ck_assert(strstr(cfg.errors[2].message, "quotes"));
        ck_assert(strstr(cfg.errors[3].message, "yes or no"));
        ck_assert(strstr(cfg.errors[4].message, "AuthenticationMethods"));
        ck_assert(strstr(cfg.errors[5].message, "AuthenticationMethods"));
        ck_assert_uint_eq(cfg.errors[6].line, 9); /* Protocol is deprecated, not an error */
        ck_assert(strstr(cfg.errors[6].message, "not allowed within a Match block"));
        ck_assert_str_eq(val(&cfg, "UsePAM"), "no");
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(include_in_place_glob_order) {
        struct sshd_config cfg;
        const char *const files[] = {
                "/etc/ssh/sshd_config",
                "Include sshd_config.d/*.conf\n"   /* relative to /etc/ssh */
                "PasswordAuthentication no\n"
                "Include /etc/ssh/extra\n",
                "/etc/ssh/sshd_config.d/50-b.conf", "AuthenticationMethods publickey,password\n",
                "/etc/ssh/sshd_config.d/10-a.conf", "AuthenticationMethods any\nX11Forwarding yes\n",
                "/etc/ssh/sshd_config.d/notes.txt", "UsePAM yes\n",
                "/etc/ssh/extra", "PasswordAuthentication yes\nUsePAM yes\n",
                NULL };
        const struct sshd_setting *s;

        load(&cfg, files);
        ck_assert_int_eq(cfg.n_errors, 0);
        ck_assert_uint_eq(cfg.n_files, 4);
        ck_assert_str_eq(cfg.files[1], "/etc/ssh/sshd_config.d/10-a.conf");
        ck_assert_str_eq(cfg.files[2], "/etc/ssh/sshd_config.d/50-b.conf");
        s = sshd_config_get(&cfg, "AuthenticationMethods");
        ck_assert_str_eq(s->value, "any");
        ck_assert_str_eq(s->file, "/etc/ssh/sshd_config.d/10-a.conf");
        ck_assert_str_eq(val(&cfg, "PasswordAuthentication"), "no");
        ck_assert_str_eq(val(&cfg, "UsePAM"), "yes");
        json_t *am = sshd_auth_methods_json(val(&cfg, "AuthenticationMethods"));
        ck_assert(json_is_null(am));
        json_decref(am);
        am = sshd_auth_methods_json("publickey,keyboard-interactive:pam password");
        ck_assert_int_eq(json_array_size(am), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_array_get(am, 0), 1)),
                         "keyboard-interactive:pam");
        json_decref(am);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(include_depth_limited) {
        struct sshd_config cfg;
        const char *const files[] = { "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config\n",
                                      NULL };

        load(&cfg, files);
        ck_assert_uint_eq(cfg.n_files, SSHD_MAX_INCLUDE_DEPTH);
        ck_assert_uint_eq(cfg.n_errors, 1);
        ck_assert(strstr(cfg.errors[0].message, "nested too deeply"));
        sshd_config_done(&cfg);
}
END_TEST

/* The input is one `sshd -T` accepts (checked by hand against OpenSSH 9.2p1
 * with and without -C user=backup,addr=10.1.1.1): a `Match all` value
 * overrides the global one, and for a connection matching another block
 * the first value in file order among that block and `Match all` wins. */
START_TEST(match_blocks) {
        struct sshd_config cfg;
        const char *const files[] = {
                "/etc/ssh/sshd_config",
                "AuthenticationMethods publickey,keyboard-interactive\n"
                "Match User backup,deploy Address 10.0.0.0/8\n"
                "  AuthenticationMethods publickey\n"
                "  AuthenticationMethods password\n"
                "  Include /etc/ssh/match.d/*\n"
                "Match all\n"
                "PermitRootLogin no\n"
                "AuthenticationMethods password\n"
                "AuthenticationMethods publickey,password\n"
                "Include /etc/ssh/late\n"
                "X11Forwarding no\n",
                "/etc/ssh/match.d/x", "PasswordAuthentication yes\n",
                "/etc/ssh/late", "Match Group wheel\nPermitTTY no\nAuthenticationMethods publickey\n",
                NULL };
        const struct sshd_match *m;
        const struct sshd_setting *s;
        json_t *j;

        load(&cfg, files);
        ck_assert_int_eq(cfg.n_errors, 0);
        ck_assert_uint_eq(cfg.n_matches, 3);
        m = &cfg.matches[0];
        ck_assert_str_eq(m->criteria, "User backup,deploy Address 10.0.0.0/8");
        ck_assert(!m->all);
        ck_assert_uint_eq(m->line, 2);
        ck_assert_str_eq(sshd_match_get(m, "AuthenticationMethods")->value, "publickey");
        /* an Include inside a Match belongs to it */
        ck_assert_str_eq(sshd_match_get(m, "PasswordAuthentication")->value, "yes");
        /* this block comes before `Match all`: its own value wins for its users */
        ck_assert_str_eq(sshd_config_value(&cfg, m, "AuthenticationMethods"), "publickey");
        ck_assert(cfg.matches[1].all);
        /* `Match all` overrides the global value; first value wins inside it */
        ck_assert_str_eq(val(&cfg, "PermitRootLogin"), "no");
        ck_assert_str_eq(val(&cfg, "AuthenticationMethods"), "password");
        s = sshd_config_get(&cfg, "AuthenticationMethods");
        ck_assert(s->match_all);
        ck_assert_uint_eq(s->line, 8);
        /* a Match opened in an included file ends with that file */
        ck_assert_str_eq(cfg.matches[2].criteria, "Group wheel");
        ck_assert_str_eq(sshd_match_get(&cfg.matches[2], "PermitTTY")->value, "no");
        ck_assert_str_eq(sshd_config_value(&cfg, &cfg.matches[2], "PermitTTY"), "no");
        /* ... and comes after `Match all`, whose value wins for wheel users */
        ck_assert_str_eq(sshd_config_value(&cfg, &cfg.matches[2], "AuthenticationMethods"),
                         "password");
        ck_assert(sshd_config_setting(&cfg, &cfg.matches[2], "AuthenticationMethods")->match_all);
        ck_assert_str_eq(val(&cfg, "X11Forwarding"), "no");
        ck_assert_ptr_null(sshd_match_get(&cfg.matches[2], "X11Forwarding"));
        j = sshd_config_matches_json(&cfg);
        ck_assert_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_array_get(j, 0), "overrides"),
                                 "AuthenticationMethods")),
                         "publickey");
        json_decref(j);
        j = sshd_config_effective(&cfg);
        ck_assert_str_eq(json_string_value(json_object_get(j, "authenticationmethods")),
                         "password");
        json_decref(j);
        sshd_config_done(&cfg);
}
END_TEST

/* Keywords a Match may not set keep sshd's first-pass rule inside
 * `Match all` (first value in file order); the getters and
 * sshd_config_effective() agree on every keyword. */
START_TEST(match_all_global_only_keywords) {
        struct sshd_config cfg;
        const char *const files[] = {
                "/etc/ssh/sshd_config",
                "UsePAM no\n"
                "PasswordAuthentication no\n"
                "Match all\n"
                "UsePAM yes\n"
                "PasswordAuthentication yes\n"
                "PubkeyAuthentication no\n",
                NULL };
        json_t *eff;

        load(&cfg, files);
        ck_assert_int_eq(cfg.n_errors, 0);
        ck_assert_str_eq(val(&cfg, "UsePAM"), "no");
        ck_assert(!sshd_config_get(&cfg, "UsePAM")->match_all);
        ck_assert_str_eq(val(&cfg, "PasswordAuthentication"), "yes");
        ck_assert_str_eq(val(&cfg, "PubkeyAuthentication"), "no");
        eff = sshd_config_effective(&cfg);
        ck_assert_str_eq(json_string_value(json_object_get(eff, "usepam")), "no");
        ck_assert_str_eq(json_string_value(json_object_get(eff, "passwordauthentication")), "yes");
        ck_assert_str_eq(json_string_value(json_object_get(eff, "pubkeyauthentication")), "no");
        json_decref(eff);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(bad_match_criteria) {
        struct sshd_config cfg;
        const char *const files[] = { "/etc/ssh/sshd_config",
                                      "Match Colour blue\nMatch User\nMatch all User x\n", NULL };

        load(&cfg, files);
        ck_assert_uint_eq(cfg.n_errors, 3);
        ck_assert_uint_eq(cfg.n_matches, 0);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(garbage_and_nul) {
        struct sshd_config cfg;
        static const char buf[] = "UsePAM yes\0garbage\n\xff\xfe=\n=\n\"\n";

        sshd_config_init(&cfg);
        ck_assert_int_eq(sshd_config_parse_buffer(&cfg, "/x", buf, sizeof(buf) - 1, NULL), 0);
        ck_assert_str_eq(val(&cfg, "UsePAM"), "yes");
        ck_assert_uint_ge(cfg.n_errors, 2);
        sshd_config_done(&cfg);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("sshd_config");
        TCase *tc = tcase_create("parse");

        tcase_add_test(tc, defaults_are_openssh_92);
        tcase_add_test(tc, debian_shipped_file);
        tcase_add_test(tc, syntax_case_equals_quotes);
        tcase_add_test(tc, errors_are_reported);
        tcase_add_test(tc, include_in_place_glob_order);
        tcase_add_test(tc, include_depth_limited);
        tcase_add_test(tc, match_blocks);
        tcase_add_test(tc, match_all_global_only_keywords);
        tcase_add_test(tc, bad_match_criteria);
        tcase_add_test(tc, garbage_and_nul);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
