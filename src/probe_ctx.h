/* SPDX-License-Identifier: MIT */
/* The core's implementation of struct complyd_probe_ctx: file helpers that
 * resolve every path inside the root (openat2 RESOLVE_IN_ROOT), the deadline,
 * command execution for live-host probes. */
#ifndef COMPLYD_PROBE_CTX_H
#define COMPLYD_PROBE_CTX_H

#include "complyd/probe.h"

/* Make a context for root (a directory; "/" for the live host) with the
 * given params object (a reference is taken) and deadline (CLOCK_MONOTONIC
 * usec, 0 = none). Returns 0 or -errno; free with probe_ctx_free(). */
int probe_ctx_new(const char *root, json_t *params, uint64_t deadline_usec,
                  struct complyd_probe_ctx **ret);
void probe_ctx_free(struct complyd_probe_ctx *ctx);

/* Fill a params object from a probe's parameter table and the configured
 * values (object or NULL). Unknown keys and wrong types are -EINVAL with a
 * message in err (size errlen). Returns 0 and a new object in *ret. */
int probe_params_resolve(const struct complyd_probe *probe, const json_t *configured,
                         json_t **ret, char *err, size_t errlen);

#endif
