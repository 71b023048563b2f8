/* SPDX-License-Identifier: MIT */
/* open_ports: the probe on fixture roots shaped like real hosts, and its
 * parsers (/proc/net lines, streamed chunks, cgroup units, passwd) on real
 * and broken input. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/open_ports/open_ports.h"

extern const struct complyd_probe complyd_probe_open_ports;

/* Runs the probe on a fixture root; returns observe()'s result, *out set on 0. */
static int observe_root(const char *root, json_t **out) {
        json_t *params;
        char err[256];
        struct complyd_probe_ctx *ctx;
        int r;

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_open_ports, NULL, &params, err,
                                              sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        r = complyd_probe_open_ports.observe(ctx, out);
        probe_ctx_free(ctx);
        json_decref(params);
        return r;
}

static json_t *observe_ok(const char *root) {
        json_t *out = NULL;

        ck_assert_int_eq(observe_root(root, &out), 0);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.open_ports.v1");
        return out;
}

/* The listener with this proto and endpoint ("0.0.0.0:22", "[::]:22"), or NULL. */
static json_t *find(json_t *out, const char *proto, const char *endpoint) {
        size_t i;
        json_t *l;

        json_array_foreach(json_object_get(out, "listeners"), i, l)
                if (streq(json_string_value(json_object_get(l, "proto")), proto) &&
                    streq(json_string_value(json_object_get(l, "endpoint")), endpoint))
                        return l;
        return NULL;
}

static const char *str(json_t *l, const char *key) {
        return json_string_value(json_object_get(l, key));
}

static json_int_t num(json_t *l, const char *key) {
        ck_assert_msg(json_is_integer(json_object_get(l, key)), "%s not an integer", key);
        return json_integer_value(json_object_get(l, key));
}

static void assert_null(json_t *l, const char *key) {
        ck_assert_msg(json_is_null(json_object_get(l, key)), "%s should be null", key);
}

/* The owners' pids as "900,901,902". */
static void owners_are(json_t *l, const char *want) {
        char buf[128] = "";
        size_t i, off = 0;
        json_t *o;

        json_array_foreach(json_object_get(l, "owners"), i, o)
                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%lld", i ? "," : "",
                                         (long long) num(o, "pid"));
        ck_assert_str_eq(buf, want);
}

START_TEST(basic_sshd_everything_named) {
        json_t *out = observe_ok(FIXTURE("hosts/ports-basic"));
        json_t *l = find(out, "tcp", "0.0.0.0:22");

        ck_assert_ptr_nonnull(l);
        ck_assert_str_eq(str(l, "family"), "ipv4");
        ck_assert_str_eq(str(l, "address"), "0.0.0.0");
        ck_assert_int_eq(num(l, "port"), 22);
        ck_assert_str_eq(str(l, "scope"), "any");
        ck_assert_int_eq(num(l, "pid"), 812);
        ck_assert_str_eq(str(l, "process"), "sshd");
        ck_assert_str_eq(str(l, "exe"), "/usr/sbin/sshd");
        ck_assert_str_eq(str(l, "user"), "root");
        ck_assert_int_eq(num(l, "uid"), 0);
        ck_assert_str_eq(str(l, "unit"), "ssh.service");
        ck_assert_int_eq(num(l, "inode"), 18514);
        owners_are(l, "812");
        l = find(out, "tcp", "[::]:22");
        ck_assert_ptr_nonnull(l);
        ck_assert_str_eq(str(l, "family"), "ipv6");
        ck_assert_str_eq(str(l, "address"), "::");
        ck_assert_str_eq(str(l, "scope"), "any");
        ck_assert_int_eq(num(l, "pid"), 812);
        ck_assert_int_eq(num(out, "listener_count"), 16);
        ck_assert_int_eq(json_array_size(json_object_get(out, "listeners")), 16);
        ck_assert(json_is_true(json_object_get(out, "ipv6")));
        ck_assert(json_is_false(json_object_get(out, "truncated")));
        json_decref(out);
}
END_TEST

/* Established and TIME_WAIT TCP, and a connected UDP socket, are not
 * listeners (ss -l leaves them out too). */
