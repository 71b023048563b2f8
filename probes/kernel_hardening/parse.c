/* SPDX-License-Identifier: MIT */
/* kernel_hardening: pure parsers over (buffer, length); see kernel_hardening.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "kernel_hardening.h"

/* Calls fn(line, len, userdata) for each line of buf (no newline), at most
 * KH_INPUT_MAX bytes; lines longer than KH_LINE_MAX are skipped. Stops on a
 * negative return and returns it; else 0. */
static int each_line(const char *buf, size_t len, int (*fn)(const char *, size_t, void *),
                     void *userdata) {
        const char *p = buf, *end;

        if (len > KH_INPUT_MAX)
                len = KH_INPUT_MAX;
        end = buf + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t l = nl ? (size_t) (nl - p) : (size_t) (end - p);
                int r;

                if (l <= KH_LINE_MAX && (r = fn(p, l, userdata)) < 0)
                        return r;
                p += l + 1;
        }
        return 0;
}

json_t *kh_sysctl_value(const char *buf, size_t len) {
        char tmp[32];
        char *endp;
        long long v;

        if (len > KH_LINE_MAX)
                len = KH_LINE_MAX;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                len--;
        if (len > 0 && len < sizeof(tmp) && !memchr(buf, '\0', len)) {
                memcpy(tmp, buf, len);
                tmp[len] = '\0';
                errno = 0;
                v = strtoll(tmp, &endp, 10);
                if (!errno && *endp == '\0' && (tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9')))
                        return json_integer(v);
        }
        /* not UTF-8 (no sysctl prints that): null rather than invalid JSON */
        return json_stringn(buf, len) ?: json_null();
}

/* One "name (mode)" line of the AppArmor profile list. */
static int apparmor_line(const char *line, size_t len, void *userdata) {
        struct kh_apparmor_counts *c = userdata;
        const char *open;
        size_t mlen;

        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
                len--;
        if (len == 0)
                return 0;
        open = len > 2 && line[len - 1] == ')' ? memrchr(line, '(', len) : NULL;
        if (!open || open == line || open[-1] != ' ') {
                c->other++;
                return 0;
        }
        mlen = (size_t) (line + len - 1 - (open + 1));
#define IS(m) (mlen == strlen(m) && memcmp(open + 1, m, mlen) == 0)
        if (IS("enforce"))
                c->enforce++;
        else if (IS("complain"))
                c->complain++;
        else if (IS("kill"))
                c->kill++;
        else if (IS("unconfined"))
                c->unconfined++;
        else
                c->other++;
#undef IS
        return 0;
}

unsigned long kh_apparmor_profiles(const char *buf, size_t len, struct kh_apparmor_counts *ret) {
        struct kh_apparmor_counts c = { 0 };

        (void) each_line(buf, len, apparmor_line, &c);
        *ret = c;
        return c.enforce + c.complain + c.kill + c.unconfined + c.other;
}

struct modules_walk {
        kh_module_fn fn;
        void *userdata;
        int count;
};

/* One /proc/modules line: the name is the first space-separated field. */
static int module_line(const char *line, size_t len, void *userdata) {
        struct modules_walk *w = userdata;
        size_t n = 0;
        int r;

        while (n < len && line[n] != ' ' && line[n] != '\t')
                n++;
        if (n == 0 || n > 255)
                return 0;
        if ((r = w->fn(line, n, w->userdata)) < 0)
                return r;
        if (w->count < INT32_MAX)
                w->count++;
        return 0;
}

int kh_proc_modules(const char *buf, size_t len, kh_module_fn fn, void *userdata) {
        struct modules_walk w = { .fn = fn, .userdata = userdata };
        int r = each_line(buf, len, module_line, &w);

        return r < 0 ? r : w.count;
}

struct kv_find {
        const char *key;
        size_t klen;
        const char *val;
        size_t vlen;
};

/* One KEY=VALUE line; remembers the value when the key matches. */
static int kv_line(const char *line, size_t len, void *userdata) {
        struct kv_find *f = userdata;

        while (len > 0 && (*line == ' ' || *line == '\t'))
                line++, len--;
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
                len--;
        if (len <= f->klen || line[f->klen] != '=' || memcmp(line, f->key, f->klen) != 0)
                return 0;
        f->val = line + f->klen + 1;
        f->vlen = len - f->klen - 1;
        if (f->vlen >= 2 && (f->val[0] == '"' || f->val[0] == '\'') &&
            f->val[f->vlen - 1] == f->val[0])
                f->val++, f->vlen -= 2;
        return 0;
}

int kh_kv_value(const char *buf, size_t len, const char *key, char **value) {
        struct kv_find f = { .key = key, .klen = strlen(key) };
        char *v;

        if (f.klen == 0)
                return 0;
        (void) each_line(buf, len, kv_line, &f);
        if (!f.val)
                return 0;
        if (!(v = strndup(f.val, f.vlen)))
                return -ENOMEM;
        *value = v;
        return 1;
}

int kh_efivar_bool(const char *buf, size_t len) {
        if (len < 5)
                return -EINVAL;
        return buf[4] != 0;
}

void kh_module_name_normalize(const char *in, size_t len, char *out, size_t outlen) {
        size_t i;

        if (outlen == 0)
                return;
        for (i = 0; i < len && i + 1 < outlen; i++)
                out[i] = in[i] == '-' ? '_' : in[i];
        out[i] = '\0';
}
