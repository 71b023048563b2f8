/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <libgen.h>

#include "config.h"
#include "testutil.h"
#include "util.h"

#define S (USEC_PER_SEC)

/* The golden error cases: tests/fixtures/config/errors/NAME.yaml and the
 * exact diagnostics `complyd validate` prints for it in NAME.expected. */
static const char *const error_cases[] = {
        "unknown_key", "three_mistakes", "values", "outputs", "alerts", "probes_controls",
        "not_mapping", "duplicate", "syntax", "anchors",
};

static char *slurp(const char *path) {
        char *buf = NULL;

        ck_assert_int_eq(read_full_file(path, 4 << 20, &buf, NULL), 0);
        return buf;
}

START_TEST(test_golden_errors) {
        const char *name = error_cases[_i];
        _cleanup_free_ char *ypath = strdup_printf(FIXTURE("config/errors/%s.yaml"), name);
        _cleanup_free_ char *epath = strdup_printf(FIXTURE("config/errors/%s.expected"), name);
        _cleanup_free_ char *text = slurp(ypath), *expected = slurp(epath), *got = NULL;
        _cleanup_free_ char *file = strdup_printf("%s.yaml", name);
        struct diag_list d = DIAG_LIST_INIT;
        struct config *c = NULL;

        ck_assert_int_eq(config_load_buffer(text, strlen(text), file, &d, &c), -EINVAL);
        ck_assert_ptr_null(c);
        got = diag_to_string(&d);
        ck_assert_msg(streq(got, expected), "%s: got\n%s\nexpected\n%s", name, got, expected);
        diag_clear(&d);
}
END_TEST

START_TEST(test_three_mistakes_all_reported) {
        struct diag_list d = DIAG_LIST_INIT;
        struct config *c = NULL;

        ck_assert_int_eq(config_load(FIXTURE("config/errors/three_mistakes.yaml"), true, &d, &c),
                         -EINVAL);
        ck_assert_uint_eq(diag_count(&d), 3);
        ck_assert_uint_eq(d.items[0].line, 2);
        ck_assert_uint_eq(d.items[1].line, 4);
        ck_assert_uint_eq(d.items[2].line, 5);
        ck_assert_str_eq(d.items[0].file, FIXTURE("config/errors/three_mistakes.yaml"));
        diag_clear(&d);
}
END_TEST

static void assert_defaults(const struct config *c) {
        ck_assert_ptr_null(c->probe_dirs[0]);
        ck_assert_str_eq(c->controls_dirs[0], SYSCONFDIR "/complyd/controls.d");
        ck_assert_ptr_null(c->controls_dirs[1]);
        ck_assert(!c->controls_dirs_set);
        ck_assert_str_eq(c->state_dir, "/var/lib/complyd");
        ck_assert_ptr_null(c->host_id);
        ck_assert_ptr_null(c->hostname);
        ck_assert_uint_eq(c->probe_timeout_usec, 30 * S);
        ck_assert_uint_eq(c->probe_max_output, 1048576);
        ck_assert_ptr_null(c->script_user);
        ck_assert_uint_eq(c->n_probes, 0);
        ck_assert_uint_eq(c->n_controls, 0);
        ck_assert(c->alerts.journald);
        ck_assert_uint_eq(c->alerts.damping, 1);
        ck_assert_uint_eq(c->alerts.renotify_usec, 0);
        ck_assert_ptr_null(c->alerts.webhook.url);
        ck_assert_int_eq(c->alerts.webhook.format, WEBHOOK_JSON);
        ck_assert_uint_eq(c->alerts.webhook.timeout_usec, 10 * S);
        ck_assert_ptr_null(c->alerts.command.path);
        ck_assert_uint_eq(c->alerts.command.timeout_usec, 30 * S);
        ck_assert_uint_eq(c->n_outputs, 0);
        ck_assert_uint_eq(c->evidence.heartbeat_usec, 3600 * S);
        ck_assert_uint_eq(c->evidence.spool_max_bytes, 256ULL << 20);
        ck_assert_uint_eq(c->evidence.retention_usec, 400ULL * 86400 * S);
        ck_assert_int_eq(c->evidence.sync, EVIDENCE_SYNC_BATCH);
        ck_assert_ptr_null(c->metrics_textfile);
}

