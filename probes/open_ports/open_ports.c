/* SPDX-License-Identifier: MIT */
/* open_ports: every listening TCP socket and every bound, unconnected UDP
 * socket (what `ss -tuln` lists), IPv4 and IPv6, with the process(es) that
 * hold it.
 *
 * Sockets come from netlink sock_diag on the live host, else from
 * /proc/net/{tcp,tcp6,udp,udp6} under the root. Owners are found the way ss
 * does it, but in one pass over the descriptor tables (owners.c). comm, exe
 * and cgroup are read only for the processes that own a listener. One listener is reported per socket; a
 * socket held by several processes (fork after bind, socket activation)
 * lists them all in owners[] and names one of them in pid/process/exe/unit
 * (see primary_owner()). */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <syslog.h>

#include "cleanup.h"
#include "json_build.h"
#include "passwd.h"
#include "state.h"

#define MAX_SOCKETS (1u << 20)      /* listeners reported at most */

static void state_free(struct state *st) {
        free(st->socks);
        free(st->hash_inode);
        free(st->hash_sock);
        free(st->pairs);
        for (size_t i = 0; i < st->n_procs; i++) {
                json_decref(st->procs[i].pid_json);
                json_decref(st->procs[i].sole_owner);
                json_decref(st->procs[i].process);
                json_decref(st->procs[i].exe);
                json_decref(st->procs[i].unit);
        }
        free(st->procs);
        for (size_t i = 0; i < st->n_users; i++) {
                json_decref(st->users[i].uid_json);
                json_decref(st->users[i].name);
        }
        free(st->users);
        json_decref(st->unreadable_pids);
        json_decref(st->str_tcp);
        json_decref(st->str_udp);
        json_decref(st->str_ipv4);
        json_decref(st->str_ipv6);
        for (size_t i = 0; i < ELEMENTSOF(st->str_scope); i++)
                json_decref(st->str_scope[i]);
        for (size_t i = 0; i < ADDR_CACHE; i++)
                json_decref(st->addrs[i].json);
}

/* ---- sockets ---------------------------------------------------------- */

/* Keeps a socket that ss -l would list: TCP in LISTEN, UDP unconnected. */
static int add_sock(const struct oports_sock *s, void *userdata) {
        struct state *st = userdata;
        int r;

        if (s->state != (s->proto == IPPROTO_TCP ? OPORTS_TCP_LISTEN : OPORTS_UDP_UNCONN))
                return 0;
        if (st->n_socks >= MAX_SOCKETS) {
                st->truncated = true;
                return 0;
        }
        r = grow((void **) &st->socks, &st->cap_socks, st->n_socks, sizeof(*st->socks));
        if (r < 0)
                return r;
        st->socks[st->n_socks++] = *s;
        return 0;
}

/* Streams one /proc/net table through the parser into st. Returns 0, 1 when
 * the table does not exist (IPv6 disabled), or -errno when it cannot be
 * read. */
static int read_table(struct state *st, const char *name, int family, int proto) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        _cleanup_close_ int fd = -1;
        struct oports_proc_net_reader rd;
        int r;

        if (asprintf(&path, "/proc/net/%s", name) < 0 || !(buf = malloc(READ_CHUNK)))
                return -ENOMEM;
        fd = st->ctx->open(st->ctx, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        if (fd == -ENOENT)
                return 1;
        if (fd < 0)
                return fd;
        oports_proc_net_reader_init(&rd, family, proto, add_sock, st);
        for (;;) {
                ssize_t k = read(fd, buf, READ_CHUNK);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                if ((r = oports_proc_net_feed(&rd, buf, (size_t) k)) < 0)
                        return r;
                if (st->ctx->expired(st->ctx))
                        return -ETIMEDOUT;
        }
        if (rd.bad > 0)
                st->ctx->log(st->ctx, LOG_WARNING, "%s: %lu malformed lines skipped", path, rd.bad);
        r = oports_proc_net_finish(&rd);
        return r < 0 ? r : 0;
}

