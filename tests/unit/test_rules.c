/* SPDX-License-Identifier: MIT */
/* The rule language, end to end: control YAML in, result JSON out. */
#include <check.h>

#include "config.h"
#include "controls.h"
#include "rules.h"
#include "testutil.h"
#include "util.h"

#define NOW 1750000000ULL * USEC_PER_SEC /* 2025-06-15T15:06:40Z */

static int lookup(void *userdata, const char *name, const struct complyd_param **params) {
        if (streq(name, "test"))
                return 1;
        return -ENOENT;
}

/* Loads one control file text (and optional complyd.yaml text); returns
 * the loader's result, the set, and the diagnostics as text. */
static int load(const char *yaml, const char *config_yaml, struct control_set **set, char **diags) {
        const struct builtin_file files[] = { { "<builtin>/controls.d/t.yaml", yaml }, { 0, 0 } };
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *cfg = NULL;
        int r;

        if (config_yaml)
                ck_assert_int_eq(config_load_buffer(config_yaml, strlen(config_yaml), "complyd.yaml",
                                                    &d, &cfg), 0);
        r = controls_load(files, cfg, lookup, NULL, &d, set);
        *diags = diag_to_string(&d);
        diag_clear(&d);
        return r;
}

/* Evaluates the single control of yaml against an observation (JSON text). */
static json_t *eval_cfg(const char *yaml, const char *config_yaml, const char *obs_text) {
        _cleanup_control_set_ struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;
        _cleanup_json_ json_t *obs = json_loads(obs_text, 0, NULL);
        json_t *res = NULL;

        ck_assert_ptr_nonnull(obs);
        ck_assert_msg(load(yaml, config_yaml, &set, &diags) == 0, "load failed: %s", diags);
        ck_assert_uint_eq(set->n, 1);
        ck_assert_int_eq(control_evaluate(set->controls[0], obs, NOW, &res), 0);
        return res;
}

static json_t *eval(const char *yaml, const char *obs_text) {
        return eval_cfg(yaml, NULL, obs_text);
}

