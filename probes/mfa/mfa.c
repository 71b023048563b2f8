/* SPDX-License-Identifier: MIT */
/* mfa: does logging in need a second factor? sshd's effective settings
 * (sshd_config with Include and Match), the PAM auth stacks of sshd, sudo,
 * login (and any service in the `pam_services` parameter) with the
 * second-factor modules in them, and whether SSH enforces one for every
 * login. Facts only; the decision table is in README. */
#include <complyd/probe.h>

#include "cleanup.h"
#include "factors.h"
#include "mfa.h"

#define SSHD_BINARY "/usr/sbin/sshd"

static const struct complyd_param mfa_params[] = {
        { COMPLYD_PARAM_STRINGS, "pam_services", "[\"sshd\", \"sudo\", \"login\"]",
          "PAM services whose auth stack is reported (sshd is always included)" },
        { 0 },
};

/* ctx-backed file access for the parsers */
static int io_read(void *userdata, const char *path, char **buf, size_t *len) {
        const struct complyd_probe_ctx *ctx = userdata;
        return ctx->read_file(ctx, path, SSHD_MAX_FILE_SIZE, buf, len);
}

static int io_glob(void *userdata, const char *pattern, char ***paths) {
        const struct complyd_probe_ctx *ctx = userdata;
        return ctx->glob(ctx, pattern, paths);
}

static void io_strv_free(char **strv) { strv_free(strv); }

/* One PAM service: its stack, verdict and facts. */
static int observe_service(const struct complyd_probe_ctx *ctx, const char *service,
                           struct mfa_pam_result *verdict, json_t **out) {
        struct pam_stack_io io = { .read = io_read, .userdata = (void *) ctx };
        _cleanup_(pam_stack_done) struct pam_stack s;
        struct mfa_pam_result res;
        _cleanup_free_ char *file = NULL;
        json_t *o;
        int r;

        pam_stack_init(&s);
        r = pam_stack_load(&s, service, "auth", &io);
        if (r < 0)
                return r;
        if ((r = mfa_pam_analyze(&s, &res)) < 0)
                return r;
        if (asprintf(&file, "/etc/pam.d/%s", service) < 0)
                file = NULL;
        o = json_pack("{s:s, s:b, s:b, s:O, s:b, s:b, s:b, s:o, s:o}",
                      "file", s.file ? s.file : (file ? file : ""), "exists", s.exists,
                      "uses_other", s.uses_other, "second_factors", res.factors,
                      "second_factor_required", res.required, "auth_can_succeed",
                      res.can_succeed, "analysis_complete", res.complete && !s.truncated,
                      "auth_stack", pam_stack_entries_json(&s),
                      "errors", pam_stack_errors_json(&s));
        if (!o) {
                mfa_pam_result_done(&res);
                return -ENOMEM;
        }
        if (verdict)
                *verdict = res;
        else
                mfa_pam_result_done(&res);
        *out = o;
        return 0;
}

/* services: {name: {...}} for sshd plus the pam_services parameter. */
static int observe_services(const struct complyd_probe_ctx *ctx, struct mfa_pam_result *sshd,
                            json_t **out) {
        _cleanup_json_ json_t *services = json_object();
        json_t *list = json_object_get(ctx->params, "pam_services"), *v, *o;
        size_t i;
        int r;

        if (!services)
                return -ENOMEM;
        if ((r = observe_service(ctx, "sshd", sshd, &o)) < 0)
                return r;
        json_object_set_new(services, "sshd", o);
        json_array_foreach(list, i, v) {
                const char *name = json_string_value(v);
                if (!name || json_object_get(services, name))
                        continue;
                r = observe_service(ctx, name, NULL, &o);
                if (r == -EINVAL) /* a name with '/' or "..": reported, not read */
                        o = json_pack("{s:s}", "error", "invalid PAM service name");
                else if (r < 0)
                        return r;
                if (!o || json_object_set_new(services, name, o) < 0)
                        return -ENOMEM;
        }
        *out = TAKE_PTR(services);
        return 0;
}

