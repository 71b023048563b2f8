/* SPDX-License-Identifier: MIT */
/* The alert sinks against real far ends: the Python HTTPS test collector
 * (tests/collector/collector.py, certificates from make_certs.sh) on
 * 127.0.0.1, and real command scripts. Retry delays are shortened with
 * COMPLYD_TEST_BACKOFF_SCALE; every wait is bounded. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "alerts.h"
#include "children.h"
#include "collector_util.h"
#include "testutil.h"
#include "util.h"

#define SEC USEC_PER_SEC
#define WAIT_USEC (20 * SEC)

static sd_event *loop(void) {
        static sd_event *e;

        if (!e) {
                ck_assert_int_ge(sd_event_new(&e), 0);
                ck_assert_int_ge(children_setup(e), 0);
        }
        return e;
}

struct env {
        char dir[64];
        char certs[128], records[128], faults[128], token[128];
        pid_t collector;
        int port;
        char url[64];
};

static void path_in(char *buf, size_t size, const struct env *t, const char *name) {
        snprintf(buf, size, "%s/%s", t->dir, name);
}

static void env_setup(struct env *t) {
        char cmd[512];

        snprintf(t->dir, sizeof(t->dir), "/tmp/complyd-delivery-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
        path_in(t->certs, sizeof(t->certs), t, "certs");
        path_in(t->records, sizeof(t->records), t, "records");
        path_in(t->faults, sizeof(t->faults), t, "faults.json");
        path_in(t->token, sizeof(t->token), t, "token");
        snprintf(cmd, sizeof(cmd), "%s %s", MAKE_CERTS, t->certs);
        ck_assert_int_eq(system(cmd), 0);
        write_text(t->token, "  s3cret-token\n", 0600);
        t->collector = 0;
}

/* Starts the collector with the given server certificate name ("server" or
 * "wrong-server") and waits for its port file. */
static void collector_start(struct env *t, const char *cert) {
        char crt[160], key[160], portfile[128];
        const char *argv[] = { "python3", COLLECTOR, "--cert", crt, "--key", key, "--record-dir",
                               t->records, "--faults", t->faults, "--token", "s3cret-token",
                               "--port-file", portfile, NULL };

        snprintf(crt, sizeof(crt), "%s/%s.crt", t->certs, cert);
        snprintf(key, sizeof(key), "%s/%s.key", t->certs, cert);
        path_in(portfile, sizeof(portfile), t, "port");
        t->collector = collector_spawn(argv, portfile, &t->port);
        snprintf(t->url, sizeof(t->url), "https://127.0.0.1:%d/hook", t->port);
}

static void env_teardown(struct env *t) {
        char cmd[160];

        if (t->collector > 0) {
                kill(t->collector, SIGKILL);
                waitpid(t->collector, NULL, 0); /* ECHILD if the loop reaped it */
        }
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
        ck_assert_int_eq(system(cmd), 0);
}

static struct config_alerts webhook_config(const struct env *t, enum webhook_format f) {
        char ca[160];

        snprintf(ca, sizeof(ca), "%s/ca.crt", t->certs);
        return (struct config_alerts) {
                .journald = false,
                .webhook = { .url = (char *) t->url, .format = f, .token_file = (char *) t->token,
                             .ca_file = strdup(ca), .timeout_usec = 5 * SEC },
        };
}

static struct alert drift_alert(void) {
        return (struct alert) {
                .kind = ALERT_DRIFT,
                .control_id = "ssh-mfa-enforced",
                .title = "SSH requires MFA",
                .severity = "high",
                .status = "fail",
                .previous = "pass",
                .why = "auth.pam: pam_google_authenticator.so not in the sshd stack",
                .hostname = "web-01",
                .time_usec = 1740830400ULL * SEC,
        };
}

