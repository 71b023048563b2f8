/* SPDX-License-Identifier: MIT */
/* apt list reading: the Packages stanza scanner, the Release header parser
 * and the streaming decompressors (zlib, liblzma, liblz4 frame). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>

#include "apt_lists.h"
#include "cleanup.h"
#include "deb822.h"

#define OUT_CHUNK (256u << 10)
#define MAP_WINDOW (256u << 10) /* mapped text parsed, then dropped, per step */

/* Scans one stanza starting at p (not a blank line). Returns 1 with *next
 * set after it, 0 when it is not complete yet (only when !eof), or the
 * errno of sink->entry(). Once want() declines the package the rest of the
 * stanza is jumped over with deb822_find_blank_line(): that is what keeps a 50 MB
 * list cheap, since only installed names are looked at further. */
static int parse_one(const char *p, const char *end, bool eof, struct deb_sink *sink,
                     const char **next) {
        struct deb_entry e = { 0 };
        const char *l = p;

        while (l < end) {
                const char *nl = memchr(l, '\n', (size_t) (end - l));
                size_t len;

                if (!nl && !eof)
                        return 0;
                len = (size_t) ((nl ? nl : end) - l);
                if (deb822_blank(l, len)) {
                        *next = nl ? nl + 1 : end;
                        goto done;
                }
                switch (l[0]) {
                case 'P': case 'p':
                        if (e.name || !DEB822_FIELD(l, len, "Package", &e.name, &e.name_len))
                                break;
                        if (sink->want && !sink->want(sink->userdata, e.name, e.name_len)) {
                                const char *se = deb822_find_blank_line(l, end);

                                if (!se && !eof)
                                        return 0;
                                *next = se ? se + 2 : end;
                                sink->entries++;
                                return 1;
                        }
                        break;
                case 'V': case 'v':
                        if (!e.version)
                                (void) DEB822_FIELD(l, len, "Version", &e.version, &e.version_len);
                        break;
                case 'A': case 'a':
                        if (!e.arch)
                                (void) DEB822_FIELD(l, len, "Architecture", &e.arch, &e.arch_len);
                        break;
                }
                l = nl ? nl + 1 : end;
                if (e.name && e.version && e.arch) {
                        /* All three fields seen (they come early in a
                         * stanza): the rest is jumped over in one scan. */
                        const char *se = deb822_find_blank_line(l - 1, end);

                        if (!se && !eof)
                                return 0;
                        *next = se ? se + 2 : end;
                        goto done;
                }
        }
        if (!eof)
                return 0;
        *next = end;
done:
        sink->entries++;
        if (e.name_len && e.version_len && e.arch_len && sink->entry) {
                int r = sink->entry(sink->userdata, &e);
                if (r < 0)
                        return r;
        }
        return 1;
}

ssize_t packages_parse(const char *buf, size_t len, bool eof, struct deb_sink *sink) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *next;
                int r;

                if (*p == '\n' || *p == '\r') {
                        p++;
                        continue;
                }
                r = parse_one(p, end, eof, sink, &next);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                p = next;
        }
        return p - buf;
}

enum list_compression list_compression_of(const char *path) {
        static const struct {
                const char *suffix;
                enum list_compression c;
        } table[] = {
                { "_Packages", LIST_PLAIN },     { "_Packages.gz", LIST_GZIP },
                { "_Packages.xz", LIST_XZ },     { "_Packages.lz4", LIST_LZ4 },
        };
        size_t n = strlen(path);

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                size_t m = strlen(table[i].suffix);
                if (n >= m && !strcmp(path + n - m, table[i].suffix))
                        return table[i].c;
        }
        return LIST_UNSUPPORTED;
}

const char *list_compression_name(enum list_compression c) {
        static const char *const names[] = { "none", "gzip", "xz", "lz4", "unsupported" };
        return (unsigned) c < ELEMENTSOF(names) ? names[c] : "unsupported";
}

