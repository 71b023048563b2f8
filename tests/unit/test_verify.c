/* SPDX-License-Identifier: MIT */
/* The verifier on NDJSON streams built from real signed records: intact
 * streams, edited fields, removed, reordered and swapped records, foreign
 * keys, key rotation, duplicates, declared drops, several hosts, garbage. */
#include <fcntl.h>
#include <sys/stat.h>

#include "evidence.h"
#include "testutil.h"
#include "util.h"
#include "verify.h"

static char tmpdir[64];
static struct evidence_key *key_a, *key_b;

static const struct evidence_host host1 = { "11111111111111111111111111111111", "web-1", "Debian 12",
                                            "6.1.0", "b1" };
static const struct evidence_host host2 = { "22222222222222222222222222222222", "db-1", "Debian 12",
                                            "6.1.0", "b2" };

static void setup(void) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        strcpy(tmpdir, "/tmp/complyd-verify-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        a = strdup_printf("%s/a", tmpdir);
        b = strdup_printf("%s/b", tmpdir);
        ck_assert_int_eq(evidence_key_load_or_create(a, &key_a), 0);
        ck_assert_int_eq(evidence_key_load_or_create(b, &key_b), 0);
}

static void teardown(void) {
        char cmd[128];

        evidence_key_free(key_a);
        evidence_key_free(key_b);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        ck_assert_int_eq(system(cmd), 0);
}

/* A result body with the given status. */
static json_t *body(const char *status) {
        return json_pack("{s:{s:s,s:s,s:[s],s:s},s:s,s:n,s:b,s:[],s:n,s:{s:s,s:s,s:i}}", "control", "id",
                         "ssh-root-login", "title", "No root login over SSH", "criteria", "soc2:CC6.1",
                         "severity", "high", "status", status, "previous_status", "drift", 0, "failures",
                         "observation", "probe", "name", "ssh", "version", "1.0", "duration_ms", 3);
}

/* Appends records seq first..last of host to a (chained from prev_hash,
 * which is updated), signed with key. */
static void chain(json_t *a, const struct evidence_host *h, const struct evidence_key *k, uint64_t first,
                  uint64_t last, char prev[65]) {
        struct evidence_writer *w = NULL;

        ck_assert_int_eq(evidence_writer_new(NULL, k, h, "cfg", &w), 0);
        for (uint64_t s = first; s <= last; s++) {
                json_t *rec = NULL;

                ck_assert_int_eq(evidence_record_new(w, EVIDENCE_RESULT, body(s % 2 ? "pass" : "fail"), s,
                                                     prev, 1741064767000000ULL + s * 60000000ULL, &rec),
                                 0);
                snprintf(prev, 65, "%s", json_string_value(json_object_get(rec, "hash")));
                json_array_append_new(a, rec);
        }
        evidence_writer_free(w);
}

/* One record of any type at seq, chained from prev (updated). */
static json_t *record(const struct evidence_host *h, const char *type, json_t *b, uint64_t seq,
                      char prev[65]) {
        struct evidence_writer *w = NULL;
        json_t *rec = NULL;

        ck_assert_int_eq(evidence_writer_new(NULL, key_a, h, "cfg", &w), 0);
        ck_assert_int_eq(evidence_record_new(w, type, b, seq, prev, 1741064767000000ULL + seq, &rec), 0);
        snprintf(prev, 65, "%s", json_string_value(json_object_get(rec, "hash")));
        evidence_writer_free(w);
        return rec;
}

static char *line_of(const json_t *rec) {
        char *text = NULL;

        ck_assert_int_eq(evidence_serialize(rec, false, &text, NULL), 0);
        return text;
}

/* NDJSON of a's records in the order given by idx (n indexes; all in order
 * when idx is NULL). */
static char *ndjson(const json_t *a, const size_t *idx, size_t n) {
        char *out = strdup("");

        if (!idx)
                n = json_array_size(a);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *l = line_of(json_array_get(a, idx ? idx[i] : i));
                char *o = strdup_printf("%s%s\n", out, l);

                free(out);
                out = o;
        }
        return out;
}

struct seen {
        json_t *problems;       /* [{kind, seq, last, where, host, message}] */
        json_t *dropped;        /* [{first, last, by}] */
};

