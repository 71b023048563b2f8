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

#include "format_ocsf_map.h"
#include "formats.h"
#include "util.h"

const struct ocsf_severity ocsf_severities[] = {
        { "low", "Low", 2 },
        { "medium", "Medium", 3 },
        { "high", "High", 4 },
        { "critical", "Critical", 5 },
};
const size_t ocsf_n_severities = ELEMENTSOF(ocsf_severities);

static const struct status_map statuses[] = {
        { "pass", 1, "Pass", 4, "Resolved" },
        { "fail", 3, "Fail", 1, "New" },
        { "error", 2, "Warning", 1, "New" },
        { "not_applicable", 99, "Not Applicable", 4, "Resolved" },
        { "waived", 99, "Waived", 3, "Suppressed" },
};

static const struct status_map unknown_status = { NULL, 0, "Unknown", 0, "Unknown" };

const struct status_map *ocsf_status_lookup(const char *status) {
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++)
                if (streq_ptr(status, statuses[i].status))
                        return &statuses[i];
        return &unknown_status;
}

const struct ocsf_standard ocsf_standards[] = {
        { "soc2", "AICPA TSC 2017 (Revised Points of Focus 2022)" },
        { "nist-800-53", "NIST SP 800-53 Rev. 5" },
        { "iso27001-2022", "ISO/IEC 27001:2022" },
        { "cis", "CIS Benchmarks" },
};
const size_t ocsf_n_standards = ELEMENTSOF(ocsf_standards);

/* The standard a criterion ("soc2:CC6.1") belongs to, by its prefix. */
static const char *standard_of(const char *prefix) {
        for (size_t i = 0; i < ocsf_n_standards; i++)
                if (streq(prefix, ocsf_standards[i].prefix))
                        return ocsf_standards[i].name;
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
        const struct status_map *st = ocsf_status_lookup(jstr(rec, "status"));
        const char *sev = "Unknown", *id = jstr(rec, "id"), *title = jstr(control, "title");
        _cleanup_free_ char *message = NULL, *uid_alt = NULL;
        int sev_id = 0;
        int64_t ms;

        if (!streq_ptr(jstr(rec, "type"), "result") || !id || !json_is_object(control) ||
            format_parse_time_ms(jstr(rec, "time"), &ms) < 0)
                return NULL;
        for (size_t i = 0; i < ocsf_n_severities; i++)
                if (streq_ptr(jstr(control, "severity"), ocsf_severities[i].name)) {
                        sev_id = ocsf_severities[i].id;
                        sev = ocsf_severities[i].caption;
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
