/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <yaml.h>

#include "util.h"
#include "yaml_tree.h"

/* Parser state: the stack of open collections and the limits' counters. */
struct ybuild {
        yaml_parser_t parser;
        const char *file;
        struct diag_list *diag;
        struct ynode *root;
        struct ynode *stack[YAML_MAX_DEPTH + 1];
        struct ynode *pending[YAML_MAX_DEPTH + 1]; /* a mapping's key awaiting its value */
        size_t depth;
        size_t nodes;
        unsigned documents;
        bool failed; /* a diagnostic was added (parsing may go on) */
        bool stop;   /* parsing cannot go on */
        bool oom;
};

void ynode_free(struct ynode *n) {
        if (!n)
                return;
        for (size_t i = 0; i < n->n; i++) {
                ynode_free(n->items[i]);
                if (n->keys)
                        ynode_free(n->keys[i]);
        }
        free(n->items);
        free(n->keys);
        free(n->value);
        free(n);
}

static void yerror(struct ybuild *b, const yaml_mark_t *m, const char *msg, bool fatal) {
        if (diag_add(b->diag, b->file, (unsigned) m->line + 1, (unsigned) m->column + 1, "%s",
                     msg) < 0)
                b->oom = true;
        b->failed = true;
        if (fatal)
                b->stop = true;
}

/* Allocates a node at the event's start mark, counting it against the
 * node limit. Returns NULL (with b->stop set) on limit or OOM. */
static struct ynode *node_new(struct ybuild *b, enum ynode_type type, const yaml_event_t *ev) {
        struct ynode *n;

        if (++b->nodes > YAML_MAX_NODES) {
                yerror(b, &ev->start_mark, "too many nodes (limit 100000)", true);
                return NULL;
        }
        n = calloc(1, sizeof(*n));
        if (!n) {
                b->oom = b->stop = true;
                return NULL;
        }
        n->type = type;
        n->line = (unsigned) ev->start_mark.line + 1;
        n->col = (unsigned) ev->start_mark.column + 1;
        return n;
}

/* Appends child (owned from now on) to the open collection on top of the
 * stack, or makes it the root. A mapping takes keys and values in turn (the
 * key waits in b->pending); a key must be a scalar. Returns false (child
 * freed, b->stop set) on error. */
static bool attach(struct ybuild *b, struct ynode *child, const yaml_event_t *ev) {
        struct ynode *p;

        if (b->depth == 0) {
                b->root = child;
                return true;
        }
        p = b->stack[b->depth - 1];
        if (p->type == YNODE_MAPPING && !b->pending[b->depth - 1]) {
                if (child->type != YNODE_SCALAR) {
                        yerror(b, &ev->start_mark, "mapping keys must be plain strings", true);
                        ynode_free(child);
                        return false;
                }
                b->pending[b->depth - 1] = child;
                return true;
        }
        if (p->n == 0 || (p->n >= 4 && (p->n & (p->n - 1)) == 0)) {
                size_t ncap = p->n ? p->n * 2 : 4;
                struct ynode **items = realloc(p->items, ncap * sizeof(*items));

                if (!items)
                        goto oom;
                p->items = items;
                if (p->type == YNODE_MAPPING) {
                        struct ynode **keys = realloc(p->keys, ncap * sizeof(*keys));
                        if (!keys)
                                goto oom;
                        p->keys = keys;
                }
        }
        if (p->type == YNODE_MAPPING)
                p->keys[p->n] = TAKE_PTR(b->pending[b->depth - 1]);
        p->items[p->n++] = child;
        return true;
oom:
        b->oom = b->stop = true;
        ynode_free(child);
        return false;
}

/* Refuses anchors and tags on a node event (reported, parsing goes on). */
static void check_props(struct ybuild *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                        const yaml_char_t *tag) {
        if (anchor)
                yerror(b, &ev->start_mark, "anchors (&name) are not allowed", false);
        if (tag)
                yerror(b, &ev->start_mark, "tags (!name) are not allowed", false);
}

static void on_scalar(struct ybuild *b, const yaml_event_t *ev) {
        struct ynode *n;

        check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
        if (ev->data.scalar.length > YAML_MAX_SCALAR) {
                yerror(b, &ev->start_mark, "value longer than 65536 bytes", true);
                return;
        }
        n = node_new(b, YNODE_SCALAR, ev);
        if (!n)
                return;
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        n->len = ev->data.scalar.length;
        n->value = malloc(n->len + 1);
        if (!n->value) {
                ynode_free(n);
                b->oom = b->stop = true;
                return;
        }
        memcpy(n->value, ev->data.scalar.value, n->len);
        n->value[n->len] = '\0';
        attach(b, n, ev);
}

