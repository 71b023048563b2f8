/* SPDX-License-Identifier: MIT */
/* Loading the control set: built-in and local files, replacement,
 * duplicates, host overrides, probe parameters, and every load error at
 * its line:col (golden files in tests/fixtures/config/controls/errors/). */
#include <check.h>

#include "config.h"
#include "controls.h"
#include "rules.h"
#include "testutil.h"
#include "util.h"

#define CTL(rel) FIXTURE("config/controls/" rel)

static const struct complyd_param sshd_params[] = {
        { COMPLYD_PARAM_STRING, "config_path", "\"/etc/ssh/sshd_config\"", "sshd_config to read" },
        {},
};

/* sshd: a parameter table; ports: no parameters; script_check: a script
 * that takes any parameters; anything else is unknown. */
static int lookup(void *userdata, const char *name, const struct complyd_param **params) {
        if (streq(name, "sshd")) {
                *params = sshd_params;
                return 0;
        }
        if (streq(name, "ports")) {
                *params = NULL;
                return 0;
        }
        if (streq(name, "script_check"))
                return 1;
        return -ENOENT;
}

static char *slurp(const char *path) {
        char *buf = NULL;

        ck_assert_int_eq(read_full_file(path, 4 << 20, &buf, NULL), 0);
        return buf;
}

/* Loads the built-in fixture file(s) plus a complyd.yaml given as text
 * (NULL = none); returns the result and the diagnostics text. */
static int load(const struct builtin_file *files, const char *config_text,
                struct control_set **set, char **diags) {
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *cfg = NULL;
        int r;

        if (config_text)
                ck_assert_int_eq(config_load_buffer(config_text, strlen(config_text),
                                                    "complyd.yaml", &d, &cfg), 0);
        r = controls_load(files, cfg, lookup, NULL, &d, set);
        *diags = diag_to_string(&d);
        diag_clear(&d);
        return r;
}

static const char *const golden[] = { "rules", "control" };

START_TEST(test_golden_errors) {
        _cleanup_free_ char *ypath = strdup_printf(CTL("errors/%s.yaml"), golden[_i]);
        _cleanup_free_ char *epath = strdup_printf(CTL("errors/%s.expected"), golden[_i]);
        _cleanup_free_ char *name = strdup_printf("%s.yaml", golden[_i]);
        _cleanup_free_ char *text = slurp(ypath), *expected = slurp(epath), *diags = NULL;
        const struct builtin_file files[] = { { name, text }, { 0, 0 } };
        struct control_set *set = NULL;

        ck_assert_int_eq(load(files, NULL, &set, &diags), -EINVAL);
        ck_assert_ptr_null(set);
        ck_assert_msg(streq(diags, expected), "got\n%s\nexpected\n%s", diags, expected);
}
END_TEST

START_TEST(test_builtin_only) {
        _cleanup_free_ char *text = slurp(CTL("builtin/base.yaml")), *diags = NULL;
        const struct builtin_file files[] = { { "<builtin>/controls.d/base.yaml", text }, { 0, 0 } };
        _cleanup_control_set_ struct control_set *set = NULL;
        const struct control *c;
        _cleanup_free_ char *pp = NULL, *crit = NULL;

        ck_assert_int_eq(load(files, NULL, &set, &diags), 0);
        ck_assert_str_eq(diags, "");
        ck_assert_uint_eq(set->n, 2);
        ck_assert_ptr_null(set->notices[0]);
        c = control_set_find(set, "ssh-root-login");
        ck_assert_str_eq(c->title, "Root cannot log in over SSH");
        ck_assert_int_eq(c->severity, SEVERITY_HIGH);
        ck_assert_str_eq(c->probe, "sshd");
        ck_assert_uint_eq(c->interval_usec, 3600 * USEC_PER_SEC);
        ck_assert_str_eq(c->remediation, "Set PermitRootLogin no in /etc/ssh/sshd_config.");
        ck_assert_str_eq(c->file, "<builtin>/controls.d/base.yaml");
        ck_assert_uint_eq(c->line, 1);
        ck_assert_uint_eq(c->col, 3);
        ck_assert(c->enabled);
        ck_assert_ptr_null(c->waiver);
        ck_assert_ptr_null(c->applies_when);
        crit = json_dumps(c->criteria, JSON_COMPACT);
        ck_assert_str_eq(crit, "[\"soc2:CC6.1\",\"cis-debian12:5.1.20\"]");
        pp = json_dumps(c->probe_params, JSON_COMPACT);
        ck_assert_str_eq(pp, "{\"config_path\":\"/etc/ssh/sshd_config\"}");
        c = control_set_find(set, "listeners-allowed");
        ck_assert_int_eq(c->severity, SEVERITY_MEDIUM);
        ck_assert_uint_eq(c->interval_usec, 15 * 60 * USEC_PER_SEC);
        ck_assert_uint_eq(json_object_size(c->probe_params), 0);
        ck_assert_ptr_null(control_set_find(set, "nope"));
}
END_TEST

