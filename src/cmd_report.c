/* SPDX-License-Identifier: MIT */
/* complyd report [--since DATE|90d] [--until DATE] [--control ID]...
 *   [--format md|html|json] [--output FILE] [--pubkey FILE]... [PATH]:
 * the SOC 2 Type II period report of an evidence archive (report.h). */
#include <dirent.h>
#include <getopt.h>
#include <sys/stat.h>

#include "commands.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "util.h"

#define MAX_KEYS 64
#define MAX_CONTROLS 256

static const char report_help[] =
        "Usage: complyd report [OPTION]... [PATH]\n"
        "The SOC 2 Type II period report of an evidence archive: per host and control,\n"
        "the share of monitored time compliant (time-weighted), drift events and time\n"
        "to recover, the longest failing stretch, waivers, not_applicable stretches,\n"
        "the periods with no monitoring, and a summary by SOC 2 criterion. The input is\n"
        "verified first, as `complyd verify` does, and the result stated at the top.\n"
        "\n"
        "PATH is a spool directory (STATE_DIR/spool, or STATE_DIR itself) or an NDJSON\n"
        "file of native records (several hosts may share it). Default: the spool under\n"
        "the state_dir of the configuration.\n"
        "\n"
        "  -s, --since DATE|SPAN  start of the period: YYYY-MM-DD (00:00 UTC), RFC 3339,\n"
        "                         or a span before --until: 90d, 12w, 36h (default 90d)\n"
        "  -u, --until DATE       end of the period: YYYY-MM-DD (the end of that day, UTC)\n"
        "                         or RFC 3339 (default: now)\n"
        "  -C, --control ID       only this control (repeatable)\n"
        "  -f, --format FMT       md (default), html or json\n"
        "  -o, --output FILE      write the report to FILE (default: standard output,\n"
        "                         for html too)\n"
        "  -k, --pubkey FILE      a public key (PEM) records may be signed with; repeat it\n"
        "                         for several hosts or rotated keys (default for a spool:\n"
        "                         every *.pub file in the state directory)\n"
        "  -c, --config FILE      configuration (for state_dir)\n"
        "  -h, --help             show this help\n"
        "\n"
        "Exit status: 0 when the report was written and the evidence is intact, 1 when\n"
        "it was written but the evidence is not intact, 2 on a usage error or when the\n"
        "input, a key or the output cannot be read or written.\n";

struct report_cli {
        const char *since, *until, *format, *output, *config, *path;
        char *controls[MAX_CONTROLS];
        size_t n_controls;
        const char *pubkeys[MAX_KEYS];
        size_t n_pubkeys;
};

/* The spool directory to read and the state directory beside it: PATH
 * itself when it holds spool/, else PATH with its parent. */
