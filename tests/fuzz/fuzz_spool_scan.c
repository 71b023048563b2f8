/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary bytes as a segment file given to the spool's
 * recovery scanner, twice: as the newest segment (torn tail truncated) and
 * as a closed segment followed by an intact one (damage counted as lost,
 * unparseable segment quarantined). Then every record is read back, one is
 * appended, and the directory is read without opening it.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool.h"

static char root[64];

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f) {
        return remove(p);
}

static void put(const char *name, const uint8_t *data, size_t size) {
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/spool/%s", root, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                abort();
        if (size && write(fd, data, size) != (ssize_t) size)
                abort();
        close(fd);
}

static int count(const struct spool_record *rec, void *ud) {
        (*(size_t *) ud) += rec->len + (rec->text[rec->len] == '\0' ? 0 : 1000000);
        return 0;
}

/* Opens the spool in root, reads everything, appends one record. */
static void exercise(void) {
        static const char h[] = "0000000000000000000000000000000000000000000000000000000000000001";
        struct spool_options o = { .sync = SPOOL_SYNC_BATCH };
        struct spool_recovery rep;
        struct spool *s;
        char spool_dir[128];
        size_t total = 0;

        if (spool_open(root, &o, &s, &rep) < 0)
                return;
        spool_read(s, 0, 0, count, &total);
        if (spool_append(s, spool_next_seq(s), h, "{\"hash\":\"x\"}", 12, NULL) == 0)
                spool_sync(s);
        spool_read(s, 0, 3, count, &total);
        spool_close(s);
        snprintf(spool_dir, sizeof(spool_dir), "%s/spool", root);
        spool_read_dir(spool_dir, count, &total);
}

static void cleanup(void) { nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void reset(void) {
        char path[128];

        snprintf(path, sizeof(path), "%s/spool", root);
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        if (mkdir(path, 0700) < 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* an intact one-record segment starting at seq 0x100000 */
        static const char tail_json[] = "{\"hash\":\"0000000000000000000000000000000000000000000000000000000000000002\"}";
        uint8_t frame[25 + sizeof(tail_json)];
        uint32_t len = sizeof(tail_json) - 1, crc;
        uint64_t seq = 0x100000;

        if (!root[0]) {
                strcpy(root, "/tmp/fuzz_spool.XXXXXX");
                if (!mkdtemp(root))
                        abort();
                atexit(cleanup);
        }
        reset();
        put("0000000000000001.seg", data, size);
        exercise();

        reset();
        put("0000000000000001.seg", data, size);
        memcpy(frame, "CSP1", 4);
        memcpy(frame + 4, &len, 4);
        crc = crc32c(crc32c(0, &seq, 8), tail_json, len);
        memcpy(frame + 8, &crc, 4);
        memcpy(frame + 12, &seq, 8);
        memcpy(frame + 20, tail_json, len);
        frame[20 + len] = '\n';
        memcpy(frame + 21 + len, &len, 4);
        put("0000000000100000.seg", frame, 25 + len);
        exercise();
        return 0;
}
