/* SPDX-License-Identifier: MIT */
/* Evaluating compiled rules. rule_test() answers pass/fail without
 * allocating; only when the answer is not the one wanted does report()
 * walk again to build the failures (path, op, expected, actual). */
#include <math.h>

#include "rules_internal.h"
#include "util.h"

/* Failures collected for one result. */
struct ectx {
        json_t *failures;
        size_t total;
        bool oom;
        const char *subject; /* label text of the element being judged */
};

static int json_num_cmp(const json_t *a, const json_t *b) {
        if (json_is_integer(a) && json_is_integer(b)) {
                json_int_t x = json_integer_value(a), y = json_integer_value(b);
                return x < y ? -1 : x > y;
        }
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
}

bool json_equal_num(const json_t *a, const json_t *b) {
        if (json_is_number(a) && json_is_number(b))
                return json_num_cmp(a, b) == 0;
        if (!a || !b || json_typeof(a) != json_typeof(b))
                return false;
        if (json_is_array(a)) {
                if (json_array_size(a) != json_array_size(b))
                        return false;
                for (size_t i = 0; i < json_array_size(a); i++)
                        if (!json_equal_num(json_array_get(a, i), json_array_get(b, i)))
                                return false;
                return true;
        }
        if (json_is_object(a)) {
                const char *k;
                json_t *v;

                if (json_object_size(a) != json_object_size(b))
                        return false;
                json_object_foreach((json_t *) a, k, v)
                        if (!json_equal_num(v, json_object_get(b, k)))
                                return false;
                return true;
        }
        return json_equal(a, b);
}

static bool array_has(const json_t *arr, const json_t *v) {
        size_t i;
        const json_t *e;

        json_array_foreach(arr, i, e)
                if (json_equal_num(e, v))
                        return true;
        return false;
}

static bool is_empty(const json_t *v) {
        return json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
               (json_is_array(v) && json_array_size(v) == 0) ||
               (json_is_object(v) && json_object_size(v) == 0);
}

/* Applies a leaf's operator to v (NULL = the path does not exist, which
 * fails everything but exists: false). */
static bool op_test(const struct rule *r, const json_t *v) {
        const json_t *o = r->operand;

        if (!v)
                return r->op == OP_EXISTS && !json_is_true(o);
        switch (r->op) {
        case OP_EQUALS:
                return json_equal_num(v, o);
        case OP_NOT_EQUALS:
                return !json_equal_num(v, o);
        case OP_LT:
                return json_is_number(v) && json_num_cmp(v, o) < 0;
        case OP_LE:
                return json_is_number(v) && json_num_cmp(v, o) <= 0;
        case OP_GT:
                return json_is_number(v) && json_num_cmp(v, o) > 0;
        case OP_GE:
                return json_is_number(v) && json_num_cmp(v, o) >= 0;
        case OP_IN:
                return array_has(o, v);
        case OP_NOT_IN:
                return !array_has(o, v);
        case OP_MATCHES:
                return json_is_string(v) && regexec(&r->re, json_string_value(v), 0, NULL, 0) == 0;
        case OP_CONTAINS:
                if (json_is_string(v))
                        return json_is_string(o) &&
                               strstr(json_string_value(v), json_string_value(o));
                return json_is_array(v) && array_has(v, o);
        case OP_EXISTS:
                return json_is_true(o);
        case OP_EMPTY:
                return is_empty(v) == json_is_true(o);
        default:
                return false;
        }
}

struct leaf_walk {
        const struct rule *r;
        bool result;
        bool want;
        struct ectx *e;
};

static bool leaf_visit_test(void *userdata, const json_t *v, struct pbuf *pb) {
        struct leaf_walk *w = userdata;

        w->result = op_test(w->r, v);
        return w->result;
}

static bool leaf_test(const struct rule *r, const json_t *cur) {
        struct leaf_walk w = { .r = r, .result = true };

        if (r->value)
                return op_test(r, r->value);
        if (!r->path.wild)
                return op_test(r, rule_path_get(&r->path, cur));
        rule_path_walk(&r->path, cur, NULL, leaf_visit_test, &w);
        return w.result; /* true when nothing was selected */
}

