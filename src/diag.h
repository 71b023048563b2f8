/* SPDX-License-Identifier: MIT */
/* A list of diagnostics (configuration and control errors), each with a
 * file, a 1-based line and column, and a message; printed sorted as
 * "file:line:col: message". Nothing here logs. */
#ifndef COMPLYD_DIAG_H
#define COMPLYD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* More than this many diagnostics are counted but not stored: a garbage
 * input cannot make the list grow without bound. */
#define DIAG_MAX 1000

struct diag {
        char *file;    /* never NULL */
        unsigned line; /* 1-based; 0 = the whole file (printed "file: message") */
        unsigned col;  /* 1-based; 0 with line 0 */
        char *message;
        size_t order;  /* insertion order, keeps the sort stable */
};

struct diag_list {
        struct diag *items;
        size_t n, cap;
        size_t dropped; /* diagnostics beyond DIAG_MAX */
        bool oom;       /* a diagnostic could not be stored */
};

#define DIAG_LIST_INIT { 0 }

/* Appends one diagnostic (message formatted printf-style). file may be NULL
 * ("<input>"). Returns 0, or -ENOMEM (then d->oom is set; the count stays
 * right). */
int diag_add(struct diag_list *d, const char *file, unsigned line, unsigned col,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Number of diagnostics added so far, including ones not stored. */
size_t diag_count(const struct diag_list *d);

/* Sorts the list by file, line, column (then insertion order) and writes
 * each as "file:line:col: message\n" to f; a final line notes how many were
 * left out beyond DIAG_MAX. */
void diag_print(struct diag_list *d, FILE *f);

/* The sorted list as one malloc'ed string (what diag_print writes), or NULL
 * on out-of-memory. */
char *diag_to_string(struct diag_list *d);

/* Frees every entry; the list is empty and reusable afterwards. */
void diag_clear(struct diag_list *d);

#endif
