/* SPDX-License-Identifier: MIT */
/* Fuzz target: the passwd(5) reader open_ports uses to name socket owners. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/open_ports/open_ports.h"

static int check(const char *name, size_t len, uint32_t uid, void *userdata) {
        (void) uid;
        (void) userdata;
        assert(len > 0 && len <= 256 && !memchr(name, ':', len) && !memchr(name, '\n', len));
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        assert(oports_passwd_parse((const char *) data, size, check, NULL) == 0);
        return 0;
}
