/* SPDX-License-Identifier: MIT */
/* Loading the control set: collect every control definition (built-in,
 * then local files), settle replacements and duplicates, apply the host's
 * overrides, then compile each control once. */
#include <dirent.h>
#include <stdarg.h>

#include "controls.h"
#include "probe_ctx.h"
#include "rules.h"
#include "util.h"

#define MAX_CONTROLS 10000
#define MAX_CONTROL_FILES 1000

/* One control definition found in a file, not compiled yet. */
struct cdef {
        const struct ynode *node;       /* the control's mapping */
        const struct ynode *id_node;
        const char *file;               /* owned by the loader */
        size_t order;
        bool local;
        bool replaced;                  /* a local control took its place */
};

struct loader {
        struct diag_list *diag;
        bool failed;
        bool oom;
        struct ynode **trees;
        char **files;
        size_t n_files;
        struct cdef *defs;
        size_t n_defs;
        char **notices;
        size_t n_notices;
        probe_lookup_fn lookup;
        void *userdata;
        const struct config *cfg;
};

static void lerr(struct loader *l, const char *file, const struct ynode *n, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void lerr(struct loader *l, const char *file, const struct ynode *n, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int k;

        l->failed = true;
        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0 || diag_add(l->diag, file, n ? n->line : 0, n ? n->col : 0, "%s", msg) < 0)
                l->oom = true;
}

