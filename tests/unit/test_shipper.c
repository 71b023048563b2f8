/* SPDX-License-Identifier: MIT */
/* The evidence shipper against the real HTTPS test collector
 * (tests/collector/collector.py, certificates from make_certs.sh) on
 * 127.0.0.1, with mTLS and a bearer token: every format end to end, an
 * outage, Retry-After, dead letters, a wrong server certificate, 413
 * splitting, a sealed batch resent with its id. Backoff delays are shortened
 * with shipper_options.backoff_scale (never Retry-After); every wait is
 * bounded; no assertion on our own speed. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "formats.h"
#include "shipper.h"
#include "spool.h"
#include "collector_util.h"
#include "testutil.h"
#include "util.h"

#define SEC USEC_PER_SEC
#define WAIT_USEC (30 * SEC)
#define HASH "9f2ce1aa00000000000000000000000000000000000000000000000000000000"

/* ---- the environment: a state dir with a spool, a collector ------------------ */

struct env {
        char dir[64], certs[128], records[128], faults[128], token[128], state[128];
        char ca[160], cert[160], key[160];
        pid_t collector;
        int port;
        char url[96];
        struct spool *spool;
        sd_event *e;
        struct shipper *sh;
        unsigned alerts;
        char last_alert[512];
};

static void path_in(char *buf, size_t size, const struct env *t, const char *name) {
        snprintf(buf, size, "%s/%s", t->dir, name);
}

