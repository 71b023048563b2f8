/* SPDX-License-Identifier: MIT */
/* time_sync: is the clock synchronised, and by what? On the live host the
 * kernel's NTP state from adjtimex() (read-only: modes 0); under --root it
 * is null. For chrony, systemd-timesyncd and ntpd (ntp or ntpsec): whether
 * the package is installed (dpkg status; without dpkg, the binary), whether
 * its unit is enabled (a link in /etc/systemd/system/<target>.wants/) or
 * masked, whether it runs (a process of that comm in /proc), and the time
 * sources its configuration names. */
#include <complyd/probe.h>

#include <fcntl.h>
#include <sys/timex.h>

#include "cleanup.h"
#include "dpkg_status.h"
#include "proctable.h"
#include "time_sync.h"

#define CONF_MAX (1u << 20)
#define CONF_FILES_MAX 64

struct daemon {
        const char *name;
        const char *packages[3];
        const char *units[4];
        const char *binaries[3];
        const char *comm; /* /proc/<pid>/comm of its process (15 characters at most) */
};

static const struct daemon daemons[] = {
        { "chrony", { "chrony" }, { "chrony.service", "chronyd.service" },
          { "/usr/sbin/chronyd", "/sbin/chronyd" }, "chronyd" },
        { "systemd-timesyncd", { "systemd-timesyncd" }, { "systemd-timesyncd.service" },
          { "/lib/systemd/systemd-timesyncd", "/usr/lib/systemd/systemd-timesyncd" },
          "systemd-timesyn" },
        { "ntpd", { "ntpsec", "ntp" }, { "ntpsec.service", "ntp.service", "ntpd.service" },
          { "/usr/sbin/ntpd", "/sbin/ntpd" }, "ntpd" },
};

static bool exists(const struct complyd_probe_ctx *ctx, const char *path, int flags) {
        struct stat st;
        return ctx->stat(ctx, path, &st, flags) >= 0;
}

/* The first unit of d linked from an /etc/systemd/system/<target>.wants/
 * directory (the link itself; its target may be outside a --root), or NULL. */
static const char *enabled_unit(const struct complyd_probe_ctx *ctx, const struct daemon *d,
                                char **wants) {
        for (size_t u = 0; u < ELEMENTSOF(d->units) && d->units[u]; u++)
                for (char **w = wants; *w; w++) {
                        _cleanup_free_ char *p = NULL;

                        if (asprintf(&p, "%s/%s", *w, d->units[u]) >= 0 &&
                            exists(ctx, p, AT_SYMLINK_NOFOLLOW))
                                return d->units[u];
                }
        return NULL;
}

/* Whether the daemon's first unit is masked (/etc/systemd/system/UNIT -> /dev/null). */
static bool masked(const struct complyd_probe_ctx *ctx, const struct daemon *d) {
        for (size_t u = 0; u < ELEMENTSOF(d->units) && d->units[u]; u++) {
                _cleanup_free_ char *p = NULL, *target = NULL;

                if (asprintf(&p, "/etc/systemd/system/%s", d->units[u]) >= 0 &&
                    ctx->readlink(ctx, p, &target) >= 0 && streq(target, "/dev/null"))
                        return true;
        }
        return false;
}

/* Whether a process of d runs: true or false from the process table t,
 * null when t is NULL (no process table). */
static json_t *running_json(const struct proctable *t, const struct daemon *d) {
        if (!t)
                return json_null();
        for (size_t i = 0; i < t->n; i++)
                if (streq(t->procs[i].comm, d->comm))
                        return json_true();
        return json_false();
}

/* The first of d's packages that dpkg lists as installed, or NULL. */
static const char *installed_package(const struct pkgdb *db, const struct daemon *d) {
        for (size_t k = 0; k < ELEMENTSOF(d->packages) && d->packages[k]; k++)
                if (pkgdb_installed_version(db, d->packages[k]))
                        return d->packages[k];
        return NULL;
}

/* Sources of chrony: chrony.conf, its include patterns, *.conf in each
 * confdir and *.sources in each sourcedir (as chronyd reads them). */
