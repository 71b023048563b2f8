/* SPDX-License-Identifier: MIT */
/* The compiled form of a condition, shared by rules.c (compile) and
 * rules_eval.c (evaluate). */
#ifndef COMPLYD_RULES_INTERNAL_H
#define COMPLYD_RULES_INTERNAL_H

#include <regex.h>

#include "rule_path.h"
#include "rules.h"

enum rule_kind { RULE_ALL, RULE_ANY, RULE_NOT, RULE_LEAF, RULE_QUANT };

enum rule_op {
        OP_EQUALS, OP_NOT_EQUALS, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN,
        OP_MATCHES, OP_CONTAINS, OP_EXISTS, OP_EMPTY,
        _OP_MAX,
};

enum quant { Q_ALL, Q_ANY, Q_NONE, Q_COUNT, _Q_MAX };

extern const char *const rule_op_names[_OP_MAX];
extern const char *const quant_names[_Q_MAX];

/* One piece of a label: literal text, or a {field} path into the element. */
struct label_part {
        char *text;
        bool is_field;
        struct rule_path path;
};

struct rule {
        enum rule_kind kind;
        struct rule **children;         /* all/any: n children; not: one */
        size_t n;

        /* leaf: test the value at path (or the literal value) with op */
        struct rule_path path;
        char *path_text;                /* as written, after ${} substitution */
        json_t *value;                  /* `value:` literal, else NULL */
        enum rule_op op;
        json_t *operand;
        regex_t re;
        bool has_re;

        /* quantifier over the elements path selects */
        enum quant quant;
        struct rule *sub;               /* NULL for count without where */
        bool has_min, has_max;
        json_int_t min, max;
        struct label_part *label;
        size_t n_label;
        json_t *desc;                   /* the sub-condition as JSON, for "expected" */
};

/* Deep JSON equality where integers and reals compare numerically. */
bool json_equal_num(const json_t *a, const json_t *b);

#endif
