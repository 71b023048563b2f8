/* SPDX-License-Identifier: MIT */
/*
 * The spool on real files in a temporary state directory: round trip across
 * segment rotation, torn tails at every byte of the last record, a flipped
 * byte anywhere in a middle record, unparseable segments, fsync failures
 * (LD_PRELOAD shim, in a re-executed copy of this binary), eviction, cursors,
 * retention and delete ordering, and 200 kill -9s in the middle of writes.
 */
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "spool.h"
#include "testutil.h"
#include "util.h"

#define FRAME_OVERHEAD 25

/* --- helpers -------------------------------------------------------------------- */

static void hash_of(uint64_t seq, char out[65]) {
        snprintf(out, 65, "%032" PRIx64 "%032" PRIx64, (uint64_t) (seq * 0x9E3779B97F4A7C15ull), seq);
}

/* A record shaped like an evidence record; its length varies with seq. */
static size_t rec_text(uint64_t seq, char *buf, size_t size) {
        char h[65], prev[65];
        int pad = (int) ((seq * 37) % 150);

        hash_of(seq, h);
        hash_of(seq - 1, prev);
        return (size_t) snprintf(buf, size,
                                 "{\"schema\":\"complyd.evidence.v1\",\"type\":\"result\",\"seq\":%" PRIu64
                                 ",\"control\":{\"id\":\"ssh-mfa-enforced\"},\"status\":\"pass\","
                                 "\"note\":\"%.*s\",\"prev_hash\":\"%s\",\"hash\":\"%s\"}",
                                 seq, pad,
                                 "..................................................................."
                                 "..................................................................."
                                 "..................",
                                 prev, h);
}

static int append_one(struct spool *s, uint64_t seq, struct spool_dropped *d) {
        char text[512], h[65];
        size_t n = rec_text(seq, text, sizeof(text));

        hash_of(seq, h);
        return spool_append(s, seq, h, text, n, d);
}

static void append_range(struct spool *s, uint64_t from, uint64_t to) {
        for (uint64_t q = from; q <= to; q++) {
                ck_assert_uint_eq(spool_next_seq(s), q);
                ck_assert_int_eq(append_one(s, q, NULL), 0);
        }
}

struct collected {
        uint64_t seqs[20000];
        size_t n;
        bool text_ok;
};

/* Records every seq and whether the text is the one append_one wrote. */
static int collect(const struct spool_record *rec, void *ud) {
        struct collected *c = ud;
        char want[512];
        size_t n = rec_text(rec->seq, want, sizeof(want));

        if (rec->len != n || memcmp(rec->text, want, n) != 0 || rec->text[n] != '\0')
                c->text_ok = false;
        if (c->n < ELEMENTSOF(c->seqs))
                c->seqs[c->n++] = rec->seq;
        return 0;
}

static struct collected *read_all(struct spool *s, uint64_t after) {
        struct collected *c = calloc(1, sizeof(*c));

        c->text_ok = true;
        ck_assert_int_ge(spool_read(s, after, 0, collect, c), 0);
        return c;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f) {
        return remove(p);
}

static char tmpdir[64];

static void setup(void) {
        strcpy(tmpdir, "/tmp/test_spool.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void) { nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char *spath(const char *rel) {
        static char buf[4][512];
        static int i;
        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%s/spool/%s", tmpdir, rel);
        return buf[i];
}

static char *seg_path(uint64_t first) {
        char name[32];
        snprintf(name, sizeof(name), "%016" PRIx64 ".seg", first);
        return spath(name);
}

static off_t file_size(const char *p) {
        struct stat st;
        return stat(p, &st) < 0 ? -1 : st.st_size;
}

static char *slurp(const char *p, size_t *len) {
        char *buf = NULL;
        ck_assert_int_eq(read_full_file(p, 64 << 20, &buf, len), 0);
        return buf;
}

static void put_file(const char *p, const void *data, size_t len) {
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
        close(fd);
}

/* The first seqs of the segment files, sorted (at most max). */
static size_t list_segs(uint64_t *out, size_t max) {
        DIR *d = opendir(spath(""));
        struct dirent *de;
        size_t n = 0;

        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (strlen(de->d_name) == 20 && strcmp(de->d_name + 16, ".seg") == 0 && n < max)
                        out[n++] = strtoull(de->d_name, NULL, 16);
        closedir(d);
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
                        uint64_t t = out[j];
                        out[j] = out[j - 1];
                        out[j - 1] = t;
                }
        return n;
}

static struct spool *open_spool(const struct spool_options *o, struct spool_recovery *rep) {
        struct spool *s = NULL;
        struct spool_recovery dummy;
        ck_assert_int_eq(spool_open(tmpdir, o, &s, rep ? rep : &dummy), 0);
        return s;
}

static void assert_contiguous(const struct collected *c, uint64_t first, uint64_t last) {
        ck_assert(c->text_ok);
        ck_assert_uint_eq(c->n, last - first + 1);
        for (size_t i = 0; i < c->n; i++)
                ck_assert_uint_eq(c->seqs[i], first + i);
}

