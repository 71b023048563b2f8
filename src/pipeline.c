/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdarg.h>

#include "crypto_dl.h"
#include "evidence.h"
#include "log.h"
#include "pipeline.h"
#include "shipper.h"
#include "spool.h"
#include "util.h"

struct pipeline {
        sd_event *event;
        const struct config *cfg;
        struct spool *spool;
        struct evidence_key *key;
        struct evidence_host host;
        struct evidence_writer *writer;
        struct shipper *shipper;
        sd_event_source *heartbeat;
        uint64_t started_usec;
        char config_hash[65];
        bool dirty;             /* appended since the last commit */
        pipeline_alert_fn alert;
        void *alert_userdata;
};

/* Logs an evidence problem and raises it as an alert. */
static void raise_alert(struct pipeline *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void raise_alert(struct pipeline *p, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        log_error("%s", msg);
        if (p->alert)
                p->alert(msg, p->alert_userdata);
}

/* Appends one record; an eviction it forced is itself recorded. */
static void append(struct pipeline *p, const char *type, json_t *body) {
        struct spool_dropped dropped = { 0 };
        int64_t r = evidence_append(p->writer, type, body, &dropped);

        if (r < 0) {
                log_error_errno((int) r, "Cannot write a %s evidence record: %m", type);
                return;
        }
        p->dirty = true;
        if (dropped.count > 0) {
                raise_alert(p, "Evidence spool full: evicted %llu records (seq %llu-%llu); an "
                            "evidence.dropped record says so",
                          (unsigned long long) dropped.count, (unsigned long long) dropped.first_seq,
                          (unsigned long long) dropped.last_seq);
                r = evidence_append(p->writer, EVIDENCE_DROPPED,
                                    evidence_dropped_body(&dropped, "spool_full"), NULL);
                if (r < 0)
                        log_error_errno((int) r, "Cannot record the eviction: %m");
        }
}

/* The shipper has logged it already: only forward it to the sinks. */
static void on_shipper_alert(const char *output, const char *message, void *userdata) {
        struct pipeline *p = userdata;
        char msg[512];

        snprintf(msg, sizeof(msg), "Evidence output %s: %s", output, message);
        if (p->alert)
                p->alert(msg, p->alert_userdata);
}

static int start_shipper(struct pipeline *p) {
        struct shipper_options opt = {
                .state_dir = p->cfg->state_dir,
                .alert = on_shipper_alert,
                .alert_userdata = p,
        };

        if (p->cfg->n_outputs == 0)
                return 0;
        return shipper_new(p->event, p->spool, p->cfg->outputs, p->cfg->n_outputs, &opt, &p->shipper);
}

void pipeline_commit(struct pipeline *p) {
        int r;

        if (!p || !p->dirty)
                return;
        r = spool_sync(p->spool);
        if (r < 0) {
                /* never retried as if it worked: the spool re-read itself */
                raise_alert(p, "Evidence fsync failed (%s): records since the last sync were re-read "
                            "from disk and only what is really there counts as captured", strerror(-r));
                return;
        }
        p->dirty = false;
        if (p->shipper)
                shipper_kick(p->shipper);
}

static int on_heartbeat(sd_event_source *s, uint64_t usec, void *userdata) {
        struct pipeline *p = userdata;

        append(p, EVIDENCE_HEARTBEAT,
               evidence_heartbeat_body((now_monotonic_usec() - p->started_usec) / USEC_PER_SEC));
        pipeline_commit(p);
        sd_event_source_set_time(s, usec + p->cfg->evidence.heartbeat_usec);
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static void log_recovery(const struct spool_recovery *rec) {
        if (rec->torn_bytes)
                log_warning("Evidence spool: a torn tail of %llu bytes was truncated (a record cut "
                            "by a crash before it was synced)", (unsigned long long) rec->torn_bytes);
        if (rec->corrupt_records)
                log_error("Evidence spool: %llu corrupt records skipped and lost (seq %llu-%llu)",
                          (unsigned long long) rec->corrupt_records,
                          (unsigned long long) rec->corrupt_first_seq,
                          (unsigned long long) rec->corrupt_last_seq);
        if (rec->segments_quarantined)
                log_error("Evidence spool: %u unreadable segments moved to spool/corrupt/",
                          rec->segments_quarantined);
}

static int open_spool(struct pipeline *p, struct spool_recovery *rec) {
        struct spool_options opt = {
                .max_bytes = p->cfg->evidence.spool_max_bytes,
                .retention_usec = p->cfg->evidence.retention_usec,
                .sync = p->cfg->evidence.sync == EVIDENCE_SYNC_ALWAYS ? SPOOL_SYNC_ALWAYS : SPOOL_SYNC_BATCH,
        };
        int r = spool_open(p->cfg->state_dir, &opt, &p->spool, rec);

        if (r < 0)
                return log_error_errno(r, "Cannot open the evidence spool in %s/spool: %m", p->cfg->state_dir);
        log_recovery(rec);
        return 0;
}

/* A record needs a host id. An image or fixture under --root may have no
 * /etc/machine-id: then the id of the machine complyd runs on stands in. */
static int fallback_host_id(struct evidence_host *h) {
        _cleanup_free_ char *id = NULL;

        if (read_full_file("/etc/machine-id", 4096, &id, NULL) < 0 || !*id) {
                free(id);
                id = strdup_printf("unknown-%s", h->hostname && *h->hostname ? h->hostname : "host");
        }
        if (!id)
                return log_oom();
        id[strcspn(id, "\n")] = '\0';
        free((char *) h->id);
        h->id = TAKE_PTR(id);
        return 0;
}

int pipeline_open(sd_event *e, const struct config *cfg, const char *root, const char *config_hash,
                  const char *previous_hash, pipeline_alert_fn alert, void *userdata,
                  struct pipeline **ret) {
        struct pipeline *p = calloc(1, sizeof(*p));
        struct spool_recovery rec = { 0 };
        int r;

        if (!p)
                return log_oom();
        p->event = sd_event_ref(e);
        p->cfg = cfg;
        p->alert = alert;
        p->alert_userdata = userdata;
        p->started_usec = now_monotonic_usec();
        snprintf(p->config_hash, sizeof(p->config_hash), "%s", config_hash);
        r = open_spool(p, &rec);
        if (r >= 0 && (r = evidence_key_load_or_create(cfg->state_dir, &p->key)) < 0)
                log_error_errno(r, "Cannot load or create the host key in %s: %m", cfg->state_dir);
        if (r >= 0 && (r = evidence_host_detect(root, &p->host)) < 0)
                log_oom();
        if (r >= 0 && cfg->hostname)
                free((char *) p->host.hostname), p->host.hostname = strdup(cfg->hostname);
        if (r >= 0 && cfg->host_id)
                free((char *) p->host.id), p->host.id = strdup(cfg->host_id);
        if (r >= 0 && (!p->host.id || !*p->host.id))
                r = fallback_host_id(&p->host);
        if (r >= 0 && (r = evidence_writer_new(p->spool, p->key, &p->host, config_hash, &p->writer)) < 0)
                log_error_errno(r, "Cannot set up the evidence writer: %m");
        if (r >= 0 && (r = start_shipper(p)) < 0)
                log_error_errno(r, "Cannot set up the evidence outputs: %m");
        if (r >= 0)
                r = sd_event_add_time_relative(e, &p->heartbeat, CLOCK_MONOTONIC,
                                               cfg->evidence.heartbeat_usec, USEC_PER_SEC, on_heartbeat, p);
        if (r < 0) {
                pipeline_free(p);
                return r;
        }
        append(p, EVIDENCE_AGENT_START, evidence_start_body(getpid(), config_hash, &rec));
        if (rec.corrupt_records) {
                struct spool_dropped lost = { .first_seq = rec.corrupt_first_seq,
                                              .last_seq = rec.corrupt_last_seq,
                                              .count = rec.corrupt_records };
                append(p, EVIDENCE_DROPPED, evidence_dropped_body(&lost, "corrupt"));
        }
        if (previous_hash && *previous_hash && !streq(previous_hash, config_hash))
                append(p, EVIDENCE_CONFIG_CHANGED, evidence_config_changed_body(previous_hash, config_hash));
        pipeline_commit(p);
        *ret = p;
        return 0;
}

void pipeline_result(struct pipeline *p, const json_t *result, const json_t *observation,
                     const char *probe_version, const char *previous, bool drift) {
        const json_t *d = json_object_get(result, "probe_duration_ms");
        struct evidence_probe_info info = {
                .name = json_string_value(json_object_get(result, "probe")) ?: "",
                .version = probe_version ?: "",
                .duration_ms = d ? (uint64_t) json_integer_value(d) : 0,
        };
        json_t *body = evidence_result_body(result, observation, &info, previous && *previous ? previous : NULL, drift);

        if (!body) {
                log_oom();
                return;
        }
        append(p, EVIDENCE_RESULT, body);
}

int pipeline_reload(struct pipeline *p, const struct config *cfg, const char *config_hash) {
        if (!streq(p->config_hash, config_hash)) {
                append(p, EVIDENCE_CONFIG_CHANGED, evidence_config_changed_body(p->config_hash, config_hash));
                snprintf(p->config_hash, sizeof(p->config_hash), "%s", config_hash);
                (void) evidence_writer_set_config_hash(p->writer, config_hash);
        }
        pipeline_commit(p);
        shipper_free(TAKE_PTR(p->shipper));
        p->cfg = cfg;
        return start_shipper(p) < 0 ? log_error("Cannot restart the evidence outputs") : 0;
}

void pipeline_stop(struct pipeline *p, const char *reason) {
        if (!p)
                return;
        append(p, EVIDENCE_AGENT_STOP, evidence_stop_body(reason));
        pipeline_commit(p);
}

void pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *st) {
        *st = (struct pipeline_stats) { 0 };
        if (!p)
                return;
        spool_usage(p->spool, &st->spool_records, &st->spool_bytes);
        if (p->shipper)
                st->push_failures = shipper_push_failures_total(p->shipper);
}

void pipeline_free(struct pipeline *p) {
        if (!p)
                return;
        sd_event_source_disable_unref(p->heartbeat);
        shipper_free(p->shipper);
        evidence_writer_free(p->writer);
        evidence_host_clear(&p->host);
        evidence_key_free(p->key);
        spool_close(p->spool);
        sd_event_unref(p->event);
        free(p);
}

static int hash_file_into(EVP_MD_CTX *md, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_full_file(path, 16 * 1024 * 1024, &text, &len);

        if (r < 0)
                return r == -ENOENT ? 0 : r;
        EVP_DigestUpdate(md, path, strlen(path) + 1);
        EVP_DigestUpdate(md, text, len);
        return 0;
}

static int yaml_file(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && ((n > 5 && streq(de->d_name + n - 5, ".yaml")) ||
                                        (n > 4 && streq(de->d_name + n - 4, ".yml")));
}

int pipeline_config_hash(const struct config *cfg, char hex[65]) {
        EVP_MD_CTX *md;
        unsigned char digest[32];
        unsigned int len = 0;
        int r = crypto_dl_load();

        if (r < 0)
                return r;
        md = EVP_MD_CTX_new();
        if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
                EVP_MD_CTX_free(md);
                return -ENOMEM;
        }
        if (cfg->path)
                r = hash_file_into(md, cfg->path);
        for (char **d = cfg->controls_dirs; r >= 0 && d && *d; d++) {
                struct dirent **names = NULL;
                int n = scandir(*d, &names, yaml_file, alphasort);

                for (int i = 0; i < n; i++) {
                        _cleanup_free_ char *path = strdup_printf("%s/%s", *d, names[i]->d_name);
                        if (r >= 0)
                                r = path ? hash_file_into(md, path) : -ENOMEM;
                        free(names[i]);
                }
                free(names);
        }
        if (r >= 0 && !EVP_DigestFinal_ex(md, digest, &len))
                r = -EIO;
        EVP_MD_CTX_free(md);
        if (r >= 0)
                evidence_hex(digest, 32, hex);
        return r;
}