static int spool_dirs(const char *path, char **spool, char **state) {
        _cleanup_free_ char *sub = strdup_printf("%s/spool", path);
        struct stat st;

        if (!sub)
                return -ENOMEM;
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
                *state = strdup(path);
                *spool = TAKE_PTR(sub);
        } else {
                *state = strdup_printf("%s/..", path);
                *spool = strdup(path);
        }
        if (!*state || !*spool) {
                free(*state);
                free(*spool);
                *state = *spool = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* Every *.pub in dir, sorted, into paths[] (malloc'ed); returns how many. */
static int find_pubkeys(const char *dir, char **paths, size_t max) {
        struct dirent **list = NULL;
        int n = scandir(dir, &list, NULL, alphasort), found = 0;

        for (int i = 0; i < n; i++) {
                size_t len = strlen(list[i]->d_name);

                if (len > 4 && streq(list[i]->d_name + len - 4, ".pub") && (size_t) found < max &&
                    (paths[found] = strdup_printf("%s/%s", dir, list[i]->d_name)))
                        found++;
                free(list[i]);
        }
        free(list);
        return found;
}

/* state_dir of the configuration. */
static int config_state_dir(const char *config, char **ret) {
        struct diag_list diag = DIAG_LIST_INIT;
        _cleanup_config_ struct config *c = NULL;
        int r = config_load(config, !!config, &diag, &c);

        if (r < 0) {
                diag_print(&diag, stderr);
                diag_clear(&diag);
                return r;
        }
        diag_clear(&diag);
        *ret = strdup(c->state_dir);
        return *ret ? 0 : -ENOMEM;
}

static int write_report(const json_t *rep, const char *format, const char *output) {
        _cleanup_fclose_ FILE *f = NULL;
        int r;

        f = output ? fopen(output, "we") : NULL;
        if (output && !f)
                return log_error_errno(errno, "Cannot write %s: %m", output);
        if (streq(format, "json"))
                r = report_render_json(rep, f ?: stdout);
        else if (streq(format, "html"))
                r = report_render_html(rep, f ?: stdout);
        else
                r = report_render_md(rep, f ?: stdout);
        if (r >= 0 && fflush(f ?: stdout) != 0)
                r = -errno;
        if (r >= 0 && f) {
                r = fclose(TAKE_PTR(f)) == 0 ? 0 : -errno;
        }
        if (r < 0)
                return log_error_errno(r, "Cannot write the report%s%s: %m", output ? " to " : "", output ?: "");
        return 0;
}

/* Works out the period, the input and the keys; builds and writes. */
static int report_run(struct report_cli *cli) {
        _cleanup_free_ char *spool = NULL, *state = NULL, *input = NULL;
        char *found[MAX_KEYS] = { 0 };
        struct evidence_key *keys[MAX_KEYS] = { 0 };
        const char *paths[MAX_KEYS];
        struct report_options opt = { .controls = cli->controls, .n_controls = cli->n_controls };
        _cleanup_json_ json_t *rep = NULL;
        size_t n = 0;
        struct stat st;
        int r, status = EXIT_USAGE;

        opt.generated_ms = (int64_t) (now_realtime_usec() / 1000);
        opt.until_ms = opt.generated_ms;
        if (cli->until && report_parse_time(cli->until, true, &opt.until_ms) < 0)
                return usage_error("report", "--until: not a date or RFC 3339 time: '%s'", cli->until);
        if (report_parse_since(cli->since ?: "90d", opt.until_ms, &opt.since_ms) < 0)
                return usage_error("report", "--since: not a date, RFC 3339 time or span (90d): '%s'", cli->since);
        if (opt.since_ms >= opt.until_ms)
                return usage_error("report", "the period is empty: --since is not before --until");
        if (!cli->path) {
                r = config_state_dir(cli->config, &state);
                if (r < 0)
                        return EXIT_USAGE;
                input = strdup_printf("%s/spool", state);
                if (!input)
                        return log_oom(), EXIT_USAGE;
                cli->path = input;
        }
        if (stat(cli->path, &st) < 0)
                return log_error_errno(errno, "Cannot read %s: %m", cli->path), EXIT_USAGE;
        if (S_ISDIR(st.st_mode)) {
                free(state);
                state = NULL;
                if (spool_dirs(cli->path, &spool, &state) < 0)
                        return log_oom(), EXIT_USAGE;
        }
        memcpy(paths, cli->pubkeys, cli->n_pubkeys * sizeof(*paths));
        n = cli->n_pubkeys;
        if (n == 0 && !spool)
                return usage_error("report", "an NDJSON file needs --pubkey FILE");
        if (n == 0) {
                n = (size_t) find_pubkeys(state, found, MAX_KEYS);
                memcpy(paths, found, n * sizeof(*paths));
                if (n == 0) {
                        log_error_errno(ENOKEY, "No public key (*.pub) in %s: give --pubkey FILE", state);
                        goto out;
                }
        }
        for (size_t i = 0; i < n; i++) {
                r = evidence_key_load_public(paths[i], &keys[i]);
                if (r < 0) {
                        log_error_errno(r, "Cannot load public key %s: %s", paths[i],
                                        r == -EINVAL ? "not an Ed25519 key in PEM" : strerror(-r));
                        goto out;
                }
        }
        opt.keys = (const struct evidence_key *const *) keys;
        opt.key_paths = paths;
        opt.n_keys = n;
        opt.input = cli->path;
        r = report_build(&opt, spool, spool ? NULL : cli->path, &rep);
        if (r < 0) {
                log_error_errno(r, "Cannot report on %s: %m", cli->path);
                goto out;
        }
        if (write_report(rep, cli->format, cli->output) < 0)
                goto out;
        status = json_is_true(json_object_get(json_object_get(rep, "verification"), "intact")) ? EXIT_OK
                                                                                            : EXIT_FAILED;
out:
        for (size_t i = 0; i < MAX_KEYS; i++) {
                evidence_key_free(keys[i]);
                free(found[i]);
        }
        return status;
}

int cmd_report(int argc, char **argv) {
        static const struct option opts[] = {
                { "since", required_argument, NULL, 's' },  { "until", required_argument, NULL, 'u' },
                { "control", required_argument, NULL, 'C' }, { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' }, { "pubkey", required_argument, NULL, 'k' },
                { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
                {}
        };
        struct report_cli cli = { .format = "md" };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "s:u:C:f:o:k:c:h", opts, NULL)) >= 0)
                switch (c) {
                case 's': cli.since = optarg; break;
                case 'u': cli.until = optarg; break;
                case 'C':
                        if (cli.n_controls >= MAX_CONTROLS)
                                return usage_error("report", "at most %d --control options", MAX_CONTROLS);
                        cli.controls[cli.n_controls++] = optarg;
                        break;
                case 'f': cli.format = optarg; break;
                case 'o': cli.output = optarg; break;
                case 'k':
                        if (cli.n_pubkeys >= MAX_KEYS)
                                return usage_error("report", "at most %d --pubkey options", MAX_KEYS);
                        cli.pubkeys[cli.n_pubkeys++] = optarg;
                        break;
                case 'c': cli.config = optarg; break;
                case 'h': fputs(report_help, stdout); return EXIT_OK;
                default: return usage_error("report", "invalid option");
                }
        if (!streq(cli.format, "md") && !streq(cli.format, "html") && !streq(cli.format, "json"))
                return usage_error("report", "--format must be md, html or json, not '%s'", cli.format);
        if (argc - optind > 1)
                return usage_error("report", "too many arguments");
        cli.path = optind < argc ? argv[optind] : NULL;
        return report_run(&cli);
}
