/* SPDX-License-Identifier: MIT */
/* Audit rules: what a rules file (or `auditctl -l`) covers of the CIS
 * audit categories, judged by content (watched paths, audited syscalls),
 * not by key names, which sites choose freely. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "logging.h"

#define MAX_TOKENS 128

const char *const audit_categories[] = { "identity", "sudoers", "logins", "time_change",
                                         "perm_mod", "mounts", "delete", NULL };

/* CIS Debian 12 v1.1.0 6.2.3.x (the same in CIS Ubuntu 24.04). */
const struct audit_item audit_items[] = {
        { "identity", false, "/etc/group" },      { "identity", false, "/etc/passwd" },
        { "identity", false, "/etc/gshadow" },    { "identity", false, "/etc/shadow" },
        { "identity", false, "/etc/security/opasswd" },
        { "sudoers", false, "/etc/sudoers" },     { "sudoers", false, "/etc/sudoers.d" },
        { "logins", false, "/var/log/lastlog" },  { "logins", false, "/var/run/faillock" },
        { "time_change", true, "adjtimex" },      { "time_change", true, "settimeofday" },
        { "time_change", true, "clock_settime" }, { "time_change", false, "/etc/localtime" },
        { "perm_mod", true, "chmod" },            { "perm_mod", true, "fchmod" },
        { "perm_mod", true, "fchmodat" },         { "perm_mod", true, "chown" },
        { "perm_mod", true, "fchown" },           { "perm_mod", true, "fchownat" },
        { "perm_mod", true, "lchown" },           { "perm_mod", true, "setxattr" },
        { "perm_mod", true, "lsetxattr" },        { "perm_mod", true, "fsetxattr" },
        { "perm_mod", true, "removexattr" },      { "perm_mod", true, "lremovexattr" },
        { "perm_mod", true, "fremovexattr" },
        { "mounts", true, "mount" },
        { "delete", true, "unlink" },             { "delete", true, "unlinkat" },
        { "delete", true, "rename" },             { "delete", true, "renameat" },
};
const size_t audit_n_items = ELEMENTSOF(audit_items);

void audit_summary_init(struct audit_summary *s) {
        *s = (struct audit_summary) { .enabled = -1 };
}

/* Marks the items named by name (a path, or one syscall) as covered. A
 * /var/run path also matches its /run spelling. */
static void cover(struct audit_summary *s, bool syscall, const char *name, size_t len) {
        for (size_t i = 0; i < audit_n_items; i++) {
                const char *want = audit_items[i].name;

                if (audit_items[i].syscall != syscall)
                        continue;
                if ((strlen(want) == len && memcmp(want, name, len) == 0) ||
                    (!syscall && startswith(want, "/var/run/") && len == strlen(want) - 4 &&
                     memcmp(name, want + 4, len) == 0))
                        s->items |= 1ull << i;
        }
}

/* Covers every syscall of a comma-separated -S list. */
static void cover_syscalls(struct audit_summary *s, const char *list) {
        while (*list) {
                size_t n = strcspn(list, ",");

                cover(s, true, list, n);
                list += n + (list[n] == ',');
        }
}

static void add_key(struct audit_summary *s, const char *key) {
        if (!*key || strlen(key) >= AUDIT_KEY_LEN)
                return;
        for (size_t i = 0; i < s->n_keys; i++)
                if (streq(s->keys[i], key))
                        return;
        if (s->n_keys < AUDIT_MAX_KEYS)
                snprintf(s->keys[s->n_keys++], AUDIT_KEY_LEN, "%s", key);
}

/* Strips trailing "/" of a watched directory so "/etc/sudoers.d/" matches. */
static size_t path_len(const char *p) {
        size_t n = strlen(p);

        while (n > 1 && p[n - 1] == '/')
                n--;
        return n;
}

/* One rule (tokens tok[0, n)): counts it and what it covers. */
static void parse_rule(struct audit_summary *s, char **tok, size_t n) {
        bool watch = false, sys = false;

        s->rules++;
        for (size_t i = 0; i < n; i++) {
                const char *arg = i + 1 < n ? tok[i + 1] : "";

                if (streq(tok[i], "-w") && *arg) {
                        watch = true;
                        cover(s, false, arg, path_len(arg));
                } else if (streq(tok[i], "-S") && *arg) {
                        sys = true;
                        cover_syscalls(s, arg);
                } else if (streq(tok[i], "-k"))
                        add_key(s, arg);
                else if (streq(tok[i], "-F") && startswith(arg, "key="))
                        add_key(s, arg + 4);
                else if (streq(tok[i], "-F") && (startswith(arg, "path=") || startswith(arg, "dir="))) {
                        const char *p = strchr(arg, '=') + 1;

                        watch = true;
                        cover(s, false, p, path_len(p));
                } else
                        continue;
                i++;
        }
        s->watches += watch;
        s->syscall_rules += sys;
}

