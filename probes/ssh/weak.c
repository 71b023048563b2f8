/* SPDX-License-Identifier: MIT */
/* Weak SSH algorithms (the table is data) and the protocol banner parts
 * taken from the dpkg status file. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
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
        const char *colon = strchr(version, ':'), *up = colon ? colon + 1 : version;
        const char *dash = strrchr(up, '-');
        size_t ul = dash ? (size_t) (dash - up) : strlen(up);

        if (ul == 0 || ul >= un || (dash && strlen(dash + 1) >= rn) || !strchr("0123456789", *up))
                return -EINVAL;
        memcpy(upstream, up, ul);
        upstream[ul] = '\0';
        snprintf(revision, rn, "%s", dash ? dash + 1 : "");
        return 0;
}

/* The value of field `name` in one deb822 stanza [p, end), or NULL. */
static const char *field(const char *p, const char *end, const char *name, size_t *len) {
        size_t nl = strlen(name);

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                if (!eol)
                        eol = end;
                if ((size_t) (eol - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == ':') {
                        const char *v = p + nl + 1;
                        while (v < eol && (*v == ' ' || *v == '\t'))
                                v++;
                        *len = (size_t) (eol - v);
                        return v;
                }
                p = eol + 1;
        }
        return NULL;
}

int ssh_dpkg_version(const char *buf, size_t len, char **version) {
        const char *p = buf, *end = buf + len;

        while (p < end) {
                const char *stop = memmem(p, (size_t) (end - p), "\n\n", 2);
                const char *se = stop ? stop + 1 : end, *v, *pk, *st;
                size_t vl, pl, sl;

                pk = field(p, se, "Package", &pl);
                st = field(p, se, "Status", &sl);
                v = field(p, se, "Version", &vl);
                if (pk && pl == 14 && strncmp(pk, "openssh-server", 14) == 0 && st && v &&
                    sl >= 20 && memmem(st, sl, " installed", 10) && vl < 128) {
                        if (!(*version = strndup(v, vl)))
                                return -ENOMEM;
                        return 0;
                }
                p = stop ? stop + 2 : end;
        }
        return -ENOENT;
}
