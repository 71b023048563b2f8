/* SPDX-License-Identifier: MIT */
/* The ssh probe on fixture roots (hardened, weak, Match re-enabling root,
 * no sshd), its weak-algorithm table and banner helpers, and the shared
 * parser's sshd -T printing rules that the oracle (tests/integration/
 * test_ssh.py) verified against sshd itself. */
#include <string.h>

#include "../../probes/ssh/ssh.h"
#include "cleanup.h"
#include "dpkg_status.h"
#include "probe_ctx.h"
#include "sshd_config.h"
#include "testutil.h"

extern const struct complyd_probe complyd_probe_ssh;

static json_t *observe(const char *root) {
        struct complyd_probe_ctx *ctx;
        json_t *params = NULL, *out = NULL;
        char err[256];

        ck_assert_int_ge(probe_params_resolve(&complyd_probe_ssh, NULL, &params, err, sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_ssh.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_ptr_nonnull(out);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.ssh.v1");
        return out;
}

static const char *eff(json_t *o, const char *key) {
        json_t *v = json_object_get(json_object_get(o, "effective"), key);
        ck_assert_msg(json_is_string(v), "effective.%s is not a string", key);
        return json_string_value(v);
}

/* Whether weak_algorithms lists name under keyword. */
static bool weak(json_t *o, const char *keyword, const char *name) {
        json_t *w;
        size_t i;

        json_array_foreach(json_object_get(o, "weak_algorithms"), i, w)
                if (streq(json_string_value(json_object_get(w, "keyword")), keyword) &&
                    streq(json_string_value(json_object_get(w, "algorithm")), name))
                        return true;
        return false;
}

START_TEST(hardened_host) {
        json_t *o = observe(FIXTURE("hosts/ssh-hardened"));

        ck_assert(json_is_true(json_object_get(o, "installed")));
        ck_assert_str_eq(json_string_value(json_object_get(o, "binary")), "/usr/sbin/sshd");
        ck_assert_str_eq(eff(o, "permitrootlogin"), "no");
        ck_assert_str_eq(eff(o, "passwordauthentication"), "no");
        ck_assert_str_eq(eff(o, "x11forwarding"), "yes"); /* Debian's main file */
        ck_assert_str_eq(eff(o, "maxauthtries"), "4");
        ck_assert_str_eq(eff(o, "clientaliveinterval"), "15");
        ck_assert_int_eq(json_array_size(json_object_get(o, "weak_algorithms")), 0);
        ck_assert_int_eq(json_array_size(json_object_get(o, "config_errors")), 0);
        ck_assert_int_eq(json_array_size(json_object_get(o, "config_files")), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "banner"), "file")),
                         "/etc/issue.net");
        ck_assert(json_is_true(json_object_get(json_object_get(o, "banner"), "exists")));
        /* DebianBanner no: the identification string hides the Debian revision */
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "protocol"),
                                                           "identification")),
                         "SSH-2.0-OpenSSH_9.2p1");
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "protocol"),
                                                           "package_version")),
                         "1:9.2p1-2+deb12u6");
        json_decref(o);
}
END_TEST

START_TEST(weak_host) {
        json_t *o = observe(FIXTURE("hosts/ssh-weak"));
        json_t *w;
        size_t i;

        ck_assert_str_eq(eff(o, "permitrootlogin"), "yes");
        ck_assert_str_eq(eff(o, "permitemptypasswords"), "yes");
        /* "+" appends to the compiled-in default list */
        ck_assert(strstr(eff(o, "ciphers"), "aes256-gcm@openssh.com,aes128-cbc,3des-cbc"));
        ck_assert(weak(o, "ciphers", "aes128-cbc"));
        ck_assert(weak(o, "ciphers", "3des-cbc"));
        ck_assert(weak(o, "macs", "hmac-md5"));
        ck_assert(weak(o, "macs", "hmac-sha1")); /* in OpenSSH's own default list */
        ck_assert(weak(o, "macs", "umac-64-etm@openssh.com"));
        ck_assert(weak(o, "kexalgorithms", "diffie-hellman-group1-sha1"));
        ck_assert(weak(o, "hostkeyalgorithms", "ssh-rsa"));
        ck_assert(!weak(o, "hostkeyalgorithms", "rsa-sha2-512"));
        ck_assert(!weak(o, "ciphers", "aes128-ctr"));
        json_array_foreach(json_object_get(o, "weak_algorithms"), i, w)
                ck_assert(json_string_length(json_object_get(w, "reason")) > 5);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "protocol"),
                                                           "identification")),
                         "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6 FooCorp-build-7");
        json_decref(o);
}
END_TEST

