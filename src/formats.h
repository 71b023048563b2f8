/* SPDX-License-Identifier: MIT */
/*
 * Output formats of the evidence shipper: one evidence record (its JSON text
 * as stored in the spool) becomes one fragment of a request body.
 *
 *   native      the record's text as stored, one per line (NDJSON)
 *   ocsf        an OCSF 1.8.0 Compliance Finding (class 2003) per line
 *   otlp        an OTLP/HTTP JSON logRecord; the body wraps them in one
 *               ExportLogsServiceRequest (resourceLogs -> scopeLogs)
 *   splunk_hec  a HEC event object per record, concatenated
 *
 * Lifecycle records (agent.start, ...) are carried by native only; the other
 * formats carry result records. Nothing here logs.
 */
#ifndef COMPLYD_FORMATS_H
#define COMPLYD_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

#define FORMAT_OCSF_VERSION "1.8.0"
#define FORMAT_HEC_SOURCETYPE "complyd:evidence"
/* What one record may be (the spool's limit); larger text is refused. */
#define FORMAT_RECORD_MAX (4 * 1024 * 1024)

const char *format_name(enum output_format f);
/* The Content-Type of a body in format f. */
const char *format_content_type(enum output_format f);
/* The path used when an output's URL has none ("/v1/logs" for otlp,
 * "/services/collector/event" for splunk_hec), NULL for the others. */
const char *format_default_path(enum output_format f);

/* "2025-03-01T12:00:00.123Z" (or with an offset) as ms since the epoch.
 * Returns 0 or -EINVAL. */
int format_parse_time_ms(const char *s, int64_t *ret);

/* True when format f carries a record of this type ("result", ...). */
bool format_carries_type(enum output_format f, const char *type);

/* Per format: the fragment of one parsed record (text is its stored JSON
 * text). Each returns 0 and a malloc'ed, NUL-terminated fragment, or
 * -EBADMSG when a field the format needs is missing or malformed, -ENOMEM. */
int format_ocsf_fragment(const json_t *rec, char **ret, size_t *ret_len);
int format_otlp_fragment(const json_t *rec, const char *text, size_t len, char **ret,
                         size_t *ret_len);
int format_hec_fragment(const json_t *rec, const char *text, size_t len, char **ret,
                        size_t *ret_len);
/* The OCSF event of one result record (a new reference), NULL when rec is
 * not a result record or on OOM. */
json_t *format_ocsf_event(const json_t *rec);
/* The OTLP envelope around n logRecords: what comes before them and after
 * them, built from the host of a record. Returns 0 or -ENOMEM. */
int format_otlp_envelope(const json_t *rec, char **prefix, char **suffix);

/* A request body being built, record by record. */
struct format_body {
        enum output_format format;
        char *data;             /* fragments (OTLP: joined by ','), NUL-terminated */
        size_t len, cap;
        size_t n_records;       /* fragments in data */
        size_t skipped;         /* records the format does not carry */
        size_t bad;             /* records that could not be converted (skipped) */
        char *prefix, *suffix;  /* OTLP envelope, from the first record */
        char *whole;            /* the finished body (format_body_finish) */
};

void format_body_init(struct format_body *b, enum output_format f);
/* Frees everything and starts over (same format). */
void format_body_reset(struct format_body *b);

/*
 * Converts one stored record (text, len) and appends it. max_bytes bounds
 * the body's length (0 = none) except for its first record, which is always
 * taken. Returns 1 when appended, 0 when the format does not carry the
 * record or it could not be converted (counted in skipped / bad), -E2BIG
 * when it would not fit (nothing appended), -ENOMEM.
 */
int format_body_add(struct format_body *b, const char *text, size_t len, size_t max_bytes);

/* The whole body (owned by b, valid until the next reset): fragments plus
 * the format's envelope. Returns 0 or -ENOMEM. An empty body (no records) is
 * "" for every format. */
int format_body_finish(struct format_body *b, const char **ret, size_t *ret_len);

#endif
