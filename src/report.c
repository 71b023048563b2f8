/* SPDX-License-Identifier: MIT */
/*
 * complyd report, part one: reading the input. The records are verified
 * first with the verifier of `complyd verify` (its problems and declared
 * drops are kept for the report), then read a second time; each authentic
 * record becomes one struct rrec and its host and control are interned.
 * report_analyze.c does the rest.
 */
#include <fcntl.h>
#include <time.h>

#include "fnv1a.h"
#include "report_internal.h"
#include "util.h"

#define READ_CHUNK (1024 * 1024)

/* --- small helpers -------------------------------------------------------------- */

int report_grow(void *array, size_t *cap, size_t n, size_t elem) {
        size_t c;
        void *p;

        if (n < *cap)
                return 0;
        c = *cap ? *cap * 2 : 16;
        p = reallocarray(*(void **) array, c, elem);
        if (!p)
                return -ENOMEM;
        *(void **) array = p;
        *cap = c;
        return 0;
}

/* Rebuilds t's open-addressing table at twice the size. */
static int strtab_rehash(struct strtab *t) {
        size_t size = t->size ? t->size * 2 : 256;
        uint32_t *tab = calloc(size, sizeof(*tab));

        if (!tab)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                size_t j = fnv1a(t->s[i], strlen(t->s[i])) & (size - 1);

                while (tab[j])
                        j = (j + 1) & (size - 1);
                tab[j] = (uint32_t) i + 1;
        }
        free(t->table);
        t->table = tab;
        t->size = size;
        return 0;
}

/* The index of the string s[0..len) in t, added when new (a copy).
 * Returns 0 when it was there, 1 when added, -ENOMEM / -E2BIG. */
int strtab_intern(struct strtab *t, const char *s, size_t len, uint32_t *ret) {
        size_t j;
        char *c;

        if (t->size) {
                for (j = fnv1a(s, len) & (t->size - 1); t->table[j]; j = (j + 1) & (t->size - 1)) {
                        const char *e = t->s[t->table[j] - 1];

                        if (strncmp(e, s, len) == 0 && e[len] == '\0') {
                                *ret = t->table[j] - 1;
                                return 0;
                        }
                }
        }
        if (t->n >= REPORT_MAX_RECORDS)
                return -E2BIG;
        if ((t->n + 1) * 2 > t->size && strtab_rehash(t) < 0)
                return -ENOMEM;
        if (report_grow(&t->s, &t->cap, t->n, sizeof(*t->s)) < 0)
                return -ENOMEM;
        c = strndup(s, len);
        if (!c)
                return -ENOMEM;
        for (j = fnv1a(s, len) & (t->size - 1); t->table[j]; j = (j + 1) & (t->size - 1))
                ;
        t->table[j] = (uint32_t) t->n + 1;
        t->s[t->n] = c;
        *ret = (uint32_t) t->n++;
        return 1;
}

void strtab_clear(struct strtab *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->s[i]);
        free(t->s);
        free(t->table);
        *t = (struct strtab){ 0 };
}

/* --- time ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
        int64_t era;
        unsigned yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = (unsigned) (y - era * 400);
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

/* Reads exactly n digits at *p; -1 when they are not there. */
static int digits(const char **p, int n) {
        int v = 0;

        for (int i = 0; i < n; i++, (*p)++) {
                if (**p < '0' || **p > '9')
                        return -1;
                v = v * 10 + (**p - '0');
        }
        return v;
}

/* Parses the time of day and zone after a date: "THH:MM:SS[.f]Z" or an
 * offset. *ms gets the ms since midnight UTC (may be negative or past a
 * day: the offset). Returns 0 or -EINVAL. */