START_TEST(test_defaults_without_file) {
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;

        ck_assert_int_eq(config_load("/nonexistent/complyd.yaml", false, &d, &c), 0);
        ck_assert_uint_eq(diag_count(&d), 0);
        ck_assert_ptr_null(c->path);
        assert_defaults(c);
}
END_TEST

START_TEST(test_explicit_missing_file) {
        struct diag_list d = DIAG_LIST_INIT;
        struct config *c = NULL;
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(config_load("/nonexistent/complyd.yaml", true, &d, &c), -ENOENT);
        ck_assert_ptr_null(c);
        out = diag_to_string(&d);
        ck_assert_str_eq(out, "/nonexistent/complyd.yaml: cannot read configuration: "
                              "No such file or directory\n");
        diag_clear(&d);
}
END_TEST

/* The shipped file, everything commented out, means the defaults. */
START_TEST(test_shipped_file_is_defaults) {
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;

        ck_assert_int_eq(config_load(TOP_SRCDIR "/etc/complyd.yaml", true, &d, &c), 0);
        assert_defaults(c);
}
END_TEST

/* Uncommenting every example in the shipped file gives a valid config:
 * lines "#key" and "#  key" are settings, "# text" is prose. */
START_TEST(test_shipped_file_uncommented) {
        _cleanup_free_ char *text = slurp(TOP_SRCDIR "/etc/complyd.yaml"), *out = NULL;
        _cleanup_free_ char *yaml = calloc(1, strlen(text) + 1);
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;
        char *save = NULL;

        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (line[0] == '#' && line[1] && (line[1] != ' ' || line[2] == ' '))
                        line++;
                strcat(yaml, line);
                strcat(yaml, "\n");
        }
        ck_assert_int_eq(config_load_buffer(yaml, strlen(yaml), "uncommented.yaml", &d, &c), 0);
        out = diag_to_string(&d);
        ck_assert_str_eq(out, "");
        ck_assert_uint_eq(c->n_outputs, 1);
        ck_assert_str_eq(c->outputs[0].client_key, "/etc/complyd/client.key");
        ck_assert_str_eq(c->controls[0].waiver->expires, "2026-03-31");
        ck_assert_str_eq(c->metrics_textfile, "/var/lib/prometheus/node-exporter/complyd.prom");
}
END_TEST

