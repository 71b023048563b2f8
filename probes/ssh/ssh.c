/* SPDX-License-Identifier: MIT */
/* ssh: sshd's effective settings exactly as `sshd -T` prints them (the
 * shared sshd_config parser: Include, first value wins, `Match all`
 * applied, other Match blocks reported), the weak algorithms they allow,
 * the pre-login banner file and the protocol banner. Facts only. */
#include <complyd/probe.h>

#include <sys/stat.h>

#include "cleanup.h"
#include "dpkg_status.h"
#include "ssh.h"
#include "sshd_config.h"

#define SSHD_BINARY "/usr/sbin/sshd"
#define BANNER_MAX (64u << 10)

/* The algorithm lists checked against the weak table. */
static const char *const alg_keywords[] = {
        "ciphers", "macs", "kexalgorithms", "hostkeyalgorithms",
        "pubkeyacceptedalgorithms", "hostbasedacceptedalgorithms", "casignaturealgorithms",
};

static int io_read(void *userdata, const char *path, char **buf, size_t *len) {
        const struct complyd_probe_ctx *ctx = userdata;
        return ctx->read_file(ctx, path, SSHD_MAX_FILE_SIZE, buf, len);
}

static int io_glob(void *userdata, const char *pattern, char ***paths) {
        const struct complyd_probe_ctx *ctx = userdata;
        return ctx->glob(ctx, pattern, paths);
}

static void io_strv_free(char **strv) { strv_free(strv); }

/* weak_algorithms: [{keyword, algorithm, reason}] over the effective lists. */
static json_t *weak_algorithms(const json_t *effective) {
        _cleanup_json_ json_t *out = json_array();

        for (size_t i = 0; out && i < ELEMENTSOF(alg_keywords); i++) {
                const char *list = json_string_value(json_object_get(effective, alg_keywords[i]));
                if (list && ssh_weak_scan(alg_keywords[i], list, out) < 0)
                        return NULL;
        }
        return TAKE_PTR(out);
}

/* banner: the pre-authentication banner file sshd sends (Banner), whether
 * it exists and its size. */
static json_t *banner_facts(const struct complyd_probe_ctx *ctx, const json_t *effective) {
        const char *file = json_string_value(json_object_get(effective, "banner"));
        struct stat st;
        bool set = file && !streq(file, "none");
        bool exists = set && ctx->stat(ctx, file, &st, 0) >= 0 && S_ISREG(st.st_mode);

        return json_pack("{s:o, s:b, s:o}", "file", set ? json_string(file) : json_null(),
                         "exists", exists, "size",
                         exists ? json_integer((json_int_t) st.st_size) : json_null());
}

/* protocol: the identification string sshd sends before anything else,
 * "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10 addendum", built from the
 * installed openssh-server version, DebianBanner and VersionAddendum;
 * version fields null when the package is not in the dpkg database. */
static json_t *protocol_facts(const struct complyd_probe_ctx *ctx, const struct sshd_config *cfg,
                              const json_t *effective) {
        _cleanup_(pkgdb_free) struct pkgdb pkgs = { 0 };
        _cleanup_free_ char *ident = NULL;
        const struct sshd_setting *db = sshd_config_get(cfg, "DebianBanner");
        bool debian = !db || streq(db->value, "yes");
        const char *add = json_string_value(json_object_get(effective, "versionaddendum"));
        const char *version;
        char up[64], rev[64];

        if (add && streq(add, "none"))
                add = NULL;
        if (dpkg_status_load(ctx, &pkgs) == -ENOMEM)
                return NULL;
        version = pkgdb_installed_version(&pkgs, "openssh-server");
        if (version && ssh_split_version(version, up, sizeof(up), rev, sizeof(rev)) == 0 &&
            asprintf(&ident, "SSH-2.0-OpenSSH_%s%s%s%s%s", up, debian && *rev ? " Debian-" : "",
                     debian ? rev : "", add ? " " : "", add ? add : "") < 0)
                return NULL;
        return json_pack("{s:o, s:o, s:b, s:o}", "package_version",
                         version ? json_string(version) : json_null(), "identification",
                         ident ? json_string(ident) : json_null(), "debian_banner", debian,
                         "version_addendum", add ? json_string(add) : json_null());
}

/* The facts of a parsed configuration (config_exists) or of none. */
static json_t *config_facts(const struct complyd_probe_ctx *ctx, const struct sshd_config *cfg,
                            bool exists) {
        _cleanup_json_ json_t *eff = exists ? sshd_config_effective(cfg) : json_null();
        json_t *files = json_array();

        for (size_t i = 0; files && i < cfg->n_files; i++)
                json_array_append_new(files, json_string(cfg->files[i]));
        if (!eff || !files) {
                json_decref(files);
                return NULL;
        }
        return json_pack("{s:O, s:o, s:o, s:o, s:o, s:o, s:o}", "effective", eff,
                         "match_blocks", sshd_config_matches_json(cfg),
                         "weak_algorithms", exists ? weak_algorithms(eff) : json_array(),
                         "banner", exists ? banner_facts(ctx, eff) : json_null(),
                         "protocol", protocol_facts(ctx, cfg, eff),
                         "config_files", files, "config_errors", sshd_config_errors_json(cfg));
}

static int ssh_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        struct sshd_config_io io = { io_read, io_glob, io_strv_free, (void *) ctx };
        _cleanup_(sshd_config_done) struct sshd_config cfg;
        _cleanup_json_ json_t *o = NULL, *facts = NULL;
        struct stat st;
        bool binary = ctx->stat(ctx, SSHD_BINARY, &st, 0) >= 0 && S_ISREG(st.st_mode);
        int r;

        sshd_config_init(&cfg);
        r = sshd_config_load(&cfg, SSHD_CONFIG_PATH, &io);
        if (r == -ENOMEM)
                return r;
        if (!(facts = config_facts(ctx, &cfg, r >= 0)))
                return -ENOMEM;
        o = json_pack("{s:s, s:b, s:o, s:s, s:b}", "schema", "complyd.ssh.v1", "installed",
                      binary || r >= 0, "binary", binary ? json_string(SSHD_BINARY) : json_null(),
                      "config_file", SSHD_CONFIG_PATH, "config_exists", r >= 0);
        if (!o || json_object_update(o, facts) < 0)
                return -ENOMEM;
        *out = TAKE_PTR(o);
        return 0;
}

const struct complyd_probe complyd_probe_ssh = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "ssh",
        .version = "1.0",
        .description = "sshd effective settings as sshd -T prints them, weak algorithms, banners",
        .observe = ssh_observe,
};
