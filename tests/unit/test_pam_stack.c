/* SPDX-License-Identifier: MIT */
/* PAM stack parser and dispatch explorer, on Debian 12's real files and on
 * small stacks whose libpam outcome is known. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "pam_stack.h"
#include "testutil.h"

struct memfs {
        const char *const *files; /* {path, text} pairs, NULL-terminated */
};

static int mem_read(void *u, const char *path, char **buf, size_t *len) {
        const struct memfs *fs = u;

        for (const char *const *f = fs->files; *f; f += 2)
                if (streq(*f, path)) {
                        *buf = strdup(f[1]);
                        *len = strlen(f[1]);
                        return *buf ? 0 : -ENOMEM;
                }
        return -ENOENT;
}

static void load(struct pam_stack *s, const char *const *files, const char *service) {
        struct memfs fs = { files };
        struct pam_stack_io io = { mem_read, &fs };

        pam_stack_init(s);
        ck_assert_int_eq(pam_stack_load(s, service, "auth", &io), 0);
}

/* Can the stack succeed when entry `blocked` (or none: -1) always fails
 * and pam_deny/pam_permit behave as they do? */
static int can(const struct pam_stack *s, int blocked) {
        unsigned char o[PAM_STACK_MAX_ENTRIES];

        for (size_t i = 0; i < s->n_entries; i++)
                o[i] = streq(s->entries[i].name, "pam_deny") ? PAM_OUT_FAIL
                     : streq(s->entries[i].name, "pam_permit") ? PAM_OUT_SUCCESS : PAM_OUT_ANY;
        if (blocked >= 0)
                o[blocked] = PAM_OUT_FAIL;
        return pam_stack_can_succeed(s, o, blocked, NULL);
}

static int find(const struct pam_stack *s, const char *name) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (streq(s->entries[i].name, name))
                        return (int) i;
        return -1;
}

/* Debian 12's /etc/pam.d/common-auth as pam-auth-update writes it. */
static char *read_fixture(const char *rel) {
        char path[512];
        FILE *f;
        char *buf = calloc(1, 65536);

        snprintf(path, sizeof path, "%s/%s", FIXTURE("hosts/mfa-debian-default"), rel);
        f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_gt(fread(buf, 1, 65535, f), 100);
        fclose(f);
        return buf;
}

START_TEST(debian_sshd_stack) {
        _cleanup_free_ char *sshd = read_fixture("etc/pam.d/sshd");
        _cleanup_free_ char *common = read_fixture("etc/pam.d/common-auth");
        _cleanup_free_ char *account = read_fixture("etc/pam.d/common-account");
        _cleanup_free_ char *session = read_fixture("etc/pam.d/common-session");
        _cleanup_free_ char *password = read_fixture("etc/pam.d/common-password");
        const char *const files[] = { "/etc/pam.d/sshd", sshd, "/etc/pam.d/common-auth", common,
                                      "/etc/pam.d/common-account", account,
                                      "/etc/pam.d/common-session", session,
                                      "/etc/pam.d/common-password", password, NULL };
        struct pam_stack s;
        const struct pam_entry *e;

        load(&s, files, "sshd");
        ck_assert(s.exists);
        ck_assert(!s.uses_other);
        ck_assert_str_eq(s.file, "/etc/pam.d/sshd");
        ck_assert_uint_eq(s.n_errors, 0);
        ck_assert_uint_eq(s.n_entries, 4); /* the auth lines of common-auth */
        e = &s.entries[0];
        ck_assert_str_eq(e->name, "pam_unix");
        ck_assert_str_eq(e->control, "[success=1 default=ignore]");
        ck_assert_str_eq(e->file, "/etc/pam.d/common-auth");
        ck_assert_uint_eq(e->line, 17);
        ck_assert_str_eq(e->args[0], "nullok");
        ck_assert_int_eq(e->actions[PAM_CODE_SUCCESS], 1);
        ck_assert_int_eq(e->actions[PAM_CODE_AUTH_ERR], PAM_ACT_IGNORE);
        ck_assert_int_eq(s.entries[1].actions[PAM_CODE_AUTH_ERR], PAM_ACT_DIE); /* requisite */
        ck_assert_str_eq(s.entries[3].name, "pam_cap");
        /* succeeds with the password, fails without it */
        ck_assert_int_eq(can(&s, -1), 1);
        ck_assert_int_eq(can(&s, 0), 0);
        pam_stack_done(&s);
}
END_TEST

