/* SPDX-License-Identifier: MIT */
/*
 * Verification of an evidence stream (complyd verify; complyd report):
 * records are fed in any order, from a spool directory or an NDJSON file as
 * a collector received them; each one's hash is recomputed from its
 * canonical bytes and its signature checked with the key its key_id names
 * (one or more public keys: key rotation). verifier_finish() then groups
 * the records by host.id, sorts each host's records by seq and walks them
 * once: prev_hash links, gaps (less the ranges evidence.dropped records
 * declare), duplicates (same record again: ignored, counted), two
 * different records with one seq. Memory is one small entry per record;
 * time is O(n log n) for the sort, O(n) otherwise.
 *
 * Records arriving out of seq order are not a problem in themselves (an
 * at-least-once delivery may resend or reorder batches): they are counted
 * and the chain is checked in seq order. A record whose seq was edited
 * fails its hash, or its signature if the hash was recomputed.
 */
#ifndef COMPLYD_VERIFY_H
#define COMPLYD_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"

/* The longest NDJSON line read as a record. */
#define VERIFY_LINE_MAX (SPOOL_RECORD_MAX_BYTES + 1024)

enum verify_problem_kind {
        VERIFY_MALFORMED,       /* not JSON, or not a complyd.evidence.v1 record */
        VERIFY_BAD_HASH,        /* the hash does not match the record's content */
        VERIFY_UNKNOWN_KEY,     /* key_id names none of the given public keys */
        VERIFY_BAD_SIGNATURE,   /* sig is not the named key's signature of hash */
        VERIFY_CHAIN_BREAK,     /* prev_hash is not the hash of the record before */
        VERIFY_GAP,             /* seqs missing, not declared dropped */
        VERIFY_CONFLICT,        /* two different valid records with one seq */
        VERIFY_BAD_START,       /* seq 1 with a prev_hash, or 64 zeros after seq 1 */
        VERIFY_NO_RECORDS,      /* the input held no evidence record at all */
        _VERIFY_PROBLEM_MAX,
};

/* One problem, given to the callback as it is found: per-record problems
 * while feeding (in input order), chain problems at finish (by host, seq).
 * Strings are valid during the call only. */
struct verify_problem {
        enum verify_problem_kind kind;
        const char *where;      /* "line 12", "spool record 40", or "" */
        const char *host;       /* host.id, or "" when unknown */
        uint64_t seq, last_seq; /* the record (or range: gaps); 0 when unknown */
        const char *message;    /* one line, no trailing newline */
};

/* A range of records an evidence.dropped record declares lost (once per
 * declaring record, at finish). */
struct verify_dropped {
        const char *host;
        uint64_t first_seq, last_seq, count;
        const char *reason;
        uint64_t declared_by;   /* the seq of the evidence.dropped record */
};

struct verify_callbacks {
        void (*problem)(const struct verify_problem *p, void *userdata);
        void (*dropped)(const struct verify_dropped *d, void *userdata);
};

/* What one host's records look like after finish. */
struct verify_host {
        const char *id, *hostname;
        uint64_t records;               /* distinct valid records */
        uint64_t first_seq, last_seq;   /* of the valid records */
        const char *first_time, *last_time;
        uint64_t problems;
};

struct verify_summary {
        uint64_t inputs;                /* lines or spool records read (blank lines not counted) */
        uint64_t records;               /* distinct records in the chains */
        uint64_t hosts;
        uint64_t duplicates;            /* the same record again: ignored */
        uint64_t out_of_order;          /* arrived before a record of lower seq */
        uint64_t dropped_ranges, dropped_records; /* declared by evidence.dropped */
        uint64_t problems;
        uint64_t by_kind[_VERIFY_PROBLEM_MAX];
        bool intact;                    /* records > 0 and problems == 0 */
};

struct verifier;

/* A verifier calling cb (copied; members may be NULL) with userdata.
 * Returns 0 or -ENOMEM. */
int verifier_new(const struct verify_callbacks *cb, void *userdata, struct verifier **ret);
void verifier_free(struct verifier *v);

/* Adds a public key records may name (borrowed: it must outlive v).
 * Returns 0 or -ENOMEM. */
int verifier_add_key(struct verifier *v, const struct evidence_key *key);

/* Feeds one record's JSON text ("record N" in problems, N counting the
 * inputs from 1). Problems found are reported, never returned: 0, or
 * -ENOMEM. */
int verifier_feed(struct verifier *v, const char *text, size_t len);

/* Feeds an NDJSON buffer / file descriptor: one record per line ("line N"),
 * blank lines skipped, lines over VERIFY_LINE_MAX reported as malformed.
 * Returns 0 or -errno (read error, -ENOMEM). */
int verifier_feed_ndjson(struct verifier *v, const char *data, size_t size);
int verifier_feed_fd(struct verifier *v, int fd);

/* Feeds every record of a spool directory (state_dir/spool), read with
 * spool_read_dir() ("spool record N" — N the frame's seq). Returns 0 or
 * -errno. */
int verifier_feed_spool(struct verifier *v, const char *spool_dir);

/* Checks the chains and fills *ret. Call once, after feeding. Returns 0
 * or -ENOMEM. */
int verifier_finish(struct verifier *v, struct verify_summary *ret);

/* The hosts seen, valid after finish until verifier_free(). */
size_t verifier_n_hosts(const struct verifier *v);
const struct verify_host *verifier_host(const struct verifier *v, size_t i);

/* "malformed", "bad hash", ... */
const char *verify_problem_name(enum verify_problem_kind kind);

#endif