/* A spool of 5 records in one segment, closed; the segment's bytes and the
 * offsets where each record starts (off[5] = end). */
static char *five_records(uint64_t off[6], size_t *len) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool *s = open_spool(&o, NULL);
        char text[512];

        off[0] = 0;
        for (uint64_t q = 1; q <= 5; q++) {
                ck_assert_int_eq(append_one(s, q, NULL), 0);
                off[q] = off[q - 1] + FRAME_OVERHEAD + rec_text(q, text, sizeof(text));
        }
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
        return slurp(seg_path(1), len);
}

/* --- round trip ------------------------------------------------------------------ */

static int stop_after_bytes(const struct spool_record *rec, void *ud) {
        size_t *budget = ud;
        if (rec->len > *budget)
                return 1;
        *budget -= rec->len;
        return 0;
}

/* Takes the record, then says stop every 7th (as the shipper does when a
 * batch is full). */
static int take_then_stop(const struct spool_record *rec, void *ud) {
        struct collected *c = ud;
        collect(rec, ud);
        return c->n % 7 == 0;
}

static int fail_enomem(const struct spool_record *rec, void *ud) { return -ENOMEM; }

START_TEST(test_round_trip_rotation) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 4096 };
        struct spool_recovery rep;
        struct spool *s = open_spool(&o, &rep);
        _cleanup_free_ struct collected *c = NULL, *paged = calloc(1, sizeof(*paged));
        uint64_t segs[256], records, bytes, sum = 0, after = 0;
        char h[65];
        size_t n;

        ck_assert_uint_eq(spool_next_seq(s), 1);
        ck_assert_str_eq(spool_last_hash(s), "0000000000000000000000000000000000000000000000000000000000000000");
        for (uint64_t q = 1; q <= 600; q += 10) {
                append_range(s, q, q + 9);
                ck_assert_int_eq(spool_sync(s), 0);
                ck_assert_uint_eq(spool_durable_seq(s), q + 9);
        }
        c = read_all(s, 0);
        assert_contiguous(c, 1, 600);
        spool_usage(s, &records, &bytes);
        ck_assert_uint_eq(records, 600);
        spool_close(s);

        /* files named by their first record, none over the segment size */
        n = list_segs(segs, 256);
        ck_assert_uint_gt(n, 10);
        ck_assert_uint_eq(segs[0], 1);
        for (size_t i = 0; i < n; i++) {
                size_t len;
                _cleanup_free_ char *b = slurp(seg_path(segs[i]), &len);
                uint64_t first;
                memcpy(&first, b + 12, 8);
                ck_assert_uint_eq(first, segs[i]);
                ck_assert_uint_le(len, 4096);
                sum += len;
                /* the JSON text is there as is, one record a line */
                ck_assert_ptr_nonnull(memmem(b, len, "{\"schema\":\"complyd.evidence.v1\"", 31));
        }
        ck_assert_uint_eq(sum, bytes);

        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.records, 600);
        ck_assert_uint_eq(rep.torn_bytes, 0);
        ck_assert_uint_eq(rep.corrupt_records, 0);
        ck_assert_uint_eq(spool_next_seq(s), 601);
        hash_of(600, h);
        ck_assert_str_eq(spool_last_hash(s), h);
        /* paged reads, each continuing where the last stopped */
        paged->text_ok = true;
        while (after < 600) {
                int k = spool_read(s, after, 7, collect, paged);
                ck_assert_int_gt(k, 0);
                ck_assert_int_le(k, 7);
                after = paged->seqs[paged->n - 1];
        }
        assert_contiguous(paged, 1, 600);
        /* a callback that refuses a record stops before it */
        {
                size_t budget = 2000;
                _cleanup_free_ struct collected *rest = calloc(1, sizeof(*rest));
                int k = spool_read(s, 0, 0, stop_after_bytes, &budget);
                ck_assert_int_ge(k, 2);
                ck_assert_int_lt(k, 10);
                /* the refused record is the first of the next read */
                ck_assert_int_eq(spool_read(s, (uint64_t) k, 1, collect, rest), 1);
                ck_assert_uint_eq(rest->seqs[0], (uint64_t) k + 1);
                ck_assert_int_eq(spool_read(s, 600, 0, collect, paged), 0);
        }
        {
                _cleanup_free_ struct collected *t = calloc(1, sizeof(*t));
                t->text_ok = true;
                while (t->n < 600) {
                        ck_assert_int_ge(spool_read(s, t->n ? t->seqs[t->n - 1] : 0, 0, take_then_stop, t), 0);
                }
                assert_contiguous(t, 1, 600);
                ck_assert_int_eq(spool_read(s, 0, 0, fail_enomem, NULL), -ENOMEM);
                ck_assert_int_eq(spool_read_dir(spath(""), fail_enomem, NULL), -ENOMEM);
        }
        append_range(s, 601, 605);
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
}
END_TEST