static void assert_json(const json_t *got, const char *expected_text) {
        _cleanup_json_ json_t *expected = json_loads(expected_text, JSON_DECODE_ANY, NULL);
        _cleanup_free_ char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        _cleanup_free_ char *e = NULL;

        ck_assert_msg(expected != NULL, "bad expected JSON: %s", expected_text);
        e = json_dumps(expected, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        ck_assert_msg(json_equal(got, expected), "got      %s\nexpected %s", g, e);
}

#define CONTROL(expect) \
        "- id: t\n  title: T\n  probe: test\n  expect: " expect "\n"

/* One operator case: the condition, the observation, and either pass or
 * the exact failure list. */
struct op_case {
        const char *cond;
        const char *obs;
        const char *failures; /* "[]" = pass */
};

static const struct op_case op_cases[] = {
        { "{path: v, equals: 22}", "{\"v\": 22.0}", "[]" },
        { "{path: v, equals: 22}", "{\"v\": 23}",
          "[{\"path\":\"v\",\"op\":\"equals\",\"expected\":22,\"actual\":23}]" },
        { "{path: v, equals: {a: [1, x]}}", "{\"v\": {\"a\": [1.0, \"x\"]}}", "[]" },
        { "{path: v, not_equals: a}", "{\"v\": \"a\"}",
          "[{\"path\":\"v\",\"op\":\"not_equals\",\"expected\":\"a\",\"actual\":\"a\"}]" },
        { "{path: v, not_equals: a}", "{\"v\": \"b\"}", "[]" },
        { "{path: v, lt: 10}", "{\"v\": 10}",
          "[{\"path\":\"v\",\"op\":\"lt\",\"expected\":10,\"actual\":10}]" },
        { "{path: v, lt: 10}", "{\"v\": 9.5}", "[]" },
        { "{path: v, le: 10}", "{\"v\": 10}", "[]" },
        { "{path: v, le: 10}", "{\"v\": 11}",
          "[{\"path\":\"v\",\"op\":\"le\",\"expected\":10,\"actual\":11}]" },
        { "{path: v, gt: 1}", "{\"v\": 1.5}", "[]" },
        { "{path: v, gt: 1}", "{\"v\": 1}",
          "[{\"path\":\"v\",\"op\":\"gt\",\"expected\":1,\"actual\":1}]" },
        { "{path: v, ge: 2}", "{\"v\": 2}", "[]" },
        { "{path: v, ge: 2}", "{\"v\": \"2\"}",
          "[{\"path\":\"v\",\"op\":\"ge\",\"expected\":2,\"actual\":\"2\"}]" },
        { "{path: v, in: [22, 443]}", "{\"v\": 443}", "[]" },
        { "{path: v, in: [22, 443]}", "{\"v\": 8080}",
          "[{\"path\":\"v\",\"op\":\"in\",\"expected\":[22,443],\"actual\":8080}]" },
        { "{path: v, not_in: [23]}", "{\"v\": 22}", "[]" },
        { "{path: v, not_in: [23]}", "{\"v\": 23}",
          "[{\"path\":\"v\",\"op\":\"not_in\",\"expected\":[23],\"actual\":23}]" },
        { "{path: v, matches: \"^ssh-(ed25519|rsa)$\"}", "{\"v\": \"ssh-rsa\"}", "[]" },
        { "{path: v, matches: \"^ssh-(ed25519|rsa)$\"}", "{\"v\": \"ssh-dss\"}",
          "[{\"path\":\"v\",\"op\":\"matches\",\"expected\":\"^ssh-(ed25519|rsa)$\",\"actual\":\"ssh-dss\"}]" },
        { "{path: v, matches: \"5\"}", "{\"v\": 5}",
          "[{\"path\":\"v\",\"op\":\"matches\",\"expected\":\"5\",\"actual\":5}]" },
        { "{path: v, contains: nullok}", "{\"v\": \"try_first_pass nullok\"}", "[]" },
        { "{path: v, contains: x}", "{\"v\": \"abc\"}",
          "[{\"path\":\"v\",\"op\":\"contains\",\"expected\":\"x\",\"actual\":\"abc\"}]" },
        { "{path: v, contains: {a: 1}}", "{\"v\": [1, {\"a\": 1}]}", "[]" },
        { "{path: v, contains: 3}", "{\"v\": [1, 2]}",
          "[{\"path\":\"v\",\"op\":\"contains\",\"expected\":3,\"actual\":[1,2]}]" },
        { "{path: v, exists: true}", "{\"v\": null}", "[]" },
        { "{path: w, exists: true}", "{\"v\": 1}",
          "[{\"path\":\"w\",\"op\":\"exists\",\"expected\":true,\"actual\":null}]" },
        { "{path: w, exists: false}", "{\"v\": 1}", "[]" },
        { "{path: v, exists: false}", "{\"v\": 1}",
          "[{\"path\":\"v\",\"op\":\"exists\",\"expected\":false,\"actual\":1}]" },
        { "{path: v, empty: true}", "{\"v\": []}", "[]" },
        { "{path: v, empty: true}", "{\"v\": \"\"}", "[]" },
        { "{path: v, empty: true}", "{\"v\": null}", "[]" },
        { "{path: v, empty: true}", "{\"v\": \"x\"}",
          "[{\"path\":\"v\",\"op\":\"empty\",\"expected\":true,\"actual\":\"x\"}]" },
        { "{path: v, empty: false}", "{\"v\": {}}",
          "[{\"path\":\"v\",\"op\":\"empty\",\"expected\":false,\"actual\":{}}]" },
        /* a missing path fails every operator but exists: false, actual null */
        { "{path: a.b.c, equals: null}", "{\"a\": {}}",
          "[{\"path\":\"a.b.c\",\"op\":\"equals\",\"expected\":null,\"actual\":null}]" },
        { "{path: a.b, not_in: [1]}", "{\"a\": 5}",
          "[{\"path\":\"a.b\",\"op\":\"not_in\",\"expected\":[1],\"actual\":null}]" },
        { "{path: \"a[3]\", empty: true}", "{\"a\": [1]}",
          "[{\"path\":\"a[3]\",\"op\":\"empty\",\"expected\":true,\"actual\":null}]" },
};

START_TEST(test_operators) {
        const struct op_case *c = &op_cases[_i];
        _cleanup_free_ char *yaml = NULL;
        _cleanup_json_ json_t *res = NULL;
        bool pass = streq(c->failures, "[]");

        yaml = strdup_printf(CONTROL("%s"), c->cond);
        res = eval(yaml, c->obs);
        ck_assert_str_eq(json_string_value(json_object_get(res, "status")), pass ? "pass" : "fail");
        assert_json(json_object_get(res, "failures"), c->failures);
}
END_TEST

START_TEST(test_wildcard_array) {
        _cleanup_json_ json_t *res = eval(CONTROL("{path: \"listeners[*].port\", in: [22, 443]}"),
                "{\"listeners\": [{\"port\": 22}, {\"port\": 8080}, {\"port\": 443}, {\"port\": 25}]}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"listeners[1].port\",\"op\":\"in\",\"expected\":[22,443],\"actual\":8080},"
                    " {\"path\":\"listeners[3].port\",\"op\":\"in\",\"expected\":[22,443],\"actual\":25}]");
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "listeners[1].port is 8080, expected one of [22,443] (and 1 more)");
}
END_TEST

