/* SPDX-License-Identifier: MIT */
/* Reads the process table under the root once: see proctable.h. */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "proctable.h"

void proctable_parse_comm(const char *buf, size_t len, char comm[static PROCTABLE_COMM]) {
        size_t n = 0;

        while (n < len && n < PROCTABLE_COMM - 1 && buf[n] != '\n' && buf[n] != '\0') {
                comm[n] = (unsigned char) buf[n] < 0x20 || buf[n] == 0x7f ? '?' : buf[n];
                n++;
        }
        comm[n] = '\0';
}

void proctable_exe_name(const char *exe, char *out, size_t outlen) {
        const char *base = strrchr(exe, '/');
        size_t n;

        base = base ? base + 1 : exe;
        n = strlen(base);
        if (n >= 10 && streq(base + n - 10, " (deleted)"))
                n -= 10;
        if (n >= outlen)
                n = outlen - 1;
        memcpy(out, base, n);
        out[n] = '\0';
}

/* pid of a /proc entry name, or -1 when it is not all digits. */
static int parse_pid(const char *name) {
        long v = 0;

        if (!*name)
                return -1;
        for (const char *p = name; *p; p++) {
                if (!isdigit((unsigned char) *p) || v > 99999999)
                        return -1;
                v = v * 10 + (*p - '0');
        }
        return v > 0 ? (int) v : -1;
}

/* Reads comm (and exe) of pid into e. A process that exits meanwhile
 * leaves "" and NULL. 0 or -ENOMEM. */
static int read_proc(const struct complyd_probe_ctx *ctx, int pid, bool want_exe,
                     struct proc_entry *e, size_t *exe_unreadable) {
        char path[64];
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        *e = (struct proc_entry) { .pid = pid };
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        if (ctx->read_file(ctx, path, 256, &buf, &len) >= 0)
                proctable_parse_comm(buf, len, e->comm);
        if (!want_exe)
                return 0;
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        r = ctx->readlink(ctx, path, &e->exe);
        if (r == -ENOMEM)
                return r;
        if (r == -EACCES || r == -EPERM) /* kernel threads have none: ENOENT */
                (*exe_unreadable)++;
        return 0;
}

static int cmp_pid(const void *a, const void *b) {
        const struct proc_entry *x = a, *y = b;
        return (x->pid > y->pid) - (x->pid < y->pid);
}

int proctable_scan(const struct complyd_probe_ctx *ctx, bool want_exe, struct proctable *t) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        size_t cap = 0;
        int r;

        *t = (struct proctable) { 0 };
        if ((r = ctx->opendir(ctx, "/proc", &d)) < 0) {
                t->proc_missing = true;
                return r == -ENOMEM ? r : 0;
        }
        while ((de = readdir(d))) {
                int pid = parse_pid(de->d_name);

                if (pid < 0)
                        continue;
                if (t->n == PROCTABLE_MAX) {
                        t->truncated = true;
                        break;
                }
                if (t->n == cap) {
                        size_t ncap = cap ? cap * 2 : 256;
                        struct proc_entry *p = reallocarray(t->procs, ncap, sizeof(*p));

                        if (!p)
                                return -ENOMEM;
                        t->procs = p;
                        cap = ncap;
                }
                if ((r = read_proc(ctx, pid, want_exe, &t->procs[t->n], &t->exe_unreadable)) < 0)
                        return r;
                t->n++;
                if ((t->n & 255) == 0 && ctx->expired(ctx))
                        return -ETIMEDOUT;
        }
        if (t->n)
                qsort(t->procs, t->n, sizeof(*t->procs), cmp_pid);
        return 0;
}

void proctable_done(struct proctable *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->procs[i].exe);
        free(t->procs);
        *t = (struct proctable) { 0 };
}
