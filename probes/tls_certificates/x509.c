/* SPDX-License-Identifier: MIT */
/* The certificate parser of the tls_certificates probe: PEM bundles or one
 * DER certificate in memory, decoded with OpenSSL, each certificate turned
 * into the facts an auditor compares with `openssl x509 -text`. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "cleanup.h"
#include "crypto_dl.h"
#include "tls_certificates.h"

#define SECONDS_PER_DAY 86400

static void bio_freep(BIO **b) { BIO_free(*b); }
static void x509_freep(X509 **x) { X509_free(*x); }
static void gens_freep(GENERAL_NAMES **g) { GENERAL_NAMES_free(*g); }

/* A JSON string of s[0,n) when it is valid UTF-8, else NULL. */
static json_t *utf8_or_null(const char *s, size_t n) {
        return json_stringn(s, n);
}

/* The name as `openssl x509 -subject` prints it ("C = US, O = Acme, CN =
 * x"): OpenSSL's oneline form, converted to UTF-8. When that is not valid
 * UTF-8 the name is printed again with every non-ASCII byte escaped. New
 * JSON string, or json null when the name cannot be printed. */
static json_t *name_json(const X509_NAME *name) {
        static const unsigned long flags[] = {
                (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT,
                XN_FLAG_ONELINE,
        };

        for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
                _cleanup_(bio_freep) BIO *b = BIO_new(BIO_s_mem());
                char *data;
                long n;
                json_t *j;

                if (!b || X509_NAME_print_ex(b, name, 0, flags[i]) < 0)
                        continue;
                n = BIO_get_mem_data(b, &data);
                if (n < 0)
                        continue;
                if ((size_t) n > TLSC_MAX_NAME)
                        n = TLSC_MAX_NAME;
                if ((j = utf8_or_null(data, (size_t) n)))
                        return j;
        }
        return json_null();
}

/* The first commonName of name as a JSON string, or json null. */
static json_t *common_name_json(const X509_NAME *name) {
        int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
        unsigned char *utf8 = NULL;
        json_t *j = NULL;
        int n;

        if (i < 0)
                return json_null();
        n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
        if (n >= 0)
                j = utf8_or_null((const char *) utf8, (size_t) n > TLSC_MAX_NAME ? TLSC_MAX_NAME : (size_t) n);
        OPENSSL_free(utf8);
        return j ? j : json_null();
}

/* t as RFC 3339 UTC ("2026-12-28T05:27:49Z") and in *epoch. 0, or -EINVAL
 * for a time OpenSSL cannot read. */
