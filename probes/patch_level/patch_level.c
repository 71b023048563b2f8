/* SPDX-License-Identifier: MIT */
/* patch_level: OS release, installed packages, pending updates (computed
 * offline from dpkg's status and apt's lists, or through rpm/dnf on a live
 * RPM-family host), which are security updates, reboot need, kernel,
 * package index age and automatic updates. Facts only. */
#include <complyd/probe.h>

#include <fcntl.h>
#include <syslog.h>
#include <time.h>

#include "apt_conf.h"
#include "apt_lists.h"
#include "cleanup.h"
#include "list_cache.h"
#include "debversion.h"
#include "dpkg_status.h"
#include "os_release.h"
#include "patch_level.h"
#include "pkgdb.h"

#define LISTS_DIR "/var/lib/apt/lists"
#define MAX_LISTS 1024u
#define MAX_REBOOT_PKGS 4096u

/* First line of a small file, or NULL. */
static char *first_line(const struct complyd_probe_ctx *ctx, const char *path) {
        char *buf = NULL;

        if (ctx->read_file(ctx, path, 4096, &buf, NULL) < 0)
                return NULL;
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

/* json_object_set_new() that reports a failed allocation (NULL value or
 * failed insertion) as -ENOMEM. */
static int set(json_t *o, const char *key, json_t *v) {
        return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static json_t *age_json(int64_t age) { return age >= 0 ? json_integer(age) : json_null(); }

/* ---- reboot and kernel ---------------------------------------------------- */

/* /run/reboot-required and the package names in /run/reboot-required.pkgs
 * (in file order, duplicates dropped). */
int reboot_facts(const struct complyd_probe_ctx *ctx, json_t *o, bool *file_present) {
        _cleanup_free_ char *pkgs = NULL;
        struct stat st;
        json_t *arr = json_array();
        unsigned n = 0;

        if (!arr)
                return -ENOMEM;
        *file_present = ctx->stat(ctx, "/run/reboot-required", &st, 0) >= 0;
        if (ctx->read_file(ctx, "/run/reboot-required.pkgs", 1 << 20, &pkgs, NULL) >= 0) {
                for (char *l = strtok(pkgs, "\n"); l && n < MAX_REBOOT_PKGS; l = strtok(NULL, "\n")) {
                        size_t i;
                        json_t *e;
                        bool dup = false;

                        l[strcspn(l, " \t\r")] = '\0';
                        if (!*l)
                                continue;
                        json_array_foreach(arr, i, e) dup = dup || streq(json_string_value(e), l);
                        if (!dup && json_array_append_new(arr, json_string(l)) < 0)
                                return json_decref(arr), -ENOMEM;
                        n++;
                }
        }
        if (set(o, "reboot_required_file", json_boolean(*file_present)) < 0)
                return json_decref(arr), -ENOMEM;
        return set(o, "reboot_required_pkgs", arr);
}

/* Kernel release of an installed kernel image package, or NULL:
 * "linux-image-6.1.0-13-amd64" -> "6.1.0-13-amd64" (also the
 * "-unsigned" and "linux-image-unsigned-" forms); meta packages
 * ("linux-image-amd64") and debug symbols are not kernels. */
static char *deb_kernel_release(const char *name) {
        const char *r;
        size_t n;

        if (!startswith(name, "linux-image-"))
                return NULL;
        r = name + 12;
        if (startswith(r, "unsigned-"))
                r += 9;
        if (*r < '0' || *r > '9')
                return NULL;
        n = strlen(r);
        if ((n > 4 && !strcmp(r + n - 4, "-dbg")) || (n > 7 && !strcmp(r + n - 7, "-dbgsym")))
                return NULL;
        if (n > 9 && !strcmp(r + n - 9, "-unsigned"))
                n -= 9;
        return strndup(r, n);
}

/* Fills installed_kernels[] from the dpkg table and returns (in *newest,
 * malloc'ed) the release of the kernel package with the highest version. */
static int deb_kernels(const struct pkgdb *db, json_t *o, char **newest) {
        _cleanup_free_ char *best = NULL;
        const char *best_ver = NULL;
        json_t *arr = json_array();

        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < db->n; i++) {
                const struct inst_pkg *p = &db->pkgs[i];
                _cleanup_free_ char *rel = deb_kernel_release(p->name);

                if (!rel)
                        continue;
                if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "package", p->name,
                                                         "version", p->version, "release", rel)) < 0)
                        return json_decref(arr), -ENOMEM;
                if (!best_ver || debversion_cmp_str(p->version, best_ver) > 0 ||
                    (debversion_cmp_str(p->version, best_ver) == 0 && strverscmp(rel, best) > 0)) {
                        free(best);
                        best = TAKE_PTR(rel);
                        best_ver = p->version;
                }
        }
        *newest = TAKE_PTR(best);
        return set(o, "installed_kernels", arr);
}