static int cmp_sock(const void *a, const void *b) {
        const struct oports_sock *x = a, *y = b;
        int c;

        if (x->proto != y->proto)
                return x->proto == IPPROTO_TCP ? -1 : 1;
        if (x->family != y->family)
                return x->family == AF_INET ? -1 : 1;
        if (x->port != y->port)
                return x->port < y->port ? -1 : 1;
        if ((c = memcmp(x->addr, y->addr, sizeof(x->addr))) != 0)
                return c;
        return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* ---- processes and users ---------------------------------------------- */

/* The first line of a small /proc file as a JSON string, or JSON null. */
static json_t *read_first_line(const struct complyd_probe_ctx *ctx, const char *path) {
        _cleanup_free_ char *buf = NULL;
        size_t len;

        if (ctx->read_file(ctx, path, 4096, &buf, &len) < 0)
                return json_null();
        len = strcspn(buf, "\n");
        return len ? lossy_string_json(buf, len) : json_null();
}

/* Fills process name, executable and systemd unit of p->pid; each is JSON
 * null when it cannot be read. Returns 0 or -ENOMEM. */
static int load_proc(const struct complyd_probe_ctx *ctx, struct proc_info *p) {
        _cleanup_free_ char *exe = NULL, *cg = NULL, *unit = NULL;
        char path[48];
        size_t len;
        int r;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) p->pid);
        p->process = read_first_line(ctx, path);
        snprintf(path, sizeof(path), "/proc/%d/exe", (int) p->pid);
        p->exe = ctx->readlink(ctx, path, &exe) >= 0 ? lossy_string_json(exe, strlen(exe))
                                                      : json_null();
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) p->pid);
        r = ctx->read_file(ctx, path, 65536, &cg, &len) >= 0 ? oports_cgroup_unit(cg, len, &unit) : 0;
        if (r < 0)
                return r;
        p->unit = r > 0 ? lossy_string_json(unit, strlen(unit)) : json_null();
        p->pid_json = json_integer(p->pid);
        if (!p->process || !p->exe || !p->unit || !p->pid_json)
                return -ENOMEM;
        p->sole_owner = json_pack("[{s:O, s:O}]", "pid", p->pid_json, "process", p->process);
        return p->sole_owner ? 0 : -ENOMEM;
}

static int cmp_pid(const void *a, const void *b) {
        int32_t x = *(const int32_t *) a, y = ((const struct proc_info *) b)->pid;
        return (x > y) - (x < y);
}

static int cmp_proc(const void *a, const void *b) {
        return cmp_pid(&((const struct proc_info *) a)->pid, b);
}

/* Makes one proc_info per distinct owning pid (sorted) and loads it. */
static int load_procs(struct state *st) {
        size_t w = 0;
        int r;

        if (st->n_pairs == 0)
                return 0;
        if (!(st->procs = calloc(st->n_pairs, sizeof(*st->procs))))
                return -ENOMEM;
        for (size_t i = 0; i < st->n_pairs; i++)
                st->procs[i].pid = st->pairs[i].pid;
        qsort(st->procs, st->n_pairs, sizeof(*st->procs), cmp_proc);
        for (size_t i = 0; i < st->n_pairs; i++)
                if (w == 0 || st->procs[w - 1].pid != st->procs[i].pid)
                        st->procs[w++].pid = st->procs[i].pid;
        st->n_procs = w;
        for (size_t i = 0; i < st->n_procs; i++)
                if ((r = load_proc(st->ctx, &st->procs[i])) < 0)
                        return r;
        return 0;
}

static const struct proc_info *find_proc(const struct state *st, int32_t pid) {
        return bsearch(&pid, st->procs, st->n_procs, sizeof(*st->procs), cmp_pid);
}

static int cmp_uid(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *) a, y = ((const struct user_name *) b)->uid;
        return (x > y) - (x < y);
}

