/* SPDX-License-Identifier: MIT */
/*
 * LD_PRELOAD shim: makes fsync()/fdatasync() fail with EIO, the way a failed
 * writeback reports itself once (fsyncgate). Built by test_spool itself:
 *   cc -shared -fPIC -o fsync_fail.so tests/fsync_fail/fsync_fail.c -ldl
 * Environment:
 *   FSYNC_FAIL_PATH   only calls on fds whose path contains this string
 *                     (default: every call)
 *   FSYNC_FAIL_NTH    fail the Nth matching call, counting from 1 (default 1)
 *   FSYNC_FAIL_COUNT  how many matching calls fail from the Nth on (default 1)
 *   FSYNC_FAIL_ZAP    on a failure, overwrite the last ZAP bytes of the file
 *                     with zeros first: the pages the failed writeback lost
 *   FSYNC_FAIL_LOG    a file to which each failure appends "fdatasync PATH\n"
 * The real call is not made when failing, as after a real writeback error
 * the data is not on disk.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long matched;

static unsigned long env_ulong(const char *name, unsigned long dflt) {
        const char *v = getenv(name);
        return v && *v ? strtoul(v, NULL, 10) : dflt;
}

/* The path of fd, or "" when it cannot be read. */
static void fd_path(int fd, char *buf, size_t size) {
        char link[64];
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
}

static void zap_tail(int fd, unsigned long zap) {
        struct stat st;
        char zeros[4096] = { 0 };
        off_t off;

        if (zap == 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return;
        off = st.st_size > (off_t) zap ? st.st_size - (off_t) zap : 0;
        while (off < st.st_size) {
                size_t n = (size_t) (st.st_size - off) < sizeof(zeros) ? (size_t) (st.st_size - off)
                                                                        : sizeof(zeros);
                if (pwrite(fd, zeros, n, off) <= 0)
                        return;
                off += (off_t) n;
        }
}

/* 1 when this call should fail (and has been prepared to), 0 otherwise. */
static int should_fail(int fd, const char *what) {
        const char *want = getenv("FSYNC_FAIL_PATH"), *log = getenv("FSYNC_FAIL_LOG");
        unsigned long nth = env_ulong("FSYNC_FAIL_NTH", 1), count = env_ulong("FSYNC_FAIL_COUNT", 1);
        char path[4096];

        fd_path(fd, path, sizeof(path));
        if (want && *want && !strstr(path, want))
                return 0;
        matched++;
        if (matched < nth || matched >= nth + count)
                return 0;
        zap_tail(fd, env_ulong("FSYNC_FAIL_ZAP", 0));
        if (log && *log) {
                int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
                if (lfd >= 0) {
                        dprintf(lfd, "%s %s\n", what, path);
                        close(lfd);
                }
        }
        return 1;
}

int fsync(int fd) {
        static int (*real)(int);

        if (should_fail(fd, "fsync")) {
                errno = EIO;
                return -1;
        }
        if (!real)
                real = (int (*)(int)) dlsym(RTLD_NEXT, "fsync");
        return real(fd);
}

int fdatasync(int fd) {
        static int (*real)(int);

        if (should_fail(fd, "fdatasync")) {
                errno = EIO;
                return -1;
        }
        if (!real)
                real = (int (*)(int)) dlsym(RTLD_NEXT, "fdatasync");
        return real(fd);
}