static void on_collection_start(struct ybuild *b, const yaml_event_t *ev, enum ynode_type type) {
        struct ynode *n;

        if (type == YNODE_MAPPING)
                check_props(b, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag);
        else
                check_props(b, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag);
        if (b->depth >= YAML_MAX_DEPTH) {
                yerror(b, &ev->start_mark, "nested deeper than 64 levels", true);
                return;
        }
        n = node_new(b, type, ev);
        if (!n || !attach(b, n, ev))
                return;
        b->pending[b->depth] = NULL;
        b->stack[b->depth++] = n;
}

static int key_cmp(const void *a, const void *b) {
        const struct ynode *x = *(struct ynode *const *) a, *y = *(struct ynode *const *) b;
        size_t m = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->value, y->value, m);

        if (c)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        /* equal keys: earlier position first */
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->col < y->col ? -1 : x->col > y->col;
}

/* Reports every key of a finished mapping that repeats an earlier one, at
 * the repeated key, naming the first. Sorting keeps it O(n log n). */
static void check_duplicates(struct ybuild *b, const struct ynode *map) {
        _cleanup_free_ struct ynode **sorted = NULL;

        if (map->n < 2)
                return;
        sorted = malloc(map->n * sizeof(*sorted));
        if (!sorted) {
                b->oom = b->stop = true;
                return;
        }
        memcpy(sorted, map->keys, map->n * sizeof(*sorted));
        qsort(sorted, map->n, sizeof(*sorted), key_cmp);
        for (size_t i = 1, first = 0; i < map->n; i++) {
                const struct ynode *k = sorted[i], *f = sorted[first];

                if (k->len != f->len || memcmp(k->value, f->value, k->len) != 0) {
                        first = i;
                        continue;
                }
                if (diag_add(b->diag, b->file, k->line, k->col,
                             "duplicate key '%.*s' (first defined at line %u, column %u)",
                             (int) (k->len > 200 ? 200 : k->len), k->value, f->line, f->col) < 0)
                        b->oom = true;
                b->failed = true;
        }
}

static void on_collection_end(struct ybuild *b) {
        struct ynode *n;

        if (b->depth == 0)
                return;
        n = b->stack[--b->depth];
        ynode_free(TAKE_PTR(b->pending[b->depth]));
        if (n->type == YNODE_MAPPING)
                check_duplicates(b, n);
}

/* Reports libyaml's own error with its position. */
static void parser_error(struct ybuild *b) {
        const yaml_parser_t *p = &b->parser;
        const yaml_mark_t *m = p->error == YAML_READER_ERROR ? &p->mark : &p->problem_mark;
        char msg[256];

        snprintf(msg, sizeof(msg), "YAML syntax error: %s%s%s%s",
                 p->problem ? p->problem : "unknown error", p->context ? " (" : "",
                 p->context ? p->context : "", p->context ? ")" : "");
        yerror(b, m, msg, true);
}

/* Dispatches one event; returns false at the end of the stream. */
static bool on_event(struct ybuild *b, const yaml_event_t *ev) {
        switch (ev->type) {
        case YAML_STREAM_END_EVENT:
                return false;
        case YAML_DOCUMENT_START_EVENT:
                if (++b->documents > 1)
                        yerror(b, &ev->start_mark, "only one YAML document is allowed", true);
                break;
        case YAML_ALIAS_EVENT:
                yerror(b, &ev->start_mark, "aliases (*name) are not allowed", true);
                break;
        case YAML_SCALAR_EVENT:
                on_scalar(b, ev);
                break;
        case YAML_SEQUENCE_START_EVENT:
                on_collection_start(b, ev, YNODE_SEQUENCE);
                break;
        case YAML_MAPPING_START_EVENT:
                on_collection_start(b, ev, YNODE_MAPPING);
                break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                on_collection_end(b);
                break;
        default:
                break;
        }
        return true;
}

