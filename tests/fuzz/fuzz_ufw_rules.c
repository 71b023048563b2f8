/* SPDX-License-Identifier: MIT */
/* Fuzz target: the firewall probe's readers of ufw's files — KEY=VALUE
 * (ufw.conf, /etc/default/ufw) and the "### tuple ###" user rules. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/firewall/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *arr = json_array();
        char *v = NULL;
        int r;

        assert(arr);
        r = fw_kv_value((const char *) data, size, "DEFAULT_INPUT_POLICY", &v);
        assert(r == 0 || r == 1);
        if (r == 1)
                assert(strlen(v) <= size), free(v);
        r = fw_ufw_user_rules((const char *) data, size, arr);
        assert(r >= 0 && (size_t) r == json_array_size(arr) && r <= 1024);
        json_decref(arr);
        return 0;
}
