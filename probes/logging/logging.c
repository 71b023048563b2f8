/* SPDX-License-Identifier: MIT */
/* logging: is the host's activity recorded and kept? auditd (installed,
 * running, enabled) and its rules — configured in /etc/audit, and loaded in
 * the kernel when `auditctl -l` can be asked (live host, root) — journald's
 * Storage= (persistent or not), remote forwarding (rsyslog, systemd-
 * journal-upload), and the permissions of the files under /var/log. */
#include <complyd/probe.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "dpkg_status.h"
#include "logging.h"
#include "proctable.h"

#define AUDITCTL_MAX_OUTPUT (4u << 20)
#define MAX_DROPINS 256u
#define MAX_WANTS 4096u

static void proctable_donep(struct proctable *t) { proctable_done(t); }

struct host {
        const struct complyd_probe_ctx *ctx;
        struct proctable procs;
        char **wants; /* basenames of the enabled-unit links (.wants directories) */
};

static bool strv_has(char *const *v, const char *s) {
        for (; v && *v; v++)
                if (streq(*v, s))
                        return true;
        return false;
}

/* File names of the enabled-unit links, NULL-terminated, in h->wants. */
static int load_wants(struct host *h) {
        char **paths = NULL;
        int r = h->ctx->glob(h->ctx, "/etc/systemd/system/*.wants/*", &paths);

        if (r == -ENOMEM)
                return r;
        if (r < 0 && !(paths = calloc(1, sizeof(char *))))
                return -ENOMEM;
        for (size_t i = 0; paths[i]; i++) {
                if (i >= MAX_WANTS) {
                        for (size_t j = i; paths[j]; j++)
                                free(paths[j]), paths[j] = NULL;
                        break;
                }
                memmove(paths[i], strrchr(paths[i], '/') + 1, strlen(strrchr(paths[i], '/') + 1) + 1);
        }
        h->wants = paths;
        return 0;
}

/* pid of the first process whose comm or executable name is name, or 0. */
static int find_process(const struct host *h, const char *name) {
        char exe[256];

        for (size_t i = 0; i < h->procs.n; i++) {
                const struct proc_entry *e = &h->procs.procs[i];

                if (strncmp(e->comm, name, PROCTABLE_COMM - 1) == 0 &&
                    strlen(e->comm) == (strlen(name) < 15 ? strlen(name) : 15) && strlen(name) <= 15)
                        return e->pid;
                if (e->exe) {
                        proctable_exe_name(e->exe, exe, sizeof(exe));
                        if (streq(exe, name))
                                return e->pid;
                }
        }
        return 0;
}

/* The first of the NULL-terminated paths that is a regular file, or NULL. */
static const char *first_file(const struct complyd_probe_ctx *ctx, const char *const *paths) {
        struct stat st;

        for (; *paths; paths++)
                if (ctx->stat(ctx, *paths, &st, 0) >= 0 && S_ISREG(st.st_mode))
                        return *paths;
        return NULL;
}

/* {running, pid} of a daemon, as JSON fields added to o. */
static int add_process(const struct host *h, json_t *o, const char *name) {
        int pid = find_process(h, name);

        return json_object_update_new(o, json_pack("{s:b, s:o}", "running", pid > 0, "pid",
                                                   pid > 0 ? json_integer(pid) : json_null()));
}

/* ---- auditd ----------------------------------------------------------- */

/* The installed auditd package version from dpkg's status, NULL when not
 * installed or not a dpkg host (malloc'ed in *ret). 0 or -ENOMEM. */
static int auditd_package(const struct complyd_probe_ctx *ctx, char **ret) {
        _cleanup_(pkgdb_free) struct pkgdb db = { 0 };
        const char *installed;
        char *v = NULL;

        if (dpkg_status_load(ctx, &db) == -ENOMEM)
                return -ENOMEM;
        if ((installed = pkgdb_installed_version(&db, "auditd")) && !(v = strdup(installed)))
                return -ENOMEM;
        *ret = v;
        return 0;
}

