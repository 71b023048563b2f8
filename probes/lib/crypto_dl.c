/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "crypto_dl.h"

struct crypto_dl crypto_dl;

static const char *failure;

static const struct {
        const char *name;
        size_t offset;
} symbols[] = {
/* #f and p_##f are not macro-expanded: the real library names */
#define CRYPTO_DL_SYM(f) { #f, offsetof(struct crypto_dl, p_##f) },
        CRYPTO_DL_FUNCS(CRYPTO_DL_SYM)
#undef CRYPTO_DL_SYM
};

int crypto_dl_load(void) {
        static bool loaded;
        void *h;

        if (loaded || failure)
                return failure ? -ELIBACC : 0;
        h = dlopen(CRYPTO_DL_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                failure = CRYPTO_DL_SONAME " is not installed (apt-get install libssl3)";
                return -ELIBACC;
        }
        for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
                void *p = dlsym(h, symbols[i].name);

                if (!p) {
                        failure = CRYPTO_DL_SONAME " lacks a function complyd needs";
                        return -ELIBACC;
                }
                *(void **) ((char *) &crypto_dl + symbols[i].offset) = p;
        }
        loaded = true;
        return 0;
}

const char *crypto_dl_error(void) { return failure ?: "libcrypto loaded"; }
