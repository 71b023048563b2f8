/* SPDX-License-Identifier: MIT */
/* Private to the alert sinks: the owned copy of an alert, the queued sink
 * that alerts.c drives (one delivery at a time, in order, retry with backoff,
 * a bounded queue), and what each sink file provides. */
#ifndef COMPLYD_ALERT_SINK_H
#define COMPLYD_ALERT_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"

/* journald MESSAGE_IDs (generated once; never change them: people filter on
 * them with `journalctl MESSAGE_ID=...`). */
#define ALERT_MESSAGE_ID_DRIFT "52d218b8dbec4df5bfb929ae4f8b687a"
#define ALERT_MESSAGE_ID_RECOVERY "ee034e27ebb648e592aa153b898457d2"
#define ALERT_MESSAGE_ID_REMINDER "99b826d41a164e42b2f149e201a4ca7a"

#define ALERT_QUEUE_MAX 256              /* per sink, the one in flight included */
#define ALERT_MAX_ATTEMPTS 20            /* then the alert is dropped (about 30 min) */
#define ALERT_BACKOFF_BASE_USEC (1000000ULL)
#define ALERT_BACKOFF_CAP_USEC (300 * 1000000ULL)
#define ALERT_FIELD_MAX 1024             /* longest id, title, status... kept */
#define ALERT_WHY_MAX 4096               /* longest reason kept */

/* An alert as the sinks keep it: strings copied (bounded, control
 * characters replaced by spaces), shared between sinks by reference count. */
struct alert_msg {
        unsigned ref;
        enum alert_kind kind;
        char *control_id, *title, *severity, *status, *previous, *why, *hostname;
        uint64_t time_usec;
        json_t *result;                  /* a deep copy, or NULL */
};

struct alert_msg *alert_msg_new(const struct alert *a);
struct alert_msg *alert_msg_ref(struct alert_msg *m);
void alert_msg_unref(struct alert_msg *m);

const char *alert_kind_to_string(enum alert_kind k);
/* "2025-03-01T12:00:00.123Z" into buf (at least 32 bytes). */
const char *alert_format_time(uint64_t usec, char *buf, size_t size);
/* The one-line human sentence: "Control X drifted: pass -> fail: why". */
char *alert_sentence(const struct alert_msg *m);

enum alert_outcome {
        ALERT_DELIVERED,
        ALERT_RETRY,    /* try again after a backoff (or retry_after) */
        ALERT_GIVE_UP,  /* will not work as is: count failed + dropped */
};

struct alert_sink;

struct alert_sink_ops {
        const char *name;
        /* Begin delivering m; report later with alert_sink_done(). Returns
         * < 0 when it could not even start (counts as ALERT_RETRY). */
        int (*start)(struct alert_sink *s, struct alert_msg *m);
        /* Abandon the delivery in flight (no alert_sink_done()). */
        void (*cancel)(struct alert_sink *s);
        void (*free)(void *impl);
};

struct alert_sink {
        const struct alert_sink_ops *ops;
        void *impl;
        struct alerts *owner;
        sd_event *event;
        struct alert_msg *queue[ALERT_QUEUE_MAX];
        size_t head, len;
        bool busy;                       /* queue[head] is being delivered */
        unsigned attempt;                /* failed attempts of queue[head] */
        bool failing;                    /* the last attempt failed (log once) */
        bool overflowing;                /* dropped since the last delivery (log once) */
        sd_event_source *retry_timer;
};

/* A sink reports the end of the delivery of its head alert. retry_after_usec
 * (0 = none) replaces the backoff; why is logged when the sink starts or
 * stops failing. */
void alert_sink_done(struct alert_sink *s, enum alert_outcome o, uint64_t retry_after_usec,
                     const char *why);

/* The retry delay before attempt+1 (attempt >= 1 failures so far), with the
 * test scale applied. */
uint64_t alerts_retry_delay_usec(const struct alerts *a, unsigned attempt,
                                 uint64_t retry_after_usec);

/* journald */
int alert_journald_priority(const struct alert_msg *m);
/* "<N>sentence\n" as written when there is no journal; malloc'ed. */
char *alert_journald_fallback_line(const struct alert_msg *m);
/* Sends m to the journal, or the fallback line to fallback_fd when use_journal
 * is false or the journal refuses it. Returns 0 or -errno. */
int alert_journald_send(const struct alert_msg *m, bool use_journal, int fallback_fd);
bool alert_journald_available(void);

/* webhook */
json_t *alert_webhook_payload(const struct alert_msg *m, enum webhook_format f);
int alert_webhook_new(struct alert_sink *s, const struct config_webhook *cfg);

/* command */
int alert_command_new(struct alert_sink *s, const struct config_command *cfg);
/* The child's environment: COMPLYD_* and PATH. NULL on OOM. */
char **alert_command_env(const struct alert_msg *m);

#endif
