/* SPDX-License-Identifier: MIT */
/* Weak SSH algorithms (the table is data) and the split of openssh-server's
 * package version behind the protocol banner. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "debversion.h"
#include "ssh.h"

/* First matching pattern wins. Sources: RFC 9142 (KEX), RFC 8758 (RC4),
 * RFC 8332 (ssh-rsa SHA-1 signatures), OpenSSH release notes 7.0/8.8/9.0,
 * CIS Debian 12 5.1.6/5.1.12/5.1.15. */
static const struct {
        const char *pattern, *reason;
} weak[] = {
        { "3des-*", "3DES: 64-bit block cipher (Sweet32), CBC mode" },
        { "*-cbc", "CBC mode: plaintext recovery attacks on SSH (CVE-2008-5161)" },
        { "*-cbc@*", "CBC mode: plaintext recovery attacks on SSH (CVE-2008-5161)" },
        { "arcfour*", "RC4 stream cipher: keystream biases (RFC 8758)" },
        { "blowfish-*", "Blowfish: 64-bit block cipher (Sweet32)" },
        { "cast128-*", "CAST-128: 64-bit block cipher (Sweet32)" },
        { "hmac-md5*", "HMAC-MD5: MD5 is broken" },
        { "hmac-sha1*", "HMAC-SHA1: SHA-1 based MAC" },
        { "hmac-ripemd160*", "HMAC-RIPEMD160: removed from OpenSSH" },
        { "*-96*", "MAC truncated to 96 bits" },
        { "umac-64*", "UMAC-64: 64-bit tag" },
        { "diffie-hellman-group1-sha1", "1024-bit Oakley group 2 with SHA-1 (Logjam)" },
        { "diffie-hellman-group14-sha1", "SHA-1 key exchange hash (RFC 9142)" },
        { "diffie-hellman-group-exchange-sha1", "SHA-1 key exchange hash (RFC 9142)" },
        { "gss-*-sha1-*", "SHA-1 key exchange hash (RFC 9142)" },
        { "ssh-rsa", "RSA with SHA-1 signatures (RFC 8332)" },
        { "ssh-rsa-cert-v01@openssh.com", "RSA certificate with SHA-1 signatures (RFC 8332)" },
        { "ssh-dss*", "DSA: 1024-bit keys with SHA-1 signatures" },
};

const char *ssh_weak_reason(const char *algorithm) {
        for (size_t i = 0; i < ELEMENTSOF(weak); i++)
                if (fnmatch(weak[i].pattern, algorithm, 0) == 0)
                        return weak[i].reason;
        return NULL;
}

int ssh_weak_scan(const char *keyword, const char *list, json_t *out) {
        int found = 0;

        for (size_t n = 0; *list && n < SSH_MAX_ALGORITHMS; n++) {
                size_t k = strcspn(list, ",");
                char name[128];
                const char *why;

                if (k < sizeof(name)) {
                        memcpy(name, list, k);
                        name[k] = '\0';
                        json_t *alg = (why = ssh_weak_reason(name)) ? json_string(name) : NULL;
                        /* a name that is not UTF-8 (no real algorithm) is skipped */
                        if (alg) {
                                json_t *o = json_pack("{s:s, s:o, s:s}", "keyword", keyword,
                                                      "algorithm", alg, "reason", why);
                                if (!o || json_array_append_new(out, o) < 0)
                                        return -ENOMEM;
                                found++;
                        }
                }
                list += k + (list[k] ? 1 : 0);
        }
        return found;
}

int ssh_split_version(const char *version, char *upstream, size_t un, char *revision,
                      size_t rn) {
        struct debversion_parts v;

        debversion_split(version, strlen(version), &v);
        if (v.upstream_len == 0 || v.upstream_len >= un || v.revision_len >= rn ||
            !(*v.upstream >= '0' && *v.upstream <= '9'))
                return -EINVAL;
        memcpy(upstream, v.upstream, v.upstream_len);
        upstream[v.upstream_len] = '\0';
        memcpy(revision, v.revision, v.revision_len);
        revision[v.revision_len] = '\0';
        return 0;
}
