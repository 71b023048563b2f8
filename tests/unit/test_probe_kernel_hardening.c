/* SPDX-License-Identifier: MIT */
/* kernel_hardening: the probe on fixture roots shaped like a hardened
 * Debian host, a Debian Docker host with defaults, RHEL 9 with SELinux
 * enforcing and permissive; and its parsers on real and broken input. */
#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/kernel_hardening/kernel_hardening.h"
#include "../../probes/kernel_hardening/sysctl_conf.h"

extern const struct complyd_probe complyd_probe_kernel_hardening;

/* Runs the probe on root with params (NULL = defaults); the output object. */
static json_t *observe(const char *root, json_t *overrides) {
        json_t *params, *out = NULL;
        char err[256];
        struct complyd_probe_ctx *ctx;

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_kernel_hardening, overrides, &params,
                                              err, sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_kernel_hardening.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")),
                         "complyd.kernel_hardening.v1");
        return out;
}

static json_t *at(json_t *o, const char *a, const char *b) {
        json_t *v = json_object_get(o, a);
        return b ? json_object_get(v, b) : v;
}

static json_int_t sysctl(json_t *o, const char *name) {
        json_t *v = at(o, "sysctl", name);
        ck_assert_msg(json_is_integer(v), "%s is not an integer", name);
        return json_integer_value(v);
}

/* The names in an array of strings, joined with ','. */
static void strings_are(json_t *arr, const char *want) {
        char buf[256] = "";
        size_t i, off = 0;
        json_t *s;

        json_array_foreach(arr, i, s)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "," : "",
                                         json_string_value(s));
        ck_assert_str_eq(buf, want);
}

START_TEST(hardened_debian) {
        json_t *o = observe(FIXTURE("hosts/kernel-debian-hardened"), NULL);

        ck_assert_int_eq(sysctl(o, "kernel.randomize_va_space"), 2);
        ck_assert_int_eq(sysctl(o, "kernel.kptr_restrict"), 2);
        ck_assert_int_eq(sysctl(o, "kernel.yama.ptrace_scope"), 1);
        ck_assert_int_eq(sysctl(o, "net.ipv4.conf.all.accept_redirects"), 0);
        ck_assert_int_eq(sysctl(o, "net.ipv6.conf.default.accept_ra"), 0);
        ck_assert(json_is_true(at(o, "apparmor", "enabled")));
        ck_assert_int_eq(json_integer_value(at(o, "apparmor", "profiles")), 12);
        ck_assert_int_eq(json_integer_value(at(o, "apparmor", "enforce")), 11);
        ck_assert_int_eq(json_integer_value(at(o, "apparmor", "complain")), 1);
        ck_assert(json_is_true(at(o, "mac", "enforcing")));
        ck_assert_str_eq(json_string_value(at(o, "mac", "module")), "apparmor");
        ck_assert_str_eq(json_string_value(at(o, "selinux", "mode")), "disabled");
        strings_are(at(o, "lsm", NULL), "lockdown,capability,landlock,yama,apparmor");
        ck_assert(json_is_true(at(o, "secure_boot", "efi")));
        ck_assert(json_is_true(at(o, "secure_boot", "enabled")));
        ck_assert(json_is_false(at(o, "secure_boot", "setup_mode")));
        ck_assert(json_is_true(at(o, "modules", "supported")));
        ck_assert_int_eq(json_integer_value(at(o, "modules", "loaded_count")), 11);
        strings_are(at(o, "modules", "of_note_loaded"), "");
        json_decref(o);
}
END_TEST

/* settings[name] of sysctl_config: "value@file:line", or "null". */
static void configured_is(json_t *o, const char *name, const char *want) {
        json_t *s = json_object_get(at(o, "sysctl_config", "settings"), name);
        char buf[256];

        if (json_is_null(s))
                snprintf(buf, sizeof buf, "null");
        else
                snprintf(buf, sizeof buf, "%lld@%s:%lld",
                         (long long) json_integer_value(json_object_get(s, "value")),
                         json_string_value(json_object_get(s, "file")),
                         (long long) json_integer_value(json_object_get(s, "line")));
        ck_assert_str_eq(buf, want);
}

