/* SPDX-License-Identifier: MIT */
/* tls_certificates: the probe on fixture roots holding certificates made
 * with the openssl command (tests/fixtures/hosts/tls-make-fixtures.sh, fixed
 * dates), and the parser on bundles, DER, key-only files and garbage. */
#include <time.h>

#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/tls_certificates/tls_certificates.h"

extern const struct complyd_probe complyd_probe_tls_certificates;

#define MIXED FIXTURE("hosts/tls-mixed")

/* Runs the probe on root with params (JSON text or NULL); returns the output. */
static json_t *observe(const char *root, const char *params_json) {
        json_t *params, *conf = params_json ? json_loads(params_json, 0, NULL) : NULL, *out = NULL;
        struct complyd_probe_ctx *ctx;
        char err[256];

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_tls_certificates, conf, &params, err,
                                              sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_tls_certificates.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        json_decref(conf);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")),
                         "complyd.tls_certificates.v1");
        return out;
}

/* The certificate of file (host path) at index in the bundle, or NULL. */
static json_t *cert(json_t *out, const char *file, int index) {
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(out, "certificates"), i, c)
                if (streq(json_string_value(json_object_get(c, "file")), file) &&
                    json_integer_value(json_object_get(c, "index")) == index)
                        return c;
        return NULL;
}

static const char *str(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key) {
        ck_assert_msg(json_is_integer(json_object_get(o, key)), "%s is not an integer", key);
        return json_integer_value(json_object_get(o, key));
}

static bool flag(json_t *o, const char *key) {
        ck_assert_msg(json_is_boolean(json_object_get(o, key)), "%s is not a boolean", key);
        return json_is_true(json_object_get(o, key));
}

/* The JSON array o[key] as "a,b,c". */
static const char *joined(json_t *arr) {
        static char buf[512];
        size_t i, off = 0;
        json_t *v;

        buf[0] = '\0';
        json_array_foreach(arr, i, v)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "",
                                         json_string_value(v));
        return buf;
}

START_TEST(mixed_files_found) {
        json_t *out = observe(MIXED, NULL);
        json_t *files = json_object_get(out, "files");

        /* README.txt in /etc/nginx/ssl is not *.pem or *.crt: not read */
        ck_assert_int_eq(num(out, "file_count"), 7);
        ck_assert_int_eq(json_array_size(files), 7);
        ck_assert_int_eq(num(out, "certificate_count"), 8);
        ck_assert(!flag(out, "truncated"));
        ck_assert_str_eq(str(json_array_get(files, 0), "path"), "/etc/ssl/certs/ssl-cert-snakeoil.pem");
        /* the letsencrypt symlink (relative, ../../archive) is followed inside the root */
        ck_assert_str_eq(str(json_array_get(files, 1), "path"),
                         "/etc/letsencrypt/live/example.org/cert.pem");
        ck_assert_str_eq(str(cert(out, "/etc/letsencrypt/live/example.org/cert.pem", 0), "subject"),
                         "CN = example.org");
        json_decref(out);
}
END_TEST

START_TEST(mixed_expired_certificate) {
        json_t *out = observe(MIXED, NULL);
        json_t *c = cert(out, "/etc/nginx/ssl/expired.crt", 0), *san;

        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(str(c, "subject"), "CN = old.example.com, O = \"Acme, Inc.\", C = US");
        ck_assert_str_eq(str(c, "subject_cn"), "old.example.com");
        ck_assert_str_eq(str(c, "not_before"), "2020-01-01T00:00:00Z");
        ck_assert_str_eq(str(c, "not_after"), "2021-01-01T00:00:00Z");
        ck_assert(flag(c, "expired"));
        ck_assert(!flag(c, "not_yet_valid"));
        /* 1609459200 = 2021-01-01T00:00:00Z; days_left uses the real clock */
        ck_assert_int_le(num(c, "days_left"), (1609459200 - time(NULL)) / 86400);
        ck_assert_int_ge(num(c, "days_left"), (1609459200 - time(NULL)) / 86400 - 1);
        san = json_object_get(c, "san");
        ck_assert_str_eq(joined(json_object_get(san, "dns")), "old.example.com,www.old.example.com");
        ck_assert_str_eq(joined(json_object_get(san, "ip")), "192.0.2.10,2001:db8::10");
        ck_assert(flag(c, "self_signed"));
        ck_assert(!flag(c, "is_ca"));
        ck_assert_str_eq(str(c, "serial"), "1001");
        json_decref(out);
}
END_TEST

