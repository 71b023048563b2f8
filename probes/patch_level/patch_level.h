/* SPDX-License-Identifier: MIT */
/* Shared between the patch_level probe's dpkg side (patch_level.c) and its
 * RPM side (rpm_host.c). */
#ifndef PATCH_LEVEL_PATCH_LEVEL_H
#define PATCH_LEVEL_PATCH_LEVEL_H

#include <stdbool.h>
#include <time.h>

#include <complyd/probe.h>

/* last_index_update_age_seconds (real clock), last_index_update and
 * last_index_update_source from the index's mtime; all null when source is
 * NULL. Returns 0 or -ENOMEM. */
int index_age_facts(json_t *o, time_t mtime, const char *source);

/* Every package fact null and supported false with the reason; the reboot
 * and kernel facts that do not need a package manager are still filled. */
int unsupported_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *pm,
                      const char *reason);

/* reboot_required_file and reboot_required_pkgs; *file_present says
 * whether /run/reboot-required exists. */
int reboot_facts(const struct complyd_probe_ctx *ctx, json_t *o, bool *file_present);

/* running_kernel, newest_installed_kernel (newest may be NULL),
 * running_kernel_is_newest, reboot_required. */
int kernel_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *newest,
                 bool reboot_file);

/* True when the root holds an RPM database or the rpm command. */
bool rpm_host(const struct complyd_probe_ctx *ctx);

/* The RPM-family facts through rpm and dnf (live host only). */
int observe_rpm(const struct complyd_probe_ctx *ctx, json_t *o);

/* The RPM-family facts from the captured output of rpm -qa (installed),
 * dnf check-update (updates) and dnf updateinfo list --security (security,
 * NULL when that command failed). Exposed for the recorded-output tests. */
int rpm_facts(const struct complyd_probe_ctx *ctx, json_t *o, const char *installed,
              const char *updates, const char *security);

#endif
