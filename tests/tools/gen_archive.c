/* SPDX-License-Identifier: MIT */
/*
 * gen_archive: writes a host's evidence archive for the report tests
 * through the real evidence code: every record is built, chained, hashed
 * and signed by evidence_record_new() (result bodies by
 * evidence_result_body(), lifecycle bodies by evidence_*_body()), and
 * written as NDJSON (evidence_serialize(), the stored text) or appended to
 * a real spool (spool_append()).
 *
 * The scenario, with S the start (END - DAYS) and times relative to it,
 * is the known truth test_report.c and test_report.py check:
 *
 *   controls  ssh-root-login-disabled  15m  soc2:CC6.1, soc2:CC6.6
 *             firewall-inbound-default-deny 15m soc2:CC6.6
 *             root-fs-encrypted        1h   soc2:CC6.1, soc2:CC6.7
 *             malware-agent-running    1h   soc2:CC6.8
 *             extra-NN (--controls N > 4) 15m, always pass
 *   heartbeat every hour at HH:07
 *   ssh       fails [10d 12:00, 10d 14:00) and [40d 06:00, 41d 06:00)
 *   firewall  error [20d 00:00, 20d 00:30); fails [29d 18:00, 33d 02:00)
 *   rootfs    not_applicable [50d, 55d)
 *   malware   fails from 60d; waived (CHG-1234) from 62d to the end
 *   config.changed at 15d 09:00
 *   agent.stop at 30d 00:00 (before that slot), agent.start at 33d 00:00: 3 days
 *   key rotation: agent.stop 45d 00:05, agent.start 45d 00:06 with the new
 *             key, every control evaluated at the start
 *   dropped:  the records of [70d 12:00, 70d 14:00) are chained but not
 *             written; an evidence.dropped record (spool_full) at 70d 14:00
 *             declares them (NDJSON only: a spool never skips a seq)
 *   clock:    the heartbeat of 80d 10:07 says 80d 09:57 (3 min before the
 *             record before it)
 *   crash:    nothing after 85d 01:45 until agent.start at 85d 08:00
 *
 * Usage: gen_archive (--ndjson FILE --keys DIR | --spool STATE_DIR)
 *          [--end RFC3339] [--days N] [--controls N] [--pad BYTES]
 *          [--host-id ID] [--hostname NAME]
 * Prints a JSON summary of what it wrote (records, seqs of note).
 */
#include <getopt.h>
#include <sys/stat.h>

#include "evidence.h"
#include "report.h"
#include "spool.h"
#include "util.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

struct gen {
        FILE *out;
        struct spool *spool;
        struct evidence_writer *w_old, *w_new, *w;
        uint64_t seq;
        char prev[65];
        int64_t S, end;
        int n_controls;
        size_t pad;
        const char *prev_status[64];
        bool dropping;          /* chain but do not write */
        uint64_t written, dropped_first, dropped_last, jump_seq, rotation_seq, start_seqs[8];
        int n_starts;
};

struct control_def {
        const char *id, *title, *probe;
        int64_t interval;
        const char *criteria[3];
};

static const struct control_def defs[4] = {
        { "ssh-root-login-disabled", "SSH does not accept root logins", "ssh", 15 * MIN_MS,
          { "soc2:CC6.1", "soc2:CC6.6", "nist-800-53:AC-6(2)" } },
        { "firewall-inbound-default-deny", "Inbound traffic is denied unless a rule allows it", "firewall",
          15 * MIN_MS, { "soc2:CC6.6", "nist-800-53:SC-7", NULL } },
        { "root-fs-encrypted", "The root filesystem is encrypted at rest", "disk_encryption", HOUR_MS,
          { "soc2:CC6.1", "soc2:CC6.7", NULL } },
        { "malware-agent-running", "An anti-malware or EDR agent is running", "malware_protection", HOUR_MS,
          { "soc2:CC6.8", NULL, NULL } },
};

static const char *const extra_criteria[] = { "soc2:CC7.1", "soc2:CC7.2", "soc2:CC8.1", "soc2:CC6.1" };

