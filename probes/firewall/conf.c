/* SPDX-License-Identifier: MIT */
/* firewall: ufw's and firewalld's configuration files — KEY=VALUE files,
 * ufw's user rules and the target of a firewalld zone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "firewall.h"

#define CONF_LINE_MAX 4096
#define UFW_RULES_MAX 1024

/* Next line of [*p, end): sets *line and *len (without '\n' and a trailing
 * '\r'), advances *p; false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len) {
        const char *nl;

        if (*p >= end)
                return false;
        nl = memchr(*p, '\n', (size_t) (end - *p));
        *line = *p;
        *len = nl ? (size_t) (nl - *p) : (size_t) (end - *p);
        *p += *len + 1;
        if (*len > 0 && (*line)[*len - 1] == '\r')
                (*len)--;
        return true;
}

int fw_kv_value(const char *buf, size_t len, const char *key, char **value) {
        size_t klen = strlen(key), l, vlen = 0;
        const char *p = buf, *end = buf + (len > FW_TEXT_MAX ? FW_TEXT_MAX : len), *line, *val = NULL;

        while (klen && next_line(&p, end, &line, &l)) {
                while (l > 0 && (*line == ' ' || *line == '\t'))
                        line++, l--;
                while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t'))
                        l--;
                if (l > CONF_LINE_MAX || l <= klen || line[klen] != '=' || memcmp(line, key, klen))
                        continue;
                val = line + klen + 1;
                vlen = l - klen - 1;
                if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0])
                        val++, vlen -= 2;
        }
        if (!val)
                return 0;
        if (!(*value = strndup(val, vlen)))
                return -ENOMEM;
        return 1;
}

int fw_ufw_user_rules(const char *buf, size_t len, json_t *arr) {
        static const char mark[] = "### tuple ### ";
        const char *p = buf, *end = buf + (len > FW_TEXT_MAX ? FW_TEXT_MAX : len), *line;
        size_t l;
        int added = 0;

        while (next_line(&p, end, &line, &l)) {
                json_t *s;

                if (l <= sizeof(mark) - 1 || l > CONF_LINE_MAX ||
                    memcmp(line, mark, sizeof(mark) - 1) != 0 || json_array_size(arr) >= UFW_RULES_MAX)
                        continue;
                s = json_stringn(line + sizeof(mark) - 1, l - (sizeof(mark) - 1));
                if (!s)
                        continue; /* not UTF-8: not a rule ufw wrote */
                if (json_array_append_new(arr, s) < 0)
                        return -ENOMEM;
                added++;
        }
        return added;
}

/* Finds attribute name="value" (or '...') inside the tag text [s, e). */
static int xml_attr(const char *s, const char *e, const char *name, char **value) {
        size_t nlen = strlen(name);

        for (const char *p = s; p + nlen + 2 < e; p++) {
                const char *v, *q;

                if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n') || memcmp(p, name, nlen) != 0)
                        continue;
                v = p + nlen;
                while (v < e && (*v == ' ' || *v == '\t'))
                        v++;
                if (v >= e || *v != '=')
                        continue;
                v++;
                while (v < e && (*v == ' ' || *v == '\t'))
                        v++;
                if (v >= e || (*v != '"' && *v != '\''))
                        continue;
                if (!(q = memchr(v + 1, *v, (size_t) (e - v - 1))))
                        return 0;
                if (!(*value = strndup(v + 1, (size_t) (q - v - 1))))
                        return -ENOMEM;
                return 1;
        }
        return 0;
}

int fw_firewalld_zone_target(const char *buf, size_t len, char **target) {
        const char *end = buf + (len > FW_TEXT_MAX ? FW_TEXT_MAX : len), *z, *gt;

        for (z = buf; (z = memmem(z, (size_t) (end - z), "<zone", 5)); z += 5)
                if (z + 5 < end && (z[5] == ' ' || z[5] == '>' || z[5] == '\t' || z[5] == '\n'))
                        break;
        if (!z)
                return -EINVAL;
        if (!(gt = memchr(z, '>', (size_t) (end - z))))
                return -EINVAL;
        return xml_attr(z + 5, gt, "target", target);
}