static bool valid_id(const struct ynode *n) {
        if (!n || n->type != YNODE_SCALAR || n->len == 0 || n->len > 128 ||
            strlen(n->value) != n->len || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", n->value[0]))
                return false;
        return n->value[strspn(n->value, "abcdefghijklmnopqrstuvwxyz0123456789-")] == '\0';
}

/* Remembers a parsed file (the loader owns tree and name from now on). */
static const char *keep_file(struct loader *l, const char *file, struct ynode *tree) {
        struct ynode **t = realloc(l->trees, (l->n_files + 1) * sizeof(*t));
        char **f, *name = strdup(file);

        if (t)
                l->trees = t;
        f = realloc(l->files, (l->n_files + 1) * sizeof(*f));
        if (f)
                l->files = f;
        if (!t || !f || !name) {
                free(name);
                ynode_free(tree);
                l->oom = true;
                return NULL;
        }
        l->trees[l->n_files] = tree;
        l->files[l->n_files++] = name;
        return name;
}

/* Parses one control file: a list of controls, each a mapping with an id. */
static void add_file(struct loader *l, const char *file, const char *buf, size_t len, bool local) {
        struct ynode *tree = NULL;
        const char *name;

        if (yaml_tree_parse(buf, len, file, l->diag, &tree) < 0) {
                l->failed = true;
                return;
        }
        if (!(name = keep_file(l, file, tree)) || !tree)
                return;
        if (tree->type != YNODE_SEQUENCE)
                return lerr(l, name, tree, "a control file must be a list of controls (\"- id: ...\")");
        for (size_t i = 0; i < tree->n; i++) {
                const struct ynode *c = tree->items[i], *idn;
                struct cdef *d;

                if (c->type != YNODE_MAPPING) {
                        lerr(l, name, c, "each control must be a mapping with id, title, probe, expect");
                        continue;
                }
                idn = ynode_get(c, "id", NULL);
                if (!idn) {
                        lerr(l, name, c, "control has no 'id'");
                        continue;
                }
                if (!valid_id(idn)) {
                        lerr(l, name, idn, "invalid control id '%.100s' (lowercase letters, digits "
                             "and '-', starting with a letter or digit)", idn->value ? idn->value : "");
                        continue;
                }
                if (l->n_defs >= MAX_CONTROLS)
                        return lerr(l, name, c, "too many controls (limit %d)", MAX_CONTROLS);
                d = realloc(l->defs, (l->n_defs + 1) * sizeof(*d));
                if (!d) {
                        l->oom = true;
                        return;
                }
                l->defs = d;
                l->defs[l->n_defs] = (struct cdef) { .node = c, .id_node = idn, .file = name,
                                                     .order = l->n_defs, .local = local };
                l->n_defs++;
        }
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_control_file(const char *n) {
        size_t len = strlen(n);

        return n[0] != '.' && ((len > 5 && streq(n + len - 5, ".yaml")) ||
                               (len > 4 && streq(n + len - 4, ".yml")));
}

/* The position of dir in the configured controls_dirs, for messages. */
static const struct ynode *dir_node(const struct config *cfg, const char *dir) {
        const struct ynode *n = cfg->controls_dirs_node;

        for (size_t i = 0; n && n->type == YNODE_SEQUENCE && i < n->n; i++)
                if (n->items[i]->type == YNODE_SCALAR && streq(n->items[i]->value, dir))
                        return n->items[i];
        return n;
}

/* Reads every *.yaml / *.yml of dir in name order. A missing directory is
 * fine unless the configuration named it. */
static void add_dir(struct loader *l, const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        _cleanup_strv_ char **names = NULL;
        size_t n = 0;
        struct dirent *de;

        if (!d) {
                if (errno != ENOENT || l->cfg->controls_dirs_set)
                        lerr(l, l->cfg->path, dir_node(l->cfg, dir),
                             "cannot read controls directory %s: %s", dir, strerror(errno));
                return;
        }
        names = calloc(MAX_CONTROL_FILES + 1, sizeof(char *));
        if (!names) {
                l->oom = true;
                return;
        }
        while ((de = readdir(d)) && n < MAX_CONTROL_FILES)
                if (is_control_file(de->d_name) && !(names[n++] = strdup(de->d_name))) {
                        l->oom = true;
                        return;
                }
        qsort(names, n, sizeof(char *), name_cmp);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = strdup_printf("%s/%s", dir, names[i]);
                _cleanup_free_ char *buf = NULL;
                size_t len;
                int r;

                if (!path) {
                        l->oom = true;
                        return;
                }
                r = read_full_file(path, YAML_MAX_INPUT, &buf, &len);
                if (r == -EFBIG)
                        lerr(l, path, NULL, "file too large (limit %d bytes)", YAML_MAX_INPUT);
                else if (r < 0)
                        lerr(l, path, NULL, "cannot read: %s", strerror(-r));
                else
                        add_file(l, path, buf, len, true);
        }
}

static int def_cmp(const void *a, const void *b) {
        const struct cdef *x = *(struct cdef *const *) a, *y = *(struct cdef *const *) b;
        int c = strcmp(x->id_node->value, y->id_node->value);

        if (c)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts the definitions by id; reports duplicates within the built-ins or
 * within the local files (at the later one, naming the first), and marks
 * built-ins a local control replaces. The sorted index is returned for
 * lookups (NULL on OOM). */
static struct cdef **settle_ids(struct loader *l) {
        struct cdef **idx = calloc(l->n_defs + 1, sizeof(*idx));

        if (!idx) {
                l->oom = true;
                return NULL;
        }
        for (size_t i = 0; i < l->n_defs; i++)
                idx[i] = &l->defs[i];
        qsort(idx, l->n_defs, sizeof(*idx), def_cmp);
        for (size_t i = 0, first = 0; i < l->n_defs; i++) {
                struct cdef *d = idx[i];

                if (i == 0 || !streq(d->id_node->value, idx[first]->id_node->value)) {
                        first = i;
                        continue;
                }
                /* same id as idx[first..i-1]; they are in load order */
                for (size_t j = first; j < i; j++) {
                        struct cdef *p = idx[j];

                        if (p->local != d->local)
                                continue;
                        lerr(l, d->file, d->id_node, "duplicate control id '%s' (first defined at %s:%u:%u)",
                             d->id_node->value, p->file, p->id_node->line, p->id_node->col);
                        break;
                }
                if (d->local)
                        for (size_t j = first; j < i; j++)
                                if (!idx[j]->local && !idx[j]->replaced) {
                                        char *note = strdup_printf(
                                                "%s:%u:%u: control '%s' replaces the built-in one from %s",
                                                d->file, d->id_node->line, d->id_node->col,
                                                d->id_node->value, idx[j]->file);
                                        char **nn = realloc(l->notices, (l->n_notices + 2) * sizeof(char *));

                                        idx[j]->replaced = true;
                                        if (!note || !nn) {
                                                free(note);
                                                l->oom = true;
                                                if (nn)
                                                        l->notices = nn;
                                                continue;
                                        }
                                        l->notices = nn;
                                        l->notices[l->n_notices++] = note;
                                        l->notices[l->n_notices] = NULL;
                                }
        }
        return idx;
}

static const char *const control_keys[] = {
        "id", "title", "description", "criteria", "severity", "probe", "probe_params",
        "interval", "params", "applies_when", "expect", "remediation", "waiver", "enabled", NULL,
};

static void control_free(struct control *c) {
        if (!c)
                return;
        free(c->id);
        free(c->title);
        free(c->description);
        json_decref(c->criteria);
        free(c->probe);
        json_decref(c->probe_params);
        free(c->remediation);
        config_waiver_free(c->waiver);
        json_decref(c->params);
        free(c->file);
        rule_free(c->applies_when);
        rule_free(c->expect);
        free(c);
}

/* A string value (a non-empty scalar), or NULL after reporting. */
static const char *want_string(struct loader *l, const char *file, const struct ynode *key,
                               const struct ynode *v) {
        if (!v || v->type != YNODE_SCALAR || yscalar_is_null(v) || strlen(v->value) != v->len) {
                lerr(l, file, v ? v : key, "'%s' must be a non-empty string", key->value);
                return NULL;
        }
        return v->value;
}

static char *dup_string(struct loader *l, const char *file, const struct ynode *key,
                        const struct ynode *v) {
        const char *s = want_string(l, file, key, v);
        char *d = s ? strdup(s) : NULL;

        if (s && !d)
                l->oom = true;
        return d;
}

/* criteria: ["soc2:CC6.1", ...] */
static void load_criteria(struct loader *l, const char *file, const struct ynode *key,
                          const struct ynode *v, struct control *c) {
        if (v->type != YNODE_SEQUENCE)
                return lerr(l, file, v, "'criteria' must be a list like [soc2:CC6.1, iso27001-2022:A.8.5]");
        for (size_t i = 0; i < v->n; i++) {
                const struct ynode *e = v->items[i];
                const char *colon = e->type == YNODE_SCALAR ? strchr(e->value, ':') : NULL;

                if (!colon || colon == e->value || !colon[1] || strlen(e->value) != e->len) {
                        lerr(l, file, e, "criterion must be \"framework:ID\" (e.g. soc2:CC6.1)");
                        continue;
                }
                if (json_array_append_new(c->criteria, json_string(e->value)) < 0)
                        l->oom = true;
        }
}

static void load_severity(struct loader *l, const char *file, const struct ynode *v,
                          struct control *c) {
        static const char *const names[] = { "low", "medium", "high", "critical" };

        for (size_t i = 0; v->type == YNODE_SCALAR && i < ELEMENTSOF(names); i++)
                if (streq(v->value, names[i])) {
                        c->severity = (enum severity) i;
                        return;
                }
        lerr(l, file, v, "unknown severity '%.100s' (valid: low, medium, high, critical)",
             v->type == YNODE_SCALAR ? v->value : "");
}

static void load_interval(struct loader *l, const char *file, const struct ynode *v,
                          uint64_t *usec) {
        uint64_t u;

        if (v->type != YNODE_SCALAR || parse_duration(v->value, &u) < 0 || u < USEC_PER_SEC)
                return lerr(l, file, v, "invalid interval '%.100s' (use e.g. 30s, 15m, 6h, 1d; at least 1s)",
                            v->type == YNODE_SCALAR ? v->value : "");
        *usec = u;
}

/* params: {name: default}; names are ${name} references. */
static void load_params(struct loader *l, const char *file, const struct ynode *v,
                        struct control *c) {
        if (v->type != YNODE_MAPPING)
                return lerr(l, file, v, "'params' must be a mapping of names to default values");
        for (size_t i = 0; i < v->n; i++) {
                const struct ynode *k = v->keys[i];
                json_t *j;

                if (!k->len || k->len > 64 || strlen(k->value) != k->len ||
                    k->value[strspn(k->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] ||
                    (k->value[0] >= '0' && k->value[0] <= '9')) {
                        lerr(l, file, k, "invalid parameter name '%.100s' (letters, digits, '_')", k->value);
                        continue;
                }
                j = ynode_to_json(v->items[i]);
                if (!j || json_object_set_new(c->params, k->value, j) < 0)
                        l->oom = true;
        }
}

static bool same_json_kind(const json_t *a, const json_t *b) {
        if (json_is_number(a) && json_is_number(b))
                return true;
        if (json_is_boolean(a) && json_is_boolean(b))
                return true;
        return json_typeof(a) == json_typeof(b);
}

static const char *json_kind(const json_t *v) {
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "a mapping";
        case JSON_ARRAY: return "a list";
        case JSON_STRING: return "a string";
        case JSON_INTEGER: case JSON_REAL: return "a number";
        case JSON_TRUE: case JSON_FALSE: return "true or false";
        default: return "null";
        }
}

/* The host's params override: names the control defines, same JSON kind. */
static void override_params(struct loader *l, const struct config_control *o, struct control *c) {
        const char *file = l->cfg->path;
        const struct ynode *n = o->params_node;

        for (size_t i = 0; n && i < n->n; i++) {
                const struct ynode *k = n->keys[i];
                const json_t *def = json_object_get(c->params, k->value);
                json_t *v = json_object_get(o->params, k->value);

                if (!def) {
                        char valid[256] = "";
                        const char *name;
                        json_t *tmp;

                        json_object_foreach(c->params, name, tmp)
                                snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid),
                                         "%s%s", valid[0] ? ", " : "", name);
                        lerr(l, file, k, "control '%s' has no parameter '%.100s' (defined: %s)",
                             c->id, k->value, valid[0] ? valid : "none");
                } else if (!v || !same_json_kind(def, v))
                        lerr(l, file, n->items[i], "parameter '%s' of control '%s' must be %s like its default",
                             k->value, c->id, json_kind(def));
                else if (json_object_set(c->params, k->value, v) < 0)
                        l->oom = true;
        }
}

