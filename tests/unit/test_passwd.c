/* SPDX-License-Identifier: MIT */
/* probes/lib/passwd: the passwd(5)/group(5) table the accounts,
 * file_permissions and open_ports probes share — on the Debian 12 fixture
 * files, on hand-made malformed lines, and at its limits. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "passwd.h"
#include "testutil.h"

static char *slurp(const char *path, size_t *len) {
        FILE *f = fopen(path, "re");
        char *buf = malloc(1 << 20);

        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(buf);
        *len = fread(buf, 1, 1 << 20, f);
        fclose(f);
        return buf;
}

static bool str_is(struct passwd_str s, const char *want) {
        return s.n == strlen(want) && memcmp(s.s, want, s.n) == 0;
}

/* The name of id in t, "" when it has none (a static buffer). */
static const char *name_of(const struct passwd_table *t, uint32_t id) {
        static char name[64];
        const struct passwd_entry *e = passwd_table_find(t, id);

        if (!e || e->name.n >= sizeof name)
                return "";
        memcpy(name, e->name.s, e->name.n);
        name[e->name.n] = '\0';
        return name;
}

START_TEST(debian_files) {
        size_t len;
        _cleanup_free_ char *pw = slurp(FIXTURE("hosts/perms-debian/etc/passwd"), &len);
        _cleanup_free_ char *gr = NULL;
        struct passwd_table t;
        const struct passwd_entry *e;
        struct passwd_member_iter it = { 0 };
        struct passwd_str m;

        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_PASSWD, pw, len), 0);
        ck_assert_uint_eq(t.n_entries, 24);
        ck_assert_str_eq(name_of(&t, 0), "root");
        ck_assert_str_eq(name_of(&t, 65534), "nobody");
        ck_assert_str_eq(name_of(&t, 4242), "");
        e = passwd_table_find(&t, 0);
        ck_assert(str_is(e->password, "x") && str_is(e->home, "/root") &&
                  str_is(e->shell, "/bin/bash") && e->gid == 0);
        passwd_table_done(&t);

        gr = slurp(FIXTURE("hosts/perms-debian/etc/group"), &len);
        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_GROUP, gr, len), 0);
        ck_assert_uint_eq(t.n_entries, 25);
        ck_assert_str_eq(name_of(&t, 42), "shadow");
        ck_assert_str_eq(name_of(&t, 65534), "nogroup");
        e = passwd_table_find(&t, 27);
        ck_assert(str_is(e->name, "sudo"));
        ck_assert(passwd_member_next(e, &it, &m) && str_is(m, "alice"));
        ck_assert(passwd_member_next(e, &it, &m) && str_is(m, "bob"));
        ck_assert(!passwd_member_next(e, &it, &m));
        passwd_table_done(&t);
}
END_TEST

/* What getpwent() would skip is skipped; the rest is kept in file order. */
START_TEST(malformed_lines) {
        static const char pw[] = "root:x:0:0:root:/root:/bin/bash\n"
                                 "# comment\n"
                                 "\n"
                                 "broken line\n"
                                 ":x:5:5::/:/bin/sh\n"
                                 "big:x:4294967296:1::/:/bin/sh\n"
                                 "neg:x:-1:1::/:/bin/sh\n"
                                 "+nisuser::::::\n"
                                 "-nisuser::::::\n"
                                 "short:x:7:7::/\n"
                                 "long:x:8:8::/:/bin/sh:extra\n"
                                 "nul:x:9:9::/:/bin/sh\0\n"
                                 "crlf:x:10:10::/home/crlf:/bin/sh\r\n"
                                 "systemd-resolve:x:991:991:systemd Resolver:/:/usr/sbin/nologin\n"
                                 "last:x:4294967295:1::/:/bin/sh";
        struct passwd_table t;

        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_PASSWD, pw, sizeof pw - 1), 0);
        ck_assert_uint_eq(t.n_entries, 4);
        ck_assert(str_is(t.entries[0].name, "root"));
        ck_assert(str_is(t.entries[1].name, "crlf") && str_is(t.entries[1].shell, "/bin/sh"));
        ck_assert(str_is(t.entries[2].name, "systemd-resolve") && t.entries[2].id == 991);
        ck_assert(str_is(t.entries[3].name, "last") && t.entries[3].id == 4294967295u);
        ck_assert_str_eq(name_of(&t, 4294967295u), "last");
        ck_assert_str_eq(name_of(&t, 9), "");
        passwd_table_done(&t);
}
END_TEST

