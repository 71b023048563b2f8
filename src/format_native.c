/* SPDX-License-Identifier: MIT */
/* The native format (records as stored, NDJSON), the dispatch over the
 * formats, and the request body they are assembled into. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "formats.h"
#include "util.h"

const char *format_name(enum output_format f) {
        switch (f) {
        case OUTPUT_NATIVE: return "native";
        case OUTPUT_OCSF: return "ocsf";
        case OUTPUT_OTLP: return "otlp";
        case OUTPUT_SPLUNK_HEC: return "splunk_hec";
        }
        return "?";
}

const char *format_content_type(enum output_format f) {
        return f == OUTPUT_NATIVE || f == OUTPUT_OCSF ? "application/x-ndjson" : "application/json";
}

const char *format_default_path(enum output_format f) {
        if (f == OUTPUT_OTLP)
                return "/v1/logs";
        if (f == OUTPUT_SPLUNK_HEC)
                return "/services/collector/event";
        return NULL;
}

bool format_carries_type(enum output_format f, const char *type) {
        return f == OUTPUT_NATIVE || streq_ptr(type, "result");
}

/* Reads exactly n decimal digits at *p into *v and advances. */
static bool digits(const char **p, int n, int *v) {
        *v = 0;
        for (int i = 0; i < n; i++, (*p)++) {
                if (**p < '0' || **p > '9')
                        return false;
                *v = *v * 10 + (**p - '0');
        }
        return true;
}

int format_parse_time_ms(const char *s, int64_t *ret) {
        struct tm tm = { 0 };
        int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0;
        const char *p = s;
        time_t t;

        if (!s || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
            !digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
                return -EINVAL;
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
            !digits(&p, 2, &sec))
                return -EINVAL;
        if (*p == '.') {
                int scale = 100;
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
                        ms += (*p - '0') * scale; /* digits past ms add 0 */
        }
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                sign = *p++ == '-' ? -1 : 1;
                if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om))
                        return -EINVAL;
        } else
                return -EINVAL;
        if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
            oh > 23 || om > 59)
                return -EINVAL;
        tm = (struct tm) { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                           .tm_hour = h, .tm_min = mi, .tm_sec = sec };
        t = timegm(&tm);
        t -= (time_t) sign * (oh * 3600 + om * 60);
        *ret = (int64_t) t * 1000 + ms;
        return 0;
}

void format_body_init(struct format_body *b, enum output_format f) {
        *b = (struct format_body) { .format = f };
}

void format_body_reset(struct format_body *b) {
        enum output_format f = b->format;

        free(b->data);
        free(b->prefix);
        free(b->suffix);
        free(b->whole);
        format_body_init(b, f);
}

/* Makes room for n more bytes (and a NUL). */
static int body_reserve(struct format_body *b, size_t n) {
        size_t want = b->len + n + 1, ncap;
        char *p;

        if (want <= b->cap)
                return 0;
        ncap = b->cap ? b->cap : 4096;
        while (ncap < want)
                ncap *= 2;
        p = realloc(b->data, ncap);
        if (!p)
                return -ENOMEM;
        b->data = p;
        b->cap = ncap;
        return 0;
}

/* The fragment of one record in b's format: 1 and *frag, 0 when the record
 * is not carried or not convertible (counted), -ENOMEM. */
static int convert(struct format_body *b, const char *text, size_t len, char **frag,
                   size_t *frag_len, json_t **parsed) {
        _cleanup_json_ json_t *rec = NULL;
        json_error_t err;
        int r;

        rec = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(rec)) {
                b->bad++;
                return 0;
        }
        if (!format_carries_type(b->format, json_string_value(json_object_get(rec, "type")))) {
                b->skipped++;
                return 0;
        }
        if (b->format == OUTPUT_OCSF)
                r = format_ocsf_fragment(rec, frag, frag_len);
        else if (b->format == OUTPUT_OTLP)
                r = format_otlp_fragment(rec, text, len, frag, frag_len);
        else
                r = format_hec_fragment(rec, text, len, frag, frag_len);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                b->bad++;
                return 0;
        }
        *parsed = TAKE_PTR(rec);
        return 1;
}

int format_body_add(struct format_body *b, const char *text, size_t len, size_t max_bytes) {
        _cleanup_free_ char *frag = NULL;
        _cleanup_json_ json_t *rec = NULL;
        size_t flen, need;
        bool comma = b->format == OUTPUT_OTLP && b->n_records > 0;
        int r;

        if (len > FORMAT_RECORD_MAX) {
                b->bad++;
                return 0;
        }
        if (b->format != OUTPUT_NATIVE) {
                r = convert(b, text, len, &frag, &flen, &rec);
                if (r <= 0)
                        return r;
        }
        need = (b->format == OUTPUT_NATIVE ? len : flen) + 1;
        if (max_bytes && b->n_records > 0 && b->len + need > max_bytes)
                return -E2BIG;
        if (body_reserve(b, need) < 0)
                return -ENOMEM;
        if (b->format == OUTPUT_OTLP && !b->prefix &&
            format_otlp_envelope(rec, &b->prefix, &b->suffix) < 0)
                return -ENOMEM;
        if (comma)
                b->data[b->len++] = ',';
        memcpy(b->data + b->len, b->format == OUTPUT_NATIVE ? text : frag, need - 1);
        b->len += need - 1;
        if (b->format != OUTPUT_OTLP)
                b->data[b->len++] = '\n';
        b->data[b->len] = '\0';
        b->n_records++;
        return 1;
}

int format_body_finish(struct format_body *b, const char **ret, size_t *ret_len) {
        if (b->n_records == 0) {
                *ret = "";
                *ret_len = 0;
                return 0;
        }
        if (b->format != OUTPUT_OTLP) {
                *ret = b->data;
                *ret_len = b->len;
                return 0;
        }
        free(b->whole);
        b->whole = strdup_printf("%s%s%s", b->prefix, b->data, b->suffix);
        if (!b->whole)
                return -ENOMEM;
        *ret = b->whole;
        *ret_len = strlen(b->whole);
        return 0;
}
