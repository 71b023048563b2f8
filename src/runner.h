/* SPDX-License-Identifier: MIT */
/* Runs one probe in a supervised child process on an sd-event loop: the
 * timeout kills the whole process tree, stdout is capped, the output must be
 * one JSON object. The result is handed to a callback; nothing a probe does
 * (crash, hang, garbage, fork bombs, leaked descriptors) reaches the caller
 * as anything but an error result. */
#ifndef COMPLYD_RUNNER_H
#define COMPLYD_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "registry.h"

#define RUNNER_DEFAULT_TIMEOUT_USEC (30 * USEC_PER_SEC)
#define RUNNER_DEFAULT_MAX_OUTPUT (1024 * 1024)

struct probe_request {
        const struct probe_entry *entry;
        const char *root;        /* "/" or the --root directory */
        const json_t *params;    /* resolved parameters (object) */
        uint64_t timeout_usec;   /* 0: RUNNER_DEFAULT_TIMEOUT_USEC */
        size_t max_output;       /* 0: RUNNER_DEFAULT_MAX_OUTPUT */
        const char *user;        /* scripts only: run as this user (NULL: as complyd) */
};

struct probe_result {
        json_t *observation;     /* the object, or NULL on error (owned by the result) */
        char *text;              /* the probe's output as it printed it (NUL-terminated) */
        size_t text_len;
        char *error;             /* why the run failed, NULL on success */
        uint64_t duration_usec;
        int exit_status;         /* -1 when killed by a signal */
        int signal;              /* 0 unless killed by a signal */
        bool timed_out;
        bool output_too_large;
};

void probe_result_clear(struct probe_result *res);

struct probe_run;

/* Called once per run. The result is the callee's to keep (take fields with
 * TAKE_PTR) — the runner clears what is left after the callback returns. */
typedef void (*probe_done_fn)(struct probe_run *run, struct probe_result *res, void *userdata);

/* Starts the probe; children_setup(e) must have been called. Returns 0 and
 * the run in *ret (owned by the runner, valid until done is called), or
 * -errno when no child could be started. */
int runner_start(sd_event *e, const struct probe_request *req, probe_done_fn done,
                 void *userdata, struct probe_run **ret);

/* runner_start() for a caller that only prints the observation (complyd
 * probe): the output is checked exactly as by runner_start() (json_check,
 * without building a tree), the result carries the text and observation
 * stays NULL. */
int runner_start_text(sd_event *e, const struct probe_request *req, probe_done_fn done,
                      void *userdata, struct probe_run **ret);

/* Kills a run in progress; done is not called. */
void runner_cancel(struct probe_run *run);

/* The child side for built-in and shared-object probes: `complyd
 * __probe-child` execs into this, which runs observe() and prints the JSON. */
int runner_child_main(int argc, char **argv);

#endif