START_TEST(match_reenables_root) {
        json_t *o = observe(FIXTURE("hosts/ssh-match-root"));
        json_t *m = json_object_get(o, "match_blocks");

        ck_assert_str_eq(eff(o, "permitrootlogin"), "no");
        ck_assert_int_eq(json_array_size(json_object_get(o, "weak_algorithms")), 0);
        ck_assert_int_eq(json_array_size(m), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(m, 0), "criteria")),
                         "Address 10.20.0.0/16");
        ck_assert_str_eq(json_string_value(json_object_get(
                                 json_object_get(json_array_get(m, 0), "overrides"),
                                 "PermitRootLogin")),
                         "prohibit-password");
        /* no binary, no dpkg database: installed because sshd_config exists */
        ck_assert(json_is_true(json_object_get(o, "installed")));
        ck_assert(json_is_null(json_object_get(json_object_get(o, "protocol"), "identification")));
        json_decref(o);
}
END_TEST

START_TEST(no_sshd) {
        json_t *o = observe(FIXTURE("hosts/ssh-no-sshd"));

        ck_assert(json_is_false(json_object_get(o, "installed")));
        ck_assert(json_is_false(json_object_get(o, "config_exists")));
        ck_assert(json_is_null(json_object_get(o, "effective")));
        ck_assert_int_eq(json_array_size(json_object_get(o, "weak_algorithms")), 0);
        json_decref(o);
}
END_TEST

START_TEST(weak_table) {
        static const char *const weak_names[] = {
                "aes128-cbc", "3des-cbc", "arcfour256", "rijndael-cbc@lysator.liu.se",
                "hmac-md5-96-etm@openssh.com", "hmac-sha1", "hmac-sha1-etm@openssh.com",
                "umac-64@openssh.com", "diffie-hellman-group1-sha1",
                "diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "ssh-rsa",
                "ssh-dss", "ssh-rsa-cert-v01@openssh.com",
        };
        static const char *const strong[] = {
                "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr",
                "hmac-sha2-256-etm@openssh.com", "umac-128@openssh.com",
                "diffie-hellman-group14-sha256", "sntrup761x25519-sha512@openssh.com",
                "rsa-sha2-512", "ssh-ed25519", "rsa-sha2-256-cert-v01@openssh.com",
        };
        json_t *out = json_array();

        for (size_t i = 0; i < ELEMENTSOF(weak_names); i++)
                ck_assert_msg(ssh_weak_reason(weak_names[i]), "%s not weak", weak_names[i]);
        for (size_t i = 0; i < ELEMENTSOF(strong); i++)
                ck_assert_msg(!ssh_weak_reason(strong[i]), "%s weak", strong[i]);
        ck_assert_int_eq(ssh_weak_scan("macs", "hmac-sha2-256,hmac-sha1,,umac-64@openssh.com", out), 2);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(out, 1), "algorithm")),
                         "umac-64@openssh.com");
        json_decref(out);
}
END_TEST

START_TEST(versions) {
        char up[32], rev[32];
        struct pkgdb db = { 0 };
        /* an upgrade from bullseye left the old stanza as config-files */
        static const char status[] =
                "Package: openssh-server\nStatus: deinstall ok config-files\n"
                "Architecture: amd64\nVersion: 1:8.4p1-5\n\n"
                "Package: openssh-server\nStatus: install ok installed\n"
                "Architecture: amd64\nVersion: 1:9.2p1-2+deb12u3\n";

        ck_assert_int_eq(ssh_split_version("1:9.2p1-2+deb12u10", up, sizeof up, rev, sizeof rev), 0);
        ck_assert_str_eq(up, "9.2p1");
        ck_assert_str_eq(rev, "2+deb12u10");
        ck_assert_int_eq(ssh_split_version("9.2p1", up, sizeof up, rev, sizeof rev), 0);
        ck_assert_str_eq(rev, "");
        ck_assert_int_eq(ssh_split_version("", up, sizeof up, rev, sizeof rev), -EINVAL);
        ck_assert_int_eq(ssh_split_version("1:", up, sizeof up, rev, sizeof rev), -EINVAL);
        /* the version the probe splits: the installed stanza's, not the removed one's */
        ck_assert_int_eq(dpkg_status_parse(status, sizeof status - 1, &db), 1);
        ck_assert_str_eq(pkgdb_installed_version(&db, "openssh-server"), "1:9.2p1-2+deb12u3");
        pkgdb_free(&db);
        /* only the removed stanza: not installed */
        ck_assert_int_eq(dpkg_status_parse(status, (size_t) (strstr(status, "\n\n") + 2 - status), &db), 0);
        ck_assert_ptr_null(pkgdb_installed_version(&db, "openssh-server"));
        pkgdb_free(&db);
}
END_TEST

