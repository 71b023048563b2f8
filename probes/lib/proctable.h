/* SPDX-License-Identifier: MIT */
/* The process table under <root>/proc: pid, comm and (optionally) the
 * executable of every process, read once, for any probe that asks which
 * processes run. */
#ifndef COMPLYD_PROCTABLE_H
#define COMPLYD_PROCTABLE_H

#include <complyd/probe.h>

#define PROCTABLE_MAX 65536u  /* processes read at most */
#define PROCTABLE_COMM 16u    /* TASK_COMM_LEN */

struct proc_entry {
        int pid;
        char comm[PROCTABLE_COMM]; /* "" when unreadable */
        char *exe;                 /* readlink of /proc/<pid>/exe, malloc'ed, NULL when unreadable */
};

struct proctable {
        struct proc_entry *procs; /* sorted by pid */
        size_t n;
        size_t exe_unreadable;    /* processes whose exe link could not be read */
        bool truncated;           /* more than PROCTABLE_MAX processes */
        bool proc_missing;        /* no <root>/proc at all */
};

/* Fills t from ctx's /proc: every numeric directory, its comm, and its exe
 * link when want_exe. Returns 0 (a missing /proc is t->proc_missing, not an
 * error), -ENOMEM or -ETIMEDOUT. Free with proctable_done() in any case. */
int proctable_scan(const struct complyd_probe_ctx *ctx, bool want_exe, struct proctable *t);
void proctable_done(struct proctable *t);

/* Copies the first line of a /proc/<pid>/comm text buf[0,len) into comm
 * (at most PROCTABLE_COMM - 1 bytes, NUL-terminated, control bytes
 * replaced by '?'). */
void proctable_parse_comm(const char *buf, size_t len, char comm[static PROCTABLE_COMM]);

/* The last path component of exe, without a " (deleted)" suffix, into
 * out (size outlen). */
void proctable_exe_name(const char *exe, char *out, size_t outlen);

#endif