static void env_setup(struct env *t) {
        struct spool_options opt = { .sync = SPOOL_SYNC_ALWAYS };
        struct spool_recovery rep;
        char cmd[512];

        memset(t, 0, sizeof(*t));
        snprintf(t->dir, sizeof(t->dir), "/tmp/complyd-shipper-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(t->dir));
        path_in(t->certs, sizeof(t->certs), t, "certs");
        path_in(t->records, sizeof(t->records), t, "records");
        path_in(t->faults, sizeof(t->faults), t, "faults.json");
        path_in(t->token, sizeof(t->token), t, "token");
        path_in(t->state, sizeof(t->state), t, "state");
        snprintf(t->ca, sizeof(t->ca), "%s/ca.crt", t->certs);
        snprintf(t->cert, sizeof(t->cert), "%s/client.crt", t->certs);
        snprintf(t->key, sizeof(t->key), "%s/client.key", t->certs);
        snprintf(cmd, sizeof(cmd), "%s %s", MAKE_CERTS, t->certs);
        ck_assert_int_eq(system(cmd), 0);
        write_text(t->token, "s3cret-token\n", 0600);
        ck_assert_int_eq(mkdir(t->state, 0700), 0);
        ck_assert_int_ge(sd_event_new(&t->e), 0);
        ck_assert_int_eq(spool_open(t->state, &opt, &t->spool, &rep), 0);
}

/* Starts the collector (server certificate cert, mTLS required, token;
 * splunk: "Authorization: Splunk") on port (0: a free one). */
static void collector_start(struct env *t, const char *cert, bool splunk, int port) {
        char crt[160], key[160], portfile[128], portarg[16];
        const char *argv[32];
        int n = 0;

        snprintf(crt, sizeof(crt), "%s/%s.crt", t->certs, cert);
        snprintf(key, sizeof(key), "%s/%s.key", t->certs, cert);
        snprintf(portarg, sizeof(portarg), "%d", port);
        path_in(portfile, sizeof(portfile), t, "port");
        argv[n++] = "python3";
        argv[n++] = COLLECTOR;
        argv[n++] = "--cert";
        argv[n++] = crt;
        argv[n++] = "--key";
        argv[n++] = key;
        argv[n++] = "--record-dir";
        argv[n++] = t->records;
        argv[n++] = "--faults";
        argv[n++] = t->faults;
        argv[n++] = "--token";
        argv[n++] = "s3cret-token";
        argv[n++] = "--client-ca";
        argv[n++] = t->ca;
        argv[n++] = "--port";
        argv[n++] = portarg;
        argv[n++] = "--port-file";
        argv[n++] = portfile;
        if (splunk)
                argv[n++] = "--splunk";
        argv[n] = NULL;
        t->collector = collector_spawn(argv, portfile, &t->port);
        snprintf(t->url, sizeof(t->url), "https://127.0.0.1:%d/evidence", t->port);
}

static void collector_stop(struct env *t) {
        if (t->collector > 0) {
                kill(t->collector, SIGKILL);
                waitpid(t->collector, NULL, 0);
        }
        t->collector = 0;
}

static void env_teardown(struct env *t) {
        char cmd[160];

        shipper_free(t->sh);
        collector_stop(t);
        spool_close(t->spool);
        sd_event_unref(t->e);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
        ck_assert_int_eq(system(cmd), 0);
}

static void on_alert(const char *output, const char *message, void *userdata) {
        struct env *t = userdata;

        t->alerts++;
        snprintf(t->last_alert, sizeof(t->last_alert), "%s: %s", output, message);
}

static struct config_output output_config(const struct env *t, const char *name, enum output_format f) {
        return (struct config_output) {
                .name = (char *) name, .url = (char *) t->url, .format = f, .token_file = (char *) t->token,
                .ca_file = (char *) t->ca, .client_cert = (char *) t->cert, .client_key = (char *) t->key,
                .gzip = true, .batch_max_records = 500, .batch_max_bytes = 1024 * 1024,
                .timeout_usec = 5 * SEC,
        };
}

static void shipper_start(struct env *t, const struct config_output *outs, size_t n) {
        struct shipper_options opt = {
                .state_dir = t->state, .backoff_scale = 0.001, .unlimited_rate = true,
                .alert = on_alert, .alert_userdata = t,
        };

        ck_assert_int_eq(shipper_new(t->e, t->spool, outs, n, &opt, &t->sh), 0);
}

/* ---- records ----------------------------------------------------------------------- */

static const char *const result_fmt =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"result\",\"id\":\"00000000-0000-7000-8000-%012d\","
        "\"seq\":%d,\"time\":\"2025-03-01T12:00:%02d.123Z\","
        "\"host\":{\"id\":\"3f9a1c0e2b7d4e55a1c2d3e4f5a6b7c8\",\"hostname\":\"web-01\","
        "\"os\":\"Debian GNU/Linux 12 (bookworm)\",\"kernel\":\"6.1.0-18-amd64\",\"boot_id\":\"b1\"},"
        "\"agent\":{\"name\":\"complyd\",\"version\":\"0.1.0\",\"config_hash\":\"ab\"},"
        "\"control\":{\"id\":\"ssh-mfa-enforced\",\"title\":\"SSH logins require a second factor\","
        "\"criteria\":[\"soc2:CC6.1\",\"nist-800-53:IA-2(1)\"],\"severity\":\"high\"},"
        "\"status\":\"%s\",\"previous_status\":\"pass\",\"drift\":false,\"failures\":[],"
        "\"observation\":{\"pad\":\"%s\"},\"probe\":{\"name\":\"mfa\",\"version\":\"1\",\"duration_ms\":3},"
        "\"prev_hash\":\"" HASH "\",\"hash\":\"" HASH "\",\"sig\":\"c2ln\",\"key_id\":\"k1\"}";
static const char *const start_fmt =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"agent.start\",\"id\":\"00000000-0000-7000-8000-%012d\","
        "\"seq\":%d,\"time\":\"2025-03-01T12:00:00.000Z\",\"host\":{\"id\":\"3f9a\",\"hostname\":\"web-01\"},"
        "\"prev_hash\":\"" HASH "\",\"hash\":\"" HASH "\",\"sig\":\"c2ln\",\"key_id\":\"k1\"}";

/* Appends n records (every 10th from the first an agent.start, the
 * others results with pad bytes of observation); returns the last seq. */
static uint64_t append(struct env *t, int n, size_t pad) {
        _cleanup_free_ char *p = malloc(pad + 1);
        uint64_t seq = 0;

        ck_assert_ptr_nonnull(p);
        memset(p, 'x', pad);
        p[pad] = '\0';
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL;
                struct spool_dropped d;

                seq = spool_next_seq(t->spool);
                text = seq % 10 == 1 ? strdup_printf(start_fmt, (int) seq, (int) seq)
                                     : strdup_printf(result_fmt, (int) seq, (int) seq, (int) (seq % 60),
                                                     seq % 3 ? "pass" : "fail", p);
                ck_assert_int_eq(spool_append(t->spool, seq, HASH, text, strlen(text), &d), 0);
        }
        ck_assert_int_eq(spool_sync(t->spool), 0);
        return seq;
}

/* ---- waiting and reading what the collector got ------------------------------------- */

static bool run_until(struct env *t, bool (*want)(struct env *), uint64_t usec) {
        uint64_t deadline = now_monotonic_usec() + usec;

        while (!want(t)) {
                if (now_monotonic_usec() > deadline)
                        return false;
                ck_assert_int_ge(sd_event_run(t->e, 50000), 0);
        }
        return true;
}

static bool idle(struct env *t) { return shipper_idle(t->sh); }

static json_t *request(const struct env *t, int n) {
        char path[192];

        snprintf(path, sizeof(path), "%s/%06d.json", t->records, n);
        return json_load_file(path, 0, NULL);
}

static int n_requests(const struct env *t) {
        int n = 0;
        json_t *j;

        while ((j = request(t, n + 1))) {
                json_decref(j);
                n++;
        }
        return n;
}

static const char *jstr(json_t *j, const char *a, const char *b) {
        json_t *v = json_object_get(j, a);

        return json_string_value(b ? json_object_get(v, b) : v);
}