static int auditd_json(const struct host *h, json_t **ret) {
        static const char *const bins[] = { "/usr/sbin/auditd", "/sbin/auditd", NULL };
        _cleanup_free_ char *version = NULL;
        const char *bin = first_file(h->ctx, bins);
        json_t *o;
        int r;

        if ((r = auditd_package(h->ctx, &version)) < 0)
                return r;
        o = json_pack("{s:b, s:s?, s:s?, s:b}", "installed", version || bin, "package_version",
                      version, "binary", bin, "enabled", strv_has(h->wants, "auditd.service"));
        if (!o || add_process(h, o, "auditd") < 0) {
                json_decref(o);
                return -ENOMEM;
        }
        *ret = o;
        return 0;
}

/* The rules configured on disk: the *.rules files of /etc/audit/rules.d in order (what
 * augenrules loads), or /etc/audit/audit.rules when rules.d has none. */
static int audit_configured_json(const struct complyd_probe_ctx *ctx, json_t **ret) {
        _cleanup_strv_ char **files = NULL;
        _cleanup_json_ json_t *list = json_array();
        struct audit_summary s;
        json_t *o;
        int r;

        audit_summary_init(&s);
        if (!list)
                return -ENOMEM;
        if ((r = ctx->glob(ctx, "/etc/audit/rules.d/*.rules", &files)) == -ENOMEM)
                return r;
        if (r < 0 || !files[0]) {
                strv_free(files);
                if (!(files = calloc(2, sizeof(char *))) || !(files[0] = strdup("/etc/audit/audit.rules")))
                        return -ENOMEM;
        }
        for (char **f = files; *f; f++) {
                _cleanup_free_ char *buf = NULL;
                size_t len = 0;

                if ((r = ctx->read_file(ctx, *f, LOG_MAX_CONFIG, &buf, &len)) == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                audit_rules_parse(buf, len, &s);
                if (json_array_append_new(list, json_string(*f)) < 0)
                        return -ENOMEM;
        }
        if (!(o = audit_summary_json(&s)) || json_object_set(o, "files", list) < 0) {
                json_decref(o);
                return -ENOMEM;
        }
        *ret = o;
        return 0;
}

/* The rules loaded in the kernel, from `auditctl -l` and `auditctl -s`:
 * {available, reason, ...summary}. Only on the live host, and auditctl
 * needs CAP_AUDIT_CONTROL (root). */
static int audit_loaded_json(const struct complyd_probe_ctx *ctx, json_t **ret) {
        static const char *const bins[] = { "/usr/sbin/auditctl", "/sbin/auditctl", NULL };
        const char *bin = ctx->live_host ? first_file(ctx, bins) : NULL;
        _cleanup_free_ char *out = NULL, *status = NULL, *reason = NULL;
        struct audit_summary s;
        json_t *o;
        int r = -EOPNOTSUPP;

        audit_summary_init(&s);
        if (bin) {
                const char *argv_l[] = { bin, "-l", NULL }, *argv_s[] = { bin, "-s", NULL };

                r = ctx->run(ctx, argv_l, AUDITCTL_MAX_OUTPUT, &out);
                if (r == 0 && ctx->run(ctx, argv_s, 65536, &status) == 0)
                        s.enabled = audit_status_enabled(status, strlen(status));
        }
        if (r == -ENOMEM)
                return r;
        if (r != 0) {
                if (!ctx->live_host)
                        reason = strdup("not the live host (--root): the kernel's rules are not this root's");
                else if (!bin)
                        reason = strdup("auditctl is not installed");
                else if (r > 0)
                        r = asprintf(&reason, "auditctl -l exited with status %d (it needs root, CAP_AUDIT_CONTROL)", r) < 0 ? -ENOMEM : r;
                else
                        r = asprintf(&reason, "auditctl -l failed: %s", strerror(-r)) < 0 ? -ENOMEM : r;
                if (r == -ENOMEM || !reason)
                        return -ENOMEM;
                *ret = json_pack("{s:b, s:s}", "available", false, "reason", reason);
                return *ret ? 0 : -ENOMEM;
        }
        audit_rules_parse(out, strlen(out), &s);
        if (!(o = audit_summary_json(&s)) ||
            json_object_update_new(o, json_pack("{s:b, s:n}", "available", true, "reason")) < 0) {
                json_decref(o);
                return -ENOMEM;
        }
        *ret = o;
        return 0;
}

/* audit_rules: {configured, loaded, effective_source, effective}. */
static int audit_rules_json(const struct complyd_probe_ctx *ctx, json_t **ret) {
        _cleanup_json_ json_t *conf = NULL, *loaded = NULL;
        bool use_loaded;
        int r;

        if ((r = audit_configured_json(ctx, &conf)) < 0 || (r = audit_loaded_json(ctx, &loaded)) < 0)
                return r;
        use_loaded = json_is_true(json_object_get(loaded, "available"));
        *ret = json_pack("{s:O, s:O, s:s, s:O}", "configured", conf, "loaded", loaded,
                         "effective_source", use_loaded ? "loaded" : "configured", "effective",
                         use_loaded ? loaded : conf);
        return *ret ? 0 : -ENOMEM;
}

/* ---- systemd configuration files ------------------------------------- */

static int cmp_base(const void *a, const void *b) {
        const char *x = strrchr(*(char *const *) a, '/'), *y = strrchr(*(char *const *) b, '/');
        return strcmp(x, y);
}

/* The files systemd reads for name ("journald.conf"): the main file in
 * /etc/systemd (else /usr/lib/systemd), then the drop-ins (name.d, *.conf) of
 * /usr/lib, /usr/local/lib, /run and /etc (a later directory's file masks
 * an earlier one of the same name) sorted by file name. NULL-terminated
 * in *ret. 0 or -ENOMEM. */
static int systemd_conf_files(const struct complyd_probe_ctx *ctx, const char *name, char ***ret) {
        static const char *const dirs[] = { "/usr/lib/systemd", "/usr/local/lib/systemd",
                                            "/run/systemd", "/etc/systemd" };
        _cleanup_strv_ char **v = calloc(MAX_DROPINS + 2, sizeof(char *));
        size_t n = 0, first;
        struct stat st;

        if (!v)
                return -ENOMEM;
        if (asprintf(&v[0], "/etc/systemd/%s", name) < 0)
                return -ENOMEM;
        if (ctx->stat(ctx, v[0], &st, 0) < 0) {
                free(v[0]);
                if (asprintf(&v[0], "/usr/lib/systemd/%s", name) < 0)
                        return -ENOMEM;
        }
        first = n = 1;
        for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
                _cleanup_free_ char *pat = NULL;
                _cleanup_strv_ char **found = NULL;

                if (asprintf(&pat, "%s/%s.d/*.conf", dirs[d], name) < 0)
                        return -ENOMEM;
                if (ctx->glob(ctx, pat, &found) < 0)
                        continue;
                for (char **f = found; *f; f++) {
                        size_t i;

                        for (i = first; i < n; i++)           /* same name: the later directory wins */
                                if (streq(strrchr(v[i], '/'), strrchr(*f, '/')))
                                        break;
                        if (i == n && n == MAX_DROPINS + 1)
                                break;
                        free(v[i]);
                        v[i] = TAKE_PTR(*f);
                        n += i == n;
                }
        }
        qsort(v + first, n - first, sizeof(char *), cmp_base);
        *ret = TAKE_PTR(v);
        return 0;
}