/* Calls fn for each element of a quantifier: every value a wildcard path
 * selects, else the elements of the array the path names (or the value
 * itself when it is no array). Returns false when a wildcard-free path
 * does not exist. */
static bool quant_each(const struct rule *r, const json_t *cur, struct pbuf *pb,
                       path_visit_fn fn, void *userdata) {
        const json_t *v, *e;
        size_t old, i;

        if (r->path.wild) {
                rule_path_walk(&r->path, cur, pb, fn, userdata);
                return true;
        }
        v = rule_path_get(&r->path, cur);
        if (!v)
                return false;
        old = pbuf_push_path(pb, &r->path);
        if (json_is_array(v)) {
                json_array_foreach(v, i, e) {
                        size_t o2 = pbuf_push_index(pb, i);
                        bool go_on = fn(userdata, e, pb);

                        pbuf_pop(pb, o2);
                        if (!go_on)
                                break;
                }
        } else
                fn(userdata, v, pb);
        pbuf_pop(pb, old);
        return true;
}

struct quant_walk {
        const struct rule *r;
        size_t n, matched;
        bool result;
        bool want;
        bool full; /* count every element (no early stop) */
        struct ectx *e;
};

static bool quant_visit_test(void *userdata, const json_t *v, struct pbuf *pb) {
        struct quant_walk *w = userdata;
        bool ok = !w->r->sub || rule_test(w->r->sub, v);

        w->n++;
        w->matched += ok;
        switch (w->r->quant) {
        case Q_ALL:
                return (w->result = ok);
        case Q_ANY:
                return !(w->result = ok);
        case Q_NONE:
                return (w->result = !ok);
        default:
                return w->full || !(w->r->has_max && w->matched > (size_t) w->r->max);
        }
}

static bool count_ok(const struct rule *r, size_t matched) {
        return (!r->has_min || matched >= (size_t) r->min) &&
               (!r->has_max || matched <= (size_t) r->max);
}

static bool quant_test(const struct rule *r, const json_t *cur) {
        struct quant_walk w = { .r = r, .result = r->quant != Q_ANY };

        if (!quant_each(r, cur, NULL, quant_visit_test, &w))
                return false;
        return r->quant == Q_COUNT ? count_ok(r, w.matched) : w.result;
}

bool rule_test(const struct rule *r, const json_t *value) {
        switch (r->kind) {
        case RULE_ALL:
                for (size_t i = 0; i < r->n; i++)
                        if (!rule_test(r->children[i], value))
                                return false;
                return true;
        case RULE_ANY:
                for (size_t i = 0; i < r->n; i++)
                        if (rule_test(r->children[i], value))
                                return true;
                return false;
        case RULE_NOT:
                return !rule_test(r->children[0], value);
        case RULE_LEAF:
                return leaf_test(r, value);
        case RULE_QUANT:
        default:
                return quant_test(r, value);
        }
}

/* Appends one failure (copies of expected and actual; actual NULL = the
 * path is missing, reported as null). Only RULES_MAX_FAILURES are kept;
 * total counts them all. */
static void add_failure(struct ectx *e, const char *path, const char *op, bool negate,
                        const json_t *expected, const json_t *actual) {
        json_t *f;
        char opbuf[64];

        e->total++;
        if (json_array_size(e->failures) >= RULES_MAX_FAILURES)
                return;
        snprintf(opbuf, sizeof(opbuf), "%s%s", negate ? "not " : "", op);
        f = json_pack("{s:s,s:s,s:o,s:o}", "path", path, "op", opbuf, "expected",
                      expected ? json_deep_copy(expected) : json_null(), "actual",
                      actual ? json_deep_copy(actual) : json_null());
        if (f && e->subject)
                json_object_set_new(f, "subject", json_string(e->subject));
        if (!f || json_array_append_new(e->failures, f) < 0)
                e->oom = true;
}

