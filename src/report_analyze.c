/* SPDX-License-Identifier: MIT */
/*
 * complyd report, part two: the timelines. Each host's entries, sorted by
 * seq, are walked twice: once to derive the intervals (median spacing of
 * each control's results and of the heartbeats), once to build every
 * control's timeline as merged segments clipped to the period. Every
 * figure is then read off the segments and the drift events. See report.h
 * for the rules. Time is O(n log n) for the sorts, O(n) otherwise; memory
 * one entry per record plus the segments (one per change of state).
 */
#include "report_internal.h"
#include "util.h"

#define FAR_PAST (INT64_MIN / 4)
#define DEFAULT_INTERVAL_MS 3600000LL /* no spacing observed at all: the heartbeat default */

struct seg {
        int64_t from, to;
        uint8_t state;
};

struct drift {
        int64_t start, end;     /* end < 0: not recovered */
        uint64_t seq;
        uint32_t text;
        uint8_t status;
};

struct waiv {
        uint32_t text;
        int64_t first, last;
};

/* One host x control pair while its timeline is built. */
struct iacc {
        int64_t interval, hold, last_result;
        uint8_t state;
        int64_t from, hold_until;
        bool open;              /* a drift event not yet recovered */
        uint64_t observations;  /* results within the period */
        struct seg *segs;
        size_t n_segs, cap_segs;
        struct drift *drifts;
        size_t n_drifts, cap_drifts;
        struct waiv *waivs;
        size_t n_waivs, cap_waivs;
        int64_t *deltas;
        size_t n_deltas, cap_deltas;
};

/* A key a host's records were signed with. */
struct rkey {
        uint32_t key_id;        /* texts index */
        uint64_t first_seq, last_seq, records;
        int64_t first_t, last_t;
};

struct gap {
        int64_t from, to;
        const char *kind;
        char *detail;
};

/* One host while its timelines are built. */
struct hacc {
        int64_t hb_interval, longest, threshold;
        struct gap *gaps;
        size_t n_gaps, cap_gaps;
        json_t *jumps, *changes;
        struct rkey *keys;      /* in the order of their first seq */
        size_t n_keys, cap_keys;
        uint64_t records, in_period, restarts, first_seq, last_seq;
        int64_t first_t, last_t;
};

struct analysis {
        struct report *r;
        int64_t since, until;
        struct iacc *ia;        /* per instance */
        struct hacc *ha;        /* per host */
        int oom;
};

/* --- sorting ------------------------------------------------------------------------ */

static int rec_cmp(const void *a, const void *b) {
        const struct rrec *x = a, *y = b;

        if (x->host != y->host)
                return x->host < y->host ? -1 : 1;
        if (x->seq != y->seq)
                return x->seq < y->seq ? -1 : 1;
        return (x->order > y->order) - (x->order < y->order);
}

/* Sorts the entries by host and seq and drops repeated seqs (the same
 * record delivered again; of two different ones the first that arrived). */
static void sort_records(struct report *r) {
        size_t out = 0;

        if (r->n_recs > 1)
                qsort(r->recs, r->n_recs, sizeof(*r->recs), rec_cmp);
        for (size_t i = 0; i < r->n_recs; i++)
                if (out == 0 || r->recs[out - 1].host != r->recs[i].host ||
                    r->recs[out - 1].seq != r->recs[i].seq)
                        r->recs[out++] = r->recs[i];
        r->n_recs = out;
}

static int i64_cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

        return (x > y) - (x < y);
}

/* The median of v (sorted in place); 0 for none. */
static int64_t median(int64_t *v, size_t n) {
        if (n == 0)
                return 0;
        qsort(v, n, sizeof(*v), i64_cmp);
        return v[n / 2];
}

static void push_delta(struct analysis *a, int64_t **v, size_t *n, size_t *cap, int64_t d) {
        if (report_grow(v, cap, *n, sizeof(**v)) < 0)
                a->oom = 1;
        else
                (*v)[(*n)++] = d;
}

/* --- pass 1: intervals ------------------------------------------------------------------ */

/* Derives the host's intervals from the spacing of its records [i0, i1):
 * each control's median spacing between consecutive results, the
 * heartbeat's, the longest of them, and the no-monitoring threshold. */
