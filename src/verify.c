/* SPDX-License-Identifier: MIT */
/*
 * Verification of evidence streams: per-record checks while feeding
 * (parse, schema, hash, key, signature), chain checks at finish over each
 * host's records sorted by seq. See verify.h for what counts as a problem.
 */
#include <stdarg.h>


#include "crypto_dl.h"
#include "fnv1a.h"
#include "util.h"
#include "verify.h"

#define READ_CHUNK (1024 * 1024)

/* One record, as small as the chain checks allow. */
struct entry {
        uint64_t seq;
        uint64_t order;         /* arrival index */
        uint64_t pos;           /* line or frame, for messages */
        uint32_t host;
        bool valid;             /* hash recomputed equal and signature good */
        uint8_t hash[32], prev[32];
};

struct drop {
        uint64_t first, last, count, declared_by;
        char reason[24];
};

struct host_state {
        struct verify_host pub;
        char *id, *hostname, *first_time, *last_time;
        struct drop *drops;
        size_t n_drops, cap_drops;
};

struct verifier {
        struct verify_callbacks cb;
        void *userdata;
        const struct evidence_key **keys;
        size_t n_keys;
        struct entry *entries;
        size_t n_entries, cap_entries;
        struct host_state *hosts;
        size_t n_hosts, cap_hosts;
        uint32_t *table;        /* host index + 1, open addressing by host id */
        size_t table_size;
        const char *label;      /* "line", "spool record", "record" */
        struct verify_summary sum;
};

static const char *const problem_names[_VERIFY_PROBLEM_MAX] = {
        [VERIFY_MALFORMED] = "malformed",         [VERIFY_BAD_HASH] = "bad hash",
        [VERIFY_UNKNOWN_KEY] = "unknown key",     [VERIFY_BAD_SIGNATURE] = "bad signature",
        [VERIFY_CHAIN_BREAK] = "chain break",     [VERIFY_GAP] = "gap",
        [VERIFY_CONFLICT] = "conflict",           [VERIFY_BAD_START] = "bad chain start",
        [VERIFY_NO_RECORDS] = "no records",
};

const char *verify_problem_name(enum verify_problem_kind kind) {
        return kind < _VERIFY_PROBLEM_MAX ? problem_names[kind] : "unknown";
}

int verifier_new(const struct verify_callbacks *cb, void *userdata, struct verifier **ret) {
        struct verifier *v = calloc(1, sizeof(*v));

        if (!v)
                return -ENOMEM;
        if (cb)
                v->cb = *cb;
        v->userdata = userdata;
        v->label = "record";
        *ret = v;
        return 0;
}

void verifier_free(struct verifier *v) {
        if (!v)
                return;
        for (size_t i = 0; i < v->n_hosts; i++) {
                struct host_state *h = &v->hosts[i];

                free(h->id);
                free(h->hostname);
                free(h->first_time);
                free(h->last_time);
                free(h->drops);
        }
        free(v->hosts);
        free(v->table);
        free(v->entries);
        free(v->keys);
        free(v);
}

int verifier_add_key(struct verifier *v, const struct evidence_key *key) {
        const struct evidence_key **k = reallocarray(v->keys, v->n_keys + 1, sizeof(*k));

        if (!k)
                return -ENOMEM;
        k[v->n_keys++] = key;
        v->keys = k;
        return 0;
}

/* Grows *array (of elem bytes) to hold n + 1 elements. */
static int grow(void *array, size_t *cap, size_t n, size_t elem) {
        void *p;
        size_t c;

        if (n < *cap)
                return 0;
        c = *cap ? *cap * 2 : 64;
        p = reallocarray(*(void **) array, c, elem);
        if (!p)
                return -ENOMEM;
        *(void **) array = p;
        *cap = c;
        return 0;
}

/* Reports a problem: counts it (per host too) and calls back. */
static void problem(struct verifier *v, enum verify_problem_kind kind, uint64_t pos, int host,
                    uint64_t seq, uint64_t last_seq, const char *fmt, ...) _printf_(7, 8);
