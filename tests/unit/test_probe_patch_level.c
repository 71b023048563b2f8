/* SPDX-License-Identifier: MIT */
/* patch_level on fixture roots (lists in every compression, default pins
 * from Release flags, RPM and unknown hosts) and its parsers directly. The
 * fixture expectations were checked against apt itself (`apt -o Dir=ROOT
 * list --upgradable`), see tests/integration/test_patch_level.py. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dpkg_status.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "util.h"
#include "../../probes/patch_level/apt_conf.h"
#include "../../probes/patch_level/apt_lists.h"
#include "../../probes/patch_level/patch_level.h"
#include "../../probes/patch_level/rpm.h"

extern const struct complyd_probe complyd_probe_patch_level;

static json_t *observe(const char *root) {
        struct complyd_probe_ctx *ctx;
        json_t *params, *out = NULL;
        char err[256];

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_patch_level, NULL, &params, err, sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_patch_level.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        return out;
}

static const char *str(json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* "name:arch=candidate[S]" for every pending update, joined by spaces. */
static void pending_summary(json_t *o, char *buf, size_t size) {
        json_t *arr = json_object_get(o, "pending_updates"), *e;
        size_t i, off = 0;

        buf[0] = '\0';
        json_array_foreach(arr, i, e)
                off += (size_t) snprintf(buf + off, size - off, "%s%s:%s=%s%s", i ? " " : "",
                                         str(e, "name"), str(e, "arch"), str(e, "candidate"),
                                         json_is_true(json_object_get(e, "security")) ? "[S]" : "");
}

static const char *const debian_roots[] = {
        FIXTURE("hosts/patch-debian-plain"), FIXTURE("hosts/patch-debian-gz"),
        FIXTURE("hosts/patch-debian-xz"), FIXTURE("hosts/patch-debian-lz4"),
};

START_TEST(debian_every_compression) {
        json_t *o = observe(debian_roots[_i]), *idx = json_object_get(o, "package_indexes"), *e;
        char buf[2048];
        size_t i;

        ck_assert_str_eq(str(o, "schema"), "complyd.patch_level.v1");
        ck_assert_str_eq(str(json_object_get(o, "os"), "id"), "debian");
        ck_assert_str_eq(str(json_object_get(o, "os"), "version_id"), "12");
        ck_assert_str_eq(str(o, "package_manager"), "dpkg");
        ck_assert(json_is_true(json_object_get(o, "supported")));
        /* 18 stanzas, one only config-files */
        ck_assert_int_eq(json_integer_value(json_object_get(o, "installed_count")), 17);
        pending_summary(o, buf, sizeof buf);
        ck_assert_str_eq(buf,
                "base-files:amd64=12.4+deb12u15 foo-tilde:amd64=1.0-1 held-pkg:amd64=1.1-1 "
                "libc6:i386=2.36-9+deb12u11[S] openssh-client:amd64=1:9.2p1-2+deb12u10[S] "
                "openssl:amd64=3.0.17-1~deb12u3[S] tzdata:all=2025c-0+deb12u1 "
                "vim:amd64=2:9.0.1378-2+deb12u2");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "pending_security_count")), 3);
        ck_assert_int_eq(json_array_size(idx), 3);
        json_array_foreach(idx, i, e) {
                ck_assert(json_is_null(json_object_get(e, "error")));
                ck_assert_int_eq(json_integer_value(json_object_get(e, "priority")), 500);
                ck_assert_int_eq(json_is_true(json_object_get(e, "security")),
                                 streq(str(e, "suite"), "oldstable-security"));
        }
        {
                static const char *const comp[] = { "none", "gzip", "xz", "lz4" };
                ck_assert_str_eq(str(json_array_get(idx, 2), "compression"), comp[_i]);
        }
        json_decref(o);
}
END_TEST

