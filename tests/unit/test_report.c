/* SPDX-License-Identifier: MIT */
/*
 * complyd report against a known truth: tests/tools/gen_archive.c (built
 * here with cc against libcomplyd.a) writes a 90-day archive through the
 * real evidence code, with drifts, an error, a 3-day stop, a key rotation,
 * a dropped range, a crash, a clock jump, a config change, a
 * not_applicable stretch and a waiver at times its header states. Every
 * figure is checked to the millisecond (and each share to 0.1 %); then
 * the same archive tampered, reordered, cut to a day, filtered, with a key
 * missing, and beside a second host.
 */
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <sys/stat.h>

#include "report.h"
#include "testutil.h"
#include "util.h"

#define H (3600LL * 1000)
#define M (60LL * 1000)
#define D (24 * H)

static char tmpdir[64];
static char path_a[128], path_b[128], path_ab[128], path_rev[128], path_bad[128];
static json_t *truth;           /* what gen_archive printed for host a */
static json_t *full;            /* the report on host a, whole period (built once) */
static const int64_t S = 1743465600000LL; /* 2025-04-01T00:00:00Z */
static const int tampered_line = 5000;

static json_t *full_report(void);

/* --- building and running the generator ------------------------------------------- */

static void sh(const char *cmd) { ck_assert_msg(system(cmd) == 0, "failed: %s", cmd); }

/* Builds gen_archive against the libcomplyd.a beside this test binary. */
static void build_generator(const char *out) {
        char exe[512] = { 0 }, cmd[4096];

        ck_assert_int_gt(readlink("/proc/self/exe", exe, sizeof(exe) - 1), 0);
        snprintf(cmd, sizeof(cmd),
                 "cc -std=gnu11 -O1 -g -D_GNU_SOURCE %s -I%s/include -I%s/src -I%s/probes/lib "
                 "$(pkg-config --cflags jansson libcrypto) -o %s %s/tests/tools/gen_archive.c "
                 "%s/../libcomplyd.a $(pkg-config --libs libsystemd jansson yaml-0.1 libcrypto zlib liblzma "
                 "liblz4) -ldl -lm",
#ifdef __SANITIZE_ADDRESS__
                 "-fsanitize=address,undefined",
#else
                 "",
#endif
                 TOP_SRCDIR, TOP_SRCDIR, TOP_SRCDIR, out, TOP_SRCDIR, dirname(exe));
        sh(cmd);
}

/* Runs the generator; returns what it printed (parsed). */
static json_t *generate(const char *gen, const char *args) {
        char cmd[1024], buf[4096] = { 0 };
        FILE *p;
        json_t *j;

        snprintf(cmd, sizeof(cmd), "%s %s", gen, args);
        p = popen(cmd, "re");
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_gt(fread(buf, 1, sizeof(buf) - 1, p), 0);
        ck_assert_int_eq(pclose(p), 0);
        j = json_loads(buf, 0, NULL);
        ck_assert_msg(j, "generator printed: %s", buf);
        return j;
}

/* Copies path_a to path_bad with line tampered_line's first "pass" made
 * "fail" (its hash no longer matches). */
static void tamper(void) {
        char cmd[1024];

        snprintf(cmd, sizeof(cmd), "sed '%ds/\"status\":\"pass\"/\"status\":\"fail\"/' %s > %s", tampered_line,
                 path_a, path_bad);
        sh(cmd);
        snprintf(cmd, sizeof(cmd), "cmp -s %s %s && exit 1 || exit 0", path_a, path_bad);
        sh(cmd);
}

