/* SPDX-License-Identifier: MIT */
/* The alert sinks without a network: backoff arithmetic, the exact webhook
 * payloads, the journald fallback lines, the command's environment, and the
 * queue bound (with a real command that never finishes). */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include "alert_sink.h"
#include "alerts.h"
#include "children.h"
#include "http_client.h"
#include "testutil.h"
#include "util.h"

#define SEC USEC_PER_SEC
/* 2025-03-01T12:00:00.250Z */
#define T0 (1740830400ULL * SEC + 250000)

static sd_event *loop(void) {
        static sd_event *e;

        if (!e) {
                ck_assert_int_ge(sd_event_new(&e), 0);
                ck_assert_int_ge(children_setup(e), 0);
        }
        return e;
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
                .time_usec = T0,
        };
}

START_TEST(test_backoff_bounds) {
        for (unsigned attempt = 0; attempt < 40; attempt++) {
                uint64_t ceiling = attempt < 9 ? SEC << attempt : 300 * SEC;

                if (ceiling > 300 * SEC)
                        ceiling = 300 * SEC;
                ck_assert_uint_eq(backoff_full_jitter_usec(attempt, SEC, 300 * SEC, 0), 0);
                ck_assert_uint_eq(backoff_full_jitter_usec(attempt, SEC, 300 * SEC, ceiling), ceiling);
                for (int i = 0; i < 1000; i++) {
                        uint64_t d = backoff_full_jitter_usec(attempt, SEC, 300 * SEC, http_random_u64());
                        ck_assert_uint_le(d, ceiling);
                }
        }
        /* the first retry waits at most the base, the cap holds at any attempt */
        ck_assert_uint_eq(backoff_full_jitter_usec(0, SEC, 300 * SEC, SEC + 1), 0);
        ck_assert_uint_eq(backoff_full_jitter_usec(2, SEC, 300 * SEC, 4 * SEC), 4 * SEC);
        ck_assert_uint_eq(backoff_full_jitter_usec(100000, SEC, 300 * SEC, 300 * SEC), 300 * SEC);
        ck_assert_uint_eq(backoff_full_jitter_usec(100000, SEC, 300 * SEC, 300 * SEC + 1), 0);
}
END_TEST

START_TEST(test_backoff_spreads) {
        /* full jitter: over many draws both halves of the range are used */
        bool low = false, high = false;

        for (int i = 0; i < 1000 && !(low && high); i++) {
                uint64_t d = backoff_full_jitter_usec(5, SEC, 300 * SEC, http_random_u64());
                low |= d < 16 * SEC;
                high |= d >= 16 * SEC;
        }
        ck_assert(low && high);
}
END_TEST

START_TEST(test_retry_after_clamp) {
        ck_assert_uint_eq(retry_after_clamp_usec(0), 0);
        ck_assert_uint_eq(retry_after_clamp_usec(1), SEC);
        ck_assert_uint_eq(retry_after_clamp_usec(SEC / 2), SEC);
        ck_assert_uint_eq(retry_after_clamp_usec(3 * SEC), 3 * SEC);
        ck_assert_uint_eq(retry_after_clamp_usec(3600 * SEC), 3600 * SEC);
        ck_assert_uint_eq(retry_after_clamp_usec(7200 * SEC), 3600 * SEC);
        ck_assert_uint_eq(retry_after_clamp_usec(UINT64_MAX), 3600 * SEC);
}
END_TEST

START_TEST(test_retryable_statuses) {
        static const long yes[] = { 0, 408, 429, 500, 502, 503, 504, 599 };
        static const long no[] = { 200, 301, 400, 401, 403, 404, 409, 413, 422 };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                ck_assert_msg(http_status_retryable(yes[i]), "%ld", yes[i]);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                ck_assert_msg(!http_status_retryable(no[i]), "%ld", no[i]);
}
END_TEST

