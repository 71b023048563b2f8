/* SPDX-License-Identifier: MIT */
/*
 * Evidence records (schema complyd.evidence.v1): built from a control's
 * result or a lifecycle event, chained (seq, prev_hash), hashed (SHA-256
 * over the canonical serialisation), signed (Ed25519, OpenSSL libcrypto)
 * and appended to the spool. See README "Evidence" for the canonical form:
 *
 *   the record without its "hash" and "sig" members, as compact JSON (no
 *   whitespace), object members sorted by the bytes of their UTF-8 keys,
 *   integers in decimal, reals in the shortest form that reads back to the
 *   same double (Python's repr(): "0.1", "1.0", "1e-05", "1e+16"), strings
 *   with only '"', '\\' and the control characters U+0000..U+001F escaped
 *   (\b \f \n \r \t, else \u00XX with lower-case hex), all else raw UTF-8.
 *
 * That is exactly Python's json.dumps(record, sort_keys=True,
 * separators=(",", ":"), ensure_ascii=False).
 */
#ifndef COMPLYD_EVIDENCE_H
#define COMPLYD_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "spool.h"

#define EVIDENCE_SCHEMA "complyd.evidence.v1"
#define EVIDENCE_OBSERVATION_MAX (256 * 1024) /* larger: cut, "truncated": true */
#define EVIDENCE_MAX_DEPTH 256                /* nesting the serialiser accepts */
#define EVIDENCE_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define EVIDENCE_SIG_B64_LEN 88               /* base64 of a 64-byte Ed25519 signature */

/* The record types. */
#define EVIDENCE_RESULT "result"
#define EVIDENCE_AGENT_START "agent.start"
#define EVIDENCE_AGENT_STOP "agent.stop"
#define EVIDENCE_HEARTBEAT "agent.heartbeat"
#define EVIDENCE_CONFIG_CHANGED "config.changed"
#define EVIDENCE_DROPPED "evidence.dropped"

/* Is type one of the six record types above? */
bool evidence_type_valid(const char *type);

/* --- keys (evidence_key.c) -------------------------------------------------- */

struct evidence_key;    /* an Ed25519 key pair, or a public key alone */

/* Loads state_dir/key (PEM, PKCS#8, mode 0600; -EPERM when group or others
 * may read it), generating it on first start; (re)writes state_dir/key.pub
 * (PEM SubjectPublicKeyInfo, 0644) when missing or different. The private
 * key is never logged or printed. Returns 0 or -errno. */
int evidence_key_load_or_create(const char *state_dir, struct evidence_key **ret);
/* Loads a public key (PEM SubjectPublicKeyInfo; a private key PEM is also
 * accepted, and only its public half kept). -EINVAL when not Ed25519. */
int evidence_key_load_public(const char *path, struct evidence_key **ret);
/* The same from PEM text in memory. */
int evidence_key_parse_public(const char *pem, size_t len, struct evidence_key **ret);
/* key_id: hex SHA-256 of the raw 32-byte public key (64 digits). */
const char *evidence_key_id(const struct evidence_key *k);
/* Signs the 32 raw bytes of a record's hash: sig_b64 gets the base64 of the
 * 64-byte signature (NUL-terminated). -ENOKEY for a public key alone. */
int evidence_key_sign(const struct evidence_key *k, const uint8_t digest[32],
                      char sig_b64[EVIDENCE_SIG_B64_LEN + 1]);
/* 0 when sig (raw bytes) is k's signature of digest, -EBADMSG when not. */
int evidence_key_verify(const struct evidence_key *k, const uint8_t digest[32], const uint8_t *sig,
                        size_t sig_len);
void evidence_key_free(struct evidence_key *k);

/* --- records ----------------------------------------------------------------- */

struct evidence_host {
        const char *id;         /* machine-id */
        const char *hostname;
        const char *os;         /* PRETTY_NAME */
        const char *kernel;
        const char *boot_id;
};

/* Fills h from this host (under root, "/" normally): /etc/machine-id,
 * gethostname(), /etc/os-release PRETTY_NAME, uname release,
 * /proc/sys/kernel/random/boot_id. Strings are malloc'ed (missing facts are
 * ""); free them with evidence_host_clear(). Returns 0 or -ENOMEM. */
int evidence_host_detect(const char *root, struct evidence_host *h);
void evidence_host_clear(struct evidence_host *h);

struct evidence_writer;

/* A writer appending to sp (NULL: records can be built, not appended),
 * signing with key (borrowed: it must outlive the writer). host and
 * config_hash are copied. Returns 0 or -errno. */
int evidence_writer_new(struct spool *sp, const struct evidence_key *key,
                        const struct evidence_host *host, const char *config_hash,
                        struct evidence_writer **ret);