static bool is_uuid4(const char *s) {
        if (!s || strlen(s) != 36 || s[14] != '4' || !strchr("89ab", s[19]))
                return false;
        for (int i = 0; i < 36; i++)
                if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
                        return false;
        return true;
}

/* The seqs of the native records the collector answered 2xx for, in order
 * of arrival, checking that every repeat of a seq carries the same id. */
static size_t delivered_seqs(const struct env *t, uint64_t *seqs, size_t max) {
        size_t n = 0;

        for (int i = 1;; i++) {
                _cleanup_json_ json_t *rq = request(t, i);
                json_t *rec;
                size_t k;

                if (!rq)
                        break;
                if (json_integer_value(json_object_get(rq, "status")) != 200)
                        continue;
                json_array_foreach(json_object_get(rq, "ndjson"), k, rec) {
                        ck_assert_uint_lt(n, max);
                        seqs[n++] = json_integer_value(json_object_get(rec, "seq"));
                }
        }
        return n;
}

/* ---- tests ----------------------------------------------------------------------------- */

START_TEST(test_native_end_to_end) {
        struct env t;
        struct config_output out;
        struct shipper_output_stats st;
        _cleanup_json_ json_t *rq = NULL;
        uint64_t last, seqs[64];
        size_t n;
        char range[64];

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        last = append(&t, 25, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 1);
        rq = request(&t, 1);
        ck_assert_str_eq(jstr(rq, "path", NULL), "/evidence");
        ck_assert_str_eq(jstr(rq, "headers", "Authorization"), "Bearer s3cret-token");
        ck_assert_str_eq(jstr(rq, "headers", "Content-Type"), "application/x-ndjson");
        ck_assert_str_eq(jstr(rq, "headers", "Content-Encoding"), "gzip");
        ck_assert_str_eq(jstr(rq, "headers", "User-Agent"), "complyd/" COMPLYD_VERSION);
        ck_assert(is_uuid4(jstr(rq, "headers", "Idempotency-Key")));
        snprintf(range, sizeof(range), "1-%" PRIu64, last);
        ck_assert_str_eq(jstr(rq, "headers", "X-Complyd-Seq-Range"), range);
        ck_assert(json_is_true(json_object_get(rq, "gzip")));
        ck_assert_str_eq(jstr(rq, "client_cert_subject", NULL), "O=complyd tests,CN=complyd-test-client");
        n = delivered_seqs(&t, seqs, 64);
        ck_assert_uint_eq(n, 25); /* lifecycle records included */
        for (size_t i = 0; i < n; i++)
                ck_assert_uint_eq(seqs[i], i + 1);
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_str_eq(st.name, "auditor");
        ck_assert_uint_eq(st.acked_seq, last);
        ck_assert_uint_eq(st.backlog, 0);
        ck_assert_uint_eq(st.records_acked, 25);
        ck_assert_uint_eq(st.push_failures, 0);

        /* more records, a kick: a second batch */
        last = append(&t, 3, 10);
        shipper_kick(t.sh);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 2);
        n = delivered_seqs(&t, seqs, 64);
        ck_assert_uint_eq(n, 28);
        ck_assert_uint_eq(seqs[27], last);
        env_teardown(&t);
}
END_TEST

START_TEST(test_ocsf_end_to_end) {
        struct env t;
        struct config_output out;
        _cleanup_json_ json_t *rq = NULL;
        json_t *ev;
        size_t i;

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        append(&t, 12, 10); /* seq 1 and 11 are agent.start */
        out = output_config(&t, "siem", OUTPUT_OCSF);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 1);
        rq = request(&t, 1);
        ck_assert_str_eq(jstr(rq, "headers", "Content-Type"), "application/x-ndjson");
        ck_assert_uint_eq(json_array_size(json_object_get(rq, "ndjson")), 10);
        json_array_foreach(json_object_get(rq, "ndjson"), i, ev) {
                static const char *const req[] = { "activity_id", "category_uid", "class_uid", "type_uid",
                                                   "severity_id", "time", "metadata", "finding_info",
                                                   "compliance" };
                for (size_t k = 0; k < ELEMENTSOF(req); k++)
                        ck_assert_msg(json_object_get(ev, req[k]), "event %zu lacks %s", i, req[k]);
                ck_assert_int_eq(json_integer_value(json_object_get(ev, "class_uid")), 2003);
                ck_assert_str_eq(jstr(json_object_get(ev, "metadata"), "version", NULL), "1.8.0");
                ck_assert_str_eq(jstr(json_object_get(ev, "metadata"), "product", "name"), "complyd");
                ck_assert_ptr_nonnull(jstr(json_object_get(ev, "finding_info"), "uid", NULL));
        }
        ev = json_array_get(json_object_get(rq, "ndjson"), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(ev, "unmapped"),
                                                                            "complyd"), "seq")), 2);
        /* the cursor moved over the lifecycle records too */
        {
                struct shipper_output_stats st;
                shipper_get_stats(t.sh, 0, &st);
                ck_assert_uint_eq(st.acked_seq, 12);
                ck_assert_uint_eq(st.records_acked, 10);
        }
        env_teardown(&t);
}
END_TEST