/* Printing rules of sshd -T that the oracle confirmed, checked on buffers. */
START_TEST(sshd_t_printing) {
        struct sshd_config cfg;
        static const char text[] =
                "LoginGraceTime 1m30s\nRekeyLimit 1G 1h\nPermitRootLogin prohibit-password\n"
                "Compression delayed\nLogLevel debug1\nMaxStartups 20\nStreamLocalBindMask 022\n"
                "PerSourceNetBlockSize 24\nListenAddress 127.0.0.1\nListenAddress [::1]:2200\n"
                "Port 2222\nPort 22\nMACs -hmac-sha1*,umac-64*\nHostKeyAlgorithms ^ssh-ed25519\n"
                "ForceCommand /bin/echo \"hi there\"\nSetEnv A=1 B=2\nSetEnv C=3\nCiphers aes256-ctr\n"
                "Match all\nMaxAuthTries 2\nCiphers aes128-ctr\n";
        json_t *e;

        sshd_config_init(&cfg);
        ck_assert_int_eq(sshd_config_parse_buffer(&cfg, "/etc/ssh/sshd_config", text,
                                                  sizeof text - 1, NULL), 0);
        ck_assert_int_eq(cfg.n_errors, 0);
        e = sshd_config_effective(&cfg);
#define S(k) json_string_value(json_object_get(e, k))
        ck_assert_str_eq(S("logingracetime"), "90");
        ck_assert_str_eq(S("rekeylimit"), "1073741824 3600");
        ck_assert_str_eq(S("permitrootlogin"), "without-password");
        ck_assert_str_eq(S("compression"), "yes");
        ck_assert_str_eq(S("loglevel"), "DEBUG");
        ck_assert_str_eq(S("maxstartups"), "20:30:20");
        ck_assert_str_eq(S("streamlocalbindmask"), "022");
        ck_assert_str_eq(S("persourcenetblocksize"), "24:0");
        ck_assert_str_eq(S("macs"), "umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
                                    "hmac-sha2-512-etm@openssh.com,umac-128@openssh.com,"
                                    "hmac-sha2-256,hmac-sha2-512");
        ck_assert(startswith(S("hostkeyalgorithms"), "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,"));
        ck_assert_str_eq(S("forcecommand"), "/bin/echo \"hi there\"");
        ck_assert_str_eq(S("maxauthtries"), "2");     /* Match all overrides */
        ck_assert_str_eq(S("ciphers"), "aes256-ctr"); /* global-only: first value wins */
        ck_assert_int_eq(json_array_size(json_object_get(e, "setenv")), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "listenaddress"), 0)),
                         "127.0.0.1:2222");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "listenaddress"), 1)),
                         "127.0.0.1:22");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "listenaddress"), 2)),
                         "[::1]:2200");
        ck_assert_ptr_null(json_object_get(e, "debianbanner"));
        ck_assert_ptr_null(json_object_get(e, "acceptenv"));
#undef S
        json_decref(e);
        sshd_config_done(&cfg);
}
END_TEST

START_TEST(bad_values_are_errors) {
        struct sshd_config cfg;
        static const char text[] = "MaxAuthTries many\nCiphers aes128-ctr,rc4\nLoginGraceTime 2x\n"
                                   "PermitRootLogin maybe\nMaxStartups 10:200:5\nPort 70000\n";

        sshd_config_init(&cfg);
        ck_assert_int_eq(sshd_config_parse_buffer(&cfg, "/x", text, sizeof text - 1, NULL), 0);
        ck_assert_int_eq(cfg.n_errors, 6);
        ck_assert(strstr(cfg.errors[0].message, "MaxAuthTries"));
        sshd_config_done(&cfg);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_ssh");
        TCase *tc = tcase_create("ssh");

        tcase_add_test(tc, hardened_host);
        tcase_add_test(tc, weak_host);
        tcase_add_test(tc, match_reenables_root);
        tcase_add_test(tc, no_sshd);
        tcase_add_test(tc, weak_table);
        tcase_add_test(tc, versions);
        tcase_add_test(tc, sshd_t_printing);
        tcase_add_test(tc, bad_values_are_errors);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
