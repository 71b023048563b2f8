/* SPDX-License-Identifier: MIT */
#include "evaluate.h"
#include "rules.h"
#include "runner.h"
#include "util.h"

/* One probe run shared by every control with the same probe and parameters. */
struct probe_job {
        const struct probe_entry *entry;
        const json_t *params;
        char *key;               /* "probe\0params-json" identity */
        size_t *members;         /* indexes into spec.controls */
        size_t n_members;
        struct probe_run *run;
        size_t order;            /* of its first control: ties in the start order */
        bool started, finished;
};

struct evaluation {
        sd_event *event;
        struct evaluation_spec spec;
        struct probe_job *jobs;
        size_t n_jobs, running, finished;
        bool done_called;
};

static struct probe_job *find_job(struct evaluation *ev, const char *key) {
        for (size_t i = 0; i < ev->n_jobs; i++)
                if (streq(ev->jobs[i].key, key))
                        return &ev->jobs[i];
        return NULL;
}

static int add_member(struct probe_job *job, size_t idx) {
        size_t *m = realloc(job->members, (job->n_members + 1) * sizeof(size_t));

        if (!m)
                return -ENOMEM;
        job->members = m;
        job->members[job->n_members++] = idx;
        return 0;
}

/* Slow probes first (typical_ms, descending), then in control order. */
static int cmp_job_start(const void *a, const void *b) {
        const struct probe_job *x = a, *y = b;
        uint32_t tx = x->entry && x->entry->probe ? x->entry->probe->typical_ms : 0;
        uint32_t ty = y->entry && y->entry->probe ? y->entry->probe->typical_ms : 0;

        if (tx != ty)
                return tx > ty ? -1 : 1;
        return x->order < y->order ? -1 : x->order > y->order;
}

/* Groups the controls into jobs by (probe, parameters), in the order they
 * are to start. */
static int plan_jobs(struct evaluation *ev) {
        for (size_t i = 0; i < ev->spec.n_controls; i++) {
                const struct control *c = ev->spec.controls[i];
                _cleanup_free_ char *params = json_dumps(c->probe_params, JSON_COMPACT | JSON_SORT_KEYS);
                _cleanup_free_ char *key = params ? strdup_printf("%s %s", c->probe, params) : NULL;
                struct probe_job *job;

                if (!key)
                        return -ENOMEM;
                job = find_job(ev, key);
                if (!job) {
                        struct probe_job *p = realloc(ev->jobs, (ev->n_jobs + 1) * sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        ev->jobs = p;
                        job = &ev->jobs[ev->n_jobs++];
                        *job = (struct probe_job) {
                                .order = ev->n_jobs - 1,
                                .entry = registry_find(ev->spec.app->registry, c->probe),
                                .params = c->probe_params,
                                .key = TAKE_PTR(key),
                        };
                }
                if (add_member(job, i) < 0)
                        return -ENOMEM;
        }
        qsort(ev->jobs, ev->n_jobs, sizeof(*ev->jobs), cmp_job_start);
        return 0;
}

static void finish_job(struct evaluation *ev, struct probe_job *job, const json_t *observation,
                       const char *error, uint64_t duration_usec);
static void start_jobs(struct evaluation *ev);

static void on_probe_done(struct probe_run *run, struct probe_result *res, void *userdata) {
        struct evaluation *ev = userdata;

        for (size_t i = 0; i < ev->n_jobs; i++)
                if (ev->jobs[i].run == run) {
                        ev->jobs[i].run = NULL;
                        ev->running--;
                        finish_job(ev, &ev->jobs[i], res->observation, res->error, res->duration_usec);
                        break;
                }
        start_jobs(ev);
}

/* Evaluates every control of the job and hands each result on. */
static void finish_job(struct evaluation *ev, struct probe_job *job, const json_t *observation,
                       const char *error, uint64_t duration_usec) {
        uint64_t now = now_realtime_usec();

        job->finished = true;
        ev->finished++;
        for (size_t i = 0; i < job->n_members; i++) {
                const struct control *c = ev->spec.controls[job->members[i]];
                json_t *result = NULL;

                if (observation)
                        (void) control_evaluate(c, observation, now, &result);
                else
                        result = control_result_error(c, error ?: "probe failed");
                if (!result)
                        continue; /* out of memory: nothing sensible to report */
                json_object_set_new(result, "probe_duration_ms",
                                    json_integer((json_int_t) (duration_usec / USEC_PER_MSEC)));
                ev->spec.control_done(c, result, observation, ev->spec.userdata);
        }
        if (ev->finished == ev->n_jobs && !ev->done_called) {
                ev->done_called = true;
                ev->spec.done(ev, ev->spec.userdata);
        }
}

/* Starts waiting jobs up to the concurrency limit. A job that cannot start
 * finishes at once with the reason, so its controls report an error. */
static void start_jobs(struct evaluation *ev) {
        for (size_t i = 0; i < ev->n_jobs && ev->running < EVALUATE_MAX_CONCURRENT; i++) {
                struct probe_job *job = &ev->jobs[i];
                struct probe_request req;
                int r;

                if (job->started)
                        continue;
                job->started = true;
                if (!job->entry) {
                        finish_job(ev, job, NULL, "unknown probe", 0);
                        continue;
                }
                app_probe_request(ev->spec.app, job->entry, ev->spec.root, job->params, &req);
                r = runner_start(ev->event, &req, on_probe_done, ev, &job->run);
                if (r < 0) {
                        _cleanup_free_ char *why = strdup_printf("cannot start the probe: %s", strerror(-r));
                        finish_job(ev, job, NULL, why, 0);
                        continue;
                }
                ev->running++;
        }
}

int evaluation_start(sd_event *e, const struct evaluation_spec *spec, struct evaluation **ret) {
        struct evaluation *ev = calloc(1, sizeof(*ev));
        int r;

        if (!ev)
                return -ENOMEM;
        ev->event = sd_event_ref(e);
        ev->spec = *spec;
        r = plan_jobs(ev);
        if (r < 0) {
                evaluation_free(ev);
                return r;
        }
        *ret = ev;
        if (ev->n_jobs == 0) {
                ev->done_called = true;
                spec->done(ev, spec->userdata);
                return 0;
        }
        start_jobs(ev);
        return 0;
}

void evaluation_free(struct evaluation *ev) {
        if (!ev)
                return;
        for (size_t i = 0; i < ev->n_jobs; i++) {
                runner_cancel(ev->jobs[i].run);
                free(ev->jobs[i].key);
                free(ev->jobs[i].members);
        }
        free(ev->jobs);
        sd_event_unref(ev->event);
        free(ev);
}