START_TEST(test_retry_delay_honours_retry_after) {
        struct config_alerts cfg = { .journald = false };
        struct alerts *a = NULL;

        unsetenv("COMPLYD_TEST_BACKOFF_SCALE");
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        ck_assert_uint_eq(alerts_retry_delay_usec(a, 1, 3 * SEC), 3 * SEC);
        ck_assert_uint_eq(alerts_retry_delay_usec(a, 1, 86400 * SEC), 3600 * SEC);
        ck_assert_uint_le(alerts_retry_delay_usec(a, 1, 0), SEC);
        ck_assert_uint_le(alerts_retry_delay_usec(a, 30, 0), 300 * SEC);
        alerts_free(a);

        setenv("COMPLYD_TEST_BACKOFF_SCALE", "0.001", 1);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        ck_assert_uint_eq(alerts_retry_delay_usec(a, 1, 3 * SEC), 3000);
        ck_assert_uint_le(alerts_retry_delay_usec(a, 30, 0), 300000);
        alerts_free(a);
        unsetenv("COMPLYD_TEST_BACKOFF_SCALE");
}
END_TEST

static char *payload_text(const struct alert *al, enum webhook_format f) {
        struct alert_msg *m = alert_msg_new(al);
        json_t *j;
        char *s;

        ck_assert_ptr_nonnull(m);
        j = alert_webhook_payload(m, f);
        ck_assert_ptr_nonnull(j);
        s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        alert_msg_unref(m);
        return s;
}

START_TEST(test_json_payload) {
        struct alert al = drift_alert();
        json_t *result = json_pack("{s:s, s:s}", "control", "ssh-mfa-enforced", "status", "fail");
        char *s;

        al.result = result;
        s = payload_text(&al, WEBHOOK_JSON);
        ck_assert_str_eq(s, "{\"kind\":\"drift\",\"control\":\"ssh-mfa-enforced\",\"title\":\"SSH requires MFA\","
                            "\"severity\":\"high\",\"status\":\"fail\",\"previous\":\"pass\","
                            "\"why\":\"auth.pam: pam_google_authenticator.so not in the sshd stack\","
                            "\"host\":\"web-01\",\"time\":\"2025-03-01T12:00:00.250Z\","
                            "\"result\":{\"control\":\"ssh-mfa-enforced\",\"status\":\"fail\"}}");
        free(s);
        json_decref(result);

        /* a first failure has no previous status and no result given: nulls */
        al = drift_alert();
        al.previous = NULL;
        s = payload_text(&al, WEBHOOK_JSON);
        ck_assert_ptr_nonnull(strstr(s, "\"previous\":null,"));
        ck_assert_ptr_nonnull(strstr(s, "\"result\":null}"));
        free(s);
}
END_TEST

START_TEST(test_slack_payload) {
        struct alert al = drift_alert();
        char *s = payload_text(&al, WEBHOOK_SLACK);

        ck_assert_str_eq(s, "{\"text\":\"[HIGH] web-01: Control ssh-mfa-enforced (SSH requires MFA) drifted: "
                            "pass -> fail: auth.pam: pam_google_authenticator.so not in the sshd stack\"}");
        free(s);

        al.kind = ALERT_RECOVERY;
        al.status = "pass";
        al.previous = "fail";
        al.why = "";
        al.severity = "critical";
        s = payload_text(&al, WEBHOOK_SLACK);
        ck_assert_str_eq(s, "{\"text\":\"[CRITICAL] web-01: Control ssh-mfa-enforced (SSH requires MFA) "
                            "recovered: fail -> pass\"}");
        free(s);
}
END_TEST

START_TEST(test_fields_are_one_line_and_bounded) {
        struct alert al = drift_alert();
        char why[ALERT_WHY_MAX * 2];
        struct alert_msg *m;

        memset(why, 'x', sizeof(why) - 1);
        why[sizeof(why) - 1] = '\0';
        why[10] = '\n';
        why[20] = '\t';
        al.why = why;
        m = alert_msg_new(&al);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(strlen(m->why), ALERT_WHY_MAX);
        ck_assert_int_eq(m->why[10], ' ');
        ck_assert_int_eq(m->why[20], ' ');
        alert_msg_unref(m);
}
END_TEST

