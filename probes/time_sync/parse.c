/* SPDX-License-Identifier: MIT */
/* time_sync: pure parsers over (buffer, length); see time_sync.h. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "time_sync.h"

/* Next line of [*p, end) without the newline; false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len) {
        const char *nl;

        if (*p >= end)
                return false;
        nl = memchr(*p, '\n', (size_t) (end - *p));
        *line = *p;
        *len = nl ? (size_t) (nl - *p) : (size_t) (end - *p);
        *p += *len + 1;
        return true;
}

static bool blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

/* Splits off the next blank-separated word of [*s, e); false when none. */
static bool word(const char **s, const char *e, const char **w, size_t *wl) {
        while (*s < e && blank(**s))
                (*s)++;
        if (*s >= e)
                return false;
        *w = *s;
        while (*s < e && !blank(**s))
                (*s)++;
        *wl = (size_t) (*s - *w);
        return true;
}

static bool is(const char *w, size_t wl, const char *s) {
        return wl == strlen(s) && strncasecmp(w, s, wl) == 0;
}

/* Appends a JSON string of [s, s+len) to arr (invalid UTF-8 is dropped). */
static int append_str(json_t *arr, const char *s, size_t len) {
        json_t *v = json_stringn(s, len);

        if (!v)
                return 0;
        return json_array_append_new(arr, v) < 0 ? -ENOMEM : 0;
}

/* One source directive "TYPE HOST [options...]" (rest = after TYPE). */
static int add_source(json_t *sources, const char *type, const char *rest, const char *e) {
        const char *host, *opt;
        size_t hl;
        json_t *o;

        if (!word(&rest, e, &host, &hl) || json_array_size(sources) >= TS_SOURCES_MAX)
                return 0;
        while (rest < e && blank(*rest))
                rest++;
        opt = rest;
        while (e > opt && blank(e[-1]))
                e--;
        o = json_pack("{s:s, s:s%, s:s%}", "type", type, "host", host, hl, "options", opt,
                      (size_t) (e - opt));
        if (!o)
                return 0; /* not UTF-8 */
        return json_array_append_new(sources, o) < 0 ? -ENOMEM : 1;
}

int ts_sources_parse(const char *buf, size_t len, json_t *sources, json_t *dirs) {
        static const char *const types[] = { "server", "pool", "peer" };
        static const char *const dirkeys[] = { "confdir", "sourcedir", "include" };
        const char *p = buf, *end = buf + (len > TS_TEXT_MAX ? TS_TEXT_MAX : len), *line;
        size_t l;
        int added = 0, r;

        while (next_line(&p, end, &line, &l)) {
                const char *s = line, *e, *w;
                size_t wl;

                if (l > TS_LINE_MAX)
                        continue;
                e = line + l;
                if (!word(&s, e, &w, &wl) || w[0] == '#' || w[0] == '!' || w[0] == ';' || w[0] == '%')
                        continue;
                for (size_t i = 0; i < ELEMENTSOF(types); i++)
                        if (is(w, wl, types[i])) {
                                if ((r = add_source(sources, types[i], s, e)) < 0)
                                        return r;
                                added += r;
                        }
                for (size_t i = 0; dirs && i < ELEMENTSOF(dirkeys); i++) {
                        json_t *arr = json_object_get(dirs, dirkeys[i]);
                        const char *d;
                        size_t dl;

                        if (!is(w, wl, dirkeys[i]) || !json_is_array(arr))
                                continue;
                        while (word(&s, e, &d, &dl) && json_array_size(arr) < TS_DIRS_MAX)
                                if ((r = append_str(arr, d, dl)) < 0)
                                        return r;
                }
        }
        return added;
}

void ts_timesyncd_done(struct ts_timesyncd *st) {
        json_decref(st->ntp);
        json_decref(st->fallback);
        st->ntp = st->fallback = NULL;
}

/* NTP=/FallbackNTP= value: empty resets *list to [], else appends names. */
static int assign(json_t **list, const char *v, const char *e) {
        const char *w;
        size_t wl;
        int r;

        if (!*list && !(*list = json_array()))
                return -ENOMEM;
        if (!word(&v, e, &w, &wl))
                return json_array_clear(*list) < 0 ? -ENOMEM : 0;
        do {
                if (json_array_size(*list) >= TS_SOURCES_MAX)
                        break;
                if ((r = append_str(*list, w, wl)) < 0)
                        return r;
        } while (word(&v, e, &w, &wl));
        return 0;
}

int ts_timesyncd_parse(const char *buf, size_t len, struct ts_timesyncd *st) {
        const char *p = buf, *end = buf + (len > TS_TEXT_MAX ? TS_TEXT_MAX : len), *line;
        bool in_time = false;
        size_t l;
        int r;

        while (next_line(&p, end, &line, &l)) {
                const char *s = line, *e = line + l, *eq;

                if (l > TS_LINE_MAX)
                        continue;
                while (s < e && blank(*s))
                        s++;
                if (s >= e || *s == '#' || *s == ';')
                        continue;
                if (*s == '[') {
                        in_time = (size_t) (e - s) >= 6 && memcmp(s, "[Time]", 6) == 0;
                        continue;
                }
                if (!in_time || !(eq = memchr(s, '=', (size_t) (e - s))))
                        continue;
                const char *k = s, *ke = eq;
                while (ke > k && blank(ke[-1]))
                        ke--;
                if (is(k, (size_t) (ke - k), "NTP"))
                        r = assign(&st->ntp, eq + 1, e);
                else if (is(k, (size_t) (ke - k), "FallbackNTP"))
                        r = assign(&st->fallback, eq + 1, e);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}
