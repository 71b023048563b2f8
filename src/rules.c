/* SPDX-License-Identifier: MIT */
/* Compiling conditions: YAML node -> struct rule, with ${param}
 * substitution, paths parsed and regexes compiled once. Every problem is a
 * diagnostic at the offending key or value; compilation goes on to find
 * the next one. */
#include <stdarg.h>

#include "rules_internal.h"
#include "util.h"

const char *const rule_op_names[_OP_MAX] = {
        [OP_EQUALS] = "equals", [OP_NOT_EQUALS] = "not_equals", [OP_LT] = "lt",
        [OP_LE] = "le",         [OP_GT] = "gt",                 [OP_GE] = "ge",
        [OP_IN] = "in",         [OP_NOT_IN] = "not_in",         [OP_MATCHES] = "matches",
        [OP_CONTAINS] = "contains", [OP_EXISTS] = "exists",     [OP_EMPTY] = "empty",
};

const char *const quant_names[_Q_MAX] = {
        [Q_ALL] = "all", [Q_ANY] = "any", [Q_NONE] = "none", [Q_COUNT] = "count",
};

/* Keywords of a condition besides the operators. */
enum kw { KW_PATH, KW_VALUE, KW_LABEL, KW_ALL, KW_ANY, KW_NOT, KW_NONE, KW_COUNT, _KW_MAX };
static const char *const kw_names[_KW_MAX] = {
        "path", "value", "label", "all", "any", "not", "none", "count",
};

#define MAX_REGEX 4096

struct rcomp {
        const char *file;
        struct diag_list *diag;
        const json_t *params;
        bool failed;
        bool quiet; /* building a description: problems were reported already */
        bool oom;
};

static void rerr(struct rcomp *c, const struct ynode *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void rerr(struct rcomp *c, const struct ynode *n, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int k;

        c->failed = true;
        if (c->quiet)
                return;
        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0 || diag_add(c->diag, c->file, n ? n->line : 0, n ? n->col : 0, "%s", msg) < 0)
                c->oom = true;
}

