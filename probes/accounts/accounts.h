/* SPDX-License-Identifier: MIT */
/* accounts probe: pure parsers over (buffer, length) for passwd(5),
 * shadow(5), group(5), login.defs(5), pwquality.conf(5) and sudoers(5),
 * each producing JSON facts (never a password hash). */
#ifndef COMPLYD_PROBE_ACCOUNTS_H
#define COMPLYD_PROBE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* passwd(5) and group(5) lines and their limits: probes/lib/passwd.h */
#define ACCT_MAX_FILE (16u << 20)   /* any one file */
#define ACCT_MAX_LINE 65536         /* a sudoers logical line */
#define ACCT_MAX_MEMBERS 10000      /* groups listed per user */
#define SUDO_MAX_DEPTH 8            /* nested @include */
#define SUDO_MAX_FILES 256
#define SUDO_MAX_RULES 10000
#define SUDO_MAX_ALIASES 4096
#define SUDO_MAX_ALIAS_DEPTH 16

/* passwd: appends {name, uid, gid, gecos, home, shell, password_field} to
 * `users` for each well-formed line; password_field is "shadowed" ("x"),
 * "empty", "locked" ("*" or starting with "!") or "hash" (a hash kept in
 * passwd itself). Returns 0 or -ENOMEM. */
int acct_parse_passwd(const char *buf, size_t len, json_t *users);

/* shadow: sets name -> {password, scheme, last_change, last_change_date,
 * min_days, max_days, warn_days, inactive_days, expire, expire_date} in
 * `shadow`; password is "set", "locked" (a hash behind '!'), "disabled"
 * ("*", "!", "!*"...: no password can match) or "none" (empty: no password
 * needed); scheme is the hash method name (yescrypt, sha512crypt, ...) or
 * null. Numbers are null when empty. Returns 0 or -ENOMEM. */
int acct_parse_shadow(const char *buf, size_t len, json_t *shadow);

/* The password state and hash scheme of a shadow password field (n bytes);
 * pure and never looks at more than the scheme prefix. */
const char *acct_password_state(const char *field, size_t n, const char **scheme);

/* group: appends {name, gid, members[]} to `groups`. 0 or -ENOMEM. */
int acct_parse_group(const char *buf, size_t len, json_t *groups);

/* login.defs / pwquality.conf: "KEY value" or "key = value" lines into
 * `out` (later lines override); values that are decimal integers become
 * JSON integers. `sep_eq`: pwquality's "key = value" syntax. 0 or -ENOMEM. */
int acct_parse_keyvalue(const char *buf, size_t len, bool sep_eq, json_t *out);

/* sudoers: file access for @include/@includedir. */
struct sudo_io {
        int (*read)(void *userdata, const char *path, char **buf, size_t *len);
        /* sorted names of the entries of a directory (NULL-terminated, malloc'ed) */
        int (*list)(void *userdata, const char *dir, char ***names);
        void *userdata;
};

/* Parsed sudoers policy: aliases, user specifications and Defaults. */
struct sudo_policy {
        json_t *files;      /* [path] in the order read */
        json_t *aliases;    /* {"User_Alias": {NAME: [members]}, ...} */
        json_t *rules;      /* [{file, line, users[], hosts, commands[], nopasswd, all_commands}] */
        json_t *no_authenticate; /* [{file, line, scope}] Defaults with !authenticate */
        json_t *errors;     /* [{file, line, message}] */
        unsigned depth;
};

int sudo_policy_init(struct sudo_policy *p);
void sudo_policy_done(struct sudo_policy *p);

/* Parses buf (len bytes) as sudoers file `path`, following #include,
 * @include, #includedir and @includedir through io (NULL: not followed,
 * an error recorded). 0 or -ENOMEM; malformed input lands in errors. */
int sudo_parse(struct sudo_policy *p, const char *path, const char *buf, size_t len,
               const struct sudo_io *io);

/* The user names and "%group" entries a user list entry stands for, with
 * User_Alias names expanded (recursively, depth-limited) and negated
 * entries dropped. A new array, NULL on ENOMEM. */
json_t *sudo_expand_users(const struct sudo_policy *p, const json_t *users);

#endif
