/* SPDX-License-Identifier: MIT */
/* Which second factors a PAM auth stack really requires: each recognised
 * factor is "blocked" (it cannot succeed, as for someone who has only the
 * password) and the stack's dispatch is explored for a way to PAM_SUCCESS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "factors.h"
#include "mfa.h"

void mfa_pam_result_done(struct mfa_pam_result *res) {
        free(res->factor_desc);
        free(res->skip_reason);
        json_decref(res->factors);
        memset(res, 0, sizeof(*res));
}

/* Outcomes every entry may have when nothing is blocked: pam_deny always
 * fails, pam_permit always succeeds, anything else may do anything. */
static unsigned char *base_outcomes(const struct pam_stack *s) {
        unsigned char *o = malloc(s->n_entries ? s->n_entries : 1);

        for (size_t i = 0; o && i < s->n_entries; i++) {
                const char *n = s->entries[i].name;
                o[i] = streq(n, "pam_deny") ? PAM_OUT_FAIL
                     : streq(n, "pam_permit") ? PAM_OUT_SUCCESS : PAM_OUT_ANY;
        }
        return o;
}

/* Outcomes of a factor nobody can pass: failure; or anything when a skip
 * option lets a user without the factor through. */
static unsigned char blocked(const struct mfa_factor *f, const struct pam_entry *e) {
        return mfa_factor_skip_option(f, e) ? PAM_OUT_ANY : PAM_OUT_FAIL;
}

/* Whether some entry action of e is a jump. */
static bool has_jump(const struct pam_entry *e) {
        for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                if (e->actions[i] > 0)
                        return true;
        return false;
}

/* The sentence explaining why factor entry i can be skipped, malloc'ed. */
static char *skip_sentence(const struct pam_stack *s, size_t i, const struct mfa_factor *f,
                           int witness) {
        const struct pam_entry *e = &s->entries[i];
        const char *opt = mfa_factor_skip_option(f, e);
        char *r = NULL;

        if (witness >= 0) {
                const struct pam_entry *w = &s->entries[witness];
                if (asprintf(&r, "%s %s at %s:%u %s", w->control, w->name, w->file, w->line,
                             has_jump(w) ? "can jump over it"
                                         : "can end the stack before it runs") < 0)
                        r = NULL;
        } else if (opt) {
                if (asprintf(&r, "option %s lets a user who has not enrolled pass without it",
                             opt) < 0)
                        r = NULL;
        } else if (asprintf(&r, "its failure does not fail the stack (control %s)",
                            e->control) < 0)
                r = NULL;
        return r;
}

/* Analyses factor entry i: sets *optional and *why (malloc'ed or NULL). */
static int analyse_factor(const struct pam_stack *s, const unsigned char *base, size_t i,
                          const struct mfa_factor *f, bool *optional, char **why,
                          bool *complete) {
        _cleanup_free_ unsigned char *o = malloc(s->n_entries);
        int witness = -1, r;

        if (!o)
                return -ENOMEM;
        memcpy(o, base, s->n_entries);
        o[i] = blocked(f, &s->entries[i]);
        r = pam_stack_can_succeed(s, o, (int) i, &witness);
        if (r == -ENOMEM)
                return r;
        if (r < 0) { /* too complex to explore: say it can be skipped */
                *complete = false;
                *optional = true;
                *why = strdup("the stack is too complex to prove that it cannot be skipped");
                return *why ? 0 : -ENOMEM;
        }
        *optional = r > 0;
        *why = NULL;
        if (r > 0 && !(*why = skip_sentence(s, i, f, witness)))
                return -ENOMEM;
        return 0;
}

static json_t *strv_json(char **v) {
        json_t *a = json_array();

        for (; a && v && *v; v++)
                json_array_append_new(a, json_string(*v));
        return a;
}

/* Appends the second_factors[] fact of entry i. */
static int factor_json(json_t *arr, const struct pam_entry *e, const struct mfa_factor *f,
                       bool optional, const char *why) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:i, s:o, s:i}", "module", e->name,
                              "kind", f->kind, "control", e->control, "optional", optional,
                              "optional_reason", why ? json_string(why) : json_null(), "file",
                              e->file, "line", (json_int_t) e->line, "options",
                              strv_json(e->args), "level", (json_int_t) e->level);

        return o && json_array_append_new(arr, o) == 0 ? 0 : -ENOMEM;
}

/* Whether the stack can succeed with every factor blocked. */
static int can_pass_without_factors(const struct pam_stack *s, const unsigned char *base) {
        _cleanup_free_ unsigned char *o = malloc(s->n_entries);

        if (!o)
                return -ENOMEM;
        memcpy(o, base, s->n_entries);
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct mfa_factor *f = mfa_factor_for_pam(&s->entries[i]);
                if (f)
                        o[i] = blocked(f, &s->entries[i]);
        }
        return pam_stack_can_succeed(s, o, -1, NULL);
}

int mfa_pam_analyze(const struct pam_stack *s, struct mfa_pam_result *res) {
        _cleanup_free_ unsigned char *base = base_outcomes(s);
        struct mfa_pam_result out = { .complete = true };
        bool desc_required = false;
        int r;

        if (!base || !(out.factors = json_array()))
                goto nomem;
        r = pam_stack_can_succeed(s, base, -1, NULL);
        if (r == -ENOMEM)
                goto nomem;
        out.can_succeed = r != 0; /* too complex counts as "can" */
        out.complete = r >= 0;
        for (size_t i = 0; i < s->n_entries; i++) {
                const struct mfa_factor *f = mfa_factor_for_pam(&s->entries[i]);
                _cleanup_free_ char *why = NULL;
                bool optional;

                if (!f)
                        continue;
                if (analyse_factor(s, base, i, f, &optional, &why, &out.complete) < 0 ||
                    factor_json(out.factors, &s->entries[i], f, optional, why) < 0)
                        goto nomem;
                if (!out.factor_desc || (!optional && !desc_required)) {
                        desc_required = !optional;
                        free(out.factor_desc);
                        if (asprintf(&out.factor_desc, "%s (%s:%u)", s->entries[i].name,
                                     s->entries[i].file, s->entries[i].line) < 0) {
                                out.factor_desc = NULL;
                                goto nomem;
                        }
                }
                if (optional && !out.skip_reason)
                        out.skip_reason = TAKE_PTR(why);
                out.has_factor = true;
        }
        if (out.has_factor) {
                r = can_pass_without_factors(s, base);
                if (r == -ENOMEM)
                        goto nomem;
                if (r < 0)
                        out.complete = false;
                out.required = r == 0;
        }
        if (out.required) {
                free(out.skip_reason);
                out.skip_reason = NULL;
        }
        *res = out;
        return 0;
nomem:
        mfa_pam_result_done(&out);
        return -ENOMEM;
}
