/* SPDX-License-Identifier: MIT */
/* One evaluation pass: run the probes a list of controls needs — each
 * distinct (probe, parameters) pair once, several at a time — and evaluate
 * every control against its probe's observation. Runs on an sd-event loop,
 * so `check` and the daemon share it. */
#ifndef COMPLYD_EVALUATE_H
#define COMPLYD_EVALUATE_H

#include <systemd/sd-event.h>

#include "app.h"

#define EVALUATE_MAX_CONCURRENT 8

struct evaluation;

/* Called once per control as soon as its result is known: result is a new
 * object (see control_evaluate()) the callee takes; observation is the
 * probe's output (borrowed; NULL when the run failed). */
typedef void (*control_done_fn)(const struct control *c, json_t *result,
                                const json_t *observation, void *userdata);
/* Called once when every control of the pass has its result. */
typedef void (*evaluation_done_fn)(struct evaluation *ev, void *userdata);

struct evaluation_spec {
        const struct app *app;
        const char *root;
        const struct control *const *controls;
        size_t n_controls;
        control_done_fn control_done;
        evaluation_done_fn done;
        void *userdata;
};

/* Starts the pass on e. Returns 0 and the pass in *ret (free it with
 * evaluation_free() after done was called, or to cancel it), or -ENOMEM. */
int evaluation_start(sd_event *e, const struct evaluation_spec *spec, struct evaluation **ret);
void evaluation_free(struct evaluation *ev);

#endif
