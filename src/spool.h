/* SPDX-License-Identifier: MIT */
/*
 * The evidence spool: append-only segment files under state_dir/spool, each
 * record's JSON text stored as is inside a frame with its length and
 * CRC-32C, so the archive stays readable by standard tools. A record counts
 * as captured only once an fsync covering it succeeded. One persisted cursor
 * per output; segments every cursor has passed stay as the local archive
 * until the retention ends; a full spool evicts the oldest segment and says
 * which sequence numbers it dropped.
 *
 * On-disk format (all integers little-endian):
 *   spool/NNNNNNNNNNNNNNNN.seg   segment, named by the seq of its first record (hex)
 *     frame: magic u32 "CSP1" | len u32 | crc32c u32 (over seq and payload) | seq u64 |
 *            payload (len bytes of JSON text) | '\n' | len u32 (repeated)
 *   spool/ledger.json            {version, first_seq, next_seq, last_hash, dropped: [...]}
 *                                written (atomically) before any segment is deleted: it
 *                                is the floor of next_seq/last_hash once segments are gone
 *   spool/cursors/<output>.json  {name, acked_seq, batch: {id, first_seq, last_seq} | null}
 *   spool/corrupt/               segments set aside by recovery
 *
 * A struct spool has one owner and is not thread-safe: callers serialise.
 */
#ifndef COMPLYD_SPOOL_H
#define COMPLYD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_SEGMENT_MAX_BYTES (8 * 1024 * 1024)
#define SPOOL_RECORD_MAX_BYTES (4 * 1024 * 1024)

enum spool_sync_mode {
        SPOOL_SYNC_BATCH,  /* spool_sync() when the caller decides (group commit) */
        SPOOL_SYNC_ALWAYS, /* every append is synced before it returns */
};

struct spool_options {
        uint64_t max_bytes;         /* bound on all segments; 0 = unbounded */
        uint64_t retention_usec;    /* delivered segments older than this are deleted; 0 = keep */
        enum spool_sync_mode sync;
        uint64_t segment_max_bytes; /* 0 = SPOOL_SEGMENT_MAX_BYTES; never above max_bytes / 4 */
};

/* What recovery at open found (to be logged and turned into evidence). */
struct spool_recovery {
        uint64_t records;           /* intact records found */
        uint64_t torn_bytes;        /* truncated from the tail of the last segment */
        uint64_t corrupt_records;   /* complete frames with a bad CRC: skipped, lost */
        uint64_t corrupt_first_seq, corrupt_last_seq; /* their range where known */
        unsigned segments_quarantined; /* moved to spool/corrupt/ */
        unsigned orphans_removed;   /* segments the ledger had already deleted (crash between
                                       the ledger write and the unlink) */
        bool ledger_unreadable;     /* ledger.json present but not valid: ignored */
        /* Evictions whose evidence.dropped record was not captured before a
         * crash (for the log): the next successful spool_append() reports
         * them again in its *dropped, so the writer records them then. */
        uint64_t dropped_unreported_first, dropped_unreported_last, dropped_unreported_count;
};

/* Records evicted because the spool was full: the writer turns this into an
 * evidence.dropped record. Segments every cursor had already passed (the
 * delivered archive) are evicted first and are not "dropped". The range is
 * the seqs not yet delivered to every output; count = last - first + 1. */
struct spool_dropped {
        uint64_t first_seq, last_seq, count;
};

struct spool;

/* Opens (creating) state_dir/spool, recovers it (torn tail of the newest
 * segment truncated, corrupt records skipped and counted, unparseable
 * segments moved to corrupt/, orphans the ledger deleted removed, never
 * fatal for one bad segment), fsyncs what it kept and fills *report
 * (optional). Everything recovered is durable. Returns 0 or -errno. */
int spool_open(const char *state_dir, const struct spool_options *opt, struct spool **ret,
               struct spool_recovery *report);
/* Closes the files; it does not sync: call spool_sync() first. NULL ok. */
void spool_close(struct spool *s);

/* The chain position: seq for the next record and the hash of the last one
 * (64 hex digits; 64 zeros before the first record). Persisted in the
 * ledger and recovered from the segments, so a crash never reuses a seq
 * that was captured. */
uint64_t spool_next_seq(const struct spool *s);
const char *spool_last_hash(const struct spool *s);

