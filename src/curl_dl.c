/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "curl_dl.h"

struct curl_dl curl_dl;

static const struct {
        const char *name;
        size_t offset;
} symbols[] = {
/* #sym is not macro-expanded: the real library names */
#define SYM(field, sym) { #sym, offsetof(struct curl_dl, field) }
        SYM(global_init, curl_global_init),
        SYM(easy_init, curl_easy_init),
        SYM(easy_setopt, curl_easy_setopt),
        SYM(easy_getinfo, curl_easy_getinfo),
        SYM(easy_strerror, curl_easy_strerror),
        SYM(easy_cleanup, curl_easy_cleanup),
        SYM(multi_init, curl_multi_init),
        SYM(multi_setopt, curl_multi_setopt),
        SYM(multi_add_handle, curl_multi_add_handle),
        SYM(multi_remove_handle, curl_multi_remove_handle),
        SYM(multi_socket_action, curl_multi_socket_action),
        SYM(multi_assign, curl_multi_assign),
        SYM(multi_info_read, curl_multi_info_read),
        SYM(multi_cleanup, curl_multi_cleanup),
        SYM(slist_append, curl_slist_append),
        SYM(slist_free_all, curl_slist_free_all),
#undef SYM
};

int curl_dl_load(const char **error) {
        static bool loaded;
        static const char *failure;
        void *h;

        if (loaded || failure) {
                if (error && failure)
                        *error = failure;
                return failure ? -ENOENT : 0;
        }
        h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                failure = "libcurl.so.4 is not installed (apt-get install libcurl4)";
                goto fail;
        }
        for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
                void *p = dlsym(h, symbols[i].name);

                if (!p) {
                        failure = "libcurl.so.4 lacks a function complyd needs";
                        goto fail;
                }
                *(void **) ((char *) &curl_dl + symbols[i].offset) = p;
        }
        if (curl_dl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                failure = "curl_global_init() failed";
                goto fail;
        }
        loaded = true;
        return 0;
fail:
        if (error)
                *error = failure;
        return -ENOENT;
}