static void setup_archive(void) {
        char gen[128], args[512], cmd[1024];

        strcpy(tmpdir, "/tmp/complyd-report-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        snprintf(gen, sizeof(gen), "%s/gen_archive", tmpdir);
        build_generator(gen);
        snprintf(path_a, sizeof(path_a), "%s/a.ndjson", tmpdir);
        snprintf(path_b, sizeof(path_b), "%s/b.ndjson", tmpdir);
        snprintf(path_ab, sizeof(path_ab), "%s/ab.ndjson", tmpdir);
        snprintf(path_rev, sizeof(path_rev), "%s/rev.ndjson", tmpdir);
        snprintf(path_bad, sizeof(path_bad), "%s/bad.ndjson", tmpdir);
        snprintf(args, sizeof(args), "--ndjson %s --keys %s/ka", path_a, tmpdir);
        truth = generate(gen, args);
        snprintf(args, sizeof(args), "--ndjson %s --keys %s/kb --host-id 9a8b7c6d5e4f30211203f4e5d6c7b8a9 --hostname db-1",
                 path_b, tmpdir);
        json_decref(generate(gen, args));
        snprintf(cmd, sizeof(cmd), "cat %s %s > %s && tac %s > %s", path_b, path_a, path_ab, path_a, path_rev);
        sh(cmd);
        tamper();
        json_decref(full_report());
}

static void teardown_archive(void) {
        char cmd[128];

        json_decref(truth);
        json_decref(full);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        sh(cmd);
}

/* --- running the report ------------------------------------------------------------- */

struct run {
        const char *path;
        int64_t since, until;
        const char *const *controls;
        size_t n_controls;
        const char *key_sets;   /* "a" (host a, both keys), "a-new" (only the new one), "ab" */
};

static json_t *report(const struct run *run) {
        static const char *const sets[][4] = { { "ka/old", "ka/new" }, { "ka/new" },
                                               { "ka/old", "ka/new", "kb/old", "kb/new" } };
        const char *const *set = streq(run->key_sets ?: "a", "a") ? sets[0] : streq(run->key_sets, "a-new") ? sets[1] : sets[2];
        struct evidence_key *keys[4] = { 0 };
        const char *paths[4];
        char p[4][160];
        size_t n = 0;
        json_t *rep = NULL;

        for (; n < 4 && set[n]; n++) {
                snprintf(p[n], sizeof(p[n]), "%s/%s/key.pub", tmpdir, set[n]);
                paths[n] = p[n];
                ck_assert_int_eq(evidence_key_load_public(p[n], &keys[n]), 0);
        }
        struct report_options opt = {
                .since_ms = run->since ?: S, .until_ms = run->until ?: S + 90 * D, .generated_ms = S + 91 * D,
                .controls = (char *const *) run->controls, .n_controls = run->n_controls,
                .keys = (const struct evidence_key *const *) keys, .key_paths = paths, .n_keys = n,
                .input = run->path,
        };
        ck_assert_int_eq(report_build(&opt, NULL, run->path, &rep), 0);
        for (size_t i = 0; i < n; i++)
                evidence_key_free(keys[i]);
        return rep;
}

/* The report of the whole period on host a (a new reference). */
static json_t *full_report(void) {
        if (!full)
                full = report(&(struct run){ .path = path_a });
        return json_incref(full);
}

static const json_t *host_named(const json_t *rep, const char *hostname) {
        size_t i;
        json_t *h;

        json_array_foreach(json_object_get(rep, "hosts"), i, h) if (streq(json_string_value(json_object_get(h, "hostname")), hostname)) return h;
        ck_abort_msg("no host %s", hostname);
        return NULL;
}

static const json_t *control(const json_t *host, const char *id) {
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(host, "controls"), i, c) if (streq(json_string_value(json_object_get(c, "id")), id)) return c;
        ck_abort_msg("no control %s", id);
        return NULL;
}

static const json_t *criterion(const json_t *rep, const char *name) {
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(rep, "criteria"), i, c) if (streq(json_string_value(json_object_get(c, "criterion")), name)) return c;
        ck_abort_msg("no criterion %s", name);
        return NULL;
}

static double num(const json_t *o, const char *path) {
        _cleanup_free_ char *p = strdup(path);
        const json_t *v = o;

        for (char *s = p, *tok; (tok = strsep(&s, "."));)
                v = json_object_get(v, tok);
        ck_assert_msg(json_is_number(v), "%s is not a number", path);
        return json_number_value(v);
}

static const char *str(const json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));

        ck_assert_msg(s, "%s is not a string", key);
        return s;
}

/* Seconds as the report states them, compared to the millisecond. */
#define assert_ms(o, path, ms) ck_assert_double_eq_tol(num(o, path), (double) (ms) / 1000.0, 0.0005)

static void assert_share(const json_t *o, double pass_ms, double judged_ms) {
        double share = num(o, "share");

        ck_assert_double_eq_tol(share, pass_ms / judged_ms, 1e-9);
        /* and what the reader sees, to 0.1 % */
        ck_assert_double_eq_tol(round(share * 1000) / 10, round(pass_ms / judged_ms * 1000) / 10, 1e-9);
}

