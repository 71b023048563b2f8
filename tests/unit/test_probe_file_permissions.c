/* SPDX-License-Identifier: MIT */
/* The file_permissions probe on temporary roots built from
 * tests/fixtures/hosts/perms-debian (passwd/group names) with the owners
 * and modes of a stock Debian 12 host and of a neglected one (git keeps
 * neither, so the files are made here). Owners other than root need root
 * to create; those checks are skipped otherwise. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"

extern const struct complyd_probe complyd_probe_file_permissions;

struct spec {
        const char *path;
        bool dir;
        mode_t mode;
        gid_t gid;
};

static char root[PATH_MAX];

static void copy(const char *from, const char *to) {
        char buf[65536];
        FILE *in = fopen(from, "r"), *out = fopen(to, "w");
        size_t n;

        ck_assert(in && out);
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
        fclose(in);
        fclose(out);
}

/* A fresh root with the names of perms-debian and the given files. */
static void make_root(const struct spec *specs, size_t n) {
        char p[PATH_MAX * 2];

        snprintf(root, sizeof root, "/tmp/complyd-perms-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(root));
        snprintf(p, sizeof p, "%s/etc", root);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/etc/ssh", root);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof p, "%s/etc/passwd", root);
        copy(FIXTURE("hosts/perms-debian/etc/passwd"), p);
        snprintf(p, sizeof p, "%s/etc/group", root);
        copy(FIXTURE("hosts/perms-debian/etc/group"), p);
        for (size_t i = 0; i < n; i++) {
                snprintf(p, sizeof p, "%s%s", root, specs[i].path);
                if (specs[i].dir)
                        ck_assert_int_eq(mkdir(p, 0700), 0);
                else if (access(p, F_OK) != 0)
                        close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
                if (geteuid() == 0) /* before chmod: chown clears set-id bits */
                        ck_assert_int_eq(chown(p, 0, specs[i].gid), 0);
                ck_assert_int_eq(chmod(p, specs[i].mode), 0);
        }
}

static void remove_root(void) {
        char cmd[PATH_MAX + 16];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
}

static json_t *observe(json_t *overrides) {
        struct complyd_probe_ctx *ctx;
        json_t *params = NULL, *out = NULL;
        char err[256];

        ck_assert_int_ge(probe_params_resolve(&complyd_probe_file_permissions, overrides, &params,
                                              err, sizeof err), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_file_permissions.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_ptr_nonnull(out);
        return out;
}

static json_t *file(json_t *o, const char *path) {
        json_t *f;
        size_t i;

        json_array_foreach(json_object_get(o, "files"), i, f)
                if (streq(json_string_value(json_object_get(f, "path")), path))
                        return f;
        ck_abort_msg("%s not reported", path);
        return NULL;
}

static const char *fstr(json_t *o, const char *path, const char *key) {
        return json_string_value(json_object_get(file(o, path), key));
}

START_TEST(stock_debian) {
        static const struct spec specs[] = {
                { "/etc/shadow", false, 0640, 42 },  { "/etc/gshadow", false, 0640, 42 },
                { "/etc/passwd", false, 0644, 0 },   { "/etc/group", false, 0644, 0 },
                { "/etc/sudoers", false, 0440, 0 },  { "/etc/crontab", false, 0644, 0 },
                { "/etc/cron.d", true, 0755, 0 },    { "/etc/ssh/sshd_config", false, 0644, 0 },
                { "/etc/ssh/ssh_host_ed25519_key", false, 0600, 0 },
                { "/etc/ssh/ssh_host_rsa_key", false, 0600, 0 },
                { "/etc/ssh/ssh_host_ed25519_key.pub", false, 0644, 0 },
        };
        json_t *o;

        make_root(specs, ELEMENTSOF(specs));
        o = observe(NULL);
        ck_assert_str_eq(json_string_value(json_object_get(o, "schema")), "complyd.file_permissions.v1");
        ck_assert_str_eq(fstr(o, "/etc/shadow", "mode"), "0640");
        ck_assert_int_eq(json_integer_value(json_object_get(file(o, "/etc/shadow"), "mode_int")), 0640);
        ck_assert_str_eq(fstr(o, "/etc/shadow", "type"), "file");
        ck_assert_str_eq(fstr(o, "/etc/sudoers", "mode"), "0440");
        ck_assert_str_eq(fstr(o, "/etc/cron.d", "type"), "directory");
        ck_assert_str_eq(fstr(o, "/etc/cron.d", "mode"), "0755");
        ck_assert_str_eq(fstr(o, "/etc/ssh/ssh_host_rsa_key", "kind"), "ssh_host_private_key");
        ck_assert(json_is_false(json_object_get(file(o, "/etc/cron.hourly"), "exists")));
        ck_assert(json_is_null(json_object_get(file(o, "/etc/cron.hourly"), "mode")));
        ck_assert(json_is_true(json_object_get(json_object_get(o, "present"), "ssh")));
        ck_assert(json_is_false(json_object_get(json_object_get(o, "present"), "complyd_state_dir")));
        if (geteuid() == 0) {
                ck_assert_str_eq(fstr(o, "/etc/shadow", "owner"), "root");
                ck_assert_str_eq(fstr(o, "/etc/shadow", "group"), "shadow");
                ck_assert_str_eq(fstr(o, "/etc/passwd", "group"), "root");
        }
        /* public keys are not private keys */
        for (size_t i = 0; i < json_array_size(json_object_get(o, "files")); i++)
                ck_assert(!strstr(json_string_value(json_object_get(
                                          json_array_get(json_object_get(o, "files"), i), "path")),
                                  ".pub"));
        json_decref(o);
        remove_root();
}
END_TEST

START_TEST(neglected_host) {
        static const struct spec specs[] = {
                { "/etc/shadow", false, 0644, 0 },
                { "/etc/ssh/ssh_host_ecdsa_key", false, 0644, 0 },
                { "/etc/crontab", false, 0666, 0 },
                { "/srv", true, 0755, 0 },
                { "/srv/complyd", true, 0755, 0 },
                { "/srv/complyd/key", false, 0644, 0 },
                { "/etc/sudoers", false, 04640, 0 },
        };
        json_t *over = json_pack("{s:s, s:s}", "state_dir", "/srv/complyd", "key", "/srv/complyd/key");
        json_t *o;

        make_root(specs, ELEMENTSOF(specs));
        o = observe(over);
        ck_assert_str_eq(fstr(o, "/etc/shadow", "mode"), "0644");
        ck_assert_str_eq(fstr(o, "/etc/ssh/ssh_host_ecdsa_key", "mode"), "0644");
        ck_assert_str_eq(fstr(o, "/etc/crontab", "mode"), "0666");
        ck_assert_str_eq(fstr(o, "/etc/sudoers", "mode"), "4640");
        ck_assert_str_eq(fstr(o, "/srv/complyd", "kind"), "complyd_state_dir");
        ck_assert_str_eq(fstr(o, "/srv/complyd/key", "kind"), "complyd_key");
        ck_assert_str_eq(fstr(o, "/srv/complyd/key", "mode"), "0644");
        ck_assert(json_is_true(json_object_get(json_object_get(o, "present"), "complyd_state_dir")));
        json_decref(over);
        json_decref(o);
        remove_root();
}
END_TEST

START_TEST(symlink_not_followed) {
        char p[PATH_MAX * 2];
        json_t *o;

        make_root(NULL, 0);
        snprintf(p, sizeof p, "%s/etc/shadow", root);
        ck_assert_int_eq(symlink("/etc/passwd", p), 0);
        o = observe(NULL);
        ck_assert_str_eq(fstr(o, "/etc/shadow", "type"), "symlink");
        json_decref(o);
        remove_root();
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_file_permissions");
        TCase *tc = tcase_create("file_permissions");

        tcase_add_test(tc, stock_debian);
        tcase_add_test(tc, neglected_host);
        tcase_add_test(tc, symlink_not_followed);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