START_TEST(test_full_config) {
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;
        const struct config_probe *p;
        const struct config_control *cc;
        const struct config_output *o;
        _cleanup_free_ char *params = NULL;

        ck_assert_int_eq(config_load(FIXTURE("config/valid/full.yaml"), true, &d, &c), 0);
        ck_assert_str_eq(c->probe_dirs[1], "/usr/local/lib/complyd/probes");
        ck_assert_str_eq(c->controls_dirs[1], "/srv/compliance/controls");
        ck_assert(c->controls_dirs_set);
        ck_assert_str_eq(c->state_dir, "/srv/complyd/state");
        ck_assert_str_eq(c->host_id, "4c4c4544003957108052b4c04f384e32");
        ck_assert_str_eq(c->hostname, "db-07.prod.example.com");
        ck_assert_uint_eq(c->probe_timeout_usec, 45 * S);
        ck_assert_uint_eq(c->probe_max_output, 512 * 1024);
        ck_assert_str_eq(c->script_user, "complyd-probe");

        p = config_find_probe(c, "open_ports");
        ck_assert(p->has_timeout && p->has_max_output);
        ck_assert_uint_eq(p->timeout_usec, 120 * S);
        ck_assert_uint_eq(p->max_output, 2 << 20);
        params = json_dumps(p->params, JSON_COMPACT);
        ck_assert_str_eq(params, "{\"include_udp\":false}");
        ck_assert_uint_eq(p->params_node->line, 18);
        p = config_find_probe(c, "custom_check");
        ck_assert(!p->has_timeout);
        ck_assert_str_eq(p->user, "nobody");

        cc = config_find_control(c, "ssh-mfa-enforced");
        ck_assert(cc->has_enabled && !cc->enabled);
        ck_assert(cc->has_interval);
        ck_assert_uint_eq(cc->interval_usec, 3600 * S);
        ck_assert_str_eq(cc->waiver->reason, "CHG-1234: MFA rollout");
        ck_assert_uint_eq(cc->waiver->expires_usec, 1775001600ULL * S); /* 2026-04-01T00:00Z */
        ck_assert_ptr_null(config_find_control(c, "other"));

        ck_assert(!c->alerts.journald);
        ck_assert_uint_eq(c->alerts.damping, 3);
        ck_assert_uint_eq(c->alerts.renotify_usec, 6 * 3600 * S);
        ck_assert_str_eq(c->alerts.webhook.url, "https://hooks.example.com/complyd");
        ck_assert_int_eq(c->alerts.webhook.format, WEBHOOK_SLACK);
        ck_assert_uint_eq(c->alerts.webhook.timeout_usec, 5 * S);
        ck_assert_str_eq(c->alerts.command.path, "/usr/local/bin/complyd-alert");
        ck_assert_uint_eq(c->alerts.command.timeout_usec, 60 * S);

        ck_assert_uint_eq(c->n_outputs, 2);
        o = &c->outputs[0];
        ck_assert_int_eq(o->format, OUTPUT_OCSF);
        ck_assert(!o->gzip);
        ck_assert_uint_eq(o->batch_max_records, 100);
        ck_assert_uint_eq(o->batch_max_bytes, 256 * 1024);
        ck_assert_uint_eq(o->timeout_usec, 10 * S);
        ck_assert_str_eq(o->proxy, "http://proxy.example.com:3128");
        o = &c->outputs[1];
        ck_assert_int_eq(o->format, OUTPUT_SPLUNK_HEC);
        ck_assert(o->gzip);
        ck_assert_uint_eq(o->batch_max_records, 500);
        ck_assert_uint_eq(o->batch_max_bytes, 1 << 20);
        ck_assert_uint_eq(o->timeout_usec, 30 * S);
        ck_assert_ptr_null(o->client_cert);

        ck_assert_uint_eq(c->evidence.heartbeat_usec, 1800 * S);
        ck_assert_uint_eq(c->evidence.spool_max_bytes, 1ULL << 30);
        ck_assert_uint_eq(c->evidence.retention_usec, 800ULL * 86400 * S);
        ck_assert_int_eq(c->evidence.sync, EVIDENCE_SYNC_ALWAYS);
        ck_assert_str_eq(c->metrics_textfile, "/var/lib/prometheus/node-exporter/complyd.prom");
}
END_TEST

START_TEST(test_oversize_file) {
        char path[] = "/tmp/complyd-test-config.XXXXXX";
        int fd = mkstemp(path);
        _cleanup_free_ char *big = malloc(YAML_MAX_INPUT + 10), *out = NULL;
        struct diag_list d = DIAG_LIST_INIT;
        struct config *c = NULL;
        _cleanup_free_ char *expected = NULL;

        ck_assert_int_ge(fd, 0);
        memset(big, '#', YAML_MAX_INPUT + 10);
        ck_assert_int_eq(write(fd, big, YAML_MAX_INPUT + 10), YAML_MAX_INPUT + 10);
        close(fd);
        ck_assert_int_eq(config_load(path, true, &d, &c), -EINVAL);
        unlink(path);
        out = diag_to_string(&d);
        expected = strdup_printf("%s: file too large (limit 1048576 bytes)\n", path);
        ck_assert_str_eq(out, expected);
        diag_clear(&d);
}
END_TEST

START_TEST(test_empty_sections_keep_defaults) {
        const char *text = "alerts:\nevidence:\noutputs:\n";
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;

        ck_assert_int_eq(config_load_buffer(text, strlen(text), "e.yaml", &d, &c), 0);
        assert_defaults(c);
}
END_TEST

static int lookup(void *userdata, const char *name, const struct complyd_param **params) {
        static const struct complyd_param table[] = {
                { COMPLYD_PARAM_BOOLEAN, "include_udp", "true", "also UDP" },
                {},
        };

        if (streq(name, "open_ports")) {
                *params = table;
                return 0;
        }
        if (streq(name, "custom_check"))
                return 1;
        return -ENOENT;
}

