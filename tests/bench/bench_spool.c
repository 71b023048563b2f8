/* SPDX-License-Identifier: MIT */
/* bench_spool STATE_DIR MODE N RECORD_BYTES GROUP: opens (creating) the
 * evidence spool under STATE_DIR with complyd's own spool code and appends N
 * records of RECORD_BYTES bytes of JSON text each, then prints
 *   appends N seconds S appends_per_sec R frame_bytes F
 * MODE "always": SPOOL_SYNC_ALWAYS, one fdatasync per record (evidence.sync:
 * always). MODE "batch": group commit, spool_sync() after every GROUP
 * records (the daemon syncs once per job: the controls sharing one probe
 * run). Nothing but the spool's own files is written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spool.h"

#define FRAME_OVERHEAD 25 /* magic, len, crc, seq, '\n', len */
static const char hash[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A record-shaped JSON text of exactly len bytes (len >= 64), no newline. */
static char *make_record(size_t len) {
        static const char head[] = "{\"schema\":\"complyd.evidence.v1\",\"type\":\"result\",\"pad\":\"";
        char *t = malloc(len + 1);

        if (!t)
                return NULL;
        memcpy(t, head, sizeof(head) - 1);
        memset(t + sizeof(head) - 1, 'x', len - (sizeof(head) - 1) - 2);
        memcpy(t + len - 2, "\"}", 3);
        return t;
}

int main(int argc, char **argv) {
        struct spool_options opt = { 0 };
        struct spool_recovery rep;
        struct spool *sp;
        long n, group;
        size_t len;
        char *text;
        double t0, t1;
        int r;

        if (argc != 6)
                return fprintf(stderr, "usage: bench_spool STATE_DIR always|batch N RECORD_BYTES GROUP\n"), 2;
        opt.sync = strcmp(argv[2], "always") == 0 ? SPOOL_SYNC_ALWAYS : SPOOL_SYNC_BATCH;
        n = strtol(argv[3], NULL, 10);
        len = strtoul(argv[4], NULL, 10);
        group = strtol(argv[5], NULL, 10);
        if (n <= 0 || len < 64 || len > SPOOL_RECORD_MAX_BYTES || group <= 0)
                return fprintf(stderr, "bench_spool: bad arguments\n"), 2;
        text = make_record(len);
        if (!text)
                return fprintf(stderr, "bench_spool: out of memory\n"), 1;
        r = spool_open(argv[1], &opt, &sp, &rep);
        if (r < 0)
                return fprintf(stderr, "spool_open %s: %s\n", argv[1], strerror(-r)), 1;
        t0 = now_sec();
        for (long i = 0; i < n; i++) {
                struct spool_dropped d;

                r = spool_append(sp, spool_next_seq(sp), hash, text, len, &d);
                if (r >= 0 && opt.sync == SPOOL_SYNC_BATCH && ((i + 1) % group == 0 || i + 1 == n))
                        r = spool_sync(sp);
                if (r < 0)
                        return fprintf(stderr, "append %ld: %s\n", i, strerror(-r)), 1;
        }
        t1 = now_sec();
        spool_close(sp);
        printf("appends %ld seconds %.4f appends_per_sec %.1f frame_bytes %zu\n", n, t1 - t0,
               (double) n / (t1 - t0), len + FRAME_OVERHEAD);
        free(text);
        return 0;
}
