/* SPDX-License-Identifier: MIT */
/* JSON validation without a tree (see json_check.h). The text is walked
 * once with an explicit stack of open containers; the only memory kept is
 * that stack and, per open object, its decoded keys with a hash (a small
 * object is searched linearly, a large one through its own hash index), so
 * a duplicate key is found as jansson's JSON_REJECT_DUPLICATES finds it. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

#define LINEAR_KEYS 16 /* objects with more keys get a hash index */

struct key_entry {
        uint32_t hash, len;
        size_t off; /* into the key arena */
};

struct frame {
        bool object;
        size_t first_key;  /* its keys are keys[first_key, n_keys) */
        uint32_t *index;   /* key index + 1 per slot, 0 empty; NULL while small */
        size_t index_cap;  /* power of two */
};

struct checker {
        const unsigned char *p, *end, *line_start;
        unsigned line;
        struct frame *frames;
        size_t n_frames, cap_frames;
        struct key_entry *keys;
        size_t n_keys, cap_keys;
        char *arena;
        size_t arena_len, arena_cap;
        struct json_check_error *err;
};

/* Bytes that stand for themselves inside a string: printable ASCII but
 * the quote and the backslash. */
static bool plain(unsigned char c) {
        return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Records why the text is not JSON, at the current position; -EINVAL. */
__attribute__((format(printf, 2, 3))) static int fail(struct checker *c, const char *fmt, ...) {
        va_list ap;

        c->err->line = c->line;
        c->err->column = (unsigned) (c->p - c->line_start) + 1;
        va_start(ap, fmt);
        vsnprintf(c->err->text, sizeof(c->err->text), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static void skip_space(struct checker *c) {
        while (c->p < c->end) {
                switch (*c->p) {
                case '\n':
                        c->line++;
                        c->line_start = c->p + 1;
                        /* fall through */
                case ' ':
                case '\t':
                case '\r':
                        c->p++;
                        continue;
                }
                return;
        }
}

/* Grows the array *a of *cap elements of size sz to hold n + 1. */
static int grow(void **a, size_t *cap, size_t n, size_t sz) {
        size_t ncap;
        void *q;

        if (n < *cap)
                return 0;
        ncap = *cap ? *cap * 2 : 16;
        if (!(q = reallocarray(*a, ncap, sz)))
                return -ENOMEM;
        *a = q;
        *cap = ncap;
        return 0;
}

/* Appends n bytes of a key being read to the arena (allocated even for
 * n == 0, so that an empty key has an address). */
static int arena_put(struct checker *c, const void *s, size_t n) {
        if (!c->arena || c->arena_cap - c->arena_len < n) {
                size_t ncap = c->arena_cap ? c->arena_cap : 256;
                char *q;

                while (ncap - c->arena_len < n)
                        ncap *= 2;
                if (!(q = realloc(c->arena, ncap)))
                        return -ENOMEM;
                c->arena = q;
                c->arena_cap = ncap;
        }
        memcpy(c->arena + c->arena_len, s, n);
        c->arena_len += n;
        return 0;
}

/* ---- strings -------------------------------------------------------- */

static int hexval(unsigned char ch) {
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

/* Reads the 4 hex digits of a \u escape at c->p; the value or -1. */
static int32_t read_hex4(struct checker *c) {
        int32_t v = 0;

        if (c->end - c->p < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                int d = hexval(c->p[i]);
                if (d < 0)
                        return -1;
                v = v * 16 + d;
        }
        c->p += 4;
        return v;
}

/* Encodes code point cp as UTF-8 into out; returns the length. */
static size_t utf8_encode(uint32_t cp, unsigned char out[4]) {
        if (cp < 0x80)
                return out[0] = (unsigned char) cp, 1;
        if (cp < 0x800) {
                out[0] = (unsigned char) (0xC0 | cp >> 6);
                out[1] = (unsigned char) (0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (unsigned char) (0xE0 | cp >> 12);
                out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
                out[2] = (unsigned char) (0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (unsigned char) (0xF0 | cp >> 18);
        out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
        out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
        out[3] = (unsigned char) (0x80 | (cp & 0x3F));
        return 4;
}

/* Reads one escape after the backslash at c->p[-1]; the decoded bytes go
 * to the arena when key. \u0000 and unpaired surrogates are refused, as
 * jansson refuses them. */
static int read_escape(struct checker *c, bool key) {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        unsigned char utf8[4];
        const char *e;
        int32_t cp, lo;

        if (c->p == c->end)
                return fail(c, "unterminated string");
        if (*c->p != 'u') {
                if (!(e = memchr(from, *c->p, sizeof(from) - 1)) || *c->p == '\0')
                        return fail(c, "invalid escape '\\%c'", plain(*c->p) ? *c->p : '?');
                c->p++;
                return key ? arena_put(c, &to[e - from], 1) : 0;
        }
        c->p++;
        if ((cp = read_hex4(c)) < 0)
                return fail(c, "invalid \\u escape");
        if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(c, "invalid Unicode '\\u%04X'", (unsigned) cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
                        return fail(c, "invalid Unicode '\\u%04X'", (unsigned) cp);
                c->p += 2;
                lo = read_hex4(c);
                if (lo < 0)
                        return fail(c, "invalid \\u escape");
                if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(c, "invalid Unicode '\\u%04X\\u%04X'", (unsigned) cp, (unsigned) lo);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0)
                return fail(c, "\\u0000 is not allowed");
        return key ? arena_put(c, utf8, utf8_encode((uint32_t) cp, utf8)) : 0;
}

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at s (n available),
 * or 0: no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
        unsigned char b = s[0], lo = 0x80, hi = 0xBF;
        size_t len;

        if (b >= 0xC2 && b <= 0xDF)
                len = 2;
        else if (b >= 0xE0 && b <= 0xEF)
                len = 3, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
        else if (b >= 0xF0 && b <= 0xF4)
                len = 4, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
        else
                return 0;
        if (n < len || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return 0;
        return len;
}

/* Reads a string whose opening quote is at c->p. A key's decoded bytes are
 * left at the end of the arena, from where the caller takes them. */
static int read_string(struct checker *c, bool key) {
        int r;

        c->p++;
        for (;;) {
                const unsigned char *run = c->p;
                size_t n;

                while (c->p < c->end && plain(*c->p))
                        c->p++;
                if (key && c->p > run && (r = arena_put(c, run, (size_t) (c->p - run))) < 0)
                        return r;
                if (c->p == c->end)
                        return fail(c, "unterminated string");
                if (*c->p == '"') {
                        c->p++;
                        return 0;
                }
                if (*c->p == '\\') {
                        c->p++;
                        if ((r = read_escape(c, key)) < 0)
                                return r;
                        continue;
                }
                if (*c->p < 0x20)
                        return fail(c, "control character 0x%02x in string", *c->p);
                if (!(n = utf8_sequence(c->p, (size_t) (c->end - c->p))))
                        return fail(c, "invalid UTF-8 byte 0x%02x", *c->p);
                if (key && (r = arena_put(c, c->p, n)) < 0)
                        return r;
                c->p += n;
        }
}

/* ---- numbers and literals ------------------------------------------- */

static bool is_digit(const struct checker *c) {
        return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static size_t skip_digits(struct checker *c) {
        const unsigned char *s = c->p;

        while (is_digit(c))
                c->p++;
        return (size_t) (c->p - s);
}

/* Whether the integer text s (optional '-', no leading zeros) fits 64 bits. */
static bool integer_fits(const unsigned char *s, size_t n) {
        bool neg = s[0] == '-';
        const char *limit = neg ? "9223372036854775808" : "9223372036854775807";

        n -= neg;
        s += neg;
        return n < 19 || (n == 19 && memcmp(s, limit, 19) <= 0);
}

/* Whether the real text s overflows a double (strtod gives +-HUGE_VAL). */
static bool real_overflows(const unsigned char *s, size_t n) {
        char buf[JSON_CHECK_MAX_NUMBER + 1];
        double v;

        memcpy(buf, s, n);
        buf[n] = '\0';
        errno = 0;
        v = strtod(buf, NULL);
        return isinf(v) && errno == ERANGE;
}

/* Reads a number (RFC 8259 grammar) at c->p; its kind or -EINVAL. */
static int read_number(struct checker *c) {
        const unsigned char *s = c->p;
        size_t digits;
        bool real = false, exp = false;

        if (*c->p == '-')
                c->p++;
        if (c->p < c->end && *c->p == '0') {
                c->p++;
                if (is_digit(c))
                        return fail(c, "invalid number (leading zero)");
                digits = 1;
        } else if (!(digits = skip_digits(c)))
                return fail(c, "invalid number");
        if (c->p < c->end && *c->p == '.') {
                c->p++;
                if (!skip_digits(c))
                        return fail(c, "invalid number (no digits after '.')");
                real = true;
        }
        if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
                c->p++;
                if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
                        c->p++;
                if (!skip_digits(c))
                        return fail(c, "invalid number (no digits in the exponent)");
                real = exp = true;
        }
        if ((size_t) (c->p - s) > JSON_CHECK_MAX_NUMBER)
                return fail(c, "number longer than %d characters", JSON_CHECK_MAX_NUMBER);
        if (!real)
                return integer_fits(s, (size_t) (c->p - s)) ? JSON_CHECK_INTEGER
                                                             : fail(c, "integer out of range");
        /* a double overflows only past 1.8e308: an exponent or 309 digits */
        if ((exp || (size_t) (c->p - s) > 308) && real_overflows(s, (size_t) (c->p - s)))
                return fail(c, "real number overflow");
        return JSON_CHECK_REAL;
}

/* Reads true, false or null; a word that is none of them is an error. */
static int read_literal(struct checker *c) {
        static const struct { const char *word; size_t len; int kind; } lits[] = {
                { "true", 4, JSON_CHECK_TRUE }, { "false", 5, JSON_CHECK_FALSE }, { "null", 4, JSON_CHECK_NULL },
        };
        const unsigned char *s = c->p;

        while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') || (*c->p >= 'A' && *c->p <= 'Z')))
                c->p++;
        for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++)
                if ((size_t) (c->p - s) == lits[i].len && memcmp(s, lits[i].word, lits[i].len) == 0)
                        return lits[i].kind;
        c->p = s;
        if (s == c->end)
                return fail(c, "unexpected end of input, a value expected");
        return fail(c, "invalid token, a value expected");
}

/* ---- objects' keys -------------------------------------------------- */

static uint32_t hash_bytes(const char *s, size_t n) {
        uint32_t h = 2166136261u;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char) s[i]) * 16777619u;
        return h;
}

static bool same_key(const struct checker *c, const struct key_entry *a, const struct key_entry *b) {
        return a->hash == b->hash && a->len == b->len &&
               memcmp(c->arena + a->off, c->arena + b->off, a->len) == 0;
}

/* Looks key (index k) up in the frame's index and inserts it when new:
 * 1 when it was there already, else 0. */
static int index_insert(struct checker *c, struct frame *f, size_t k) {
        size_t h = c->keys[k].hash & (f->index_cap - 1);

        while (f->index[h]) {
                if (same_key(c, &c->keys[f->index[h] - 1], &c->keys[k]))
                        return 1;
                h = (h + 1) & (f->index_cap - 1);
        }
        f->index[h] = (uint32_t) k + 1;
        return 0;
}

/* Rebuilds the frame's index at a size that keeps it at most half full. */
static int index_rebuild(struct checker *c, struct frame *f) {
        size_t n = c->n_keys - f->first_key, cap = 64;

        while (cap < 4 * n)
                cap *= 2;
        free(f->index);
        if (!(f->index = calloc(cap, sizeof(uint32_t))))
                return -ENOMEM;
        f->index_cap = cap;
        for (size_t k = f->first_key; k < c->n_keys - 1; k++)
                (void) index_insert(c, f, k);
        return 0;
}

/* Registers the key just read (its bytes from arena offset off) in the
 * innermost object; -EINVAL when the object has it already. */
static int add_key(struct checker *c, size_t off) {
        struct frame *f = &c->frames[c->n_frames - 1];
        struct key_entry e = { .off = off, .len = (uint32_t) (c->arena_len - off) };
        size_t n = c->n_keys - f->first_key;
        int r;

        e.hash = hash_bytes(c->arena + off, e.len);
        if ((r = grow((void **) &c->keys, &c->cap_keys, c->n_keys, sizeof(*c->keys))) < 0)
                return r;
        c->keys[c->n_keys++] = e;
        if (n < LINEAR_KEYS) {
                for (size_t k = f->first_key; k < c->n_keys - 1; k++)
                        if (same_key(c, &c->keys[k], &e))
                                return fail(c, "duplicate object key");
                return 0;
        }
        if ((!f->index || 2 * (n + 1) > f->index_cap) && (r = index_rebuild(c, f)) < 0)
                return r;
        return index_insert(c, f, c->n_keys - 1) ? fail(c, "duplicate object key") : 0;
}

/* Reads "key" and the colon after it, inside an object. */
static int read_key(struct checker *c) {
        size_t off = c->arena_len;
        int r;

        if (c->p == c->end || *c->p != '"')
                return fail(c, c->p == c->end ? "unexpected end of input, a string key expected"
                                              : "a string key expected");
        if ((r = arena_put(c, "", 0)) < 0 || (r = read_string(c, true)) < 0 ||
            (r = add_key(c, off)) < 0)
                return r;
        skip_space(c);
        if (c->p == c->end || *c->p != ':')
                return fail(c, "':' expected");
        c->p++;
        return 0;
}

/* ---- structure ------------------------------------------------------ */

static int push(struct checker *c, bool object) {
        int r;

        if ((r = grow((void **) &c->frames, &c->cap_frames, c->n_frames, sizeof(*c->frames))) < 0)
                return r;
        c->frames[c->n_frames++] = (struct frame) { .object = object, .first_key = c->n_keys };
        c->p++;
        return 0;
}

/* Closes the innermost container, dropping its keys. */
static void pop(struct checker *c) {
        struct frame *f = &c->frames[--c->n_frames];

        if (f->object && c->n_keys > f->first_key)
                c->arena_len = c->keys[f->first_key].off;
        c->n_keys = f->first_key;
        free(f->index);
        c->p++;
}

/* Starts the value at c->p: opens a container (JSON_CHECK_OBJECT/ARRAY,
 * pushed) or reads a whole scalar. Returns its kind or -errno. */
static int begin_value(struct checker *c) {
        if (c->n_frames + 1 > JSON_CHECK_MAX_DEPTH)
                return fail(c, "nesting deeper than %d", JSON_CHECK_MAX_DEPTH);
        if (c->p == c->end)
                return read_literal(c);
        switch (*c->p) {
        case '{':
                return push(c, true) < 0 ? -ENOMEM : JSON_CHECK_OBJECT;
        case '[':
                return push(c, false) < 0 ? -ENOMEM : JSON_CHECK_ARRAY;
        case '"': {
                int r = read_string(c, false);
                return r < 0 ? r : JSON_CHECK_STRING;
        }
        case '-':
        case '0' ... '9':
                return read_number(c);
        default:
                return read_literal(c);
        }
}

/* After a value inside the innermost container: ',' and the next member,
 * or the closing bracket. Returns 1 when a value must follow, 0 when the
 * container closed, -errno. */
static int after_value(struct checker *c) {
        const struct frame *f = &c->frames[c->n_frames - 1];
        char close = f->object ? '}' : ']';
        int r;

        skip_space(c);
        if (c->p < c->end && *c->p == close) {
                pop(c);
                return 0;
        }
        if (c->p == c->end || *c->p != ',')
                return fail(c, c->p == c->end ? "unexpected end of input, ',' or '%c' expected"
                                              : "',' or '%c' expected", close);
        c->p++;
        skip_space(c);
        if (f->object && (r = read_key(c)) < 0)
                return r;
        return 1;
}

/* The first member of a container just opened, or its closing bracket:
 * 1 when a value must follow, 0 when it closed empty, -errno. */
static int first_member(struct checker *c) {
        const struct frame *f = &c->frames[c->n_frames - 1];
        int r;

        skip_space(c);
        if (c->p < c->end && *c->p == (f->object ? '}' : ']')) {
                pop(c);
                return 0;
        }
        if (f->object && (r = read_key(c)) < 0)
                return r;
        return 1;
}

/* The main loop: values until the top-level one is complete. Returns the
 * top-level kind or -errno. */
static int walk(struct checker *c) {
        int top = -1, r;

        for (;;) {
                skip_space(c);
                r = begin_value(c);
                if (r < 0)
                        return r;
                if (top < 0)
                        top = r;
                r = (r == JSON_CHECK_OBJECT || r == JSON_CHECK_ARRAY) ? first_member(c) : 0;
                /* a closed value: continue the containers around it */
                while (r == 0 && c->n_frames > 0)
                        r = after_value(c);
                if (r < 0)
                        return r;
                if (r == 0)
                        return top;
        }
}

int json_check_text(const char *buf, size_t len, struct json_check_error *err) {
        struct json_check_error e = { 0 };
        struct checker c = {
                .p = (const unsigned char *) buf, .end = (const unsigned char *) buf + len,
                .line_start = (const unsigned char *) buf, .line = 1, .err = &e,
        };
        int r;

        if (len > JSON_CHECK_MAX_INPUT)
                r = fail(&c, "text longer than %u bytes", JSON_CHECK_MAX_INPUT);
        else if ((r = walk(&c)) >= 0) {
                skip_space(&c);
                if (c.p != c.end)
                        r = fail(&c, "end of input expected after the value");
        }
        while (c.n_frames > 0)
                free(c.frames[--c.n_frames].index);
        free(c.frames);
        free(c.keys);
        free(c.arena);
        if (r == -EINVAL)
                *err = e;
        return r;
}

const char *json_check_kind_name(int kind) {
        static const char *const names[] = { "object", "array", "string", "integer",
                                             "real", "true", "false", "null" };

        return kind >= 0 && (size_t) kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}
