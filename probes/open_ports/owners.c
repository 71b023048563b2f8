/* SPDX-License-Identifier: MIT */
/* open_ports: who holds each listener. Every process's descriptor table is
 * read once and every "socket:[N]" link is looked up in a hash table of the
 * listeners' inodes: under a root through the context (/proc/<pid>/fd,
 * inside the root); on the live host relative to /proc, skipping processes
 * without descriptors, reading links by number rather than listing the
 * directory, and, with many listeners, on a second thread while the
 * listener objects are built (struct live_scan). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "state.h"

#define MAX_PAIRS (4u << 20)        /* (socket, pid) ownerships kept at most */
#define MAX_RAW_PAIRS (16u << 20)   /* (any socket, pid) read on the live host at most */
#define MAX_PIDS (4u << 20)         /* processes read at most (the kernel's pid_max limit) */
#define SCAN_THREAD_MIN_LISTENERS 256 /* fewer: no second thread for the descriptor scan */
#define FD_PROBE_MISSES 2           /* absent descriptor numbers in a row before listing the rest */
#define MAX_UNREADABLE_LISTED 32    /* pids listed in process_scan.unreadable_pids */

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

/* ---- the scan as the probe sees it ---------------------------------------- */

struct owner_scan {
        DIR *proc;
        int32_t *pids;
        struct live_scan ls;
        struct live_part parts[2];
        pthread_t thread;
        bool threaded;
};

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

int owners_start(struct state *st, struct owner_scan **ret) {
        struct owner_scan *os;
        int r;

        *ret = NULL;
        if (!st->ctx->live_host || st->n_socks == 0)
                return 0;
        if (!(os = calloc(1, sizeof(*os))))
                return -ENOMEM;
        os->ls.ctx = st->ctx;
        os->parts[0].scan = os->parts[1].scan = &os->ls;
        if (st->ctx->opendir(st->ctx, "/proc", &os->proc) < 0) {
                free(os);
                return 0; /* no /proc: no owner can be named */
        }
        r = live_scan_start(st, os->proc, &os->ls, &os->pids, &os->parts[1], &os->thread);
        if (r < 0) {
                closedir(os->proc);
                free(os);
                return r;
        }
        os->threaded = r > 0;
        *ret = os;
        return 0;
}

/* The live scan joined (this thread reads what is left of it first) and
 * taken into st. */
static int live_finish(struct state *st, struct owner_scan *os, int ok) {
        int r = ok;

        if (ok < 0)
                atomic_store(&os->ls.stop, true);
        live_scan_run(&os->parts[0]);
        if (os->threaded)
                pthread_join(os->thread, NULL);
        if (r >= 0 && (r = hash_build(st)) >= 0)
                r = live_scan_take(st, os->parts, os->threaded ? 2 : 1);
        free(os->parts[0].pairs);
        free(os->parts[1].pairs);
        free(os->pids);
        closedir(os->proc);
        free(os);
        return r;
}

int owners_finish(struct state *st, struct owner_scan *scan, int ok) {
        int r;

        if (scan)
                r = live_finish(st, scan, ok);
        else if ((r = ok) >= 0 && (r = hash_build(st)) >= 0)
                r = scan_processes(st); /* under a root; on the live host: no /proc or no sockets */
        if (r < 0)
                return r;
        pairs_normalize(st);
        return 0;
}