static void derive_intervals(struct analysis *a, uint32_t host, size_t i0, size_t i1) {
        struct rhost *h = &a->r->hosts[host];
        struct hacc *ha = &a->ha[host];
        _cleanup_free_ int64_t *hb = NULL;
        size_t n_hb = 0, cap_hb = 0;
        int64_t last_hb = FAR_PAST;

        for (size_t i = 0; i < h->n_insts; i++)
                a->ia[h->insts[i]].last_result = FAR_PAST;
        for (size_t i = i0; i < i1; i++) {
                const struct rrec *e = &a->r->recs[i];

                if (e->type == RT_RESULT) {
                        struct iacc *ia = &a->ia[e->inst];

                        if (ia->last_result != FAR_PAST && e->t > ia->last_result)
                                push_delta(a, &ia->deltas, &ia->n_deltas, &ia->cap_deltas,
                                           e->t - ia->last_result);
                        ia->last_result = e->t;
                } else if (e->type == RT_HEARTBEAT) {
                        if (last_hb != FAR_PAST && e->t > last_hb)
                                push_delta(a, &hb, &n_hb, &cap_hb, e->t - last_hb);
                        last_hb = e->t;
                }
        }
        ha->hb_interval = median(hb, n_hb);
        ha->longest = ha->hb_interval;
        for (size_t i = 0; i < h->n_insts; i++) {
                struct iacc *ia = &a->ia[h->insts[i]];

                ia->interval = median(ia->deltas, ia->n_deltas);
                free(ia->deltas);
                ia->deltas = NULL;
                if (ia->interval > ha->longest)
                        ha->longest = ia->interval;
        }
        if (ha->longest <= 0)
                ha->longest = DEFAULT_INTERVAL_MS;
        ha->threshold = 2 * ha->longest;
        for (size_t i = 0; i < h->n_insts; i++) {
                struct iacc *ia = &a->ia[h->insts[i]];

                if (ia->interval <= 0)
                        ia->interval = ha->longest;
                ia->hold = 2 * ia->interval;
                ia->state = ST_UNMON;
                ia->from = FAR_PAST;
        }
}

/* --- pass 2: timelines -------------------------------------------------------------------- */

/* Appends [from, to) in state to the instance's segments, clipped to the
 * period and merged with the last one when it continues it. */
static void emit(struct analysis *a, struct iacc *ia, int64_t from, int64_t to, uint8_t state) {
        struct seg *last;

        from = from < a->since ? a->since : from;
        to = to > a->until ? a->until : to;
        if (to <= from)
                return;
        last = ia->n_segs ? &ia->segs[ia->n_segs - 1] : NULL;
        if (last && last->state == state && last->to == from) {
                last->to = to;
                return;
        }
        if (report_grow(&ia->segs, &ia->cap_segs, ia->n_segs, sizeof(*ia->segs)) < 0) {
                a->oom = 1;
                return;
        }
        ia->segs[ia->n_segs++] = (struct seg){ from, to, state };
}

/* Moves the instance's timeline to t: its state held since ia->from until
 * t, or until its hold ran out (then unmonitored up to t). */
static void advance(struct analysis *a, struct iacc *ia, int64_t t) {
        if (t <= ia->from)
                return;
        if (ia->state != ST_UNMON && ia->hold_until < t) {
                emit(a, ia, ia->from, ia->hold_until, ia->state);
                emit(a, ia, ia->hold_until > ia->from ? ia->hold_until : ia->from, t, ST_UNMON);
        } else {
                emit(a, ia, ia->from, t, ia->state);
        }
        ia->from = t;
}

/* The instance is not monitored from t on (until its next result). */
static void cut(struct analysis *a, struct iacc *ia, int64_t t) {
        advance(a, ia, t);
        ia->state = ST_UNMON;
}

static void note_waiver(struct analysis *a, struct iacc *ia, uint32_t text, int64_t t) {
        size_t i;

        for (i = 0; i < ia->n_waivs && ia->waivs[i].text != text; i++)
                ;
        if (i == ia->n_waivs) {
                if (report_grow(&ia->waivs, &ia->cap_waivs, i, sizeof(*ia->waivs)) < 0) {
                        a->oom = 1;
                        return;
                }
                ia->waivs[ia->n_waivs++] = (struct waiv){ text, t, t };
        }
        ia->waivs[i].last = t;
}

/* A result at t: the timeline moves on, the new status holds for the
 * instance's hold; drift events open at a failure not preceded by one and
 * close at the next pass. */
static void observe(struct analysis *a, struct iacc *ia, const struct rrec *e, int64_t t) {
        bool failing = e->status == ST_FAIL || e->status == ST_ERROR;

        advance(a, ia, t);
        ia->state = e->status;
        ia->hold_until = t + ia->hold;
        if (t >= a->since && t < a->until)
                ia->observations++;
        if (failing && !ia->open) {
                if (report_grow(&ia->drifts, &ia->cap_drifts, ia->n_drifts, sizeof(*ia->drifts)) < 0) {
                        a->oom = 1;
                        return;
                }
                ia->drifts[ia->n_drifts++] = (struct drift){ t, -1, e->seq, e->text, e->status };
                ia->open = true;
        } else if (e->status == ST_PASS && ia->open) {
                ia->drifts[ia->n_drifts - 1].end = t;
                ia->open = false;
        }
        if (e->status == ST_WAIVED && t < a->until)
                note_waiver(a, ia, e->text, t);
}

/* The host had no monitoring in [from, to): every control is cut at from,
 * and the stretch is listed (the part within the period). */
