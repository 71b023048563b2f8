/* SPDX-License-Identifier: MIT */
/*
 * Linux-PAM configuration: the module stack of one service and one type
 * (auth, account, password, session), flattened the way libpam 1.5 does it:
 *  - `@include file` (Debian) and `include` copy the file's lines of that
 *    type in place; `substack` does the same one level deeper, so done/die
 *    inside it end only the substack and a jump over it counts it as one;
 *  - controls: required, requisite, sufficient, optional and
 *    `[value=action ...]` (ignore, ok, done, bad, die, reset, N = jump N);
 *  - a service without a file, or without lines of that type, uses `other`;
 *  - a missing included file makes that line fail (as libpam does);
 *  - line continuation with a trailing backslash, `#` comments, `[...]`
 *    arguments with `\]` escapes, `-type` lines.
 * Every entry remembers the file and line it comes from.
 *
 * pam_stack_can_succeed() then answers, by exploring every combination of
 * module results allowed by the caller (with libpam's exact dispatch rules),
 * whether the stack can end in PAM_SUCCESS — e.g. "without any second-factor
 * module succeeding".
 */
#ifndef COMPLYD_PAM_STACK_H
#define COMPLYD_PAM_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "json_build.h"

#define PAM_STACK_MAX_FILE_SIZE (256 * 1024)
#define PAM_STACK_MAX_LEVEL 16        /* PAM_SUBSTACK_MAX_LEVEL: include and substack depth */
#define PAM_STACK_MAX_ENTRIES 512
#define PAM_STACK_MAX_ARGS 64
#define PAM_STACK_MAX_LINE 65536      /* one logical line after continuation */
#define PAM_STACK_MAX_ERRORS 50
#define PAM_STACK_MAX_FILES 64

/* libpam's return codes, in their numeric order (PAM_SUCCESS = 0 ...). */
#define PAM_STACK_RETURN_VALUES 32
#define PAM_STACK_CODE_DEFAULT PAM_STACK_RETURN_VALUES
enum {
        PAM_CODE_SUCCESS = 0,
        PAM_CODE_PERM_DENIED = 6,
        PAM_CODE_AUTH_ERR = 7,
        PAM_CODE_NEW_AUTHTOK_REQD = 12,
        PAM_CODE_IGNORE = 25,
};

/* Actions, as in libpam: > 0 is a jump over that many entries. */
enum {
        PAM_ACT_IGNORE = 0,
        PAM_ACT_OK = -1,
        PAM_ACT_DONE = -2,
        PAM_ACT_BAD = -3,
        PAM_ACT_DIE = -4,
        PAM_ACT_RESET = -5,
        PAM_ACT_UNDEF = -6,
};

enum pam_entry_kind {
        PAM_ENTRY_MODULE,
        PAM_ENTRY_SUBSTACK,   /* the `substack` line itself; its modules follow, level + 1 */
        PAM_ENTRY_MUST_FAIL,  /* a broken line: libpam makes it fail when reached */
};

struct pam_entry {
        enum pam_entry_kind kind;
        int level;                 /* substack depth, 0 = the service's own stack */
        int actions[PAM_STACK_RETURN_VALUES];
        char *control;             /* as written: "required", "[success=1 default=ignore]" */
        char *module;              /* as written: "pam_unix.so", or the included file */
        char *name;                /* module name without directory and ".so" */
        char **args;               /* NULL-terminated */
        char *file;
        unsigned line;
};

/* Reads a whole file: 0 with a malloc'ed, NUL-terminated buffer, or -errno. */
struct pam_stack_io {
        int (*read)(void *userdata, const char *path, char **buf, size_t *len);
        void *userdata;
};

struct pam_stack {
        char *service;
        char *type;                /* "auth" ... */
        char *file;                /* the service's file that was read, or NULL */
        bool exists;               /* the service has its own file */
        bool uses_other;           /* the stack is `other`'s */
        struct pam_entry *entries;
        size_t n_entries;
        struct file_error *errors;
        size_t n_errors;
        bool truncated;            /* a limit was hit; the stack is incomplete */
        size_t n_files_read;
};

void pam_stack_init(struct pam_stack *s);
void pam_stack_done(struct pam_stack *s);

/* Loads /etc/pam.d/<service> (then /usr/lib/pam.d/<service>), falling back
 * to `other`, and keeps the entries of `type`. Returns 0 (malformed input
 * lands in s->errors), -EINVAL for a service name with '/' or "..", or
 * -ENOMEM. */
int pam_stack_load(struct pam_stack *s, const char *service, const char *type,
                   const struct pam_stack_io *io);

/* Parses buf as the text of file `path` and appends its entries of s->type at
 * substack level `level` (for tests and fuzzing; includes go through io,
 * which may be NULL). Returns 0 or -ENOMEM. */
int pam_stack_parse_buffer(struct pam_stack *s, const char *path, const char *buf, size_t len,
                           const struct pam_stack_io *io, int level, unsigned depth);

/* Outcome classes a module may produce, for pam_stack_can_succeed(). */
enum {
        PAM_OUT_SUCCESS = 1 << 0,
        PAM_OUT_IGNORE = 1 << 1,
        PAM_OUT_FAIL = 1 << 2,     /* any error code */
        PAM_OUT_ANY = 7,
};

/* Whether the stack can return PAM_SUCCESS when entry i may only produce
 * the outcomes in outcomes[i] (an array of s->n_entries bitmasks; 0 for an
 * entry never reached is allowed but means "cannot return"). Returns 1 or 0,
 * -E2BIG when the state space exceeds its limit, -ENOMEM.
 * When witness is not NULL and the answer is 1, *witness receives the index
 * of the entry whose jump or `done` was taken last before index `target`
 * was passed over, or -1 when target was reached (or target < 0). */
int pam_stack_can_succeed(const struct pam_stack *s, const unsigned char *outcomes, int target,
                          int *witness);

/* A short description of an action ("ok", "done", "jump 2") in a static buffer. */
const char *pam_action_name(int action);

/* The stack as JSON: [{module, control, level, file, line, options}]. */
json_t *pam_stack_entries_json(const struct pam_stack *s);
json_t *pam_stack_errors_json(const struct pam_stack *s);

/* Whether args contains `opt` exactly or as "opt=..." */
bool pam_entry_has_option(const struct pam_entry *e, const char *opt);

#endif
