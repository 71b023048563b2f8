/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "rule_path.h"
#include "util.h"

void rule_path_done(struct rule_path *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->segs[i].key);
        free(p->segs);
        *p = (struct rule_path) { 0 };
}

static int perr(char *err, size_t errlen, const char *text, const char *at, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
static int perr(char *err, size_t errlen, const char *text, const char *at, const char *fmt, ...) {
        va_list ap;
        size_t off;

        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        off = strlen(err);
        if (off < errlen)
                snprintf(err + off, errlen - off, " at character %zu of path '%.200s'",
                         (size_t) (at - text) + 1, text);
        return -EINVAL;
}

static bool is_key_char(char c) {
        return c && !strchr(".[]\"' \t\n\r*", c);
}

static int add_seg(struct rule_path *p, enum path_seg_type type, char *key, size_t index) {
        struct path_seg *segs;

        if (p->n >= RULE_PATH_MAX_SEGMENTS) {
                free(key);
                return -E2BIG;
        }
        segs = realloc(p->segs, (p->n + 1) * sizeof(*segs));
        if (!segs) {
                free(key);
                return -ENOMEM;
        }
        p->segs = segs;
        p->segs[p->n++] = (struct path_seg) { .type = type, .key = key, .index = index };
        if (type == SEG_WILD)
                p->wild = true;
        return 0;
}

/* Parses a bracket segment at *s ('[' already seen at **s): [N], [*] or
 * ["quoted key"] with \" and \\ escapes. Advances *s past ']'. */
static int parse_bracket(const char *text, const char **s, struct rule_path *p, char *err,
                         size_t errlen) {
        const char *q = *s + 1;

        if (*q == '*' && q[1] == ']') {
                *s = q + 2;
                return add_seg(p, SEG_WILD, NULL, 0);
        }
        if (*q >= '0' && *q <= '9') {
                size_t idx = 0;

                for (; *q >= '0' && *q <= '9'; q++) {
                        if (idx > 100000000)
                                return perr(err, errlen, text, q, "index too large");
                        idx = idx * 10 + (size_t) (*q - '0');
                }
                if (*q != ']')
                        return perr(err, errlen, text, q, "expected ']' after index");
                *s = q + 1;
                return add_seg(p, SEG_INDEX, NULL, idx);
        }
        if (*q == '"') {
                _cleanup_free_ char *key = malloc(strlen(q) + 1);
                size_t n = 0;

                if (!key)
                        return -ENOMEM;
                for (q++; *q && *q != '"'; q++) {
                        if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
                                q++;
                        key[n++] = *q;
                }
                key[n] = '\0';
                if (*q != '"' || q[1] != ']')
                        return perr(err, errlen, text, q, "unterminated quoted key (expected '\"]')");
                *s = q + 2;
                return add_seg(p, SEG_KEY, TAKE_PTR(key), 0);
        }
        return perr(err, errlen, text, q, "expected a number, '*' or a quoted key after '['");
}

int rule_path_parse(const char *text, struct rule_path *ret, char *err, size_t errlen) {
        struct rule_path p = { 0 };
        const char *s = text;
        bool need_key = false;
        int r = 0;

        if (streq(text, ".") || !*text) {
                *ret = p;
                return 0;
        }
        while (*s && r >= 0) {
                if (*s == '[') {
                        r = parse_bracket(text, &s, &p, err, errlen);
                        need_key = false;
                } else if (is_key_char(*s)) {
                        const char *e = s;
                        char *key;

                        while (is_key_char(*e))
                                e++;
                        key = strndup(s, (size_t) (e - s));
                        r = key ? add_seg(&p, SEG_KEY, key, 0) : -ENOMEM;
                        s = e;
                        need_key = false;
                } else if (*s == '*') {
                        r = perr(err, errlen, text, s, "use [*] for a wildcard");
                } else {
                        r = perr(err, errlen, text, s, "unexpected '%c'", *s);
                }
                if (r < 0)
                        break;
                if (*s == '.') {
                        s++;
                        need_key = true;
                        if (!*s || *s == '.' || *s == '[')
                                r = perr(err, errlen, text, s, "expected a key after '.'");
                } else if (*s && *s != '[')
                        r = perr(err, errlen, text, s, "unexpected '%c'", *s);
        }
        if (r == -E2BIG)
                r = perr(err, errlen, text, s, "more than %d segments", RULE_PATH_MAX_SEGMENTS);
        if (r >= 0 && need_key)
                r = perr(err, errlen, text, s, "expected a key after '.'");
        if (r < 0) {
                rule_path_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

static bool simple_key(const char *k) {
        if (!*k)
                return false;
        for (; *k; k++)
                if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                      (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
                        return false;
        return true;
}

/* Appends formatted text, marking overflow instead of writing past the end. */
static void pbuf_append(struct pbuf *pb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pbuf_append(struct pbuf *pb, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vsnprintf(pb->buf + pb->len, sizeof(pb->buf) - pb->len, fmt, ap);
        va_end(ap);
        if (k < 0 || (size_t) k >= sizeof(pb->buf) - pb->len) {
                pb->overflow = true;
                pb->buf[pb->len] = '\0';
                return;
        }
        pb->len += (size_t) k;
}

/* A push either fits or leaves the buffer as it was: past the end, the
 * path is cut at its last complete component and later pushes only count
 * (so the matching pops stay balanced). push_begin() is false then. */
static bool push_begin(struct pbuf *pb) {
        if (pb->dropped) {
                pb->dropped++;
                return false;
        }
        return true;
}

static size_t push_end(struct pbuf *pb, size_t old) {
        if (pb->overflow) {
                pb->len = old;
                pb->buf[old] = '\0';
                pb->dropped = 1;
        }
        return old;
}

size_t pbuf_push_key(struct pbuf *pb, const char *key) {
        size_t old;

        if (!pb)
                return 0;
        if (!push_begin(pb))
                return pb->len;
        old = pb->len;
        if (simple_key(key))
                pbuf_append(pb, "%s%s", pb->len ? "." : "", key);
        else {
                pbuf_append(pb, "[\"");
                for (const char *k = key; *k && !pb->overflow; k++)
                        pbuf_append(pb, (*k == '"' || *k == '\\') ? "\\%c" : "%c", *k);
                pbuf_append(pb, "\"]");
        }
        return push_end(pb, old);
}

size_t pbuf_push_index(struct pbuf *pb, size_t index) {
        size_t old;

        if (!pb)
                return 0;
        if (!push_begin(pb))
                return pb->len;
        old = pb->len;
        pbuf_append(pb, "[%zu]", index);
        return push_end(pb, old);
}

size_t pbuf_push_text(struct pbuf *pb, const char *text) {
        size_t old;

        if (!pb)
                return 0;
        if (!push_begin(pb))
                return pb->len;
        old = pb->len;
        if (*text && !streq(text, "."))
                pbuf_append(pb, "%s%s", pb->len && *text != '[' ? "." : "", text);
        return push_end(pb, old);
}

size_t pbuf_push_path(struct pbuf *pb, const struct rule_path *p) {
        size_t old;

        if (!pb)
                return 0;
        if (!push_begin(pb))
                return pb->len;
        old = pb->len;
        for (size_t i = 0; i < p->n; i++) {
                if (p->segs[i].type == SEG_KEY)
                        pbuf_push_key(pb, p->segs[i].key);
                else
                        pbuf_push_index(pb, p->segs[i].index);
        }
        if (pb->dropped) {
                /* one push as far as pbuf_pop() is concerned */
                pb->len = old;
                pb->buf[old] = '\0';
                pb->dropped = 1;
        }
        return old;
}

void pbuf_pop(struct pbuf *pb, size_t len) {
        if (!pb)
                return;
        if (pb->dropped) {
                /* undoing a push that did not fit */
                pb->overflow = --pb->dropped > 0;
                pb->buf[pb->len] = '\0';
                return;
        }
        pb->len = len;
        pb->buf[len] = '\0';
}

const char *pbuf_str(struct pbuf *pb) {
        if (pb->dropped && pb->len + 4 <= sizeof(pb->buf))
                strcpy(pb->buf + pb->len, "...");
        else if (pb->dropped)
                strcpy(pb->buf + sizeof(pb->buf) - 4, "...");
        return pb->buf;
}

static bool walk(const struct rule_path *p, size_t i, const json_t *v, struct pbuf *pb,
                 path_visit_fn fn, void *userdata) {
        const struct path_seg *s;
        size_t old;
        bool go_on = true;

        if (i == p->n)
                return fn(userdata, v, pb);
        s = &p->segs[i];
        switch (s->type) {
        case SEG_KEY:
                old = pbuf_push_key(pb, s->key);
                go_on = walk(p, i + 1, json_is_object(v) ? json_object_get(v, s->key) : NULL, pb,
                             fn, userdata);
                break;
        case SEG_INDEX:
                old = pbuf_push_index(pb, s->index);
                go_on = walk(p, i + 1, json_is_array(v) ? json_array_get(v, s->index) : NULL, pb,
                             fn, userdata);
                break;
        case SEG_WILD:
        default:
                if (json_is_array(v)) {
                        size_t k;
                        const json_t *e;

                        json_array_foreach(v, k, e) {
                                old = pbuf_push_index(pb, k);
                                go_on = walk(p, i + 1, e, pb, fn, userdata);
                                pbuf_pop(pb, old);
                                if (!go_on)
                                        break;
                        }
                } else if (json_is_object(v)) {
                        const char *key;
                        json_t *e;

                        json_object_foreach((json_t *) v, key, e) {
                                old = pbuf_push_key(pb, key);
                                go_on = walk(p, i + 1, e, pb, fn, userdata);
                                pbuf_pop(pb, old);
                                if (!go_on)
                                        break;
                        }
                }
                return go_on;
        }
        pbuf_pop(pb, old);
        return go_on;
}

bool rule_path_walk(const struct rule_path *p, const json_t *v, struct pbuf *pb,
                    path_visit_fn fn, void *userdata) {
        return walk(p, 0, v, pb, fn, userdata);
}

const json_t *rule_path_get(const struct rule_path *p, const json_t *v) {
        for (size_t i = 0; i < p->n && v; i++) {
                const struct path_seg *s = &p->segs[i];

                if (s->type == SEG_KEY)
                        v = json_is_object(v) ? json_object_get(v, s->key) : NULL;
                else if (s->type == SEG_INDEX)
                        v = json_is_array(v) ? json_array_get(v, s->index) : NULL;
                else
                        return NULL;
        }
        return v;
}
