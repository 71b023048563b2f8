/* SPDX-License-Identifier: MIT */
/* complyd check: evaluate the controls once, now, and print the results. */
#include <getopt.h>

#include "app.h"
#include "children.h"
#include "commands.h"
#include "evaluate.h"
#include "log.h"
#include "output.h"
#include "util.h"

static const char check_help[] =
        "Usage: complyd check [OPTION]...\n"
        "Evaluate every enabled control (or the ones named) now and print the results.\n"
        "\n"
        "  -c, --config FILE        configuration file\n"
        "  -r, --root DIR           audit the host under DIR (a fixture, a mounted image)\n"
        "      --control ID         evaluate only this control (repeatable; may be disabled)\n"
        "  -f, --format FORMAT      table (default) or json\n"
        "  -h, --help               show this help\n"
        "\n"
        "Exit status: 0 when no control fails, 1 when a control fails or errors,\n"
        "2 on a usage or configuration error.\n";

struct check_run {
        json_t *results;        /* in the order of the selected controls */
        const struct control **selected;
        size_t n_selected;
        sd_event *event;
};

static void on_control_done(const struct control *c, json_t *result, const json_t *obs, void *userdata) {
        struct check_run *run = userdata;

        for (size_t i = 0; i < run->n_selected; i++)
                if (run->selected[i] == c)
                        json_array_set_new(run->results, i, result);
}

static void on_all_done(struct evaluation *ev, void *userdata) {
        struct check_run *run = userdata;
        sd_event_exit(run->event, 0);
}

/* Picks the controls to run: the named ones, or every enabled one. */
static int select_controls(const struct control_set *set, char **ids, size_t n_ids,
                           const struct control ***ret, size_t *n_ret) {
        const struct control **sel = calloc(set->n + 1, sizeof(*sel));
        size_t n = 0;

        if (!sel)
                return log_oom();
        if (n_ids == 0) {
                for (size_t i = 0; i < set->n; i++)
                        if (set->controls[i]->enabled)
                                sel[n++] = set->controls[i];
        } else
                for (size_t i = 0; i < n_ids; i++) {
                        const struct control *c = control_set_find(set, ids[i]);
                        if (!c) {
                                free(sel);
                                return usage_error("check", "no control with id '%s' (see 'complyd controls')", ids[i]);
                        }
                        bool dup = false;
                        for (size_t j = 0; j < n; j++)
                                dup |= sel[j] == c;
                        if (!dup)
                                sel[n++] = c;
                }
        *ret = sel;
        *n_ret = n;
        return 0;
}

static int run_evaluation(struct app *app, const char *root, struct check_run *run) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        struct evaluation *ev = NULL;
        struct evaluation_spec spec = {
                .app = app,
                .root = root,
                .controls = run->selected,
                .n_controls = run->n_selected,
                .control_done = on_control_done,
                .done = on_all_done,
                .userdata = run,
        };
        int r;

        r = sd_event_new(&e);
        if (r >= 0)
                r = children_setup(e);
        if (r < 0)
                return log_error_errno(r, "Cannot set up the event loop: %m");
        run->event = e;
        for (size_t i = 0; i < run->n_selected; i++)
                json_array_append_new(run->results, json_null());
        r = evaluation_start(e, &spec, &ev);
        if (r < 0)
                return log_error_errno(r, "Cannot start the evaluation: %m");
        r = sd_event_loop(e);
        evaluation_free(ev);
        return r < 0 ? log_error_errno(r, "Event loop failed: %m") : 0;
}

static int exit_status_of(const json_t *results) {
        size_t i;
        json_t *r;

        json_array_foreach(results, i, r) {
                const char *s = json_string_value(json_object_get(r, "status")) ?: "error";
                if (streq(s, "fail") || streq(s, "error"))
                        return EXIT_FAILED;
        }
        return EXIT_OK;
}

static int print_results(const json_t *results, const char *root, bool json) {
        char stamp[64];
        time_t now = time(NULL);

        if (!json) {
                output_results_table(stdout, results, output_use_color(stdout));
                return 0;
        }
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s, s:O}", "complyd", COMPLYD_VERSION,
                                               "time", stamp, "root", root, "results", results);
        if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
                return log_oom();
        putchar('\n');
        return 0;
}

int cmd_check(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "root", required_argument, NULL, 'r' },
                { "control", required_argument, NULL, 'C' }, { "format", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' }, {}
        };
        const char *config = NULL, *root = "/", *format = "table";
        _cleanup_free_ char **ids = calloc((size_t) argc + 1, sizeof(char *));
        size_t n_ids = 0;
        struct diag_list diag = DIAG_LIST_INIT;
        struct app app;
        struct check_run run = { .results = json_array() };
        int c, r;

        if (!ids || !run.results)
                return log_oom(), EXIT_USAGE;
        optind = 0;
        while ((c = getopt_long(argc, argv, "c:r:f:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'r': root = optarg; break;
                case 'C': ids[n_ids++] = optarg; break;
                case 'f': format = optarg; break;
                case 'h': fputs(check_help, stdout); return EXIT_OK;
                default: return usage_error("check", "invalid option");
                }
        if (optind < argc)
                return usage_error("check", "unexpected argument '%s'", argv[optind]);
        if (!streq(format, "table") && !streq(format, "json"))
                return usage_error("check", "unknown format '%s' (table or json)", format);
        _cleanup_free_ char *root_abs = realpath(root, NULL);
        if (!root_abs)
                return usage_error("check", "cannot use root '%s': %m", root);
        root = root_abs; /* absolute: probes run with their working directory at / */

        r = app_load(config, &diag, &app);
        if (r < 0) {
                diag_print(&diag, stderr);
                if (r == -ENOMEM)
                        log_oom();
                diag_clear(&diag);
                app_free(&app);
                json_decref(run.results);
                return EXIT_USAGE;
        }
        r = select_controls(app.controls, ids, n_ids, &run.selected, &run.n_selected);
        if (r == 0)
                r = run_evaluation(&app, root, &run) < 0 ? EXIT_USAGE : 0;
        if (r == 0)
                r = print_results(run.results, root, streq(format, "json")) < 0 ? EXIT_USAGE
                                                                                : exit_status_of(run.results);
        free(run.selected);
        json_decref(run.results);
        app_free(&app);
        return r < 0 ? EXIT_USAGE : r;
}
