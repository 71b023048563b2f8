/* SPDX-License-Identifier: MIT */
/* Evidence records: the canonical form (against Python's json.dumps as an
 * oracle), record fields and chain through the real spool, signatures
 * (against `openssl pkeyutl -verify -rawin`), key files and their modes,
 * result and lifecycle bodies. */
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/evp.h>

#include "evidence.h"
#include "testutil.h"
#include "util.h"
#include "verify.h"

static char tmpdir[64];

static void setup(void) {
        strcpy(tmpdir, "/tmp/complyd-evidence-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        ck_assert_int_eq(system(cmd), 0);
}

/* Runs a shell command; returns its exit status. */
static int sh(const char *fmt, ...) _printf_(1, 2);
static int sh(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int st;

        va_start(ap, fmt);
        ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
        va_end(ap);
        st = system(cmd);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "wb");

        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
}

static char *canonical(const json_t *v) {
        char *text = NULL;
        size_t len;

        ck_assert_int_eq(evidence_canonical(v, &text, &len), 0);
        ck_assert_uint_eq(strlen(text), len);
        return text;
}

/* What Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) makes of v without "hash" and "sig" (v is handed to
 * Python as jansson writes it, reals with 17 digits). */
static char *python_canonical(const json_t *v) {
        _cleanup_free_ char *in = strdup_printf("%s/in.json", tmpdir), *out = NULL, *text = NULL;
        size_t len;

        text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(17));
        ck_assert_ptr_nonnull(text);
        write_file(in, text, strlen(text));
        ck_assert_int_eq(sh("python3 -c 'import json,sys\n"
                            "r = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
                            "r.pop(\"hash\", None); r.pop(\"sig\", None)\n"
                            "sys.stdout.buffer.write(json.dumps(r, sort_keys=True, separators=(\",\", \":\"),"
                            " ensure_ascii=False).encode())' %s > %s/out.json",
                            in, tmpdir),
                         0);
        free(in);
        in = strdup_printf("%s/out.json", tmpdir);
        ck_assert_int_eq(read_full_file(in, 1 << 20, &out, &len), 0);
        return TAKE_PTR(out);
}

START_TEST(test_canonical_sorted_compact_escaped) {
        _cleanup_json_ json_t *v = json_pack("{s:i,s:[b,n,s],s:{},s:f,s:s,s:{s:i,s:i}}", "b", 1, "a", 1,
                                             "x\"\\\n\x01\x7f\xc3\xa9/", "\xc3\xa4", "Z", 0.1, "hash",
                                             "h", "n", "B", 2, "A", -3);
        _cleanup_free_ char *c = NULL;

        ck_assert_ptr_nonnull(v);
        c = canonical(v);
        /* "hash" is left out; keys by bytes: Z < a < b < n < U+00E4 */
        ck_assert_str_eq(c, "{\"Z\":0.1,\"a\":[true,null,\"x\\\"\\\\\\n\\u0001\x7f\xc3\xa9/\"],\"b\":1,"
                            "\"n\":{\"A\":-3,\"B\":2},\"\xc3\xa4\":{}}");
}
END_TEST