static void on_problem(const struct verify_problem *p, void *userdata) {
        struct seen *s = userdata;

        json_array_append_new(s->problems, json_pack("{s:s,s:I,s:I,s:s,s:s,s:s}", "kind",
                                                     verify_problem_name(p->kind), "seq", (json_int_t) p->seq,
                                                     "last", (json_int_t) p->last_seq, "where", p->where,
                                                     "host", p->host, "message", p->message));
}

static void on_dropped(const struct verify_dropped *d, void *userdata) {
        struct seen *s = userdata;

        json_array_append_new(s->dropped, json_pack("{s:I,s:I,s:I,s:s}", "first", (json_int_t) d->first_seq,
                                                    "last", (json_int_t) d->last_seq, "by",
                                                    (json_int_t) d->declared_by, "reason", d->reason));
}

/* Verifies text with the given keys; fills s and *sum. */
static void verify_text(const char *text, bool with_b, struct seen *s, struct verify_summary *sum) {
        const struct verify_callbacks cb = { on_problem, on_dropped };
        struct verifier *v = NULL;

        s->problems = json_array();
        s->dropped = json_array();
        ck_assert_int_eq(verifier_new(&cb, s, &v), 0);
        ck_assert_int_eq(verifier_add_key(v, key_a), 0);
        if (with_b)
                ck_assert_int_eq(verifier_add_key(v, key_b), 0);
        ck_assert_int_eq(verifier_feed_ndjson(v, text, strlen(text)), 0);
        ck_assert_int_eq(verifier_finish(v, sum), 0);
        verifier_free(v);
}

static void seen_free(struct seen *s) {
        json_decref(s->problems);
        json_decref(s->dropped);
}

/* Asserts problem i is of kind at seq. */
static void assert_problem(const struct seen *s, size_t i, const char *kind, uint64_t seq) {
        json_t *p = json_array_get(s->problems, i);

        ck_assert_msg(p != NULL, "no problem %zu (of %zu)", i, json_array_size(s->problems));
        ck_assert_msg(streq(json_string_value(json_object_get(p, "kind")), kind), "problem %zu: %s: %s", i,
                      json_string_value(json_object_get(p, "kind")),
                      json_string_value(json_object_get(p, "message")));
        ck_assert_int_eq(json_integer_value(json_object_get(p, "seq")), (json_int_t) seq);
}

static json_t *host1_chain(size_t n) {
        json_t *a = json_array();
        char prev[65] = EVIDENCE_ZERO_HASH;

        chain(a, &host1, key_a, 1, n, prev);
        return a;
}

START_TEST(test_intact_stream) {
        _cleanup_json_ json_t *a = host1_chain(20);
        _cleanup_free_ char *text = ndjson(a, NULL, 0);
        struct verify_summary sum;
        struct seen s;

        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(json_array_size(s.problems), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.records, 20);
        ck_assert_uint_eq(sum.inputs, 20);
        ck_assert_uint_eq(sum.hosts, 1);
        ck_assert_uint_eq(sum.duplicates, 0);
        ck_assert_uint_eq(sum.out_of_order, 0);
        seen_free(&s);
}
END_TEST

START_TEST(test_edited_field) {
        _cleanup_json_ json_t *a = host1_chain(5);
        _cleanup_free_ char *text = NULL;
        struct verify_summary sum;
        struct seen s;
        char *p;

        /* record 3 said "pass": make it say "fail" in the text */
        text = ndjson(a, NULL, 0);
        p = strstr(strstr(strstr(strstr(text, "\n") + 1, "\n") + 1, "\"status\":"), "\"pass\"");
        ck_assert_ptr_nonnull(p);
        memcpy(p, "\"fail\"", 6);
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "bad hash", 3);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "where")), "line 3");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "host")), host1.id);
        seen_free(&s);
}
END_TEST

START_TEST(test_edited_field_with_recomputed_hash) {
        _cleanup_json_ json_t *a = host1_chain(5);
        _cleanup_free_ char *text = NULL;
        json_t *r3 = json_array_get(a, 2);
        struct verify_summary sum;
        uint8_t md[32];
        char hex[65];
        struct seen s;

        /* the forger edits the status and recomputes the hash: the signature
         * no longer matches, and seq 4 no longer links to it */
        json_object_set_new(r3, "status", json_string("fail"));
        ck_assert_int_eq(evidence_hash(r3, md), 0);
        evidence_hex(md, 32, hex);
        json_object_set_new(r3, "hash", json_string(hex));
        text = ndjson(a, NULL, 0);
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 2);
        assert_problem(&s, 0, "bad signature", 3);
        assert_problem(&s, 1, "chain break", 4);
        seen_free(&s);
}
END_TEST

