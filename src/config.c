/* SPDX-License-Identifier: MIT */
/* complyd.yaml: a table of keys per level (key, parser, offset) drives the
 * loader; every parser reports at the offending key or value and the load
 * goes on, so one run lists every problem. */
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "config_fields.h"
#include "probe_ctx.h"
#include "util.h"

#define USEC_MIN (60 * USEC_PER_SEC)
#define USEC_HOUR (3600 * USEC_PER_SEC)
#define USEC_DAY (86400 * USEC_PER_SEC)
#define KIB 1024ULL
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * 1024 * 1024)

static const char *const webhook_formats[] = { "json", "slack", NULL };
static const char *const output_formats[] = { "native", "ocsf", "otlp", "splunk_hec", NULL };
static const char *const sync_modes[] = { "batch", "always", NULL };

static void parse_waiver(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base);


static const struct field probe_fields[] = {
        { "timeout", cf_parse_duration_f, offsetof(struct config_probe, timeout_usec),
          HAS(struct config_probe, has_timeout), USEC_PER_SEC, USEC_DAY },
        { "max_output", cf_parse_size_f, offsetof(struct config_probe, max_output),
          HAS(struct config_probe, has_max_output), 1024, 64 * MIB },
        { "user", cf_parse_user, offsetof(struct config_probe, user) },
        { "params", cf_parse_params, offsetof(struct config_probe, params),
          HAS(struct config_probe, params_node) },
        {},
};

static const struct field control_fields[] = {
        { "enabled", cf_parse_bool_f, offsetof(struct config_control, enabled),
          HAS(struct config_control, has_enabled) },
        { "interval", cf_parse_duration_f, offsetof(struct config_control, interval_usec),
          HAS(struct config_control, has_interval), USEC_PER_SEC, 366 * USEC_DAY },
        { "params", cf_parse_params, offsetof(struct config_control, params),
          HAS(struct config_control, params_node) },
        { "waiver", parse_waiver, offsetof(struct config_control, waiver) },
        {},
};

static const struct field host_fields[] = {
        { "id", cf_parse_str, offsetof(struct config, host_id) },
        { "hostname", cf_parse_str, offsetof(struct config, hostname) },
        {},
};

static const struct field webhook_fields[] = {
        { "url", cf_parse_https, offsetof(struct config_webhook, url) },
        { "format", cf_parse_enum, offsetof(struct config_webhook, format), .names = webhook_formats },
        { "token_file", cf_parse_abspath, offsetof(struct config_webhook, token_file) },
        { "ca_file", cf_parse_abspath, offsetof(struct config_webhook, ca_file) },
        { "timeout", cf_parse_duration_f, offsetof(struct config_webhook, timeout_usec), 0,
          USEC_PER_SEC, 10 * USEC_MIN },
        {},
};

static const struct field command_fields[] = {
        { "path", cf_parse_abspath, offsetof(struct config_command, path) },
        { "timeout", cf_parse_duration_f, offsetof(struct config_command, timeout_usec), 0,
          USEC_PER_SEC, 10 * USEC_MIN },
        {},
};

static const struct field alerts_fields[] = {
        { "journald", cf_parse_bool_f, offsetof(struct config_alerts, journald) },
        { "damping", cf_parse_uint_f, offsetof(struct config_alerts, damping), 0, 1, 1000 },
        { "renotify", cf_parse_duration_f, offsetof(struct config_alerts, renotify_usec), 0, 0,
          366 * USEC_DAY },
        { "webhook", cf_parse_section, offsetof(struct config_alerts, webhook), .sub = webhook_fields,
          .where = "alerts.webhook" },
        { "command", cf_parse_section, offsetof(struct config_alerts, command), .sub = command_fields,
          .where = "alerts.command" },
        {},
};

static const struct field output_fields[] = {
        { "name", cf_parse_str, offsetof(struct config_output, name) },
        { "url", cf_parse_https, offsetof(struct config_output, url) },
        { "format", cf_parse_enum, offsetof(struct config_output, format), .names = output_formats },
        { "token_file", cf_parse_abspath, offsetof(struct config_output, token_file) },
        { "ca_file", cf_parse_abspath, offsetof(struct config_output, ca_file) },
        { "pinned_pubkey", cf_parse_str, offsetof(struct config_output, pinned_pubkey) },
        { "client_cert", cf_parse_abspath, offsetof(struct config_output, client_cert) },
        { "client_key", cf_parse_abspath, offsetof(struct config_output, client_key) },
        { "gzip", cf_parse_bool_f, offsetof(struct config_output, gzip) },
        { "batch_max_records", cf_parse_uint_f, offsetof(struct config_output, batch_max_records), 0,
          1, 100000 },
        { "batch_max_bytes", cf_parse_size_f, offsetof(struct config_output, batch_max_bytes), 0,
          1024, 256 * MIB },
        { "timeout", cf_parse_duration_f, offsetof(struct config_output, timeout_usec), 0,
          USEC_PER_SEC, 10 * USEC_MIN },
        { "proxy", cf_parse_str, offsetof(struct config_output, proxy) },
        {},
};

