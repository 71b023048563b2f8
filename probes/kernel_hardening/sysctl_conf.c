/* SPDX-License-Identifier: MIT */
/* kernel_hardening: the sysctl.d configuration (see sysctl_conf.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json_build.h"
#include "kernel_hardening.h"
#include "sysctl_conf.h"

/* In the order of precedence: a file name found in an earlier directory
 * hides the same name in the later ones. */
static const char *const conf_dirs[] = {
        "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
        "/lib/sysctl.d",
};

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The key [k, k+n) trimmed, in dotted form, into l->key. NULL, or why it
 * cannot be a key. */
static const char *take_key(const char *k, size_t n, struct kh_sysctl_line *l) {
        const char *sep;

        while (n > 0 && blank(k[n - 1]))
                n--;
        if (n == 0)
                return "no name before '='";
        if (n > KH_SYSCTL_KEY_MAX)
                return "name longer than 256 bytes";
        memcpy(l->key, k, n);
        l->key[n] = '\0';
        if (strlen(l->key) != n)
                return "NUL byte in the name";
        /* "net/ipv4/ip_forward": the first separator says which one is used */
        sep = strpbrk(l->key, "./");
        if (sep && *sep == '/')
                for (char *c = l->key; *c; c++)
                        *c = *c == '/' ? '.' : *c == '.' ? '/' : *c;
        l->glob = strpbrk(l->key, "*?[") != NULL;
        return NULL;
}

/* Fills l from one line [p, p+n) that is not blank or a comment. */
static void parse_line(const char *p, size_t n, struct kh_sysctl_line *l) {
        const char *eq, *v, *end = p + n;

        if (n > KH_LINE_MAX) {
                l->error = "line longer than 4096 bytes";
                return;
        }
        if (*p == '-') {
                l->ignore_failure = true;
                p++;
        }
        if (!(eq = memchr(p, '=', (size_t) (end - p)))) {
                l->error = "not an assignment: no '='";
                return;
        }
        while (p < eq && blank(*p))
                p++;
        if ((l->error = take_key(p, (size_t) (eq - p), l)))
                return;
        for (v = eq + 1; v < end && blank(*v); v++)
                ;
        while (end > v && blank(end[-1]))
                end--;
        l->value = v;
        l->value_len = (size_t) (end - v);
}

int kh_sysctl_conf_parse(const char *buf, size_t len, kh_sysctl_line_fn fn, void *userdata) {
        const char *p = buf, *end = buf + (len > KH_SYSCTL_CONF_MAX_BYTES ? KH_SYSCTL_CONF_MAX_BYTES : len);
        unsigned line = 0;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *s = p;
                size_t n = (size_t) ((nl ? nl : end) - p);
                struct kh_sysctl_line l = { .line = ++line };
                int r;

                p = nl ? nl + 1 : end;
                while (n > 0 && blank(*s))
                        s++, n--;
                if (n == 0 || *s == '#' || *s == ';')
                        continue;
                parse_line(s, n, &l);
                if ((r = fn(&l, userdata)) < 0)
                        return r;
        }
        return 0;
}

/* --- the files, and what they set ------------------------------------------ */

struct conf_state {
        const struct complyd_probe_ctx *ctx;
        const char **names;      /* the sysctls reported */
        bool *explicit_set;      /* per name: set by an explicit (not glob) key */
        size_t n_names;
        json_t *settings, *errors;
        const char *file;        /* being read */
        int error;               /* -ENOMEM */
};

static int add_error(struct conf_state *st, unsigned line, const char *message) {
        json_t *e = json_pack("{s:s, s:i, s:s}", "file", st->file, "line", (int) line,
                              "message", message);

        return e && json_array_append_new(st->errors, e) == 0 ? 0 : -ENOMEM;
}

/* settings[name] = {value, file, line}. */
static int set_name(struct conf_state *st, size_t i, const struct kh_sysctl_line *l) {
        json_t *v = kh_sysctl_value(l->value, l->value_len), *s;

        if (!v)
                return -ENOMEM;
        s = json_pack("{s:o, s:s, s:i}", "value", v, "file", st->file, "line", (int) l->line);
        return s && json_object_set_new(st->settings, st->names[i], s) == 0 ? 0 : -ENOMEM;
}

/* One line: an explicit key replaces what was set before; a glob sets
 * every reported name it matches that no explicit key has set. */
