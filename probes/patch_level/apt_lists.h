/* SPDX-License-Identifier: MIT */
/* apt's downloaded indexes: the Packages lists (plain, gzip, xz, lz4 frame)
 * read as a stream, and the Release/InRelease header that says which suite
 * a list belongs to. */
#ifndef PATCH_LEVEL_APT_LISTS_H
#define PATCH_LEVEL_APT_LISTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define APT_LIST_MAX_STANZA (4u << 20)        /* one package entry */
#define APT_LIST_MAX_OUTPUT (4ull << 30)      /* decompressed bytes of one list */
#define APT_LIST_MAX_INPUT (1ull << 30)       /* compressed bytes of one list */
#define APT_RELEASE_MAX_HEADER (64u << 10)    /* bytes of a Release file looked at */
#define APT_RELEASE_MAX_FIELD 127u

/* One package entry of a Packages list; spans point into the parsed buffer. */
struct deb_entry {
        const char *name, *version, *arch;
        size_t name_len, version_len, arch_len;
};

/* What a Packages stream is delivered to. want() is asked with the package
 * name as soon as it is seen; when it returns false the rest of the entry is
 * skipped without being looked at. entry() gets the complete entry (name,
 * version and architecture all present) and returns 0 or -errno to stop.
 * expired(), when set, is polled between chunks; true stops with -ETIME. */
struct deb_sink {
        bool (*want)(void *userdata, const char *name, size_t len);
        int (*entry)(void *userdata, const struct deb_entry *e);
        bool (*expired)(void *userdata);
        void *userdata;
        size_t entries;                       /* counted: every stanza seen */
};

/* Parses the complete stanzas of Packages text buf[0,len). When eof is
 * false, a last stanza not yet ended by a blank line is left for the next
 * call. Returns the number of bytes consumed (everything when eof), or the
 * negative errno an entry() callback returned. */
ssize_t packages_parse(const char *buf, size_t len, bool eof, struct deb_sink *sink);

/* packages_parse() of the text [map+start, map+len) of a file mapping
 * (mmap() of a regular file, never anonymous memory), a window at a time,
 * dropping each parsed window from the mapping with MADV_DONTNEED: the pages
 * stay in the page cache, but reading a 47 MB list does not leave 47 MB
 * resident in the probe. Returns the bytes parsed, -EBADMSG for an entry
 * over APT_LIST_MAX_STANZA, or the negative errno of an entry() callback. */
ssize_t packages_parse_mapping(const char *map, size_t start, size_t len, struct deb_sink *sink);

/* Drops the pages of a file mapping below offset upto that are not dropped
 * yet (*dropped, page aligned, 0 at first), in steps of 256 KiB. */
void mapping_drop_read(const void *map, size_t upto, size_t *dropped);

enum list_compression {
        LIST_PLAIN,
        LIST_GZIP,
        LIST_XZ,
        LIST_LZ4,
        LIST_UNSUPPORTED, /* .bz2, .zst, .lzma: reported, not read */
};

/* From the file name's suffix ("_Packages", "_Packages.lz4", ...). */
enum list_compression list_compression_of(const char *path);
const char *list_compression_name(enum list_compression c);

/* Streams the Packages list read from fd (any position, owned by the
 * caller) through packages_parse(), decompressing as it goes with bounded
 * memory (a plain file is mapped instead). Returns 0, -EBADMSG for a
 * corrupt stream or an entry over APT_LIST_MAX_STANZA, -EFBIG past
 * APT_LIST_MAX_OUTPUT, -EOPNOTSUPP for LIST_UNSUPPORTED, -ENOMEM, -errno. */
int apt_list_stream(int fd, enum list_compression c, struct deb_sink *sink);

/* Header of a Release or InRelease file. Strings are NUL-terminated,
 * truncated at APT_RELEASE_MAX_FIELD bytes, "" when absent. */
struct release_info {
        char origin[APT_RELEASE_MAX_FIELD + 1];
        char label[APT_RELEASE_MAX_FIELD + 1];
        char suite[APT_RELEASE_MAX_FIELD + 1];
        char codename[APT_RELEASE_MAX_FIELD + 1];
        bool not_automatic, but_automatic_upgrades;
};

/* Parses the first paragraph of a (possibly clearsigned) Release text,
 * looking at no more than APT_RELEASE_MAX_HEADER bytes. Returns 0, or
 * -EBADMSG when no field was found. */
int release_parse(const char *buf, size_t len, struct release_info *ri);

/* apt's default priority for the release: 1 for NotAutomatic, 100 when
 * ButAutomaticUpgrades is set too, otherwise 500. */
int release_priority(const struct release_info *ri);

/* True for a security archive: Suite or Codename ending in "-security", or
 * Label "Debian-Security". */
bool release_is_security(const struct release_info *ri);

#endif
