/* SPDX-License-Identifier: MIT */
#include "metrics.h"
#include "util.h"

static int status_value(const char *s) {
        static const struct {
                const char *name;
                int value;
        } map[] = {
                { "fail", METRIC_STATUS_FAIL }, { "pass", METRIC_STATUS_PASS },
                { "error", METRIC_STATUS_ERROR }, { "not_applicable", METRIC_STATUS_NOT_APPLICABLE },
                { "waived", METRIC_STATUS_WAIVED },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(map[i].name, s))
                        return map[i].value;
        return -1;
}

/* Label values are escaped as the exposition format requires: \\ \" \n */
static void put_label(FILE *f, const char *v) {
        for (; *v; v++)
                if (*v == '\\' || *v == '"')
                        fprintf(f, "\\%c", *v);
                else if (*v == '\n')
                        fputs("\\n", f);
                else
                        fputc(*v, f);
}

static void header(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void control_metrics(FILE *f, const struct metrics_snapshot *m) {
        header(f, "complyd_control_status", "gauge",
               "Last result of the control: 0 fail, 1 pass, 2 error, 3 not applicable, 4 waived.");
        for (size_t i = 0; i < m->n_controls; i++) {
                int v = status_value(m->controls[i].status);
                if (v < 0)
                        continue;
                fputs("complyd_control_status{control=\"", f);
                put_label(f, m->controls[i].id);
                fputs("\",severity=\"", f);
                put_label(f, m->controls[i].severity);
                fprintf(f, "\"} %d\n", v);
        }
        header(f, "complyd_control_last_run_timestamp_seconds", "gauge",
               "When the control was last evaluated, in seconds since the epoch.");
        for (size_t i = 0; i < m->n_controls; i++) {
                if (!m->controls[i].last_run_usec)
                        continue;
                fputs("complyd_control_last_run_timestamp_seconds{control=\"", f);
                put_label(f, m->controls[i].id);
                fprintf(f, "\"} %.3f\n", (double) m->controls[i].last_run_usec / USEC_PER_SEC);
        }
        header(f, "complyd_drift_events_total", "counter",
               "Drifts announced for the control (pass to fail or error, or a first failure).");
        for (size_t i = 0; i < m->n_controls; i++) {
                fputs("complyd_drift_events_total{control=\"", f);
                put_label(f, m->controls[i].id);
                fprintf(f, "\"} %llu\n", (unsigned long long) m->controls[i].drift_events);
        }
}

static void render(FILE *f, const struct metrics_snapshot *m) {
        control_metrics(f, m);
        header(f, "complyd_probe_duration_seconds", "gauge", "Duration of the probe's last run.");
        for (size_t i = 0; i < m->n_probes; i++) {
                fputs("complyd_probe_duration_seconds{probe=\"", f);
                put_label(f, m->probes[i].name);
                fprintf(f, "\"} %.6f\n", (double) m->probes[i].duration_usec / USEC_PER_SEC);
        }
        header(f, "complyd_spool_records", "gauge", "Evidence records in the spool not yet delivered everywhere.");
        fprintf(f, "complyd_spool_records %llu\n", (unsigned long long) m->spool_records);
        header(f, "complyd_spool_bytes", "gauge", "Bytes of evidence in the spool.");
        fprintf(f, "complyd_spool_bytes %llu\n", (unsigned long long) m->spool_bytes);
        header(f, "complyd_push_failures_total", "counter", "Failed attempts to deliver evidence to a collector.");
        fprintf(f, "complyd_push_failures_total %llu\n", (unsigned long long) m->push_failures);
        header(f, "complyd_alerts_total", "counter", "Alerts fired (drifts, recoveries, reminders).");
        fprintf(f, "complyd_alerts_total %llu\n", (unsigned long long) m->alerts_fired);
        header(f, "complyd_alert_failures_total", "counter", "Failed alert deliveries, all sinks.");
        fprintf(f, "complyd_alert_failures_total %llu\n", (unsigned long long) m->alert_failures);
}

char *metrics_render(const struct metrics_snapshot *m) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return NULL;
        render(f, m);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

int metrics_write(const char *path, const struct metrics_snapshot *m) {
        _cleanup_free_ char *text = metrics_render(m);

        if (!text)
                return -ENOMEM;
        return write_file_atomic(path, text, strlen(text), 0644);
}
