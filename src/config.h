/* SPDX-License-Identifier: MIT */
/* complyd.yaml: loaded into a typed struct with defaults, every problem
 * reported as file:line:col. Nothing here logs. */
#ifndef COMPLYD_CONFIG_H
#define COMPLYD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "complyd/probe.h"
#include "diag.h"
#include "yaml_tree.h"

#define CONFIG_DEFAULT_PATH SYSCONFDIR "/complyd/complyd.yaml"
#define CONFIG_DEFAULT_CONTROLS_DIR SYSCONFDIR "/complyd/controls.d"

/*
 * How the config and the control loader learn which probes exist. Returns
 * 0 and sets *params to the probe's parameter table (NULL or terminated by a
 * {0} entry; only these keys are accepted), 1 when the probe accepts any
 * parameters (e.g. a script), or -ENOENT for an unknown probe.
 */
typedef int (*probe_lookup_fn)(void *userdata, const char *name,
                               const struct complyd_param **params);

enum webhook_format { WEBHOOK_JSON, WEBHOOK_SLACK };
enum output_format { OUTPUT_NATIVE, OUTPUT_OCSF, OUTPUT_OTLP, OUTPUT_SPLUNK_HEC };
enum evidence_sync { EVIDENCE_SYNC_BATCH, EVIDENCE_SYNC_ALWAYS };

/* probes: {NAME: {...}} — per-probe overrides; has_* tells what was set */
struct config_probe {
        char *name;
        bool has_timeout, has_max_output;
        uint64_t timeout_usec;
        uint64_t max_output;
        char *user;                     /* NULL = script_user */
        json_t *params;                 /* object or NULL */
        const struct ynode *key_node;   /* positions (owned by config->tree) */
        const struct ynode *params_node;
};

struct config_waiver {
        char *reason;
        char *expires;          /* as written: YYYY-MM-DD or RFC 3339 */
        uint64_t expires_usec;  /* CLOCK_REALTIME instant it stops applying */
};

/* controls: {ID: {...}} — per-host overrides of a control */
struct config_control {
        char *id;
        bool has_enabled, has_interval;
        bool enabled;
        uint64_t interval_usec;
        json_t *params;                 /* object or NULL */
        struct config_waiver *waiver;   /* NULL when none */
        const struct ynode *key_node;   /* positions (owned by config->tree) */
        const struct ynode *params_node;
};

struct config_webhook {
        char *url;              /* NULL = no webhook */
        enum webhook_format format;
        char *token_file, *ca_file;
        uint64_t timeout_usec;  /* default 10s */
};

struct config_command {
        char *path;             /* NULL = no command */
        uint64_t timeout_usec;  /* default 30s */
};

struct config_alerts {
        bool journald;          /* default true */
        unsigned damping;       /* >= 1, default 1 */
        uint64_t renotify_usec; /* 0 = off (default) */
        struct config_webhook webhook;
        struct config_command command;
};

struct config_output {
        char *name, *url;
        enum output_format format;      /* default native */
        char *token_file, *ca_file, *pinned_pubkey, *client_cert, *client_key, *proxy;
        bool gzip;                      /* default true */
        unsigned batch_max_records;     /* default 500 */
        uint64_t batch_max_bytes;       /* default 1 MiB */
        uint64_t timeout_usec;          /* default 30s */
};

struct config_evidence {
        uint64_t heartbeat_usec;        /* default 1h */
        uint64_t spool_max_bytes;       /* default 256 MiB */
        uint64_t retention_usec;        /* default 400d */
        enum evidence_sync sync;        /* default batch */
};

struct config {
        char *path;             /* the file read; NULL when built-in defaults only */
        char *text;             /* its bytes (NUL-terminated), NULL with no file */
        size_t text_len;

        char **probe_dirs;      /* NULL-terminated, never NULL */
        char **controls_dirs;   /* NULL-terminated, never NULL */
        bool controls_dirs_set; /* given in the file (a missing dir is then an error) */
        char *state_dir;
        char *host_id, *hostname;       /* NULL = detect */
        uint64_t probe_timeout_usec;    /* default 30s */
        uint64_t probe_max_output;      /* default 1 MiB */
        char *script_user;              /* NULL = run scripts as complyd's user */

        struct config_probe *probes;
        size_t n_probes;
        struct config_control *controls;
        size_t n_controls;

        struct config_alerts alerts;
        struct config_output *outputs;
        size_t n_outputs;
        struct config_evidence evidence;
        char *metrics_textfile;         /* NULL = no metrics file */

        struct ynode *tree;             /* parsed file, kept for positions */
        const struct ynode *controls_dirs_node;
};

/*
 * Loads path (NULL = CONFIG_DEFAULT_PATH). A missing file is fine unless
 * explicit_path is set: then built-in defaults apply. Every problem is added
 * to diag. Returns 0 and a new config in *ret; -EINVAL when the file has
 * errors, -ENOENT when an explicit file is missing (also in diag), -ENOMEM.
 */
int config_load(const char *path, bool explicit_path, struct diag_list *diag,
                struct config **ret);

/* The same from a buffer; file names it in diagnostics. */
int config_load_buffer(const char *buf, size_t len, const char *file, struct diag_list *diag,
                       struct config **ret);

/* A config with every default (what no file at all means). NULL on OOM. */
struct config *config_new_default(void);

void config_free(struct config *c);
static inline void config_freep(struct config **c) { config_free(*c); }
#define _cleanup_config_ __attribute__((cleanup(config_freep)))

/* Checks the probes: section against the known probes: unknown names and
 * parameters not in a probe's table are added to diag (at the key). Returns
 * 0 when all is well, -EINVAL otherwise. controls_load() calls this. */
int config_check_probes(const struct config *c, probe_lookup_fn lookup, void *userdata,
                        struct diag_list *diag);

const struct config_probe *config_find_probe(const struct config *c, const char *name);
const struct config_control *config_find_control(const struct config *c, const char *id);

/* Parses a waiver mapping {reason, expires} (both required) read from
 * file; problems go to diag. Returns 0 and a new waiver, -EINVAL, -ENOMEM. */
int config_parse_waiver(const struct ynode *val, const char *file, struct diag_list *diag,
                        struct config_waiver **ret);
void config_waiver_free(struct config_waiver *w);

/* Size "1048576", "512KiB", "1MiB", "2GiB" (also "B") -> bytes; 0 or -EINVAL/-ERANGE. */
int parse_size(const char *s, uint64_t *bytes);
/* "YYYY-MM-DD" (until the end of that day, UTC) or RFC 3339 -> usec since
 * the epoch when the waiver stops applying; 0 or -EINVAL. */
int parse_expiry(const char *s, uint64_t *usec);

#endif
