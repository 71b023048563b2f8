/* SPDX-License-Identifier: MIT */
/* patch_level on RPM-family hosts: rpm -qa for what is installed, dnf (or
 * yum) check-update and updateinfo from the local metadata cache (-C: no
 * network) for what is pending. Commands run only on the live host; under
 * --root the host is reported as unsupported, never as up to date. */
#include <sys/stat.h>

#include "cleanup.h"
#include "debversion.h"
#include "patch_level.h"
#include "pkgdb.h"
#include "rpm.h"

static int set(json_t *o, const char *key, json_t *v) {
        return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

bool rpm_host(const struct complyd_probe_ctx *ctx) {
        static const char *const paths[] = { "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/usr/bin/rpm" };
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (ctx->stat(ctx, paths[i], &st, 0) >= 0)
                        return true;
        return false;
}

struct rpm_state {
        struct pkgdb db;
        json_t *kernels;
        char newest[RPM_MAX_FIELD * 2 + 2];
        char newest_evr[RPM_MAX_FIELD + 1];
        bool dnf_automatic;
};

/* kernel, kernel-core (RHEL 8+, Fedora) and kernel-default (SUSE) carry the
 * running release "version-release.arch". */
static bool is_kernel_pkg(const char *name) {
        return streq(name, "kernel") || streq(name, "kernel-core") || streq(name, "kernel-default");
}

static int add_installed(const struct rpm_pkg *p, void *u) {
        struct rpm_state *st = u;
        int r = pkgdb_add(&st->db, p->name, strlen(p->name), p->arch, strlen(p->arch), p->evr,
                          strlen(p->evr));

        if (r == -ENOMEM)
                return r;
        if (streq(p->name, "dnf-automatic"))
                st->dnf_automatic = true;
        if (is_kernel_pkg(p->name)) {
                const char *colon = strchr(p->evr, ':');
                char rel[sizeof st->newest];

                snprintf(rel, sizeof rel, "%s.%s", colon ? colon + 1 : p->evr, p->arch);
                if (json_array_append_new(st->kernels, json_pack("{s:s, s:s, s:s}", "package",
                                          p->name, "version", p->evr, "release", rel)) < 0)
                        return -ENOMEM;
                if (!st->newest[0] || rpm_evr_cmp_str(p->evr, st->newest_evr) > 0) {
                        snprintf(st->newest, sizeof st->newest, "%s", rel);
                        snprintf(st->newest_evr, sizeof st->newest_evr, "%s", p->evr);
                }
        }
        return 0;
}

static struct inst_pkg *find_arch(struct pkgdb *db, const char *name, const char *arch) {
        for (struct inst_pkg *p = pkgdb_find(db, name, strlen(name)); p;
             p = p->next ? &db->pkgs[p->next - 1] : NULL)
                if (streq(p->arch, arch))
                        return p;
        return NULL;
}

static int add_update(const struct rpm_pkg *u, void *userdata) {
        struct rpm_state *st = userdata;
        struct inst_pkg *p = find_arch(&st->db, u->name, u->arch);

        if (!p && !(p = find_arch(&st->db, u->name, "noarch")))
                return 0;
        free(p->cand_version);
        if (!(p->cand_version = strdup(u->evr)))
                return -ENOMEM;
        p->cand_prio = p->inst_prio;
        return 0;
}

static int mark_security(const struct rpm_pkg *u, void *userdata) {
        struct rpm_state *st = userdata;
        struct inst_pkg *p = find_arch(&st->db, u->name, u->arch);

        if (p)
                p->security = true;
        return 0;
}

/* Runs argv, accepting the listed exit codes; returns the output or NULL. */
static char *run_ok(const struct complyd_probe_ctx *ctx, const char *const *argv, int ok1, int ok2) {
        char *out = NULL;
        int r = ctx->run(ctx, argv, RPM_MAX_OUTPUT, &out);

        if (r == ok1 || r == ok2)
                return out;
        free(out);
        return NULL;
}

static int pending_json(struct rpm_state *st, json_t *o) {
        json_t *arr = json_array();
        size_t n = 0, nsec = 0;

        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < st->db.n; i++) {
                const struct inst_pkg *p = &st->db.pkgs[i];

                if (!p->cand_version)
                        continue;
                if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:b}", "name",
                                          p->name, "arch", p->arch, "installed", p->version,
                                          "candidate", p->cand_version, "security", p->security)) < 0)
                        return json_decref(arr), -ENOMEM;
                n++;
                nsec += p->security;
        }
        if (set(o, "pending_updates", arr) < 0 ||
            set(o, "pending_updates_count", json_integer((json_int_t) n)) < 0)
                return -ENOMEM;
        return set(o, "pending_security_count", json_integer((json_int_t) nsec));
}

