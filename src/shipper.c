/* SPDX-License-Identifier: MIT */
/* The evidence shipper: see shipper.h for the delivery rules. */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <zlib.h>

#include "formats.h"
#include "log.h"
#include "shipper.h"
#include "util.h"

/* A batch build reads at most this many records (lifecycle records an
 * output skips included) before it sends what it has. */
#define SCAN_MAX 10000
#define TOKEN_MAX 4096

struct batch {
        char id[37];
        uint64_t first, last;           /* seq range covered (skipped records included) */
        size_t n;                       /* records carried */
        char *body;                     /* what is POSTed (gzipped when asked) */
        size_t len;
};

struct output {
        struct shipper *sh;
        char *name, *url, *token_file, *ca_file, *pinned, *cert, *key, *proxy;
        enum output_format format;
        bool gzip;
        size_t max_records;
        uint64_t max_bytes, timeout_usec;
        char *auth;                     /* "Authorization: ..." or NULL */
        bool reread_token;

        struct spool_cursor *cursor;
        sd_event_source *timer;
        bool waiting;                   /* timer armed (backoff or rate limit) */
        struct http_transfer *xfer;
        struct batch batch;
        bool have_batch;
        struct build *next;             /* the next batch, read while this one is in flight */
        sd_event_source *read_ahead;    /* idle-priority defer that reads it */
        bool reseal;                    /* the sealed batch was split: build anew */
        size_t split_limit;             /* records per batch while seq <= split_until */
        uint64_t split_until;
        unsigned attempt;               /* failures of the current batch */
        uint64_t next_start;            /* rate limit: earliest next POST (monotonic) */
        bool tls_alerted;

        uint64_t batches_acked, records_acked, push_failures, dead_letters;
        long last_status;
};

struct shipper {
        sd_event *event;
        struct spool *spool;
        struct http_client *http;
        char *dead_dir;
        unsigned rate;                  /* batches per second, 0 = unlimited */
        double scale;
        shipper_alert_fn alert;
        void *alert_userdata;
        struct output *outputs;
        size_t n;
};

static void output_step(struct output *o);

/* --- reply handling ---------------------------------------------------------- */

static bool curl_code_is_tls(int code) {
        switch (code) {
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
                return true;
        default:
                return false;
        }
}

