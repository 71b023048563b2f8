/* SPDX-License-Identifier: MIT */
/* Drift decisions (damping, renotify, first failure, restart) and the
 * persisted state file. */
#include <sys/stat.h>

#include "state.h"
#include "testutil.h"
#include "util.h"

#define H (3600 * USEC_PER_SEC)

static enum drift_decision observe(struct control_state *cs, const char *status, uint64_t t,
                                   unsigned damping, uint64_t renotify) {
        return state_observe(cs, status, t, damping, renotify, NULL);
}

START_TEST(test_first_pass_is_silent_first_failure_announced) {
        struct control_state a = { .id = "a" }, b = { .id = "b" };

        ck_assert_int_eq(observe(&a, "pass", 1, 1, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "pass", 2, 1, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&b, "fail", 1, 1, 0), DRIFT_ANNOUNCE);
        ck_assert_int_eq(observe(&b, "fail", 2, 1, 0), DRIFT_NONE);
        ck_assert_uint_eq(b.drift_events, 1);
}
END_TEST

START_TEST(test_drift_and_recovery_either_way) {
        struct control_state a = { .id = "a" };
        char prev[STATE_STATUS_MAX];

        observe(&a, "pass", 1, 1, 0);
        ck_assert_int_eq(state_observe(&a, "fail", 2, 1, 0, prev), DRIFT_ANNOUNCE);
        ck_assert_str_eq(prev, "pass");
        /* fail -> error is still failing: not a drift */
        ck_assert_int_eq(observe(&a, "error", 3, 1, 0), DRIFT_NONE);
        ck_assert_int_eq(state_observe(&a, "pass", 4, 1, 0, prev), DRIFT_RECOVERY);
        ck_assert_str_eq(prev, "fail");
        ck_assert_int_eq(observe(&a, "error", 5, 1, 0), DRIFT_ANNOUNCE);
        ck_assert_uint_eq(a.drift_events, 2);
}
END_TEST

START_TEST(test_damping_needs_consecutive_results) {
        struct control_state a = { .id = "a" };

        observe(&a, "pass", 1, 3, 0);
        ck_assert_int_eq(observe(&a, "fail", 2, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "fail", 3, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "pass", 4, 3, 0), DRIFT_NONE); /* flap: streak restarts */
        ck_assert_int_eq(observe(&a, "fail", 5, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "error", 6, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "fail", 7, 3, 0), DRIFT_ANNOUNCE);
        ck_assert_int_eq(observe(&a, "pass", 8, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "pass", 9, 3, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "pass", 10, 3, 0), DRIFT_RECOVERY);
}
END_TEST

START_TEST(test_renotify_while_failing) {
        struct control_state a = { .id = "a" };

        ck_assert_int_eq(observe(&a, "fail", 0, 1, 24 * H), DRIFT_ANNOUNCE);
        ck_assert_int_eq(observe(&a, "fail", 23 * H, 1, 24 * H), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "fail", 24 * H, 1, 24 * H), DRIFT_REMIND);
        ck_assert_int_eq(observe(&a, "fail", 25 * H, 1, 24 * H), DRIFT_NONE);
        ck_assert_int_eq(observe(&a, "fail", 48 * H, 1, 24 * H), DRIFT_REMIND);
        ck_assert_int_eq(observe(&a, "fail", 100 * H, 1, 0), DRIFT_NONE); /* off */
}
END_TEST

START_TEST(test_restart_does_not_reannounce) {
        char dir[] = "/tmp/complyd-state-XXXXXX";
        struct state *s = NULL;
        struct control_state *cs;
        char cmd[128];

        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(state_load(dir, &s), 0);
        cs = state_get(s, "ssh-mfa-enforced");
        ck_assert_int_eq(observe(cs, "fail", 5, 1, 0), DRIFT_ANNOUNCE);
        ck_assert_int_eq(state_save(s), 0);
        state_free(s);

        ck_assert_int_eq(state_load(dir, &s), 0);
        ck_assert_uint_eq(s->n, 1);
        cs = state_get(s, "ssh-mfa-enforced");
        ck_assert_str_eq(cs->status, "fail");
        ck_assert_uint_eq(cs->last_run_usec, 5);
        ck_assert_int_eq(observe(cs, "fail", 6, 1, 0), DRIFT_NONE);
        ck_assert_int_eq(observe(cs, "pass", 7, 1, 0), DRIFT_RECOVERY);
        state_free(s);

        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_corrupt_state_is_set_aside) {
        char dir[] = "/tmp/complyd-state-XXXXXX", path[128], cmd[128];
        struct state *s = NULL;
        struct stat st;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        f = fopen(path, "w");
        fputs("{\"version\": 1, \"controls\": [", f);
        fclose(f);
        ck_assert_int_eq(state_load(dir, &s), -EBADMSG);
        ck_assert_ptr_nonnull(s);
        ck_assert_uint_eq(s->n, 0);
        snprintf(path, sizeof(path), "%s/state.json.corrupt", dir);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq(state_save(s), 0);
        state_free(s);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("state");
        TCase *tc = tcase_create("drift");

        tcase_add_test(tc, test_first_pass_is_silent_first_failure_announced);
        tcase_add_test(tc, test_drift_and_recovery_either_way);
        tcase_add_test(tc, test_damping_needs_consecutive_results);
        tcase_add_test(tc, test_renotify_while_failing);
        tcase_add_test(tc, test_restart_does_not_reannounce);
        tcase_add_test(tc, test_corrupt_state_is_set_aside);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