static void problem(struct verifier *v, enum verify_problem_kind kind, uint64_t pos, int host,
                    uint64_t seq, uint64_t last_seq, const char *fmt, ...) {
        char where[48] = "", msg[512];
        va_list ap;

        v->sum.problems++;
        v->sum.by_kind[kind]++;
        if (host >= 0)
                v->hosts[host].pub.problems++;
        if (!v->cb.problem)
                return;
        if (pos > 0)
                snprintf(where, sizeof(where), "%s %llu", v->label, (unsigned long long) pos);
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        v->cb.problem(&(struct verify_problem){ .kind = kind, .where = where,
                                                .host = host >= 0 ? v->hosts[host].id : "",
                                                .seq = seq, .last_seq = last_seq, .message = msg },
                      v->userdata);
}

/* --- hosts --------------------------------------------------------------------- */

/* Rebuilds the open-addressing table at twice the size. */
static int table_grow(struct verifier *v) {
        size_t size = v->table_size ? v->table_size * 2 : 64;
        uint32_t *t = calloc(size, sizeof(*t));

        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < v->n_hosts; i++) {
                size_t j = fnv1a(v->hosts[i].id, strlen(v->hosts[i].id)) & (size - 1);

                while (t[j])
                        j = (j + 1) & (size - 1);
                t[j] = (uint32_t) i + 1;
        }
        free(v->table);
        v->table = t;
        v->table_size = size;
        return 0;
}

/* The index of the host with this id, added when new. Returns it or
 * -ENOMEM. */
static int host_index(struct verifier *v, const char *id) {
        size_t j;

        if (v->table_size) {
                for (j = fnv1a(id, strlen(id)) & (v->table_size - 1); v->table[j];
                     j = (j + 1) & (v->table_size - 1))
                        if (streq(v->hosts[v->table[j] - 1].id, id))
                                return (int) v->table[j] - 1;
        }
        if (v->n_hosts >= INT32_MAX - 1)
                return -E2BIG;
        if ((v->n_hosts + 1) * 2 > v->table_size && table_grow(v) < 0)
                return -ENOMEM;
        if (grow(&v->hosts, &v->cap_hosts, v->n_hosts, sizeof(*v->hosts)) < 0)
                return -ENOMEM;
        v->hosts[v->n_hosts] = (struct host_state){ .id = strdup(id) };
        if (!v->hosts[v->n_hosts].id)
                return -ENOMEM;
        for (j = fnv1a(id, strlen(id)) & (v->table_size - 1); v->table[j]; j = (j + 1) & (v->table_size - 1))
                ;
        v->table[j] = (uint32_t) v->n_hosts + 1;
        return (int) v->n_hosts++;
}

/* Replaces *dst with a copy of s (keeps the old value on OOM). */
static void set_str(char **dst, const char *s) {
        char *c = strdup(s ?: "");

        if (c) {
                free(*dst);
                *dst = c;
        }
}

/* Notes a valid record's seq, time and hostname in its host's summary. */
static void host_note(struct host_state *h, uint64_t seq, const char *time, const char *hostname) {
        if (h->pub.first_seq == 0 || seq < h->pub.first_seq) {
                h->pub.first_seq = seq;
                set_str(&h->first_time, time);
        }
        if (seq > h->pub.last_seq) {
                h->pub.last_seq = seq;
                set_str(&h->last_time, time);
                set_str(&h->hostname, hostname);
        }
}

/* Remembers the range a valid evidence.dropped record declares. */
static int host_add_drop(struct verifier *v, int host, uint64_t pos, uint64_t seq, json_t *rec) {
        struct host_state *h = &v->hosts[host];
        json_t *d = json_object_get(rec, "details");
        json_int_t first = json_integer_value(json_object_get(d, "first_seq"));
        json_int_t last = json_integer_value(json_object_get(d, "last_seq"));
        json_int_t count = json_integer_value(json_object_get(d, "count"));
        const char *reason = json_string_value(json_object_get(d, "reason"));

        if (first < 1 || last < first) {
                problem(v, VERIFY_MALFORMED, pos, host, seq, 0,
                        "seq %llu: evidence.dropped without a valid first_seq..last_seq",
                        (unsigned long long) seq);
                return 0;
        }
        if (grow(&h->drops, &h->cap_drops, h->n_drops, sizeof(*h->drops)) < 0)
                return -ENOMEM;
        h->drops[h->n_drops] = (struct drop){ (uint64_t) first, (uint64_t) last,
                                              count > 0 ? (uint64_t) count : 0, seq };
        snprintf(h->drops[h->n_drops].reason, sizeof(h->drops[0].reason), "%s", reason ?: "");
        h->n_drops++;
        return 0;
}

