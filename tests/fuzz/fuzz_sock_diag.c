/* SPDX-License-Identifier: MIT */
/* Fuzz target: the netlink sock_diag reply parser of open_ports. The first
 * byte picks family and protocol; the rest is one recv() buffer, copied to
 * an aligned allocation as recv() into malloc'ed memory would give it. */
#include <assert.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../probes/open_ports/open_ports.h"

static int check(const struct oports_sock *s, void *userdata) {
        int family = *(int *) userdata;

        assert(s->family == family);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int family, proto;
        char *buf;

        if (size < 1)
                return 0;
        family = data[0] & 1 ? AF_INET6 : AF_INET;
        proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
        buf = malloc(size);
        assert(buf);
        memcpy(buf, data + 1, size - 1);
        oports_sock_diag_parse(buf, size - 1, family, proto, check, &family);
        free(buf);
        return 0;
}