static void host_gap(struct analysis *a, uint32_t host, int64_t from, int64_t to, const char *kind,
                     char *detail) {
        struct rhost *h = &a->r->hosts[host];
        struct hacc *ha = &a->ha[host];

        for (size_t i = 0; i < h->n_insts; i++)
                cut(a, &a->ia[h->insts[i]], from);
        from = from < a->since ? a->since : from;
        to = to > a->until ? a->until : to;
        if (to <= from || !detail ||
            report_grow(&ha->gaps, &ha->cap_gaps, ha->n_gaps, sizeof(*ha->gaps)) < 0) {
                a->oom |= !detail;
                free(detail);
                return;
        }
        ha->gaps[ha->n_gaps++] = (struct gap){ from, to, kind, detail };
}

/* "seq 4-9 (6 records) declared dropped (spool_full) by seq 10" or "... not declared". */
static char *missing_detail(struct analysis *a, uint32_t host, uint64_t first, uint64_t last) {
        for (size_t i = 0; i < a->r->n_drops; i++) {
                const struct rdrop *d = &a->r->drops[i];

                if (d->host == host && d->first_seq <= last && d->last_seq >= first)
                        return strdup_printf("seq %llu-%llu missing (%llu records): declared lost (%s) "
                                             "by the evidence.dropped record seq %llu",
                                             (unsigned long long) first, (unsigned long long) last,
                                             (unsigned long long) (last - first + 1), d->reason,
                                             (unsigned long long) d->declared_by);
        }
        return strdup_printf("seq %llu-%llu missing (%llu records), not declared: not authentic or "
                             "removed",
                             (unsigned long long) first, (unsigned long long) last,
                             (unsigned long long) (last - first + 1));
}

static json_t *jtime(int64_t ms) {
        char buf[25];

        return json_string(report_format_time(ms, buf));
}

static json_t *jdur(int64_t ms) { return json_real((double) ms / 1000.0); }

/* Time going backwards from the previous record: listed. */
static void note_jump(struct analysis *a, struct hacc *ha, const struct rrec *e, int64_t prev_t) {
        if (!ha->jumps)
                return;
        if (json_array_size(ha->jumps) < REPORT_LIST_MAX &&
            json_array_append_new(ha->jumps,
                                  json_pack("{s:I,s:o,s:o,s:o}", "seq", (json_int_t) e->seq, "time",
                                            jtime(e->t), "previous_time", jtime(prev_t), "back_s",
                                            jdur(prev_t - e->t))) < 0)
                a->oom = 1;
}

static void note_config(struct analysis *a, struct hacc *ha, const struct rrec *e, int64_t t) {
        const char *s = e->text != NO_INDEX ? a->r->texts.s[e->text] : "";
        const char *sep = strchr(s, '\x1f');

        if (!ha->changes || t < a->since || t >= a->until ||
            json_array_size(ha->changes) >= REPORT_LIST_MAX)
                return;
        if (json_array_append_new(ha->changes,
                                  json_pack("{s:o,s:I,s:s%,s:s}", "time", jtime(t), "seq",
                                            (json_int_t) e->seq, "old_config_hash", s,
                                            (size_t) (sep ? sep - s : 0), "new_config_hash",
                                            sep ? sep + 1 : "")) < 0)
                a->oom = 1;
}

/* Counts the record under its key (a host has few keys: a linear search). */
static void note_key(struct analysis *a, struct hacc *ha, const struct rrec *e) {
        size_t i;

        for (i = ha->n_keys; i > 0 && ha->keys[i - 1].key_id != e->key; i--)
                ;
        if (i == 0) {
                if (ha->n_keys >= 256 || report_grow(&ha->keys, &ha->cap_keys, ha->n_keys, sizeof(*ha->keys)) < 0) {
                        a->oom |= ha->n_keys < 256;
                        return;
                }
                ha->keys[ha->n_keys++] = (struct rkey){ e->key, e->seq, e->seq, 0, e->t, e->t };
                i = ha->n_keys;
        }
        ha->keys[i - 1].records++;
        ha->keys[i - 1].last_seq = e->seq;
        ha->keys[i - 1].last_t = e->t;
}

/* What happens between the previous record (at hwm, seq last_seq) and e:
 * a seq gap, the agent having been stopped, or silence past the
 * threshold. */
static void between(struct analysis *a, uint32_t host, const struct rrec *e, int64_t t, int64_t hwm,
                    uint64_t last_seq, int64_t stop_t, uint64_t stop_seq) {
        struct hacc *ha = &a->ha[host];
        char d[64];

        if (e->seq > last_seq + 1)
                host_gap(a, host, hwm, t, "evidence_missing",
                         missing_detail(a, host, last_seq + 1, e->seq - 1));
        else if (stop_seq)
                host_gap(a, host, stop_t, t, "agent_stopped",
                         strdup_printf("agent.stop (seq %llu) until %s (seq %llu)",
                                       (unsigned long long) stop_seq,
                                       e->type == RT_START ? "agent.start" : "the next record",
                                       (unsigned long long) e->seq));
        else if (t - hwm > ha->threshold)
                host_gap(a, host, hwm, t, "no_records",
                         strdup_printf("no heartbeat or result for %s between seq %llu and %llu "
                                       "(agent killed, host down, or the clock jumped forward)",
                                       report_format_duration(t - hwm, d, sizeof(d)),
                                       (unsigned long long) last_seq, (unsigned long long) e->seq));
}

