/* SPDX-License-Identifier: MIT */
/* The mfa probe on fixture roots shaped like Debian 12 hosts (real
 * sshd_config and /etc/pam.d files, then modified), one per row of the
 * decision table, and on this machine. */
#include <string.h>

#include "probe_ctx.h"
#include "testutil.h"

extern const struct complyd_probe complyd_probe_mfa;

/* Runs the probe on root with optional parameter overrides. */
static json_t *observe_params(const char *root, json_t *overrides) {
        struct complyd_probe_ctx *ctx;
        json_t *params = NULL, *out = NULL;
        char err[256];

        ck_assert_int_ge(probe_params_resolve(&complyd_probe_mfa, overrides, &params, err,
                                              sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_mfa.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_ptr_nonnull(out);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.mfa.v1");
        return out;
}

static json_t *observe(const char *root) { return observe_params(root, NULL); }

/* Value at a dotted path with [N] indexes, e.g. "ssh.auth_paths[0].methods". */
static json_t *at(json_t *o, const char *path) {
        char buf[256], *save = NULL, *tok;

        snprintf(buf, sizeof buf, "%s", path);
        for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
                char *br = strchr(tok, '[');
                if (br)
                        *br = '\0';
                if (*tok)
                        o = json_object_get(o, tok);
                while (br && o) {
                        o = json_array_get(o, strtoul(br + 1, NULL, 10));
                        br = strchr(br + 1, '[');
                }
        }
        return o;
}

static bool truth(json_t *o, const char *path) {
        json_t *v = at(o, path);
        ck_assert_msg(json_is_boolean(v), "%s is not a boolean", path);
        return json_is_true(v);
}

static const char *str(json_t *o, const char *path) {
        json_t *v = at(o, path);
        ck_assert_msg(json_is_string(v), "%s is not a string", path);
        return json_string_value(v);
}

#define assert_contains(hay, needle) \
        ck_assert_msg(strstr((hay), (needle)), "\"%s\" does not contain \"%s\"", (hay), (needle))

START_TEST(debian_default_has_no_mfa) {
        json_t *o = observe(FIXTURE("hosts/mfa-debian-default"));

        ck_assert(truth(o, "sshd.installed"));
        ck_assert(truth(o, "sshd.use_pam"));                 /* Debian's file sets it */
        ck_assert(!truth(o, "sshd.kbd_interactive"));        /* Debian ships "no" */
        ck_assert(truth(o, "sshd.password_authentication")); /* compiled default */
        ck_assert(json_is_null(at(o, "sshd.authentication_methods")));
        ck_assert_str_eq(str(o, "sshd.sources.UsePAM"), "/etc/ssh/sshd_config:85");
        ck_assert_str_eq(str(o, "sshd.sources.PasswordAuthentication"), "default");
        ck_assert_int_eq(json_array_size(at(o, "sshd.match_blocks")), 0);
        ck_assert_int_eq(json_array_size(at(o, "services.sshd.second_factors")), 0);
        ck_assert(truth(o, "services.sshd.exists"));
        ck_assert(truth(o, "services.login.exists"));
        ck_assert(truth(o, "services.sudo.exists"));
        ck_assert_str_eq(str(o, "services.sshd.auth_stack[0].module"), "pam_unix");
        ck_assert_str_eq(str(o, "services.sshd.auth_stack[0].file"), "/etc/pam.d/common-auth");
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "\"publickey\" login never reaches");
        /* two paths: publickey and password (keyboard-interactive is off) */
        ck_assert_int_eq(json_array_size(at(o, "ssh.auth_paths")), 2);
        json_decref(o);
}
END_TEST