/* The decompressor state of one list. The compressed file is mapped whole
 * (in, in_len): the decompressors read it in place, with no copy through a
 * read buffer (that copy was 8 % of the probe's time on a 19 MB list). */
struct stream {
        enum list_compression c;
        z_stream z;
        lzma_stream x;
        LZ4F_dctx *l4;
        bool z_init, x_init, frame_open;
        uint8_t *in;
        size_t in_pos, in_len, in_dropped;
        bool out_eof;
};

void mapping_drop_read(const void *map, size_t upto, size_t *dropped) {
        size_t page = (size_t) sysconf(_SC_PAGESIZE), end = upto / page * page;

        if (end >= *dropped + MAP_WINDOW) { /* in steps of MAP_WINDOW */
                (void) madvise((char *) map + *dropped, end - *dropped, MADV_DONTNEED);
                *dropped = end;
        }
}

ssize_t packages_parse_mapping(const char *map, size_t start, size_t len, struct deb_sink *sink) {
        size_t off = start, win = MAP_WINDOW, dropped = 0;

        while (off < len) {
                size_t n = len - off < win ? len - off : win;
                bool eof = off + n == len;
                ssize_t used = packages_parse(map + off, n, eof, sink);

                if (used < 0)
                        return used;
                if (used == 0 && !eof) { /* one stanza longer than the window */
                        if (win >= APT_LIST_MAX_STANZA)
                                return -EBADMSG;
                        win *= 2;
                        continue;
                }
                off += (size_t) used;
                win = MAP_WINDOW;
                mapping_drop_read(map, off, &dropped);
                if (eof)
                        break;
        }
        return (ssize_t) (off - start);
}

/* One inflate step into out; at a member end, a following gzip member
 * continues (concatenated members are legal gzip). */
static int step_gzip(struct stream *s, uint8_t *out, size_t cap, size_t *n) {
        int zr;

        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt) (s->in_len - s->in_pos);
        s->z.next_out = out;
        s->z.avail_out = (uInt) cap;
        zr = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        *n = cap - s->z.avail_out;
        if (zr == Z_STREAM_END) {
                s->frame_open = false;
                if (s->in_pos < s->in_len)
                        return inflateReset(&s->z) == Z_OK ? 0 : -EBADMSG;
                s->out_eof = true;
                return 0;
        }
        s->frame_open = true;
        if (zr == Z_BUF_ERROR && !*n)
                return -EBADMSG;
        return zr == Z_OK || zr == Z_BUF_ERROR ? 0 : zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
}

static int step_xz(struct stream *s, uint8_t *out, size_t cap, size_t *n) {
        lzma_ret xr;

        s->x.next_in = s->in + s->in_pos;
        s->x.avail_in = s->in_len - s->in_pos;
        s->x.next_out = out;
        s->x.avail_out = cap;
        xr = lzma_code(&s->x, LZMA_FINISH);
        s->in_pos = s->in_len - s->x.avail_in;
        *n = cap - s->x.avail_out;
        if (xr == LZMA_STREAM_END) {
                s->out_eof = true;
                return 0;
        }
        if (xr == LZMA_OK)
                return 0;
        return xr == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
}

static int step_lz4(struct stream *s, uint8_t *out, size_t cap, size_t *n) {
        size_t dst = cap, src = s->in_len - s->in_pos;
        size_t hint = LZ4F_decompress(s->l4, out, &dst, s->in + s->in_pos, &src, NULL);

        if (LZ4F_isError(hint))
                return -EBADMSG;
        s->in_pos += src;
        *n = dst;
        if (src || dst) /* with no input, the hint is for a next frame */
                s->frame_open = hint != 0;
        if (s->in_pos == s->in_len && !dst) {
                if (s->frame_open)
                        return -EBADMSG; /* truncated frame */
                s->out_eof = true;
        }
        return 0;
}

/* Fills out with up to cap decompressed bytes; *n is 0 only at the end of
 * the stream. */
