/* SPDX-License-Identifier: MIT */
/* time_sync: the probe on fixture roots shaped like Debian 12 hosts
 * (systemd-timesyncd as installed, timesyncd with drop-ins, chrony with a
 * sources.d file, chrony and timesyncd both enabled, timesyncd masked,
 * ntpsec, nothing) — configuration files taken from the Debian packages —
 * and its parsers on real and broken input. */
#include "cleanup.h"
#include "dpkg_status.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/time_sync/time_sync.h"

extern const struct complyd_probe complyd_probe_time_sync;

static json_t *observe(const char *root) {
        json_t *params, *out = NULL;
        char err[256];
        struct complyd_probe_ctx *ctx;

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_time_sync, NULL, &params, err,
                                              sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_time_sync.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.time_sync.v1");
        return out;
}

static json_t *dmn(json_t *o, const char *name, const char *key) {
        return json_object_get(json_object_get(json_object_get(o, "daemons"), name), key);
}

/* An array of strings, or of objects' "host", joined with ','. */
static void list_is(json_t *arr, const char *want) {
        char buf[512] = "";
        size_t i, off = 0;
        json_t *v;

        ck_assert_msg(json_is_array(arr), "not an array");
        json_array_foreach(arr, i, v)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "",
                                         json_is_object(v) ? json_string_value(json_object_get(v, "host"))
                                                           : json_string_value(v));
        ck_assert_str_eq(buf, want);
}

START_TEST(debian_timesyncd_default) {
        json_t *o = observe(FIXTURE("hosts/time-debian-timesyncd"));

        ck_assert(json_is_null(json_object_get(o, "clock")));
        ck_assert(json_is_true(json_object_get(o, "dpkg_status_read")));
        list_is(json_object_get(o, "enabled_daemons"), "systemd-timesyncd");
        ck_assert(json_is_true(dmn(o, "systemd-timesyncd", "installed")));
        ck_assert_str_eq(json_string_value(dmn(o, "systemd-timesyncd", "enabled_unit")),
                         "systemd-timesyncd.service");
        ck_assert(json_is_false(dmn(o, "systemd-timesyncd", "sources_configured")));
        ck_assert(json_is_true(dmn(o, "systemd-timesyncd", "uses_builtin_servers")));
        ck_assert(json_is_null(json_object_get(dmn(o, "systemd-timesyncd", "timesyncd"),
                                               "fallback_ntp")));
        /* ntp-doc is "deinstall ok config-files": not ntp, and not installed */
        ck_assert(json_is_false(dmn(o, "ntpd", "installed")));
        ck_assert(json_is_false(dmn(o, "chrony", "installed")));
        json_decref(o);
}
END_TEST

/* Drop-ins: /etc's 10-corp.conf hides /usr/lib's of the same name;
 * FallbackNTP= with an empty assignment resets the list. */
START_TEST(timesyncd_dropins) {
        json_t *o = observe(FIXTURE("hosts/time-timesyncd-configured"));
        json_t *t = dmn(o, "systemd-timesyncd", "timesyncd");

        list_is(json_object_get(t, "ntp"), "ntp1.corp.example,ntp2.corp.example");
        list_is(json_object_get(t, "fallback_ntp"), "time2.vendor.example");
        list_is(dmn(o, "systemd-timesyncd", "config_files"),
                "/etc/systemd/timesyncd.conf,/etc/systemd/timesyncd.conf.d/10-corp.conf,"
                "/usr/lib/systemd/timesyncd.conf.d/50-vendor.conf");
        ck_assert(json_is_true(dmn(o, "systemd-timesyncd", "sources_configured")));
        ck_assert(json_is_false(dmn(o, "systemd-timesyncd", "uses_builtin_servers")));
        json_decref(o);
}
END_TEST

START_TEST(chrony_sourcedir) {
        json_t *o = observe(FIXTURE("hosts/time-chrony"));
        json_t *src = dmn(o, "chrony", "sources");

        list_is(json_object_get(o, "enabled_daemons"), "chrony");
        list_is(src, "2.debian.pool.ntp.org,ntp1.corp.example,10.0.0.123");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(src, 0), "type")), "pool");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(src, 1), "options")),
                         "iburst prefer");
        ck_assert_str_eq(json_string_value(dmn(o, "chrony", "package")), "chrony");
        ck_assert_str_eq(json_string_value(dmn(o, "chrony", "binary")), "/usr/sbin/chronyd");
        list_is(dmn(o, "chrony", "config_files"),
                "/etc/chrony/chrony.conf,/etc/chrony/sources.d/corp.sources");
        json_decref(o);
}
END_TEST

START_TEST(two_daemons_and_masked) {
        json_t *o = observe(FIXTURE("hosts/time-two-daemons"));

        list_is(json_object_get(o, "enabled_daemons"), "chrony,systemd-timesyncd");
        json_decref(o);
        o = observe(FIXTURE("hosts/time-chrony-timesyncd-masked"));
        list_is(json_object_get(o, "enabled_daemons"), "chrony");
        ck_assert(json_is_true(dmn(o, "systemd-timesyncd", "masked")));
        ck_assert(json_is_false(dmn(o, "systemd-timesyncd", "enabled")));
        json_decref(o);
}
END_TEST