static int cmp_user(const void *a, const void *b) {
        return cmp_uid(&((const struct user_name *) a)->uid, b);
}

/* Names st->users from <root>/etc/passwd (the first entry of a uid wins,
 * as with getpwuid()). A uid not listed there, or no passwd file, leaves
 * the name NULL (user null). 0 or -ENOMEM. */
static int name_users(struct state *st) {
        _cleanup_(passwd_table_done) struct passwd_table pwt = { 0 };
        _cleanup_free_ char *pw = NULL;
        size_t len;

        if (st->ctx->read_file(st->ctx, "/etc/passwd", PASSWD_MAX_FILE, &pw, &len) < 0)
                return 0;
        if (passwd_table_parse(&pwt, PASSWD_FORMAT_PASSWD, pw, len) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_users; i++) {
                const struct passwd_entry *e = passwd_table_find(&pwt, st->users[i].uid);
                if (e && !(st->users[i].name = lossy_string_json(e->name.s, e->name.n)))
                        return -ENOMEM;
        }
        return 0;
}

/* The distinct socket uids, sorted, each with its JSON number and name;
 * /etc/passwd is read once. */
static int load_users(struct state *st) {
        size_t w = 0;

        if (st->n_socks == 0)
                return 0;
        if (!(st->users = calloc(st->n_socks, sizeof(*st->users))))
                return -ENOMEM;
        for (size_t i = 0; i < st->n_socks; i++)
                st->users[i].uid = st->socks[i].uid;
        qsort(st->users, st->n_socks, sizeof(*st->users), cmp_user);
        for (size_t i = 0; i < st->n_socks; i++)
                if (w == 0 || st->users[w - 1].uid != st->users[i].uid)
                        st->users[w++].uid = st->users[i].uid;
        st->n_users = w;
        for (size_t i = 0; i < st->n_users; i++)
                if (!(st->users[i].uid_json = json_integer(st->users[i].uid)))
                        return -ENOMEM;
        return name_users(st);
}

static json_t *user_of(const struct state *st, uint32_t uid) {
        const struct user_name *u = bsearch(&uid, st->users, st->n_users, sizeof(*u), cmp_uid);
        return u && u->name ? json_incref(u->name) : json_null();
}

static json_t *uid_of(const struct state *st, uint32_t uid) {
        const struct user_name *u = bsearch(&uid, st->users, st->n_users, sizeof(*u), cmp_uid);
        return u ? json_incref(u->uid_json) : json_integer(uid);
}

/* ---- output ----------------------------------------------------------- */

enum scope { SCOPE_LOOPBACK, SCOPE_ANY, SCOPE_SPECIFIC };
static const char *const scope_names[] = { "loopback", "any", "specific" };

static enum scope scope_of(const struct oports_sock *s) {
        static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        static const uint8_t zero[16], loop6[16] = { [15] = 1 };
        const uint8_t *v4 = NULL;

        if (s->family == AF_INET)
                v4 = s->addr;
        else if (memcmp(s->addr, mapped, 12) == 0)
                v4 = s->addr + 12;
        else if (memcmp(s->addr, zero, 16) == 0)
                return SCOPE_ANY;
        else if (memcmp(s->addr, loop6, 16) == 0)
                return SCOPE_LOOPBACK;
        else
                return SCOPE_SPECIFIC;
        if (v4[0] == 127)
                return SCOPE_LOOPBACK;
        return memcmp(v4, zero, 4) == 0 ? SCOPE_ANY : SCOPE_SPECIFIC;
}

/* The owner named in pid/process/exe/unit among the sorted pids of one
 * socket: the lowest pid, except that pid 1 (systemd holding an activated
 * socket, or a container's init) gives way to any other holder, the service
 * that actually serves the port. */
static int32_t primary_owner(const struct owner_pair *p, size_t n) {
        return n > 1 && p[0].pid == 1 ? p[1].pid : p[0].pid;
}