/* Copies the printable ASCII of s (at most n bytes) into out. */
static void copy_printable(char *out, size_t size, const char *s, size_t n) {
        size_t j = 0;

        for (size_t i = 0; i < n && s[i] && j + 1 < size; i++)
                out[j++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : ' ';
        out[j] = '\0';
}

/* The server's message: "errorMessage" (OTLP), "message" (google.rpc.Status),
 * "text" (HEC) or "error" from a JSON body, else the body's first line. */
static void reply_message(const json_t *j, const char *body, size_t len, char *out, size_t size) {
        static const char *const keys[] = { "errorMessage", "message", "text", "error" };
        const json_t *ps = json_object_get(j, "partialSuccess");

        if (json_is_string(json_object_get(ps, "errorMessage"))) {
                const char *m = json_string_value(json_object_get(ps, "errorMessage"));
                copy_printable(out, size, m, strlen(m));
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (json_is_string(json_object_get(j, keys[i]))) {
                        const char *m = json_string_value(json_object_get(j, keys[i]));
                        copy_printable(out, size, m, strlen(m));
                        return;
                }
        copy_printable(out, size, body, strcspn(body, "\r\n") < len ? strcspn(body, "\r\n") : len);
}

/* OTLP partialSuccess.rejectedLogRecords: an int64 as a string (or a number). */
static uint64_t otlp_rejected(const json_t *j) {
        const json_t *v = json_object_get(json_object_get(j, "partialSuccess"), "rejectedLogRecords");
        const char *s = json_string_value(v);
        char *end;
        unsigned long long n;

        if (json_is_integer(v))
                return json_integer_value(v) > 0 ? (uint64_t) json_integer_value(v) : 0;
        if (!s || !isdigit((unsigned char) s[0]))
                return 0;
        errno = 0;
        n = strtoull(s, &end, 10);
        return errno || *end ? 0 : n;
}

void shipper_classify(enum output_format f, const struct http_response *resp, struct ship_reply *out) {
        _cleanup_json_ json_t *j = NULL;
        const char *body = resp->body ?: "";
        size_t len = resp->body ? resp->body_len : 0;
        long s = resp->status;
        json_error_t err;

        *out = (struct ship_reply) { .retry_after_usec = retry_after_clamp_usec(resp->retry_after_usec) };
        if (s <= 0) {
                out->verdict = curl_code_is_tls(resp->curl_code) ? SHIP_TLS : SHIP_RETRY;
                copy_printable(out->message, sizeof(out->message), resp->error ?: "no response",
                               strlen(resp->error ?: "no response"));
                return;
        }
        if (len > 0 && len <= HTTP_RESPONSE_MAX)
                j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
        reply_message(j, body, len, out->message, sizeof(out->message));
        if (s >= 200 && s <= 299) {
                out->verdict = SHIP_ACK;
                if (f == OUTPUT_OTLP && json_is_object(json_object_get(j, "partialSuccess"))) {
                        out->partial_success = true;
                        out->rejected_records = otlp_rejected(j);
                }
        } else if (s == 413)
                out->verdict = SHIP_SPLIT;
        else if (s >= 400 && s <= 499 && !http_status_retryable(s)) {
                out->verdict = SHIP_DEAD_LETTER;
                out->credentials_rejected = s == 401 || s == 403;
        } else
                out->verdict = SHIP_RETRY; /* 408, 429, 5xx, and 1xx/3xx (no redirects followed) */
}

void shipper_uuid4(char buf[37]) {
        uint64_t hi = http_random_u64(), lo = http_random_u64();

        hi = (hi & ~0xf000ULL) | 0x4000ULL;                       /* version 4 */
        lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; /* variant 10 */
        snprintf(buf, 37, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                 hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t) 0xffffffffffffULL);
}

/* --- alerts and small helpers ------------------------------------------------- */

static void raise_alert(struct output *o, const char *fmt, ...) _printf_(2, 3);
static void raise_alert(struct output *o, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        log_error("output %s: %s", o->name, msg ?: fmt);
        if (o->sh->alert)
                o->sh->alert(o->name, msg ?: fmt, o->sh->alert_userdata);
}

/* The token file's content without surrounding whitespace. Logs and
 * returns -errno. */
static int read_token(const struct output *o, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t len, start = 0;
        int r;

        r = read_full_file(o->token_file, TOKEN_MAX, &buf, &len);
        if (r < 0)
                return log_error_errno(r, "output %s: cannot read token_file %s: %m", o->name, o->token_file);
        while (len > 0 && isspace((unsigned char) buf[len - 1]))
                buf[--len] = '\0';
        while (start < len && isspace((unsigned char) buf[start]))
                start++;
        if (start == len || strpbrk(buf + start, " \t\r\n"))
                return log_error_errno(EINVAL, "output %s: token_file %s must hold exactly one token.",
                                       o->name, o->token_file);
        *ret = strdup_printf("Authorization: %s %s", o->format == OUTPUT_SPLUNK_HEC ? "Splunk" : "Bearer",
                             buf + start);
        return *ret ? 0 : log_oom();
}

/* gzip (RFC 1952) of data; returns 0 and a malloc'ed buffer, or -ENOMEM/-EIO. */
static int gzip_buffer(const char *data, size_t len, char **ret, size_t *ret_len) {
        z_stream z = { 0 };
        _cleanup_free_ char *out = NULL;
        uLong bound;

        if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return -ENOMEM;
        bound = deflateBound(&z, len) + 32;
        out = malloc(bound);
        if (!out) {
                deflateEnd(&z);
                return -ENOMEM;
        }
        z.next_in = (Bytef *) data;
        z.avail_in = len;
        z.next_out = (Bytef *) out;
        z.avail_out = bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
                deflateEnd(&z);
                return -EIO;
        }
        *ret_len = z.total_out;
        deflateEnd(&z);
        *ret = TAKE_PTR(out);
        return 0;
}

static void batch_clear(struct output *o) {
        free(o->batch.body);
        o->batch = (struct batch) { 0 };
        o->have_batch = false;
}

