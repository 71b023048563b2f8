/* SPDX-License-Identifier: MIT */
/*
 * The evidence shipper: one delivery loop per configured output, on the
 * event loop, each with its own cursor over the spool. A loop reads the
 * durable records after its cursor, builds a batch (<= batch_max_records
 * records carried by its format, <= batch_max_bytes of uncompressed body,
 * except that a single record is always sent), seals it in the cursor
 * (a new UUIDv4 batch id and the seq range, persisted before the first
 * byte is sent, so a retry after a crash reuses the same Idempotency-Key),
 * POSTs it, and acknowledges it on 2xx. Nothing here blocks on the
 * network; a slow collector delays only its own output.
 *
 * Replies:
 *   2xx                  acknowledged (an OTLP partialSuccess is logged, not retried)
 *   408, 429, 5xx,       retried: exponential backoff with full jitter (1 s base,
 *   network, timeout     5 min cap), or Retry-After (seconds or HTTP-date, clamped
 *                        to [1 s, 1 h]) when given
 *   TLS verification     never sent; logged and alerted once, retried with backoff
 *   413                  the batch is split in half; a single record: dead letter
 *   other 4xx            dead letter: state_dir/dead-letter/<output>-<batch id>.ndjson
 *                        (the batch's records as stored), an alert (401/403:
 *                        "credentials rejected"), and the cursor moves on
 * After an outage the backlog drains oldest first, at most
 * max_batches_per_sec batches per second per output.
 */
#ifndef COMPLYD_SHIPPER_H
#define COMPLYD_SHIPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "http_client.h"
#include "spool.h"

#define SHIPPER_BACKOFF_BASE_USEC (1 * 1000000ULL)
#define SHIPPER_BACKOFF_CAP_USEC (300 * 1000000ULL)
#define SHIPPER_DEFAULT_BATCHES_PER_SEC 10

/* An alert the shipper raises (also logged): output name and one line. */
typedef void (*shipper_alert_fn)(const char *output, const char *message, void *userdata);

struct shipper_options {
        const char *state_dir;          /* dead letters go to state_dir/dead-letter/ */
        unsigned max_batches_per_sec;   /* per output; 0 = SHIPPER_DEFAULT_BATCHES_PER_SEC */
        bool unlimited_rate;            /* no drain limit (benchmarks) */
        /* Multiplies backoff delays (not Retry-After) — tests; 0 = 1, or
         * COMPLYD_TEST_BACKOFF_SCALE from the environment when set. */
        double backoff_scale;
        shipper_alert_fn alert;
        void *alert_userdata;
};

struct shipper_output_stats {
        const char *name;
        uint64_t acked_seq;             /* everything <= this was delivered (or dead-lettered) */
        uint64_t backlog;               /* durable records after acked_seq */
        uint64_t batches_acked;         /* 2xx answers */
        uint64_t records_acked;         /* records carried in them */
        uint64_t push_failures;         /* attempts that failed (retried, split or dead-lettered) */
        uint64_t dead_letters;          /* batches moved to dead-letter/ */
        long last_status;               /* last HTTP status, 0 for none (network, TLS) */
        bool in_flight;
};

struct shipper;

/*
 * Sets up one loop per output (outputs and everything they point to are
 * copied) over sp, which must outlive the shipper. Reads each token file
 * and loads each cursor; starts delivering what the spool already holds
 * (a batch sealed before a crash goes first, with its id). Returns 0, or
 * -errno after logging which output is wrong (unreadable token file, a URL
 * that is not https://).
 */
int shipper_new(sd_event *e, struct spool *sp, const struct config_output *outputs, size_t n,
                const struct shipper_options *opt, struct shipper **ret);

/* New durable records exist (call after spool_sync() or a synced append):
 * every idle output starts a batch (within its rate limit). Cheap. */
void shipper_kick(struct shipper *sh);

size_t shipper_n_outputs(const struct shipper *sh);
/* Stats of output i (< shipper_n_outputs); name points into sh. */
void shipper_get_stats(const struct shipper *sh, size_t i, struct shipper_output_stats *st);
/* Sum of push_failures over the outputs (complyd_push_failures_total). */
uint64_t shipper_push_failures_total(const struct shipper *sh);
/* True when every output has delivered everything durable and nothing is in
 * flight (for a graceful stop, and tests). */
bool shipper_idle(const struct shipper *sh);

/* Cancels transfers in flight (their batches stay sealed and are resent
 * with the same id next time) and frees everything. Accepts NULL. */
void shipper_free(struct shipper *sh);

/* --- reply handling (pure; exposed for tests and fuzzing) ------------------- */

enum ship_verdict {
        SHIP_ACK,               /* delivered */
        SHIP_RETRY,             /* try the same batch again later */
        SHIP_TLS,               /* TLS verification failed: nothing was sent; retry later */
        SHIP_SPLIT,             /* 413: halve the batch */
        SHIP_DEAD_LETTER,       /* rejected for good */
};

struct ship_reply {
        enum ship_verdict verdict;
        uint64_t retry_after_usec;      /* clamped Retry-After, 0 none */
        bool credentials_rejected;      /* 401/403 */
        bool partial_success;           /* OTLP: a 2xx with partialSuccess */
        uint64_t rejected_records;      /* OTLP partialSuccess.rejectedLogRecords */
        char message[256];              /* what to log: server's message or curl's error */
};

/* Judges one reply for an output in format f (the response body is at most
 * HTTP_RESPONSE_MAX bytes; it is read for OTLP partialSuccess and for an
 * error message, never trusted further). Always fills *out. */
void shipper_classify(enum output_format f, const struct http_response *resp, struct ship_reply *out);

/* A random UUIDv4 in buf (37 bytes with NUL). */
void shipper_uuid4(char buf[37]);

#endif