START_TEST(test_wildcard_object_and_vacuous) {
        _cleanup_json_ json_t *res = eval(CONTROL("{path: \"services[*].enabled\", equals: true}"),
                "{\"services\": {\"sshd\": {\"enabled\": true}, \"telnet.socket\": {\"enabled\": false}}}");
        _cleanup_json_ json_t *res2 = NULL, *res3 = NULL;

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"services[\\\"telnet.socket\\\"].enabled\",\"op\":\"equals\","
                    "\"expected\":true,\"actual\":false}]");
        /* nothing selected: vacuously true */
        res2 = eval(CONTROL("{path: \"services[*].enabled\", equals: true}"), "{\"services\": {}}");
        ck_assert_str_eq(json_string_value(json_object_get(res2, "status")), "pass");
        /* a missing key below a wildcard is a missing value */
        res3 = eval(CONTROL("{path: \"users[*].shell\", matches: nologin}"),
                    "{\"users\": [{\"shell\": \"/usr/sbin/nologin\"}, {\"name\": \"x\"}]}");
        assert_json(json_object_get(res3, "failures"),
                    "[{\"path\":\"users[1].shell\",\"op\":\"matches\",\"expected\":\"nologin\",\"actual\":null}]");
}
END_TEST

START_TEST(test_quoted_key) {
        _cleanup_json_ json_t *res = eval(CONTROL("{path: 'sysctl[\"net.ipv4.ip_forward\"]', equals: 0}"),
                                          "{\"sysctl\": {\"net.ipv4.ip_forward\": 1, \"net\": {}}}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"sysctl[\\\"net.ipv4.ip_forward\\\"]\",\"op\":\"equals\",\"expected\":0,\"actual\":1}]");
}
END_TEST

static const char *const listeners =
        "{\"listeners\": ["
        "{\"proto\": \"tcp\", \"address\": \"127.0.0.1\", \"port\": 22, \"scope\": \"loopback\", \"process\": \"sshd\"},"
        "{\"proto\": \"tcp\", \"address\": \"0.0.0.0\", \"port\": 8080, \"scope\": \"any\", \"process\": \"nginx\"},"
        "{\"proto\": \"udp\", \"address\": \"0.0.0.0\", \"port\": 53, \"scope\": \"any\"}]}";

START_TEST(test_quantifier_all_label) {
        _cleanup_json_ json_t *res = eval(
                "- id: t\n  title: T\n  probe: test\n  expect:\n"
                "    path: listeners\n"
                "    label: \"{proto} {address}:{port} ({process})\"\n"
                "    all: {path: port, in: [22]}\n",
                listeners);

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"listeners[1].port\",\"op\":\"in\",\"expected\":[22],\"actual\":8080,"
                    "\"subject\":\"tcp 0.0.0.0:8080 (nginx)\"},"
                    " {\"path\":\"listeners[2].port\",\"op\":\"in\",\"expected\":[22],\"actual\":53,"
                    "\"subject\":\"udp 0.0.0.0:53 (?)\"}]");
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "tcp 0.0.0.0:8080 (nginx); udp 0.0.0.0:53 (?)");
}
END_TEST

START_TEST(test_quantifier_any) {
        _cleanup_json_ json_t *res = eval(
                CONTROL("{path: listeners, any: {path: port, equals: 443}}"), listeners);
        _cleanup_json_ json_t *ok = eval(
                CONTROL("{path: listeners, any: {path: port, equals: 53}}"), listeners);

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"listeners\",\"op\":\"any\",\"expected\":{\"path\":\"port\",\"equals\":443},\"actual\":3}]");
        ck_assert_str_eq(json_string_value(json_object_get(ok, "status")), "pass");
}
END_TEST