START_TEST(test_canonical_reals_like_python_repr) {
        static const struct {
                double d;
                const char *text;
        } cases[] = {
                { 0.1, "0.1" },       { 1.0, "1.0" },         { -2.5, "-2.5" },
                { 0.0, "0.0" },       { -0.0, "-0.0" },       { 1e16, "1e+16" },
                { 1e15, "1000000000000000.0" },               { 1e-5, "1e-05" },
                { 0.0001, "0.0001" }, { 1.5e300, "1.5e+300" }, { 5e-324, "5e-324" },
                { 123456.789, "123456.789" }, { 1.2345678901234568e+17, "1.2345678901234568e+17" },
                { 2.0 / 3.0, "0.6666666666666666" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_t *v = json_real(cases[i].d);
                _cleanup_free_ char *text = NULL;

                ck_assert_int_eq(evidence_serialize(v, true, &text, NULL), 0);
                ck_assert_msg(streq(text, cases[i].text), "%.17g: got %s, want %s", cases[i].d, text,
                              cases[i].text);
        }
}
END_TEST

/* A record-shaped object with every kind of value: nothing Python would
 * write differently. */
static json_t *tricky_record(bool with_reals) {
        json_t *r = json_pack("{s:s,s:I,s:{s:s,s:s},s:[s,s,s],s:{s:s,s:[i,i,b,n],s:{}},s:s,s:s}", "schema",
                              EVIDENCE_SCHEMA, "seq", (json_int_t) 9007199254740993LL, "host", "id",
                              "abc", "hostname", "h\xc3\xb6st", "criteria", "soc2:CC6.1", "\xe2\x82\xac",
                              "\xf0\x9f\x94\x92", "observation", "ctl", "\x01\x02\x1f\t\b\f\r\n",
                              "list", 0, -1, 0, "empty", "\xd0\xaf", "\xe6\x97\xa5\xe6\x9c\xac",
                              "hash", "ignored");
        json_object_set_new(r, "sig", json_string("ignored"));
        json_object_set_new(r, "nul", json_stringn("a\0b", 3));
        json_object_set_new(r, "z\xc3\xa9", json_string("quote \" and \\ and / and \x7f"));
        if (with_reals) {
                json_t *a = json_array();

                for (double d = 1e-7; d < 1e20; d *= 13.7)
                        json_array_append_new(a, json_real(d));
                json_array_append_new(a, json_real(-0.30000000000000004));
                json_object_set_new(r, "reals", a);
        }
        return r;
}

START_TEST(test_canonical_equals_python_json_dumps) {
        for (int reals = 0; reals <= 1; reals++) {
                _cleanup_json_ json_t *r = tricky_record(reals);
                _cleanup_free_ char *c = canonical(r), *py = python_canonical(r);

                ck_assert_str_eq(c, py);
                ck_assert_ptr_null(strstr(c, "\"hash\""));
        }
}
END_TEST

START_TEST(test_canonical_limits) {
        json_t *deep = json_array(), *inner = deep;
        _cleanup_free_ char *text = NULL;

        for (int i = 0; i < EVIDENCE_MAX_DEPTH + 5; i++) {
                json_t *a = json_array();

                json_array_append_new(inner, a);
                inner = a;
        }
        ck_assert_int_eq(evidence_serialize(deep, true, &text, NULL), -ELOOP);
        ck_assert_ptr_null(text);
        json_decref(deep);
        deep = json_integer(1);
        ck_assert_int_eq(evidence_canonical(deep, &text, NULL), -EINVAL);
        json_decref(deep);
}
END_TEST

START_TEST(test_key_files_and_modes) {
        _cleanup_free_ char *key = strdup_printf("%s/state/key", tmpdir);
        _cleanup_free_ char *pub = strdup_printf("%s/state/key.pub", tmpdir);
        _cleanup_free_ char *state = strdup_printf("%s/state", tmpdir), *pem = NULL;
        struct evidence_key *k = NULL, *k2 = NULL, *p = NULL;
        char id[65];
        struct stat st;
        size_t len;

        ck_assert_int_eq(evidence_key_load_or_create(state, &k), 0);
        ck_assert_int_eq(stat(key, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        ck_assert_int_eq(stat(pub, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0644);
        ck_assert_int_eq(read_full_file(key, 65536, &pem, &len), 0);
        ck_assert(startswith(pem, "-----BEGIN PRIVATE KEY-----\n"));
        free(pem);
        ck_assert_int_eq(read_full_file(pub, 65536, &pem, &len), 0);
        ck_assert(startswith(pem, "-----BEGIN PUBLIC KEY-----\n"));
        ck_assert_uint_eq(strlen(evidence_key_id(k)), 64);
        snprintf(id, sizeof(id), "%s", evidence_key_id(k));

        /* key_id = SHA-256 of the raw 32-byte key: openssl as the oracle */
        ck_assert_int_eq(sh("test \"$(openssl pkey -pubin -in %s -outform DER | tail -c 32 | sha256sum"
                            " | cut -c1-64)\" = %s",
                            pub, id),
                         0);

        /* second start: the same key; key.pub comes back when removed */
        ck_assert_int_eq(unlink(pub), 0);
        ck_assert_int_eq(evidence_key_load_or_create(state, &k2), 0);
        ck_assert_str_eq(evidence_key_id(k2), id);
        ck_assert_int_eq(access(pub, R_OK), 0);
        ck_assert_int_eq(evidence_key_load_public(pub, &p), 0);
        ck_assert_str_eq(evidence_key_id(p), id);

        /* a private key others can read is refused */
        evidence_key_free(k2);
        k2 = NULL;
        ck_assert_int_eq(chmod(key, 0644), 0);
        ck_assert_int_eq(evidence_key_load_or_create(state, &k2), -EPERM);
        ck_assert_ptr_null(k2);
        /* a public key alone cannot sign */
        {
                uint8_t md[32] = { 1 };
                char sig[EVIDENCE_SIG_B64_LEN + 1];

                ck_assert_int_eq(evidence_key_sign(p, md, sig), -ENOKEY);
        }
        /* not a key */
        write_file(pub, "hello\n", 6);
        ck_assert_int_eq(evidence_key_load_public(pub, &k2), -EINVAL);
        evidence_key_free(k);
        evidence_key_free(p);
}
END_TEST

static const struct evidence_host test_host = { "4f1cb2e0a3d94c1f8e2b7a6d5c4b3a21", "web-1",
                                                "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64",
                                                "0b9e3e2f-1c4d-4e5f-9a8b-7c6d5e4f3a2b" };

static json_t *sample_result(void) {
        json_error_t err;
        json_t *r = json_loads(
                "{\"id\":\"ssh-mfa-enforced\",\"title\":\"SSH logins require a second factor\","
                "\"probe\":\"mfa\",\"severity\":\"high\",\"criteria\":[\"soc2:CC6.1\",\"soc2:CC6.6\"],"
                "\"status\":\"fail\",\"failures\":[{\"path\":\"ssh.second_factor_enforced\","
                "\"op\":\"equals\",\"expected\":true,\"actual\":false},{\"path\":\"listeners[3].port\","
                "\"op\":\"in\",\"expected\":[22],\"actual\":8080,\"subject\":\"tcp 0.0.0.0:8080 (nginx)\"}],"
                "\"summary\":\"SSH logins do not require a second factor\"}",
                0, &err);

        ck_assert_msg(r != NULL, "%s", err.text);
        return r;
}

/* The hash bytes and raw signature of a record, as files for openssl. */
static void write_hash_and_sig(const json_t *rec, const char *hash_path, const char *sig_path) {
        uint8_t md[32], sig[66];

        ck_assert_int_eq(evidence_unhex(json_string_value(json_object_get(rec, "hash")), md, 32), 0);
        ck_assert_int_eq(EVP_DecodeBlock(sig, (const unsigned char *) json_string_value(
                                                      json_object_get(rec, "sig")),
                                         EVIDENCE_SIG_B64_LEN),
                         66);
        write_file(hash_path, md, 32);
        write_file(sig_path, sig, 64);
}

START_TEST(test_result_record_fields_and_signature) {
        _cleanup_free_ char *state = strdup_printf("%s/state", tmpdir);
        _cleanup_json_ json_t *result = sample_result(), *obs = json_pack("{s:{s:b}}", "ssh",
                                                                        "second_factor_enforced", 0);
        _cleanup_json_ json_t *rec = NULL;
        struct evidence_probe_info pi = { "mfa", "1.2.0", 37 };
        struct evidence_writer *w = NULL;
        struct evidence_key *k = NULL;
        uint8_t md[32];
        char hex[65];
        regex_t re;
        json_t *body;

        ck_assert_int_eq(evidence_key_load_or_create(state, &k), 0);
        ck_assert_int_eq(evidence_writer_new(NULL, k, &test_host, "c0ffee", &w), 0);
        body = evidence_result_body(result, obs, &pi, "pass", true);
        ck_assert_ptr_nonnull(body);
        /* 2025-03-04T05:06:07.089Z */
        ck_assert_int_eq(evidence_record_new(w, EVIDENCE_RESULT, body, 1, EVIDENCE_ZERO_HASH,
                                             1741064767089123ULL, &rec),
                         0);

        ck_assert_str_eq(json_string_value(json_object_get(rec, "schema")), EVIDENCE_SCHEMA);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "type")), "result");
        ck_assert_int_eq(json_integer_value(json_object_get(rec, "seq")), 1);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "time")), "2025-03-04T05:06:07.089Z");
        ck_assert_int_eq(regcomp(&re, "^01955f8c-0671-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                                 REG_EXTENDED | REG_NOSUB),
                         0);
        ck_assert_int_eq(regexec(&re, json_string_value(json_object_get(rec, "id")), 0, NULL, 0), 0);
        regfree(&re);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "host"), "id")), test_host.id);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "host"), "boot_id")),
                         test_host.boot_id);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "agent"), "config_hash")), "c0ffee");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "control"), "id")),
                         "ssh-mfa-enforced");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "control"), "severity")), "high");
        ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(rec, "control"), "criteria")), 2);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "status")), "fail");
        ck_assert_str_eq(json_string_value(json_object_get(rec, "previous_status")), "pass");
        ck_assert(json_is_true(json_object_get(rec, "drift")));
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(rec, "failures"), 1),
                                                           "subject")),
                         "tcp 0.0.0.0:8080 (nginx)");
        ck_assert(json_equal(json_object_get(rec, "observation"), obs));
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rec, "probe"), "duration_ms")), 37);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "probe"), "version")), "1.2.0");
        ck_assert_str_eq(json_string_value(json_object_get(rec, "prev_hash")), EVIDENCE_ZERO_HASH);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "key_id")), evidence_key_id(k));
        ck_assert_ptr_null(json_object_get(rec, "waiver"));

        /* hash = SHA-256 of the canonical bytes */
        ck_assert_int_eq(evidence_hash(rec, md), 0);
        evidence_hex(md, 32, hex);
        ck_assert_str_eq(json_string_value(json_object_get(rec, "hash")), hex);

        /* openssl verifies the signature over the 32 raw hash bytes ... */
        _cleanup_free_ char *hp = strdup_printf("%s/h.bin", tmpdir), *sp = strdup_printf("%s/s.bin", tmpdir);
        write_hash_and_sig(rec, hp, sp);
        ck_assert_int_eq(sh("openssl pkeyutl -verify -pubin -inkey %s/key.pub -rawin -in %s -sigfile %s"
                            " >/dev/null 2>&1",
                            state, hp, sp),
                         0);
        /* ... and rejects it over other bytes */
        md[0] ^= 1;
        write_file(hp, md, 32);
        ck_assert_int_ne(sh("openssl pkeyutl -verify -pubin -inkey %s/key.pub -rawin -in %s -sigfile %s"
                            " >/dev/null 2>&1",
                            state, hp, sp),
                         0);
        evidence_writer_free(w);
        evidence_key_free(k);
}
END_TEST

