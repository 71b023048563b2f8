/* SPDX-License-Identifier: MIT */
/* open_ports: every listening TCP socket and every bound, unconnected UDP
 * socket (what `ss -tuln` lists), IPv4 and IPv6, with the process(es) that
 * hold it.
 *
 * Sockets come from netlink sock_diag on the live host, else from
 * /proc/net/{tcp,tcp6,udp,udp6} under the root. Owners are found the way ss
 * does it, but in one pass: the socket inodes go into a hash table, then
 * each /proc/<pid>/fd directory is read once and every "socket:[N]" link is
 * looked up. On the live host that scan skips processes without
 * descriptors, reads links by number rather than listing the directory,
 * and, with many listeners, runs on a second thread while the listener
 * objects are built (struct live_scan). comm, exe and cgroup are read only
 * for the processes that own a listener. One listener is reported per socket; a
 * socket held by several processes (fork after bind, socket activation)
 * lists them all in owners[] and names one of them in pid/process/exe/unit
 * (see primary_owner()). */
#include <complyd/probe.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#include "cleanup.h"
#include "json_build.h"
#include "open_ports.h"
#include "passwd.h"

#define MAX_SOCKETS (1u << 20)      /* listeners reported at most */
#define MAX_PAIRS (4u << 20)        /* (socket, pid) ownerships kept at most */
#define MAX_RAW_PAIRS (16u << 20)   /* (any socket, pid) read on the live host at most */
#define MAX_PIDS (4u << 20)         /* processes read at most (the kernel's pid_max limit) */
#define SCAN_THREAD_MIN_LISTENERS 256 /* fewer: no second thread for the descriptor scan */
#define FD_PROBE_MISSES 2           /* absent descriptor numbers in a row before listing the rest */
#define MAX_UNREADABLE_LISTED 32    /* pids listed in process_scan.unreadable_pids */
#define READ_CHUNK (64u * 1024)

struct owner_pair {
        uint32_t sock; /* index into st->socks */
        int32_t pid;
};

/* JSON values are built once per process, user or constant and shared
 * (json_incref) by every listener that refers to them: with thousands of
 * sockets in one process this halves the allocations of the output. */
struct proc_info {
        int32_t pid;
        json_t *pid_json;
        json_t *process, *exe, *unit; /* json strings or null, owned */
        json_t *sole_owner;           /* [{pid, process}]: owners when it holds a socket alone */
};

struct user_name {
        uint32_t uid;
        json_t *uid_json;
        json_t *name; /* json string or NULL while unknown, owned */
};

/* The text and JSON string of one bound address; listeners share few
 * addresses (0.0.0.0, ::, 127.0.0.1), so a few are kept. */
struct addr_text {
        uint8_t family;
        uint8_t addr[16];
        char text[INET6_ADDRSTRLEN];
        size_t len;
        json_t *json; /* owned; NULL: unused slot */
};

#define ADDR_CACHE 4

struct state {
        const struct complyd_probe_ctx *ctx;
        struct oports_sock *socks;
        size_t n_socks, cap_socks;
        bool truncated;
        uint64_t *hash_inode; /* open addressing, 0 = empty slot */
        uint32_t *hash_sock;
        size_t hash_mask;
        struct owner_pair *pairs;
        size_t n_pairs, cap_pairs;
        struct proc_info *procs;
        size_t n_procs;
        struct user_name *users;
        size_t n_users;
        unsigned long scanned, unreadable;
        json_t *unreadable_pids;
        json_t *str_tcp, *str_udp, *str_ipv4, *str_ipv6; /* shared constant strings */
        json_t *str_scope[3];                            /* by enum scope */
        struct addr_text addrs[ADDR_CACHE];
        unsigned addr_next;                              /* slot replaced next */
};

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

/* Grows *arr (elements of size sz) so that one more fits. 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz) {
        size_t ncap;
        void *p;

        if (n < *cap)
                return 0;
        ncap = *cap ? *cap * 2 : 64;
        if (!(p = reallocarray(*arr, ncap, sz)))
                return -ENOMEM;
        *arr = p;
        *cap = ncap;
        return 0;
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

/* ---- owners ----------------------------------------------------------- */

