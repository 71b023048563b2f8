/* SPDX-License-Identifier: MIT */
#include "app.h"
#include "runner.h"
#include "util.h"

static int load_config_and_registry(const char *config_path, struct diag_list *diag,
                                    struct app *app) {
        int r;

        *app = (struct app) { 0 };
        r = config_load(config_path, config_path != NULL, diag, &app->config);
        if (r < 0)
                return r;
        return registry_load(app->config->probe_dirs, diag, &app->registry);
}

int app_load_probes(const char *config_path, struct diag_list *diag, struct app *app) {
        int r = load_config_and_registry(config_path, diag, app);

        if (r < 0)
                return r;
        (void) config_check_probes(app->config, registry_lookup_params, app->registry, diag);
        return diag_count(diag) > 0 ? -EINVAL : 0;
}

int app_load(const char *config_path, struct diag_list *diag, struct app *app) {
        int r = load_config_and_registry(config_path, diag, app);

        if (r < 0)
                return r;
        /* controls_load() checks the probes: section too */
        r = controls_load(builtin_controls, app->config, registry_lookup_params, app->registry, diag,
                          &app->controls);
        if (r < 0)
                return r;
        return diag_count(diag) > 0 ? -EINVAL : 0;
}

void app_free(struct app *app) {
        control_set_free(app->controls);
        registry_free(app->registry);
        config_free(app->config);
        *app = (struct app) { 0 };
}

void app_probe_request(const struct app *app, const struct probe_entry *entry, const char *root,
                       const json_t *params, struct probe_request *req) {
        const struct config *cfg = app->config;
        const struct config_probe *cp = config_find_probe(cfg, entry->name);
        size_t max_output = cfg->probe_max_output;

        if (cp && cp->has_max_output)
                max_output = cp->max_output;
        else if (entry->probe && entry->probe->max_output)
                max_output = entry->probe->max_output;
        *req = (struct probe_request) {
                .entry = entry,
                .root = root,
                .params = params,
                .timeout_usec = cp && cp->has_timeout ? cp->timeout_usec : cfg->probe_timeout_usec,
                .max_output = max_output,
                .user = cp && cp->user ? cp->user : cfg->script_user,
        };
}
