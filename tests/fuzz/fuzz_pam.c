/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the PAM stack parser, the dispatch explorer and the mfa
 * probe's verdict on the result. The input is /etc/pam.d/sshd and every
 * file it includes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "pam_stack.h"
#include "../../probes/mfa/mfa.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct input in = { data, size };
        struct pam_stack_io io = { fz_read, &in };
        struct pam_stack s;
        struct mfa_pam_result res;

        pam_stack_init(&s);
        if (pam_stack_load(&s, "sshd", "auth", &io) == 0 && mfa_pam_analyze(&s, &res) == 0) {
                json_t *j = pam_stack_entries_json(&s);
                json_decref(j);
                mfa_pam_result_done(&res);
        }
        pam_stack_done(&s);
        return 0;
}
