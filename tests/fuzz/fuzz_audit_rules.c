/* SPDX-License-Identifier: MIT */
/* Fuzz target: audit rules parser and auditctl -s reader (logging). */
#include <stdint.h>

#include "../../probes/logging/logging.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct audit_summary s;
        json_t *j;
        int e;

        audit_summary_init(&s);
        audit_rules_parse((const char *) data, size, &s);
        if (s.n_keys > AUDIT_MAX_KEYS || s.watches > s.rules || s.syscall_rules > s.rules)
                __builtin_trap();
        j = audit_summary_json(&s);
        json_decref(j);
        e = audit_status_enabled((const char *) data, size);
        if (e < -1 || e > 2)
                __builtin_trap();
        return 0;
}
