/* SPDX-License-Identifier: MIT */
/* passwd, shadow, group, login.defs and pwquality.conf as JSON facts. The
 * lines and fields are read by probes/lib/passwd.h, the parser every probe
 * shares. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "cleanup.h"
#include "json_build.h"
#include "passwd.h"

#define SHADOW_FIELDS 9

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

/* A field as a JSON string, invalid UTF-8 '?'-replaced; NULL on ENOMEM. */
static json_t *str(struct passwd_str f) { return lossy_string_json(f.s, f.n); }

static const char *passwd_field_kind(const char *f, size_t n) {
        if (n == 1 && f[0] == 'x')
                return "shadowed";
        if (n == 0)
                return "empty";
        if (f[0] == '*' || f[0] == '!')
                return "locked";
        return "hash";
}

/* One passwd entry as {name, uid, gid, gecos, home, shell,
 * password_field}; NULL on ENOMEM. */
static json_t *user_json(const struct passwd_entry *e) {
        return json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:s}", "name", str(e->name), "uid",
                         (json_int_t) e->id, "gid", (json_int_t) e->gid, "gecos", str(e->gecos),
                         "home", str(e->home), "shell", str(e->shell), "password_field",
                         passwd_field_kind(e->password.s, e->password.n));
}

/* One group entry as {name, gid, members[]}; NULL on ENOMEM. */
static json_t *group_json(const struct passwd_entry *e) {
        struct passwd_member_iter it = { 0 };
        struct passwd_str m;
        json_t *members = json_array();

        if (!members)
                return NULL;
        while (passwd_member_next(e, &it, &m))
                if (json_array_append_new(members, str(m)) < 0)
                        return json_decref(members), NULL;
        return json_pack("{s:o, s:I, s:o}", "name", str(e->name), "gid", (json_int_t) e->gid,
                         "members", members);
}

/* Appends to out one JSON object per entry of the fmt text buf, made by
 * fn. 0 or -ENOMEM. */
static int parse_entries(const char *buf, size_t len, enum passwd_format fmt,
                         json_t *(*fn)(const struct passwd_entry *), json_t *out) {
        _cleanup_(passwd_table_done) struct passwd_table t = { 0 };

        if (passwd_table_parse(&t, fmt, buf, len) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t.n_entries; i++)
                if (json_array_append_new(out, fn(&t.entries[i])) < 0)
                        return -ENOMEM;
        return 0;
}

int acct_parse_passwd(const char *buf, size_t len, json_t *users) {
        return parse_entries(buf, len, PASSWD_FORMAT_PASSWD, user_json, users);
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
        struct passwd_str f[SHADOW_FIELDS];
        const char *scheme, *state;
        _cleanup_free_ char *name = NULL;
        long long last, expire;
        json_t *o;

        if (passwd_split(l, n, f, SHADOW_FIELDS) != SHADOW_FIELDS || f[0].n == 0)
                return 0;
        if (!(name = strndup(f[0].s, f[0].n)))
                return -ENOMEM;
        /* an invalid UTF-8 name or a duplicate is skipped: first wins */
        if (!utf8_valid(name) || json_object_get(userdata, name))
                return 0;
        state = acct_password_state(f[1].s, f[1].n, &scheme);
        last = passwd_field_num(f[2]);
        expire = passwd_field_num(f[7]);
        o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "password", state,
                      "scheme", scheme ? json_string(scheme) : json_null(), "last_change",
                      num_or_null(last), "last_change_date",
                      last > 0 ? date_or_null(last) : json_null(), "min_days",
                      num_or_null(passwd_field_num(f[3])), "max_days",
                      num_or_null(passwd_field_num(f[4])), "warn_days",
                      num_or_null(passwd_field_num(f[5])), "inactive_days",
                      num_or_null(passwd_field_num(f[6])), "expire", num_or_null(expire),
                      "expire_date", date_or_null(expire));
        if (!o || json_object_set_new(userdata, name, o) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_shadow(const char *buf, size_t len, json_t *shadow) {
        return passwd_each_line(buf, len, shadow_line, shadow);
}

int acct_parse_group(const char *buf, size_t len, json_t *groups) {
        return parse_entries(buf, len, PASSWD_FORMAT_GROUP, group_json, groups);
}

struct kv_state {
        json_t *out;
        bool sep_eq;
};

/* An optional '-' and 1 to 18 digits, as *v. */
static bool parse_int(const char *s, size_t n, long long *v) {
        bool neg = n > 0 && s[0] == '-';
        long long x = passwd_field_num((struct passwd_str) { s + neg, n - neg });

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
        if (!utf8_valid(key))
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
                val = lossy_string_json(v, vl);
        if (!val || json_object_set_new(st->out, key, val) < 0)
                return -ENOMEM;
        return 1;
}

int acct_parse_keyvalue(const char *buf, size_t len, bool sep_eq, json_t *out) {
        struct kv_state st = { out, sep_eq };
        return passwd_each_line(buf, len, kv_line, &st);
}