START_TEST(test_priorities) {
        static const struct { const char *sev; int prio; } map[] = {
                { "critical", 2 }, { "high", 3 }, { "medium", 4 }, { "low", 5 },
        };
        struct alert al = drift_alert();

        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                struct alert_msg *m;

                al.severity = map[i].sev;
                al.kind = ALERT_DRIFT;
                m = alert_msg_new(&al);
                ck_assert_int_eq(alert_journald_priority(m), map[i].prio);
                m->kind = ALERT_REMINDER;
                ck_assert_int_eq(alert_journald_priority(m), map[i].prio);
                m->kind = ALERT_RECOVERY;
                ck_assert_int_eq(alert_journald_priority(m), 5);
                alert_msg_unref(m);
        }
}
END_TEST

/* Fires al through a journald-only alerts with the fallback forced into a
 * pipe; returns what was written. */
static char *fire_to_fallback(const struct alert *al) {
        struct config_alerts cfg = { .journald = true };
        struct alerts *a = NULL;
        struct alert_stats st;
        static char buf[8192];
        int p[2];
        ssize_t n;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_set_journal_fallback(a, p[1]);
        alerts_fire(a, al);
        alerts_get_stats(a, &st);
        ck_assert_uint_eq(st.fired, 1);
        ck_assert_uint_eq(st.delivered, 1);
        ck_assert(!alerts_pending(a));
        alerts_free(a);
        n = read(p[0], buf, sizeof(buf) - 1);
        ck_assert_int_gt(n, 0);
        buf[n] = '\0';
        close(p[0]);
        close(p[1]);
        return buf;
}

START_TEST(test_journald_fallback_lines) {
        struct alert al = drift_alert();

        ck_assert_str_eq(fire_to_fallback(&al),
                         "<3>Control ssh-mfa-enforced drifted: pass -> fail: auth.pam: "
                         "pam_google_authenticator.so not in the sshd stack\n");
        al.severity = "critical";
        al.previous = NULL;
        al.why = "line one\nline two";
        ck_assert_str_eq(fire_to_fallback(&al),
                         "<2>Control ssh-mfa-enforced drifted: none -> fail: line one line two\n");
        al = drift_alert();
        al.kind = ALERT_RECOVERY;
        al.status = "pass";
        al.previous = "fail";
        al.why = NULL;
        ck_assert_str_eq(fire_to_fallback(&al), "<5>Control ssh-mfa-enforced recovered: fail -> pass\n");
        al = drift_alert();
        al.kind = ALERT_REMINDER;
        al.severity = "medium";
        ck_assert_str_eq(fire_to_fallback(&al),
                         "<4>Control ssh-mfa-enforced is still failing: fail: auth.pam: "
                         "pam_google_authenticator.so not in the sshd stack\n");
}
END_TEST