static size_t hash_slot(const struct state *st, uint64_t inode) {
        return (size_t) ((inode * 0x9E3779B97F4A7C15ull) >> 17) & st->hash_mask;
}

/* Builds the inode -> socket index table (load factor <= 1/2). Sockets
 * without an inode (0) are left out: nothing can own them. */
static int hash_build(struct state *st) {
        size_t cap = 16;

        while (cap < 2 * st->n_socks)
                cap *= 2;
        st->hash_inode = calloc(cap, sizeof(uint64_t));
        st->hash_sock = calloc(cap, sizeof(uint32_t));
        if (!st->hash_inode || !st->hash_sock)
                return -ENOMEM;
        st->hash_mask = cap - 1;
        for (size_t i = 0; i < st->n_socks; i++) {
                uint64_t ino = st->socks[i].inode;
                size_t h = hash_slot(st, ino);

                if (ino == 0)
                        continue;
                while (st->hash_inode[h] && st->hash_inode[h] != ino)
                        h = (h + 1) & st->hash_mask;
                if (!st->hash_inode[h]) {
                        st->hash_inode[h] = ino;
                        st->hash_sock[h] = (uint32_t) i;
                }
        }
        return 0;
}

/* Index of the listener with this inode, or -1. */
static long hash_find(const struct state *st, uint64_t ino) {
        size_t h = hash_slot(st, ino);

        while (st->hash_inode[h]) {
                if (st->hash_inode[h] == ino)
                        return (long) st->hash_sock[h];
                h = (h + 1) & st->hash_mask;
        }
        return -1;
}

/* "socket:[12345]" -> 12345; 0 when the link is anything else. */
static uint64_t socket_link_inode(const char *t, size_t n) {
        uint64_t v = 0;
        size_t i;

        if (n < 10 || memcmp(t, "socket:[", 8) != 0 || t[n - 1] != ']')
                return 0;
        for (i = 8; i < n - 1; i++) {
                if (t[i] < '0' || t[i] > '9' || v > UINT64_MAX / 10 - 1)
                        return 0;
                v = v * 10 + (uint64_t) (t[i] - '0');
        }
        return v;
}

static void note_unreadable(struct state *st, int32_t pid) {
        st->unreadable++;
        if (json_array_size(st->unreadable_pids) < MAX_UNREADABLE_LISTED)
                json_array_append_new(st->unreadable_pids, json_integer(pid));
}

/* Looks at descriptor name of pid in the fd directory dfd: records
 * (listener, pid) when it is one of our sockets. readlinkat() reads the
 * link text itself and never follows it, one syscall per descriptor.
 * Returns 0 to go on, 1 to stop reading this process (not allowed, or the
 * pair table is full), -ENOMEM. */
static int scan_fd(struct state *st, int dfd, const char *name, int32_t pid) {
        char target[64];
        ssize_t n = readlinkat(dfd, name, target, sizeof(target));
        uint64_t ino;
        long idx;

        if (n < 0 && (errno == EACCES || errno == EPERM)) {
                note_unreadable(st, pid);
                return 1;
        }
        if (n <= 0 || (ino = socket_link_inode(target, (size_t) n)) == 0 || (idx = hash_find(st, ino)) < 0)
                return 0;
        if (st->n_pairs >= MAX_PAIRS) {
                st->truncated = true;
                return 1;
        }
        if (grow((void **) &st->pairs, &st->cap_pairs, st->n_pairs, sizeof(*st->pairs)) < 0)
                return -ENOMEM;
        st->pairs[st->n_pairs++] = (struct owner_pair) { (uint32_t) idx, pid };
        return 0;
}

/* Reads /proc/<pid>/fd under the root once and records (listener, pid) for
 * every descriptor that is one of our sockets. The directory is opened
 * through the context (inside the root) and its entries are read relative
 * to it, so nothing outside the root is reached. A process that vanished
 * is skipped; one whose descriptors we may not read is counted as
 * unreadable. Returns 0 or -ENOMEM. */
