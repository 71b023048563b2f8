/* SPDX-License-Identifier: MIT */
/* The second-factor modules the mfa probe recognises: one table. */
#ifndef COMPLYD_MFA_FACTORS_H
#define COMPLYD_MFA_FACTORS_H

#include <stdbool.h>

#include "pam_stack.h"

struct mfa_factor {
        const char *module;              /* PAM module name, or program for ForceCommand */
        const char *kind;                /* what the factor is: "totp", "fido2/u2f", ... */
        bool force_command;              /* an sshd ForceCommand program, not a PAM module */
        const char *const *skip_options; /* options that let a user without the factor pass */
        const char *const *needs_options;/* a factor only with one of these (NULL: always) */
};

/* The factor entry e is, or NULL (also when a needs_options module lacks them). */
const struct mfa_factor *mfa_factor_for_pam(const struct pam_entry *e);
/* The factor a ForceCommand value runs (its program's base name), or NULL. */
const struct mfa_factor *mfa_factor_for_command(const char *command);
/* The first skip option set on e, or NULL. */
const char *mfa_factor_skip_option(const struct mfa_factor *f, const struct pam_entry *e);

#endif