/* Applies complyd.yaml's controls.ID settings to c. */
static void apply_override(struct loader *l, struct control *c) {
        const struct config_control *o = config_find_control(l->cfg, c->id);

        if (!o)
                return;
        if (o->has_enabled)
                c->enabled = o->enabled;
        if (o->has_interval)
                c->interval_usec = o->interval_usec;
        override_params(l, o, c);
        if (o->waiver) {
                struct config_waiver *w = calloc(1, sizeof(*w));

                if (!w || !(w->reason = strdup(o->waiver->reason)) ||
                    !(w->expires = strdup(o->waiver->expires))) {
                        config_waiver_free(w);
                        l->oom = true;
                        return;
                }
                w->expires_usec = o->waiver->expires_usec;
                config_waiver_free(c->waiver);
                c->waiver = w;
        }
}

/* probe_params: the control's (with ${} substituted) checked key by key
 * against the probe's table, then the host's probes.NAME.params on top,
 * then the table's defaults filled in. */
static void resolve_probe_params(struct loader *l, const char *file, const struct ynode *pp,
                                 struct control *c, const struct complyd_param *table,
                                 bool any) {
        const struct config_probe *cp = config_find_probe(l->cfg, c->probe);
        struct complyd_probe fake = { .name = c->probe, .params = table };
        _cleanup_json_ json_t *merged = NULL;
        char err[512];

        if (pp && pp->type != YNODE_MAPPING)
                return lerr(l, file, pp, "'probe_params' must be a mapping");
        if (pp) {
                if (rule_subst_json(pp, file, c->params, l->diag, &merged) < 0) {
                        l->failed = true;
                        return;
                }
        } else if (!(merged = json_object())) {
                l->oom = true;
                return;
        }
        for (size_t i = 0; !any && pp && i < pp->n; i++) {
                _cleanup_json_ json_t *one = json_object(), *out = NULL;
                json_t *v = json_object_get(merged, pp->keys[i]->value);

                if (!one || !v || json_object_set(one, pp->keys[i]->value, v) < 0) {
                        l->oom = true;
                        return;
                }
                if (probe_params_resolve(&fake, one, &out, err, sizeof(err)) < 0)
                        lerr(l, file, pp->keys[i], "%s", err);
        }
        if (cp && cp->params && json_object_update(merged, cp->params) < 0) {
                l->oom = true;
                return;
        }
        if (any)
                c->probe_params = TAKE_PTR(merged);
        else if (probe_params_resolve(&fake, merged, &c->probe_params, err, sizeof(err)) < 0)
                l->failed = true; /* reported above, or at probes.NAME.params */
}

