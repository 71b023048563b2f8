/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as an NDJSON evidence stream through the verifier: record
 * parsing, canonical serialisation, hashing, signature and chain checks.
 * The seed corpus holds real records signed by the key below (made with
 * openssl, as tests/integration/test_verify.py does). */
#include <stdint.h>
#include <string.h>

#include "verify.h"

static const char pubkey_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VwAyEAZ1WtCQhU5R4W/t79sXahYfExMlK4Yhs8THLYEMFHd2U=\n"
                                 "-----END PUBLIC KEY-----\n";

static size_t sink;

static void on_problem(const struct verify_problem *p, void *userdata) {
        sink += strlen(p->where) + strlen(p->host) + strlen(p->message) + p->seq + p->last_seq;
}

static void on_dropped(const struct verify_dropped *d, void *userdata) {
        sink += strlen(d->host) + strlen(d->reason) + d->first_seq + d->last_seq + d->count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct evidence_key *key;
        const struct verify_callbacks cb = { on_problem, on_dropped };
        struct verifier *v = NULL;
        struct verify_summary sum;

        if (!key && evidence_key_parse_public(pubkey_pem, sizeof(pubkey_pem) - 1, &key) < 0)
                __builtin_trap();
        if (verifier_new(&cb, NULL, &v) < 0)
                return 0;
        if (verifier_add_key(v, key) >= 0 && verifier_feed_ndjson(v, (const char *) data, size) >= 0 &&
            verifier_finish(v, &sum) >= 0) {
                for (size_t i = 0; i < verifier_n_hosts(v); i++)
                        sink += strlen(verifier_host(v, i)->hostname) + strlen(verifier_host(v, i)->first_time);
                if (sum.intact && sum.records == 0)
                        __builtin_trap();
        }
        verifier_free(v);
        return 0;
}
