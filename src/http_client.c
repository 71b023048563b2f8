/* SPDX-License-Identifier: MIT */
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>

#include "curl_dl.h"

#include "http_client.h"
#include "util.h"

struct http_client {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;
        struct http_transfer *transfers; /* in progress, doubly linked */
        unsigned n_active;
        sd_event_source **sockets;       /* io sources curl asked for (to free leftovers) */
        size_t n_sockets, cap_sockets;
};

struct http_transfer {
        struct http_client *client;
        CURL *easy;
        struct curl_slist *headers;
        char *body;                      /* response, NUL-terminated */
        size_t body_len;
        bool truncated;
        char error[CURL_ERROR_SIZE];
        http_done_fn done;
        void *userdata;
        struct http_transfer *prev, *next;
};

bool http_status_retryable(long status) {
        return status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599);
}

uint64_t backoff_full_jitter_usec(unsigned attempt, uint64_t base_usec, uint64_t cap_usec,
                                  uint64_t rnd) {
        uint64_t ceiling = base_usec;

        for (unsigned i = 0; i < attempt && ceiling < cap_usec; i++)
                ceiling = ceiling > UINT64_MAX / 2 ? UINT64_MAX : ceiling * 2;
        if (ceiling > cap_usec)
                ceiling = cap_usec;
        if (ceiling == UINT64_MAX)
                return rnd;
        return rnd % (ceiling + 1);
}

uint64_t retry_after_clamp_usec(uint64_t retry_after_usec) {
        if (retry_after_usec == 0)
                return 0;
        if (retry_after_usec < HTTP_RETRY_AFTER_MIN_USEC)
                return HTTP_RETRY_AFTER_MIN_USEC;
        if (retry_after_usec > HTTP_RETRY_AFTER_MAX_USEC)
                return HTTP_RETRY_AFTER_MAX_USEC;
        return retry_after_usec;
}

uint64_t http_random_u64(void) {
        static uint64_t fallback;
        uint64_t r;

        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
                return r;
        /* splitmix64 over the clock: good enough to spread retries */
        fallback += 0x9e3779b97f4a7c15ULL ^ now_monotonic_usec();
        r = fallback;
        r = (r ^ (r >> 30)) * 0xbf58476d1ce4e5b9ULL;
        r = (r ^ (r >> 27)) * 0x94d049bb133111ebULL;
        return r ^ (r >> 31);
}

/* Keeps the first HTTP_RESPONSE_MAX bytes of the response body; past that
 * the transfer is cut (returning less than given makes libcurl stop). */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        struct http_transfer *t = userdata;
        size_t n = size * nmemb, room;
        char *p;

        if (!t->body) {
                t->body = malloc(HTTP_RESPONSE_MAX + 1);
                if (!t->body)
                        return 0;
        }
        room = HTTP_RESPONSE_MAX - t->body_len;
        if (n > room) {
                memcpy(t->body + t->body_len, data, room);
                t->body_len += room;
                t->truncated = true;
                return 0;
        }
        p = t->body + t->body_len;
        memcpy(p, data, n);
        t->body_len += n;
        return n;
}

static void transfer_free(struct http_transfer *t) {
        if (!t)
                return;
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        free(t->body);
        free(t);
}

static void transfer_unlink(struct http_transfer *t) {
        struct http_client *c = t->client;

        if (t->prev)
                t->prev->next = t->next;
        else
                c->transfers = t->next;
        if (t->next)
                t->next->prev = t->prev;
        t->prev = t->next = NULL;
        curl_multi_remove_handle(c->multi, t->easy);
        c->n_active--;
}