/* Looks key up in [section] over files in order (last wins): the value in
 * value, "file:line" of it in where (or "default"), every file read in
 * list. 0 or -ENOMEM. */
static int systemd_conf_lookup(const struct complyd_probe_ctx *ctx, char **files,
                               const char *section, const char *key, char *value, size_t vsize,
                               char *where, size_t wsize, json_t *list) {
        snprintf(where, wsize, "default");
        for (char **f = files; *f; f++) {
                _cleanup_free_ char *buf = NULL;
                unsigned line = 0;
                size_t len = 0;
                int r = ctx->read_file(ctx, *f, LOG_MAX_CONFIG, &buf, &len);

                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                if (json_array_append_new(list, json_string(*f)) < 0)
                        return -ENOMEM;
                if (ini_lookup(buf, len, section, key, value, vsize, &line))
                        snprintf(where, wsize, "%s:%u", *f, line);
        }
        return 0;
}

/* journald: {storage, storage_set_in, config_files, var_log_journal_exists,
 * persistent}. Storage=auto (the default) is persistent when
 * /var/log/journal exists. */
static int journald_json(const struct complyd_probe_ctx *ctx, json_t **ret) {
        _cleanup_strv_ char **files = NULL;
        _cleanup_json_ json_t *list = json_array();
        char storage[32] = "auto", where[512];
        struct stat st;
        bool dir;
        int r;

        if (!list)
                return -ENOMEM;
        if ((r = systemd_conf_files(ctx, "journald.conf", &files)) < 0 ||
            (r = systemd_conf_lookup(ctx, files, "Journal", "Storage", storage, sizeof(storage),
                                     where, sizeof(where), list)) < 0)
                return r;
        if (!storage[0])
                snprintf(storage, sizeof(storage), "auto"); /* "Storage=" resets to the default */
        dir = ctx->stat(ctx, "/var/log/journal", &st, 0) >= 0 && S_ISDIR(st.st_mode);
        *ret = json_pack("{s:s, s:s, s:O, s:b, s:b}", "storage", storage, "storage_set_in", where,
                         "config_files", list, "var_log_journal_exists", dir, "persistent",
                         streq(storage, "persistent") || (streq(storage, "auto") && dir));
        return *ret ? 0 : -ENOMEM;
}