START_TEST(test_unsynced_records_are_not_read) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool *s = open_spool(&o, NULL);
        _cleanup_free_ struct collected *a = NULL, *b = NULL;

        append_range(s, 1, 5);
        ck_assert_int_eq(spool_sync(s), 0);
        append_range(s, 6, 8);
        ck_assert_uint_eq(spool_durable_seq(s), 5);
        a = read_all(s, 0);
        assert_contiguous(a, 1, 5);
        ck_assert_int_eq(spool_sync(s), 0);
        ck_assert_uint_eq(spool_durable_seq(s), 8);
        b = read_all(s, 5);
        assert_contiguous(b, 6, 8);
        spool_close(s);

        o.sync = SPOOL_SYNC_ALWAYS;
        s = open_spool(&o, NULL);
        ck_assert_int_eq(append_one(s, 9, NULL), 0);
        ck_assert_uint_eq(spool_durable_seq(s), 9);
        spool_close(s);
}
END_TEST

START_TEST(test_append_rejects) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool *s = open_spool(&o, NULL);
        char h[65];
        _cleanup_free_ char *big = malloc(SPOOL_RECORD_MAX_BYTES + 1);

        hash_of(1, h);
        ck_assert_int_eq(spool_append(s, 2, h, "{}", 2, NULL), -EINVAL);
        ck_assert_int_eq(spool_append(s, 1, "abc", "{}", 2, NULL), -EINVAL);
        ck_assert_int_eq(spool_append(s, 1, h, "{\n}", 3, NULL), -EINVAL);
        memset(big, ' ', SPOOL_RECORD_MAX_BYTES + 1);
        ck_assert_int_eq(spool_append(s, 1, h, big, SPOOL_RECORD_MAX_BYTES + 1, NULL), -E2BIG);
        ck_assert_uint_eq(spool_next_seq(s), 1);
        ck_assert_int_eq(append_one(s, 1, NULL), 0);
        spool_close(s);
}
END_TEST

/* --- damage found at open ---------------------------------------------------------- */

START_TEST(test_torn_tail_every_offset) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        uint64_t off[6];
        size_t len;
        _cleanup_free_ char *orig = five_records(off, &len);
        char h[65];

        hash_of(4, h);
        ck_assert_uint_eq(len, off[5]);
        for (uint64_t cut = off[4]; cut < off[5]; cut++) {
                struct spool_recovery rep;
                struct spool *s;
                _cleanup_free_ struct collected *c = NULL;

                put_file(seg_path(1), orig, cut);
                s = open_spool(&o, &rep);
                ck_assert_uint_eq(rep.records, 4);
                ck_assert_uint_eq(rep.torn_bytes, cut - off[4]);
                ck_assert_uint_eq(rep.corrupt_records, 0);
                ck_assert_int_eq(file_size(seg_path(1)), (off_t) off[4]);
                ck_assert_uint_eq(spool_next_seq(s), 5);
                ck_assert_str_eq(spool_last_hash(s), h);
                ck_assert_int_eq(append_one(s, 5, NULL), 0);
                ck_assert_int_eq(spool_sync(s), 0);
                spool_close(s);
                s = open_spool(&o, &rep);
                ck_assert_uint_eq(rep.torn_bytes, 0);
                c = read_all(s, 0);
                assert_contiguous(c, 1, 5);
                spool_close(s);
        }
}
END_TEST

/* A complete last record with a bad byte anywhere is a torn tail too. */
START_TEST(test_bad_last_record_is_torn) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        uint64_t off[6];
        size_t len;
        _cleanup_free_ char *orig = five_records(off, &len);

        for (uint64_t at = off[4]; at < off[5]; at++) {
                struct spool_recovery rep;
                struct spool *s;

                orig[at] ^= 0x20;
                put_file(seg_path(1), orig, len);
                orig[at] ^= 0x20;
                s = open_spool(&o, &rep);
                ck_assert_uint_eq(rep.records, 4);
                ck_assert_uint_eq(rep.torn_bytes, off[5] - off[4]);
                ck_assert_uint_eq(spool_next_seq(s), 5);
                spool_close(s);
        }
}
END_TEST

START_TEST(test_flipped_byte_in_middle_record) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        uint64_t off[6];
        size_t len;
        _cleanup_free_ char *orig = five_records(off, &len);

        for (uint64_t at = off[2]; at < off[3]; at++) {
                struct spool_recovery rep;
                struct spool *s;
                _cleanup_free_ struct collected *c = NULL;

                orig[at] ^= 0x01;
                put_file(seg_path(1), orig, len);
                orig[at] ^= 0x01;
                s = open_spool(&o, &rep);
                ck_assert_uint_eq(rep.records, 4);
                ck_assert_uint_eq(rep.corrupt_records, 1);
                ck_assert_uint_eq(rep.corrupt_first_seq, 3);
                ck_assert_uint_eq(rep.corrupt_last_seq, 3);
                ck_assert_uint_eq(rep.torn_bytes, 0);
                ck_assert_int_eq(file_size(seg_path(1)), (off_t) len);
                ck_assert_uint_eq(spool_next_seq(s), 6);
                c = read_all(s, 0);
                ck_assert(c->text_ok);
                ck_assert_uint_eq(c->n, 4);
                ck_assert_uint_eq(c->seqs[0], 1);
                ck_assert_uint_eq(c->seqs[1], 2);
                ck_assert_uint_eq(c->seqs[2], 4);
                ck_assert_uint_eq(c->seqs[3], 5);
                if (at == off[2] + 30) { /* and the spool goes on */
                        _cleanup_free_ struct collected *d = NULL;
                        ck_assert_int_eq(append_one(s, 6, NULL), 0);
                        ck_assert_int_eq(spool_sync(s), 0);
                        d = read_all(s, 4);
                        assert_contiguous(d, 5, 6);
                }
                spool_close(s);
        }
}
END_TEST