static int asn1_time(const ASN1_TIME *t, char buf[static 32], time_t *epoch) {
        struct tm tm = { 0 };

        if (!t || !ASN1_TIME_to_tm(t, &tm))
                return -EINVAL;
        if (strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EINVAL;
        *epoch = timegm(&tm);
        return 0;
}

/* Whole days from now until t, rounded down (-1 on the day after expiry). */
static long long days_between(time_t now, time_t t) {
        long long d = (long long) t - (long long) now;

        return d >= 0 ? d / SECONDS_PER_DAY : -((-d + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

/* Sets not_before, not_after, days_left, expired, not_yet_valid on o. */
static int validity_facts(X509 *x, time_t now, json_t *o) {
        char nb[32], na[32];
        time_t tb, ta;

        if (asn1_time(X509_get0_notBefore(x), nb, &tb) < 0 ||
            asn1_time(X509_get0_notAfter(x), na, &ta) < 0)
                return json_object_update_new(o, json_pack("{s:n, s:n, s:n, s:n, s:n}", "not_before",
                                                           "not_after", "days_left", "expired",
                                                           "not_yet_valid")) < 0 ? -ENOMEM : 0;
        return json_object_update_new(o, json_pack("{s:s, s:s, s:I, s:b, s:b}", "not_before", nb,
                                                   "not_after", na, "days_left",
                                                   (json_int_t) days_between(now, ta),
                                                   "expired", ta < now, "not_yet_valid",
                                                   tb > now)) < 0 ? -ENOMEM : 0;
}

/* The key's type name as people write it: RSA, RSA-PSS, EC, Ed25519, Ed448,
 * DSA; other types by OpenSSL's name. */
static const char *key_type_name(const EVP_PKEY *pk) {
        switch (EVP_PKEY_get_base_id(pk)) {
        case EVP_PKEY_RSA: return "RSA";
        case EVP_PKEY_RSA_PSS: return "RSA-PSS";
        case EVP_PKEY_EC: return "EC";
        case EVP_PKEY_ED25519: return "Ed25519";
        case EVP_PKEY_ED448: return "Ed448";
        case EVP_PKEY_DSA: return "DSA";
        }
        return EVP_PKEY_get0_type_name(pk);
}

/* Sets key_type, key_bits, key_curve, key_curve_nist on o. */
static int key_facts(X509 *x, json_t *o) {
        EVP_PKEY *pk = X509_get0_pubkey(x);
        char group[80];
        const char *type, *nist = NULL;
        json_t *curve = json_null(), *nistj;
        size_t glen = 0;

        if (!pk)
                return json_object_update_new(o, json_pack("{s:n, s:n, s:n, s:n}", "key_type",
                                                           "key_bits", "key_curve",
                                                           "key_curve_nist")) < 0 ? -ENOMEM : 0;
        type = key_type_name(pk);
        if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
            EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                           &glen)) {
                curve = json_stringn(group, glen);
                nist = EC_curve_nid2nist(OBJ_sn2nid(group));
        }
        nistj = nist ? json_string(nist) : json_null();
        return json_object_update_new(o, json_pack("{s:s?, s:i, s:o, s:o}", "key_type", type,
                                                   "key_bits", EVP_PKEY_get_bits(pk), "key_curve",
                                                   curve ? curve : json_null(), "key_curve_nist",
                                                   nistj)) < 0 ? -ENOMEM : 0;
}

/* Sets signature_algorithm (OpenSSL's long name, as `openssl x509 -text`
 * prints it), signature_hash (sha256, sha1, md5; null when the algorithm
 * has no separate digest, e.g. Ed25519) and signature_security_bits. */
static int signature_facts(X509 *x, json_t *o) {
        int nid = X509_get_signature_nid(x), mdnid = NID_undef, pknid = NID_undef, secbits = -1;
        const X509_ALGOR *alg = NULL;
        const ASN1_OBJECT *oid = NULL;
        char txt[128] = "";
        uint32_t flags = 0;
        json_t *hash = json_null();

        X509_get0_signature(NULL, &alg, x);
        if (alg)
                X509_ALGOR_get0(&oid, NULL, NULL, alg);
        if (nid != NID_undef)
                snprintf(txt, sizeof(txt), "%s", OBJ_nid2ln(nid));
        else if (oid)
                OBJ_obj2txt(txt, sizeof(txt), oid, 1);
        if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags) && mdnid != NID_undef)
                hash = json_string(OBJ_nid2ln(mdnid));
        return json_object_update_new(o, json_pack("{s:s, s:o, s:i}", "signature_algorithm", txt,
                                                   "signature_hash", hash ? hash : json_null(),
                                                   "signature_security_bits", secbits)) < 0
                       ? -ENOMEM : 0;
}

/* Appends the SAN entry g to the matching array of san (dns, ip, email,
 * uri); other kinds are left out. */
static void san_add(const GENERAL_NAME *g, json_t *san) {
        const ASN1_STRING *s = NULL;
        const char *key = NULL;
        char ip[INET6_ADDRSTRLEN];
        json_t *v = NULL;

        switch (g->type) {
        case GEN_DNS: key = "dns"; s = g->d.dNSName; break;
        case GEN_EMAIL: key = "email"; s = g->d.rfc822Name; break;
        case GEN_URI: key = "uri"; s = g->d.uniformResourceIdentifier; break;
        case GEN_IPADD:
                key = "ip";
                s = g->d.iPAddress;
                if (s && (s->length == 4 || s->length == 16) &&
                    inet_ntop(s->length == 4 ? AF_INET : AF_INET6, s->data, ip, sizeof(ip)))
                        v = json_string(ip);
                s = NULL;
                break;
        default:
                return;
        }
        if (s && s->length >= 0)
                v = json_stringn((const char *) s->data, (size_t) s->length);
        if (v)
                json_array_append_new(json_object_get(san, key), v);
}

/* Sets san {dns[], ip[], email[], uri[]} on o (empty arrays when the
 * certificate has no subjectAltName), at most TLSC_MAX_SAN entries. */
static int san_facts(X509 *x, json_t *o) {
        _cleanup_(gens_freep) GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name,
                                                                     NULL, NULL);
        json_t *san = json_pack("{s:[], s:[], s:[], s:[]}", "dns", "ip", "email", "uri");
        int n;

        if (!san)
                return -ENOMEM;
        /* OPENSSL_sk_*: sk_GENERAL_NAME_*() are inline and would call
         * libcrypto directly, around crypto_dl */
        n = gens ? OPENSSL_sk_num((const OPENSSL_STACK *) gens) : 0;
        for (int i = 0; i < n && (size_t) i < TLSC_MAX_SAN; i++)
                san_add(OPENSSL_sk_value((const OPENSSL_STACK *) gens, i), san);
        return json_object_set_new(o, "san", san) < 0 ? -ENOMEM : 0;
}

/* Sets serial (upper-case hex, as `openssl x509 -serial`) and
 * sha256_fingerprint ("AB:CD:...", as `openssl x509 -fingerprint -sha256`). */
