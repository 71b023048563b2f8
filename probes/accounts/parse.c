/* SPDX-License-Identifier: MIT */
/* passwd, shadow, group, login.defs and pwquality.conf parsers. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "cleanup.h"

#define MAX_FIELDS 9

/* Splits one line [l, l+n) at ':' into at most max fields (pointers and
 * lengths); returns the field count. */
static size_t split_colon(const char *l, size_t n, const char **f, size_t *fl, size_t max) {
        size_t k = 0;
        const char *end = l + n;

        while (k < max) {
                const char *c = memchr(l, ':', (size_t) (end - l));
                f[k] = l;
                fl[k] = (size_t) ((c ? c : end) - l);
                k++;
                if (!c)
                        break;
                l = c + 1;
        }
        return k;
}

/* A decimal number field: >= 0, or -1 when empty or not a number. */
static long long field_num(const char *s, size_t n) {
        long long v = 0;

        if (n == 0 || n > 18)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

static json_t *num_or_null(long long v) { return v < 0 ? json_null() : json_integer(v); }

/* Days since the epoch as "YYYY-MM-DD", or null. */
static json_t *date_or_null(long long days) {
        char buf[32];
        struct tm tm;
        time_t t;

        if (days < 0 || days > 3000000)
                return json_null();
        t = (time_t) days * 86400;
        if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d", &tm))
                return json_null();
        return json_string(buf);
}

/* Calls fn on every line no longer than ACCT_MAX_LINE that is not empty
 * or a comment, at most ACCT_MAX_LINES times; stops at fn's error. */
static int each_line(const char *buf, size_t len, int (*fn)(const char *, size_t, void *),
                     void *userdata) {
        const char *p = buf, *end = buf + len;
        size_t count = 0;

        while (p < end && count < ACCT_MAX_LINES) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);

                if (n > 0 && p[n - 1] == '\r')
                        n--;
                if (n > 0 && n <= ACCT_MAX_LINE && p[0] != '#' && !memchr(p, '\0', n)) {
                        int r = fn(p, n, userdata);
                        if (r < 0)
                                return r;
                        count += r > 0;
                }
                p += (size_t) ((nl ? nl + 1 : end) - p);
        }
        return 0;
}

/* A JSON string of n bytes that are valid UTF-8, else with each invalid
 * byte replaced by '?'. NULL on ENOMEM. */
static json_t *str(const char *s, size_t n) {
        json_t *j = json_stringn(s, n);
        _cleanup_free_ char *copy = NULL;

        if (j)
                return j;
        if (!(copy = malloc(n + 1)))
                return NULL;
        for (size_t i = 0; i < n; i++)
                copy[i] = (unsigned char) s[i] < 0x80 ? s[i] : '?';
        return json_stringn(copy, n);
}

/* Whether s is valid UTF-8 (jansson's test; false on ENOMEM too). */
static bool utf8_ok(const char *s) {
        json_t *j = json_string(s);

        json_decref(j);
        return j != NULL;
}

static const char *passwd_field_kind(const char *f, size_t n) {
        if (n == 1 && f[0] == 'x')
                return "shadowed";
        if (n == 0)
                return "empty";
        if (f[0] == '*' || f[0] == '!')
                return "locked";
        return "hash";
}

static int passwd_line(const char *l, size_t n, void *userdata) {
        const char *f[MAX_FIELDS];
        size_t fl[MAX_FIELDS];
        long long uid, gid;
        json_t *o;

        if (split_colon(l, n, f, fl, 8) != 7 || fl[0] == 0 || l[0] == '+' || l[0] == '-')
                return 0;
        uid = field_num(f[2], fl[2]);
        gid = field_num(f[3], fl[3]);
        if (uid < 0 || uid > UINT32_MAX || gid < 0 || gid > UINT32_MAX)
                return 0;
        o = json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:s}", "name", str(f[0], fl[0]), "uid",
                      (json_int_t) uid, "gid", (json_int_t) gid, "gecos", str(f[4], fl[4]),
                      "home", str(f[5], fl[5]), "shell", str(f[6], fl[6]), "password_field",
                      passwd_field_kind(f[1], fl[1]));
        if (!o || json_array_append_new(userdata, o) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_passwd(const char *buf, size_t len, json_t *users) {
        return each_line(buf, len, passwd_line, users);
}

/* crypt(5) method prefixes and their names. */
static const struct {
        const char *prefix, *name;
} schemes[] = {
        { "$y$", "yescrypt" },     { "$gy$", "gost-yescrypt" }, { "$7$", "scrypt" },
        { "$2b$", "bcrypt" },      { "$2a$", "bcrypt" },        { "$2y$", "bcrypt" },
        { "$2x$", "bcrypt" },      { "$6$", "sha512crypt" },    { "$5$", "sha256crypt" },
        { "$sha1$", "sha1crypt" }, { "$md5", "sunmd5" },        { "$1$", "md5crypt" },
        { "_", "bsdicrypt" },
};

const char *acct_password_state(const char *field, size_t n, const char **scheme) {
        const char *h = field;
        size_t hn = n;

        *scheme = NULL;
        if (n == 0)
                return "none";
        while (hn > 0 && *h == '!') {
                h++;
                hn--;
        }
        for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
                size_t pl = strlen(schemes[i].prefix);
                if (hn > pl && strncmp(h, schemes[i].prefix, pl) == 0)
                        *scheme = schemes[i].name;
        }
        if (!*scheme && hn == 13 && strspn(h, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "abcdefghijklmnopqrstuvwxyz") >= 13)
                *scheme = "descrypt";
        if (!*scheme)
                return "disabled";
        return h == field ? "set" : "locked";
}