static int stream_read(struct stream *s, uint8_t *out, size_t cap, size_t *n) {
        size_t got = 0;

        while (got < cap && !s->out_eof) {
                size_t k = 0;
                int r;

                if (s->in_pos == s->in_len && s->c == LIST_GZIP) {
                        if (s->frame_open)
                                return -EBADMSG;
                        s->out_eof = true;
                        break;
                }
                switch (s->c) {
                case LIST_GZIP: r = step_gzip(s, out + got, cap - got, &k); break;
                case LIST_XZ: r = step_xz(s, out + got, cap - got, &k); break;
                case LIST_LZ4: r = step_lz4(s, out + got, cap - got, &k); break;
                default: return -EOPNOTSUPP;
                }
                if (r < 0)
                        return r;
                got += k;
        }
        *n = got;
        return 0;
}

/* Maps the regular file fd whole, read-only. An empty file maps nothing:
 * *map is then a static empty buffer (never NULL: the decompressors do
 * pointer arithmetic on it), and only a non-empty *len is to be unmapped. */
static int map_input(int fd, uint8_t **map, size_t *len) {
        static uint8_t empty[1];
        struct stat st;
        void *m = empty;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > APT_LIST_MAX_INPUT)
                return -EFBIG;
        if (st.st_size > 0) {
                m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (m == MAP_FAILED)
                        return -errno;
                (void) madvise(m, (size_t) st.st_size, MADV_SEQUENTIAL);
        }
        *map = m;
        *len = (size_t) st.st_size;
        return 0;
}

/* Maps a plain list and parses it in one pass. */
static int stream_plain(int fd, struct deb_sink *sink) {
        uint8_t *m;
        size_t len;
        ssize_t r = map_input(fd, &m, &len);

        if (r < 0 || len == 0)
                return (int) r;
        r = packages_parse_mapping((const char *) m, 0, len, sink);
        munmap(m, len);
        return r < 0 ? (int) r : 0;
}

