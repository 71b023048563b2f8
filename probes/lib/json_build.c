/* SPDX-License-Identifier: MIT */
/* JSON builders shared by the probes' parsers. */
#include <stdlib.h>

#include "cleanup.h"
#include "json_build.h"

json_t *lossy_string_json(const char *s, size_t n) {
        _cleanup_free_ char *copy = NULL;
        json_t *j = json_stringn(s, n);

        if (j || !(copy = malloc(n ? n : 1)))
                return j;
        for (size_t i = 0; i < n; i++)
                copy[i] = (unsigned char) s[i] < 0x80 ? s[i] : '?';
        return json_stringn(copy, n);
}

bool utf8_valid(const char *s) {
        json_t *j = json_string(s);

        json_decref(j);
        return j != NULL;
}

json_t *array_json(size_t n, json_t *(*item)(const void *userdata, size_t i),
                   const void *userdata) {
        _cleanup_json_ json_t *arr = json_array();

        if (!arr)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(arr, item(userdata, i)) < 0)
                        return NULL;
        return TAKE_PTR(arr);
}

static json_t *error_json(const void *userdata, size_t i) {
        const struct file_error *e = (const struct file_error *) userdata + i;

        return json_pack("{s:s, s:i, s:s}", "file", e->file, "line", (json_int_t) e->line,
                         "message", e->message);
}

json_t *file_errors_json(const struct file_error *errors, size_t n) {
        return array_json(n, error_json, errors);
}

void file_errors_free(struct file_error *errors, size_t n) {
        for (size_t i = 0; errors && i < n; i++) {
                free(errors[i].file);
                free(errors[i].message);
        }
        free(errors);
}
