/* SPDX-License-Identifier: MIT */
/* The output formats, on records shaped as evidence.c writes them
 * (schema complyd.evidence.v1), checked field by field and against the
 * reference OCSF 1.8.0 example's required attributes. */
#include "formats.h"
#include "testutil.h"
#include "util.h"

/* a copy of the OCSF 1.8.0 reference event, checked against its required attributes */
#define OCSF_EXAMPLE TOP_SRCDIR "/tests/fixtures/ocsf/compliance-finding-example.json"

static const char *const result_fmt =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"result\",\"id\":\"0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\","
        "\"seq\":%d,\"time\":\"2025-03-01T12:00:00.123Z\","
        "\"host\":{\"id\":\"3f9a1c0e2b7d4e55a1c2d3e4f5a6b7c8\",\"hostname\":\"web-01\","
        "\"os\":\"Debian GNU/Linux 12 (bookworm)\",\"kernel\":\"6.1.0-18-amd64\",\"boot_id\":\"b1\"},"
        "\"agent\":{\"name\":\"complyd\",\"version\":\"0.1.0\",\"config_hash\":\"ab\"},"
        "\"control\":{\"id\":\"ssh-mfa-enforced\",\"title\":\"SSH logins require a second factor\","
        "\"criteria\":[\"soc2:CC6.1\",\"soc2:CC6.6\",\"nist-800-53:IA-2(1)\",\"iso27001-2022:A.8.5\"],"
        "\"severity\":\"%s\"},\"status\":\"%s\",\"previous_status\":\"pass\",\"drift\":true,"
        "\"failures\":[{\"path\":\"ssh.second_factor_enforced\",\"op\":\"equals\",\"expected\":true,"
        "\"actual\":false}],"
        "\"observation\":{\"schema\":\"mfa.v1\",\"ssh\":{\"second_factor_enforced\":false}},"
        "\"probe\":{\"name\":\"mfa\",\"version\":\"1.0.0\",\"duration_ms\":12},"
        "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
        "\"hash\":\"9f2ce1aa00000000000000000000000000000000000000000000000000000000\","
        "\"sig\":\"c2lnbmF0dXJl\",\"key_id\":\"5e5e000000000000000000000000000000000000000000000000000000000000\"}";

static const char *const start_text =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"agent.start\",\"id\":\"0195a1b2-0000-7000-8000-000000000001\","
        "\"seq\":1,\"time\":\"2025-03-01T11:59:59.000Z\",\"host\":{\"id\":\"3f9a\",\"hostname\":\"web-01\"},"
        "\"details\":{\"version\":\"0.1.0\"},\"prev_hash\":\"00\",\"hash\":\"aa\",\"sig\":\"s\",\"key_id\":\"k\"}";

static char *result_text(int seq, const char *severity, const char *status) {
        char *s = strdup_printf(result_fmt, seq, severity, status);
        ck_assert_ptr_nonnull(s);
        return s;
}

static json_t *parse(const char *text, size_t len) {
        json_error_t err;
        json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);

        ck_assert_msg(j != NULL, "not JSON (%s): %.*s", err.text, (int) len, text);
        return j;
}

/* A body of format f from the texts given (NULL-terminated). */
static const char *body_of(struct format_body *b, enum output_format f, const char *const *texts,
                           size_t *len) {
        const char *body;

        format_body_init(b, f);
        for (size_t i = 0; texts[i]; i++)
                ck_assert_int_ge(format_body_add(b, texts[i], strlen(texts[i]), 0), 0);
        ck_assert_int_eq(format_body_finish(b, &body, len), 0);
        return body;
}

/* The OCSF event for one result record. */
static json_t *ocsf_of(const char *text) {
        struct format_body b;
        const char *const texts[] = { text, NULL };
        const char *body;
        size_t len;
        json_t *j;

        body = body_of(&b, OUTPUT_OCSF, texts, &len);
        ck_assert_uint_eq(b.n_records, 1);
        ck_assert_int_eq(body[len - 1], '\n');
        j = parse(body, len);
        format_body_reset(&b);
        return j;
}

