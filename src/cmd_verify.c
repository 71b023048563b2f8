/* SPDX-License-Identifier: MIT */
/* complyd verify [--pubkey FILE]... PATH: checks an evidence stream (a spool
 * directory or an NDJSON file of native records) and prints a line per
 * problem and a one-line summary. */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "commands.h"
#include "log.h"
#include "util.h"
#include "verify.h"

#define MAX_KEYS 64

static const char verify_help[] =
        "Usage: complyd verify [--pubkey FILE]... PATH\n"
        "Verify an evidence stream: every record's hash and Ed25519 signature, the\n"
        "hash chain of each host, sequence gaps, duplicates (ignored and counted),\n"
        "and the ranges evidence.dropped records declare lost.\n"
        "\n"
        "PATH is a spool directory (STATE_DIR/spool, or STATE_DIR itself), an NDJSON\n"
        "file of native records as a collector received them (several hosts may\n"
        "share one file), or - for standard input.\n"
        "\n"
        "  -k, --pubkey FILE   a public key (PEM) the records may be signed with;\n"
        "                      repeat it for the keys of several hosts or a rotated key\n"
        "                      (default for a spool directory: key.pub beside it)\n"
        "  -v, --verbose       also print a line per host (seq range, time range)\n"
        "  -h, --help          show this help\n"
        "\n"
        "Exit status: 0 when the stream is intact, 1 when a problem was found,\n"
        "2 on a usage error or an unreadable path or key.\n";

struct verify_cli {
        const char *path;
        const char *pubkeys[MAX_KEYS];
        size_t n_pubkeys;
        bool verbose;
};

static void print_problem(const struct verify_problem *p, void *userdata) {
        printf("%s%s%s: ", p->where, *p->where ? ": " : "", verify_problem_name(p->kind));
        if (*p->host)
                printf("host %s: ", p->host);
        printf("%s\n", p->message);
}

static void print_dropped(const struct verify_dropped *d, void *userdata) {
        printf("dropped: host %s: seq %llu-%llu (%llu records) declared lost%s%s%s by seq %llu\n",
               d->host, (unsigned long long) d->first_seq, (unsigned long long) d->last_seq,
               (unsigned long long) (d->last_seq - d->first_seq + 1), *d->reason ? " (" : "",
               d->reason, *d->reason ? ")" : "", (unsigned long long) d->declared_by);
}

/* Where the records are: *spool_dir set for a spool directory (and
 * *default_key to key.pub beside it), else *fd opened on the NDJSON file.
 * Returns 0 or -errno. */
static int open_input(const char *path, char **spool_dir, char **default_key, int *fd) {
        struct stat st;
        char *dir, *state;

        if (streq(path, "-")) {
                *fd = STDIN_FILENO;
                return 0;
        }
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode)) {
                *fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                return *fd < 0 ? -errno : 0;
        }
        dir = strdup_printf("%s/spool", path);
        if (!dir)
                return -ENOMEM;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
                state = strdup(path);       /* PATH is the state directory */
        } else {
                free(dir);
                dir = strdup(path);
                state = dir ? strdup_printf("%s/..", dir) : NULL;
        }
        *default_key = state ? strdup_printf("%s/key.pub", state) : NULL;
        free(state);
        if (!dir || !*default_key) {
                free(dir);
                free(*default_key);
                *default_key = NULL;
                return -ENOMEM;
        }
        *spool_dir = dir;
        return 0;
}

/* Loads the keys into v (and keys[], which the caller frees). */
static int load_keys(struct verifier *v, const char *const *paths, size_t n,
                     struct evidence_key **keys) {
        for (size_t i = 0; i < n; i++) {
                int r = evidence_key_load_public(paths[i], &keys[i]);

                if (r < 0)
                        return log_error_errno(r, "Cannot load public key %s: %s", paths[i],
                                               r == -EINVAL ? "not an Ed25519 key in PEM" : strerror(-r));
                if (verifier_add_key(v, keys[i]) < 0)
                        return log_oom();
        }
        return 0;
}