/* Writes an element's label: literal parts as is, {field} as the field's
 * text (strings bare, other values as compact JSON, "?" when missing). */
static void render_label(const struct rule *r, const json_t *elem, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < r->n_label && len + 1 < size; i++) {
                const struct label_part *p = &r->label[i];
                const json_t *v;
                char tmp[128];
                const char *s = p->text;

                if (p->is_field) {
                        v = rule_path_get(&p->path, elem);
                        if (json_is_string(v))
                                s = json_string_value(v);
                        else if (!v || json_is_null(v))
                                s = "?";
                        else {
                                size_t k = json_dumpb(v, tmp, sizeof(tmp) - 1,
                                                      JSON_COMPACT | JSON_ENCODE_ANY);
                                tmp[k < sizeof(tmp) ? k : sizeof(tmp) - 1] = '\0';
                                s = tmp;
                        }
                }
                len += (size_t) snprintf(buf + len, size - len, "%s", s);
        }
}

static void report(const struct rule *r, const json_t *cur, struct pbuf *pb, bool want,
                   struct ectx *e);

static bool leaf_visit_report(void *userdata, const json_t *v, struct pbuf *pb) {
        struct leaf_walk *w = userdata;

        if (op_test(w->r, v) != w->want)
                add_failure(w->e, pbuf_str(pb), rule_op_names[w->r->op], !w->want, w->r->operand, v);
        return !w->e->oom;
}

static void report_leaf(const struct rule *r, const json_t *cur, struct pbuf *pb, bool want,
                        struct ectx *e) {
        struct leaf_walk w = { .r = r, .want = want, .e = e };

        if (r->value) {
                add_failure(e, r->path_text, rule_op_names[r->op], !want, r->operand, r->value);
                return;
        }
        rule_path_walk(&r->path, cur, pb, leaf_visit_report, &w);
}

/* The op and expected value a `none` failure shows for its condition. */
static const char *sub_op(const struct rule *sub, const json_t **expected) {
        if (!sub)
                return "match";
        switch (sub->kind) {
        case RULE_LEAF:
                *expected = sub->operand;
                return rule_op_names[sub->op];
        case RULE_ALL:
                return "all";
        case RULE_ANY:
                return "any";
        case RULE_NOT:
                return "not";
        default:
                return quant_names[sub->quant];
        }
}

/* Per element of a failing quantifier, sets the label as the subject and
 * reports what the element did wrong (or, under `none`, that it matched). */
static bool quant_visit_report(void *userdata, const json_t *v, struct pbuf *pb) {
        struct quant_walk *w = userdata;
        const struct rule *r = w->r;
        const char *saved = w->e->subject;
        char label[256];
        bool ok = rule_test(r->sub, v);

        if (r->n_label) {
                render_label(r, v, label, sizeof(label));
                w->e->subject = label;
        }
        if (r->quant == Q_NONE) {
                if (ok) {
                        const json_t *expected = r->desc;
                        const char *op = sub_op(r->sub, &expected);
                        add_failure(w->e, pbuf_str(pb), op, true, expected, v);
                }
        } else if (ok != w->want) {
                /* all: the elements that fail (under not: every one, as each
                 * passes); any under not: the elements that match */
                report(r->sub, v, pb, w->want, w->e);
        }
        w->e->subject = saved;
        return !w->e->oom;
}

struct label_walk {
        const struct rule *r;
        char buf[512];
        size_t len, n;
};

/* Appends the label of each element the count's `where` matches. */
static bool label_visit(void *userdata, const json_t *v, struct pbuf *pb) {
        struct label_walk *lw = userdata;
        char label[256];

        if (lw->r->sub && !rule_test(lw->r->sub, v))
                return true;
        render_label(lw->r, v, label, sizeof(label));
        if (lw->len < sizeof(lw->buf))
                lw->len += (size_t) snprintf(lw->buf + lw->len, sizeof(lw->buf) - lw->len, "%s%s",
                                             lw->n ? ", " : "", label);
        lw->n++;
        return true;
}

