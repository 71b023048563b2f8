/* SPDX-License-Identifier: MIT */
/*
 * Segment files: frame encoding and the scanner that reads them back. The
 * scanner is the parser of outside input here (a segment may be torn,
 * bit-flipped or not a segment at all): every length is checked against
 * the file and SPOOL_RECORD_MAX_BYTES before use, it holds at most one frame
 * in memory, and it never fails on content, only on read errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool_internal.h"
#include "util.h"

static const uint8_t magic_bytes[4] = { 'C', 'S', 'P', '1' };

static void put32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}
static uint32_t get32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return (uint64_t) get32(p) | (uint64_t) get32(p + 4) << 32; }

/* Header: magic | len | crc32c(seq bytes, payload) | seq; trailer: '\n' | len. */
void seg_frame_encode(uint64_t seq, const void *payload, uint32_t len, uint8_t hdr[SPOOL_HDR],
                      uint8_t tr[SPOOL_TRAILER]) {
        uint8_t seqb[8];

        put64(seqb, seq);
        put32(hdr, SPOOL_MAGIC);
        put32(hdr + 4, len);
        put32(hdr + 8, crc32c(crc32c(0, seqb, 8), payload, len));
        memcpy(hdr + 12, seqb, 8);
        tr[0] = '\n';
        put32(tr + 1, len);
}

void seg_name(uint64_t first_seq, char name[32]) {
        snprintf(name, 32, "%016" PRIx64 ".seg", first_seq);
}