/* Arms the output's timer delay_usec from now, and no earlier than the rate
 * limit allows unless ignore_rate. */
static void output_schedule(struct output *o, uint64_t delay_usec, bool ignore_rate) {
        uint64_t now, at;

        sd_event_now(o->sh->event, CLOCK_MONOTONIC, &now);
        at = now + delay_usec;
        if (!ignore_rate && at < o->next_start)
                at = o->next_start;
        if (sd_event_source_set_time(o->timer, at) < 0 ||
            sd_event_source_set_enabled(o->timer, SD_EVENT_ONESHOT) < 0) {
                log_error("output %s: cannot arm its timer; delivery stalls until the next kick.", o->name);
                return;
        }
        o->waiting = true;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct output *o = userdata;

        o->waiting = false;
        output_step(o);
        return 0;
}

/* --- building a batch ---------------------------------------------------------- */

struct build {
        struct output *o;
        struct format_body fb;
        uint64_t after;                 /* read from after this seq */
        uint64_t first, last;
        uint64_t stop_after;            /* resend: the sealed range's end (0 = none) */
        size_t limit;                   /* records carried, 0 = none (resend) */
        size_t scanned;
        bool stopped;                   /* on_record ended the batch (full, too big, error) */
        int error;
};

static void build_free(struct build *b) {
        if (!b)
                return;
        format_body_reset(&b->fb);
        free(b);
}

static int on_record(const struct spool_record *rec, void *userdata) {
        struct build *b = userdata;
        int r;

        if (b->stop_after && rec->seq > b->stop_after)
                return 1;
        r = format_body_add(&b->fb, rec->text, rec->len, b->limit ? b->o->max_bytes : 0);
        if (r == -E2BIG) {
                b->stopped = true;
                return 1;
        }
        if (r < 0) {
                b->error = r;
                b->stopped = true;
                return 1;
        }
        if (b->first == 0)
                b->first = rec->seq;
        b->last = rec->seq;
        b->scanned++;
        if (b->limit && (b->fb.n_records >= b->limit || b->scanned >= SCAN_MAX)) {
                b->stopped = true;
                return 1;
        }
        return 0;
}

/* Reads the records of the next batch into b: the sealed range again when
 * the cursor holds one (and it was not split), else what follows the
 * cursor within the limits. Returns 0 or -errno. */
static int batch_read(struct output *o, struct build *b) {
        struct spool_cursor *c = o->cursor;
        uint64_t after = c->acked_seq;
        int r;

        b->limit = o->max_records;
        if (o->split_limit && c->acked_seq < o->split_until && o->split_limit < b->limit)
                b->limit = o->split_limit;
        if (c->batch_id[0] && !o->reseal) {
                after = c->batch_first > 0 ? c->batch_first - 1 : 0;
                if (after < c->acked_seq)
                        after = c->acked_seq;
                b->stop_after = c->batch_last;
                b->limit = 0;
        }
        b->after = after;
        r = spool_read(o->sh->spool, after, 0, on_record, b);
        if (r < 0)
                return r;
        return b->error;
}

/* --- reading the next batch ahead ----------------------------------------------
 *
 * While a batch is in flight the shipper would otherwise only wait for the
 * collector; the records that follow it are read and converted then, at idle
 * priority (after every curl socket event), into o->next. Nothing is sealed
 * or acknowledged ahead: batch_make() takes o->next only when the cursor
 * stands exactly where it was read from (the batch in flight acknowledged,
 * no resend, no split), reads on where the read-ahead met the end of the
 * spool, and seals as it always did. The batch is the one it would have
 * read then, record for record. */

static int on_first_record(const struct spool_record *rec, void *userdata) {
        *(uint64_t *) userdata = rec->seq;
        return 1;
}

/* Reads the batch after the one in flight into o->next. */
static int on_read_ahead(sd_event_source *s, void *userdata) {
        struct output *o = userdata;
        struct build *b;

        if (!o->xfer || !o->have_batch || o->next || o->reseal || o->split_limit ||
            o->cursor->batch_last != o->batch.last)
                return 0;
        b = calloc(1, sizeof(*b));
        if (!b)
                return 0; /* batch_make() reads it then */
        *b = (struct build) { .o = o, .after = o->batch.last, .limit = o->max_records };
        format_body_init(&b->fb, o->format);
        if (spool_read(o->sh->spool, b->after, 0, on_record, b) < 0 || b->error < 0 || b->first == 0) {
                build_free(b);
                return 0;
        }
        o->next = b;
        return 0;
}