static void die(const char *what, int r) {
        fprintf(stderr, "gen_archive: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(1);
}

static bool in(int64_t t, int64_t a, int64_t b) { return t >= a && t < b; }

/* Builds, signs and writes (or, while dropping, only chains) one record. */
static void emit(struct gen *g, const char *type, json_t *body, int64_t t) {
        _cleanup_free_ char *text = NULL;
        json_t *rec = NULL;
        size_t len = 0;
        int r;

        r = evidence_record_new(g->w, type, body, ++g->seq, g->prev, (uint64_t) t * 1000, &rec);
        if (r < 0)
                die("evidence_record_new", r);
        snprintf(g->prev, sizeof(g->prev), "%s", json_string_value(json_object_get(rec, "hash")));
        r = evidence_serialize(rec, false, &text, &len);
        json_decref(rec);
        if (r < 0)
                die("evidence_serialize", r);
        if (g->dropping) {
                if (!g->dropped_first)
                        g->dropped_first = g->seq;
                g->dropped_last = g->seq;
                return;
        }
        if (g->spool) {
                struct spool_dropped d;

                r = spool_append(g->spool, g->seq, g->prev, text, len, &d);
                if (r < 0)
                        die("spool_append", r);
        } else if (fwrite(text, 1, len, g->out) != len || fputc('\n', g->out) == EOF)
                die("write", EIO);
        g->written++;
}

/* The status of control c at t (relative times as in the header). */
static const char *status_at(const struct gen *g, int c, int64_t t, const char **why) {
        int64_t d = t - g->S;

        *why = NULL;
        switch (c) {
        case 0:
                if (in(d, 10 * DAY_MS + 12 * HOUR_MS, 10 * DAY_MS + 14 * HOUR_MS) ||
                    in(d, 40 * DAY_MS + 6 * HOUR_MS, 41 * DAY_MS + 6 * HOUR_MS))
                        return *why = "PermitRootLogin is yes (expected no)", "fail";
                return "pass";
        case 1:
                if (in(d, 20 * DAY_MS, 20 * DAY_MS + 30 * MIN_MS))
                        return *why = "probe firewall timed out after 30s", "error";
                if (in(d, 29 * DAY_MS + 18 * HOUR_MS, 33 * DAY_MS + 2 * HOUR_MS))
                        return *why = "nftables input chain policy is accept (expected drop)", "fail";
                return "pass";
        case 2: return in(d, 50 * DAY_MS, 55 * DAY_MS) ? "not_applicable" : "pass";
        case 3:
                if (d >= 62 * DAY_MS)
                        return *why = "no anti-malware agent running", "waived";
                if (d >= 60 * DAY_MS)
                        return *why = "no anti-malware agent running", "fail";
                return "pass";
        default: return "pass";
        }
}

/* A result object shaped as control_evaluate() returns it. */
static json_t *result_of(const struct gen *g, int c, int64_t t, const char **status) {
        const struct control_def *def = c < 4 ? &defs[c] : NULL;
        const char *why, *st = status_at(g, c, t, &why);
        _cleanup_free_ char *id = def ? NULL : strdup_printf("extra-%02d", c);
        json_t *crit = json_array(), *res;

        for (int i = 0; def && i < 3 && def->criteria[i]; i++)
                json_array_append_new(crit, json_string(def->criteria[i]));
        if (!def)
                json_array_append_new(crit, json_string(extra_criteria[c % 4]));
        res = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:[]}", "id", def ? def->id : id, "title",
                        def ? def->title : "An extra control that always passes", "probe",
                        def ? def->probe : "accounts", "severity", "high", "criteria", crit, "status", st,
                        "failures");
        if (streq(st, "error"))
                json_object_set_new(res, "error", json_string(why));
        else if (streq(st, "fail") || streq(st, "waived")) {
                json_array_append_new(json_object_get(res, "failures"),
                                      json_pack("{s:s,s:s,s:s,s:s}", "path", "observed.value", "op", "equals",
                                                "expected", "good", "actual", "bad"));
                json_object_set_new(res, "summary", json_string(why));
        } else
                json_object_set_new(res, "summary", json_string(streq(st, "pass") ? "all conditions hold"
                                                                                  : "applies_when is false"));
        if (streq(st, "waived")) {
                char exp[25];

                report_format_time(g->end + 31 * DAY_MS, exp);
                exp[10] = '\0';
                json_object_set_new(res, "waived_status", json_string("fail"));
                json_object_set_new(res, "waiver", json_pack("{s:s,s:s,s:b}", "reason",
                                                             "CHG-1234: EDR agent migration", "expires", exp,
                                                             "expired", 0));
        }
        *status = st;
        return res;
}