START_TEST(basic_only_listening_and_unconnected) {
        json_t *out = observe_ok(FIXTURE("hosts/ports-basic"));
        size_t i;
        json_t *l;

        json_array_foreach(json_object_get(out, "listeners"), i, l) {
                ck_assert_str_ne(str(l, "address"), "192.168.1.10:22");
                ck_assert_int_ne(num(l, "inode"), 30000); /* sshd session, ESTABLISHED */
                ck_assert_int_ne(num(l, "inode"), 0);     /* TIME_WAIT */
                ck_assert_int_ne(num(l, "inode"), 16500); /* chronyd, connected UDP */
        }
        ck_assert_ptr_null(find(out, "udp", "192.168.1.10:40000"));
        ck_assert_ptr_null(find(out, "tcp", "192.168.1.10:80"));
        json_decref(out);
}
END_TEST

START_TEST(basic_scopes) {
        static const struct { const char *proto, *endpoint, *scope; } want[] = {
                { "tcp", "127.0.0.53:53", "loopback" },
                { "udp", "127.0.0.1:323", "loopback" },
                { "udp", "[::1]:323", "loopback" },
                { "tcp", "[::ffff:127.0.0.1]:8080", "loopback" },
                { "tcp", "192.168.1.10:5432", "specific" },
                { "udp", "[fe80::5054:ff:fe12:3456]:123", "specific" },
                { "udp", "[::]:5353", "any" },
                { "udp", "0.0.0.0:68", "any" },
        };
        json_t *out = observe_ok(FIXTURE("hosts/ports-basic"));

        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                json_t *l = find(out, want[i].proto, want[i].endpoint);
                ck_assert_msg(l, "%s %s missing", want[i].proto, want[i].endpoint);
                ck_assert_str_eq(str(l, "scope"), want[i].scope);
        }
        ck_assert_str_eq(str(find(out, "tcp", "[::ffff:127.0.0.1]:8080"), "address"),
                         "::ffff:127.0.0.1");
        json_decref(out);
}
END_TEST

/* nginx forks after bind: one listener, every holder in owners, the master
 * (lowest pid) named. A socket-activated port held by systemd (pid 1) and
 * the service names the service. */
START_TEST(basic_shared_sockets) {
        json_t *out = observe_ok(FIXTURE("hosts/ports-basic"));
        json_t *l = find(out, "tcp", "0.0.0.0:80");

        ck_assert_ptr_nonnull(l);
        owners_are(l, "900,901,902");
        ck_assert_int_eq(num(l, "pid"), 900);
        ck_assert_str_eq(str(l, "process"), "nginx");
        ck_assert_str_eq(str(json_array_get(json_object_get(l, "owners"), 2), "process"), "nginx");
        l = find(out, "tcp", "[::]:9090");
        ck_assert_ptr_nonnull(l);
        owners_are(l, "1,1200");
        ck_assert_int_eq(num(l, "pid"), 1200);
        ck_assert_str_eq(str(l, "process"), "cockpit-ws");
        ck_assert_str_eq(str(l, "unit"), "cockpit.service");
        ck_assert_str_eq(str(json_array_get(json_object_get(l, "owners"), 0), "process"), "systemd");
        json_decref(out);
}
END_TEST