START_TEST(test_check_probes) {
        const char *text = "probes:\n"
                           "  open_ports:\n"
                           "    params:\n"
                           "      include_udp: 1\n"
                           "      include_tcp: true\n"
                           "  custom_check:\n"
                           "    params: {anything: [1, 2]}\n"
                           "  nosuch:\n"
                           "    timeout: 5s\n";
        struct diag_list d = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(config_load_buffer(text, strlen(text), "p.yaml", &d, &c), 0);
        ck_assert_int_eq(config_check_probes(c, lookup, NULL, &d), -EINVAL);
        out = diag_to_string(&d);
        ck_assert_str_eq(out,
                         "p.yaml:4:7: probe open_ports: parameter 'include_udp' must be true or false\n"
                         "p.yaml:5:7: probe open_ports has no parameter 'include_tcp' (valid: include_udp)\n"
                         "p.yaml:8:3: unknown probe 'nosuch'\n");
        diag_clear(&d);
}
END_TEST

START_TEST(test_parse_size) {
        uint64_t b = 0;

        ck_assert_int_eq(parse_size("1048576", &b), 0);
        ck_assert_uint_eq(b, 1048576);
        ck_assert_int_eq(parse_size("512KiB", &b), 0);
        ck_assert_uint_eq(b, 512 * 1024);
        ck_assert_int_eq(parse_size("1MiB", &b), 0);
        ck_assert_uint_eq(b, 1 << 20);
        ck_assert_int_eq(parse_size("2GiB", &b), 0);
        ck_assert_uint_eq(b, 2ULL << 30);
        ck_assert_int_eq(parse_size("1MB", &b), -EINVAL);
        ck_assert_int_eq(parse_size("-1", &b), -EINVAL);
        ck_assert_int_eq(parse_size("99999999999999999999GiB", &b), -ERANGE);
        ck_assert_int_eq(parse_size("", &b), -EINVAL);
}
END_TEST

START_TEST(test_parse_expiry) {
        uint64_t u = 0;

        ck_assert_int_eq(parse_expiry("2025-06-30", &u), 0);
        ck_assert_uint_eq(u, 1751328000ULL * S); /* 2025-07-01T00:00:00Z */
        ck_assert_int_eq(parse_expiry("2025-06-30T12:00:00Z", &u), 0);
        ck_assert_uint_eq(u, 1751284800ULL * S);
        ck_assert_int_eq(parse_expiry("2025-06-30T12:00:00.250+02:00", &u), 0);
        ck_assert_uint_eq(u, 1751277600ULL * S);
        ck_assert_int_eq(parse_expiry("2025-06-30T12:00:00-01:30", &u), 0);
        ck_assert_uint_eq(u, 1751290200ULL * S);
        ck_assert_int_eq(parse_expiry("2025-02-29", &u), -EINVAL);
        ck_assert_int_eq(parse_expiry("2025-13-01", &u), -EINVAL);
        ck_assert_int_eq(parse_expiry("2025-06-30T25:00:00Z", &u), -EINVAL);
        ck_assert_int_eq(parse_expiry("2025-06-30T12:00:00", &u), -EINVAL);
        ck_assert_int_eq(parse_expiry("30/06/2025", &u), -EINVAL);
        ck_assert_int_eq(parse_expiry("2025-6-30", &u), -EINVAL);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("config");
        TCase *tc = tcase_create("core");

        tcase_add_loop_test(tc, test_golden_errors, 0, (int) ELEMENTSOF(error_cases));
        tcase_add_test(tc, test_three_mistakes_all_reported);
        tcase_add_test(tc, test_defaults_without_file);
        tcase_add_test(tc, test_explicit_missing_file);
        tcase_add_test(tc, test_shipped_file_is_defaults);
        tcase_add_test(tc, test_shipped_file_uncommented);
        tcase_add_test(tc, test_full_config);
        tcase_add_test(tc, test_oversize_file);
        tcase_add_test(tc, test_empty_sections_keep_defaults);
        tcase_add_test(tc, test_check_probes);
        tcase_add_test(tc, test_parse_size);
        tcase_add_test(tc, test_parse_expiry);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