static int chrony_sources(const struct complyd_probe_ctx *ctx, json_t *sources, json_t *files) {
        static const char *const mains[] = { "/etc/chrony/chrony.conf", "/etc/chrony.conf" };
        _cleanup_json_ json_t *dirs = json_pack("{s:[], s:[], s:[]}", "confdir", "sourcedir", "include");
        static const struct { const char *key, *suffix; } kinds[] = {
                { "include", "" }, { "confdir", "/*.conf" }, { "sourcedir", "/*.sources" },
        };
        _cleanup_free_ char *buf = NULL;
        size_t len, i;
        json_t *v;
        int r;

        if (!dirs)
                return -ENOMEM;
        for (i = 0; i < ELEMENTSOF(mains) && !buf; i++)
                if (ctx->read_file(ctx, mains[i], CONF_MAX, &buf, &len) >= 0)
                        json_array_append_new(files, json_string(mains[i]));
        if (!buf)
                return 0;
        if ((r = ts_sources_parse(buf, len, sources, dirs)) < 0)
                return r;
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                json_array_foreach(json_object_get(dirs, kinds[k].key), i, v) {
                        _cleanup_free_ char *pattern = NULL;
                        char **paths = NULL;

                        if (json_string_value(v)[0] != '/' ||
                            asprintf(&pattern, "%s%s", json_string_value(v), kinds[k].suffix) < 0 ||
                            ctx->glob(ctx, pattern, &paths) < 0)
                                continue;
                        for (char **p = paths; *p && json_array_size(files) < CONF_FILES_MAX; p++) {
                                _cleanup_free_ char *inc = NULL;

                                if (ctx->read_file(ctx, *p, CONF_MAX, &inc, &len) < 0)
                                        continue;
                                json_array_append_new(files, json_string(*p));
                                if ((r = ts_sources_parse(inc, len, sources, NULL)) < 0)
                                        break;
                        }
                        ctx->strv_free(paths);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* Sources of ntpd: the ntpsec file, else the classic one. */
static int ntpd_sources(const struct complyd_probe_ctx *ctx, json_t *sources, json_t *files) {
        static const char *const mains[] = { "/etc/ntpsec/ntp.conf", "/etc/ntp.conf" };

        for (size_t i = 0; i < ELEMENTSOF(mains); i++) {
                _cleanup_free_ char *buf = NULL;
                size_t len;

                if (ctx->read_file(ctx, mains[i], CONF_MAX, &buf, &len) < 0)
                        continue;
                json_array_append_new(files, json_string(mains[i]));
                return ts_sources_parse(buf, len, sources, NULL) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

static int cmp_base(const void *a, const void *b) {
        const char *x = strrchr(*(char *const *) a, '/'), *y = strrchr(*(char *const *) b, '/');
        return strcmp(x, y);
}

/* timesyncd.conf, then its drop-ins from /usr/lib, /run and /etc
 * timesyncd.conf.d (sorted by file name; /etc hides /run hides /usr/lib
 * of the same name), as systemd reads them. *out: {ntp, fallback_ntp}
 * with fallback_ntp null when never set (the compiled-in servers). */
static int timesyncd_facts(const struct complyd_probe_ctx *ctx, json_t *files, json_t **out) {
        static const char *const dropdirs[] = { "/etc/systemd/timesyncd.conf.d/*.conf",
                                                "/run/systemd/timesyncd.conf.d/*.conf",
                                                "/usr/lib/systemd/timesyncd.conf.d/*.conf" };
        _cleanup_(ts_timesyncd_done) struct ts_timesyncd st = { 0 };
        const char *list[CONF_FILES_MAX + 1];
        char **found[ELEMENTSOF(dropdirs)] = { 0 };
        size_t n = 0;
        int r = 0;

        list[n++] = "/etc/systemd/timesyncd.conf";
        for (size_t i = 0; i < ELEMENTSOF(dropdirs); i++) {
                if (ctx->glob(ctx, dropdirs[i], &found[i]) < 0)
                        continue;
                for (char **p = found[i]; *p && n < CONF_FILES_MAX; p++) {
                        bool hidden = false;
                        for (size_t k = 1; k < n; k++)
                                hidden |= streq(strrchr(list[k], '/'), strrchr(*p, '/'));
                        if (!hidden)
                                list[n++] = *p;
                }
        }
        qsort(list + 1, n - 1, sizeof(list[0]), cmp_base);
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *buf = NULL;
                size_t len;

                if (ctx->read_file(ctx, list[i], CONF_MAX, &buf, &len) < 0)
                        continue;
                json_array_append_new(files, json_string(list[i]));
                r = ts_timesyncd_parse(buf, len, &st);
        }
        for (size_t i = 0; i < ELEMENTSOF(dropdirs); i++)
                if (found[i])
                        ctx->strv_free(found[i]);
        if (r < 0)
                return r;
        *out = json_pack("{s:o, s:O?}", "ntp", st.ntp ? json_incref(st.ntp) : json_array(),
                         "fallback_ntp", st.fallback);
        return *out ? 0 : -ENOMEM;
}

/* Facts of one daemon. installed_pkg: the dpkg answer, -1 without dpkg;
 * procs: the process table, NULL when unknown. */
static int daemon_facts(const struct complyd_probe_ctx *ctx, const struct daemon *d,
                        int installed_pkg, const char *pkg, char **wants,
                        const struct proctable *procs, json_t **out) {
        _cleanup_json_ json_t *sources = json_array(), *files = json_array(), *tsd = NULL;
        const char *unit = enabled_unit(ctx, d, wants), *binary = NULL;
        bool is_masked = masked(ctx, d), builtin = false;
        json_t *running = running_json(procs, d);
        int r = 0;

        if (!sources || !files)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(d->binaries) && d->binaries[i] && !binary; i++)
                if (exists(ctx, d->binaries[i], 0))
                        binary = d->binaries[i];
        if (streq(d->name, "chrony"))
                r = chrony_sources(ctx, sources, files);
        else if (streq(d->name, "ntpd"))
                r = ntpd_sources(ctx, sources, files);
        else if ((r = timesyncd_facts(ctx, files, &tsd)) >= 0) {
                json_t *v, *fb = json_object_get(tsd, "fallback_ntp");
                size_t i;

                json_array_foreach(json_object_get(tsd, "ntp"), i, v)
                        json_array_append_new(sources, json_pack("{s:s, s:O, s:s}", "type", "NTP",
                                                                 "host", v, "options", ""));
                json_array_foreach(fb, i, v)
                        json_array_append_new(sources, json_pack("{s:s, s:O, s:s}", "type",
                                                                 "FallbackNTP", "host", v, "options", ""));
                builtin = json_array_size(sources) == 0 && json_is_null(fb);
        }
        if (r < 0)
                return r;
        *out = json_pack("{s:s, s:b, s:s?, s:s?, s:b, s:s?, s:b, s:o, s:O, s:b, s:b, s:O, s:O?}",
                         "name", d->name,
                         "installed", installed_pkg >= 0 ? installed_pkg > 0 : binary != NULL,
                         "package", installed_pkg > 0 ? pkg : NULL, "binary", binary,
                         "enabled", unit != NULL && !is_masked, "enabled_unit", unit,
                         "masked", is_masked, "running", running, "sources", sources,
                         "sources_configured", json_array_size(sources) > 0,
                         "uses_builtin_servers", builtin, "config_files", files,
                         "timesyncd", tsd);
        return *out ? 0 : -ENOMEM;
}

static const char *time_state_name(int state) {
        switch (state) {
        case TIME_OK: return "TIME_OK";
        case TIME_INS: return "TIME_INS";
        case TIME_DEL: return "TIME_DEL";
        case TIME_OOP: return "TIME_OOP";
        case TIME_WAIT: return "TIME_WAIT";
        case TIME_ERROR: return "TIME_ERROR";
        }
        return "unknown";
}

/* clock: the kernel's NTP state (adjtimex with modes 0 changes nothing).
 * Synchronised means STA_UNSYNC clear and a state other than TIME_ERROR.
 * Offsets in microseconds whatever the kernel's STA_NANO unit. */
static json_t *clock_facts(void) {
        struct timex tx = { .modes = 0 };
        int state = adjtimex(&tx);
        double div = (tx.status & STA_NANO) ? 1000.0 : 1.0;

        if (state < 0)
                return json_pack("{s:n, s:s}", "synchronized", "error", strerror(errno));
        return json_pack("{s:b, s:s, s:i, s:b, s:I, s:f, s:I, s:f, s:f, s:b}",
                         "synchronized", !(tx.status & STA_UNSYNC) && state != TIME_ERROR,
                         "state", time_state_name(state), "status", tx.status,
                         "unsync_flag", (tx.status & STA_UNSYNC) != 0,
                         "maxerror_us", (json_int_t) tx.maxerror, "maxerror_ms", (double) tx.maxerror / 1000.0,
                         "esterror_us", (json_int_t) tx.esterror,
                         "offset_us", (double) tx.offset / div,
                         "frequency_ppm", (double) tx.freq / 65536.0,
                         "pll", (tx.status & STA_PLL) != 0);
}

static int ts_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *objs = json_object(), *enabled = json_array();
        _cleanup_(pkgdb_free) struct pkgdb pkgs = { 0 };
        _cleanup_(proctable_done) struct proctable procs = { 0 };
        bool dpkg, procs_known;
        char **wants = NULL;
        int r = 0;

        if (!objs || !enabled)
                return -ENOMEM;
        if ((r = dpkg_status_load(ctx, &pkgs)) == -ENOMEM)
                return r;
        dpkg = r >= 0;
        /* no /proc, or the deadline passed while reading it: running unknown */
        if ((r = proctable_scan(ctx, false, &procs)) == -ENOMEM)
                return r;
        procs_known = r >= 0 && !procs.proc_missing;
        r = 0;
        if (ctx->glob(ctx, "/etc/systemd/system/*.wants", &wants) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(daemons) && r >= 0; i++) {
                const struct daemon *d = &daemons[i];
                const char *pkg = installed_package(&pkgs, d);
                json_t *o = NULL;

                r = daemon_facts(ctx, d, dpkg ? pkg != NULL : -1, pkg, wants,
                                 procs_known ? &procs : NULL, &o);
                if (r >= 0 && json_object_set_new(objs, d->name, o) < 0)
                        r = -ENOMEM;
                if (r >= 0 && json_is_true(json_object_get(o, "enabled")))
                        json_array_append_new(enabled, json_string(d->name));
        }
        ctx->strv_free(wants);
        if (r < 0)
                return r;
        *out = json_pack("{s:s, s:b, s:o, s:b, s:O, s:O}", "schema", "complyd.time_sync.v1",
                         "live", ctx->live_host, "clock", ctx->live_host ? clock_facts() : json_null(),
                         "dpkg_status_read", dpkg, "enabled_daemons", enabled, "daemons", objs);
        return *out ? 0 : -ENOMEM;
}

const struct complyd_probe complyd_probe_time_sync = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "time_sync",
        .version = "1.0",
        .description = "clock synchronisation (adjtimex) and chrony/timesyncd/ntpd configuration",
        .observe = ts_observe,
        .typical_ms = 3,
};