static const struct field evidence_fields[] = {
        { "heartbeat", cf_parse_duration_f, offsetof(struct config_evidence, heartbeat_usec), 0,
          USEC_MIN, 7 * USEC_DAY },
        { "spool_max_bytes", cf_parse_size_f, offsetof(struct config_evidence, spool_max_bytes), 0,
          MIB, 1024 * GIB },
        { "retention", cf_parse_duration_f, offsetof(struct config_evidence, retention_usec), 0,
          USEC_DAY, 3660 * USEC_DAY },
        { "sync", cf_parse_enum, offsetof(struct config_evidence, sync), .names = sync_modes },
        {},
};

static const struct field metrics_fields[] = {
        { "textfile", cf_parse_abspath, offsetof(struct config, metrics_textfile) },
        {},
};

static void parse_probes(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base);
static void parse_controls(struct cparse *p, const struct field *f, const struct ynode *key,
                           const struct ynode *val, void *base);
static void parse_outputs(struct cparse *p, const struct field *f, const struct ynode *key,
                          const struct ynode *val, void *base);
static void parse_controls_dirs(struct cparse *p, const struct field *f,
                                const struct ynode *key, const struct ynode *val, void *base);

static const struct field top_fields[] = {
        { "probe_dirs", cf_parse_abspaths, offsetof(struct config, probe_dirs) },
        { "controls_dirs", parse_controls_dirs, offsetof(struct config, controls_dirs),
          HAS(struct config, controls_dirs_set) },
        { "state_dir", cf_parse_abspath, offsetof(struct config, state_dir) },
        { "host", cf_parse_section, 0, .sub = host_fields, .where = "host" },
        { "probe_timeout", cf_parse_duration_f, offsetof(struct config, probe_timeout_usec), 0,
          USEC_PER_SEC, USEC_DAY },
        { "probe_max_output", cf_parse_size_f, offsetof(struct config, probe_max_output), 0, 1024,
          64 * MIB },
        { "script_user", cf_parse_user, offsetof(struct config, script_user) },
        { "probes", parse_probes },
        { "controls", parse_controls },
        { "alerts", cf_parse_section, offsetof(struct config, alerts), .sub = alerts_fields,
          .where = "alerts" },
        { "outputs", parse_outputs },
        { "evidence", cf_parse_section, offsetof(struct config, evidence), .sub = evidence_fields,
          .where = "evidence" },
        { "metrics", cf_parse_section, 0, .sub = metrics_fields, .where = "metrics" },
        {},
};

static void parse_controls_dirs(struct cparse *p, const struct field *f,
                                const struct ynode *key, const struct ynode *val, void *base) {
        cf_parse_abspaths(p, f, key, val, base);
        ((struct config *) base)->controls_dirs_node = val;
}

static bool valid_control_id(const char *s, size_t len) {
        if (len == 0 || len > 128 || strlen(s) != len || !strchr("abcdefghijklmnopqrstuvwxyz0123456789", s[0]))
                return false;
        return s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-")] == '\0';
}

static bool valid_probe_name(const char *s, size_t len) {
        return len > 0 && len <= 128 && strlen(s) == len &&
               s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")] ==
                       '\0';
}

static const struct field waiver_fields[] = {
        { "reason", cf_parse_str, offsetof(struct config_waiver, reason) },
        { "expires", cf_parse_str, offsetof(struct config_waiver, expires) },
        {},
};

/* Parses a waiver {reason, expires} (both required) into a new struct at
 * off; a broken waiver is reported and not kept. Shared with controls.c
 * through config_parse_waiver(). */
