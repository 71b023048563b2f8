/* SPDX-License-Identifier: MIT */
/* Fuzz target: kernel_hardening's /proc/modules parser: every name handed
 * to the callback is non-empty, inside the input and without blanks or
 * newlines; the count equals the callbacks made. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/kernel_hardening/kernel_hardening.h"

struct seen {
        const char *start, *end;
        int calls;
};

static int seen_module(const char *name, size_t len, void *userdata) {
        struct seen *s = userdata;
        char norm[256];

        assert(len > 0 && name >= s->start && name + len <= s->end);
        assert(!memchr(name, '\n', len) && !memchr(name, ' ', len));
        kh_module_name_normalize(name, len, norm, sizeof(norm));
        assert(strlen(norm) <= len);
        s->calls++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct seen s = { (const char *) data, (const char *) data + size, 0 };
        int n = kh_proc_modules((const char *) data, size, seen_module, &s);

        assert(n == s.calls);
        return 0;
}