/* Runs the loop until want(stats) holds or WAIT_USEC pass. */
static struct alert_stats run_until(struct alerts *a, bool (*want)(const struct alert_stats *)) {
        uint64_t deadline = now_monotonic_usec() + WAIT_USEC;
        struct alert_stats st;

        for (;;) {
                alerts_get_stats(a, &st);
                if (want(&st) || now_monotonic_usec() > deadline)
                        return st;
                ck_assert_int_ge(sd_event_run(loop(), 100000), 0);
        }
}

static bool delivered(const struct alert_stats *st) { return st->delivered >= 1; }
static bool failed(const struct alert_stats *st) { return st->failed >= 1; }
static bool dropped(const struct alert_stats *st) { return st->dropped >= 1; }

static json_t *record(const struct env *t, int seq) {
        char path[192];
        json_error_t err;

        snprintf(path, sizeof(path), "%s/%06d.json", t->records, seq);
        return json_load_file(path, 0, &err);
}

static int n_records(const struct env *t) {
        int n = 0;
        json_t *j;

        while ((j = record(t, n + 1))) {
                json_decref(j);
                n++;
        }
        return n;
}

static const char *jstr(json_t *j, const char *a, const char *b) {
        json_t *v = json_object_get(j, a);

        if (b)
                v = json_object_get(v, b);
        return json_string_value(v);
}