static void parse_waiver(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        struct config_waiver *w = calloc(1, sizeof(*w)), **dst = AT(base, f->off, struct config_waiver *);
        const struct ynode *at = val && val->type == YNODE_MAPPING ? val : key;
        bool before = p->failed;

        if (!w) {
                p->oom = true;
                return;
        }
        p->failed = false;
        cf_parse_map(p, val, key, waiver_fields, "waiver", w);
        if (!p->failed && (!val || val->type != YNODE_MAPPING))
                cf_error(p, at, "waiver must be a mapping with 'reason' and 'expires'");
        if (!p->failed && !w->reason)
                cf_error(p, at, "waiver needs a 'reason'");
        if (!p->failed && !w->expires)
                cf_error(p, at, "waiver needs an 'expires' date (YYYY-MM-DD or RFC 3339)");
        if (!p->failed && parse_expiry(w->expires, &w->expires_usec) < 0)
                cf_error(p, ynode_get(val, "expires", NULL),
                     "waiver: invalid expiry '%s' (use YYYY-MM-DD or RFC 3339)", w->expires);
        if (p->failed) {
                free(w->reason);
                free(w->expires);
                free(w);
        } else {
                *dst = w;
        }
        p->failed = p->failed || before;
}

/* probes: {NAME: {timeout, max_output, user, params}} */
static void parse_probes(struct cparse *p, const struct field *f, const struct ynode *key,
                         const struct ynode *val, void *base) {
        struct config *c = base;

        if (!val || yscalar_is_null(val))
                return;
        if (val->type != YNODE_MAPPING)
                return cf_error(p, val, "probes must be a mapping of probe names to settings");
        c->probes = calloc(val->n, sizeof(*c->probes));
        if (!c->probes && val->n) {
                p->oom = true;
                return;
        }
        for (size_t i = 0; i < val->n; i++) {
                const struct ynode *k = val->keys[i];
                struct config_probe *e = &c->probes[c->n_probes];

                if (!valid_probe_name(k->value, k->len)) {
                        cf_error(p, k, "invalid probe name '%.100s'", k->value);
                        continue;
                }
                if (!(e->name = strdup(k->value))) {
                        p->oom = true;
                        return;
                }
                e->key_node = k;
                c->n_probes++;
                cf_parse_map(p, val->items[i], k, probe_fields, e->name, e);
        }
}

/* controls: {ID: {enabled, interval, params, waiver}} */
static void parse_controls(struct cparse *p, const struct field *f, const struct ynode *key,
                           const struct ynode *val, void *base) {
        struct config *c = base;

        if (!val || yscalar_is_null(val))
                return;
        if (val->type != YNODE_MAPPING)
                return cf_error(p, val, "controls must be a mapping of control ids to settings");
        c->controls = calloc(val->n, sizeof(*c->controls));
        if (!c->controls && val->n) {
                p->oom = true;
                return;
        }
        for (size_t i = 0; i < val->n; i++) {
                const struct ynode *k = val->keys[i];
                struct config_control *e = &c->controls[c->n_controls];

                if (!valid_control_id(k->value, k->len)) {
                        cf_error(p, k, "invalid control id '%.100s' (lowercase letters, digits, '-')",
                             k->value);
                        continue;
                }
                if (!(e->id = strdup(k->value))) {
                        p->oom = true;
                        return;
                }
                e->key_node = k;
                e->enabled = true;
                c->n_controls++;
                cf_parse_map(p, val->items[i], k, control_fields, e->id, e);
        }
}

static void output_defaults(struct config_output *o) {
        o->format = OUTPUT_NATIVE;
        o->gzip = true;
        o->batch_max_records = 500;
        o->batch_max_bytes = MIB;
        o->timeout_usec = 30 * USEC_PER_SEC;
}

/* Checks one parsed output: required keys, unique name (against the
 * outputs before it), client certificate and key together. */
int config_parse_waiver(const struct ynode *val, const char *file, struct diag_list *diag,
                        struct config_waiver **ret) {
        static const struct field f = { "waiver", parse_waiver, 0 };
        static const struct ynode key = { .type = YNODE_SCALAR, .value = (char *) "waiver", .len = 6 };
        struct cparse p = { .file = file, .diag = diag };
        struct config_waiver *w = NULL;

        parse_waiver(&p, &f, val ? val : &key, val, &w);
        if (p.oom || p.failed) {
                config_waiver_free(w);
                return p.oom ? -ENOMEM : -EINVAL;
        }
        *ret = w;
        return 0;
}