/* --- one record ------------------------------------------------------------------ */

static const struct evidence_key *find_key(const struct verifier *v, const char *key_id) {
        for (size_t i = 0; i < v->n_keys; i++)
                if (streq(evidence_key_id(v->keys[i]), key_id))
                        return v->keys[i];
        return NULL;
}

/* Strict base64 of a 64-byte signature: 88 characters ending in "==". */
static int decode_sig(const char *b64, uint8_t sig[64]) {
        uint8_t out[66];

        if (crypto_dl_load() < 0 || !b64 || strlen(b64) != EVIDENCE_SIG_B64_LEN || !streq(b64 + 86, "==") ||
            strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != 86)
                return -EINVAL;
        if (EVP_DecodeBlock(out, (const unsigned char *) b64, EVIDENCE_SIG_B64_LEN) != 66)
                return -EINVAL;
        memcpy(sig, out, 64);
        return 0;
}

/* The named member if it is a string, else NULL. */
static const char *get_str(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

/* Checks the record's fields the chain needs; fills e (but host, order,
 * valid). Returns the name of the first bad member, or NULL. */
static const char *check_fields(json_t *rec, struct entry *e, const char **host_id) {
        json_t *seq = json_object_get(rec, "seq");

        if (!streq_ptr(get_str(rec, "schema"), EVIDENCE_SCHEMA))
                return "schema";
        if (!evidence_type_valid(get_str(rec, "type")))
                return "type";
        if (!json_is_integer(seq) || json_integer_value(seq) < 1)
                return "seq";
        e->seq = (uint64_t) json_integer_value(seq);
        *host_id = get_str(json_object_get(rec, "host"), "id");
        if (!*host_id || !**host_id)
                return "host.id";
        if (evidence_unhex(get_str(rec, "hash"), e->hash, 32) < 0)
                return "hash";
        if (evidence_unhex(get_str(rec, "prev_hash"), e->prev, 32) < 0)
                return "prev_hash";
        if (!get_str(rec, "key_id"))
                return "key_id";
        if (!get_str(rec, "sig"))
                return "sig";
        if (!get_str(rec, "id"))
                return "id";
        if (!get_str(rec, "time"))
                return "time";
        return NULL;
}

/* Recomputes the hash and checks the signature; reports what is wrong.
 * Returns true when the record is authentic. */
static bool check_authentic(struct verifier *v, json_t *rec, const struct entry *e, int host) {
        const char *key_id = get_str(rec, "key_id");
        const struct evidence_key *key;
        uint8_t md[32], sig[64];
        unsigned long long seq = (unsigned long long) e->seq;
        int r;

        r = evidence_hash(rec, md);
        if (r < 0) {
                problem(v, VERIFY_MALFORMED, e->pos, host, e->seq, 0,
                        "seq %llu: cannot serialise the record: %s", seq, strerror(-r));
                return false;
        }
        if (memcmp(md, e->hash, 32) != 0) {
                problem(v, VERIFY_BAD_HASH, e->pos, host, e->seq, 0,
                        "seq %llu: hash does not match the record's content (edited?)", seq);
                return false;
        }
        key = find_key(v, key_id);
        if (!key) {
                problem(v, VERIFY_UNKNOWN_KEY, e->pos, host, e->seq, 0,
                        "seq %llu: signed by key %.64s, which is not among the public keys given",
                        seq, key_id);
                return false;
        }
        if (decode_sig(get_str(rec, "sig"), sig) < 0 || evidence_key_verify(key, md, sig, 64) < 0) {
                problem(v, VERIFY_BAD_SIGNATURE, e->pos, host, e->seq, 0,
                        "seq %llu: signature is not valid for key %.16s…", seq, key_id);
                return false;
        }
        return true;
}

/* Parses and checks one record, then keeps its entry for the chain checks.
 * expect_seq (0: none) is the seq its spool frame carries. */
static int feed_one(struct verifier *v, const char *text, size_t len, uint64_t pos,
                    uint64_t expect_seq) {
        _cleanup_json_ json_t *rec = NULL;
        struct entry e = { .pos = pos, .order = v->sum.inputs++ };
        const char *bad, *host_id = NULL;
        json_error_t err;
        int host;

        rec = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
        if (!json_is_object(rec)) {
                problem(v, VERIFY_MALFORMED, pos, -1, 0, 0, "not a JSON object: %s",
                        rec ? "another JSON value" : err.text);
                return 0;
        }
        bad = check_fields(rec, &e, &host_id);
        if (bad) {
                problem(v, VERIFY_MALFORMED, pos, -1, 0, 0,
                        "not a " EVIDENCE_SCHEMA " record: \"%s\" missing or invalid", bad);
                return 0;
        }
        host = host_index(v, host_id);
        if (host < 0)
                return host;
        e.host = (uint32_t) host;
        if (expect_seq && expect_seq != e.seq)
                problem(v, VERIFY_MALFORMED, pos, host, e.seq, 0,
                        "seq %llu stored in a spool frame for seq %llu", (unsigned long long) e.seq,
                        (unsigned long long) expect_seq);
        e.valid = check_authentic(v, rec, &e, host);
        if (e.valid) {
                host_note(&v->hosts[host], e.seq, get_str(rec, "time"),
                          get_str(json_object_get(rec, "host"), "hostname"));
                if (streq(get_str(rec, "type"), EVIDENCE_DROPPED) &&
                    host_add_drop(v, host, pos, e.seq, rec) < 0)
                        return -ENOMEM;
        }
        if (grow(&v->entries, &v->cap_entries, v->n_entries, sizeof(e)) < 0)
                return -ENOMEM;
        v->entries[v->n_entries++] = e;
        return 0;
}

int verifier_feed(struct verifier *v, const char *text, size_t len) {
        v->label = "record";
        return feed_one(v, text, len, v->sum.inputs + 1, 0);
}

/* --- NDJSON ------------------------------------------------------------------------ */

struct line_reader {
        uint64_t line;
        bool skipping;          /* inside a line too long to read */
};

static bool blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r", s[i]))
                        return false;
        return true;
}

