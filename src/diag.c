/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "diag.h"
#include "util.h"

int diag_add(struct diag_list *d, const char *file, unsigned line, unsigned col,
             const char *fmt, ...) {
        struct diag *e;
        va_list ap;
        char *msg;
        int k;

        if (d->n + d->dropped >= DIAG_MAX) {
                d->dropped++;
                return 0;
        }
        if (d->n == d->cap) {
                size_t ncap = d->cap ? d->cap * 2 : 16;
                struct diag *p = realloc(d->items, ncap * sizeof(*p));

                if (!p)
                        goto oom;
                d->items = p;
                d->cap = ncap;
        }
        va_start(ap, fmt);
        k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                goto oom;
        e = &d->items[d->n];
        e->file = strdup(file ? file : "<input>");
        if (!e->file) {
                free(msg);
                goto oom;
        }
        e->message = msg;
        e->line = line;
        e->col = line ? col : 0;
        e->order = d->n + d->dropped;
        d->n++;
        return 0;
oom:
        d->dropped++;
        d->oom = true;
        return -ENOMEM;
}

size_t diag_count(const struct diag_list *d) { return d->n + d->dropped; }

static int diag_cmp(const void *a, const void *b) {
        const struct diag *x = a, *y = b;
        int c = strcmp(x->file, y->file);

        if (c)
                return c;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        if (x->col != y->col)
                return x->col < y->col ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

void diag_print(struct diag_list *d, FILE *f) {
        if (d->n > 1)
                qsort(d->items, d->n, sizeof(*d->items), diag_cmp);
        for (size_t i = 0; i < d->n; i++) {
                const struct diag *e = &d->items[i];

                if (e->line)
                        fprintf(f, "%s:%u:%u: %s\n", e->file, e->line, e->col, e->message);
                else
                        fprintf(f, "%s: %s\n", e->file, e->message);
        }
        if (d->dropped)
                fprintf(f, "(%zu more problems not shown)\n", d->dropped);
}

char *diag_to_string(struct diag_list *d) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        diag_print(d, f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

void diag_clear(struct diag_list *d) {
        for (size_t i = 0; i < d->n; i++) {
                free(d->items[i].file);
                free(d->items[i].message);
        }
        free(d->items);
        *d = (struct diag_list) DIAG_LIST_INIT;
}