static void print_summary(const char *path, const struct verify_summary *s, struct verifier *v,
                          bool verbose) {
        if (verbose)
                for (size_t i = 0; i < verifier_n_hosts(v); i++) {
                        const struct verify_host *h = verifier_host(v, i);

                        printf("host %s (%s): %llu records, seq %llu-%llu, %s to %s, %llu problems\n",
                               h->id, h->hostname, (unsigned long long) h->records,
                               (unsigned long long) h->first_seq, (unsigned long long) h->last_seq,
                               h->first_time, h->last_time, (unsigned long long) h->problems);
                }
        printf("%s: %s: %llu records from %llu host%s", path, s->intact ? "intact" : "NOT INTACT",
               (unsigned long long) s->records, (unsigned long long) s->hosts, s->hosts == 1 ? "" : "s");
        if (!s->intact) {
                const char *sep = " (";

                printf(", %llu problem%s", (unsigned long long) s->problems, s->problems == 1 ? "" : "s");
                for (int k = 0; k < _VERIFY_PROBLEM_MAX; k++)
                        if (s->by_kind[k]) {
                                printf("%s%llu %s", sep, (unsigned long long) s->by_kind[k],
                                       verify_problem_name(k));
                                sep = ", ";
                        }
                if (s->problems)
                        putchar(')');
        }
        printf(", %llu duplicate%s ignored, %llu out of order", (unsigned long long) s->duplicates,
               s->duplicates == 1 ? "" : "s", (unsigned long long) s->out_of_order);
        if (s->dropped_ranges)
                printf(", %llu record%s declared dropped in %llu range%s",
                       (unsigned long long) s->dropped_records, s->dropped_records == 1 ? "" : "s",
                       (unsigned long long) s->dropped_ranges, s->dropped_ranges == 1 ? "" : "s");
        putchar('\n');
}

/* Verifies the input with the keys; prints; returns the exit status. */
static int verify_run(const struct verify_cli *cli) {
        _cleanup_free_ char *spool_dir = NULL, *default_key = NULL;
        struct evidence_key *keys[MAX_KEYS] = { 0 };
        const struct verify_callbacks cb = { print_problem, print_dropped };
        const char *key_paths[MAX_KEYS];
        struct verifier *v = NULL;
        struct verify_summary sum;
        size_t n_keys = cli->n_pubkeys;
        int fd = -1, r, status = EXIT_USAGE;

        r = open_input(cli->path, &spool_dir, &default_key, &fd);
        if (r < 0)
                return log_error_errno(r, "Cannot read %s: %m", cli->path), EXIT_USAGE;
        memcpy(key_paths, cli->pubkeys, n_keys * sizeof(*key_paths));
        if (n_keys == 0 && !default_key) {
                usage_error("verify", "an NDJSON stream needs --pubkey FILE");
                goto out;
        }
        if (n_keys == 0)
                key_paths[n_keys++] = default_key;
        if (verifier_new(&cb, NULL, &v) < 0) {
                log_oom();
                goto out;
        }
        if (load_keys(v, key_paths, n_keys, keys) < 0)
                goto out;
        r = spool_dir ? verifier_feed_spool(v, spool_dir) : verifier_feed_fd(v, fd);
        if (r < 0) {
                log_error_errno(r, "Cannot read %s: %m", cli->path);
                goto out;
        }
        if (verifier_finish(v, &sum) < 0) {
                log_oom();
                goto out;
        }
        print_summary(cli->path, &sum, v, cli->verbose);
        status = sum.intact ? EXIT_OK : EXIT_FAILED;
out:
        fflush(stdout);
        if (fd > STDIN_FILENO)
                close(fd);
        verifier_free(v);
        for (size_t i = 0; i < MAX_KEYS; i++)
                evidence_key_free(keys[i]);
        return status;
}

int cmd_verify(int argc, char **argv) {
        static const struct option opts[] = { { "pubkey", required_argument, NULL, 'k' },
                                              { "verbose", no_argument, NULL, 'v' },
                                              { "help", no_argument, NULL, 'h' },
                                              {} };
        struct verify_cli cli = { 0 };
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "k:vh", opts, NULL)) >= 0)
                switch (c) {
                case 'k':
                        if (cli.n_pubkeys >= MAX_KEYS)
                                return usage_error("verify", "at most %d --pubkey options", MAX_KEYS);
                        cli.pubkeys[cli.n_pubkeys++] = optarg;
                        break;
                case 'v': cli.verbose = true; break;
                case 'h': fputs(verify_help, stdout); return EXIT_OK;
                default: return usage_error("verify", "invalid option");
                }
        if (optind != argc - 1)
                return usage_error("verify", optind >= argc ? "PATH missing" : "too many arguments");
        cli.path = argv[optind];
        return verify_run(&cli);
}
