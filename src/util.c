/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"
#include "write_all.h"

static uint64_t clock_usec(clockid_t clk) {
        struct timespec ts;

        clock_gettime(clk, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t now_monotonic_usec(void) { return clock_usec(CLOCK_MONOTONIC); }
uint64_t now_realtime_usec(void) { return clock_usec(CLOCK_REALTIME); }

static const struct {
        const char *suffix;
        uint64_t usec;
} duration_units[] = {
        { "ms", USEC_PER_MSEC },
        { "s", USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
        { "w", 7 * 86400 * USEC_PER_SEC },
};

int parse_duration(const char *s, uint64_t *usec) {
        char *end;
        unsigned long long n;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        n = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (*end == '\0') {
                if (n > UINT64_MAX / USEC_PER_SEC)
                        return -ERANGE;
                *usec = n * USEC_PER_SEC;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(duration_units); i++)
                if (streq(end, duration_units[i].suffix)) {
                        if (n > UINT64_MAX / duration_units[i].usec)
                                return -ERANGE;
                        *usec = n * duration_units[i].usec;
                        return 0;
                }
        return -EINVAL;
}

const char *format_duration(uint64_t usec, char *buf, size_t size) {
        for (size_t i = ELEMENTSOF(duration_units); i-- > 0;)
                if (usec >= duration_units[i].usec && usec % duration_units[i].usec == 0) {
                        snprintf(buf, size, "%llu%s",
                                 (unsigned long long) (usec / duration_units[i].usec),
                                 duration_units[i].suffix);
                        return buf;
                }
        snprintf(buf, size, "%lluus", (unsigned long long) usec);
        return buf;
}

int read_fd_full(int fd, size_t max, char **buf, size_t *len) {
        _cleanup_free_ char *data = NULL;
        size_t n = 0, cap = 0;

        for (;;) {
                ssize_t k;

                if (cap - n < 4096) {
                        size_t ncap = cap ? cap * 2 : 16384;
                        char *p;

                        if (ncap > max + 4096)
                                ncap = max + 4096;
                        if (ncap <= n + 1)
                                return -EFBIG;
                        if (!(p = realloc(data, ncap)))
                                return -ENOMEM;
                        data = p;
                        cap = ncap;
                }
                k = read(fd, data + n, cap - n - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        data[n] = '\0';
        *buf = TAKE_PTR(data);
        if (len)
                *len = n;
        return 0;
}

int read_full_file(const char *path, size_t max, char **buf, size_t *len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return read_fd_full(fd, max, buf, len);
}

static int fsync_parent_dir(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int dfd = -1;

        if (!copy)
                return -ENOMEM;
        dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return fsync(dfd) < 0 ? -errno : 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.%ld", path, (long) getpid());
        _cleanup_close_ int fd = -1;
        int r;

        if (!tmp)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        if ((r = write_all(fd, data, len)) < 0)
                goto fail;
        if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        return fsync_parent_dir(path);
fail:
        unlink(tmp);
        return r;
}

char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}
