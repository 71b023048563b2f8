/* SPDX-License-Identifier: MIT */
#include <sys/random.h>

#include "log.h"
#include "scheduler.h"
#include "util.h"

struct sched_job {
        struct scheduler *sched;
        char *key;                      /* probe + parameters */
        const struct control **controls;
        size_t n_controls;
        uint64_t interval_usec;         /* the shortest of its controls' */
        uint64_t due_usec, started_usec;
        sd_event_source *timer;
        struct evaluation *ev;          /* the last pass; running while !finished */
        bool running;
};

struct scheduler {
        sd_event *event;
        const struct app *app;
        char *root;
        control_done_fn control_done;
        job_done_fn job_done;
        void *userdata;
        struct sched_job *jobs;
        size_t n_jobs;
};

static uint64_t random_below(uint64_t bound) {
        uint64_t r = 0;

        if (bound == 0)
                return 0;
        if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
                r = now_monotonic_usec() * 6364136223846793005ULL;
        return r % bound;
}

static int arm(struct sched_job *job, uint64_t due);

static void on_control_done(const struct control *c, json_t *result, const json_t *obs, void *userdata) {
        struct sched_job *job = userdata;
        job->sched->control_done(c, result, obs, job->sched->userdata);
}

/* The pass is over: schedule the next one an interval after this one
 * started (plus up to 5 % jitter), or at once if it ran over. */
static void on_pass_done(struct evaluation *ev, void *userdata) {
        struct sched_job *job = userdata;
        uint64_t now = now_monotonic_usec(), next = job->started_usec + job->interval_usec;

        job->running = false;
        if (next < now)
                next = now;
        next += random_below(job->interval_usec / 20);
        if (arm(job, next) < 0)
                log_error("Cannot schedule the next run of %s: the job stops", job->key);
        job->sched->job_done(job->sched->userdata);
}

static int on_due(sd_event_source *s, uint64_t usec, void *userdata) {
        struct sched_job *job = userdata;
        struct scheduler *sched = job->sched;
        struct evaluation_spec spec = {
                .app = sched->app,
                .root = sched->root,
                .controls = job->controls,
                .n_controls = job->n_controls,
                .control_done = on_control_done,
                .done = on_pass_done,
                .userdata = job,
        };
        int r;

        if (job->running)
                return 0; /* cannot happen: the timer is re-armed only when a pass ends */
        evaluation_free(TAKE_PTR(job->ev));
        job->running = true;
        job->started_usec = now_monotonic_usec();
        r = evaluation_start(sched->event, &spec, &job->ev);
        if (r < 0) {
                job->running = false;
                log_error_errno(r, "Cannot start %s: %m; retrying in a minute", job->key);
                return arm(job, now_monotonic_usec() + 60 * USEC_PER_SEC);
        }
        return 0;
}

static int arm(struct sched_job *job, uint64_t due) {
        job->due_usec = due;
        if (job->timer) {
                int r = sd_event_source_set_time(job->timer, due);
                return r < 0 ? r : sd_event_source_set_enabled(job->timer, SD_EVENT_ONESHOT);
        }
        return sd_event_add_time(job->sched->event, &job->timer, CLOCK_MONOTONIC, due,
                                 50 * USEC_PER_MSEC, on_due, job);
}

static struct sched_job *find_or_add_job(struct scheduler *s, const struct control *c) {
        _cleanup_free_ char *params = json_dumps(c->probe_params, JSON_COMPACT | JSON_SORT_KEYS);
        _cleanup_free_ char *key = params ? strdup_printf("%s %s", c->probe, params) : NULL;
        struct sched_job *job;

        if (!key)
                return NULL;
        for (size_t i = 0; i < s->n_jobs; i++)
                if (streq(s->jobs[i].key, key))
                        return &s->jobs[i];
        job = realloc(s->jobs, (s->n_jobs + 1) * sizeof(*job));
        if (!job)
                return NULL;
        s->jobs = job;
        job = &s->jobs[s->n_jobs++];
        *job = (struct sched_job) { .sched = s, .key = TAKE_PTR(key), .interval_usec = UINT64_MAX };
        return job;
}

static int add_control(struct scheduler *s, const struct control *c) {
        struct sched_job *job = find_or_add_job(s, c);
        const struct control **p;

        if (!job)
                return -ENOMEM;
        p = realloc(job->controls, (job->n_controls + 1) * sizeof(*p));
        if (!p)
                return -ENOMEM;
        job->controls = p;
        job->controls[job->n_controls++] = c;
        if (c->interval_usec < job->interval_usec)
                job->interval_usec = c->interval_usec;
        return 0;
}

int scheduler_new(sd_event *e, const struct app *app, const char *root, control_done_fn control_done,
                  job_done_fn job_done, void *userdata, struct scheduler **ret) {
        struct scheduler *s = calloc(1, sizeof(*s));
        uint64_t now = now_monotonic_usec();
        int r = 0;

        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(e);
        s->app = app;
        s->control_done = control_done;
        s->job_done = job_done;
        s->userdata = userdata;
        if (!(s->root = strdup(root))) {
                scheduler_free(s);
                return -ENOMEM;
        }
        for (size_t i = 0; i < app->controls->n && r >= 0; i++)
                if (app->controls->controls[i]->enabled)
                        r = add_control(s, app->controls->controls[i]);
        /* jobs no longer move in memory: arm their timers */
        for (size_t i = 0; i < s->n_jobs && r >= 0; i++) {
                uint64_t splay = s->jobs[i].interval_usec < SCHEDULER_START_SPLAY_USEC
                                         ? s->jobs[i].interval_usec : SCHEDULER_START_SPLAY_USEC;
                r = arm(&s->jobs[i], now + random_below(splay));
        }
        if (r < 0) {
                scheduler_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void scheduler_free(struct scheduler *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_jobs; i++) {
                sd_event_source_disable_unref(s->jobs[i].timer);
                evaluation_free(s->jobs[i].ev);
                free(s->jobs[i].controls);
                free(s->jobs[i].key);
        }
        free(s->jobs);
        free(s->root);
        sd_event_unref(s->event);
        free(s);
}

uint64_t scheduler_next_due(const struct scheduler *s) {
        uint64_t next = UINT64_MAX;

        for (size_t i = 0; s && i < s->n_jobs; i++)
                if (!s->jobs[i].running && s->jobs[i].due_usec < next)
                        next = s->jobs[i].due_usec;
        return next;
}

size_t scheduler_running(const struct scheduler *s) {
        size_t n = 0;

        for (size_t i = 0; s && i < s->n_jobs; i++)
                n += s->jobs[i].running;
        return n;
}

size_t scheduler_jobs(const struct scheduler *s) { return s ? s->n_jobs : 0; }