START_TEST(debian_reboot_kernel_auto_updates) {
        json_t *o = observe(FIXTURE("hosts/patch-debian-lz4")), *pk = json_object_get(o, "reboot_required_pkgs");
        json_t *au = json_object_get(o, "automatic_updates");

        ck_assert_str_eq(str(o, "running_kernel"), "6.1.0-13-amd64");
        ck_assert_str_eq(str(o, "newest_installed_kernel"), "6.1.0-18-amd64");
        ck_assert(json_is_false(json_object_get(o, "running_kernel_is_newest")));
        ck_assert(json_is_true(json_object_get(o, "reboot_required")));
        ck_assert(json_is_true(json_object_get(o, "reboot_required_file")));
        ck_assert_int_eq(json_array_size(pk), 2); /* duplicates dropped */
        ck_assert_str_eq(json_string_value(json_array_get(pk, 1)), "libc6");
        ck_assert_int_eq(json_array_size(json_object_get(o, "installed_kernels")), 2);
        ck_assert(json_is_true(json_object_get(o, "automatic_updates_enabled")));
        ck_assert_str_eq(str(au, "periodic_unattended_upgrade"), "1");
        ck_assert(json_is_true(json_object_get(au, "unattended_upgrades_installed")));
        ck_assert_str_eq(str(o, "last_index_update_source"), "/var/lib/apt/periodic/update-success-stamp");
        ck_assert_int_ge(json_integer_value(json_object_get(o, "last_index_update_age_seconds")), 0);
        json_decref(o);
}
END_TEST

START_TEST(debian_backports_pins_and_auto_off) {
        json_t *o = observe(FIXTURE("hosts/patch-debian-backports")), *idx = json_object_get(o, "package_indexes");
        char buf[512];
        size_t i;
        json_t *e;

        /* pkg-a stays on bookworm (500 > backports 100); pkg-b, installed
         * from backports, follows it (100 = 100); pkg-c ignores experimental (1) */
        pending_summary(o, buf, sizeof buf);
        ck_assert_str_eq(buf, "pkg-b:amd64=1.3-1~bpo12+1");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "pending_security_count")), 0);
        json_array_foreach(idx, i, e) {
                int prio = (int) json_integer_value(json_object_get(e, "priority"));
                if (streq(str(e, "suite"), "oldstable-backports"))
                        ck_assert_int_eq(prio, 100);
                else if (streq(str(e, "suite"), "experimental"))
                        ck_assert_int_eq(prio, 1);
                else
                        ck_assert_int_eq(prio, 500);
        }
        ck_assert(json_is_false(json_object_get(o, "automatic_updates_enabled")));
        ck_assert_str_eq(str(json_object_get(o, "automatic_updates"), "periodic_unattended_upgrade"), "0");
        ck_assert(json_is_true(json_object_get(o, "running_kernel_is_newest")));
        ck_assert(json_is_false(json_object_get(o, "reboot_required")));
        ck_assert_str_eq(str(o, "last_index_update_source"), "/var/lib/apt/lists");
        json_decref(o);
}
END_TEST

START_TEST(rpm_root_is_unsupported_not_up_to_date) {
        json_t *o = observe(FIXTURE("hosts/patch-rhel9"));

        ck_assert_str_eq(str(o, "package_manager"), "rpm");
        ck_assert(json_is_false(json_object_get(o, "supported")));
        ck_assert(json_is_null(json_object_get(o, "pending_updates")));
        ck_assert(json_is_null(json_object_get(o, "pending_security_count")));
        ck_assert_str_eq(str(o, "running_kernel"), "5.14.0-362.8.1.el9_3.x86_64");
        ck_assert_str_eq(str(json_object_get(o, "os"), "id"), "rhel");
        json_decref(o);
}
END_TEST

START_TEST(unknown_host) {
        json_t *o = observe(FIXTURE("hosts/patch-unknown"));

        ck_assert_str_eq(str(o, "package_manager"), "unknown");
        ck_assert(json_is_false(json_object_get(o, "supported")));
        ck_assert(json_is_null(json_object_get(o, "pending_updates")));
        ck_assert(json_is_null(json_object_get(o, "last_index_update_age_seconds")));
        json_decref(o);
}
END_TEST

