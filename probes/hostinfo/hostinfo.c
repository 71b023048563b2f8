/* SPDX-License-Identifier: MIT */
/* hostinfo: the audited host's identity — os-release, hostname, machine-id,
 * kernel. Small, and the model for a built-in probe. */
#include <complyd/probe.h>

#include "cleanup.h"

/* Value of KEY= in an os-release style text, unquoted; NULL when absent. */
static json_t *os_release_value(const char *text, const char *key) {
        size_t klen = strlen(key);

        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *end = strchr(l, '\n');
                size_t len = end ? (size_t) (end - l) : strlen(l);

                if (len > klen && strncmp(l, key, klen) == 0 && l[klen] == '=') {
                        const char *v = l + klen + 1;
                        size_t vlen = len - klen - 1;

                        if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0])
                                v++, vlen -= 2;
                        return json_stringn(v, vlen);
                }
        }
        return json_null();
}

static json_t *first_line(const struct complyd_probe_ctx *ctx, const char *path) {
        _cleanup_free_ char *buf = NULL;

        if (ctx->read_file(ctx, path, 4096, &buf, NULL) < 0)
                return json_null();
        buf[strcspn(buf, "\n")] = '\0';
        return json_string(buf);
}

static int hostinfo_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_free_ char *osr = NULL;
        json_t *o;

        if (ctx->read_file(ctx, "/etc/os-release", 65536, &osr, NULL) < 0)
                (void) ctx->read_file(ctx, "/usr/lib/os-release", 65536, &osr, NULL);
        o = json_pack("{s:s, s:{s:o, s:o, s:o}, s:o, s:o, s:o}",
                      "schema", "complyd.hostinfo.v1",
                      "os",
                      "id", osr ? os_release_value(osr, "ID") : json_null(),
                      "version_id", osr ? os_release_value(osr, "VERSION_ID") : json_null(),
                      "pretty_name", osr ? os_release_value(osr, "PRETTY_NAME") : json_null(),
                      "hostname", first_line(ctx, "/etc/hostname"),
                      "machine_id", first_line(ctx, "/etc/machine-id"),
                      "kernel", first_line(ctx, "/proc/sys/kernel/osrelease"));
        if (!o)
                return -ENOMEM;
        *out = o;
        return 0;
}

const struct complyd_probe complyd_probe_hostinfo = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "hostinfo",
        .version = "1.0",
        .description = "host identity: os-release, hostname, machine-id, kernel",
        .observe = hostinfo_observe,
};
