/* SPDX-License-Identifier: MIT */
/* complyd: continuous control monitoring for Linux servers. */
#include <stdarg.h>

#include "commands.h"
#include "log.h"
#include "runner.h"
#include "util.h"

static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
} commands[] = {
        { "check", cmd_check },
        { "probe", cmd_probe },
        { "validate", cmd_validate },
        { "controls", cmd_controls },
        { "run", cmd_run },
        { "verify", cmd_verify },
        { "report", cmd_report },
};

static void usage(FILE *f) {
        fputs("Usage: complyd COMMAND [OPTION]...\n"
              "Continuous control monitoring: probes observe this host, control rules judge\n"
              "what they saw.\n"
              "\n"
              "Commands:\n"
              "  check [--control ID]... [--format table|json] [--root DIR]\n"
              "                         evaluate the controls now; exit 0 when none fails,\n"
              "                         1 when one fails or errors, 2 on a usage or config error\n"
              "  probe NAME [--root DIR]  run one probe and print its observation (JSON)\n"
              "  validate               check the configuration and controls; print every error\n"
              "  controls [--format table|json|markdown]\n"
              "                         list the controls: id, severity, probe, interval, title, criteria\n"
              "  run [--root DIR]       the daemon: evaluate on schedule, alert on drift (systemd\n"
              "                         Type=notify; SIGHUP reloads, SIGTERM stops)\n"
              "  verify [--pubkey FILE]... PATH  check an evidence stream (spool or NDJSON)\n"
              "  report [--since 90d] [--format md|html|json] [PATH]  SOC 2 Type II period report\n"
              "\n"
              "Options for every command:\n"
              "  -c, --config FILE      configuration (default " SYSCONFDIR "/complyd/complyd.yaml;\n"
              "                         without it the built-in defaults apply)\n"
              "  -h, --help             show help for the command\n"
              "      --version          show the version\n"
              "\n"
              "`complyd COMMAND --help` describes each command. See README.md.\n",
              f);
}

int usage_error(const char *command, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "complyd%s%s: ", command ? " " : "", command ?: "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'complyd %s--help'.\n", command ? "COMMAND " : "");
        return EXIT_USAGE;
}

int main(int argc, char **argv) {
        log_setup(LOG_STYLE_PLAIN);
        /* process-wide state, set once before anything else runs (libcurl
         * is loaded and initialised on first use: src/curl_dl.c) */
        json_object_seed(0);

        if (argc >= 2 && streq(argv[1], "__probe-child"))
                return runner_child_main(argc, argv);
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                usage(stdout);
                return EXIT_OK;
        }
        if (streq(argv[1], "--version")) {
                printf("complyd %s\n", COMPLYD_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(argv[1], commands[i].name))
                        return commands[i].fn(argc - 1, argv + 1);
        if (argv[1][0] == '-')
                return usage_error(NULL, "unknown option '%s'", argv[1]);
        return usage_error(NULL, "unknown command '%s'", argv[1]);
}