/* Walks the host's records [i0, i1) in seq order and builds its timelines. */
static void walk_host(struct analysis *a, uint32_t host, size_t i0, size_t i1) {
        struct rhost *h = &a->r->hosts[host];
        struct hacc *ha = &a->ha[host];
        int64_t hwm = FAR_PAST, prev_t = FAR_PAST, stop_t = 0;
        uint64_t last_seq = 0, stop_seq = 0;
        char d[64];

        ha->first_seq = a->r->recs[i0].seq;
        ha->first_t = a->r->recs[i0].t;
        if (a->r->recs[i0].t > a->since)
                host_gap(a, host, a->since, a->r->recs[i0].t, "no_records",
                         strdup_printf("before the first record (seq %llu)",
                                       (unsigned long long) a->r->recs[i0].seq));
        for (size_t i = i0; i < i1; i++) {
                const struct rrec *e = &a->r->recs[i];
                int64_t t = e->t > hwm ? e->t : hwm;

                if (prev_t != FAR_PAST && e->t < prev_t)
                        note_jump(a, ha, e, prev_t);
                if (last_seq)
                        between(a, host, e, t, hwm, last_seq, stop_t, stop_seq);
                stop_seq = 0;
                note_key(a, ha, e);
                ha->records++;
                if (t >= a->since && t < a->until)
                        ha->in_period++;
                switch (e->type) {
                case RT_RESULT: observe(a, &a->ia[e->inst], e, t); break;
                case RT_STOP:
                        for (size_t j = 0; j < h->n_insts; j++)
                                cut(a, &a->ia[h->insts[j]], t);
                        stop_t = t;
                        stop_seq = e->seq;
                        break;
                case RT_START: ha->restarts += t >= a->since && t < a->until; break;
                case RT_CONFIG: note_config(a, ha, e, t); break;
                default: break;
                }
                hwm = t;
                prev_t = e->t;
                last_seq = e->seq;
        }
        ha->last_seq = last_seq;
        ha->last_t = a->r->recs[i1 - 1].t;
        if (stop_seq)
                host_gap(a, host, stop_t, a->until,
                         "agent_stopped",
                         strdup_printf("agent.stop (seq %llu), no record after it",
                                       (unsigned long long) stop_seq));
        else if (a->until - hwm > ha->threshold)
                host_gap(a, host, hwm, a->until, "no_records",
                         strdup_printf("no record after seq %llu for %s", (unsigned long long) last_seq,
                                       report_format_duration(a->until - hwm, d, sizeof(d))));
        for (size_t j = 0; j < h->n_insts; j++) {
                struct iacc *ia = &a->ia[h->insts[j]];

                advance(a, ia, a->until > ia->from ? a->until : ia->from);
        }
}

/* --- figures ------------------------------------------------------------------------------ */

struct figures {
        int64_t time[_ST_MAX];
        int64_t longest_from, longest_to;
        uint64_t drifts_in_period;
};

static json_t *span_list(const struct iacc *ia, uint8_t state) {
        json_t *l = json_array();

        for (size_t i = 0; l && i < ia->n_segs; i++) {
                const struct seg *s = &ia->segs[i];

                if (s->state == state && json_array_size(l) < REPORT_LIST_MAX)
                        json_array_append_new(l, json_pack("{s:o,s:o,s:o}", "from", jtime(s->from), "to",
                                                           jtime(s->to), "duration_s",
                                                           jdur(s->to - s->from)));
        }
        return l;
}

/* Sums the time in each state and finds the longest run of failing
 * (fail or error) segments that follow each other without a break. */
static void sum_segments(const struct iacc *ia, struct figures *f) {
        int64_t run_from = 0, run_to = FAR_PAST;

        for (size_t i = 0; i < ia->n_segs; i++) {
                const struct seg *s = &ia->segs[i];

                f->time[s->state] += s->to - s->from;
                if (s->state != ST_FAIL && s->state != ST_ERROR)
                        continue;
                if (s->from != run_to)
                        run_from = s->from;
                run_to = s->to;
                if (run_to - run_from > f->longest_to - f->longest_from) {
                        f->longest_from = run_from;
                        f->longest_to = run_to;
                }
        }
}

static json_t *jshare(int64_t pass, int64_t judged) {
        return judged > 0 ? json_real((double) pass / (double) judged) : json_null();
}

/* The drift events overlapping the period, their count (those starting in
 * it) and the mean time to recover (of those listed that recovered). */
