/* SPDX-License-Identifier: MIT */
/*
 * OCSF 1.8.0 Compliance Finding (class_uid 2003) from a result record.
 *
 * Every evaluation is its own finding: finding_info.uid is the record id,
 * activity Create (type_uid 200301); finding_info.uid_alt "<host id>:<control
 * id>" is the stable key of the control on the host. Mapping of the result:
 *
 *   status          compliance.status_id / status   finding status_id / status
 *   pass            1 Pass                          4 Resolved
 *   fail            3 Fail                          1 New
 *   error           2 Warning ("did not yield a     1 New
 *                   result due to missing information")
 *   not_applicable  99 Other "Not Applicable"       4 Resolved
 *   waived          99 Other "Waived"               3 Suppressed
 *
 * severity low/medium/high/critical -> severity_id 2/3/4/5. The native
 * record's id, seq, hash, prev_hash, sig and key_id travel in
 * unmapped.complyd (metadata.uid is the record id too).
 */
#include <errno.h>
#include <string.h>

#include "formats.h"
#include "util.h"

#define OCSF_STATUS_DETAILS_MAX 50

static const char *jstr(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static const struct {
        const char *name, *caption;
        int id;
} severities[] = {
        { "low", "Low", 2 },
        { "medium", "Medium", 3 },
        { "high", "High", 4 },
        { "critical", "Critical", 5 },
};

struct status_map {
        const char *status;
        int compliance_id;
        const char *compliance;
        int finding_id;
        const char *finding;
};

static const struct status_map statuses[] = {
        { "pass", 1, "Pass", 4, "Resolved" },
        { "fail", 3, "Fail", 1, "New" },
        { "error", 2, "Warning", 1, "New" },
        { "not_applicable", 99, "Not Applicable", 4, "Resolved" },
        { "waived", 99, "Waived", 3, "Suppressed" },
};

static const struct status_map unknown_status = { NULL, 0, "Unknown", 0, "Unknown" };

static const struct status_map *status_lookup(const char *status) {
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++)
                if (streq_ptr(status, statuses[i].status))
                        return &statuses[i];
        return &unknown_status;
}

static const struct {
        const char *prefix, *name;
} standard_names[] = {
        { "soc2", "AICPA TSC 2017 (Revised Points of Focus 2022)" },
        { "nist-800-53", "NIST SP 800-53 Rev. 5" },
        { "iso27001-2022", "ISO/IEC 27001:2022" },
        { "cis", "CIS Benchmarks" },
};

/* The standard a criterion ("soc2:CC6.1") belongs to, by its prefix. */
static const char *standard_of(const char *prefix) {
        for (size_t i = 0; i < ELEMENTSOF(standard_names); i++)
                if (streq(prefix, standard_names[i].prefix))
                        return standard_names[i].name;
        return prefix;
}

static bool array_has(const json_t *a, const char *s) {
        size_t i;
        json_t *v;

        json_array_foreach(a, i, v)
                if (streq_ptr(json_string_value(v), s))
                        return true;
        return false;
}

/* compliance.standards (unique, in order) and compliance.requirements (the
 * part after "prefix:") from control.criteria. */