START_TEST(test_quantifier_none) {
        _cleanup_json_ json_t *res = eval(
                CONTROL("{path: \"services.sshd.second_factors[*].optional\", none: {equals: true}}"),
                "{\"services\": {\"sshd\": {\"second_factors\": ["
                "{\"module\": \"pam_u2f\", \"optional\": false},"
                "{\"module\": \"pam_google_authenticator\", \"optional\": true}]}}}");
        _cleanup_json_ json_t *res2 = eval(
                "- id: t\n  title: T\n  probe: test\n  expect:\n"
                "    path: listeners\n    label: \"{process}\"\n"
                "    none: {path: scope, equals: any}\n",
                listeners);

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"services.sshd.second_factors[1].optional\",\"op\":\"not equals\","
                    "\"expected\":true,\"actual\":true}]");
        /* each matching element: its path, the element itself */
        assert_json(json_object_get(res2, "failures"),
                    "[{\"path\":\"listeners[1]\",\"op\":\"not equals\",\"expected\":\"any\",\"subject\":\"nginx\","
                    "\"actual\":{\"proto\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":8080,\"scope\":\"any\",\"process\":\"nginx\"}},"
                    " {\"path\":\"listeners[2]\",\"op\":\"not equals\",\"expected\":\"any\",\"subject\":\"?\","
                    "\"actual\":{\"proto\":\"udp\",\"address\":\"0.0.0.0\",\"port\":53,\"scope\":\"any\"}}]");
}
END_TEST

START_TEST(test_quantifier_count) {
        _cleanup_json_ json_t *res = eval(
                CONTROL("{path: listeners, count: {where: {path: scope, equals: any}, max: 1}}"), listeners);
        _cleanup_json_ json_t *ok = eval(
                CONTROL("{path: listeners, count: {where: {path: scope, equals: any}, min: 2, max: 2}}"),
                listeners);
        _cleanup_json_ json_t *low = eval(CONTROL("{path: listeners, count: {min: 4}}"), listeners);

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"listeners\",\"op\":\"count\",\"expected\":{\"min\":null,\"max\":1},\"actual\":2}]");
        ck_assert_str_eq(json_string_value(json_object_get(ok, "status")), "pass");
        assert_json(json_object_get(low, "failures"),
                    "[{\"path\":\"listeners\",\"op\":\"count\",\"expected\":{\"min\":4,\"max\":null},\"actual\":3}]");
}
END_TEST

START_TEST(test_quantifier_count_label) {
        _cleanup_json_ json_t *res = eval(
                "- id: t\n  title: T\n  probe: test\n  expect:\n"
                "    path: listeners\n    label: \"{proto}/{port}\"\n"
                "    count: {where: {path: scope, equals: any}, max: 1}\n",
                listeners);

        /* a count names what it counted */
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(res, "failures"), 0),
                                                           "subject")),
                         "found 2 (tcp/8080, udp/53), expected at most 1");
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "found 2 (tcp/8080, udp/53), expected at most 1");
}
END_TEST

START_TEST(test_quantifier_missing_path) {
        _cleanup_json_ json_t *res = eval(
                CONTROL("{path: nothing, all: {equals: 1}}"), "{\"a\": 1}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"nothing\",\"op\":\"all\",\"expected\":{\"equals\":1},\"actual\":null}]");
}
END_TEST

START_TEST(test_nested_quantifiers) {
        _cleanup_json_ json_t *res = eval(
                "- id: t\n  title: T\n  probe: test\n  expect:\n"
                "    path: services\n    label: \"{name}\"\n"
                "    all:\n"
                "      path: factors\n"
                "      all: {path: optional, equals: false}\n",
                "{\"services\": [{\"name\": \"sshd\", \"factors\": [{\"optional\": false}]},"
                " {\"name\": \"sudo\", \"factors\": [{\"optional\": false}, {\"optional\": true}]}]}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"services[1].factors[1].optional\",\"op\":\"equals\",\"expected\":false,"
                    "\"actual\":true,\"subject\":\"sudo\"}]");
}
END_TEST