static char *slurp(const char *path) {
        char *buf = NULL;
        ck_assert_int_eq(read_full_file(path, 1 << 20, &buf, NULL), 0);
        return buf;
}

START_TEST(rpm_recorded_output) {
        char *qa = slurp(FIXTURE("hosts/patch-rhel9.recorded/rpm-qa.txt"));
        char *cu = slurp(FIXTURE("hosts/patch-rhel9.recorded/dnf-check-update.txt"));
        char *sec = slurp(FIXTURE("hosts/patch-rhel9.recorded/dnf-updateinfo-security.txt"));
        struct complyd_probe_ctx *ctx;
        json_t *o = json_object();
        char buf[1024];

        ck_assert_int_eq(probe_ctx_new(FIXTURE("hosts/patch-rhel9"), NULL, 0, &ctx), 0);
        ck_assert_int_eq(rpm_facts(ctx, o, qa, cu, sec), 0);
        ck_assert(json_is_true(json_object_get(o, "supported")));
        ck_assert_int_eq(json_integer_value(json_object_get(o, "installed_count")), 11);
        pending_summary(o, buf, sizeof buf);
        /* the obsoleting section is not an update of kernel-core */
        ck_assert_str_eq(buf, "glibc:x86_64=2.34-83.el9_3.12[S] openssl:x86_64=1:3.0.7-25.el9_3[S] "
                              "openssl-libs:x86_64=1:3.0.7-25.el9_3[S] tzdata:noarch=2024a-1.el9");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "pending_security_count")), 3);
        ck_assert_str_eq(str(o, "newest_installed_kernel"), "5.14.0-362.13.1.el9_3.x86_64");
        ck_assert(json_is_true(json_object_get(o, "reboot_required")));
        ck_assert(json_is_false(json_object_get(o, "automatic_updates_enabled")));
        probe_ctx_free(ctx);
        json_decref(o);
        free(qa), free(cu), free(sec);
}
END_TEST

static int count_entry(void *u, const struct deb_entry *e) {
        (void) e;
        ++*(int *) u;
        return 0;
}

/* Any split of the text into two calls finds the same entries. */
START_TEST(packages_parse_any_split) {
        static const char text[] =
                "Package: a\nVersion: 1\nArchitecture: amd64\nDescription: x\n continued\n\n"
                "Package: b\nVersion: 2\nArchitecture: all\n\n"
                "Package: c\nArchitecture: amd64\n\n"               /* no version: not an entry */
                "Package: d\nVersion: 1:2~3\nArchitecture: i386";   /* no final newline */
        size_t n = sizeof text - 1;

        for (size_t cut = 0; cut <= n; cut++) {
                int entries = 0;
                struct deb_sink sink = { .entry = count_entry, .userdata = &entries };
                ssize_t used = packages_parse(text, cut, false, &sink);

                ck_assert_int_ge(used, 0);
                ck_assert_int_ge(packages_parse(text + used, n - (size_t) used, true, &sink), 0);
                ck_assert_int_eq(entries, 3);
                ck_assert_uint_eq(sink.entries, 4);
        }
}
END_TEST

static bool want_b(void *u, const char *name, size_t len) {
        (void) u;
        return len == 1 && name[0] == 'b';
}

/* Skipped stanzas are jumped over 16 bytes at a time: the blank line that
 * ends them must be found at every alignment, also across two blocks. */
