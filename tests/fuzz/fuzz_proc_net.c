/* SPDX-License-Identifier: MIT */
/* Fuzz target: the /proc/net/{tcp,tcp6,udp,udp6} parser of open_ports.
 * The first byte picks the table (family/protocol) and a chunk size; the
 * rest is the file, fed to the streaming reader in chunks of that size and
 * then whole to the line parser, which must agree. */
#include <assert.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "../../probes/open_ports/open_ports.h"

struct tally {
        unsigned long n;
        uint64_t inode_sum;
};

static int count(const struct oports_sock *s, void *userdata) {
        struct tally *t = userdata;

        assert(s->family == AF_INET || s->family == AF_INET6);
        t->n++;
        t->inode_sum += s->inode;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct oports_proc_net_reader r;
        struct tally chunked = { 0 }, whole = { 0 };
        int family, proto;
        size_t chunk;

        if (size < 1)
                return 0;
        family = data[0] & 1 ? AF_INET6 : AF_INET;
        proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
        chunk = (size_t) (data[0] >> 2) + 1;
        data++, size--;

        oports_proc_net_reader_init(&r, family, proto, count, &chunked);
        for (size_t off = 0; off < size; off += chunk)
                oports_proc_net_feed(&r, (const char *) data + off, size - off < chunk ? size - off : chunk);
        oports_proc_net_finish(&r);

        oports_proc_net_reader_init(&r, family, proto, count, &whole);
        oports_proc_net_feed(&r, (const char *) data, size);
        oports_proc_net_finish(&r);
        assert(chunked.n == whole.n && chunked.inode_sum == whole.inode_sum);
        return 0;
}
