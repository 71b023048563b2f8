/* SPDX-License-Identifier: MIT */
/*
 * complyd probe ABI.
 *
 * A probe observes one area of a host and returns facts as one JSON object
 * (a jansson json_t). It never judges: pass/fail belongs to the control rules.
 *
 * A probe is a const struct complyd_probe. Built-in probes live in
 * probes/<name>/ and define `complyd_probe_<name>`; a third-party shared object
 * placed in a directory listed in the `probe_dirs` configuration key exports
 * the symbol `complyd_probe` (see COMPLYD_PROBE_EXPORT below). complyd checks
 * abi_version before calling anything else and refuses a mismatch.
 *
 * observe() runs in a child process that complyd supervises (timeout, output
 * cap, rlimits). It reads the host only through the context's helpers, which
 * resolve every path inside ctx->root, so the same probe audits the live host
 * (root "/"), a test fixture or a mounted image.
 *
 * This header is the only thing a probe includes from complyd.
 */
#ifndef COMPLYD_PROBE_H
#define COMPLYD_PROBE_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to the structs below. Fields are only
 * ever appended; ctx->size tells a probe how much of the context it got. */
#define COMPLYD_PROBE_ABI_VERSION 1u

enum complyd_param_type {
        COMPLYD_PARAM_STRING = 1,   /* JSON string */
        COMPLYD_PARAM_INTEGER,      /* JSON integer */
        COMPLYD_PARAM_BOOLEAN,      /* JSON true/false */
        COMPLYD_PARAM_STRINGS,      /* JSON array of strings */
};

/* One entry of a probe's parameter table; the table ends with an entry whose
 * key is NULL. default_json is the default value as JSON text ("[]", "30",
 * "\"/etc\"", "true"). The core fills ctx->params from this table and the
 * configuration, rejects unknown keys and wrong types, and prints the help. */
struct complyd_param {
        enum complyd_param_type type;
        const char *key;
        const char *default_json;
        const char *help;
};

struct complyd_probe_ctx;

/* Return 0 and set *out to a new JSON object (the caller takes the
 * reference), or return -errno when the probe itself failed. A missing
 * feature of the host ("sshd not installed") is a fact, not an error. */
typedef int (*complyd_observe_fn)(const struct complyd_probe_ctx *ctx, json_t **out);

struct complyd_probe {
        uint32_t abi_version;               /* COMPLYD_PROBE_ABI_VERSION */
        const char *name;                   /* [a-z0-9_]+, unique */
        const char *version;                /* the probe's own version, e.g. "1.0" */
        const char *description;            /* one line */
        const struct complyd_param *params; /* NULL or terminated by {0} */
        complyd_observe_fn observe;
        /* How much output this probe may print when the configuration does
         * not say (probes.NAME.max_output); 0 = the core's default, 1 MiB.
         * For probes whose facts grow with the host (every listener). */
        size_t max_output;
        /* How long a run usually takes, in milliseconds, when that is more
         * than a few (the probe reads package indexes or runs a command);
         * 0 = quick. When several probes run together (`complyd check`)
         * the slow ones are started first, so that one of them does not
         * start last and finish long after the rest. Only an order hint. */
        uint32_t typical_ms;
};

/*
 * The context handed to observe(). Paths given to the helpers are absolute
 * paths as seen on the audited host ("/etc/ssh/sshd_config"); they are
 * resolved inside root, and a symlink (absolute or relative, "..") can never
 * lead outside it. Every helper returns >= 0 on success or -errno; none writes
 * an out-parameter on failure. Every descriptor is O_CLOEXEC.
 */
struct complyd_probe_ctx {
        uint32_t abi_version;       /* COMPLYD_PROBE_ABI_VERSION */
        uint32_t size;              /* sizeof(struct complyd_probe_ctx) of the core */
        const char *root;           /* "/" or the --root directory, no trailing slash but "/" */
        bool live_host;             /* root is "/": /proc, adjtimex(), commands describe this host */
        uint64_t deadline_usec;     /* CLOCK_MONOTONIC; 0 = none */
        const json_t *params;       /* object: every parameter of the table, defaults filled in */

        /* open(2) flags (O_CLOEXEC added); returns the fd */
        int (*open)(const struct complyd_probe_ctx *ctx, const char *path, int flags);
        /* whole regular file, at most max bytes (-EFBIG beyond); *buf is
         * NUL-terminated and malloc'ed, *len excludes the NUL */
        int (*read_file)(const struct complyd_probe_ctx *ctx, const char *path, size_t max,
                         char **buf, size_t *len);
        /* fdopendir() of the directory; close with closedir() */
        int (*opendir)(const struct complyd_probe_ctx *ctx, const char *path, DIR **dir);
        /* fstatat(); flags 0 or AT_SYMLINK_NOFOLLOW */
        int (*stat)(const struct complyd_probe_ctx *ctx, const char *path, struct stat *st,
                    int flags);
        /* target of the symlink at path (its own text, not resolved), malloc'ed */
        int (*readlink)(const struct complyd_probe_ctx *ctx, const char *path, char **target);
        /* canonical host path of path (symlinks resolved inside root), malloc'ed */
        int (*realpath)(const struct complyd_probe_ctx *ctx, const char *path, char **resolved);
        /* glob(7) pattern (absolute or relative to base, base may be NULL for "/");
         * *paths is a NULL-terminated, sorted (strcmp) array of host paths, free
         * with ctx->strv_free(); no match is 0 with an empty array */
        int (*glob)(const struct complyd_probe_ctx *ctx, const char *pattern, char ***paths);
        void (*strv_free)(char **strv);
        /* runs argv (argv[0] an absolute path, no shell) with a clean environment,
         * stdout captured up to max bytes into *out (malloc'ed, NUL-terminated);
         * returns the exit status (0-255), or -ETIMEDOUT, -EFBIG, -ENOENT, -errno.
         * Only on the live host (-EOPNOTSUPP under --root). */
        int (*run)(const struct complyd_probe_ctx *ctx, const char *const *argv, size_t max,
                   char **out);
        /* true once the deadline has passed: a probe in a long loop checks it */
        bool (*expired)(const struct complyd_probe_ctx *ctx);
        /* diagnostics to complyd's log (stderr of the probe child), syslog priority */
        void (*log)(const struct complyd_probe_ctx *ctx, int priority, const char *fmt, ...)
                __attribute__((format(printf, 3, 4)));
};

/* A third-party shared object exports its probe with this macro:
 *     COMPLYD_PROBE_EXPORT = { .abi_version = COMPLYD_PROBE_ABI_VERSION, ... };  */
#define COMPLYD_PROBE_SYMBOL "complyd_probe"
#define COMPLYD_PROBE_EXPORT \
        __attribute__((visibility("default"))) const struct complyd_probe complyd_probe

#ifdef __cplusplus
}
#endif

#endif
