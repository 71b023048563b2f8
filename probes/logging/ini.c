/* SPDX-License-Identifier: MIT */
/* A lookup in systemd-style INI files (journald.conf, journal-upload.conf
 * and their drop-ins): [Section], Key=Value, # and ; comments, trailing
 * backslash continuation not supported (journald's keys never use it). */
#include <ctype.h>
#include <string.h>

#include "logging.h"

/* buf[*b, *e) trimmed of blanks on both sides. */
static void trim(const char *buf, size_t *b, size_t *e) {
        while (*b < *e && isspace((unsigned char) buf[*b]))
                (*b)++;
        while (*e > *b && isspace((unsigned char) buf[*e - 1]))
                (*e)--;
}

int ini_lookup(const char *buf, size_t len, const char *section, const char *key, char *value,
               size_t vsize, unsigned *line) {
        size_t slen = strlen(section), klen = strlen(key);
        bool in_section = false;
        unsigned lineno = 0;
        int found = 0;

        if (len > LOG_MAX_CONFIG)
                len = LOG_MAX_CONFIG;
        for (size_t pos = 0; pos < len;) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                size_t end = nl ? (size_t) (nl - buf) : len, b = pos, e = end, eq;

                lineno++;
                pos = end + 1;
                trim(buf, &b, &e);
                if (b == e || buf[b] == '#' || buf[b] == ';')
                        continue;
                if (buf[b] == '[') {
                        in_section = e - b == slen + 2 && buf[e - 1] == ']' &&
                                     memcmp(buf + b + 1, section, slen) == 0;
                        continue;
                }
                if (!in_section)
                        continue;
                for (eq = b; eq < e && buf[eq] != '='; eq++)
                        ;
                if (eq == e)
                        continue;
                {
                        size_t kb = b, ke = eq, vb = eq + 1, ve = e, n;

                        trim(buf, &kb, &ke);
                        if (ke - kb != klen || memcmp(buf + kb, key, klen) != 0)
                                continue;
                        trim(buf, &vb, &ve);
                        n = ve - vb < vsize - 1 ? ve - vb : vsize - 1;
                        memcpy(value, buf + vb, n);
                        value[n] = '\0';
                        *line = lineno;
                        found = 1;
                }
        }
        return found;
}
