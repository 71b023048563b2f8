/* SPDX-License-Identifier: MIT */
/*
 * Evidence records: the canonical serialisation, hashing, UUIDv7 ids,
 * RFC 3339 times, the bodies of result and lifecycle records, and the
 * writer that chains, signs and appends them to the spool. Nothing here
 * logs: errors go back to the caller.
 */
#include <fcntl.h>
#include <math.h>
#include <sys/param.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>


#include "crypto_dl.h"
#include "evidence.h"
#include "os_release.h"
#include "strbuf.h"
#include "util.h"

#define HOST_FACT_MAX 4096

bool evidence_type_valid(const char *type) {
        static const char *const types[] = { EVIDENCE_RESULT, EVIDENCE_AGENT_START,
                                             EVIDENCE_AGENT_STOP, EVIDENCE_HEARTBEAT,
                                             EVIDENCE_CONFIG_CHANGED, EVIDENCE_DROPPED };

        for (size_t i = 0; type && i < ELEMENTSOF(types); i++)
                if (streq(type, types[i]))
                        return true;
        return false;
}

/* --- serialisation ---------------------------------------------------------- */

static void buf_str(struct strbuf *b, const char *s) { strbuf_add(b, s, strlen(s)); }

/* Writes a JSON string with the canonical escapes: '"', '\\', and the
 * control characters below U+0020 (short forms where JSON has them, else
 * \u00xx in lower case); every other byte as is (jansson strings are valid
 * UTF-8). */
static void put_string(struct strbuf *b, const char *s, size_t len) {
        size_t run = 0;

        strbuf_add(b, "\"", 1);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                char esc[8];

                if (c >= 0x20 && c != '"' && c != '\\')
                        continue;
                strbuf_add(b, s + run, i - run);
                run = i + 1;
                switch (c) {
                case '"': buf_str(b, "\\\""); break;
                case '\\': buf_str(b, "\\\\"); break;
                case '\b': buf_str(b, "\\b"); break;
                case '\f': buf_str(b, "\\f"); break;
                case '\n': buf_str(b, "\\n"); break;
                case '\r': buf_str(b, "\\r"); break;
                case '\t': buf_str(b, "\\t"); break;
                default:
                        snprintf(esc, sizeof(esc), "\\u%04x", c);
                        buf_str(b, esc);
                }
        }
        strbuf_add(b, s + run, len - run);
        strbuf_add(b, "\"", 1);
}

/* Writes a finite double as Python's repr() does: the fewest significant
 * digits that read back to the same double; positional notation when the
 * decimal exponent is in [-4, 16), with ".0" when there is no fraction;
 * otherwise d[.ddd]e+XX / e-XX (at least two exponent digits). */
