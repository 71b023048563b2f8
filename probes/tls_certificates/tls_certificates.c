/* SPDX-License-Identifier: MIT */
/* tls_certificates: the X.509 certificates a host's services present, found
 * at the files, directories and glob patterns of the `paths` parameter
 * (read under the root; a directory contributes its *.pem and *.crt files,
 * not recursively). Every certificate of a bundle is reported with its
 * subject, issuer, SAN, validity (days_left against the real clock), key,
 * signature algorithm and fingerprint. The CA bundle directory
 * /etc/ssl/certs is deliberately not in the default: hundreds of trust
 * anchors are not the operator's certificates. */
#include <complyd/probe.h>

#include <fcntl.h>
#include <fnmatch.h>

#include "cleanup.h"
#include "tls_certificates.h"

#define MAX_FILES 1024u        /* certificate files read in all */
#define MAX_DIR_ENTRIES 256u   /* files taken from one directory */
#define MAX_CERTS 4096u        /* certificates reported in all */

static const struct complyd_param tlsc_params[] = {
        { COMPLYD_PARAM_STRINGS, "paths",
          "[\"/etc/ssl/certs/ssl-cert-snakeoil.pem\", \"/etc/letsencrypt/live/*/cert.pem\","
          " \"/etc/nginx/ssl\", \"/etc/nginx/certs\", \"/etc/apache2/ssl\","
          " \"/etc/pki/tls/certs/localhost.crt\", \"/etc/postfix/*.pem\","
          " \"/etc/dovecot/private/dovecot.pem\", \"/etc/haproxy/certs\","
          " \"/etc/cockpit/ws-certs.d\"]",
          "certificate files, directories (their *.pem and *.crt) or glob patterns, as host paths" },
        { 0 },
};

struct scan {
        const struct complyd_probe_ctx *ctx;
        time_t now;
        json_t *files, *certs, *seen; /* seen: set of file paths already read */
        bool truncated;
};

static json_t *errno_json(int r) { return json_string(strerror(-r)); }

/* Reads one certificate file and appends its certificates (with "file" and
 * "index" added) to s->certs and a {path, certificates, unparsable, error}
 * entry to s->files. A file already read is skipped. 0 or -ENOMEM. */
static int scan_file(struct scan *s, const char *path) {
        _cleanup_free_ char *buf = NULL;
        struct tlsc_stats stats = { 0 };
        size_t len = 0, first = json_array_size(s->certs);
        json_t *entry, *c;
        int r, n = 0;

        if (json_object_get(s->seen, path))
                return 0;
        if (json_array_size(s->files) >= MAX_FILES) {
                s->truncated = true;
                return 0;
        }
        if (json_object_set_new(s->seen, path, json_true()) < 0)
                return -ENOMEM;
        r = s->ctx->read_file(s->ctx, path, TLSC_MAX_FILE_SIZE, &buf, &len);
        if (r >= 0) {
                n = tlsc_parse(buf, len, s->now, MAX_CERTS - first > TLSC_MAX_CERTS_PER_FILE
                                                         ? first + TLSC_MAX_CERTS_PER_FILE : MAX_CERTS,
                               s->certs, &stats);
                if (n < 0)
                        return n;
                s->truncated |= stats.truncated;
        }
        for (size_t i = first; i < json_array_size(s->certs); i++) {
                c = json_array_get(s->certs, i);
                if (json_object_set_new(c, "file", json_string(path)) < 0 ||
                    json_object_set_new(c, "index", json_integer((json_int_t) (i - first))) < 0)
                        return -ENOMEM;
        }
        entry = json_pack("{s:s, s:i, s:I, s:o}", "path", path, "certificates", n, "unparsable",
                          (json_int_t) stats.bad, "error", r < 0 ? errno_json(r) : json_null());
        if (!entry || json_array_append_new(s->files, entry) < 0)
                return -ENOMEM;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.pem and *.crt regular files of directory dir (not recursive,
 * hidden files skipped), sorted, at most MAX_DIR_ENTRIES (*more set when
 * there were others). A NULL-terminated array in *ret, or -errno. */
static int list_dir(const struct complyd_probe_ctx *ctx, const char *dir, char ***ret, bool *more) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_ char **v = calloc(MAX_DIR_ENTRIES + 1, sizeof(char *));
        struct dirent *de;
        size_t n = 0;
        int r;

        if (!v)
                return -ENOMEM;
        if ((r = ctx->opendir(ctx, dir, &d)) < 0)
                return r;
        while ((de = readdir(d))) {
                struct stat st;
                char *p;

                if (de->d_name[0] == '.' || (fnmatch("*.pem", de->d_name, 0) != 0 &&
                                             fnmatch("*.crt", de->d_name, 0) != 0))
                        continue;
                if (asprintf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                             de->d_name) < 0)
                        return -ENOMEM;
                if (ctx->stat(ctx, p, &st, 0) < 0 || !S_ISREG(st.st_mode)) {
                        free(p);
                        continue;
                }
                if (n == MAX_DIR_ENTRIES) {
                        free(p);
                        *more = true;
                        break;
                }
                v[n++] = p;
        }
        qsort(v, n, sizeof(char *), cmp_str);
        *ret = TAKE_PTR(v);
        return 0;
}

