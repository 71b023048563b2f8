/* SPDX-License-Identifier: MIT */
/* The control set: built-in control files, local ones from the configured
 * directories, and per-host overrides from complyd.yaml, with every rule
 * compiled once at load. Nothing here logs. */
#ifndef COMPLYD_CONTROLS_H
#define COMPLYD_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "builtin.h"
#include "config.h"
#include "diag.h"

enum severity { SEVERITY_LOW, SEVERITY_MEDIUM, SEVERITY_HIGH, SEVERITY_CRITICAL };
const char *severity_to_string(enum severity s);

struct rule; /* compiled condition, see rules.h */

struct control {
        char *id, *title, *description; /* description may be NULL */
        json_t *criteria;               /* array of "framework:ID" strings */
        enum severity severity;
        char *probe;
        json_t *probe_params;           /* object: table defaults < control < config probes.NAME.params */
        uint64_t interval_usec;
        char *remediation;              /* may be NULL */
        struct config_waiver *waiver;   /* NULL when none (config override wins) */
        bool enabled;
        json_t *params;                 /* resolved parameter values (object) */
        char *file;                     /* where it was defined */
        unsigned line, col;
        struct rule *applies_when;      /* NULL = always applies */
        struct rule *expect;
};

struct control_set {
        struct control **controls;      /* in load order: built-ins, then local files */
        size_t n;
        char **notices;                 /* NULL-terminated: "file:line:col: control 'x' replaces ..." */
};

/*
 * Loads builtins (NULL = builtin_controls[]), then every *.yaml / *.yml file
 * of cfg->controls_dirs in name order (cfg NULL = no local files, no
 * overrides). A local control with a built-in's id replaces it (recorded in
 * set->notices); a duplicate id among built-ins or among local files is an
 * error. Then cfg's overrides apply, the probes: section of cfg is checked,
 * and every rule compiles. lookup tells which probes exist. Every problem is
 * added to diag. Returns 0 and a new set in *ret, -EINVAL when anything was
 * wrong, -ENOMEM.
 */
int controls_load(const struct builtin_file *builtins, const struct config *cfg,
                  probe_lookup_fn lookup, void *userdata, struct diag_list *diag,
                  struct control_set **ret);

const struct control *control_set_find(const struct control_set *s, const char *id);

void control_set_free(struct control_set *s);
static inline void control_set_freep(struct control_set **s) { control_set_free(*s); }
#define _cleanup_control_set_ __attribute__((cleanup(control_set_freep)))

#endif