START_TEST(totp_enforced) {
        json_t *o = observe(FIXTURE("hosts/mfa-totp-enforced"));

        ck_assert(truth(o, "sshd.kbd_interactive"));
        ck_assert_str_eq(str(o, "sshd.authentication_methods[0][0]"), "publickey");
        ck_assert_str_eq(str(o, "sshd.authentication_methods[0][1]"), "keyboard-interactive");
        ck_assert_int_eq(json_array_size(at(o, "sshd.authentication_methods")), 1);
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].module"),
                         "pam_google_authenticator");
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].control"), "required");
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].file"), "/etc/pam.d/sshd");
        ck_assert_int_eq(json_integer_value(at(o, "services.sshd.second_factors[0].line")), 6);
        ck_assert(!truth(o, "services.sshd.second_factors[0].optional"));
        ck_assert(truth(o, "services.sshd.second_factor_required"));
        ck_assert(truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "requires pam_google_authenticator (/etc/pam.d/sshd:6)");
        json_decref(o);
}
END_TEST

START_TEST(totp_nullok_is_optional) {
        json_t *o = observe(FIXTURE("hosts/mfa-totp-nullok"));

        ck_assert(truth(o, "services.sshd.second_factors[0].optional"));
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].options[0]"), "nullok");
        assert_contains(str(o, "services.sshd.second_factors[0].optional_reason"), "nullok");
        ck_assert(!truth(o, "services.sshd.second_factor_required"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "can be skipped: option nullok");
        json_decref(o);
}
END_TEST

START_TEST(pubkey_login_bypasses_pam_factor) {
        json_t *o = observe(FIXTURE("hosts/mfa-pubkey-bypass"));

        ck_assert(truth(o, "services.sshd.second_factor_required"));
        ck_assert(json_is_null(at(o, "sshd.authentication_methods")));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "a \"publickey\" login never reaches the PAM auth stack, so "
                        "pam_google_authenticator (/etc/pam.d/sshd:6) is not asked for");
        /* the keyboard-interactive path itself has the factor */
        ck_assert_str_eq(str(o, "ssh.auth_paths[2].methods[0]"), "keyboard-interactive");
        ck_assert(truth(o, "ssh.auth_paths[2].second_factor"));
        json_decref(o);
}
END_TEST