START_TEST(test_local_replaces_builtin) {
        _cleanup_free_ char *text = slurp(CTL("builtin/base.yaml")), *diags = NULL;
        _cleanup_free_ char *cfg = strdup_printf("controls_dirs: [%s]\n", CTL("local"));
        _cleanup_free_ char *notice = NULL;
        const struct builtin_file files[] = { { "<builtin>/controls.d/base.yaml", text }, { 0, 0 } };
        _cleanup_control_set_ struct control_set *set = NULL;
        const struct control *c;
        _cleanup_free_ char *pp = NULL;

        ck_assert_int_eq(load(files, cfg, &set, &diags), 0);
        ck_assert_str_eq(diags, "");
        ck_assert_uint_eq(set->n, 3);
        ck_assert_str_eq(set->controls[0]->id, "listeners-allowed");
        ck_assert_str_eq(set->controls[1]->id, "ssh-root-login");
        ck_assert_str_eq(set->controls[2]->id, "local-extra");
        c = set->controls[1];
        ck_assert_str_eq(c->title, "Root cannot log in over SSH (local policy)");
        ck_assert_int_eq(c->severity, SEVERITY_CRITICAL);
        ck_assert_str_eq(c->file, CTL("local/10-override.yaml"));
        ck_assert_uint_eq(c->line, 2);
        pp = json_dumps(c->probe_params, JSON_COMPACT);
        ck_assert_str_eq(pp, "{\"config_path\":\"/etc/ssh/sshd_config\"}");
        notice = strdup_printf("%s:2:7: control 'ssh-root-login' replaces the built-in one from "
                               "<builtin>/controls.d/base.yaml", CTL("local/10-override.yaml"));
        ck_assert_str_eq(set->notices[0], notice);
        ck_assert_ptr_null(set->notices[1]);
        /* a script probe takes any parameters */
        free(pp);
        pp = json_dumps(set->controls[2]->probe_params, JSON_COMPACT);
        ck_assert_str_eq(pp, "{\"anything\":\"goes\"}");
}
END_TEST

START_TEST(test_local_duplicates) {
        _cleanup_free_ char *cfg = strdup_printf("controls_dirs:\n  - %s\n", CTL("local-dup"));
        _cleanup_free_ char *expected = strdup_printf(
                "%s:1:7: duplicate control id 'site-one' (first defined at %s:1:7)\n",
                CTL("local-dup/b.yaml"), CTL("local-dup/a.yaml"));
        const struct builtin_file none[] = { { 0, 0 } };
        struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        ck_assert_int_eq(load(none, cfg, &set, &diags), -EINVAL);
        ck_assert_str_eq(diags, expected);
}
END_TEST

START_TEST(test_builtin_duplicates) {
        const char *a = "- id: x\n  title: A\n  probe: ports\n  expect: {path: a, equals: 1}\n";
        const char *b = "# b\n- id: x\n  title: B\n  probe: ports\n  expect: {path: a, equals: 1}\n";
        const struct builtin_file files[] = { { "<builtin>/controls.d/a.yaml", a },
                                              { "<builtin>/controls.d/b.yaml", b }, { 0, 0 } };
        struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        ck_assert_int_eq(load(files, NULL, &set, &diags), -EINVAL);
        ck_assert_str_eq(diags, "<builtin>/controls.d/b.yaml:2:7: duplicate control id 'x' "
                                "(first defined at <builtin>/controls.d/a.yaml:1:7)\n");
}
END_TEST

START_TEST(test_controls_dir_missing) {
        const struct builtin_file none[] = { { 0, 0 } };
        struct control_set *set = NULL;
        _cleanup_control_set_ struct control_set *ok = NULL;
        _cleanup_free_ char *diags = NULL, *diags2 = NULL;
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *defaults = config_new_default();

        /* named in the configuration: an error at that entry */
        ck_assert_int_eq(load(none, "controls_dirs:\n  - /nonexistent/controls.d\n", &set, &diags),
                         -EINVAL);
        ck_assert_str_eq(diags, "complyd.yaml:2:5: cannot read controls directory "
                                "/nonexistent/controls.d: No such file or directory\n");
        /* the default directory may be absent */
        free(defaults->controls_dirs[0]);
        defaults->controls_dirs[0] = strdup("/nonexistent/controls.d");
        ck_assert_int_eq(controls_load(none, defaults, lookup, NULL, &d, &ok), 0);
        diags2 = diag_to_string(&d);
        ck_assert_str_eq(diags2, "");
        ck_assert_uint_eq(ok->n, 0);
        diag_clear(&d);
}
END_TEST

