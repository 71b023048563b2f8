/* SPDX-License-Identifier: MIT */
/* What every command loads: the configuration, the probe registry and the
 * control set, with every problem reported as file:line:col. */
#ifndef COMPLYD_APP_H
#define COMPLYD_APP_H

#include "config.h"
#include "controls.h"
#include "diag.h"
#include "registry.h"

struct app {
        struct config *config;
        struct registry *registry;
        struct control_set *controls;
};

/* Loads config_path (NULL: the default file, which may be absent), the
 * probes of its probe_dirs and the controls. Problems go to diag. Returns 0
 * with everything loaded, -EINVAL when diag holds errors (app is then
 * partly filled and must still be freed), -ENOENT/-ENOMEM. */
int app_load(const char *config_path, struct diag_list *diag, struct app *app);
/* The configuration and the probe registry only (the probes: section
 * checked against the probes), for commands that run no control. */
int app_load_probes(const char *config_path, struct diag_list *diag, struct app *app);
void app_free(struct app *app);

struct probe_request;
/* Fills req for running entry on root with params: timeout, output cap and
 * user from probes.NAME in the config, else the probe's own output cap,
 * else the global defaults. */
void app_probe_request(const struct app *app, const struct probe_entry *entry, const char *root,
                       const json_t *params, struct probe_request *req);

#endif