/* Accepts exactly 16 lowercase hex digits and ".seg". */
int seg_name_parse(const char *name, uint64_t *first_seq) {
        uint64_t v = 0;

        if (strlen(name) != 20 || strcmp(name + 16, ".seg") != 0)
                return -EINVAL;
        for (int i = 0; i < 16; i++) {
                char c = name[i];
                if (c >= '0' && c <= '9')
                        v = v << 4 | (uint64_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v = v << 4 | (uint64_t) (c - 'a' + 10);
                else
                        return -EINVAL;
        }
        *first_seq = v;
        return 0;
}

void seg_reader_init(struct seg_reader *r, int fd, uint64_t size) {
        r->fd = fd;
        r->size = size;
        r->off = 0;
        r->len = 0;
}

void seg_reader_done(struct seg_reader *r) {
        free(r->buf);
        r->buf = NULL;
        r->cap = 0;
        r->len = 0;
}

/* Makes bytes [off, off + n) available and points *ret at them (valid until
 * the next call). Reads a whole window ahead so a scan makes few syscalls.
 * -ENODATA when the range is beyond r->size or the file is shorter. */
static int reader_get(struct seg_reader *r, uint64_t off, size_t n, uint8_t **ret) {
        size_t want, got = 0;

        if (off > r->size || n > r->size - off)
                return -ENODATA;
        if (r->buf && off >= r->off && off + n <= r->off + r->len) {
                *ret = r->buf + (off - r->off);
                return 0;
        }
        want = n > SPOOL_WINDOW ? n : SPOOL_WINDOW;
        if (want > r->size - off)
                want = (size_t) (r->size - off);
        if (want > r->cap) {
                uint8_t *b = realloc(r->buf, want);
                if (!b)
                        return -ENOMEM;
                r->buf = b;
                r->cap = want;
        }
        r->len = 0;
        while (got < want) {
                ssize_t k = pread(r->fd, r->buf + got, want - got, (off_t) (off + got));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        r->off = off;
        r->len = got;
        if (got < n)
                return -ENODATA;
        *ret = r->buf;
        return 0;
}

enum { FRAME_BAD = 0, FRAME_OK = 1, FRAME_BADCRC = 2 };

/* Classifies the bytes at off: FRAME_OK (intact, *f filled), FRAME_BADCRC
 * (a complete frame whose lengths agree but whose CRC does not: *f has its
 * size), FRAME_BAD (anything else), or -errno on a read error. */
static int frame_check(struct seg_reader *r, uint64_t off, struct seg_frame *f) {
        uint8_t *p;
        uint32_t len, crc;
        int k;

        k = reader_get(r, off, SPOOL_HDR, &p);
        if (k == -ENODATA)
                return FRAME_BAD;
        if (k < 0)
                return k;
        if (get32(p) != SPOOL_MAGIC)
                return FRAME_BAD;
        len = get32(p + 4);
        if (len > SPOOL_RECORD_MAX_BYTES)
                return FRAME_BAD;
        k = reader_get(r, off, (size_t) seg_frame_size(len), &p);
        if (k == -ENODATA)
                return FRAME_BAD;
        if (k < 0)
                return k;
        if (p[SPOOL_HDR + len] != '\n' || get32(p + SPOOL_HDR + len + 1) != len)
                return FRAME_BAD;
        f->off = off;
        f->seq = get64(p + 12);
        if (f->seq == 0 || f->seq > INT64_MAX)
                return FRAME_BAD; /* seqs start at 1 and fit a JSON integer */
        f->payload = p + SPOOL_HDR;
        f->len = len;
        crc = crc32c(crc32c(0, p + 12, 8), p + SPOOL_HDR, len);
        return crc == get32(p + 8) ? FRAME_OK : FRAME_BADCRC;
}

int seg_frame_at(struct seg_reader *r, uint64_t off, struct seg_frame *f) {
        struct seg_frame t;
        int k = frame_check(r, off, &t);

        if (k < 0)
                return k;
        if (k != FRAME_OK)
                return 0;
        *f = t;
        return 1;
}

/* Offset of the next magic at or after from: 1 and *at, 0 if none, -errno. */
static int find_magic(struct seg_reader *r, uint64_t from, uint64_t *at) {
        while (from < r->size && r->size - from >= 4) {
                size_t n = r->size - from > SPOOL_WINDOW ? SPOOL_WINDOW : (size_t) (r->size - from);
                uint8_t *p, *q;
                int k = reader_get(r, from, n, &p);

                if (k < 0)
                        return k == -ENODATA ? 0 : k;
                q = memmem(p, n, magic_bytes, sizeof(magic_bytes));
                if (q) {
                        *at = from + (uint64_t) (q - p);
                        return 1;
                }
                from += n - 3;
        }
        return 0;
}

/* Walks the frames of r from start to r->size. Intact frames go to on_frame
 * (optional); a damaged stretch followed by an intact frame goes to
 * on_corrupt (optional) — a complete frame with a bad CRC is skipped whole,
 * anything else is skipped to the next magic that starts an intact frame.
 * res (optional) says where the intact part ends: whatever follows is a
 * torn tail. Returns 0, on_frame's non-zero value, or -errno. */
int seg_scan(struct seg_reader *r, uint64_t start, seg_frame_fn on_frame,
             seg_corrupt_fn on_corrupt, void *ud, struct seg_scan_result *res) {
        struct seg_scan_result z = { .valid_end = start };
        uint64_t p = start, bad_from = UINT64_MAX;
        int k;

        while (p < r->size) {
                struct seg_frame f;

                k = frame_check(r, p, &f);
                if (k < 0)
                        return k;
                if (k == FRAME_OK) {
                        if (bad_from != UINT64_MAX && on_corrupt)
                                on_corrupt(ud, bad_from, p);
                        bad_from = UINT64_MAX;
                        if (z.frames++ == 0)
                                z.first_seq = f.seq;
                        z.last_seq = f.seq;
                        z.last_off = p;
                        p += seg_frame_size(f.len);
                        z.valid_end = p;
                        if (res)
                                *res = z;
                        if (on_frame && (k = on_frame(ud, &f)) != 0)
                                return k;
                        continue;
                }
                if (bad_from == UINT64_MAX)
                        bad_from = p;
                if (k == FRAME_BADCRC) {
                        p += seg_frame_size(f.len);
                        continue;
                }
                k = find_magic(r, p + 1, &p);
                if (k < 0)
                        return k;
                if (k == 0)
                        break;
        }
        if (res)
                *res = z;
        return 0;
}

/* Copies the record's "hash" (64 lowercase hex digits) out of its JSON. */
int seg_payload_hash(const uint8_t *payload, uint32_t len, char hash[65]) {
        _cleanup_json_ json_t *j = json_loadb((const char *) payload, len, 0, NULL);
        const char *h = json_string_value(json_object_get(j, "hash"));

        if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
                return -EBADMSG;
        memcpy(hash, h, 65);
        return 0;
}
