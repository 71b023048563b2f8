/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the core: cleanup attributes, string and time
 * helpers. Nothing here logs. */
#ifndef COMPLYD_UTIL_H
#define COMPLYD_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cleanup.h"

#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))

static inline bool streq_ptr(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL

/* CLOCK_MONOTONIC / CLOCK_REALTIME in microseconds. */
uint64_t now_monotonic_usec(void);
uint64_t now_realtime_usec(void);

/* Parse "30s", "15m", "6h", "1d", "500ms", "2w" or a bare number of seconds.
 * Returns 0 and sets *usec, or -EINVAL / -ERANGE. */
int parse_duration(const char *s, uint64_t *usec);
/* Format usec as the shortest exact "15m" / "6h" / "90s" form into buf. */
const char *format_duration(uint64_t usec, char *buf, size_t size);

/* Read a whole file (at most max bytes, -EFBIG beyond) into a malloc'ed,
 * NUL-terminated buffer. read_fd_full() does the same from an open fd. */
int read_fd_full(int fd, size_t max, char **buf, size_t *len);
int read_full_file(const char *path, size_t max, char **buf, size_t *len);

/* Write data to path atomically: temp file in the same directory, fsync,
 * rename, fsync of the directory. mode applies to the new file. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* malloc'ed printf; NULL on out-of-memory. */
char *strdup_printf(const char *fmt, ...) _printf_(1, 2);

#endif