/* The read-ahead batch when the cursor stands where it was read from and
 * its first record is still in the spool (not evicted meanwhile), read on
 * to the limits; NULL otherwise (it is dropped). */
static struct build *read_ahead_take(struct output *o) {
        struct build *b = TAKE_PTR(o->next);
        struct spool_cursor *c = o->cursor;
        uint64_t first = 0;

        if (!b)
                return NULL;
        if (c->batch_id[0] || o->reseal || o->split_limit || c->acked_seq != b->after ||
            spool_read(o->sh->spool, b->after, 1, on_first_record, &first) < 0 || first != b->first) {
                build_free(b);
                return NULL;
        }
        if (!b->stopped && spool_read(o->sh->spool, b->last, 0, on_record, b) < 0) {
                build_free(b);
                return NULL;
        }
        if (b->error < 0) {
                build_free(b);
                return NULL;
        }
        return b;
}

/* Seals and encodes the batch read into b: id (reused for a resend),
 * cursor persisted, body gzipped when asked. Returns 0 or -errno. */
static int batch_seal(struct output *o, struct build *b) {
        struct spool_cursor *c = o->cursor;
        const char *body;
        size_t len;
        int r;

        if (c->batch_id[0] && !o->reseal)
                snprintf(o->batch.id, sizeof(o->batch.id), "%s", c->batch_id);
        else {
                shipper_uuid4(o->batch.id);
                r = spool_cursor_seal(o->sh->spool, c, o->batch.id, b->first, b->last);
                if (r < 0)
                        return r;
                o->reseal = false;
        }
        o->batch.first = b->first;
        o->batch.last = b->last;
        o->batch.n = b->fb.n_records;
        r = format_body_finish(&b->fb, &body, &len);
        if (r < 0)
                return r;
        if (o->gzip)
                return gzip_buffer(body, len, &o->batch.body, &o->batch.len);
        o->batch.body = malloc(len + 1);
        if (!o->batch.body)
                return -ENOMEM;
        memcpy(o->batch.body, body, len + 1);
        o->batch.len = len;
        return 0;
}

/* Makes the next batch. Returns 1 when one is ready to send, 0 when there
 * is nothing to send (caught up, or a range the format skips entirely was
 * acknowledged: *more says whether to look again), -errno. */
static int batch_make(struct output *o, bool *more) {
        struct build b = { .o = o }, *ahead = read_ahead_take(o);
        int r = 0;

        *more = false;
        if (ahead) {
                b = *ahead;
                free(ahead);
        } else {
                format_body_init(&b.fb, o->format);
                r = batch_read(o, &b);
        }
        if (r < 0)
                goto out;
        if (b.first == 0) {
                r = 0;
                goto out;
        }
        if (b.fb.bad)
                log_warning("output %s: %zu record(s) in seq %" PRIu64 "-%" PRIu64
                            " could not be converted to %s and are skipped.",
                            o->name, b.fb.bad, b.first, b.last, format_name(o->format));
        if (b.fb.n_records == 0) {
                /* only records this format does not carry: move past them */
                r = spool_cursor_ack(o->sh->spool, o->cursor, b.last);
                *more = r >= 0;
                o->reseal = false;
                goto out;
        }
        r = batch_seal(o, &b);
        if (r >= 0) {
                o->have_batch = true;
                r = 1;
        } else
                batch_clear(o);
out:
        format_body_reset(&b.fb);
        return r;
}

/* --- sending -------------------------------------------------------------------- */

static void on_done(struct http_transfer *t, const struct http_response *resp, void *userdata);

