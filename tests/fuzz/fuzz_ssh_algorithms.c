/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the sshd algorithm-list assembler (+, -, ^, wildcards)
 * and the weak-algorithm scan of the ssh probe. The first byte picks the
 * keyword, the rest is the list as written in sshd_config. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../probes/ssh/ssh.h"
#include "cleanup.h"
#include "sshd_config.h"

static const char *const kws[] = {
        "Ciphers", "MACs", "KexAlgorithms", "HostKeyAlgorithms", "PubkeyAcceptedAlgorithms",
        "HostbasedAcceptedAlgorithms", "CASignatureAlgorithms",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *spec = NULL, *list = NULL;
        json_t *out;

        if (size < 1 || size > 8192)
                return 0;
        spec = strndup((const char *) data + 1, size - 1);
        assert(spec);
        list = sshd_algorithms_assemble(kws[data[0] % ELEMENTSOF(kws)], spec);
        assert(list);
        /* the result holds only supported names, each once */
        assert(!strstr(list, ",,"));
        out = json_array();
        assert(ssh_weak_scan("x", list, out) >= 0);
        assert(ssh_weak_scan("x", spec, out) >= 0);
        json_decref(out);
        return 0;
}