/* ---- forwarding -------------------------------------------------------- */

/* {installed, enabled, running, active} of a service, added to o. */
static int service_facts(const struct host *h, json_t *o, const char *const *bins,
                         const char *unit, const char *process) {
        int pid = find_process(h, process);
        bool enabled = strv_has(h->wants, unit);

        return json_object_update_new(o, json_pack("{s:b, s:b, s:b, s:b}", "installed",
                                                   first_file(h->ctx, bins) != NULL, "enabled",
                                                   enabled, "running", pid > 0, "active",
                                                   enabled || pid > 0));
}

/* Appends rsyslog's forwarding destinations to dests; sets *rsyslog. */
static int rsyslog_json(const struct host *h, json_t *dests, json_t **ret) {
        static const char *const bins[] = { "/usr/sbin/rsyslogd", "/sbin/rsyslogd", NULL };
        _cleanup_json_ json_t *o = json_pack("{s:[]}", "config_files");
        _cleanup_strv_ char **dropins = NULL;
        _cleanup_free_ struct fwd_dest *d = calloc(RSYSLOG_MAX_DESTS, sizeof(*d));
        bool active;
        int r;

        if (!o || !d || service_facts(h, o, bins, "rsyslog.service", "rsyslogd") < 0)
                return -ENOMEM;
        active = json_is_true(json_object_get(o, "active"));
        if ((r = h->ctx->glob(h->ctx, "/etc/rsyslog.d/*.conf", &dropins)) == -ENOMEM)
                return r;
        for (size_t i = 0; i == 0 || (dropins && dropins[i - 1]); i++) {
                const char *file = i == 0 ? "/etc/rsyslog.conf" : dropins[i - 1];
                _cleanup_free_ char *buf = NULL;
                size_t len = 0, n = 0;

                if ((r = h->ctx->read_file(h->ctx, file, LOG_MAX_CONFIG, &buf, &len)) == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                if (json_array_append_new(json_object_get(o, "config_files"), json_string(file)) < 0)
                        return -ENOMEM;
                rsyslog_parse(buf, len, d, RSYSLOG_MAX_DESTS, &n);
                for (size_t k = 0; k < n; k++)
                        if (json_array_append_new(dests, json_pack(
                                    "{s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:b}", "via", "rsyslog",
                                    "type", d[k].type, "protocol", d[k].protocol, "target",
                                    d[k].target, "port", d[k].port ? json_integer(d[k].port) : json_null(),
                                    "file", file, "line", (int) d[k].line, "service_active",
                                    active)) < 0)
                                return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

/* systemd-journal-upload: URL= of [Upload] in journal-upload.conf and its
 * drop-ins; a destination when set. */
static int journal_upload_json(const struct host *h, json_t *dests, json_t **ret) {
        static const char *const bins[] = { "/usr/lib/systemd/systemd-journal-upload",
                                            "/lib/systemd/systemd-journal-upload", NULL };
        _cleanup_json_ json_t *o = json_pack("{s:[]}", "config_files");
        _cleanup_strv_ char **files = NULL;
        char url[1024] = "", where[512];
        bool active;
        int r;

        if (!o || service_facts(h, o, bins, "systemd-journal-upload.service",
                                "systemd-journal-upload") < 0)
                return -ENOMEM;
        if ((r = systemd_conf_files(h->ctx, "journal-upload.conf", &files)) < 0 ||
            (r = systemd_conf_lookup(h->ctx, files, "Upload", "URL", url, sizeof(url), where,
                                     sizeof(where), json_object_get(o, "config_files"))) < 0)
                return r;
        active = json_is_true(json_object_get(o, "active"));
        if (json_object_update_new(o, json_pack("{s:o, s:s}", "url", url[0] ? json_stringn(url, strlen(url)) : json_null(),
                                                "url_set_in", where)) < 0)
                return -ENOMEM;
        if (url[0] && json_array_append_new(dests, json_pack(
                              "{s:s, s:s, s:s, s:s, s:n, s:s, s:n, s:b}", "via",
                              "systemd-journal-upload", "type", "journal-upload", "protocol",
                              startswith(url, "http://") ? "http" : "https", "target", url, "port",
                              "file", where, "line", "service_active", active)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int forwarding_json(const struct host *h, json_t **ret) {
        _cleanup_json_ json_t *dests = json_array(), *rs = NULL, *ju = NULL;
        size_t i, active = 0;
        json_t *d;
        int r;

        if (!dests)
                return -ENOMEM;
        if ((r = rsyslog_json(h, dests, &rs)) < 0 || (r = journal_upload_json(h, dests, &ju)) < 0)
                return r;
        json_array_foreach(dests, i, d)
                active += json_is_true(json_object_get(d, "service_active"));
        *ret = json_pack("{s:O, s:I, s:I, s:O, s:O}", "destinations", dests, "destination_count",
                         (json_int_t) json_array_size(dests), "active_destination_count",
                         (json_int_t) active, "rsyslog", rs, "journal_upload", ju);
        return *ret ? 0 : -ENOMEM;
}

/* ---- /var/log permissions --------------------------------------------- */

#define LOGDIR_MAX_DEPTH 4
#define LOGDIR_MAX_FILES 20000u
#define LOGDIR_MAX_LISTED 500u

struct logscan {
        const struct complyd_probe_ctx *ctx;
        json_t *exposed;
        size_t files, world_readable, world_writable, group_writable;
        bool truncated;
};

/* Records the regular file path (mode st) when group or others may write it
 * or others may read it. */
static int log_file(struct logscan *ls, const char *path, const struct stat *st) {
        char mode[8];
        json_t *o;

        ls->files++;
        ls->world_readable += !!(st->st_mode & S_IROTH);
        ls->world_writable += !!(st->st_mode & S_IWOTH);
        ls->group_writable += !!(st->st_mode & S_IWGRP);
        if (!(st->st_mode & (S_IROTH | S_IWOTH | S_IWGRP)))
                return 0;
        if (json_array_size(ls->exposed) >= LOGDIR_MAX_LISTED) {
                ls->truncated = true;
                return 0;
        }
        snprintf(mode, sizeof(mode), "%04o", (unsigned) (st->st_mode & 07777));
        o = json_pack("{s:s, s:s, s:I, s:I, s:b, s:b, s:b}", "path", path, "mode", mode, "uid",
                      (json_int_t) st->st_uid, "gid", (json_int_t) st->st_gid, "world_readable",
                      !!(st->st_mode & S_IROTH), "world_writable", !!(st->st_mode & S_IWOTH),
                      "group_writable", !!(st->st_mode & S_IWGRP));
        return o && json_array_append_new(ls->exposed, o) == 0 ? 0 : -ENOMEM;
}

/* Walks dir (a host path) to LOGDIR_MAX_DEPTH levels; symlinks are not
 * followed. 0, -ENOMEM or -ETIMEDOUT; unreadable directories are skipped. */
static int log_walk(struct logscan *ls, const char *dir, int depth) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        if (ls->ctx->opendir(ls->ctx, dir, &d) < 0)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (ls->files >= LOGDIR_MAX_FILES) {
                        ls->truncated = true;
                        return 0;
                }
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (S_ISREG(st.st_mode))
                        r = log_file(ls, path, &st);
                else if (S_ISDIR(st.st_mode) && depth < LOGDIR_MAX_DEPTH)
                        r = ls->ctx->expired(ls->ctx) ? -ETIMEDOUT : log_walk(ls, path, depth + 1);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int json_cmp_path(const void *a, const void *b) {
        return strcmp(json_string_value(json_object_get(*(json_t *const *) a, "path")),
                      json_string_value(json_object_get(*(json_t *const *) b, "path")));
}

/* Sorts a JSON array of {path} objects by path. */
static int sort_by_path(json_t *arr) {
        size_t n = json_array_size(arr);
        _cleanup_free_ json_t **v = calloc(n ? n : 1, sizeof(json_t *));

        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                v[i] = json_incref(json_array_get(arr, i));
        qsort(v, n, sizeof(json_t *), json_cmp_path);
        json_array_clear(arr);
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(arr, v[i]) < 0)
                        return -ENOMEM;
        return 0;
}

static int log_files_json(const struct complyd_probe_ctx *ctx, json_t **ret) {
        _cleanup_json_ json_t *exposed = json_array();
        struct logscan ls = { .ctx = ctx, .exposed = exposed };
        struct stat st;
        int r;

        if (!exposed)
                return -ENOMEM;
        if ((r = log_walk(&ls, "/var/log", 1)) < 0 || (r = sort_by_path(exposed)) < 0)
                return r;
        *ret = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:O, s:b}", "directory", "/var/log",
                         "exists", ctx->stat(ctx, "/var/log", &st, 0) >= 0, "files_checked",
                         (json_int_t) ls.files, "world_readable_count",
                         (json_int_t) ls.world_readable, "world_writable_count",
                         (json_int_t) ls.world_writable, "group_writable_count",
                         (json_int_t) ls.group_writable, "exposed", exposed, "truncated",
                         ls.truncated);
        return *ret ? 0 : -ENOMEM;
}

/* ---- the probe --------------------------------------------------------- */

static int logging_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_(proctable_donep) struct proctable procs = { 0 };
        _cleanup_strv_ char **wants = NULL;
        _cleanup_json_ json_t *auditd = NULL, *rules = NULL, *journald = NULL, *fwd = NULL,
                              *files = NULL;
        struct host h = { .ctx = ctx };
        int r;

        r = proctable_scan(ctx, true, &h.procs);
        procs = h.procs;
        if (r < 0 || (r = load_wants(&h)) < 0)
                return r;
        wants = h.wants;
        if ((r = auditd_json(&h, &auditd)) < 0 || (r = audit_rules_json(ctx, &rules)) < 0 ||
            (r = journald_json(ctx, &journald)) < 0 || (r = forwarding_json(&h, &fwd)) < 0 ||
            (r = log_files_json(ctx, &files)) < 0)
                return r;
        *out = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:{s:b, s:I}}", "schema",
                         "complyd.logging.v1", "auditd", auditd, "audit_rules", rules, "journald",
                         journald, "forwarding", fwd, "log_files", files, "process_scan",
                         "proc_available", !h.procs.proc_missing, "processes",
                         (json_int_t) h.procs.n);
        return *out ? 0 : -ENOMEM;
}

static const struct complyd_param logging_params[] = { { 0 } };

const struct complyd_probe complyd_probe_logging = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "logging",
        .version = "1.0",
        .description = "auditd and its rules, journald storage, remote forwarding, /var/log permissions",
        .params = logging_params,
        .observe = logging_observe,
        .typical_ms = 3,
};