/* POSTs the current batch. Returns 0 or -errno (logged). */
static int batch_post(struct output *o) {
        char idem[64], range[96], ctype[64], ua[64];
        const char *headers[8];
        size_t n = 0;
        uint64_t now;
        int r;

        if (o->reread_token && o->token_file) {
                _cleanup_free_ char *auth = NULL;
                if (read_token(o, &auth) >= 0) {
                        free(o->auth);
                        o->auth = TAKE_PTR(auth);
                }
                o->reread_token = false;
        }
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", format_content_type(o->format));
        snprintf(idem, sizeof(idem), "Idempotency-Key: %s", o->batch.id);
        snprintf(range, sizeof(range), "X-Complyd-Seq-Range: %" PRIu64 "-%" PRIu64, o->batch.first,
                 o->batch.last);
        snprintf(ua, sizeof(ua), "User-Agent: complyd/%s", COMPLYD_VERSION);
        headers[n++] = ctype;
        if (o->gzip)
                headers[n++] = "Content-Encoding: gzip";
        if (o->auth)
                headers[n++] = o->auth;
        headers[n++] = idem;
        headers[n++] = range;
        headers[n++] = ua;
        headers[n] = NULL;
        struct http_request req = {
                .url = o->url, .headers = headers, .body = o->batch.body, .body_len = o->batch.len,
                .ca_file = o->ca_file, .pinned_pubkey = o->pinned, .client_cert = o->cert,
                .client_key = o->key, .proxy = o->proxy, .timeout_usec = o->timeout_usec,
        };
        r = http_client_post(o->sh->http, &req, on_done, o, &o->xfer);
        if (r < 0)
                return log_error_errno(r, "output %s: cannot start a request to %s: %m", o->name, o->url);
        sd_event_now(o->sh->event, CLOCK_MONOTONIC, &now);
        o->next_start = o->sh->rate ? now + USEC_PER_SEC / o->sh->rate : 0;
        if (o->read_ahead)
                sd_event_source_set_enabled(o->read_ahead, SD_EVENT_ONESHOT);
        return 0;
}

/* One step of the loop: make a batch if none is pending, then send it. */
static void output_step(struct output *o) {
        bool more;
        int r;

        if (o->xfer || o->waiting)
                return;
        if (!o->have_batch) {
                r = batch_make(o, &more);
                if (r < 0) {
                        log_error_errno(r, "output %s: cannot build a batch: %m", o->name);
                        output_schedule(o, SHIPPER_BACKOFF_BASE_USEC, false);
                        return;
                }
                if (r == 0) {
                        if (more)
                                output_schedule(o, 0, true);
                        return; /* caught up: wait for a kick */
                }
        }
        if (batch_post(o) < 0)
                output_schedule(o, SHIPPER_BACKOFF_CAP_USEC / 10, false);
}

/* --- outcomes ----------------------------------------------------------------------- */

static void on_ack(struct output *o, const struct ship_reply *rep) {
        int r;

        if (rep->partial_success && (rep->rejected_records > 0 || rep->message[0]))
                log_warning("output %s: partial success for batch %s: %" PRIu64 " record(s) rejected: %s",
                            o->name, o->batch.id, rep->rejected_records, rep->message);
        r = spool_cursor_ack(o->sh->spool, o->cursor, o->batch.last);
        if (r < 0) {
                /* the batch stays sealed: it is resent with its id */
                log_error_errno(r, "output %s: cannot persist the acknowledgement of batch %s: %m", o->name,
                                o->batch.id);
                batch_clear(o);
                output_schedule(o, SHIPPER_BACKOFF_BASE_USEC, false);
                return;
        }
        o->batches_acked++;
        o->records_acked += o->batch.n;
        if (o->split_limit && o->cursor->acked_seq >= o->split_until)
                o->split_limit = 0;
        if (o->tls_alerted)
                log_info("output %s: delivering again.", o->name);
        o->tls_alerted = false;
        o->attempt = 0;
        batch_clear(o);
        output_schedule(o, 0, false);
}