/* running_kernel, newest_installed_kernel, running_kernel_is_newest and
 * reboot_required (the file, or a newer kernel installed than running). */
int kernel_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *newest,
                        bool reboot_file) {
        _cleanup_free_ char *running = first_line(ctx, "/proc/sys/kernel/osrelease");
        json_t *is_newest = running && newest ? json_boolean(streq(running, newest)) : json_null();
        bool outdated = json_is_false(is_newest);

        if (set(o, "running_kernel", running ? json_string(running) : json_null()) < 0 ||
            set(o, "newest_installed_kernel", newest ? json_string(newest) : json_null()) < 0 ||
            set(o, "running_kernel_is_newest", is_newest) < 0)
                return -ENOMEM;
        return set(o, "reboot_required", json_boolean(reboot_file || outdated));
}

/* ---- apt lists -------------------------------------------------------------- */

struct apt_list {
        char *path;
        enum list_compression comp;
        struct release_info rel;
        char *release_path; /* NULL when no Release file matched */
        struct pkg_source src;
        size_t entries;
        int error;
};

/* The Release/InRelease file of a list: the longest one whose name minus
 * "InRelease"/"Release" is a prefix of the list's name (InRelease preferred
 * at equal length). */
static const char *match_release(char **releases, const char *list) {
        const char *best = NULL;
        size_t best_len = 0;

        for (char **r = releases; *r; r++) {
                size_t n = strlen(*r);
                size_t stem = n >= 9 && !strcmp(*r + n - 9, "InRelease") ? n - 9
                              : n >= 7 && !strcmp(*r + n - 7, "Release")  ? n - 7 : 0;
                bool inrel = n >= 9 && !strcmp(*r + n - 9, "InRelease");

                if (!stem || strncmp(*r, list, stem) != 0)
                        continue;
                if (stem > best_len || (stem == best_len && inrel)) {
                        best = *r;
                        best_len = stem;
                }
        }
        return best;
}

/* True for the name of a Packages index (not a .diff or a partial). */
static bool is_packages_list(const char *path) {
        static const char *const suffixes[] = { "", ".gz", ".xz", ".lz4", ".bz2", ".zst", ".lzma" };
        const char *p = strstr(path, "_Packages");

        if (!p)
                return false;
        while (strstr(p + 1, "_Packages"))
                p = strstr(p + 1, "_Packages");
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (streq(p + 9, suffixes[i]))
                        return true;
        return false;
}

/* Reads the header of a Release file into l->rel; priority and security
 * follow from it (500 and not security when there is none). */
static void load_release(const struct complyd_probe_ctx *ctx, struct apt_list *l) {
        _cleanup_close_ int fd = -1;
        char buf[APT_RELEASE_MAX_HEADER];
        ssize_t n;

        l->src = (struct pkg_source) { .suite = l->rel.suite, .priority = 500 };
        if (!l->release_path || (fd = ctx->open(ctx, l->release_path, O_RDONLY)) < 0)
                return;
        n = read(fd, buf, sizeof buf);
        if (n <= 0 || release_parse(buf, (size_t) n, &l->rel) < 0)
                return;
        l->src.priority = release_priority(&l->rel);
        l->src.security = release_is_security(&l->rel);
        if (!l->rel.suite[0])
                l->src.suite = l->rel.codename;
}

