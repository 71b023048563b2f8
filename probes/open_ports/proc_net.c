/* SPDX-License-Identifier: MIT */
/* Parser of /proc/net/{tcp,tcp6,udp,udp6}. The kernel prints one socket per
 * line (net/ipv4/tcp_ipv4.c get_tcp4_sock(), net/ipv4/udp.c udp4_format_sock()):
 *
 *    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
 *     0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514 1 ...
 *
 * Addresses are the in-memory 32-bit words of the address printed with
 * %08X, that is in host byte order (IPv6: four such words); ports are %04X
 * of the port number. uid, timeout and inode are decimal. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "open_ports.h"

#define FIELDS 10 /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Parses exactly n (1..8) hex digits at s into *v; 0 or -EINVAL. */
static int parse_hex(const char *s, size_t n, uint32_t *v) {
        uint32_t x = 0;

        for (size_t i = 0; i < n; i++) {
                int d = hexval(s[i]);
                if (d < 0)
                        return -EINVAL;
                x = (x << 4) | (uint32_t) d;
        }
        *v = x;
        return 0;
}

/* Parses a decimal number of at most 20 digits that fits max; 0 or -EINVAL. */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v) {
        uint64_t x = 0;

        if (n == 0 || n > 20)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                if (x > (max - (uint64_t) (s[i] - '0')) / 10)
                        return -EINVAL;
                x = x * 10 + (uint64_t) (s[i] - '0');
        }
        *v = x;
        return 0;
}

/* Parses "HEXADDR:PORT" (8 or 32 address digits by family) into addr/port. */
static int parse_endpoint(const char *s, size_t n, int family, uint8_t addr[16], uint16_t *port) {
        size_t alen = family == AF_INET6 ? 32 : 8;
        uint32_t p;

        if (n != alen + 5 || s[alen] != ':')
                return -EINVAL;
        for (size_t w = 0; w < alen / 8; w++) {
                uint32_t word;
                if (parse_hex(s + 8 * w, 8, &word) < 0)
                        return -EINVAL;
                memcpy(addr + 4 * w, &word, 4); /* host order word = kernel memory */
        }
        if (parse_hex(s + alen + 1, 4, &p) < 0)
                return -EINVAL;
        *port = (uint16_t) p;
        return 0;
}

/* Splits line into up to max space-separated fields; returns the count. */
static size_t split_fields(const char *line, size_t len, const char **f, size_t *flen, size_t max) {
        size_t n = 0, i = 0;

        while (i < len && n < max) {
                while (i < len && line[i] == ' ')
                        i++;
                if (i == len)
                        break;
                f[n] = line + i;
                while (i < len && line[i] != ' ')
                        i++;
                flen[n] = (size_t) (line + i - f[n]);
                n++;
        }
        return n;
}

int oports_parse_proc_net_line(const char *line, size_t len, int family, int proto,
                               struct oports_sock *ret) {
        const char *f[FIELDS];
        size_t fl[FIELDS];
        struct oports_sock s = { .family = (uint8_t) family, .proto = (uint8_t) proto };
        uint8_t rem[16];
        uint16_t rport;
        uint32_t st;
        uint64_t v;

        if ((family != AF_INET && family != AF_INET6) || len > OPORTS_LINE_MAX)
                return -EINVAL;
        if (split_fields(line, len, f, fl, FIELDS) < FIELDS)
                return -EINVAL;
        /* "sl" is "N:" */
        if (fl[0] < 2 || f[0][fl[0] - 1] != ':' || parse_dec(f[0], fl[0] - 1, UINT64_MAX, &v) < 0)
                return -EINVAL;
        if (parse_endpoint(f[1], fl[1], family, s.addr, &s.port) < 0 ||
            parse_endpoint(f[2], fl[2], family, rem, &rport) < 0)
                return -EINVAL;
        if (fl[3] != 2 || parse_hex(f[3], 2, &st) < 0)
                return -EINVAL;
        s.state = (uint8_t) st;
        if (parse_dec(f[7], fl[7], UINT32_MAX, &v) < 0)
                return -EINVAL;
        s.uid = (uint32_t) v;
        if (parse_dec(f[9], fl[9], UINT64_MAX, &s.inode) < 0)
                return -EINVAL;
        *ret = s;
        return 0;
}

void oports_proc_net_reader_init(struct oports_proc_net_reader *r, int family, int proto,
                                 oports_sock_fn fn, void *userdata) {
        *r = (struct oports_proc_net_reader) {
                .family = family, .proto = proto, .fn = fn, .userdata = userdata,
        };
}

/* Handles one complete line: the first is the header, the rest sockets. */
static int reader_line(struct oports_proc_net_reader *r, const char *line, size_t len) {
        struct oports_sock s;

        if (r->lines++ == 0)
                return 0;
        if (oports_parse_proc_net_line(line, len, r->family, r->proto, &s) < 0) {
                r->bad++;
                return 0;
        }
        return r->fn(&s, r->userdata);
}

/* Appends a partial line to line[], or starts dropping it when too long. */
static void reader_keep(struct oports_proc_net_reader *r, const char *data, size_t n) {
        if (r->overlong)
                return;
        if (r->len + n > sizeof(r->line)) {
                r->overlong = true;
                r->len = 0;
                return;
        }
        memcpy(r->line + r->len, data, n);
        r->len += n;
}

int oports_proc_net_feed(struct oports_proc_net_reader *r, const char *data, size_t n) {
        while (n > 0) {
                const char *nl = memchr(data, '\n', n);
                size_t part = nl ? (size_t) (nl - data) : n;
                int k = 0;

                if (!nl) {
                        reader_keep(r, data, part);
                        return 0;
                }
                if (r->overlong) {
                        r->overlong = false;
                        r->lines++, r->bad++;
                } else if (r->len > 0) {
                        reader_keep(r, data, part);
                        if (r->overlong) {
                                r->overlong = false;
                                r->lines++, r->bad++;
                        } else
                                k = reader_line(r, r->line, r->len);
                        r->len = 0;
                } else if (part > OPORTS_LINE_MAX) {
                        r->lines++, r->bad++;
                } else
                        k = reader_line(r, data, part);
                if (k < 0)
                        return k;
                data += part + 1;
                n -= part + 1;
        }
        return 0;
}

int oports_proc_net_finish(struct oports_proc_net_reader *r) {
        int k = 0;

        if (r->overlong)
                r->lines++, r->bad++;
        else if (r->len > 0)
                k = reader_line(r, r->line, r->len);
        r->len = 0;
        r->overlong = false;
        return k;
}