static int parse_clock(const char *p, int64_t *ms) {
        int hh, mm, ss, frac = 0, scale = 1000, sign, oh, om;

        if (*p != 'T' && *p != 't' && *p != ' ')
                return -EINVAL;
        p++;
        hh = digits(&p, 2);
        if (hh < 0 || hh > 23 || *p++ != ':' || (mm = digits(&p, 2)) < 0 || mm > 59 || *p++ != ':' ||
            (ss = digits(&p, 2)) < 0 || ss > 60)
                return -EINVAL;
        if (*p == '.') {
                if (!(p[1] >= '0' && p[1] <= '9'))
                        return -EINVAL;
                for (p++; *p >= '0' && *p <= '9'; p++)
                        if (scale > 1) {
                                scale /= 10;
                                frac += (*p - '0') * scale;
                        }
        }
        *ms = ((int64_t) hh * 3600 + mm * 60 + ss) * 1000 + frac;
        if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
                return 0;
        if (*p != '+' && *p != '-')
                return -EINVAL;
        sign = *p++ == '-' ? -1 : 1;
        oh = digits(&p, 2);
        if (oh < 0 || oh > 23 || *p++ != ':' || (om = digits(&p, 2)) < 0 || om > 59 || *p != '\0')
                return -EINVAL;
        *ms -= sign * ((int64_t) oh * 3600 + om * 60) * 1000;
        return 0;
}

int report_parse_time(const char *s, bool end_of_day, int64_t *ret_ms) {
        static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        const char *p = s;
        int y, m, d;
        int64_t day, clock = 0;

        if (!s || (y = digits(&p, 4)) < 0 || *p++ != '-' || (m = digits(&p, 2)) < 1 || m > 12 ||
            *p++ != '-' || (d = digits(&p, 2)) < 1 || d > mdays[m - 1])
                return -EINVAL;
        if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
                return -EINVAL;
        day = days_from_civil(y, (unsigned) m, (unsigned) d);
        if (*p == '\0') {
                *ret_ms = (day + (end_of_day ? 1 : 0)) * 86400000LL;
                return 0;
        }
        if (parse_clock(p, &clock) < 0)
                return -EINVAL;
        *ret_ms = day * 86400000LL + clock;
        return 0;
}

int report_parse_since(const char *s, int64_t until_ms, int64_t *ret_ms) {
        static const struct {
                char unit;
                int64_t ms;
        } units[] = { { 'w', 604800000LL }, { 'd', 86400000LL }, { 'h', 3600000LL }, { 'm', 60000LL } };
        char *end;
        unsigned long long n;

        if (s && s[0] >= '0' && s[0] <= '9' && strlen(s) <= 7) {
                errno = 0;
                n = strtoull(s, &end, 10);
                for (size_t i = 0; i < ELEMENTSOF(units) && errno == 0; i++)
                        if (end[0] == units[i].unit && end[1] == '\0' && n > 0) {
                                *ret_ms = until_ms - (int64_t) n * units[i].ms;
                                return 0;
                        }
        }
        return report_parse_time(s, false, ret_ms);
}

const char *report_format_time(int64_t ms, char buf[static 25]) {
        time_t sec = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
        struct tm tm;

        if (!gmtime_r(&sec, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
                snprintf(buf, 25, "(invalid time)");
                return buf;
        }
        char tmp[96];

        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int) (ms - (int64_t) sec * 1000));
        snprintf(buf, 25, "%.24s", tmp);
        return buf;
}

const char *report_format_duration(int64_t ms, char *buf, size_t size) {
        static const struct {
                const char *unit;
                int64_t ms;
        } parts[] = { { "d", 86400000LL }, { "h", 3600000LL }, { "m", 60000LL }, { "s", 1000LL } };
        size_t used = 0;
        int shown = 0;

        if (ms < 1000) {
                snprintf(buf, size, ms > 0 ? "%lldms" : "0", (long long) ms);
                return buf;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(parts) && shown < 3; i++) {
                int64_t n = ms / parts[i].ms;

                if (n == 0 && shown == 0)
                        continue;
                ms -= n * parts[i].ms;
                if (n)
                        used += (size_t) snprintf(buf + used, used < size ? size - used : 0, "%s%lld%s",
                                                  used ? " " : "", (long long) n, parts[i].unit);
                shown++;
        }
        return buf;
}