START_TEST(test_unparseable_segment_quarantined) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 2048 };
        struct spool_recovery rep;
        struct spool *s = open_spool(&o, NULL);
        _cleanup_free_ struct collected *c = NULL;
        _cleanup_free_ char *garbage = malloc(3000);
        uint64_t segs[64];
        size_t n;

        append_range(s, 1, 60);
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
        n = list_segs(segs, 64);
        ck_assert_uint_ge(n, 3);
        memset(garbage, 0xab, 3000);
        put_file(seg_path(segs[1]), garbage, 3000);

        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.segments_quarantined, 1);
        ck_assert_uint_eq(rep.corrupt_first_seq, segs[1]);
        ck_assert_uint_eq(rep.corrupt_last_seq, segs[2] - 1);
        ck_assert_uint_eq(rep.corrupt_records, segs[2] - segs[1]);
        ck_assert_uint_eq(rep.records, 60 - (segs[2] - segs[1]));
        ck_assert_int_eq(file_size(seg_path(segs[1])), -1);
        ck_assert_int_eq(file_size(spath("corrupt/")) >= 0, 1);
        {
                char q[64];
                snprintf(q, sizeof(q), "corrupt/%016" PRIx64 ".seg", segs[1]);
                ck_assert_int_eq(file_size(spath(q)), 3000);
        }
        c = read_all(s, 0);
        ck_assert_uint_eq(c->n, rep.records);
        ck_assert_uint_eq(c->seqs[c->n - 1], 60);
        ck_assert_uint_eq(spool_next_seq(s), 61);
        spool_close(s);
}
END_TEST

/* --- fsync failure through the LD_PRELOAD shim ----------------------------------- */

static const char *shim_path(void) {
        static char so[300];
        char cmd[1024];

        snprintf(so, sizeof(so), "%s/fsync_fail.so", tmpdir);
        snprintf(cmd, sizeof(cmd), "cc -shared -fPIC -o %s %s/tests/fsync_fail/fsync_fail.c -ldl", so,
                 TOP_SRCDIR);
        ck_assert_msg(system(cmd) == 0, "cannot build the shim: %s", cmd);
        return so;
}

/* Runs this binary again as "child" with the shim preloaded; returns its
 * stdout (the child prints key=value lines). */
static char *run_shim_child(const char *zap) {
        const char *so = shim_path();
        char log[300], asan[512], *out = calloc(1, 4096);
        int p[2], status;
        size_t n = 0;
        ssize_t k;
        pid_t pid;

        snprintf(log, sizeof(log), "%s/fsync.log", tmpdir);
        snprintf(asan, sizeof(asan), "%s%sverify_asan_link_order=0",
                 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "",
                 getenv("ASAN_OPTIONS") ? ":" : "");
        ck_assert_int_eq(pipe(p), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                dup2(p[1], 1);
                setenv("LD_PRELOAD", so, 1);
                setenv("ASAN_OPTIONS", asan, 1);
                setenv("FSYNC_FAIL_PATH", ".seg", 1);
                setenv("FSYNC_FAIL_NTH", "2", 1);
                setenv("FSYNC_FAIL_ZAP", zap, 1);
                setenv("FSYNC_FAIL_LOG", log, 1);
                setenv("SPOOL_TEST_CHILD", tmpdir, 1);
                execl("/proc/self/exe", "test_spool", (char *) NULL);
                _exit(127);
        }
        close(p[1]);
        while (n < 4095 && (k = read(p[0], out + n, 4095 - n)) > 0)
                n += (size_t) k;
        close(p[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed: %s", out);
        return out;
}

/* The child: appends, syncs and reports what the spool says at each step. */
static int shim_child(const char *dir) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool *s;
        struct collected *c = calloc(1, sizeof(*c));
        char h[65];
        int r, k;

        if (spool_open(dir, &o, &s, NULL) < 0)
                return 2;
        for (uint64_t q = 1; q <= 3; q++)
                append_one(s, q, NULL);
        r = spool_sync(s);
        printf("sync1=%d durable=%" PRIu64 "\n", r, spool_durable_seq(s));
        for (uint64_t q = 4; q <= 6; q++)
                append_one(s, q, NULL);
        r = spool_sync(s);
        hash_of(spool_next_seq(s) - 1, h);
        k = spool_read(s, 0, 0, collect, c);
        printf("sync2=%d durable=%" PRIu64 " next=%" PRIu64 " hash_ok=%d read=%d\n", r,
               spool_durable_seq(s), spool_next_seq(s), strcmp(h, spool_last_hash(s)) == 0, k);
        r = spool_sync(s);
        k = spool_read(s, 0, 0, collect, c);
        printf("sync3=%d durable=%" PRIu64 " read=%d\n", r, spool_durable_seq(s), k);
        for (int i = 0; i < 2; i++)
                append_one(s, spool_next_seq(s), NULL);
        r = spool_sync(s);
        printf("sync4=%d durable=%" PRIu64 "\n", r, spool_durable_seq(s));
        fflush(stdout);
        spool_close(s);
        free(c);
        return 0;
}

START_TEST(test_fsync_failure_rereads) {
        _cleanup_free_ char *out = run_shim_child("0"), *log = NULL;
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool_recovery rep;
        struct spool *s;
        _cleanup_free_ struct collected *c = NULL;
        char logp[300];
        size_t len;

        ck_assert_ptr_nonnull(strstr(out, "sync1=0 durable=3\n"));
        /* the failure: nothing past 3 counted, the records that read back intact kept */
        ck_assert_ptr_nonnull(strstr(out, "sync2=-5 durable=3 next=7 hash_ok=1 read=3\n"));
        /* the next sync covers them again (they were rewritten), then counts them */
        ck_assert_ptr_nonnull(strstr(out, "sync3=0 durable=6 read=6\n"));
        ck_assert_ptr_nonnull(strstr(out, "sync4=0 durable=8\n"));
        snprintf(logp, sizeof(logp), "%s/fsync.log", tmpdir);
        log = slurp(logp, &len);
        ck_assert_ptr_nonnull(strstr(log, "fdatasync "));
        ck_assert_ptr_nonnull(strstr(log, "0000000000000001.seg"));

        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.torn_bytes, 0);
        c = read_all(s, 0);
        assert_contiguous(c, 1, 8);
        spool_close(s);
}
END_TEST

