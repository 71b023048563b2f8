/* SPDX-License-Identifier: MIT */
/* firewall: does the host drop inbound traffic it has not allowed, for
 * IPv4 and for IPv6? On the live host the loaded rulesets decide: `nft -j
 * list ruleset` (which also shows iptables-nft's tables) and
 * iptables-save/ip6tables-save (iptables-legacy). Under --root, or when
 * neither can be read, the saved configuration decides: /etc/nftables.conf
 * (with its top-level includes) when nftables.service is enabled,
 * /etc/iptables/rules.v4|v6 when netfilter-persistent is enabled, ufw when
 * ENABLED=yes, firewalld's default zone when firewalld is enabled.
 *
 * A family is default-deny when some filter chain on its input hook drops
 * what no rule accepted: policy drop, or a last rule that drops or rejects
 * unconditionally. (Every base chain on a hook must accept a packet, so one
 * such chain is enough.) Jumps are not followed. */
#include <complyd/probe.h>

#include <fcntl.h>

#include "cleanup.h"
#include "firewall.h"

#define RUN_MAX (32u << 20)
#define CONF_MAX (16u << 20)
#define INCLUDE_FILES_MAX 64

static bool exists(const struct complyd_probe_ctx *ctx, const char *path) {
        struct stat st;
        return ctx->stat(ctx, path, &st, 0) >= 0;
}

/* The first of two sbin paths of a tool that exists under the root, or NULL. */
static const char *tool(const struct complyd_probe_ctx *ctx, const char *usr, const char *sbin) {
        return exists(ctx, usr) ? usr : exists(ctx, sbin) ? sbin : NULL;
}

/* Whether a systemd unit is enabled: a link to it in some
 * /etc/systemd/system/<target>.wants/ directory. The link itself is
 * looked at (its target may not exist under a --root). */
static bool unit_enabled(const struct complyd_probe_ctx *ctx, const char *unit) {
        char **dirs = NULL;
        bool found = false;

        if (ctx->glob(ctx, "/etc/systemd/system/*.wants", &dirs) < 0)
                return false;
        for (char **d = dirs; *d && !found; d++) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (asprintf(&path, "%s/%s", *d, unit) < 0)
                        break;
                found = ctx->stat(ctx, path, &st, AT_SYMLINK_NOFOLLOW) >= 0;
        }
        ctx->strv_free(dirs);
        return found;
}

/* The chains of a ruleset as JSON facts. */
static json_t *chains_json(const struct fw_ruleset *rs) {
        json_t *arr = json_array();

        for (size_t i = 0; arr && i < rs->n_chains; i++) {
                const struct fw_chain *c = &rs->chains[i];
                json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:s?, s:s, s:b, s:b}",
                                      "family", c->family, "table", c->table, "chain", c->name,
                                      "priority", c->priority,
                                      "policy", c->policy_drop ? "drop" : "accept",
                                      "rules", (json_int_t) c->rules,
                                      "last_rule", fw_verdict_name(c->tail),
                                      "default", fw_verdict_name(fw_chain_default(c)),
                                      "ipv4", fw_family_covers(c->family, false),
                                      "ipv6", fw_family_covers(c->family, true));
                if (!o || json_array_append_new(arr, o) < 0) {
                        json_decref(o);
                        json_decref(arr);
                        return NULL;
                }
        }
        return arr;
}

/* One source of chains for the decision. */
struct source {
        const char *name;    /* "nftables", "iptables" */
        bool loaded;         /* read from the kernel */
        bool effective;      /* counts for the decision */
        struct fw_ruleset rs;
};

/* nftables.conf and the files its top-level include statements name
 * (globs, one level), parsed into one ruleset. */