START_TEST(test_boolean_all_any_not) {
        const char *obs = "{\"a\": 1, \"b\": 2}";
        _cleanup_json_ json_t *all = eval(
                CONTROL("{all: [{path: a, equals: 1}, {path: b, equals: 3}]}"), obs);
        _cleanup_json_ json_t *any = eval(
                CONTROL("{any: [{path: a, equals: 2}, {path: b, equals: 3}]}"), obs);
        _cleanup_json_ json_t *any_ok = eval(
                CONTROL("{any: [{path: a, equals: 2}, {path: b, equals: 2}]}"), obs);
        _cleanup_json_ json_t *not = eval(CONTROL("{not: {path: a, equals: 1}}"), obs);
        _cleanup_json_ json_t *notany = eval(
                CONTROL("{not: {any: [{path: a, equals: 1}, {path: b, equals: 3}]}}"), obs);
        _cleanup_json_ json_t *notnot = eval(CONTROL("{not: {not: {path: a, lt: 0}}}"), obs);

        assert_json(json_object_get(all, "failures"),
                    "[{\"path\":\"b\",\"op\":\"equals\",\"expected\":3,\"actual\":2}]");
        assert_json(json_object_get(any, "failures"),
                    "[{\"path\":\"a\",\"op\":\"equals\",\"expected\":2,\"actual\":1},"
                    " {\"path\":\"b\",\"op\":\"equals\",\"expected\":3,\"actual\":2}]");
        ck_assert_str_eq(json_string_value(json_object_get(any_ok, "status")), "pass");
        assert_json(json_object_get(not, "failures"),
                    "[{\"path\":\"a\",\"op\":\"not equals\",\"expected\":1,\"actual\":1}]");
        assert_json(json_object_get(notany, "failures"),
                    "[{\"path\":\"a\",\"op\":\"not equals\",\"expected\":1,\"actual\":1}]");
        assert_json(json_object_get(notnot, "failures"),
                    "[{\"path\":\"a\",\"op\":\"lt\",\"expected\":0,\"actual\":1}]");
}
END_TEST

START_TEST(test_current_element_and_value) {
        _cleanup_json_ json_t *res = eval(
                "- id: t\n  title: T\n  probe: test\n  params: {strict: true}\n  expect:\n"
                "    any:\n      - {value: \"${strict}\", equals: false}\n"
                "      - {path: \"ports[*]\", lt: 1024}\n",
                "{\"ports\": [22, 8080]}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"${strict}\",\"op\":\"equals\",\"expected\":false,\"actual\":true},"
                    " {\"path\":\"ports[1]\",\"op\":\"lt\",\"expected\":1024,\"actual\":8080}]");
}
END_TEST

static const char *const param_control =
        "- id: t\n  title: T\n  probe: test\n"
        "  params:\n    allowed: [22]\n    user: root\n    max_age: 30\n"
        "  expect:\n    all:\n"
        "      - {path: port, in: \"${allowed}\"}\n"
        "      - {path: owner, equals: \"${user}\"}\n"
        "      - {path: motd, equals: \"hello ${user}, max ${max_age} days\"}\n";

START_TEST(test_params_default_and_interpolation) {
        _cleanup_json_ json_t *res = eval(param_control,
                "{\"port\": 8080, \"owner\": \"root\", \"motd\": \"hello root, max 30 days\"}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"port\",\"op\":\"in\",\"expected\":[22],\"actual\":8080}]");
}
END_TEST

START_TEST(test_params_override) {
        _cleanup_json_ json_t *res = eval_cfg(param_control,
                "controls:\n  t:\n    params:\n      allowed: [22, 8080]\n      user: admin\n",
                "{\"port\": 8080, \"owner\": \"root\", \"motd\": \"hello admin, max 30 days\"}");

        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"owner\",\"op\":\"equals\",\"expected\":\"admin\",\"actual\":\"root\"}]");
}
END_TEST

START_TEST(test_params_override_errors) {
        struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        ck_assert_int_eq(load(param_control,
                              "controls:\n  t:\n    params:\n      allowed: 22\n      nope: 1\n"
                              "  missing-control:\n    enabled: false\n",
                              &set, &diags), -EINVAL);
        ck_assert_ptr_null(set);
        ck_assert_str_eq(diags,
                         "complyd.yaml:4:16: parameter 'allowed' of control 't' must be a list like its default\n"
                         "complyd.yaml:5:7: control 't' has no parameter 'nope' (defined: allowed, user, max_age)\n"
                         "complyd.yaml:6:3: unknown control 'missing-control'\n");
}
END_TEST