START_TEST(test_otlp_end_to_end) {
        struct env t;
        struct config_output out;
        _cleanup_json_ json_t *rq = NULL;
        json_t *lrs;

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        append(&t, 5, 10);
        snprintf(t.url, sizeof(t.url), "https://127.0.0.1:%d", t.port); /* no path: /v1/logs */
        out = output_config(&t, "otel", OUTPUT_OTLP);
        out.gzip = false;
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        rq = request(&t, 1);
        ck_assert_ptr_nonnull(rq);
        ck_assert_str_eq(jstr(rq, "path", NULL), "/v1/logs");
        ck_assert_str_eq(jstr(rq, "headers", "Content-Type"), "application/json");
        ck_assert_ptr_null(jstr(rq, "headers", "Content-Encoding"));
        ck_assert(json_is_false(json_object_get(rq, "gzip")));
        lrs = json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(rq, "json"),
                                                                                              "resourceLogs"), 0),
                                                             "scopeLogs"), 0), "logRecords");
        ck_assert_uint_eq(json_array_size(lrs), 4);
        ck_assert_str_eq(jstr(json_array_get(lrs, 0), "timeUnixNano", NULL), "1740830402123000000");
        env_teardown(&t);
}
END_TEST

START_TEST(test_splunk_hec_end_to_end) {
        struct env t;
        struct config_output out;
        _cleanup_json_ json_t *rq = NULL;
        const char *body;

        env_setup(&t);
        collector_start(&t, "server", true, 0);
        append(&t, 4, 10);
        snprintf(t.url, sizeof(t.url), "https://127.0.0.1:%d/", t.port);
        out = output_config(&t, "splunk", OUTPUT_SPLUNK_HEC);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 1);
        rq = request(&t, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(rq, "status")), 200);
        ck_assert_str_eq(jstr(rq, "path", NULL), "/services/collector/event");
        ck_assert_str_eq(jstr(rq, "headers", "Authorization"), "Splunk s3cret-token");
        body = jstr(rq, "body", NULL);
        {
                static const char head[] = "{\"time\":1740830402.123,\"host\":\"web-01\",\"source\":\"complyd\","
                                           "\"sourcetype\":\"complyd:evidence\"";
                ck_assert_msg(strncmp(body, head, strlen(head)) == 0, "%s", body);
        }
        ck_assert_uint_eq(json_array_size(json_object_get(rq, "ndjson")), 3);
        env_teardown(&t);
}
END_TEST

START_TEST(test_outage_then_recovery) {
        struct env t;
        struct config_output out;
        struct shipper_output_stats st;
        uint64_t seqs[512], last;
        size_t n, k = 0;
        int port;

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        port = t.port;
        collector_stop(&t); /* down: nobody listens on its port */
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        out.batch_max_records = 20;
        shipper_start(&t, &out, 1);
        for (int round = 0; round < 5; round++) {
                append(&t, 30, 50);
                shipper_kick(t.sh);
                for (int i = 0; i < 4; i++)
                        sd_event_run(t.e, 50000);
        }
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_uint_ge(st.push_failures, 1);
        ck_assert_uint_eq(st.acked_seq, 0);
        ck_assert_uint_eq(st.backlog, 150);
        collector_start(&t, "server", false, port);
        last = append(&t, 7, 50);
        shipper_kick(t.sh);
        ck_assert(run_until(&t, idle, 60 * SEC));
        n = delivered_seqs(&t, seqs, 512);
        /* every record, oldest first; a repeat only of what was delivered before */
        for (size_t i = 0; i < n; i++) {
                if (seqs[i] == k + 1)
                        k++;
                else
                        ck_assert_msg(seqs[i] <= k, "seq %" PRIu64 " out of order after %zu", seqs[i], k);
        }
        ck_assert_uint_eq(k, last);
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_uint_eq(st.acked_seq, last);
        ck_assert_uint_ge(st.batches_acked, 8); /* 157 records, 20 per batch */
        env_teardown(&t);
}
END_TEST

