/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the passwd(5) and group(5) parsers of the accounts
 * probe, on the same input. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/accounts/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *users = json_array(), *groups = json_array(), *u;
        size_t i;

        assert(users && groups);
        assert(acct_parse_passwd((const char *) data, size, users) == 0);
        assert(acct_parse_group((const char *) data, size, groups) == 0);
        json_array_foreach(users, i, u)
                assert(json_is_string(json_object_get(u, "name")) &&
                       json_integer_value(json_object_get(u, "uid")) >= 0);
        assert(json_array_size(users) <= ACCT_MAX_LINES && json_array_size(groups) <= ACCT_MAX_LINES);
        json_decref(users);
        json_decref(groups);
        return 0;
}
