/* SPDX-License-Identifier: MIT */
/* The list cache of patch_level: see list_cache.h for the format. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "list_cache.h"
#include "write_all.h"

#define SUBDIR "patch_level"

/* An existing directory we may trust: a real directory (not a symlink),
 * owned by us or root, writable by nobody else. */
static int trusted_dir(int fd) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022))
                return -EPERM;
        return 0;
}

/* openat() of directory name below at (AT_FDCWD for an absolute name),
 * made with mode when missing, and checked with trusted_dir(). */
static int open_dir(int at, const char *name, mode_t mode) {
        int fd, r;

        if (mkdirat(at, name, mode) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ELOOP ? -ENOTDIR : -errno;
        if ((r = trusted_dir(fd)) < 0) {
                close(fd);
                return r;
        }
        return fd;
}

int list_cache_open(const char *cache_dir) {
        _cleanup_close_ int top = -1;

        if (!cache_dir || cache_dir[0] != '/')
                return -EINVAL;
        if ((top = open_dir(AT_FDCWD, cache_dir, 0750)) < 0)
                return top;
        return open_dir(top, SUBDIR, 0700);
}

/* The cache file's name: the list's own file name (apt's names are unique
 * within its lists directory and never start with a dot). */
static const char *cache_name(const char *list_path) {
        const char *b = strrchr(list_path, '/');

        b = b ? b + 1 : list_path;
        return *b && *b != '.' ? b : NULL;
}

/* The header words that name the source list: "complyd-apt-list-cache 1
 * DEV INO SIZE SEC.NSEC " (with the trailing space). */
static int source_key(const struct stat *src, char *buf, size_t size) {
        int n = snprintf(buf, size, "complyd-apt-list-cache 1 %" PRIu64 " %" PRIu64 " %" PRId64
                         " %" PRId64 ".%09ld ", (uint64_t) src->st_dev, (uint64_t) src->st_ino,
                         (int64_t) src->st_size, (int64_t) src->st_mtim.tv_sec,
                         src->st_mtim.tv_nsec);
        return n > 0 && (size_t) n < size ? n : -ENAMETOOLONG;
}

/* A decimal number of at most 19 digits at *p followed by stop; advances *p
 * past stop. */
static bool take_number(const char **p, const char *end, char stop, uint64_t *v) {
        const char *s = *p;
        uint64_t n = 0;
        size_t digits = 0;

        while (s < end && *s >= '0' && *s <= '9' && digits < 19)
                n = n * 10 + (uint64_t) (*s++ - '0'), digits++;
        if (!digits || s >= end || *s != stop)
                return false;
        *p = s + 1;
        *v = n;
        return true;
}

/* Checks the header of the mapped cache [m, m+len) against src; on success
 * sets the body span and the stanza count. */
static bool header_matches(const char *m, size_t len, const struct stat *src, const char **body,
                           size_t *body_len, uint64_t *stanzas) {
        char key[LIST_CACHE_MAX_HEADER];
        int k = source_key(src, key, sizeof key);
        const char *p, *end = m + (len < LIST_CACHE_MAX_HEADER ? len : LIST_CACHE_MAX_HEADER);
        uint64_t n, blen;

        if (k < 0 || len < (size_t) k || memcmp(m, key, (size_t) k) != 0)
                return false;
        p = m + k;
        if (!take_number(&p, end, ' ', &n) || !take_number(&p, end, '\n', &blen))
                return false;
        if (blen != len - (size_t) (p - m))
                return false;
        *body = p;
        *body_len = (size_t) blen;
        *stanzas = n;
        return true;
}

/* list_cache_parse(), dropping the parsed pages when m is a file mapping. */
static int cache_parse(const char *m, size_t len, const struct stat *src, bool mapping,
                       struct deb_sink *sink) {
        const char *body;
        size_t body_len;
        uint64_t stanzas;
        ssize_t r;

        if (!header_matches(m, len, src, &body, &body_len, &stanzas))
                return 0;
        r = mapping ? packages_parse_mapping(m, (size_t) (body - m), len, sink)
                    : packages_parse(body, body_len, true, sink);
        if (r < 0)
                return (int) r;
        sink->entries = (size_t) stanzas;
        return 1;
}

int list_cache_parse(const char *m, size_t len, const struct stat *src, struct deb_sink *sink) {
        return cache_parse(m, len, src, false, sink);
}

int list_cache_read(int dirfd, const char *list_path, const struct stat *src,
                    struct deb_sink *sink) {
        const char *name = cache_name(list_path);
        _cleanup_close_ int fd = -1;
        struct stat st;
        void *m;
        int r;

        if (!name || (fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                return 0;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
            (uint64_t) st.st_size > LIST_CACHE_MAX_HEADER + LIST_CACHE_MAX_BODY)
                return 0;
        m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
                return 0;
        r = cache_parse(m, (size_t) st.st_size, src, true, sink);
        munmap(m, (size_t) st.st_size);
        return r;
}

/* Past LIST_CACHE_MAX_BODY the body's strbuf fails and the recording stops
 * for good (the list is then not cached). */
#define RECORD_LIT(rec, lit) strbuf_add(&(rec)->body, lit, sizeof(lit) - 1)

static bool recorder_want(void *u, const char *name, size_t len) {
        (void) u, (void) name, (void) len;
        return true; /* every entry is kept, not only the ones inner wants */
}

/* Keeps the entry, then hands it to inner when inner wants it. */
static int recorder_entry(void *u, const struct deb_entry *e) {
        struct list_recorder *rec = u;
        struct deb_sink *in = rec->inner;

        RECORD_LIT(rec, "Package: ");
        strbuf_add(&rec->body, e->name, e->name_len);
        RECORD_LIT(rec, "\nVersion: ");
        strbuf_add(&rec->body, e->version, e->version_len);
        RECORD_LIT(rec, "\nArchitecture: ");
        strbuf_add(&rec->body, e->arch, e->arch_len);
        RECORD_LIT(rec, "\n\n");
        if (in->want && !in->want(in->userdata, e->name, e->name_len))
                return 0;
        return in->entry ? in->entry(in->userdata, e) : 0;
}

static bool recorder_expired(void *u) {
        struct deb_sink *in = ((struct list_recorder *) u)->inner;
        return in->expired && in->expired(in->userdata);
}

void list_recorder_init(struct list_recorder *rec, struct deb_sink *inner) {
        *rec = (struct list_recorder) {
                .sink = { recorder_want, recorder_entry, recorder_expired, rec, 0 },
                .inner = inner,
                .body = { .max = LIST_CACHE_MAX_BODY + 1 },
        };
}

void list_recorder_done(struct list_recorder *rec) {
        free(rec->body.data);
        rec->body = (struct strbuf) { 0 };
}

int list_cache_write(int dirfd, const char *list_path, const struct stat *src,
                     const struct list_recorder *rec) {
        const char *name = cache_name(list_path);
        char head[LIST_CACHE_MAX_HEADER], tmp[64];
        _cleanup_close_ int fd = -1;
        int k, r;

        if (rec->body.failed)
                return -E2BIG;
        if (!name)
                return -EINVAL;
        if ((k = source_key(src, head, sizeof head)) < 0)
                return k;
        r = snprintf(head + k, sizeof head - (size_t) k, "%zu %zu\n", rec->sink.entries, rec->body.len);
        if (r < 0 || (size_t) r >= sizeof head - (size_t) k)
                return -ENAMETOOLONG;
        snprintf(tmp, sizeof tmp, ".tmp-%ld", (long) getpid());
        (void) unlinkat(dirfd, tmp, 0); /* left by a run that was killed */
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if ((r = write_all(fd, head, (size_t) k + (size_t) r)) < 0 ||
            (r = write_all(fd, rec->body.data ?: "", rec->body.len)) < 0 || (r = fsync(fd) < 0 ? -errno : 0) < 0 ||
            (r = renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0) < 0) {
                (void) unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}