START_TEST(skipped_stanzas_at_every_alignment) {
        for (size_t pad = 0; pad < 40; pad++) {
                char text[1024];
                int entries = 0, len;
                struct deb_sink sink = { .want = want_b, .entry = count_entry, .userdata = &entries };

                len = snprintf(text, sizeof text,
                               "Package: a\nDescription: %.*s\n\nPackage: b\nVersion: 1\n"
                               "Architecture: all\n\nPackage: a\nVersion: 2\n%.*s\n\n"
                               "Package: b\nVersion: 2\nArchitecture: all\n",
                               (int) pad, "0123456789012345678901234567890123456789",
                               (int) (39 - pad), "0123456789012345678901234567890123456789");
                ck_assert_int_eq(packages_parse(text, (size_t) len, true, &sink), len);
                ck_assert_int_eq(entries, 2);
                ck_assert_uint_eq(sink.entries, 4);
        }
}
END_TEST

static int keep_version(void *u, const struct deb_entry *e) {
        snprintf(u, 16, "%.*s", (int) e->version_len, e->version);
        return 0;
}

/* Once Package, Version and Architecture are seen the rest of a stanza is
 * jumped over: a later duplicate field is not taken, and the next stanza is
 * found whatever the alignment of the blank line. */
START_TEST(stanza_tail_after_the_three_fields) {
        for (size_t pad = 0; pad < 40; pad++) {
                char text[1024], version[16] = "";
                int len;
                struct deb_sink sink = { .want = want_b, .entry = keep_version, .userdata = version };

                len = snprintf(text, sizeof text,
                               "Package: b\nVersion: 1\nArchitecture: all\nDescription: %.*s\n"
                               "Version: 9\n\nPackage: b\nArchitecture: all\nVersion: 2\n",
                               (int) pad, "0123456789012345678901234567890123456789");
                ck_assert_int_eq(packages_parse(text, (size_t) len, false, &sink),
                                 (ssize_t) (strstr(text, "\n\n") + 2 - text));
                ck_assert_str_eq(version, "1");
                ck_assert_int_eq(packages_parse(text, (size_t) len, true, &sink), len);
                ck_assert_str_eq(version, "2");
                ck_assert_uint_eq(sink.entries, 3);
        }
}
END_TEST

static int sum_versions(void *u, const struct deb_entry *e) {
        *(unsigned long *) u += strtoul(e->version, NULL, 10) + 1;
        return 0;
}

/* A plain list is parsed from its mapping 256 KiB at a time: stanzas
 * across every window boundary, and one stanza longer than a window, give
 * the same entries as one parse of the whole text. */
START_TEST(plain_list_parsed_in_windows) {
        char path[] = "/tmp/complyd-plain.XXXXXX";
        size_t cap = 3u << 20, len = 0;
        char *text = malloc(cap);
        unsigned long whole = 0, mapped = 0;
        struct deb_sink a = { .entry = sum_versions, .userdata = &whole };
        struct deb_sink b = { .entry = sum_versions, .userdata = &mapped };
        int fd;

        ck_assert_ptr_nonnull(text);
        for (unsigned i = 0; len < cap - (700u << 10); i++) {
                len += (size_t) snprintf(text + len, cap - len,
                                         "Package: p%u\nVersion: %u\nArchitecture: all\n"
                                         "Description: %.*s\n\n",
                                         i, i, (int) (i % 97), "");
                if (i == 5000) { /* a stanza of 600 KiB */
                        len += (size_t) snprintf(text + len, cap - len,
                                                 "Package: big\nDescription: x\n ");
                        memset(text + len, 'x', 600u << 10); /* one continuation line */
                        len += 600u << 10;
                        len += (size_t) snprintf(text + len, cap - len, "\nVersion: 7\nArchitecture: all\n\n");
                }
        }
        ck_assert_int_eq(packages_parse(text, len, true, &a), (ssize_t) len);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, len), (ssize_t) len);
        ck_assert_int_eq(apt_list_stream(fd, LIST_PLAIN, &b), 0);
        ck_assert_uint_eq(mapped, whole);
        ck_assert_uint_eq(b.entries, a.entries);
        ck_assert_uint_gt(a.entries, 10000);
        close(fd);
        unlink(path);
        free(text);
}
END_TEST

