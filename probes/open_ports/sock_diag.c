/* SPDX-License-Identifier: MIT */
/* Listening sockets of the live host through netlink sock_diag
 * (NETLINK_SOCK_DIAG, inet_diag_req_v2), the interface ss uses. It asks the
 * kernel for sockets in the wanted state only, so the cost does not grow with
 * the established connections, and it skips the walk over the whole
 * established-connection hash that every read of /proc/net/tcp pays. Only
 * the probe's own network namespace is seen — the same one /proc/net shows. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "open_ports.h"

#define RECV_BUF (64 * 1024)

/* Sends one dump request for family/proto in the given states. */
static int send_request(int fd, int family, int proto, uint32_t states) {
        struct {
                struct nlmsghdr nlh;
                struct inet_diag_req_v2 req;
        } msg = {
                .nlh = {
                        .nlmsg_len = sizeof(msg),
                        .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                        .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                        .nlmsg_seq = 1,
                },
                .req = {
                        .sdiag_family = (uint8_t) family,
                        .sdiag_protocol = (uint8_t) proto,
                        .idiag_states = states,
                },
        };
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

        if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return 0;
}

/* Converts one inet_diag_msg into the record the /proc/net parser makes. */
static void to_sock(const struct inet_diag_msg *m, int proto, struct oports_sock *s) {
        *s = (struct oports_sock) {
                .family = m->idiag_family,
                .proto = (uint8_t) proto,
                .state = m->idiag_state,
                .port = ntohs(m->id.idiag_sport),
                .uid = m->idiag_uid,
                .inode = m->idiag_inode,
        };
        memcpy(s->addr, m->id.idiag_src, m->idiag_family == AF_INET6 ? 16 : 4);
}

int oports_sock_diag_parse(const char *buf, size_t len, int family, int proto, oports_sock_fn fn,
                           void *userdata) {
        size_t off = 0;
        int r;

        /* NLMSG_OK/NLMSG_NEXT are not used: with an unsigned length a last
         * message whose aligned size exceeds the rest would wrap it. */
        while (len - off >= sizeof(struct nlmsghdr)) {
                const struct nlmsghdr *h = (const struct nlmsghdr *) (buf + off);
                const struct inet_diag_msg *m = NLMSG_DATA(h);
                struct oports_sock s;

                if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
                        return 0; /* truncated: nothing more to read here */
                if (h->nlmsg_type == NLMSG_DONE)
                        return 1;
                if (h->nlmsg_type == NLMSG_ERROR) {
                        const struct nlmsgerr *e = NLMSG_DATA(h);
                        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                                return -EBADMSG;
                        return e->error < 0 ? e->error : -EBADMSG;
                }
                if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(*m)) &&
                    m->idiag_family == family) {
                        to_sock(m, proto, &s);
                        if ((r = fn(&s, userdata)) < 0)
                                return r;
                }
                off += NLMSG_ALIGN(h->nlmsg_len);
                if (off >= len)
                        break;
        }
        return 0;
}

int oports_sock_diag_dump(int family, int proto, uint32_t states, bool (*expired)(void *),
                          oports_sock_fn fn, void *userdata) {
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        _cleanup_free_ char *buf = malloc(RECV_BUF);
        int r;

        if (fd < 0)
                return -errno;
        if (!buf)
                return -ENOMEM;
        if ((r = send_request(fd, family, proto, states)) < 0)
                return r;
        for (;;) {
                ssize_t n = recv(fd, buf, RECV_BUF, 0);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EBADMSG;
                if ((r = oports_sock_diag_parse(buf, (size_t) n, family, proto, fn, userdata)) != 0)
                        return r > 0 ? 0 : r;
                if (expired && expired(userdata))
                        return -ETIMEDOUT;
        }
}