START_TEST(basic_units_users_unknowns) {
        json_t *out = observe_ok(FIXTURE("hosts/ports-basic"));
        json_t *l;

        l = find(out, "tcp", "192.168.1.10:5432");
        ck_assert_str_eq(str(l, "unit"), "postgresql@15-main.service");
        ck_assert_str_eq(str(l, "user"), "postgres");
        l = find(out, "tcp", "[::1]:631"); /* cgroup v1 only: name=systemd line */
        ck_assert_str_eq(str(l, "unit"), "cups.service");
        l = find(out, "tcp", "0.0.0.0:8000");
        ck_assert_str_eq(str(l, "unit"), "session-3.scope");
        ck_assert_str_eq(str(l, "user"), "alice");
        l = find(out, "udp", "0.0.0.0:68");
        ck_assert_str_eq(str(l, "unit"), "ifup@eth0.service");
        l = find(out, "udp", "127.0.0.53:53");
        ck_assert_str_eq(str(l, "user"), "systemd-resolve");
        ck_assert_str_eq(str(l, "process"), "systemd-resolve");
        /* ntpd: uid not in passwd, no exe link, root cgroup */
        l = find(out, "udp", "[fe80::5054:ff:fe12:3456]:123");
        ck_assert_int_eq(num(l, "pid"), 730);
        ck_assert_str_eq(str(l, "process"), "ntpd");
        ck_assert_int_eq(num(l, "uid"), 4242);
        assert_null(l, "user");
        assert_null(l, "exe");
        assert_null(l, "unit");
        /* no process holds the nfsd socket: process fields null */
        l = find(out, "tcp", "0.0.0.0:2049");
        ck_assert_ptr_nonnull(l);
        assert_null(l, "pid");
        assert_null(l, "process");
        assert_null(l, "exe");
        assert_null(l, "unit");
        ck_assert_str_eq(str(l, "user"), "root");
        ck_assert_int_eq(json_array_size(json_object_get(l, "owners")), 0);
        json_decref(out);
}
END_TEST

START_TEST(noipv6_no_processes) {
        json_t *out = observe_ok(FIXTURE("hosts/ports-noipv6"));
        json_t *sources = json_object_get(out, "sources"), *l;

        ck_assert(json_is_false(json_object_get(out, "ipv6")));
        ck_assert_str_eq(str(sources, "tcp"), "proc_net");
        ck_assert_str_eq(str(sources, "udp"), "proc_net");
        ck_assert_str_eq(str(sources, "tcp6"), "missing");
        ck_assert_str_eq(str(sources, "udp6"), "missing");
        ck_assert_int_eq(json_array_size(json_object_get(out, "listeners")), 1);
        l = find(out, "tcp", "0.0.0.0:22");
        ck_assert_ptr_nonnull(l);
        assert_null(l, "pid");
        assert_null(l, "process");
        ck_assert_str_eq(str(l, "user"), "root");
        ck_assert_int_eq(num(json_object_get(out, "process_scan"), "processes"), 0);
        json_decref(out);
}
END_TEST

/* A root without /proc/net (an image, a wrong --root) cannot be observed:
 * the probe fails rather than report "no listeners". */
START_TEST(noproc_is_an_error) {
        json_t *out = NULL;

        ck_assert_int_eq(observe_root(FIXTURE("hosts/ports-noproc"), &out), -ENOENT);
        ck_assert_ptr_null(out);
}
END_TEST

/* ---- parsers ---------------------------------------------------------- */

static const char TCP_LINE[] =
        "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514 1 ffff8f0c41a2c8c0 100 0 0 10 0";
static const char TCP6_LINE[] =
        "   3: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22100 1 ffff8f0c41a2d040 100 0 0 10 0";
static const char UDP_LINE[] =
        "  323: 0100007F:0143 00000000:0000 07 00000000:00000000 00:00000000 00000000   106        0 16600 2 ffff8f0c41a3e940 0";

START_TEST(parse_kernel_lines) {
        struct oports_sock s;
        static const uint8_t loop6[16] = { [15] = 1 };

        ck_assert_int_eq(oports_parse_proc_net_line(TCP_LINE, strlen(TCP_LINE), AF_INET, IPPROTO_TCP, &s), 0);
        ck_assert_int_eq(s.port, 22);
        ck_assert_int_eq(s.state, 0x0A);
        ck_assert_int_eq(s.uid, 0);
        ck_assert_int_eq(s.inode, 18514);
        ck_assert_int_eq(s.family, AF_INET);
        ck_assert_int_eq(s.proto, IPPROTO_TCP);
        ck_assert_int_eq(oports_parse_proc_net_line(UDP_LINE, strlen(UDP_LINE), AF_INET, IPPROTO_UDP, &s), 0);
        ck_assert_int_eq(s.addr[0], 127);
        ck_assert_int_eq(s.addr[3], 1);
        ck_assert_int_eq(s.port, 323);
        ck_assert_int_eq(s.state, 0x07);
        ck_assert_int_eq(s.uid, 106);
        ck_assert_int_eq(oports_parse_proc_net_line(TCP6_LINE, strlen(TCP6_LINE), AF_INET6, IPPROTO_TCP, &s), 0);
        ck_assert_mem_eq(s.addr, loop6, 16);
        ck_assert_int_eq(s.port, 631);
        ck_assert_int_eq(s.inode, 22100);
}
END_TEST

