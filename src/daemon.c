/* SPDX-License-Identifier: MIT */
/* complyd run: the daemon. Schedules the controls, remembers their last
 * status, alerts on drift, writes metrics, talks to systemd (READY, STATUS,
 * WATCHDOG, RELOADING, STOPPING), reloads on SIGHUP, stops on SIGTERM. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "alerts.h"
#include "app.h"
#include "children.h"
#include "commands.h"
#include "log.h"
#include "metrics.h"
#include "pipeline.h"
#include "scheduler.h"
#include "state.h"
#include "util.h"

#define MAX_PROBE_STATS 256

struct probe_stat {
        char name[65];
        uint64_t duration_usec;
};

struct daemon {
        sd_event *event;
        const char *config_path;
        const char *root;
        struct app app;
        struct state *state;
        struct alerts *alerts;
        struct scheduler *sched;
        struct pipeline *pipeline;
        char hostname[256];
        struct probe_stat probes[MAX_PROBE_STATS];
        size_t n_probes;
        uint64_t results;
};

static const char run_help[] =
        "Usage: complyd run [--config FILE] [--root DIR]\n"
        "The daemon: evaluates every enabled control on its interval, remembers the\n"
        "last status of each in state_dir, alerts on drift, writes metrics. Runs in\n"
        "the foreground (systemd Type=notify); SIGHUP reloads the configuration,\n"
        "SIGTERM stops.\n"
        "\n"
        "  -c, --config FILE        configuration file\n"
        "  -r, --root DIR           observe the host under DIR\n"
        "  -h, --help               show this help\n";

static void record_probe_duration(struct daemon *d, const char *probe, uint64_t usec) {
        for (size_t i = 0; i < d->n_probes; i++)
                if (streq(d->probes[i].name, probe)) {
                        d->probes[i].duration_usec = usec;
                        return;
                }
        if (d->n_probes < MAX_PROBE_STATS) {
                snprintf(d->probes[d->n_probes].name, sizeof(d->probes[0].name), "%s", probe);
                d->probes[d->n_probes++].duration_usec = usec;
        }
}

static const char *result_why(const json_t *result) {
        const char *s = json_string_value(json_object_get(result, "status"));
        const char *key = s && streq(s, "error") ? "error" : "summary";
        return json_string_value(json_object_get(result, key)) ?: "";
}

static void announce(struct daemon *d, const struct control *c, const json_t *result,
                     enum drift_decision decision, const char *previous) {
        struct alert a = {
                .kind = decision == DRIFT_RECOVERY ? ALERT_RECOVERY
                        : decision == DRIFT_REMIND ? ALERT_REMINDER : ALERT_DRIFT,
                .control_id = c->id,
                .title = c->title,
                .severity = severity_to_string(c->severity),
                .status = json_string_value(json_object_get(result, "status")) ?: "error",
                .previous = *previous ? previous : NULL,
                .why = result_why(result),
                .hostname = d->hostname,
                .time_usec = now_realtime_usec(),
                .result = result,
        };
        if (d->alerts)
                alerts_fire(d->alerts, &a);
}

/* One control's result: remember it, and announce a drift. */
static void on_result(const struct control *c, json_t *result, const json_t *obs, void *userdata) {
        struct daemon *d = userdata;
        const char *status = json_string_value(json_object_get(result, "status")) ?: "error";
        struct control_state *cs = state_get(d->state, c->id);
        const struct config_alerts *ac = &d->app.config->alerts;
        const struct probe_entry *probe = registry_find(d->app.registry, c->probe);
        char previous[STATE_STATUS_MAX], last[STATE_STATUS_MAX] = "";
        enum drift_decision dd = DRIFT_NONE;

        d->results++;
        record_probe_duration(d, c->probe,
                              (uint64_t) json_integer_value(json_object_get(result, "probe_duration_ms")) * USEC_PER_MSEC);
        if (cs) {
                snprintf(last, sizeof(last), "%s", cs->status);
                dd = state_observe(cs, status, now_realtime_usec(), ac->damping, ac->renotify_usec, previous);
                if (dd != DRIFT_NONE)
                        announce(d, c, result, dd, previous);
        } else
                log_oom();
        pipeline_result(d->pipeline, result, obs, probe && probe->probe ? probe->probe->version : "script",
                        last, dd == DRIFT_ANNOUNCE || dd == DRIFT_RECOVERY);
        json_decref(result);
}

static size_t count_failing(const struct daemon *d) {
        size_t n = 0;

        for (size_t i = 0; i < d->state->n; i++)
                if (control_set_find(d->app.controls, d->state->controls[i].id) &&
                    status_is_failing(d->state->controls[i].status))
                        n++;
        return n;
}