/* Feeds one complete line (without its '\n'). */
static int feed_line(struct verifier *v, struct line_reader *lr, const char *s, size_t n) {
        lr->line++;
        if (lr->skipping) {
                lr->skipping = false;
                return 0;
        }
        if (n > VERIFY_LINE_MAX) {
                problem(v, VERIFY_MALFORMED, lr->line, -1, 0, 0, "longer than %d bytes",
                        VERIFY_LINE_MAX);
                return 0;
        }
        if (blank(s, n))
                return 0;
        return feed_one(v, s, n, lr->line, 0);
}

/* Feeds the complete lines of data (all of it at eof); returns how many
 * bytes were consumed, or -ENOMEM. */
static ssize_t feed_lines(struct verifier *v, struct line_reader *lr, const char *data, size_t size,
                          bool eof) {
        size_t start = 0;
        const char *nl;
        int r;

        while (start < size && (nl = memchr(data + start, '\n', size - start))) {
                r = feed_line(v, lr, data + start, (size_t) (nl - (data + start)));
                if (r < 0)
                        return r;
                start = (size_t) (nl - data) + 1;
        }
        if (eof && start < size) {
                r = feed_line(v, lr, data + start, size - start);
                if (r < 0)
                        return r;
                start = size;
        }
        return (ssize_t) start;
}

int verifier_feed_ndjson(struct verifier *v, const char *data, size_t size) {
        struct line_reader lr = { 0 };
        ssize_t r;

        v->label = "line";
        r = feed_lines(v, &lr, data, size, true);
        return r < 0 ? (int) r : 0;
}