/* The hardened fixture's sysctl.d: a file in /etc masking one of
 * /usr/lib (a link to /dev/null), the files applied by name across
 * directories, an explicit key winning over a glob in either order, a key
 * written with '/', a "-" key, and a line that is not an assignment. */
START_TEST(sysctl_d_as_systemd_applies_it) {
        json_t *o = observe(FIXTURE("hosts/kernel-debian-hardened"), NULL), *e;

        strings_are(at(o, "sysctl_config", "files"),
                    "/etc/sysctl.d/60-cis-hardening.conf,/usr/lib/sysctl.d/99-protect-links.conf,"
                    "/etc/sysctl.d/99-sysctl.conf");
        configured_is(o, "kernel.randomize_va_space", "2@/etc/sysctl.d/60-cis-hardening.conf:4");
        configured_is(o, "kernel.dmesg_restrict", "1@/etc/sysctl.d/60-cis-hardening.conf:5");
        configured_is(o, "net.ipv4.conf.all.rp_filter", "2@/etc/sysctl.d/60-cis-hardening.conf:11");
        configured_is(o, "net.ipv4.conf.default.rp_filter", "1@/etc/sysctl.d/60-cis-hardening.conf:12");
        configured_is(o, "net.ipv4.tcp_syncookies", "1@/etc/sysctl.d/60-cis-hardening.conf:14");
        configured_is(o, "kernel.yama.ptrace_scope", "2@/etc/sysctl.d/60-cis-hardening.conf:15");
        configured_is(o, "fs.protected_regular", "2@/usr/lib/sysctl.d/99-protect-links.conf:9");
        configured_is(o, "kernel.kptr_restrict", "null");
        ck_assert_uint_eq(json_array_size(at(o, "sysctl_config", "errors")), 1);
        e = json_array_get(at(o, "sysctl_config", "errors"), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(e, "line")), 16);
        ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "not an assignment: no '='");
        json_decref(o);
}
END_TEST

static int keep_line(const struct kh_sysctl_line *l, void *u) {
        char *out = u;
        size_t n = strlen(out);

        snprintf(out + n, 512 - n, "%u:%s%s=%.*s%s;", l->line, l->ignore_failure ? "-" : "",
                 l->error ? "!" : l->key, (int) l->value_len, l->value ? l->value : "",
                 l->glob ? "(glob)" : "");
        return 0;
}

/* The parser alone: blanks, comments (# and ;), CRLF, '/' keys (the first
 * separator decides), globs, empty values and bad lines. */
START_TEST(parse_sysctl_conf) {
        static const char text[] =
                "  # comment\n; comment\n\n a.b = 1 \r\n-kernel/core_pattern = /tmp/a.b\n"
                "net.ipv4.conf.eth0/1.rp_filter=2\nx.*.y = 3\nk.v =\n= 4\nnoequals\n";
        char out[512] = "";

        ck_assert_int_eq(kh_sysctl_conf_parse(text, sizeof text - 1, keep_line, out), 0);
        ck_assert_str_eq(out, "4:a.b=1;5:-kernel.core_pattern=/tmp/a.b;6:net.ipv4.conf.eth0/1.rp_filter=2;"
                              "7:x.*.y=3(glob);8:k.v=;9:!=;10:!=;");
}
END_TEST

/* Docker host: forwarding on, ASLR partial, AppArmor only complaining,
 * usb_storage/squashfs/sctp loaded (reported as the parameter spells them),
 * Secure Boot off. */
START_TEST(docker_host_defaults) {
        json_t *o = observe(FIXTURE("hosts/kernel-docker-host"), NULL);

        ck_assert_int_eq(sysctl(o, "net.ipv4.ip_forward"), 1);
        ck_assert_int_eq(sysctl(o, "net.ipv6.conf.all.forwarding"), 1);
        ck_assert_int_eq(sysctl(o, "kernel.randomize_va_space"), 1);
        ck_assert_int_eq(sysctl(o, "net.ipv4.tcp_syncookies"), 0);
        ck_assert_int_eq(json_integer_value(at(o, "apparmor", "enforce")), 0);
        ck_assert_int_eq(json_integer_value(at(o, "apparmor", "complain")), 5);
        ck_assert(json_is_false(at(o, "mac", "enforcing")));
        ck_assert(json_is_null(at(o, "mac", "module")));
        ck_assert(json_is_false(at(o, "secure_boot", "enabled")));
        strings_are(at(o, "modules", "of_note_loaded"), "usb-storage,squashfs,sctp");
        json_decref(o);
}
END_TEST