/* Finds every Packages list and its Release file. */
static int find_lists(const struct complyd_probe_ctx *ctx, struct apt_list **out, size_t *n_out) {
        _cleanup_(strv_freep) char **lists = NULL, **releases = NULL;
        struct apt_list *ls;
        size_t n = 0;
        int r;

        if ((r = ctx->glob(ctx, LISTS_DIR "/*_Packages*", &lists)) < 0 ||
            (r = ctx->glob(ctx, LISTS_DIR "/*Release", &releases)) < 0)
                return r;
        for (char **p = lists; *p; p++)
                n += is_packages_list(*p);
        ls = calloc(n < MAX_LISTS ? n + 1 : MAX_LISTS, sizeof(*ls));
        n = 0;
        if (!ls)
                return -ENOMEM;
        for (char **p = lists; *p && n < MAX_LISTS; p++) {
                const char *rel;

                if (!is_packages_list(*p))
                        continue;
                rel = match_release(releases, *p);
                ls[n].path = strdup(*p);
                ls[n].release_path = rel ? strdup(rel) : NULL;
                ls[n].comp = list_compression_of(*p);
                if (!ls[n].path || (rel && !ls[n].release_path)) {
                        free(ls[n].path);
                        for (size_t i = 0; i < n; i++)
                                free(ls[i].path), free(ls[i].release_path);
                        free(ls);
                        return -ENOMEM;
                }
                n++;
        }
        *out = ls;
        *n_out = n;
        return 0;
}

static void free_lists(struct apt_list *ls, size_t n) {
        for (size_t i = 0; ls && i < n; i++)
                free(ls[i].path), free(ls[i].release_path);
        free(ls);
}

struct offer_state {
        struct pkgdb *db;
        const struct pkg_source *src;
        const struct complyd_probe_ctx *ctx;
};

static bool want_installed(void *u, const char *name, size_t len) {
        return pkgdb_find(((struct offer_state *) u)->db, name, len) != NULL;
}

/* Offers a list entry to every installed package of its name whose
 * architecture it can replace. */
static int offer_entry(void *u, const struct deb_entry *e) {
        struct offer_state *st = u;

        for (struct inst_pkg *p = pkgdb_find(st->db, e->name, e->name_len); p;
             p = p->next ? &st->db->pkgs[p->next - 1] : NULL) {
                int r;

                if (!pkgdb_arch_matches(st->db, p, e->arch, e->arch_len))
                        continue;
                if ((r = pkgdb_offer(p, e->version, e->version_len, e->arch, e->arch_len,
                                     st->src)) < 0)
                        return r;
        }
        return 0;
}

static bool offer_expired(void *u) {
        const struct complyd_probe_ctx *ctx = ((struct offer_state *) u)->ctx;
        return ctx->expired(ctx);
}

/* Streams the list open at fd into sink; with a cache directory
 * (cache_fd >= 0) the list's cache is used when it matches, and written
 * when it did not. A cache that cannot be written is only logged. */
static int stream_list(const struct complyd_probe_ctx *ctx, int cache_fd, int fd,
                       const struct apt_list *l, struct deb_sink *sink) {
        struct list_recorder rec;
        struct stat st;
        int r;

        if (cache_fd < 0 || fstat(fd, &st) < 0)
                return apt_list_stream(fd, l->comp, sink);
        if ((r = list_cache_read(cache_fd, l->path, &st, sink)) != 0)
                return r < 0 ? r : 0;
        list_recorder_init(&rec, sink);
        r = apt_list_stream(fd, l->comp, &rec.sink);
        sink->entries = rec.sink.entries;
        if (r >= 0 && (r = list_cache_write(cache_fd, l->path, &st, &rec)) < 0) {
                ctx->log(ctx, LOG_DEBUG, "cannot cache %s: %s", l->path, strerror(-r));
                r = 0;
        }
        list_recorder_done(&rec);
        return r;
}

/* Streams one list into the table; a list that cannot be read is recorded
 * in l->error (a fact), not returned, except for -ENOMEM and -ETIME. */
static int read_list(const struct complyd_probe_ctx *ctx, int cache_fd, struct pkgdb *db,
                     struct apt_list *l) {
        struct offer_state st = { db, &l->src, ctx };
        struct deb_sink sink = { want_installed, offer_entry, offer_expired, &st, 0 };
        _cleanup_close_ int fd = -1;
        int r;

        load_release(ctx, l);
        if (l->comp == LIST_UNSUPPORTED) {
                l->error = -EOPNOTSUPP;
                return 0;
        }
        fd = ctx->open(ctx, l->path, O_RDONLY);
        r = fd < 0 ? fd : stream_list(ctx, cache_fd, fd, l, &sink);
        l->entries = sink.entries;
        if (r == -ENOMEM || r == -ETIME)
                return r;
        l->error = r < 0 ? r : 0;
        return 0;
}