START_TEST(test_webhook_delivers_drift) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        json_t *rec, *body;

        env_setup(&t);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        ck_assert(alerts_pending(a));
        st = run_until(a, delivered);
        ck_assert_uint_eq(st.fired, 1);
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert_uint_eq(st.failed, 0);
        ck_assert(!alerts_pending(a));

        ck_assert_int_eq(n_records(&t), 1);
        rec = record(&t, 1);
        ck_assert_str_eq(jstr(rec, "method", NULL), "POST");
        ck_assert_str_eq(jstr(rec, "path", NULL), "/hook");
        ck_assert_str_eq(jstr(rec, "headers", "Authorization"), "Bearer s3cret-token");
        ck_assert_str_eq(jstr(rec, "headers", "User-Agent"), "complyd/" COMPLYD_VERSION);
        ck_assert_str_eq(jstr(rec, "headers", "Content-Type"), "application/json");
        ck_assert_int_eq(json_integer_value(json_object_get(rec, "status")), 200);
        body = json_object_get(rec, "json");
        ck_assert_str_eq(jstr(body, "kind", NULL), "drift");
        ck_assert_str_eq(jstr(body, "control", NULL), "ssh-mfa-enforced");
        ck_assert_str_eq(jstr(body, "title", NULL), "SSH requires MFA");
        ck_assert_str_eq(jstr(body, "severity", NULL), "high");
        ck_assert_str_eq(jstr(body, "status", NULL), "fail");
        ck_assert_str_eq(jstr(body, "previous", NULL), "pass");
        ck_assert_str_eq(jstr(body, "why", NULL),
                         "auth.pam: pam_google_authenticator.so not in the sshd stack");
        ck_assert_str_eq(jstr(body, "host", NULL), "web-01");
        ck_assert_str_eq(jstr(body, "time", NULL), "2025-03-01T12:00:00.000Z");
        json_decref(rec);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_slack_in_order) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        json_t *rec;

        env_setup(&t);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_SLACK);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        al.kind = ALERT_RECOVERY;
        al.status = "pass";
        al.previous = "fail";
        al.why = "";
        alerts_fire(a, &al);
        uint64_t deadline = now_monotonic_usec() + WAIT_USEC;
        do {
                alerts_get_stats(a, &st);
                if (st.delivered >= 2)
                        break;
                sd_event_run(loop(), 100000);
        } while (now_monotonic_usec() < deadline);
        ck_assert_uint_eq(st.delivered, 2);
        ck_assert_int_eq(n_records(&t), 2);
        rec = record(&t, 1);
        ck_assert_str_eq(jstr(rec, "json", "text"),
                         "[HIGH] web-01: Control ssh-mfa-enforced (SSH requires MFA) drifted: pass -> fail: "
                         "auth.pam: pam_google_authenticator.so not in the sshd stack");
        json_decref(rec);
        rec = record(&t, 2);
        ck_assert_str_eq(jstr(rec, "json", "text"),
                         "[HIGH] web-01: Control ssh-mfa-enforced (SSH requires MFA) recovered: fail -> pass");
        json_decref(rec);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_retries_503) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        json_t *rec;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 503}, {\"status\": 503}]", 0644);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        setenv("COMPLYD_TEST_BACKOFF_SCALE", "0.001", 1);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        unsetenv("COMPLYD_TEST_BACKOFF_SCALE");
        alerts_fire(a, &al);
        st = run_until(a, delivered);
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert_uint_eq(st.failed, 2);
        ck_assert_uint_eq(st.dropped, 0);
        ck_assert_int_eq(n_records(&t), 3);
        for (int i = 1; i <= 3; i++) {
                rec = record(&t, i);
                ck_assert_int_eq(json_integer_value(json_object_get(rec, "status")), i < 3 ? 503 : 200);
                ck_assert_str_eq(jstr(rec, "json", "control"), "ssh-mfa-enforced");
                json_decref(rec);
        }
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_retries_429_hang_and_reset) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        json_t *rec;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 429, \"retry_after\": \"2\"}, {\"hang\": 10}, {\"reset\": true}]",
                   0644);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        cfg.webhook.timeout_usec = 1 * SEC; /* the hang ends with our timeout */
        setenv("COMPLYD_TEST_BACKOFF_SCALE", "0.001", 1);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        unsetenv("COMPLYD_TEST_BACKOFF_SCALE");
        alerts_fire(a, &al);
        st = run_until(a, delivered);
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert_uint_eq(st.failed, 3);
        ck_assert_int_eq(n_records(&t), 4);
        rec = record(&t, 2);
        ck_assert_str_eq(jstr(rec, "status", NULL), "hang");
        json_decref(rec);
        rec = record(&t, 3);
        ck_assert_str_eq(jstr(rec, "status", NULL), "reset");
        json_decref(rec);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_gives_up_on_400) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 400, \"body\": \"bad payload\"}]", 0644);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, dropped);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert_uint_eq(st.failed, 1);
        ck_assert_uint_eq(st.dropped, 1);
        ck_assert(!alerts_pending(a));
        ck_assert_int_eq(n_records(&t), 1);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_wrong_token_is_refused) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        json_t *rec;

        env_setup(&t);
        write_text(t.token, "not-the-token\n", 0600);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, dropped);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert_uint_eq(st.dropped, 1);
        rec = record(&t, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(rec, "status")), 401);
        json_decref(rec);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_wrong_ca_sends_nothing) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;

        env_setup(&t);
        collector_start(&t, "wrong-server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, failed);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert_uint_ge(st.failed, 1);
        ck_assert(alerts_pending(a)); /* kept for a retry */
        ck_assert_int_eq(n_records(&t), 0);
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_refused_connection_retries) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;

        /* a port nobody listens on: the collector's, after it is stopped */
        env_setup(&t);
        collector_start(&t, "server");
        kill(t.collector, SIGKILL);
        waitpid(t.collector, NULL, 0);
        t.collector = 0;
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, failed);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert_uint_ge(st.failed, 1);
        ck_assert_uint_eq(st.dropped, 0);
        ck_assert(alerts_pending(a));
        alerts_free(a);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