START_TEST(test_removed_record) {
        _cleanup_json_ json_t *a = host1_chain(6);
        static const size_t idx[] = { 0, 1, 2, 4, 5 };
        _cleanup_free_ char *text = ndjson(a, idx, ELEMENTSOF(idx));
        struct verify_summary sum;
        struct seen s;

        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "gap", 4);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.problems, 0), "last")), 4);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "message")),
                         "seq 4 missing");
        ck_assert_uint_eq(sum.records, 5);
        seen_free(&s);
}
END_TEST

START_TEST(test_reordered_pair_is_counted_not_broken) {
        _cleanup_json_ json_t *a = host1_chain(6);
        static const size_t idx[] = { 0, 1, 3, 2, 4, 5 };
        _cleanup_free_ char *text = ndjson(a, idx, ELEMENTSOF(idx));
        struct verify_summary sum;
        struct seen s;

        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(json_array_size(s.problems), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.out_of_order, 1);
        seen_free(&s);
}
END_TEST

START_TEST(test_swapped_pair_with_edited_seqs) {
        _cleanup_json_ json_t *a = host1_chain(6);
        static const size_t idx[] = { 0, 1, 3, 2, 4, 5 };
        _cleanup_free_ char *text = NULL;
        struct verify_summary sum;
        struct seen s;

        /* records 3 and 4 change places and their seqs are edited to match */
        json_object_set_new(json_array_get(a, 2), "seq", json_integer(4));
        json_object_set_new(json_array_get(a, 3), "seq", json_integer(3));
        text = ndjson(a, idx, ELEMENTSOF(idx));
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(sum.by_kind[VERIFY_BAD_HASH], 2);
        ck_assert_uint_ge(sum.by_kind[VERIFY_CHAIN_BREAK], 2);
        assert_problem(&s, 0, "bad hash", 3);
        assert_problem(&s, 1, "bad hash", 4);
        seen_free(&s);
}
END_TEST

START_TEST(test_foreign_key_and_forged_key_id) {
        _cleanup_json_ json_t *a = host1_chain(3);
        _cleanup_free_ char *text = NULL, *text2 = NULL;
        char prev[65];
        struct verify_summary sum;
        struct seen s;
        json_t *r4;
        uint8_t md[32];
        char hex[65], sig[EVIDENCE_SIG_B64_LEN + 1];

        /* seq 4 signed by key B, which the auditor was not given */
        snprintf(prev, sizeof(prev), "%s", json_string_value(json_object_get(json_array_get(a, 2), "hash")));
        chain(a, &host1, key_b, 4, 4, prev);
        chain(a, &host1, key_a, 5, 5, prev);
        text = ndjson(a, NULL, 0);
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "unknown key", 4);
        seen_free(&s);

        /* ... signed by B but claiming to be A's */
        r4 = json_array_get(a, 3);
        json_object_set_new(r4, "key_id", json_string(evidence_key_id(key_a)));
        ck_assert_int_eq(evidence_hash(r4, md), 0);
        evidence_hex(md, 32, hex);
        ck_assert_int_eq(evidence_key_sign(key_b, md, sig), 0);
        json_object_set_new(r4, "hash", json_string(hex));
        json_object_set_new(r4, "sig", json_string(sig));
        text2 = ndjson(a, NULL, 0);
        verify_text(text2, true, &s, &sum);
        ck_assert(!sum.intact);
        assert_problem(&s, 0, "bad signature", 4);
        seen_free(&s);
}
END_TEST

START_TEST(test_key_rotation) {
        json_t *a = json_array();
        char prev[65] = EVIDENCE_ZERO_HASH;
        _cleanup_free_ char *text = NULL;
        struct verify_summary sum;
        struct seen s;

        chain(a, &host1, key_a, 1, 3, prev);
        chain(a, &host1, key_b, 4, 6, prev);
        text = ndjson(a, NULL, 0);
        verify_text(text, true, &s, &sum);
        ck_assert_uint_eq(json_array_size(s.problems), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.records, 6);
        seen_free(&s);
        /* without the new key, its three records are unknown */
        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(sum.by_kind[VERIFY_UNKNOWN_KEY], 3);
        seen_free(&s);
        json_decref(a);
}
END_TEST