static int criteria_split(const json_t *criteria, json_t *standards, json_t *requirements) {
        size_t i;
        json_t *v;

        json_array_foreach(criteria, i, v) {
                const char *c = json_string_value(v), *colon;
                char prefix[64];

                if (!c)
                        continue;
                colon = strchr(c, ':');
                snprintf(prefix, sizeof(prefix), "%.*s", colon ? (int) (colon - c) : (int) strlen(c), c);
                if (!array_has(standards, standard_of(prefix)) &&
                    json_array_append_new(standards, json_string(standard_of(prefix))) < 0)
                        return -ENOMEM;
                if (json_array_append_new(requirements, json_string(colon ? colon + 1 : c)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* "path op expected, got actual" for each failure (at most
 * OCSF_STATUS_DETAILS_MAX), plus the error or waiver reason. */
static json_t *status_details(const json_t *rec) {
        json_t *out = json_array(), *f, *waiver = json_object_get(rec, "waiver");
        size_t i;

        if (!out)
                return NULL;
        json_array_foreach(json_object_get(rec, "failures"), i, f) {
                _cleanup_free_ char *exp = NULL, *act = NULL, *line = NULL;

                if (i >= OCSF_STATUS_DETAILS_MAX)
                        break;
                exp = json_dumps(json_object_get(f, "expected"), JSON_ENCODE_ANY | JSON_COMPACT);
                act = json_dumps(json_object_get(f, "actual"), JSON_ENCODE_ANY | JSON_COMPACT);
                line = strdup_printf("%s %s %s, got %s", jstr(f, "path") ?: "?", jstr(f, "op") ?: "?",
                                     exp ?: "null", act ?: "null");
                if (!line || json_array_append_new(out, json_string(line)) < 0)
                        goto oom;
        }
        if (jstr(rec, "error") && json_array_append_new(out, json_string(jstr(rec, "error"))) < 0)
                goto oom;
        if (jstr(waiver, "reason")) {
                _cleanup_free_ char *w = strdup_printf("waived until %s: %s", jstr(waiver, "expires") ?: "?",
                                                       jstr(waiver, "reason"));
                if (!w || json_array_append_new(out, json_string(w)) < 0)
                        goto oom;
        }
        return out;
oom:
        json_decref(out);
        return NULL;
}

static json_t *compliance_object(const json_t *rec, const json_t *control,
                                 const struct status_map *st, int sev_id, const char *sev) {
        json_t *standards = json_array(), *requirements = json_array(), *check;

        if (!standards || !requirements ||
            criteria_split(json_object_get(control, "criteria"), standards, requirements) < 0) {
                json_decref(standards);
                json_decref(requirements);
                return NULL;
        }
        check = json_pack("{s:s*, s:s*, s:O, s:i, s:s, s:i, s:s}", "uid", jstr(control, "id"), "name",
                          jstr(control, "title"), "standards", standards, "severity_id", sev_id,
                          "severity", sev, "status_id", st->compliance_id, "status", st->compliance);
        return json_pack("{s:s*, s:o, s:o, s:i, s:s, s:o*, s:[o*]}", "control", jstr(control, "id"),
                         "standards", standards, "requirements", requirements, "status_id",
                         st->compliance_id, "status", st->compliance, "status_details",
                         status_details(rec), "checks", check);
}

static json_t *device_object(const json_t *host) {
        return json_pack("{s:i, s:s, s:s*, s:s*, s:s*, s:{s:s, s:i, s:s, s:s*}}", "type_id", 1, "type",
                         "Server", "hostname", jstr(host, "hostname"), "uid", jstr(host, "id"),
                         "boot_uid", jstr(host, "boot_id"), "os", "name", jstr(host, "os") ?: "Linux",
                         "type_id", 200, "type", "Linux", "kernel_release", jstr(host, "kernel"));
}

/* The native record's own fields, for an auditor to match and verify. */
static json_t *unmapped_object(const json_t *rec) {
        return json_pack("{s:{s:s*, s:s*, s:O*, s:s*, s:s*, s:s*, s:s*, s:s*, s:s*, s:O*, s:O*}}",
                         "complyd", "schema", jstr(rec, "schema"), "id", jstr(rec, "id"), "seq",
                         json_object_get(rec, "seq"), "status", jstr(rec, "status"), "previous_status",
                         jstr(rec, "previous_status"), "hash", jstr(rec, "hash"), "prev_hash",
                         jstr(rec, "prev_hash"), "sig", jstr(rec, "sig"), "key_id", jstr(rec, "key_id"),
                         "drift", json_object_get(rec, "drift"), "waiver", json_object_get(rec, "waiver"));
}

static json_t *evidences_array(const json_t *rec) {
        const json_t *probe = json_object_get(rec, "probe");
        json_t *obs = json_object_get(rec, "observation");

        return json_pack("[{s:s, s:{s:O*, s:O*}}]", "name", jstr(probe, "name") ?: "probe", "data",
                         "probe", probe, "observation", obs);
}

/* Builds the event: the required attributes, then what is recommended. */
json_t *format_ocsf_event(const json_t *rec) {
        const json_t *control = json_object_get(rec, "control"), *host = json_object_get(rec, "host"),
                     *agent = json_object_get(rec, "agent");
        const struct status_map *st = status_lookup(jstr(rec, "status"));
        const char *sev = "Unknown", *id = jstr(rec, "id"), *title = jstr(control, "title");
        _cleanup_free_ char *message = NULL, *uid_alt = NULL;
        int sev_id = 0;
        int64_t ms;

        if (!streq_ptr(jstr(rec, "type"), "result") || !id || !json_is_object(control) ||
            format_parse_time_ms(jstr(rec, "time"), &ms) < 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(severities); i++)
                if (streq_ptr(jstr(control, "severity"), severities[i].name)) {
                        sev_id = severities[i].id;
                        sev = severities[i].caption;
                }
        message = strdup_printf("%s: %s on %s", title ?: jstr(control, "id") ?: "control",
                                jstr(rec, "status") ?: "unknown", jstr(host, "hostname") ?: "?");
        uid_alt = strdup_printf("%s:%s", jstr(host, "id") ?: "", jstr(control, "id") ?: "");
        if (!message || !uid_alt)
                return NULL;
        return json_pack(
                "{s:i, s:s, s:i, s:s, s:i, s:s, s:I, s:s, s:i, s:s, s:I, s:i, s:i, s:s, s:s, s:s*,"
                " s:{s:s, s:s, s:s, s:I, s:s*, s:[s], s:{s:s, s:s, s:s, s:s}},"
                " s:{s:s, s:s*, s:s, s:I, s:[s], s:[s*]}, s:o, s:o*,"
                " s:[{s:s*, s:s*, s:s, s:s*, s:i, s:s}], s:o*, s:o*}",
                "activity_id", 1, "activity_name", "Create", "category_uid", 2, "category_name",
                "Findings", "class_uid", 2003, "class_name", "Compliance Finding", "type_uid",
                (json_int_t) 200301, "type_name", "Compliance Finding: Create", "severity_id", sev_id,
                "severity", sev, "time", (json_int_t) ms, "timezone_offset", 0, "status_id",
                st->finding_id, "status", st->finding, "message", message, "status_code",
                jstr(rec, "status"),
                "metadata", "version", FORMAT_OCSF_VERSION, "uid", id, "log_name", "complyd.evidence",
                "sequence", (json_int_t) json_integer_value(json_object_get(rec, "seq")),
                "original_time", jstr(rec, "time"), "profiles", "host", "product", "name", "complyd",
                "uid", "complyd", "vendor_name", "complyd", "version",
                jstr(agent, "version") ?: COMPLYD_VERSION,
                "finding_info", "uid", id, "title", title, "uid_alt", uid_alt, "created_time",
                (json_int_t) ms, "types", "Configuration", "data_sources",
                jstr(json_object_get(rec, "probe"), "name"),
                "compliance", compliance_object(rec, control, st, sev_id, sev), "device",
                device_object(host),
                "resources", "uid", jstr(host, "id"), "name", jstr(host, "hostname"), "type", "host",
                "hostname", jstr(host, "hostname"), "role_id", 1, "role", "Target",
                "evidences", evidences_array(rec), "unmapped", unmapped_object(rec));
}

/* --- the event's text, written directly ----------------------------------
 *
 * format_ocsf_event() and json_dumps() cost a tree of some 80 jansson values
 * per record and a walk over it; the shipper converts every record of every
 * batch. The writer below produces the same text (the same members in the
 * same order, strings escaped as jansson's compact dump escapes them) straight
 * from the parsed record. The rare record it does not reproduce exactly
 * (a criterion prefix over 63 bytes, which the tree path truncates) goes the
 * tree path. tests/unit/test_formats.c compares both byte for byte. */

struct otext {
        char *p;
        size_t len, cap;
        bool oom;                       /* sticky: an append failed */
};

/* Appends n bytes at s. */
static void ot_put(struct otext *t, const char *s, size_t n) {
        if (t->oom || n == 0)
                return;
        if (t->len + n + 1 > t->cap) {
                size_t ncap = t->cap ? t->cap : 4096;
                char *p;

                while (ncap < t->len + n + 1)
                        ncap *= 2;
                p = realloc(t->p, ncap);
                if (!p) {
                        t->oom = true;
                        return;
                }
                t->p = p;
                t->cap = ncap;
        }
        memcpy(t->p + t->len, s, n);
        t->len += n;
        t->p[t->len] = '\0';
}

#define ot_lit(t, s) ot_put((t), (s), sizeof(s) - 1)

/* Appends n bytes at s escaped as in a JSON string, the way jansson's dump
 * escapes them without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH. */
static void ot_esc(struct otext *t, const char *s, size_t n) {
        const char *run = s, *end = s + n;

        for (; s < end; s++) {
                unsigned char c = (unsigned char) *s;
                char seq[8];

                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                ot_put(t, run, (size_t) (s - run));
                run = s + 1;
                switch (c) {
                case '"': ot_lit(t, "\\\""); break;
                case '\\': ot_lit(t, "\\\\"); break;
                case '\b': ot_lit(t, "\\b"); break;
                case '\f': ot_lit(t, "\\f"); break;
                case '\n': ot_lit(t, "\\n"); break;
                case '\r': ot_lit(t, "\\r"); break;
                case '\t': ot_lit(t, "\\t"); break;
                default:
                        snprintf(seq, sizeof(seq), "\\u%04X", c);
                        ot_put(t, seq, 6);
                }
        }
        ot_put(t, run, (size_t) (end - run));
}

static void ot_escs(struct otext *t, const char *s) {
        ot_esc(t, s, strlen(s));
}

/* A ',' unless a member or element is the first of its object or array. */
static void ot_sep(struct otext *t) {
        if (t->len > 0 && t->p[t->len - 1] != '{' && t->p[t->len - 1] != '[')
                ot_lit(t, ",");
}

/* "key": after a separator; key NULL starts an array element. Keys are
 * plain literals. */
static void ot_key(struct otext *t, const char *key) {
        ot_sep(t);
        if (!key)
                return;
        ot_lit(t, "\"");
        ot_put(t, key, strlen(key));
        ot_lit(t, "\":");
}

/* A string member, left out when s is NULL (json_pack's "s*"). */
static void ot_str(struct otext *t, const char *key, const char *s) {
        if (!s)
                return;
        ot_key(t, key);
        ot_lit(t, "\"");
        ot_escs(t, s);
        ot_lit(t, "\"");
}

static void ot_int(struct otext *t, const char *key, json_int_t v) {
        char num[32];

        ot_key(t, key);
        ot_put(t, num, (size_t) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, v));
}

static void ot_open(struct otext *t, const char *key, const char *bracket) {
        ot_key(t, key);
        ot_put(t, bracket, 1);
}

static int ot_dump_cb(const char *buf, size_t size, void *data) {
        struct otext *t = data;

        ot_put(t, buf, size);
        return t->oom ? -1 : 0;
}

/* A member holding a copy of v as jansson dumps it, left out when v is NULL
 * (json_pack's "O*"). */
static void ot_json(struct otext *t, const char *key, const json_t *v) {
        if (!v)
                return;
        ot_key(t, key);
        if (json_dump_callback(v, ot_dump_cb, t, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
                t->oom = true;
}

/* The standard of criterion c (n bytes at the pointer returned): a name
 * from the map, else the prefix before ':' itself. */
static const char *criterion_standard(const char *c, size_t *n) {
        const char *colon = strchr(c, ':');
        size_t len = colon ? (size_t) (colon - c) : strlen(c);

        for (size_t i = 0; i < ELEMENTSOF(standard_names); i++)
                if (strlen(standard_names[i].prefix) == len && memcmp(c, standard_names[i].prefix, len) == 0) {
                        *n = strlen(standard_names[i].name);
                        return standard_names[i].name;
                }
        *n = len;
        return c;
}

/* compliance.standards as criteria_split() makes it: the standards of the
 * string criteria, each once, in order. -EOPNOTSUPP for a prefix longer
 * than the tree path keeps. */
static int ot_standards(struct otext *t, const json_t *criteria) {
        size_t i, j;
        json_t *v, *w;

        ot_open(t, "standards", "[");
        json_array_foreach(criteria, i, v) {
                const char *c = json_string_value(v), *name;
                bool seen = false;
                size_t n;

                if (!c)
                        continue;
                if (strcspn(c, ":") > 63)
                        return -EOPNOTSUPP;
                name = criterion_standard(c, &n);
                json_array_foreach(criteria, j, w) {
                        const char *d = json_string_value(w), *dname;
                        size_t dn;

                        if (j >= i)
                                break;
                        if (!d)
                                continue;
                        dname = criterion_standard(d, &dn);
                        if (dn == n && memcmp(dname, name, n) == 0) {
                                seen = true;
                                break;
                        }
                }
                if (seen)
                        continue;
                ot_key(t, NULL);
                ot_lit(t, "\"");
                ot_esc(t, name, n);
                ot_lit(t, "\"");
        }
        ot_lit(t, "]");
        return 0;
}

/* compliance.requirements: what follows "prefix:" of each string criterion. */
static void ot_requirements(struct otext *t, const json_t *criteria) {
        size_t i;
        json_t *v;

        ot_open(t, "requirements", "[");
        json_array_foreach(criteria, i, v) {
                const char *c = json_string_value(v), *colon;

                if (!c)
                        continue;
                colon = strchr(c, ':');
                ot_str(t, NULL, colon ? colon + 1 : c);
        }
        ot_lit(t, "]");
}

/* compliance.status_details as status_details() words them. */
static void ot_details(struct otext *t, const json_t *rec) {
        const json_t *waiver = json_object_get(rec, "waiver");
        size_t i;
        json_t *f;

        ot_open(t, "status_details", "[");
        json_array_foreach(json_object_get(rec, "failures"), i, f) {
                _cleanup_free_ char *exp = NULL, *act = NULL;

                if (i >= OCSF_STATUS_DETAILS_MAX)
                        break;
                exp = json_dumps(json_object_get(f, "expected"), JSON_ENCODE_ANY | JSON_COMPACT);
                act = json_dumps(json_object_get(f, "actual"), JSON_ENCODE_ANY | JSON_COMPACT);
                ot_key(t, NULL);
                ot_lit(t, "\"");
                ot_escs(t, jstr(f, "path") ?: "?");
                ot_lit(t, " ");
                ot_escs(t, jstr(f, "op") ?: "?");
                ot_lit(t, " ");
                ot_escs(t, exp ?: "null");
                ot_lit(t, ", got ");
                ot_escs(t, act ?: "null");
                ot_lit(t, "\"");
        }
        ot_str(t, NULL, jstr(rec, "error"));
        if (jstr(waiver, "reason")) {
                ot_key(t, NULL);
                ot_lit(t, "\"waived until ");
                ot_escs(t, jstr(waiver, "expires") ?: "?");
                ot_lit(t, ": ");
                ot_escs(t, jstr(waiver, "reason"));
                ot_lit(t, "\"");
        }
        ot_lit(t, "]");
}

/* The compliance object (compliance_object()). */
static int ot_compliance(struct otext *t, const json_t *rec, const json_t *control,
                         const struct status_map *st, int sev_id, const char *sev) {
        const json_t *criteria = json_object_get(control, "criteria");
        int r;

        ot_open(t, "compliance", "{");
        ot_str(t, "control", jstr(control, "id"));
        r = ot_standards(t, criteria);
        if (r < 0)
                return r;
        ot_requirements(t, criteria);
        ot_int(t, "status_id", st->compliance_id);
        ot_str(t, "status", st->compliance);
        ot_details(t, rec);
        ot_open(t, "checks", "[");
        ot_open(t, NULL, "{");
        ot_str(t, "uid", jstr(control, "id"));
        ot_str(t, "name", jstr(control, "title"));
        ot_standards(t, criteria); /* the same array again; it succeeded above */
        ot_int(t, "severity_id", sev_id);
        ot_str(t, "severity", sev);
        ot_int(t, "status_id", st->compliance_id);
        ot_str(t, "status", st->compliance);
        ot_lit(t, "}]}");
        return 0;
}
/* device, resources, evidences and unmapped (device_object(),
 * unmapped_object(), evidences_array() and the resources member). */
static void ot_host_and_record(struct otext *t, const json_t *rec, const json_t *host) {
        const json_t *probe = json_object_get(rec, "probe");

        ot_open(t, "device", "{");
        ot_int(t, "type_id", 1);
        ot_str(t, "type", "Server");
        ot_str(t, "hostname", jstr(host, "hostname"));
        ot_str(t, "uid", jstr(host, "id"));
        ot_str(t, "boot_uid", jstr(host, "boot_id"));
        ot_open(t, "os", "{");
        ot_str(t, "name", jstr(host, "os") ?: "Linux");
        ot_int(t, "type_id", 200);
        ot_str(t, "type", "Linux");
        ot_str(t, "kernel_release", jstr(host, "kernel"));
        ot_lit(t, "}}");

        ot_open(t, "resources", "[");
        ot_open(t, NULL, "{");
        ot_str(t, "uid", jstr(host, "id"));
        ot_str(t, "name", jstr(host, "hostname"));
        ot_str(t, "type", "host");
        ot_str(t, "hostname", jstr(host, "hostname"));
        ot_int(t, "role_id", 1);
        ot_str(t, "role", "Target");
        ot_lit(t, "}]");

        ot_open(t, "evidences", "[");
        ot_open(t, NULL, "{");
        ot_str(t, "name", jstr(probe, "name") ?: "probe");
        ot_open(t, "data", "{");
        ot_json(t, "probe", probe);
        ot_json(t, "observation", json_object_get(rec, "observation"));
        ot_lit(t, "}}]");

        ot_open(t, "unmapped", "{");
        ot_open(t, "complyd", "{");
        ot_str(t, "schema", jstr(rec, "schema"));
        ot_str(t, "id", jstr(rec, "id"));
        ot_json(t, "seq", json_object_get(rec, "seq"));
        ot_str(t, "status", jstr(rec, "status"));
        ot_str(t, "previous_status", jstr(rec, "previous_status"));
        ot_str(t, "hash", jstr(rec, "hash"));
        ot_str(t, "prev_hash", jstr(rec, "prev_hash"));
        ot_str(t, "sig", jstr(rec, "sig"));
        ot_str(t, "key_id", jstr(rec, "key_id"));
        ot_json(t, "drift", json_object_get(rec, "drift"));
        ot_json(t, "waiver", json_object_get(rec, "waiver"));
        ot_lit(t, "}}");
}

/* The event's text into t, member by member as format_ocsf_event() packs
 * it. Returns 0, -EBADMSG (no id, bad time), -EOPNOTSUPP (the tree path
 * must do it) or -ENOMEM. */
static int ocsf_write(const json_t *rec, struct otext *t) {
        const json_t *control = json_object_get(rec, "control"), *host = json_object_get(rec, "host");
        const struct status_map *st = status_lookup(jstr(rec, "status"));
        const char *sev = "Unknown", *id = jstr(rec, "id"), *title = jstr(control, "title");
        int sev_id = 0, r;
        int64_t ms;

        if (!id || format_parse_time_ms(jstr(rec, "time"), &ms) < 0)
                return -EBADMSG;
        if (!streq_ptr(jstr(rec, "type"), "result") || !json_is_object(control))
                return -EOPNOTSUPP;
        for (size_t i = 0; i < ELEMENTSOF(severities); i++)
                if (streq_ptr(jstr(control, "severity"), severities[i].name)) {
                        sev_id = severities[i].id;
                        sev = severities[i].caption;
                }
        ot_lit(t, "{\"activity_id\":1,\"activity_name\":\"Create\",\"category_uid\":2,"
                  "\"category_name\":\"Findings\",\"class_uid\":2003,\"class_name\":\"Compliance Finding\","
                  "\"type_uid\":200301,\"type_name\":\"Compliance Finding: Create\"");
        ot_int(t, "severity_id", sev_id);
        ot_str(t, "severity", sev);
        ot_int(t, "time", ms);
        ot_int(t, "timezone_offset", 0);
        ot_int(t, "status_id", st->finding_id);
        ot_str(t, "status", st->finding);
        ot_key(t, "message");
        ot_lit(t, "\"");
        ot_escs(t, title ?: jstr(control, "id") ?: "control");
        ot_lit(t, ": ");
        ot_escs(t, jstr(rec, "status") ?: "unknown");
        ot_lit(t, " on ");
        ot_escs(t, jstr(host, "hostname") ?: "?");
        ot_lit(t, "\"");
        ot_str(t, "status_code", jstr(rec, "status"));

        ot_open(t, "metadata", "{");
        ot_str(t, "version", FORMAT_OCSF_VERSION);
        ot_str(t, "uid", id);
        ot_str(t, "log_name", "complyd.evidence");
        ot_int(t, "sequence", json_integer_value(json_object_get(rec, "seq")));
        ot_str(t, "original_time", jstr(rec, "time"));
        ot_lit(t, ",\"profiles\":[\"host\"],\"product\":{\"name\":\"complyd\",\"uid\":\"complyd\","
                  "\"vendor_name\":\"complyd\"");
        ot_str(t, "version", jstr(json_object_get(rec, "agent"), "version") ?: COMPLYD_VERSION);
        ot_lit(t, "}}");

        ot_open(t, "finding_info", "{");
        ot_str(t, "uid", id);
        ot_str(t, "title", title);
        ot_key(t, "uid_alt");
        ot_lit(t, "\"");
        ot_escs(t, jstr(host, "id") ?: "");
        ot_lit(t, ":");
        ot_escs(t, jstr(control, "id") ?: "");
        ot_lit(t, "\"");
        ot_int(t, "created_time", ms);
        ot_lit(t, ",\"types\":[\"Configuration\"],\"data_sources\":[");
        ot_str(t, NULL, jstr(json_object_get(rec, "probe"), "name"));
        ot_lit(t, "]}");

        r = ot_compliance(t, rec, control, st, sev_id, sev);
        if (r < 0)
                return r;
        ot_host_and_record(t, rec, host);
        ot_lit(t, "}");
        return t->oom ? -ENOMEM : 0;
}

/* The tree path: format_ocsf_event() dumped. */
static int ocsf_fragment_tree(const json_t *rec, char **ret, size_t *ret_len) {
        _cleanup_json_ json_t *ev = format_ocsf_event(rec);
        char *text;

        if (!ev)
                return format_parse_time_ms(jstr(rec, "time"), &(int64_t) { 0 }) < 0 || !jstr(rec, "id")
                               ? -EBADMSG
                               : -ENOMEM;
        text = json_dumps(ev, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        *ret_len = strlen(text);
        *ret = text;
        return 0;
}

int format_ocsf_fragment(const json_t *rec, char **ret, size_t *ret_len) {
        struct otext t = { 0 };
        int r;

        if (!json_is_object(json_object_get(rec, "control")))
                return -EBADMSG;
        r = ocsf_write(rec, &t);
        if (r < 0) {
                free(t.p);
                return r == -EOPNOTSUPP ? ocsf_fragment_tree(rec, ret, ret_len) : r;
        }
        *ret_len = t.len;
        *ret = t.p;
        return 0;
}
