/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the sshd_config parser. The input is the main file;
 * every Include pattern matches one file whose text is the input again,
 * so include depth and file limits are exercised too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sshd_config.h"

struct input {
        const uint8_t *data;
        size_t size;
};

static int fz_read(void *u, const char *path, char **buf, size_t *len) {
        const struct input *in = u;
        char *b = malloc(in->size + 1);

        (void) path;
        if (!b)
                return -ENOMEM;
        memcpy(b, in->data, in->size);
        b[in->size] = '\0';
        *buf = b;
        *len = in->size;
        return 0;
}

static int fz_glob(void *u, const char *pattern, char ***paths) {
        char **v = calloc(2, sizeof(char *));

        (void) u;
        if (!v || !(v[0] = strdup(pattern))) {
                free(v);
                return -ENOMEM;
        }
        *paths = v;
        return 0;
}

static void fz_strv_free(char **v) { strv_free(v); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct input in = { data, size };
        struct sshd_config_io io = { fz_read, fz_glob, fz_strv_free, &in };
        struct sshd_config cfg;
        json_t *j;

        sshd_config_init(&cfg);
        if (sshd_config_parse_buffer(&cfg, SSHD_CONFIG_PATH, (const char *) data, size, &io) == 0) {
                j = sshd_config_effective(&cfg);
                json_decref(j);
                j = sshd_config_matches_json(&cfg);
                json_decref(j);
                j = sshd_auth_methods_json(sshd_config_value(&cfg, NULL, "AuthenticationMethods"));
                json_decref(j);
                for (size_t i = 0; i < cfg.n_matches; i++)
                        (void) sshd_config_flag(&cfg, &cfg.matches[i], "PasswordAuthentication");
        }
        sshd_config_done(&cfg);
        return 0;
}