/* --- verification ------------------------------------------------------------------ */

static bool per_record_kind(enum verify_problem_kind k) {
        return k == VERIFY_MALFORMED || k == VERIFY_BAD_HASH || k == VERIFY_UNKNOWN_KEY ||
               k == VERIFY_BAD_SIGNATURE;
}

/* The number at the end of "line 12" / "spool record 40"; 0 when none. */
static uint64_t where_pos(const char *where) {
        const char *sp = strrchr(where, ' ');

        return sp ? strtoull(sp + 1, NULL, 10) : 0;
}

/* Keeps a problem for the report (up to REPORT_PROBLEMS_MAX) and notes the
 * input position of a record that is not authentic. */
static void on_problem(const struct verify_problem *p, void *userdata) {
        struct report *r = userdata;
        uint64_t pos = where_pos(p->where);

        if (per_record_kind(p->kind) && pos > 0) {
                if (report_grow(&r->bad, &r->cap_bad, r->n_bad, sizeof(*r->bad)) < 0)
                        r->oom = 1;
                else
                        r->bad[r->n_bad++] = pos;
        }
        if (json_array_size(r->problems) >= REPORT_PROBLEMS_MAX)
                return;
        if (json_array_append_new(r->problems,
                                  json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "where", p->where, "kind",
                                            verify_problem_name(p->kind), "host", p->host, "seq",
                                            (json_int_t) p->seq, "last_seq", (json_int_t) p->last_seq,
                                            "message", p->message)) < 0)
                r->oom = 1;
}

/* The index of the host with this id, created when new. */
static int host_get(struct report *r, const char *id, uint32_t *ret) {
        int k = strtab_intern(&r->host_ids, id, strlen(id), ret);

        if (k <= 0)
                return k;
        if (r->host_ids.n > REPORT_MAX_HOSTS)
                return -E2BIG;
        if (report_grow(&r->hosts, &r->cap_hosts, *ret, sizeof(*r->hosts)) < 0)
                return -ENOMEM;
        r->hosts[*ret] = (struct rhost){ 0 };
        return 0;
}

static void on_dropped(const struct verify_dropped *d, void *userdata) {
        struct report *r = userdata;
        struct rdrop *x;
        uint32_t h;

        if (host_get(r, d->host, &h) < 0 ||
            report_grow(&r->drops, &r->cap_drops, r->n_drops, sizeof(*r->drops)) < 0) {
                r->oom = 1;
                return;
        }
        x = &r->drops[r->n_drops];
        *x = (struct rdrop){ h, d->first_seq, d->last_seq, d->count, d->declared_by, strdup(d->reason) };
        if (!x->reason)
                r->oom = 1;
        else
                r->n_drops++;
}

static int u64_cmp(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return (x > y) - (x < y);
}