static int stream_init(struct stream *s, int fd, enum list_compression c) {
        int r;

        *s = (struct stream) { .c = c };
        if ((r = map_input(fd, &s->in, &s->in_len)) < 0)
                return r;
        switch (c) {
        case LIST_GZIP:
                if (inflateInit2(&s->z, 15 + 32) != Z_OK) /* gzip or zlib header */
                        return -ENOMEM;
                s->z_init = true;
                return 0;
        case LIST_XZ:
                s->x = (lzma_stream) LZMA_STREAM_INIT;
                if (lzma_stream_decoder(&s->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
                        return -ENOMEM;
                s->x_init = true;
                return 0;
        case LIST_LZ4:
                return LZ4F_isError(LZ4F_createDecompressionContext(&s->l4, LZ4F_VERSION))
                               ? -ENOMEM : 0;
        default:
                return -EOPNOTSUPP;
        }
}

static void stream_done(struct stream *s) {
        if (s->z_init)
                inflateEnd(&s->z);
        if (s->x_init)
                lzma_end(&s->x);
        if (s->l4)
                LZ4F_freeDecompressionContext(s->l4);
        if (s->in_len)
                munmap(s->in, s->in_len);
}

/* Decompresses into a window of OUT_CHUNK (grown only for an entry longer
 * than the window) and hands complete stanzas to the parser. */
static int stream_loop(struct stream *s, struct deb_sink *sink) {
        _cleanup_free_ char *buf = malloc(OUT_CHUNK);
        size_t cap = OUT_CHUNK, fill = 0;
        uint64_t total = 0;

        if (!buf)
                return -ENOMEM;
        for (;;) {
                size_t n;
                ssize_t used;
                int r;

                if (fill == cap) {
                        char *nb;

                        if (cap >= APT_LIST_MAX_STANZA)
                                return -EBADMSG;
                        if (!(nb = realloc(buf, cap * 2)))
                                return -ENOMEM;
                        buf = nb;
                        cap *= 2;
                }
                if ((r = stream_read(s, (uint8_t *) buf + fill, cap - fill, &n)) < 0)
                        return r;
                mapping_drop_read(s->in, s->in_pos, &s->in_dropped);
                if ((total += n) > APT_LIST_MAX_OUTPUT)
                        return -EFBIG;
                fill += n;
                used = packages_parse(buf, fill, n == 0, sink);
                if (used < 0)
                        return (int) used;
                memmove(buf, buf + used, fill - (size_t) used);
                fill -= (size_t) used;
                if (n == 0)
                        return 0;
                if (sink->expired && sink->expired(sink->userdata))
                        return -ETIME;
        }
}

int apt_list_stream(int fd, enum list_compression c, struct deb_sink *sink) {
        struct stream s;
        int r;

        if (c == LIST_PLAIN)
                return stream_plain(fd, sink);
        if (c == LIST_UNSUPPORTED)
                return -EOPNOTSUPP;
        r = stream_init(&s, fd, c);
        if (r >= 0)
                r = stream_loop(&s, sink);
        stream_done(&s);
        return r;
}

static void copy_field(char *dst, const char *v, size_t n) {
        if (n > APT_RELEASE_MAX_FIELD)
                n = APT_RELEASE_MAX_FIELD;
        memcpy(dst, v, n);
        dst[n] = '\0';
}

static bool is_yes(const char *v, size_t n) {
        return n == 3 && strncasecmp(v, "yes", 3) == 0;
}

/* Takes the one header line [l, l+len) into ri when it is a field used. */
static void release_line(const char *l, size_t len, struct release_info *ri) {
        const char *v;
        size_t n;

        if (DEB822_FIELD(l, len, "Origin", &v, &n))
                copy_field(ri->origin, v, n);
        else if (DEB822_FIELD(l, len, "Label", &v, &n))
                copy_field(ri->label, v, n);
        else if (DEB822_FIELD(l, len, "Suite", &v, &n))
                copy_field(ri->suite, v, n);
        else if (DEB822_FIELD(l, len, "Codename", &v, &n))
                copy_field(ri->codename, v, n);
        else if (DEB822_FIELD(l, len, "NotAutomatic", &v, &n))
                ri->not_automatic = is_yes(v, n);
        else if (DEB822_FIELD(l, len, "ButAutomaticUpgrades", &v, &n))
                ri->but_automatic_upgrades = is_yes(v, n);
}

int release_parse(const char *buf, size_t len, struct release_info *ri) {
        struct release_info out = { 0 };
        const char *p = buf, *end;
        bool pgp_header = false, any = false;

        end = buf + (len > APT_RELEASE_MAX_HEADER ? APT_RELEASE_MAX_HEADER : len);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);
                const char *l = p;

                p = nl ? nl + 1 : end;
                if (n >= 34 && !strncmp(l, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) {
                        pgp_header = true;
                        continue;
                }
                if (pgp_header) {
                        pgp_header = !deb822_blank(l, n);
                        continue;
                }
                if (deb822_blank(l, n)) {
                        if (any)
                                break;
                        continue;
                }
                if (n >= 5 && !strncmp(l, "-----", 5))
                        break;
                if (l[0] == ' ' || l[0] == '\t' || !memchr(l, ':', n))
                        continue;
                any = true;
                release_line(l, n, &out);
        }
        if (!any)
                return -EBADMSG;
        *ri = out;
        return 0;
}

int release_priority(const struct release_info *ri) {
        if (ri->not_automatic)
                return ri->but_automatic_upgrades ? 100 : 1;
        return 500;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && !strcmp(s + n - m, suffix);
}

bool release_is_security(const struct release_info *ri) {
        return ends_with(ri->suite, "-security") || ends_with(ri->codename, "-security") ||
               !strcasecmp(ri->label, "Debian-Security");
}