START_TEST(mixed_weak_key_sha1) {
        json_t *out = observe(MIXED, NULL);
        json_t *c = cert(out, "/etc/nginx/ssl/weak.pem", 0);

        /* the private key block after the certificate is skipped, not reported */
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_null(cert(out, "/etc/nginx/ssl/weak.pem", 1));
        ck_assert_str_eq(str(c, "key_type"), "RSA");
        ck_assert_int_eq(num(c, "key_bits"), 1024);
        ck_assert_str_eq(str(c, "signature_algorithm"), "sha1WithRSAEncryption");
        ck_assert_str_eq(str(c, "signature_hash"), "sha1");
        ck_assert(!flag(c, "expired"));
        json_decref(out);
}
END_TEST

START_TEST(mixed_ec_bundle_of_two) {
        json_t *out = observe(MIXED, NULL);
        json_t *leaf = cert(out, "/etc/nginx/ssl/ec-fullchain.pem", 0);
        json_t *ca = cert(out, "/etc/nginx/ssl/ec-fullchain.pem", 1);

        ck_assert_ptr_nonnull(leaf);
        ck_assert_ptr_nonnull(ca);
        ck_assert_str_eq(str(leaf, "key_type"), "EC");
        ck_assert_int_eq(num(leaf, "key_bits"), 256);
        ck_assert_str_eq(str(leaf, "key_curve"), "prime256v1");
        ck_assert_str_eq(str(leaf, "key_curve_nist"), "P-256");
        ck_assert_str_eq(str(leaf, "signature_algorithm"), "ecdsa-with-SHA256");
        ck_assert_str_eq(str(leaf, "issuer"), "CN = Fixture Intermediate, O = Fixture CA");
        ck_assert(!flag(leaf, "self_signed"));
        ck_assert(!flag(leaf, "is_ca"));
        ck_assert_str_eq(str(ca, "key_curve_nist"), "P-384");
        ck_assert_int_eq(num(ca, "key_bits"), 384);
        ck_assert(flag(ca, "is_ca"));
        ck_assert(flag(ca, "self_signed"));
        json_decref(out);
}
END_TEST

START_TEST(mixed_ed25519_der) {
        json_t *out = observe(MIXED, NULL);
        json_t *c = cert(out, "/etc/nginx/ssl/ed25519.crt", 0);

        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(str(c, "key_type"), "Ed25519");
        ck_assert_str_eq(str(c, "signature_algorithm"), "ED25519");
        ck_assert(json_is_null(json_object_get(c, "signature_hash")));
        ck_assert_str_eq(str(c, "subject_cn"), "ed.example.com");
        json_decref(out);
}
END_TEST

START_TEST(mixed_damaged_block_counted) {
        json_t *out = observe(MIXED, NULL);
        size_t i;
        json_t *f, *found = NULL;

        json_array_foreach(json_object_get(out, "files"), i, f)
                if (streq(str(f, "path"), "/etc/haproxy/certs/damaged.pem"))
                        found = f;
        ck_assert_ptr_nonnull(found);
        ck_assert_int_eq(num(found, "unparsable"), 1);
        ck_assert_int_eq(num(found, "certificates"), 1);
        ck_assert(json_is_null(json_object_get(found, "error")));
        ck_assert_str_eq(str(cert(out, "/etc/haproxy/certs/damaged.pem", 0), "subject_cn"),
                         "fixture-host");
        json_decref(out);
}
END_TEST

/* sha256 fingerprint as `openssl x509 -fingerprint -sha256` printed it when
 * the fixture was made */
START_TEST(mixed_fingerprint_format) {
        json_t *out = observe(MIXED, NULL);
        const char *fp = str(cert(out, "/etc/ssl/certs/ssl-cert-snakeoil.pem", 0), "sha256_fingerprint");

        ck_assert_int_eq(strlen(fp), 95);
        for (size_t i = 0; i < 95; i++)
                ck_assert(i % 3 == 2 ? fp[i] == ':' : strchr("0123456789ABCDEF", fp[i]) != NULL);
        json_decref(out);
}
END_TEST

START_TEST(none_found_is_empty_not_error) {
        json_t *out = observe(FIXTURE("hosts/tls-none"), NULL);
        size_t i;
        json_t *s;

        ck_assert_int_eq(num(out, "certificate_count"), 0);
        ck_assert_int_eq(num(out, "file_count"), 0);
        ck_assert_int_ge(json_array_size(json_object_get(out, "sources")), 5);
        json_array_foreach(json_object_get(out, "sources"), i, s)
                ck_assert_int_eq(json_array_size(json_object_get(s, "matches")), 0);
        json_decref(out);
}
END_TEST

/* A file named twice (directly and through its directory) is read once; a
 * relative path is reported, not read; an unreadable match says why. */