START_TEST(truncated_lz4_is_an_error) {
        char path[] = "/tmp/complyd-lz4.XXXXXX", *data;
        size_t len;
        int fd, entries = 0;
        struct deb_sink sink = { .entry = count_entry, .userdata = &entries };

        ck_assert_int_eq(read_full_file(FIXTURE("hosts/patch-debian-lz4/var/lib/apt/lists/"
                                                "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"),
                                        1 << 20, &data, &len), 0);
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len - 12), (ssize_t) (len - 12));
        lseek(fd, 0, SEEK_SET);
        ck_assert_int_eq(apt_list_stream(fd, LIST_LZ4, &sink), -EBADMSG);
        lseek(fd, 0, SEEK_SET);
        ck_assert_int_eq(apt_list_stream(fd, LIST_GZIP, &sink), -EBADMSG); /* not gzip */
        close(fd);
        unlink(path);
        free(data);
}
END_TEST

START_TEST(release_clearsigned) {
        static const char text[] =
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
                "Origin: Debian\nLabel: Debian-Security\nSuite: oldstable-security\n"
                "Codename: bookworm-security\nNotAutomatic: no\nSHA256:\n abc 12 main/x\n"
                "-----BEGIN PGP SIGNATURE-----\n\nSuite: bogus\n-----END PGP SIGNATURE-----\n";
        struct release_info ri;

        ck_assert_int_eq(release_parse(text, sizeof text - 1, &ri), 0);
        ck_assert_str_eq(ri.suite, "oldstable-security");
        ck_assert_str_eq(ri.label, "Debian-Security");
        ck_assert(release_is_security(&ri));
        ck_assert_int_eq(release_priority(&ri), 500);
        ck_assert_int_eq(release_parse("garbage without fields", 22, &ri), -EBADMSG);
}
END_TEST

static void conf_cb(const char *key, const char *value, void *u) {
        if (!strcasecmp(key, "APT::Periodic::Unattended-Upgrade"))
                snprintf(u, 32, "%s", value);
}

START_TEST(apt_conf_scopes_and_comments) {
        static const char text[] =
                "// APT::Periodic::Unattended-Upgrade \"9\";\n"
                "/* APT::Periodic::Unattended-Upgrade \"8\"; */\n"
                "# APT::Periodic::Unattended-Upgrade \"7\";\n"
                "APT::Periodic::Unattended-Upgrade \"1\";\n"
                "APT { Periodic { Update-Package-Lists \"1\"; Unattended-Upgrade \"0\"; }; };\n"
                "Unattended-Upgrade::Origins-Pattern { \"origin=Debian\"; };\n";
        char v[32] = "";

        ck_assert_int_eq(apt_conf_parse(text, sizeof text - 1, conf_cb, v), 3);
        ck_assert_str_eq(v, "0"); /* the nested, later value wins */
        ck_assert_int_eq(apt_conf_parse("A { B \"1\";", 10, conf_cb, v), -EBADMSG);
}
END_TEST

START_TEST(dpkg_status_only_installed) {
        static const char text[] =
                "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n"
                "Package: b\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n\n"
                "Package: c\nStatus: install reinstreq half-installed\nArchitecture: amd64\nVersion: 1\n\n"
                "Package: dpkg\nStatus: hold ok installed\nArchitecture: arm64\nVersion: 1.21.22\n";
        struct pkgdb db = { 0 };

        ck_assert_int_eq(dpkg_status_parse(text, sizeof text - 1, &db), 2);
        ck_assert_ptr_nonnull(pkgdb_find(&db, "a", 1));
        ck_assert_ptr_null(pkgdb_find(&db, "b", 1));
        ck_assert_str_eq(db.native_arch, "arm64");
        pkgdb_free(&db);
}
END_TEST

/* Once a status stanza's four fields are seen, the rest (a long
 * Description) is jumped over; the next stanza is found whatever the
 * alignment of the blank line, and field names match in any case. */
