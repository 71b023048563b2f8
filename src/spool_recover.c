/* SPDX-License-Identifier: MIT */
/*
 * Recovery at open: reads the ledger, lists the segments, removes orphans
 * the ledger had already deleted, scans every segment (O(bytes), one frame
 * in memory), truncates the torn tail of the newest one, moves segments with
 * no intact frame to corrupt/, infers the seqs lost to damage, and restores
 * next_seq and last_hash (the ledger is the floor once segments are gone).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_internal.h"
#include "util.h"

#define LEDGER_MAX (1024 * 1024)
static const char zero_hash[65] = "0000000000000000000000000000000000000000000000000000000000000000";

struct ledger {
        uint64_t first_seq, next_seq;
        char last_hash[65];
        json_t *dropped;
};

/* Reads spool/ledger.json into *l (zeroed when absent). Returns 0, or
 * -EBADMSG when the file exists but is not a valid ledger. */
static int ledger_read(struct spool *s, struct ledger *l) {
        _cleanup_free_ char *path = strdup_printf("%s/ledger.json", s->dir), *buf = NULL;
        _cleanup_json_ json_t *j = NULL;
        json_t *d;
        const char *h;
        size_t len;
        int r;

        *l = (struct ledger) { 0 };
        memcpy(l->last_hash, zero_hash, 65);
        if (!path)
                return -ENOMEM;
        r = read_full_file(path, LEDGER_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        j = json_loadb(buf, len, 0, NULL);
        h = json_string_value(json_object_get(j, "last_hash"));
        if (json_integer_value(json_object_get(j, "next_seq")) < 1 ||
            json_integer_value(json_object_get(j, "first_seq")) < 0 || !h || strlen(h) != 64 ||
            strspn(h, "0123456789abcdef") != 64)
                return -EBADMSG;
        l->next_seq = (uint64_t) json_integer_value(json_object_get(j, "next_seq"));
        l->first_seq = (uint64_t) json_integer_value(json_object_get(j, "first_seq"));
        memcpy(l->last_hash, h, 65);
        d = json_object_get(j, "dropped");
        l->dropped = json_is_array(d) ? json_incref(d) : json_array();
        return l->dropped ? 0 : -ENOMEM;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* The first seqs of the *.seg files in the spool directory, sorted. */
int spool_list_segments(int dirfd, uint64_t **ret, size_t *n) {
        _cleanup_free_ uint64_t *v = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        size_t cnt = 0, cap = 0;
        struct dirent *de;
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                uint64_t seq;
                struct stat st;
                if (seg_name_parse(de->d_name, &seq) < 0 ||
                    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (cnt == SPOOL_MAX_SEGMENTS)
                        return -E2BIG;
                if (cnt == cap) {
                        uint64_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
                        if (!nv)
                                return -ENOMEM;
                        v = nv;
                }
                v[cnt++] = seq;
        }
        if (cnt > 1)
                qsort(v, cnt, sizeof(*v), cmp_u64);
        *ret = TAKE_PTR(v);
        *n = cnt;
        return 0;
}

/* Lost-record bookkeeping across the scan of all segments. */
struct recov {
        struct spool_recovery *rep;
        uint64_t prev_seq;      /* last intact seq seen */
        uint64_t max_seq;       /* highest intact seq seen */
        bool pending;           /* damage seen since prev_seq */
};

/* Damage ended before seq next: the seqs in between are lost. */
static void recov_resolve(struct recov *rc, uint64_t next) {
        struct spool_recovery *rep = rc->rep;

        if (!rc->pending)
                return;
        rc->pending = false;
        if (next <= rc->prev_seq + 1) {
                rep->corrupt_records++; /* a stretch of bytes with no inferable seq */
                return;
        }
        rep->corrupt_records += next - rc->prev_seq - 1;
        if (rep->corrupt_first_seq == 0 || rc->prev_seq + 1 < rep->corrupt_first_seq)
                rep->corrupt_first_seq = rc->prev_seq + 1;
        if (next - 1 > rep->corrupt_last_seq)
                rep->corrupt_last_seq = next - 1;
}

static int recov_on_frame(void *ud, const struct seg_frame *f) {
        struct recov *rc = ud;

        recov_resolve(rc, f->seq);
        rc->prev_seq = f->seq;
        if (f->seq > rc->max_seq)
                rc->max_seq = f->seq;
        return 0;
}

static void recov_on_corrupt(void *ud, uint64_t off, uint64_t end) {
        ((struct recov *) ud)->pending = true;
}

/* Moves a segment with no intact frame to corrupt/ (fsyncing that dir). */
static int quarantine(struct spool *s, const char *name) {
        _cleanup_free_ char *to = strdup_printf("corrupt/%s", name);
        _cleanup_close_ int cfd = -1;

        if (!to)
                return -ENOMEM;
        if (renameat(s->dirfd, name, s->dirfd, to) < 0)
                return -errno;
        cfd = openat(s->dirfd, "corrupt", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cfd < 0 || fsync(cfd) < 0)
                return -errno;
        return 0;
}

/* Scans one segment; newest decides whether a damaged tail is torn (cut)
 * or lost (kept, counted). Keeps the newest segment open as the active one.
 * Returns 0 or -errno. */
static int recover_segment(struct spool *s, uint64_t first, bool newest, struct recov *rc,
                           bool *dir_dirty) {
        char name[32];
        _cleanup_close_ int fd = -1;
        struct seg_scan_result res;
        struct stat st;
        struct seg g;
        int r;

        seg_name(first, name);
        fd = openat(s->dirfd, name, (newest ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 && (errno == EISDIR || errno == ELOOP || errno == ENXIO))
                return 0; /* not a segment file: left alone */
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        if (first > rc->prev_seq + 1)
                recov_resolve(rc, first);
        seg_reader_init(&s->rd, fd, (uint64_t) st.st_size);
        r = seg_scan(&s->rd, 0, recov_on_frame, recov_on_corrupt, rc, &res);
        s->rd.len = 0;
        if (r < 0)
                return r;
        if (newest && res.valid_end < (uint64_t) st.st_size) {
                if (ftruncate(fd, (off_t) res.valid_end) < 0)
                        return -errno;
                rc->rep->torn_bytes = (uint64_t) st.st_size - res.valid_end;
                st.st_size = (off_t) res.valid_end;
        } else if (res.valid_end < (uint64_t) st.st_size)
                rc->pending = true; /* damage at the end of a closed segment: lost */
        if (res.frames == 0) {
                *dir_dirty = true;
                if (st.st_size == 0)
                        return unlinkat(s->dirfd, name, 0) < 0 ? -errno : 0;
                rc->rep->segments_quarantined++;
                rc->pending = true;
                return quarantine(s, name);
        }
        if (newest && fdatasync(fd) < 0)
                return -EIO;
        g = (struct seg) { .first_seq = first, .last_seq = res.last_seq, .records = res.frames,
                           .bytes = (uint64_t) st.st_size,
                           .mtime_usec = (uint64_t) st.st_mtim.tv_sec * USEC_PER_SEC +
                                         (uint64_t) st.st_mtim.tv_nsec / 1000 };
        r = spool_segs_push(s, &g);
        if (r < 0)
                return r;
        rc->rep->records += res.frames;
        if (newest) {
                s->active_fd = TAKE_FD(fd);
                s->tail = s->durable_off = g.bytes;
        }
        return 0;
}

/* Restores last_hash from the newest record (its JSON "hash"). */
static int recover_last_hash(struct spool *s) {
        struct seg *g = &s->segs[s->n_segs - 1];
        _cleanup_close_ int fd = -1;
        char name[32];
        struct seg_scan_result res;
        struct seg_frame f;
        int r;

        seg_name(g->first_seq, name);
        fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        seg_reader_init(&s->rd, fd, g->bytes);
        r = seg_scan(&s->rd, 0, NULL, NULL, NULL, &res);
        if (r >= 0 && res.frames > 0 && (r = seg_frame_at(&s->rd, res.last_off, &f)) == 1)
                r = seg_payload_hash(f.payload, f.len, s->last_hash);
        s->rd.len = 0;
        return r < 0 ? r : 0;
}

/* Evictions recorded in the ledger whose evidence.dropped record (due at
 * at_seq + 1) was not captured: handed to the next append again. */
static void recover_unreported(struct spool *s, struct spool_recovery *rep) {
        size_t i;
        json_t *e;

        json_array_foreach(s->dropped_log, i, e) {
                uint64_t at = (uint64_t) json_integer_value(json_object_get(e, "at_seq"));
                uint64_t first = (uint64_t) json_integer_value(json_object_get(e, "first_seq"));
                uint64_t last = (uint64_t) json_integer_value(json_object_get(e, "last_seq"));
                if (at + 1 < s->next_seq || last < first)
                        continue;
                if (s->unreported.count == 0)
                        s->unreported.first_seq = first;
                s->unreported.last_seq = last;
                s->unreported.count += last - first + 1;
        }
        rep->dropped_unreported_first = s->unreported.first_seq;
        rep->dropped_unreported_last = s->unreported.last_seq;
        rep->dropped_unreported_count = s->unreported.count;
}

int spool_recover(struct spool *s, struct spool_recovery *rep) {
        _cleanup_free_ uint64_t *firsts = NULL;
        struct ledger l;
        struct recov rc = { .rep = rep };
        bool dir_dirty = false;
        size_t n = 0, i = 0;
        int r;

        r = ledger_read(s, &l);
        if (r == -ENOMEM)
                return r;
        rep->ledger_unreadable = r < 0;
        s->dropped_log = l.dropped ? l.dropped : json_array();
        if (!s->dropped_log)
                return -ENOMEM;
        r = spool_list_segments(s->dirfd, &firsts, &n);
        if (r < 0)
                return r;
        for (; i < n && firsts[i] < l.first_seq; i++) {
                char name[32];
                seg_name(firsts[i], name);
                if (unlinkat(s->dirfd, name, 0) < 0 && errno != ENOENT)
                        return -errno;
                rep->orphans_removed++;
                dir_dirty = true;
        }
        rc.prev_seq = i < n && firsts[i] > 0 ? firsts[i] - 1 : 0;
        for (; i < n; i++) {
                r = recover_segment(s, firsts[i], i == n - 1, &rc, &dir_dirty);
                if (r < 0)
                        return r;
        }
        if (rc.pending) /* damage at the end of the last closed segment */
                rep->corrupt_records++;
        if (dir_dirty && (r = spool_fsync_dir(s)) < 0)
                return r;
        memcpy(s->last_hash, zero_hash, 65);
        s->next_seq = 1;
        if (s->n_segs > 0) {
                s->next_seq = rc.max_seq + 1;
                r = recover_last_hash(s);
                if (r == -ENOMEM)
                        return r;
        }
        if (l.next_seq > s->next_seq) {
                s->next_seq = l.next_seq;
                memcpy(s->last_hash, l.last_hash, 65);
        }
        s->durable_seq = s->next_seq - 1;
        memcpy(s->durable_hash, s->last_hash, 65);
        recover_unreported(s, rep);
        return 0;
}
