/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the sudoers parser of the accounts probe. Every
 * include reads the input again and every includedir lists one entry, so
 * depth and file limits are exercised; aliases are expanded afterwards. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/accounts/accounts.h"

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

static int fz_list(void *u, const char *dir, char ***names) {
        char **v = calloc(2, sizeof(char *));

        (void) u;
        (void) dir;
        if (!v || !(v[0] = strdup("local"))) {
                free(v);
                return -ENOMEM;
        }
        *names = v;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct input in = { data, size };
        struct sudo_io io = { fz_read, fz_list, &in };
        struct sudo_policy p;
        json_t *rule;
        size_t i;

        if (sudo_policy_init(&p) < 0)
                return 0;
        assert(sudo_parse(&p, "/etc/sudoers", (const char *) data, size, &io) == 0);
        assert(p.depth == 0 && json_array_size(p.files) <= SUDO_MAX_FILES);
        json_array_foreach(p.rules, i, rule) {
                json_t *users = sudo_expand_users(&p, json_object_get(rule, "users"));
                assert(users);
                json_decref(users);
        }
        sudo_policy_done(&p);
        return 0;
}
