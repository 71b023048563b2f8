/* SPDX-License-Identifier: MIT */
/* passwd/group id -> name map. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "file_permissions.h"

/* One "name:pw:id:..." line; 0 when malformed, 1 added, -ENOMEM. */
static int id_line(const char *l, size_t n, json_t *map) {
        const char *c1 = memchr(l, ':', n), *c2, *c3;
        char key[16];
        unsigned long long v = 0;
        json_t *name;

        if (!c1 || c1 == l || l[0] == '+' || l[0] == '-' || l[0] == '#')
                return 0;
        if (!(c2 = memchr(c1 + 1, ':', (size_t) (l + n - c1 - 1))))
                return 0;
        c3 = memchr(c2 + 1, ':', (size_t) (l + n - c2 - 1));
        if (!c3 || c3 == c2 + 1 || c3 - c2 - 1 > 10)
                return 0;
        for (const char *d = c2 + 1; d < c3; d++) {
                if (*d < '0' || *d > '9')
                        return 0;
                v = v * 10 + (unsigned) (*d - '0');
        }
        if (v > 0xffffffffULL || memchr(l, '\0', (size_t) (c1 - l)))
                return 0;
        snprintf(key, sizeof(key), "%llu", v);
        if (json_object_get(map, key) || !(name = json_stringn(l, (size_t) (c1 - l))))
                return 0; /* first wins; a name that is not UTF-8 is skipped */
        return json_object_set_new(map, key, name) < 0 ? -ENOMEM : 1;
}

int fperm_parse_ids(const char *buf, size_t len, json_t *map) {
        const char *p = buf, *end = buf + len;

        while (p < end && json_object_size(map) < FPERM_MAX_IDS) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);

                if (n <= FPERM_MAX_LINE && id_line(p, n, map) < 0)
                        return -ENOMEM;
                p = nl ? nl + 1 : end;
        }
        return 0;
}