START_TEST(parse_rejects_garbage) {
        static const char *bad[] = {
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "",
                "   1: 0000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514",  /* 7 digits */
                "   1: 0000000G:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514", /* not hex */
                "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0",       /* no inode */
                "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296 0 18514",   /* uid > 32 bits */
                "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99999999999999999999999",
                "   1 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514", /* sl without ':' */
                "   1: 00000000:016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18514",  /* 3-digit port */
                "   1: 00000000:0016 00000000:0000 A 00000000:00000000 00:00000000 00000000     0        0 18514",   /* state 1 digit */
        };
        struct oports_sock s = { .port = 4711 };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(oports_parse_proc_net_line(bad[i], strlen(bad[i]), AF_INET, IPPROTO_TCP, &s) == -EINVAL,
                              "accepted: %s", bad[i]);
        /* a v4 line in a v6 table and the reverse */
        ck_assert_int_eq(oports_parse_proc_net_line(TCP_LINE, strlen(TCP_LINE), AF_INET6, IPPROTO_TCP, &s), -EINVAL);
        ck_assert_int_eq(oports_parse_proc_net_line(TCP6_LINE, strlen(TCP6_LINE), AF_INET, IPPROTO_TCP, &s), -EINVAL);
        ck_assert_int_eq(s.port, 4711); /* untouched on failure */
}
END_TEST

struct collected {
        unsigned n;
        uint64_t inodes[16];
};

static int collect(const struct oports_sock *s, void *userdata) {
        struct collected *c = userdata;

        if (c->n < ELEMENTSOF(c->inodes))
                c->inodes[c->n] = s->inode;
        c->n++;
        return 0;
}

/* The same file fed whole, byte by byte and in odd chunks gives the same
 * sockets; an overlong line is skipped without losing the next one; a last
 * line without newline counts. */
START_TEST(reader_chunks) {
        char text[4096], longline[3000];
        size_t len;
        struct oports_proc_net_reader r;
        struct collected whole = { 0 }, c;

        memset(longline, '7', sizeof(longline) - 1);
        longline[sizeof(longline) - 1] = '\0';
        len = (size_t) snprintf(text, sizeof(text),
                                "  sl  local_address rem_address   st tx_queue ...\n%s\n%s\ngarbage\n%s\n%s",
                                TCP_LINE, longline, UDP_LINE, TCP_LINE);
        oports_proc_net_reader_init(&r, AF_INET, IPPROTO_TCP, collect, &whole);
        ck_assert_int_eq(oports_proc_net_feed(&r, text, len), 0);
        ck_assert_int_eq(oports_proc_net_finish(&r), 0);
        ck_assert_int_eq(whole.n, 3);
        ck_assert_int_eq(whole.inodes[0], 18514);
        ck_assert_int_eq(whole.inodes[1], 16600);
        ck_assert_int_eq(whole.inodes[2], 18514);
        ck_assert_int_eq(r.bad, 2);
        for (size_t chunk = 1; chunk < 200; chunk += 37) {
                memset(&c, 0, sizeof(c));
                oports_proc_net_reader_init(&r, AF_INET, IPPROTO_TCP, collect, &c);
                for (size_t off = 0; off < len; off += chunk)
                        ck_assert_int_eq(oports_proc_net_feed(&r, text + off, off + chunk > len ? len - off : chunk), 0);
                ck_assert_int_eq(oports_proc_net_finish(&r), 0);
                ck_assert_int_eq(c.n, whole.n);
                ck_assert_mem_eq(c.inodes, whole.inodes, sizeof(uint64_t) * 3);
                ck_assert_int_eq(r.bad, 2);
        }
}
END_TEST

static void unit_is(const char *cgroup, const char *want) {
        char *unit = NULL;
        int r = oports_cgroup_unit(cgroup, strlen(cgroup), &unit);

        if (!want) {
                ck_assert_msg(r == 0 && !unit, "unit found in %s", cgroup);
                return;
        }
        ck_assert_int_eq(r, 1);
        ck_assert_str_eq(unit, want);
        free(unit);
}