/* "file:line" of the setting in effect, or "default". */
static json_t *source(const struct sshd_setting *s) {
        return s ? json_sprintf("%s:%u", s->file, s->line) : json_string("default");
}

/* A yes/no setting as a fact; null when there is no configuration. */
static json_t *flag(const struct sshd_config *cfg, bool config_exists, const char *name) {
        return config_exists ? json_boolean(sshd_config_flag(cfg, NULL, name)) : json_null();
}

/* The sshd facts of a parsed configuration; settings are null when
 * sshd_config does not exist. */
static json_t *sshd_facts(const struct sshd_config *cfg, bool installed, bool binary,
                          bool config_exists) {
        static const char *const srcs[] = {
                "UsePAM", "KbdInteractiveAuthentication", "PasswordAuthentication",
                "PubkeyAuthentication", "AuthenticationMethods", "ForceCommand",
                "PermitEmptyPasswords", "HostbasedAuthentication", "GSSAPIAuthentication",
        };
        json_t *sources = json_object(), *files = json_array();
        const char *fc = sshd_config_value(cfg, NULL, "ForceCommand");

        for (size_t i = 0; sources && i < ELEMENTSOF(srcs); i++)
                json_object_set_new(sources, srcs[i], source(sshd_config_get(cfg, srcs[i])));
        for (size_t i = 0; files && i < cfg->n_files; i++)
                json_array_append_new(files, json_string(cfg->files[i]));
        return json_pack("{s:b, s:o, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                         "installed", installed,
                         "binary", binary ? json_string(SSHD_BINARY) : json_null(),
                         "config_file", SSHD_CONFIG_PATH, "config_exists", config_exists,
                         "use_pam", flag(cfg, config_exists, "UsePAM"),
                         "kbd_interactive", flag(cfg, config_exists, "KbdInteractiveAuthentication"),
                         "password_authentication", flag(cfg, config_exists, "PasswordAuthentication"),
                         "pubkey_authentication", flag(cfg, config_exists, "PubkeyAuthentication"),
                         "authentication_methods",
                         sshd_auth_methods_json(sshd_config_value(cfg, NULL, "AuthenticationMethods")),
                         "force_command", streq(fc, "none") ? json_null() : json_string(fc),
                         "match_blocks", sshd_config_matches_json(cfg),
                         "config_files", files, "config_errors", sshd_config_errors_json(cfg),
                         "sources", sources,
                         "permit_empty_passwords", flag(cfg, config_exists, "PermitEmptyPasswords"));
}

/* ssh.*: the global decision, then each Match block (but `Match all`, which
 * is part of the global settings) as a context of its own. */