START_TEST(syntax) {
        const char *const files[] = {
                "/etc/pam.d/svc",
                "# comment\n"
                "-auth optional pam_systemd_home.so\n"
                "auth   required\tpam_env.so \\\n"
                "   readenv=1 # trailing comment\n"
                "auth [success=ok new_authtok_reqd=ok ignore=ignore user_unknown=bad default=die] "
                "pam_securetty.so\n"
                "auth required pam_exec.so [quiet arg=a b\\]c] end\n"
                "account required pam_nologin.so\n"
                "auth [bogus=ok] pam_x.so\n"
                "auth required\n"
                "frob required pam_y.so\n",
                NULL };
        struct pam_stack s;

        load(&s, files, "svc");
        ck_assert_uint_eq(s.n_entries, 6);
        ck_assert_str_eq(s.entries[0].name, "pam_systemd_home");
        ck_assert_str_eq(s.entries[1].name, "pam_env");
        ck_assert_uint_eq(s.entries[1].line, 3);
        ck_assert_str_eq(s.entries[1].args[0], "readenv=1");
        ck_assert_ptr_null(s.entries[1].args[1]);
        ck_assert_int_eq(s.entries[2].actions[10 /* user_unknown */], PAM_ACT_BAD);
        ck_assert_int_eq(s.entries[2].actions[PAM_CODE_AUTH_ERR], PAM_ACT_DIE);
        ck_assert_str_eq(s.entries[3].args[0], "quiet arg=a b]c");
        ck_assert_str_eq(s.entries[3].args[1], "end");
        /* a bad control makes the line fail; a line without module is broken */
        ck_assert_int_eq(s.entries[4].actions[PAM_CODE_SUCCESS], PAM_ACT_BAD);
        ck_assert_int_eq(s.entries[5].kind, PAM_ENTRY_MUST_FAIL);
        ck_assert_uint_eq(s.n_errors, 3);
        ck_assert(strstr(s.errors[2].message, "illegal module type: frob"));
        ck_assert_uint_eq(s.errors[0].line, 8);
        pam_stack_done(&s);
}
END_TEST

START_TEST(other_fallback_and_missing_include) {
        const char *const files[] = {
                "/etc/pam.d/other", "auth required pam_deny.so\n",
                "/etc/pam.d/svc2", "session required pam_limits.so\n",
                "/etc/pam.d/svc3", "auth include nothere\nauth required pam_permit.so\n",
                NULL };
        struct pam_stack s;

        load(&s, files, "absent");
        ck_assert(!s.exists);
        ck_assert(s.uses_other);
        ck_assert_str_eq(s.entries[0].name, "pam_deny");
        ck_assert_int_eq(can(&s, -1), 0);
        pam_stack_done(&s);

        load(&s, files, "svc2"); /* no auth lines: other's */
        ck_assert(s.exists);
        ck_assert(s.uses_other);
        pam_stack_done(&s);

        load(&s, files, "svc3");
        ck_assert_int_eq(s.entries[0].kind, PAM_ENTRY_MUST_FAIL);
        ck_assert_int_eq(can(&s, -1), 0); /* libpam fails the whole stack */
        ck_assert_uint_eq(s.n_errors, 1);
        pam_stack_done(&s);

        pam_stack_init(&s);
        ck_assert_int_eq(pam_stack_load(&s, "../etc/shadow", "auth", NULL), -EINVAL);
        pam_stack_done(&s);
}
END_TEST