/* A failing count names what it counted, by the control's label:
 * "found 2 (nftables, ufw), expected at most 1". */
static void add_count_failure(const struct rule *r, const json_t *cur, struct pbuf *pb, bool want,
                              const json_t *actual, struct ectx *e) {
        struct label_walk lw = { .r = r };
        const char *saved = e->subject;
        char subject[sizeof(lw.buf) + 128];

        if (r->n_label) {
                char expect[64];

                quant_each(r, cur, NULL, label_visit, &lw);
                if (r->has_min && r->has_max && r->min == r->max)
                        snprintf(expect, sizeof(expect), "exactly %lld", (long long) r->min);
                else if (r->has_min && r->has_max)
                        snprintf(expect, sizeof(expect), "%lld to %lld", (long long) r->min, (long long) r->max);
                else if (r->has_min)
                        snprintf(expect, sizeof(expect), "at least %lld", (long long) r->min);
                else
                        snprintf(expect, sizeof(expect), "at most %lld", (long long) r->max);
                if (lw.n)
                        snprintf(subject, sizeof(subject), "found %zu (%s), expected %s", lw.n, lw.buf, expect);
                else
                        snprintf(subject, sizeof(subject), "found none, expected %s", expect);
                e->subject = subject;
        }
        add_failure(e, pbuf_str(pb), "count", !want, r->desc, actual);
        e->subject = saved;
}

static void report_quant(const struct rule *r, const json_t *cur, struct pbuf *pb, bool want,
                         struct ectx *e) {
        struct quant_walk w = { .r = r, .want = want, .e = e, .full = true };
        size_t old = pbuf_push_text(pb, r->path_text);
        bool per_element;

        /* the set itself, for aggregate failures: "listeners", "a[*].b" */
        if (!r->path.wild && !rule_path_get(&r->path, cur)) {
                add_failure(e, pbuf_str(pb), quant_names[r->quant], !want, r->desc, NULL);
                pbuf_pop(pb, old);
                return;
        }
        per_element = r->quant == Q_ALL || (r->quant == Q_ANY && !want) ||
                      (r->quant == Q_NONE && want);
        if (!per_element) {
                _cleanup_json_ json_t *actual = NULL;

                quant_each(r, cur, NULL, quant_visit_test, &w);
                actual = json_integer((json_int_t) (r->quant == Q_COUNT ? w.matched : w.n));
                if (!actual)
                        e->oom = true;
                else if (r->quant == Q_COUNT)
                        add_count_failure(r, cur, pb, want, actual, e);
                else /* any, or not none */
                        add_failure(e, pbuf_str(pb), "any", false, r->desc, actual);
                pbuf_pop(pb, old);
                return;
        }
        pbuf_pop(pb, old);
        quant_each(r, cur, pb, quant_visit_report, &w);
}

/* Adds the failures that explain why r is not `want` for cur (the caller
 * knows rule_test(r, cur) != want). Under `not` want is false and each
 * failure's op reads "not OP". */
static void report(const struct rule *r, const json_t *cur, struct pbuf *pb, bool want,
                   struct ectx *e) {
        switch (r->kind) {
        case RULE_ALL:
        case RULE_ANY:
                for (size_t i = 0; i < r->n && !e->oom; i++)
                        if (rule_test(r->children[i], cur) != want)
                                report(r->children[i], cur, pb, want, e);
                break;
        case RULE_NOT:
                report(r->children[0], cur, pb, !want, e);
                break;
        case RULE_LEAF:
                report_leaf(r, cur, pb, want, e);
                break;
        case RULE_QUANT:
        default:
                report_quant(r, cur, pb, want, e);
        }
}

const char *severity_to_string(enum severity s) {
        static const char *const names[] = { "low", "medium", "high", "critical" };
        return (unsigned) s < ELEMENTSOF(names) ? names[s] : "medium";
}

/* The fields every result starts with. NULL on OOM. */
static json_t *result_new(const struct control *c) {
        return json_pack("{s:s,s:s,s:s,s:s,s:O}", "id", c->id, "title", c->title, "probe", c->probe,
                         "severity", severity_to_string(c->severity), "criteria", c->criteria);
}

