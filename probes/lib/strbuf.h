/* SPDX-License-Identifier: MIT */
/* A growable byte buffer whose failure is sticky: once an append cannot be
 * made (out of memory, or past max), every later one is ignored and failed
 * stays set, so a writer appends freely and checks once at the end. */
#ifndef COMPLYD_STRBUF_H
#define COMPLYD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
        char *data;     /* NUL-terminated once anything was appended; malloc'ed */
        size_t len, cap;
        size_t max;     /* bytes it may hold, the NUL included; 0 = no limit */
        bool failed;
};

/* Appends the n bytes at p. */
void strbuf_add(struct strbuf *b, const void *p, size_t n);

#endif
