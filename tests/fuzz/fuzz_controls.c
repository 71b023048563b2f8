/* SPDX-License-Identifier: MIT */
/* Control files from arbitrary bytes: the real loader (as a built-in
 * file), then every compiled control evaluated against a fixed
 * observation shaped like real probe output. */
#include <stdint.h>

#include "controls.h"
#include "rules.h"
#include "util.h"

static const char observation[] =
        "{\"schema\": 1, \"sshd\": {\"installed\": true, \"permit_root_login\": \"no\"},"
        " \"ssh\": {\"second_factor_enforced\": false},"
        " \"services\": {\"sshd\": {\"second_factors\": [{\"module\": \"pam_u2f\", \"optional\": true}]},"
        "  \"sudo\": {\"second_factors\": []}},"
        " \"sysctl\": {\"net.ipv4.ip_forward\": 1, \"kernel.randomize_va_space\": 2},"
        " \"listeners\": [{\"proto\": \"tcp\", \"address\": \"0.0.0.0\", \"port\": 22, \"scope\": \"any\","
        "  \"process\": {\"comm\": \"sshd\", \"pid\": 1}}, {\"proto\": \"udp\", \"address\": \"::1\","
        "  \"port\": 323, \"scope\": \"loopback\", \"process\": null}],"
        " \"values\": [1, 2.5, \"x\", null, true, [], {}]}";

static int lookup(void *userdata, const char *name, const struct complyd_param **params) {
        static const struct complyd_param table[] = {
                { COMPLYD_PARAM_STRING, "config_path", "\"/etc/ssh/sshd_config\"", "file" },
                { COMPLYD_PARAM_BOOLEAN, "verbose", "false", "more" },
                {},
        };

        if (streq(name, "script"))
                return 1;
        if (streq(name, "mfa") || streq(name, "open_ports") || streq(name, "test")) {
                *params = table;
                return 0;
        }
        return -ENOENT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        struct builtin_file files[] = { { "fuzz.yaml", text }, { 0, 0 } };
        struct diag_list d = DIAG_LIST_INIT;
        struct control_set *set = NULL;
        json_t *obs = json_loads(observation, 0, NULL);

        if (!text || !obs)
                abort();
        memcpy(text, data, size);
        text[size] = '\0';
        if (controls_load(files, NULL, lookup, NULL, &d, &set) == 0) {
                for (size_t i = 0; i < set->n; i++) {
                        json_t *res = NULL;

                        if (control_evaluate(set->controls[i], obs, 1750000000ULL * USEC_PER_SEC,
                                             &res) == 0)
                                json_decref(res);
                        json_decref(control_result_error(set->controls[i], "probe failed"));
                }
                control_set_free(set);
        }
        free(diag_to_string(&d));
        diag_clear(&d);
        json_decref(obs);
        free(text);
        return 0;
}