START_TEST(ntpsec_and_none) {
        json_t *o = observe(FIXTURE("hosts/time-ntpsec"));

        list_is(json_object_get(o, "enabled_daemons"), "ntpd");
        ck_assert_str_eq(json_string_value(dmn(o, "ntpd", "package")), "ntpsec");
        ck_assert_str_eq(json_string_value(dmn(o, "ntpd", "enabled_unit")), "ntpsec.service");
        list_is(dmn(o, "ntpd", "sources"), "0.debian.pool.ntp.org,1.debian.pool.ntp.org,"
                                              "2.debian.pool.ntp.org,3.debian.pool.ntp.org");
        json_decref(o);
        o = observe(FIXTURE("hosts/time-none"));
        list_is(json_object_get(o, "enabled_daemons"), "");
        ck_assert(json_is_false(dmn(o, "systemd-timesyncd", "installed")));
        ck_assert(json_is_null(dmn(o, "chrony", "running")));
        json_decref(o);
}
END_TEST

/* The live host: the clock facts are there (adjtimex always answers) and
 * synchronized agrees with the status bits reported. */
START_TEST(live_clock) {
        json_t *o = observe("/");
        json_t *c = json_object_get(o, "clock");
        json_int_t status = json_integer_value(json_object_get(c, "status"));

        ck_assert(json_is_object(c));
        ck_assert(json_is_boolean(json_object_get(c, "synchronized")));
        ck_assert(json_is_true(json_object_get(c, "unsync_flag")) == ((status & 0x40) != 0));
        if (status & 0x40)
                ck_assert(json_is_false(json_object_get(c, "synchronized")));
        json_decref(o);
}
END_TEST

START_TEST(parse_sources) {
        static const char text[] = "# pool commented\n! server bang.example\n"
                                   "server  a.example   iburst  \n"
                                   "\tpool b.example iburst maxsources 4\n"
                                   "peer c.example\nserver\nServerX d\n"
                                   "confdir /etc/chrony/conf.d /etc/more\n"
                                   "sourcedir /run/chrony-dhcp\ninclude /etc/chrony/x/*.conf\n";
        json_t *src = json_array(), *dirs = json_pack("{s:[], s:[], s:[]}", "confdir", "sourcedir",
                                                       "include");

        ck_assert_int_eq(ts_sources_parse(text, strlen(text), src, dirs), 3);
        list_is(src, "a.example,b.example,c.example");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(src, 0), "options")), "iburst");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(src, 1), "options")),
                         "iburst maxsources 4");
        list_is(json_object_get(dirs, "confdir"), "/etc/chrony/conf.d,/etc/more");
        list_is(json_object_get(dirs, "sourcedir"), "/run/chrony-dhcp");
        list_is(json_object_get(dirs, "include"), "/etc/chrony/x/*.conf");
        json_decref(src);
        json_decref(dirs);
}
END_TEST

START_TEST(parse_timesyncd) {
        static const char a[] = "[Time]\nNTP=a b\n[Other]\nNTP=ignored\n[Time]\nNTP = c\n";
        static const char b[] = "[Time]\nNTP=\nFallbackNTP=f\n";
        struct ts_timesyncd st = { 0 };

        ck_assert_int_eq(ts_timesyncd_parse(a, strlen(a), &st), 0);
        list_is(st.ntp, "a,b,c");
        ck_assert_ptr_null(st.fallback);
        ck_assert_int_eq(ts_timesyncd_parse(b, strlen(b), &st), 0);
        list_is(st.ntp, "");
        list_is(st.fallback, "f");
        ts_timesyncd_done(&st);
}
END_TEST

/* The packages the probe looks for, as the shared dpkg parser answers:
 * removed (config-files) and half-installed ones are not installed, held
 * ones are, and so is the last stanza without a final newline. */
START_TEST(dpkg_time_packages) {
        static const char text[] =
                "Package: chrony\nStatus: deinstall ok config-files\nArchitecture: amd64\n"
                "Version: 4.3-2+deb12u1\n\n"
                "Package: ntpsec\nStatus: hold ok installed\nArchitecture: amd64\n"
                "Version: 1.2.2+dfsg1-1+deb12u1\n\n"
                "Package: ntp\nArchitecture: all\nStatus: install ok half-installed\n"
                "Version: 1:4.2.8p15+dfsg-2~1.2.2+dfsg1-1+deb12u1\n\n"
                "Package: systemd-timesyncd\nStatus: install ok installed\nArchitecture: amd64\n"
                "Version: 252.33-1~deb12u1";
        struct pkgdb db = { 0 };

        ck_assert_int_eq(dpkg_status_parse(text, strlen(text), &db), 2);
        ck_assert_ptr_null(pkgdb_installed_version(&db, "chrony"));
        ck_assert_str_eq(pkgdb_installed_version(&db, "ntpsec"), "1.2.2+dfsg1-1+deb12u1");
        ck_assert_ptr_null(pkgdb_installed_version(&db, "ntp"));
        ck_assert_str_eq(pkgdb_installed_version(&db, "systemd-timesyncd"), "252.33-1~deb12u1");
        ck_assert_ptr_null(pkgdb_installed_version(&db, "x"));
        pkgdb_free(&db);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_time_sync");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, debian_timesyncd_default);
        tcase_add_test(tc, timesyncd_dropins);
        tcase_add_test(tc, chrony_sourcedir);
        tcase_add_test(tc, two_daemons_and_masked);
        tcase_add_test(tc, ntpsec_and_none);
        tcase_add_test(tc, live_clock);
        tcase_add_test(tc, parse_sources);
        tcase_add_test(tc, parse_timesyncd);
        tcase_add_test(tc, dpkg_time_packages);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