/* Seconds between the collector's records of requests a and b. */
static double seconds_between(const struct env *t, int a, int b) {
        _cleanup_json_ json_t *ra = request(t, a), *rb = request(t, b);
        struct tm ta = { 0 }, tb = { 0 };
        double fa, fb;
        const char *sa = jstr(ra, "time", NULL), *sb = jstr(rb, "time", NULL);

        ck_assert(sa && sb);
        /* "2025-03-01T12:00:00.123456+00:00" */
        ck_assert_ptr_nonnull(strptime(sa, "%Y-%m-%dT%H:%M:%S", &ta));
        ck_assert_ptr_nonnull(strptime(sb, "%Y-%m-%dT%H:%M:%S", &tb));
        fa = (double) timegm(&ta) + (strchr(sa, '.') ? atof(strchr(sa, '.')) : 0);
        fb = (double) timegm(&tb) + (strchr(sb, '.') ? atof(strchr(sb, '.')) : 0);
        return fb - fa;
}

static bool two_requests(struct env *t) { return n_requests(t) >= 2 && shipper_idle(t->sh); }

START_TEST(test_429_retry_after_is_waited_out) {
        struct env t;
        struct config_output out;
        _cleanup_json_ json_t *r1 = NULL, *r2 = NULL;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 429, \"retry_after\": \"3\"}]", 0644);
        collector_start(&t, "server", false, 0);
        append(&t, 3, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, two_requests, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 2);
        r1 = request(&t, 1);
        r2 = request(&t, 2);
        ck_assert_int_eq(json_integer_value(json_object_get(r1, "status")), 429);
        ck_assert_int_eq(json_integer_value(json_object_get(r2, "status")), 200);
        /* the same batch, the same key */
        ck_assert_str_eq(jstr(r1, "headers", "Idempotency-Key"), jstr(r2, "headers", "Idempotency-Key"));
        ck_assert_str_eq(jstr(r1, "body", NULL), jstr(r2, "body", NULL));
        /* the collector's own clock: the retry came no earlier than asked
         * (backoff_scale shortens backoff only, never Retry-After) */
        ck_assert_msg(seconds_between(&t, 1, 2) >= 2.9, "retried after %.3f s", seconds_between(&t, 1, 2));
        env_teardown(&t);
}
END_TEST

START_TEST(test_400_goes_to_dead_letter) {
        struct env t;
        struct config_output out;
        struct shipper_output_stats st;
        _cleanup_json_ json_t *r1 = NULL;
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t len, n;
        uint64_t seqs[64];

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 400, \"body\": {\"message\": \"bad records\"}}]", 0644);
        collector_start(&t, "server", false, 0);
        append(&t, 12, 10);
        out = output_config(&t, "auditor", OUTPUT_OCSF);
        out.batch_max_records = 5;
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        r1 = request(&t, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(r1, "status")), 400);
        /* the rejected batch, as stored, in dead-letter/<output>-<batch id>.ndjson */
        path = strdup_printf("%s/dead-letter/auditor-%s.ndjson", t.state, jstr(r1, "headers", "Idempotency-Key"));
        ck_assert_int_eq(read_full_file(path, 1 << 20, &text, &len), 0);
        {
                _cleanup_free_ char *s2 = strdup_printf(result_fmt, 2, 2, 2, "pass", "xxxxxxxxxx");
                ck_assert(strncmp(text, s2, strlen(s2)) == 0);
                ck_assert_int_eq(text[strlen(s2)], '\n');
        }
        ck_assert_str_eq(jstr(r1, "headers", "X-Complyd-Seq-Range"), "1-6");
        ck_assert_uint_eq(t.alerts, 1);
        ck_assert_msg(strstr(t.last_alert, "HTTP 400: bad records") != NULL, "%s", t.last_alert);
        /* the cursor moved on: the rest was delivered */
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_uint_eq(st.dead_letters, 1);
        ck_assert_uint_eq(st.acked_seq, 12);
        ck_assert_uint_eq(st.push_failures, 1);
        ck_assert_int_eq(n_requests(&t), 2); /* 1-6 rejected, 7-12 delivered */
        n = delivered_seqs(&t, seqs, 64);
        ck_assert_uint_eq(n, 5); /* the results among 7-12 */
        env_teardown(&t);
}
END_TEST

