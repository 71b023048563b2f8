/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the shadow(5) parser of the accounts probe; no hash
 * may ever reach the facts. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/accounts/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *sh = json_object(), *v;
        const char *k;

        assert(sh && acct_parse_shadow((const char *) data, size, sh) == 0);
        json_object_foreach(sh, k, v) {
                const char *p = json_string_value(json_object_get(v, "password"));
                assert(p && (!strcmp(p, "set") || !strcmp(p, "locked") || !strcmp(p, "none") ||
                             !strcmp(p, "disabled")));
                assert(json_object_size(v) == 10);
        }
        json_decref(sh);
        return 0;
}
