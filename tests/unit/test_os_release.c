/* SPDX-License-Identifier: MIT */
/* probes/lib/os_release: the os-release(5) values hostinfo and patch_level
 * report, on the fixture hosts' files and on hand-made edge cases. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "os_release.h"
#include "testutil.h"

/* The value of key in text as a C string ("(null)" when absent). */
static const char *value(const char *text, const char *key) {
        static char out[256];
        json_t *v = os_release_value(text, key);

        ck_assert_ptr_nonnull(v);
        snprintf(out, sizeof out, "%s", json_is_null(v) ? "(null)" : json_string_value(v));
        json_decref(v);
        return out;
}

static char *slurp(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = calloc(1, 65537);

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(buf);
        (void) !fread(buf, 1, 65536, f);
        fclose(f);
        return buf;
}

START_TEST(fixture_files) {
        _cleanup_free_ char *deb = slurp(FIXTURE("hosts/patch-debian-plain/etc/os-release"));
        _cleanup_free_ char *rhel = slurp(FIXTURE("hosts/patch-rhel9/etc/os-release"));

        ck_assert_str_eq(value(deb, "ID"), "debian");
        ck_assert_str_eq(value(deb, "VERSION_ID"), "12");
        ck_assert_str_eq(value(deb, "PRETTY_NAME"), "Debian GNU/Linux 12 (bookworm)");
        ck_assert_str_eq(value(rhel, "ID"), "rhel");
        ck_assert_str_eq(value(rhel, "VERSION_ID"), "9.3");
        ck_assert_str_eq(value(rhel, "BUILD_ID"), "(null)");
}
END_TEST

START_TEST(edge_cases) {
        static const char text[] = "ID_LIKE=fedora\n"
                                   "ID='ubuntu'\n"
                                   "ID=second\n"
                                   "VERSION_ID=\"22.04\n"
                                   "PRETTY_NAME=\"\xff\"\n"
                                   "NAME=\"\"\n"
                                   "VARIANT";

        ck_assert_str_eq(value(text, "ID"), "ubuntu");         /* first line wins, quotes off */
        ck_assert_str_eq(value(text, "VERSION_ID"), "\"22.04"); /* unbalanced: kept */
        ck_assert_str_eq(value(text, "PRETTY_NAME"), "?");     /* not UTF-8: lossy */
        ck_assert_str_eq(value(text, "NAME"), "");
        ck_assert_str_eq(value(text, "VARIANT"), "(null)");
        ck_assert_str_eq(value("", "ID"), "(null)");
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("os_release");
        TCase *tc = tcase_create("os_release");

        tcase_add_test(tc, fixture_files);
        tcase_add_test(tc, edge_cases);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
