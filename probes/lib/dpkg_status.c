/* SPDX-License-Identifier: MIT */
/* dpkg status parsing: one stanza per package, four fields used. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "deb822.h"
#include "dpkg_status.h"

struct status_stanza {
        const char *name, *arch, *version, *status;
        size_t name_len, arch_len, version_len, status_len;
};

/* True when a Status value "want flag state" has flag ok and state
 * installed (dpkg's "installed": unpacked and configured). */
static bool status_installed(const char *s, size_t n) {
        const char *sp1 = memchr(s, ' ', n), *sp2;

        if (!sp1)
                return false;
        sp2 = memchr(sp1 + 1, ' ', n - (size_t) (sp1 + 1 - s));
        if (!sp2)
                return false;
        return sp2 - sp1 - 1 == 2 && memcmp(sp1 + 1, "ok", 2) == 0 &&
               n - (size_t) (sp2 + 1 - s) == 9 && memcmp(sp2 + 1, "installed", 9) == 0;
}

/* Reads the fields of one stanza starting at p; returns where the next one
 * starts (after the blank line, or end). A line is compared only with the
 * field its first letter can start; once all four are seen the rest of the
 * stanza (Description, Conffiles: most of its bytes) is jumped over in one
 * scan for the blank line. */
static const char *scan_stanza(const char *p, const char *end, struct status_stanza *st) {
        *st = (struct status_stanza) { 0 };
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *blank;
                size_t len = (size_t) ((nl ? nl : end) - p);

                if (deb822_blank(p, len))
                        return nl ? nl + 1 : end;
                switch (p[0] | 0x20) { /* field names are case-insensitive */
                case 'p': (void) DEB822_FIELD(p, len, "Package", &st->name, &st->name_len); break;
                case 's': (void) DEB822_FIELD(p, len, "Status", &st->status, &st->status_len); break;
                case 'a': (void) DEB822_FIELD(p, len, "Architecture", &st->arch, &st->arch_len); break;
                case 'v': (void) DEB822_FIELD(p, len, "Version", &st->version, &st->version_len); break;
                }
                if (!nl)
                        return end;
                p = nl + 1;
                if (st->name && st->status && st->arch && st->version) {
                        blank = deb822_find_blank_line(nl, end);
                        return blank ? blank + 2 : end;
                }
        }
        return end;
}

int dpkg_status_parse(const char *buf, size_t len, struct pkgdb *db) {
        const char *p = buf, *end = buf + len;
        int added = 0;

        while (p < end) {
                struct status_stanza st;
                const char *next = scan_stanza(p, end, &st);
                int r;

                if ((size_t) (next - p) > DPKG_STATUS_MAX_STANZA || !st.name || !st.version ||
                    !st.arch || !st.status || !status_installed(st.status, st.status_len)) {
                        p = next;
                        continue;
                }
                p = next;
                r = pkgdb_add(db, st.name, st.name_len, st.arch, st.arch_len, st.version,
                              st.version_len);
                if (r == -ENOMEM || (r == -E2BIG && db->n >= PKGDB_MAX_PACKAGES))
                        return r;
                if (r < 0)
                        continue;
                added++;
                if (st.name_len == 4 && memcmp(st.name, "dpkg", 4) == 0 &&
                    st.arch_len < sizeof(db->native_arch)) {
                        memcpy(db->native_arch, st.arch, st.arch_len);
                        db->native_arch[st.arch_len] = '\0';
                }
        }
        return added;
}

int dpkg_status_load(const struct complyd_probe_ctx *ctx, struct pkgdb *db) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        r = ctx->read_file(ctx, DPKG_STATUS_PATH, DPKG_STATUS_MAX_BYTES, &buf, &len);
        if (r < 0)
                return r;
        r = dpkg_status_parse(buf, len, db);
        if (r < 0)
                pkgdb_free(db);
        return r;
}
