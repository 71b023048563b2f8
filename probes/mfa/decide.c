/* SPDX-License-Identifier: MIT */
/* Whether SSH logins need a second factor, in one sshd context.
 *
 * sshd runs the PAM auth stack only for keyboard-interactive (with UsePAM
 * yes; without PAM it has no device on Linux and cannot succeed) and for
 * password / empty-password logins with UsePAM yes. Public key, host-based
 * and GSSAPI logins never reach it. A login path is a list of methods that
 * must all succeed (an AuthenticationMethods list, or each enabled method
 * alone when AuthenticationMethods is "any"); a path has a second factor
 * when one of its methods runs a PAM stack that requires one. ForceCommand
 * login_duo adds Duo to every session, but not to forwarding-only
 * connections (`ssh -N`), so it counts only with forwarding disabled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "factors.h"
#include "mfa.h"

/* Every keyword mfa_ssh_view_init() reads, AuthenticationMethods first (the
 * order in which a reason names those that come from `Match all`). */
static const char *const view_keywords[MFA_VIEW_KEYWORDS] = {
        "AuthenticationMethods", "UsePAM", "KbdInteractiveAuthentication",
        "PasswordAuthentication", "PubkeyAuthentication", "HostbasedAuthentication",
        "GSSAPIAuthentication", "PermitEmptyPasswords", "ForceCommand", "DisableForwarding",
        "AllowTcpForwarding", "AllowStreamLocalForwarding", "PermitTunnel",
};

/* Fills v with the effective settings of context m (NULL: global), as
 * sshd computes them (`Match all` included), and remembers which of them
 * a `Match all` line sets. */
void mfa_ssh_view_init(struct mfa_ssh_view *v, const struct sshd_config *cfg,
                       const struct sshd_match *m) {
        *v = (struct mfa_ssh_view) {
                .use_pam = sshd_config_flag(cfg, NULL, "UsePAM"),
                .kbd = sshd_config_flag(cfg, m, "KbdInteractiveAuthentication"),
                .password = sshd_config_flag(cfg, m, "PasswordAuthentication"),
                .pubkey = sshd_config_flag(cfg, m, "PubkeyAuthentication"),
                .hostbased = sshd_config_flag(cfg, m, "HostbasedAuthentication"),
                .gssapi = sshd_config_flag(cfg, m, "GSSAPIAuthentication"),
                .permit_empty = sshd_config_flag(cfg, m, "PermitEmptyPasswords"),
                .disable_forwarding = sshd_config_flag(cfg, m, "DisableForwarding"),
                .auth_methods = sshd_config_value(cfg, m, "AuthenticationMethods"),
                .force_command = sshd_config_value(cfg, m, "ForceCommand"),
                .allow_tcp_forwarding = sshd_config_value(cfg, m, "AllowTcpForwarding"),
                .allow_streamlocal_forwarding =
                        sshd_config_value(cfg, m, "AllowStreamLocalForwarding"),
                .permit_tunnel = sshd_config_value(cfg, m, "PermitTunnel"),
        };
        for (size_t i = 0; i < ELEMENTSOF(view_keywords); i++) {
                const struct sshd_setting *s = sshd_config_setting(cfg, m, view_keywords[i]);
                if (s && s->match_all)
                        v->match_all[v->n_match_all++] = s;
        }
}

/* reason followed by "; Match all sets K V (file:line), ..." for the
 * deciding settings a `Match all` block sets. Takes reason; returns the
 * new malloc'ed sentence, or NULL on ENOMEM. */
static char *name_match_all(const struct mfa_ssh_view *v, char *reason) {
        const struct sshd_keyword *kws = sshd_keyword_table(NULL);

        for (size_t i = 0; reason && i < v->n_match_all; i++) {
                const struct sshd_setting *s = v->match_all[i];
                _cleanup_free_ char *old = reason;
                if (asprintf(&reason, "%s%s%s %s (%s:%u)", old, i ? ", " : "; Match all sets ",
                             kws[s->kw].name, s->value, s->file, s->line) < 0)
                        reason = NULL;
        }
        return reason;
}

/* Method name without a ":submethod" suffix, in buf. */
static const char *method_base(const char *m, char *buf, size_t n) {
        snprintf(buf, n, "%.*s", (int) strcspn(m, ":"), m);
        return buf;
}