START_TEST(test_401_says_credentials_rejected) {
        struct env t;
        struct config_output out;

        env_setup(&t);
        write_text(t.token, "wrong-token\n", 0600);
        collector_start(&t, "server", false, 0);
        append(&t, 2, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_uint_eq(t.alerts, 1);
        ck_assert_msg(strstr(t.last_alert, "credentials rejected") != NULL, "%s", t.last_alert);
        ck_assert_msg(strstr(t.last_alert, "HTTP 401") != NULL, "%s", t.last_alert);
        env_teardown(&t);
}
END_TEST

static bool failed_once(struct env *t) { return shipper_push_failures_total(t->sh) >= 2; }

START_TEST(test_wrong_server_certificate_sends_nothing) {
        struct env t;
        struct config_output out;
        struct shipper_output_stats st;

        env_setup(&t);
        collector_start(&t, "wrong-server", false, 0);
        append(&t, 3, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, failed_once, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 0);
        ck_assert_uint_eq(t.alerts, 1); /* once, not per retry */
        ck_assert_msg(strstr(t.last_alert, "TLS verification failed") != NULL, "%s", t.last_alert);
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_uint_eq(st.acked_seq, 0);
        ck_assert_uint_eq(st.backlog, 3);
        ck_assert_uint_eq(st.last_status, 0);
        env_teardown(&t);
}
END_TEST

START_TEST(test_413_splits_the_batch) {
        struct env t;
        struct config_output out;
        uint64_t seqs[64];
        size_t n;
        _cleanup_json_ json_t *r1 = NULL, *r2 = NULL, *r3 = NULL;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 413}]", 0644);
        collector_start(&t, "server", false, 0);
        append(&t, 8, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        ck_assert_int_eq(n_requests(&t), 3);
        r1 = request(&t, 1);
        r2 = request(&t, 2);
        r3 = request(&t, 3);
        ck_assert_int_eq(json_integer_value(json_object_get(r1, "status")), 413);
        ck_assert_uint_eq(json_array_size(json_object_get(r1, "ndjson")), 8);
        ck_assert_uint_eq(json_array_size(json_object_get(r2, "ndjson")), 4);
        ck_assert_uint_eq(json_array_size(json_object_get(r3, "ndjson")), 4);
        ck_assert_str_eq(jstr(r2, "headers", "X-Complyd-Seq-Range"), "1-4");
        ck_assert_str_ne(jstr(r1, "headers", "Idempotency-Key"), jstr(r2, "headers", "Idempotency-Key"));
        n = delivered_seqs(&t, seqs, 64);
        ck_assert_uint_eq(n, 8);
        for (size_t i = 0; i < n; i++)
                ck_assert_uint_eq(seqs[i], i + 1);
        env_teardown(&t);
}
END_TEST

START_TEST(test_413_single_record_is_dead_lettered) {
        struct env t;
        struct config_output out;
        struct shipper_output_stats st;

        env_setup(&t);
        write_text(t.faults, "[{\"status\": 413}, {\"status\": 413}]", 0644);
        collector_start(&t, "server", false, 0);
        append(&t, 2, 10); /* seq 1 agent.start, 2 a result */
        out = output_config(&t, "auditor", OUTPUT_OCSF);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        shipper_get_stats(t.sh, 0, &st);
        ck_assert_uint_eq(st.dead_letters, 1);
        ck_assert_uint_eq(st.acked_seq, 2);
        ck_assert_msg(strstr(t.last_alert, "HTTP 413") != NULL, "%s", t.last_alert);
        env_teardown(&t);
}
END_TEST

static bool one_request(struct env *t) { return n_requests(t) >= 1; }

START_TEST(test_sealed_batch_resent_with_its_id) {
        struct env t;
        struct config_output out;
        _cleanup_json_ json_t *r1 = NULL, *r2 = NULL;
        struct spool_cursor *c;

        env_setup(&t);
        write_text(t.faults, "[{\"hang\": 20}]", 0644);
        collector_start(&t, "server", false, 0);
        append(&t, 5, 10);
        out = output_config(&t, "auditor", OUTPUT_NATIVE);
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, one_request, WAIT_USEC));
        /* the daemon stops (or dies) while the collector holds the batch */
        shipper_free(t.sh);
        t.sh = NULL;
        ck_assert_int_eq(spool_cursor_get(t.spool, "auditor", &c), 0);
        ck_assert_str_ne(c->batch_id, "");
        ck_assert_uint_eq(c->batch_first, 1);
        ck_assert_uint_eq(c->batch_last, 5);
        append(&t, 3, 10); /* more records meanwhile: not in the resent batch */
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        r1 = request(&t, 1);
        r2 = request(&t, 2);
        ck_assert_ptr_nonnull(r2);
        ck_assert_str_eq(jstr(r1, "headers", "Idempotency-Key"), jstr(r2, "headers", "Idempotency-Key"));
        ck_assert_str_eq(jstr(r2, "headers", "X-Complyd-Seq-Range"), "1-5");
        ck_assert_str_eq(jstr(r1, "body", NULL), jstr(r2, "body", NULL));
        ck_assert_int_eq(n_requests(&t), 3);
        env_teardown(&t);
}
END_TEST

static bool fast_done(struct env *t) {
        struct shipper_output_stats st;

        shipper_get_stats(t->sh, 1, &st);
        return st.acked_seq == 6;
}