static void on_retry(struct output *o, const struct ship_reply *rep, long status) {
        uint64_t delay = rep->retry_after_usec;
        char d[32];

        if (!delay)
                delay = (uint64_t) ((double) backoff_full_jitter_usec(o->attempt, SHIPPER_BACKOFF_BASE_USEC,
                                                                      SHIPPER_BACKOFF_CAP_USEC,
                                                                      http_random_u64()) *
                                    o->sh->scale);
        if (rep->verdict == SHIP_TLS && !o->tls_alerted) {
                raise_alert(o, "TLS verification failed, nothing sent to %s: %s", o->url, rep->message);
                o->tls_alerted = true;
        } else if (o->attempt == 0) {
                char what[32] = "";
                if (status > 0)
                        snprintf(what, sizeof(what), "HTTP %ld: ", status);
                log_warning("output %s: %s%s; retrying batch %s in %s", o->name, what, rep->message,
                            o->batch.id,
                            format_duration(delay - delay % USEC_PER_MSEC ?: USEC_PER_MSEC, d, sizeof(d)));
        }
        o->attempt++;
        output_schedule(o, delay, true);
}

/* Appends each record of [first, last] the output's format carries, as
 * stored, one per line. */
struct dead_buf {
        enum output_format format;
        uint64_t last;
        char *data;
        size_t len, cap;
        int error;
};

static int on_dead_record(const struct spool_record *rec, void *userdata) {
        struct dead_buf *d = userdata;
        _cleanup_json_ json_t *j = NULL;

        if (rec->seq > d->last)
                return 1;
        if (d->format != OUTPUT_NATIVE) {
                j = json_loadb(rec->text, rec->len, 0, NULL);
                if (!format_carries_type(d->format, json_string_value(json_object_get(j, "type"))))
                        return 0;
        }
        if (d->len + rec->len + 2 > d->cap) {
                size_t ncap = (d->cap ?: 4096) * 2 + rec->len;
                char *p = realloc(d->data, ncap);
                if (!p) {
                        d->error = -ENOMEM;
                        return 1;
                }
                d->data = p;
                d->cap = ncap;
        }
        memcpy(d->data + d->len, rec->text, rec->len);
        d->len += rec->len;
        d->data[d->len++] = '\n';
        return 0;
}

/* Writes the batch's records to dead-letter/<output>-<batch id>.ndjson.
 * Returns 0 and the path, or -errno (logged). */
static int dead_letter_write(struct output *o, char **ret_path) {
        struct dead_buf d = { .format = o->format, .last = o->batch.last };
        _cleanup_free_ char *path = NULL, *safe = strdup(o->name);
        int r;

        if (!safe)
                return log_oom();
        for (char *p = safe; *p; p++)
                if (*p == '/' || (p == safe && *p == '.'))
                        *p = '_';
        if (mkdir(o->sh->dead_dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "output %s: cannot create %s: %m", o->name, o->sh->dead_dir);
        path = strdup_printf("%s/%s-%s.ndjson", o->sh->dead_dir, safe, o->batch.id);
        if (!path)
                return log_oom();
        r = spool_read(o->sh->spool, o->batch.first - 1, 0, on_dead_record, &d);
        if (r >= 0)
                r = d.error;
        if (r >= 0)
                r = write_file_atomic(path, d.data ?: "", d.len, 0600);
        free(d.data);
        if (r < 0)
                return log_error_errno(r, "output %s: cannot write dead letter %s: %m", o->name, path);
        *ret_path = TAKE_PTR(path);
        return 0;
}

static void on_dead_letter(struct output *o, const struct ship_reply *rep, long status) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (dead_letter_write(o, &path) < 0) {
                /* never drop what was not set aside: try again later */
                o->attempt++;
                output_schedule(o, SHIPPER_BACKOFF_CAP_USEC / 10, true);
                return;
        }
        o->dead_letters++;
        raise_alert(o, "%sbatch %s (seq %" PRIu64 "-%" PRIu64 ", %zu records) rejected with HTTP %ld%s%s; moved to %s",
                    rep->credentials_rejected ? "credentials rejected: " : "", o->batch.id, o->batch.first,
                    o->batch.last, o->batch.n, status, rep->message[0] ? ": " : "", rep->message, path);
        if (rep->credentials_rejected)
                o->reread_token = true;
        r = spool_cursor_ack(o->sh->spool, o->cursor, o->batch.last);
        if (r < 0)
                log_error_errno(r, "output %s: cannot move the cursor past batch %s: %m", o->name, o->batch.id);
        o->attempt = 0;
        batch_clear(o);
        output_schedule(o, r < 0 ? SHIPPER_BACKOFF_BASE_USEC : 0, false);
}