/* One existing path: a directory's certificate files, or the file itself.
 * Returns the kind ("file", "directory", "other") through *kind. */
static int scan_path(struct scan *s, const char *path, const char **kind) {
        _cleanup_strv_ char **names = NULL;
        struct stat st;
        int r;

        if ((r = s->ctx->stat(s->ctx, path, &st, 0)) < 0)
                return r;
        if (S_ISREG(st.st_mode)) {
                *kind = "file";
                return scan_file(s, path);
        }
        if (!S_ISDIR(st.st_mode)) {
                *kind = "other";
                return 0;
        }
        *kind = "directory";
        if ((r = list_dir(s->ctx, path, &names, &s->truncated)) < 0)
                return r;
        for (char **p = names; *p; p++)
                if ((r = scan_file(s, *p)) < 0)
                        return r;
        return 0;
}

/* One entry of the paths parameter (a glob pattern or a plain path):
 * scans what it names and returns a new {path, matches[{path, kind,
 * error}]} object in *ret. 0 or -ENOMEM. */
static int scan_pattern(struct scan *s, const char *pattern, json_t **ret) {
        _cleanup_json_ json_t *src = json_pack("{s:s, s:[]}", "path", pattern, "matches");
        _cleanup_strv_ char **paths = NULL;
        int r;

        if (!src)
                return -ENOMEM;
        if (pattern[0] != '/') {
                if (json_object_set_new(src, "error", json_string("not an absolute path")) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(src);
                return 0;
        }
        r = s->ctx->glob(s->ctx, pattern, &paths);
        if (r == -ENOMEM)
                return r;
        for (char **p = paths; r >= 0 && *p; p++) {
                const char *kind = "missing";
                json_t *m;

                if (s->ctx->expired(s->ctx))
                        return -ETIMEDOUT;
                r = scan_path(s, *p, &kind);
                if (r == -ENOMEM || r == -ETIMEDOUT)
                        return r;
                m = json_pack("{s:s, s:s, s:o}", "path", *p, "kind", kind, "error",
                              r < 0 ? errno_json(r) : json_null());
                if (!m || json_array_append_new(json_object_get(src, "matches"), m) < 0)
                        return -ENOMEM;
                r = 0;
        }
        *ret = TAKE_PTR(src);
        return 0;
}

static int tlsc_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *files = json_array(), *certs = json_array(), *seen = json_object(),
                              *sources = json_array();
        struct scan s = { .ctx = ctx, .now = time(NULL), .files = files, .certs = certs,
                          .seen = seen };
        json_t *paths = json_object_get(ctx->params, "paths"), *v, *src = NULL;
        char now[32];
        size_t i;
        int r;

        if (!files || !certs || !seen || !sources)
                return -ENOMEM;
        json_array_foreach(paths, i, v) {
                if ((r = scan_pattern(&s, json_string_value(v), &src)) < 0)
                        return r;
                if (json_array_append_new(sources, src) < 0)
                        return -ENOMEM;
        }
        strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&s.now));
        *out = json_pack("{s:s, s:s, s:O, s:I, s:I, s:O, s:O, s:b}", "schema",
                         "complyd.tls_certificates.v1", "evaluated_at", now, "sources",
                         sources, "file_count", (json_int_t) json_array_size(files),
                         "certificate_count", (json_int_t) json_array_size(certs), "files", files,
                         "certificates", certs, "truncated", s.truncated);
        return *out ? 0 : -ENOMEM;
}

const struct complyd_probe complyd_probe_tls_certificates = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "tls_certificates",
        .version = "1.0",
        .description = "X.509 certificates of the host's services: expiry, key, signature, SAN",
        .params = tlsc_params,
        .observe = tlsc_observe,
};