static int put_real(struct strbuf *b, double d) {
        char sci[40], digits[20], out[48];
        int prec, exp, nd = 0, k = 0;
        const char *p;

        if (!isfinite(d))
                return -EDOM;
        for (prec = 1; prec <= 17; prec++) {
                snprintf(sci, sizeof(sci), "%.*e", prec - 1, d);
                if (strtod(sci, NULL) == d)
                        break;
        }
        /* sci is [-]D[.DDD]e[+-]XX */
        p = sci;
        if (*p == '-')
                out[k++] = *p++;
        for (; *p && *p != 'e'; p++)
                if (*p != '.')
                        digits[nd++] = *p;
        exp = atoi(p + 1);
        while (nd > 1 && digits[nd - 1] == '0')
                nd--;
        if (exp >= -4 && exp < 16) {
                if (exp < 0) {
                        k += snprintf(out + k, sizeof(out) - k, "0.");
                        for (int i = -1; i > exp; i--)
                                out[k++] = '0';
                        memcpy(out + k, digits, nd);
                        k += nd;
                } else {
                        for (int i = 0; i <= exp; i++)
                                out[k++] = i < nd ? digits[i] : '0';
                        out[k++] = '.';
                        if (nd > exp + 1) {
                                memcpy(out + k, digits + exp + 1, nd - exp - 1);
                                k += nd - exp - 1;
                        } else
                                out[k++] = '0';
                }
                out[k] = 0;
        } else {
                out[k++] = digits[0];
                if (nd > 1) {
                        out[k++] = '.';
                        memcpy(out + k, digits + 1, nd - 1);
                        k += nd - 1;
                }
                snprintf(out + k, sizeof(out) - k, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
        }
        buf_str(b, out);
        return 0;
}

struct member {
        const char *key;
        size_t len;
        json_t *value;
};

static int member_cmp(const void *a, const void *b) {
        const struct member *x = a, *y = b;
        int c = memcmp(x->key, y->key, MIN(x->len, y->len));

        return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int put_value(struct strbuf *b, const json_t *v, bool sorted, int depth);

/* Writes an object's members, sorted bytewise by key when asked, in
 * insertion order otherwise. skip_hash leaves out "hash" and "sig" (the
 * top level of a record's canonical form). */
static int put_object(struct strbuf *b, const json_t *v, bool sorted, int depth, bool skip_hash) {
        size_t n = json_object_size(v), k = 0;
        _cleanup_free_ struct member *m = calloc(n ? n : 1, sizeof(*m));
        const char *key;
        json_t *val;
        int r;

        if (!m)
                return -ENOMEM;
        json_object_foreach((json_t *) v, key, val) {
                size_t len = json_object_iter_key_len(json_object_key_to_iter(key));

                if (skip_hash && (streq(key, "hash") || streq(key, "sig")) && len == strlen(key))
                        continue;
                m[k++] = (struct member){ key, len, val };
        }
        if (sorted)
                qsort(m, k, sizeof(*m), member_cmp);
        strbuf_add(b, "{", 1);
        for (size_t i = 0; i < k; i++) {
                if (i > 0)
                        strbuf_add(b, ",", 1);
                put_string(b, m[i].key, m[i].len);
                strbuf_add(b, ":", 1);
                r = put_value(b, m[i].value, sorted, depth + 1);
                if (r < 0)
                        return r;
        }
        strbuf_add(b, "}", 1);
        return 0;
}

static int put_value(struct strbuf *b, const json_t *v, bool sorted, int depth) {
        char num[32];
        int r;

        if (depth > EVIDENCE_MAX_DEPTH)
                return -ELOOP;
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return put_object(b, v, sorted, depth, false);
        case JSON_ARRAY:
                strbuf_add(b, "[", 1);
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i > 0)
                                strbuf_add(b, ",", 1);
                        r = put_value(b, json_array_get(v, i), sorted, depth + 1);
                        if (r < 0)
                                return r;
                }
                strbuf_add(b, "]", 1);
                return 0;
        case JSON_STRING:
                put_string(b, json_string_value(v), json_string_length(v));
                return 0;
        case JSON_INTEGER:
                snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                buf_str(b, num);
                return 0;
        case JSON_REAL:
                return put_real(b, json_real_value(v));
        case JSON_TRUE: buf_str(b, "true"); return 0;
        case JSON_FALSE: buf_str(b, "false"); return 0;
        case JSON_NULL: buf_str(b, "null"); return 0;
        }
        return -EINVAL;
}

/* Hands the buffer to the caller, or frees it on error. */
static int buf_finish(struct strbuf *b, int r, char **ret, size_t *ret_len) {
        if (r >= 0 && (b->failed || !b->data))
                r = -ENOMEM;
        if (r < 0) {
                free(b->data);
                return r;
        }
        *ret = b->data;
        if (ret_len)
                *ret_len = b->len;
        return 0;
}

int evidence_serialize(const json_t *v, bool sorted, char **ret, size_t *ret_len) {
        struct strbuf b = { 0 };

        return buf_finish(&b, put_value(&b, v, sorted, 0), ret, ret_len);
}

int evidence_canonical(const json_t *record, char **ret, size_t *ret_len) {
        struct strbuf b = { 0 };

        if (!json_is_object(record))
                return -EINVAL;
        return buf_finish(&b, put_object(&b, record, true, 0, true), ret, ret_len);
}

/* SHA-256 of data into md: 0, -ELIBACC without libcrypto, -ENOMEM. */
static int sha256(const void *data, size_t len, uint8_t md[32]) {
        int r = crypto_dl_load();

        if (r < 0)
                return r;
        return EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) ? 0 : -ENOMEM;
}

int evidence_hash(const json_t *record, uint8_t digest[32]) {
        _cleanup_free_ char *text = NULL;
        uint8_t md[32];
        size_t len;
        int r;

        r = evidence_canonical(record, &text, &len);
        if (r < 0 || (r = sha256(text, len, md)) < 0)
                return r;
        memcpy(digest, md, 32);
        return 0;
}

void evidence_hex(const uint8_t *data, size_t n, char *out) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[data[i] >> 4];
                out[2 * i + 1] = hex[data[i] & 15];
        }
        out[2 * n] = 0;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int evidence_unhex(const char *hex, uint8_t *out, size_t n) {
        uint8_t tmp[64];

        if (n > sizeof(tmp) || !hex || strlen(hex) != 2 * n)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                tmp[i] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(out, tmp, n);
        return 0;
}