static void on_split(struct output *o, const struct ship_reply *rep) {
        if (o->batch.n <= 1) {
                on_dead_letter(o, rep, 413);
                return;
        }
        log_warning("output %s: batch %s of %zu records too large (HTTP 413); splitting it.", o->name,
                    o->batch.id, o->batch.n);
        o->split_limit = o->batch.n / 2;
        o->split_until = o->batch.last;
        o->reseal = true;
        o->attempt = 0;
        batch_clear(o);
        output_schedule(o, 0, false);
}

static void on_done(struct http_transfer *t, const struct http_response *resp, void *userdata) {
        struct output *o = userdata;
        struct ship_reply rep;

        o->xfer = NULL;
        o->last_status = resp->status;
        shipper_classify(o->format, resp, &rep);
        if (rep.verdict != SHIP_ACK)
                o->push_failures++;
        switch (rep.verdict) {
        case SHIP_ACK:
                on_ack(o, &rep);
                break;
        case SHIP_RETRY:
        case SHIP_TLS:
                on_retry(o, &rep, resp->status);
                break;
        case SHIP_SPLIT:
                on_split(o, &rep);
                break;
        case SHIP_DEAD_LETTER:
                on_dead_letter(o, &rep, resp->status);
                break;
        }
}

/* --- setup ------------------------------------------------------------------------- */

/* url, with the format's default path when it has none. NULL on OOM. */
static char *output_url(const struct config_output *c) {
        const char *def = format_default_path(c->format), *host = strstr(c->url, "://");
        const char *slash = host ? strchr(host + 3, '/') : NULL;

        if (!def || (slash && slash[1]))
                return strdup(c->url);
        return strdup_printf("%.*s%s", slash ? (int) (slash - c->url) : (int) strlen(c->url), c->url, def);
}

static int dup_opt(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return s && !*ret ? -ENOMEM : 0;
}

static int output_init(struct shipper *sh, struct output *o, const struct config_output *c) {
        int r = 0;

        o->sh = sh;
        o->format = c->format;
        o->gzip = c->gzip;
        o->max_records = c->batch_max_records ?: 500;
        o->max_bytes = c->batch_max_bytes ?: 1024 * 1024;
        o->timeout_usec = c->timeout_usec;
        o->url = output_url(c);
        if (!o->url)
                return log_oom();
        r |= dup_opt(c->name, &o->name);
        r |= dup_opt(c->token_file, &o->token_file);
        r |= dup_opt(c->ca_file, &o->ca_file);
        r |= dup_opt(c->pinned_pubkey, &o->pinned);
        r |= dup_opt(c->client_cert, &o->cert);
        r |= dup_opt(c->client_key, &o->key);
        r |= dup_opt(c->proxy, &o->proxy);
        if (r < 0 || !o->name)
                return log_oom();
        if (strncasecmp(o->url, "https://", 8) != 0)
                return log_error_errno(EINVAL, "output %s: url %s is not https://", o->name, o->url);
        if (o->token_file) {
                r = read_token(o, &o->auth);
                if (r < 0)
                        return r;
        }
        r = spool_cursor_get(sh->spool, o->name, &o->cursor);
        if (r < 0)
                return log_error_errno(r, "output %s: cannot load its cursor: %m", o->name);
        r = sd_event_add_time(sh->event, &o->timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_timer, o);
        if (r < 0)
                return log_error_errno(r, "output %s: cannot add a timer: %m", o->name);
        sd_event_source_set_enabled(o->timer, SD_EVENT_OFF);
        /* without it every batch is simply read when it is due */
        if (sd_event_add_defer(sh->event, &o->read_ahead, on_read_ahead, o) >= 0 &&
            (sd_event_source_set_priority(o->read_ahead, SD_EVENT_PRIORITY_IDLE) < 0 ||
             sd_event_source_set_enabled(o->read_ahead, SD_EVENT_OFF) < 0))
                o->read_ahead = sd_event_source_disable_unref(o->read_ahead);
        return 0;
}

