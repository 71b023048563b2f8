/* SPDX-License-Identifier: MIT */
/* Shared by the check suites: a main() that runs one suite, and the path of
 * the source tree (tests run from any directory). */
#ifndef COMPLYD_TESTUTIL_H
#define COMPLYD_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#define FIXTURE(rel) TOP_SRCDIR "/tests/fixtures/" rel

/* Each test file defines `Suite *make_suite(void)` and uses TEST_MAIN(). */
#define TEST_MAIN()                                                      \
        int main(void) {                                                 \
                SRunner *sr = srunner_create(make_suite());              \
                int failed;                                              \
                srunner_run_all(sr, CK_NORMAL);                          \
                failed = srunner_ntests_failed(sr);                      \
                srunner_free(sr);                                        \
                return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;        \
        }

#endif