static void check_output(struct cparse *p, const struct config *c, const struct config_output *o,
                         const struct ynode *node) {
        if (!ynode_get(node, "name", NULL))
                cf_error(p, node, "output needs a 'name'");
        if (!ynode_get(node, "url", NULL))
                cf_error(p, node, "output needs a 'url'");
        for (size_t j = 0; o->name && j + 1 < c->n_outputs; j++)
                if (streq_ptr(c->outputs[j].name, o->name))
                        cf_error(p, ynode_get(node, "name", NULL), "duplicate output name '%s'",
                             o->name);
        if (!o->client_cert != !o->client_key)
                cf_error(p, ynode_get(node, o->client_cert ? "client_cert" : "client_key", NULL),
                     "client_cert and client_key must be given together");
}

static void parse_outputs(struct cparse *p, const struct field *f, const struct ynode *key,
                          const struct ynode *val, void *base) {
        struct config *c = base;

        if (!val || yscalar_is_null(val))
                return;
        if (val->type != YNODE_SEQUENCE)
                return cf_error(p, val, "outputs must be a list of outputs");
        c->outputs = calloc(val->n, sizeof(*c->outputs));
        if (!c->outputs && val->n) {
                p->oom = true;
                return;
        }
        for (size_t i = 0; i < val->n; i++) {
                const struct ynode *node = val->items[i];
                struct config_output *o = &c->outputs[c->n_outputs++];

                output_defaults(o);
                if (!node || node->type != YNODE_MAPPING) {
                        cf_error(p, node ? node : key, "each output must be a mapping");
                        continue;
                }
                cf_parse_map(p, node, node, output_fields, "output", o);
                check_output(p, c, o, node);
        }
}

static char **strv_new1(const char *s) {
        char **v = calloc(2, sizeof(char *));

        if (v && s && !(v[0] = strdup(s))) {
                free(v);
                return NULL;
        }
        return v;
}

struct config *config_new_default(void) {
        struct config *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->probe_dirs = strv_new1(NULL);
        c->controls_dirs = strv_new1(CONFIG_DEFAULT_CONTROLS_DIR);
        c->state_dir = strdup("/var/lib/complyd");
        c->probe_timeout_usec = 30 * USEC_PER_SEC;
        c->probe_max_output = MIB;
        c->alerts.journald = true;
        c->alerts.damping = 1;
        c->alerts.webhook.format = WEBHOOK_JSON;
        c->alerts.webhook.timeout_usec = 10 * USEC_PER_SEC;
        c->alerts.command.timeout_usec = 30 * USEC_PER_SEC;
        c->evidence.heartbeat_usec = USEC_HOUR;
        c->evidence.spool_max_bytes = 256 * MIB;
        c->evidence.retention_usec = 400 * USEC_DAY;
        c->evidence.sync = EVIDENCE_SYNC_BATCH;
        if (!c->probe_dirs || !c->controls_dirs || !c->state_dir) {
                config_free(c);
                return NULL;
        }
        return c;
}

void config_waiver_free(struct config_waiver *w) {
        if (!w)
                return;
        free(w->reason);
        free(w->expires);
        free(w);
}

void config_free(struct config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->text);
        strv_free(c->probe_dirs);
        strv_free(c->controls_dirs);
        free(c->state_dir);
        free(c->host_id);
        free(c->hostname);
        free(c->script_user);
        for (size_t i = 0; i < c->n_probes; i++) {
                free(c->probes[i].name);
                free(c->probes[i].user);
                json_decref(c->probes[i].params);
        }
        free(c->probes);
        for (size_t i = 0; i < c->n_controls; i++) {
                free(c->controls[i].id);
                json_decref(c->controls[i].params);
                config_waiver_free(c->controls[i].waiver);
        }
        free(c->controls);
        free(c->alerts.webhook.url);
        free(c->alerts.webhook.token_file);
        free(c->alerts.webhook.ca_file);
        free(c->alerts.command.path);
        for (size_t i = 0; i < c->n_outputs; i++) {
                struct config_output *o = &c->outputs[i];
                free(o->name);
                free(o->url);
                free(o->token_file);
                free(o->ca_file);
                free(o->pinned_pubkey);
                free(o->client_cert);
                free(o->client_key);
                free(o->proxy);
        }
        free(c->outputs);
        free(c->metrics_textfile);
        ynode_free(c->tree);
        free(c);
}

