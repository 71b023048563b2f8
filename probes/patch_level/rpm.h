/* SPDX-License-Identifier: MIT */
/* Parsers for the RPM-family commands patch_level runs on a live host:
 *   rpm -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n'
 *   dnf -q -C check-update          ("name.arch  [epoch:]version-release  repo")
 *   dnf -q -C updateinfo list --security   ("ID  severity/Sec.  nevra")
 * Each is a pure function over the captured stdout. */
#ifndef PATCH_LEVEL_RPM_H
#define PATCH_LEVEL_RPM_H

#include <stddef.h>

#define RPM_MAX_OUTPUT (32u << 20)
#define RPM_MAX_LINES 500000u
#define RPM_MAX_FIELD 255u

/* One package: every string NUL-terminated, truncated at RPM_MAX_FIELD.
 * evr is "[epoch:]version-release" with the epoch only when non-zero. */
struct rpm_pkg {
        char name[RPM_MAX_FIELD + 1];
        char arch[RPM_MAX_FIELD + 1];
        char evr[RPM_MAX_FIELD + 1];
        char extra[RPM_MAX_FIELD + 1]; /* repo (check-update), advisory (updateinfo) */
};

typedef int (*rpm_pkg_fn)(const struct rpm_pkg *p, void *userdata);

/* Each calls cb for every well-formed line and skips the rest (headers,
 * "Obsoleting Packages" and everything after it, garbage). Return the
 * number of packages reported, or the negative value cb returned. */
int rpm_qa_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata);
int dnf_check_update_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata);
int dnf_updateinfo_parse(const char *buf, size_t len, rpm_pkg_fn cb, void *userdata);

#endif