START_TEST(dpkg_status_tail_jumped) {
        for (size_t pad = 0; pad < 40; pad++) {
                char text[1024];
                struct pkgdb db = { 0 };
                int len = snprintf(text, sizeof text,
                                   "Package: a\nstatus: install ok installed\nArchitecture: all\n"
                                   "VERSION: 1\nDescription: x\n %.*s\n\n"
                                   "Package: b\nStatus: install ok installed\nArchitecture: all\n"
                                   "Version: 2\n",
                                   (int) pad, "0123456789012345678901234567890123456789");

                ck_assert_int_eq(dpkg_status_parse(text, (size_t) len, &db), 2);
                ck_assert_str_eq(pkgdb_installed_version(&db, "a"), "1");
                ck_assert_str_eq(pkgdb_installed_version(&db, "b"), "2");
                pkgdb_free(&db);
        }
}
END_TEST

/* What the probes ask of dpkg (dpkg_status_load, pkgdb_installed_version)
 * on a Debian fixture root and on one without dpkg. */
START_TEST(dpkg_status_load_roots) {
        struct complyd_probe_ctx *ctx;
        struct pkgdb db = { 0 };

        ck_assert_int_eq(probe_ctx_new(FIXTURE("hosts/patch-debian-plain"), NULL, 0, &ctx), 0);
        /* 18 stanzas, libold is only "deinstall ok config-files" */
        ck_assert_int_eq(dpkg_status_load(ctx, &db), 17);
        ck_assert_str_eq(pkgdb_installed_version(&db, "base-files"), "12.4+deb12u11");
        ck_assert_ptr_null(pkgdb_installed_version(&db, "libold"));
        ck_assert_ptr_null(pkgdb_installed_version(&db, "base-file"));
        pkgdb_free(&db);
        probe_ctx_free(ctx);

        ck_assert_int_eq(probe_ctx_new(FIXTURE("hosts/patch-rhel9"), NULL, 0, &ctx), 0);
        ck_assert_int_eq(dpkg_status_load(ctx, &db), -ENOENT);
        ck_assert_uint_eq(db.n, 0);
        ck_assert_ptr_null(pkgdb_installed_version(&db, "bash"));
        probe_ctx_free(ctx);
}
END_TEST

START_TEST(rpm_parsers_skip_garbage) {
        static const char junk[] = "\x01\x02 Sec x-y.z\n\t\t\n.\n-1.a b\nfoo.x86_64 notaversion repo\n";

        ck_assert_int_eq(rpm_qa_parse(junk, sizeof junk - 1, NULL, NULL), 0);
        ck_assert_int_eq(dnf_check_update_parse(junk, sizeof junk - 1, NULL, NULL), 0);
        ck_assert_int_eq(dnf_updateinfo_parse(junk, sizeof junk - 1, NULL, NULL), 0);
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void) {
        Suite *s = suite_create("probe_patch_level");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 30);
        tcase_add_loop_test(tc, debian_every_compression, 0, 4);
        tcase_add_test(tc, debian_reboot_kernel_auto_updates);
        tcase_add_test(tc, debian_backports_pins_and_auto_off);
        tcase_add_test(tc, rpm_root_is_unsupported_not_up_to_date);
        tcase_add_test(tc, unknown_host);
        tcase_add_test(tc, rpm_recorded_output);
        tcase_add_test(tc, packages_parse_any_split);
        tcase_add_test(tc, skipped_stanzas_at_every_alignment);
        tcase_add_test(tc, stanza_tail_after_the_three_fields);
        tcase_add_test(tc, plain_list_parsed_in_windows);
        tcase_add_test(tc, truncated_lz4_is_an_error);
        tcase_add_test(tc, release_clearsigned);
        tcase_add_test(tc, apt_conf_scopes_and_comments);
        tcase_add_test(tc, dpkg_status_only_installed);
        tcase_add_test(tc, dpkg_status_tail_jumped);
        tcase_add_test(tc, dpkg_status_load_roots);
        tcase_add_test(tc, rpm_parsers_skip_garbage);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