static json_t *drift_list(struct analysis *a, const struct iacc *ia, struct figures *f, json_t **mean) {
        json_t *l = json_array();
        int64_t sum = 0;
        uint64_t n = 0;

        for (size_t i = 0; l && i < ia->n_drifts; i++) {
                const struct drift *d = &ia->drifts[i];
                const char *text = d->text != NO_INDEX ? a->r->texts.s[d->text] : "";

                if (d->start >= a->until || (d->end >= 0 && d->end <= a->since))
                        continue;
                f->drifts_in_period += d->start >= a->since;
                if (d->end >= 0) {
                        sum += d->end - d->start;
                        n++;
                }
                if (json_array_size(l) < REPORT_LIST_MAX)
                        json_array_append_new(
                                l, json_pack("{s:o,s:I,s:s,s:s,s:o,s:o,s:b}", "start", jtime(d->start),
                                             "seq", (json_int_t) d->seq, "status",
                                             report_state_name(d->status), "reason", text, "recovered",
                                             d->end >= 0 ? jtime(d->end) : json_null(),
                                             "time_to_recover_s",
                                             d->end >= 0 ? jdur(d->end - d->start) : json_null(),
                                             "began_before_period", d->start < a->since));
        }
        *mean = n ? json_real((double) sum / (double) n / 1000.0) : json_null();
        return l;
}

static json_t *waiver_list(struct analysis *a, const struct iacc *ia) {
        json_t *l = json_array();

        for (size_t i = 0; l && i < ia->n_waivs; i++) {
                const char *s = a->r->texts.s[ia->waivs[i].text], *sep = strchr(s, '\x1f');

                if (ia->waivs[i].last < a->since)
                        continue;
                json_array_append_new(l, json_pack("{s:s%,s:s,s:o,s:o}", "reason", s,
                                                   (size_t) (sep ? sep - s : (ptrdiff_t) strlen(s)),
                                                   "expires", sep ? sep + 1 : "", "first_seen",
                                                   jtime(ia->waivs[i].first), "last_seen",
                                                   jtime(ia->waivs[i].last)));
        }
        return l;
}

static json_t *timeline(const struct iacc *ia, bool *truncated) {
        json_t *l = json_array();

        *truncated = ia->n_segs > REPORT_LIST_MAX;
        for (size_t i = 0; l && i < ia->n_segs && i < REPORT_LIST_MAX; i++)
                json_array_append_new(l, json_pack("{s:o,s:o,s:s}", "from", jtime(ia->segs[i].from), "to",
                                                   jtime(ia->segs[i].to), "state",
                                                   report_state_name(ia->segs[i].state)));
        return l;
}

/* The JSON of one control on one host; *f gets its figures. */
static json_t *control_json(struct analysis *a, uint32_t inst, struct figures *f) {
        const struct rinst *in = &a->r->insts[inst];
        const struct iacc *ia = &a->ia[inst];
        int64_t *t = f->time, judged;
        json_t *mean = NULL, *drifts, *tl;
        bool trunc;

        *f = (struct figures){ 0 };
        sum_segments(ia, f);
        judged = t[ST_PASS] + t[ST_FAIL] + t[ST_ERROR];
        drifts = drift_list(a, ia, f, &mean);
        tl = timeline(ia, &trunc);
        return json_pack(
                "{s:s,s:s,s:s,s:O,s:o,s:o,s:I,s:o,s:{s:o,s:o,s:o,s:o,s:o,s:o},s:o,s:I,s:o,s:o,s:o,s:o,"
                "s:o,s:o,s:o,s:b}",
                "id", in->control_id, "title", in->title, "severity", in->severity, "criteria",
                in->criteria, "interval_s", jdur(ia->interval), "hold_s", jdur(ia->hold),
                "observations", (json_int_t) ia->observations, "share", jshare(t[ST_PASS], judged),
                "time_s", "pass", jdur(t[ST_PASS]), "fail", jdur(t[ST_FAIL]), "error", jdur(t[ST_ERROR]),
                "not_applicable", jdur(t[ST_NA]), "waived", jdur(t[ST_WAIVED]), "unmonitored",
                jdur(t[ST_UNMON]), "judged_s", jdur(judged), "drift_events",
                (json_int_t) f->drifts_in_period, "drifts", drifts, "mean_time_to_recover_s", mean,
                "longest_failing",
                f->longest_to > f->longest_from
                        ? json_pack("{s:o,s:o,s:o}", "from", jtime(f->longest_from), "to",
                                    jtime(f->longest_to), "duration_s",
                                    jdur(f->longest_to - f->longest_from))
                        : json_null(),
                "waivers", waiver_list(a, ia), "not_applicable", span_list(ia, ST_NA), "gaps",
                span_list(ia, ST_UNMON), "timeline", tl, "timeline_truncated", trunc);
}

/* --- SOC 2 criteria ------------------------------------------------------------------------- */

struct crit {
        int64_t time[_ST_MAX];
        uint64_t drifts, instances;
        json_t *controls;
        double worst;
        uint32_t worst_inst;
};

struct crits {
        struct strtab names;
        struct crit *c;
        size_t cap;
};

