/* SPDX-License-Identifier: MIT */
/* logging: the probe on fixture roots (a CIS-configured host, a bare Debian,
 * a half-configured host), on a root made at test time for /var/log file
 * modes (git keeps no modes), and its parsers: audit rules, systemd INI,
 * rsyslog. */
#include <sys/stat.h>

#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/logging/logging.h"

extern const struct complyd_probe complyd_probe_logging;

static json_t *observe(const char *root) {
        json_t *params, *out = NULL;
        struct complyd_probe_ctx *ctx;
        char err[256];

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_logging, NULL, &params, err,
                                              sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_logging.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.logging.v1");
        return out;
}

/* The value at a dotted path ("a.b.0.c": numbers index arrays). */
static json_t *at(json_t *o, const char *path) {
        char buf[256], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *t = strtok_r(buf, ".", &save); t && o; t = strtok_r(NULL, ".", &save))
                o = json_is_array(o) ? json_array_get(o, strtoul(t, NULL, 10)) : json_object_get(o, t);
        ck_assert_msg(o != NULL, "%s missing", path);
        return o;
}

static const char *str(json_t *o, const char *path) { return json_string_value(at(o, path)); }
static json_int_t num(json_t *o, const char *path) {
        ck_assert_msg(json_is_integer(at(o, path)), "%s is not an integer", path);
        return json_integer_value(at(o, path));
}
static bool flag(json_t *o, const char *path) {
        ck_assert_msg(json_is_boolean(at(o, path)), "%s is not a boolean", path);
        return json_is_true(at(o, path));
}

/* "a,b" of the JSON array at path */
static const char *joined(json_t *o, const char *path) {
        static char buf[1024];
        size_t i, off = 0;
        json_t *v;

        buf[0] = '\0';
        json_array_foreach(at(o, path), i, v)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "",
                                         json_string_value(v));
        return buf;
}

START_TEST(cis_host) {
        json_t *out = observe(FIXTURE("hosts/logging-cis"));

        ck_assert(flag(out, "auditd.installed") && flag(out, "auditd.enabled") &&
                  flag(out, "auditd.running"));
        ck_assert_str_eq(str(out, "auditd.package_version"), "1:3.0.9-1");
        ck_assert_int_eq(num(out, "auditd.pid"), 385);
        ck_assert_str_eq(joined(out, "audit_rules.configured.files"),
                         "/etc/audit/rules.d/50-cis.rules,/etc/audit/rules.d/99-finalize.rules,"
                         "/etc/audit/rules.d/audit.rules");
        ck_assert_int_eq(num(out, "audit_rules.configured.rule_count"), 32);
        ck_assert_int_eq(num(out, "audit_rules.configured.enabled_flag"), 2);
        ck_assert(flag(out, "audit_rules.configured.immutable"));
        for (int i = 0; i < 7; i++) {
                char p[64];
                snprintf(p, sizeof(p), "audit_rules.effective.categories.%d.covered", i);
                ck_assert(flag(out, p));
        }
        ck_assert(!flag(out, "audit_rules.loaded.available"));
        ck_assert_str_eq(str(out, "audit_rules.effective_source"), "configured");
        ck_assert_str_eq(str(out, "journald.storage"), "persistent");
        ck_assert_str_eq(str(out, "journald.storage_set_in"), "/etc/systemd/journald.conf.d/50-cis.conf:2");
        ck_assert(flag(out, "journald.persistent"));
        ck_assert_int_eq(num(out, "forwarding.destination_count"), 1);
        ck_assert_str_eq(str(out, "forwarding.destinations.0.type"), "omfwd");
        ck_assert_str_eq(str(out, "forwarding.destinations.0.protocol"), "tcp");
        ck_assert_str_eq(str(out, "forwarding.destinations.0.target"), "loghost.example.net");
        ck_assert_int_eq(num(out, "forwarding.destinations.0.port"), 6514);
        ck_assert_int_eq(num(out, "forwarding.destinations.0.line"), 2);
        ck_assert(flag(out, "forwarding.destinations.0.service_active"));
        ck_assert(json_is_null(at(out, "forwarding.journal_upload.url")));
        json_decref(out);
}
END_TEST

