/* SPDX-License-Identifier: MIT */
/* The daemon's schedule: controls grouped by (probe, parameters) into jobs,
 * one timer per job, a random splay at start and a little jitter after, so
 * a fleet does not probe in step. A job never runs twice at once; a slow
 * probe delays only its own job. */
#ifndef COMPLYD_SCHEDULER_H
#define COMPLYD_SCHEDULER_H

#include <systemd/sd-event.h>

#include "app.h"
#include "evaluate.h"

/* First runs happen within this much of the start (or the interval, if
 * shorter). */
#define SCHEDULER_START_SPLAY_USEC (60 * USEC_PER_SEC)

struct scheduler;

/* Called when every control of a job has its result. */
typedef void (*job_done_fn)(void *userdata);

/* Schedules every enabled control of app. control_done receives each
 * result (see evaluate.h). Returns 0 or -errno. */
int scheduler_new(sd_event *e, const struct app *app, const char *root, control_done_fn control_done,
                  job_done_fn job_done, void *userdata, struct scheduler **ret);
/* Stops every timer and kills every probe in flight. Accepts NULL. */
void scheduler_free(struct scheduler *s);

/* CLOCK_MONOTONIC time of the next job start (UINT64_MAX: none). */
uint64_t scheduler_next_due(const struct scheduler *s);
size_t scheduler_running(const struct scheduler *s);
size_t scheduler_jobs(const struct scheduler *s);

#endif