/* The list cache directory named by the cache_dir parameter, on the live
 * host only (a fixture root is read as it is), or -1 when there is none or
 * it cannot be used (e.g. not root: /var/cache is not writable). */
static int open_list_cache(const struct complyd_probe_ctx *ctx) {
        const char *dir = json_string_value(json_object_get(ctx->params, "cache_dir"));
        int fd;

        if (!ctx->live_host || !dir || !*dir)
                return -1;
        fd = list_cache_open(dir);
        if (fd < 0)
                ctx->log(ctx, LOG_DEBUG, "no apt list cache in %s: %s", dir, strerror(-fd));
        return fd < 0 ? -1 : fd;
}

static json_t *list_json(const struct apt_list *l) {
        json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:i, s:b, s:I, s:o}",
                              "path", l->path, "compression", list_compression_name(l->comp),
                              "release_file", l->release_path ? json_string(l->release_path) : json_null(),
                              "origin", l->rel.origin, "label", l->rel.label, "suite", l->rel.suite,
                              "codename", l->rel.codename, "priority", l->src.priority,
                              "security", l->src.security, "packages", (json_int_t) l->entries,
                              "error", l->error ? json_string(strerror(-l->error)) : json_null());
        return j;
}

/* Orders pending updates by name, then architecture. */
static int cmp_pending(const void *a, const void *b) {
        const struct inst_pkg *p = *(const struct inst_pkg *const *) a;
        const struct inst_pkg *q = *(const struct inst_pkg *const *) b;
        int r = strcmp(p->name, q->name);
        return r ? r : strcmp(p->arch, q->arch);
}

/* pending_updates[] (sorted), pending_updates_count, pending_security_count. */
static int pending_facts(const struct pkgdb *db, json_t *o) {
        _cleanup_free_ const struct inst_pkg **up = calloc(db->n + 1, sizeof(*up));
        size_t n = 0, nsec = 0;
        json_t *arr = json_array();

        if (!up || !arr)
                return json_decref(arr), -ENOMEM;
        for (size_t i = 0; i < db->n; i++)
                if (pkgdb_upgradable(&db->pkgs[i]))
                        up[n++] = &db->pkgs[i];
        qsort(up, n, sizeof(*up), cmp_pending);
        for (size_t i = 0; i < n; i++) {
                json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "name", up[i]->name,
                                      "arch", up[i]->arch, "installed", up[i]->version,
                                      "candidate", up[i]->cand_version, "candidate_suite",
                                      up[i]->cand_suite ? up[i]->cand_suite : "",
                                      "security", up[i]->security);
                if (json_array_append_new(arr, e) < 0)
                        return json_decref(arr), -ENOMEM;
                nsec += up[i]->security;
        }
        if (set(o, "pending_updates", arr) < 0 ||
            set(o, "pending_updates_count", json_integer((json_int_t) n)) < 0)
                return -ENOMEM;
        return set(o, "pending_security_count", json_integer((json_int_t) nsec));
}

/* Reads every list into db, then reports the lists and the pending updates. */
static int apt_facts(const struct complyd_probe_ctx *ctx, struct pkgdb *db, json_t *o) {
        _cleanup_close_ int cache_fd = -1;
        struct apt_list *ls = NULL;
        size_t n = 0;
        json_t *arr;
        int r;

        if ((r = find_lists(ctx, &ls, &n)) < 0)
                return r;
        cache_fd = open_list_cache(ctx);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = read_list(ctx, cache_fd, db, &ls[i]);
        if (r < 0)
                return free_lists(ls, n), r;
        if (!(arr = json_array()))
                return free_lists(ls, n), -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (json_array_append_new(arr, list_json(&ls[i])) < 0) {
                        free_lists(ls, n);
                        return json_decref(arr), -ENOMEM;
                }
        if ((r = set(o, "package_indexes", arr)) >= 0)
                r = pending_facts(db, o); /* candidate suites point into ls */
        free_lists(ls, n);
        return r;
}

/* ---- index age ---------------------------------------------------------------- */

/* Age of the package index: apt's update-success-stamp when present (apt
 * touches it after a successful update), otherwise the newest mtime among
 * the lists and their directory. */
