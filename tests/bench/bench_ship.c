/* SPDX-License-Identifier: MIT */
/* bench_ship: delivery throughput of complyd's evidence shipper.
 *
 *   bench_ship ship STATE_DIR URL CA TOKEN_FILE native|ocsf gzip|plain N PAD
 *   bench_ship dump STATE_DIR DUMP_DIR native|ocsf N PAD
 *
 * Both fill a fresh spool under STATE_DIR (complyd's spool code, group
 * committed) with N evidence records shaped like the shipper's unit tests
 * (tests/unit/test_shipper.c): every 10th an agent.start, the others results
 * with PAD bytes of observation. "ship" then starts the real shipper (one
 * output, default batch limits, drain-rate limit off as in test_shipper's
 * bench) against URL on loopback and runs its event loop until everything
 * durable is acknowledged, printing
 *   records N seconds S records_per_sec R batches B
 * "dump" instead writes the request bodies the shipper would send, built by
 * the same format code with the same limits (500 records carried, 1 MiB),
 * as DUMP_DIR/NNNNN.body, uncompressed, for the curl peer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "formats.h"
#include "shipper.h"
#include "spool.h"
#include "util.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define BATCH_RECORDS 500
#define BATCH_BYTES (1024 * 1024)

static const char *const result_fmt =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"result\",\"id\":\"00000000-0000-7000-8000-%012d\","
        "\"seq\":%d,\"time\":\"2025-03-01T12:00:%02d.123Z\","
        "\"host\":{\"id\":\"3f9a1c0e2b7d4e55a1c2d3e4f5a6b7c8\",\"hostname\":\"web-01\","
        "\"os\":\"Debian GNU/Linux 12 (bookworm)\",\"kernel\":\"6.1.0-18-amd64\",\"boot_id\":\"b1\"},"
        "\"agent\":{\"name\":\"complyd\",\"version\":\"0.1.0\",\"config_hash\":\"ab\"},"
        "\"control\":{\"id\":\"ssh-mfa-enforced\",\"title\":\"SSH logins require a second factor\","
        "\"criteria\":[\"soc2:CC6.1\",\"nist-800-53:IA-2(1)\"],\"severity\":\"high\"},"
        "\"status\":\"%s\",\"previous_status\":\"pass\",\"drift\":false,\"failures\":[],"
        "\"observation\":{\"pad\":\"%s\"},\"probe\":{\"name\":\"mfa\",\"version\":\"1\",\"duration_ms\":3},"
        "\"prev_hash\":\"" HASH "\",\"hash\":\"" HASH "\",\"sig\":\"c2ln\",\"key_id\":\"k1\"}";
static const char *const start_fmt =
        "{\"schema\":\"complyd.evidence.v1\",\"type\":\"agent.start\",\"id\":\"00000000-0000-7000-8000-%012d\","
        "\"seq\":%d,\"time\":\"2025-03-01T12:00:00.000Z\",\"host\":{\"id\":\"3f9a\",\"hostname\":\"web-01\"},"
        "\"prev_hash\":\"" HASH "\",\"hash\":\"" HASH "\",\"sig\":\"c2ln\",\"key_id\":\"k1\"}";

/* Opens a new spool under state_dir and appends n records. 0 or -errno. */
static int fill_spool(const char *state_dir, int n, size_t pad, struct spool **ret) {
        struct spool_options opt = { .sync = SPOOL_SYNC_BATCH };
        struct spool_recovery rep;
        struct spool *sp;
        char *p = malloc(pad + 1);
        int r;

        if (!p)
                return -ENOMEM;
        memset(p, 'x', pad);
        p[pad] = '\0';
        r = spool_open(state_dir, &opt, &sp, &rep);
        for (int i = 0; r >= 0 && i < n; i++) {
                uint64_t seq = spool_next_seq(sp);
                char *text = seq % 10 == 1 ? strdup_printf(start_fmt, (int) seq, (int) seq)
                                           : strdup_printf(result_fmt, (int) seq, (int) seq, (int) (seq % 60),
                                                           seq % 3 ? "pass" : "fail", p);
                struct spool_dropped d;

                r = text ? spool_append(sp, seq, HASH, text, strlen(text), &d) : -ENOMEM;
                free(text);
        }
        if (r >= 0)
                r = spool_sync(sp);
        free(p);
        if (r < 0)
                return r;
        *ret = sp;
        return 0;
}

struct dumper {
        struct format_body body;
        const char *dir;
        unsigned n_files;
};

