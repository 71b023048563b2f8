/* SPDX-License-Identifier: MIT */
/*
 * sshd_config(5) parser with OpenSSH 9.2's semantics (Debian 12), shared by
 * the `mfa` probe and the `ssh` probe.
 *
 *  - keywords are case-insensitive and looked up in one table that also
 *    holds the compiled-in defaults (what `sshd -T` prints with an empty
 *    configuration) and the old aliases (ChallengeResponseAuthentication ->
 *    KbdInteractiveAuthentication);
 *  - for single-valued keywords the first value wins; list keywords (Port,
 *    HostKey, AcceptEnv, AllowUsers, ...) accumulate;
 *  - `Include` is processed in place, its glob matches in sorted order,
 *    relative paths are relative to /etc/ssh;
 *  - `Match` blocks are recorded with their criteria and the settings they
 *    override (first value wins inside a block); without a connection to
 *    match against, only `Match all` applies to the global settings, as for
 *    `sshd -T` without `-C`: for keywords a Match may set, its value
 *    overrides the global one (lists are replaced), because sshd applies
 *    matching blocks after the global pass;
 *  - quoted arguments as in argv_split(): "..." and '...', backslash escapes.
 *
 * Parsing is pure: files are fetched through a struct sshd_config_io, so the
 * same code reads the live host, a fixture root, or a fuzzer's buffer.
 * Everything that would make sshd refuse to start is kept in `errors`.
 */
#ifndef COMPLYD_SSHD_CONFIG_H
#define COMPLYD_SSHD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "json_build.h"

#define SSHD_CONFIG_PATH "/etc/ssh/sshd_config"
#define SSHD_CONFIG_DIR "/etc/ssh"
#define SSHD_MAX_FILE_SIZE (1024 * 1024)   /* per file */
#define SSHD_MAX_INCLUDE_DEPTH 16          /* SERVCONF_MAX_DEPTH in OpenSSH */
#define SSHD_MAX_FILES 256                 /* files read in one parse */
#define SSHD_MAX_SETTINGS 20000            /* settings kept over all files */
#define SSHD_MAX_MATCH_BLOCKS 1024
#define SSHD_MAX_ERRORS 100
#define SSHD_MAX_ARGS 256                  /* arguments on one line */

/* File access for Include. read() returns 0 and a malloc'ed NUL-terminated
 * buffer, or -errno. glob() returns 0 and a NULL-terminated, sorted,
 * malloc'ed array of absolute paths (freed with strv_free()), or -errno. */
struct sshd_config_io {
        int (*read)(void *userdata, const char *path, char **buf, size_t *len);
        int (*glob)(void *userdata, const char *pattern, char ***paths);
        void (*strv_free)(char **strv);
        void *userdata;
};

/* One keyword line that took effect (global) or overrides (in a Match). */
struct sshd_setting {
        int kw;            /* index into the keyword table (canonical entry) */
        char *value;       /* arguments joined by one space, unquoted */
        char **args;       /* the arguments, NULL-terminated */
        char *raw;         /* the rest of the line as written (trailing blanks cut) */
        char *file;
        unsigned line;
        bool match_all;    /* global because it is inside `Match all` */
        unsigned seq;      /* position among all settings kept, in file order
                            * (Include in place): orders Match blocks' values */
};

struct sshd_match {
        char *criteria;    /* "User backup,deploy Address 10.0.0.0/8" */
        bool all;          /* `Match all`: applies to everyone */
        char *file;
        unsigned line;
        struct sshd_setting *settings;  /* first value per keyword, in file order */
        size_t n_settings;
};

struct sshd_config {
        struct sshd_setting *global;    /* every active global line, in order */
        size_t n_global;
        struct sshd_match *matches;
        size_t n_matches;
        struct file_error *errors;
        size_t n_errors;
        bool errors_truncated;
        char **files;                   /* files read, in the order read */
        size_t n_files;
        size_t n_settings_total;        /* for the SSHD_MAX_SETTINGS limit */
};

/* Keyword table entry flags. */
enum {
        SSHD_KW_MATCH = 1 << 0,      /* allowed inside Match */
        SSHD_KW_LIST = 1 << 1,       /* accumulates over lines */
        SSHD_KW_FLAG = 1 << 2,       /* yes/no */
        SSHD_KW_DEPRECATED = 1 << 3, /* accepted and ignored (logged by sshd) */
        SSHD_KW_UNSUPPORTED = 1 << 4,/* accepted and ignored */
        SSHD_KW_SPECIAL = 1 << 5,    /* Include, Match */
};

/* How `sshd -T` prints a keyword's value (struct sshd_keyword.print). */
enum sshd_print {
        SSHD_P_JOIN = 0,     /* the arguments joined by one space */
        SSHD_P_FIRST,        /* the first argument */
        SSHD_P_REST,         /* the rest of the line as written (ForceCommand) */
        SSHD_P_INT,          /* a decimal integer */
        SSHD_P_TIME,         /* a time ("1m30s") in seconds */
        SSHD_P_TIME_NONE,    /* "none" or a time in seconds */
        SSHD_P_MULTI,        /* one word of a fixed set, printed canonically */
        SSHD_P_ALGS,         /* algorithm list with +, -, ^ and wildcards */
        SSHD_P_MAXSTARTUPS,  /* "begin[:rate:full]" as "begin:rate:full" */
        SSHD_P_NETBLOCK,     /* "v4[:v6]" as "v4:v6" */
        SSHD_P_INT_NONE,     /* "none" or a decimal integer */
        SSHD_P_MASK,         /* an octal mask printed as 0%o */
        SSHD_P_REKEY,        /* "size [time]" as bytes and seconds */
        SSHD_P_LISTEN,       /* ListenAddress combined with Port and AddressFamily */
        SSHD_P_ARGS,         /* the first line's arguments, one line each */
        SSHD_P_HIDDEN,       /* parsed but never printed by `sshd -T` */
};