START_TEST(test_webhook_free_while_in_flight) {
        struct env t;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        uint64_t deadline;

        env_setup(&t);
        write_text(t.faults, "[{\"hang\": 10}]", 0644);
        collector_start(&t, "server");
        cfg = webhook_config(&t, WEBHOOK_JSON);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        deadline = now_monotonic_usec() + WAIT_USEC;
        while (n_records(&t) == 0 && now_monotonic_usec() < deadline)
                sd_event_run(loop(), 50000);
        ck_assert_int_eq(n_records(&t), 1); /* the collector holds the request */
        alerts_get_stats(a, &st);
        ck_assert_uint_eq(st.delivered + st.failed, 0);
        ck_assert(alerts_pending(a));
        alerts_free(a); /* cancels the transfer: no callback, nothing leaked */
        sd_event_run(loop(), 10000);
        free(cfg.webhook.ca_file);
        env_teardown(&t);
}
END_TEST

static struct config_alerts command_config(const char *script, uint64_t timeout) {
        return (struct config_alerts) {
                .journald = false,
                .command = { .path = (char *) script, .timeout_usec = timeout },
        };
}

/* The value of NAME= in an env dump, or NULL. */
static const char *env_value(char *dump, const char *name, char *buf, size_t size) {
        size_t n = strlen(name);

        for (char *line = dump; line && *line;) {
                char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);

                if (len > n && strncmp(line, name, n) == 0 && line[n] == '=') {
                        snprintf(buf, size, "%.*s", (int) (len - n - 1), line + n + 1);
                        return buf;
                }
                line = nl ? nl + 1 : NULL;
        }
        return NULL;
}

START_TEST(test_command_gets_the_facts) {
        struct env t = { 0 };
        char script[128], out[128], text[512], v[256];
        _cleanup_free_ char *dump = NULL;
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        size_t len;

        snprintf(t.dir, sizeof(t.dir), "/tmp/complyd-delivery-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t.dir));
        path_in(script, sizeof(script), &t, "notify.sh");
        path_in(out, sizeof(out), &t, "env.txt");
        snprintf(text, sizeof(text), "#!/bin/sh\nenv > %s.tmp && mv %s.tmp %s\n", out, out, out);
        write_text(script, text, 0755);
        setenv("COMPLYD_TEST_LEAK", "1", 1);
        cfg = command_config(script, 10 * SEC);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, delivered);
        unsetenv("COMPLYD_TEST_LEAK");
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert_uint_eq(st.failed, 0);
        ck_assert_int_eq(read_full_file(out, 65536, &dump, &len), 0);
        ck_assert_str_eq(env_value(dump, "COMPLYD_KIND", v, sizeof(v)), "drift");
        ck_assert_str_eq(env_value(dump, "COMPLYD_CONTROL", v, sizeof(v)), "ssh-mfa-enforced");
        ck_assert_str_eq(env_value(dump, "COMPLYD_TITLE", v, sizeof(v)), "SSH requires MFA");
        ck_assert_str_eq(env_value(dump, "COMPLYD_SEVERITY", v, sizeof(v)), "high");
        ck_assert_str_eq(env_value(dump, "COMPLYD_STATUS", v, sizeof(v)), "fail");
        ck_assert_str_eq(env_value(dump, "COMPLYD_PREVIOUS", v, sizeof(v)), "pass");
        ck_assert_str_eq(env_value(dump, "COMPLYD_WHY", v, sizeof(v)),
                         "auth.pam: pam_google_authenticator.so not in the sshd stack");
        ck_assert_str_eq(env_value(dump, "COMPLYD_HOST", v, sizeof(v)), "web-01");
        ck_assert_str_eq(env_value(dump, "COMPLYD_TIME", v, sizeof(v)), "2025-03-01T12:00:00.000Z");
        ck_assert_str_eq(env_value(dump, "PATH", v, sizeof(v)), "/usr/sbin:/usr/bin:/sbin:/bin");
        ck_assert_ptr_null(env_value(dump, "COMPLYD_TEST_LEAK", v, sizeof(v)));
        ck_assert_ptr_null(env_value(dump, "HOME", v, sizeof(v)));
        alerts_free(a);
        env_teardown(&t);
}
END_TEST