/* The owners array: shared per process when it holds the socket alone. */
static json_t *owners_json(const struct state *st, const struct owner_pair *p, size_t n) {
        json_t *a;

        if (n == 1)
                return json_incref(find_proc(st, p[0].pid)->sole_owner);
        a = json_array();

        for (size_t i = 0; a && i < n; i++) {
                const struct proc_info *pi = find_proc(st, p[i].pid);
                json_t *o = json_object();

                if (!o || json_array_append_new(a, o) < 0 ||
                    json_object_set_nocheck(o, "pid", pi->pid_json) < 0 ||
                    json_object_set_nocheck(o, "process", pi->process) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

/* The address of s as text and JSON string, from the cache or made and
 * cached (inet_ntop() output is ASCII: no UTF-8 check). NULL on ENOMEM. */
static const struct addr_text *address_of(struct state *st, const struct oports_sock *s) {
        size_t alen = s->family == AF_INET6 ? 16 : 4;
        struct addr_text *a;

        for (size_t i = 0; i < ADDR_CACHE; i++) {
                a = &st->addrs[i];
                if (a->json && a->family == s->family && memcmp(a->addr, s->addr, alen) == 0)
                        return a;
        }
        a = &st->addrs[st->addr_next++ % ADDR_CACHE];
        json_decref(a->json);
        a->family = s->family;
        memcpy(a->addr, s->addr, alen);
        inet_ntop(s->family, s->addr, a->text, sizeof(a->text));
        a->len = strlen(a->text);
        a->json = json_stringn_nocheck(a->text, a->len);
        return a->json ? a : NULL;
}

/* "0.0.0.0:22" or "[::]:22" into out (INET6_ADDRSTRLEN + 16 bytes);
 * returns the length. */
static size_t endpoint_text(const struct addr_text *a, uint16_t port, char *out) {
        char digits[8], *d = digits + sizeof(digits);
        size_t n = 0;

        do
                *--d = (char) ('0' + port % 10);
        while (port /= 10);
        if (a->family == AF_INET6)
                out[n++] = '[';
        memcpy(out + n, a->text, a->len);
        n += a->len;
        if (a->family == AF_INET6)
                out[n++] = ']';
        out[n++] = ':';
        memcpy(out + n, d, (size_t) (digits + sizeof(digits) - d));
        return n + (size_t) (digits + sizeof(digits) - d);
}

/* One listener object with its socket's facts. pid, process, exe and unit
 * are null and owners is a placeholder until name_owners() sets them:
 * jansson replaces a value in place, so the keys keep their order. NULL on
 * out-of-memory. */
static json_t *listener_json(struct state *st, const struct oports_sock *s) {
        char endpoint[INET6_ADDRSTRLEN + 16];
        const struct addr_text *a = address_of(st, s);
        _cleanup_json_ json_t *o = json_object();
        int r = 0;

        if (!o || !a)
                return NULL;
        r |= json_object_set_nocheck(o, "proto", s->proto == IPPROTO_TCP ? st->str_tcp : st->str_udp);
        r |= json_object_set_nocheck(o, "family", s->family == AF_INET ? st->str_ipv4 : st->str_ipv6);
        r |= json_object_set_nocheck(o, "address", a->json);
        r |= json_object_set_new_nocheck(o, "port", json_integer(s->port));
        r |= json_object_set_new_nocheck(o, "endpoint",
                                         json_stringn_nocheck(endpoint, endpoint_text(a, s->port, endpoint)));
        r |= json_object_set_nocheck(o, "scope", st->str_scope[scope_of(s)]);
        r |= json_object_set_new_nocheck(o, "pid", json_null());
        r |= json_object_set_new_nocheck(o, "process", json_null());
        r |= json_object_set_new_nocheck(o, "exe", json_null());
        r |= json_object_set_new_nocheck(o, "user", user_of(st, s->uid));
        r |= json_object_set_new_nocheck(o, "uid", uid_of(st, s->uid));
        r |= json_object_set_new_nocheck(o, "unit", json_null());
        r |= json_object_set_new_nocheck(o, "inode", json_integer((json_int_t) s->inode));
        r |= json_object_set_new_nocheck(o, "owners", json_null());
        return r ? NULL : TAKE_PTR(o);
}

static json_t *listeners_json(struct state *st) {
        _cleanup_json_ json_t *a = json_array();

        for (size_t i = 0; a && i < st->n_socks; i++)
                if (json_array_append_new(a, listener_json(st, &st->socks[i])) < 0)
                        return NULL;
        return TAKE_PTR(a);
}

/* Sets the owner fields of listener o from its owners p[0..n) (n may be
 * 0: owners stays empty). 0 or -ENOMEM. */
static int listener_owners(const struct state *st, json_t *o, const struct owner_pair *p, size_t n) {
        const struct proc_info *pi = n ? find_proc(st, primary_owner(p, n)) : NULL;
        int r = 0;

        if (pi) {
                r |= json_object_set_nocheck(o, "pid", pi->pid_json);
                r |= json_object_set_nocheck(o, "process", pi->process);
                r |= json_object_set_nocheck(o, "exe", pi->exe);
                r |= json_object_set_nocheck(o, "unit", pi->unit);
        }
        r |= json_object_set_new_nocheck(o, "owners", owners_json(st, p, n));
        return r ? -ENOMEM : 0;
}

/* Names the owners of every listener (st->pairs sorted by socket). */
static int name_owners(const struct state *st, json_t *listeners) {
        size_t k = 0;
        int r;

        for (size_t i = 0; i < st->n_socks; i++) {
                size_t first = k;

                while (k < st->n_pairs && st->pairs[k].sock == i)
                        k++;
                r = listener_owners(st, json_array_get(listeners, i), st->pairs + first, k - first);
                if (r < 0)
                        return r;
        }
        return 0;
}

static json_t *observation_json(struct state *st, json_t *sources, json_t *listeners) {
        return json_pack("{s:s, s:O, s:b, s:O, s:I, s:{s:I, s:I, s:O}, s:b}",
                         "schema", "complyd.open_ports.v1",
                         "sources", sources,
                         "ipv6", st->ctx->stat(st->ctx, "/proc/net/tcp6", &(struct stat) {}, 0) >= 0,
                         "listeners", listeners,
                         "listener_count", (json_int_t) st->n_socks,
                         "process_scan",
                         "processes", (json_int_t) st->scanned,
                         "unreadable", (json_int_t) st->unreadable,
                         "unreadable_pids", st->unreadable_pids,
                         "truncated", st->truncated);
}

/* ---- probe ------------------------------------------------------------ */

static bool st_expired(void *userdata) {
        const struct state *st = userdata;
        return st->ctx->expired(st->ctx);
}

/* Reads one table: through sock_diag when allowed and it works, else from
 * /proc/net/<name>. A failed dump's partial results are dropped before the
 * file is read. Sets *source to what was used ("missing" when neither
 * exists). Returns 0 or -errno. */
static int collect_table(struct state *st, const char *name, int family, int proto,
                         bool netlink, const char **source) {
        size_t mark = st->n_socks;
        uint32_t states = 1u << (proto == IPPROTO_TCP ? OPORTS_TCP_LISTEN : OPORTS_UDP_UNCONN);
        int r;

        if (netlink) {
                r = oports_sock_diag_dump(family, proto, states, st_expired, add_sock, st);
                if (r >= 0) {
                        *source = "sock_diag";
                        return 0;
                }
                if (r == -ENOMEM || r == -ETIMEDOUT)
                        return r;
                st->ctx->log(st->ctx, LOG_DEBUG, "sock_diag %s: %s, reading /proc/net", name,
                             strerror(-r));
                st->n_socks = mark;
        }
        if ((r = read_table(st, name, family, proto)) < 0)
                return r;
        *source = r > 0 ? "missing" : "proc_net";
        return 0;
}

/* Reads the four tables into st->socks, sorted, and fills the sources
 * object (table -> sock_diag | proc_net | missing). tcp and udp must be
 * readable (without them nothing can be said and the probe fails);
 * tcp6/udp6 are absent when IPv6 is off. Netlink is used only on the live
 * host and when the source parameter is "auto". */
static int collect_sockets(struct state *st, json_t *sources) {
        static const struct { const char *name; int family, proto; bool required; } tables[] = {
                { "tcp", AF_INET, IPPROTO_TCP, true },
                { "tcp6", AF_INET6, IPPROTO_TCP, false },
                { "udp", AF_INET, IPPROTO_UDP, true },
                { "udp6", AF_INET6, IPPROTO_UDP, false },
        };
        const char *param = json_string_value(json_object_get(st->ctx->params, "source"));
        bool netlink;
        int r;

        if (!param || (!streq(param, "auto") && !streq(param, "proc_net")))
                return -EINVAL;
        netlink = st->ctx->live_host && streq(param, "auto");
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                const char *source;

                r = collect_table(st, tables[i].name, tables[i].family, tables[i].proto, netlink,
                                  &source);
                if (r < 0)
                        return r;
                if (tables[i].required && streq(source, "missing"))
                        return -ENOENT;
                if (json_object_set_new(sources, tables[i].name, json_string(source)) < 0)
                        return -ENOMEM;
        }
        if (st->n_socks > 0)
                qsort(st->socks, st->n_socks, sizeof(*st->socks), cmp_sock);
        return 0;
}

static int make_constants(struct state *st) {
        st->str_tcp = json_string("tcp");
        st->str_udp = json_string("udp");
        st->str_ipv4 = json_string("ipv4");
        st->str_ipv6 = json_string("ipv6");
        for (size_t i = 0; i < ELEMENTSOF(st->str_scope); i++)
                if (!(st->str_scope[i] = json_string(scope_names[i])))
                        return -ENOMEM;
        return st->str_tcp && st->str_udp && st->str_ipv4 && st->str_ipv6 ? 0 : -ENOMEM;
}

/* The listeners' users and their objects (owners not yet named) in
 * *listeners. */
static int describe_sockets(struct state *st, json_t **listeners) {
        int r = load_users(st);

        if (r < 0)
                return r;
        return (*listeners = listeners_json(st)) ? 0 : -ENOMEM;
}

/* With many listeners on the live host the descriptor scan (owners.c)
 * runs on a second thread while this one describes the listeners. */
static int open_ports_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_(state_free) struct state st = {
                .ctx = ctx, .unreadable_pids = json_array(),
        };
        _cleanup_json_ json_t *sources = json_object(), *listeners = NULL;
        struct owner_scan *scan;
        json_t *o;
        int r;

        if (!st.unreadable_pids || !sources || make_constants(&st) < 0)
                return -ENOMEM;
        if ((r = collect_sockets(&st, sources)) < 0 || (r = owners_start(&st, &scan)) < 0)
                return r;
        r = describe_sockets(&st, &listeners);
        if ((r = owners_finish(&st, scan, r)) < 0 || (r = load_procs(&st)) < 0 ||
            (r = name_owners(&st, listeners)) < 0)
                return r;
        if (!(o = observation_json(&st, sources, listeners)))
                return -ENOMEM;
        *out = o;
        return 0;
}

static const struct complyd_param open_ports_params[] = {
        { COMPLYD_PARAM_STRING, "source", "\"auto\"",
          "where sockets are read: auto (netlink sock_diag on the live host, /proc/net where "
          "that fails and under --root) or proc_net (always /proc/net)" },
        {}
};

const struct complyd_probe complyd_probe_open_ports = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "open_ports",
        .version = "1.0",
        .description = "listening TCP and bound UDP sockets (IPv4/IPv6) and the processes that own them",
        .params = open_ports_params,
        .observe = open_ports_observe,
        /* about 300 bytes a listener: 16 MiB holds 50 000 */
        .max_output = 16 * 1024 * 1024,
};