/* Unmonitored time of every control: the 3-day stop, the 1-minute stop of
 * the key rotation, the dropped range (from the last record before it,
 * 70d 11:45, to the dropped record at 14:00) and the crash (85d 01:45 to
 * 08:00). */
static const int64_t UNMON = 72 * H + 1 * M + (2 * H + 15 * M) + (6 * H + 15 * M);
static const int64_t PERIOD = 90 * D;

/* --- the known truth ------------------------------------------------------------------ */

START_TEST(verification_intact) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *v = json_object_get(rep, "verification"), *d = json_array_get(json_object_get(v, "dropped"), 0);

        ck_assert(json_is_true(json_object_get(v, "intact")));
        ck_assert_int_eq(num(v, "records"), num(truth, "records"));
        ck_assert_int_eq(num(v, "problems"), 0);
        ck_assert_int_eq(num(v, "excluded_records"), 0);
        ck_assert_int_eq(json_array_size(json_object_get(v, "dropped")), 1);
        ck_assert_int_eq(num(d, "first_seq"), num(truth, "dropped_first"));
        ck_assert_int_eq(num(d, "last_seq"), num(truth, "dropped_last"));
        ck_assert_int_eq(num(d, "declared_by"), num(truth, "dropped_last") + 1);
        ck_assert_str_eq(str(d, "reason"), "spool_full");
        ck_assert(json_is_null(json_object_get(v, "first_problem")));
}
END_TEST

START_TEST(key_rotation) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *keys = json_object_get(host_named(rep, "web-1"), "keys");
        const json_t *old = json_array_get(keys, 0), *new = json_array_get(keys, 1);

        ck_assert_int_eq(json_array_size(keys), 2);
        ck_assert_str_eq(str(old, "key_id"), str(truth, "old_key_id"));
        ck_assert_str_eq(str(new, "key_id"), str(truth, "new_key_id"));
        ck_assert_int_eq(num(old, "first_seq"), 1);
        ck_assert_int_eq(num(old, "last_seq"), num(truth, "rotation_seq") - 1);
        ck_assert_int_eq(num(new, "first_seq"), num(truth, "rotation_seq"));
        ck_assert_str_eq(str(new, "first_time"), "2025-05-16T00:06:00.000Z");
}
END_TEST

START_TEST(no_monitoring_periods) {
        static const char *const want[][3] = {
                { "2025-05-01T00:00:00.000Z", "2025-05-04T00:00:00.000Z", "agent_stopped" },
                { "2025-05-16T00:05:00.000Z", "2025-05-16T00:06:00.000Z", "agent_stopped" },
                { "2025-06-10T11:45:00.000Z", "2025-06-10T14:00:00.000Z", "evidence_missing" },
                { "2025-06-25T01:45:00.000Z", "2025-06-25T08:00:00.000Z", "no_records" },
        };
        _cleanup_json_ json_t *rep = full_report();
        const json_t *h = host_named(rep, "web-1"), *gaps = json_object_get(h, "no_monitoring");

        ck_assert_int_eq(json_array_size(gaps), ELEMENTSOF(want));
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                const json_t *g = json_array_get(gaps, i);

                ck_assert_str_eq(str(g, "from"), want[i][0]);
                ck_assert_str_eq(str(g, "to"), want[i][1]);
                ck_assert_str_eq(str(g, "kind"), want[i][2]);
        }
        ck_assert_ptr_nonnull(strstr(str(json_array_get(gaps, 2), "detail"), "declared lost (spool_full)"));
        assert_ms(h, "unmonitored_s", UNMON);
        assert_ms(h, "gap_threshold_s", 2 * H);
        assert_ms(h, "heartbeat_interval_s", H);
        ck_assert_int_eq(num(h, "restarts"), 4);
}
END_TEST

