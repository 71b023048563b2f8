/* SPDX-License-Identifier: MIT */
/* Internals shared by spool.c, spool_segment.c and spool_recover.c. */
#ifndef COMPLYD_SPOOL_INTERNAL_H
#define COMPLYD_SPOOL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "spool.h"

#define SPOOL_MAGIC 0x31505343u     /* "CSP1" as little-endian bytes */
#define SPOOL_HDR 20u               /* magic, len, crc, seq */
#define SPOOL_TRAILER 5u            /* '\n', len */
#define SPOOL_OVERHEAD (SPOOL_HDR + SPOOL_TRAILER)
#define SPOOL_WINDOW (256u * 1024)  /* read buffer; grows to one frame at most */
#define SPOOL_HINTS 8
#define SPOOL_DROPPED_LOG_MAX 64    /* eviction entries kept in the ledger */
#define SPOOL_MAX_CURSORS 64
#define SPOOL_MAX_SEGMENTS 100000

/* --- reading segment files (spool_segment.c) -------------------------------- */

/* A window over a file read with pread(); at most one frame is held. */
struct seg_reader {
        int fd;
        uint64_t size;      /* bytes that may be read (the rest is ignored) */
        uint8_t *buf;
        size_t cap;
        uint64_t off;       /* file offset of buf[0] */
        size_t len;         /* valid bytes in buf */
};

struct seg_frame {
        uint64_t off;       /* of the magic */
        uint64_t seq;
        uint8_t *payload;   /* into the reader's buffer: valid until its next read */
        uint32_t len;
};

static inline uint64_t seg_frame_size(uint32_t len) { return (uint64_t) len + SPOOL_OVERHEAD; }

/* Called for each intact frame; non-zero stops the scan (and is returned). */
typedef int (*seg_frame_fn)(void *ud, const struct seg_frame *f);
/* Called for bytes [off, end) that held no intact frame, before the intact
 * frame found at end. A damaged region with no intact frame after it is the
 * tail: not reported here, see seg_scan_result.valid_end. */
typedef void (*seg_corrupt_fn)(void *ud, uint64_t off, uint64_t end);

struct seg_scan_result {
        uint64_t frames;
        uint64_t first_seq, last_seq;   /* of intact frames (0 when none) */
        uint64_t last_off;              /* offset of the last intact frame */
        uint64_t valid_end;             /* end of the last intact frame, or start */
};

void seg_reader_init(struct seg_reader *r, int fd, uint64_t size);
void seg_reader_done(struct seg_reader *r);
int seg_scan(struct seg_reader *r, uint64_t start, seg_frame_fn on_frame,
             seg_corrupt_fn on_corrupt, void *ud, struct seg_scan_result *res);
/* The frame at off if it is intact: 1 and *f, 0 if not, -errno. */
int seg_frame_at(struct seg_reader *r, uint64_t off, struct seg_frame *f);
/* The "hash" member of a record's JSON text, copied into hash[65]: 0 or -EBADMSG. */
int seg_payload_hash(const uint8_t *payload, uint32_t len, char hash[65]);
/* Writes the frame header for seq/payload into hdr and trailer into tr. */
void seg_frame_encode(uint64_t seq, const void *payload, uint32_t len, uint8_t hdr[SPOOL_HDR],
                      uint8_t tr[SPOOL_TRAILER]);
/* "%016" PRIx64 ".seg" into name[32]; parse back: 0 or -EINVAL. */
void seg_name(uint64_t first_seq, char name[32]);
int seg_name_parse(const char *name, uint64_t *first_seq);

/* --- the open spool (spool.c) ------------------------------------------------ */

struct seg {
        uint64_t first_seq;     /* from the file name */
        uint64_t last_seq;      /* of the last intact record (first_seq - 1 if none) */
        uint64_t records;
        uint64_t bytes;
        uint64_t mtime_usec;    /* last write, CLOCK_REALTIME */
};

struct read_hint {
        uint64_t next_seq;      /* a read that wants seq > next_seq - 1 ... */
        uint64_t seg_first;     /* ... starts in this segment ... */
        uint64_t off;           /* ... at this offset */
        uint64_t stamp;
};

struct spool {
        char *dir;              /* state_dir/spool */
        int dirfd;
        struct spool_options opt;
        uint64_t seg_max;

        struct seg *segs;       /* oldest first; the active one is the last */
        size_t n_segs, cap_segs;
        int active_fd;          /* open on segs[n_segs - 1], or -1 */
        uint64_t tail;          /* append offset in the active segment */
        uint64_t durable_off;   /* synced prefix of the active segment */

        uint64_t next_seq, durable_seq;
        char last_hash[65], durable_hash[65];
        uint64_t total_bytes, total_records;

        struct spool_cursor **cursors;
        size_t n_cursors;

        json_t *dropped_log;    /* ledger "dropped" entries */
        struct spool_dropped unreported; /* evictions not yet handed to a caller */

        struct read_hint hints[SPOOL_HINTS];
        uint64_t hint_clock;
        struct seg_reader rd;
        bool broken;            /* a failed fsync could not be repaired: reopen */
};

int spool_segs_push(struct spool *s, const struct seg *g);
int spool_ledger_write(struct spool *s, uint64_t first_seq);
int spool_cursor_load_all(struct spool *s);
int spool_fsync_dir(struct spool *s);

/* --- recovery at open (spool_recover.c) --------------------------------------- */

int spool_recover(struct spool *s, struct spool_recovery *rep);
int spool_list_segments(int dirfd, uint64_t **ret, size_t *n);

#endif