START_TEST(test_duplicates_ignored_and_counted) {
        _cleanup_json_ json_t *a = host1_chain(5);
        /* a batch resent after a lost acknowledgement */
        static const size_t idx[] = { 0, 1, 2, 1, 2, 3, 4, 4 };
        _cleanup_free_ char *text = ndjson(a, idx, ELEMENTSOF(idx));
        struct verify_summary sum;
        struct seen s;

        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(json_array_size(s.problems), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.records, 5);
        ck_assert_uint_eq(sum.duplicates, 3);
        ck_assert_uint_eq(sum.out_of_order, 0);
        seen_free(&s);
}
END_TEST

START_TEST(test_conflicting_records_for_one_seq) {
        _cleanup_json_ json_t *a = host1_chain(3);
        char prev[65];
        _cleanup_free_ char *text = NULL;
        struct verify_summary sum;
        struct seen s;

        /* a second, validly signed seq 3 (a state directory restored from a backup) */
        snprintf(prev, sizeof(prev), "%s", json_string_value(json_object_get(json_array_get(a, 1), "hash")));
        json_array_append_new(a, record(&host1, EVIDENCE_HEARTBEAT, evidence_heartbeat_body(1), 3, prev));
        text = ndjson(a, NULL, 0);
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "conflict", 3);
        seen_free(&s);
}
END_TEST

START_TEST(test_declared_drop_is_not_a_gap) {
        json_t *a = json_array();
        char prev[65] = EVIDENCE_ZERO_HASH;
        struct spool_dropped d = { 3, 5, 3 };
        _cleanup_free_ char *text = NULL;
        static const size_t idx[] = { 0, 1, 5, 6 };
        struct verify_summary sum;
        struct seen s;

        chain(a, &host1, key_a, 1, 5, prev);
        json_array_append_new(a, record(&host1, EVIDENCE_DROPPED, evidence_dropped_body(&d, NULL), 6, prev));
        chain(a, &host1, key_a, 7, 7, prev);
        /* the collector got 1, 2, then the spool evicted 3..5 before delivery */
        text = ndjson(a, idx, ELEMENTSOF(idx));
        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(json_array_size(s.problems), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.dropped_ranges, 1);
        ck_assert_uint_eq(sum.dropped_records, 3);
        ck_assert_uint_eq(json_array_size(s.dropped), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.dropped, 0), "first")), 3);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.dropped, 0), "last")), 5);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.dropped, 0), "by")), 6);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.dropped, 0), "reason")), "spool_full");
        seen_free(&s);
        free(text);

        /* 2 is missing too, and nothing declares it */
        static const size_t idx2[] = { 0, 5, 6, 5 };
        text = ndjson(a, idx2, ELEMENTSOF(idx2));
        verify_text(text, false, &s, &sum);
        ck_assert(!sum.intact);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "gap", 2);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(s.problems, 0), "last")), 2);
        ck_assert_uint_eq(sum.dropped_ranges, 1); /* reported once although received twice */
        ck_assert_uint_eq(sum.duplicates, 1);
        seen_free(&s);
        json_decref(a);
}
END_TEST

START_TEST(test_two_hosts_interleaved) {
        json_t *a = json_array(), *b = json_array();
        char p1[65] = EVIDENCE_ZERO_HASH, p2[65] = EVIDENCE_ZERO_HASH;
        _cleanup_free_ char *text = strdup("");
        struct verify_summary sum;
        struct seen s;

        chain(a, &host1, key_a, 1, 4, p1);
        chain(b, &host2, key_b, 1, 4, p2);
        for (size_t i = 0; i < 4; i++) {
                if (i == 2)
                        continue; /* host2's seq 3 is lost */
                _cleanup_free_ char *l1 = line_of(json_array_get(a, i)), *l2 = line_of(json_array_get(b, i));
                char *t = strdup_printf("%s%s\n%s\n", text, l2, l1);

                free(text);
                text = t;
        }
        {
                _cleanup_free_ char *l = line_of(json_array_get(a, 2));
                char *t = strdup_printf("%s%s\n", text, l);

                free(text);
                text = t;
        }
        verify_text(text, true, &s, &sum);
        ck_assert_uint_eq(sum.hosts, 2);
        ck_assert_uint_eq(sum.records, 7);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "gap", 3);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "host")), host2.id);
        ck_assert_uint_eq(sum.out_of_order, 1); /* host1's seq 3 came last */
        seen_free(&s);
        json_decref(a);
        json_decref(b);
}
END_TEST