static int shadow_line(const char *l, size_t n, void *userdata) {
        const char *f[MAX_FIELDS], *scheme, *state;
        size_t fl[MAX_FIELDS];
        _cleanup_free_ char *name = NULL;
        long long last, expire;
        json_t *o;

        if (split_colon(l, n, f, fl, 9) != 9 || fl[0] == 0)
                return 0;
        if (!(name = strndup(f[0], fl[0])))
                return -ENOMEM;
        /* an invalid UTF-8 name or a duplicate is skipped: first wins */
        if (!utf8_ok(name) || json_object_get(userdata, name))
                return 0;
        state = acct_password_state(f[1], fl[1], &scheme);
        last = field_num(f[2], fl[2]);
        expire = field_num(f[7], fl[7]);
        o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "password", state,
                      "scheme", scheme ? json_string(scheme) : json_null(), "last_change",
                      num_or_null(last), "last_change_date",
                      last > 0 ? date_or_null(last) : json_null(), "min_days",
                      num_or_null(field_num(f[3], fl[3])), "max_days",
                      num_or_null(field_num(f[4], fl[4])), "warn_days",
                      num_or_null(field_num(f[5], fl[5])), "inactive_days",
                      num_or_null(field_num(f[6], fl[6])), "expire", num_or_null(expire),
                      "expire_date", date_or_null(expire));
        if (!o || json_object_set_new(userdata, name, o) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_shadow(const char *buf, size_t len, json_t *shadow) {
        return each_line(buf, len, shadow_line, shadow);
}

static int group_line(const char *l, size_t n, void *userdata) {
        const char *f[MAX_FIELDS];
        size_t fl[MAX_FIELDS], count = 0;
        long long gid;
        json_t *members, *o;

        if (split_colon(l, n, f, fl, 5) != 4 || fl[0] == 0 || l[0] == '+' || l[0] == '-')
                return 0;
        if ((gid = field_num(f[2], fl[2])) < 0 || gid > UINT32_MAX)
                return 0;
        if (!(members = json_array()))
                return -ENOMEM;
        for (const char *m = f[3], *end = f[3] + fl[3]; m < end && count < ACCT_MAX_MEMBERS;) {
                const char *c = memchr(m, ',', (size_t) (end - m));
                size_t k = (size_t) ((c ? c : end) - m);
                if (k && json_array_append_new(members, str(m, k)) < 0)
                        return json_decref(members), -ENOMEM;
                count++;
                m += k + 1;
        }
        o = json_pack("{s:o, s:I, s:o}", "name", str(f[0], fl[0]), "gid", (json_int_t) gid,
                      "members", members);
        if (!o || json_array_append_new(userdata, o) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_group(const char *buf, size_t len, json_t *groups) {
        return each_line(buf, len, group_line, groups);
}

struct kv_state {
        json_t *out;
        bool sep_eq;
};

/* An optional '-' and 1 to 18 digits, as *v. */
static bool parse_int(const char *s, size_t n, long long *v) {
        bool neg = n > 0 && s[0] == '-';
        long long x = field_num(s + neg, n - neg);

        if (x < 0)
                return false;
        *v = neg ? -x : x;
        return true;
}

/* "KEY value" (login.defs) or "key = value" (pwquality.conf; a key alone,
 * like "enforce_for_root", is true). */
static int kv_line(const char *l, size_t n, void *userdata) {
        struct kv_state *st = userdata;
        const char *end = l + n, *k, *v;
        size_t kl, vl;
        _cleanup_free_ char *key = NULL;
        long long num;
        json_t *val;

        while (l < end && (*l == ' ' || *l == '\t'))
                l++;
        if (l == end || *l == '#')
                return 0;
        k = l;
        while (l < end && *l != ' ' && *l != '\t' && *l != '=')
                l++;
        kl = (size_t) (l - k);
        while (l < end && (*l == ' ' || *l == '\t' || (st->sep_eq && *l == '=')))
                l++;
        v = l;
        vl = (size_t) (end - v);
        while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
        if (kl == 0 || kl > 64)
                return 0;
        if (!(key = strndup(k, kl)))
                return -ENOMEM;
        if (!utf8_ok(key))
                return 0;
        if (!st->sep_eq && vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
        }
        /* login.defs reads numbers with strtol(base 0): "022" is octal,
         * kept as written */
        if (parse_int(v, vl, &num) && (st->sep_eq || vl == 1 || v[0] != '0'))
                val = json_integer(num);
        else if (vl == 0 && st->sep_eq)
                val = json_true();
        else
                val = str(v, vl);
        if (!val || json_object_set_new(st->out, key, val) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_keyvalue(const char *buf, size_t len, bool sep_eq, json_t *out) {
        struct kv_state st = { out, sep_eq };
        return each_line(buf, len, kv_line, &st);
}