static int scan_pid(struct state *st, int32_t pid) {
        _cleanup_closedir_ DIR *d = NULL;
        char path[32];
        struct dirent *de;
        int r;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        r = st->ctx->opendir(st->ctx, path, &d);
        if (r == -EACCES || r == -EPERM)
                note_unreadable(st, pid);
        if (r < 0)
                return 0;
        st->scanned++;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && (r = scan_fd(st, dirfd(d), de->d_name, pid)) != 0)
                        return r < 0 ? r : 0;
        return 0;
}

static int32_t parse_pid(const char *s) {
        long v = 0;

        if (!*s)
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 0x3fffffff)
                        return -1;
                v = v * 10 + (*s - '0');
        }
        return v > 0 ? (int32_t) v : -1;
}

/* Reads every process's descriptor table under the root once, through
 * the context. No /proc under the root means no owner can be named: every
 * process field stays null. (The live host's scan: struct live_scan.) */
static int scan_processes(struct state *st) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        if (st->n_socks == 0 || st->ctx->opendir(st->ctx, "/proc", &d) < 0)
                return 0;
        while ((de = readdir(d))) {
                int32_t pid = parse_pid(de->d_name);

                if (pid < 0)
                        continue;
                if ((r = scan_pid(st, pid)) < 0)
                        return r;
                if (st->ctx->expired(st->ctx))
                        return -ETIMEDOUT;
        }
        return 0;
}

/* ---- owners on the live host, read while the sockets are ----------------- */

/* A descriptor of pid that is a socket (any: the listeners are not known
 * yet while this is collected). */
struct raw_pair {
        uint64_t ino;
        int32_t pid;
};

/* The live host's descriptor scan, shared by its readers: with many
 * listeners a second thread starts on it while the main thread builds the
 * listener objects, then the main thread joins in. Each reader takes the next pid of
 * the list and keeps what it finds in its own struct live_part; nothing
 * else is shared but the context's deadline. */
struct live_scan {
        const struct complyd_probe_ctx *ctx;
        int proc_fd;                   /* /proc, borrowed */
        bool count_ok;                 /* see fd_count_in_size() */
        const int32_t *pids;           /* /proc order (ascending) */
        size_t n_pids;
        atomic_size_t next;            /* index of the next pid to read */
        atomic_bool stop;              /* a reader failed, or the caller did */
};

struct live_part {
        struct live_scan *scan;
        struct raw_pair *pairs;
        size_t n_pairs, cap_pairs;
        unsigned long scanned, unreadable;
        int32_t listed[MAX_UNREADABLE_LISTED]; /* the first unreadable pids it met */
        size_t n_listed;
        bool truncated;
        int r;                         /* 0, -ENOMEM or -ETIMEDOUT */
};

static void live_note_unreadable(struct live_part *lp, int32_t pid) {
        lp->unreadable++;
        if (lp->n_listed < MAX_UNREADABLE_LISTED)
                lp->listed[lp->n_listed++] = pid;
}

/* Looks at descriptor name of pid in the fd directory dfd (readlinkat():
 * the link text, never followed) and keeps it when it is a socket. Returns
 * 0 to go on, 2 when there is no such descriptor, 1 to stop reading this
 * process (not allowed, or the table is full), -ENOMEM. */
static int live_scan_fd(struct live_part *lp, int dfd, const char *name, int32_t pid) {
        char target[64];
        ssize_t n = readlinkat(dfd, name, target, sizeof(target));
        uint64_t ino;

        if (n < 0 && (errno == EACCES || errno == EPERM)) {
                live_note_unreadable(lp, pid);
                return 1;
        }
        if (n < 0 && errno == ENOENT)
                return 2;
        if (n <= 0 || (ino = socket_link_inode(target, (size_t) n)) == 0)
                return 0;
        if (lp->n_pairs >= MAX_RAW_PAIRS) {
                lp->truncated = true;
                return 1;
        }
        if (grow((void **) &lp->pairs, &lp->cap_pairs, lp->n_pairs, sizeof(*lp->pairs)) < 0)
                return -ENOMEM;
        lp->pairs[lp->n_pairs++] = (struct raw_pair) { ino, pid };
        return 0;
}

