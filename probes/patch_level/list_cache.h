/* SPDX-License-Identifier: MIT */
/* The list cache: what patch_level keeps of each apt Packages list between
 * runs, so that a list unchanged since the last run is not decompressed and
 * scanned again (apt keeps /var/cache/apt/pkgcache.bin for the same reason).
 * Debian's main list is 19 MB of lz4 that unpacks to 47 MB; its cache is the
 * 3 MB of (name, version, architecture) the probe uses.
 *
 * One file per list in <cache_dir>/patch_level/, named after the list:
 *
 *   complyd-apt-list-cache 1 DEV INO SIZE MTIME_SEC.MTIME_NSEC STANZAS BODY_BYTES\n
 *   Package: NAME\nVersion: VERSION\nArchitecture: ARCH\n\n    (every entry)
 *
 * DEV to MTIME identify the list file the cache was made from (apt replaces
 * a list by rename, so a new list is a new inode). Any difference, a body of
 * another length, or a header that does not parse is a miss: the list is
 * read again and its cache rewritten (written to a temporary file, fsync'ed,
 * renamed). The body is Packages text, read by packages_parse(). */
#ifndef PATCH_LEVEL_LIST_CACHE_H
#define PATCH_LEVEL_LIST_CACHE_H

#include <sys/stat.h>

#include "apt_lists.h"
#include "strbuf.h"

#define LIST_CACHE_MAX_BODY (32u << 20) /* under the probe child's RLIMIT_FSIZE */
#define LIST_CACHE_MAX_HEADER 256u

/* Opens (creating when missing, mode 0700) <cache_dir>/patch_level and
 * returns its descriptor. Refuses with -EPERM a directory not owned by this
 * user or root or writable by others, and -ENOTDIR a symlink. */
int list_cache_open(const char *cache_dir);

/* Feeds the cached entries of the list at list_path (whose stat is src) to
 * sink and sets sink->entries to the list's stanza count. Returns 1 on a
 * hit, 0 on a miss (nothing was fed), or the negative errno of sink->entry(). */
int list_cache_read(int dirfd, const char *list_path, const struct stat *src,
                    struct deb_sink *sink);

/* list_cache_read() on the cache text [m, m+len), already read. */
int list_cache_parse(const char *m, size_t len, const struct stat *src, struct deb_sink *sink);

/* A sink that keeps every entry of a list as cache text while passing the
 * entries inner wants on to it. Use rec->sink for apt_list_stream(). */
struct list_recorder {
        struct deb_sink sink;
        struct deb_sink *inner;
        struct strbuf body; /* failed: past LIST_CACHE_MAX_BODY or out of memory, not cached */
};

void list_recorder_init(struct list_recorder *rec, struct deb_sink *inner);
void list_recorder_done(struct list_recorder *rec);

/* Writes the recorded entries as the cache of list_path. Returns 0 or
 * -errno (-E2BIG when the recorder overflowed). */
int list_cache_write(int dirfd, const char *list_path, const struct stat *src,
                     const struct list_recorder *rec);

#endif