struct sshd_keyword {
        const char *name;       /* canonical spelling, e.g. "UsePAM" */
        unsigned flags;
        const char *alias_of;   /* canonical name this is an old spelling of, or NULL */
        const char *def;        /* compiled-in default as `sshd -T` prints it;
                                 * for lists, entries separated by '\n'; NULL = none
                                 * (and `sshd -T` prints nothing when unset) */
        enum sshd_print print;  /* how the effective value is printed */
};

/* The table and lookup: index of keyword (case-insensitive), aliases
 * resolved to their canonical entry; -1 when unknown. */
const struct sshd_keyword *sshd_keyword_table(size_t *n);
int sshd_keyword_lookup(const char *name);

void sshd_config_init(struct sshd_config *cfg);
void sshd_config_done(struct sshd_config *cfg);

/* Parses buf (len bytes, need not be NUL-terminated) as the file `path`,
 * following Include through io (io may be NULL: Include then records an
 * error). Adds to cfg; returns 0, or -ENOMEM. Malformed input is never an
 * error of this function: it lands in cfg->errors. */
int sshd_config_parse_buffer(struct sshd_config *cfg, const char *path, const char *buf,
                             size_t len, const struct sshd_config_io *io);

/* Reads and parses `path` (normally SSHD_CONFIG_PATH) through io. Returns
 * 0, -ENOENT when the main file does not exist, other -errno when it cannot
 * be read, or -ENOMEM. */
int sshd_config_load(struct sshd_config *cfg, const char *path, const struct sshd_config_io *io);

/* The global setting in effect for keyword `name` as sshd computes it: the
 * first `Match all` value for keywords a Match may set, else the first
 * value in file order; NULL when it is left at its default (see
 * sshd_config_default()). For list keywords, the first line in effect. */
const struct sshd_setting *sshd_config_get(const struct sshd_config *cfg, const char *name);
/* The value sshd's first pass keeps for `name`: the first in file order,
 * `Match all` lines included but not yet applied over the global ones. Only
 * sshd's start-up checks see it (AuthenticationMethods satisfiable by the
 * enabled methods); logins and `sshd -T` see sshd_config_get(). NULL when
 * unset. */
const struct sshd_setting *sshd_config_first_pass(const struct sshd_config *cfg,
                                                  const char *name);
/* The override of `name` in match block m, or NULL. */
const struct sshd_setting *sshd_match_get(const struct sshd_match *m, const char *name);
/* Compiled-in default of `name`, or NULL. */
const char *sshd_config_default(const char *name);

/* Effective value of a yes/no keyword for a connection that matches block m
 * (m may be NULL: the global context) and every `Match all`: the first
 * value in file order among m and the `Match all` blocks (sshd applies
 * matching blocks in file order, first value wins, over the global pass),
 * else global, else the default. */
bool sshd_config_flag(const struct sshd_config *cfg, const struct sshd_match *m,
                      const char *name);
/* Effective value string (as above); never NULL for keywords with a default. */
const char *sshd_config_value(const struct sshd_config *cfg, const struct sshd_match *m,
                              const char *name);
/* The setting that sshd_config_value() takes its value from (its file, line
 * and whether it is a `Match all` line), or NULL when the default is in
 * effect. */
const struct sshd_setting *sshd_config_setting(const struct sshd_config *cfg,
                                               const struct sshd_match *m, const char *name);

/* The global effective configuration exactly as `sshd -T` (OpenSSH 9.2p1,
 * Debian 12, without -C) prints it: an object of lowercase keyword -> the
 * printed value (string), or -> array of strings for keywords sshd prints
 * on several lines (port, listenaddress, hostkey, acceptenv, allowusers,
 * subsystem, setenv, ...). Values normalised as sshd does (times in
 * seconds, canonical enum words, algorithm lists with +/-/^ and wildcards
 * assembled); compiled-in defaults filled in; `Match all` applied, other
 * Match blocks not. Keywords sshd -T does not print when unset are absent.
 * NULL only on ENOMEM. */
json_t *sshd_config_effective(const struct sshd_config *cfg);

/* Match blocks as JSON: [{criteria, all, file, line, overrides: {Keyword: value}}]. */
json_t *sshd_config_matches_json(const struct sshd_config *cfg);
/* Errors as JSON: [{file, line, message}]. */
json_t *sshd_config_errors_json(const struct sshd_config *cfg);

/* The algorithm list `spec` (a Ciphers, MACs, KexAlgorithms, ... value,
 * possibly starting with +, - or ^ and holding wildcards) assembled with
 * the keyword's default and the algorithms OpenSSH 9.2 supports, like
 * kex_assemble_names(): malloc'ed comma-separated list, NULL on ENOMEM or
 * when `keyword` is not an algorithm list. */
char *sshd_algorithms_assemble(const char *keyword, const char *spec);

/* Splits AuthenticationMethods lists: the value "publickey,keyboard-interactive
 * password" gives [["publickey","keyboard-interactive"],["password"]]; "any"
 * or NULL gives JSON null. NULL only on ENOMEM. */
json_t *sshd_auth_methods_json(const char *value);

#endif