START_TEST(shares_and_times) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *h = host_named(rep, "web-1");
        const json_t *ssh = control(h, "ssh-root-login-disabled"), *fw = control(h, "firewall-inbound-default-deny");
        const json_t *root = control(h, "root-fs-encrypted"), *mal = control(h, "malware-agent-running");
        int64_t mon = PERIOD - UNMON;

        assert_ms(ssh, "time_s.fail", 26 * H);
        assert_ms(ssh, "time_s.unmonitored", UNMON);
        assert_ms(ssh, "time_s.pass", mon - 26 * H);
        assert_ms(ssh, "interval_s", 15 * M);
        assert_share(ssh, (double) (mon - 26 * H), (double) mon);               /* 98.7 % */

        assert_ms(fw, "time_s.fail", 8 * H);
        assert_ms(fw, "time_s.error", 30 * M);
        assert_share(fw, (double) (mon - 8 * H - 30 * M), (double) mon);        /* 99.6 % */

        assert_ms(root, "time_s.not_applicable", 120 * H);
        assert_ms(root, "time_s.pass", mon - 120 * H);
        assert_ms(root, "interval_s", H);
        ck_assert_double_eq(num(root, "share"), 1.0);

        assert_ms(mal, "time_s.fail", 48 * H);
        assert_ms(mal, "time_s.waived", 28 * D - (2 * H + 15 * M) - (6 * H + 15 * M));
        assert_share(mal, (double) (mon - 48 * H - (28 * D - 8 * H - 30 * M)),
                     (double) (mon - (28 * D - 8 * H - 30 * M)));             /* 96.6 % */
}
END_TEST

START_TEST(drift_events) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *h = host_named(rep, "web-1");
        const json_t *ssh = control(h, "ssh-root-login-disabled"), *fw = control(h, "firewall-inbound-default-deny");
        const json_t *mal = control(h, "malware-agent-running"), *d;

        ck_assert_int_eq(num(ssh, "drift_events"), 2);
        d = json_array_get(json_object_get(ssh, "drifts"), 0);
        ck_assert_str_eq(str(d, "start"), "2025-04-11T12:00:00.000Z");
        ck_assert_str_eq(str(d, "recovered"), "2025-04-11T14:00:00.000Z");
        ck_assert_str_eq(str(d, "reason"), "PermitRootLogin is yes (expected no)");
        assert_ms(d, "time_to_recover_s", 2 * H);
        d = json_array_get(json_object_get(ssh, "drifts"), 1);
        ck_assert_str_eq(str(d, "start"), "2025-05-11T06:00:00.000Z");
        assert_ms(d, "time_to_recover_s", 24 * H);
        assert_ms(ssh, "mean_time_to_recover_s", 13 * H);
        assert_ms(ssh, "longest_failing.duration_s", 24 * H);

        /* an error, then a failure that lasts through the 3-day stop */
        ck_assert_int_eq(num(fw, "drift_events"), 2);
        d = json_array_get(json_object_get(fw, "drifts"), 0);
        ck_assert_str_eq(str(d, "status"), "error");
        ck_assert_str_eq(str(d, "reason"), "probe firewall timed out after 30s");
        assert_ms(d, "time_to_recover_s", 30 * M);
        d = json_array_get(json_object_get(fw, "drifts"), 1);
        ck_assert_str_eq(str(d, "start"), "2025-04-30T18:00:00.000Z");
        ck_assert_str_eq(str(d, "recovered"), "2025-05-04T02:00:00.000Z");
        assert_ms(d, "time_to_recover_s", 80 * H);
        assert_ms(fw, "mean_time_to_recover_s", (30 * M + 80 * H) / 2);
        ck_assert_str_eq(str(json_object_get(fw, "longest_failing"), "from"), "2025-04-30T18:00:00.000Z");
        assert_ms(fw, "longest_failing.duration_s", 6 * H);

        /* failing, then waived: never recovered */
        ck_assert_int_eq(num(mal, "drift_events"), 1);
        d = json_array_get(json_object_get(mal, "drifts"), 0);
        ck_assert_str_eq(str(d, "start"), "2025-05-31T00:00:00.000Z");
        ck_assert(json_is_null(json_object_get(d, "recovered")));
        ck_assert(json_is_null(json_object_get(mal, "mean_time_to_recover_s")));
}
END_TEST

START_TEST(waiver_and_not_applicable) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *h = host_named(rep, "web-1");
        const json_t *w = json_array_get(json_object_get(control(h, "malware-agent-running"), "waivers"), 0);
        const json_t *na = json_object_get(control(h, "root-fs-encrypted"), "not_applicable");

        ck_assert_int_eq(json_array_size(json_object_get(control(h, "malware-agent-running"), "waivers")), 1);
        ck_assert_str_eq(str(w, "reason"), "CHG-1234: EDR agent migration");
        ck_assert_str_eq(str(w, "expires"), "2025-07-31");
        ck_assert_str_eq(str(w, "first_seen"), "2025-06-02T00:00:00.000Z");
        ck_assert_int_eq(json_array_size(na), 1);
        ck_assert_str_eq(str(json_array_get(na, 0), "from"), "2025-05-21T00:00:00.000Z");
        ck_assert_str_eq(str(json_array_get(na, 0), "to"), "2025-05-26T00:00:00.000Z");
}
END_TEST