/* COMPLYD_TEST_BACKOFF_SCALE, a number in (0, 1]; 1 otherwise. */
static double scale_from(double opt) {
        const char *e = getenv("COMPLYD_TEST_BACKOFF_SCALE");
        char *end;
        double v;

        if (opt > 0 && opt <= 1)
                return opt;
        if (!e)
                return 1;
        v = strtod(e, &end);
        return *end || !(v > 0 && v <= 1) ? 1 : v;
}

int shipper_new(sd_event *e, struct spool *sp, const struct config_output *outputs, size_t n,
                const struct shipper_options *opt, struct shipper **ret) {
        struct shipper *sh;
        int r;

        sh = calloc(1, sizeof(*sh));
        if (!sh)
                return log_oom();
        sh->event = sd_event_ref(e);
        sh->spool = sp;
        sh->rate = opt->unlimited_rate ? 0 : opt->max_batches_per_sec ?: SHIPPER_DEFAULT_BATCHES_PER_SEC;
        sh->scale = scale_from(opt->backoff_scale);
        sh->alert = opt->alert;
        sh->alert_userdata = opt->alert_userdata;
        sh->dead_dir = strdup_printf("%s/dead-letter", opt->state_dir ?: ".");
        sh->outputs = calloc(n ?: 1, sizeof(*sh->outputs));
        if (!sh->dead_dir || !sh->outputs) {
                shipper_free(sh);
                return log_oom();
        }
        r = http_client_new(e, &sh->http);
        if (r < 0) {
                shipper_free(sh);
                return log_error_errno(r, "Cannot set up the HTTPS client: %m");
        }
        for (size_t i = 0; i < n; i++) {
                sh->n = i + 1;
                r = output_init(sh, &sh->outputs[i], &outputs[i]);
                if (r < 0) {
                        shipper_free(sh);
                        return r;
                }
        }
        *ret = sh;
        shipper_kick(sh);
        return 0;
}

void shipper_kick(struct shipper *sh) {
        for (size_t i = 0; i < sh->n; i++) {
                struct output *o = &sh->outputs[i];
                if (!o->xfer && !o->waiting)
                        output_schedule(o, 0, false);
        }
}

size_t shipper_n_outputs(const struct shipper *sh) {
        return sh->n;
}

void shipper_get_stats(const struct shipper *sh, size_t i, struct shipper_output_stats *st) {
        const struct output *o = &sh->outputs[i];
        uint64_t durable = spool_durable_seq(sh->spool), acked = o->cursor ? o->cursor->acked_seq : 0;

        *st = (struct shipper_output_stats) {
                .name = o->name,
                .acked_seq = acked,
                .backlog = durable > acked ? durable - acked : 0,
                .batches_acked = o->batches_acked,
                .records_acked = o->records_acked,
                .push_failures = o->push_failures,
                .dead_letters = o->dead_letters,
                .last_status = o->last_status,
                .in_flight = o->xfer != NULL,
        };
}

uint64_t shipper_push_failures_total(const struct shipper *sh) {
        uint64_t n = 0;

        for (size_t i = 0; i < sh->n; i++)
                n += sh->outputs[i].push_failures;
        return n;
}

bool shipper_idle(const struct shipper *sh) {
        uint64_t durable = spool_durable_seq(sh->spool);

        for (size_t i = 0; i < sh->n; i++) {
                const struct output *o = &sh->outputs[i];
                if (o->xfer || o->have_batch || !o->cursor || o->cursor->acked_seq < durable)
                        return false;
        }
        return true;
}

static void output_done(struct output *o) {
        http_transfer_cancel(o->xfer);
        sd_event_source_disable_unref(o->timer);
        sd_event_source_disable_unref(o->read_ahead);
        build_free(TAKE_PTR(o->next));
        batch_clear(o);
        free(o->name);
        free(o->url);
        free(o->token_file);
        free(o->ca_file);
        free(o->pinned);
        free(o->cert);
        free(o->key);
        free(o->proxy);
        free(o->auth);
}

void shipper_free(struct shipper *sh) {
        if (!sh)
                return;
        for (size_t i = 0; i < sh->n; i++)
                output_done(&sh->outputs[i]);
        http_client_free(sh->http);
        free(sh->outputs);
        free(sh->dead_dir);
        sd_event_unref(sh->event);
        free(sh);
}