START_TEST(include_order_first_value_wins) {
        json_t *o = observe(FIXTURE("hosts/mfa-include-order"));
        json_t *files = at(o, "sshd.config_files");

        /* the drop-ins are read in place (line 12), in glob order; README is not *.conf */
        ck_assert_int_eq(json_array_size(files), 3);
        ck_assert_str_eq(str(o, "sshd.config_files[1]"), "/etc/ssh/sshd_config.d/00-any.conf");
        ck_assert_str_eq(str(o, "sshd.config_files[2]"), "/etc/ssh/sshd_config.d/50-mfa.conf");
        /* 00-any.conf's "any" came first: 50-mfa.conf changes nothing */
        ck_assert(json_is_null(at(o, "sshd.authentication_methods")));
        ck_assert_str_eq(str(o, "sshd.sources.AuthenticationMethods"),
                         "/etc/ssh/sshd_config.d/00-any.conf:2");
        /* the drop-in's "yes" precedes the main file's "KbdInteractiveAuthentication no" */
        ck_assert(truth(o, "sshd.kbd_interactive"));
        ck_assert_str_eq(str(o, "sshd.sources.KbdInteractiveAuthentication"),
                         "/etc/ssh/sshd_config.d/50-mfa.conf:2");
        ck_assert(!truth(o, "sshd.password_authentication"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "AuthenticationMethods any");
        json_decref(o);
}
END_TEST

START_TEST(match_block_relaxes) {
        json_t *o = observe(FIXTURE("hosts/mfa-match-relaxed"));

        ck_assert_int_eq(json_array_size(at(o, "sshd.match_blocks")), 2);
        ck_assert_str_eq(str(o, "sshd.match_blocks[0].criteria"), "User backup");
        ck_assert_str_eq(str(o, "sshd.match_blocks[0].file"), "/etc/ssh/sshd_config");
        ck_assert_int_eq(json_integer_value(at(o, "sshd.match_blocks[0].line")), 126);
        ck_assert_str_eq(str(o, "sshd.match_blocks[0].overrides.AuthenticationMethods"),
                         "publickey");
        ck_assert_str_eq(str(o, "sshd.match_blocks[0].overrides.AllowTcpForwarding"), "no");
        ck_assert_str_eq(str(o, "sshd.match_blocks[1].criteria"),
                         "Group contractors Address 192.0.2.0/24");
        /* global settings are unchanged by the Match blocks */
        ck_assert_str_eq(str(o, "sshd.authentication_methods[0][1]"), "keyboard-interactive");
        ck_assert(truth(o, "ssh.global_second_factor_enforced"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "Match User backup (/etc/ssh/sshd_config:126)");
        ck_assert(!truth(o, "ssh.match_contexts[0].second_factor_enforced"));
        /* password logins go through PAM (UsePAM yes): the code is still asked for */
        ck_assert(truth(o, "ssh.match_contexts[1].second_factor_enforced"));
        ck_assert_str_eq(str(o, "ssh.match_contexts[1].auth_paths[0].through_pam[0]"), "password");
        json_decref(o);
}
END_TEST

/* `Match all` is applied after the global settings (sshd -T on this root
 * prints "authenticationmethods publickey"): it relaxes the global list. */
START_TEST(match_all_relaxes) {
        json_t *o = observe(FIXTURE("hosts/mfa-match-all-relaxed"));

        ck_assert_int_eq(json_array_size(at(o, "sshd.authentication_methods")), 1);
        ck_assert_int_eq(json_array_size(at(o, "sshd.authentication_methods[0]")), 1);
        ck_assert_str_eq(str(o, "sshd.authentication_methods[0][0]"), "publickey");
        ck_assert_str_eq(str(o, "sshd.sources.AuthenticationMethods"), "/etc/ssh/sshd_config:127");
        ck_assert(truth(o, "sshd.match_blocks[0].all"));
        ck_assert(truth(o, "services.sshd.second_factor_required"));
        ck_assert(!truth(o, "ssh.global_second_factor_enforced"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "a \"publickey\" login never reaches");
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "Match all sets AuthenticationMethods publickey (/etc/ssh/sshd_config:127)");
        ck_assert_int_eq(json_array_size(at(o, "ssh.match_contexts")), 0);
        json_decref(o);
}
END_TEST

/* Global `AuthenticationMethods any`, tightened by `Match all`; a later
 * Match User block cannot relax it, because among the blocks a connection
 * matches the first value in file order wins (sshd -T -C user=backup,...
 * prints "authenticationmethods publickey,keyboard-interactive"). */
START_TEST(match_all_tightens) {
        json_t *o = observe(FIXTURE("hosts/mfa-match-all-enforced"));

        ck_assert_str_eq(str(o, "sshd.authentication_methods[0][1]"), "keyboard-interactive");
        ck_assert_str_eq(str(o, "sshd.sources.AuthenticationMethods"), "/etc/ssh/sshd_config:127");
        ck_assert(truth(o, "ssh.global_second_factor_enforced"));
        ck_assert(truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "requires pam_google_authenticator (/etc/pam.d/sshd:6)");
        assert_contains(str(o, "ssh.enforcement_reason"),
                        "Match all sets AuthenticationMethods publickey,keyboard-interactive "
                        "(/etc/ssh/sshd_config:127)");
        ck_assert_str_eq(str(o, "ssh.match_contexts[0].match"), "User backup");
        ck_assert(truth(o, "ssh.match_contexts[0].second_factor_enforced"));
        ck_assert_str_eq(str(o, "ssh.match_contexts[0].auth_paths[0].methods[0]"), "publickey");
        ck_assert_str_eq(str(o, "ssh.match_contexts[0].auth_paths[0].methods[1]"),
                         "keyboard-interactive");
        json_decref(o);
}
END_TEST

/* sshd checks AuthenticationMethods at start-up on its first pass, before
 * `Match all` overrides anything: Debian's KbdInteractiveAuthentication no
 * comes first, so sshd refuses to start ("Disabled method
 * keyboard-interactive") although the effective values would allow it. */
START_TEST(match_all_startup_check_uses_first_pass) {
        json_t *o = observe(FIXTURE("hosts/mfa-match-all-refused"));

        ck_assert(truth(o, "sshd.kbd_interactive"));
        ck_assert_str_eq(str(o, "sshd.sources.KbdInteractiveAuthentication"),
                         "/etc/ssh/sshd_config:126");
        ck_assert(!truth(o, "ssh.global_second_factor_enforced"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "sshd refuses to start");
        json_decref(o);
}
END_TEST

START_TEST(pam_jump_over_factor) {
        json_t *o = observe(FIXTURE("hosts/mfa-pam-jump"));

        ck_assert_str_eq(str(o, "services.sshd.auth_stack[0].control"),
                         "[success=1 default=ignore]");
        ck_assert(truth(o, "services.sshd.second_factors[0].optional"));
        assert_contains(str(o, "services.sshd.second_factors[0].optional_reason"),
                        "[success=1 default=ignore] pam_access at /etc/pam.d/sshd:5 can jump over it");
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        json_decref(o);
}
END_TEST

START_TEST(pam_substack_done_stays_inside) {
        json_t *o = observe(FIXTURE("hosts/mfa-pam-substack"));

        ck_assert_str_eq(str(o, "services.sshd.auth_stack[0].kind"), "substack");
        ck_assert_str_eq(str(o, "services.sshd.auth_stack[1].module"), "pam_succeed_if");
        ck_assert_str_eq(str(o, "services.sshd.auth_stack[1].file"), "/etc/pam.d/sshd-preauth");
        ck_assert_int_eq(json_integer_value(at(o, "services.sshd.auth_stack[1].level")), 1);
        /* `sufficient` ends only the substack: the code is still required */
        ck_assert(!truth(o, "services.sshd.second_factors[0].optional"));
        ck_assert(truth(o, "ssh.second_factor_enforced"));
        json_decref(o);
}
END_TEST

START_TEST(pam_include_sufficient_skips) {
        json_t *o = observe(FIXTURE("hosts/mfa-pam-include"));

        ck_assert_int_eq(json_integer_value(at(o, "services.sshd.auth_stack[0].level")), 0);
        ck_assert(truth(o, "services.sshd.second_factors[0].optional"));
        assert_contains(str(o, "services.sshd.second_factors[0].optional_reason"),
                        "sufficient pam_succeed_if at /etc/pam.d/sshd-preauth:5 can end the stack");
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        json_decref(o);
}
END_TEST

START_TEST(u2f_sufficient_is_optional) {
        json_t *o = observe(FIXTURE("hosts/mfa-u2f-sufficient"));

        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].module"), "pam_u2f");
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].kind"), "fido2/u2f");
        ck_assert_str_eq(str(o, "services.sshd.second_factors[0].control"), "sufficient");
        ck_assert(truth(o, "services.sshd.second_factors[0].optional"));
        assert_contains(str(o, "services.sshd.second_factors[0].optional_reason"),
                        "does not fail the stack");
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        json_decref(o);
}
END_TEST

START_TEST(sshd_not_installed) {
        json_t *o = observe(FIXTURE("hosts/mfa-no-sshd"));

        ck_assert(!truth(o, "sshd.installed"));
        ck_assert(json_is_null(at(o, "sshd.use_pam")));
        ck_assert(json_is_null(at(o, "sshd.authentication_methods")));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "sshd is not installed");
        ck_assert(!truth(o, "services.sshd.exists"));
        ck_assert(truth(o, "services.sshd.uses_other"));
        /* sudo is still judged on its own */
        ck_assert(truth(o, "services.sudo.second_factor_required"));
        ck_assert_str_eq(str(o, "services.sudo.second_factors[0].module"), "pam_u2f");
        ck_assert(!truth(o, "services.sudo.second_factors[0].optional"));
        json_decref(o);
}
END_TEST