/* A group line has four fields: a passwd line is not a group. The first
 * entry of an id answers, as getgrgid() does. */
START_TEST(group_lines) {
        static const char gr[] = "root:x:0:0:root:/root:/bin/bash\nshadow:x:42:\nother:x:42:\n"
                                 "bad:x:-1:\n+nis::::\n:x:5:\nbig:x:99999999999:\n"
                                 "sudo:x:27:,alice,,bob,\n\xff:x:7:\n";
        struct passwd_table t;
        struct passwd_member_iter it = { 0 };
        struct passwd_str m;
        const struct passwd_entry *e;

        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_GROUP, gr, sizeof gr - 1), 0);
        ck_assert_uint_eq(t.n_entries, 4);
        ck_assert_uint_eq(t.n_ids, 3);
        ck_assert_str_eq(name_of(&t, 0), "");
        ck_assert_str_eq(name_of(&t, 42), "shadow");
        ck_assert_str_eq(name_of(&t, 7), "\xff"); /* bytes as written: callers make JSON */
        e = passwd_table_find(&t, 27);
        ck_assert(passwd_member_next(e, &it, &m) && str_is(m, "alice"));
        ck_assert(passwd_member_next(e, &it, &m) && str_is(m, "bob"));
        ck_assert(!passwd_member_next(e, &it, &m));
        passwd_table_done(&t);
}
END_TEST

START_TEST(empty_table) {
        struct passwd_table t;

        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_PASSWD, "", 0), 0);
        ck_assert_uint_eq(t.n_entries, 0);
        ck_assert_ptr_null(passwd_table_find(&t, 0));
        passwd_table_done(&t);
        passwd_table_done(&t); /* zeroed: a second call is harmless */
}
END_TEST

/* 200,001 users: the first 200,000 are kept. A line over 64 KiB is
 * skipped. A group's member list is read up to 10,000 items. */
START_TEST(limits) {
        size_t cap = (PASSWD_MAX_ENTRIES + 1) * 48 + PASSWD_MAX_LINE + 64, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        struct passwd_table t;
        struct passwd_member_iter it = { 0 };
        struct passwd_str m;
        unsigned n = 0;

        ck_assert_ptr_nonnull(buf);
        len += (size_t) sprintf(buf, "huge:x:1:1:");
        memset(buf + len, 'g', PASSWD_MAX_LINE);
        len += PASSWD_MAX_LINE;
        len += (size_t) sprintf(buf + len, ":/:/bin/sh\n");
        for (unsigned i = 0; i <= PASSWD_MAX_ENTRIES; i++)
                len += (size_t) sprintf(buf + len, "u%u:x:%u:%u::/:/bin/sh\n", i, i + 2, i + 2);
        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_PASSWD, buf, len), 0);
        ck_assert_uint_eq(t.n_entries, PASSWD_MAX_ENTRIES);
        ck_assert_str_eq(name_of(&t, 1), "");
        ck_assert_str_eq(name_of(&t, 2), "u0");
        ck_assert_str_eq(name_of(&t, PASSWD_MAX_ENTRIES + 1), "u199999");
        ck_assert_str_eq(name_of(&t, PASSWD_MAX_ENTRIES + 2), "");
        passwd_table_done(&t);

        len = (size_t) sprintf(buf, "many:x:100:");
        for (unsigned i = 0; i < PASSWD_MAX_MEMBERS + 5; i++)
                len += (size_t) sprintf(buf + len, "m%u,", i);
        ck_assert_int_eq(passwd_table_parse(&t, PASSWD_FORMAT_GROUP, buf, len), 0);
        ck_assert_uint_eq(t.n_entries, 1);
        while (passwd_member_next(&t.entries[0], &it, &m))
                n++;
        ck_assert_uint_eq(n, PASSWD_MAX_MEMBERS);
        passwd_table_done(&t);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("passwd");
        TCase *tc = tcase_create("passwd");

        tcase_add_test(tc, debian_files);
        tcase_add_test(tc, malformed_lines);
        tcase_add_test(tc, group_lines);
        tcase_add_test(tc, empty_table);
        tcase_add_test(tc, limits);
        tcase_set_timeout(tc, 30);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