START_TEST(test_time_parse) {
        int64_t ms;

        ck_assert_int_eq(format_parse_time_ms("2025-03-01T12:00:00.123Z", &ms), 0);
        ck_assert_int_eq(ms, 1740830400123LL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01T12:00:00Z", &ms), 0);
        ck_assert_int_eq(ms, 1740830400000LL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01T14:00:00.5+02:00", &ms), 0);
        ck_assert_int_eq(ms, 1740830400500LL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01T12:00:00.123456Z", &ms), 0);
        ck_assert_int_eq(ms, 1740830400123LL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01 12:00:00", &ms), -EINVAL);
        ck_assert_int_eq(format_parse_time_ms("2025-13-01T12:00:00Z", &ms), -EINVAL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01T12:00:00.Z", &ms), -EINVAL);
        ck_assert_int_eq(format_parse_time_ms("2025-03-01T12:00:00Zjunk", &ms), -EINVAL);
        ck_assert_int_eq(format_parse_time_ms("", &ms), -EINVAL);
        ck_assert_int_eq(format_parse_time_ms(NULL, &ms), -EINVAL);
}
END_TEST

START_TEST(test_native_is_the_stored_text) {
        _cleanup_free_ char *r2 = result_text(2, "high", "fail"), *expect = NULL;
        const char *const texts[] = { start_text, r2, NULL };
        struct format_body b;
        const char *body;
        size_t len;

        body = body_of(&b, OUTPUT_NATIVE, texts, &len);
        expect = strdup_printf("%s\n%s\n", start_text, r2);
        ck_assert_str_eq(body, expect);
        ck_assert_uint_eq(len, strlen(expect));
        ck_assert_uint_eq(b.n_records, 2);
        ck_assert_str_eq(format_content_type(OUTPUT_NATIVE), "application/x-ndjson");
        format_body_reset(&b);
}
END_TEST

/* The attribute at a dotted path ("metadata.product.name"), or NULL. */
static json_t *at(json_t *j, const char *path) {
        char buf[128], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *k = strtok_r(buf, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
                j = json_is_array(j) ? json_array_get(j, (size_t) atoi(k)) : json_object_get(j, k);
        return j;
}

/* The attributes OCSF 1.8.0 requires of a Compliance Finding and of the
 * objects in it (formats.md §1.2-1.3), where the object is present. */
static const char *const required[] = {
        "activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time", "metadata",
        "metadata.version", "metadata.product", "finding_info", "finding_info.uid", "compliance",
};
static const char *const required_if_present[][2] = {
        { "device", "device.type_id" },   { "device.os", "device.os.name" },
        { "device.os", "device.os.type_id" }, { "remediation", "remediation.desc" },
};

START_TEST(test_ocsf_required_attributes) {
        _cleanup_free_ char *text = result_text(7, "high", "fail");
        _cleanup_json_ json_t *ev = ocsf_of(text), *example = NULL;
        json_error_t err;

        example = json_load_file(OCSF_EXAMPLE, 0, &err);
        ck_assert_msg(example != NULL, "%s: %s", OCSF_EXAMPLE, err.text);
        for (size_t i = 0; i < ELEMENTSOF(required); i++) {
                json_t *ours = at(ev, required[i]), *ref = at(example, required[i]);
                ck_assert_msg(ref != NULL, "the reference example lacks %s", required[i]);
                ck_assert_msg(ours != NULL, "missing required attribute %s", required[i]);
                ck_assert_msg(json_typeof(ours) == json_typeof(ref), "%s has the wrong JSON type", required[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(required_if_present); i++)
                if (at(ev, required_if_present[i][0]))
                        ck_assert_msg(at(ev, required_if_present[i][1]) != NULL, "missing %s",
                                      required_if_present[i][1]);
        /* product: at least one of name, uid */
        ck_assert(at(ev, "metadata.product.name") || at(ev, "metadata.product.uid"));
        /* the same types as the reference for every attribute both have */
        {
                const char *k;
                json_t *v;
                json_object_foreach(example, k, v) {
                        json_t *ours = json_object_get(ev, k);
                        if (ours)
                                ck_assert_msg(json_typeof(ours) == json_typeof(v) ||
                                                      (json_is_number(ours) && json_is_number(v)),
                                              "%s: type differs from the reference", k);
                }
        }
}
END_TEST

START_TEST(test_ocsf_values) {
        _cleanup_free_ char *text = result_text(7, "high", "fail");
        _cleanup_json_ json_t *ev = ocsf_of(text);
        json_t *standards;

        ck_assert_int_eq(json_integer_value(at(ev, "class_uid")), 2003);
        ck_assert_int_eq(json_integer_value(at(ev, "category_uid")), 2);
        ck_assert_int_eq(json_integer_value(at(ev, "activity_id")), 1);
        ck_assert_int_eq(json_integer_value(at(ev, "type_uid")), 200301);
        ck_assert_int_eq(json_integer_value(at(ev, "severity_id")), 4);
        ck_assert_str_eq(json_string_value(at(ev, "severity")), "High");
        ck_assert_int_eq(json_integer_value(at(ev, "time")), 1740830400123LL);
        ck_assert_str_eq(json_string_value(at(ev, "metadata.version")), "1.8.0");
        ck_assert_str_eq(json_string_value(at(ev, "metadata.product.name")), "complyd");
        ck_assert_str_eq(json_string_value(at(ev, "metadata.product.vendor_name")), "complyd");
        ck_assert_str_eq(json_string_value(at(ev, "metadata.product.version")), "0.1.0");
        ck_assert_str_eq(json_string_value(at(ev, "metadata.uid")), "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        ck_assert_str_eq(json_string_value(at(ev, "finding_info.uid")), "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        ck_assert_str_eq(json_string_value(at(ev, "finding_info.title")), "SSH logins require a second factor");
        ck_assert_str_eq(json_string_value(at(ev, "finding_info.uid_alt")),
                         "3f9a1c0e2b7d4e55a1c2d3e4f5a6b7c8:ssh-mfa-enforced");
        ck_assert_str_eq(json_string_value(at(ev, "compliance.control")), "ssh-mfa-enforced");
        ck_assert_int_eq(json_integer_value(at(ev, "compliance.status_id")), 3);
        ck_assert_str_eq(json_string_value(at(ev, "compliance.status")), "Fail");
        standards = at(ev, "compliance.standards");
        ck_assert_uint_eq(json_array_size(standards), 3);
        ck_assert_str_eq(json_string_value(json_array_get(standards, 0)),
                         "AICPA TSC 2017 (Revised Points of Focus 2022)");
        ck_assert_str_eq(json_string_value(json_array_get(standards, 1)), "NIST SP 800-53 Rev. 5");
        ck_assert_str_eq(json_string_value(json_array_get(standards, 2)), "ISO/IEC 27001:2022");
        ck_assert_str_eq(json_string_value(at(ev, "compliance.requirements.1")), "CC6.6");
        ck_assert_str_eq(json_string_value(at(ev, "compliance.requirements.2")), "IA-2(1)");
        ck_assert_str_eq(json_string_value(at(ev, "compliance.status_details.0")),
                         "ssh.second_factor_enforced equals true, got false");
        ck_assert_str_eq(json_string_value(at(ev, "compliance.checks.0.uid")), "ssh-mfa-enforced");
        ck_assert_str_eq(json_string_value(at(ev, "device.hostname")), "web-01");
        ck_assert_int_eq(json_integer_value(at(ev, "device.os.type_id")), 200);
        ck_assert_str_eq(json_string_value(at(ev, "device.os.kernel_release")), "6.1.0-18-amd64");
        /* the native record's identity travels along */
        ck_assert_str_eq(json_string_value(at(ev, "unmapped.complyd.id")), "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
        ck_assert_int_eq(json_integer_value(at(ev, "unmapped.complyd.seq")), 7);
        ck_assert_str_eq(json_string_value(at(ev, "unmapped.complyd.hash")),
                         "9f2ce1aa00000000000000000000000000000000000000000000000000000000");
        ck_assert_str_eq(json_string_value(at(ev, "unmapped.complyd.sig")), "c2lnbmF0dXJl");
        ck_assert_str_eq(json_string_value(at(ev, "unmapped.complyd.key_id")),
                         "5e5e000000000000000000000000000000000000000000000000000000000000");
        ck_assert_str_eq(json_string_value(at(ev, "evidences.0.data.observation.schema")), "mfa.v1");
}
END_TEST

START_TEST(test_ocsf_status_and_severity_maps) {
        static const struct {
                const char *status, *severity;
                int compliance_id, finding_id, severity_id;
                const char *compliance;
        } cases[] = {
                { "pass", "low", 1, 4, 2, "Pass" },
                { "fail", "medium", 3, 1, 3, "Fail" },
                { "error", "critical", 2, 1, 5, "Warning" },
                { "not_applicable", "high", 99, 4, 4, "Not Applicable" },
                { "waived", "high", 99, 3, 4, "Waived" },
                { "bogus", "unheard-of", 0, 0, 0, "Unknown" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = result_text(3, cases[i].severity, cases[i].status);
                _cleanup_json_ json_t *ev = ocsf_of(text);

                ck_assert_int_eq(json_integer_value(at(ev, "compliance.status_id")), cases[i].compliance_id);
                ck_assert_str_eq(json_string_value(at(ev, "compliance.status")), cases[i].compliance);
                ck_assert_int_eq(json_integer_value(at(ev, "status_id")), cases[i].finding_id);
                ck_assert_int_eq(json_integer_value(at(ev, "severity_id")), cases[i].severity_id);
        }
}
END_TEST

START_TEST(test_non_native_skip_lifecycle_and_garbage) {
        static const enum output_format fs[] = { OUTPUT_OCSF, OUTPUT_OTLP, OUTPUT_SPLUNK_HEC };

        for (size_t i = 0; i < ELEMENTSOF(fs); i++) {
                struct format_body b;
                const char *body;
                size_t len;

                format_body_init(&b, fs[i]);
                ck_assert_int_eq(format_body_add(&b, start_text, strlen(start_text), 0), 0);
                ck_assert_int_eq(format_body_add(&b, "{\"type\":\"result\"", 16, 0), 0);
                ck_assert_int_eq(format_body_add(&b, "{\"type\":\"result\",\"id\":\"x\"}", 26, 0), 0);
                ck_assert_uint_eq(b.skipped, 1);
                ck_assert_uint_eq(b.bad, 2);
                ck_assert_uint_eq(b.n_records, 0);
                ck_assert_int_eq(format_body_finish(&b, &body, &len), 0);
                ck_assert_uint_eq(len, 0);
                format_body_reset(&b);
        }
}
END_TEST

static const char *attr_string(json_t *attrs, const char *key) {
        size_t i;
        json_t *kv;

        json_array_foreach(attrs, i, kv)
                if (streq_ptr(json_string_value(json_object_get(kv, "key")), key))
                        return json_string_value(json_object_get(json_object_get(kv, "value"), "stringValue"))
                                       ?: json_string_value(json_object_get(json_object_get(kv, "value"), "intValue"));
        return NULL;
}

START_TEST(test_otlp_request) {
        _cleanup_free_ char *r2 = result_text(2, "high", "fail"), *r3 = result_text(3, "low", "pass");
        const char *const texts[] = { start_text, r2, r3, NULL };
        _cleanup_json_ json_t *req = NULL;
        struct format_body b;
        json_t *rl, *lrs, *lr;
        const char *body;
        size_t len;

        body = body_of(&b, OUTPUT_OTLP, texts, &len);
        req = parse(body, len);
        ck_assert_uint_eq(json_array_size(json_object_get(req, "resourceLogs")), 1);
        rl = at(req, "resourceLogs.0");
        ck_assert_str_eq(attr_string(at(rl, "resource.attributes"), "service.name"), "complyd");
        ck_assert_str_eq(attr_string(at(rl, "resource.attributes"), "host.name"), "web-01");
        ck_assert_str_eq(attr_string(at(rl, "resource.attributes"), "host.id"), "3f9a1c0e2b7d4e55a1c2d3e4f5a6b7c8");
        ck_assert_str_eq(json_string_value(at(rl, "scopeLogs.0.scope.name")), "complyd.evidence");
        lrs = at(rl, "scopeLogs.0.logRecords");
        ck_assert_uint_eq(json_array_size(lrs), 2); /* agent.start is native-only */
        lr = json_array_get(lrs, 0);
        ck_assert_str_eq(json_string_value(json_object_get(lr, "timeUnixNano")), "1740830400123000000");
        ck_assert_int_eq(json_integer_value(json_object_get(lr, "severityNumber")), 17);
        ck_assert_str_eq(json_string_value(json_object_get(lr, "severityText")), "ERROR");
        ck_assert_str_eq(json_string_value(at(lr, "body.stringValue")), r2); /* the signed bytes */
        ck_assert_str_eq(attr_string(json_object_get(lr, "attributes"), "complyd.control.id"), "ssh-mfa-enforced");
        ck_assert_str_eq(attr_string(json_object_get(lr, "attributes"), "complyd.status"), "fail");
        ck_assert_str_eq(attr_string(json_object_get(lr, "attributes"), "complyd.seq"), "2");
        lr = json_array_get(lrs, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(lr, "severityNumber")), 9);
        ck_assert_str_eq(attr_string(json_object_get(lr, "attributes"), "complyd.seq"), "3");
        ck_assert_str_eq(format_default_path(OUTPUT_OTLP), "/v1/logs");
        ck_assert_str_eq(format_content_type(OUTPUT_OTLP), "application/json");
        format_body_reset(&b);
}
END_TEST

START_TEST(test_hec_events_concatenated) {
        _cleanup_free_ char *r2 = result_text(2, "high", "fail"), *r3 = result_text(3, "low", "pass");
        const char *const texts[] = { r2, start_text, r3, NULL };
        _cleanup_json_ json_t *rec2 = parse(r2, strlen(r2));
        struct format_body b;
        const char *body, *p;
        size_t len, n = 0;

        body = body_of(&b, OUTPUT_SPLUNK_HEC, texts, &len);
        ck_assert(strncmp(body, "{\"time\":1740830400.123,", 23) == 0);
        for (p = body; p < body + len;) {
                json_error_t err;
                _cleanup_json_ json_t *ev = json_loadb(p, body + len - p, JSON_DISABLE_EOF_CHECK, &err);
                ck_assert_msg(ev != NULL, "event %zu: %s", n, err.text);
                ck_assert_str_eq(json_string_value(json_object_get(ev, "sourcetype")), "complyd:evidence");
                ck_assert_str_eq(json_string_value(json_object_get(ev, "source")), "complyd");
                ck_assert_str_eq(json_string_value(json_object_get(ev, "host")), "web-01");
                ck_assert(json_is_object(json_object_get(ev, "event")));
                if (n == 0) {
                        ck_assert(json_equal(json_object_get(ev, "event"), rec2));
                        ck_assert_str_eq(json_string_value(at(ev, "fields.control_id")), "ssh-mfa-enforced");
                        ck_assert_str_eq(json_string_value(at(ev, "fields.status")), "fail");
                }
                p += err.position;
                while (p < body + len && (*p == '\n' || *p == ' '))
                        p++;
                n++;
        }
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(format_default_path(OUTPUT_SPLUNK_HEC), "/services/collector/event");
        format_body_reset(&b);
}
END_TEST

START_TEST(test_max_bytes) {
        _cleanup_free_ char *r = result_text(2, "high", "fail");
        static const enum output_format fs[] = { OUTPUT_NATIVE, OUTPUT_OCSF, OUTPUT_OTLP, OUTPUT_SPLUNK_HEC };

        for (size_t i = 0; i < ELEMENTSOF(fs); i++) {
                struct format_body b;
                size_t one;

                format_body_init(&b, fs[i]);
                /* the first record always goes, even over the limit */
                ck_assert_int_eq(format_body_add(&b, r, strlen(r), 10), 1);
                one = b.len;
                ck_assert_int_eq(format_body_add(&b, r, strlen(r), 2 * one - 1), -E2BIG);
                ck_assert_int_eq(format_body_add(&b, r, strlen(r), 2 * one + 1), 1);
                ck_assert_uint_eq(b.n_records, 2);
                ck_assert_uint_le(b.len, 2 * one + 1);
                format_body_reset(&b);
        }
}
END_TEST

/* The OCSF line the shipper sends for a record (the body of that record
 * alone, without its newline) equals the event format_ocsf_event() builds,
 * dumped compactly: the written text and the jansson tree agree byte for
 * byte. Returns false when the record is not carried. */
static bool ocsf_line_matches_tree(const char *text) {
        _cleanup_json_ json_t *rec = parse(text, strlen(text)), *ev = NULL;
        _cleanup_free_ char *tree = NULL;
        struct format_body b;
        const char *body;
        size_t len;

        format_body_init(&b, OUTPUT_OCSF);
        ck_assert_int_ge(format_body_add(&b, text, strlen(text), 0), 0);
        ck_assert_int_eq(format_body_finish(&b, &body, &len), 0);
        ev = format_ocsf_event(rec);
        if (b.n_records == 0) {
                ck_assert_msg(ev == NULL || !streq_ptr(json_string_value(json_object_get(rec, "type")), "result"),
                              "a result record the tree converts was dropped: %s", text);
                format_body_reset(&b);
                return false;
        }
        ck_assert_ptr_nonnull(ev);
        tree = json_dumps(ev, JSON_COMPACT);
        ck_assert_ptr_nonnull(tree);
        ck_assert_msg(len == strlen(tree) + 1, "written %zu bytes, tree %zu: %.300s", len - 1, strlen(tree), tree);
        ck_assert_int_eq(body[len - 1], '\n');
        for (size_t i = 0; i < len - 1; i++)
                ck_assert_msg(body[i] == tree[i], "byte %zu differs:\nwritten ...%.60s\ntree    ...%.60s", i,
                              body + (i > 20 ? i - 20 : 0), tree + (i > 20 ? i - 20 : 0));
        format_body_reset(&b);
        return true;
}

/* The record of result_fmt with one member replaced (value is JSON text)
 * or removed (value NULL); member may be "control.title" and the like. */
static char *result_with(const char *member, const char *value) {
        _cleanup_free_ char *base = result_text(5, "high", "fail");
        _cleanup_json_ json_t *rec = parse(base, strlen(base));
        const char *dot = strchr(member, '.');
        json_t *obj = rec;
        char head[64];
        char *out;

        if (dot) {
                snprintf(head, sizeof(head), "%.*s", (int) (dot - member), member);
                obj = json_object_get(rec, head);
                member = dot + 1;
        }
        if (value) {
                json_error_t err;
                json_t *v = json_loads(value, JSON_DECODE_ANY, &err);

                ck_assert_msg(v != NULL, "%s: %s", value, err.text);
                ck_assert_int_eq(json_object_set_new(obj, member, v), 0);
        }
        else
                json_object_del(obj, member);
        out = json_dumps(rec, JSON_COMPACT);
        ck_assert_ptr_nonnull(out);
        return out;
}

/* Real records (the evidence fuzz corpus, written by evidence.c's format)
 * and the unit records in every status and severity. */
START_TEST(test_ocsf_text_equals_tree_on_real_records) {
        static const char *const files[] = { "dup_reordered", "edited", "intact_stream", "one_result",
                                             "two_hosts_gap" };
        static const char *const statuses[] = { "pass", "fail", "error", "not_applicable", "waived", "bogus" };
        static const char *const sevs[] = { "low", "medium", "high", "critical", "unheard-of" };
        size_t matched = 0;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = strdup_printf(TOP_SRCDIR "/tests/fuzz/corpus/fuzz_evidence_json/%s.ndjson",
                                                          files[i]);
                _cleanup_fclose_ FILE *f = fopen(path, "re");
                char line[16384];

                ck_assert_msg(f != NULL, "%s: %m", path);
                while (fgets(line, sizeof(line), f)) {
                        line[strcspn(line, "\n")] = '\0';
                        if (strstr(line, "\"type\":\"result\""))
                                matched += ocsf_line_matches_tree(line);
                }
        }
        ck_assert_uint_ge(matched, 10);
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++)
                for (size_t j = 0; j < ELEMENTSOF(sevs); j++) {
                        _cleanup_free_ char *text = result_text((int) (i * 10 + j), sevs[j], statuses[i]);
                        ck_assert(ocsf_line_matches_tree(text));
                }
}
END_TEST

/* Records with members missing, of other types, with characters to escape,
 * many failures, a waiver and an error: still the tree's text. */
START_TEST(test_ocsf_text_equals_tree_on_odd_records) {
        static const char *const cases[][2] = {
                { "host", NULL },
                { "agent", NULL },
                { "probe", NULL },
                { "observation", NULL },
                { "drift", NULL },
                { "failures", NULL },
                { "previous_status", NULL },
                { "control.title", NULL },
                { "control.id", NULL },
                { "control.criteria", NULL },
                { "control.severity", NULL },
                { "status", NULL },
                { "host", "\"not an object\"" },
                { "probe", "[1,2.5,null]" },
                { "seq", "\"12\"" },
                { "observation", "{\"a\":[1,-2,3.25e10,true,null,{}],\"b\":\"x\\\"y\\\\z\\u0001\\n/\"}" },
                { "control.title", "\"\\\"Quoted\\\" \\\\ back\\tslash \\u001f caf\\u00e9 \\u2603 \\ud83d\\ude00 </\"" },
                { "control.id", "\"id:with\\\"quote\"" },
                { "control.criteria", "[\"soc2:CC6.1\",7,\"soc2:CC7.2\",null,\"nocolon\",\"cis:1.1:x\","
                                      "\"CIS Benchmarks:dup\",\"we\\\"ird]:r\",\"\",\":only\",\"we\\\"ird]:s\"]" },
                { "control.criteria", "[\"a-prefix-of-exactly-sixty-three-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxx:r\"]" },
                { "control.criteria", "[\"a-prefix-of-more-than-sixty-three-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxx:r\"]" },
                { "control.criteria", "{\"not\":\"an array\"}" },
                { "failures", "[{\"path\":\"a.b\",\"op\":\"in\",\"expected\":[\"x\",\"y\\\"\"],\"actual\":{\"k\":1}},"
                              "{\"op\":\"equals\"},3,{\"path\":\"p\",\"op\":\"lt\",\"expected\":1.5,\"actual\":null}]" },
                { "waiver", "{\"reason\":\"vendor \\\"fix\\\" pending\",\"expires\":\"2025-06-01\"}" },
                { "waiver", "{\"reason\":\"no expiry\"}" },
                { "waiver", "\"just text\"" },
                { "error", "\"probe timed out\\n(5 s)\"" },
                { "error", "42" },
                { "agent", "{\"name\":\"complyd\"}" },
                { "schema", "null" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = result_with(cases[i][0], cases[i][1]);
                ck_assert_msg(ocsf_line_matches_tree(text), "case %zu not carried", i);
        }
}
END_TEST

/* More failures than status_details keeps: the first 50, as the tree. */
START_TEST(test_ocsf_text_equals_tree_many_failures) {
        _cleanup_free_ char *failures = NULL, *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&failures, &len);

        ck_assert_ptr_nonnull(f);
        fputc('[', f);
        for (int i = 0; i < 60; i++)
                fprintf(f, "%s{\"path\":\"rule.%d\",\"op\":\"equals\",\"expected\":%d,\"actual\":\"v%d\"}",
                        i ? "," : "", i, i, i);
        fputc(']', f);
        ck_assert_int_eq(fclose(f), 0);
        text = result_with("failures", failures);
        ck_assert(ocsf_line_matches_tree(text));
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("formats");
        TCase *tc = tcase_create("formats");

        tcase_add_test(tc, test_time_parse);
        tcase_add_test(tc, test_native_is_the_stored_text);
        tcase_add_test(tc, test_ocsf_required_attributes);
        tcase_add_test(tc, test_ocsf_values);
        tcase_add_test(tc, test_ocsf_status_and_severity_maps);
        tcase_add_test(tc, test_non_native_skip_lifecycle_and_garbage);
        tcase_add_test(tc, test_otlp_request);
        tcase_add_test(tc, test_hec_events_concatenated);
        tcase_add_test(tc, test_max_bytes);
        tcase_add_test(tc, test_ocsf_text_equals_tree_on_real_records);
        tcase_add_test(tc, test_ocsf_text_equals_tree_on_odd_records);
        tcase_add_test(tc, test_ocsf_text_equals_tree_many_failures);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