static int deb_index_age(const struct complyd_probe_ctx *ctx, json_t *o) {
        _cleanup_(strv_freep) char **files = NULL;
        struct stat st;
        const char *source = NULL;
        time_t newest = 0;

        if (ctx->stat(ctx, "/var/lib/apt/periodic/update-success-stamp", &st, 0) >= 0) {
                newest = st.st_mtime;
                source = "/var/lib/apt/periodic/update-success-stamp";
        } else if (ctx->glob(ctx, LISTS_DIR "/*", &files) >= 0) {
                for (char **f = files; *f; f++)
                        if ((strstr(*f, "Release") || is_packages_list(*f)) &&
                            ctx->stat(ctx, *f, &st, 0) >= 0 && st.st_mtime > newest)
                                newest = st.st_mtime;
                if (newest)
                        source = LISTS_DIR;
        }
        return index_age_facts(o, newest, source);
}

int index_age_facts(json_t *o, time_t mtime, const char *source) {
        time_t now = time(NULL);
        char iso[32] = "";
        struct tm tm;

        if (source && gmtime_r(&mtime, &tm))
                strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        int64_t age = source ? (now > mtime ? (int64_t) (now - mtime) : 0) : -1;

        if (set(o, "last_index_update_age_seconds", age_json(age)) < 0 ||
            set(o, "last_index_update_age_days",
                age >= 0 ? json_real((double) age / 86400.0) : json_null()) < 0 ||
            set(o, "last_index_update", source ? json_string(iso) : json_null()) < 0)
                return -ENOMEM;
        return set(o, "last_index_update_source", source ? json_string(source) : json_null());
}

/* ---- automatic updates (apt) --------------------------------------------------- */

struct periodic {
        char enable[64], update_lists[64], unattended[64];
        json_t *files;
};

static void periodic_cb(const char *key, const char *value, void *u) {
        struct periodic *p = u;
        char *dst = !strcasecmp(key, "APT::Periodic::Enable")                 ? p->enable
                    : !strcasecmp(key, "APT::Periodic::Update-Package-Lists") ? p->update_lists
                    : !strcasecmp(key, "APT::Periodic::Unattended-Upgrade")   ? p->unattended
                                                                              : NULL;
        if (dst)
                snprintf(dst, sizeof p->enable, "%s", value);
}

/* apt's rule for files in apt.conf.d: only [A-Za-z0-9_.-] names, with no
 * extension or ".conf". */
static bool apt_conf_name_ok(const char *path) {
        const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        const char *dot = strrchr(b, '.');

        if (b[strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")])
                return false;
        return !dot || streq(dot, ".conf") || dot == b;
}

static void apt_conf_file(const struct complyd_probe_ctx *ctx, const char *path, struct periodic *p) {
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (ctx->read_file(ctx, path, APT_CONF_MAX_BYTES, &buf, &len) < 0)
                return;
        if (strcasestr(buf, "Periodic"))
                json_array_append_new(p->files, json_string(path));
        (void) apt_conf_parse(buf, len, periodic_cb, p);
}

static bool periodic_on(const char *v) { return *v && !streq(v, "0"); }

/* automatic_updates_enabled: unattended-upgrades installed and
 * APT::Periodic::Unattended-Upgrade set to a non-zero value (and
 * APT::Periodic::Enable not "0"), with the evidence. */
static int deb_auto_updates(const struct complyd_probe_ctx *ctx, const struct pkgdb *db, json_t *o) {
        _cleanup_(strv_freep) char **parts = NULL;
        struct periodic p = { .enable = "", .files = json_array() };
        bool installed = pkgdb_find(db, "unattended-upgrades", 19) != NULL, enabled;
        json_t *ev;

        if (!p.files)
                return -ENOMEM;
        if (ctx->glob(ctx, "/etc/apt/apt.conf.d/*", &parts) >= 0)
                for (char **f = parts; *f; f++)
                        if (apt_conf_name_ok(*f))
                                apt_conf_file(ctx, *f, &p);
        apt_conf_file(ctx, "/etc/apt/apt.conf", &p);
        enabled = installed && periodic_on(p.unattended) && !streq(p.enable, "0");
        ev = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o}", "mechanism", "unattended-upgrades",
                       "unattended_upgrades_installed", installed,
                       "periodic_enable", *p.enable ? json_string(p.enable) : json_null(),
                       "periodic_update_package_lists",
                       *p.update_lists ? json_string(p.update_lists) : json_null(),
                       "periodic_unattended_upgrade",
                       *p.unattended ? json_string(p.unattended) : json_null(),
                       "config_files", p.files);
        if (set(o, "automatic_updates_enabled", json_boolean(enabled)) < 0)
                return json_decref(ev), -ENOMEM;
        return set(o, "automatic_updates", ev);
}

