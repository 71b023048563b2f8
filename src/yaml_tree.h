/* SPDX-License-Identifier: MIT */
/* A small YAML document tree built with libyaml's event API: scalars (plain
 * or quoted), sequences, and mappings with ordered scalar keys, every node
 * remembering its 1-based line and column. Untrusted input is bounded (size,
 * depth, scalar length, node count); anchors, aliases, tags and duplicate
 * keys are refused. Nothing here logs: problems go to a diag_list. */
#ifndef COMPLYD_YAML_TREE_H
#define COMPLYD_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "diag.h"

#define YAML_MAX_INPUT (1024 * 1024)
#define YAML_MAX_DEPTH 64
#define YAML_MAX_SCALAR (64 * 1024)
#define YAML_MAX_NODES 100000

enum ynode_type {
        YNODE_SCALAR,
        YNODE_SEQUENCE,
        YNODE_MAPPING,
};

struct ynode {
        enum ynode_type type;
        unsigned line, col; /* 1-based, where the node starts */
        /* scalar */
        bool quoted;        /* single, double, literal or folded style */
        char *value;        /* NUL-terminated (may contain NULs: see len) */
        size_t len;
        /* sequence: items[0..n); mapping: keys[i] (scalar nodes) -> items[i] */
        size_t n;
        struct ynode **items;
        struct ynode **keys;
};

/* Parses buf (len bytes) as one YAML document. On success returns 0 and sets
 * *ret to the root node (NULL for an empty document), which the caller frees
 * with ynode_free(). On any problem, adds every diagnostic found (prefixed
 * with file) and returns -EINVAL; -ENOMEM on out-of-memory. */
int yaml_tree_parse(const char *buf, size_t len, const char *file, struct diag_list *diag,
                    struct ynode **ret);

void ynode_free(struct ynode *n);
static inline void ynode_freep(struct ynode **n) { ynode_free(*n); }
#define _cleanup_ynode_ __attribute__((cleanup(ynode_freep)))

/* The value of key in a mapping node (NULL when absent or n is no mapping);
 * with keyp, also the key node. */
const struct ynode *ynode_get(const struct ynode *map, const char *key,
                              const struct ynode **keyp);

/* Human name of a node's kind for messages: "a mapping", "a list", "a string"... */
const char *ynode_kind(const struct ynode *n);

/* A scalar's JSON value: quoted scalars are strings; plain ones are typed
 * (true/false, null/~/empty, integers, reals, else string). NULL on OOM. */
json_t *yscalar_to_json(const struct ynode *n);

/* The whole subtree as a new JSON value (NULL node = JSON null); NULL on OOM. */
json_t *ynode_to_json(const struct ynode *n);

/* Plain-scalar typing helpers for validators. */
bool yscalar_is_null(const struct ynode *n);
/* true/false as a plain scalar: returns 0 and sets *b, else -EINVAL */
int yscalar_bool(const struct ynode *n, bool *b);

#endif
