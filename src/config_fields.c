/* SPDX-License-Identifier: MIT */
/* Typed value parsers for complyd.yaml and the generic mapping walker;
 * also the size and expiry formats. */
#include <stdarg.h>
#include <time.h>

#include "config_fields.h"
#include "util.h"

#define KIB 1024ULL
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * 1024 * 1024)

void cf_error(struct cparse *p, const struct ynode *n, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int k;

        p->failed = true;
        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0 || diag_add(p->diag, p->file, n ? n->line : 0, n ? n->col : 0, "%s", msg) < 0)
                p->oom = true;
}


/* The text of a scalar value, or NULL after reporting what is wrong. */
const char *cf_scalar_text(struct cparse *p, const struct ynode *key, const struct ynode *val) {
        if (!val || yscalar_is_null(val)) {
                cf_error(p, val ? val : key, "'%s' needs a value", key->value);
                return NULL;
        }
        if (val->type != YNODE_SCALAR) {
                cf_error(p, val, "'%s' must be a single value, not %s", key->value, ynode_kind(val));
                return NULL;
        }
        if (strlen(val->value) != val->len) {
                cf_error(p, val, "'%s' contains a NUL character", key->value);
                return NULL;
        }
        return val->value;
}

static void cf_set_string(struct cparse *p, char **dst, const char *s) {
        char *copy = strdup(s);

        if (!copy) {
                p->oom = true;
                return;
        }
        free(*dst);
        *dst = copy;
}

void cf_parse_str(struct cparse *p, const struct field *f, const struct ynode *key,
                      const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);

        if (s)
                cf_set_string(p, AT(base, f->off, char *), s);
}

static bool is_abspath(const char *s) {
        return s[0] == '/' && strlen(s) < 4096;
}

void cf_parse_abspath(struct cparse *p, const struct field *f, const struct ynode *key,
                          const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);

        if (!s)
                return;
        if (!is_abspath(s))
                return cf_error(p, val, "'%s' must be an absolute path, not '%s'", key->value, s);
        cf_set_string(p, AT(base, f->off, char *), s);
}

/* A list of absolute paths (a single path is accepted as a list of one),
 * replacing the default list. */
void cf_parse_abspaths(struct cparse *p, const struct field *f, const struct ynode *key,
                           const struct ynode *val, void *base) {
        char ***dst = AT(base, f->off, char **);
        const struct ynode *const *items = &val;
        size_t n = 1;
        char **v;

        if (val && val->type == YNODE_SEQUENCE) {
                items = (const struct ynode *const *) val->items;
                n = val->n;
        } else if (!val || yscalar_is_null(val))
                n = 0;
        v = calloc(n + 1, sizeof(char *));
        if (!v) {
                p->oom = true;
                return;
        }
        for (size_t i = 0, j = 0; i < n; i++) {
                const char *s = cf_scalar_text(p, key, items[i]);

                if (!s)
                        continue;
                if (!is_abspath(s)) {
                        cf_error(p, items[i], "'%s' must list absolute paths, not '%s'", key->value, s);
                        continue;
                }
                if (!(v[j++] = strdup(s)))
                        p->oom = true;
        }
        strv_free(*dst);
        *dst = v;
}

void cf_parse_duration_f(struct cparse *p, const struct field *f, const struct ynode *key,
                             const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);
        char lo[32], hi[32];
        uint64_t usec;

        if (!s)
                return;
        if (f->min == 0 && (streq(s, "off") || streq(s, "0") || streq(s, "false"))) {
                *AT(base, f->off, uint64_t) = 0;
                return;
        }
        if (parse_duration(s, &usec) < 0)
                return cf_error(p, val, "'%s': invalid duration '%s' (use e.g. 30s, 15m, 6h, 1d)",
                            key->value, s);
        if (usec < f->min || (f->max && usec > f->max))
                return cf_error(p, val, "'%s': %s is out of range (%s to %s)", key->value, s,
                            format_duration(f->min, lo, sizeof(lo)),
                            format_duration(f->max, hi, sizeof(hi)));
        *AT(base, f->off, uint64_t) = usec;
}

void cf_parse_size_f(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);
        uint64_t bytes;

        if (!s)
                return;
        if (parse_size(s, &bytes) < 0)
                return cf_error(p, val, "'%s': invalid size '%s' (use e.g. 1048576, 512KiB, 1MiB)",
                            key->value, s);
        if (bytes < f->min || (f->max && bytes > f->max))
                return cf_error(p, val, "'%s': %s is out of range (%llu to %llu bytes)", key->value, s,
                            (unsigned long long) f->min, (unsigned long long) f->max);
        *AT(base, f->off, uint64_t) = bytes;
}

void cf_parse_bool_f(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        bool b;

        if (!val || yscalar_bool(val, &b) < 0)
                return cf_error(p, val ? val : key, "'%s' must be true or false", key->value);
        *AT(base, f->off, bool) = b;
}

void cf_parse_uint_f(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        _cleanup_json_ json_t *j = val && val->type == YNODE_SCALAR ? yscalar_to_json(val) : NULL;

        if (!json_is_integer(j) || json_integer_value(j) < (json_int_t) f->min ||
            json_integer_value(j) > (json_int_t) f->max)
                return cf_error(p, val ? val : key, "'%s' must be an integer from %llu to %llu",
                            key->value, (unsigned long long) f->min, (unsigned long long) f->max);
        *AT(base, f->off, unsigned) = (unsigned) json_integer_value(j);
}

