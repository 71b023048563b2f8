/* SPDX-License-Identifier: MIT */
/* libFuzzer target: src/json_check, the tree-less check of a probe's
 * output, against jansson as the oracle. The verdict and the kind of the
 * top-level value must be jansson's (json_loadb with JSON_DECODE_ANY and
 * JSON_REJECT_DUPLICATES) for every input that cannot hold a number longer
 * than the checker's limit and has no NUL byte (jansson skips a NUL right
 * after a number or literal, "[1\0]"; RFC 8259 and the checker do not); an
 * accepted text must be accepted by jansson in any case. For an accepted text, json_write_compact() of jansson's
 * tree must print what json_dumps() prints, and that is accepted again. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_build.h"
#include "json_check.h"

struct sink {
        char *buf;
        size_t len;
};

static int to_sink(const char *buf, size_t n, void *userdata) {
        struct sink *s = userdata;
        char *p = realloc(s->buf, s->len + n + 1);

        assert(p);
        memcpy(p + s->len, buf, n);
        s->buf = p;
        s->len += n;
        s->buf[s->len] = '\0';
        return 0;
}

/* json_write_compact() of v equals json_dumps(v, JSON_COMPACT) and checks. */
static void check_writer(const json_t *v) {
        struct json_check_error err;
        struct sink s = { 0 };
        char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

        assert(dumped);
        assert(json_write_compact(v, to_sink, &s) == 0);
        assert(s.buf && strcmp(s.buf, dumped) == 0);
        assert(json_check_text(s.buf, s.len, &err) == (int) json_typeof(v));
        free(s.buf);
        free(dumped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct json_check_error err = { 0 };
        json_error_t jerr;
        json_t *j = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
        int kind = json_check_text((const char *) data, size, &err);

        assert(kind >= 0 || kind == -EINVAL);
        if (kind >= 0)
                assert(j && kind == (int) json_typeof(j));
        else
                assert(err.line >= 1 && err.column >= 1 && err.text[0]);
        if (size <= JSON_CHECK_MAX_NUMBER && !memchr(data, '\0', size))
                assert((kind >= 0) == (j != NULL));
        if (j && kind >= 0)
                check_writer(j);
        json_decref(j);
        return 0;
}