/* Reads descriptors 0, 1, 2... of the fd directory dfd by number until
 * the count it holds are seen: listing a /proc/<pid>/fd directory costs
 * the kernel more than reading each link, and most tables are dense. After
 * FD_PROBE_MISSES absent numbers in a row (a sparse table: a shell's 255)
 * it stops, *frontier being the first number not looked at. Returns 0
 * when done, 2 when the caller must list the rest, 1 to stop reading this
 * process, -ENOMEM. */
static int live_probe_fds(struct live_part *lp, int dfd, int32_t pid, off_t count, unsigned *frontier) {
        unsigned streak = 0;
        off_t found = 0;
        int r;

        for (unsigned fdno = 0; found < count; fdno++) {
                char name[12], *d = name + sizeof(name) - 1;

                *d = '\0';
                for (unsigned v = fdno; d == name + sizeof(name) - 1 || v; v /= 10)
                        *--d = (char) ('0' + v % 10);
                r = live_scan_fd(lp, dfd, d, pid);
                if (r == 2 && ++streak > FD_PROBE_MISSES) {
                        *frontier = fdno + 1;
                        return 2;
                }
                if (r != 2) {
                        streak = 0;
                        found++;
                }
                if (r == 1 || r < 0)
                        return r;
        }
        return 0;
}

/* Parses a descriptor number; UINT_MAX for anything else. */
static unsigned fd_number(const char *s) {
        unsigned long v = 0;

        for (; *s >= '0' && *s <= '9' && v < UINT_MAX; s++)
                v = v * 10 + (unsigned long) (*s - '0');
        return *s || v >= UINT_MAX ? UINT_MAX : (unsigned) v;
}

/* Reads /proc/<pid>/fd relative to /proc (no root to stay inside on the
 * live host). When the kernel gives the number of open descriptors as the
 * directory's size (count_ok), a process without any (a kernel thread:
 * most of a host's processes) costs one fstatat() and the others are read
 * by number (live_probe_fds()); the rest of a sparse table, or every table
 * without count_ok, is listed with getdents64() into buf (bufsz bytes),
 * numbers below the frontier already read skipped, until the count is
 * seen. A process that vanished is skipped; one whose descriptors we may
 * not read is counted as unreadable. Returns 0 or -ENOMEM. */
static int live_scan_pid(struct live_part *lp, int32_t pid, char *buf, size_t bufsz) {
        const struct live_scan *ls = lp->scan;
        _cleanup_close_ int fd = -1;
        char rel[24];
        struct stat sb = { .st_size = -1 };
        unsigned frontier = 0;
        off_t seen = 0;
        ssize_t n;
        int r;

        snprintf(rel, sizeof(rel), "%d/fd", (int) pid);
        if (ls->count_ok && fstatat(ls->proc_fd, rel, &sb, 0) < 0)
                return 0;
        if (ls->count_ok && sb.st_size == 0) {
                lp->scanned++;
                return 0;
        }
        fd = openat(ls->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 && (errno == EACCES || errno == EPERM))
                live_note_unreadable(lp, pid);
        if (fd < 0)
                return 0;
        lp->scanned++;
        if (ls->count_ok && (r = live_probe_fds(lp, fd, pid, sb.st_size, &frontier)) != 2)
                return r < 0 ? r : 0;
        while (seen != sb.st_size && (n = getdents64(fd, buf, bufsz)) > 0)
                for (size_t off = 0; off + offsetof(struct dirent64, d_name) < (size_t) n;) {
                        const struct dirent64 *de = (const struct dirent64 *) (buf + off);

                        if (de->d_reclen == 0 || off + de->d_reclen > (size_t) n)
                                return 0;
                        off += de->d_reclen;
                        if (de->d_name[0] == '.')
                                continue;
                        seen++;
                        if (fd_number(de->d_name) < frontier)
                                continue;
                        r = live_scan_fd(lp, fd, de->d_name, pid);
                        if (r == 1 || r < 0)
                                return r < 0 ? r : 0;
                }
        return 0;
}