/* A transfer ended with code: collects the response, calls done, frees. */
static void transfer_finish(struct http_transfer *t, CURLcode code) {
        struct http_response resp = { 0 };
        long status = 0;

        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        /* cut by our own cap: the status line and headers did arrive */
        if (code == CURLE_WRITE_ERROR && t->truncated && status > 0)
                code = CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x074200
        {
                curl_off_t ra = 0;
                if (curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
                        resp.retry_after_usec = (uint64_t) ra > UINT64_MAX / USEC_PER_SEC
                                                        ? UINT64_MAX
                                                        : (uint64_t) ra * USEC_PER_SEC;
        }
#endif
        resp.curl_code = (int) code;
        resp.status = status;
        resp.body = t->body ? t->body : "";
        if (t->body)
                t->body[t->body_len] = '\0';
        resp.body_len = t->body_len;
        resp.body_truncated = t->truncated;
        resp.error = code == CURLE_OK ? "" : (t->error[0] ? t->error : curl_easy_strerror(code));

        transfer_unlink(t);
        t->done(t, &resp, t->userdata);
        transfer_free(t);
}

/* Hands every finished transfer to its callback. */
static void check_done(struct http_client *c) {
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(c->multi, &left))) {
                struct http_transfer *t = NULL;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
                if (t)
                        transfer_finish(t, msg->data.result);
        }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct http_client *c = userdata;
        int flags = 0, running;

        if (revents & EPOLLIN)
                flags |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                flags |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR | EPOLLHUP))
                flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(c->multi, fd, flags, &running);
        check_done(c);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        struct http_client *c = userdata;
        int running;

        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        check_done(c);
        return 0;
}

static void forget_socket(struct http_client *c, sd_event_source *src) {
        for (size_t i = 0; i < c->n_sockets; i++)
                if (c->sockets[i] == src) {
                        c->sockets[i] = c->sockets[--c->n_sockets];
                        return;
                }
}

/* libcurl tells what it wants to wait for on socket fd: one io source per
 * socket, kept as the socket's assigned pointer. Returns -1 (curl's error)
 * when the source cannot be made. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
        struct http_client *c = userp;
        sd_event_source *src = socketp;
        uint32_t events = 0;

        if (what == CURL_POLL_REMOVE) {
                if (src) {
                        forget_socket(c, src);
                        sd_event_source_disable_unref(src);
                        curl_multi_assign(c->multi, fd, NULL);
                }
                return 0;
        }
        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;
        if (src) {
                if (sd_event_source_set_io_events(src, events) < 0 ||
                    sd_event_source_set_enabled(src, SD_EVENT_ON) < 0)
                        return -1;
                return 0;
        }
        if (c->n_sockets == c->cap_sockets) {
                size_t ncap = c->cap_sockets ? c->cap_sockets * 2 : 8;
                sd_event_source **p = realloc(c->sockets, ncap * sizeof(*p));

                if (!p)
                        return -1;
                c->sockets = p;
                c->cap_sockets = ncap;
        }
        if (sd_event_add_io(c->event, &src, fd, events, on_io, c) < 0)
                return -1;
        c->sockets[c->n_sockets++] = src;
        curl_multi_assign(c->multi, fd, src);
        return 0;
}

/* libcurl asks to be woken in timeout_ms (-1: never). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
        struct http_client *c = userp;
        uint64_t now;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(c->timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (sd_event_source_set_time(c->timer, now + (uint64_t) timeout_ms * USEC_PER_MSEC) < 0 ||
            sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT) < 0)
                return -1;
        return 0;
}

int http_client_new(sd_event *e, struct http_client **ret) {
        static bool global_done;
        struct http_client *c;
        int r;

        if (!global_done) {
                r = curl_dl_load(NULL);
                if (r < 0)
                        return r;
                global_done = true;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(e);
        c->multi = curl_multi_init();
        if (!c->multi) {
                http_client_free(c);
                return -ENOMEM;
        }
        r = sd_event_add_time(e, &c->timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_timer, c);
        if (r < 0) {
                http_client_free(c);
                return r;
        }
        sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
        curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
        curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
        curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
        *ret = c;
        return 0;
}

void http_transfer_cancel(struct http_transfer *t) {
        if (!t)
                return;
        transfer_unlink(t);
        transfer_free(t);
}

void http_client_free(struct http_client *c) {
        if (!c)
                return;
        while (c->transfers)
                http_transfer_cancel(c->transfers);
        if (c->multi)
                curl_multi_cleanup(c->multi); /* closes pooled connections */
        for (size_t i = 0; i < c->n_sockets; i++)
                sd_event_source_disable_unref(c->sockets[i]);
        free(c->sockets);
        sd_event_source_disable_unref(c->timer);
        sd_event_unref(c->event);
        free(c);
}