START_TEST(test_waiver_error_and_capped_observation) {
        _cleanup_json_ json_t *result = sample_result(), *big = json_object(), *body = NULL;
        struct evidence_probe_info pi = { "open_ports", "1.0.0", 5 };
        _cleanup_free_ char *filler = malloc(EVIDENCE_OBSERVATION_MAX + 100);
        json_t *obs;

        json_object_set_new(result, "status", json_string("waived"));
        json_object_set_new(result, "waived_status", json_string("fail"));
        json_object_set_new(result, "waiver", json_pack("{s:s,s:s,s:b}", "reason", "migration",
                                                        "expires", "2025-12-31", "expired", 0));
        memset(filler, 'x', EVIDENCE_OBSERVATION_MAX + 99);
        filler[EVIDENCE_OBSERVATION_MAX + 99] = 0;
        json_object_set_new(big, "blob", json_string(filler));
        body = evidence_result_body(result, big, &pi, NULL, false);
        ck_assert_ptr_nonnull(body);
        ck_assert_str_eq(json_string_value(json_object_get(body, "status")), "waived");
        ck_assert_str_eq(json_string_value(json_object_get(body, "waived_status")), "fail");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(body, "waiver"), "reason")), "migration");
        ck_assert(json_is_null(json_object_get(body, "previous_status")));
        ck_assert(json_is_false(json_object_get(body, "drift")));
        obs = json_object_get(body, "observation");
        ck_assert(json_is_true(json_object_get(obs, "truncated")));
        ck_assert_int_eq(json_integer_value(json_object_get(obs, "size")), EVIDENCE_OBSERVATION_MAX + 99 + 11);
        ck_assert_uint_eq(strlen(json_string_value(json_object_get(obs, "head"))), EVIDENCE_OBSERVATION_MAX);
        ck_assert(startswith(json_string_value(json_object_get(obs, "head")), "{\"blob\":\"xxx"));
        ck_assert_uint_eq(strlen(json_string_value(json_object_get(obs, "sha256"))), 64);
        json_decref(body);

        /* error result, no observation */
        json_decref(result);
        result = sample_result();
        json_object_set_new(result, "status", json_string("error"));
        json_object_set_new(result, "error", json_string("probe timed out after 30s"));
        json_object_set_new(result, "failures", json_array());
        body = evidence_result_body(result, NULL, &pi, "fail", true);
        ck_assert_str_eq(json_string_value(json_object_get(body, "error")), "probe timed out after 30s");
        ck_assert(json_is_null(json_object_get(body, "observation")));
}
END_TEST

