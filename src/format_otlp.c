/* SPDX-License-Identifier: MIT */
/*
 * OTLP/HTTP JSON logs: one ExportLogsServiceRequest per batch,
 *   {"resourceLogs":[{"resource":{"attributes":[service.name, service.version,
 *     host.name, host.id]}, "scopeLogs":[{"scope":{"name":"complyd.evidence",
 *     "version":...}, "logRecords":[...]}]}]}
 * and one logRecord per result record: timeUnixNano (a decimal string),
 * severityNumber/Text from the status and the control's severity, eventName
 * "complyd.evidence", body = the record's stored text as a stringValue (the
 * exact signed bytes), attributes complyd.* for filtering.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "formats.h"
#include "util.h"

static const char *jstr(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* pass, not_applicable, waived: INFO 9; fail: WARN 13 (low, medium) or
 * ERROR 17 (high, critical); error: ERROR 17. */
static int severity_number(const char *status, const char *severity, const char **text) {
        if (streq_ptr(status, "error") ||
            (streq_ptr(status, "fail") && (streq_ptr(severity, "high") || streq_ptr(severity, "critical")))) {
                *text = "ERROR";
                return 17;
        }
        if (streq_ptr(status, "fail")) {
                *text = "WARN";
                return 13;
        }
        *text = "INFO";
        return 9;
}

/* Appends {"key": key, "value": {"stringValue": v}} when v is set. */
static int add_str(json_t *attrs, const char *key, const char *v) {
        if (!v)
                return 0;
        return json_array_append_new(attrs, json_pack("{s:s, s:{s:s}}", "key", key, "value",
                                                      "stringValue", v));
}

static int add_value(json_t *attrs, const char *key, json_t *value) {
        if (!value)
                return -ENOMEM;
        return json_array_append_new(attrs, json_pack("{s:s, s:o}", "key", key, "value", value));
}

/* complyd.criteria as an arrayValue of strings. */
static json_t *criteria_value(const json_t *criteria) {
        json_t *values = json_array(), *v;
        size_t i;

        if (!values)
                return NULL;
        json_array_foreach(criteria, i, v)
                if (json_is_string(v) &&
                    json_array_append_new(values, json_pack("{s:O}", "stringValue", v)) < 0) {
                        json_decref(values);
                        return NULL;
                }
        return json_pack("{s:{s:o}}", "arrayValue", "values", values);
}

static json_t *record_attributes(const json_t *rec) {
        const json_t *control = json_object_get(rec, "control");
        _cleanup_json_ json_t *a = json_array();
        char seq[24];
        int bad = 0;

        if (!a)
                return NULL;
        snprintf(seq, sizeof(seq), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(rec, "seq")));
        bad |= add_str(a, "complyd.record.id", jstr(rec, "id"));
        bad |= add_value(a, "complyd.seq", json_pack("{s:s}", "intValue", seq));
        bad |= add_str(a, "complyd.control.id", jstr(control, "id"));
        bad |= add_str(a, "complyd.control.title", jstr(control, "title"));
        bad |= add_str(a, "complyd.control.severity", jstr(control, "severity"));
        bad |= add_str(a, "complyd.status", jstr(rec, "status"));
        bad |= add_str(a, "complyd.previous_status", jstr(rec, "previous_status"));
        if (json_is_boolean(json_object_get(rec, "drift")))
                bad |= add_value(a, "complyd.drift",
                                 json_pack("{s:b}", "boolValue", json_is_true(json_object_get(rec, "drift"))));
        if (json_is_array(json_object_get(control, "criteria")))
                bad |= add_value(a, "complyd.criteria", criteria_value(json_object_get(control, "criteria")));
        bad |= add_str(a, "complyd.hash", jstr(rec, "hash"));
        bad |= add_str(a, "complyd.key_id", jstr(rec, "key_id"));
        return bad ? NULL : TAKE_PTR(a);
}

int format_otlp_fragment(const json_t *rec, const char *text, size_t len, char **ret,
                         size_t *ret_len) {
        const json_t *control = json_object_get(rec, "control");
        _cleanup_json_ json_t *lr = NULL;
        const char *sev_text;
        char nanos[32];
        int64_t ms;
        char *out;
        int sev;

        if (format_parse_time_ms(jstr(rec, "time"), &ms) < 0 || ms < 0)
                return -EBADMSG;
        snprintf(nanos, sizeof(nanos), "%" PRId64 "000000", ms);
        sev = severity_number(jstr(rec, "status"), jstr(control, "severity"), &sev_text);
        lr = json_pack("{s:s, s:i, s:s, s:s, s:{s:s%}, s:o}", "timeUnixNano", nanos, "severityNumber", sev,
                       "severityText", sev_text, "eventName", "complyd.evidence", "body", "stringValue",
                       text, len, "attributes", record_attributes(rec));
        if (!lr)
                return -ENOMEM;
        out = json_dumps(lr, JSON_COMPACT);
        if (!out)
                return -ENOMEM;
        *ret_len = strlen(out);
        *ret = out;
        return 0;
}

/* Cuts the dump of a whole request at the "@@" placeholder standing for
 * the logRecords: its last occurrence, as logRecords is the last member
 * written (a host name "@@" comes earlier). */
int format_otlp_envelope(const json_t *rec, char **prefix, char **suffix) {
        const json_t *host = json_object_get(rec, "host"), *agent = json_object_get(rec, "agent");
        _cleanup_json_ json_t *attrs = json_array(), *req = NULL;
        _cleanup_free_ char *text = NULL;
        char *mark, *p, *s;
        int bad = 0;

        if (!attrs)
                return -ENOMEM;
        bad |= add_str(attrs, "service.name", "complyd");
        bad |= add_str(attrs, "service.version", jstr(agent, "version") ?: COMPLYD_VERSION);
        bad |= add_str(attrs, "host.name", jstr(host, "hostname"));
        bad |= add_str(attrs, "host.id", jstr(host, "id"));
        bad |= add_str(attrs, "os.type", "linux");
        if (bad)
                return -ENOMEM;
        req = json_pack("{s:[{s:{s:O}, s:[{s:{s:s, s:s}, s:[s]}]}]}", "resourceLogs", "resource",
                        "attributes", attrs, "scopeLogs", "scope", "name", "complyd.evidence", "version",
                        COMPLYD_VERSION, "logRecords", "@@");
        text = req ? json_dumps(req, JSON_COMPACT) : NULL;
        if (!text)
                return -ENOMEM;
        mark = NULL;
        for (char *q = strstr(text, "\"@@\""); q; q = strstr(q + 1, "\"@@\""))
                mark = q;
        if (!mark)
                return -ENOMEM; /* cannot happen: "@@" is not escaped */
        p = strndup(text, mark - text);
        s = strdup(mark + 4);
        if (!p || !s) {
                free(p);
                free(s);
                return -ENOMEM;
        }
        *prefix = p;
        *suffix = s;
        return 0;
}