START_TEST(test_slow_output_delays_only_itself) {
        struct env t;
        struct config_output outs[2];
        struct shipper_output_stats st;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t salen = sizeof(sa);
        char hung_url[128];
        int hung;

        /* a collector that accepts connections and never answers */
        hung = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(hung, 0);
        ck_assert_int_eq(bind(hung, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(hung, 16), 0);
        ck_assert_int_eq(getsockname(hung, (struct sockaddr *) &sa, &salen), 0);
        env_setup(&t);
        collector_start(&t, "server", false, 0);
        append(&t, 6, 10);
        snprintf(hung_url, sizeof(hung_url), "https://127.0.0.1:%d/slow", ntohs(sa.sin_port));
        outs[0] = output_config(&t, "slow", OUTPUT_NATIVE);
        outs[0].url = hung_url;
        outs[0].timeout_usec = 15 * SEC;
        outs[1] = output_config(&t, "fast", OUTPUT_NATIVE);
        shipper_start(&t, outs, 2);
        ck_assert(run_until(&t, fast_done, WAIT_USEC));
        shipper_get_stats(t.sh, 0, &st);
        ck_assert(st.in_flight);
        ck_assert_uint_eq(st.acked_seq, 0);
        ck_assert_int_eq(n_requests(&t), 1);
        env_teardown(&t);
        close(hung);
}
END_TEST

static struct http_response resp(long status, const char *body, uint64_t retry_after) {
        return (struct http_response) { .status = status, .body = body, .body_len = strlen(body),
                                        .retry_after_usec = retry_after, .error = "" };
}

static bool got_request(struct env *t) { return n_requests(t) >= 1; }

/* Many batches in a row (the next one read while one is in flight), records
 * appended once the first request arrived (after the records that follow
 * it were read ahead): every record arrives once, in order, in batches of
 * exactly the limit but the last, whose seq ranges follow each other
 * without gap or overlap. */
START_TEST(test_back_to_back_batches_keep_order_and_limits) {
        struct env t;
        struct config_output out;
        uint64_t seqs[64], expect_first = 1;
        size_t n;
        int nreq;

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        append(&t, 10, 10);
        out = output_config(&t, "siem", OUTPUT_NATIVE);
        out.batch_max_records = 7;
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, got_request, WAIT_USEC));
        append(&t, 10, 10);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        n = delivered_seqs(&t, seqs, ELEMENTSOF(seqs));
        ck_assert_uint_eq(n, 20);
        for (size_t i = 0; i < n; i++)
                ck_assert_uint_eq(seqs[i], i + 1);
        nreq = n_requests(&t);
        ck_assert_int_eq(nreq, 3); /* 1-7, 8-14, 15-20 */
        for (int i = 1; i <= nreq; i++) {
                _cleanup_json_ json_t *rq = request(&t, i);
                unsigned long long first, last;

                ck_assert_int_eq(sscanf(jstr(rq, "headers", "X-Complyd-Seq-Range"), "%llu-%llu", &first, &last), 2);
                ck_assert_uint_eq(first, expect_first);
                ck_assert_uint_eq(json_array_size(json_object_get(rq, "ndjson")), last - first + 1);
                ck_assert_uint_eq(last - first + 1, i < nreq ? 7 : 6);
                expect_first = last + 1;
        }
        env_teardown(&t);
}
END_TEST

/* The same for OCSF, which skips the lifecycle records: each batch carries
 * the limit of results, and its range covers the records it skipped. */
START_TEST(test_back_to_back_ocsf_batches) {
        struct env t;
        struct config_output out;
        uint64_t expect_first = 1;
        size_t carried = 0;
        int nreq;

        env_setup(&t);
        collector_start(&t, "server", false, 0);
        append(&t, 60, 10); /* 1, 11, ... 51 are agent.start: 54 results */
        out = output_config(&t, "siem", OUTPUT_OCSF);
        out.batch_max_records = 9;
        shipper_start(&t, &out, 1);
        ck_assert(run_until(&t, idle, WAIT_USEC));
        nreq = n_requests(&t);
        ck_assert_int_eq(nreq, 6);
        for (int i = 1; i <= nreq; i++) {
                _cleanup_json_ json_t *rq = request(&t, i);
                json_t *ndjson = json_object_get(rq, "ndjson"), *ev;
                unsigned long long first, last;
                size_t k;

                ck_assert_int_eq(sscanf(jstr(rq, "headers", "X-Complyd-Seq-Range"), "%llu-%llu", &first, &last), 2);
                ck_assert_uint_eq(first, expect_first);
                ck_assert_uint_eq(json_array_size(ndjson), 9);
                json_array_foreach(ndjson, k, ev) {
                        json_int_t seq = json_integer_value(
                                json_object_get(json_object_get(json_object_get(ev, "unmapped"), "complyd"), "seq"));
                        ck_assert_int_ne(seq % 10, 1);
                        ck_assert_int_ge(seq, (json_int_t) first);
                        ck_assert_int_le(seq, (json_int_t) last);
                }
                carried += json_array_size(ndjson);
                expect_first = last + 1;
        }
        ck_assert_uint_eq(carried, 54);
        env_teardown(&t);
}
END_TEST