static bool valid_param_name(const char *s, size_t len) {
        if (len == 0 || len > 64 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
                return false;
        for (size_t i = 1; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
                        return false;
        return true;
}

/* Looks up the parameter named by s[0..len) and reports it when unknown. */
static json_t *param_get(struct rcomp *c, const struct ynode *n, const char *s, size_t len) {
        _cleanup_free_ char *name = strndup(s, len);
        json_t *v;

        if (!name) {
                c->oom = true;
                return NULL;
        }
        if (!valid_param_name(s, len)) {
                rerr(c, n, "invalid parameter reference '${%.64s}'", name);
                return NULL;
        }
        v = json_object_get(c->params, name);
        if (!v)
                rerr(c, n, "unknown parameter '%s'", name);
        return v;
}

/* Interpolates every ${name} of a longer string (string and number
 * parameters only). Returns a new JSON string or NULL after an error. */
static json_t *interpolate(struct rcomp *c, const struct ynode *n) {
        _cleanup_free_ char *out = NULL;
        size_t outlen = 0;
        FILE *f = open_memstream(&out, &outlen);
        const char *s = n->value, *d;
        bool ok = true;

        if (!f) {
                c->oom = true;
                return NULL;
        }
        while ((d = strstr(s, "${"))) {
                const char *e = strchr(d + 2, '}');
                json_t *v;

                fwrite(s, 1, (size_t) (d - s), f);
                if (!e) {
                        rerr(c, n, "unterminated '${' in '%.100s'", n->value);
                        ok = false;
                        break;
                }
                v = param_get(c, n, d + 2, (size_t) (e - d - 2));
                if (json_is_string(v))
                        fputs(json_string_value(v), f);
                else if (json_is_integer(v))
                        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                else if (json_is_real(v))
                        fprintf(f, "%.17g", json_real_value(v));
                else {
                        if (v)
                                rerr(c, n, "parameter '%.*s' is not a string or number and "
                                     "cannot be used inside a longer string",
                                     (int) (e - d - 2), d + 2);
                        ok = false;
                }
                s = e + 1;
        }
        if (ok)
                fputs(s, f);
        if (fclose(f) != 0) {
                c->oom = true;
                return NULL;
        }
        return ok ? json_string(out) : NULL;
}

/* A scalar's JSON value with parameters substituted: exactly "${name}"
 * becomes the parameter's value (any type), "${name}" inside a longer
 * string is interpolated. NULL after an error. */
static json_t *subst_scalar(struct rcomp *c, const struct ynode *n) {
        json_t *v;

        if (!strstr(n->value, "${")) {
                v = yscalar_to_json(n);
                if (!v)
                        c->oom = true;
                return v;
        }
        if (n->len > 3 && startswith(n->value, "${") && n->value[n->len - 1] == '}' &&
            !strchr(n->value + 2, '$') && strchr(n->value, '}') == n->value + n->len - 1) {
                v = param_get(c, n, n->value + 2, n->len - 3);
                return json_incref(v);
        }
        return interpolate(c, n);
}

static json_t *subst_node(struct rcomp *c, const struct ynode *n) {
        json_t *out;

        if (!n)
                return json_null();
        if (n->type == YNODE_SCALAR)
                return subst_scalar(c, n);
        out = n->type == YNODE_MAPPING ? json_object() : json_array();
        if (!out) {
                c->oom = true;
                return NULL;
        }
        for (size_t i = 0; i < n->n; i++) {
                json_t *v = subst_node(c, n->items[i]);

                if (!v)
                        continue;
                if (n->type == YNODE_MAPPING)
                        json_object_set_new(out, n->keys[i]->value, v);
                else
                        json_array_append_new(out, v);
        }
        return out;
}

int rule_subst_json(const struct ynode *n, const char *file, const json_t *params,
                    struct diag_list *diag, json_t **ret) {
        struct rcomp c = { .file = file, .diag = diag, .params = params };
        json_t *v = subst_node(&c, n);

        if (c.oom || c.failed) {
                json_decref(v);
                return c.oom ? -ENOMEM : -EINVAL;
        }
        *ret = v;
        return 0;
}

void rule_free(struct rule *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++)
                rule_free(r->children[i]);
        free(r->children);
        rule_path_done(&r->path);
        free(r->path_text);
        json_decref(r->value);
        json_decref(r->operand);
        if (r->has_re)
                regfree(&r->re);
        rule_free(r->sub);
        for (size_t i = 0; i < r->n_label; i++) {
                free(r->label[i].text);
                rule_path_done(&r->label[i].path);
        }
        free(r->label);
        json_decref(r->desc);
        free(r);
}

static struct rule *compile_cond(struct rcomp *c, const struct ynode *n);

/* The text of a path value with parameters substituted, parsed into p. */
static bool compile_path(struct rcomp *c, const struct ynode *val, struct rule *r) {
        _cleanup_json_ json_t *s = NULL;
        char err[512];
        int k;

        if (!val || val->type != YNODE_SCALAR) {
                rerr(c, val, "'path' must be a string like listeners[*].port");
                return false;
        }
        s = subst_scalar(c, val);
        if (!s)
                return false;
        if (!json_is_string(s)) {
                rerr(c, val, "'path' must be a string like listeners[*].port");
                return false;
        }
        k = rule_path_parse(json_string_value(s), &r->path, err, sizeof(err));
        if (k == -ENOMEM)
                c->oom = true;
        if (k < 0) {
                rerr(c, val, "malformed path: %s", err);
                return false;
        }
        r->path_text = strdup(json_string_value(s));
        if (!r->path_text)
                c->oom = true;
        return true;
}

/* Checks an operator's operand (already substituted) and compiles a
 * regular expression. */
static bool check_operand(struct rcomp *c, struct rule *r, const struct ynode *val) {
        const char *op = rule_op_names[r->op];
        const json_t *v = r->operand;
        char err[256];
        int k;

        switch (r->op) {
        case OP_LT: case OP_LE: case OP_GT: case OP_GE:
                if (!json_is_number(v))
                        return rerr(c, val, "'%s' needs a number", op), false;
                break;
        case OP_IN: case OP_NOT_IN:
                if (!json_is_array(v))
                        return rerr(c, val, "'%s' needs a list of values", op), false;
                break;
        case OP_EXISTS: case OP_EMPTY:
                if (!json_is_boolean(v))
                        return rerr(c, val, "'%s' needs true or false", op), false;
                break;
        case OP_MATCHES:
                if (!json_is_string(v) || strlen(json_string_value(v)) > MAX_REGEX)
                        return rerr(c, val, "'matches' needs a regular expression (a string of "
                                    "at most %d characters)", MAX_REGEX), false;
                k = regcomp(&r->re, json_string_value(v), REG_EXTENDED | REG_NOSUB);
                if (k != 0) {
                        regerror(k, NULL, err, sizeof(err));
                        return rerr(c, val, "invalid regular expression '%.200s': %s",
                                    json_string_value(v), err), false;
                }
                r->has_re = true;
                break;
        default:
                break;
        }
        return true;
}

/* A leaf: {path|value: ..., OP: operand} or just {OP: operand}. */
static struct rule *compile_leaf(struct rcomp *c, const struct ynode *pathv,
                                 const struct ynode *valuev, int op, const struct ynode *opval) {
        struct rule *r = calloc(1, sizeof(*r));
        bool ok = true;

        if (!r) {
                c->oom = true;
                return NULL;
        }
        r->kind = RULE_LEAF;
        r->op = (enum rule_op) op;
        if (pathv)
                ok = compile_path(c, pathv, r);
        if (valuev) {
                r->value = subst_node(c, valuev);
                r->path_text = strdup(valuev->type == YNODE_SCALAR ? valuev->value : "value");
                ok = ok && r->value && r->path_text;
        }
        r->operand = subst_node(c, opval);
        if (!r->operand || !check_operand(c, r, opval))
                ok = false;
        if (!ok) {
                rule_free(r);
                return NULL;
        }
        return r;
}

/* Parses a label template "{proto} {address}:{port}" into parts; "{{" is
 * a literal brace. */
static bool compile_label(struct rcomp *c, const struct ynode *val, struct rule *r) {
        _cleanup_json_ json_t *s = val && val->type == YNODE_SCALAR ? subst_scalar(c, val) : NULL;
        const char *p;

        if (!json_is_string(s))
                return rerr(c, val, "'label' must be a string like \"{name} ({pid})\""), false;
        p = json_string_value(s);
        r->label = calloc(strlen(p) + 1, sizeof(*r->label));
        if (!r->label)
                return c->oom = true, false;
        while (*p) {
                struct label_part *part = &r->label[r->n_label];
                const char *e;
                char err[512];

                if (*p == '{' && p[1] != '{') {
                        e = strchr(p, '}');
                        if (!e)
                                return rerr(c, val, "unterminated '{' in label"), false;
                        part->is_field = true;
                        part->text = strndup(p + 1, (size_t) (e - p - 1));
                        r->n_label++;
                        if (!part->text)
                                return c->oom = true, false;
                        if (rule_path_parse(part->text, &part->path, err, sizeof(err)) < 0 ||
                            part->path.wild)
                                return rerr(c, val, "label field {%s}: %s", part->text,
                                            part->path.wild ? "no wildcards in a label" : err),
                                       false;
                        p = e + 1;
                        continue;
                }
                if (*p == '{')
                        p++; /* "{{" */
                e = p + 1 + strcspn(p + 1, "{");
                part->text = strndup(p, (size_t) (e - p));
                r->n_label++;
                if (!part->text)
                        return c->oom = true, false;
                p = e;
        }
        return true;
}

/* A non-negative integer bound of count (a parameter is allowed). */
static bool compile_bound(struct rcomp *c, const struct ynode *val, bool *has, json_int_t *out) {
        _cleanup_json_ json_t *v = NULL;

        if (!val)
                return true;
        v = val->type == YNODE_SCALAR ? subst_scalar(c, val) : NULL;
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return rerr(c, val, "count bounds must be non-negative integers"), false;
        *has = true;
        *out = json_integer_value(v);
        return true;
}

/* count: {where: cond (optional), min: N, max: N} */
static bool compile_count(struct rcomp *c, const struct ynode *val, struct rule *r) {
        const struct ynode *minv = NULL, *maxv = NULL, *where = NULL;
        bool ok = true;

        if (!val || val->type != YNODE_MAPPING)
                return rerr(c, val, "'count' needs a mapping {where: condition, min: N, max: N}"),
                       false;
        for (size_t i = 0; i < val->n; i++) {
                const char *k = val->keys[i]->value;

                if (streq(k, "where"))
                        where = val->items[i];
                else if (streq(k, "min"))
                        minv = val->items[i];
                else if (streq(k, "max"))
                        maxv = val->items[i];
                else {
                        rerr(c, val->keys[i], "unknown key '%.100s' in count (valid keys: where, min, max)", k);
                        ok = false;
                }
        }
        ok = compile_bound(c, minv, &r->has_min, &r->min) && ok;
        ok = compile_bound(c, maxv, &r->has_max, &r->max) && ok;
        if (ok && !r->has_min && !r->has_max)
                return rerr(c, val, "'count' needs 'min' or 'max'"), false;
        if (ok && r->has_min && r->has_max && r->min > r->max)
                return rerr(c, minv, "count: min is larger than max"), false;
        if (where && !(r->sub = compile_cond(c, where)))
                return false;
        r->desc = json_pack("{s:o,s:o}", "min", r->has_min ? json_integer(r->min) : json_null(),
                            "max", r->has_max ? json_integer(r->max) : json_null());
        if (!r->desc)
                c->oom = true;
        return ok && r->desc;
}

/* A quantifier {path: P, all|any|none|count: ..., label: ...}. */
static struct rule *compile_quant(struct rcomp *c, const struct ynode *pathv, enum quant q,
                                  const struct ynode *qval, const struct ynode *labelv) {
        struct rule *r = calloc(1, sizeof(*r));
        bool ok;

        if (!r) {
                c->oom = true;
                return NULL;
        }
        r->kind = RULE_QUANT;
        r->quant = q;
        ok = compile_path(c, pathv, r);
        if (labelv)
                ok = compile_label(c, labelv, r) && ok;
        if (q == Q_COUNT)
                ok = compile_count(c, qval, r) && ok;
        else if (!qval || qval->type != YNODE_MAPPING) {
                rerr(c, qval, "'%s' with a 'path' needs one condition (a mapping) that each "
                     "element is tested with", quant_names[q]);
                ok = false;
        } else {
                bool quiet = c->quiet;

                r->sub = compile_cond(c, qval);
                c->quiet = true; /* problems in qval were just reported */
                r->desc = subst_node(c, qval);
                c->quiet = quiet;
                ok = ok && r->sub && r->desc;
        }
        if (!ok) {
                rule_free(r);
                return NULL;
        }
        return r;
}

/* all: [..] / any: [..] / not: cond */
static struct rule *compile_bool(struct rcomp *c, enum kw which, const struct ynode *val) {
        struct rule *r = calloc(1, sizeof(*r));
        bool ok = true;

        if (!r) {
                c->oom = true;
                return NULL;
        }
        if (which == KW_NOT) {
                r->kind = RULE_NOT;
                r->children = calloc(1, sizeof(*r->children));
                if (r->children && (r->children[0] = compile_cond(c, val)))
                        r->n = 1;
                else
                        ok = false;
        } else if (!val || val->type != YNODE_SEQUENCE) {
                rerr(c, val, "'%s' without 'path' takes a list of conditions (to test every "
                     "element of a list, add 'path')", kw_names[which]);
                ok = false;
        } else {
                r->kind = which == KW_ALL ? RULE_ALL : RULE_ANY;
                r->children = calloc(val->n ? val->n : 1, sizeof(*r->children));
                for (size_t i = 0; r->children && i < val->n; i++)
                        if ((r->children[r->n] = compile_cond(c, val->items[i])))
                                r->n++;
                        else
                                ok = false;
                if (!r->children) {
                        c->oom = true;
                        ok = false;
                }
        }
        if (!ok) {
                rule_free(r);
                return NULL;
        }
        return r;
}

static int find_op(const char *k) {
        for (int i = 0; i < _OP_MAX; i++)
                if (streq(k, rule_op_names[i]))
                        return i;
        return -1;
}

static int find_kw(const char *k) {
        for (int i = 0; i < _KW_MAX; i++)
                if (streq(k, kw_names[i]))
                        return i;
        return -1;
}

/* The keys of one condition, sorted into keywords and the operator. */
struct cond_keys {
        const struct ynode *key[_KW_MAX], *val[_KW_MAX];
        int op;
        const struct ynode *opkey, *opval;
};

static bool classify(struct rcomp *c, const struct ynode *n, struct cond_keys *k) {
        bool ok = true;

        *k = (struct cond_keys) { .op = -1 };
        for (size_t i = 0; i < n->n; i++) {
                const struct ynode *key = n->keys[i];
                int op = find_op(key->value), kw = find_kw(key->value);

                if (op >= 0 && k->op >= 0) {
                        rerr(c, key, "only one operator per condition ('%s' and '%s'); combine "
                             "conditions with all: [...]", rule_op_names[k->op], key->value);
                        ok = false;
                } else if (op >= 0) {
                        k->op = op;
                        k->opkey = key;
                        k->opval = n->items[i];
                } else if (kw >= 0) {
                        k->key[kw] = key;
                        k->val[kw] = n->items[i];
                } else {
                        rerr(c, key, "unknown operator or key '%.100s' (valid: path, value, label, "
                             "all, any, not, none, count, equals, not_equals, lt, le, gt, ge, in, "
                             "not_in, matches, contains, exists, empty)", key->value);
                        ok = false;
                }
        }
        return ok;
}

/* Reports the first key of list present in k (after `first` if that is
 * set) as not combinable with what. Returns true when one was found. */
static bool refuse(struct rcomp *c, const struct cond_keys *k, const enum kw *list, size_t n,
                   const char *what) {
        for (size_t i = 0; i < n; i++)
                if (k->key[list[i]]) {
                        rerr(c, k->key[list[i]], "'%s' cannot be combined with %s",
                             kw_names[list[i]], what);
                        return true;
                }
        return false;
}

static struct rule *compile_with_path(struct rcomp *c, const struct cond_keys *k) {
        static const enum kw others[] = { KW_VALUE, KW_NOT };
        static const enum kw quants[] = { KW_ALL, KW_ANY, KW_NONE, KW_COUNT };
        const struct ynode *qkey = NULL;
        enum kw qkw = KW_ALL;

        if (refuse(c, k, others, ELEMENTSOF(others), "'path'"))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(quants); i++) {
                if (!k->key[quants[i]])
                        continue;
                if (qkey) {
                        rerr(c, k->key[quants[i]], "only one quantifier per condition ('%s' and '%s')",
                             kw_names[qkw], kw_names[quants[i]]);
                        return NULL;
                }
                qkey = k->key[quants[i]];
                qkw = quants[i];
        }
        if (qkey && k->op >= 0) {
                rerr(c, k->opkey, "operator '%s' cannot be combined with quantifier '%s'; put it "
                     "inside: %s: {%s: ...}", rule_op_names[k->op], kw_names[qkw], kw_names[qkw],
                     rule_op_names[k->op]);
                return NULL;
        }
        if (qkey)
                return compile_quant(c, k->val[KW_PATH],
                                     qkw == KW_ALL ? Q_ALL : qkw == KW_ANY ? Q_ANY
                                     : qkw == KW_NONE ? Q_NONE : Q_COUNT,
                                     k->val[qkw], k->val[KW_LABEL]);
        if (k->key[KW_LABEL]) {
                rerr(c, k->key[KW_LABEL], "'label' is only allowed on a quantifier (all, any, none, count)");
                return NULL;
        }
        if (k->op < 0) {
                rerr(c, k->key[KW_PATH], "condition has a 'path' but no operator or quantifier");
                return NULL;
        }
        return compile_leaf(c, k->val[KW_PATH], NULL, k->op, k->opval);
}

