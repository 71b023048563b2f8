/* SPDX-License-Identifier: MIT */
/* The rule language (notes/rules-spec.md): conditions compiled once from
 * YAML, evaluated against a probe's observation into a result object.
 * Evaluation is pure: no I/O, no logging, allocation only for the result. */
#ifndef COMPLYD_RULES_H
#define COMPLYD_RULES_H

#include <stdint.h>

#include <jansson.h>

#include "controls.h"
#include "diag.h"
#include "yaml_tree.h"

/* At most this many failures in one result ("failures_truncated": true). */
#define RULES_MAX_FAILURES 100

/*
 * Compiles a condition node (the value of `expect` or `applies_when`) read
 * from file, substituting ${name} from params (an object). Every problem
 * (malformed path, unknown operator, bad regex, unknown parameter...) is
 * added to diag at its line:col. Returns 0 and a new rule in *ret, -EINVAL,
 * or -ENOMEM.
 */
int rule_compile(const struct ynode *cond, const char *file, const json_t *params,
                 struct diag_list *diag, struct rule **ret);
void rule_free(struct rule *r);

/* Substitutes ${name} in a YAML subtree and converts it to JSON (used for
 * probe_params too). Problems go to diag; returns 0 and *ret, or -EINVAL. */
int rule_subst_json(const struct ynode *n, const char *file, const json_t *params,
                    struct diag_list *diag, json_t **ret);

/* Does the rule hold for this value? (no result, no allocation) */
bool rule_test(const struct rule *r, const json_t *value);

/*
 * Evaluates control c against observation at now (CLOCK_REALTIME usec, for
 * the waiver's expiry) and returns 0 and a new result object in *result:
 * {id, title, probe, severity, criteria, status, failures, summary, ...}
 * as rules-spec.md describes. -ENOMEM only.
 */
int control_evaluate(const struct control *c, const json_t *observation,
                     uint64_t now_realtime_usec, json_t **result);

/* The result of a control whose probe run failed: status "error", "error":
 * reason, no failures. A configured waiver applies as in control_evaluate()
 * (judged against the current CLOCK_REALTIME). NULL on OOM. */
json_t *control_result_error(const struct control *c, const char *reason);

#endif