int verifier_feed_fd(struct verifier *v, int fd) {
        struct line_reader lr = { 0 };
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = READ_CHUNK;
        ssize_t n, used;

        v->label = "line";
        buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len == cap) {
                        /* a line longer than the limit: note it, drop what we have */
                        if (cap > VERIFY_LINE_MAX) {
                                problem(v, VERIFY_MALFORMED, lr.line + 1, -1, 0, 0,
                                        "longer than %d bytes", VERIFY_LINE_MAX);
                                lr.skipping = true;
                                len = 0;
                        } else {
                                char *b = realloc(buf, cap * 2);

                                if (!b)
                                        return -ENOMEM;
                                buf = b;
                                cap *= 2;
                        }
                }
                n = read(fd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                len += (size_t) n;
                used = feed_lines(v, &lr, buf, len, n == 0);
                if (used < 0)
                        return (int) used;
                memmove(buf, buf + used, len - (size_t) used);
                len -= (size_t) used;
                if (n == 0)
                        return 0;
        }
}

/* --- spool --------------------------------------------------------------------------- */

static int on_spool_record(const struct spool_record *rec, void *userdata) {
        struct verifier *v = userdata;

        return feed_one(v, rec->text, rec->len, rec->seq, rec->seq) < 0 ? -ENOMEM : 0;
}

int verifier_feed_spool(struct verifier *v, const char *spool_dir) {
        int r;

        v->label = "spool record";
        r = spool_read_dir(spool_dir, on_spool_record, v);
        return r < 0 ? r : 0;
}

/* --- the chains ------------------------------------------------------------------------- */

/* Host, seq, valid first, arrival order. */
static int entry_cmp(const void *a, const void *b) {
        const struct entry *x = a, *y = b;

        if (x->host != y->host)
                return x->host < y->host ? -1 : 1;
        if (x->seq != y->seq)
                return x->seq < y->seq ? -1 : 1;
        if (x->valid != y->valid)
                return x->valid ? -1 : 1;
        return (x->order > y->order) - (x->order < y->order);
}

static int drop_first_cmp(const void *a, const void *b) {
        const struct drop *x = a, *y = b;

        if (x->first != y->first)
                return x->first < y->first ? -1 : 1;
        return (x->declared_by > y->declared_by) - (x->declared_by < y->declared_by);
}

/* Reports a host's declared drops (each declaring record once) and leaves
 * h->drops sorted by first seq for the gap walk. */
static void report_drops(struct verifier *v, int host) {
        struct host_state *h = &v->hosts[host];
        size_t i, j;

        if (h->n_drops > 1)
                qsort(h->drops, h->n_drops, sizeof(*h->drops), drop_first_cmp);
        for (i = 0; i < h->n_drops; i++) {
                bool seen = false;

                /* duplicates of one declaring record are adjacent (same first) */
                for (j = i; j > 0 && h->drops[j - 1].first == h->drops[i].first && !seen; j--)
                        seen = h->drops[j - 1].declared_by == h->drops[i].declared_by;
                if (seen)
                        continue;
                v->sum.dropped_ranges++;
                v->sum.dropped_records += h->drops[i].last - h->drops[i].first + 1;
                if (v->cb.dropped)
                        v->cb.dropped(&(struct verify_dropped){ h->id, h->drops[i].first,
                                                                h->drops[i].last, h->drops[i].count,
                                                                h->drops[i].reason,
                                                                h->drops[i].declared_by },
                                      v->userdata);
        }
}

static void gap_problem(struct verifier *v, int host, uint64_t a, uint64_t b) {
        if (a == b)
                problem(v, VERIFY_GAP, 0, host, a, b, "seq %llu missing", (unsigned long long) a);
        else
                problem(v, VERIFY_GAP, 0, host, a, b, "seq %llu-%llu missing (%llu records)",
                        (unsigned long long) a, (unsigned long long) b,
                        (unsigned long long) (b - a + 1));
}

