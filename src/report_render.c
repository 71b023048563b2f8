/* SPDX-License-Identifier: MIT */
/* complyd report: what the renderers share (reading the report document,
 * the verification block) and the JSON rendering. */

#include "report_internal.h"
#include "util.h"

const char *rj_str(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key)) ?: "";
}

double rj_num(const json_t *o, const char *key) {
        return json_number_value(json_object_get(o, key));
}

int64_t rj_ms(const json_t *o, const char *key) {
        int64_t ms = 0;

        (void) report_parse_time(rj_str(o, key), false, &ms);
        return ms;
}

const char *rj_time(const json_t *o, const char *key, char buf[static 32]) {
        const char *s = rj_str(o, key);

        if (strlen(s) != 24) {
                snprintf(buf, 32, "%s", s);
                return buf;
        }
        if (streq(s + 19, ".000Z"))
                snprintf(buf, 32, "%.10s %.8s", s, s + 11);
        else
                snprintf(buf, 32, "%.10s %.12s", s, s + 11);
        return buf;
}

const char *rj_dur(const json_t *o, const char *key, char buf[static 48]) {
        const json_t *v = json_object_get(o, key);
        double ms;

        if (!json_is_number(v))
                return "—";
        ms = json_number_value(v) * 1000.0;

        /* rounded half away from zero, as llround() does, without loading libm for it */
        return report_format_duration((int64_t) (ms < 0 ? ms - 0.5 : ms + 0.5), buf, 48);
}

const char *rj_pct(const json_t *o, const char *key, char buf[static 16]) {
        const json_t *v = json_object_get(o, key);

        if (!json_is_number(v))
                return "—";
        snprintf(buf, 16, "%.1f %%", json_number_value(v) * 100.0);
        return buf;
}

int report_render_json(const json_t *report, FILE *f) {
        if (json_dumpf(report, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) < 0 || fputc('\n', f) == EOF)
                return -EIO;
        return 0;
}

/* --- the verification block ----------------------------------------------------------- */

static int add(struct vlines *v, const char *label, char *value) {
        if (!value)
                return -ENOMEM;
        if (v->n >= VLINES_MAX) {
                free(value);
                return 0;
        }
        v->label[v->n] = label;
        v->value[v->n++] = value;
        return 0;
}

static uint64_t kind_count(const json_t *ver, const char *kind) {
        return (uint64_t) json_integer_value(json_object_get(json_object_get(ver, "by_kind"), kind));
}

/* "1 bad hash, 2 gaps" of the kinds present among names; NULL when none. */
static char *kinds_text(const json_t *ver, const char *const *names, size_t n) {
        char *out = NULL;

        for (size_t i = 0; i < n; i++) {
                uint64_t c = kind_count(ver, names[i]);
                char *o;

                if (!c)
                        continue;
                o = strdup_printf("%s%s%llu %s", out ?: "", out ? ", " : "", (unsigned long long) c, names[i]);
                free(out);
                if (!o)
                        return NULL;
                out = o;
        }
        return out;
}

static char *verdict(const json_t *ver) {
        static const char *const all[] = { "malformed", "bad hash", "unknown key", "bad signature",
                                           "chain break", "gap", "conflict", "bad chain start",
                                           "no records" };
        _cleanup_free_ char *k = kinds_text(ver, all, ELEMENTSOF(all));

        if (json_is_true(json_object_get(ver, "intact")))
                return strdup("intact: every record authentic, every chain unbroken");
        return strdup_printf("NOT INTACT: %llu problem%s (%s)",
                             (unsigned long long) json_integer_value(json_object_get(ver, "problems")),
                             json_integer_value(json_object_get(ver, "problems")) == 1 ? "" : "s",
                             k ?: "?");
}

static char *first_bad(const json_t *ver) {
        const json_t *p = json_object_get(ver, "first_problem");
        const char *where = rj_str(p, "where"), *host = rj_str(p, "host");

        return strdup_printf("%s%s%s%s%s: %s", where, *where ? ": " : "", rj_str(p, "kind"),
                             *host ? ": host " : "", host, rj_str(p, "message"));
}

