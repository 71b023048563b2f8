/* SPDX-License-Identifier: MIT */
/* The webhook sink: an HTTPS POST of a JSON body per alert (complyd's own
 * object, or Slack's {"text": ...}), with a bearer token read from a file at
 * setup. Delivered through http_client on the event loop; alerts.c does the
 * queueing and the retries. */
#include <ctype.h>
#include <strings.h>

#include "alert_sink.h"
#include "http_client.h"
#include "log.h"
#include "util.h"

#define TOKEN_MAX 4096
#define REASON_MAX 200

struct webhook {
        struct alert_sink *sink;
        struct http_client *http;
        struct http_transfer *transfer;  /* in flight, or NULL */
        char *url, *ca_file;
        enum webhook_format format;
        uint64_t timeout_usec;
        char *headers[4];                /* NULL-terminated "Name: value" */
};

/* "[HIGH] web-01: Control ssh-mfa-enforced (SSH requires MFA) drifted:
 * pass -> fail: why" — one line a human reads in a chat channel. */
static char *slack_text(const struct alert_msg *m) {
        _cleanup_free_ char *sentence = alert_sentence(m), *sev = strdup(m->severity);
        size_t skip = strlen("Control ") + strlen(m->control_id);

        if (!sentence || !sev)
                return NULL;
        for (char *p = sev; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        if (*m->title)
                return strdup_printf("[%s] %s: Control %s (%s)%s", sev, m->hostname, m->control_id,
                                     m->title, sentence + skip);
        return strdup_printf("[%s] %s: %s", sev, m->hostname, sentence);
}

json_t *alert_webhook_payload(const struct alert_msg *m, enum webhook_format f) {
        char when[40];

        if (f == WEBHOOK_SLACK) {
                _cleanup_free_ char *text = slack_text(m);
                return text ? json_pack("{s:s}", "text", text) : NULL;
        }
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:O?}",
                         "kind", alert_kind_to_string(m->kind), "control", m->control_id,
                         "title", m->title, "severity", m->severity, "status", m->status,
                         "previous", m->previous, "why", m->why, "host", m->hostname,
                         "time", alert_format_time(m->time_usec, when, sizeof(when)),
                         "result", m->result);
}

/* The token file's content without surrounding whitespace. Logs and returns
 * -errno when it cannot be read, is empty or holds whitespace inside. */
static int read_token(const char *path, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        char *s, *e;
        int r;

        r = read_full_file(path, TOKEN_MAX, &buf, &len);
        if (r < 0)
                return log_error_errno(r, "alerts.webhook: cannot read token_file %s: %m", path);
        for (s = buf; *s && isspace((unsigned char) *s); s++)
                ;
        for (e = s + strlen(s); e > s && isspace((unsigned char) e[-1]); e--)
                ;
        *e = '\0';
        if (!*s)
                return log_error_errno(EINVAL, "alerts.webhook: token_file %s is empty.", path);
        for (char *p = s; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return log_error_errno(EINVAL,
                                               "alerts.webhook: token_file %s holds more than one token.",
                                               path);
        *ret = strdup(s);
        return *ret ? 0 : log_oom();
}

/* Sorts a finished POST into delivered, retry or give up. */
static void on_done(struct http_transfer *t, const struct http_response *resp, void *userdata) {
        struct webhook *w = userdata;
        char why[REASON_MAX + 64];
        size_t n;

        w->transfer = NULL;
        if (resp->curl_code != 0) {
                alert_sink_done(w->sink, ALERT_RETRY, 0, resp->error);
                return;
        }
        if (resp->status >= 200 && resp->status <= 299) {
                alert_sink_done(w->sink, ALERT_DELIVERED, 0, "");
                return;
        }
        n = strcspn(resp->body, "\r\n");
        if (n > REASON_MAX)
                n = REASON_MAX;
        snprintf(why, sizeof(why), "%sHTTP %ld%s%.*s",
                 resp->status == 401 || resp->status == 403 ? "credentials rejected, " : "",
                 resp->status, n ? ": " : "", (int) n, resp->body);
        if (http_status_retryable(resp->status))
                alert_sink_done(w->sink, ALERT_RETRY, resp->retry_after_usec, why);
        else
                alert_sink_done(w->sink, ALERT_GIVE_UP, 0, why);
}

static int webhook_start(struct alert_sink *s, struct alert_msg *m) {
        struct webhook *w = s->impl;
        _cleanup_json_ json_t *payload = alert_webhook_payload(m, w->format);
        _cleanup_free_ char *body = NULL;
        struct http_request req = {
                .url = w->url,
                .headers = (const char *const *) w->headers,
                .ca_file = w->ca_file,
                .timeout_usec = w->timeout_usec,
        };

        if (!payload || !(body = json_dumps(payload, JSON_COMPACT)))
                return -ENOMEM;
        req.body = body;
        req.body_len = strlen(body);
        return http_client_post(w->http, &req, on_done, w, &w->transfer);
}

static void webhook_cancel(struct alert_sink *s) {
        struct webhook *w = s->impl;

        http_transfer_cancel(w->transfer);
        w->transfer = NULL;
}

static void webhook_free(void *impl) {
        struct webhook *w = impl;

        if (!w)
                return;
        http_client_free(w->http);
        free(w->url);
        free(w->ca_file);
        for (size_t i = 0; i < ELEMENTSOF(w->headers); i++)
                free(w->headers[i]);
        free(w);
}

static const struct alert_sink_ops webhook_ops = {
        .name = "webhook",
        .start = webhook_start,
        .cancel = webhook_cancel,
        .free = webhook_free,
};

/* Fills w from cfg; logs and returns -errno on a bad token file. */
static int webhook_setup(struct webhook *w, struct alert_sink *s, const struct config_webhook *cfg) {
        _cleanup_free_ char *token = NULL;
        size_t n = 0;
        int r;

        if (cfg->token_file) {
                r = read_token(cfg->token_file, &token);
                if (r < 0)
                        return r;
        }
        w->sink = s;
        w->format = cfg->format;
        w->timeout_usec = cfg->timeout_usec;
        w->url = strdup(cfg->url);
        w->ca_file = cfg->ca_file ? strdup(cfg->ca_file) : NULL;
        w->headers[n++] = strdup("Content-Type: application/json");
        w->headers[n++] = strdup("User-Agent: complyd/" COMPLYD_VERSION);
        if (token)
                w->headers[n++] = strdup_printf("Authorization: Bearer %s", token);
        if (!w->url || (cfg->ca_file && !w->ca_file))
                return log_oom();
        for (size_t i = 0; i < n; i++)
                if (!w->headers[i])
                        return log_oom();
        r = http_client_new(s->event, &w->http);
        if (r < 0)
                return log_error_errno(r, "alerts.webhook: cannot set up the HTTP client: %m");
        return 0;
}

int alert_webhook_new(struct alert_sink *s, const struct config_webhook *cfg) {
        struct webhook *w;
        int r;

        if (!cfg->url || strncasecmp(cfg->url, "https://", 8) != 0)
                return log_error_errno(EINVAL, "alerts.webhook: url must be https://");
        w = calloc(1, sizeof(*w));
        if (!w)
                return log_oom();
        r = webhook_setup(w, s, cfg);
        if (r < 0) {
                webhook_free(w);
                return r;
        }
        s->ops = &webhook_ops;
        s->impl = w;
        return 0;
}