int evidence_file_hash(const char *path, char hex[65]) {
        _cleanup_free_ char *data = NULL;
        uint8_t md[32];
        size_t len;
        int r;

        r = read_full_file(path, 64 * 1024 * 1024, &data, &len);
        if (r < 0 || (r = sha256(data, len, md)) < 0)
                return r;
        evidence_hex(md, 32, hex);
        return 0;
}

/* --- ids and times ----------------------------------------------------------- */

const char *evidence_format_time(uint64_t usec, char buf[static 25]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
                memset(&tm, 0, sizeof(tm)), tm.tm_year = 70, tm.tm_mday = 1;
        strftime(buf, 25, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + 19, 6, ".%03uZ", (unsigned) (usec % USEC_PER_SEC / USEC_PER_MSEC) % 1000);
        return buf;
}

/* RFC 9562 UUIDv7: 48 bits of Unix milliseconds, version 7, 74 random bits
 * with the variant 10. */
int evidence_uuid7(uint64_t usec, char out[static 37]) {
        uint64_t ms = usec / USEC_PER_MSEC;
        uint8_t u[16];
        char hex[33];
        ssize_t n;

        do
                n = getrandom(u + 6, 10, 0);
        while (n < 0 && errno == EINTR);
        if (n != 10)
                return n < 0 ? -errno : -EIO;
        for (int i = 0; i < 6; i++)
                u[i] = (uint8_t) (ms >> (40 - 8 * i));
        u[6] = (uint8_t) (0x70 | (u[6] & 0x0f));
        u[8] = (uint8_t) (0x80 | (u[8] & 0x3f));
        evidence_hex(u, 16, hex);
        snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
        return 0;
}

/* --- host facts --------------------------------------------------------------- */

/* The first line of root/path, trimmed, malloc'ed ("" when unreadable);
 * NULL on OOM. */
static char *read_fact(const char *root, const char *path) {
        _cleanup_free_ char *full = strdup_printf("%s%s", streq(root, "/") ? "" : root, path);
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (!full)
                return NULL;
        if (read_full_file(full, HOST_FACT_MAX, &data, &len) < 0)
                return strdup("");
        data[strcspn(data, "\n")] = 0;
        return TAKE_PTR(data);
}

/* PRETTY_NAME from os-release (the one os-release reader, probes/lib),
 * "" when absent. */
static char *read_os_name(const char *root) {
        static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *full = strdup_printf("%s%s", streq(root, "/") ? "" : root, paths[i]);
                _cleanup_free_ char *data = NULL;
                _cleanup_json_ json_t *v = NULL;

                if (!full)
                        return NULL;
                if (read_full_file(full, 64 * 1024, &data, NULL) < 0)
                        continue;
                v = os_release_value(data, "PRETTY_NAME");
                if (!v)
                        return NULL;
                return strdup(json_string_value(v) ?: "");
        }
        return strdup("");
}

int evidence_host_detect(const char *root, struct evidence_host *h) {
        struct evidence_host n = { 0 };
        char name[256] = "";
        struct utsname u;

        if (!root)
                root = "/";
        if (gethostname(name, sizeof(name) - 1) < 0)
                name[0] = 0;
        if (uname(&u) < 0)
                u.release[0] = 0;
        n.id = read_fact(root, "/etc/machine-id");
        n.hostname = strdup(name);
        n.os = read_os_name(root);
        n.kernel = strdup(u.release);
        n.boot_id = read_fact("/", "/proc/sys/kernel/random/boot_id");
        if (!n.id || !n.hostname || !n.os || !n.kernel || !n.boot_id) {
                evidence_host_clear(&n);
                return -ENOMEM;
        }
        *h = n;
        return 0;
}

void evidence_host_clear(struct evidence_host *h) {
        free((char *) h->id);
        free((char *) h->hostname);
        free((char *) h->os);
        free((char *) h->kernel);
        free((char *) h->boot_id);
        *h = (struct evidence_host){ 0 };
}

/* --- bodies ------------------------------------------------------------------- */

/* Sets key to a copy of src's member (null when absent). */
static int copy_member(json_t *dst, const json_t *src, const char *key, bool null_if_missing) {
        json_t *v = json_object_get(src, key);

        if (!v && !null_if_missing)
                return 0;
        return json_object_set_new(dst, key, v ? json_deep_copy(v) : json_null());
}