/* Finds the probe and compiles the conditions, once params are final. */
static void compile_rules(struct loader *l, const char *file, const struct ynode *probe_key,
                          const struct ynode *probe, const struct ynode *pp, const struct ynode *applies,
                          const struct ynode *expect, struct control *c) {
        const struct complyd_param *table = NULL;
        int r;

        if (probe && (c->probe = dup_string(l, file, probe_key, probe))) {
                r = l->lookup(l->userdata, c->probe, &table);
                if (r < 0)
                        lerr(l, file, probe, "unknown probe '%s'", c->probe);
                else
                        resolve_probe_params(l, file, pp, c, table, r == 1);
        }
        if (applies && rule_compile(applies, file, c->params, l->diag, &c->applies_when) < 0)
                l->failed = true;
        if (expect && rule_compile(expect, file, c->params, l->diag, &c->expect) < 0)
                l->failed = true;
}

/* The nodes of a control that compile after its plain fields. */
struct control_nodes {
        const struct ynode *probe_key, *probe, *probe_params, *applies_when, *expect;
};

/* Reads one key of a control mapping into c or nodes. */
static void load_key(struct loader *l, const char *file, const struct ynode *k,
                     const struct ynode *v, struct control *c, struct control_nodes *nodes) {
        const char *key = k->value;
        bool b;

        if (streq(key, "id"))
                return; /* checked when collected */
        if (streq(key, "title"))
                c->title = dup_string(l, file, k, v);
        else if (streq(key, "description"))
                c->description = dup_string(l, file, k, v);
        else if (streq(key, "remediation"))
                c->remediation = dup_string(l, file, k, v);
        else if (streq(key, "criteria"))
                load_criteria(l, file, k, v, c);
        else if (streq(key, "severity"))
                load_severity(l, file, v, c);
        else if (streq(key, "probe")) {
                nodes->probe_key = k;
                nodes->probe = v;
        } else if (streq(key, "probe_params"))
                nodes->probe_params = v;
        else if (streq(key, "interval"))
                load_interval(l, file, v, &c->interval_usec);
        else if (streq(key, "params"))
                load_params(l, file, v, c);
        else if (streq(key, "applies_when"))
                nodes->applies_when = v;
        else if (streq(key, "expect"))
                nodes->expect = v;
        else if (streq(key, "waiver")) {
                if (config_parse_waiver(v, file, l->diag, &c->waiver) < 0)
                        l->failed = true;
        } else if (streq(key, "enabled")) {
                if (yscalar_bool(v, &b) < 0)
                        lerr(l, file, v, "'enabled' must be true or false");
                else
                        c->enabled = b;
        } else {
                char valid[512] = "";

                for (size_t i = 0; control_keys[i]; i++)
                        snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
                                 i ? ", " : "", control_keys[i]);
                lerr(l, file, k, "unknown key '%.100s' in control '%s' (valid keys: %s)", key,
                     c->id, valid);
        }
}