/* Whether the kernel reports the number of open descriptors as the size of
 * /proc/<pid>/fd (Linux >= 6.2): ours is never empty. */
static bool fd_count_in_size(int proc_fd) {
        struct stat sb;

        return fstatat(proc_fd, "self/fd", &sb, 0) == 0 && sb.st_size > 0;
}

/* One reader: takes pids until none is left or the scan stops; the
 * result in lp->r. The body of the scan thread, and called by the main
 * thread when it joins in. */
static void *live_scan_run(void *userdata) {
        struct live_part *lp = userdata;
        struct live_scan *ls = lp->scan;
        _cleanup_free_ char *buf = malloc(READ_CHUNK);
        size_t i;

        lp->r = buf ? 0 : -ENOMEM;
        while (lp->r >= 0 && !atomic_load(&ls->stop) && (i = atomic_fetch_add(&ls->next, 1)) < ls->n_pids) {
                lp->r = live_scan_pid(lp, ls->pids[i], buf, READ_CHUNK);
                if (lp->r >= 0 && ls->ctx->expired(ls->ctx))
                        lp->r = -ETIMEDOUT;
        }
        if (lp->r < 0)
                atomic_store(&ls->stop, true);
        return NULL;
}

/* The numeric entries of the /proc directory d in its order, at most
 * MAX_PIDS. 0 or -ENOMEM. */
static int list_pids(DIR *d, int32_t **pids, size_t *n) {
        int32_t *a = NULL;
        size_t len = 0, cap = 0;
        struct dirent *de;

        while (len < MAX_PIDS && (de = readdir(d))) {
                int32_t pid = parse_pid(de->d_name);

                if (pid < 0)
                        continue;
                if (grow((void **) &a, &cap, len, sizeof(*a)) < 0) {
                        free(a);
                        return -ENOMEM;
                }
                a[len++] = pid;
        }
        *pids = a;
        *n = len;
        return 0;
}

static int cmp_pid32(const void *a, const void *b) {
        int32_t x = *(const int32_t *) a, y = *(const int32_t *) b;
        return (x > y) - (x < y);
}

/* Keeps the parts' sockets that are listeners as (listener, pid) pairs (at
 * most MAX_PAIRS) and takes their counts; the first unreadable pids in pid
 * order. With no listener at all the scan is not reported, as when it does
 * not run. Returns 0 or -errno. */
static int live_scan_take(struct state *st, const struct live_part *parts, size_t n) {
        int32_t listed[2 * MAX_UNREADABLE_LISTED];
        size_t n_listed = 0;

        for (size_t p = 0; p < n; p++)
                if (parts[p].r < 0)
                        return parts[p].r;
        if (st->n_socks == 0)
                return 0;
        for (size_t p = 0; p < n; p++) {
                for (size_t i = 0; i < parts[p].n_pairs; i++) {
                        long idx = hash_find(st, parts[p].pairs[i].ino);

                        if (idx < 0)
                                continue;
                        if (st->n_pairs >= MAX_PAIRS) {
                                st->truncated = true;
                                break;
                        }
                        if (grow((void **) &st->pairs, &st->cap_pairs, st->n_pairs, sizeof(*st->pairs)) < 0)
                                return -ENOMEM;
                        st->pairs[st->n_pairs++] = (struct owner_pair) { (uint32_t) idx, parts[p].pairs[i].pid };
                }
                st->scanned += parts[p].scanned;
                st->unreadable += parts[p].unreadable;
                st->truncated |= parts[p].truncated;
                memcpy(listed + n_listed, parts[p].listed, parts[p].n_listed * sizeof(int32_t));
                n_listed += parts[p].n_listed;
        }
        qsort(listed, n_listed, sizeof(int32_t), cmp_pid32);
        for (size_t i = 0; i < n_listed && i < MAX_UNREADABLE_LISTED; i++)
                if (json_array_append_new(st->unreadable_pids, json_integer(listed[i])) < 0)
                        return -ENOMEM;
        return 0;
}