static int read_nft_conf(const struct complyd_probe_ctx *ctx, struct fw_ruleset *rs,
                         json_t *files) {
        _cleanup_free_ char *buf = NULL;
        size_t len, done;
        int r;

        if (ctx->read_file(ctx, "/etc/nftables.conf", CONF_MAX, &buf, &len) < 0)
                return 0;
        if ((r = fw_nft_conf_parse(buf, len, rs)) < 0)
                return r;
        json_array_append_new(files, json_string("/etc/nftables.conf"));
        done = rs->n_includes;
        for (size_t i = 0; i < done && json_array_size(files) < INCLUDE_FILES_MAX; i++) {
                char **paths = NULL;

                if (rs->includes[i][0] != '/' || ctx->glob(ctx, rs->includes[i], &paths) < 0)
                        continue;
                for (char **p = paths; *p && json_array_size(files) < INCLUDE_FILES_MAX; p++) {
                        _cleanup_free_ char *inc = NULL;

                        if (ctx->read_file(ctx, *p, CONF_MAX, &inc, &len) < 0)
                                continue;
                        if ((r = fw_nft_conf_parse(inc, len, rs)) < 0)
                                break;
                        json_array_append_new(files, json_string(*p));
                }
                ctx->strv_free(paths);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* nftables: the loaded ruleset on the live host, else the saved one. */
static int observe_nftables(const struct complyd_probe_ctx *ctx, struct source *src, json_t **out) {
        const char *nft = tool(ctx, "/usr/sbin/nft", "/sbin/nft");
        bool enabled = unit_enabled(ctx, "nftables.service");
        _cleanup_json_ json_t *files = json_array();
        _cleanup_free_ char *error = NULL;
        const char *source = NULL;
        int r;

        if (!files)
                return -ENOMEM;
        src->name = "nftables";
        if (ctx->live_host && nft) {
                const char *argv[] = { nft, "-j", "list", "ruleset", NULL };
                _cleanup_free_ char *buf = NULL;

                r = ctx->run(ctx, argv, RUN_MAX, &buf);
                if (r == 0) {
                        if ((r = fw_nft_json_parse(buf, strlen(buf), &src->rs)) < 0)
                                return r;
                        if (src->rs.parsed) {
                                source = "nft -j list ruleset";
                                src->loaded = src->effective = true;
                        } else
                                error = strdup("nft printed no nftables JSON");
                } else if (r < 0) {
                        if (asprintf(&error, "nft could not run: %s", strerror(-r)) < 0)
                                error = NULL;
                } else if (asprintf(&error, "nft exited with status %d", r) < 0)
                        error = NULL;
        }
        if (!source) {
                fw_ruleset_done(&src->rs);
                memset(&src->rs, 0, sizeof(src->rs));
                if ((r = read_nft_conf(ctx, &src->rs, files)) < 0)
                        return r;
                if (json_array_size(files) > 0) {
                        source = "/etc/nftables.conf";
                        src->effective = enabled;
                }
        }
        *out = json_pack("{s:b, s:b, s:s?, s:b, s:s?, s:O, s:I, s:I, s:o, s:b}",
                         "installed", nft != NULL, "service_enabled", enabled,
                         "source", source, "loaded", src->loaded, "error", error,
                         "files", files, "tables", (json_int_t) src->rs.tables,
                         "rules", (json_int_t) src->rs.rules, "input_chains", chains_json(&src->rs),
                         "chains_truncated", src->rs.chains_truncated);
        return *out ? 0 : -ENOMEM;
}

/* iptables for one family: iptables-save (ip6tables-save) on the live
 * host, else the iptables-persistent file rules.v4 (rules.v6). */
static int observe_iptables_family(const struct complyd_probe_ctx *ctx, bool ipv6, bool enabled,
                                   struct source *src, json_t **out) {
        const char *save = ipv6 ? tool(ctx, "/usr/sbin/ip6tables-save", "/sbin/ip6tables-save")
                                : tool(ctx, "/usr/sbin/iptables-save", "/sbin/iptables-save");
        const char *file = ipv6 ? "/etc/iptables/rules.v6" : "/etc/iptables/rules.v4";
        const char *fam = ipv6 ? "ip6" : "ip", *source = NULL;
        _cleanup_free_ char *buf = NULL, *error = NULL;
        size_t len;
        int r;

        src->name = "iptables";
        if (ctx->live_host && save) {
                const char *argv[] = { save, NULL };

                r = ctx->run(ctx, argv, RUN_MAX, &buf);
                if (r == 0) {
                        if ((r = fw_iptables_save_parse(buf, strlen(buf), fam, &src->rs)) < 0)
                                return r;
                        source = ipv6 ? "ip6tables-save" : "iptables-save";
                        src->loaded = src->effective = true;
                } else if (r < 0 ? asprintf(&error, "%s could not run: %s", save, strerror(-r))
                                 : asprintf(&error, "%s exited with status %d", save, r) < 0)
                        error = NULL;
                free(TAKE_PTR(buf));
        }
        if (!source && ctx->read_file(ctx, file, CONF_MAX, &buf, &len) >= 0) {
                if ((r = fw_iptables_save_parse(buf, len, fam, &src->rs)) < 0)
                        return r;
                source = file;
                src->effective = enabled;
        }
        *out = json_pack("{s:s?, s:b, s:s?, s:s?, s:b, s:I, s:I, s:o}",
                         "source", source, "loaded", src->loaded, "error", error,
                         "generator", src->rs.generator[0] ? src->rs.generator : NULL,
                         "legacy_tables_present", src->rs.legacy_tables_warning,
                         "tables", (json_int_t) src->rs.tables, "rules", (json_int_t) src->rs.rules,
                         "input_chains", chains_json(&src->rs));
        return *out ? 0 : -ENOMEM;
}

static int observe_iptables(const struct complyd_probe_ctx *ctx, struct source *v4,
                            struct source *v6, json_t **out) {
        bool enabled = unit_enabled(ctx, "netfilter-persistent.service");
        _cleanup_json_ json_t *o4 = NULL, *o6 = NULL;
        int r;

        if ((r = observe_iptables_family(ctx, false, enabled, v4, &o4)) < 0 ||
            (r = observe_iptables_family(ctx, true, enabled, v6, &o6)) < 0)
                return r;
        *out = json_pack("{s:b, s:b, s:O, s:O}",
                         "installed", tool(ctx, "/usr/sbin/iptables", "/sbin/iptables") != NULL,
                         "persistent_enabled", enabled, "ipv4", o4, "ipv6", o6);
        return *out ? 0 : -ENOMEM;
}

/* A KEY of a small configuration file, or NULL (absent or unreadable). */
static int conf_value(const struct complyd_probe_ctx *ctx, const char *path, const char *key,
                      char **value) {
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (ctx->read_file(ctx, path, 1u << 20, &buf, &len) < 0)
                return 0;
        return fw_kv_value(buf, len, key, value);
}

static bool policy_denies(const char *policy) {
        return policy && (strcasecmp(policy, "DROP") == 0 || strcasecmp(policy, "REJECT") == 0);
}

/* ufw: enabled (ufw.conf ENABLED=yes), its default input policy and IPv6
 * switch (/etc/default/ufw) and the user rules. *deny4 and *deny6 tell whether
 * this configuration denies inbound traffic by default. */
static int observe_ufw(const struct complyd_probe_ctx *ctx, bool *deny4, bool *deny6, json_t **out) {
        _cleanup_free_ char *enabled = NULL, *policy = NULL, *ipv6 = NULL;
        _cleanup_json_ json_t *rules = json_array();
        static const char *const files[] = { "/etc/ufw/user.rules", "/etc/ufw/user6.rules" };
        bool on, v6;
        int r;

        if (!rules)
                return -ENOMEM;
        if ((r = conf_value(ctx, "/etc/ufw/ufw.conf", "ENABLED", &enabled)) < 0 ||
            (r = conf_value(ctx, "/etc/default/ufw", "DEFAULT_INPUT_POLICY", &policy)) < 0 ||
            (r = conf_value(ctx, "/etc/default/ufw", "IPV6", &ipv6)) < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *buf = NULL;
                size_t len;

                if (ctx->read_file(ctx, files[i], CONF_MAX, &buf, &len) >= 0 &&
                    (r = fw_ufw_user_rules(buf, len, rules)) < 0)
                        return r;
        }
        on = enabled && strcasecmp(enabled, "yes") == 0;
        v6 = !ipv6 || strcasecmp(ipv6, "yes") == 0;
        *deny4 = on && policy_denies(policy);
        *deny6 = *deny4 && v6;
        *out = json_pack("{s:b, s:o, s:s?, s:o, s:O}",
                         "installed", tool(ctx, "/usr/sbin/ufw", "/sbin/ufw") != NULL,
                         "enabled", enabled ? json_boolean(on) : json_null(),
                         "default_input_policy", policy,
                         "ipv6", ipv6 ? json_boolean(v6) : json_null(), "user_rules", rules);
        return *out ? 0 : -ENOMEM;
}

/* firewalld: enabled unit, default zone (firewalld.conf DefaultZone, else
 * "public") and that zone's target (/etc/firewalld/zones overrides
 * /usr/lib/firewalld/zones; no target attribute is "default", which
 * rejects). *deny is set when firewalld is enabled and the target is not
 * ACCEPT. */
static int observe_firewalld(const struct complyd_probe_ctx *ctx, bool *deny, json_t **out) {
        _cleanup_free_ char *zone = NULL, *target = NULL, *path = NULL, *buf = NULL;
        bool enabled = unit_enabled(ctx, "firewalld.service"), installed;
        const char *zone_file = NULL;
        size_t len;
        int r;

        installed = tool(ctx, "/usr/sbin/firewalld", "/sbin/firewalld") != NULL;
        if ((r = conf_value(ctx, "/etc/firewalld/firewalld.conf", "DefaultZone", &zone)) < 0)
                return r;
        if (!zone && !(zone = strdup("public")))
                return -ENOMEM;
        if (!strchr(zone, '/') && !streq(zone, "..")) {
                static const char *const dirs[] = { "/etc/firewalld/zones", "/usr/lib/firewalld/zones" };

                for (size_t i = 0; i < ELEMENTSOF(dirs) && !zone_file; i++) {
                        free(path);
                        if (asprintf(&path, "%s/%s.xml", dirs[i], zone) < 0)
                                return -ENOMEM;
                        if (ctx->read_file(ctx, path, 1u << 20, &buf, &len) < 0)
                                continue;
                        zone_file = path;
                        r = fw_firewalld_zone_target(buf, len, &target);
                        if (r == -ENOMEM)
                                return r;
                        if (r == 0 && !(target = strdup("default")))
                                return -ENOMEM;
                }
        }
        *deny = enabled && target && strcasecmp(target, "ACCEPT") != 0;
        *out = json_pack("{s:b, s:b, s:s, s:s?, s:s?}", "installed", installed,
                         "service_enabled", enabled, "default_zone", zone, "zone_file", zone_file,
                         "zone_target", target);
        return *out ? 0 : -ENOMEM;
}

/* The decision for one family: the first default-deny chain among the
 * effective sources; when no ruleset was read from the kernel, ufw and
 * firewalld configuration count too. any_config: some firewall
 * configuration is in effect (basis "configuration" rather than "none"
 * when nothing denies). */
static json_t *decide(struct source *const *srcs, size_t n, bool ipv6, bool ufw_deny,
                      bool firewalld_deny, bool any_config) {
        bool any_loaded = false;

        for (size_t i = 0; i < n; i++)
                any_loaded |= srcs[i]->loaded;
        for (size_t i = 0; i < n; i++) {
                const struct source *s = srcs[i];

                if (!s->effective || (any_loaded && !s->loaded))
                        continue;
                for (size_t k = 0; k < s->rs.n_chains; k++) {
                        const struct fw_chain *c = &s->rs.chains[k];

                        if (!fw_family_covers(c->family, ipv6) || fw_chain_default(c) == FW_ACCEPT)
                                continue;
                        return json_pack("{s:b, s:s, s:s, s:s++++, s:s}", "default_deny", true,
                                         "basis", s->loaded ? "loaded ruleset" : "saved configuration",
                                         "source", s->name, "chain", c->family, " ", c->table, " ",
                                         c->name, "default", fw_verdict_name(fw_chain_default(c)));
                }
        }
        if (!any_loaded && (ufw_deny || firewalld_deny))
                return json_pack("{s:b, s:s, s:s, s:n, s:s}", "default_deny", true, "basis",
                                 "saved configuration", "source", ufw_deny ? "ufw" : "firewalld",
                                 "chain", "default", "drop");
        return json_pack("{s:b, s:s, s:n, s:n, s:n}", "default_deny", false, "basis",
                         any_loaded ? "loaded ruleset" : any_config ? "saved configuration" : "no firewall configured",
                         "source", "chain", "default");
}

/* Whether the kernel has IPv6: /proc/sys/net/ipv6 exists; null when
 * /proc/sys itself is missing (an image without /proc). */
static json_t *ipv6_enabled(const struct complyd_probe_ctx *ctx) {
        if (exists(ctx, "/proc/sys/net/ipv6"))
                return json_true();
        return exists(ctx, "/proc/sys") ? json_false() : json_null();
}

/* The firewall managers set to start at boot (CIS: use one): nftables,
 * netfilter-persistent (iptables), ufw, firewalld. */
static json_t *managers_enabled(json_t *nft, json_t *ipt, json_t *ufw, json_t *fwd) {
        json_t *arr = json_array();

        if (arr && json_is_true(json_object_get(nft, "service_enabled")))
                json_array_append_new(arr, json_string("nftables"));
        if (arr && json_is_true(json_object_get(ipt, "persistent_enabled")))
                json_array_append_new(arr, json_string("iptables"));
        if (arr && json_is_true(json_object_get(ufw, "enabled")))
                json_array_append_new(arr, json_string("ufw"));
        if (arr && json_is_true(json_object_get(fwd, "service_enabled")))
                json_array_append_new(arr, json_string("firewalld"));
        return arr;
}

static int fw_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        struct source nft = { 0 }, ipt4 = { 0 }, ipt6 = { 0 };
        _cleanup_json_ json_t *onft = NULL, *oipt = NULL, *oufw = NULL, *ofwd = NULL;
        _cleanup_json_ json_t *in4 = NULL, *in6 = NULL, *managers = NULL;
        struct source *const v4[] = { &nft, &ipt4 }, *const v6[] = { &nft, &ipt6 };
        bool ufw4 = false, ufw6 = false, fwd = false;
        int r;

        if ((r = observe_nftables(ctx, &nft, &onft)) >= 0 &&
            (r = observe_iptables(ctx, &ipt4, &ipt6, &oipt)) >= 0 &&
            (r = observe_ufw(ctx, &ufw4, &ufw6, &oufw)) >= 0 &&
            (r = observe_firewalld(ctx, &fwd, &ofwd)) >= 0) {
                bool cfg = nft.effective || ipt4.effective || ipt6.effective ||
                           json_is_true(json_object_get(oufw, "enabled")) ||
                           json_is_true(json_object_get(ofwd, "service_enabled"));

                in4 = decide(v4, ELEMENTSOF(v4), false, ufw4, fwd, cfg);
                in6 = decide(v6, ELEMENTSOF(v6), true, ufw6, fwd, cfg);
                if (in4 && in6 &&
                    (json_object_set_new(in4, "family", json_string("ipv4")) < 0 ||
                     json_object_set_new(in4, "kernel_enabled", json_true()) < 0 ||
                     json_object_set_new(in6, "family", json_string("ipv6")) < 0 ||
                     json_object_set_new(in6, "kernel_enabled", ipv6_enabled(ctx)) < 0 ||
                     !(managers = managers_enabled(onft, oipt, oufw, ofwd))))
                        json_decref(TAKE_PTR(in4));
                *out = in4 && in6 ? json_pack("{s:s, s:b, s:O, s:{s:O, s:O}, s:{s:O, s:O}, s:O, s:O, s:O, s:O}",
                        "schema", "complyd.firewall.v1", "live", ctx->live_host,
                        "managers_enabled", managers,
                        "inbound_default_deny", "ipv4", json_object_get(in4, "default_deny"),
                        "ipv6", json_object_get(in6, "default_deny"),
                        "inbound", "ipv4", in4, "ipv6", in6,
                        "nftables", onft, "iptables", oipt, "ufw", oufw, "firewalld", ofwd) : NULL;
                r = *out ? 0 : -ENOMEM;
        }
        fw_ruleset_done(&nft.rs);
        fw_ruleset_done(&ipt4.rs);
        fw_ruleset_done(&ipt6.rs);
        return r;
}

const struct complyd_probe complyd_probe_firewall = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "firewall",
        .version = "1.0",
        .description = "nftables, iptables, ufw and firewalld state; inbound default policy per family",
        .observe = fw_observe,
        .typical_ms = 10,
};