void evidence_writer_free(struct evidence_writer *w);
/* The config_hash later records carry in agent.config_hash. 0 or -ENOMEM. */
int evidence_writer_set_config_hash(struct evidence_writer *w, const char *config_hash);

/* Builds one complete record: schema, type, id (UUIDv7), seq, time
 * (now_usec, CLOCK_REALTIME), host, agent, the members of body (an object;
 * the reference is taken, even on failure), prev_hash, key_id, hash, sig.
 * Returns 0 and the record in *ret, or -errno. */
int evidence_record_new(const struct evidence_writer *w, const char *type, json_t *body,
                        uint64_t seq, const char *prev_hash, uint64_t now_usec, json_t **ret);

/* Builds a record at the spool's chain position (spool_next_seq,
 * spool_last_hash) and appends its text. An eviction the append forced is
 * reported in *dropped (count 0 when none; the caller then appends an
 * evidence.dropped record with evidence_dropped_body()). Takes the body
 * reference. Returns the record's seq (> 0) or -errno (-EIO: not captured). */
int64_t evidence_append(struct evidence_writer *w, const char *type, json_t *body,
                        struct spool_dropped *dropped);

/* What ran the probe, for the result record's "probe" member. */
struct evidence_probe_info {
        const char *name;
        const char *version;
        uint64_t duration_ms;
};

/* The body of a result record: control {id, title, criteria, severity},
 * status, previous_status (null when none), drift, failures[] {path, op,
 * expected, actual, subject?} (+ failures_truncated), waiver (when the
 * result has one; waived_status too), error (status error), summary,
 * observation (null when the probe gave none; a stand-in object with
 * "truncated": true, "size", "sha256" and "head" — the first bytes of its
 * JSON text — when its compact text exceeds EVIDENCE_OBSERVATION_MAX),
 * probe {name, version, duration_ms}. result is what control_evaluate()
 * or control_result_error() returned. NULL on OOM. */
json_t *evidence_result_body(const json_t *result, const json_t *observation,
                             const struct evidence_probe_info *probe, const char *previous_status,
                             bool drift);

/* Lifecycle bodies: {"details": {...}}. NULL on OOM.
 * agent.start: version, pid, config_hash, spool {records, torn_bytes,
 *   corrupt_records, corrupt_first_seq, corrupt_last_seq, segments_quarantined}
 *   (rec may be NULL: no spool report);
 * agent.stop: reason; agent.heartbeat: uptime_s;
 * config.changed: old_config_hash, new_config_hash;
 * evidence.dropped: first_seq, last_seq, count, reason ("spool_full" when
 *   the spool evicted them, "corrupt" when recovery found them unreadable). */
json_t *evidence_start_body(pid_t pid, const char *config_hash, const struct spool_recovery *rec);
json_t *evidence_stop_body(const char *reason);
json_t *evidence_heartbeat_body(uint64_t uptime_sec);
json_t *evidence_config_changed_body(const char *old_hash, const char *new_hash);
json_t *evidence_dropped_body(const struct spool_dropped *d, const char *reason);

/* --- serialisation and hashing ----------------------------------------------- */

/* Serialises v compactly into a malloc'ed NUL-terminated buffer: members
 * sorted bytewise (canonical) or in insertion order (the stored text), and
 * numbers and strings as the canonical form says. -ELOOP deeper than
 * EVIDENCE_MAX_DEPTH, -EDOM for a non-finite real, -ENOMEM. */
int evidence_serialize(const json_t *v, bool sorted, char **ret, size_t *ret_len);
/* The canonical bytes a record's hash covers: the record without "hash"
 * and "sig", sorted. Returns 0 or -errno as above. */
int evidence_canonical(const json_t *record, char **ret, size_t *ret_len);
/* SHA-256 of evidence_canonical(record). Returns 0 or -errno. */
int evidence_hash(const json_t *record, uint8_t digest[32]);

/* Hex (lower case) of n bytes into out (2n+1 bytes); parses exactly 2n hex
 * digits back (-EINVAL otherwise). */
void evidence_hex(const uint8_t *data, size_t n, char *out);
int evidence_unhex(const char *hex, uint8_t *out, size_t n);

/* SHA-256 of a file's bytes as 64 hex digits (the config_hash). */
int evidence_file_hash(const char *path, char hex[65]);

/* RFC 3339 UTC with milliseconds ("2025-01-02T03:04:05.678Z") of a
 * CLOCK_REALTIME time in usec; buf at least 25 bytes. */
const char *evidence_format_time(uint64_t usec, char buf[static 25]);
/* A UUIDv7 for a CLOCK_REALTIME time in usec (36 chars + NUL). 0 or -errno. */
int evidence_uuid7(uint64_t usec, char out[static 37]);

#endif