START_TEST(rhel_selinux_enforcing) {
        json_t *o = observe(FIXTURE("hosts/kernel-rhel9-selinux"), NULL);

        ck_assert_str_eq(json_string_value(at(o, "selinux", "mode")), "enforcing");
        ck_assert_str_eq(json_string_value(at(o, "selinux", "config_mode")), "enforcing");
        ck_assert_str_eq(json_string_value(at(o, "selinux", "config_type")), "targeted");
        ck_assert(json_is_true(at(o, "mac", "enforcing")));
        ck_assert_str_eq(json_string_value(at(o, "mac", "module")), "selinux");
        /* no apparmor module directory, but /sys/module exists: not enabled */
        ck_assert(json_is_false(at(o, "apparmor", "enabled")));
        ck_assert(json_is_null(at(o, "apparmor", "profiles")));
        ck_assert(json_is_false(at(o, "secure_boot", "efi")));
        ck_assert(json_is_null(at(o, "secure_boot", "enabled")));
        ck_assert_int_eq(sysctl(o, "kernel.dmesg_restrict"), 0);
        json_decref(o);
}
END_TEST

START_TEST(selinux_permissive_not_enforcing) {
        json_t *o = observe(FIXTURE("hosts/kernel-selinux-permissive"), NULL);

        ck_assert_str_eq(json_string_value(at(o, "selinux", "mode")), "permissive");
        ck_assert_str_eq(json_string_value(at(o, "selinux", "config_mode")), "permissive");
        ck_assert(json_is_false(at(o, "mac", "enforcing")));
        json_decref(o);
}
END_TEST

/* extra_sysctls: a dotted name, a path with '/' whose component has a dot
 * (an interface like eth0.100), a missing one (null) and a tab-separated
 * value kept as text; names escaping /proc/sys are reported null. */
START_TEST(extra_sysctls) {
        json_t *ov = json_pack("{s:[s,s,s,s]}", "extra_sysctls", "net.ipv4.ip_local_port_range",
                               "kernel/osrelease", "net.ipv4.nonexistent", "../../etc/passwd");
        json_t *o = observe(FIXTURE("hosts/kernel-debian-hardened"), ov);

        ck_assert_str_eq(json_string_value(at(o, "sysctl", "net.ipv4.ip_local_port_range")),
                         "32768\t60999");
        ck_assert_str_eq(json_string_value(at(o, "sysctl", "kernel/osrelease")), "6.1.0-28-amd64");
        ck_assert(json_is_null(at(o, "sysctl", "net.ipv4.nonexistent")));
        ck_assert_ptr_nonnull(at(o, "sysctl", "../../etc/passwd"));
        ck_assert(json_is_null(at(o, "sysctl", "../../etc/passwd")));
        json_decref(ov);
        json_decref(o);
}
END_TEST

/* An empty root (a mounted image without /proc and /sys): every fact is
 * unknown, not "off". */
START_TEST(empty_root_unknown) {
        char dir[] = "/tmp/kh-empty-XXXXXX";
        json_t *o;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        o = observe(dir, NULL);
        ck_assert(json_is_false(at(o, "proc_sys_readable", NULL)));
        ck_assert(json_is_null(at(o, "sysctl", "kernel.randomize_va_space")));
        ck_assert(json_is_null(at(o, "apparmor", "enabled")));
        ck_assert(json_is_null(at(o, "modules", "supported")));
        ck_assert(json_is_null(at(o, "lsm", NULL)));
        ck_assert(json_is_false(at(o, "mac", "enforcing")));
        json_decref(o);
        rmdir(dir);
}
END_TEST

