/* SPDX-License-Identifier: MIT */
/* complyd validate / complyd controls: inspect the configuration and the
 * control set without running anything. */
#include <getopt.h>

#include "app.h"
#include "commands.h"
#include "log.h"
#include "output.h"
#include "util.h"

static const char validate_help[] =
        "Usage: complyd validate [--config FILE]\n"
        "Check the configuration, the probe directories and every control file.\n"
        "Prints \"configuration OK\", or every problem as file:line:col: message.\n"
        "\n"
        "Exit status: 0 when valid, 1 when there are problems, 2 on a usage error.\n";

static const char controls_help[] =
        "Usage: complyd controls [--config FILE] [--format table|json|markdown]\n"
        "List the controls (built-in, local and overridden): id, severity, probe,\n"
        "interval, criteria and title.\n";

int cmd_validate(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' }, {}
        };
        const char *config = NULL;
        struct diag_list diag = DIAG_LIST_INIT;
        struct app app;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'h': fputs(validate_help, stdout); return EXIT_OK;
                default: return usage_error("validate", "invalid option");
                }
        if (optind < argc)
                return usage_error("validate", "unexpected argument '%s'", argv[optind]);

        r = app_load(config, &diag, &app);
        if (r < 0) {
                diag_print(&diag, stderr);
                fprintf(stderr, "%zu problem%s found\n", diag_count(&diag), diag_count(&diag) == 1 ? "" : "s");
                r = EXIT_FAILED;
        } else {
                for (char **n = app.controls->notices; n && *n; n++)
                        printf("note: %s\n", *n);
                printf("configuration OK: %s, %zu controls, %zu probes\n",
                       app.config->path ?: "built-in defaults", app.controls->n, app.registry->n);
                r = EXIT_OK;
        }
        diag_clear(&diag);
        app_free(&app);
        return r;
}

int cmd_controls(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' }, {}
        };
        const char *config = NULL, *format = "table";
        struct diag_list diag = DIAG_LIST_INIT;
        struct app app;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:f:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'f': format = optarg; break;
                case 'h': fputs(controls_help, stdout); return EXIT_OK;
                default: return usage_error("controls", "invalid option");
                }
        if (optind < argc)
                return usage_error("controls", "unexpected argument '%s'", argv[optind]);
        if (!streq(format, "table") && !streq(format, "json") && !streq(format, "markdown"))
                return usage_error("controls", "unknown format '%s' (table, json or markdown)", format);

        r = app_load(config, &diag, &app);
        if (r < 0) {
                diag_print(&diag, stderr);
                r = EXIT_USAGE;
        } else if (streq(format, "json")) {
                _cleanup_json_ json_t *j = output_controls_json(app.controls);
                r = j && json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? EXIT_OK : EXIT_USAGE;
                putchar('\n');
        } else if (streq(format, "markdown")) {
                output_controls_markdown(stdout, app.controls);
                r = EXIT_OK;
        } else {
                output_controls_table(stdout, app.controls, output_use_color(stdout));
                r = EXIT_OK;
        }
        diag_clear(&diag);
        app_free(&app);
        return r;
}
