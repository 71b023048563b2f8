/* SPDX-License-Identifier: MIT */
#include "app.h"
#include "util.h"

int app_load(const char *config_path, struct diag_list *diag, struct app *app) {
        int r;

        *app = (struct app) { 0 };
        r = config_load(config_path, config_path != NULL, diag, &app->config);
        if (r < 0)
                return r;
        r = registry_load(app->config->probe_dirs, diag, &app->registry);
        if (r < 0)
                return r;
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
