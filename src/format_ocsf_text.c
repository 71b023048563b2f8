/* SPDX-License-Identifier: MIT */
/* OCSF events as the shipper sends them: each event's text written
 * straight from the parsed record (format_ocsf_fragment()); the mapping is
 * format_ocsf_map.h's and format_ocsf.c's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_ocsf_map.h"
#include "formats.h"
#include "strbuf.h"
#include "util.h"

/* --- the event's text, written directly ----------------------------------
 *
 * format_ocsf_event() and json_dumps() cost a tree of some 80 jansson values
 * per record and a walk over it; the shipper converts every record of every
 * batch. The writer below produces the same text (the same members in the
 * same order, strings escaped as jansson's compact dump escapes them) straight
 * from the parsed record. The rare record it does not reproduce exactly
 * (a criterion prefix over 63 bytes, which the tree path truncates) goes the
 * tree path. tests/unit/test_formats.c compares both byte for byte. */

#define ot_lit(t, s) strbuf_add((t), (s), sizeof(s) - 1)

/* Appends n bytes at s escaped as in a JSON string, the way jansson's dump
 * escapes them without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH. */
static void ot_esc(struct strbuf *t, const char *s, size_t n) {
        const char *run = s, *end = s + n;

        for (; s < end; s++) {
                unsigned char c = (unsigned char) *s;
                char seq[8];

                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                strbuf_add(t, run, (size_t) (s - run));
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
                        strbuf_add(t, seq, 6);
                }
        }
        strbuf_add(t, run, (size_t) (end - run));
}

static void ot_escs(struct strbuf *t, const char *s) {
        ot_esc(t, s, strlen(s));
}

/* A ',' unless a member or element is the first of its object or array. */
static void ot_sep(struct strbuf *t) {
        if (t->len > 0 && t->data[t->len - 1] != '{' && t->data[t->len - 1] != '[')
                ot_lit(t, ",");
}

/* "key": after a separator; key NULL starts an array element. Keys are
 * plain literals. */
static void ot_key(struct strbuf *t, const char *key) {
        ot_sep(t);
        if (!key)
                return;
        ot_lit(t, "\"");
        strbuf_add(t, key, strlen(key));
        ot_lit(t, "\":");
}

/* A string member, left out when s is NULL (json_pack's "s*"). */
static void ot_str(struct strbuf *t, const char *key, const char *s) {
        if (!s)
                return;
        ot_key(t, key);
        ot_lit(t, "\"");
        ot_escs(t, s);
        ot_lit(t, "\"");
}

static void ot_int(struct strbuf *t, const char *key, json_int_t v) {
        char num[32];

        ot_key(t, key);
        strbuf_add(t, num, (size_t) snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, v));
}

static void ot_open(struct strbuf *t, const char *key, const char *bracket) {
        ot_key(t, key);
        strbuf_add(t, bracket, 1);
}

static int ot_dump_cb(const char *buf, size_t size, void *data) {
        struct strbuf *t = data;

        strbuf_add(t, buf, size);
        return t->failed ? -1 : 0;
}

/* A member holding a copy of v as jansson dumps it, left out when v is NULL
 * (json_pack's "O*"). */
static void ot_json(struct strbuf *t, const char *key, const json_t *v) {
        if (!v)
                return;
        ot_key(t, key);
        if (json_dump_callback(v, ot_dump_cb, t, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
                t->failed = true;
}

/* The standard of criterion c (n bytes at the pointer returned): a name
 * from the map, else the prefix before ':' itself. */
static const char *criterion_standard(const char *c, size_t *n) {
        const char *colon = strchr(c, ':');
        size_t len = colon ? (size_t) (colon - c) : strlen(c);

        for (size_t i = 0; i < ocsf_n_standards; i++)
                if (strlen(ocsf_standards[i].prefix) == len && memcmp(c, ocsf_standards[i].prefix, len) == 0) {
                        *n = strlen(ocsf_standards[i].name);
                        return ocsf_standards[i].name;
                }
        *n = len;
        return c;
}

/* compliance.standards as criteria_split() makes it: the standards of the
 * string criteria, each once, in order. -EOPNOTSUPP for a prefix longer
 * than the tree path keeps. */
static int ot_standards(struct strbuf *t, const json_t *criteria) {
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
static void ot_requirements(struct strbuf *t, const json_t *criteria) {
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
static void ot_details(struct strbuf *t, const json_t *rec) {
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
static int ot_compliance(struct strbuf *t, const json_t *rec, const json_t *control,
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
static void ot_host_and_record(struct strbuf *t, const json_t *rec, const json_t *host) {
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
static int ocsf_write(const json_t *rec, struct strbuf *t) {
        const json_t *control = json_object_get(rec, "control"), *host = json_object_get(rec, "host");
        const struct status_map *st = ocsf_status_lookup(jstr(rec, "status"));
        const char *sev = "Unknown", *id = jstr(rec, "id"), *title = jstr(control, "title");
        int sev_id = 0, r;
        int64_t ms;

        if (!id || format_parse_time_ms(jstr(rec, "time"), &ms) < 0)
                return -EBADMSG;
        if (!streq_ptr(jstr(rec, "type"), "result") || !json_is_object(control))
                return -EOPNOTSUPP;
        for (size_t i = 0; i < ocsf_n_severities; i++)
                if (streq_ptr(jstr(control, "severity"), ocsf_severities[i].name)) {
                        sev_id = ocsf_severities[i].id;
                        sev = ocsf_severities[i].caption;
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
        return t->failed ? -ENOMEM : 0;
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
        struct strbuf t = { 0 };
        int r;

        if (!json_is_object(json_object_get(rec, "control")))
                return -EBADMSG;
        r = ocsf_write(rec, &t);
        if (r < 0) {
                free(t.data);
                return r == -EOPNOTSUPP ? ocsf_fragment_tree(rec, ret, ret_len) : r;
        }
        *ret_len = t.len;
        *ret = t.data;
        return 0;
}
