/* SPDX-License-Identifier: MIT */
/* The probe context: every helper stays inside the root, whatever the
 * symlinks in it say; limits and errors as documented in probe.h. */
#include <fcntl.h>
#include <sys/stat.h>

#include "probe_ctx.h"
#include "testutil.h"
#include "util.h"

static char root[] = "/tmp/complyd-ctx-XXXXXX";
static char outside[] = "/tmp/complyd-outside-XXXXXX";
static struct complyd_probe_ctx *ctx;

static void put(const char *rel, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void link_at(const char *target, const char *rel) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        ck_assert_int_eq(symlink(target, path), 0);
}

/* A root with etc/, a secret outside it, and symlinks that try to leave. */
static void setup(void) {
        char path[512];

        ck_assert_ptr_nonnull(mkdtemp(root));
        ck_assert_ptr_nonnull(mkdtemp(outside));
        snprintf(path, sizeof(path), "%s/secret", outside);
        FILE *f = fopen(path, "w");
        fputs("outside the root\n", f);
        fclose(f);
        snprintf(path, sizeof(path), "%s/etc", root);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/etc/ssh", root);
        mkdir(path, 0755);
        put("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        put("etc/ssh/sshd_config", "inside\n");
        put("etc/ssh/b.conf", "b\n");
        put("etc/ssh/a.conf", "a\n");
        put("etc/ssh/.hidden.conf", "h\n");
        put("secret", "the root's own secret\n");
        snprintf(path, sizeof(path), "%s/secret", outside);
        link_at(path, "etc/abs-escape");            /* absolute: resolved inside root */
        link_at("../../../../../secret", "etc/dotdot-escape");
        link_at("/etc/passwd", "etc/abs-inside");
        link_at("ssh/sshd_config", "etc/relative");
        ck_assert_int_eq(probe_ctx_new(root, NULL, 0, &ctx), 0);
}

static void teardown(void) {
        char cmd[600];

        probe_ctx_free(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf %s %s", root, outside);
        ck_assert_int_eq(system(cmd), 0);
        strcpy(root, "/tmp/complyd-ctx-XXXXXX");
        strcpy(outside, "/tmp/complyd-outside-XXXXXX");
}

static char *read_text(const char *path, int *r) {
        char *buf = NULL;
        *r = ctx->read_file(ctx, path, 4096, &buf, NULL);
        return buf;
}

START_TEST(test_reads_inside_root) {
        int r;
        _cleanup_free_ char *t = read_text("/etc/ssh/sshd_config", &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(t, "inside\n");
        ck_assert(!ctx->live_host);
}
END_TEST

START_TEST(test_absolute_symlink_resolves_inside_root) {
        int r;
        _cleanup_free_ char *a = read_text("/etc/abs-inside", &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(a, "root:x:0:0:root:/root:/bin/bash\n");
        /* a link to an absolute path outside the root means that path inside it */
        _cleanup_free_ char *b = read_text("/etc/abs-escape", &r);
        ck_assert_int_eq(r, -ENOENT);
        ck_assert_ptr_null(b);
}
END_TEST

START_TEST(test_dotdot_cannot_leave_root) {
        int r;
        _cleanup_free_ char *a = read_text("/etc/dotdot-escape", &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(a, "the root's own secret\n");
        _cleanup_free_ char *b = read_text("/../../../../secret", &r);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(b, "the root's own secret\n");
}
END_TEST

START_TEST(test_realpath_and_readlink) {
        _cleanup_free_ char *rp = NULL, *rl = NULL;

        ck_assert_int_eq(ctx->realpath(ctx, "/etc/relative", &rp), 0);
        ck_assert_str_eq(rp, "/etc/ssh/sshd_config");
        ck_assert_int_eq(ctx->readlink(ctx, "/etc/relative", &rl), 0);
        ck_assert_str_eq(rl, "ssh/sshd_config");
}
END_TEST

START_TEST(test_stat_nofollow) {
        struct stat st;

        ck_assert_int_eq(ctx->stat(ctx, "/etc/relative", &st, AT_SYMLINK_NOFOLLOW), 0);
        ck_assert(S_ISLNK(st.st_mode));
        ck_assert_int_eq(ctx->stat(ctx, "/etc/relative", &st, 0), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(ctx->stat(ctx, "/etc/nothing", &st, 0), -ENOENT);
}
END_TEST

START_TEST(test_glob_sorted_and_hides_dotfiles) {
        char **paths = NULL;

        ck_assert_int_eq(ctx->glob(ctx, "/etc/ssh/*.conf", &paths), 0);
        ck_assert_str_eq(paths[0], "/etc/ssh/a.conf");
        ck_assert_str_eq(paths[1], "/etc/ssh/b.conf");
        ck_assert_ptr_null(paths[2]);
        ctx->strv_free(paths);
        ck_assert_int_eq(ctx->glob(ctx, "/etc/*/sshd_config", &paths), 0);
        ck_assert_str_eq(paths[0], "/etc/ssh/sshd_config");
        ctx->strv_free(paths);
        ck_assert_int_eq(ctx->glob(ctx, "/nowhere/*", &paths), 0);
        ck_assert_ptr_null(paths[0]);
        ctx->strv_free(paths);
        ck_assert_int_eq(ctx->glob(ctx, "relative/*", &paths), -EINVAL);
}
END_TEST

START_TEST(test_read_limit) {
        char *buf = NULL;

        ck_assert_int_eq(ctx->read_file(ctx, "/etc/passwd", 8, &buf, NULL), -EFBIG);
        ck_assert_ptr_null(buf);
        ck_assert_int_eq(ctx->read_file(ctx, "/etc", 8, &buf, NULL), -EISDIR);
}
END_TEST

START_TEST(test_run_only_on_live_host) {
        const char *argv[] = { "/bin/true", NULL };
        char *out = NULL;

        ck_assert_int_eq(ctx->run(ctx, argv, 100, &out), -EOPNOTSUPP);
}
END_TEST

START_TEST(test_run_live) {
        struct complyd_probe_ctx *live;
        const char *echo[] = { "/bin/echo", "hello", NULL };
        const char *fail[] = { "/bin/sh", "-c", "exit 7", NULL };
        const char *big[] = { "/bin/sh", "-c", "yes | head -c 100000", NULL };
        const char *hang[] = { "/bin/sleep", "100", NULL };
        char *out = NULL;

        ck_assert_int_eq(probe_ctx_new("/", NULL, 0, &live), 0);
        ck_assert(live->live_host);
        ck_assert_int_eq(live->run(live, echo, 100, &out), 0);
        ck_assert_str_eq(out, "hello\n");
        free(out);
        ck_assert_int_eq(live->run(live, fail, 100, &out), 7);
        free(out);
        ck_assert_int_eq(live->run(live, big, 1000, &out), -EFBIG);
        probe_ctx_free(live);

        ck_assert_int_eq(probe_ctx_new("/", NULL, now_monotonic_usec() + 200 * USEC_PER_MSEC, &live), 0);
        ck_assert_int_eq(live->run(live, hang, 100, &out), -ETIMEDOUT);
        ck_assert(live->expired(live));
        probe_ctx_free(live);
}
END_TEST

START_TEST(test_params_resolve) {
        static const struct complyd_param table[] = {
                { COMPLYD_PARAM_STRINGS, "paths", "[\"/etc\"]", "where" },
                { COMPLYD_PARAM_INTEGER, "min_days", "21", "days" },
                { 0 }
        };
        static const struct complyd_probe probe = { .name = "t", .params = table };
        json_t *out = NULL, *conf;
        char err[256];

        ck_assert_int_eq(probe_params_resolve(&probe, NULL, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(out, "min_days")), 21);
        json_decref(out);
        conf = json_pack("{s:i}", "min_days", 7);
        ck_assert_int_eq(probe_params_resolve(&probe, conf, &out, err, sizeof(err)), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(out, "min_days")), 7);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(out, "paths"), 0)), "/etc");
        json_decref(out);
        json_decref(conf);
        conf = json_pack("{s:s}", "min_days", "seven");
        ck_assert_int_eq(probe_params_resolve(&probe, conf, &out, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "probe t: parameter 'min_days' must be an integer");
        json_decref(conf);
        conf = json_pack("{s:i}", "max_days", 7);
        ck_assert_int_eq(probe_params_resolve(&probe, conf, &out, err, sizeof(err)), -EINVAL);
        ck_assert_str_eq(err, "probe t has no parameter 'max_days' (valid: paths min_days)");
        json_decref(conf);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("probe_ctx");
        TCase *tc = tcase_create("root");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_reads_inside_root);
        tcase_add_test(tc, test_absolute_symlink_resolves_inside_root);
        tcase_add_test(tc, test_dotdot_cannot_leave_root);
        tcase_add_test(tc, test_realpath_and_readlink);
        tcase_add_test(tc, test_stat_nofollow);
        tcase_add_test(tc, test_glob_sorted_and_hides_dotfiles);
        tcase_add_test(tc, test_read_limit);
        tcase_add_test(tc, test_run_only_on_live_host);
        tcase_add_test(tc, test_run_live);
        tcase_add_test(tc, test_params_resolve);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
