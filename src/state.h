/* SPDX-License-Identifier: MIT */
/* The daemon's memory across restarts: per control, the last status, what
 * was last announced, the streak that damping counts, and when it last
 * notified. Persisted atomically in state_dir/state.json. */
#ifndef COMPLYD_STATE_H
#define COMPLYD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_STATUS_MAX 16

struct control_state {
        char *id;
        char status[STATE_STATUS_MAX];    /* last result: pass|fail|error|not_applicable|waived, "" none */
        char announced[STATE_STATUS_MAX]; /* status when last announced, "" never */
        char streak_status[STATE_STATUS_MAX];
        unsigned streak;                  /* consecutive results in streak_status's class */
        uint64_t last_run_usec;           /* CLOCK_REALTIME */
        uint64_t last_notified_usec;
        uint64_t drift_events;
};

struct state {
        char *path;
        char config_hash[65];             /* of the configuration last run ("" unknown) */
        struct control_state *controls;
        size_t n;
};

enum drift_decision {
        DRIFT_NONE,
        DRIFT_ANNOUNCE,  /* pass -> fail/error, or a first failure */
        DRIFT_RECOVERY,  /* fail/error -> pass */
        DRIFT_REMIND,    /* still failing, renotify interval passed */
};

/* Loads state_dir/state.json (absent: empty state). A corrupt file is
 * renamed aside (state.json.corrupt) and -EBADMSG returned with an empty
 * state in *ret, so the daemon can log it and carry on. */
int state_load(const char *state_dir, struct state **ret);
/* Writes the state atomically (temp, fsync, rename, fsync dir). */
int state_save(const struct state *s);
void state_free(struct state *s);

/* The record for id, created empty when missing; NULL on OOM. Creating
 * one may move the others: pointers from earlier calls become invalid. */
struct control_state *state_get(struct state *s, const char *id);
/* The record for id, or NULL: never creates (pointers stay valid). */
const struct control_state *state_find(const struct state *s, const char *id);

/* Records a new result and decides what to announce. damping >= 1 results
 * in the new class are needed before a change is announced; renotify_usec
 * (0 = off) re-announces a failure that lasts. previous_ret, when set,
 * receives the status announced before (for the alert). */
enum drift_decision state_observe(struct control_state *cs, const char *status, uint64_t now_usec,
                                  unsigned damping, uint64_t renotify_usec,
                                  char previous_ret[STATE_STATUS_MAX]);

/* fail and error count as failing; everything else as not failing */
bool status_is_failing(const char *status);

#endif