/* The observation as it goes in a record: a copy, or, when its compact
 * text exceeds EVIDENCE_OBSERVATION_MAX, a stand-in saying so with the size,
 * the SHA-256 of the whole text and its first bytes (cut on a UTF-8
 * character boundary). NULL on OOM. */
static json_t *observation_capped(const json_t *observation) {
        _cleanup_free_ char *text = NULL;
        uint8_t md[32];
        char hex[65];
        size_t len, cut = EVIDENCE_OBSERVATION_MAX;

        if (!observation)
                return json_null();
        if (evidence_serialize(observation, false, &text, &len) < 0)
                return json_pack("{s:b,s:s}", "truncated", 1, "error", "observation not serialisable");
        if (len <= EVIDENCE_OBSERVATION_MAX)
                return json_deep_copy(observation);
        if (sha256(text, len, md) < 0)
                return NULL;
        evidence_hex(md, 32, hex);
        while (cut > 0 && ((unsigned char) text[cut] & 0xc0) == 0x80)
                cut--;
        return json_pack("{s:b,s:I,s:s,s:s%}", "truncated", 1, "size", (json_int_t) len, "sha256", hex,
                         "head", text, cut);
}

json_t *evidence_result_body(const json_t *result, const json_t *observation,
                             const struct evidence_probe_info *probe, const char *previous_status,
                             bool drift) {
        _cleanup_json_ json_t *body = json_object(), *control = NULL, *pr = NULL;
        static const char *const optional[] = { "failures_truncated", "waiver", "waived_status",
                                                "error", "summary" };
        int r = 0;

        control = json_object();
        pr = json_pack("{s:s?,s:s?,s:I}", "name", probe ? probe->name : NULL, "version",
                       probe ? probe->version : NULL, "duration_ms",
                       (json_int_t) (probe ? probe->duration_ms : 0));
        if (!body || !control || !pr)
                return NULL;
        r |= copy_member(control, result, "id", true);
        r |= copy_member(control, result, "title", true);
        r |= copy_member(control, result, "criteria", true);
        r |= copy_member(control, result, "severity", true);
        r |= json_object_set(body, "control", control);
        r |= copy_member(body, result, "status", true);
        r |= json_object_set_new(body, "previous_status",
                                 previous_status ? json_string(previous_status) : json_null());
        r |= json_object_set_new(body, "drift", json_boolean(drift));
        r |= json_object_set_new(body, "failures", json_deep_copy(json_object_get(result, "failures")
                                                                         ?: json_array()));
        for (size_t i = 0; i < ELEMENTSOF(optional); i++)
                r |= copy_member(body, result, optional[i], false);
        r |= json_object_set_new(body, "observation", observation_capped(observation));
        r |= json_object_set(body, "probe", pr);
        return r ? NULL : TAKE_PTR(body);
}

/* {"details": details}, taking details; NULL on OOM. */
static json_t *details_body(json_t *details) {
        return details ? json_pack("{s:o}", "details", details) : NULL;
}

json_t *evidence_start_body(pid_t pid, const char *config_hash, const struct spool_recovery *rec) {
        json_t *spool = NULL;

        if (rec) {
                spool = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "records", (json_int_t) rec->records,
                                  "torn_bytes", (json_int_t) rec->torn_bytes, "corrupt_records",
                                  (json_int_t) rec->corrupt_records, "corrupt_first_seq",
                                  (json_int_t) rec->corrupt_first_seq, "corrupt_last_seq",
                                  (json_int_t) rec->corrupt_last_seq, "segments_quarantined",
                                  (json_int_t) rec->segments_quarantined);
                if (!spool)
                        return NULL;
        }
        return details_body(json_pack("{s:s,s:I,s:s?,s:o*}", "version", COMPLYD_VERSION, "pid",
                                      (json_int_t) pid, "config_hash", config_hash, "spool", spool));
}

json_t *evidence_stop_body(const char *reason) {
        return details_body(json_pack("{s:s?}", "reason", reason));
}

json_t *evidence_heartbeat_body(uint64_t uptime_sec) {
        return details_body(json_pack("{s:I}", "uptime_s", (json_int_t) uptime_sec));
}

json_t *evidence_config_changed_body(const char *old_hash, const char *new_hash) {
        return details_body(json_pack("{s:s?,s:s?}", "old_config_hash", old_hash, "new_config_hash",
                                      new_hash));
}

json_t *evidence_dropped_body(const struct spool_dropped *d, const char *reason) {
        return details_body(json_pack("{s:I,s:I,s:I,s:s}", "first_seq", (json_int_t) d->first_seq,
                                      "last_seq", (json_int_t) d->last_seq, "count",
                                      (json_int_t) d->count, "reason", reason ?: "spool_full"));
}