/* Runs the verifier over the input; keeps its summary, problems and drops. */
static int verify_input(struct report *r, const char *spool_dir, const char *ndjson_path) {
        const struct verify_callbacks cb = { on_problem, on_dropped };
        _cleanup_close_ int fd = -1;
        struct verifier *v = NULL;
        int k;

        k = verifier_new(&cb, r, &v);
        if (k < 0)
                return k;
        for (size_t i = 0; i < r->opt->n_keys && k >= 0; i++)
                k = verifier_add_key(v, r->opt->keys[i]);
        if (k >= 0 && spool_dir)
                k = verifier_feed_spool(v, spool_dir);
        else if (k >= 0) {
                fd = open(ndjson_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                k = fd < 0 ? -errno : verifier_feed_fd(v, fd);
        }
        if (k >= 0)
                k = verifier_finish(v, &r->vsum);
        verifier_free(v);
        if (k >= 0 && r->oom)
                k = -ENOMEM;
        if (k >= 0 && r->n_bad > 1)
                qsort(r->bad, r->n_bad, sizeof(*r->bad), u64_cmp);
        return k < 0 ? k : 0;
}

/* --- one record ---------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static enum rtype type_of(const char *s) {
        static const char *const names[] = { [RT_RESULT] = EVIDENCE_RESULT,
                                             [RT_START] = EVIDENCE_AGENT_START,
                                             [RT_STOP] = EVIDENCE_AGENT_STOP,
                                             [RT_HEARTBEAT] = EVIDENCE_HEARTBEAT,
                                             [RT_CONFIG] = EVIDENCE_CONFIG_CHANGED,
                                             [RT_DROPPED] = EVIDENCE_DROPPED };

        for (size_t i = 0; s && i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (enum rtype) i;
        return RT_OTHER;
}

static int status_of(const char *s) {
        static const char *const names[] = { [ST_PASS] = "pass", [ST_FAIL] = "fail",
                                             [ST_ERROR] = "error", [ST_NA] = "not_applicable",
                                             [ST_WAIVED] = "waived" };

        for (size_t i = ST_PASS; s && i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int) i;
        return -1;
}

const char *report_state_name(enum rstate s) {
        static const char *const names[_ST_MAX] = { [ST_UNMON] = "unmonitored", [ST_PASS] = "pass",
                                                    [ST_FAIL] = "fail", [ST_ERROR] = "error",
                                                    [ST_NA] = "not_applicable", [ST_WAIVED] = "waived" };

        return s < _ST_MAX ? names[s] : "unknown";
}

/* Interns at most REPORT_MAX_TEXT bytes of s, cut at a UTF-8 boundary. */
static int intern_text(struct report *r, const char *s, uint32_t *ret) {
        size_t len = strlen(s);

        if (len > REPORT_MAX_TEXT) {
                len = REPORT_MAX_TEXT;
                while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
                        len--;
        }
        return strtab_intern(&r->texts, s, len, ret) < 0 ? -ENOMEM : 0;
}

/* Why a failing result failed: its summary, its error, or its first
 * failure as "path op expected, actual". */
static int reason_of(struct report *r, const json_t *rec, uint32_t *ret) {
        const json_t *f = json_array_get(json_object_get(rec, "failures"), 0);
        _cleanup_free_ char *e = NULL, *a = NULL, *line = NULL;
        const char *s = jstr(rec, "summary");

        if (!s || !*s)
                s = jstr(rec, "error");
        if (s && *s)
                return intern_text(r, s, ret);
        if (!f)
                return intern_text(r, "", ret);
        e = json_dumps(json_object_get(f, "expected"), JSON_COMPACT | JSON_ENCODE_ANY);
        a = json_dumps(json_object_get(f, "actual"), JSON_COMPACT | JSON_ENCODE_ANY);
        line = strdup_printf("%s %s %s, found %s", jstr(f, "path") ?: "?", jstr(f, "op") ?: "?",
                             e ?: "null", a ?: "null");
        return line ? intern_text(r, line, ret) : -ENOMEM;
}

/* The host x control pair of a result record, created when new; its
 * title, severity and criteria follow the highest seq. */
static int inst_get(struct report *r, uint32_t host, const json_t *control, uint64_t seq,
                    uint32_t *ret) {
        const char *id = jstr(control, "id");
        _cleanup_free_ char *key = NULL;
        struct rinst *in;
        struct rhost *h = &r->hosts[host];
        int k;

        if (!id || !*id || strlen(id) > 256)
                return -EINVAL;
        key = strdup_printf("%u\x1f%s", host, id);
        if (!key)
                return -ENOMEM;
        k = strtab_intern(&r->inst_keys, key, strlen(key), ret);
        if (k < 0)
                return k;
        if (k == 1) {
                if (r->inst_keys.n > REPORT_MAX_CONTROLS)
                        return -E2BIG;
                if (report_grow(&r->insts, &r->cap_insts, *ret, sizeof(*r->insts)) < 0 ||
                    report_grow(&h->insts, &h->cap_insts, h->n_insts, sizeof(*h->insts)) < 0)
                        return -ENOMEM;
                r->insts[*ret] = (struct rinst){ .host = host, .control_id = strdup(id) };
                if (!r->insts[*ret].control_id)
                        return -ENOMEM;
                h->insts[h->n_insts++] = *ret;
        }
        in = &r->insts[*ret];
        if (in->meta_seq <= seq) {
                free(in->title);
                free(in->severity);
                json_decref(in->criteria);
                in->title = strdup(jstr(control, "title") ?: "");
                in->severity = strdup(jstr(control, "severity") ?: "");
                in->criteria = json_deep_copy(json_object_get(control, "criteria") ?: json_array());
                in->meta_seq = seq;
                if (!in->title || !in->severity || !in->criteria)
                        return -ENOMEM;
        }
        return 0;
}

/* Fills the result-specific members of e from rec. -EINVAL: not usable. */
static int take_result(struct report *r, const json_t *rec, struct rrec *e) {
        int st = status_of(jstr(rec, "status"));
        const json_t *w = json_object_get(rec, "waiver");
        _cleanup_free_ char *wk = NULL;
        int k;

        if (st < 0)
                return -EINVAL;
        e->status = (uint8_t) st;
        k = inst_get(r, e->host, json_object_get(rec, "control"), e->seq, &e->inst);
        if (k < 0)
                return k;
        if (st == ST_FAIL || st == ST_ERROR)
                return reason_of(r, rec, &e->text);
        if (st == ST_WAIVED) {
                wk = strdup_printf("%s\x1f%s", jstr(w, "reason") ?: "", jstr(w, "expires") ?: "");
                return wk ? intern_text(r, wk, &e->text) : -ENOMEM;
        }
        return 0;
}

/* What a config.changed record says: "old -> new" (hashes shortened). */
static int take_config(struct report *r, const json_t *rec, struct rrec *e) {
        const json_t *d = json_object_get(rec, "details");
        _cleanup_free_ char *s = strdup_printf("%.12s\x1f%.12s", jstr(d, "old_config_hash") ?: "",
                                               jstr(d, "new_config_hash") ?: "");

        return s ? intern_text(r, s, &e->text) : -ENOMEM;
}

/* Parses one authentic record into an entry. Records the analysis cannot
 * use (no valid time, an unknown status) are counted as excluded. */
static int take_record(struct report *r, const char *text, size_t len) {
        _cleanup_json_ json_t *rec = json_loadb(text, len, 0, NULL);
        const json_t *host = json_object_get(rec, "host");
        const char *hid = jstr(host, "id"), *hn = jstr(host, "hostname");
        json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
        struct rrec e = { .inst = NO_INDEX, .text = NO_INDEX, .order = (uint32_t) r->n_recs };
        int k;

        if (!hid || seq < 1 || !jstr(rec, "key_id") ||
            report_parse_time(jstr(rec, "time"), false, &e.t) < 0)
                goto excluded;
        e.seq = (uint64_t) seq;
        e.type = (uint8_t) type_of(jstr(rec, "type"));
        k = host_get(r, hid, &e.host);
        if (k < 0)
                return k;
        if (e.type == RT_RESULT)
                k = take_result(r, rec, &e);
        else if (e.type == RT_CONFIG)
                k = take_config(r, rec, &e);
        if (k == -EINVAL)
                goto excluded;
        if (k < 0 || strtab_intern(&r->texts, jstr(rec, "key_id"), strlen(jstr(rec, "key_id")), &e.key) < 0)
                return k < 0 ? k : -ENOMEM;
        if (hn && (!r->hosts[e.host].hostname || e.seq >= r->hosts[e.host].hostname_seq)) {
                free(r->hosts[e.host].hostname);
                r->hosts[e.host].hostname = strdup(hn);
                r->hosts[e.host].hostname_seq = e.seq;
        }
        if (r->n_recs >= REPORT_MAX_RECORDS)
                return -E2BIG;
        if (report_grow(&r->recs, &r->cap_recs, r->n_recs, sizeof(e)) < 0)
                return -ENOMEM;
        r->recs[r->n_recs++] = e;
        return 0;
excluded:
        r->excluded++;
        return 0;
}

/* Takes the record at input position pos unless the verifier found it not
 * authentic. */
static int take_at(struct report *r, uint64_t pos, const char *text, size_t len) {
        if (r->n_bad && bsearch(&pos, r->bad, r->n_bad, sizeof(*r->bad), u64_cmp)) {
                r->excluded++;
                return 0;
        }
        return take_record(r, text, len);
}

/* --- reading the input again ------------------------------------------------------------ */

static int on_spool_record(const struct spool_record *rec, void *userdata) {
        int k = take_at(userdata, rec->seq, rec->text, rec->len);

        return k < 0 ? k : 0;
}

static bool blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r", s[i]))
                        return false;
        return true;
}

