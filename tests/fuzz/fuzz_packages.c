/* SPDX-License-Identifier: MIT */
/* Fuzz target: apt Packages scanner (whole, and split in two at a point
 * chosen by the input, which must find the same entries), Release header
 * and apt.conf parsers, and the lz4/gzip/xz stream decoders. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../probes/patch_level/apt_conf.h"
#include "../../probes/patch_level/apt_lists.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *u, const struct deb_entry *e) {
        if (!e->name_len || !e->version_len || !e->arch_len)
                __builtin_trap();
        ++*(size_t *) u;
        return 0;
}

static bool want_odd(void *u, const char *name, size_t len) { return len % 2 == 1; }

static void conf_cb(const char *k, const char *v, void *u) { (void) k, (void) v, (void) u; }

/* Runs the decoders over the input as a file (compressed inputs in the
 * corpus exercise them; anything else must fail cleanly). */
static void decode(const uint8_t *data, size_t size) {
        static const enum list_compression cs[] = { LIST_GZIP, LIST_XZ, LIST_LZ4, LIST_PLAIN };
        FILE *f = tmpfile();

        if (!f)
                return;
        if (fwrite(data, 1, size, f) == size && fflush(f) == 0)
                for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
                        size_t n = 0;
                        struct deb_sink sink = { .entry = count, .userdata = &n };
                        lseek(fileno(f), 0, SEEK_SET);
                        (void) apt_list_stream(fileno(f), cs[i], &sink);
                }
        fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        size_t whole = 0, split = 0, cut = size ? data[0] % (size + 1) : 0;
        struct deb_sink a = { .entry = count, .userdata = &whole };
        struct deb_sink b = { .entry = count, .userdata = &split };
        struct deb_sink c = { .want = want_odd, .entry = count, .userdata = &split };
        struct release_info ri;
        ssize_t used;

        (void) packages_parse(buf, size, true, &a);
        used = packages_parse(buf, cut, false, &b);
        if (used < 0 || (size_t) used > cut)
                __builtin_trap();
        (void) packages_parse(buf + used, size - (size_t) used, true, &b);
        if (whole != split || a.entries != b.entries)
                __builtin_trap();
        (void) packages_parse(buf, size, true, &c);
        (void) release_parse(buf, size, &ri);
        (void) apt_conf_parse(buf, size, conf_cb, NULL);
        if (size < 65536)
                decode(data, size);
        return 0;
}
