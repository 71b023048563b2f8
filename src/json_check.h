/* SPDX-License-Identifier: MIT */
/* A validator of JSON text that builds no tree: one pass over the bytes,
 * an explicit stack of open containers, and for objects only the decoded
 * keys (to refuse duplicates). It accepts exactly what jansson's
 * json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) accepts — RFC 8259
 * JSON in valid UTF-8, no "\u0000", integers that fit 64 bits, reals that
 * do not overflow, nesting at most 2048 deep — so that a caller that only
 * prints a probe's output can check it for the cost of reading it once. */
#ifndef COMPLYD_JSON_CHECK_H
#define COMPLYD_JSON_CHECK_H

#include <stddef.h>

#define JSON_CHECK_MAX_DEPTH 2048            /* nested values, as jansson's parser */
#define JSON_CHECK_MAX_NUMBER 1024           /* characters in one number */
#define JSON_CHECK_MAX_INPUT (1024u << 20)   /* bytes of text */

/* What the one top-level value is (jansson's json_type order). */
enum json_check_kind {
        JSON_CHECK_OBJECT,
        JSON_CHECK_ARRAY,
        JSON_CHECK_STRING,
        JSON_CHECK_INTEGER,
        JSON_CHECK_REAL,
        JSON_CHECK_TRUE,
        JSON_CHECK_FALSE,
        JSON_CHECK_NULL,
};

/* Where and why the text is not JSON: 1-based line and byte column. */
struct json_check_error {
        unsigned line, column;
        char text[96];
};

/* Checks that buf[0, len) is exactly one JSON value with only whitespace
 * around it. Returns its kind (>= 0), -EINVAL when it is not JSON (the
 * reason in *err, which is written only then), or -ENOMEM. */
int json_check_text(const char *buf, size_t len, struct json_check_error *err);

/* "object", "array", ... for a kind; "?" for anything else. */
const char *json_check_kind_name(int kind);

#endif
