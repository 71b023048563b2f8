/* SPDX-License-Identifier: MIT */
/* write(2) until everything is written. Header-only. */
#ifndef COMPLYD_WRITE_ALL_H
#define COMPLYD_WRITE_ALL_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* Writes the len bytes at buf to fd, retrying short writes and EINTR.
 * Returns 0, -errno, or -EIO when write() returns 0. */
static inline int write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;

        while (len > 0) {
                ssize_t k = write(fd, p, len);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

#endif
