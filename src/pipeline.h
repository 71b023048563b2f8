/* SPDX-License-Identifier: MIT */
/* The daemon's evidence pipeline: every result and lifecycle event becomes
 * a signed, chained record in the spool (group commit per job), the shipper
 * delivers them to the outputs, a heartbeat record marks the time in
 * between, and loss is never silent (evidence.dropped). */
#ifndef COMPLYD_PIPELINE_H
#define COMPLYD_PIPELINE_H

#include <stdbool.h>
#include <systemd/sd-event.h>

#include <jansson.h>

#include "config.h"
#include "controls.h"

struct pipeline;

/* How the pipeline raises an alert about the evidence itself (an fsync
 * failure, a full spool, a collector that rejects the records): the daemon
 * sends it through the same sinks as a drift. */
typedef void (*pipeline_alert_fn)(const char *message, void *userdata);

struct pipeline_stats {
        uint64_t spool_records, spool_bytes;
        uint64_t push_failures;
};

/* Opens the spool under cfg->state_dir (recovering it), loads or creates
 * the host key, starts the shipper and the heartbeat, and writes
 * agent.start (and config.changed when config_hash differs from
 * previous_hash, "" = unknown). Returns 0 or -errno (logged). */
int pipeline_open(sd_event *e, const struct config *cfg, const char *root, const char *config_hash,
                  const char *previous_hash, pipeline_alert_fn alert, void *userdata,
                  struct pipeline **ret);

/* One control's result (previous status "" when none; drift as announced). */
void pipeline_result(struct pipeline *p, const json_t *result, const json_t *observation,
                     const char *probe_version, const char *previous, bool drift);

/* Group commit: makes every record appended since the last call durable,
 * then lets the shipper deliver them. */
void pipeline_commit(struct pipeline *p);

/* A new configuration: config.changed, outputs restarted. */
int pipeline_reload(struct pipeline *p, const struct config *cfg, const char *config_hash);

/* agent.stop, committed (the records stay in the spool for the outputs
 * until the next start). */
void pipeline_stop(struct pipeline *p, const char *reason);

void pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *st);
void pipeline_free(struct pipeline *p);

/* SHA-256 over the configuration file and every local control file (name
 * and bytes, in load order): what config.changed compares. */
int pipeline_config_hash(const struct config *cfg, char hex[65]);

#endif