static bool method_enabled(const struct mfa_ssh_view *v, const char *m) {
        if (streq(m, "publickey"))
                return v->pubkey;
        if (streq(m, "password"))
                return v->password;
        if (streq(m, "keyboard-interactive"))
                return v->kbd;
        if (streq(m, "hostbased"))
                return v->hostbased;
        if (streq(m, "gssapi-with-mic"))
                return v->gssapi;
        if (streq(m, "none"))
                return v->permit_empty && v->password;
        return false;
}

static bool method_uses_pam(const struct mfa_ssh_view *v, const char *m) {
        return v->use_pam &&
               (streq(m, "keyboard-interactive") || streq(m, "password") || streq(m, "none"));
}

/* The login paths of v as a JSON array of arrays of method names. */
static json_t *login_paths(const struct mfa_ssh_view *v) {
        static const char *const all[] = { "publickey", "password", "keyboard-interactive",
                                           "hostbased", "gssapi-with-mic", "none" };
        json_t *lists = sshd_auth_methods_json(v->auth_methods);

        if (!lists || !json_is_null(lists))
                return lists;
        json_decref(lists);
        if (!(lists = json_array()))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (method_enabled(v, all[i]))
                        json_array_append_new(lists, json_pack("[s]", all[i]));
        return lists;
}

/* Whether forwarding-only connections are impossible (login_duo then sees
 * every connection). */
static bool forwarding_disabled(const struct mfa_ssh_view *v) {
        return v->disable_forwarding ||
               (streq(v->allow_tcp_forwarding, "no") &&
                streq(v->allow_streamlocal_forwarding, "no") && streq(v->permit_tunnel, "no"));
}

/* Joins the methods of a path with ',' into buf. */
static const char *path_text(json_t *path, char *buf, size_t n) {
        size_t i, o = 0;
        json_t *m;

        buf[0] = '\0';
        json_array_foreach(path, i, m) {
                int k = snprintf(buf + o, n - o, "%s%s", i ? "," : "", json_string_value(m));
                if (k < 0 || (size_t) k >= n - o)
                        break;
                o += (size_t) k;
        }
        return buf;
}

/* Builds one auth_paths[] fact and tells whether the path is usable, goes
 * through PAM, and has a second factor. */
static json_t *path_fact(const struct mfa_ssh_view *v, const struct mfa_pam_result *pam,
                         json_t *path, bool *usable, bool *via_pam, bool *factor) {
        json_t *pam_methods = json_array(), *m;
        char buf[64];
        size_t i;

        *usable = true;
        *via_pam = false;
        json_array_foreach(path, i, m) {
                const char *name = method_base(json_string_value(m), buf, sizeof(buf));
                *usable &= method_enabled(v, name);
                if (method_uses_pam(v, name)) {
                        *via_pam = true;
                        json_array_append_new(pam_methods, json_string(name));
                }
        }
        *factor = *usable && *via_pam && pam->required;
        return json_pack("{s:O, s:b, s:o, s:b}", "methods", path, "usable", *usable,
                         "through_pam", pam_methods, "second_factor", *factor);
}

/* Why path p (text) has no second factor, malloc'ed. */
static char *path_reason(const struct mfa_ssh_view *v, const struct mfa_pam_result *pam,
                         const char *p, bool via_pam) {
        char *r = NULL;
        int k;

        if (via_pam && !pam->has_factor)
                k = asprintf(&r, "the sshd PAM auth stack has no second-factor module, so a "
                                 "\"%s\" login needs no second factor", p);
        else if (via_pam)
                k = asprintf(&r, "%s can be skipped: %s", pam->factor_desc,
                             pam->skip_reason ? pam->skip_reason : "the stack can succeed without it");
        else if (!v->use_pam)
                k = asprintf(&r, "UsePAM is no, so a \"%s\" login never runs the PAM auth stack%s%s",
                             p, pam->has_factor ? " that holds " : "",
                             pam->has_factor ? pam->factor_desc : "");
        else if (pam->has_factor)
                k = asprintf(&r, "a \"%s\" login never reaches the PAM auth stack, so %s is not "
                                 "asked for (AuthenticationMethods %s)",
                             p, pam->factor_desc, v->auth_methods);
        else
                k = asprintf(&r, "a \"%s\" login never reaches the PAM auth stack, and no "
                                 "second-factor module is configured", p);
        return k < 0 ? NULL : r;
}