static int on_line(const struct kh_sysctl_line *l, void *userdata) {
        struct conf_state *st = userdata;
        int r;

        if (l->error)
                return add_error(st, l->line, l->error);
        for (size_t i = 0; i < st->n_names; i++) {
                if (l->glob ? st->explicit_set[i] || fnmatch(l->key, st->names[i], 0) != 0
                            : !streq(l->key, st->names[i]))
                        continue;
                if ((r = set_name(st, i, l)) < 0)
                        return r;
                st->explicit_set[i] |= !l->glob;
        }
        return 0;
}

static const char *base_name(const char *path) {
        const char *b = strrchr(path, '/');
        return b ? b + 1 : path;
}

static int cmp_base(const void *a, const void *b) {
        return strcmp(base_name(*(char *const *) a), base_name(*(char *const *) b));
}

/* Every *.conf of conf_dirs that no earlier directory hides, sorted by
 * file name, into *ret (a NULL-terminated array; free with strv_free). */
static int conf_files(const struct complyd_probe_ctx *ctx, char ***ret) {
        _cleanup_strv_ char **files = calloc(KH_SYSCTL_CONF_MAX_FILES + 1, sizeof(char *));
        size_t n = 0;

        if (!files)
                return -ENOMEM;
        for (size_t d = 0; d < ELEMENTSOF(conf_dirs); d++) {
                _cleanup_free_ char *pattern = NULL;
                char **found = NULL;

                if (asprintf(&pattern, "%s/*.conf", conf_dirs[d]) < 0)
                        return -ENOMEM;
                if (ctx->glob(ctx, pattern, &found) < 0)
                        continue;
                for (char **f = found; *f && n < KH_SYSCTL_CONF_MAX_FILES; f++) {
                        bool hidden = false;

                        for (size_t i = 0; i < n && !hidden; i++)
                                hidden = streq(base_name(files[i]), base_name(*f));
                        if (!hidden && !(files[n++] = strdup(*f))) {
                                ctx->strv_free(found);
                                return -ENOMEM;
                        }
                }
                ctx->strv_free(found);
        }
        qsort(files, n, sizeof(*files), cmp_base);
        *ret = TAKE_PTR(files);
        return 0;
}

/* Whether path is masked: a link to /dev/null, directly (a root without
 * /dev, as a mounted image, has only the link's text) or through others. */
static bool masked(const struct complyd_probe_ctx *ctx, const char *path) {
        _cleanup_free_ char *link = NULL, *target = NULL;

        return (ctx->readlink(ctx, path, &link) >= 0 && streq(link, "/dev/null")) ||
               (ctx->realpath(ctx, path, &target) >= 0 && streq(target, "/dev/null"));
}

/* Applies one file; a masked one is left out. */
static int apply_file(struct conf_state *st, const char *path, json_t *applied) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if (masked(st->ctx, path))
                return 0;
        st->file = path;
        r = st->ctx->read_file(st->ctx, path, KH_SYSCTL_CONF_MAX_BYTES, &buf, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return add_error(st, 0, strerror(-r));
        if (json_array_append_new(applied, json_string(path)) < 0)
                return -ENOMEM;
        return kh_sysctl_conf_parse(buf, len, on_line, st);
}

json_t *kh_sysctl_config(const struct complyd_probe_ctx *ctx, const json_t *names) {
        _cleanup_strv_ char **files = NULL;
        _cleanup_free_ const char **name_list = calloc(json_object_size(names) + 1, sizeof(char *));
        _cleanup_free_ bool *explicit_set = calloc(json_object_size(names) + 1, sizeof(bool));
        struct conf_state st = { .ctx = ctx, .names = name_list, .explicit_set = explicit_set,
                                 .settings = json_object(), .errors = json_array() };
        json_t *applied = json_array(), *v;
        const char *name;

        if (!name_list || !explicit_set || !st.settings || !st.errors || !applied ||
            conf_files(ctx, &files) < 0)
                goto oom;
        json_object_foreach((json_t *) names, name, v) {
                name_list[st.n_names++] = name;
                if (json_object_set_new(st.settings, name, json_null()) < 0)
                        goto oom;
        }
        for (char **f = files; *f; f++)
                if (apply_file(&st, *f, applied) < 0)
                        goto oom;
        return json_pack("{s:o, s:o, s:o}", "files", applied, "settings", st.settings,
                         "errors", st.errors);
oom:
        json_decref(applied);
        json_decref(st.settings);
        json_decref(st.errors);
        return NULL;
}
