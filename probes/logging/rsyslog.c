/* SPDX-License-Identifier: MIT */
/* Remote forwarding in an rsyslog configuration: legacy "@host" / "@@host"
 * selector actions and RainerScript action(type="omfwd"|"omrelp"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "logging.h"

struct sink {
        struct fwd_dest *out;
        size_t max, n;
};

static void emit(struct sink *k, const struct fwd_dest *d) {
        if (k->n < k->max)
                k->out[k->n] = *d;
        k->n++;
}

/* Copies s[0,n) into dst (size cap), NUL-terminated, printable ASCII only. */
static void copy_field(char *dst, size_t cap, const char *s, size_t n) {
        size_t i;

        for (i = 0; i < n && i + 1 < cap; i++)
                dst[i] = (unsigned char) s[i] < 0x21 || (unsigned char) s[i] > 0x7e ? '?' : s[i];
        dst[i] = '\0';
}

static int port_of(const char *s, size_t n) {
        int v = 0;

        if (n == 0 || n > 5)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (!isdigit((unsigned char) s[i]))
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v > 0 && v < 65536 ? v : -1;
}

/* A legacy action "@[@][(opts)]host[:port][;template]" at a. */
static void legacy_action(struct sink *k, const char *a, unsigned line) {
        struct fwd_dest d = { .type = "legacy", .port = 514, .line = line };
        const char *h, *end, *colon = NULL;

        strcpy(d.protocol, a[1] == '@' ? "tcp" : "udp");
        a += a[1] == '@' ? 2 : 1;
        if (*a == '(' && (a = strchr(a, ')')))
                a++;
        if (!a || !*a)
                return;
        end = a + strcspn(a, "; \t");
        if (*a == '[') {                        /* [2001:db8::1]:514 */
                h = a + 1;
                if (!(colon = memchr(h, ']', (size_t) (end - h))))
                        return;
                copy_field(d.target, sizeof(d.target), h, (size_t) (colon - h));
                colon = colon[1] == ':' ? colon + 1 : NULL;
        } else {
                colon = memchr(a, ':', (size_t) (end - a));
                copy_field(d.target, sizeof(d.target), a, (size_t) ((colon ? colon : end) - a));
        }
        if (colon && port_of(colon + 1, (size_t) (end - colon - 1)) > 0)
                d.port = port_of(colon + 1, (size_t) (end - colon - 1));
        if (d.target[0])
                emit(k, &d);
}

/* The value of name="..." (or name='...') in an action() statement, into
 * val (size cap). 1 when present. Names are case-insensitive. */
static int param(const char *stmt, const char *name, char *val, size_t cap) {
        size_t nlen = strlen(name);

        for (const char *p = stmt; (p = strcasestr(p, name)); p += nlen) {
                const char *q = p + nlen, *end;
                char quote;

                if (p > stmt && (isalnum((unsigned char) p[-1]) || p[-1] == '.' || p[-1] == '_'))
                        continue;
                while (*q == ' ' || *q == '\t' || *q == '\n')
                        q++;
                if (*q++ != '=')
                        continue;
                while (*q == ' ' || *q == '\t' || *q == '\n')
                        q++;
                quote = *q;
                if (quote != '"' && quote != '\'')
                        continue;
                if (!(end = strchr(q + 1, quote)))
                        return 0;
                copy_field(val, cap, q + 1, (size_t) (end - q - 1));
                return 1;
        }
        return 0;
}

/* One action(...) statement (parentheses included, NUL-terminated). */
static void rainer_action(struct sink *k, const char *stmt, unsigned line) {
        struct fwd_dest d = { .line = line };
        char type[32] = "", port[16] = "";

        if (!param(stmt, "type", type, sizeof(type)))
                return;
        if (strcasecmp(type, "omfwd") == 0) {
                strcpy(d.type, "omfwd");
                strcpy(d.protocol, "udp");
                d.port = 514;
                if (param(stmt, "protocol", d.protocol, sizeof(d.protocol)))
                        for (char *c = d.protocol; *c; c++)
                                *c = (char) tolower((unsigned char) *c);
        } else if (strcasecmp(type, "omrelp") == 0) {
                strcpy(d.type, "omrelp");
                strcpy(d.protocol, "relp");
        } else
                return;
        if (!param(stmt, "target", d.target, sizeof(d.target)) || !d.target[0])
                return;
        if (param(stmt, "port", port, sizeof(port)))
                d.port = port_of(port, strlen(port)) > 0 ? port_of(port, strlen(port)) : d.port;
        emit(k, &d);
}

