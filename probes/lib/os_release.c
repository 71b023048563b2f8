/* SPDX-License-Identifier: MIT */
/* os-release(5) reader. */
#include <string.h>

#include "cleanup.h"
#include "json_build.h"
#include "os_release.h"

json_t *os_release_value(const char *text, const char *key) {
        size_t klen = strlen(key);

        for (const char *l = text; *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t) (nl - l) : strlen(l);

                if (len > klen && strncmp(l, key, klen) == 0 && l[klen] == '=') {
                        const char *v = l + klen + 1;
                        size_t vlen = len - klen - 1;

                        if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0])
                                v++, vlen -= 2;
                        return lossy_string_json(v, vlen);
                }
                if (!nl)
                        break;
                l = nl + 1;
        }
        return json_null();
}

json_t *os_release_facts(const struct complyd_probe_ctx *ctx) {
        _cleanup_free_ char *osr = NULL;

        if (ctx->read_file(ctx, "/etc/os-release", OS_RELEASE_MAX_FILE, &osr, NULL) < 0)
                (void) ctx->read_file(ctx, "/usr/lib/os-release", OS_RELEASE_MAX_FILE, &osr, NULL);
        if (!osr)
                return json_pack("{s:n, s:n, s:n}", "id", "version_id", "pretty_name");
        return json_pack("{s:o, s:o, s:o}", "id", os_release_value(osr, "ID"), "version_id",
                         os_release_value(osr, "VERSION_ID"), "pretty_name",
                         os_release_value(osr, "PRETTY_NAME"));
}