START_TEST(params_paths) {
        json_t *out = observe(MIXED, "{\"paths\": [\"/etc/nginx/ssl/weak.pem\", \"/etc/nginx/ssl\","
                                     " \"etc/nginx\", \"/etc/nginx/ssl/*.crt\"]}");
        json_t *src = json_object_get(out, "sources");

        ck_assert_int_eq(num(out, "file_count"), 4);
        ck_assert_int_eq(num(out, "certificate_count"), 5);
        ck_assert_str_eq(str(json_array_get(json_object_get(json_array_get(src, 1), "matches"), 0),
                             "kind"), "directory");
        ck_assert_str_eq(str(json_array_get(src, 2), "error"), "not an absolute path");
        ck_assert_int_eq(json_array_size(json_object_get(json_array_get(src, 3), "matches")), 2);
        json_decref(out);
}
END_TEST

/* ---- the parser on its own ---- */

static int parse(const char *buf, size_t len, size_t max, json_t **certs, struct tlsc_stats *st) {
        *certs = json_array();
        *st = (struct tlsc_stats) { 0 };
        return tlsc_parse(buf, len, 1700000000, max, *certs, st);
}

/* Reads a fixture file into a malloc'ed buffer. */
static char *slurp(const char *path, size_t *len) {
        FILE *f = fopen(path, "rb");
        char *buf = malloc(1 << 20);

        ck_assert_ptr_nonnull(f);
        *len = fread(buf, 1, 1 << 20, f);
        fclose(f);
        return buf;
}

START_TEST(parser_garbage_and_keys) {
        static const char key_only[] = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n"
                                       "-----END PRIVATE KEY-----\n";
        json_t *certs;
        struct tlsc_stats st;

        ck_assert_int_eq(parse("", 0, 10, &certs, &st), 0);
        json_decref(certs);
        ck_assert_int_eq(parse("hello world\n", 12, 10, &certs, &st), 0);
        json_decref(certs);
        ck_assert_int_eq(parse("\x30\x82\xff\xff\x01", 5, 10, &certs, &st), 0);
        json_decref(certs);
        ck_assert_int_eq(parse(key_only, sizeof(key_only) - 1, 10, &certs, &st), 0);
        ck_assert_int_eq(json_array_size(certs), 0);
        json_decref(certs);
}
END_TEST

START_TEST(parser_max_truncates) {
        size_t len;
        _cleanup_free_ char *buf = slurp(MIXED "/etc/nginx/ssl/ec-fullchain.pem", &len);
        json_t *certs;
        struct tlsc_stats st;

        ck_assert_int_eq(parse(buf, len, 1, &certs, &st), 1);
        ck_assert(st.truncated);
        ck_assert_int_eq(json_array_size(certs), 1);
        json_decref(certs);
        ck_assert_int_eq(parse(buf, len, 10, &certs, &st), 2);
        ck_assert(!st.truncated);
        /* days_left against the given clock: 2099-12-31T23:59:59Z - 2023-11-14T22:13:20Z */
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(certs, 0), "days_left")),
                         (4102444799LL - 1700000000LL) / 86400);
        json_decref(certs);
}
END_TEST

/* A bundle cut in the middle of its second certificate: the first one is
 * reported, the cut one counted as unparsable. */
START_TEST(parser_cut_bundle) {
        size_t len;
        _cleanup_free_ char *buf = slurp(MIXED "/etc/nginx/ssl/ec-fullchain.pem", &len);
        char *second = strstr(buf + 10, "-----BEGIN CERTIFICATE-----");
        json_t *certs;
        struct tlsc_stats st;

        ck_assert_ptr_nonnull(second);
        ck_assert_int_eq(parse(buf, (size_t) (second - buf) + 100, 10, &certs, &st), 1);
        ck_assert_int_eq(json_array_size(certs), 1);
        json_decref(certs);
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void) {
        Suite *s = suite_create("probe_tls_certificates");
        TCase *tc = tcase_create("probe");

        tcase_add_test(tc, mixed_files_found);
        tcase_add_test(tc, mixed_expired_certificate);
        tcase_add_test(tc, mixed_weak_key_sha1);
        tcase_add_test(tc, mixed_ec_bundle_of_two);
        tcase_add_test(tc, mixed_ed25519_der);
        tcase_add_test(tc, mixed_damaged_block_counted);
        tcase_add_test(tc, mixed_fingerprint_format);
        tcase_add_test(tc, none_found_is_empty_not_error);
        tcase_add_test(tc, params_paths);
        tcase_add_test(tc, parser_garbage_and_keys);
        tcase_add_test(tc, parser_max_truncates);
        tcase_add_test(tc, parser_cut_bundle);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