/* Adds one control's figures to each soc2: criterion it maps to. */
static int crit_add(struct analysis *a, struct crits *cs, uint32_t inst, const struct figures *f) {
        const json_t *criteria = a->r->insts[inst].criteria;
        int64_t judged = f->time[ST_PASS] + f->time[ST_FAIL] + f->time[ST_ERROR];
        const char *id = a->r->insts[inst].control_id;
        size_t i, j;
        json_t *v, *x;

        json_array_foreach(criteria, i, v) {
                const char *s = json_string_value(v);
                struct crit *c;
                uint32_t k;
                int added;
                bool seen = false;

                if (!s || !startswith(s, "soc2:") || !s[5])
                        continue;
                added = strtab_intern(&cs->names, s + 5, strlen(s + 5), &k);
                if (added < 0 || (added && report_grow(&cs->c, &cs->cap, k, sizeof(*cs->c)) < 0))
                        return -ENOMEM;
                c = &cs->c[k];
                if (added)
                        *c = (struct crit){ .controls = json_array(), .worst = 2.0, .worst_inst = NO_INDEX };
                if (!c->controls)
                        return -ENOMEM;
                for (int st = 0; st < _ST_MAX; st++)
                        c->time[st] += f->time[st];
                c->drifts += f->drifts_in_period;
                c->instances++;
                if (judged > 0 && (double) f->time[ST_PASS] / (double) judged < c->worst) {
                        c->worst = (double) f->time[ST_PASS] / (double) judged;
                        c->worst_inst = inst;
                }
                json_array_foreach(c->controls, j, x) seen |= streq(json_string_value(x), id);
                if (!seen && json_array_append_new(c->controls, json_string(id)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int name_cmp(const void *a, const void *b) {
        return strverscmp(json_string_value(json_object_get(*(json_t *const *) a, "criterion")),
                          json_string_value(json_object_get(*(json_t *const *) b, "criterion")));
}

/* The criteria table, sorted by criterion (CC6.1 < CC6.2 < CC6.10). */
static json_t *crit_json(struct analysis *a, struct crits *cs) {
        _cleanup_free_ json_t **rows = calloc(cs->names.n + 1, sizeof(*rows));
        json_t *l = json_array();

        if (!rows || !l)
                return json_decref(l), NULL;
        for (size_t k = 0; k < cs->names.n; k++) {
                struct crit *c = &cs->c[k];
                int64_t judged = c->time[ST_PASS] + c->time[ST_FAIL] + c->time[ST_ERROR];
                const struct rinst *w = c->worst_inst != NO_INDEX ? &a->r->insts[c->worst_inst] : NULL;

                rows[k] = json_pack(
                        "{s:s,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o}", "criterion",
                        cs->names.s[k], "controls", c->controls, "instances", (json_int_t) c->instances,
                        "share", jshare(c->time[ST_PASS], judged), "pass_s", jdur(c->time[ST_PASS]),
                        "fail_s", jdur(c->time[ST_FAIL]), "error_s", jdur(c->time[ST_ERROR]), "judged_s",
                        jdur(judged), "waived_s", jdur(c->time[ST_WAIVED]), "not_applicable_s",
                        jdur(c->time[ST_NA]), "unmonitored_s", jdur(c->time[ST_UNMON]), "drift_events",
                        (json_int_t) c->drifts, "worst",
                        w ? json_pack("{s:s,s:s,s:s,s:f}", "control", w->control_id, "host",
                                      a->r->host_ids.s[w->host], "hostname",
                                      a->r->hosts[w->host].hostname ?: "", "share", c->worst)
                          : json_null());
                c->controls = NULL;
                if (!rows[k])
                        a->oom = 1;
        }
        qsort(rows, cs->names.n, sizeof(*rows), name_cmp);
        for (size_t k = 0; k < cs->names.n; k++)
                if (rows[k])
                        json_array_append_new(l, rows[k]);
        return l;
}

/* --- hosts --------------------------------------------------------------------------------- */

static bool selected(const struct analysis *a, uint32_t inst) {
        const struct report_options *o = a->r->opt;

        if (o->n_controls == 0)
                return true;
        for (size_t i = 0; i < o->n_controls; i++)
                if (streq(o->controls[i], a->r->insts[inst].control_id))
                        return true;
        return false;
}

static int inst_cmp(const void *x, const void *y, void *userdata) {
        const struct report *r = userdata;

        return strcmp(r->insts[*(const uint32_t *) x].control_id, r->insts[*(const uint32_t *) y].control_id);
}

static json_t *keys_json(struct analysis *a, const struct hacc *ha) {
        json_t *l = json_array();

        for (size_t i = 0; l && i < ha->n_keys; i++) {
                const struct rkey *k = &ha->keys[i];

                json_array_append_new(l, json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "key_id",
                                                   a->r->texts.s[k->key_id], "first_seq",
                                                   (json_int_t) k->first_seq, "last_seq",
                                                   (json_int_t) k->last_seq, "records",
                                                   (json_int_t) k->records, "first_time",
                                                   jtime(k->first_t), "last_time", jtime(k->last_t)));
        }
        return l;
}

static json_t *gaps_json(const struct hacc *ha, int64_t *total) {
        json_t *l = json_array();

        *total = 0;
        for (size_t i = 0; l && i < ha->n_gaps; i++) {
                const struct gap *g = &ha->gaps[i];

                *total += g->to - g->from;
                if (json_array_size(l) < REPORT_LIST_MAX)
                        json_array_append_new(l, json_pack("{s:o,s:o,s:o,s:s,s:s}", "from", jtime(g->from),
                                                           "to", jtime(g->to), "duration_s",
                                                           jdur(g->to - g->from), "kind", g->kind,
                                                           "detail", g->detail));
        }
        return l;
}

/* The JSON of one host: its records, keys, periods without monitoring,
 * clock jumps, config changes and selected controls (by id); each
 * control's figures also go to the criteria. */
static json_t *host_json(struct analysis *a, uint32_t host, struct crits *cs) {
        struct rhost *h = &a->r->hosts[host];
        struct hacc *ha = &a->ha[host];
        json_t *controls = json_array(), *gaps;
        int64_t unmon;

        if (!controls)
                return NULL;
        qsort_r(h->insts, h->n_insts, sizeof(*h->insts), inst_cmp, a->r);
        for (size_t i = 0; i < h->n_insts; i++) {
                struct figures f;

                if (!selected(a, h->insts[i]))
                        continue;
                if (json_array_append_new(controls, control_json(a, h->insts[i], &f)) < 0 ||
                    crit_add(a, cs, h->insts[i], &f) < 0)
                        a->oom = 1;
        }
        gaps = gaps_json(ha, &unmon);
        return json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o}",
                         "id", a->r->host_ids.s[host], "hostname", h->hostname ?: "", "records",
                         (json_int_t) ha->records, "records_in_period", (json_int_t) ha->in_period,
                         "first_seq", (json_int_t) ha->first_seq, "last_seq", (json_int_t) ha->last_seq,
                         "first_time", jtime(ha->first_t), "last_time", jtime(ha->last_t),
                         "heartbeat_interval_s", ha->hb_interval ? jdur(ha->hb_interval) : json_null(),
                         "longest_interval_s", jdur(ha->longest), "gap_threshold_s",
                         jdur(ha->threshold), "restarts", (json_int_t) ha->restarts, "keys",
                         keys_json(a, ha), "no_monitoring", gaps, "unmonitored_s", jdur(unmon),
                         "clock_jumps", json_incref(ha->jumps), "config_changes",
                         json_incref(ha->changes), "controls", controls);
}

static int host_cmp(const void *x, const void *y) {
        const json_t *a = *(json_t *const *) x, *b = *(json_t *const *) y;
        int c = strcmp(json_string_value(json_object_get(a, "hostname")),
                       json_string_value(json_object_get(b, "hostname")));

        return c ? c : strcmp(json_string_value(json_object_get(a, "id")),
                              json_string_value(json_object_get(b, "id")));
}

/* --- the document ------------------------------------------------------------------------------ */

static json_t *rules_json(void) {
        return json_pack(
                "{s:s,s:s,s:s,s:s,s:s,s:s}", "interval",
                "A control's interval is the median spacing of its consecutive results; the "
                "heartbeat's likewise; a control seen once gets the host's longest interval.",
                "hold",
                "A result holds until the control's next result, at most twice its interval, and "
                "never into a period with no monitoring.",
                "no_monitoring",
                "A host has no monitoring from agent.stop to its next record, between two records "
                "more than twice its longest interval (controls and heartbeat) apart, between the "
                "records around missing seqs (evidence.dropped or not authentic), and before its "
                "first or after its last record.",
                "clock",
                "Time going backwards between consecutive seqs is a clock jump: listed, and those "
                "records count at the latest time already seen. A jump forward shows as a period "
                "with no records.",
                "share",
                "Compliant share = pass time / (pass + fail + error time) within the period; waived, "
                "not_applicable and unmonitored time are excluded and shown on their own. A "
                "criterion's share sums the time of the controls mapped to it.",
                "drift",
                "A drift event starts at a fail or error result not preceded by one and ends at the "
                "next pass; time to recover is the time between; the mean is over the listed events "
                "that recovered. The longest failing stretch is the longest unbroken run of fail or "
                "error time in the period.");
}

static json_t *dropped_json(struct analysis *a) {
        json_t *l = json_array();

        for (size_t i = 0; l && i < a->r->n_drops && i < REPORT_LIST_MAX; i++) {
                const struct rdrop *d = &a->r->drops[i];

                json_array_append_new(l, json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:I}", "host",
                                                   a->r->host_ids.s[d->host], "hostname",
                                                   a->r->hosts[d->host].hostname ?: "", "first_seq",
                                                   (json_int_t) d->first_seq, "last_seq",
                                                   (json_int_t) d->last_seq, "count",
                                                   (json_int_t) (d->last_seq - d->first_seq + 1),
                                                   "reason", d->reason, "declared_by",
                                                   (json_int_t) d->declared_by));
        }
        return l;
}

