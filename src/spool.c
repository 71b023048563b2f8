/* SPDX-License-Identifier: MIT */
/*
 * The evidence spool: appending (O(1) per record, one pwritev), group
 * commit and the fsync-failure path, eviction when full, per-output
 * cursors, retention, and streaming reads. Recovery at open lives in
 * spool_recover.c, the frame format and scanner in spool_segment.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "spool_internal.h"
#include "util.h"

#define CURSOR_FILE_MAX (64 * 1024)

int spool_fsync_dir(struct spool *s) { return fsync(s->dirfd) < 0 ? -EIO : 0; }

int spool_segs_push(struct spool *s, const struct seg *g) {
        if (s->n_segs == s->cap_segs) {
                size_t cap = s->cap_segs ? s->cap_segs * 2 : 16;
                struct seg *n = realloc(s->segs, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                s->segs = n;
                s->cap_segs = cap;
        }
        s->segs[s->n_segs++] = *g;
        s->total_bytes += g->bytes;
        s->total_records += g->records;
        return 0;
}

static bool hash_valid(const char *h) {
        return h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

static struct seg *active_seg(struct spool *s) {
        return s->active_fd >= 0 ? &s->segs[s->n_segs - 1] : NULL;
}

/* Writes the ledger (atomically): the durable chain position, the first seq
 * the spool still holds after the deletion about to happen, the eviction log. */
int spool_ledger_write(struct spool *s, uint64_t first_seq) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL, *path = NULL;

        j = json_pack("{s:i, s:I, s:I, s:s, s:O}", "version", 1, "first_seq", (json_int_t) first_seq,
                      "next_seq", (json_int_t) (s->durable_seq + 1), "last_hash", s->durable_hash,
                      "dropped", s->dropped_log);
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        path = strdup_printf("%s/ledger.json", s->dir);
        if (!text || !path)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0600);
}

/* The lowest acked_seq over all cursors; *any false when there is none. */
static uint64_t min_acked(const struct spool *s, bool *any) {
        uint64_t m = UINT64_MAX;

        for (size_t i = 0; i < s->n_cursors; i++)
                if (s->cursors[i]->acked_seq < m)
                        m = s->cursors[i]->acked_seq;
        *any = s->n_cursors > 0;
        return s->n_cursors > 0 ? m : 0;
}

/* Logs an eviction of [first, last] in the ledger's list (bounded). */
static int dropped_log_add(struct spool *s, uint64_t first, uint64_t last) {
        json_t *e = json_pack("{s:I, s:I, s:I, s:I}", "first_seq", (json_int_t) first, "last_seq",
                              (json_int_t) last, "count", (json_int_t) (last - first + 1), "at_seq",
                              (json_int_t) s->next_seq);

        if (!e || json_array_append_new(s->dropped_log, e) < 0)
                return -ENOMEM;
        while (json_array_size(s->dropped_log) > SPOOL_DROPPED_LOG_MAX)
                json_array_remove(s->dropped_log, 0);
        return 0;
}

/* Deletes the oldest segment: ledger first, then unlink, then fsync of the
 * directory. When evicting, the records not yet delivered to every cursor
 * are logged and queued for the next append's *dropped. Returns 0 or -errno
 * (nothing deleted then). */
