/* SPDX-License-Identifier: MIT */
/* complyd command line (early skeleton: `probe` runs in-process). */
#include <getopt.h>

#include "builtin.h"
#include "log.h"
#include "probe_ctx.h"
#include "util.h"

static const struct complyd_probe *find_builtin(const char *name) {
        for (size_t i = 0; builtin_probes[i]; i++)
                if (streq(builtin_probes[i]->name, name))
                        return builtin_probes[i];
        return NULL;
}

static int cmd_probe(int argc, char **argv) {
        static const struct option opts[] = { { "root", required_argument, NULL, 'r' }, {} };
        const char *root = "/";
        const struct complyd_probe *p;
        struct complyd_probe_ctx *ctx = NULL;
        _cleanup_json_ json_t *params = NULL, *out = NULL;
        char err[512];
        int c, r;

        while ((c = getopt_long(argc, argv, "r:", opts, NULL)) >= 0)
                if (c == 'r')
                        root = optarg;
                else
                        return 2;
        if (optind >= argc)
                return log_error("probe: name missing"), 2;
        p = find_builtin(argv[optind]);
        if (!p)
                return log_error("unknown probe '%s'", argv[optind]), 2;
        if (probe_params_resolve(p, NULL, &params, err, sizeof(err)) < 0)
                return log_error("%s", err), 2;
        r = probe_ctx_new(root, params, now_monotonic_usec() + 30 * USEC_PER_SEC, &ctx);
        if (r < 0)
                return log_error_errno(r, "Cannot use root %s: %m", root), 2;
        r = p->observe(ctx, &out);
        probe_ctx_free(ctx);
        if (r < 0)
                return log_error_errno(r, "probe %s failed: %m", p->name), 1;
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        return 0;
}

int main(int argc, char **argv) {
        log_setup(LOG_STYLE_PLAIN);
        if (argc < 2)
                return log_error("usage: complyd COMMAND ..."), 2;
        if (streq(argv[1], "--version"))
                return puts("complyd " COMPLYD_VERSION), 0;
        if (streq(argv[1], "probe"))
                return cmd_probe(argc - 1, argv + 1);
        return log_error("unknown command '%s'", argv[1]), 2;
}