/* --- the writer ---------------------------------------------------------------- */

struct evidence_writer {
        struct spool *spool;
        const struct evidence_key *key;
        json_t *host;           /* the record's "host" object */
        char *config_hash;
};

int evidence_writer_new(struct spool *sp, const struct evidence_key *key,
                        const struct evidence_host *host, const char *config_hash,
                        struct evidence_writer **ret) {
        struct evidence_writer *w;

        if (!key || !host)
                return -EINVAL;
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->spool = sp;
        w->key = key;
        w->host = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", host->id ?: "", "hostname",
                            host->hostname ?: "", "os", host->os ?: "", "kernel", host->kernel ?: "",
                            "boot_id", host->boot_id ?: "");
        w->config_hash = strdup(config_hash ?: "");
        if (!w->host || !w->config_hash) {
                evidence_writer_free(w);
                return -ENOMEM;
        }
        *ret = w;
        return 0;
}

void evidence_writer_free(struct evidence_writer *w) {
        if (!w)
                return;
        json_decref(w->host);
        free(w->config_hash);
        free(w);
}

int evidence_writer_set_config_hash(struct evidence_writer *w, const char *config_hash) {
        char *s = strdup(config_hash ?: "");

        if (!s)
                return -ENOMEM;
        free(w->config_hash);
        w->config_hash = s;
        return 0;
}

/* Adds hash and sig to a record that has every other member. */
static int record_seal(json_t *rec, const struct evidence_key *key) {
        char hex[65], sig[EVIDENCE_SIG_B64_LEN + 1];
        uint8_t md[32];
        int r;

        r = evidence_hash(rec, md);
        if (r < 0)
                return r;
        r = evidence_key_sign(key, md, sig);
        if (r < 0)
                return r;
        evidence_hex(md, 32, hex);
        if (json_object_set_new(rec, "hash", json_string(hex)) < 0 ||
            json_object_set_new(rec, "sig", json_string(sig)) < 0)
                return -ENOMEM;
        return 0;
}

int evidence_record_new(const struct evidence_writer *w, const char *type, json_t *body,
                        uint64_t seq, const char *prev_hash, uint64_t now_usec, json_t **ret) {
        _cleanup_json_ json_t *b = body, *rec = NULL;
        char id[37], when[25];
        const char *k;
        json_t *v;
        int r;

        if (!evidence_type_valid(type) || (b && !json_is_object(b)) || seq == 0 ||
            seq > INT64_MAX || !prev_hash)
                return -EINVAL;
        r = evidence_uuid7(now_usec, id);
        if (r < 0)
                return r;
        rec = json_pack("{s:s,s:s,s:s,s:I,s:s,s:O,s:{s:s,s:s,s:s}}", "schema", EVIDENCE_SCHEMA,
                        "type", type, "id", id, "seq", (json_int_t) seq, "time",
                        evidence_format_time(now_usec, when), "host", w->host, "agent", "name",
                        "complyd", "version", COMPLYD_VERSION, "config_hash", w->config_hash);
        if (!rec)
                return -ENOMEM;
        json_object_foreach(b, k, v)
                if (!json_object_get(rec, k) && json_object_set(rec, k, v) < 0)
                        return -ENOMEM;
        if (json_object_set_new(rec, "prev_hash", json_string(prev_hash)) < 0 ||
            json_object_set_new(rec, "key_id", json_string(evidence_key_id(w->key))) < 0)
                return -ENOMEM;
        r = record_seal(rec, w->key);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rec);
        return 0;
}

int64_t evidence_append(struct evidence_writer *w, const char *type, json_t *body,
                        struct spool_dropped *dropped) {
        _cleanup_json_ json_t *rec = NULL;
        _cleanup_free_ char *text = NULL;
        uint64_t seq;
        size_t len;
        int r;

        if (!w->spool) {
                json_decref(body);
                return -EBADF;
        }
        seq = spool_next_seq(w->spool);
        r = evidence_record_new(w, type, body, seq, spool_last_hash(w->spool), now_realtime_usec(),
                                &rec);
        if (r < 0)
                return r;
        r = evidence_serialize(rec, false, &text, &len);
        if (r < 0)
                return r;
        r = spool_append(w->spool, seq, json_string_value(json_object_get(rec, "hash")), text, len,
                         dropped);
        if (r < 0)
                return r;
        return (int64_t) seq;
}