/* The failed writeback lost the end of the file: the re-read finds record 6
 * torn, forgets it (next_seq and last_hash go back), and 6 is written anew. */
START_TEST(test_fsync_failure_lost_pages) {
        _cleanup_free_ char *out = run_shim_child("3");
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool_recovery rep;
        struct spool *s;
        _cleanup_free_ struct collected *c = NULL;

        ck_assert_ptr_nonnull(strstr(out, "sync1=0 durable=3\n"));
        ck_assert_ptr_nonnull(strstr(out, "sync2=-5 durable=3 next=6 hash_ok=1 read=3\n"));
        ck_assert_ptr_nonnull(strstr(out, "sync3=0 durable=5 read=5\n"));
        ck_assert_ptr_nonnull(strstr(out, "sync4=0 durable=7\n"));
        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.torn_bytes, 0);
        ck_assert_uint_eq(rep.corrupt_records, 0);
        c = read_all(s, 0);
        assert_contiguous(c, 1, 7);
        spool_close(s);
}
END_TEST

/* --- eviction, cursors, retention ---------------------------------------------------- */

START_TEST(test_eviction_oldest_first) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .max_bytes = 16384 };
        struct spool *s = open_spool(&o, NULL);
        struct spool_cursor *cur;
        uint64_t expect_next = 1, bytes, segs[64], evictions = 0;
        _cleanup_free_ char *ledger = NULL;
        size_t len;

        for (uint64_t q = 1; q <= 400; q++) {
                struct spool_dropped d;
                size_t n = list_segs(segs, 64);

                ck_assert_int_eq(append_one(s, q, &d), 0);
                ck_assert_int_eq(spool_sync(s), 0);
                spool_usage(s, NULL, &bytes);
                ck_assert_uint_le(bytes, 16384);
                if (list_segs(segs + 32, 32) < n || (n > 0 && file_size(seg_path(segs[0])) < 0)) {
                        /* the oldest segment went: exactly its records are reported */
                        ck_assert_uint_eq(d.first_seq, segs[0]);
                        ck_assert_uint_eq(d.first_seq, expect_next);
                        ck_assert_uint_eq(d.last_seq, segs[1] - 1);
                        ck_assert_uint_eq(d.count, d.last_seq - d.first_seq + 1);
                        expect_next = d.last_seq + 1;
                        evictions++;
                } else
                        ck_assert_uint_eq(d.count, 0);
        }
        ck_assert_uint_gt(evictions, 3);
        ledger = slurp(spath("ledger.json"), &len);
        ck_assert_ptr_nonnull(strstr(ledger, "\"dropped\":[{"));

        /* delivered segments go first and are not "dropped" */
        list_segs(segs, 64);
        ck_assert_int_eq(spool_cursor_get(s, "auditor", &cur), 0);
        ck_assert_uint_eq(cur->acked_seq, segs[0] - 1);
        ck_assert_int_eq(spool_cursor_ack(s, cur, segs[1] + 2), 0);
        for (uint64_t q = 401, seen = 0; seen < 2; q++) {
                struct spool_dropped d;
                ck_assert_uint_lt(q, 1000);
                ck_assert_int_eq(append_one(s, q, &d), 0);
                ck_assert_int_eq(spool_sync(s), 0);
                if (file_size(seg_path(segs[seen])) < 0) {
                        if (seen == 0)
                                ck_assert_uint_eq(d.count, 0);
                        else { /* partly delivered: what was not */
                                ck_assert_uint_eq(d.first_seq, segs[1] + 3);
                                ck_assert_uint_eq(d.last_seq, segs[2] - 1);
                        }
                        seen++;
                }
        }
        spool_close(s);
}
END_TEST

