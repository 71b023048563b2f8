/* SPDX-License-Identifier: MIT */
/* Small JSON builders the probes' parsers share: a lossy string for bytes
 * read from the host, an array built item by item, the
 * [{file, line, message}] list of a configuration parser's errors, and the
 * compact text of a value, written faster than json_dumps() writes it. */
#ifndef COMPLYD_JSON_BUILD_H
#define COMPLYD_JSON_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A JSON string of the n bytes at s; when they are not valid UTF-8, every
 * byte >= 0x80 becomes '?' (a name, comm or path can hold any byte). NULL
 * only on ENOMEM. */
json_t *lossy_string_json(const char *s, size_t n);

/* Whether the NUL-terminated s is valid UTF-8, so that it can be a JSON
 * string or key (jansson's test; false on ENOMEM too). */
bool utf8_valid(const char *s);

/* A JSON array of item(userdata, i) for i in 0..n, each a new reference.
 * NULL when an item is NULL or on ENOMEM. */
json_t *array_json(size_t n, json_t *(*item)(const void *userdata, size_t i),
                   const void *userdata);

/* One error of a configuration parser: where and what. Owned strings. */
struct file_error {
        char *file;
        unsigned line;
        char *message;
};

/* [{file, line, message}] in array order; NULL on ENOMEM. */
json_t *file_errors_json(const struct file_error *errors, size_t n);

/* Frees the n errors' strings and the array itself; accepts NULL. */
void file_errors_free(struct file_error *errors, size_t n);

/* Deepest nesting json_write_compact() writes (jansson's parser limit). */
#define JSON_WRITE_MAX_DEPTH 2048

/* Receives the text in pieces; returns >= 0, or -errno to stop writing. */
typedef int (*json_write_fn)(const char *buf, size_t n, void *userdata);

/* Writes json as compact text, byte for byte what json_dumps(json,
 * JSON_COMPACT) gives (keys in insertion order), through write() in pieces
 * of at most 64 KiB, so that megabytes of observation need no second copy.
 * Returns 0, -ELOOP when nesting exceeds JSON_WRITE_MAX_DEPTH (or a value
 * contains itself), -EINVAL for no value, -ENOMEM, or write()'s negative
 * return. */
int json_write_compact(const json_t *json, json_write_fn write, void *userdata);

#endif