static json_t *verification_json(struct analysis *a) {
        const struct verify_summary *s = &a->r->vsum;
        const struct report_options *o = a->r->opt;
        json_t *kinds = json_object(), *keys = json_array();

        for (int k = 0; kinds && k < _VERIFY_PROBLEM_MAX; k++)
                if (s->by_kind[k])
                        json_object_set_new(kinds, verify_problem_name(k), json_integer((json_int_t) s->by_kind[k]));
        for (size_t i = 0; keys && i < o->n_keys; i++)
                json_array_append_new(keys, json_pack("{s:s,s:s}", "path", o->key_paths[i] ?: "", "key_id",
                                                      evidence_key_id(o->keys[i])));
        return json_pack("{s:b,s:I,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:o,s:I,s:O,s:O,s:b,s:o}", "intact",
                         s->intact, "inputs", (json_int_t) s->inputs, "records",
                         (json_int_t) s->records, "hosts", (json_int_t) s->hosts, "problems",
                         (json_int_t) s->problems, "by_kind", kinds, "duplicates",
                         (json_int_t) s->duplicates, "out_of_order", (json_int_t) s->out_of_order,
                         "dropped_ranges", (json_int_t) s->dropped_ranges, "dropped_records",
                         (json_int_t) s->dropped_records, "dropped", dropped_json(a),
                         "excluded_records", (json_int_t) a->r->excluded, "first_problem",
                         json_array_get(a->r->problems, 0) ?: json_null(), "problem_list",
                         a->r->problems, "problem_list_truncated",
                         s->problems > json_array_size(a->r->problems), "keys", keys);
}