static int cmp_pair(const void *a, const void *b) {
        const struct owner_pair *x = a, *y = b;

        if (x->sock != y->sock)
                return x->sock < y->sock ? -1 : 1;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sorts the ownerships by (socket, pid) and drops duplicates (a socket held
 * by several descriptors of one process). */
static void pairs_normalize(struct state *st) {
        size_t w = 0;

        if (st->n_pairs == 0)
                return;
        qsort(st->pairs, st->n_pairs, sizeof(*st->pairs), cmp_pair);
        for (size_t i = 0; i < st->n_pairs; i++)
                if (w == 0 || cmp_pair(&st->pairs[w - 1], &st->pairs[i]) != 0)
                        st->pairs[w++] = st->pairs[i];
        st->n_pairs = w;
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

/* The listeners' inode table, their users and their objects (owners not
 * yet named) in *listeners. */
static int describe_sockets(struct state *st, json_t **listeners) {
        int r;

        if ((r = hash_build(st)) < 0 || (r = load_users(st)) < 0)
                return r;
        return (*listeners = listeners_json(st)) ? 0 : -ENOMEM;
}

/* Starts the live host's descriptor scan over the pids of /proc (proc):
 * on a second thread when there are many listeners to describe meanwhile
 * (with few, starting a thread costs more than it saves). Returns 1 when
 * the thread runs, 0 when the caller scans alone, -ENOMEM. */
static int live_scan_start(struct state *st, DIR *proc, struct live_scan *ls, int32_t **pids,
                           struct live_part *second, pthread_t *thread) {
        int r = list_pids(proc, pids, &ls->n_pids);

        if (r < 0)
                return r;
        ls->pids = *pids;
        ls->proc_fd = dirfd(proc);
        ls->count_ok = fd_count_in_size(ls->proc_fd);
        return st->n_socks >= SCAN_THREAD_MIN_LISTENERS &&
               pthread_create(thread, NULL, live_scan_run, second) == 0;
}

/* On the live host with many listeners, the descriptor scan (struct
 * live_scan) runs on a second thread while this one describes the
 * listeners and then joins the scan: the largest parts of the work
 * overlap. Under a root everything runs in turn. */
static int open_ports_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_(state_free) struct state st = {
                .ctx = ctx, .unreadable_pids = json_array(),
        };
        _cleanup_closedir_ DIR *proc = NULL;
        _cleanup_free_ int32_t *pids = NULL;
        struct live_scan ls = { .ctx = ctx };
        struct live_part parts[2] = { { .scan = &ls }, { .scan = &ls } };
        pthread_t thread;
        int threaded = 0;
        json_t *o;
        int r;

        if (!st.unreadable_pids || make_constants(&st) < 0)
                return -ENOMEM;
        _cleanup_json_ json_t *sources = json_object(), *listeners = NULL;

        if (!sources)
                return -ENOMEM;
        if ((r = collect_sockets(&st, sources)) < 0)
                return r;
        if (ctx->live_host && st.n_socks > 0 && ctx->opendir(ctx, "/proc", &proc) >= 0 &&
            (threaded = live_scan_start(&st, proc, &ls, &pids, &parts[1], &thread)) < 0)
                return threaded;
        r = describe_sockets(&st, &listeners);
        if (r < 0)
                atomic_store(&ls.stop, true);
        if (proc)
                live_scan_run(&parts[0]);
        if (threaded)
                pthread_join(thread, NULL);
        if (r >= 0)
                r = proc ? live_scan_take(&st, parts, threaded ? 2 : 1) : scan_processes(&st);
        free(parts[0].pairs);
        free(parts[1].pairs);
        if (r < 0)
                return r;
        pairs_normalize(&st);
        if ((r = load_procs(&st)) < 0 || (r = name_owners(&st, listeners)) < 0)
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
