/* SPDX-License-Identifier: MIT */
/*
 * Splunk HTTP Event Collector events (POST /services/collector/event), one
 * JSON object per result record, concatenated:
 *   {"time":1767225600.123,"host":"web-01","source":"complyd",
 *    "sourcetype":"complyd:evidence","fields":{control_id, status, severity,
 *    seq},"event":<the record's stored text>}
 * time is in epoch seconds with milliseconds, written as text (no binary
 * floating point rounding); event is the record as stored, byte for byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "formats.h"
#include "util.h"

static const char *jstr(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

int format_hec_fragment(const json_t *rec, const char *text, size_t len, char **ret,
                        size_t *ret_len) {
        const json_t *control = json_object_get(rec, "control");
        _cleanup_json_ json_t *meta = NULL;
        _cleanup_free_ char *head = NULL;
        char *out;
        size_t hlen;
        int64_t ms;
        int n;

        if (format_parse_time_ms(jstr(rec, "time"), &ms) < 0 || ms < 0)
                return -EBADMSG;
        meta = json_pack("{s:s*, s:s, s:s, s:{s:s*, s:s*, s:s*, s:O*}}", "host",
                         jstr(json_object_get(rec, "host"), "hostname"), "source", "complyd",
                         "sourcetype", FORMAT_HEC_SOURCETYPE, "fields", "control_id",
                         jstr(control, "id"), "status", jstr(rec, "status"), "severity",
                         jstr(control, "severity"), "seq", json_object_get(rec, "seq"));
        head = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
        if (!head)
                return -ENOMEM;
        hlen = strlen(head); /* "{...}": its members go between our time and event */
        out = malloc(hlen + len + 64);
        if (!out)
                return -ENOMEM;
        n = snprintf(out, 64, "{\"time\":%" PRId64 ".%03d,", ms / 1000, (int) (ms % 1000));
        memcpy(out + n, head + 1, hlen - 2);
        n += (int) hlen - 2;
        memcpy(out + n, ",\"event\":", 9);
        n += 9;
        memcpy(out + n, text, len);
        n += (int) len;
        out[n++] = '}';
        out[n] = '\0';
        *ret = out;
        *ret_len = (size_t) n;
        return 0;
}
