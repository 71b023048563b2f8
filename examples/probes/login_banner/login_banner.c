/* SPDX-License-Identifier: MIT */
/*
 * Example third-party probe, built as a shared object: login_banner.so.
 *
 *   cc -shared -fPIC -o login_banner.so login_banner.c $(pkg-config --cflags --libs jansson)
 *
 * Put it in a directory listed in `probe_dirs` (owned by root, not group- or
 * world-writable) and complyd loads it as the probe `login_banner`. It reports
 * the pre-login banners (CIS 1.7): whether each exists and whether it leaks
 * the OS version through getty escapes (\m \r \s \v) or the distribution name.
 */
#include <complyd/probe.h>
#include <stdlib.h>
#include <string.h>

static const struct complyd_param params[] = {
        { COMPLYD_PARAM_STRINGS, "files", "[\"/etc/issue\", \"/etc/issue.net\", \"/etc/motd\"]",
          "banner files to report" },
        { 0 }
};

static json_t *describe(const struct complyd_probe_ctx *ctx, const char *path) {
        char *text = NULL;
        size_t len = 0;
        int r = ctx->read_file(ctx, path, 65536, &text, &len);
        json_t *o;

        if (r < 0)
                return json_pack("{s:s, s:b, s:s}", "path", path, "exists", 0, "error", strerror(-r));
        o = json_pack("{s:s, s:b, s:I, s:b, s:b}", "path", path, "exists", 1, "size", (json_int_t) len,
                      "os_escapes", strstr(text, "\\m") || strstr(text, "\\r") || strstr(text, "\\s") ||
                                            strstr(text, "\\v"),
                      "names_os", strstr(text, "Debian") || strstr(text, "Ubuntu") ||
                                          strstr(text, "Red Hat") || strstr(text, "GNU/Linux"));
        free(text);
        return o;
}

static int login_banner_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        json_t *files = json_array(), *f;
        size_t i;

        if (!files)
                return -12; /* -ENOMEM */
        json_array_foreach(json_object_get(ctx->params, "files"), i, f)
                json_array_append_new(files, describe(ctx, json_string_value(f)));
        *out = json_pack("{s:s, s:o}", "schema", "example.login_banner.v1", "banners", files);
        return *out ? 0 : -12;
}

COMPLYD_PROBE_EXPORT = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "login_banner",
        .version = "1.0",
        .description = "pre-login banners: present, and whether they reveal the OS",
        .params = params,
        .observe = login_banner_observe,
};