START_TEST(test_lifecycle_bodies) {
        struct spool_recovery rec = { .records = 10, .torn_bytes = 17, .corrupt_records = 1,
                                      .corrupt_first_seq = 4, .corrupt_last_seq = 4 };
        struct spool_dropped d = { 5, 9, 5 };
        _cleanup_json_ json_t *s = evidence_start_body(1234, "abc", &rec), *dr = evidence_dropped_body(&d, NULL);
        _cleanup_json_ json_t *c = evidence_config_changed_body("old", "new"), *st = evidence_stop_body("SIGTERM");
        _cleanup_json_ json_t *hb = evidence_heartbeat_body(3600), *s2 = evidence_start_body(1, "x", NULL);

        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(s, "details"), "pid")), 1234);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(s, "details"), "version")), COMPLYD_VERSION);
        ck_assert_int_eq(json_integer_value(json_object_get(
                                 json_object_get(json_object_get(s, "details"), "spool"), "torn_bytes")),
                         17);
        ck_assert_ptr_null(json_object_get(json_object_get(s2, "details"), "spool"));
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(dr, "details"), "first_seq")), 5);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(dr, "details"), "last_seq")), 9);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(dr, "details"), "count")), 5);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(dr, "details"), "reason")), "spool_full");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "details"), "new_config_hash")), "new");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(st, "details"), "reason")), "SIGTERM");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(hb, "details"), "uptime_s")), 3600);
}
END_TEST