START_TEST(parse_sysctl_values) {
        json_t *v;

        v = kh_sysctl_value("2\n", 2);
        ck_assert(json_is_integer(v) && json_integer_value(v) == 2);
        json_decref(v);
        v = kh_sysctl_value("-1\n", 3);
        ck_assert(json_is_integer(v) && json_integer_value(v) == -1);
        json_decref(v);
        v = kh_sysctl_value("4\t4\t1\t7\n", 8);
        ck_assert_str_eq(json_string_value(v), "4\t4\t1\t7");
        json_decref(v);
        v = kh_sysctl_value("", 0);
        ck_assert_str_eq(json_string_value(v), "");
        json_decref(v);
        v = kh_sysctl_value("\xff\xfe", 2);
        ck_assert(json_is_null(v));
        json_decref(v);
        v = kh_sysctl_value("99999999999999999999999\n", 24);
        ck_assert(json_is_string(v));
        json_decref(v);
}
END_TEST

START_TEST(parse_apparmor_profiles) {
        static const char text[] = "/usr/sbin/chronyd (enforce)\n"
                                   "docker-default (enforce)\n"
                                   "/usr/bin/man (complain)\n"
                                   "unconfined_thing (unconfined)\n"
                                   "k (kill)\n"
                                   "weird name (with) parens (enforce)\n"
                                   "garbage line\n"
                                   "(enforce)\n"
                                   "\n";
        struct kh_apparmor_counts c;

        ck_assert_uint_eq(kh_apparmor_profiles(text, strlen(text), &c), 8);
        ck_assert_uint_eq(c.enforce, 3);
        ck_assert_uint_eq(c.complain, 1);
        ck_assert_uint_eq(c.unconfined, 1);
        ck_assert_uint_eq(c.kill, 1);
        ck_assert_uint_eq(c.other, 2);
}
END_TEST

static int count_mod(const char *name, size_t len, void *userdata) {
        char buf[64];
        kh_module_name_normalize(name, len, buf, sizeof(buf));
        if (streq(buf, "usb_storage"))
                ++*(int *) userdata;
        return 0;
}

START_TEST(parse_proc_modules) {
        static const char text[] = "usb_storage 81920 1 uas, Live 0x0000000000000000\n"
                                   "uas 32768 0 - Live 0x0000000000000000\n"
                                   "\n"
                                   " leading-space 1 0 - Live 0x0\n"
                                   "ext4 987136 1 - Live 0x0000000000000000";
        int found = 0;

        ck_assert_int_eq(kh_proc_modules(text, strlen(text), count_mod, &found), 3);
        ck_assert_int_eq(found, 1);
}
END_TEST

START_TEST(parse_kv_and_efivar) {
        static const char cfg[] = "# SELINUX=disabled\nSELINUX=permissive\n  SELINUX=\"enforcing\"  \n"
                                  "SELINUXTYPE=targeted\nSELINUXX=no\n";
        char *v = NULL;

        ck_assert_int_eq(kh_kv_value(cfg, strlen(cfg), "SELINUX", &v), 1);
        ck_assert_str_eq(v, "enforcing");
        free(v);
        ck_assert_int_eq(kh_kv_value(cfg, strlen(cfg), "MISSING", &v), 0);
        ck_assert_int_eq(kh_efivar_bool("\x06\0\0\0\x01", 5), 1);
        ck_assert_int_eq(kh_efivar_bool("\x06\0\0\0\0", 5), 0);
        ck_assert_int_eq(kh_efivar_bool("\x06\0\0", 3), -EINVAL);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_kernel_hardening");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, hardened_debian);
        tcase_add_test(tc, docker_host_defaults);
        tcase_add_test(tc, rhel_selinux_enforcing);
        tcase_add_test(tc, selinux_permissive_not_enforcing);
        tcase_add_test(tc, extra_sysctls);
        tcase_add_test(tc, empty_root_unknown);
        tcase_add_test(tc, parse_sysctl_values);
        tcase_add_test(tc, parse_apparmor_profiles);
        tcase_add_test(tc, parse_proc_modules);
        tcase_add_test(tc, parse_kv_and_efivar);
        tcase_add_test(tc, sysctl_d_as_systemd_applies_it);
        tcase_add_test(tc, parse_sysctl_conf);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