int yaml_tree_parse(const char *buf, size_t len, const char *file, struct diag_list *diag,
                    struct ynode **ret) {
        struct ybuild b = { .file = file ? file : "<input>", .diag = diag };
        int r;

        if (len > YAML_MAX_INPUT) {
                diag_add(diag, b.file, 0, 0, "file too large (%zu bytes, limit %d)", len,
                         YAML_MAX_INPUT);
                return -EINVAL;
        }
        if (!yaml_parser_initialize(&b.parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&b.parser, (const unsigned char *) buf, len);
        while (!b.stop) {
                yaml_event_t ev;
                bool more;

                if (!yaml_parser_parse(&b.parser, &ev)) {
                        if (b.parser.error == YAML_MEMORY_ERROR)
                                b.oom = true;
                        else
                                parser_error(&b);
                        break;
                }
                more = on_event(&b, &ev);
                yaml_event_delete(&ev);
                if (!more)
                        break;
        }
        yaml_parser_delete(&b.parser);
        for (size_t i = 0; i <= YAML_MAX_DEPTH; i++)
                ynode_free(b.pending[i]);
        r = b.oom ? -ENOMEM : b.failed ? -EINVAL : 0;
        if (r < 0) {
                ynode_free(b.root);
                return r;
        }
        *ret = b.root;
        return 0;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key,
                              const struct ynode **keyp) {
        size_t klen = strlen(key);

        if (!map || map->type != YNODE_MAPPING)
                return NULL;
        for (size_t i = 0; i < map->n; i++)
                if (map->keys[i]->len == klen && memcmp(map->keys[i]->value, key, klen) == 0) {
                        if (keyp)
                                *keyp = map->keys[i];
                        return map->items[i];
                }
        return NULL;
}

bool yscalar_is_null(const struct ynode *n) {
        if (!n)
                return true;
        if (n->type != YNODE_SCALAR || n->quoted)
                return false;
        return n->len == 0 || streq(n->value, "~") || streq(n->value, "null") ||
               streq(n->value, "Null") || streq(n->value, "NULL");
}

int yscalar_bool(const struct ynode *n, bool *b) {
        if (!n || n->type != YNODE_SCALAR || n->quoted)
                return -EINVAL;
        if (streq(n->value, "true") || streq(n->value, "True") || streq(n->value, "TRUE")) {
                *b = true;
                return 0;
        }
        if (streq(n->value, "false") || streq(n->value, "False") || streq(n->value, "FALSE")) {
                *b = false;
                return 0;
        }
        return -EINVAL;
}

/* Is s (NUL-terminated, len bytes) a YAML 1.2 core-schema decimal integer,
 * or a real? Returns 1 for an integer, 2 for a real, 0 otherwise. */
static int number_kind(const char *s, size_t len) {
        const char *p = s;
        bool digits = false, real = false;

        if (strlen(s) != len || len == 0)
                return 0;
        if (*p == '-' || *p == '+')
                p++;
        for (; *p >= '0' && *p <= '9'; p++)
                digits = true;
        if (*p == '.') {
                real = true;
                for (p++; *p >= '0' && *p <= '9'; p++)
                        digits = true;
        }
        if (!digits)
                return 0;
        if (*p == 'e' || *p == 'E') {
                real = true;
                p++;
                if (*p == '-' || *p == '+')
                        p++;
                if (*p < '0' || *p > '9')
                        return 0;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p)
                return 0;
        return real ? 2 : 1;
}

json_t *yscalar_to_json(const struct ynode *n) {
        bool b;
        int kind;

        if (yscalar_is_null(n))
                return json_null();
        if (n->quoted)
                return json_stringn_nocheck(n->value, n->len);
        if (yscalar_bool(n, &b) == 0)
                return json_boolean(b);
        kind = number_kind(n->value, n->len);
        if (kind == 1) {
                long long v;
                errno = 0;
                v = strtoll(n->value, NULL, 10);
                if (errno != ERANGE)
                        return json_integer(v);
                kind = 2;
        }
        if (kind == 2) {
                double d = strtod(n->value, NULL);
                if (isfinite(d))
                        return json_real(d);
        }
        return json_stringn_nocheck(n->value, n->len);
}

const char *ynode_kind(const struct ynode *n) {
        json_t *j;
        const char *kind;

        if (!n)
                return "null";
        if (n->type == YNODE_MAPPING)
                return "a mapping";
        if (n->type == YNODE_SEQUENCE)
                return "a list";
        j = yscalar_to_json(n);
        switch (j ? json_typeof(j) : JSON_STRING) {
        case JSON_NULL:
                kind = "null";
                break;
        case JSON_TRUE:
        case JSON_FALSE:
                kind = "a boolean";
                break;
        case JSON_INTEGER:
                kind = "an integer";
                break;
        case JSON_REAL:
                kind = "a number";
                break;
        default:
                kind = "a string";
        }
        json_decref(j);
        return kind;
}

json_t *ynode_to_json(const struct ynode *n) {
        json_t *out;

        if (!n)
                return json_null();
        if (n->type == YNODE_SCALAR)
                return yscalar_to_json(n);
        out = n->type == YNODE_MAPPING ? json_object() : json_array();
        if (!out)
                return NULL;
        for (size_t i = 0; i < n->n; i++) {
                json_t *v = ynode_to_json(n->items[i]);
                int r;

                if (!v)
                        goto fail;
                if (n->type == YNODE_MAPPING) {
                        _cleanup_free_ char *k = strndup(n->keys[i]->value, n->keys[i]->len);
                        r = k ? json_object_set_new_nocheck(out, k, v) : (json_decref(v), -1);
                } else
                        r = json_array_append_new(out, v);
                if (r < 0)
                        goto fail;
        }
        return out;
fail:
        json_decref(out);
        return NULL;
}