START_TEST(bare_debian) {
        json_t *out = observe(FIXTURE("hosts/logging-bare"));

        ck_assert(!flag(out, "auditd.installed") && !flag(out, "auditd.running"));
        ck_assert(json_is_null(at(out, "auditd.package_version")));
        ck_assert_int_eq(num(out, "audit_rules.effective.rule_count"), 0);
        ck_assert_str_eq(joined(out, "audit_rules.effective.categories.0.missing"),
                         "/etc/group,/etc/passwd,/etc/gshadow,/etc/shadow,/etc/security/opasswd");
        ck_assert_str_eq(str(out, "journald.storage"), "auto");
        ck_assert_str_eq(str(out, "journald.storage_set_in"), "default");
        ck_assert(!flag(out, "journald.var_log_journal_exists"));
        ck_assert(!flag(out, "journald.persistent"));
        ck_assert_int_eq(num(out, "forwarding.destination_count"), 0);
        ck_assert(flag(out, "forwarding.rsyslog.active"));
        json_decref(out);
}
END_TEST

START_TEST(partial_host) {
        json_t *out = observe(FIXTURE("hosts/logging-partial"));

        ck_assert(flag(out, "auditd.installed") && !flag(out, "auditd.running") &&
                  !flag(out, "auditd.enabled"));
        ck_assert_str_eq(str(out, "auditd.binary"), "/sbin/auditd");
        ck_assert_int_eq(num(out, "audit_rules.effective.enabled_flag"), 1);
        ck_assert(!flag(out, "audit_rules.effective.immutable"));
        ck_assert_int_eq(num(out, "audit_rules.effective.bad_lines"), 1);
        ck_assert_str_eq(joined(out, "audit_rules.effective.categories.0.missing"),
                         "/etc/gshadow,/etc/security/opasswd");
        ck_assert_str_eq(joined(out, "audit_rules.effective.categories.1.missing"), "/etc/sudoers.d");
        ck_assert(flag(out, "audit_rules.effective.categories.5.covered")); /* mounts */
        ck_assert_str_eq(joined(out, "audit_rules.effective.keys"),
                         "passwd_changes,group_changes,sudo,mounts");
        /* the /etc drop-in masks /usr/lib's of the same name and wins over the main file */
        ck_assert_str_eq(str(out, "journald.storage"), "volatile");
        ck_assert_str_eq(str(out, "journald.storage_set_in"),
                         "/etc/systemd/journald.conf.d/10-storage.conf:3");
        ck_assert_str_eq(joined(out, "journald.config_files"),
                         "/etc/systemd/journald.conf,/etc/systemd/journald.conf.d/10-storage.conf");
        ck_assert_int_eq(num(out, "forwarding.destination_count"), 4);
        ck_assert_int_eq(num(out, "forwarding.active_destination_count"), 1);
        ck_assert_str_eq(str(out, "forwarding.destinations.0.target"), "logs.example.com");
        ck_assert_int_eq(num(out, "forwarding.destinations.0.port"), 10514);
        ck_assert_str_eq(str(out, "forwarding.destinations.0.protocol"), "tcp");
        ck_assert(!flag(out, "forwarding.destinations.0.service_active"));
        ck_assert_str_eq(str(out, "forwarding.destinations.1.target"), "2001:db8::5");
        ck_assert_str_eq(str(out, "forwarding.destinations.1.protocol"), "udp");
        ck_assert_str_eq(str(out, "forwarding.destinations.2.target"), "10.0.0.7");
        ck_assert_str_eq(str(out, "forwarding.destinations.3.via"), "systemd-journal-upload");
        ck_assert_str_eq(str(out, "forwarding.destinations.3.target"), "https://logs.example.com:19532");
        ck_assert(flag(out, "forwarding.destinations.3.service_active"));
        /* journal-upload found by its executable: comm is cut to "systemd-journal" */
        ck_assert(flag(out, "forwarding.journal_upload.running"));
        json_decref(out);
}
END_TEST

static void mkfile(const char *root, const char *rel, mode_t mode) {
        char p[512];
        FILE *f;

        snprintf(p, sizeof(p), "%s%s", root, rel);
        ck_assert_ptr_nonnull(f = fopen(p, "w"));
        fputs("Nov 28 05:00:00 host daemon: line\n", f);
        fclose(f);
        ck_assert_int_eq(chmod(p, mode), 0);
}

static void mkdir_in(const char *root, const char *rel) {
        char p[512];

        snprintf(p, sizeof(p), "%s%s", root, rel);
        ck_assert_int_eq(mkdir(p, 0755), 0);
}