/* Newest repomd.xml in dnf's or yum's cache. */
static int rpm_index_age(const struct complyd_probe_ctx *ctx, json_t *o) {
        static const char *const globs[] = { "/var/cache/dnf/*/repodata/repomd.xml",
                                             "/var/cache/yum/*/*/*/repodata/repomd.xml" };
        time_t newest = 0;

        for (size_t i = 0; i < ELEMENTSOF(globs); i++) {
                _cleanup_(strv_freep) char **files = NULL;
                struct stat s;

                if (ctx->glob(ctx, globs[i], &files) < 0)
                        continue;
                for (char **f = files; *f; f++)
                        if (ctx->stat(ctx, *f, &s, 0) >= 0 && s.st_mtime > newest)
                                newest = s.st_mtime;
        }
        return index_age_facts(o, newest, newest ? "/var/cache/dnf" : NULL);
}

/* dnf-automatic installed and its installing timer enabled. */
static int rpm_auto_updates(const struct complyd_probe_ctx *ctx, const struct rpm_state *st, json_t *o) {
        struct stat s;
        bool timer = ctx->stat(ctx, "/etc/systemd/system/timers.target.wants/dnf-automatic-install.timer", &s, 0) >= 0;
        bool enabled = st->dnf_automatic && timer;

        if (set(o, "automatic_updates_enabled", json_boolean(enabled)) < 0)
                return -ENOMEM;
        return set(o, "automatic_updates",
                   json_pack("{s:s, s:b, s:b}", "mechanism", "dnf-automatic",
                             "dnf_automatic_installed", st->dnf_automatic,
                             "install_timer_enabled", timer));
}

int rpm_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *installed,
              const char *updates, const char *security) {
        struct rpm_state st = { .kernels = json_array() };
        bool reboot_file;
        int r;

        if (!st.kernels)
                return -ENOMEM;
        if ((r = rpm_qa_parse(installed, strlen(installed), add_installed, &st)) < 0 ||
            (r = dnf_check_update_parse(updates, strlen(updates), add_update, &st)) < 0 ||
            (security && (r = dnf_updateinfo_parse(security, strlen(security), mark_security, &st)) < 0))
                goto out;
        if ((r = set(o, "package_manager", json_string("rpm"))) < 0 ||
            (r = set(o, "supported", json_true())) < 0 ||
            (r = set(o, "security_advisories_available", json_boolean(security != NULL))) < 0 ||
            (r = set(o, "installed_count", json_integer((json_int_t) st.db.n))) < 0 ||
            (r = pending_json(&st, o)) < 0 ||
            (r = reboot_facts(ctx, o, &reboot_file)) < 0 ||
            (r = set(o, "installed_kernels", json_incref(st.kernels))) < 0 ||
            (r = kernel_facts(ctx, o, st.newest[0] ? st.newest : NULL, reboot_file)) < 0 ||
            (r = rpm_index_age(ctx, o)) < 0)
                goto out;
        r = rpm_auto_updates(ctx, &st, o);
out:
        json_decref(st.kernels);
        pkgdb_free(&st.db);
        return r;
}

int observe_rpm(const struct complyd_probe_ctx *ctx, json_t *o) {
        static const char *const qa[] = { "/usr/bin/rpm", "-qa", "--qf",
                "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n", NULL };
        struct stat st;
        const char *dnf = ctx->stat(ctx, "/usr/bin/dnf", &st, 0) >= 0 ? "/usr/bin/dnf" : "/usr/bin/yum";
        const char *const check[] = { dnf, "-q", "-C", "check-update", NULL };
        const char *const sec[] = { dnf, "-q", "-C", "updateinfo", "list", "--security", NULL };
        _cleanup_free_ char *installed = NULL, *updates = NULL, *security = NULL;

        if (!ctx->live_host)
                return unsupported_facts(ctx, o, "rpm", "rpm and dnf run only on the live host; "
                                         "the RPM database is not read offline");
        if (!(installed = run_ok(ctx, qa, 0, 0)))
                return unsupported_facts(ctx, o, "rpm", "rpm -qa failed or is missing");
        if (!(updates = run_ok(ctx, check, 0, 100)))
                return unsupported_facts(ctx, o, "rpm", "dnf/yum check-update failed or is missing");
        security = run_ok(ctx, sec, 0, 0);
        return rpm_facts(ctx, o, installed, updates, security);
}
