/* SPDX-License-Identifier: MIT */
/*
 * complyd report: the SOC 2 Type II period report built from an evidence
 * archive (a spool directory or an NDJSON file of native records, any
 * number of hosts).
 *
 * report_build() first verifies the input with the verifier `complyd
 * verify` uses (verify.h), then reads it once more and keeps one small
 * entry per authentic record (records failing their hash, key or signature
 * are left out of the figures and counted), sorts them by host and seq and
 * walks each host's records in seq order. The result is one JSON document
 * (schema complyd.report.v1) carrying every figure; the md and html
 * renderers only format it.
 *
 * The rules (also stated in every report):
 *  - interval of a control: the median spacing of its consecutive results;
 *    of the heartbeat likewise; a control seen once gets the host's longest;
 *  - a result holds until the control's next result, at most twice its
 *    interval, and never into a period with no monitoring;
 *  - a host has no monitoring: between agent.stop and the next record
 *    (agent stopped), between two records more than twice the host's
 *    longest interval apart (no records), between the records around a seq
 *    gap or an evidence.dropped range (evidence missing), and before its
 *    first record / after its last one within the period;
 *  - time going backwards between consecutive seqs is a clock jump: it is
 *    listed, and the records are placed at the latest time already seen;
 *  - share compliant = pass / (pass + fail + error) over the time in the
 *    period; waived, not_applicable and unmonitored time are excluded and
 *    reported on their own;
 *  - a drift event starts at a fail or error result not preceded by one
 *    (a previous pass, a first result, a return from waived or
 *    not_applicable) and ends at the next pass (time to recover).
 */
#ifndef COMPLYD_REPORT_H
#define COMPLYD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "evidence.h"

#define REPORT_SCHEMA "complyd.report.v1"
#define REPORT_MAX_RECORDS (64 * 1024 * 1024) /* entries kept; more: -E2BIG */
#define REPORT_MAX_HOSTS 100000
#define REPORT_MAX_CONTROLS 100000            /* host x control pairs */
#define REPORT_MAX_TEXT 300                   /* bytes of a reason kept */
#define REPORT_LIST_MAX 10000                 /* entries of any one list in the JSON */
#define REPORT_PROBLEMS_MAX 1000              /* verification problems listed */

struct report_options {
        int64_t since_ms, until_ms;             /* the period [since, until), Unix ms */
        int64_t generated_ms;                   /* stated as the report's time */
        char *const *controls;                  /* only these control ids (n_controls 0: all) */
        size_t n_controls;
        const struct evidence_key *const *keys; /* borrowed: the public keys to verify with */
        const char *const *key_paths;           /* where each came from (stated) */
        size_t n_keys;
        const char *input;                      /* the path as the report names it */
};

/* Verifies and analyses the records of spool_dir (a directory holding
 * *.seg files) or of the NDJSON file ndjson_path (exactly one of them is
 * non-NULL). Returns 0 and the report in *ret (a new reference), or -errno
 * (-ENOMEM, a read error, -E2BIG past the limits above). */
int report_build(const struct report_options *opt, const char *spool_dir, const char *ndjson_path,
                 json_t **ret);

/* Write the report as indented JSON, as Markdown for a Git forge, or as
 * one self-contained HTML page (inline CSS and SVG, print CSS). Return 0
 * or -EIO when writing failed. */
int report_render_json(const json_t *report, FILE *f);
int report_render_md(const json_t *report, FILE *f);
int report_render_html(const json_t *report, FILE *f);

/* "2025-04-01" (00:00 UTC; with end_of_day the next day's 00:00) or RFC
 * 3339 ("2025-04-01T12:00:00Z", fractions and +HH:MM offsets accepted) ->
 * Unix ms. Returns 0 or -EINVAL. */
int report_parse_time(const char *s, bool end_of_day, int64_t *ret_ms);
/* A date as above or a span before until: "90d", "12h", "2w". */
int report_parse_since(const char *s, int64_t until_ms, int64_t *ret_ms);
/* Unix ms -> "2025-04-01T00:00:00.000Z" into buf (at least 25 bytes). */
const char *report_format_time(int64_t ms, char buf[static 25]);
/* A duration in ms as "3d 4h", "2h 15m", "45s" into buf. */
const char *report_format_duration(int64_t ms, char *buf, size_t size);

#endif
