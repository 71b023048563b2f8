/* SPDX-License-Identifier: MIT */
/* time_sync probe internals: pure parsers of the time daemons'
 * configuration (chrony.conf, ntp.conf, timesyncd.conf), over (buffer,
 * length), with explicit limits; unit and fuzz tests call them directly.
 * Exported names start with ts_. */
#ifndef COMPLYD_TIME_SYNC_H
#define COMPLYD_TIME_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define TS_TEXT_MAX (4u << 20)     /* configuration text parsed at most */
#define TS_LINE_MAX 4096           /* longer lines are skipped */
#define TS_SOURCES_MAX 256         /* sources kept per daemon */
#define TS_DIRS_MAX 32             /* confdir/sourcedir/include entries kept */

/* Appends the time sources of a chrony.conf or ntp.conf text to sources:
 * one {"type": "server"|"pool"|"peer", "host": ..., "options": "iburst
 * maxsources 4"} per directive. For chrony also collects confdir and
 * sourcedir directories and include patterns (each a JSON string) into
 * dirs (NULL to ignore): {"confdir": [...], "sourcedir": [...],
 * "include": [...]}. Returns the number of sources added or -ENOMEM. */
int ts_sources_parse(const char *buf, size_t len, json_t *sources, json_t *dirs);

/* timesyncd's [Time] NTP= and FallbackNTP= as systemd reads them: each
 * assignment appends its space-separated names, an empty assignment
 * resets the list. A list that was never assigned stays NULL (FallbackNTP
 * then means the compiled-in servers). Parse files in order into one
 * state; free with ts_timesyncd_done(). */
struct ts_timesyncd {
        json_t *ntp;      /* array or NULL */
        json_t *fallback; /* array or NULL */
};
int ts_timesyncd_parse(const char *buf, size_t len, struct ts_timesyncd *st);
void ts_timesyncd_done(struct ts_timesyncd *st);

#endif