static void emit_result(struct gen *g, int c, int64_t t) {
        const char *st, *prev = g->prev_status[c];
        _cleanup_json_ json_t *res = result_of(g, c, t, &st);
        _cleanup_json_ json_t *obs = json_pack("{s:s,s:i}", "observed", streq(st, "pass") ? "good" : "bad",
                                               "schema", 1);
        struct evidence_probe_info probe = { json_string_value(json_object_get(res, "probe")), "1.0", 12 };
        bool failing = streq(st, "fail") || streq(st, "error");
        bool drift = prev ? failing != (streq(prev, "fail") || streq(prev, "error")) : failing;
        json_t *body;

        if (g->pad) {
                char *p = malloc(g->pad + 1);

                memset(p, 'x', g->pad);
                p[g->pad] = '\0';
                json_object_set_new(obs, "padding", json_string(p));
                free(p);
        }
        body = evidence_result_body(res, obs, &probe, prev, drift);
        if (!body)
                die("evidence_result_body", ENOMEM);
        emit(g, EVIDENCE_RESULT, body, t);
        g->prev_status[c] = st;
}

static int64_t interval_of(int c) { return c < 4 ? defs[c].interval : 15 * MIN_MS; }

static void emit_start(struct gen *g, int64_t t) {
        emit(g, EVIDENCE_AGENT_START, evidence_start_body(4242, "cfg-a", NULL), t);
        if (g->n_starts < 8)
                g->start_seqs[g->n_starts++] = g->seq;
}

/* Lifecycle events at minute t (relative d), before the results. Returns
 * false when nothing is recorded at t (agent stopped or crashed). */
static bool lifecycle(struct gen *g, int64_t t, bool *eval_all) {
        int64_t d = t - g->S;

        *eval_all = false;
        if (d == 0 || d == 33 * DAY_MS || d == 85 * DAY_MS + 8 * HOUR_MS) {
                emit_start(g, t);
                *eval_all = true;
        } else if (d == 30 * DAY_MS || d == 45 * DAY_MS + 5 * MIN_MS)
                emit(g, EVIDENCE_AGENT_STOP, evidence_stop_body("SIGTERM"), t);
        else if (d == 45 * DAY_MS + 6 * MIN_MS) {
                g->w = g->w_new;
                emit_start(g, t);
                g->rotation_seq = g->seq;
                *eval_all = true;
                return true;
        } else if (d == 15 * DAY_MS + 9 * HOUR_MS)
                emit(g, EVIDENCE_CONFIG_CHANGED, evidence_config_changed_body("cfg-a", "cfg-b"), t);
        if (in(d, 30 * DAY_MS, 33 * DAY_MS) || in(d, 45 * DAY_MS + 5 * MIN_MS, 45 * DAY_MS + 6 * MIN_MS) ||
            (d > 85 * DAY_MS + 105 * MIN_MS && d < 85 * DAY_MS + 8 * HOUR_MS))
                return false;
        return true;
}

/* Switches dropping on and off around [70d 12:00, 70d 14:00). */
static void drop_window(struct gen *g, int64_t t) {
        int64_t d = t - g->S;

        if (g->spool)
                return;
        if (d == 70 * DAY_MS + 12 * HOUR_MS)
                g->dropping = true;
        if (d == 70 * DAY_MS + 14 * HOUR_MS && g->dropping) {
                struct spool_dropped dr = { g->dropped_first, g->dropped_last,
                                            g->dropped_last - g->dropped_first + 1 };

                g->dropping = false;
                emit(g, EVIDENCE_DROPPED, evidence_dropped_body(&dr, "spool_full"), t);
        }
}

static void generate(struct gen *g) {
        for (int64_t t = g->S; t < g->end; t += MIN_MS) {
                int64_t d = t - g->S;
                bool all;

                drop_window(g, t);
                if (!lifecycle(g, t, &all))
                        continue;
                for (int c = 0; c < g->n_controls; c++)
                        if (all || d % interval_of(c) == 0)
                                emit_result(g, c, t);
                if (d % HOUR_MS == 7 * MIN_MS) {
                        bool jump = d == 80 * DAY_MS + 10 * HOUR_MS + 7 * MIN_MS;

                        emit(g, EVIDENCE_HEARTBEAT, evidence_heartbeat_body((uint64_t) (d / 1000)),
                             jump ? t - 10 * MIN_MS : t);
                        if (jump)
                                g->jump_seq = g->seq;
                }
                if (d == 15 * DAY_MS + 9 * HOUR_MS) {
                        evidence_writer_set_config_hash(g->w_old, "cfg-b");
                        evidence_writer_set_config_hash(g->w_new, "cfg-b");
                }
        }
}

/* The old and new keys: DIR/old and DIR/new (NDJSON), or STATE/rotated-old
 * and STATE itself, with the old public key copied to STATE/key-old.pub. */
