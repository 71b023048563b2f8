/* SPDX-License-Identifier: MIT */
/* The alert fan-out: every fired alert is copied once and handed to each
 * configured sink. journald is written at once (a local datagram); the
 * webhook and the command each have a bounded queue delivered one alert at a
 * time, in order, retried with exponential backoff and full jitter. */
#include <math.h>
#include <time.h>

#include "alert_sink.h"
#include "http_client.h"
#include "log.h"
#include "util.h"

#define MAX_SINKS 2

struct alerts {
        sd_event *event;
        bool journald, use_journal;
        int journal_fallback_fd;
        struct alert_sink *sinks[MAX_SINKS];
        size_t n_sinks;
        struct alert_stats stats;
        double backoff_scale;            /* COMPLYD_TEST_BACKOFF_SCALE, 1 normally */
};

const char *alert_kind_to_string(enum alert_kind k) {
        switch (k) {
        case ALERT_DRIFT:
                return "drift";
        case ALERT_RECOVERY:
                return "recovery";
        case ALERT_REMINDER:
                return "reminder";
        }
        return "drift";
}

const char *alert_format_time(uint64_t usec, char *buf, size_t size) {
        time_t sec = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;
        char base[24];

        if (!gmtime_r(&sec, &tm) || strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                snprintf(base, sizeof(base), "1970-01-01T00:00:00");
        snprintf(buf, size, "%s.%03uZ", base, (unsigned) (usec % USEC_PER_SEC / USEC_PER_MSEC));
        return buf;
}

/* A bounded copy of s with control characters (newlines included) turned
 * into spaces, so every field stays on one line. NULL stays NULL. Returns
 * false on OOM. */
static bool copy_field(char **dst, const char *s, size_t max) {
        size_t n;

        if (!s) {
                *dst = NULL;
                return true;
        }
        n = strnlen(s, max);
        *dst = strndup(s, n);
        if (!*dst)
                return false;
        for (char *p = *dst; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = ' ';
        return true;
}

struct alert_msg *alert_msg_new(const struct alert *a) {
        struct alert_msg *m = calloc(1, sizeof(*m));
        bool ok;

        if (!m)
                return NULL;
        m->ref = 1;
        m->kind = a->kind;
        m->time_usec = a->time_usec;
        ok = copy_field(&m->control_id, a->control_id ?: "", ALERT_FIELD_MAX) &&
             copy_field(&m->title, a->title ?: "", ALERT_FIELD_MAX) &&
             copy_field(&m->severity, a->severity ?: "medium", ALERT_FIELD_MAX) &&
             copy_field(&m->status, a->status ?: "", ALERT_FIELD_MAX) &&
             copy_field(&m->previous, a->previous, ALERT_FIELD_MAX) &&
             copy_field(&m->why, a->why ?: "", ALERT_WHY_MAX) &&
             copy_field(&m->hostname, a->hostname ?: "", ALERT_FIELD_MAX);
        if (ok && a->result) {
                m->result = json_deep_copy(a->result);
                ok = m->result != NULL;
        }
        if (!ok) {
                alert_msg_unref(m);
                return NULL;
        }
        return m;
}

struct alert_msg *alert_msg_ref(struct alert_msg *m) {
        m->ref++;
        return m;
}

void alert_msg_unref(struct alert_msg *m) {
        if (!m || --m->ref > 0)
                return;
        free(m->control_id);
        free(m->title);
        free(m->severity);
        free(m->status);
        free(m->previous);
        free(m->why);
        free(m->hostname);
        json_decref(m->result);
        free(m);
}

/* "Control ssh-mfa-enforced drifted: pass -> fail: why" and the like; the
 * reason is left out when empty. malloc'ed, NULL on OOM. */
char *alert_sentence(const struct alert_msg *m) {
        const char *prev = m->previous ?: "none", *sep = *m->why ? ": " : "";

        switch (m->kind) {
        case ALERT_RECOVERY:
                return strdup_printf("Control %s recovered: %s -> %s%s%s", m->control_id, prev,
                                     m->status, sep, m->why);
        case ALERT_REMINDER:
                return strdup_printf("Control %s is still failing: %s%s%s", m->control_id,
                                     m->status, sep, m->why);
        case ALERT_DRIFT:
        default:
                return strdup_printf("Control %s drifted: %s -> %s%s%s", m->control_id, prev,
                                     m->status, sep, m->why);
        }
}

uint64_t alerts_retry_delay_usec(const struct alerts *a, unsigned attempt,
                                 uint64_t retry_after_usec) {
        uint64_t d;

        if (retry_after_usec)
                d = retry_after_clamp_usec(retry_after_usec);
        else
                d = backoff_full_jitter_usec(attempt > 0 ? attempt - 1 : 0, ALERT_BACKOFF_BASE_USEC,
                                             ALERT_BACKOFF_CAP_USEC, http_random_u64());
        return (uint64_t) ((double) d * a->backoff_scale);
}

/* The oldest queued alert that is not in flight is dropped to make room. */
static void queue_drop_oldest(struct alert_sink *s) {
        size_t victim = s->busy ? 1 : 0;
        struct alert_msg *m = s->queue[(s->head + victim) % ALERT_QUEUE_MAX];

        log_full_errno(s->overflowing ? LOG_DEBUG : LOG_WARNING, 0,
                       "Alert sink %s: queue full (%d alerts), dropping the oldest (control %s).",
                       s->ops->name, ALERT_QUEUE_MAX, m->control_id);
        s->overflowing = true;
        for (size_t i = victim; i + 1 < s->len; i++)
                s->queue[(s->head + i) % ALERT_QUEUE_MAX] =
                        s->queue[(s->head + i + 1) % ALERT_QUEUE_MAX];
        s->len--;
        alert_msg_unref(m);
        s->owner->stats.dropped++;
        if (victim == 0)
                s->attempt = 0; /* the new head has not been tried yet */
}

static struct alert_msg *queue_pop(struct alert_sink *s) {
        struct alert_msg *m = s->queue[s->head];

        s->queue[s->head] = NULL;
        s->head = (s->head + 1) % ALERT_QUEUE_MAX;
        s->len--;
        return m;
}

static void sink_kick(struct alert_sink *s);

static int on_retry(sd_event_source *src, uint64_t usec, void *userdata) {
        struct alert_sink *s = userdata;

        s->retry_timer = sd_event_source_disable_unref(s->retry_timer);
        sink_kick(s);
        return 0;
}

/* Starts delivering the head of the queue unless a delivery is in flight or
 * waiting for its retry time. */
static void sink_kick(struct alert_sink *s) {
        int r;

        if (s->busy || s->retry_timer || s->len == 0)
                return;
        s->busy = true;
        r = s->ops->start(s, s->queue[s->head]);
        if (r < 0) {
                char why[128];
                snprintf(why, sizeof(why), "cannot start: %s", strerror(-r));
                alert_sink_done(s, ALERT_RETRY, 0, why);
        }
}

/* Arms the retry of the head after a failed attempt. */
static void sink_schedule_retry(struct alert_sink *s, uint64_t retry_after_usec) {
        uint64_t now, delay = alerts_retry_delay_usec(s->owner, s->attempt, retry_after_usec);
        int r;

        sd_event_now(s->event, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(s->event, &s->retry_timer, CLOCK_MONOTONIC, now + delay,
                              USEC_PER_MSEC, on_retry, s);
        if (r < 0) {
                log_error_errno(r, "Alert sink %s: cannot arm the retry timer, dropping the alert: %m",
                                s->ops->name);
                s->owner->stats.dropped++;
                alert_msg_unref(queue_pop(s));
                s->attempt = 0;
        }
}

void alert_sink_done(struct alert_sink *s, enum alert_outcome o, uint64_t retry_after_usec,
                     const char *why) {
        struct alert_stats *st = &s->owner->stats;
        struct alert_msg *m = s->queue[s->head];

        s->busy = false;
        s->overflowing = false;
        if (o == ALERT_DELIVERED) {
                st->delivered++;
                if (s->failing)
                        log_notice("Alert sink %s: delivering again.", s->ops->name);
                s->failing = false;
                s->attempt = 0;
                alert_msg_unref(queue_pop(s));
        } else {
                st->failed++;
                s->attempt++;
                if (!s->failing || o == ALERT_GIVE_UP)
                        log_warning("Alert sink %s: delivery of the alert for control %s failed%s: %s",
                                    s->ops->name, m->control_id,
                                    o == ALERT_GIVE_UP ? " (not retried)" : ", will retry", why);
                else
                        log_debug("Alert sink %s: attempt %u failed: %s", s->ops->name, s->attempt,
                                  why);
                s->failing = true;
                if (o == ALERT_GIVE_UP || s->attempt >= ALERT_MAX_ATTEMPTS) {
                        if (o != ALERT_GIVE_UP)
                                log_warning("Alert sink %s: giving up on the alert for control %s after %u attempts.",
                                            s->ops->name, m->control_id, s->attempt);
                        st->dropped++;
                        s->attempt = 0;
                        alert_msg_unref(queue_pop(s));
                } else
                        sink_schedule_retry(s, retry_after_usec);
        }
        sink_kick(s);
}

static void sink_enqueue(struct alert_sink *s, struct alert_msg *m) {
        if (s->len == ALERT_QUEUE_MAX)
                queue_drop_oldest(s);
        s->queue[(s->head + s->len) % ALERT_QUEUE_MAX] = alert_msg_ref(m);
        s->len++;
        sink_kick(s);
}

static void sink_free(struct alert_sink *s) {
        if (!s)
                return;
        if (s->busy && s->ops && s->ops->cancel)
                s->ops->cancel(s);
        while (s->len > 0)
                alert_msg_unref(queue_pop(s));
        sd_event_source_disable_unref(s->retry_timer);
        if (s->ops && s->ops->free)
                s->ops->free(s->impl);
        sd_event_unref(s->event);
        free(s);
}

/* Makes a sink with make (alert_webhook_new or alert_command_new) and adds
 * it to a. Returns 0 or the maker's -errno (it logged why). */
static int add_sink(struct alerts *a, int (*make)(struct alert_sink *, const void *),
                    const void *cfg) {
        struct alert_sink *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return log_oom();
        s->owner = a;
        s->event = sd_event_ref(a->event);
        r = make(s, cfg);
        if (r < 0) {
                sink_free(s);
                return r;
        }
        a->sinks[a->n_sinks++] = s;
        return 0;
}

static int make_webhook(struct alert_sink *s, const void *cfg) {
        return alert_webhook_new(s, cfg);
}

static int make_command(struct alert_sink *s, const void *cfg) {
        return alert_command_new(s, cfg);
}

/* COMPLYD_TEST_BACKOFF_SCALE (a number in (0, 1]) shortens every retry delay
 * for tests; anything else means 1. */
static double backoff_scale_from_env(void) {
        const char *e = getenv("COMPLYD_TEST_BACKOFF_SCALE");
        char *end;
        double v;

        if (!e)
                return 1.0;
        v = strtod(e, &end);
        if (*end || !isfinite(v) || v <= 0 || v > 1)
                return 1.0;
        return v;
}

int alerts_new(sd_event *e, const struct config_alerts *cfg, struct alerts **ret) {
        struct alerts *a = calloc(1, sizeof(*a));
        int r = 0;

        if (!a)
                return -ENOMEM;
        a->event = sd_event_ref(e);
        a->journald = cfg->journald;
        a->use_journal = alert_journald_available();
        a->journal_fallback_fd = STDERR_FILENO;
        a->backoff_scale = backoff_scale_from_env();
        if (cfg->webhook.url)
                r = add_sink(a, make_webhook, &cfg->webhook);
        if (r >= 0 && cfg->command.path)
                r = add_sink(a, make_command, &cfg->command);
        if (r < 0) {
                alerts_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

void alerts_fire(struct alerts *a, const struct alert *alert) {
        struct alert_msg *m;

        a->stats.fired++;
        m = alert_msg_new(alert);
        if (!m) {
                log_oom();
                a->stats.dropped += a->n_sinks + a->journald;
                return;
        }
        if (a->journald) {
                if (alert_journald_send(m, a->use_journal, a->journal_fallback_fd) >= 0)
                        a->stats.delivered++;
                else {
                        a->stats.failed++;
                        a->stats.dropped++;
                }
        }
        for (size_t i = 0; i < a->n_sinks; i++)
                sink_enqueue(a->sinks[i], m);
        alert_msg_unref(m);
}

void alerts_get_stats(const struct alerts *a, struct alert_stats *stats) {
        *stats = a->stats;
}

bool alerts_pending(const struct alerts *a) {
        for (size_t i = 0; i < a->n_sinks; i++)
                if (a->sinks[i]->len > 0)
                        return true;
        return false;
}

void alerts_set_journal_fallback(struct alerts *a, int fd) {
        a->use_journal = fd < 0 && alert_journald_available();
        a->journal_fallback_fd = fd < 0 ? STDERR_FILENO : fd;
}

void alerts_free(struct alerts *a) {
        if (!a)
                return;
        for (size_t i = 0; i < a->n_sinks; i++)
                sink_free(a->sinks[i]);
        sd_event_unref(a->event);
        free(a);
}