/* Builds one control from its definition. Returns NULL when it has
 * problems (all reported) or on OOM. */
static struct control *compile_control(struct loader *l, const struct cdef *d) {
        struct control *c = calloc(1, sizeof(*c));
        struct control_nodes nodes = { 0 };
        bool before = l->failed;

        if (!c || !(c->id = strdup(d->id_node->value)) || !(c->file = strdup(d->file)) ||
            !(c->criteria = json_array()) || !(c->params = json_object())) {
                l->oom = true;
                control_free(c);
                return NULL;
        }
        c->line = d->node->line;
        c->col = d->node->col;
        c->severity = SEVERITY_MEDIUM;
        c->interval_usec = 15 * 60 * USEC_PER_SEC;
        c->enabled = true;
        l->failed = false;
        for (size_t i = 0; i < d->node->n; i++)
                load_key(l, d->file, d->node->keys[i], d->node->items[i], c, &nodes);
        if (!ynode_get(d->node, "title", NULL))
                lerr(l, d->file, d->node, "control '%s' needs a 'title'", c->id);
        if (!nodes.probe)
                lerr(l, d->file, d->node, "control '%s' needs a 'probe'", c->id);
        if (!nodes.expect)
                lerr(l, d->file, d->node, "control '%s' needs an 'expect' condition", c->id);
        if (l->cfg)
                apply_override(l, c);
        compile_rules(l, d->file, nodes.probe_key, nodes.probe, nodes.probe_params,
                      nodes.applies_when, nodes.expect, c);
        if (l->failed || l->oom) {
                control_free(c);
                c = NULL;
        }
        l->failed = l->failed || before;
        return c;
}