static struct rule *compile_without_path(struct rcomp *c, const struct ynode *n,
                                         const struct cond_keys *k) {
        static const enum kw needs_path[] = { KW_NONE, KW_COUNT, KW_LABEL };
        static const enum kw bools[] = { KW_ALL, KW_ANY, KW_NOT };
        const struct ynode *bkey = NULL;
        enum kw bkw = KW_ALL;

        for (size_t i = 0; i < ELEMENTSOF(needs_path); i++)
                if (k->key[needs_path[i]]) {
                        rerr(c, k->key[needs_path[i]], "'%s' needs a 'path'",
                             kw_names[needs_path[i]]);
                        return NULL;
                }
        if (k->key[KW_VALUE]) {
                if (refuse(c, k, bools, ELEMENTSOF(bools), "'value'"))
                        return NULL;
                if (k->op < 0) {
                        rerr(c, k->key[KW_VALUE], "condition has a 'value' but no operator");
                        return NULL;
                }
                return compile_leaf(c, NULL, k->val[KW_VALUE], k->op, k->opval);
        }
        for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
                if (!k->key[bools[i]])
                        continue;
                if (bkey) {
                        rerr(c, k->key[bools[i]], "only one of all, any, not per condition; nest "
                             "them instead");
                        return NULL;
                }
                bkey = k->key[bools[i]];
                bkw = bools[i];
        }
        if (bkey && k->op >= 0) {
                rerr(c, k->opkey, "operator '%s' cannot be combined with '%s'",
                     rule_op_names[k->op], kw_names[bkw]);
                return NULL;
        }
        if (bkey)
                return compile_bool(c, bkw, k->val[bkw]);
        if (k->op >= 0)
                return compile_leaf(c, NULL, NULL, k->op, k->opval);
        rerr(c, n, "empty condition (expected e.g. {path: x, equals: 1})");
        return NULL;
}

/* Compiles one condition mapping; NULL after reporting its problems. */
static struct rule *compile_cond(struct rcomp *c, const struct ynode *n) {
        struct cond_keys k;

        if (!n || n->type != YNODE_MAPPING) {
                rerr(c, n, "a condition must be a mapping like {path: x, equals: 1}, not %s",
                     ynode_kind(n));
                return NULL;
        }
        if (!classify(c, n, &k))
                return NULL;
        if (k.key[KW_PATH])
                return compile_with_path(c, &k);
        return compile_without_path(c, n, &k);
}

int rule_compile(const struct ynode *cond, const char *file, const json_t *params,
                 struct diag_list *diag, struct rule **ret) {
        struct rcomp c = { .file = file, .diag = diag, .params = params };
        struct rule *r = compile_cond(&c, cond);

        if (c.oom || !r || c.failed) {
                rule_free(r);
                return c.oom ? -ENOMEM : -EINVAL;
        }
        *ret = r;
        return 0;
}