START_TEST(clock_jump_and_config_change) {
        _cleanup_json_ json_t *rep = full_report();
        const json_t *h = host_named(rep, "web-1");
        const json_t *j = json_array_get(json_object_get(h, "clock_jumps"), 0);
        const json_t *c = json_array_get(json_object_get(h, "config_changes"), 0);

        ck_assert_int_eq(json_array_size(json_object_get(h, "clock_jumps")), 1);
        ck_assert_int_eq(num(j, "seq"), num(truth, "clock_jump_seq"));
        assert_ms(j, "back_s", 3 * M);
        ck_assert_int_eq(json_array_size(json_object_get(h, "config_changes")), 1);
        ck_assert_str_eq(str(c, "time"), "2025-04-16T09:00:00.000Z");
        ck_assert_str_eq(str(c, "old_config_hash"), "cfg-a");
        ck_assert_str_eq(str(c, "new_config_hash"), "cfg-b");
}
END_TEST

START_TEST(criteria_rollup) {
        _cleanup_json_ json_t *rep = full_report();
        double mon = (double) (PERIOD - UNMON);
        double ssh = mon - 26 * H, fw = mon - 8 * H - 30 * M, root = mon - 120 * H;
        const json_t *c61 = criterion(rep, "CC6.1"), *c66 = criterion(rep, "CC6.6");

        ck_assert_int_eq(json_array_size(json_object_get(rep, "criteria")), 4);
        ck_assert_str_eq(str(json_array_get(json_object_get(rep, "criteria"), 0), "criterion"), "CC6.1");
        assert_share(c61, ssh + root, mon + root);                              /* 99.4 % */
        ck_assert_str_eq(str(json_object_get(c61, "worst"), "control"), "ssh-root-login-disabled");
        ck_assert_int_eq(num(c61, "drift_events"), 2);
        assert_share(c66, ssh + fw, 2 * mon);                                   /* 99.2 % */
        ck_assert_int_eq(num(c66, "drift_events"), 4);
        ck_assert_double_eq(num(criterion(rep, "CC6.7"), "share"), 1.0);
        assert_share(criterion(rep, "CC6.8"), num(control(host_named(rep, "web-1"), "malware-agent-running"), "share"), 1);
}
END_TEST

/* --- the same archive otherwise ------------------------------------------------------------ */

START_TEST(one_day) {
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_a, .since = S + 10 * D, .until = S + 11 * D });
        const json_t *h = host_named(rep, "web-1"), *ssh = control(h, "ssh-root-login-disabled");

        assert_share(ssh, 22 * H, 24 * H);
        assert_ms(ssh, "time_s.unmonitored", 0);
        ck_assert_int_eq(json_array_size(json_object_get(h, "no_monitoring")), 0);
        ck_assert_int_eq(num(ssh, "drift_events"), 1);
        ck_assert_int_eq(num(control(h, "firewall-inbound-default-deny"), "drift_events"), 0);
        ck_assert_double_eq(num(control(h, "firewall-inbound-default-deny"), "share"), 1.0);
}
END_TEST

START_TEST(period_starts_while_failing) {
        /* the firewall failure began on 04-30 18:00; a period from 05-04 00:00 */
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_a, .since = S + 33 * D, .until = S + 34 * D });
        const json_t *fw = control(host_named(rep, "web-1"), "firewall-inbound-default-deny");
        const json_t *d = json_array_get(json_object_get(fw, "drifts"), 0);

        ck_assert_int_eq(num(fw, "drift_events"), 0);
        ck_assert_int_eq(json_array_size(json_object_get(fw, "drifts")), 1);
        ck_assert(json_is_true(json_object_get(d, "began_before_period")));
        assert_ms(fw, "time_s.fail", 2 * H);
}
END_TEST