static int id_key_cmp(const void *key, const void *elem) {
        const struct cdef *d = *(struct cdef *const *) elem;
        return strcmp(key, d->id_node->value);
}

/* An override in complyd.yaml for a control that does not exist. */
static void check_override_ids(struct loader *l, struct cdef **idx) {
        for (size_t i = 0; l->cfg && i < l->cfg->n_controls; i++) {
                const struct config_control *o = &l->cfg->controls[i];

                if (!bsearch(o->id, idx, l->n_defs, sizeof(*idx), id_key_cmp))
                        lerr(l, l->cfg->path, o->key_node, "unknown control '%s'", o->id);
        }
}

static void loader_done(struct loader *l) {
        for (size_t i = 0; i < l->n_files; i++) {
                ynode_free(l->trees[i]);
                free(l->files[i]);
        }
        free(l->trees);
        free(l->files);
        free(l->defs);
        strv_free(l->notices);
}

void control_set_free(struct control_set *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                control_free(s->controls[i]);
        free(s->controls);
        strv_free(s->notices);
        free(s);
}

const struct control *control_set_find(const struct control_set *s, const char *id) {
        for (size_t i = 0; s && i < s->n; i++)
                if (streq(s->controls[i]->id, id))
                        return s->controls[i];
        return NULL;
}

/* Compiles every definition not replaced, in load order: built-ins first. */
static struct control_set *build_set(struct loader *l) {
        struct control_set *s = calloc(1, sizeof(*s));

        if (!s || !(s->controls = calloc(l->n_defs + 1, sizeof(*s->controls)))) {
                free(s);
                l->oom = true;
                return NULL;
        }
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < l->n_defs && !l->oom; i++) {
                        const struct cdef *d = &l->defs[i];
                        struct control *c;

                        if (d->replaced || d->local != (pass == 1))
                                continue;
                        if ((c = compile_control(l, d)))
                                s->controls[s->n++] = c;
                }
        return s;
}

int controls_load(const struct builtin_file *builtins, const struct config *cfg,
                  probe_lookup_fn lookup, void *userdata, struct diag_list *diag,
                  struct control_set **ret) {
        struct loader l = { .diag = diag, .lookup = lookup, .userdata = userdata, .cfg = cfg };
        _cleanup_free_ struct cdef **idx = NULL;
        struct control_set *s = NULL;

        for (const struct builtin_file *b = builtins ? builtins : builtin_controls; b->name; b++)
                add_file(&l, b->name, b->text, strlen(b->text), false);
        for (size_t i = 0; cfg && cfg->controls_dirs[i]; i++)
                add_dir(&l, cfg->controls_dirs[i]);
        idx = settle_ids(&l);
        if (idx) {
                check_override_ids(&l, idx);
                s = build_set(&l);
        }
        if (cfg && config_check_probes(cfg, lookup, userdata, diag) < 0)
                l.failed = true;
        if (s) {
                s->notices = TAKE_PTR(l.notices);
                if (!s->notices)
                        s->notices = calloc(1, sizeof(char *));
                if (!s->notices)
                        l.oom = true;
        }
        loader_done(&l);
        if (l.oom || l.failed) {
                control_set_free(s);
                return l.oom ? -ENOMEM : -EINVAL;
        }
        *ret = s;
        return 0;
}
