/* SPDX-License-Identifier: MIT */
/* Debian version order against dpkg: the recorded verdicts of
 * tests/fixtures/versions/pairs.txt (1000 pairs: edge cases and real
 * versions), and, where dpkg exists, `dpkg --compare-versions` itself on the
 * same pairs. Plus rpmvercmp on rpm's own test cases. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debversion.h"
#include "testutil.h"

#define PAIRS FIXTURE("versions/pairs.txt")

struct pair {
        char a[256], b[256];
        char verdict;
};

static int sign(int x) { return (x > 0) - (x < 0); }

static int verdict_sign(char v) { return v == '<' ? -1 : v == '>' ? 1 : 0; }

static size_t load_pairs(struct pair **out) {
        FILE *f = fopen(PAIRS, "re");
        struct pair *v = calloc(4096, sizeof(*v));
        char line[1024];
        size_t n = 0;

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(v);
        while (fgets(line, sizeof line, f) && n < 4096) {
                if (line[0] == '#')
                        continue;
                ck_assert_int_eq(sscanf(line, "%255s %255s %c", v[n].a, v[n].b, &v[n].verdict), 3);
                n++;
        }
        fclose(f);
        *out = v;
        return n;
}

START_TEST(recorded_dpkg_verdicts) {
        struct pair *v;
        size_t n = load_pairs(&v);

        ck_assert_uint_ge(n, 500);
        for (size_t i = 0; i < n; i++) {
                int got = sign(debversion_cmp_str(v[i].a, v[i].b));
                ck_assert_msg(got == verdict_sign(v[i].verdict), "%s vs %s: got %d, dpkg says %c",
                              v[i].a, v[i].b, got, v[i].verdict);
                ck_assert_int_eq(sign(debversion_cmp_str(v[i].b, v[i].a)), -got);
        }
        free(v);
}
END_TEST

/* One shell runs dpkg --compare-versions for every pair (read from a
 * temporary file) and prints <, = or > per line. */
START_TEST(live_dpkg_compare_versions) {
        char tmp[] = "/tmp/complyd-pairs.XXXXXX", cmd[512], res[8];
        struct pair *v;
        size_t n, i = 0;
        FILE *f, *p;
        int fd;

        if (access("/usr/bin/dpkg", X_OK) != 0) {
                fprintf(stderr, "skipped: no /usr/bin/dpkg\n");
                return;
        }
        n = load_pairs(&v);
        fd = mkstemp(tmp);
        ck_assert_int_ge(fd, 0);
        f = fdopen(fd, "w");
        for (size_t k = 0; k < n; k++)
                fprintf(f, "%s %s\n", v[k].a, v[k].b);
        fclose(f);
        snprintf(cmd, sizeof cmd,
                 "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\" 2>/dev/null; "
                 "then echo '<'; elif dpkg --compare-versions \"$a\" eq \"$b\" 2>/dev/null; "
                 "then echo '='; else echo '>'; fi; done < %s", tmp);
        p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        while (fgets(res, sizeof res, p) && i < n) {
                int got = sign(debversion_cmp_str(v[i].a, v[i].b));
                ck_assert_msg(got == verdict_sign(res[0]), "%s vs %s: got %d, dpkg says %c",
                              v[i].a, v[i].b, got, res[0]);
                i++;
        }
        ck_assert_int_eq(pclose(p), 0);
        unlink(tmp);
        ck_assert_uint_eq(i, n);
        free(v);
}
END_TEST

START_TEST(debian_edge_cases) {
        ck_assert_int_lt(debversion_cmp_str("1.0~rc1", "1.0"), 0);
        ck_assert_int_gt(debversion_cmp_str("1:0", "0:1"), 0);
        ck_assert_int_eq(debversion_cmp_str("0:1.0", "1.0"), 0);
        ck_assert_int_eq(debversion_cmp_str("1.0", "1.0-0"), 0);
        ck_assert_int_lt(debversion_cmp_str("1.0~~", "1.0~"), 0);
        ck_assert_int_lt(debversion_cmp_str("1.0a", "1.0+"), 0);    /* letters before non-letters */
        ck_assert_int_gt(debversion_cmp_str("1.0.1", "1.0a"), 0);   /* '.' after letters */
        ck_assert_int_eq(debversion_cmp_str("1.001", "1.1"), 0);
        ck_assert_int_lt(debversion_cmp_str("2:9.0-1", "10:1"), 0);
        ck_assert_int_gt(debversion_cmp_str("1:9.2p1-2+deb12u10", "1:9.2p1-2+deb12u9"), 0);
        /* spans need no NUL and stop at the given length */
        ck_assert_int_eq(debversion_cmp("1.0-1garbage", 5, "1.0-1", 5), 0);
        ck_assert_int_eq(debversion_cmp("", 0, "", 0), 0);
}
END_TEST