/* Reads the NDJSON file line by line, numbering lines as the verifier
 * does; a line longer than VERIFY_LINE_MAX is skipped (the verifier has
 * reported it). Returns 0 or -errno. */
static int read_ndjson(struct report *r, const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = READ_CHUNK, start;
        uint64_t line = 0;
        bool skipping = false;
        ssize_t n;
        char *nl;
        int k;

        if (fd < 0)
                return -errno;
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len == cap) {
                        char *b;

                        if (cap > VERIFY_LINE_MAX) {
                                skipping = true; /* counted when its newline comes */
                                len = 0;
                                continue;
                        }
                        b = realloc(buf, cap * 2);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        cap *= 2;
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                len += (size_t) n;
                for (start = 0; start < len && (nl = memchr(buf + start, '\n', len - start));
                     start = (size_t) (nl - buf) + 1) {
                        size_t l = (size_t) (nl - (buf + start));

                        line++;
                        if (skipping) {
                                skipping = false;
                                continue;
                        }
                        if (l <= VERIFY_LINE_MAX && !blank(buf + start, l) &&
                            (k = take_at(r, line, buf + start, l)) < 0)
                                return k;
                }
                if (n == 0) {
                        if (start < len && !skipping && len - start <= VERIFY_LINE_MAX &&
                            !blank(buf + start, len - start) &&
                            (k = take_at(r, line + 1, buf + start, len - start)) < 0)
                                return k;
                        return 0;
                }
                memmove(buf, buf + start, len - start);
                len -= start;
        }
}

