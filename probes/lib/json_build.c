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

/* ---- compact text ----------------------------------------------------- */

#define WRITE_BUF (64u * 1024)

struct json_writer {
        json_write_fn write;
        void *userdata;
        size_t len;
        char buf[WRITE_BUF];
};

static int writer_flush(struct json_writer *w) {
        int r = w->len ? w->write(w->buf, w->len, w->userdata) : 0;

        w->len = 0;
        return r < 0 ? r : 0;
}

/* Appends n bytes, handing a full buffer on first. */
static inline int writer_put(struct json_writer *w, const char *s, size_t n) {
        int r;

        if (WRITE_BUF - w->len < n) {
                if ((r = writer_flush(w)) < 0)
                        return r;
                if (n >= WRITE_BUF)
                        return (r = w->write(s, n, w->userdata)) < 0 ? r : 0;
        }
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        return 0;
}

/* Escapes c (a byte jansson escapes: '"', '\\' or below 0x20) into out;
 * returns the length: \" \\ \b \f \n \r \t, else \u00XX. */
static size_t escape_byte(unsigned char c, char out[6]) {
        static const char hex[] = "0123456789ABCDEF";
        const char *short_form = c == '"' ? "\"" : c == '\\' ? "\\" : c == '\b' ? "b" : c == '\f' ? "f"
                                 : c == '\n' ? "n" : c == '\r' ? "r" : c == '\t' ? "t" : NULL;

        out[0] = '\\';
        if (short_form) {
                out[1] = short_form[0];
                return 2;
        }
        memcpy(out + 1, "u00", 3);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15];
        return 6;
}

static bool needs_escape(unsigned char c) {
        return c < 0x20 || c == '"' || c == '\\';
}

/* Writes a string with jansson's escapes (escape_byte()); every other byte
 * (UTF-8) as it is. A string whose worst case fits the buffer is copied
 * byte by byte straight into it; a longer one goes in runs. */
static int writer_string(struct json_writer *w, const char *s, size_t n) {
        size_t i = 0, run;
        char esc[6];
        int r;

        if (n <= (WRITE_BUF - 2) / 6) {
                char *o;

                if (WRITE_BUF - w->len < 6 * n + 2 && (r = writer_flush(w)) < 0)
                        return r;
                o = w->buf + w->len;
                *o++ = '"';
                for (; i < n; i++)
                        if (needs_escape((unsigned char) s[i]))
                                o += escape_byte((unsigned char) s[i], o);
                        else
                                *o++ = s[i];
                *o++ = '"';
                w->len = (size_t) (o - w->buf);
                return 0;
        }
        if ((r = writer_put(w, "\"", 1)) < 0)
                return r;
        while (i < n) {
                for (run = i; i < n && !needs_escape((unsigned char) s[i]); i++)
                        ;
                if (i > run && (r = writer_put(w, s + run, i - run)) < 0)
                        return r;
                if (i < n && (r = writer_put(w, esc, escape_byte((unsigned char) s[i++], esc))) < 0)
                        return r;
        }
        return writer_put(w, "\"", 1);
}

static int writer_integer(struct json_writer *w, json_int_t v) {
        char tmp[24], *p = tmp + sizeof(tmp);
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;

        do
                *--p = (char) ('0' + u % 10);
        while (u /= 10);
        if (v < 0)
                *--p = '-';
        return writer_put(w, p, (size_t) (tmp + sizeof(tmp) - p));
}

/* A real as jansson prints it: "%.17g", with ".0" when that looks like an
 * integer, and the exponent without '+' or leading zeros. */
static int writer_real(struct json_writer *w, double v) {
        char tmp[40], *e;
        int n = snprintf(tmp, sizeof(tmp) - 2, "%.17g", v);

        if (n < 0 || (size_t) n >= sizeof(tmp) - 2)
                return -EINVAL;
        for (char *p = tmp; *p; p++)
                if (*p == ',')
                        *p = '.'; /* a locale's decimal comma */
        if (!strchr(tmp, '.') && !strchr(tmp, 'e'))
                memcpy(tmp + n, ".0", 3);
        if ((e = strchr(tmp, 'e'))) {
                char *start = e + 1, *end = start + 1;

                if (*start == '-')
                        start++;
                while (*end == '0')
                        end++;
                if (end != start)
                        memmove(start, end, strlen(end) + 1);
        }
        return writer_put(w, tmp, strlen(tmp));
}

static int writer_value(struct json_writer *w, const json_t *j, unsigned depth);

static int writer_object(struct json_writer *w, const json_t *j, unsigned depth) {
        bool first = true;
        int r;

        if ((r = writer_put(w, "{", 1)) < 0)
                return r;
        for (void *it = json_object_iter((json_t *) j); it; it = json_object_iter_next((json_t *) j, it)) {
                const char *key = json_object_iter_key(it);
#if JANSSON_VERSION_HEX >= 0x020e00
                size_t klen = json_object_iter_key_len(it);
#else
                size_t klen = strlen(key);
#endif

                if ((!first && (r = writer_put(w, ",", 1)) < 0) ||
                    (r = writer_string(w, key, klen)) < 0 || (r = writer_put(w, ":", 1)) < 0 ||
                    (r = writer_value(w, json_object_iter_value(it), depth + 1)) < 0)
                        return r;
                first = false;
        }
        return writer_put(w, "}", 1);
}

static int writer_array(struct json_writer *w, const json_t *j, unsigned depth) {
        size_t n = json_array_size(j);
        int r;

        if ((r = writer_put(w, "[", 1)) < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if ((i > 0 && (r = writer_put(w, ",", 1)) < 0) ||
                    (r = writer_value(w, json_array_get(j, i), depth + 1)) < 0)
                        return r;
        return writer_put(w, "]", 1);
}

/* One value at nesting depth (the top is 1). */
static int writer_value(struct json_writer *w, const json_t *j, unsigned depth) {
        if (depth > JSON_WRITE_MAX_DEPTH)
                return -ELOOP;
        switch (json_typeof(j)) {
        case JSON_OBJECT: return writer_object(w, j, depth);
        case JSON_ARRAY: return writer_array(w, j, depth);
        case JSON_STRING: return writer_string(w, json_string_value(j), json_string_length(j));
        case JSON_INTEGER: return writer_integer(w, json_integer_value(j));
        case JSON_REAL: return writer_real(w, json_real_value(j));
        case JSON_TRUE: return writer_put(w, "true", 4);
        case JSON_FALSE: return writer_put(w, "false", 5);
        case JSON_NULL: return writer_put(w, "null", 4);
        }
        return -EINVAL;
}

int json_write_compact(const json_t *json, json_write_fn write, void *userdata) {
        _cleanup_free_ struct json_writer *w = malloc(sizeof(*w));
        int r;

        if (!w)
                return -ENOMEM;
        if (!json)
                return -EINVAL;
        w->write = write;
        w->userdata = userdata;
        w->len = 0;
        if ((r = writer_value(w, json, 1)) < 0)
                return r;
        return writer_flush(w);
}