START_TEST(test_classify) {
        struct ship_reply r;
        struct http_response x;

        x = resp(200, "{}", 0);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_ACK);
        x = resp(200, "{\"partialSuccess\":{\"rejectedLogRecords\":\"2\",\"errorMessage\":\"bad\\ttime\"}}", 0);
        shipper_classify(OUTPUT_OTLP, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_ACK);
        ck_assert_uint_eq(r.rejected_records, 2);
        ck_assert_str_eq(r.message, "bad time");
        x = resp(429, "", 3 * SEC);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_RETRY);
        ck_assert_uint_eq(r.retry_after_usec, 3 * SEC);
        x = resp(503, "down\nfor maintenance", 7200 * SEC);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_RETRY);
        ck_assert_uint_eq(r.retry_after_usec, 3600 * SEC); /* clamped to 1 h */
        ck_assert_str_eq(r.message, "down");
        x = resp(408, "", 0);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_RETRY);
        x = resp(413, "", 0);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_SPLIT);
        x = resp(403, "{\"text\":\"Invalid token\",\"code\":4}", 0);
        shipper_classify(OUTPUT_SPLUNK_HEC, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_DEAD_LETTER);
        ck_assert(r.credentials_rejected);
        ck_assert_str_eq(r.message, "Invalid token");
        x = resp(404, "", 0);
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_DEAD_LETTER);
        ck_assert(!r.credentials_rejected);
        x = (struct http_response) { .curl_code = 60, .error = "SSL certificate problem", .body = "" };
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_TLS);
        x = (struct http_response) { .curl_code = 7, .error = "Connection refused", .body = "" };
        shipper_classify(OUTPUT_NATIVE, &x, &r);
        ck_assert_int_eq(r.verdict, SHIP_RETRY);
        ck_assert_str_eq(r.message, "Connection refused");
}
END_TEST

START_TEST(test_uuid4) {
        char a[37], b[37];

        shipper_uuid4(a);
        shipper_uuid4(b);
        ck_assert(is_uuid4(a));
        ck_assert(is_uuid4(b));
        ck_assert_str_ne(a, b);
}
END_TEST

static bool all_idle(struct env *t) { return shipper_idle(t->sh); }

/* Not a test of speed: prints records/s delivered to the local collector
 * when COMPLYD_BENCH is set (see the report in notes/readme/outputs.md). */
START_TEST(test_bench_throughput) {
        static const struct {
                enum output_format f;
                bool gzip;
        } cases[] = { { OUTPUT_NATIVE, true }, { OUTPUT_NATIVE, false }, { OUTPUT_OCSF, true },
                      { OUTPUT_OCSF, false } };
        int n = 20000;

        if (!getenv("COMPLYD_BENCH"))
                return;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct env t;
                struct config_output out;
                uint64_t t0, t1;

                env_setup(&t);
                collector_start(&t, "server", false, 0);
                append(&t, n, 200);
                out = output_config(&t, "bench", cases[i].f);
                out.gzip = cases[i].gzip;
                t0 = now_monotonic_usec();
                shipper_start(&t, &out, 1);
                ck_assert(run_until(&t, all_idle, 600 * SEC));
                t1 = now_monotonic_usec();
                printf("bench: %s gzip=%d: %d records (results and 10%% lifecycle), %.0f records/s\n",
                       format_name(cases[i].f), cases[i].gzip, n, n / ((t1 - t0) / 1e6));
                env_teardown(&t);
        }
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("shipper");
        TCase *tc = tcase_create("delivery");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_classify);
        tcase_add_test(tc, test_uuid4);
        tcase_add_test(tc, test_native_end_to_end);
        tcase_add_test(tc, test_ocsf_end_to_end);
        tcase_add_test(tc, test_otlp_end_to_end);
        tcase_add_test(tc, test_splunk_hec_end_to_end);
        tcase_add_test(tc, test_outage_then_recovery);
        tcase_add_test(tc, test_429_retry_after_is_waited_out);
        tcase_add_test(tc, test_400_goes_to_dead_letter);
        tcase_add_test(tc, test_401_says_credentials_rejected);
        tcase_add_test(tc, test_wrong_server_certificate_sends_nothing);
        tcase_add_test(tc, test_413_splits_the_batch);
        tcase_add_test(tc, test_413_single_record_is_dead_lettered);
        tcase_add_test(tc, test_sealed_batch_resent_with_its_id);
        tcase_add_test(tc, test_slow_output_delays_only_itself);
        tcase_add_test(tc, test_back_to_back_batches_keep_order_and_limits);
        tcase_add_test(tc, test_back_to_back_ocsf_batches);
        suite_add_tcase(s, tc);
        tc = tcase_create("bench");
        tcase_set_timeout(tc, 1200);
        tcase_add_test(tc, test_bench_throughput);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
