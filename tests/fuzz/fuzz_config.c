/* SPDX-License-Identifier: MIT */
/* complyd.yaml from arbitrary bytes: the real loader, from a buffer, then
 * the probes: check and the diagnostics printer. */
#include <stdint.h>

#include "config.h"
#include "util.h"

static int lookup(void *userdata, const char *name, const struct complyd_param **params) {
        static const struct complyd_param table[] = {
                { COMPLYD_PARAM_STRINGS, "paths", "[]", "files" },
                { COMPLYD_PARAM_INTEGER, "limit", "10", "a limit" },
                {},
        };

        if (streq(name, "script"))
                return 1;
        if (streq(name, "open_ports") || streq(name, "tls_certificates")) {
                *params = table;
                return 0;
        }
        return -ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct diag_list d = DIAG_LIST_INIT;
        struct config *c = NULL;
        char *out;

        if (config_load_buffer((const char *) data, size, "fuzz.yaml", &d, &c) == 0) {
                config_check_probes(c, lookup, NULL, &d);
                config_free(c);
        }
        out = diag_to_string(&d);
        free(out);
        diag_clear(&d);
        return 0;
}
