/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the key/value parser behind login.defs(5) and
 * pwquality.conf(5), in both syntaxes. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/accounts/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *a = json_object(), *b = json_object();

        assert(a && b);
        assert(acct_parse_keyvalue((const char *) data, size, false, a) == 0);
        assert(acct_parse_keyvalue((const char *) data, size, true, b) == 0);
        json_decref(a);
        json_decref(b);
        return 0;
}