static void notify_status(struct daemon *d) {
        uint64_t next = scheduler_next_due(d->sched), now = now_monotonic_usec();
        char in[32] = "-";
        size_t enabled = 0;

        for (size_t i = 0; i < d->app.controls->n; i++)
                enabled += d->app.controls->controls[i]->enabled;
        if (next != UINT64_MAX)
                format_duration(next > now ? (next - now) / USEC_PER_SEC * USEC_PER_SEC : 0, in, sizeof(in));
        sd_notifyf(0, "STATUS=%zu controls, %zu failing, %zu probe%s running, next run in %s",
                   enabled, count_failing(d), scheduler_running(d->sched),
                   scheduler_running(d->sched) == 1 ? "" : "s", in);
}

static void write_metrics(struct daemon *d) {
        const char *path = d->app.config->metrics_textfile;
        struct metrics_control *mc;
        struct alert_stats as = { 0 };
        size_t n = 0;
        int r;

        if (!path)
                return;
        mc = calloc(d->app.controls->n + 1, sizeof(*mc));
        if (!mc)
                return (void) log_oom();
        for (size_t i = 0; i < d->app.controls->n; i++) {
                const struct control *c = d->app.controls->controls[i];
                const struct control_state *cs = c->enabled ? state_find(d->state, c->id) : NULL;
                if (!cs)
                        continue;
                mc[n++] = (struct metrics_control) { .id = c->id, .severity = severity_to_string(c->severity),
                        .status = cs->status, .last_run_usec = cs->last_run_usec, .drift_events = cs->drift_events };
        }
        struct metrics_probe mp[MAX_PROBE_STATS];
        for (size_t i = 0; i < d->n_probes; i++)
                mp[i] = (struct metrics_probe) { .name = d->probes[i].name, .duration_usec = d->probes[i].duration_usec };
        if (d->alerts)
                alerts_get_stats(d->alerts, &as);
        struct pipeline_stats ps;
        pipeline_get_stats(d->pipeline, &ps);
        struct metrics_snapshot snap = { .controls = mc, .n_controls = n, .probes = mp, .n_probes = d->n_probes,
                                         .spool_records = ps.spool_records, .spool_bytes = ps.spool_bytes,
                                         .push_failures = ps.push_failures,
                                         .alerts_fired = as.fired, .alert_failures = as.failed };
        r = metrics_write(path, &snap);
        if (r < 0)
                log_warning_errno(r, "Cannot write metrics to %s: %m", path);
        free(mc);
}

/* A job finished: persist the state, refresh metrics and the status line. */
static void on_job_done(void *userdata) {
        struct daemon *d = userdata;
        int r;

        pipeline_commit(d->pipeline);
        r = state_save(d->state);

        if (r < 0)
                log_error_errno(r, "Cannot save the state to %s: %m", d->state->path);
        write_metrics(d);
        notify_status(d);
        /* The run's observations and records are freed by now; hand the
         * free heap pages back so that the daemon at rest stays small. */
        (void) malloc_trim(0);
}

static int start_services(struct daemon *d) {
        int r = alerts_new(d->event, &d->app.config->alerts, &d->alerts);

        if (r < 0)
                return log_error_errno(r, "Cannot set up the alert sinks: %m");
        r = scheduler_new(d->event, &d->app, d->root, on_result, on_job_done, d, &d->sched);
        if (r < 0)
                return log_error_errno(r, "Cannot schedule the controls: %m");
        return 0;
}

static void stop_services(struct daemon *d) {
        scheduler_free(TAKE_PTR(d->sched));
        alerts_free(TAKE_PTR(d->alerts));
}

static void log_diagnostics(struct diag_list *diag, int priority) {
        _cleanup_free_ char *text = diag_to_string(diag);

        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                else
                        next = line + strlen(line);
                log_full_errno(priority, 0, "%s", line);
        }
}

/* SIGHUP: load the configuration anew; an invalid one is logged with every
 * error and the running one stays in force. */
static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct daemon *d = userdata;
        struct diag_list diag = DIAG_LIST_INIT;
        struct app fresh;
        int r;

        sd_notify(0, "RELOADING=1\nSTATUS=Reloading the configuration");
        r = app_load(d->config_path, &diag, &fresh);
        if (r < 0) {
                log_diagnostics(&diag, LOG_ERR);
                log_error("Reload failed (%zu problem%s): the running configuration stays in force",
                          diag_count(&diag), diag_count(&diag) == 1 ? "" : "s");
                app_free(&fresh);
        } else {
                char hash[65] = "";

                stop_services(d);
                (void) pipeline_config_hash(fresh.config, hash);
                (void) pipeline_reload(d->pipeline, fresh.config, hash);
                snprintf(d->state->config_hash, sizeof(d->state->config_hash), "%s", hash);
                app_free(&d->app);
                d->app = fresh;
                if (start_services(d) < 0) {
                        diag_clear(&diag);
                        return sd_event_exit(d->event, EXIT_FAILED);
                }
                log_info("Configuration reloaded: %zu controls", d->app.controls->n);
        }
        diag_clear(&diag);
        sd_notify(0, "READY=1");
        notify_status(d);
        return 0;
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct daemon *d = userdata;

        sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
        log_info("Stopping on %s", sigabbrev_np((int) si->ssi_signo) ?: "signal");
        return sd_event_exit(d->event, 0);
}