START_TEST(test_garbage_and_bad_starts) {
        _cleanup_json_ json_t *a = host1_chain(2);
        _cleanup_free_ char *l1 = line_of(json_array_get(a, 0)), *l2 = line_of(json_array_get(a, 1));
        _cleanup_free_ char *text = strdup_printf("not json\n\n[1,2]\n{\"schema\":\"other\"}\n%s\r\n%s", l1, l2);
        char prev[65] = "1111111111111111111111111111111111111111111111111111111111111111";
        _cleanup_json_ json_t *bad1 = record(&host1, EVIDENCE_AGENT_START, evidence_start_body(1, "c", NULL), 1, prev);
        _cleanup_free_ char *lb = line_of(bad1);
        struct verify_summary sum;
        struct seen s;

        verify_text(text, false, &s, &sum);
        ck_assert_uint_eq(sum.by_kind[VERIFY_MALFORMED], 3);
        ck_assert_uint_eq(json_array_size(s.problems), 3);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "where")), "line 1");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 1), "where")), "line 3");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 2), "where")), "line 4");
        ck_assert_uint_eq(sum.records, 2);
        ck_assert(!sum.intact);
        seen_free(&s);

        /* seq 1 whose prev_hash is not 64 zeros */
        verify_text(lb, false, &s, &sum);
        assert_problem(&s, 0, "bad chain start", 1);
        seen_free(&s);

        /* nothing at all */
        verify_text("\n\n", false, &s, &sum);
        ck_assert(!sum.intact);
        assert_problem(&s, 0, "no records", 0);
        seen_free(&s);
}
END_TEST

START_TEST(test_fd_long_line_and_no_trailing_newline) {
        _cleanup_json_ json_t *a = host1_chain(3);
        _cleanup_free_ char *path = strdup_printf("%s/stream.ndjson", tmpdir), *l1 = line_of(json_array_get(a, 0));
        _cleanup_free_ char *l2 = line_of(json_array_get(a, 1)), *l3 = line_of(json_array_get(a, 2));
        _cleanup_free_ char *junk = malloc(VERIFY_LINE_MAX + 10);
        const struct verify_callbacks cb = { on_problem, on_dropped };
        struct verifier *v = NULL;
        struct verify_summary sum;
        struct seen s = { json_array(), json_array() };
        FILE *f = fopen(path, "w");
        int fd;

        memset(junk, 'x', VERIFY_LINE_MAX + 9);
        junk[VERIFY_LINE_MAX + 9] = 0;
        fprintf(f, "%s\n%s\n%s\n%s", l1, junk, l2, l3);
        fclose(f);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_eq(verifier_new(&cb, &s, &v), 0);
        ck_assert_int_eq(verifier_add_key(v, key_a), 0);
        ck_assert_int_eq(verifier_feed_fd(v, fd), 0);
        close(fd);
        ck_assert_int_eq(verifier_finish(v, &sum), 0);
        ck_assert_uint_eq(json_array_size(s.problems), 1);
        assert_problem(&s, 0, "malformed", 0);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s.problems, 0), "where")), "line 2");
        ck_assert_uint_eq(sum.records, 3);
        ck_assert_uint_eq(verifier_n_hosts(v), 1);
        ck_assert_str_eq(verifier_host(v, 0)->hostname, "web-1");
        ck_assert_uint_eq(verifier_host(v, 0)->first_seq, 1);
        ck_assert_uint_eq(verifier_host(v, 0)->last_seq, 3);
        verifier_free(v);
        seen_free(&s);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("verify");
        TCase *tc = tcase_create("verify");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_intact_stream);
        tcase_add_test(tc, test_edited_field);
        tcase_add_test(tc, test_edited_field_with_recomputed_hash);
        tcase_add_test(tc, test_removed_record);
        tcase_add_test(tc, test_reordered_pair_is_counted_not_broken);
        tcase_add_test(tc, test_swapped_pair_with_edited_seqs);
        tcase_add_test(tc, test_foreign_key_and_forged_key_id);
        tcase_add_test(tc, test_key_rotation);
        tcase_add_test(tc, test_duplicates_ignored_and_counted);
        tcase_add_test(tc, test_conflicting_records_for_one_seq);
        tcase_add_test(tc, test_declared_drop_is_not_a_gap);
        tcase_add_test(tc, test_two_hosts_interleaved);
        tcase_add_test(tc, test_garbage_and_bad_starts);
        tcase_add_test(tc, test_fd_long_line_and_no_trailing_newline);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