/* A value as short compact JSON for a summary line. */
static void short_json(const json_t *v, char *buf, size_t size) {
        size_t n = v ? json_dumpb(v, buf, size, JSON_COMPACT | JSON_ENCODE_ANY) : 0;

        if (!v)
                snprintf(buf, size, "nothing");
        else if (n >= size)
                snprintf(buf + size - 4, 4, "...");
        else
                buf[n] = '\0';
}

/* How a failed operator reads in a sentence: "expected at most 0". */
static const char *op_phrase(const char *op) {
        static const struct {
                const char *op, *phrase;
        } phrases[] = {
                { "equals", "expected" }, { "not_equals", "expected anything but" },
                { "lt", "expected less than" }, { "le", "expected at most" },
                { "gt", "expected more than" }, { "ge", "expected at least" },
                { "in", "expected one of" }, { "not_in", "expected none of" },
                { "matches", "expected to match" }, { "contains", "expected to contain" },
                { "exists", "expected exists:" }, { "empty", "expected empty:" },
                { "any", "expected an element matching" }, { "count", "expected a count of" },
        };
        for (size_t i = 0; op && i < ELEMENTSOF(phrases); i++)
                if (streq(op, phrases[i].op))
                        return phrases[i].phrase;
        return op && startswith(op, "not ") ? "expected not" : "expected";
}

/* One failure as a sentence: "PATH is ACTUAL, expected at most EXPECTED"
 * (or "PATH is missing"). */
static void failure_text(const json_t *f, char *buf, size_t size) {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *op = json_string_value(json_object_get(f, "op"));
        const json_t *actual = json_object_get(f, "actual");
        char exp[160], act[160];

        if (!path || !*path)
                path = "the observation";
        short_json(json_object_get(f, "expected"), exp, sizeof(exp));
        short_json(actual, act, sizeof(act));
        if (op && streq(op, "exists") && json_is_true(json_object_get(f, "expected")))
                snprintf(buf, size, "%s is missing", path);
        else if (op && startswith(op, "not "))
                snprintf(buf, size, "%s is %s, expected not %s %s", path, act, op + 4, exp);
        else
                snprintf(buf, size, "%s is %s, %s %s", path, act, op_phrase(op), exp);
}

/* The distinct labels (subjects) of the failures, in order: "A; B; C". A
 * control labels its quantifiers so that these name what is wrong ("tcp
 * port 8080 open on 0.0.0.0 (nginx)"). Returns how many there are. */
static size_t subjects_text(const json_t *failures, char *buf, size_t size, size_t max_listed) {
        size_t n = 0, i, off = 0;
        const char *listed[8];
        json_t *f;

        buf[0] = '\0';
        json_array_foreach(failures, i, f) {
                const char *s = json_string_value(json_object_get(f, "subject"));
                bool seen = false;

                if (!s)
                        continue;
                for (size_t j = 0; j < n && j < ELEMENTSOF(listed); j++)
                        seen |= streq(listed[j], s);
                if (seen)
                        continue;
                if (n < ELEMENTSOF(listed))
                        listed[n] = s;
                if (n < max_listed && off < size)
                        off += (size_t) snprintf(buf + off, size - off, "%s%s", n ? "; " : "", s);
                n++;
        }
        return n;
}

/* The one-line summary a human reads: what is wrong, not the status again.
 * Labelled failures are named by their subjects; otherwise the first
 * failing condition is spelled out. */
static int set_summary(json_t *res, const char *status, const json_t *failures, size_t total,
                       const char *why) {
        char first[512] = "", subjects[640], line[900];
        size_t n_subjects = total ? subjects_text(failures, subjects, sizeof(subjects), 3) : 0;

        if (total > 0)
                failure_text(json_array_get(failures, 0), first, sizeof(first));
        if (why)
                snprintf(line, sizeof(line), "%s", why);
        else if (n_subjects > 3)
                snprintf(line, sizeof(line), "%s (and %zu more)", subjects, n_subjects - 3);
        else if (n_subjects > 0)
                snprintf(line, sizeof(line), "%s", subjects);
        else if (total > 1)
                snprintf(line, sizeof(line), "%s (and %zu more)", first, total - 1);
        else if (total == 1)
                snprintf(line, sizeof(line), "%s", first);
        else
                snprintf(line, sizeof(line), "%s", streq(status, "pass") ? "every condition holds" : status);
        return json_object_set_new(res, "summary", json_string(line));
}