/* --- the whole ---------------------------------------------------------------------- */

static void report_clear(struct report *r) {
        for (size_t i = 0; i < r->host_ids.n; i++) {
                free(r->hosts[i].hostname);
                free(r->hosts[i].insts);
        }
        for (size_t i = 0; i < r->inst_keys.n; i++) {
                free(r->insts[i].control_id);
                free(r->insts[i].title);
                free(r->insts[i].severity);
                json_decref(r->insts[i].criteria);
        }
        for (size_t i = 0; i < r->n_drops; i++)
                free(r->drops[i].reason);
        free(r->hosts);
        free(r->insts);
        free(r->recs);
        free(r->bad);
        free(r->drops);
        json_decref(r->problems);
        strtab_clear(&r->host_ids);
        strtab_clear(&r->inst_keys);
        strtab_clear(&r->texts);
}

int report_build(const struct report_options *opt, const char *spool_dir, const char *ndjson_path,
                 json_t **ret) {
        struct report r = { .opt = opt, .problems = json_array() };
        int k;

        if (!!spool_dir == !!ndjson_path)
                return -EINVAL;
        if (!r.problems)
                return -ENOMEM;
        k = verify_input(&r, spool_dir, ndjson_path);
        if (k >= 0)
                k = spool_dir ? spool_read_dir(spool_dir, on_spool_record, &r) : read_ndjson(&r, ndjson_path);
        if (k >= 0)
                k = report_analyze(&r, ret);
        report_clear(&r);
        return k < 0 ? k : 0;
}