START_TEST(test_command_failure_is_retried) {
        struct env t = { 0 };
        char script[128], once[128], text[512];
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;

        snprintf(t.dir, sizeof(t.dir), "/tmp/complyd-delivery-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t.dir));
        path_in(script, sizeof(script), &t, "notify.sh");
        path_in(once, sizeof(once), &t, "once");
        snprintf(text, sizeof(text),
                 "#!/bin/sh\nif [ ! -e %s ]; then : > %s; echo 'pager service down' >&2; exit 3; fi\n",
                 once, once);
        write_text(script, text, 0755);
        cfg = command_config(script, 10 * SEC);
        setenv("COMPLYD_TEST_BACKOFF_SCALE", "0.001", 1);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        unsetenv("COMPLYD_TEST_BACKOFF_SCALE");
        alerts_fire(a, &al);
        st = run_until(a, delivered);
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert_uint_eq(st.failed, 1);
        ck_assert(!alerts_pending(a));
        alerts_free(a);
        env_teardown(&t);
}
END_TEST

static pid_t read_pid_line(const char *path, int line) {
        FILE *f = fopen(path, "r");
        int pid = 0;

        if (!f)
                return 0;
        for (int i = 0; i <= line; i++)
                if (fscanf(f, "%d", &pid) != 1) {
                        pid = 0;
                        break;
                }
        fclose(f);
        return pid;
}

START_TEST(test_command_timeout_kills_tree) {
        struct env t = { 0 };
        char script[128], pids[128], text[512];
        struct config_alerts cfg;
        struct alerts *a = NULL;
        struct alert al = drift_alert();
        struct alert_stats st;
        pid_t child, grandchild;
        uint64_t deadline;

        snprintf(t.dir, sizeof(t.dir), "/tmp/complyd-delivery-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t.dir));
        path_in(script, sizeof(script), &t, "hang.sh");
        path_in(pids, sizeof(pids), &t, "pids");
        /* a background grandchild in its own process group, and the child itself hanging */
        snprintf(text, sizeof(text),
                 "#!/bin/sh\nset -m\nsleep 60 &\necho $$ $! >> %s\nexec sleep 60\n", pids);
        write_text(script, text, 0755);
        cfg = command_config(script, 300 * USEC_PER_MSEC);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_fire(a, &al);
        st = run_until(a, failed);
        ck_assert_uint_eq(st.failed, 1);
        ck_assert_uint_eq(st.delivered, 0);
        child = read_pid_line(pids, 0);
        grandchild = read_pid_line(pids, 1);
        ck_assert_int_gt(child, 0);
        ck_assert_int_gt(grandchild, 0);
        ck_assert_int_eq(kill(child, 0), -1); /* killed and reaped */
        deadline = now_monotonic_usec() + WAIT_USEC;
        while (kill(grandchild, 0) == 0 && now_monotonic_usec() < deadline)
                sd_event_run(loop(), 50000); /* reparented to us, reaped by the loop */
        ck_assert_int_eq(kill(grandchild, 0), -1);
        ck_assert(alerts_pending(a)); /* to be retried */
        alerts_free(a);
        env_teardown(&t);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("alert_delivery");
        TCase *tc = tcase_create("sinks");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_webhook_delivers_drift);
        tcase_add_test(tc, test_webhook_slack_in_order);
        tcase_add_test(tc, test_webhook_retries_503);
        tcase_add_test(tc, test_webhook_retries_429_hang_and_reset);
        tcase_add_test(tc, test_webhook_gives_up_on_400);
        tcase_add_test(tc, test_webhook_wrong_token_is_refused);
        tcase_add_test(tc, test_webhook_wrong_ca_sends_nothing);
        tcase_add_test(tc, test_webhook_refused_connection_retries);
        tcase_add_test(tc, test_webhook_free_while_in_flight);
        tcase_add_test(tc, test_command_gets_the_facts);
        tcase_add_test(tc, test_command_failure_is_retried);
        tcase_add_test(tc, test_command_timeout_kills_tree);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