/* Evicted, then a crash before the evidence.dropped record was captured:
 * the next open reports it and the next append hands it over again. */
START_TEST(test_eviction_reported_after_crash) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .max_bytes = 16384 };
        struct spool *s = open_spool(&o, NULL);
        struct spool_recovery rep;
        struct spool_dropped d = { 0 }, d2;
        uint64_t q = 1;

        while (d.count == 0) {
                ck_assert_uint_lt(q, 1000); /* 16 KiB hold ~40 records */
                ck_assert_int_eq(append_one(s, q++, &d), 0);
                ck_assert_int_eq(spool_sync(s), 0);
        }
        spool_close(s); /* the writer died before appending evidence.dropped */
        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.dropped_unreported_count, d.count);
        ck_assert_uint_eq(rep.dropped_unreported_first, d.first_seq);
        ck_assert_uint_eq(rep.dropped_unreported_last, d.last_seq);
        ck_assert_int_eq(append_one(s, q++, &d2), 0);
        ck_assert_uint_eq(d2.count, d.count);
        ck_assert_uint_eq(d2.first_seq, d.first_seq);
        ck_assert_int_eq(append_one(s, q++, &d2), 0); /* the evidence.dropped record */
        ck_assert_uint_eq(d2.count, 0);
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.dropped_unreported_count, 0);
        spool_close(s);
}
END_TEST

START_TEST(test_cursors_survive_reopen) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool *s = open_spool(&o, NULL);
        struct spool_cursor *c;
        const char *id = "0190c0de-1234-7000-8000-00000000abcd";
        _cleanup_free_ char *file = NULL;
        size_t len;

        append_range(s, 1, 20);
        ck_assert_int_eq(spool_cursor_get(s, "siem", &c), 0);
        ck_assert_uint_eq(c->acked_seq, 0);
        ck_assert_str_eq(c->batch_id, "");
        ck_assert_int_eq(spool_cursor_seal(s, c, id, 1, 10), -EINVAL); /* not durable yet */
        ck_assert_int_eq(spool_sync(s), 0);
        ck_assert_int_eq(spool_cursor_seal(s, c, id, 1, 10), 0);
        ck_assert_int_eq(spool_cursor_get(s, "../x", &c), -EINVAL);
        ck_assert_int_eq(spool_cursor_get(s, ".hidden", &c), -EINVAL);
        spool_close(s);

        file = slurp(spath("cursors/siem.json"), &len);
        ck_assert_ptr_nonnull(strstr(file, id));
        s = open_spool(&o, NULL);
        ck_assert_int_eq(spool_cursor_get(s, "siem", &c), 0);
        ck_assert_uint_eq(c->acked_seq, 0);
        ck_assert_str_eq(c->batch_id, id); /* a retry reuses the Idempotency-Key */
        ck_assert_uint_eq(c->batch_first, 1);
        ck_assert_uint_eq(c->batch_last, 10);
        ck_assert_int_eq(spool_cursor_ack(s, c, 5), 0); /* a split: half delivered */
        ck_assert_str_eq(c->batch_id, id);
        ck_assert_int_eq(spool_cursor_ack(s, c, 10), 0);
        ck_assert_str_eq(c->batch_id, "");
        ck_assert_int_eq(spool_cursor_ack(s, c, 9), -EINVAL);  /* never back */
        ck_assert_int_eq(spool_cursor_ack(s, c, 21), -EINVAL); /* not there */
        ck_assert_int_eq(spool_cursor_seal(s, c, id, 10, 12), -EINVAL);
        spool_close(s);

        s = open_spool(&o, NULL);
        ck_assert_int_eq(spool_cursor_get(s, "siem", &c), 0);
        ck_assert_uint_eq(c->acked_seq, 10);
        ck_assert_str_eq(c->batch_id, "");
        {
                _cleanup_free_ struct collected *r = read_all(s, c->acked_seq);
                assert_contiguous(r, 11, 20);
        }
        spool_close(s);
}
END_TEST

/* Fills a spool over several small segments; returns the segment list. */
static size_t fill_segments(struct spool_options *o, uint64_t last, uint64_t *segs, size_t max) {
        struct spool *s = open_spool(o, NULL);
        append_range(s, 1, last);
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
        return list_segs(segs, max);
}