void cf_parse_https(struct cparse *p, const struct field *f, const struct ynode *key,
                        const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);

        if (!s)
                return;
        if (strncasecmp(s, "https://", 8) != 0 || !s[8] || strpbrk(s, " \t\r\n"))
                return cf_error(p, val, "'%s' must be an https:// URL, not '%s'", key->value, s);
        cf_set_string(p, AT(base, f->off, char *), s);
}

void cf_parse_enum(struct cparse *p, const struct field *f, const struct ynode *key,
                       const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);
        char valid[256] = "";

        if (!s)
                return;
        for (int i = 0; f->names[i]; i++) {
                if (streq(s, f->names[i])) {
                        *AT(base, f->off, int) = i;
                        return;
                }
                snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
                         i ? ", " : "", f->names[i]);
        }
        cf_error(p, val, "'%s': unknown value '%s' (valid: %s)", key->value, s, valid);
}

/* User names as useradd accepts them: [a-z_][a-z0-9_-]*, at most 32. */
void cf_parse_user(struct cparse *p, const struct field *f, const struct ynode *key,
                       const struct ynode *val, void *base) {
        const char *s = cf_scalar_text(p, key, val);

        if (!s)
                return;
        if (strlen(s) > 32 || !strchr("abcdefghijklmnopqrstuvwxyz_", s[0]) ||
            s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-")])
                return cf_error(p, val, "'%s': '%s' is not a valid user name", key->value, s);
        cf_set_string(p, AT(base, f->off, char *), s);
}

/* A JSON object (params): stored at off, its node at has_off - 1. */
void cf_parse_params(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        json_t *j;

        if (!val || yscalar_is_null(val))
                return;
        if (val->type != YNODE_MAPPING)
                return cf_error(p, val, "'%s' must be a mapping of names to values", key->value);
        j = ynode_to_json(val);
        if (!j) {
                p->oom = true;
                return;
        }
        json_decref(*AT(base, f->off, json_t *));
        *AT(base, f->off, json_t *) = j;
        *AT(base, f->has_off - 1, const struct ynode *) = val;
}

void cf_parse_section(struct cparse *p, const struct field *f, const struct ynode *key,
                          const struct ynode *val, void *base) {
        cf_parse_map(p, val, key, f->sub, f->where, (char *) base + f->off);
}

/* Parses a mapping node with a key table into base. A null node (a key
 * with nothing below it) leaves the defaults. Unknown keys are reported
 * with the valid ones; a key's has_off flag is set once it is seen. */
void cf_parse_map(struct cparse *p, const struct ynode *node, const struct ynode *at,
                      const struct field *fields, const char *where, void *base) {
        if (!node || yscalar_is_null(node))
                return;
        if (node->type != YNODE_MAPPING)
                return cf_error(p, node, "%s must be a mapping, not %s", where, ynode_kind(node));
        for (size_t i = 0; i < node->n; i++) {
                const struct ynode *key = node->keys[i];
                const struct field *f = fields;

                while (f->key && !(key->len == strlen(f->key) && streq(key->value, f->key)))
                        f++;
                if (!f->key) {
                        char valid[512] = "";

                        for (f = fields; f->key; f++)
                                snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid),
                                         "%s%s", f == fields ? "" : ", ", f->key);
                        cf_error(p, key, "unknown key '%.100s' in %s (valid keys: %s)", key->value,
                             where, valid);
                        continue;
                }
                f->parse(p, f, key, node->items[i], base);
                if (f->has_off && f->parse != cf_parse_params)
                        *AT(base, f->has_off - 1, bool) = true;
        }
        (void) at;
}

int parse_size(const char *s, uint64_t *bytes) {
        static const struct {
                const char *suffix;
                uint64_t mult;
        } units[] = { { "", 1 }, { "B", 1 }, { "KiB", KIB }, { "MiB", MIB }, { "GiB", GIB } };
        unsigned long long n;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        n = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (streq(end, units[i].suffix)) {
                        if (n > UINT64_MAX / units[i].mult)
                                return -ERANGE;
                        *bytes = n * units[i].mult;
                        return 0;
                }
        return -EINVAL;
}

/* Builds a UTC time from its fields, refusing out-of-range ones (31 Feb). */
static int utc_time(int y, int mo, int d, int h, int mi, int s, time_t *t) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                         .tm_hour = h, .tm_min = mi, .tm_sec = s };
        time_t v;

        if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
            s > 60)
                return -EINVAL;
        v = timegm(&tm);
        if (v == (time_t) -1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
                return -EINVAL;
        *t = v;
        return 0;
}

int parse_expiry(const char *s, uint64_t *usec) {
        int y, mo, d, h, mi, sec, n = 0, oh, om;
        const char *p;
        time_t t;

        if (!s)
                return -EINVAL;
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10 && !s[10]) {
                if (utc_time(y, mo, d, 0, 0, 0, &t) < 0)
                        return -EINVAL;
                *usec = ((uint64_t) t + 86400) * USEC_PER_SEC; /* through that whole day */
                return 0;
        }
        if (strlen(s) < 20 || !strchr("Tt", s[10]) ||
            sscanf(s, "%4d-%2d-%2d%*1[Tt]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
            n != 19 || utc_time(y, mo, d, h, mi, sec, &t) < 0)
                return -EINVAL;
        p = s + 19;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if ((*p == 'Z' || *p == 'z') && !p[1]) {
                *usec = (uint64_t) t * USEC_PER_SEC;
                return 0;
        }
        if ((*p != '+' && *p != '-') || strlen(p) != 6 || sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 ||
            p[3] != ':' || oh > 23 || om > 59)
                return -EINVAL;
        t += (*p == '+' ? -1 : 1) * (oh * 3600 + om * 60);
        if (t < 0)
                return -EINVAL;
        *usec = (uint64_t) t * USEC_PER_SEC;
        return 0;
}