static int identity_facts(X509 *x, json_t *o) {
        unsigned char md[EVP_MAX_MD_SIZE];
        char fp[3 * EVP_MAX_MD_SIZE + 1] = "";
        unsigned int mdlen = 0;
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        json_t *serial = hex ? json_string(hex) : json_null();
        int r;

        OPENSSL_free(hex);
        BN_free(bn);
        if (X509_digest(x, EVP_sha256(), md, &mdlen))
                for (unsigned int i = 0; i < mdlen; i++)
                        snprintf(fp + 3 * i, sizeof(fp) - 3 * i, "%02X%s", md[i],
                                 i + 1 < mdlen ? ":" : "");
        r = json_object_update_new(o, json_pack("{s:o, s:s}", "serial", serial ? serial : json_null(),
                                                "sha256_fingerprint", fp));
        return r < 0 ? -ENOMEM : 0;
}

/* The facts of one certificate as a new JSON object, or NULL on ENOMEM. */
static json_t *cert_json(X509 *x, time_t now) {
        _cleanup_json_ json_t *o = json_object();
        uint32_t xf = X509_get_extension_flags(x);

        if (!o || json_object_set_new(o, "subject", name_json(X509_get_subject_name(x))) < 0 ||
            json_object_set_new(o, "subject_cn", common_name_json(X509_get_subject_name(x))) < 0 ||
            json_object_set_new(o, "issuer", name_json(X509_get_issuer_name(x))) < 0 ||
            json_object_set_new(o, "issuer_cn", common_name_json(X509_get_issuer_name(x))) < 0)
                return NULL;
        if (identity_facts(x, o) < 0 || san_facts(x, o) < 0 || validity_facts(x, now, o) < 0 ||
            key_facts(x, o) < 0 || signature_facts(x, o) < 0)
                return NULL;
        if (json_object_set_new(o, "self_signed", json_boolean(X509_self_signed(x, 1) == 1)) < 0 ||
            json_object_set_new(o, "is_ca", json_boolean(xf & EXFLAG_CA)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

/* Appends x's facts to certs unless max is reached. 1 appended, 0 when
 * full (stats->truncated set), -ENOMEM. */
static int append_cert(X509 *x, time_t now, size_t max, json_t *certs, struct tlsc_stats *stats) {
        json_t *o;

        if (json_array_size(certs) >= max) {
                stats->truncated = true;
                return 0;
        }
        if (!(o = cert_json(x, now)) || json_array_append_new(certs, o) < 0)
                return -ENOMEM;
        return 1;
}

/* Never asks for a passphrase: encrypted PEM blocks are not read. */
static int no_password(char *buf, int size, int rwflag, void *u) {
        (void) buf, (void) size, (void) rwflag, (void) u;
        return -1;
}

/* Every CERTIFICATE / TRUSTED CERTIFICATE block of a PEM text. A block
 * that fails to decode is counted in stats->bad and skipped. */
static int parse_pem(const char *buf, size_t len, time_t now, size_t max, json_t *certs,
                     struct tlsc_stats *stats) {
        _cleanup_(bio_freep) BIO *b = BIO_new_mem_buf(buf, (int) len);
        int added = 0;

        if (!b)
                return -ENOMEM;
        /* each pass consumes at least one PEM block, so the loop ends */
        for (size_t pass = 0; pass <= TLSC_MAX_CERTS_PER_FILE * 4; pass++) {
                _cleanup_(x509_freep) X509 *x = PEM_read_bio_X509_AUX(b, NULL, no_password, NULL);
                unsigned long e;
                int r;

                if (!x) {
                        e = ERR_peek_last_error();
                        ERR_clear_error();
                        if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                                break;
                        if (BIO_eof(b) || e == 0)
                                break;
                        stats->bad++;
                        continue;
                }
                if ((r = append_cert(x, now, max, certs, stats)) < 0)
                        return r;
                if (r == 0)
                        break;
                added++;
        }
        ERR_clear_error();
        return added;
}

int tlsc_parse(const char *buf, size_t len, time_t now, size_t max, json_t *certs,
               struct tlsc_stats *stats) {
        const unsigned char *p = (const unsigned char *) buf;
        _cleanup_(x509_freep) X509 *x = NULL;
        int r = crypto_dl_load();

        if (r < 0)
                return r;
        if (len > TLSC_MAX_FILE_SIZE || len > INT_MAX)
                len = TLSC_MAX_FILE_SIZE;
        if (memmem(buf, len, "-----BEGIN ", 11))
                return parse_pem(buf, len, now, max, certs, stats);
        /* no PEM armour: perhaps one DER certificate (a .crt or .cer) */
        x = d2i_X509(NULL, &p, (long) len);
        ERR_clear_error();
        if (!x)
                return 0;
        return append_cert(x, now, max, certs, stats);
}