/* Adds the waiver object and, while it applies, turns the status into
 * "waived" (the real one kept as waived_status) with a summary saying so. */
static int apply_waiver(const struct control *c, json_t *res, uint64_t now) {
        const struct config_waiver *w = c->waiver;
        const char *status, *summary;
        bool expired;
        char line[1024];

        if (!w)
                return 0;
        expired = now >= w->expires_usec;
        if (json_object_set_new(res, "waiver", json_pack("{s:s,s:s,s:b}", "reason", w->reason,
                                                         "expires", w->expires, "expired",
                                                         expired)) < 0)
                return -ENOMEM;
        status = json_string_value(json_object_get(res, "status"));
        summary = json_string_value(json_object_get(res, "summary"));
        if (expired) {
                snprintf(line, sizeof(line), "%s (waiver expired %s)", summary, w->expires);
                return json_object_set_new(res, "summary", json_string(line)) < 0 ? -ENOMEM : 0;
        }
        snprintf(line, sizeof(line), "waived until %s (%s); would be %s: %s", w->expires, w->reason,
                 status, summary);
        if (json_object_set_new(res, "waived_status", json_string(status)) < 0 ||
            json_object_set_new(res, "status", json_string("waived")) < 0 ||
            json_object_set_new(res, "summary", json_string(line)) < 0)
                return -ENOMEM;
        return 0;
}

int control_evaluate(const struct control *c, const json_t *observation,
                     uint64_t now_realtime_usec, json_t **result) {
        _cleanup_json_ json_t *res = result_new(c), *na = json_array();
        struct ectx e = { .failures = json_array() };
        struct pbuf pb = { .len = 0 };
        const char *status = "pass";
        char why[600];
        bool have_why = false;

        if (!res || !e.failures || !na) {
                json_decref(e.failures);
                return -ENOMEM;
        }
        if (c->applies_when && !rule_test(c->applies_when, observation)) {
                struct ectx n = { .failures = na };

                status = "not_applicable";
                report(c->applies_when, observation, &pb, true, &n);
                if (json_array_size(na) > 0) {
                        char t[512];
                        failure_text(json_array_get(na, 0), t, sizeof(t));
                        snprintf(why, sizeof(why), "does not apply: %s", t);
                        have_why = true;
                }
        } else if (!rule_test(c->expect, observation)) {
                status = "fail";
                report(c->expect, observation, &pb, true, &e);
        }
        if (json_object_set_new(res, "status", json_string(status)) < 0 ||
            json_object_set_new(res, "failures", e.failures) < 0 ||
            (e.total > RULES_MAX_FAILURES &&
             json_object_set_new(res, "failures_truncated", json_true()) < 0) ||
            set_summary(res, status, e.failures, e.total, have_why ? why : NULL) < 0 ||
            apply_waiver(c, res, now_realtime_usec) < 0 || e.oom)
                return -ENOMEM;
        *result = TAKE_PTR(res);
        return 0;
}

json_t *control_result_error(const struct control *c, const char *reason) {
        _cleanup_json_ json_t *res = result_new(c);

        if (!res || json_object_set_new(res, "status", json_string("error")) < 0 ||
            json_object_set_new(res, "failures", json_array()) < 0 ||
            json_object_set_new(res, "error", json_string(reason ? reason : "unknown error")) < 0 ||
            set_summary(res, "error", NULL, 0, reason ? reason : "unknown error") < 0 ||
            apply_waiver(c, res, now_realtime_usec()) < 0)
                return NULL;
        return TAKE_PTR(res);
}