/* Reports the parts of the missing range [a, b] no declared drop covers.
 * *j walks h->drops (sorted by first seq) and only moves forward: gaps
 * come in increasing order. */
static void report_gap(struct verifier *v, int host, uint64_t a, uint64_t b, size_t *j) {
        const struct host_state *h = &v->hosts[host];
        uint64_t cur = a;

        while (*j < h->n_drops && h->drops[*j].last < a)
                (*j)++;
        for (size_t k = *j; k < h->n_drops && h->drops[k].first <= b && cur <= b; k++) {
                if (h->drops[k].last < cur)
                        continue;
                if (h->drops[k].first > cur)
                        gap_problem(v, host, cur, h->drops[k].first - 1);
                cur = h->drops[k].last + 1;
        }
        if (cur <= b)
                gap_problem(v, host, cur, b);
}

static const uint8_t zero_hash[32];

/* Walks one host's entries [i, end) sorted by seq: duplicates, conflicts,
 * links, gaps. */
static void check_chain(struct verifier *v, size_t i, size_t end) {
        int host = (int) v->entries[i].host;
        const struct entry *prev = NULL;
        size_t j = 0;

        report_drops(v, host);
        for (; i < end; i++) {
                const struct entry *e = &v->entries[i];
                unsigned long long seq = (unsigned long long) e->seq;

                if (prev && e->seq == prev->seq) {
                        if (memcmp(e->hash, prev->hash, 32) == 0 && e->valid)
                                v->sum.duplicates++;
                        else if (e->valid && prev->valid)
                                problem(v, VERIFY_CONFLICT, e->pos, host, e->seq, 0,
                                        "seq %llu: two different validly signed records", seq);
                        continue;
                }
                v->sum.records++;
                if (e->valid)
                        v->hosts[host].pub.records++;
                if (e->seq > 1 && memcmp(e->prev, zero_hash, 32) == 0)
                        problem(v, VERIFY_BAD_START, e->pos, host, e->seq, 0,
                                "seq %llu: prev_hash is 64 zeros: the chain starts again (state lost?)",
                                seq);
                else if (e->seq == 1 && memcmp(e->prev, zero_hash, 32) != 0)
                        problem(v, VERIFY_BAD_START, e->pos, host, e->seq, 0,
                                "seq 1: prev_hash is not 64 zeros");
                else if (prev && e->seq == prev->seq + 1 && memcmp(e->prev, prev->hash, 32) != 0)
                        problem(v, VERIFY_CHAIN_BREAK, e->pos, host, e->seq, 0,
                                "seq %llu: prev_hash is not the hash of seq %llu", seq, seq - 1);
                if (prev && e->seq > prev->seq + 1)
                        report_gap(v, host, prev->seq + 1, e->seq - 1, &j);
                if (prev && e->order < prev->order)
                        v->sum.out_of_order++;
                prev = e;
        }
}

int verifier_finish(struct verifier *v, struct verify_summary *ret) {
        size_t i, start;

        if (v->n_entries > 1)
                qsort(v->entries, v->n_entries, sizeof(*v->entries), entry_cmp);
        for (start = 0; start < v->n_entries; start = i) {
                for (i = start; i < v->n_entries && v->entries[i].host == v->entries[start].host; i++)
                        ;
                check_chain(v, start, i);
        }
        for (i = 0; i < v->n_hosts; i++) {
                struct host_state *h = &v->hosts[i];

                h->pub.id = h->id;
                h->pub.hostname = h->hostname ?: "";
                h->pub.first_time = h->first_time ?: "";
                h->pub.last_time = h->last_time ?: "";
        }
        v->sum.hosts = v->n_hosts;
        if (v->sum.records == 0)
                problem(v, VERIFY_NO_RECORDS, 0, -1, 0, 0, "no evidence records");
        v->sum.intact = v->sum.records > 0 && v->sum.problems == 0;
        *ret = v->sum;
        return 0;
}

size_t verifier_n_hosts(const struct verifier *v) { return v->n_hosts; }

const struct verify_host *verifier_host(const struct verifier *v, size_t i) {
        return i < v->n_hosts ? &v->hosts[i].pub : NULL;
}