static int seg_delete_oldest(struct spool *s, bool evicting) {
        struct seg g = s->segs[0];
        uint64_t new_first = s->n_segs > 1 ? s->segs[1].first_seq : s->next_seq;
        uint64_t first = 0, last = 0;
        char name[32];
        bool any, drop = false;
        int r;

        if (evicting && g.records > 0) {
                uint64_t acked = min_acked(s, &any);
                first = g.first_seq > acked + 1 ? g.first_seq : acked + 1;
                last = g.last_seq;
                drop = last >= first;
        }
        if (drop && (r = dropped_log_add(s, first, last)) < 0)
                return r;
        r = spool_ledger_write(s, new_first);
        if (r < 0) {
                if (drop)
                        json_array_remove(s->dropped_log, json_array_size(s->dropped_log) - 1);
                return r;
        }
        if (s->n_segs == 1 && s->active_fd >= 0) {
                close(s->active_fd);
                s->active_fd = -1;
                s->tail = s->durable_off = 0;
        }
        seg_name(g.first_seq, name);
        if (unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        memmove(s->segs, s->segs + 1, (s->n_segs - 1) * sizeof(*s->segs));
        s->n_segs--;
        s->total_bytes -= g.bytes;
        s->total_records -= g.records;
        if (drop) {
                if (s->unreported.count == 0)
                        s->unreported.first_seq = first;
                s->unreported.last_seq = last;
                s->unreported.count += last - first + 1;
        }
        return spool_fsync_dir(s);
}

/* --- open / close ------------------------------------------------------------ */

static int mkdir_sub(int dirfd, const char *name) {
        if (mkdirat(dirfd, name, 0750) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* Creates state_dir/spool (and its cursors/, corrupt/) and opens it. */
static int spool_dir_open(struct spool *s, const char *state_dir) {
        _cleanup_close_ int sfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool created;
        int r;

        if (sfd < 0)
                return -errno;
        created = mkdirat(sfd, "spool", 0750) == 0;
        if (!created && errno != EEXIST)
                return -errno;
        if (created && fsync(sfd) < 0)
                return -EIO;
        s->dirfd = openat(sfd, "spool", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dirfd < 0)
                return -errno;
        if ((r = mkdir_sub(s->dirfd, "cursors")) < 0 || (r = mkdir_sub(s->dirfd, "corrupt")) < 0)
                return r;
        return created ? spool_fsync_dir(s) : 0;
}

int spool_open(const char *state_dir, const struct spool_options *opt, struct spool **ret,
               struct spool_recovery *report) {
        struct spool_recovery rep = { 0 };
        struct spool *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return -ENOMEM;
        s->dirfd = s->active_fd = -1;
        if (opt)
                s->opt = *opt;
        s->seg_max = s->opt.segment_max_bytes ? s->opt.segment_max_bytes : SPOOL_SEGMENT_MAX_BYTES;
        if (s->opt.max_bytes && s->seg_max > s->opt.max_bytes / 4)
                s->seg_max = s->opt.max_bytes / 4;
        s->dir = strdup_printf("%s/spool", state_dir);
        r = s->dir ? spool_dir_open(s, state_dir) : -ENOMEM;
        if (r >= 0)
                r = spool_recover(s, &rep);
        if (r >= 0)
                r = spool_cursor_load_all(s);
        if (r < 0) {
                spool_close(s);
                return r;
        }
        *ret = s;
        if (report)
                *report = rep;
        return 0;
}

void spool_close(struct spool *s) {
        if (!s)
                return;
        if (s->active_fd >= 0)
                close(s->active_fd);
        if (s->dirfd >= 0)
                close(s->dirfd);
        for (size_t i = 0; i < s->n_cursors; i++) {
                free(s->cursors[i]->name);
                free(s->cursors[i]);
        }
        free(s->cursors);
        json_decref(s->dropped_log);
        seg_reader_done(&s->rd);
        free(s->segs);
        free(s->dir);
        free(s);
}

uint64_t spool_next_seq(const struct spool *s) { return s->next_seq; }
const char *spool_last_hash(const struct spool *s) { return s->last_hash; }
uint64_t spool_durable_seq(const struct spool *s) { return s->durable_seq; }

void spool_usage(const struct spool *s, uint64_t *records, uint64_t *bytes) {
        if (records)
                *records = s->total_records;
        if (bytes)
                *bytes = s->total_bytes;
}

/* --- appending ------------------------------------------------------------------ */

/* Evicts oldest segments until a frame of size need fits in max_bytes. */
static int make_room(struct spool *s, uint64_t need) {
        int r;

        while (s->opt.max_bytes && s->n_segs > 0 && s->total_bytes + need > s->opt.max_bytes)
                if ((r = seg_delete_oldest(s, true)) < 0)
                        return r;
        return 0;
}

/* Closes the active segment when the frame would overflow it, after syncing
 * what it holds (so every closed segment is durable). */
static int maybe_rotate(struct spool *s, uint64_t need) {
        struct seg *g = active_seg(s);
        int r;

        if (!g || g->bytes == 0 || g->bytes + need <= s->seg_max)
                return 0;
        if (s->tail > s->durable_off && (r = spool_sync(s)) < 0)
                return r;
        close(s->active_fd);
        s->active_fd = -1;
        s->tail = s->durable_off = 0;
        return 0;
}

/* Creates the segment for first_seq and makes its name durable. */
static int ensure_active(struct spool *s, uint64_t first_seq) {
        char name[32];
        struct seg g = { .first_seq = first_seq, .last_seq = first_seq - 1,
                         .mtime_usec = now_realtime_usec() };
        int fd, r;

        if (s->active_fd >= 0)
                return 0;
        seg_name(first_seq, name);
        fd = openat(s->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
        if (fd < 0)
                return -errno;
        r = spool_fsync_dir(s);
        if (r >= 0)
                r = spool_segs_push(s, &g);
        if (r < 0) {
                close(fd);
                unlinkat(s->dirfd, name, 0);
                return r;
        }
        s->active_fd = fd;
        s->tail = s->durable_off = 0;
        return 0;
}

static int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off) {
        while (n > 0) {
                ssize_t k = pwrite(fd, p, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
                off += (uint64_t) k;
        }
        return 0;
}

/* Writes one frame at the tail of the active segment: one pwritev, then
 * plain pwrites for whatever a short write left. */
static int write_frame(struct spool *s, uint64_t seq, const char *text, size_t len) {
        uint8_t hdr[SPOOL_HDR], tr[SPOOL_TRAILER];
        struct iovec iov[3] = { { hdr, sizeof(hdr) }, { (void *) text, len }, { tr, sizeof(tr) } };
        uint64_t off = s->tail;
        size_t done;
        ssize_t k;

        seg_frame_encode(seq, text, (uint32_t) len, hdr, tr);
        do
                k = pwritev(s->active_fd, iov, 3, (off_t) s->tail);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        done = (size_t) k;
        for (int i = 0; i < 3 && done < sizeof(hdr) + len + sizeof(tr); i++) {
                size_t skip = done < iov[i].iov_len ? done : iov[i].iov_len;
                int r = pwrite_all(s->active_fd, (uint8_t *) iov[i].iov_base + skip,
                                   iov[i].iov_len - skip, off + skip);
                if (r < 0)
                        return r;
                done -= skip;
                off += iov[i].iov_len;
        }
        return 0;
}

int spool_append(struct spool *s, uint64_t seq, const char *hash, const char *text, size_t len,
                 struct spool_dropped *dropped) {
        uint64_t need = seg_frame_size((uint32_t) (len > SPOOL_RECORD_MAX_BYTES ? 0 : len));
        struct seg *g;
        int r;

        if (s->broken)
                return -EIO;
        if (len > SPOOL_RECORD_MAX_BYTES)
                return -E2BIG;
        if (seq != s->next_seq || !hash_valid(hash) || memchr(text, '\n', len))
                return -EINVAL;
        if (s->opt.max_bytes && need > s->opt.max_bytes)
                return -ENOSPC;
        if ((r = make_room(s, need)) < 0 || (r = maybe_rotate(s, need)) < 0 ||
            (r = ensure_active(s, seq)) < 0)
                return r;
        r = write_frame(s, seq, text, len);
        if (r < 0) {
                /* nothing counted; what reached the file is overwritten next */
                (void) !ftruncate(s->active_fd, (off_t) s->tail);
                return r;
        }
        g = active_seg(s);
        s->tail += need;
        g->bytes += need;
        g->records++;
        g->last_seq = seq;
        g->mtime_usec = now_realtime_usec();
        s->total_bytes += need;
        s->total_records++;
        s->next_seq = seq + 1;
        memcpy(s->last_hash, hash, 65);
        if (s->opt.sync == SPOOL_SYNC_ALWAYS && (r = spool_sync(s)) < 0)
                return r;
        if (dropped) {
                *dropped = s->unreported;
                s->unreported = (struct spool_dropped) { 0 };
        }
        return 0;
}

/* --- sync and the fsync-failure path ------------------------------------------- */

/* Copies [from, to) of the active segment onto itself, so those pages are
 * dirty again and the next fdatasync writes them for real. */
static int rewrite_range(struct spool *s, uint64_t from, uint64_t to) {
        uint8_t buf[64 * 1024];

        while (from < to) {
                size_t n = to - from > sizeof(buf) ? sizeof(buf) : (size_t) (to - from);
                ssize_t k = pread(s->active_fd, buf, n, (off_t) from);
                int r;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                if ((r = pwrite_all(s->active_fd, buf, (size_t) k, from)) < 0)
                        return r;
                from += (uint64_t) k;
        }
        return 0;
}

/* After a failed fdatasync nothing past durable_off is known to be on disk
 * (fsyncgate: the kernel may have dropped the pages and will report success
 * next time). Re-reads that part from the file: the frames that read back
 * intact and in sequence are written again, to be synced by the next
 * spool_sync(); the rest is truncated, and next_seq/last_hash go back to
 * the last frame kept. A failure here leaves the spool broken (-EIO until
 * reopened). */
static void sync_failed(struct spool *s) {
        struct seg *g = active_seg(s);
        uint64_t p = s->durable_off, expect, kept_last_off = UINT64_MAX, lost;
        struct stat st;
        struct seg_frame f;
        int r = 0;

        expect = s->durable_off == 0 ? g->first_seq : s->durable_seq + 1;
        if (fstat(s->active_fd, &st) < 0) {
                s->broken = true;
                return;
        }
        memset(s->hints, 0, sizeof(s->hints));
        seg_reader_init(&s->rd, s->active_fd, (uint64_t) st.st_size);
        while (expect < s->next_seq && (r = seg_frame_at(&s->rd, p, &f)) == 1 && f.seq == expect) {
                kept_last_off = p;
                p += seg_frame_size(f.len);
                expect++;
        }
        lost = s->next_seq - expect;
        if (r >= 0 && lost > 0) {
                if (kept_last_off == UINT64_MAX)
                        memcpy(s->last_hash, s->durable_hash, 65);
                else if (seg_frame_at(&s->rd, kept_last_off, &f) == 1)
                        (void) seg_payload_hash(f.payload, f.len, s->last_hash);
        }
        s->rd.len = 0;
        if (r < 0 || ftruncate(s->active_fd, (off_t) p) < 0 ||
            rewrite_range(s, s->durable_off, p) < 0) {
                s->broken = true;
                return;
        }
        s->total_bytes -= s->tail - p;
        s->total_records -= lost;
        g->bytes = p;
        g->records -= lost;
        g->last_seq = expect - 1;
        s->tail = p;
        s->next_seq = expect;
}

int spool_sync(struct spool *s) {
        if (s->broken)
                return -EIO;
        if (s->active_fd < 0 || s->tail == s->durable_off)
                return 0;
        if (fdatasync(s->active_fd) < 0) {
                sync_failed(s);
                return -EIO;
        }
        s->durable_off = s->tail;
        s->durable_seq = s->next_seq - 1;
        memcpy(s->durable_hash, s->last_hash, 65);
        return 0;
}

/* --- reading ----------------------------------------------------------------------- */

struct read_ctx {
        uint64_t after, limit;      /* give seqs in (after, limit] */
        size_t max, given;
        spool_record_fn fn;
        void *userdata;
        uint64_t resume_off;        /* where the next read continues in this segment */
        uint64_t refused_seq, refused_end; /* the record fn stopped at, and its end */
        int error;                  /* a negative value fn returned */
};

/* Hands one intact frame to the caller's fn with its text NUL-terminated
 * (in place of the '\n', restored after). Returns 1 to stop the scan. */
static int read_on_frame(void *ud, const struct seg_frame *f) {
        struct read_ctx *c = ud;
        struct spool_record rec = { .seq = f->seq, .text = (const char *) f->payload, .len = f->len };
        int r;

        if (f->seq <= c->after)
                return 0;
        if (f->seq > c->limit) {
                c->resume_off = f->off;
                return 1;
        }
        f->payload[f->len] = '\0';
        r = c->fn(&rec, c->userdata);
        f->payload[f->len] = '\n';
        if (r != 0) {
                c->resume_off = f->off;
                c->refused_seq = f->seq;
                c->refused_end = f->off + seg_frame_size(f->len);
                if (r < 0)
                        c->error = r;
                return 1;
        }
        c->given++;
        c->after = f->seq;
        c->resume_off = f->off + seg_frame_size(f->len);
        return c->max && c->given >= c->max ? 1 : 0;
}

/* Index of the segment holding first_seq exactly, or of the last one whose
 * first seq is <= seq (exact = false); n_segs when there is none. */
static size_t seg_find(const struct spool *s, uint64_t seq, bool exact) {
        size_t lo = 0, hi = s->n_segs;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->segs[mid].first_seq <= seq)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == 0)
                return exact ? s->n_segs : 0;
        if (exact && s->segs[lo - 1].first_seq != seq)
                return s->n_segs;
        return lo - 1;
}

/* Where a read for seq > after starts: segment index and offset, from a hint
 * a previous read left, or the segment's start. */
static size_t read_start(struct spool *s, uint64_t after, uint64_t *off) {
        for (int i = 0; i < SPOOL_HINTS; i++) {
                struct read_hint *h = &s->hints[i];
                size_t k;
                if (h->stamp == 0 || h->next_seq != after + 1)
                        continue;
                k = seg_find(s, h->seg_first, true);
                if (k < s->n_segs) {
                        *off = h->off;
                        return k;
                }
        }
        *off = 0;
        return seg_find(s, after + 1, false);
}

static void hint_store(struct spool *s, uint64_t next_seq, uint64_t seg_first, uint64_t off) {
        struct read_hint *victim = &s->hints[0];

        for (int i = 0; i < SPOOL_HINTS; i++) {
                if (s->hints[i].next_seq == next_seq || s->hints[i].stamp == 0) {
                        victim = &s->hints[i];
                        break;
                }
                if (s->hints[i].stamp < victim->stamp)
                        victim = &s->hints[i];
        }
        *victim = (struct read_hint) { next_seq, seg_first, off, ++s->hint_clock };
}

/* Scans segment k from off on for the read in c. Returns 1 when the read is
 * complete, 0 to go on with the next segment, -errno. */
static int read_segment(struct spool *s, size_t k, uint64_t off, struct read_ctx *c) {
        const struct seg *g = &s->segs[k];
        bool active = k == s->n_segs - 1 && s->active_fd >= 0;
        _cleanup_close_ int fd = -1;
        char name[32];
        struct stat st;
        int r;

        if (!active && g->last_seq <= c->after)
                return 0;
        seg_name(g->first_seq, name);
        fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        seg_reader_init(&s->rd, fd, active ? s->durable_off : (uint64_t) st.st_size);
        c->resume_off = off;
        r = seg_scan(&s->rd, off, read_on_frame, NULL, c, NULL);
        s->rd.len = 0;
        if (r < 0)
                return r;
        if (r == 0)
                c->resume_off = s->rd.size;
        hint_store(s, c->after + 1, g->first_seq, c->resume_off);
        if (c->refused_seq) /* fn may have taken it before saying stop */
                hint_store(s, c->refused_seq + 1, g->first_seq, c->refused_end);
        return r > 0;
}

int spool_read(struct spool *s, uint64_t after, size_t max, spool_record_fn fn, void *userdata) {
        struct read_ctx c = { .after = after, .limit = s->durable_seq, .max = max, .fn = fn,
                              .userdata = userdata };
        uint64_t off;
        size_t k;
        int r;

        if (after >= s->durable_seq)
                return 0;
        for (k = read_start(s, after, &off); k < s->n_segs; k++, off = 0) {
                r = read_segment(s, k, off, &c);
                if (r < 0)
                        return r;
                if (r > 0)
                        break;
        }
        if (c.error < 0)
                return c.error;
        return c.given > INT32_MAX ? INT32_MAX : (int) c.given;
}

int spool_read_dir(const char *spool_dir, spool_record_fn fn, void *userdata) {
        _cleanup_close_ int dfd = open(spool_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ uint64_t *firsts = NULL;
        struct read_ctx c = { .limit = UINT64_MAX, .fn = fn, .userdata = userdata };
        struct seg_reader rd = { .fd = -1 };
        size_t n = 0;
        int r;

        if (dfd < 0)
                return -errno;
        r = spool_list_segments(dfd, &firsts, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_close_ int fd = -1;
                char name[32];
                struct stat st;

                seg_name(firsts[i], name);
                fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                seg_reader_init(&rd, fd, (uint64_t) st.st_size);
                r = seg_scan(&rd, 0, read_on_frame, NULL, &c, NULL);
                if (r > 0)
                        break;
        }
        seg_reader_done(&rd);
        if (r < 0)
                return r;
        if (c.error < 0)
                return c.error;
        return c.given > INT32_MAX ? INT32_MAX : (int) c.given;
}

/* --- cursors ------------------------------------------------------------------------ */

static bool cursor_name_valid(const char *name) {
        size_t n = strlen(name);

        return n > 0 && n <= 64 && name[0] != '.' &&
               strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static int cursor_write(struct spool *s, const struct spool_cursor *c) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL, *path = NULL;
        json_t *batch = c->batch_id[0]
                                ? json_pack("{s:s, s:I, s:I}", "id", c->batch_id, "first_seq",
                                            (json_int_t) c->batch_first, "last_seq",
                                            (json_int_t) c->batch_last)
                                : json_null();

        j = batch ? json_pack("{s:s, s:I, s:o}", "name", c->name, "acked_seq",
                              (json_int_t) c->acked_seq, "batch", batch)
                  : NULL;
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        path = strdup_printf("%s/cursors/%s.json", s->dir, c->name);
        if (!text || !path)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0600);
}

/* Adds a cursor to the spool's list; takes name. */
static int cursor_add(struct spool *s, char *name, uint64_t acked, struct spool_cursor **ret) {
        struct spool_cursor **v, *c;

        if (s->n_cursors == SPOOL_MAX_CURSORS) {
                free(name);
                return -E2BIG;
        }
        v = realloc(s->cursors, (s->n_cursors + 1) * sizeof(*v));
        c = calloc(1, sizeof(*c));
        if (v)
                s->cursors = v;
        if (!v || !c) {
                free(c);
                free(name);
                return -ENOMEM;
        }
        c->name = name;
        c->acked_seq = acked;
        s->cursors[s->n_cursors++] = c;
        *ret = c;
        return 0;
}

/* Parses one cursor file; files that are not valid cursors are ignored. */
static int cursor_load(struct spool *s, const char *name) {
        _cleanup_free_ char *path = strdup_printf("%s/cursors/%s.json", s->dir, name), *buf = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct spool_cursor *c;
        json_t *b;
        const char *id;
        size_t len;
        int r;

        if (!path)
                return -ENOMEM;
        if (read_full_file(path, CURSOR_FILE_MAX, &buf, &len) < 0)
                return 0;
        j = json_loadb(buf, len, 0, NULL);
        if (!j || json_integer_value(json_object_get(j, "acked_seq")) < 0)
                return 0;
        r = cursor_add(s, strdup(name), (uint64_t) json_integer_value(json_object_get(j, "acked_seq")),
                       &c);
        if (r < 0)
                return r;
        b = json_object_get(j, "batch");
        id = json_string_value(json_object_get(b, "id"));
        if (id && strlen(id) > 0 && strlen(id) < sizeof(c->batch_id)) {
                strcpy(c->batch_id, id);
                c->batch_first = (uint64_t) json_integer_value(json_object_get(b, "first_seq"));
                c->batch_last = (uint64_t) json_integer_value(json_object_get(b, "last_seq"));
        }
        return 0;
}

int spool_cursor_load_all(struct spool *s) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(s->dirfd, "cursors", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

        if (fd < 0)
                return -errno;
        if (!(d = fdopendir(fd))) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                char name[70];
                if (n < 6 || n - 5 > 64 || strcmp(de->d_name + n - 5, ".json") != 0)
                        continue;
                memcpy(name, de->d_name, n - 5);
                name[n - 5] = '\0';
                if (!cursor_name_valid(name) || s->n_cursors == SPOOL_MAX_CURSORS)
                        continue;
                if ((r = cursor_load(s, name)) < 0)
                        return r;
        }
        return 0;
}

int spool_cursor_get(struct spool *s, const char *name, struct spool_cursor **ret) {
        struct spool_cursor *c;
        char *dup;
        int r;

        if (!cursor_name_valid(name))
                return -EINVAL;
        for (size_t i = 0; i < s->n_cursors; i++)
                if (streq(s->cursors[i]->name, name)) {
                        *ret = s->cursors[i];
                        return 0;
                }
        if (!(dup = strdup(name)))
                return -ENOMEM;
        r = cursor_add(s, dup, s->n_segs > 0 ? s->segs[0].first_seq - 1 : s->next_seq - 1, &c);
        if (r < 0)
                return r;
        r = cursor_write(s, c);
        if (r < 0) {
                s->n_cursors--;
                free(c->name);
                free(c);
                return r;
        }
        *ret = c;
        return 0;
}

int spool_cursor_seal(struct spool *s, struct spool_cursor *c, const char *batch_id, uint64_t first,
                      uint64_t last) {
        struct spool_cursor old = *c;
        size_t n = strlen(batch_id);
        int r;

        if (n == 0 || n >= sizeof(c->batch_id) || first <= c->acked_seq || last < first ||
            last > s->durable_seq)
                return -EINVAL;
        memcpy(c->batch_id, batch_id, n + 1);
        c->batch_first = first;
        c->batch_last = last;
        r = cursor_write(s, c);
        if (r < 0)
                *c = old;
        return r;
}

int spool_cursor_ack(struct spool *s, struct spool_cursor *c, uint64_t last) {
        struct spool_cursor old = *c;
        int r;

        if (last > s->durable_seq || last < c->acked_seq)
                return -EINVAL;
        c->acked_seq = last;
        if (c->batch_id[0] && last >= c->batch_last) {
                c->batch_id[0] = '\0';
                c->batch_first = c->batch_last = 0;
        }
        r = cursor_write(s, c);
        if (r < 0)
                *c = old;
        return r;
}

/* --- retention ---------------------------------------------------------------------- */

int spool_expire(struct spool *s, uint64_t now_realtime_usec) {
        uint64_t acked;
        bool any;
        int n = 0, r;

        if (s->opt.retention_usec == 0)
                return 0;
        acked = min_acked(s, &any);
        while (any && s->n_segs > 0) {
                const struct seg *g = &s->segs[0];
                if (s->n_segs == 1 && s->active_fd >= 0)
                        break;
                if (g->last_seq > acked || g->mtime_usec + s->opt.retention_usec > now_realtime_usec)
                        break;
                if ((r = seg_delete_oldest(s, false)) < 0)
                        return r;
                n++;
        }
        return n;
}