/* ---- the probe ------------------------------------------------------------------ */

/* The facts of a dpkg host whose installed packages are db (apt's
 * candidates are added to it). */
static int observe_dpkg(const struct complyd_probe_ctx *ctx, struct pkgdb *db, json_t *o) {
        _cleanup_free_ char *newest = NULL;
        bool reboot_file;
        int r;

        if ((r = set(o, "package_manager", json_string("dpkg"))) < 0 ||
            (r = set(o, "supported", json_true())) < 0 ||
            (r = set(o, "installed_count", json_integer((json_int_t) db->n))) < 0 ||
            (r = set(o, "native_arch", db->native_arch[0] ? json_string(db->native_arch) : json_null())) < 0 ||
            (r = apt_facts(ctx, db, o)) < 0 ||
            (r = reboot_facts(ctx, o, &reboot_file)) < 0 ||
            (r = deb_kernels(db, o, &newest)) < 0 ||
            (r = kernel_facts(ctx, o, newest, reboot_file)) < 0 ||
            (r = deb_index_age(ctx, o)) < 0)
                return r;
        return deb_auto_updates(ctx, db, o);
}

/* A host with neither dpkg nor a usable rpm: every package fact unknown,
 * never "up to date". */
int unsupported_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *pm,
                      const char *reason) {
        bool reboot_file;
        int r;

        if ((r = set(o, "package_manager", json_string(pm))) < 0 ||
            (r = set(o, "supported", json_false())) < 0 ||
            (r = set(o, "unsupported_reason", json_string(reason))) < 0 ||
            (r = set(o, "installed_count", json_null())) < 0 ||
            (r = set(o, "pending_updates", json_null())) < 0 ||
            (r = set(o, "pending_updates_count", json_null())) < 0 ||
            (r = set(o, "pending_security_count", json_null())) < 0 ||
            (r = reboot_facts(ctx, o, &reboot_file)) < 0 ||
            (r = set(o, "installed_kernels", json_null())) < 0 ||
            (r = kernel_facts(ctx, o, NULL, reboot_file)) < 0 ||
            (r = index_age_facts(o, 0, NULL)) < 0 ||
            (r = set(o, "automatic_updates_enabled", json_null())) < 0)
                return r;
        return set(o, "automatic_updates", json_null());
}

static int patch_level_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *o = json_object();
        _cleanup_(pkgdb_free) struct pkgdb db = { 0 };
        int r;

        if (!o || set(o, "schema", json_string("complyd.patch_level.v1")) < 0 ||
            set(o, "os", os_release_facts(ctx)) < 0)
                return -ENOMEM;
        r = dpkg_status_load(ctx, &db);
        if (r == -ENOMEM || r == -E2BIG) /* a status file we could not parse */
                return r;
        if (r >= 0)
                r = observe_dpkg(ctx, &db, o);
        else if (rpm_host(ctx))
                r = observe_rpm(ctx, o);
        else
                r = unsupported_facts(ctx, o, "unknown",
                                      "neither dpkg's status file nor an RPM database was found");
        if (r < 0)
                return r;
        *out = TAKE_PTR(o);
        return 0;
}

static const struct complyd_param patch_level_params[] = {
        { COMPLYD_PARAM_STRING, "cache_dir", "\"/var/cache/complyd\"",
          "where the entries of unchanged apt lists are kept between runs (live host only; "
          "\"\" = read every list every time)" },
        { 0 },
};

const struct complyd_probe complyd_probe_patch_level = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "patch_level",
        .version = "1.0",
        .description = "OS release, pending (security) updates, reboot need, kernel, "
                       "package index age, automatic updates",
        .params = patch_level_params,
        .observe = patch_level_observe,
        .typical_ms = 10,
};
