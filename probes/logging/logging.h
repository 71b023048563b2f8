/* SPDX-License-Identifier: MIT */
/* logging: the parsers (pure functions over a buffer, fuzzed) for audit
 * rules, systemd-style INI files (journald.conf, journal-upload.conf) and
 * rsyslog configuration. */
#ifndef LOGGING_H
#define LOGGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define LOG_MAX_CONFIG (1u << 20)   /* one configuration or rules file */
#define LOG_MAX_LINE 8192u          /* one (joined) line or action() statement */

/* ---- audit rules ---- */

#define AUDIT_MAX_KEYS 64u
#define AUDIT_KEY_LEN 64u

/* What a set of audit rules covers, accumulated over several files (the
 * rules.d files in order, or `auditctl -l`). */
struct audit_summary {
        unsigned rules;          /* -w, -a and -A lines */
        unsigned watches;        /* file watches (-w, or -F path= / -F dir=) */
        unsigned syscall_rules;  /* rules with -S */
        unsigned bad_lines;      /* lines that are neither rules nor known controls */
        int enabled;             /* last -e value (0, 1, 2), -1 when not set */
        uint64_t items;          /* bit i: audit_items[i] is covered */
        char keys[AUDIT_MAX_KEYS][AUDIT_KEY_LEN];
        size_t n_keys;           /* distinct -k / -F key= values, in order of appearance */
};

/* One thing a CIS audit category needs: a watched path or an audited
 * syscall. */
struct audit_item {
        const char *category;    /* identity, sudoers, logins, time_change, perm_mod, mounts, delete */
        bool syscall;            /* name is a syscall (-S), else a path (-w / -F path|dir=) */
        const char *name;
};
extern const struct audit_item audit_items[];
extern const size_t audit_n_items;
extern const char *const audit_categories[]; /* NULL-terminated, in report order */

void audit_summary_init(struct audit_summary *s);
/* Adds the rules of buf[0,len) (audit.rules syntax, also what `auditctl -l`
 * prints) to s. Never fails; garbage counts as bad_lines. */
void audit_rules_parse(const char *buf, size_t len, struct audit_summary *s);
/* The "enabled N" value of `auditctl -s` output, or -1. */
int audit_status_enabled(const char *buf, size_t len);
/* {rule_count, watch_count, syscall_rule_count, bad_lines, enabled_flag,
 * immutable, keys[], categories[{name, covered, missing[]}]}; NULL on ENOMEM. */
json_t *audit_summary_json(const struct audit_summary *s);

/* ---- systemd INI files ---- */

/* Looks up key in [section] of a systemd-style INI text (comments # and ;,
 * last assignment wins, an empty assignment resets to ""). Copies the value
 * (trimmed, at most vsize - 1 bytes) into value and its 1-based line into
 * *line. Returns 1 when found, 0 when not. */
int ini_lookup(const char *buf, size_t len, const char *section, const char *key, char *value,
               size_t vsize, unsigned *line);

/* ---- rsyslog ---- */

#define RSYSLOG_MAX_DESTS 64u

struct fwd_dest {
        char type[16];       /* "legacy" (@host / @@host), "omfwd", "omrelp" */
        char protocol[8];    /* udp, tcp, relp */
        char target[256];
        int port;            /* 514 when not given (legacy and omfwd default), 0 for omrelp unknown */
        unsigned line;       /* 1-based line where the action starts */
};

/* Finds the remote forwarding actions of an rsyslog configuration text:
 * legacy selector actions "@host[:port]" (UDP) and "@@host[:port]" (TCP),
 * with optional "(o,z9)" options and ";template", and RainerScript
 * action(type="omfwd" target=... port=... protocol=...) / type="omrelp",
 * also spread over several lines. Fills out[0, max) and *n. Returns the
 * number found (more than max are counted but not stored). */
size_t rsyslog_parse(const char *buf, size_t len, struct fwd_dest *out, size_t max, size_t *n);

#endif
