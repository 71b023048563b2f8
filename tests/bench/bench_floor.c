/* SPDX-License-Identifier: MIT */
/* The memory floor under complyd's daemon: the libraries it must use, each
 * doing the least of what the daemon does with it (one Ed25519 signature and
 * one SHA-256 with libcrypto, one JSON text with jansson, one YAML document
 * with libyaml), then an idle sd-event loop until SIGTERM. No code of
 * complyd's own. bench.py samples its VmRSS beside the daemon's: what is
 * resident here is what any daemon built on these libraries pays. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <systemd/sd-event.h>
#include <yaml.h>

static int sign_once(void) {
        EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
        EVP_MD_CTX *m = EVP_MD_CTX_new();
        EVP_PKEY *k = NULL;
        unsigned char sig[64], md[EVP_MAX_MD_SIZE];
        unsigned int mdlen;
        size_t siglen = sizeof sig;
        int ok = kc && m && EVP_PKEY_keygen_init(kc) > 0 && EVP_PKEY_keygen(kc, &k) > 0 &&
                 EVP_DigestSignInit(m, NULL, NULL, NULL, k) > 0 &&
                 EVP_DigestSign(m, sig, &siglen, (const unsigned char *) "record", 6) > 0 &&
                 EVP_Digest("record", 6, md, &mdlen, EVP_sha256(), NULL) > 0;

        EVP_MD_CTX_free(m);
        EVP_PKEY_free(k);
        EVP_PKEY_CTX_free(kc);
        return ok ? 0 : -1;
}

static int json_and_yaml_once(void) {
        static const unsigned char doc[] = "state_dir: /var/lib/complyd\n";
        json_t *o = json_pack("{s:s, s:i}", "control", "root-fs-encrypted", "seq", 1);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        yaml_parser_t p;
        yaml_event_t ev;
        int ok = text != NULL && yaml_parser_initialize(&p);

        if (ok) {
                bool end = false;

                yaml_parser_set_input_string(&p, doc, sizeof doc - 1);
                while (ok && !end && (ok = yaml_parser_parse(&p, &ev))) {
                        end = ev.type == YAML_STREAM_END_EVENT;
                        yaml_event_delete(&ev);
                }
                yaml_parser_delete(&p);
        }
        free(text);
        json_decref(o);
        return ok ? 0 : -1;
}

int main(void) {
        sd_event *e = NULL;
        sigset_t ss;

        if (sign_once() < 0 || json_and_yaml_once() < 0) {
                fputs("bench_floor: library call failed\n", stderr);
                return 1;
        }
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0 || sd_event_default(&e) < 0 ||
            sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL) < 0)
                return 1;
        (void) sd_event_loop(e);
        sd_event_unref(e);
        return 0;
}
