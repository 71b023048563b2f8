/* SPDX-License-Identifier: MIT */
/* The open_ports probe's working state, shared by open_ports.c (sockets,
 * processes, users, output) and owners.c (who holds each listener). */
#ifndef COMPLYD_OPEN_PORTS_STATE_H
#define COMPLYD_OPEN_PORTS_STATE_H

#include <complyd/probe.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "open_ports.h"

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

/* Grows *arr (elements of size sz) so that one more fits. 0 or -ENOMEM. */
static inline int grow(void **arr, size_t *cap, size_t n, size_t sz) {
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

/* The owner scan in progress (owners.c): started once the sockets are
 * known, finished once the listener objects are built. */
struct owner_scan;

/* Starts finding who holds each listener. On the live host the descriptor
 * tables of /proc are read by a second thread when there are many listeners
 * to describe meanwhile; *ret is then the scan in progress, else NULL (the
 * reading is done by owners_finish()). Returns 0 or -ENOMEM. */
int owners_start(struct state *st, struct owner_scan **ret);

/* Finishes the scan (stopping it early when ok < 0): fills st->pairs,
 * sorted by (listener, pid) without duplicates, and the scan counts. Frees
 * scan. Returns ok when it is negative, else 0 or -errno. */
int owners_finish(struct state *st, struct owner_scan *scan, int ok);

#endif