static int collect_text(const struct spool_record *r, void *userdata) {
        json_t *a = userdata;
        json_error_t err;
        json_t *rec = json_loadb(r->text, r->len, 0, &err);

        ck_assert_msg(rec != NULL, "%s", err.text);
        ck_assert_int_eq(json_integer_value(json_object_get(rec, "seq")), (json_int_t) r->seq);
        json_array_append_new(a, rec);
        return 0;
}

START_TEST(test_chain_through_the_spool) {
        _cleanup_free_ char *state = strdup_printf("%s/state", tmpdir), *spool_dir = NULL;
        _cleanup_json_ json_t *all = json_array();
        _cleanup_json_ json_t *result = sample_result();
        struct spool_options opt = { .sync = SPOOL_SYNC_ALWAYS };
        struct spool_dropped dropped;
        struct evidence_writer *w = NULL;
        struct evidence_key *k = NULL;
        struct spool *sp = NULL;
        struct verifier *v = NULL;
        struct verify_summary sum;

        ck_assert_int_eq(evidence_key_load_or_create(state, &k), 0);
        ck_assert_int_eq(spool_open(state, &opt, &sp, NULL), 0);
        ck_assert_int_eq(evidence_writer_new(sp, k, &test_host, "h1", &w), 0);
        ck_assert_int_eq(evidence_append(w, EVIDENCE_AGENT_START, evidence_start_body(getpid(), "h1", NULL), &dropped), 1);
        ck_assert_int_eq(evidence_append(w, EVIDENCE_RESULT, evidence_result_body(result, NULL, NULL, NULL, true), &dropped), 2);
        ck_assert_int_eq(evidence_writer_set_config_hash(w, "h2"), 0);
        ck_assert_int_eq(evidence_append(w, EVIDENCE_CONFIG_CHANGED, evidence_config_changed_body("h1", "h2"), &dropped), 3);
        ck_assert_int_eq(evidence_append(w, "no.such.type", json_object(), &dropped), -EINVAL);
        ck_assert_int_eq(evidence_append(w, EVIDENCE_AGENT_STOP, evidence_stop_body("SIGTERM"), &dropped), 4);
        evidence_writer_free(w);
        spool_close(sp);

        spool_dir = strdup_printf("%s/spool", state);
        ck_assert_int_eq(spool_read_dir(spool_dir, collect_text, all), 4);
        ck_assert_uint_eq(json_array_size(all), 4);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 0), "prev_hash")), EVIDENCE_ZERO_HASH);
        for (size_t i = 1; i < 4; i++)
                ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, i), "prev_hash")),
                                 json_string_value(json_object_get(json_array_get(all, i - 1), "hash")));
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(all, 3), "agent"),
                                                           "config_hash")),
                         "h2");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(all, 1), "status")), "fail");

        /* a restart continues the chain */
        ck_assert_int_eq(spool_open(state, &opt, &sp, NULL), 0);
        ck_assert_int_eq(spool_next_seq(sp), 5);
        ck_assert_str_eq(spool_last_hash(sp), json_string_value(json_object_get(json_array_get(all, 3), "hash")));
        spool_close(sp);

        ck_assert_int_eq(verifier_new(NULL, NULL, &v), 0);
        ck_assert_int_eq(verifier_add_key(v, k), 0);
        ck_assert_int_eq(verifier_feed_spool(v, spool_dir), 0);
        ck_assert_int_eq(verifier_finish(v, &sum), 0);
        ck_assert(sum.intact);
        ck_assert_uint_eq(sum.records, 4);
        verifier_free(v);
        evidence_key_free(k);
}
END_TEST