/* Appends one record (its JSON text, no newline) with the given seq, which
 * must be spool_next_seq(); hash is the record's hash (64 hex), remembered
 * as spool_last_hash(). Evicts the oldest segments first if the record would
 * not fit in max_bytes; each eviction is reported through *dropped (count 0
 * when nothing was evicted). Returns 0 once written (and synced, in
 * SPOOL_SYNC_ALWAYS mode), -EIO after a failed write or fsync (the segment
 * is then re-read from disk: what was not durable is forgotten, never
 * reported as captured; re-read spool_next_seq() and spool_last_hash()),
 * -E2BIG for a record over SPOOL_RECORD_MAX_BYTES, -ENOSPC for one that
 * cannot fit in max_bytes at all, -EINVAL for a wrong seq, a hash that is not
 * 64 hex digits or a text with a newline (the archive is one record a line). */
int spool_append(struct spool *s, uint64_t seq, const char *hash, const char *text, size_t len,
                 struct spool_dropped *dropped);

/* fdatasync()s what was appended since the last sync. Returns 0 when every
 * appended record is durable; -EIO when the fsync failed. Never retried as
 * if it had worked (fsyncgate): the unsynced part of the segment is re-read
 * from disk; frames that read back intact are written again (so the next
 * spool_sync() really syncs them, and only then counts them), the rest is
 * truncated and forgotten (spool_next_seq()/spool_last_hash() go back). */
int spool_sync(struct spool *s);

/* The highest seq known durable (0 = none). Readers never see past it.
 * spool_append() in SPOOL_SYNC_ALWAYS mode or spool_sync() returning 0 is
 * the moment a record counts as captured. */
uint64_t spool_durable_seq(const struct spool *s);

/* Totals over the segments still on disk (metrics). */
void spool_usage(const struct spool *s, uint64_t *records, uint64_t *bytes);

/* --- reading -------------------------------------------------------------- */

struct spool_record {
        uint64_t seq;
        const char *text;   /* the JSON text, NUL-terminated; valid until the next read */
        size_t len;
};

/* Calls fn for every durable record with seq > after, in order, until fn
 * returns non-zero or max records were given (0 = no limit). Returns the
 * number of records given, or -errno. fn returning > 0 stops the read and
 * that record is not counted (a caller that did take it knows); < 0 stops
 * it and is returned. Corrupt frames are skipped. Streams the segment
 * files through a bounded buffer (one frame at most); a reader continuing
 * after the last record it saw starts where the previous call stopped. */
typedef int (*spool_record_fn)(const struct spool_record *rec, void *userdata);
int spool_read(struct spool *s, uint64_t after, size_t max, spool_record_fn fn, void *userdata);

/* Reads every record of a spool directory (the one holding the *.seg files)
 * without opening it for writing or changing anything, for `complyd
 * verify` and `complyd report` on an archive; corrupt frames and torn tails
 * are skipped, unsynced records included. fn as for spool_read(). Returns
 * the number of records given, or -errno. */
int spool_read_dir(const char *spool_dir, spool_record_fn fn, void *userdata);

/* --- cursors, one per output ------------------------------------------------ */

struct spool_cursor {
        char *name;
        uint64_t acked_seq;         /* everything <= this was delivered */
        char batch_id[37];          /* the sealed, unacknowledged batch ("" none) */
        uint64_t batch_first, batch_last;
};

/* Loads (or creates at the current start of the spool) the cursor of an
 * output; name is [A-Za-z0-9_.-]{1,64}, not starting with '.'. The returned
 * struct is owned by the spool and valid until spool_close(). Every cursor
 * file found at open counts for "delivered", also of an output no longer
 * configured: delete its cursors/<name>.json to stop holding the archive. */
int spool_cursor_get(struct spool *s, const char *name, struct spool_cursor **ret);
/* Persists a sealed batch (its id is reused after a crash) — atomic write.
 * batch_id is 1..36 characters; acked_seq < first <= last <= durable seq. */
int spool_cursor_seal(struct spool *s, struct spool_cursor *c, const char *batch_id, uint64_t first,
                      uint64_t last);
/* The batch was delivered: acked_seq = last, batch cleared (when last
 * reaches its end) — atomic write. Never moves back; last <= durable seq.
 * Segments every cursor has passed become archive. */
int spool_cursor_ack(struct spool *s, struct spool_cursor *c, uint64_t last);

/* Deletes archive segments (delivered to every cursor; never the one being
 * written) whose last write is older than the retention, oldest first
 * (ledger first, then unlink, then fsync of the directory). Returns how
 * many, or -errno. */
int spool_expire(struct spool *s, uint64_t now_realtime_usec);

/* CRC-32C (Castagnoli) of data, continuing from crc (0 to start). */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
/* The same without the SSE4.2 instruction (tests compare the two). */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len);

#endif
