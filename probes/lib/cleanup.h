/* SPDX-License-Identifier: MIT */
/* Cleanup attributes (systemd style), shared by the core and the built-in
 * probes. Destructors accept NULL; TAKE_PTR() hands a value on. */
#ifndef COMPLYD_CLEANUP_H
#define COMPLYD_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) { free(*(void **) p); }
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void strv_free(char **strv) {
        if (strv) {
                for (char **s = strv; *s; s++)
                        free(*s);
                free(strv);
        }
}
static inline void strv_freep(char ***strv) { strv_free(*strv); }

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_json_ _cleanup_(json_decrefp) /* json_decrefp() is jansson's */
#define _cleanup_strv_ _cleanup_(strv_freep)

#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

static inline int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
static inline int startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

#endif