START_TEST(control_filter) {
        static const char *const only[] = { "root-fs-encrypted" };
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_a, .controls = only, .n_controls = 1 });

        ck_assert_int_eq(json_array_size(json_object_get(host_named(rep, "web-1"), "controls")), 1);
        ck_assert_int_eq(json_array_size(json_object_get(rep, "criteria")), 2);
        ck_assert_double_eq(num(criterion(rep, "CC6.1"), "share"), 1.0);
        /* the host's periods without monitoring do not depend on the filter */
        ck_assert_int_eq(json_array_size(json_object_get(host_named(rep, "web-1"), "no_monitoring")), 4);
}
END_TEST

START_TEST(tampered) {
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_bad });
        const json_t *v = json_object_get(rep, "verification"), *first = json_object_get(v, "first_problem");
        const json_t *h = host_named(rep, "web-1");
        char where[32];

        snprintf(where, sizeof(where), "line %d", tampered_line);
        ck_assert(json_is_false(json_object_get(v, "intact")));
        ck_assert_str_eq(str(first, "where"), where);
        ck_assert_str_eq(str(first, "kind"), "bad hash");
        ck_assert_int_eq(num(v, "excluded_records"), 1);
        /* the edited record is left out: no drift appears, its time is unmonitored */
        ck_assert_int_eq(num(control(h, "ssh-root-login-disabled"), "drift_events"), 2);
        ck_assert_int_eq(num(control(h, "firewall-inbound-default-deny"), "drift_events"), 2);
        ck_assert_int_eq(json_array_size(json_object_get(h, "no_monitoring")), 5);
}
END_TEST

START_TEST(reordered) {
        _cleanup_json_ json_t *a = full_report();
        _cleanup_json_ json_t *rev = report(&(struct run){ .path = path_rev });
        const json_t *v = json_object_get(rev, "verification");

        ck_assert(json_is_true(json_object_get(v, "intact")));
        ck_assert_int_gt(num(v, "out_of_order"), 0);
        ck_assert(json_equal(json_object_get(a, "criteria"), json_object_get(rev, "criteria")));
        ck_assert(json_equal(json_object_get(a, "hosts"), json_object_get(rev, "hosts")));
}
END_TEST

START_TEST(missing_key) {
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_a, .key_sets = "a-new" });
        const json_t *v = json_object_get(rep, "verification"), *h = host_named(rep, "web-1");
        const json_t *g = json_array_get(json_object_get(h, "no_monitoring"), 0);

        ck_assert(json_is_false(json_object_get(v, "intact")));
        ck_assert_int_eq(num(v, "by_kind.unknown key"), num(truth, "rotation_seq") - 1);
        ck_assert_str_eq(str(json_object_get(v, "first_problem"), "where"), "line 1");
        /* before the rotation nothing authentic: not monitored */
        ck_assert_str_eq(str(g, "from"), "2025-04-01T00:00:00.000Z");
        ck_assert_str_eq(str(g, "to"), "2025-05-16T00:06:00.000Z");
}
END_TEST

START_TEST(two_hosts) {
        _cleanup_json_ json_t *a = full_report();
        _cleanup_json_ json_t *ab = report(&(struct run){ .path = path_ab, .key_sets = "ab" });
        const json_t *hosts = json_object_get(ab, "hosts");

        ck_assert(json_is_true(json_object_get(json_object_get(ab, "verification"), "intact")));
        ck_assert_int_eq(json_array_size(hosts), 2);
        ck_assert_str_eq(str(json_array_get(hosts, 0), "hostname"), "db-1");
        ck_assert_str_eq(str(json_array_get(hosts, 1), "hostname"), "web-1");
        ck_assert(json_equal(json_object_get(host_named(ab, "web-1"), "controls"),
                             json_object_get(host_named(a, "web-1"), "controls")));
        /* two identical hosts: the same shares, twice the control time */
        ck_assert_double_eq_tol(num(criterion(ab, "CC6.1"), "share"), num(criterion(a, "CC6.1"), "share"), 1e-12);
        ck_assert_int_eq(num(criterion(ab, "CC6.1"), "instances"), 4);
}
END_TEST

