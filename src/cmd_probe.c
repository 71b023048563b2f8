/* SPDX-License-Identifier: MIT */
/* complyd probe NAME: run one probe, supervised exactly as for a control,
 * and print its observation. */
#include <getopt.h>

#include "app.h"
#include "children.h"
#include "commands.h"
#include "log.h"
#include "probe_ctx.h"
#include "runner.h"
#include "util.h"
#include "write_all.h"

static const char probe_help[] =
        "Usage: complyd probe NAME [OPTION]...\n"
        "Run one probe and print its raw observation (JSON). The probe runs in a\n"
        "supervised child process with its timeout and output cap, as for a control.\n"
        "\n"
        "  -c, --config FILE        configuration file (probe_dirs, probes.NAME settings)\n"
        "  -r, --root DIR           observe the host under DIR\n"
        "  -l, --list               list the probes and their parameters\n"
        "  -h, --help               show this help\n"
        "\n"
        "Exit status: 0 with the observation printed, 1 when the probe failed (the\n"
        "reason on stderr), 2 on a usage or configuration error.\n";

struct probe_cli {
        sd_event *event;
        char *text;
        size_t text_len;
        char *error;
};

static void on_done(struct probe_run *run, struct probe_result *res, void *userdata) {
        struct probe_cli *cli = userdata;

        cli->text = TAKE_PTR(res->text);
        cli->text_len = res->text_len;
        cli->error = TAKE_PTR(res->error);
        sd_event_exit(cli->event, 0);
}

/* Indented for a person at a terminal; for a pipe, the probe's own compact
 * text as it printed it (checked by the runner to be one JSON object),
 * which an observation of megabytes needs no tree and no second
 * serialisation for. */
static int print_observation(struct probe_cli *cli) {
        _cleanup_free_ char *pretty = NULL, *text = TAKE_PTR(cli->text);
        _cleanup_json_ json_t *obs = NULL;
        json_error_t jerr;
        int r;

        if (isatty(STDOUT_FILENO)) {
                obs = json_loadb(text, cli->text_len, JSON_REJECT_DUPLICATES, &jerr);
                pretty = obs ? json_dumps(obs, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
                if (!pretty)
                        return log_error("Cannot indent the observation: %s", obs ? "out of memory" : jerr.text),
                               EXIT_FAILED;
                fputs(pretty, stdout);
                putchar('\n');
                return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
        }
        r = write_all(STDOUT_FILENO, text, cli->text_len);
        if (r >= 0 && (cli->text_len == 0 || text[cli->text_len - 1] != '\n'))
                r = write_all(STDOUT_FILENO, "\n", 1);
        if (r < 0)
                return log_error_errno(r, "Cannot write the observation: %m"), EXIT_FAILED;
        return EXIT_OK;
}

static void list_probes(const struct registry *reg) {
        for (size_t i = 0; i < reg->n; i++) {
                const struct probe_entry *e = &reg->entries[i];

                printf("%-20s %-14s %s\n", e->name, probe_kind_name(e->kind),
                       e->probe ? e->probe->description : e->path);
                for (const struct complyd_param *p = e->probe ? e->probe->params : NULL; p && p->key; p++)
                        printf("  param %-14s default %s — %s\n", p->key, p->default_json, p->help);
        }
}

static int run_probe(struct app *app, const struct probe_entry *entry, const char *root) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        const struct config_probe *cp = config_find_probe(app->config, entry->name);
        _cleanup_json_ json_t *params = NULL;
        struct probe_cli cli = { 0 };
        char err[1024];
        int r;

        if (!entry->probe)
                params = cp && cp->params ? json_incref(cp->params) : json_object();
        else if (probe_params_resolve(entry->probe, cp ? cp->params : NULL, &params, err, sizeof(err)) < 0)
                return log_error("%s", err), EXIT_USAGE;

        struct probe_request req;

        app_probe_request(app, entry, root, params, &req);
        r = sd_event_new(&e);
        if (r >= 0)
                r = children_setup(e);
        cli.event = e;
        if (r >= 0)
                r = runner_start_text(e, &req, on_done, &cli, NULL);
        if (r >= 0)
                r = sd_event_loop(e);
        if (r < 0)
                return log_error_errno(r, "Cannot run probe %s: %m", entry->name), EXIT_USAGE;
        if (cli.error) {
                log_error("probe %s: %s", entry->name, cli.error);
                free(cli.error);
                return EXIT_FAILED;
        }
        return print_observation(&cli);
}

int cmd_probe(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "root", required_argument, NULL, 'r' },
                { "list", no_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' }, {}
        };
        const char *config = NULL, *root = "/";
        struct diag_list diag = DIAG_LIST_INIT;
        const struct probe_entry *entry;
        struct app app;
        bool list = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:r:lh", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'r': root = optarg; break;
                case 'l': list = true; break;
                case 'h': fputs(probe_help, stdout); return EXIT_OK;
                default: return usage_error("probe", "invalid option");
                }
        if (!list && optind != argc - 1)
                return usage_error("probe", optind >= argc ? "probe name missing" : "too many arguments");
        _cleanup_free_ char *root_abs = realpath(root, NULL);
        if (!root_abs)
                return usage_error("probe", "cannot use root '%s': %m", root);
        root = root_abs; /* absolute: probes run with their working directory at / */

        r = app_load_probes(config, &diag, &app);
        if (r < 0) {
                diag_print(&diag, stderr);
                diag_clear(&diag);
                app_free(&app);
                return EXIT_USAGE;
        }
        if (list) {
                list_probes(app.registry);
                r = EXIT_OK;
        } else if (!(entry = registry_find(app.registry, argv[optind]))) {
                r = usage_error("probe", "unknown probe '%s' (see 'complyd probe --list')", argv[optind]);
        } else
                r = run_probe(&app, entry, root);
        app_free(&app);
        return r;
}