static int ssh_facts(const struct sshd_config *cfg, const struct mfa_pam_result *pam,
                     json_t **out) {
        _cleanup_json_ json_t *contexts = json_array(), *gpaths = NULL;
        _cleanup_free_ char *greason = NULL, *reason = NULL;
        struct mfa_ssh_view v;
        bool genforced, enforced;
        int r;

        if (!contexts)
                return -ENOMEM;
        mfa_ssh_view_init(&v, cfg, NULL);
        if ((r = mfa_ssh_decide(&v, pam, &genforced, &greason, &gpaths)) < 0)
                return r;
        if (mfa_sshd_startup_refused(cfg)) {
                genforced = false;
                free(greason);
                if (!(greason = strdup("no AuthenticationMethods list can be satisfied by the "
                                       "methods enabled when sshd starts (before Match all is "
                                       "applied), so sshd refuses to start")))
                        return -ENOMEM;
        }
        enforced = genforced;
        for (size_t i = 0; i < cfg->n_matches; i++) {
                const struct sshd_match *m = &cfg->matches[i];
                _cleanup_free_ char *mreason = NULL;
                json_t *mpaths = NULL, *c;
                bool menforced;

                if (m->all)
                        continue;
                mfa_ssh_view_init(&v, cfg, m);
                if ((r = mfa_ssh_decide(&v, pam, &menforced, &mreason, &mpaths)) < 0)
                        return r;
                c = json_pack("{s:s, s:s, s:i, s:b, s:s, s:o}", "match", m->criteria, "file",
                              m->file, "line", (json_int_t) m->line, "second_factor_enforced",
                              menforced, "reason", mreason, "auth_paths", mpaths);
                if (!c || json_array_append_new(contexts, c) < 0)
                        return -ENOMEM;
                if (enforced && !menforced) {
                        enforced = false;
                        if (asprintf(&reason, "not for every user: Match %s (%s:%u) relaxes it: %s",
                                     m->criteria, m->file, m->line, mreason) < 0)
                                return -ENOMEM;
                }
        }
        *out = json_pack("{s:b, s:s, s:b, s:O, s:O}", "second_factor_enforced", enforced,
                         "enforcement_reason", reason ? reason : greason,
                         "global_second_factor_enforced", genforced, "auth_paths", gpaths,
                         "match_contexts", contexts);
        return *out ? 0 : -ENOMEM;
}

static json_t *not_installed_ssh(void) {
        return json_pack("{s:b, s:s, s:b, s:[], s:[]}", "second_factor_enforced", false,
                         "enforcement_reason",
                         "sshd is not installed (no " SSHD_BINARY " and no " SSHD_CONFIG_PATH ")",
                         "global_second_factor_enforced", false, "auth_paths", "match_contexts");
}

static int mfa_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        struct sshd_config_io io = { .read = io_read, .glob = io_glob, .strv_free = io_strv_free,
                                     .userdata = (void *) ctx };
        _cleanup_(sshd_config_done) struct sshd_config cfg;
        _cleanup_json_ json_t *services = NULL, *ssh = NULL, *sshd = NULL;
        struct mfa_pam_result pam = { 0 };
        struct stat st;
        bool binary, config;
        int r;

        sshd_config_init(&cfg);
        binary = ctx->stat(ctx, SSHD_BINARY, &st, 0) >= 0 && S_ISREG(st.st_mode);
        r = sshd_config_load(&cfg, SSHD_CONFIG_PATH, &io);
        if (r == -ENOMEM)
                return r;
        config = r >= 0;
        if (r < 0 && r != -ENOENT)
                ctx->log(ctx, 4, "mfa: cannot read %s: %s", SSHD_CONFIG_PATH, strerror(-r));
        if ((r = observe_services(ctx, &pam, &services)) < 0)
                return r;
        if (!binary && !config)
                ssh = not_installed_ssh();
        else if (!config)
                ssh = json_pack("{s:b, s:s, s:b, s:[], s:[]}", "second_factor_enforced", false,
                                "enforcement_reason",
                                SSHD_CONFIG_PATH " is missing or unreadable, so sshd cannot start",
                                "global_second_factor_enforced", false, "auth_paths",
                                "match_contexts");
        else if ((r = ssh_facts(&cfg, &pam, &ssh)) < 0) {
                mfa_pam_result_done(&pam);
                return r;
        }
        mfa_pam_result_done(&pam);
        sshd = sshd_facts(&cfg, binary || config, binary, config);
        if (!ssh || !sshd)
                return -ENOMEM;
        *out = json_pack("{s:s, s:O, s:O, s:O}", "schema", "complyd.mfa.v1", "sshd", sshd,
                         "services", services, "ssh", ssh);
        return *out ? 0 : -ENOMEM;
}

const struct complyd_probe complyd_probe_mfa = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "mfa",
        .version = "1.0",
        .description = "second factors for SSH, sudo and login: sshd_config, PAM stacks, enforcement",
        .params = mfa_params,
        .observe = mfa_observe,
};