START_TEST(include_vs_substack) {
        const char *const files[] = {
                "/etc/pam.d/a", "auth include pre\nauth required pam_oath.so\n",
                "/etc/pam.d/b", "auth substack pre\nauth required pam_oath.so\n",
                "/etc/pam.d/pre", "auth sufficient pam_rootok.so\nauth required pam_unix.so\n"
                                  "account required pam_unix.so\n",
                NULL };
        struct pam_stack s;

        load(&s, files, "a");
        ck_assert_uint_eq(s.n_entries, 3);
        ck_assert_int_eq(can(&s, find(&s, "pam_oath")), 1); /* sufficient ends the stack */
        pam_stack_done(&s);

        load(&s, files, "b");
        ck_assert_uint_eq(s.n_entries, 4);
        ck_assert_int_eq(s.entries[0].kind, PAM_ENTRY_SUBSTACK);
        ck_assert_int_eq(s.entries[1].level, 1);
        ck_assert_int_eq(can(&s, find(&s, "pam_oath")), 0); /* ... only the substack */
        ck_assert_int_eq(can(&s, -1), 1);
        pam_stack_done(&s);
}
END_TEST

START_TEST(jumps) {
        const char *const files[] = {
                "/etc/pam.d/j1",
                "auth [success=1 default=ignore] pam_succeed_if.so user ingroup office\n"
                "auth required pam_u2f.so\n"
                "auth required pam_unix.so\n",
                "/etc/pam.d/j2", /* a jump over a substack counts it as one */
                "auth [success=1 default=ignore] pam_a.so\n"
                "auth substack j3\n"
                "auth required pam_u2f.so\n",
                "/etc/pam.d/j3", "auth required pam_b.so\nauth required pam_c.so\n",
                "/etc/pam.d/j4", /* a jump past the end fails */
                "auth [success=5 default=bad] pam_a.so\nauth required pam_permit.so\n",
                "/etc/pam.d/j5", /* reset forgets an earlier failure */
                "auth required pam_u2f.so\nauth [success=ok default=reset] pam_a.so\n"
                "auth required pam_permit.so\n",
                NULL };
        struct pam_stack s;
        int w;
        unsigned char o[8];

        load(&s, files, "j1");
        memset(o, PAM_OUT_ANY, sizeof o);
        o[1] = PAM_OUT_FAIL;
        ck_assert_int_eq(pam_stack_can_succeed(&s, o, 1, &w), 1);
        ck_assert_int_eq(w, 0);
        pam_stack_done(&s);

        load(&s, files, "j2");
        ck_assert_uint_eq(s.n_entries, 5);
        ck_assert_int_eq(can(&s, 4), 0); /* the jump lands on the substack, not past u2f */
        pam_stack_done(&s);

        load(&s, files, "j4");
        ck_assert_int_eq(can(&s, -1), 0);
        pam_stack_done(&s);

        load(&s, files, "j5");
        ck_assert_int_eq(can(&s, 0), 1);
        pam_stack_done(&s);
}
END_TEST

START_TEST(self_include_is_bounded) {
        const char *const files[] = { "/etc/pam.d/loop",
                                      "auth required pam_unix.so\n@include loop\n"
                                      "auth substack loop\n", NULL };
        struct pam_stack s;

        load(&s, files, "loop");
        ck_assert_uint_le(s.n_entries, PAM_STACK_MAX_ENTRIES);
        ck_assert(s.truncated);
        ck_assert_int_ge(can(&s, -1), 0);
        pam_stack_done(&s);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("pam_stack");
        TCase *tc = tcase_create("pam");

        tcase_add_test(tc, debian_sshd_stack);
        tcase_add_test(tc, syntax);
        tcase_add_test(tc, other_fallback_and_missing_include);
        tcase_add_test(tc, include_vs_substack);
        tcase_add_test(tc, jumps);
        tcase_add_test(tc, self_include_is_bounded);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