static char *dropped_text(const json_t *ver) {
        const json_t *l = json_object_get(ver, "dropped"), *d;
        char *out = NULL;
        size_t i;

        if (json_array_size(l) == 0)
                return strdup("none declared");
        json_array_foreach(l, i, d) {
                char *o = strdup_printf("%s%shost %s: seq %lld-%lld (%lld records, %s) declared by seq %lld",
                                        out ?: "", out ? "; " : "", *rj_str(d, "hostname") ? rj_str(d, "hostname") : rj_str(d, "host"),
                                        (long long) json_integer_value(json_object_get(d, "first_seq")),
                                        (long long) json_integer_value(json_object_get(d, "last_seq")),
                                        (long long) json_integer_value(json_object_get(d, "count")),
                                        rj_str(d, "reason"),
                                        (long long) json_integer_value(json_object_get(d, "declared_by")));

                free(out);
                if (!o || i >= 20)
                        return o;
                out = o;
        }
        return out;
}

static char *keys_text(const json_t *ver) {
        const json_t *l = json_object_get(ver, "keys"), *k;
        char *out = NULL;
        size_t i;

        json_array_foreach(l, i, k) {
                char *o = strdup_printf("%s%s%.16s… (%s)", out ?: "", out ? ", " : "", rj_str(k, "key_id"),
                                        rj_str(k, "path"));

                free(out);
                if (!o)
                        return NULL;
                out = o;
        }
        return out ?: strdup("none");
}

int vlines_build(const json_t *report, struct vlines *v) {
        static const char *const chain[] = { "chain break", "bad chain start", "conflict" };
        static const char *const sigs[] = { "malformed", "bad hash", "bad signature", "unknown key" };
        const json_t *ver = json_object_get(report, "verification");
        _cleanup_free_ char *c = kinds_text(ver, chain, ELEMENTSOF(chain));
        _cleanup_free_ char *s = kinds_text(ver, sigs, ELEMENTSOF(sigs));
        _cleanup_free_ char *k = keys_text(ver);
        uint64_t gaps = kind_count(ver, "gap"), excluded;
        int r = 0;

        *v = (struct vlines){ 0 };
        r |= add(v, "Verification", verdict(ver));
        if (!json_is_null(json_object_get(ver, "first_problem")))
                r |= add(v, "First bad record", first_bad(ver));
        r |= add(v, "Records",
                 strdup_printf("%lld distinct records from %lld host%s (%lld read, %lld duplicates "
                               "ignored, %lld out of order)",
                               (long long) json_integer_value(json_object_get(ver, "records")),
                               (long long) json_integer_value(json_object_get(ver, "hosts")),
                               json_integer_value(json_object_get(ver, "hosts")) == 1 ? "" : "s",
                               (long long) json_integer_value(json_object_get(ver, "inputs")),
                               (long long) json_integer_value(json_object_get(ver, "duplicates")),
                               (long long) json_integer_value(json_object_get(ver, "out_of_order"))));
        r |= add(v, "Hash chain", c ? strdup_printf("BROKEN: %s", c) : strdup("unbroken"));
        r |= add(v, "Signatures", s ? strdup_printf("NOT ALL VALID: %s (keys: %s)", s, k ?: "?")
                                    : strdup_printf("all valid (keys: %s)", k ?: "?"));
        r |= add(v, "Sequence gaps",
                 gaps ? strdup_printf("%llu not declared by evidence.dropped", (unsigned long long) gaps)
                      : strdup("none undeclared"));
        r |= add(v, "evidence.dropped", dropped_text(ver));
        excluded = (uint64_t) json_integer_value(json_object_get(ver, "excluded_records"));
        if (excluded)
                r |= add(v, "Left out of the figures",
                         strdup_printf("%llu record%s not authentic or not usable: the time around "
                                       "them counts as unmonitored",
                                       (unsigned long long) excluded, excluded == 1 ? "" : "s"));
        if (r) {
                vlines_clear(v);
                return -ENOMEM;
        }
        return 0;
}

void vlines_clear(struct vlines *v) {
        for (size_t i = 0; i < v->n; i++)
                free(v->value[i]);
        v->n = 0;
}