unsigned http_client_active(const struct http_client *c) {
        return c->n_active;
}

/* The security-relevant options: HTTPS only, no redirects, verification on,
 * TLS 1.2 or later, trust and identity as requested. */
static int set_tls_options(CURL *h, const struct http_request *req) {
        int bad = 0;

#if LIBCURL_VERSION_NUM >= 0x075500
        bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
        bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long) CURLPROTO_HTTPS);
        bad |= curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long) CURLPROTO_HTTPS);
#endif
        bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        bad |= curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        bad |= curl_easy_setopt(h, CURLOPT_SSLVERSION, (long) CURL_SSLVERSION_TLSv1_2);
        if (req->ca_file)
                bad |= curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_file);
        if (req->pinned_pubkey)
                bad |= curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, req->pinned_pubkey);
        if (req->client_cert) {
                bad |= curl_easy_setopt(h, CURLOPT_SSLCERT, req->client_cert);
                bad |= curl_easy_setopt(h, CURLOPT_SSLKEY, req->client_key ? req->client_key
                                                                           : req->client_cert);
        }
#if LIBCURL_VERSION_NUM >= 0x075000
        bad |= curl_easy_setopt(h, CURLOPT_MAXLIFETIME_CONN, 3600L);
#endif
        return bad ? -EIO : 0;
}

/* Every other option of a POST; the body is copied by libcurl. */
static int set_options(struct http_transfer *t, const struct http_request *req) {
        CURL *h = t->easy;
        uint64_t cto = req->connect_timeout_usec ?: HTTP_DEFAULT_CONNECT_TIMEOUT_USEC;
        uint64_t to = req->timeout_usec ?: HTTP_DEFAULT_TIMEOUT_USEC;
        int bad = 0;

        bad |= curl_easy_setopt(h, CURLOPT_URL, req->url);
        bad |= curl_easy_setopt(h, CURLOPT_POST, 1L);
        bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
        bad |= curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, req->body_len ? req->body : "");
        bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
        bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long) (cto / USEC_PER_MSEC ?: 1));
        bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long) (to / USEC_PER_MSEC ?: 1));
        bad |= curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error);
        bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
        bad |= curl_easy_setopt(h, CURLOPT_PRIVATE, (char *) t);
        if (req->proxy)
                bad |= curl_easy_setopt(h, CURLOPT_PROXY, req->proxy);
        if (bad)
                return -EIO;
        return set_tls_options(h, req);
}

/* The request headers plus "Expect:" (no 100-continue round trip). */
static int build_headers(const struct http_request *req, struct curl_slist **ret) {
        struct curl_slist *l = NULL, *n;

        for (const char *const *h = req->headers; h && *h; h++) {
                if (!(n = curl_slist_append(l, *h)))
                        goto oom;
                l = n;
        }
        if (!(n = curl_slist_append(l, "Expect:")))
                goto oom;
        *ret = n;
        return 0;
oom:
        curl_slist_free_all(l);
        return -ENOMEM;
}

int http_client_post(struct http_client *c, const struct http_request *req, http_done_fn done,
                     void *userdata, struct http_transfer **ret) {
        struct http_transfer *t;
        int r;

        if (!req->url || strncasecmp(req->url, "https://", 8) != 0)
                return -EINVAL;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->client = c;
        t->done = done;
        t->userdata = userdata;
        t->easy = curl_easy_init();
        if (!t->easy) {
                free(t);
                return -ENOMEM;
        }
        r = build_headers(req, &t->headers);
        if (r >= 0)
                r = set_options(t, req);
        if (r >= 0 && curl_multi_add_handle(c->multi, t->easy) != CURLM_OK)
                r = -EIO;
        if (r < 0) {
                transfer_free(t);
                return r;
        }
        t->next = c->transfers;
        if (t->next)
                t->next->prev = t;
        c->transfers = t;
        c->n_active++;
        if (ret)
                *ret = t;
        return 0;
}