START_TEST(cgroup_units) {
        unit_is("0::/system.slice/ssh.service\n", "ssh.service");
        unit_is("0::/system.slice/docker.service/payload\n", "docker.service");
        unit_is("0::/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service");
        unit_is("0::/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.socket\n", "dbus.socket");
        unit_is("0::/user.slice/user-1000.slice/session-3.scope\n", "session-3.scope");
        unit_is("0::/init.scope\n", "init.scope");
        unit_is("0::/\n", NULL);
        unit_is("0::/system.slice\n", NULL);
        unit_is("", NULL);
        unit_is("12:pids:/system.slice/cups.service\n1:name=systemd:/system.slice/cups.service\n0::/\n", NULL);
        unit_is("12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/cups.service\n", "cups.service");
        unit_is("0::/.service\n", NULL);
        unit_is("0:/ssh.service\nrandom text\n::::\n", NULL);
        unit_is("10::/a.service\n", NULL);
}
END_TEST

static int keep_one(const struct oports_sock *s, void *userdata) {
        struct oports_sock *out = userdata;

        ck_assert_int_eq(out->inode, 0); /* called once */
        *out = *s;
        return 0;
}

/* A sock_diag reply as the kernel sends it: one socket then NLMSG_DONE in
 * one buffer; and an NLMSG_ERROR (udp_diag missing) passed on as -errno. */
START_TEST(sock_diag_messages) {
        struct {
                struct nlmsghdr h1;
                struct inet_diag_msg m;
                struct nlmsghdr h2;
                int done;
        } reply = {
                .h1 = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)),
                        .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_MULTI },
                .m = { .idiag_family = AF_INET, .idiag_state = 0x0A, .idiag_uid = 1000,
                       .idiag_inode = 4242,
                       .id = { .idiag_sport = htons(8080), .idiag_src = { htonl(0x7f000001) } } },
                .h2 = { .nlmsg_len = NLMSG_LENGTH(sizeof(int)), .nlmsg_type = NLMSG_DONE },
        };
        struct {
                struct nlmsghdr h;
                struct nlmsgerr e;
        } err = {
                .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)), .nlmsg_type = NLMSG_ERROR },
                .e = { .error = -ENOENT },
        };
        struct oports_sock s = { 0 };

        ck_assert_int_eq(oports_sock_diag_parse((const char *) &reply, sizeof(reply), AF_INET,
                                                IPPROTO_TCP, keep_one, &s), 1);
        ck_assert_int_eq(s.port, 8080);
        ck_assert_int_eq(s.uid, 1000);
        ck_assert_int_eq(s.inode, 4242);
        ck_assert_int_eq(s.state, 0x0A);
        ck_assert_int_eq(s.proto, IPPROTO_TCP);
        ck_assert_int_eq(s.addr[0], 127);
        ck_assert_int_eq(s.addr[3], 1);
        /* a message of another family is skipped; the DONE still ends the dump */
        memset(&s, 0, sizeof(s));
        ck_assert_int_eq(oports_sock_diag_parse((const char *) &reply, sizeof(reply), AF_INET6,
                                                IPPROTO_TCP, keep_one, &s), 1);
        ck_assert_int_eq(s.inode, 0);
        ck_assert_int_eq(oports_sock_diag_parse((const char *) &err, sizeof(err), AF_INET,
                                                IPPROTO_UDP, keep_one, &s), -ENOENT);
        /* a truncated buffer: nothing parsed, more expected */
        ck_assert_int_eq(oports_sock_diag_parse((const char *) &reply, 20, AF_INET, IPPROTO_TCP,
                                                keep_one, &s), 0);
        ck_assert_int_eq(s.inode, 0);
}
END_TEST

/* A socket of this process bound to addr (family's loopback), port picked
 * by the kernel; TCP listens. Returns the fd, *port set. */