START_TEST(test_journald_off) {
        struct config_alerts cfg = { .journald = false };
        struct alert al = drift_alert();
        struct alerts *a = NULL;
        struct alert_stats st;
        int p[2];
        char c;

        ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        alerts_set_journal_fallback(a, p[1]);
        alerts_fire(a, &al);
        alerts_get_stats(a, &st);
        ck_assert_uint_eq(st.fired, 1);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert_int_eq(read(p[0], &c, 1), -1); /* nothing written */
        alerts_free(a);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(test_command_env) {
        struct alert al = drift_alert();
        struct alert_msg *m = alert_msg_new(&al);
        static const char *const want[] = {
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "COMPLYD_KIND=drift",
                "COMPLYD_CONTROL=ssh-mfa-enforced",
                "COMPLYD_TITLE=SSH requires MFA",
                "COMPLYD_SEVERITY=high",
                "COMPLYD_STATUS=fail",
                "COMPLYD_PREVIOUS=pass",
                "COMPLYD_WHY=auth.pam: pam_google_authenticator.so not in the sshd stack",
                "COMPLYD_HOST=web-01",
                "COMPLYD_TIME=2025-03-01T12:00:00.250Z",
        };
        char **env = alert_command_env(m);
        size_t n = 0;

        ck_assert_ptr_nonnull(env);
        for (; env[n]; n++) {
                ck_assert_uint_lt(n, ELEMENTSOF(want));
                ck_assert_str_eq(env[n], want[n]);
        }
        ck_assert_uint_eq(n, ELEMENTSOF(want));
        strv_free(env);
        alert_msg_unref(m);
}
END_TEST

START_TEST(test_queue_bound) {
        char dir[] = "/tmp/complyd-alerts-XXXXXX", script[256], pidfile[256];
        struct config_alerts cfg = { .journald = false };
        struct alert al = drift_alert();
        struct alerts *a = NULL;
        struct alert_stats st;
        FILE *f;
        pid_t pid = 0;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(script, sizeof(script), "%s/hang.sh", dir);
        snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
        f = fopen(script, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "#!/bin/sh\necho $$ > %s\nexec sleep 60\n", pidfile);
        fclose(f);
        chmod(script, 0755);
        cfg.command.path = script;
        cfg.command.timeout_usec = 60 * SEC;

        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), 0);
        for (int i = 0; i < ALERT_QUEUE_MAX + 44; i++)
                alerts_fire(a, &al);
        alerts_get_stats(a, &st);
        ck_assert_uint_eq(st.fired, ALERT_QUEUE_MAX + 44);
        ck_assert_uint_eq(st.dropped, 44);
        ck_assert_uint_eq(st.delivered, 0);
        ck_assert(alerts_pending(a));

        /* the first command is running; freeing kills it */
        for (int i = 0; i < 200 && pid <= 0; i++) {
                f = fopen(pidfile, "r");
                if (f) {
                        if (fscanf(f, "%d", &pid) != 1)
                                pid = 0;
                        fclose(f);
                }
                if (pid <= 0)
                        sd_event_run(loop(), 20000);
        }
        ck_assert_int_gt(pid, 0);
        ck_assert_int_eq(kill(pid, 0), 0);
        alerts_free(a);
        for (int i = 0; i < 200 && kill(pid, 0) == 0; i++)
                sd_event_run(loop(), 20000); /* the SIGCHLD source reaps it */
        ck_assert_int_eq(kill(pid, 0), -1);
        unlink(script);
        unlink(pidfile);
        rmdir(dir);
}
END_TEST

START_TEST(test_webhook_bad_token_file) {
        struct config_alerts cfg = {
                .journald = true,
                .webhook = { .url = "https://127.0.0.1:9/hook", .token_file = "/nonexistent/token" },
        };
        struct alerts *a = NULL;

        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), -ENOENT);
        ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_webhook_must_be_https) {
        struct config_alerts cfg = { .webhook = { .url = "http://127.0.0.1:9/hook" } };
        struct alerts *a = NULL;

        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), -EINVAL);
        ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_command_must_be_absolute) {
        struct config_alerts cfg = { .command = { .path = "notify.sh" } };
        struct alerts *a = NULL;

        ck_assert_int_eq(alerts_new(loop(), &cfg, &a), -EINVAL);
        ck_assert_ptr_null(a);
}
END_TEST

START_TEST(test_http_rejects_plain_http) {
        struct http_client *c = NULL;
        struct http_request req = { .url = "http://127.0.0.1:9/" };

        ck_assert_int_eq(http_client_new(loop(), &c), 0);
        ck_assert_int_eq(http_client_post(c, &req, NULL, NULL, NULL), -EINVAL);
        req.url = "file:///etc/passwd";
        ck_assert_int_eq(http_client_post(c, &req, NULL, NULL, NULL), -EINVAL);
        ck_assert_uint_eq(http_client_active(c), 0);
        http_client_free(c);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("alerts");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_backoff_bounds);
        tcase_add_test(tc, test_backoff_spreads);
        tcase_add_test(tc, test_retry_after_clamp);
        tcase_add_test(tc, test_retryable_statuses);
        tcase_add_test(tc, test_retry_delay_honours_retry_after);
        tcase_add_test(tc, test_json_payload);
        tcase_add_test(tc, test_slack_payload);
        tcase_add_test(tc, test_fields_are_one_line_and_bounded);
        tcase_add_test(tc, test_priorities);
        tcase_add_test(tc, test_journald_fallback_lines);
        tcase_add_test(tc, test_journald_off);
        tcase_add_test(tc, test_command_env);
        tcase_add_test(tc, test_queue_bound);
        tcase_add_test(tc, test_webhook_bad_token_file);
        tcase_add_test(tc, test_webhook_must_be_https);
        tcase_add_test(tc, test_command_must_be_absolute);
        tcase_add_test(tc, test_http_rejects_plain_http);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
