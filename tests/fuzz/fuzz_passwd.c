/* SPDX-License-Identifier: MIT */
/* libFuzzer target: probes/lib/passwd, the passwd(5)/group(5) parser the
 * accounts, file_permissions and open_ports probes share, on the same input
 * as both formats; then the accounts probe's JSON rendering of it. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/accounts/accounts.h"
#include "passwd.h"

/* A field never holds the bytes that end it (an absent one is ""). */
static void check_str(struct passwd_str s, const char *stops) {
        assert(s.s);
        for (const char *c = stops; *c; c++)
                assert(!memchr(s.s, *c, s.n));
        assert(!memchr(s.s, '\0', s.n));
}

static void check_table(const char *buf, size_t len, enum passwd_format fmt) {
        struct passwd_table t;

        assert(passwd_table_parse(&t, fmt, buf, len) == 0);
        assert(t.n_entries <= PASSWD_MAX_ENTRIES && t.n_ids <= t.n_entries);
        for (size_t i = 0; i < t.n_entries; i++) {
                const struct passwd_entry *e = &t.entries[i], *first = passwd_table_find(&t, e->id);
                struct passwd_member_iter it = { 0 };
                struct passwd_str m;
                unsigned n = 0;

                assert(e->name.n > 0 && e->name.s >= buf && e->name.s + e->name.n <= buf + len);
                check_str(e->name, ":\n");
                check_str(e->shell, ":\n");
                /* the first entry of an id answers for it */
                assert(first && first->id == e->id && first <= e);
                while (passwd_member_next(e, &it, &m)) {
                        assert(m.n > 0 && ++n <= PASSWD_MAX_MEMBERS);
                        check_str(m, ",:\n");
                }
        }
        passwd_table_done(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *users = json_array(), *groups = json_array(), *u;
        size_t i;

        check_table((const char *) data, size, PASSWD_FORMAT_PASSWD);
        check_table((const char *) data, size, PASSWD_FORMAT_GROUP);
        assert(users && groups);
        assert(acct_parse_passwd((const char *) data, size, users) == 0);
        assert(acct_parse_group((const char *) data, size, groups) == 0);
        json_array_foreach(users, i, u)
                assert(json_is_string(json_object_get(u, "name")) &&
                       json_integer_value(json_object_get(u, "uid")) >= 0);
        assert(json_array_size(users) <= PASSWD_MAX_ENTRIES &&
               json_array_size(groups) <= PASSWD_MAX_ENTRIES);
        json_decref(users);
        json_decref(groups);
        return 0;
}
