/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the ssh probe's openssh-server lookup in the dpkg
 * status file and the version split behind the protocol banner. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/ssh/ssh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *v = NULL, up[64], rev[64];
        int r = ssh_dpkg_version((const char *) data, size, &v);

        assert(r == 0 || r == -ENOENT);
        if (r == 0) {
                assert(strlen(v) < 128);
                if (ssh_split_version(v, up, sizeof up, rev, sizeof rev) == 0)
                        assert(strlen(up) > 0 && strlen(up) < sizeof up);
                free(v);
        }
        return 0;
}
