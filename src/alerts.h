/* SPDX-License-Identifier: MIT */
/* Alert sinks: journald, webhook (HTTPS POST via libcurl's multi interface
 * on the event loop), command. alerts_fire() never blocks: each sink queues
 * the alert and delivers it in the background, retrying with backoff; a
 * failing sink is logged and counted, never an obstacle to evaluation. */
#ifndef COMPLYD_ALERTS_H
#define COMPLYD_ALERTS_H

#include <stdint.h>
#include <systemd/sd-event.h>

#include <jansson.h>

#include "config.h"

enum alert_kind {
        ALERT_DRIFT,    /* pass -> fail/error, or a first failure */
        ALERT_RECOVERY, /* fail/error -> pass */
        ALERT_REMINDER, /* still failing after alerts.renotify */
};

struct alert {
        enum alert_kind kind;
        const char *control_id;
        const char *title;
        const char *severity;   /* low|medium|high|critical */
        const char *status;     /* the new status */
        const char *previous;   /* the previous status, NULL when none */
        const char *why;        /* one line: the result's summary or error */
        const char *hostname;
        uint64_t time_usec;     /* CLOCK_REALTIME */
        const json_t *result;   /* the whole result object (borrowed) */
};

struct alert_stats {
        uint64_t fired;         /* alerts handed to alerts_fire() */
        uint64_t delivered;     /* sink deliveries that succeeded */
        uint64_t failed;        /* sink delivery attempts that failed */
        uint64_t dropped;       /* alerts given up on (queue full, retries exhausted) */
};

struct alerts;

/* Sets up the sinks cfg enables on e. Returns 0 or -errno. */
int alerts_new(sd_event *e, const struct config_alerts *cfg, struct alerts **ret);
/* Queues the alert on every sink (copies what it needs). */
void alerts_fire(struct alerts *a, const struct alert *alert);
void alerts_get_stats(const struct alerts *a, struct alert_stats *stats);
/* True while deliveries are pending (for a graceful stop). */
bool alerts_pending(const struct alerts *a);
/* Alerts for journald go to the journal when /run/systemd/journal/socket
 * exists, else (or when the journal refuses one) as "<N>message" lines to
 * stderr. This forces those lines to fd (tests); fd < 0 restores the
 * automatic choice. */
void alerts_set_journal_fallback(struct alerts *a, int fd);
/* Cancels pending deliveries and frees everything. Accepts NULL. */
void alerts_free(struct alerts *a);

#endif
