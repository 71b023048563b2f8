/* SPDX-License-Identifier: MIT */
/* mfa probe internals: PAM stack verdicts and the SSH decision. */
#ifndef COMPLYD_MFA_H
#define COMPLYD_MFA_H

#include <stdbool.h>

#include <jansson.h>

#include "pam_stack.h"
#include "sshd_config.h"

/* What one PAM service's auth stack does with second factors. */
struct mfa_pam_result {
        bool has_factor;     /* a recognised second-factor module is in the stack */
        bool required;       /* the stack cannot succeed unless a factor succeeds */
        bool can_succeed;    /* the stack can succeed at all */
        bool complete;       /* the analysis finished (state limit not hit) */
        char *factor_desc;   /* "pam_google_authenticator (/etc/pam.d/sshd:57)" or NULL */
        char *skip_reason;   /* why a login can pass without a factor; NULL when required */
        json_t *factors;     /* second_factors[] facts */
};

/* Analyses stack s; fills res (which the caller releases with
 * mfa_pam_result_done()). Returns 0 or -ENOMEM. */
int mfa_pam_analyze(const struct pam_stack *s, struct mfa_pam_result *res);
void mfa_pam_result_done(struct mfa_pam_result *res);

#define MFA_VIEW_KEYWORDS 13

/* The settings that decide SSH enforcement in one context: the global
 * configuration with `Match all` applied, or that with one Match block's
 * overrides applied (sshd_config_value()). Strings point into the parsed
 * configuration or the keyword table. */
struct mfa_ssh_view {
        bool use_pam, kbd, password, pubkey, hostbased, gssapi, permit_empty;
        bool disable_forwarding;
        const char *auth_methods;        /* "any" or the lists */
        const char *force_command;       /* "none" or the command */
        const char *allow_tcp_forwarding, *allow_streamlocal_forwarding, *permit_tunnel;
        /* the deciding settings that come from a `Match all` block, for the reason */
        const struct sshd_setting *match_all[MFA_VIEW_KEYWORDS];
        size_t n_match_all;
};

void mfa_ssh_view_init(struct mfa_ssh_view *v, const struct sshd_config *cfg,
                       const struct sshd_match *m);

/* Decides whether every login allowed in view v needs a second factor, given
 * the sshd PAM service's verdict. Sets *enforced, *reason (malloc'ed
 * sentence) and *paths (the auth_paths[] facts). Returns 0 or -ENOMEM and
 * sets nothing on failure. */
int mfa_ssh_decide(const struct mfa_ssh_view *v, const struct mfa_pam_result *pam,
                   bool *enforced, char **reason, json_t **paths);

/* Whether sshd refuses to start because no AuthenticationMethods list can
 * be satisfied by the enabled methods. sshd checks this once, at start-up,
 * on the values of its first pass over the file (sshd_config_first_pass():
 * `Match all` lines count in file order, they do not override yet), with
 * "none" always enabled (sshd.c main(), auth2_methods_valid(list, 1)). */
bool mfa_sshd_startup_refused(const struct sshd_config *cfg);

#endif