START_TEST(test_config_overrides) {
        _cleanup_free_ char *text = slurp(CTL("builtin/base.yaml")), *diags = NULL;
        const struct builtin_file files[] = { { "<builtin>/controls.d/base.yaml", text }, { 0, 0 } };
        _cleanup_control_set_ struct control_set *set = NULL;
        const struct control *c;
        _cleanup_free_ char *pp = NULL;
        _cleanup_json_ json_t *obs = json_loads(
                "{\"listeners\": [{\"proto\": \"tcp\", \"address\": \"0.0.0.0\", \"port\": 8443,"
                " \"scope\": \"any\"}, {\"proto\": \"tcp\", \"address\": \"0.0.0.0\", \"port\": 9000,"
                " \"scope\": \"any\"}]}", 0, NULL);
        _cleanup_json_ json_t *res = NULL, *expected = NULL;

        ck_assert_int_eq(load(files,
                              "probes:\n  sshd:\n    params: {config_path: /srv/sshd_config}\n"
                              "controls:\n"
                              "  ssh-root-login: {enabled: false, interval: 5m}\n"
                              "  listeners-allowed:\n    params: {allowed_ports: [22, 8443]}\n",
                              &set, &diags), 0);
        ck_assert_str_eq(diags, "");
        c = control_set_find(set, "ssh-root-login");
        ck_assert(!c->enabled);
        ck_assert_uint_eq(c->interval_usec, 300 * USEC_PER_SEC);
        pp = json_dumps(c->probe_params, JSON_COMPACT);
        ck_assert_str_eq(pp, "{\"config_path\":\"/srv/sshd_config\"}");
        c = control_set_find(set, "listeners-allowed");
        ck_assert_int_eq(control_evaluate(c, obs, 0, &res), 0);
        /* neither alternative of the any: holds for port 9000; 8443 is now allowed */
        expected = json_loads("[{\"path\":\"listeners[1].scope\",\"op\":\"equals\",\"expected\":\"loopback\","
                              "\"actual\":\"any\",\"subject\":\"tcp 0.0.0.0:9000\"},"
                              "{\"path\":\"listeners[1].port\",\"op\":\"in\",\"expected\":[22,8443],"
                              "\"actual\":9000,\"subject\":\"tcp 0.0.0.0:9000\"}]", 0, NULL);
        ck_assert_msg(json_equal(json_object_get(res, "failures"), expected), "%s",
                      json_dumps(json_object_get(res, "failures"), JSON_COMPACT));
}
END_TEST

START_TEST(test_config_probe_errors) {
        _cleanup_free_ char *text = slurp(CTL("builtin/base.yaml")), *diags = NULL;
        const struct builtin_file files[] = { { "<builtin>/controls.d/base.yaml", text }, { 0, 0 } };
        struct control_set *set = NULL;

        ck_assert_int_eq(load(files,
                              "probes:\n  sshd:\n    params: {config_pth: /x}\n"
                              "  nosuch: {timeout: 5s}\n",
                              &set, &diags), -EINVAL);
        ck_assert_str_eq(diags,
                         "complyd.yaml:3:14: probe sshd has no parameter 'config_pth' (valid: config_path)\n"
                         "complyd.yaml:4:3: unknown probe 'nosuch'\n");
}
END_TEST

START_TEST(test_empty_and_non_list_files) {
        const struct builtin_file files[] = { { "empty.yaml", "# nothing yet\n" },
                                              { "map.yaml", "id: x\ntitle: y\n" }, { 0, 0 } };
        struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        ck_assert_int_eq(load(files, NULL, &set, &diags), -EINVAL);
        ck_assert_str_eq(diags, "map.yaml:1:1: a control file must be a list of controls (\"- id: ...\")\n");
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("controls");
        TCase *tc = tcase_create("core");

        tcase_add_loop_test(tc, test_golden_errors, 0, (int) ELEMENTSOF(golden));
        tcase_add_test(tc, test_builtin_only);
        tcase_add_test(tc, test_local_replaces_builtin);
        tcase_add_test(tc, test_local_duplicates);
        tcase_add_test(tc, test_builtin_duplicates);
        tcase_add_test(tc, test_controls_dir_missing);
        tcase_add_test(tc, test_config_overrides);
        tcase_add_test(tc, test_config_probe_errors);
        tcase_add_test(tc, test_empty_and_non_list_files);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