/* Decision when PAM does not cover every path: ForceCommand login_duo. */
static int duo_decision(const struct mfa_ssh_view *v, bool *enforced, char **reason) {
        int k;

        if (forwarding_disabled(v)) {
                *enforced = true;
                k = asprintf(reason, "ForceCommand %s runs Duo before every session, and "
                                     "forwarding is disabled, so no connection skips it",
                             v->force_command);
        } else {
                *enforced = false;
                k = asprintf(reason, "ForceCommand %s runs Duo only for sessions: with "
                                     "AllowTcpForwarding %s, AllowStreamLocalForwarding %s and "
                                     "PermitTunnel %s a forwarding-only connection (ssh -N) "
                                     "skips it; set DisableForwarding yes",
                             v->force_command, v->allow_tcp_forwarding,
                             v->allow_streamlocal_forwarding, v->permit_tunnel);
        }
        return k < 0 ? -ENOMEM : 0;
}

int mfa_ssh_decide(const struct mfa_ssh_view *v, const struct mfa_pam_result *pam,
                   bool *enforced, char **reason, json_t **paths) {
        _cleanup_json_ json_t *lists = login_paths(v), *facts = json_array();
        _cleanup_free_ char *why = NULL;
        size_t i, usable_count = 0;
        bool all = true, enf;
        json_t *path;
        char text[256];

        if (!lists || !facts)
                return -ENOMEM;
        json_array_foreach(lists, i, path) {
                bool usable, via_pam, factor;
                json_t *f = path_fact(v, pam, path, &usable, &via_pam, &factor);

                if (!f || json_array_append_new(facts, f) < 0)
                        return -ENOMEM;
                if (!usable)
                        continue;
                usable_count++;
                if (!factor && all) {
                        all = false;
                        if (!(why = path_reason(v, pam, path_text(path, text, sizeof(text)),
                                                via_pam)))
                                return -ENOMEM;
                }
        }
        if (usable_count == 0) {
                enf = false;
                if (asprintf(&why, "%s", streq(v->auth_methods, "any")
                                       ? "no authentication method is enabled"
                                       : "no AuthenticationMethods list can be satisfied by the "
                                         "enabled methods, so no login can succeed") < 0)
                        return -ENOMEM;
        } else if (all) {
                enf = true;
                if (asprintf(&why, "every allowed login path runs the sshd PAM auth stack, "
                                   "which requires %s (AuthenticationMethods %s)",
                             pam->factor_desc, v->auth_methods) < 0)
                        return -ENOMEM;
        } else if (!streq(v->force_command, "none") && mfa_factor_for_command(v->force_command)) {
                free(TAKE_PTR(why));
                if (duo_decision(v, &enf, &why) < 0)
                        return -ENOMEM;
        } else
                enf = false;
        if (!(why = name_match_all(v, TAKE_PTR(why))))
                return -ENOMEM;
        *enforced = enf;
        *reason = TAKE_PTR(why);
        *paths = TAKE_PTR(facts);
        return 0;
}

/* A yes/no keyword as sshd's first pass has it (default when unset). */
static bool first_pass_flag(const struct sshd_config *cfg, const char *name) {
        const struct sshd_setting *s = sshd_config_first_pass(cfg, name);
        const char *v = s ? s->value : sshd_config_default(name);

        return v && strcasecmp(v, "yes") == 0;
}

/* Whether every method of list "m1,m2:sub,..." is enabled in v, with
 * "none" always enabled (auth2_methods_valid(list, 1)). */
static bool startup_list_ok(const struct mfa_ssh_view *v, const char *list) {
        char buf[64];

        for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',') {
                snprintf(buf, sizeof(buf), "%.*s", (int) strcspn(p, ",:"), p);
                if (!streq(buf, "none") && !method_enabled(v, buf))
                        return false;
        }
        return true;
}

bool mfa_sshd_startup_refused(const struct sshd_config *cfg) {
        const struct sshd_setting *am = sshd_config_first_pass(cfg, "AuthenticationMethods");
        struct mfa_ssh_view v = {
                .kbd = first_pass_flag(cfg, "KbdInteractiveAuthentication"),
                .password = first_pass_flag(cfg, "PasswordAuthentication"),
                .pubkey = first_pass_flag(cfg, "PubkeyAuthentication"),
                .hostbased = first_pass_flag(cfg, "HostbasedAuthentication"),
                .gssapi = first_pass_flag(cfg, "GSSAPIAuthentication"),
        };

        if (!am || streq(am->value, "any"))
                return false;
        for (char **l = am->args; *l; l++)
                if (startup_list_ok(&v, *l))
                        return false;
        return true;
}
