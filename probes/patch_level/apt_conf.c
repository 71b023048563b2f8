/* SPDX-License-Identifier: MIT */
/* apt.conf tokenizer and scope tracking. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "apt_conf.h"

enum tok { T_END, T_WORD, T_STRING, T_SEMI, T_OPEN, T_CLOSE };

struct lexer {
        const char *p, *end;
        const char *tok;
        size_t tok_len;
};

/* Skips blanks and comments; a '#' line (comment or directive) is dropped
 * whole. */
static void skip_space(struct lexer *lx) {
        while (lx->p < lx->end) {
                char c = *lx->p;

                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                        lx->p++;
                } else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
                        const char *nl = memchr(lx->p, '\n', (size_t) (lx->end - lx->p));
                        lx->p = nl ? nl + 1 : lx->end;
                } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
                        const char *e = memmem(lx->p + 2, (size_t) (lx->end - lx->p - 2), "*/", 2);
                        lx->p = e ? e + 2 : lx->end;
                } else
                        return;
        }
}

static enum tok next(struct lexer *lx) {
        skip_space(lx);
        if (lx->p >= lx->end)
                return T_END;
        lx->tok = lx->p;
        switch (*lx->p) {
        case ';': lx->p++; return T_SEMI;
        case '{': lx->p++; return T_OPEN;
        case '}': lx->p++; return T_CLOSE;
        case '"': {
                const char *q = memchr(lx->p + 1, '"', (size_t) (lx->end - lx->p - 1));
                lx->tok = lx->p + 1;
                lx->tok_len = (size_t) ((q ? q : lx->end) - lx->tok);
                lx->p = q ? q + 1 : lx->end;
                return T_STRING;
        }
        }
        /* a NUL byte is part of a word (strchr() would match it), so every
         * word is at least one byte long and the lexer always advances */
        do
                lx->p++;
        while (lx->p < lx->end && (!*lx->p || !strchr(" \t\r\n;{}\"", *lx->p)));
        lx->tok_len = (size_t) (lx->p - lx->tok);
        return T_WORD;
}

struct scope {
        char key[APT_CONF_MAX_KEY + 1];
        size_t depth_len[APT_CONF_MAX_DEPTH + 1]; /* key length at each depth */
        unsigned depth;
};

/* Appends "::word" (or "word" at top level) to the scope key into out. */
static int join(const struct scope *sc, const char *w, size_t n, char *out) {
        size_t base = sc->depth_len[sc->depth];

        if (base + 2 + n > APT_CONF_MAX_KEY)
                return -EBADMSG;
        memcpy(out, sc->key, base);
        if (base) {
                memcpy(out + base, "::", 2);
                base += 2;
        }
        memcpy(out + base, w, n);
        out[base + n] = '\0';
        return (int) (base + n);
}

int apt_conf_parse(const char *buf, size_t len,
                   void (*cb)(const char *key, const char *value, void *userdata),
                   void *userdata) {
        struct lexer lx = { .p = buf, .end = buf + (len > APT_CONF_MAX_BYTES ? APT_CONF_MAX_BYTES : len) };
        struct scope sc = { .depth = 0 };
        char key[APT_CONF_MAX_KEY + 1], val[APT_CONF_MAX_KEY + 1];
        int count = 0;

        for (;;) {
                enum tok t = next(&lx);
                int klen;

                if (t == T_END)
                        return sc.depth ? -EBADMSG : count;
                if (t == T_SEMI || t == T_STRING) /* list element or stray ';' */
                        continue;
                if (t == T_CLOSE) {
                        if (!sc.depth)
                                return -EBADMSG;
                        sc.depth--;
                        continue;
                }
                if (t == T_OPEN) /* anonymous scope: not apt syntax */
                        return -EBADMSG;
                if ((klen = join(&sc, lx.tok, lx.tok_len, key)) < 0)
                        return klen;
                t = next(&lx);
                if (t == T_STRING || t == T_WORD) {
                        size_t n = lx.tok_len > APT_CONF_MAX_KEY ? APT_CONF_MAX_KEY : lx.tok_len;
                        memcpy(val, lx.tok, n);
                        val[n] = '\0';
                        t = next(&lx);
                        if (t != T_OPEN) {
                                cb(key, val, userdata);
                                count++;
                        }
                }
                if (t == T_OPEN) {
                        if (sc.depth >= APT_CONF_MAX_DEPTH)
                                return -EBADMSG;
                        memcpy(sc.key, key, (size_t) klen + 1);
                        sc.depth_len[++sc.depth] = (size_t) klen;
                } else if (t == T_CLOSE) {
                        if (!sc.depth)
                                return -EBADMSG;
                        sc.depth--;
                } else if (t == T_END)
                        return sc.depth ? -EBADMSG : count;
        }
}