/* The end of the action( statement starting at s (its ")" + 1), quotes
 * respected, at most LOG_MAX_LINE bytes; NULL when it does not end. */
static const char *statement_end(const char *s, const char *limit) {
        char quote = 0;

        if (limit - s > (long) LOG_MAX_LINE)
                limit = s + LOG_MAX_LINE;
        for (const char *p = s; p < limit; p++) {
                if (quote) {
                        if (*p == '\\' && p + 1 < limit)
                                p++;
                        else if (*p == quote)
                                quote = 0;
                } else if (*p == '"' || *p == '\'')
                        quote = *p;
                else if (*p == ')')
                        return p + 1;
        }
        return NULL;
}

/* Looks at the line buf[b, e): a legacy forwarding action, or the start of
 * action( statements (which may run on over the next lines). Returns where
 * scanning continues (past a multi-line statement). */
static size_t scan_line(struct sink *k, const char *buf, size_t len, size_t b, size_t e,
                        unsigned *line) {
        char tmp[LOG_MAX_LINE];
        size_t n = e - b, next = e;

        if (n >= sizeof(tmp))
                return e;
        memcpy(tmp, buf + b, n);
        tmp[n] = '\0';
        if (memchr(tmp, '\0', n))
                return e;
        /* legacy: the last blank-separated word starting with '@' of a
         * selector line (not a $directive, not RainerScript) */
        if (tmp[0] != '$' && !strcasestr(tmp, "action(") && !strchr(tmp, '{')) {
                char *at = NULL, *p = tmp;

                while ((p = strchr(p, '@'))) {
                        if (p > tmp && (p[-1] == ' ' || p[-1] == '\t'))
                                at = p;
                        p += p[1] == '@' ? 2 : 1;
                }
                if (at)
                        legacy_action(k, at, *line);
                return e;
        }
        for (const char *p = buf + b; (size_t) (p - buf) < e;) {
                const char *a = strcasestr(p, "action("), *end;
                _cleanup_free_ char *stmt = NULL;

                if (!a || (size_t) (a - buf) >= e)
                        break;
                if (!(end = statement_end(a, buf + len)))
                        break;
                if (!(stmt = strndup(a, (size_t) (end - a))))
                        break;
                rainer_action(k, stmt, *line);
                for (const char *q = buf + e; q < end; q++)   /* lines the statement spans */
                        if (*q == '\n')
                                (*line)++;
                if ((size_t) (end - buf) > next) {   /* resume after the statement's last line */
                        const char *eol = memchr(end, '\n', len - (size_t) (end - buf));
                        next = eol ? (size_t) (eol - buf) : len;
                }
                p = end;
        }
        return next;
}

size_t rsyslog_parse(const char *buf, size_t len, struct fwd_dest *out, size_t max, size_t *n) {
        struct sink k = { .out = out, .max = max };
        _cleanup_free_ char *text = NULL;
        unsigned line = 0;

        if (len > LOG_MAX_CONFIG)
                len = LOG_MAX_CONFIG;
        /* a private NUL-terminated copy with comments blanked, so that the
         * string functions stay inside it */
        if (!(text = malloc(len + 1))) {
                *n = 0;
                return 0;
        }
        memcpy(text, buf, len);
        text[len] = '\0';
        for (size_t i = 0; i < len; i++)
                if (text[i] == '\0')
                        text[i] = ' ';
        for (size_t i = 0, bol = 1; i < len; i++) {
                if (bol) {
                        size_t j = i;
                        while (j < len && (text[j] == ' ' || text[j] == '\t'))
                                j++;
                        if (j < len && text[j] == '#')
                                while (j < len && text[j] != '\n')
                                        text[j++] = ' ';
                }
                bol = text[i] == '\n';
        }
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(text + pos, '\n', len - pos);
                size_t e = nl ? (size_t) (nl - text) : len, b = pos;

                line++;
                while (b < e && (text[b] == ' ' || text[b] == '\t'))
                        b++;
                pos = scan_line(&k, text, len, b, e, &line) + 1;
        }
        *n = k.n < max ? k.n : max;
        return k.n;
}