/* One line, split on blanks (audit rules have no quoting). */
static void parse_line(struct audit_summary *s, char *line) {
        static const char *const controls[] = { "-D", "-b", "-f", "-r", "-i", "-c",
                                                 "--backlog_wait_time", "--loginuid-immutable",
                                                 "--reset-lost", "--reset_backlog_wait_time_actual" };
        char *tok[MAX_TOKENS], *save = NULL;
        size_t n = 0;

        for (char *t = strtok_r(line, " \t\r", &save); t && n < MAX_TOKENS;
             t = strtok_r(NULL, " \t\r", &save))
                tok[n++] = t;
        if (n == 0 || tok[0][0] == '#' || streq(tok[0], "No"))  /* "No rules" from auditctl -l */
                return;
        if (streq(tok[0], "-w") || streq(tok[0], "-a") || streq(tok[0], "-A")) {
                parse_rule(s, tok, n);
                return;
        }
        if (streq(tok[0], "-e") && n > 1) {
                s->enabled = tok[1][0] >= '0' && tok[1][0] <= '2' && !tok[1][1] ? tok[1][0] - '0'
                                                                                  : s->enabled;
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(controls); i++)
                if (streq(tok[0], controls[i]))
                        return;
        s->bad_lines++;
}

void audit_rules_parse(const char *buf, size_t len, struct audit_summary *s) {
        char line[LOG_MAX_LINE];

        if (len > LOG_MAX_CONFIG)
                len = LOG_MAX_CONFIG;
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                size_t n = (nl ? (size_t) (nl - buf) : len) - pos;

                if (n < sizeof(line)) {
                        memcpy(line, buf + pos, n);
                        line[n] = '\0';
                        if (memchr(line, '\0', n))
                                s->bad_lines++;
                        else
                                parse_line(s, line);
                } else
                        s->bad_lines++;
                pos += n + 1;
        }
}

int audit_status_enabled(const char *buf, size_t len) {
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                size_t n = (nl ? (size_t) (nl - buf) : len) - pos;

                if (n == 9 && memcmp(buf + pos, "enabled ", 8) == 0 && buf[pos + 8] >= '0' &&
                    buf[pos + 8] <= '2')
                        return buf[pos + 8] - '0';
                pos += n + 1;
        }
        return -1;
}

/* [{name, covered, missing[]}] over audit_categories. */
static json_t *categories_json(const struct audit_summary *s) {
        _cleanup_json_ json_t *arr = json_array();

        if (!arr)
                return NULL;
        for (const char *const *c = audit_categories; *c; c++) {
                json_t *missing = json_array(), *o;

                for (size_t i = 0; missing && i < audit_n_items; i++)
                        if (streq(audit_items[i].category, *c) && !(s->items & (1ull << i)))
                                json_array_append_new(missing, json_string(audit_items[i].name));
                o = missing ? json_pack("{s:s, s:b, s:o}", "name", *c, "covered",
                                        json_array_size(missing) == 0, "missing", missing)
                            : NULL;
                if (!o || json_array_append_new(arr, o) < 0)
                        return NULL;
        }
        return TAKE_PTR(arr);
}

json_t *audit_summary_json(const struct audit_summary *s) {
        json_t *keys = json_array(), *cats = categories_json(s);

        for (size_t i = 0; keys && i < s->n_keys; i++)
                json_array_append_new(keys, json_string(s->keys[i]));
        if (!keys || !cats) {
                json_decref(keys);
                json_decref(cats);
                return NULL;
        }
        return json_pack("{s:I, s:I, s:I, s:I, s:o, s:b, s:o, s:o}", "rule_count",
                         (json_int_t) s->rules, "watch_count", (json_int_t) s->watches,
                         "syscall_rule_count", (json_int_t) s->syscall_rules, "bad_lines",
                         (json_int_t) s->bad_lines, "enabled_flag",
                         s->enabled < 0 ? json_null() : json_integer(s->enabled), "immutable",
                         s->enabled == 2, "keys", keys, "categories", cats);
}
