/* SPDX-License-Identifier: MIT */
/* Paths into an observation ("listeners[*].port", sysctl["net.ipv4.ip_forward"]):
 * parsed once, walked without allocation, and the concrete path of every
 * value visited written into a bounded buffer. Nothing here logs. */
#ifndef COMPLYD_RULE_PATH_H
#define COMPLYD_RULE_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define RULE_PATH_MAX_SEGMENTS 64
#define RULE_PATH_MAX_TEXT 1024

enum path_seg_type { SEG_KEY, SEG_INDEX, SEG_WILD };

struct path_seg {
        enum path_seg_type type;
        char *key;      /* SEG_KEY, NUL-terminated */
        size_t index;   /* SEG_INDEX */
};

struct rule_path {
        struct path_seg *segs;
        size_t n;       /* 0 = the current element */
        bool wild;      /* some segment is [*] */
};

/* Parses text into p. On a malformed path returns -EINVAL and writes a
 * message naming the problem and its character offset into err; -ENOMEM. */
int rule_path_parse(const char *text, struct rule_path *p, char *err, size_t errlen);
void rule_path_done(struct rule_path *p);

/* A concrete path being built while walking: "listeners[3].port". Appends
 * beyond the buffer are dropped and the text ends in "...". */
struct pbuf {
        char buf[RULE_PATH_MAX_TEXT];
        size_t len;
        bool overflow;
        unsigned dropped; /* pushes that did not fit, still to be popped */
};

/* Each push returns the previous length for pbuf_pop(). pb may be NULL. */
size_t pbuf_push_key(struct pbuf *pb, const char *key);
size_t pbuf_push_index(struct pbuf *pb, size_t index);
/* Appends a path as written (".text", or "text" at the start, "[..." as is). */
size_t pbuf_push_text(struct pbuf *pb, const char *text);
/* Appends the concrete segments of a wildcard-free path. */
size_t pbuf_push_path(struct pbuf *pb, const struct rule_path *p);
void pbuf_pop(struct pbuf *pb, size_t len);
const char *pbuf_str(struct pbuf *pb);

/* Called for each value a path selects; v is NULL when the path does not
 * exist there. Return false to stop the walk. */
typedef bool (*path_visit_fn)(void *userdata, const json_t *v, struct pbuf *pb);

/* Visits every value p selects below v (NULL = missing). A key or index
 * that does not exist yields one visit with NULL; a [*] over something that
 * is neither an array nor an object yields none. Returns false when fn
 * stopped the walk. pb (may be NULL) holds the concrete path at each visit
 * and is restored on return. */
bool rule_path_walk(const struct rule_path *p, const json_t *v, struct pbuf *pb,
                    path_visit_fn fn, void *userdata);

/* The single value a wildcard-free path selects, or NULL when missing. */
const json_t *rule_path_get(const struct rule_path *p, const json_t *v);

#endif