START_TEST(test_unknown_param_position) {
        struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        ck_assert_int_eq(load("- id: t\n  title: T\n  probe: test\n  params: {a: [1]}\n"
                              "  expect:\n    all:\n      - {path: x, in: \"${b}\"}\n"
                              "      - {path: y, equals: \"pre ${a} post\"}\n",
                              NULL, &set, &diags), -EINVAL);
        ck_assert_str_eq(diags,
                         "<builtin>/controls.d/t.yaml:7:23: unknown parameter 'b'\n"
                         "<builtin>/controls.d/t.yaml:8:27: parameter 'a' is not a string or number and "
                         "cannot be used inside a longer string\n");
}
END_TEST

START_TEST(test_applies_when) {
        const char *yaml = "- id: t\n  title: T\n  probe: test\n"
                           "  applies_when: {path: sshd.installed, equals: true}\n"
                           "  expect: {path: sshd.permit_root_login, equals: \"no\"}\n";
        _cleanup_json_ json_t *na = eval(yaml, "{\"sshd\": {\"installed\": false}}");
        _cleanup_json_ json_t *fail = eval(yaml, "{\"sshd\": {\"installed\": true, \"permit_root_login\": \"yes\"}}");

        ck_assert_str_eq(json_string_value(json_object_get(na, "status")), "not_applicable");
        assert_json(json_object_get(na, "failures"), "[]");
        ck_assert_str_eq(json_string_value(json_object_get(na, "summary")),
                         "does not apply: sshd.installed is false, expected true");
        ck_assert_str_eq(json_string_value(json_object_get(fail, "status")), "fail");
}
END_TEST

static const char *const waived_control =
        "- id: t\n  title: T\n  probe: test\n  expect: {path: a, equals: 1}\n"
        "  waiver: {reason: \"CHG-7: vendor fix pending\", expires: %s}\n";

START_TEST(test_waiver_active) {
        _cleanup_free_ char *yaml = strdup_printf(waived_control, "2025-06-15");
        _cleanup_json_ json_t *res = eval(yaml, "{\"a\": 2}");

        /* expires at the end of 2025-06-15 UTC; NOW is that afternoon */
        ck_assert_str_eq(json_string_value(json_object_get(res, "status")), "waived");
        ck_assert_str_eq(json_string_value(json_object_get(res, "waived_status")), "fail");
        assert_json(json_object_get(res, "waiver"),
                    "{\"reason\":\"CHG-7: vendor fix pending\",\"expires\":\"2025-06-15\",\"expired\":false}");
        assert_json(json_object_get(res, "failures"),
                    "[{\"path\":\"a\",\"op\":\"equals\",\"expected\":1,\"actual\":2}]");
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "waived until 2025-06-15 (CHG-7: vendor fix pending); would be fail: a is 2, expected 1");
}
END_TEST

START_TEST(test_waiver_expired) {
        _cleanup_free_ char *yaml = strdup_printf(waived_control, "2025-06-15T15:00:00Z");
        _cleanup_json_ json_t *res = eval(yaml, "{\"a\": 2}");
        _cleanup_json_ json_t *cfg_res = NULL;

        ck_assert_str_eq(json_string_value(json_object_get(res, "status")), "fail");
        ck_assert_ptr_null(json_object_get(res, "waived_status"));
        ck_assert(json_is_true(json_object_get(json_object_get(res, "waiver"), "expired")));
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "a is 2, expected 1 (waiver expired 2025-06-15T15:00:00Z)");
        /* the host's waiver replaces the control's */
        cfg_res = eval_cfg(yaml, "controls:\n  t:\n    waiver: {reason: extended, expires: 2025-07-01}\n",
                           "{\"a\": 2}");
        ck_assert_str_eq(json_string_value(json_object_get(cfg_res, "status")), "waived");
        assert_json(json_object_get(cfg_res, "waiver"),
                    "{\"reason\":\"extended\",\"expires\":\"2025-07-01\",\"expired\":false}");
}
END_TEST