START_TEST(duo_force_command) {
        json_t *o = observe(FIXTURE("hosts/mfa-duo-login"));

        ck_assert_str_eq(str(o, "sshd.force_command"), "/usr/sbin/login_duo");
        ck_assert(truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "ForceCommand /usr/sbin/login_duo");
        json_decref(o);

        o = observe(FIXTURE("hosts/mfa-duo-forwarding"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "AllowStreamLocalForwarding yes");
        json_decref(o);
}
END_TEST

START_TEST(usepam_no_unsatisfiable_no_config) {
        json_t *o = observe(FIXTURE("hosts/mfa-usepam-no"));

        ck_assert(!truth(o, "sshd.use_pam"));
        ck_assert(truth(o, "services.sshd.second_factor_required"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "UsePAM is no");
        json_decref(o);

        /* AuthenticationMethods added but Debian's KbdInteractiveAuthentication no kept */
        o = observe(FIXTURE("hosts/mfa-am-unsatisfiable"));
        ck_assert(!truth(o, "ssh.auth_paths[0].usable"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "sshd refuses to start");
        json_decref(o);

        o = observe(FIXTURE("hosts/mfa-no-config"));
        ck_assert(truth(o, "sshd.installed"));
        ck_assert_str_eq(str(o, "sshd.binary"), "/usr/sbin/sshd");
        ck_assert(!truth(o, "sshd.config_exists"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        assert_contains(str(o, "ssh.enforcement_reason"), "missing or unreadable");
        json_decref(o);
}
END_TEST

START_TEST(this_machine) {
        json_t *o = observe("/");

        /* no openssh-server here: a fact, not an error */
        ck_assert(!truth(o, "sshd.installed"));
        ck_assert(!truth(o, "ssh.second_factor_enforced"));
        ck_assert(truth(o, "services.login.exists"));
        ck_assert_str_eq(str(o, "services.login.file"), "/etc/pam.d/login");
        json_decref(o);
}
END_TEST

START_TEST(pam_services_parameter) {
        json_t *over = json_pack("{s:[s,s]}", "pam_services", "su", "../shadow");
        json_t *o = observe_params(FIXTURE("hosts/mfa-debian-default"), over);

        ck_assert_ptr_nonnull(at(o, "services.sshd"));
        ck_assert_ptr_null(at(o, "services.login"));
        ck_assert(!truth(o, "services.su.exists"));
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(at(o, "services"), "../shadow"), "error")),
                         "invalid PAM service name");
        json_decref(o);
        json_decref(over);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_mfa");
        TCase *tc = tcase_create("mfa");

        tcase_add_test(tc, debian_default_has_no_mfa);
        tcase_add_test(tc, totp_enforced);
        tcase_add_test(tc, totp_nullok_is_optional);
        tcase_add_test(tc, pubkey_login_bypasses_pam_factor);
        tcase_add_test(tc, include_order_first_value_wins);
        tcase_add_test(tc, match_block_relaxes);
        tcase_add_test(tc, match_all_relaxes);
        tcase_add_test(tc, match_all_tightens);
        tcase_add_test(tc, match_all_startup_check_uses_first_pass);
        tcase_add_test(tc, pam_jump_over_factor);
        tcase_add_test(tc, pam_substack_done_stays_inside);
        tcase_add_test(tc, pam_include_sufficient_skips);
        tcase_add_test(tc, u2f_sufficient_is_optional);
        tcase_add_test(tc, sshd_not_installed);
        tcase_add_test(tc, duo_force_command);
        tcase_add_test(tc, usepam_no_unsatisfiable_no_config);
        tcase_add_test(tc, this_machine);
        tcase_add_test(tc, pam_services_parameter);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
