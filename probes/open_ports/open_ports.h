/* SPDX-License-Identifier: MIT */
/* open_ports probe internals: the pure parsers (/proc/net/{tcp,udp}[6],
 * /proc/<pid>/cgroup) and the socket record they share with the
 * probe. The parsers take (buffer, length), never touch files, accept any
 * bytes and have explicit size limits, so unit and fuzz tests call them
 * directly. Every exported name starts with oports_. */
#ifndef COMPLYD_OPEN_PORTS_H
#define COMPLYD_OPEN_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest /proc/net line accepted (the kernel's are about 150 bytes);
 * a longer one is skipped as garbage. */
#define OPORTS_LINE_MAX 1024

/* Kernel socket states (include/net/tcp_states.h) the probe reports:
 * a TCP socket listening, a UDP socket bound and not connected. */
#define OPORTS_TCP_LISTEN 0x0A
#define OPORTS_UDP_UNCONN 0x07

/* One socket as the kernel lists it. addr is in network byte order (the
 * first 4 bytes for IPv4). */
struct oports_sock {
        uint8_t addr[16];
        uint8_t family; /* AF_INET or AF_INET6 */
        uint8_t proto;  /* IPPROTO_TCP or IPPROTO_UDP */
        uint8_t state;  /* kernel state number (0x0A listen, 0x07 close/unconn) */
        uint16_t port;
        uint32_t uid;
        uint64_t inode;
};

/* Called for each socket line parsed; a negative return stops parsing and
 * is returned by the feeder. */
typedef int (*oports_sock_fn)(const struct oports_sock *s, void *userdata);

/* Parses one line of /proc/net/{tcp,tcp6,udp,udp6} (no newline) into *ret.
 * family/proto say which file it came from. Returns 0, or -EINVAL for the
 * header or any line not exactly in the kernel's format (*ret untouched). */
int oports_parse_proc_net_line(const char *line, size_t len, int family, int proto,
                               struct oports_sock *ret);

/* Incremental reader for a /proc/net file handed over in chunks of any size
 * (the file is streamed: it also lists every established connection and can
 * be tens of megabytes). Complete lines are parsed in place; only a partial
 * last line is copied into line[]. */
struct oports_proc_net_reader {
        int family, proto;
        oports_sock_fn fn;
        void *userdata;
        char line[OPORTS_LINE_MAX];
        size_t len;           /* bytes of a partial line held in line[] */
        bool overlong;        /* dropping the rest of a too-long line */
        unsigned long lines;  /* lines seen (header included) */
        unsigned long bad;    /* lines that were not socket lines, header excluded */
};

void oports_proc_net_reader_init(struct oports_proc_net_reader *r, int family, int proto,
                                 oports_sock_fn fn, void *userdata);
/* Feeds n bytes; returns 0 or the callback's negative return. */
int oports_proc_net_feed(struct oports_proc_net_reader *r, const char *data, size_t n);
/* Parses a last line that had no newline; returns 0 or the callback's error. */
int oports_proc_net_finish(struct oports_proc_net_reader *r);

/* Finds the systemd unit in a /proc/<pid>/cgroup text: the last path
 * component ending in .service, .socket or .scope of the cgroup v2 line
 * ("0::/system.slice/ssh.service"), or of the v1 "name=systemd" line when
 * there is no v2 line. Returns 1 and a malloc'ed name in *unit, 0 when there
 * is none (*unit untouched), -ENOMEM. Input beyond 64 KiB is ignored. */
int oports_cgroup_unit(const char *buf, size_t len, char **unit);



/* Dumps the live host's sockets of one family (AF_INET/AF_INET6) and
 * protocol (IPPROTO_TCP/UDP) whose state bit (1 << state) is in states,
 * through netlink sock_diag, calling fn for each. expired(userdata), when
 * given, is checked after every batch. Returns 0, the callback's error, or
 * -errno (e.g. -ENOENT when the kernel lacks udp_diag, -EPERM/-EAFNOSUPPORT
 * where netlink is not allowed): the caller then reads /proc/net instead. */
int oports_sock_diag_dump(int family, int proto, uint32_t states, bool (*expired)(void *),
                          oports_sock_fn fn, void *userdata);

/* Walks the netlink messages of one recv() buffer of a sock_diag dump
 * (buf aligned as malloc() aligns), calling fn for each socket of the
 * requested family. Truncated or unknown messages are skipped. Returns 1
 * when the dump is done (NLMSG_DONE), 0 when more follows, the kernel's
 * -errno from NLMSG_ERROR, or the callback's error. */
int oports_sock_diag_parse(const char *buf, size_t len, int family, int proto, oports_sock_fn fn,
                           void *userdata);

#endif
