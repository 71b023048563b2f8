/* SPDX-License-Identifier: MIT */
/* libcurl, loaded with dlopen() on first use instead of linked.
 *
 * Why: linking libcurl pulls in GnuTLS, Kerberos, LDAP, libssh2 and friends,
 * whose constructors cost ~6 ms at every exec — of `complyd check`, and of
 * every probe child, which never speaks HTTP. Only the daemon's webhook and
 * evidence outputs need it, so only they load it.
 *
 * Include this instead of <curl/curl.h>: the curl_* calls below then go
 * through the loaded table. Call curl_dl_load() before the first one. */
#ifndef COMPLYD_CURL_DL_H
#define COMPLYD_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct curl_dl {
        CURLcode (*global_init)(long flags);
        CURL *(*easy_init)(void);
        CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
        CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
        const char *(*easy_strerror)(CURLcode code);
        void (*easy_cleanup)(CURL *h);
        CURLM *(*multi_init)(void);
        CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
        CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
        CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
        CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t fd, int ev, int *running);
        CURLMcode (*multi_assign)(CURLM *m, curl_socket_t fd, void *p);
        CURLMsg *(*multi_info_read)(CURLM *m, int *left);
        CURLMcode (*multi_cleanup)(CURLM *m);
        struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
        void (*slist_free_all)(struct curl_slist *l);
};

extern struct curl_dl curl_dl;

/* Loads libcurl.so.4 and curl_global_init()s it, once. Returns 0, or
 * -ENOENT (with the reason in *error when error is not NULL) when libcurl
 * is not installed. */
int curl_dl_load(const char **error);

/* curl.h defines these three as macros of themselves */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

#define curl_global_init curl_dl.global_init
#define curl_easy_init curl_dl.easy_init
#define curl_easy_setopt curl_dl.easy_setopt
#define curl_easy_getinfo curl_dl.easy_getinfo
#define curl_easy_strerror curl_dl.easy_strerror
#define curl_easy_cleanup curl_dl.easy_cleanup
#define curl_multi_init curl_dl.multi_init
#define curl_multi_setopt curl_dl.multi_setopt
#define curl_multi_add_handle curl_dl.multi_add_handle
#define curl_multi_remove_handle curl_dl.multi_remove_handle
#define curl_multi_socket_action curl_dl.multi_socket_action
#define curl_multi_assign curl_dl.multi_assign
#define curl_multi_info_read curl_dl.multi_info_read
#define curl_multi_cleanup curl_dl.multi_cleanup
#define curl_slist_append curl_dl.slist_append
#define curl_slist_free_all curl_dl.slist_free_all

#endif