START_TEST(test_retention_deletes_only_delivered) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 4096,
                                   .retention_usec = 86400 * USEC_PER_SEC };
        uint64_t segs[64], later = now_realtime_usec() + 2 * 86400 * USEC_PER_SEC, after[64];
        size_t n = fill_segments(&o, 300, segs, 64), m;
        struct spool *s = open_spool(&o, NULL);
        struct spool_cursor *a, *b;
        _cleanup_free_ char *ledger = NULL, *kept = NULL;
        _cleanup_free_ struct collected *c = NULL;
        size_t len, keptlen;

        ck_assert_uint_ge(n, 6);
        ck_assert_int_eq(spool_expire(s, later), 0); /* no cursor: nothing delivered */
        ck_assert_int_eq(spool_cursor_get(s, "a", &a), 0);
        ck_assert_int_eq(spool_cursor_get(s, "b", &b), 0);
        ck_assert_int_eq(spool_cursor_ack(s, a, 300), 0);
        ck_assert_int_eq(spool_cursor_ack(s, b, segs[3] + 1), 0); /* inside segment 3 */
        ck_assert_int_eq(spool_expire(s, now_realtime_usec()), 0); /* too young */
        kept = slurp(seg_path(segs[1]), &keptlen);
        ck_assert_int_eq(spool_expire(s, later), 3); /* 0..2: both cursors past them */
        m = list_segs(after, 64);
        ck_assert_uint_eq(m, n - 3);
        ck_assert_uint_eq(after[0], segs[3]);
        ledger = slurp(spath("ledger.json"), &len);
        {
                char want[64];
                snprintf(want, sizeof(want), "\"first_seq\":%" PRIu64, segs[3]);
                ck_assert_ptr_nonnull(strstr(ledger, want));
                ck_assert_ptr_nonnull(strstr(ledger, "\"next_seq\":301"));
        }
        ck_assert_int_eq(spool_cursor_ack(s, b, 300), 0);
        ck_assert_int_eq(spool_expire(s, later), (int) (n - 4)); /* never the active one */
        ck_assert_int_eq(file_size(seg_path(segs[n - 1])) > 0, 1);
        spool_close(s);

        /* a crash between the ledger write and the unlink: the orphan goes at open */
        put_file(seg_path(segs[1]), kept, keptlen);
        s = open_spool(&o, NULL);
        ck_assert_int_eq(file_size(seg_path(segs[1])), -1);
        c = read_all(s, 0);
        assert_contiguous(c, segs[n - 1], 300);
        ck_assert_uint_eq(spool_next_seq(s), 301);
        spool_close(s);
}
END_TEST

START_TEST(test_orphan_and_missing_segments) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 4096 };
        uint64_t segs[64];
        size_t n = fill_segments(&o, 200, segs, 64);
        struct spool_recovery rep;
        struct spool *s;
        _cleanup_free_ struct collected *c = NULL;
        char hash[65], ledger[512];

        ck_assert_uint_ge(n, 4);
        /* the ledger already says segment 0 is gone (deleted before the unlink) */
        hash_of(200, hash);
        snprintf(ledger, sizeof(ledger),
                 "{\"version\":1,\"first_seq\":%" PRIu64 ",\"next_seq\":201,\"last_hash\":\"%s\",\"dropped\":[]}",
                 segs[1], hash);
        put_file(spath("ledger.json"), ledger, strlen(ledger));
        /* and a middle segment vanished (unlinked, ledger not yet written) */
        ck_assert_int_eq(unlink(seg_path(segs[2])), 0);
        s = open_spool(&o, &rep);
        ck_assert_uint_eq(rep.orphans_removed, 1);
        ck_assert_uint_eq(rep.corrupt_records, 0);
        ck_assert_int_eq(file_size(seg_path(segs[0])), -1);
        c = read_all(s, 0);
        ck_assert(c->text_ok);
        ck_assert_uint_eq(c->seqs[0], segs[1]);
        ck_assert_uint_eq(c->n, 200 - (segs[1] - 1) - (segs[3] - segs[2]));
        ck_assert_uint_eq(spool_next_seq(s), 201);
        spool_close(s);
}
END_TEST

START_TEST(test_ledger_is_the_floor) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool_recovery rep;
        struct spool *s;
        char hash[65], ledger[512];

        ck_assert_int_eq(mkdir(spath(""), 0750), 0);
        hash_of(999, hash);
        snprintf(ledger, sizeof(ledger),
                 "{\"version\":1,\"first_seq\":1000,\"next_seq\":1000,\"last_hash\":\"%s\",\"dropped\":[]}",
                 hash);
        put_file(spath("ledger.json"), ledger, strlen(ledger));
        s = open_spool(&o, &rep);
        ck_assert(!rep.ledger_unreadable);
        ck_assert_uint_eq(spool_next_seq(s), 1000);
        ck_assert_str_eq(spool_last_hash(s), hash);
        ck_assert_int_eq(append_one(s, 1000, NULL), 0);
        ck_assert_int_eq(spool_sync(s), 0);
        spool_close(s);
        ck_assert_int_gt(file_size(seg_path(1000)), 0);

        /* things named like segments that are not files are left alone */
        ck_assert_int_eq(mkdir(seg_path(5000), 0700), 0);
        ck_assert_int_eq(symlink("/etc/passwd", seg_path(6000)), 0);
        put_file(spath("ledger.json"), "{garbage", 8);
        s = open_spool(&o, &rep);
        ck_assert(rep.ledger_unreadable);
        ck_assert_uint_eq(spool_next_seq(s), 1001); /* the segment still says so */
        spool_close(s);
}
END_TEST