/* Cross-key checks once the whole file is read. */
static void check_config(struct cparse *p, const struct config *c) {
        const struct ynode *alerts = ynode_get(c->tree, "alerts", NULL), *k = NULL, *v;

        v = ynode_get(alerts, "webhook", &k);
        if (k && v && v->type == YNODE_MAPPING && !c->alerts.webhook.url &&
            !ynode_get(v, "url", NULL))
                cf_error(p, v, "alerts.webhook needs a 'url'");
        k = NULL;
        v = ynode_get(alerts, "command", &k);
        if (k && v && v->type == YNODE_MAPPING && !c->alerts.command.path &&
            !ynode_get(v, "path", NULL))
                cf_error(p, v, "alerts.command needs a 'path'");
}

int config_load_buffer(const char *buf, size_t len, const char *file, struct diag_list *diag,
                       struct config **ret) {
        struct cparse p = { .file = file ? file : "<input>", .diag = diag };
        _cleanup_config_ struct config *c = config_new_default();
        int r;

        if (!c)
                return -ENOMEM;
        if (!(c->path = strdup(p.file)) || !(c->text = malloc(len + 1)))
                return -ENOMEM;
        memcpy(c->text, buf, len);
        c->text[len] = '\0';
        c->text_len = len;
        r = yaml_tree_parse(buf, len, p.file, diag, &c->tree);
        if (r < 0)
                return r;
        cf_parse_map(&p, c->tree, NULL, top_fields, "the top level", c);
        check_config(&p, c);
        if (p.oom)
                return -ENOMEM;
        if (p.failed)
                return -EINVAL;
        *ret = TAKE_PTR(c);
        return 0;
}

int config_load(const char *path, bool explicit_path, struct diag_list *diag,
                struct config **ret) {
        const char *file = path ? path : CONFIG_DEFAULT_PATH;
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        r = read_full_file(file, YAML_MAX_INPUT, &buf, &len);
        if (r == -ENOENT && !explicit_path) {
                struct config *c = config_new_default();
                if (!c)
                        return -ENOMEM;
                *ret = c;
                return 0;
        }
        if (r == -EFBIG) {
                diag_add(diag, file, 0, 0, "file too large (limit %d bytes)", YAML_MAX_INPUT);
                return -EINVAL;
        }
        if (r < 0) {
                diag_add(diag, file, 0, 0, "cannot read configuration: %s", strerror(-r));
                return r;
        }
        return config_load_buffer(buf, len, file, diag, ret);
}

const struct config_probe *config_find_probe(const struct config *c, const char *name) {
        for (size_t i = 0; c && i < c->n_probes; i++)
                if (streq(c->probes[i].name, name))
                        return &c->probes[i];
        return NULL;
}

const struct config_control *config_find_control(const struct config *c, const char *id) {
        for (size_t i = 0; c && i < c->n_controls; i++)
                if (streq(c->controls[i].id, id))
                        return &c->controls[i];
        return NULL;
}

/* Validates one probes.NAME.params object against a parameter table,
 * reporting each bad key at its own position. */
static bool check_probe_params(struct diag_list *diag, const char *file, const char *name,
                               const struct complyd_param *table, const struct ynode *node) {
        struct complyd_probe fake = { .name = name, .params = table };
        bool ok = true;

        for (size_t i = 0; node && i < node->n; i++) {
                _cleanup_json_ json_t *one = json_object(), *out = NULL;
                json_t *v = ynode_to_json(node->items[i]);
                char err[512];

                if (!one || !v || json_object_set_new(one, node->keys[i]->value, v) < 0) {
                        diag_add(diag, file, node->keys[i]->line, node->keys[i]->col,
                                 "invalid parameter name");
                        return false;
                }
                if (probe_params_resolve(&fake, one, &out, err, sizeof(err)) < 0) {
                        diag_add(diag, file, node->keys[i]->line, node->keys[i]->col, "%s", err);
                        ok = false;
                }
        }
        return ok;
}

int config_check_probes(const struct config *c, probe_lookup_fn lookup, void *userdata,
                        struct diag_list *diag) {
        bool ok = true;

        for (size_t i = 0; c && i < c->n_probes; i++) {
                const struct config_probe *e = &c->probes[i];
                const struct complyd_param *table = NULL;
                int r = lookup(userdata, e->name, &table);

                if (r < 0) {
                        diag_add(diag, c->path, e->key_node->line, e->key_node->col,
                                 "unknown probe '%s'", e->name);
                        ok = false;
                } else if (r == 0 && !check_probe_params(diag, c->path, e->name, table,
                                                         e->params_node))
                        ok = false;
        }
        return ok ? 0 : -EINVAL;
}