static int own_socket(int family, int type, uint16_t *port) {
        struct sockaddr_storage ss = { .ss_family = (sa_family_t) family };
        socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        int fd = socket(family, type | SOCK_CLOEXEC, 0);

        ck_assert_int_ge(fd, 0);
        if (family == AF_INET)
                ((struct sockaddr_in *) &ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else
                ((struct sockaddr_in6 *) &ss)->sin6_addr = in6addr_loopback;
        if (bind(fd, (struct sockaddr *) &ss, len) < 0) {
                close(fd);
                return -1;
        }
        ck_assert(type != SOCK_STREAM || listen(fd, 1) == 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &ss, &len), 0);
        *port = ntohs(family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                        : ((struct sockaddr_in6 *) &ss)->sin6_port);
        return fd;
}

/* The live host (root "/"): sockets this test opens are listed with this
 * process as their one owner, also when the process's descriptor numbers
 * are sparse (a copy at a high number) and for IPv6. */
START_TEST(live_host_own_sockets) {
        uint16_t tport, uport = 0;
        int tfd = own_socket(AF_INET, SOCK_STREAM, &tport);
        int ufd = own_socket(AF_INET6, SOCK_DGRAM, &uport); /* -1 without IPv6 */
        int high = fcntl(tfd, F_DUPFD_CLOEXEC, 700);
        char endpoint[64], comm[32] = "";
        json_t *out, *l;
        FILE *f = fopen("/proc/self/comm", "re");

        ck_assert_int_ge(high, 700);
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
        fclose(f);
        comm[strcspn(comm, "\n")] = '\0';
        out = observe_ok("/");
        snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", tport);
        ck_assert_ptr_nonnull(l = find(out, "tcp", endpoint));
        ck_assert_str_eq(str(l, "address"), "127.0.0.1");
        ck_assert_str_eq(str(l, "scope"), "loopback");
        ck_assert_int_eq(num(l, "pid"), getpid());
        ck_assert_str_eq(str(l, "process"), comm);
        ck_assert_uint_eq(json_array_size(json_object_get(l, "owners")), 1); /* two fds, one owner */
        if (ufd >= 0) {
                snprintf(endpoint, sizeof(endpoint), "[::1]:%u", uport);
                ck_assert_ptr_nonnull(l = find(out, "udp", endpoint));
                ck_assert_str_eq(str(l, "address"), "::1");
                ck_assert_str_eq(str(l, "family"), "ipv6");
                ck_assert_int_eq(num(l, "pid"), getpid());
        }
        ck_assert_int_ge(num(json_object_get(out, "process_scan"), "processes"), 1);
        json_decref(out);
        close(high);
        close(tfd);
        if (ufd >= 0)
                close(ufd);
}
END_TEST

/* Enough listeners for the live scan's second thread: every one of them is
 * found, with this process as its owner. */
START_TEST(live_host_many_listeners) {
        enum { N = 300 };
        int fds[N];
        uint16_t ports[N];
        json_t *out;

        for (int i = 0; i < N; i++)
                ck_assert_int_ge(fds[i] = own_socket(AF_INET, SOCK_STREAM, &ports[i]), 0);
        out = observe_ok("/");
        ck_assert_int_ge(num(out, "listener_count"), N);
        for (int i = 0; i < N; i++) {
                char endpoint[32];
                json_t *l;

                snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%u", ports[i]);
                ck_assert_ptr_nonnull(l = find(out, "tcp", endpoint));
                ck_assert_int_eq(num(l, "pid"), getpid());
                close(fds[i]);
        }
        json_decref(out);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("probe_open_ports");
        TCase *tc = tcase_create("open_ports");

        tcase_add_test(tc, basic_sshd_everything_named);
        tcase_add_test(tc, basic_only_listening_and_unconnected);
        tcase_add_test(tc, basic_scopes);
        tcase_add_test(tc, basic_shared_sockets);
        tcase_add_test(tc, basic_units_users_unknowns);
        tcase_add_test(tc, noipv6_no_processes);
        tcase_add_test(tc, noproc_is_an_error);
        tcase_add_test(tc, parse_kernel_lines);
        tcase_add_test(tc, parse_rejects_garbage);
        tcase_add_test(tc, reader_chunks);
        tcase_add_test(tc, cgroup_units);
        tcase_add_test(tc, sock_diag_messages);
        tcase_add_test(tc, live_host_own_sockets);
        tcase_add_test(tc, live_host_many_listeners);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