/* /var/log made here with the modes a real host has; Storage=auto with
 * /var/log/journal present counts as persistent. */
START_TEST(log_file_modes) {
        char root[] = "/tmp/complyd-log-XXXXXX", cmd[128], p[512];
        json_t *out;

        ck_assert_ptr_nonnull(mkdtemp(root));
        mkdir_in(root, "/var");
        mkdir_in(root, "/var/log");
        mkdir_in(root, "/var/log/journal");
        mkdir_in(root, "/var/log/apt");
        mkfile(root, "/var/log/syslog", 0640);
        mkfile(root, "/var/log/dpkg.log", 0644);
        mkfile(root, "/var/log/wtmp", 0664);
        mkfile(root, "/var/log/apt/history.log", 0604);
        mkfile(root, "/var/log/app.log", 0666);
        snprintf(p, sizeof(p), "%s/var/log/README", root);
        ck_assert_int_eq(symlink("../../usr/share/doc/systemd/README.logs", p), 0);
        out = observe(root);
        ck_assert_int_eq(num(out, "log_files.files_checked"), 5);
        ck_assert_int_eq(num(out, "log_files.world_readable_count"), 4); /* wtmp 0664 too */
        ck_assert_int_eq(num(out, "log_files.world_writable_count"), 1);
        ck_assert_int_eq(num(out, "log_files.group_writable_count"), 2);
        ck_assert_int_eq(json_array_size(at(out, "log_files.exposed")), 4);
        ck_assert_str_eq(str(out, "log_files.exposed.0.path"), "/var/log/app.log");
        ck_assert_str_eq(str(out, "log_files.exposed.0.mode"), "0666");
        ck_assert(flag(out, "log_files.exposed.0.world_writable"));
        ck_assert_str_eq(str(out, "log_files.exposed.1.path"), "/var/log/apt/history.log");
        ck_assert_str_eq(str(out, "log_files.exposed.2.path"), "/var/log/dpkg.log");
        ck_assert_str_eq(str(out, "log_files.exposed.3.path"), "/var/log/wtmp");
        ck_assert(flag(out, "log_files.exposed.3.group_writable"));
        ck_assert(!flag(out, "log_files.exposed.3.world_writable"));
        ck_assert(flag(out, "journald.var_log_journal_exists"));
        ck_assert(flag(out, "journald.persistent"));
        ck_assert(!flag(out, "process_scan.proc_available"));
        json_decref(out);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- parsers ---- */

/* What `auditctl -l` prints (key as -F key=, watches as -w ... -k), on a
 * kernel whose /var/run is /run; then `auditctl -s`. */
START_TEST(audit_rules_auditctl_output) {
        static const char l[] =
                "-w /etc/passwd -p wa -k identity\n"
                "-w /run/faillock -p wa -k logins\n"
                "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=-1 -F key=mounts\n"
                "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -F key=time-change\n"
                "-a always,exit -F arch=b64 -F path=/etc/localtime -F perm=wa -F key=time-change\n"
                "-a always,exit -F arch=b64 -F dir=/etc/sudoers.d/ -F perm=wa -F key=scope\n";
        static const char s[] = "enabled 2\nfailure 1\npid 385\nrate_limit 0\nbacklog_limit 8192\n";
        struct audit_summary sum;
        _cleanup_json_ json_t *j = NULL;

        audit_summary_init(&sum);
        audit_rules_parse(l, sizeof(l) - 1, &sum);
        ck_assert_int_eq(sum.rules, 6);
        ck_assert_int_eq(sum.watches, 4);
        ck_assert_int_eq(sum.syscall_rules, 2);
        ck_assert_int_eq(sum.bad_lines, 0);
        ck_assert_int_eq(sum.enabled, -1);
        ck_assert_ptr_nonnull(j = audit_summary_json(&sum));
        ck_assert_str_eq(joined(j, "keys"), "identity,logins,mounts,time-change,scope");
        ck_assert(flag(j, "categories.3.covered"));            /* time_change, /etc/localtime by path= */
        ck_assert_str_eq(joined(j, "categories.2.missing"), "/var/log/lastlog"); /* /run/faillock counts */
        ck_assert_str_eq(joined(j, "categories.1.missing"), "/etc/sudoers");     /* dir=/etc/sudoers.d/ counts */
        ck_assert_int_eq(audit_status_enabled(s, sizeof(s) - 1), 2);
        ck_assert_int_eq(audit_status_enabled("No rules\n", 9), -1);
        audit_summary_init(&sum);
        audit_rules_parse("No rules\n", 9, &sum);
        ck_assert_int_eq(sum.rules, 0);
        ck_assert_int_eq(sum.bad_lines, 0);
}
END_TEST

START_TEST(ini_last_wins_in_section) {
        static const char t[] = "[Journal]\nStorage=volatile\n[Upload]\nStorage=persistent\n"
                                "[Journal]\n  Storage = persistent  \n;Storage=none\n#Storage=auto\n"
                                "Storage\n";
        char v[32];
        unsigned line = 0;

        ck_assert_int_eq(ini_lookup(t, sizeof(t) - 1, "Journal", "Storage", v, sizeof(v), &line), 1);
        ck_assert_str_eq(v, "persistent");
        ck_assert_int_eq(line, 6);
        ck_assert_int_eq(ini_lookup(t, sizeof(t) - 1, "Journal", "Compress", v, sizeof(v), &line), 0);
        ck_assert_int_eq(ini_lookup("Storage=none\n", 13, "Journal", "Storage", v, sizeof(v), &line), 0);
        ck_assert_int_eq(ini_lookup("[Journal]\nStorage=\n", 19, "Journal", "Storage", v, sizeof(v), &line), 1);
        ck_assert_str_eq(v, "");
}
END_TEST

START_TEST(rsyslog_forms) {
        static const char t[] =
                "# *.* @@commented.example.com\n"                          /* 1 */
                "module(load=\"omrelp\")\n"                                /* 2 */
                "if $msg contains '@evil' then {\n"                        /* 3 */
                "  action(type=\"omrelp\" target=\"relp.example.com\"\n"   /* 4 */
                "         port=\"2514\")\n"                                /* 5 */
                "}\n"                                                      /* 6 */
                "mail.* @mail-logs.example.com:5514\n"                     /* 7 */
                "*.* action(type=\"omfile\" file=\"/var/log/all\")\n"      /* 8 */
                "*.* action(Type=\"omfwd\" Target=\"10.1.2.3\" Protocol=\"TCP\")\n" /* 9 */
                "user.* -/var/log/user@host.log\n";                        /* 10 */
        struct fwd_dest d[8];
        size_t n = 0;

        ck_assert_int_eq(rsyslog_parse(t, sizeof(t) - 1, d, 8, &n), 3);
        ck_assert_int_eq(n, 3);
        ck_assert_str_eq(d[0].type, "omrelp");
        ck_assert_str_eq(d[0].target, "relp.example.com");
        ck_assert_int_eq(d[0].port, 2514);
        ck_assert_int_eq(d[0].line, 4);
        ck_assert_str_eq(d[1].type, "legacy");
        ck_assert_str_eq(d[1].protocol, "udp");
        ck_assert_str_eq(d[1].target, "mail-logs.example.com");
        ck_assert_int_eq(d[1].port, 5514);
        ck_assert_int_eq(d[1].line, 7);
        ck_assert_str_eq(d[2].type, "omfwd");
        ck_assert_str_eq(d[2].protocol, "tcp");
        ck_assert_int_eq(d[2].port, 514);
        ck_assert_int_eq(d[2].line, 9);
        /* more than max: counted, not stored */
        ck_assert_int_eq(rsyslog_parse(t, sizeof(t) - 1, d, 1, &n), 3);
        ck_assert_int_eq(n, 1);
        /* an action( that never closes, and garbage */
        ck_assert_int_eq(rsyslog_parse("*.* action(type=\"omfwd\" target=\"x\"", 34, d, 8, &n), 0);
        ck_assert_int_eq(rsyslog_parse("@\n@@\n@(\n*.* @[\n", 16, d, 8, &n), 0);
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void) {
        Suite *s = suite_create("probe_logging");
        TCase *tc = tcase_create("probe");

        tcase_add_test(tc, cis_host);
        tcase_add_test(tc, bare_debian);
        tcase_add_test(tc, partial_host);
        tcase_add_test(tc, log_file_modes);
        tcase_add_test(tc, audit_rules_auditctl_output);
        tcase_add_test(tc, ini_last_wins_in_section);
        tcase_add_test(tc, rsyslog_forms);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
