/* SPDX-License-Identifier: MIT */
/* The one parser of passwd(5) and group(5) texts, shared by the accounts,
 * file_permissions and open_ports probes: a buffer becomes a table of
 * entries in file order (fields point into the buffer), with a by-id index
 * for uid/gid -> name look-ups. Pure: no file access, no allocation but the
 * table's own arrays. Also exports the line rules that shadow(5) and
 * login.defs(5) readers share with it. */
#ifndef COMPLYD_PASSWD_H
#define COMPLYD_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWD_MAX_FILE (16u << 20)  /* what a caller reads of one file */
#define PASSWD_MAX_ENTRIES 200000    /* entries kept per file */
#define PASSWD_MAX_LINE 65536        /* longer lines are skipped */
#define PASSWD_MAX_MEMBERS 10000     /* member-list items looked at per group */

/* Bytes of the parsed buffer: not NUL-terminated, may be invalid UTF-8,
 * never hold '\0', ':' or '\n'. */
struct passwd_str {
        const char *s;
        size_t n;
};

enum passwd_format {
        PASSWD_FORMAT_PASSWD, /* name:password:uid:gid:gecos:home:shell */
        PASSWD_FORMAT_GROUP,  /* name:password:gid:member,member,... */
};

struct passwd_entry {
        struct passwd_str name;     /* never empty */
        struct passwd_str password; /* the second field as written */
        uint32_t id;                /* the uid, or a group's gid */
        uint32_t gid;               /* a user's primary gid; a group's gid */
        struct passwd_str gecos, home, shell; /* passwd only, else "" */
        struct passwd_str members;  /* group only: "a,b,c" as written, else "" */
};

struct passwd_id {
        uint32_t id;
        uint32_t entry;             /* index into entries */
};

/* Entries point into the parsed buffer, which must outlive the table. */
struct passwd_table {
        struct passwd_entry *entries; /* in file order */
        size_t n_entries;
        struct passwd_id *by_id;    /* the first entry of each id, sorted by id */
        size_t n_ids;
};

/* Parses buf (len bytes) as a passwd(5) or group(5) text into *t (which it
 * initializes). A line is kept when it has exactly the format's field
 * count, a non-empty name, decimal ids up to 2^32-1 and no NIS "+"/"-"
 * prefix; comments, empty lines, lines with '\0' and lines longer than
 * PASSWD_MAX_LINE are skipped, a trailing '\r' dropped, and at most
 * PASSWD_MAX_ENTRIES kept. Returns 0, or -ENOMEM with *t untouched. */
int passwd_table_parse(struct passwd_table *t, enum passwd_format fmt, const char *buf,
                       size_t len);

/* Frees the table's arrays (not the buffer); accepts a zeroed table. */
void passwd_table_done(struct passwd_table *t);

/* The first entry in file order with this uid (gid for a group table), as
 * getpwuid()/getgrgid() answer; NULL when there is none. */
const struct passwd_entry *passwd_table_find(const struct passwd_table *t, uint32_t id);

/* Position in a group's member list; start zeroed. */
struct passwd_member_iter {
        size_t pos;
        unsigned count;
};

/* The next non-empty member name of group entry g in *m: true, or false at
 * the end of the list or after PASSWD_MAX_MEMBERS items. */
bool passwd_member_next(const struct passwd_entry *g, struct passwd_member_iter *it,
                        struct passwd_str *m);

/* The line rules of the shadow suite's files (passwd, group, shadow,
 * login.defs): calls fn(line, n, userdata) on each line no longer than
 * PASSWD_MAX_LINE that is not empty, not a '#' comment and holds no '\0',
 * without its '\n' or trailing '\r'; stops after PASSWD_MAX_ENTRIES calls
 * that returned > 0, or at fn's negative return, which it returns. Else 0. */
typedef int (*passwd_line_fn)(const char *line, size_t n, void *userdata);
int passwd_each_line(const char *buf, size_t len, passwd_line_fn fn, void *userdata);

/* Splits line [l, l+n) at ':' into its first max fields, each ending at
 * the next ':'. Returns how many there are, at most max (so max means
 * "max or more"). */
size_t passwd_split(const char *l, size_t n, struct passwd_str *f, size_t max);

/* A decimal field of 1 to 18 digits as a number >= 0; -1 otherwise. */
long long passwd_field_num(struct passwd_str f);

#endif
