/* SPDX-License-Identifier: MIT */
/* Parsers of the small per-host texts open_ports reads besides /proc/net:
 * /proc/<pid>/cgroup (to name the systemd unit of a process) and
 * /etc/passwd (to name the owner of a socket). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "open_ports.h"

#define CGROUP_MAX (64 * 1024)
#define UNIT_MAX 256
#define PASSWD_LINE_MAX 4096
#define PASSWD_NAME_MAX 256

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

/* Parses one passwd line; 1 with name/uid set, 0 when malformed. */
static int passwd_line(const char *l, size_t n, const char **name, size_t *nlen, uint32_t *uid) {
        const char *c1 = memchr(l, ':', n), *c2, *c3;
        uint64_t v = 0;

        if (!c1 || c1 == l || (size_t) (c1 - l) > PASSWD_NAME_MAX)
                return 0;
        c2 = memchr(c1 + 1, ':', (size_t) (l + n - c1 - 1));
        if (!c2)
                return 0;
        c3 = memchr(c2 + 1, ':', (size_t) (l + n - c2 - 1));
        if (!c3 || c3 == c2 + 1 || c3 - c2 - 1 > 10)
                return 0;
        for (const char *d = c2 + 1; d < c3; d++) {
                if (*d < '0' || *d > '9')
                        return 0;
                v = v * 10 + (uint64_t) (*d - '0');
        }
        if (v > UINT32_MAX || memchr(l, '\0', (size_t) (c1 - l)))
                return 0;
        *name = l;
        *nlen = (size_t) (c1 - l);
        *uid = (uint32_t) v;
        return 1;
}

int oports_passwd_parse(const char *buf, size_t len, oports_passwd_fn fn, void *userdata) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);
                const char *name;
                size_t nlen;
                uint32_t uid;

                if (n <= PASSWD_LINE_MAX && p[0] != '#' && p[0] != '+' && p[0] != '-' &&
                    passwd_line(p, n, &name, &nlen, &uid)) {
                        int r = fn(name, nlen, uid, userdata);
                        if (r < 0)
                                return r;
                }
                p += n + 1;
        }
        return 0;
}