START_TEST(test_read_dir_changes_nothing) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        uint64_t off[6];
        size_t len;
        _cleanup_free_ char *orig = five_records(off, &len);
        _cleanup_free_ struct collected *c = calloc(1, sizeof(*c));

        put_file(seg_path(1), orig, len - 3); /* torn */
        c->text_ok = true;
        ck_assert_int_eq(spool_read_dir(spath(""), collect, c), 4);
        assert_contiguous(c, 1, 4);
        ck_assert_int_eq(file_size(seg_path(1)), (off_t) (len - 3));
        ck_assert_int_eq(spool_read_dir(spath("nonexistent"), collect, c), -ENOENT);
        (void) o;
}
END_TEST

/* --- kill -9 in the middle of writes ------------------------------------------------- */

/* Appends 1-4 records at a time and reports each successful sync's last seq
 * on fd until killed. */
_Noreturn static void writer_child(int fd, unsigned seed) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 8192 };
        struct spool *s;

        srand(seed);
        if (spool_open(tmpdir, &o, &s, NULL) < 0)
                _exit(3);
        for (;;) {
                int k = 1 + rand() % 4;
                uint64_t last;
                for (int i = 0; i < k; i++)
                        if (append_one(s, spool_next_seq(s), NULL) < 0)
                                _exit(4);
                last = spool_next_seq(s) - 1;
                if (spool_sync(s) == 0 && write(fd, &last, sizeof(last)) != sizeof(last))
                        _exit(5);
        }
}

START_TEST(test_kill9_loop) {
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH, .segment_max_bytes = 8192 };
        uint64_t captured = 0, verified = 0;
        unsigned seed = (unsigned) time(NULL);

        srand(seed);
        for (int iter = 0; iter < 200; iter++) {
                struct spool_recovery rep;
                struct spool *s;
                struct collected *c;
                uint64_t v;
                char h[65];
                int p[2], status;
                pid_t pid;

                ck_assert_int_eq(pipe(p), 0);
                pid = fork();
                ck_assert_int_ge(pid, 0);
                if (pid == 0) {
                        close(p[0]);
                        writer_child(p[1], seed + (unsigned) iter);
                }
                close(p[1]);
                usleep((useconds_t) (rand() % 20000));
                kill(pid, SIGKILL);
                ck_assert_int_eq(waitpid(pid, &status, 0), pid);
                ck_assert_msg(WIFSIGNALED(status), "writer exited on its own: %d (seed %u)", status,
                              seed);
                while (read(p[0], &v, sizeof(v)) == sizeof(v))
                        if (v > captured)
                                captured = v;
                close(p[0]);

                s = open_spool(&o, &rep);
                ck_assert_msg(spool_next_seq(s) - 1 >= captured,
                              "iteration %d: captured %" PRIu64 " but the spool ends at %" PRIu64
                              " (seed %u)", iter, captured, spool_next_seq(s) - 1, seed);
                ck_assert_uint_eq(rep.corrupt_records, 0);
                c = read_all(s, verified);
                assert_contiguous(c, verified + 1, spool_next_seq(s) - 1);
                verified = spool_next_seq(s) - 1;
                hash_of(verified, h);
                if (verified > 0)
                        ck_assert_str_eq(spool_last_hash(s), h);
                free(c);
                spool_close(s);
        }
        ck_assert_uint_gt(captured, 200);
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("spool");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, test_round_trip_rotation);
        tcase_add_test(tc, test_unsynced_records_are_not_read);
        tcase_add_test(tc, test_append_rejects);
        tcase_add_test(tc, test_torn_tail_every_offset);
        tcase_add_test(tc, test_bad_last_record_is_torn);
        tcase_add_test(tc, test_flipped_byte_in_middle_record);
        tcase_add_test(tc, test_unparseable_segment_quarantined);
        tcase_add_test(tc, test_fsync_failure_rereads);
        tcase_add_test(tc, test_fsync_failure_lost_pages);
        tcase_add_test(tc, test_eviction_oldest_first);
        tcase_add_test(tc, test_eviction_reported_after_crash);
        tcase_add_test(tc, test_cursors_survive_reopen);
        tcase_add_test(tc, test_retention_deletes_only_delivered);
        tcase_add_test(tc, test_orphan_and_missing_segments);
        tcase_add_test(tc, test_ledger_is_the_floor);
        tcase_add_test(tc, test_read_dir_changes_nothing);
        tcase_add_test(tc, test_kill9_loop);
        suite_add_tcase(s, tc);
        return s;
}

/* TEST_MAIN, plus the child mode the fsync-failure tests re-execute. */
int main(void) {
        const char *child = getenv("SPOOL_TEST_CHILD");
        SRunner *sr;
        int failed;

        if (child)
                return shim_child(child);
        sr = srunner_create(make_suite());
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