START_TEST(renderers) {
        _cleanup_json_ json_t *rep = report(&(struct run){ .path = path_bad });
        _cleanup_free_ char *md = NULL, *html = NULL;
        size_t n_md = 0, n_html = 0, svgs = 0;
        FILE *f;

        f = open_memstream(&md, &n_md);
        ck_assert_int_eq(report_render_md(rep, f), 0);
        fclose(f);
        f = open_memstream(&html, &n_html);
        ck_assert_int_eq(report_render_html(rep, f), 0);
        fclose(f);
        /* the verdict before anything else */
        ck_assert_ptr_nonnull(strstr(md, "NOT INTACT"));
        ck_assert(strstr(md, "NOT INTACT") < strstr(md, "## Summary by SOC 2 criterion"));
        ck_assert_ptr_nonnull(strstr(md, "| CC6.1 | root-fs-encrypted, ssh-root-login-disabled | 99.4 % |"));
        ck_assert_ptr_nonnull(strstr(md, "**First bad record:** line 5000: bad hash"));
        for (const char *p = html; (p = strstr(p, "<svg class=\"timeline\"")); p++)
                svgs++;
        ck_assert_int_eq(svgs, 4);
        /* nothing fetched: the only URL is the SVG namespace */
        for (const char *p = html; (p = strstr(p, "http")); p++)
                if (startswith(p, "http:") || startswith(p, "https:"))
                        ck_assert_msg(startswith(p, "http://www.w3.org/2000/svg\""), "a URL in the page: %.60s", p);
        ck_assert_ptr_null(strstr(html, "src="));
        ck_assert_ptr_null(strstr(html, "<script"));
        ck_assert_ptr_nonnull(strstr(html, "class=\"config-changed\""));
}
END_TEST

/* --- parsing ----------------------------------------------------------------------------------- */

START_TEST(times) {
        int64_t t;
        char buf[48];

        ck_assert_int_eq(report_parse_time("2025-04-01", false, &t), 0);
        ck_assert_int_eq(t, S);
        ck_assert_int_eq(report_parse_time("2025-04-01", true, &t), 0);
        ck_assert_int_eq(t, S + D);
        ck_assert_int_eq(report_parse_time("2025-04-01T12:00:00.5+02:00", false, &t), 0);
        ck_assert_int_eq(t, S + 10 * H + 500);
        ck_assert_int_eq(report_parse_time("2024-02-29T00:00:00Z", false, &t), 0);
        ck_assert_int_eq(report_parse_time("2025-02-29", false, &t), -EINVAL);
        ck_assert_int_eq(report_parse_time("2025-04-01T24:00:00Z", false, &t), -EINVAL);
        ck_assert_int_eq(report_parse_time("2025-04-01T12:00:00", false, &t), -EINVAL);
        ck_assert_int_eq(report_parse_time("yesterday", false, &t), -EINVAL);
        ck_assert_int_eq(report_parse_since("90d", S + 90 * D, &t), 0);
        ck_assert_int_eq(t, S);
        ck_assert_int_eq(report_parse_since("36h", S + 36 * H, &t), 0);
        ck_assert_int_eq(t, S);
        ck_assert_int_eq(report_parse_since("0d", S, &t), -EINVAL);
        ck_assert_int_eq(report_parse_since("99999999d", S, &t), -EINVAL);
        ck_assert_str_eq(report_format_time(S + 1234, buf), "2025-04-01T00:00:01.234Z");
        ck_assert_str_eq(report_format_duration(80 * H + 31 * M + 5000, buf, sizeof(buf)), "3d 8h 31m");
        ck_assert_str_eq(report_format_duration(2 * H + 15 * M, buf, sizeof(buf)), "2h 15m");
        ck_assert_str_eq(report_format_duration(0, buf, sizeof(buf)), "0");
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("report");
        TCase *tc = tcase_create("known truth");

        tcase_add_unchecked_fixture(tc, setup_archive, teardown_archive);
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, verification_intact);
        tcase_add_test(tc, key_rotation);
        tcase_add_test(tc, no_monitoring_periods);
        tcase_add_test(tc, shares_and_times);
        tcase_add_test(tc, drift_events);
        tcase_add_test(tc, waiver_and_not_applicable);
        tcase_add_test(tc, clock_jump_and_config_change);
        tcase_add_test(tc, criteria_rollup);
        tcase_add_test(tc, one_day);
        tcase_add_test(tc, period_starts_while_failing);
        tcase_add_test(tc, control_filter);
        tcase_add_test(tc, tampered);
        tcase_add_test(tc, reordered);
        tcase_add_test(tc, missing_key);
        tcase_add_test(tc, two_hosts);
        tcase_add_test(tc, renderers);
        suite_add_tcase(s, tc);
        tc = tcase_create("parsing");
        tcase_add_test(tc, times);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