static void load_keys(const char *dir, bool spool, struct evidence_key **old, struct evidence_key **new) {
        _cleanup_free_ char *o = strdup_printf("%s/%s", dir, spool ? "rotated-old" : "old");
        _cleanup_free_ char *n = spool ? strdup(dir) : strdup_printf("%s/new", dir);
        _cleanup_free_ char *cmd = NULL;
        int r;

        mkdir(dir, 0700);
        if ((r = evidence_key_load_or_create(o, old)) < 0 || (r = evidence_key_load_or_create(n, new)) < 0)
                die("key", r);
        if (spool) {
                cmd = strdup_printf("cp '%s/key.pub' '%s/key-old.pub'", o, dir);
                if (system(cmd) != 0)
                        die("cp key.pub", EIO);
        }
}

int main(int argc, char **argv) {
        static const struct option opts[] = { { "ndjson", required_argument, NULL, 'n' },
                                              { "spool", required_argument, NULL, 's' },
                                              { "keys", required_argument, NULL, 'k' },
                                              { "end", required_argument, NULL, 'e' },
                                              { "days", required_argument, NULL, 'd' },
                                              { "controls", required_argument, NULL, 'c' },
                                              { "pad", required_argument, NULL, 'p' },
                                              { "host-id", required_argument, NULL, 'i' },
                                              { "hostname", required_argument, NULL, 'H' },
                                              {} };
        const char *ndjson = NULL, *spool = NULL, *keys = NULL, *end = "2025-06-30T00:00:00Z";
        struct evidence_host host = { "5f0c6e1a2b3d4c5e6f708192a3b4c5d6", "web-1", "Debian GNU/Linux 12 (bookworm)",
                                      "6.1.0-18-amd64", "0b9e3e2f-1c4d-4e5f-9a8b-7c6d5e4f3a2b" };
        struct gen g = { .n_controls = 4, .prev = EVIDENCE_ZERO_HASH };
        struct evidence_key *kold = NULL, *knew = NULL;
        int c, days = 90, r;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'n': ndjson = optarg; break;
                case 's': spool = optarg; break;
                case 'k': keys = optarg; break;
                case 'e': end = optarg; break;
                case 'd': days = atoi(optarg); break;
                case 'c': g.n_controls = atoi(optarg); break;
                case 'p': g.pad = (size_t) atol(optarg); break;
                case 'i': host.id = optarg; break;
                case 'H': host.hostname = optarg; break;
                default: return 2;
                }
        if (!!ndjson == !!spool || (ndjson && !keys) || days < 90 || g.n_controls < 4 || g.n_controls > 64 ||
            report_parse_time(end, false, &g.end) < 0) {
                fprintf(stderr, "usage: gen_archive (--ndjson FILE --keys DIR | --spool STATE_DIR) [--end TIME] "
                                "[--days N>=90] [--controls 4..64] [--pad BYTES] [--host-id ID] [--hostname NAME]\n");
                return 2;
        }
        g.S = g.end - days * DAY_MS;
        load_keys(spool ?: keys, !!spool, &kold, &knew);
        if ((r = evidence_writer_new(NULL, kold, &host, "cfg-a", &g.w_old)) < 0 ||
            (r = evidence_writer_new(NULL, knew, &host, "cfg-a", &g.w_new)) < 0)
                die("evidence_writer_new", r);
        g.w = g.w_old;
        if (spool) {
                struct spool_options o = { .sync = SPOOL_SYNC_BATCH };

                if ((r = spool_open(spool, &o, &g.spool, NULL)) < 0)
                        die("spool_open", r);
        } else if (!(g.out = fopen(ndjson, "we")))
                die(ndjson, errno);
        generate(&g);
        if (g.spool && ((r = spool_sync(g.spool)) < 0))
                die("spool_sync", r);
        spool_close(g.spool);
        if (g.out && fclose(g.out) != 0)
                die("close", errno);
        printf("{\"records\": %llu, \"last_seq\": %llu, \"dropped_first\": %llu, \"dropped_last\": %llu, "
               "\"clock_jump_seq\": %llu, \"rotation_seq\": %llu, \"old_key_id\": \"%s\", \"new_key_id\": \"%s\"}\n",
               (unsigned long long) g.written, (unsigned long long) g.seq, (unsigned long long) g.dropped_first,
               (unsigned long long) g.dropped_last, (unsigned long long) g.jump_seq,
               (unsigned long long) g.rotation_seq, evidence_key_id(kold), evidence_key_id(knew));
        evidence_writer_free(g.w_old);
        evidence_writer_free(g.w_new);
        evidence_key_free(kold);
        evidence_key_free(knew);
        return 0;
}