/* Writes the finished body as the next NNNNN.body file and resets it. */
static int dump_body(struct dumper *d) {
        const char *data;
        size_t len;
        char path[4096];
        FILE *f;
        int r = format_body_finish(&d->body, &data, &len);

        if (r < 0 || d->body.n_records == 0)
                return r;
        snprintf(path, sizeof(path), "%s/%05u.body", d->dir, d->n_files++);
        f = fopen(path, "we");
        if (!f)
                return -errno;
        if (fwrite(data, 1, len, f) != len)
                r = -EIO;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        format_body_reset(&d->body);
        return r;
}

/* spool_read callback: adds one record, starting a new body when full. */
static int dump_record(const struct spool_record *rec, void *userdata) {
        struct dumper *d = userdata;
        int r = format_body_add(&d->body, rec->text, rec->len, BATCH_BYTES);

        if (r == -E2BIG) {
                if ((r = dump_body(d)) < 0)
                        return r;
                r = format_body_add(&d->body, rec->text, rec->len, BATCH_BYTES);
        }
        if (r >= 0 && d->body.n_records >= BATCH_RECORDS)
                r = dump_body(d);
        return r < 0 ? r : 0;
}

static int cmd_dump(char **argv) {
        struct dumper d = { .dir = argv[3] };
        enum output_format f = strcmp(argv[4], "ocsf") == 0 ? OUTPUT_OCSF : OUTPUT_NATIVE;
        struct spool *sp;
        int r;

        mkdir(d.dir, 0700);
        r = fill_spool(argv[2], atoi(argv[5]), strtoul(argv[6], NULL, 10), &sp);
        if (r < 0)
                return fprintf(stderr, "spool: %s\n", strerror(-r)), 1;
        format_body_init(&d.body, f);
        r = spool_read(sp, 0, 0, dump_record, &d);
        if (r >= 0)
                r = dump_body(&d);
        format_body_reset(&d.body);
        spool_close(sp);
        if (r < 0)
                return fprintf(stderr, "dump: %s\n", strerror(-r)), 1;
        printf("bodies %u\n", d.n_files);
        return 0;
}

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void on_alert(const char *output, const char *message, void *userdata) {
        fprintf(stderr, "alert: %s: %s\n", output, message);
}

static int cmd_ship(char **argv) {
        struct config_output out = {
                .name = (char *) "bench", .url = argv[3], .ca_file = argv[4], .token_file = argv[5],
                .format = strcmp(argv[6], "ocsf") == 0 ? OUTPUT_OCSF : OUTPUT_NATIVE,
                .gzip = strcmp(argv[7], "gzip") == 0, .batch_max_records = BATCH_RECORDS,
                .batch_max_bytes = BATCH_BYTES, .timeout_usec = 30 * 1000000ULL,
        };
        struct shipper_options opt = { .state_dir = argv[2], .unlimited_rate = true, .alert = on_alert };
        struct shipper_output_stats st;
        int n = atoi(argv[8]);
        struct shipper *sh = NULL;
        struct spool *sp;
        sd_event *e = NULL;
        double t0, t1;
        int r;

        r = fill_spool(argv[2], n, strtoul(argv[9], NULL, 10), &sp);
        if (r >= 0)
                r = sd_event_new(&e);
        if (r < 0)
                return fprintf(stderr, "setup: %s\n", strerror(-r)), 1;
        t0 = now_sec();
        r = shipper_new(e, sp, &out, 1, &opt, &sh);
        while (r >= 0 && !shipper_idle(sh) && now_sec() - t0 < 300)
                r = sd_event_run(e, 50000);
        t1 = now_sec();
        if (r < 0 || !shipper_idle(sh))
                return fprintf(stderr, "shipper: %s\n", r < 0 ? strerror(-r) : "not idle after 300 s"), 1;
        shipper_get_stats(sh, 0, &st);
        printf("records %d seconds %.4f records_per_sec %.1f batches %llu failures %llu\n", n, t1 - t0,
               n / (t1 - t0), (unsigned long long) st.batches_acked, (unsigned long long) st.push_failures);
        shipper_free(sh);
        spool_close(sp);
        sd_event_unref(e);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 10 && strcmp(argv[1], "ship") == 0)
                return cmd_ship(argv);
        if (argc == 7 && strcmp(argv[1], "dump") == 0)
                return cmd_dump(argv);
        fprintf(stderr, "usage: bench_ship ship STATE_DIR URL CA TOKEN_FILE native|ocsf gzip|plain N PAD\n"
                        "       bench_ship dump STATE_DIR DUMP_DIR native|ocsf N PAD\n");
        return 2;
}