/* The split dpkg's parseversion() does, which the ssh probe's banner uses. */
START_TEST(debian_split) {
        struct debversion_parts v;

        debversion_split("1:9.2p1-2+deb12u10", 18, &v);
        ck_assert_uint_eq(v.epoch, 1);
        ck_assert_uint_eq(v.upstream_len, 5);
        ck_assert_int_eq(memcmp(v.upstream, "9.2p1", 5), 0);
        ck_assert_uint_eq(v.revision_len, 10);
        ck_assert_int_eq(memcmp(v.revision, "2+deb12u10", 10), 0);
        /* the last '-' starts the revision; no '-', no revision */
        debversion_split(" 2.0-rc1-3 \n", 12, &v);
        ck_assert_uint_eq(v.epoch, 0);
        ck_assert_uint_eq(v.upstream_len, 7);
        ck_assert_int_eq(memcmp(v.upstream, "2.0-rc1", 7), 0);
        ck_assert_uint_eq(v.revision_len, 1);
        debversion_split("x:252.33", 8, &v);
        ck_assert_uint_eq(v.epoch, 0);
        ck_assert_uint_eq(v.upstream_len, 6);
        ck_assert_uint_eq(v.revision_len, 0);
}
END_TEST

START_TEST(rpmvercmp_cases) {
        static const struct {
                const char *a, *b;
                int r;
        } t[] = {
                { "1.0", "1.0", 0 },          { "1.0", "2.0", -1 },        { "2.0.1", "2.0", 1 },
                { "2.0.1a", "2.0.1", 1 },     { "5.5p1", "5.5p2", -1 },    { "5.5p10", "5.5p1", 1 },
                { "10xyz", "10.1xyz", -1 },   { "xyz10", "xyz10.1", -1 },  { "xyz.4", "8", -1 },
                { "6.0.rc1", "6.0", 1 },      { "10b2", "10a1", 1 },       { "1.0aa", "1.0a", 1 },
                { "10.0001", "10.1", 0 },     { "10.0001", "10.0039", -1 }, { "4.999.9", "5.0", -1 },
                { "2_0", "2_0", 0 },          { "2.0", "2_0", 0 },         { "+a", "_a", 0 },
                { "1.0~rc1", "1.0", -1 },     { "1.0~rc1", "1.0~rc2", -1 }, { "1.0~rc1~git123", "1.0~rc1", -1 },
                { "1.0^", "1.0", 1 },         { "1.0^git1", "1.0^git2", -1 }, { "1.0^git1", "1.01", -1 },
                { "1.0^20160101", "1.0.1", -1 }, { "1.0^git1~pre", "1.0^git1", -1 },
                { "1.0~rc1^git1", "1.0~rc1", 1 },
        };

        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
                ck_assert_msg(sign(rpmvercmp(t[i].a, strlen(t[i].a), t[i].b, strlen(t[i].b))) == t[i].r,
                              "rpmvercmp(%s, %s) != %d", t[i].a, t[i].b, t[i].r);
        ck_assert_int_gt(rpm_evr_cmp_str("1:3.0.7-25.el9_3", "3.0.8-1.el9"), 0);
        ck_assert_int_lt(rpm_evr_cmp_str("5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3"), 0);
}
END_TEST

Suite *make_suite(void);
Suite *make_suite(void) {
        Suite *s = suite_create("debversion");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, recorded_dpkg_verdicts);
        tcase_add_test(tc, live_dpkg_compare_versions);
        tcase_add_test(tc, debian_edge_cases);
        tcase_add_test(tc, debian_split);
        tcase_add_test(tc, rpmvercmp_cases);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
