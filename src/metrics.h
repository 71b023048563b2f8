/* SPDX-License-Identifier: MIT */
/* Prometheus text exposition written atomically to a node_exporter
 * textfile-collector path. */
#ifndef COMPLYD_METRICS_H
#define COMPLYD_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics_control {
        const char *id;
        const char *severity;
        const char *status;             /* "" when it has not run yet */
        uint64_t last_run_usec;         /* CLOCK_REALTIME, 0 = never */
        uint64_t drift_events;
};

struct metrics_probe {
        const char *name;
        uint64_t duration_usec;         /* the last run */
};

struct metrics_snapshot {
        const struct metrics_control *controls;
        size_t n_controls;
        const struct metrics_probe *probes;
        size_t n_probes;
        uint64_t spool_records, spool_bytes;
        uint64_t push_failures;
        uint64_t alerts_fired, alert_failures;
};

/* complyd_control_status values */
#define METRIC_STATUS_FAIL 0
#define METRIC_STATUS_PASS 1
#define METRIC_STATUS_ERROR 2
#define METRIC_STATUS_NOT_APPLICABLE 3
#define METRIC_STATUS_WAIVED 4

/* The exposition text (malloc'ed), NULL on OOM. */
char *metrics_render(const struct metrics_snapshot *m);
/* Renders and writes it to path atomically (mode 0644). */
int metrics_write(const char *path, const struct metrics_snapshot *m);

#endif