static void analysis_clear(struct analysis *a) {
        for (size_t i = 0; a->ia && i < a->r->inst_keys.n; i++) {
                free(a->ia[i].segs);
                free(a->ia[i].drifts);
                free(a->ia[i].waivs);
                free(a->ia[i].deltas);
        }
        for (size_t i = 0; a->ha && i < a->r->host_ids.n; i++) {
                for (size_t j = 0; j < a->ha[i].n_gaps; j++)
                        free(a->ha[i].gaps[j].detail);
                free(a->ha[i].gaps);
                free(a->ha[i].keys);
                json_decref(a->ha[i].jumps);
                json_decref(a->ha[i].changes);
        }
        free(a->ia);
        free(a->ha);
}

/* Builds the hosts (sorted by hostname) and the criteria table. */
static int build_hosts(struct analysis *a, json_t **hosts, json_t **criteria) {
        struct crits cs = { 0 };
        size_t n = 0, i0, i1;
        _cleanup_free_ json_t **rows = calloc(a->r->host_ids.n + 1, sizeof(*rows));

        *hosts = json_array();
        if (!rows || !*hosts)
                return -ENOMEM;
        for (i0 = 0; i0 < a->r->n_recs; i0 = i1) {
                uint32_t host = a->r->recs[i0].host;

                for (i1 = i0; i1 < a->r->n_recs && a->r->recs[i1].host == host; i1++)
                        ;
                a->ha[host].jumps = json_array();
                a->ha[host].changes = json_array();
                derive_intervals(a, host, i0, i1);
                walk_host(a, host, i0, i1);
                rows[n] = host_json(a, host, &cs);
                if (!rows[n++])
                        a->oom = 1;
        }
        qsort(rows, n, sizeof(*rows), host_cmp);
        for (size_t i = 0; i < n; i++)
                json_array_append_new(*hosts, rows[i]);
        *criteria = crit_json(a, &cs);
        for (size_t k = 0; k < cs.names.n; k++)
                json_decref(cs.c[k].controls);
        free(cs.c);
        strtab_clear(&cs.names);
        return a->oom || !*criteria ? -ENOMEM : 0;
}

int report_analyze(struct report *r, json_t **ret) {
        struct analysis a = { .r = r, .since = r->opt->since_ms, .until = r->opt->until_ms };
        json_t *hosts = NULL, *criteria = NULL, *filter;
        int k;

        sort_records(r);
        a.ia = calloc(r->inst_keys.n + 1, sizeof(*a.ia));
        a.ha = calloc(r->host_ids.n + 1, sizeof(*a.ha));
        k = a.ia && a.ha ? build_hosts(&a, &hosts, &criteria) : -ENOMEM;
        filter = json_array();
        for (size_t i = 0; filter && i < r->opt->n_controls; i++)
                json_array_append_new(filter, json_string(r->opt->controls[i]));
        if (k >= 0)
                *ret = json_pack("{s:s,s:o,s:s,s:{s:o,s:o,s:o},s:o,s:o,s:o,s:o,s:o}", "schema", REPORT_SCHEMA,
                                 "generated", jtime(r->opt->generated_ms), "input", r->opt->input ?: "",
                                 "period", "since", jtime(a.since), "until", jtime(a.until), "duration_s",
                                 jdur(a.until - a.since), "controls_selected", filter ?: json_null(),
                                 "verification", verification_json(&a), "rules", rules_json(),
                                 "criteria", criteria, "hosts", hosts);
        else {
                json_decref(hosts);
                json_decref(criteria);
                json_decref(filter);
        }
        analysis_clear(&a);
        if (k >= 0 && !*ret)
                k = -ENOMEM;
        return k;
}
