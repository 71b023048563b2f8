/* SPDX-License-Identifier: MIT */
/* Parsers of the small per-host texts open_ports reads besides /proc/net:
 * /proc/<pid>/cgroup (to name the systemd unit of a process); /etc/passwd
 * is read with probes/lib/passwd.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "open_ports.h"

#define CGROUP_MAX (64 * 1024)
#define UNIT_MAX 256

static bool has_suffix(const char *s, size_t n, const char *suffix) {
        size_t k = strlen(suffix);
        return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* Returns the last component of path[0..n) that names a unit, or NULL;
 * its length in *ulen. */
static const char *last_unit(const char *path, size_t n, size_t *ulen) {
        size_t end = n;

        while (end > 0) {
                size_t start = end;

                while (start > 0 && path[start - 1] != '/')
                        start--;
                if (end - start <= UNIT_MAX &&
                    (has_suffix(path + start, end - start, ".service") ||
                     has_suffix(path + start, end - start, ".socket") ||
                     has_suffix(path + start, end - start, ".scope"))) {
                        *ulen = end - start;
                        return path + start;
                }
                end = start > 0 ? start - 1 : 0;
        }
        return NULL;
}

/* Finds the cgroup path of the line "ID:CONTROLLERS:PATH" whose controller
 * field equals want; returns it (length in *plen) or NULL. */
static const char *cgroup_path(const char *buf, size_t len, const char *id, const char *want,
                               size_t *plen) {
        size_t idl = strlen(id), wl = strlen(want);
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *le = nl ? nl : end;
                const char *c1 = memchr(p, ':', (size_t) (le - p));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (le - c1 - 1)) : NULL;

                if (c2 && (!*id || ((size_t) (c1 - p) == idl && memcmp(p, id, idl) == 0)) &&
                    (size_t) (c2 - c1 - 1) == wl && memcmp(c1 + 1, want, wl) == 0) {
                        *plen = (size_t) (le - c2 - 1);
                        return c2 + 1;
                }
                p = le + 1;
        }
        return NULL;
}

int oports_cgroup_unit(const char *buf, size_t len, char **unit) {
        const char *path, *u;
        size_t plen, ulen;
        char *s;

        if (len > CGROUP_MAX)
                len = CGROUP_MAX;
        path = cgroup_path(buf, len, "0", "", &plen);
        if (!path)
                path = cgroup_path(buf, len, "", "name=systemd", &plen);
        if (!path || !(u = last_unit(path, plen, &ulen)))
                return 0;
        if (memchr(u, '\0', ulen))
                return 0;
        if (!(s = strndup(u, ulen)))
                return -ENOMEM;
        *unit = s;
        return 1;
}
