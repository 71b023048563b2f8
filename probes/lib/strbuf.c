/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_add(struct strbuf *b, const void *p, size_t n) {
        size_t need = b->len + n + 1;

        if (b->failed)
                return;
        if (need > b->cap) {
                size_t cap = b->cap ? b->cap : 256;
                char *d;

                while (cap < need)
                        cap *= 2;
                if (b->max && cap > b->max)
                        cap = b->max;
                if (cap < need || !(d = realloc(b->data, cap))) {
                        b->failed = true;
                        return;
                }
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}
