/* SPDX-License-Identifier: MIT */
/* An asynchronous HTTPS client on the event loop: libcurl's multi interface
 * driven by sd-event (curl's sockets become io sources, its timer one time
 * source). Used by the webhook alert sink and meant for the evidence shipper.
 * HTTPS only, no redirects, peer and host verification always on. Nothing
 * here logs: failures are reported to the completion callback. */
#ifndef COMPLYD_HTTP_CLIENT_H
#define COMPLYD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* What a response body is capped at; past it the transfer is cut and the
 * response marked truncated (its status still counts). */
#define HTTP_RESPONSE_MAX (64 * 1024)
#define HTTP_DEFAULT_CONNECT_TIMEOUT_USEC (10 * 1000000ULL)
#define HTTP_DEFAULT_TIMEOUT_USEC (30 * 1000000ULL)
/* Retry-After is honoured within [1 s, 1 h]. */
#define HTTP_RETRY_AFTER_MIN_USEC (1000000ULL)
#define HTTP_RETRY_AFTER_MAX_USEC (3600 * 1000000ULL)

struct http_client;
struct http_transfer;

struct http_request {
        const char *url;                /* must be https:// */
        const char *const *headers;     /* "Name: value", NULL-terminated; may be NULL */
        const void *body;               /* copied when the request starts */
        size_t body_len;
        const char *ca_file;            /* NULL = the system store */
        const char *pinned_pubkey;      /* "sha256//..." (curl syntax) or a PEM/DER file, or NULL */
        const char *client_cert;        /* PEM, with client_key; NULL = none */
        const char *client_key;
        const char *proxy;              /* NULL = libcurl's environment variables */
        uint64_t connect_timeout_usec;  /* 0 = HTTP_DEFAULT_CONNECT_TIMEOUT_USEC */
        uint64_t timeout_usec;          /* whole transfer; 0 = HTTP_DEFAULT_TIMEOUT_USEC */
};

struct http_response {
        int curl_code;                  /* CURLcode: 0 when a response arrived */
        long status;                    /* HTTP status, 0 when none */
        uint64_t retry_after_usec;      /* Retry-After as given (unclamped), 0 when none */
        const char *body;               /* NUL-terminated, at most HTTP_RESPONSE_MAX bytes */
        size_t body_len;
        bool body_truncated;
        const char *error;              /* human text for a failed transfer, "" otherwise */
};

/* Called once per transfer, from the event loop; resp is valid during the
 * call only. The transfer is freed after the callback returns. */
typedef void (*http_done_fn)(struct http_transfer *t, const struct http_response *resp,
                             void *userdata);

/* Creates a client on e. Returns 0 or -errno (-ENOMEM, or -EIO when libcurl
 * cannot be set up). */
int http_client_new(sd_event *e, struct http_client **ret);
/* Cancels every transfer (no callbacks) and frees the client. Accepts NULL. */
void http_client_free(struct http_client *c);

/* Starts a POST of req->body with req->headers. Returns 0 and (when ret is
 * not NULL) the transfer, which stays valid until done is called or it is
 * cancelled; -EINVAL for a URL that is not https://, -ENOMEM, -EIO. */
int http_client_post(struct http_client *c, const struct http_request *req, http_done_fn done,
                     void *userdata, struct http_transfer **ret);
/* Aborts a transfer in progress; done is not called. Accepts NULL. */
void http_transfer_cancel(struct http_transfer *t);
/* Transfers in progress. */
unsigned http_client_active(const struct http_client *c);

/* True for what a sender retries: no response at all (network, TLS, timeout),
 * 408, 429 and 5xx. */
bool http_status_retryable(long status);

/* Exponential backoff with full jitter: a delay uniform in
 * [0, min(cap, base * 2^attempt)], rnd being a uniform 64-bit random number
 * (attempt 0 is the first retry). */
uint64_t backoff_full_jitter_usec(unsigned attempt, uint64_t base_usec, uint64_t cap_usec,
                                  uint64_t rnd);
/* Retry-After clamped into [HTTP_RETRY_AFTER_MIN_USEC, HTTP_RETRY_AFTER_MAX_USEC];
 * 0 (none given) stays 0. */
uint64_t retry_after_clamp_usec(uint64_t retry_after_usec);
/* A uniform 64-bit random number (getrandom, else a clock-seeded mix). */
uint64_t http_random_u64(void);

#endif
