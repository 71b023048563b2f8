/* SPDX-License-Identifier: MIT */
/* hostinfo: the audited host's identity — os-release, hostname, machine-id,
 * kernel. Small, and the model for a built-in probe. */
#include <complyd/probe.h>

#include "cleanup.h"
#include "os_release.h"

static json_t *first_line(const struct complyd_probe_ctx *ctx, const char *path) {
        _cleanup_free_ char *buf = NULL;

        if (ctx->read_file(ctx, path, 4096, &buf, NULL) < 0)
                return json_null();
        buf[strcspn(buf, "\n")] = '\0';
        return json_string(buf);
}

static int hostinfo_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        json_t *o;

        o = json_pack("{s:s, s:o, s:o, s:o, s:o}",
                      "schema", "complyd.hostinfo.v1",
                      "os", os_release_facts(ctx),
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