static int setup_loop(struct daemon *d) {
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&d->event);
        if (r >= 0)
                r = children_setup(d->event);
        if (r >= 0)
                r = sd_event_add_signal(d->event, NULL, SIGTERM, on_sigterm, d);
        if (r >= 0)
                r = sd_event_add_signal(d->event, NULL, SIGINT, on_sigterm, d);
        if (r >= 0)
                r = sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d);
        /* WATCHDOG=1 comes from the loop itself, so a wedged loop is seen */
        if (r >= 0)
                r = sd_event_set_watchdog(d->event, true);
        return r < 0 ? log_error_errno(r, "Cannot set up the event loop: %m") : 0;
}

static int load_state(struct daemon *d) {
        const char *dir = d->app.config->state_dir;
        int r;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Cannot create the state directory %s: %m", dir);
        r = state_load(dir, &d->state);
        if (r == -EBADMSG)
                log_warning("%s/state.json was corrupt; set aside as state.json.corrupt, starting afresh", dir);
        else if (r < 0)
                return log_error_errno(r, "Cannot read the state in %s: %m", dir);
        return 0;
}

/* An evidence problem goes to every alert sink, as a drift of the pseudo
 * control "evidence-pipeline". */
static void on_pipeline_alert(const char *message, void *userdata) {
        struct daemon *d = userdata;
        struct alert a = {
                .kind = ALERT_DRIFT,
                .control_id = "evidence-pipeline",
                .title = "complyd evidence pipeline",
                .severity = "high",
                .status = "error",
                .why = message,
                .hostname = d->hostname,
                .time_usec = now_realtime_usec(),
        };

        if (d->alerts)
                alerts_fire(d->alerts, &a);
}

/* The evidence pipeline; a configuration that differs from the last run's
 * is recorded as config.changed. */
static int open_pipeline(struct daemon *d) {
        char hash[65];
        int r = pipeline_config_hash(d->app.config, hash);

        if (r < 0)
                return log_error_errno(r, "Cannot hash the configuration: %m");
        r = pipeline_open(d->event, d->app.config, d->root, hash, d->state->config_hash,
                          on_pipeline_alert, d, &d->pipeline);
        if (r < 0)
                return r;
        snprintf(d->state->config_hash, sizeof(d->state->config_hash), "%s", hash);
        return 0;
}

static void set_hostname(struct daemon *d) {
        if (d->app.config->hostname)
                snprintf(d->hostname, sizeof(d->hostname), "%s", d->app.config->hostname);
        else if (gethostname(d->hostname, sizeof(d->hostname) - 1) < 0)
                snprintf(d->hostname, sizeof(d->hostname), "unknown");
}

static int daemon_main(struct daemon *d) {
        struct diag_list diag = DIAG_LIST_INIT;
        int r;

        r = app_load(d->config_path, &diag, &d->app);
        if (r < 0) {
                log_diagnostics(&diag, LOG_ERR);
                log_error("Invalid configuration: not starting");
                diag_clear(&diag);
                return EXIT_USAGE;
        }
        set_hostname(d);
        if (setup_loop(d) < 0 || load_state(d) < 0 || open_pipeline(d) < 0 || start_services(d) < 0)
                return EXIT_FAILED;
        log_info("complyd %s started: %zu controls in %zu probe jobs", COMPLYD_VERSION,
                 d->app.controls->n, scheduler_jobs(d->sched));
        (void) malloc_trim(0); /* what parsing the configuration left free */
        sd_notify(0, "READY=1");
        notify_status(d);

        r = sd_event_loop(d->event);
        stop_services(d);
        pipeline_stop(d->pipeline, "stopped by signal");
        if (state_save(d->state) < 0)
                log_error("Cannot save the state on the way out");
        return r < 0 ? EXIT_FAILED : r;
}

int cmd_run(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "root", required_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' }, {}
        };
        struct daemon d = { .root = "/" };
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:r:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': d.config_path = optarg; break;
                case 'r': d.root = optarg; break;
                case 'h': fputs(run_help, stdout); return EXIT_OK;
                default: return usage_error("run", "invalid option");
                }
        if (optind < argc)
                return usage_error("run", "unexpected argument '%s'", argv[optind]);
        _cleanup_free_ char *root = realpath(d.root, NULL);
        if (!root)
                return usage_error("run", "cannot use root '%s': %m", d.root);
        d.root = root; /* absolute: probes run with their working directory at / */

        log_setup(LOG_STYLE_DAEMON);
        r = daemon_main(&d);
        pipeline_free(d.pipeline);
        state_free(d.state);
        app_free(&d.app);
        sd_event_unref(d.event);
        return r;
}