START_TEST(test_result_fields_and_error) {
        const char *yaml = "- id: ssh-root-login\n  title: Root cannot log in over SSH\n  probe: test\n"
                           "  severity: high\n  criteria: [soc2:CC6.1, cis-debian12:5.1.20]\n"
                           "  expect: {path: a, equals: 1}\n";
        _cleanup_control_set_ struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;
        _cleanup_json_ json_t *res = NULL, *obs = json_pack("{s:i}", "a", 1), *err = NULL;

        ck_assert_int_eq(load(yaml, NULL, &set, &diags), 0);
        ck_assert_int_eq(control_evaluate(set->controls[0], obs, NOW, &res), 0);
        assert_json(res, "{\"id\":\"ssh-root-login\",\"title\":\"Root cannot log in over SSH\","
                         "\"probe\":\"test\",\"severity\":\"high\","
                         "\"criteria\":[\"soc2:CC6.1\",\"cis-debian12:5.1.20\"],"
                         "\"status\":\"pass\",\"failures\":[],\"summary\":\"every condition holds\"}");
        err = control_result_error(set->controls[0], "probe timed out after 30s");
        assert_json(err, "{\"id\":\"ssh-root-login\",\"title\":\"Root cannot log in over SSH\","
                         "\"probe\":\"test\",\"severity\":\"high\","
                         "\"criteria\":[\"soc2:CC6.1\",\"cis-debian12:5.1.20\"],"
                         "\"status\":\"error\",\"failures\":[],\"error\":\"probe timed out after 30s\","
                         "\"summary\":\"probe timed out after 30s\"}");
}
END_TEST

START_TEST(test_failures_capped) {
        _cleanup_json_ json_t *obs = json_object(), *arr = json_array(), *res = NULL;
        _cleanup_control_set_ struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;

        for (int i = 0; i < 250; i++)
                json_array_append_new(arr, json_integer(i + 1));
        json_object_set(obs, "v", arr);
        ck_assert_int_eq(load(CONTROL("{path: \"v[*]\", equals: 0}"), NULL, &set, &diags), 0);
        ck_assert_int_eq(control_evaluate(set->controls[0], obs, NOW, &res), 0);
        ck_assert_uint_eq(json_array_size(json_object_get(res, "failures")), RULES_MAX_FAILURES);
        ck_assert(json_is_true(json_object_get(res, "failures_truncated")));
        ck_assert_str_eq(json_string_value(json_object_get(res, "summary")),
                         "v[0] is 1, expected 0 (and 249 more)");
}
END_TEST

/* Many evaluations of one compiled control: the results are independent
 * and (under ASan) nothing leaks. */
START_TEST(test_repeated_evaluation) {
        _cleanup_control_set_ struct control_set *set = NULL;
        _cleanup_free_ char *diags = NULL;
        _cleanup_json_ json_t *obs = json_loads(listeners, 0, NULL);

        ck_assert_int_eq(load("- id: t\n  title: T\n  probe: test\n  expect:\n"
                              "    path: listeners\n    label: \"{process}\"\n"
                              "    all: {path: port, in: [22]}\n", NULL, &set, &diags), 0);
        for (int i = 0; i < 2000; i++) {
                json_t *res = NULL;

                ck_assert_int_eq(control_evaluate(set->controls[0], obs, NOW, &res), 0);
                ck_assert_uint_eq(json_array_size(json_object_get(res, "failures")), 2);
                json_decref(res);
        }
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("rules");
        TCase *tc = tcase_create("core");

        tcase_add_loop_test(tc, test_operators, 0, (int) ELEMENTSOF(op_cases));
        tcase_add_test(tc, test_wildcard_array);
        tcase_add_test(tc, test_wildcard_object_and_vacuous);
        tcase_add_test(tc, test_quoted_key);
        tcase_add_test(tc, test_quantifier_all_label);
        tcase_add_test(tc, test_quantifier_any);
        tcase_add_test(tc, test_quantifier_none);
        tcase_add_test(tc, test_quantifier_count);
        tcase_add_test(tc, test_quantifier_count_label);
        tcase_add_test(tc, test_quantifier_missing_path);
        tcase_add_test(tc, test_nested_quantifiers);
        tcase_add_test(tc, test_boolean_all_any_not);
        tcase_add_test(tc, test_current_element_and_value);
        tcase_add_test(tc, test_params_default_and_interpolation);
        tcase_add_test(tc, test_params_override);
        tcase_add_test(tc, test_params_override_errors);
        tcase_add_test(tc, test_unknown_param_position);
        tcase_add_test(tc, test_applies_when);
        tcase_add_test(tc, test_waiver_active);
        tcase_add_test(tc, test_waiver_expired);
        tcase_add_test(tc, test_result_fields_and_error);
        tcase_add_test(tc, test_failures_capped);
        tcase_add_test(tc, test_repeated_evaluation);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
