/* SPDX-License-Identifier: MIT */
/* The table-driven loader behind config.c: a mapping is parsed with a
 * table of keys (key, parser, offset into a struct); every parser reports
 * at the offending key or value and the load goes on. Internal to the
 * config loader. */
#ifndef COMPLYD_CONFIG_FIELDS_H
#define COMPLYD_CONFIG_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct cparse {
        const char *file;
        struct diag_list *diag;
        bool failed;
        bool oom;
};

struct field;
typedef void (*field_fn)(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base);

/* One key of a mapping: its parser stores into base + off. */
struct field {
        const char *key;
        field_fn parse;
        size_t off;
        size_t has_off;                 /* offset + 1 of a bool set when the key is given */
        uint64_t min, max;              /* numbers, durations, sizes (max 0 = none) */
        const char *const *names;       /* enum spellings, index = value */
        const struct field *sub;        /* nested section */
        const char *where;              /* nested section's name for messages */
};

#define AT(base, off, type) ((type *) ((char *) (base) + (off)))
#define HAS(type, member) (offsetof(type, member) + 1)

/* Adds a diagnostic at n (NULL: the whole file) and marks the load failed. */
void cf_error(struct cparse *p, const struct ynode *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The text of a scalar value, or NULL after reporting what is wrong. */
const char *cf_scalar_text(struct cparse *p, const struct ynode *key, const struct ynode *val);

/* Field parsers: each stores into base + f->off. */
void cf_parse_str(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_abspath(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_abspaths(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_duration_f(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_size_f(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_bool_f(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_uint_f(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_https(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_enum(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_user(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_params(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);
void cf_parse_section(struct cparse *p, const struct field *f, const struct ynode *key, const struct ynode *val, void *base);

/* Parses a mapping node with a key table into base (see config_fields.c). */
void cf_parse_map(struct cparse *p, const struct ynode *node, const struct ynode *at,
               const struct field *fields, const char *where, void *base);

#endif