START_TEST(test_uuid7_and_time) {
        char a[37], b[37], t[25];

        ck_assert_int_eq(evidence_uuid7(1741064767089123ULL, a), 0);
        ck_assert_int_eq(evidence_uuid7(1741064767089123ULL, b), 0);
        ck_assert_str_ne(a, b);
        ck_assert(startswith(a, "01955f8c-0671-7")); /* 1741064767089 ms = 0x01955f8c0671 */
        ck_assert_str_eq(evidence_format_time(0, t), "1970-01-01T00:00:00.000Z");
        ck_assert_str_eq(evidence_format_time(951782400999999ULL, t), "2000-02-29T00:00:00.999Z");
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("evidence");
        TCase *tc = tcase_create("evidence");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_canonical_sorted_compact_escaped);
        tcase_add_test(tc, test_canonical_reals_like_python_repr);
        tcase_add_test(tc, test_canonical_equals_python_json_dumps);
        tcase_add_test(tc, test_canonical_limits);
        tcase_add_test(tc, test_key_files_and_modes);
        tcase_add_test(tc, test_result_record_fields_and_signature);
        tcase_add_test(tc, test_waiver_error_and_capped_observation);
        tcase_add_test(tc, test_lifecycle_bodies);
        tcase_add_test(tc, test_chain_through_the_spool);
        tcase_add_test(tc, test_uuid7_and_time);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
