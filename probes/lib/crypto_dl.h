/* SPDX-License-Identifier: MIT */
/* libcrypto, loaded with dlopen() on first use instead of linked.
 *
 * Why: loading libcrypto.so.3 costs about 1.1 ms at every exec (its
 * relocations), more than any other library complyd uses, and most runs
 * never hash or sign: `complyd probe`, `check`, `validate`, `controls`.
 * The daemon (evidence signing), `verify`, `report` and the tls_certificates
 * probe load it when they first need it.
 *
 * Include this instead of <openssl/...>: the libcrypto calls below then go
 * through the loaded table. Every entry point that uses libcrypto calls
 * crypto_dl_load() first. A function missing from the table is a link
 * error against libcrypto, and test_install checks that the binary does not
 * depend on libcrypto.so. OpenSSL's static inline helpers (sk_TYPE_num() and
 * the like) call libcrypto directly: use the OPENSSL_sk_ functions instead. */
#ifndef COMPLYD_CRYPTO_DL_H
#define COMPLYD_CRYPTO_DL_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#if OPENSSL_VERSION_MAJOR != 3
#error "crypto_dl loads libcrypto.so.3: OpenSSL 3 headers are needed"
#endif
#define CRYPTO_DL_SONAME "libcrypto.so.3"

/* Every libcrypto function complyd calls. */
#define CRYPTO_DL_FUNCS(X) \
        X(ASN1_INTEGER_to_BN) \
        X(ASN1_STRING_to_UTF8) \
        X(ASN1_TIME_to_tm) \
        X(BIO_ctrl) \
        X(BIO_free) \
        X(BIO_new) \
        X(BIO_new_mem_buf) \
        X(BIO_s_mem) \
        X(BIO_s_secmem) \
        X(BN_bn2hex) \
        X(BN_free) \
        X(CRYPTO_clear_free) \
        X(CRYPTO_free) \
        X(EC_curve_nid2nist) \
        X(ERR_clear_error) \
        X(ERR_peek_last_error) \
        X(EVP_DecodeBlock) \
        X(EVP_Digest) \
        X(EVP_DigestFinal_ex) \
        X(EVP_DigestInit_ex) \
        X(EVP_DigestSign) \
        X(EVP_DigestSignInit) \
        X(EVP_DigestUpdate) \
        X(EVP_DigestVerify) \
        X(EVP_DigestVerifyInit) \
        X(EVP_EncodeBlock) \
        X(EVP_MD_CTX_free) \
        X(EVP_MD_CTX_new) \
        X(EVP_PKEY_Q_keygen) \
        X(EVP_PKEY_free) \
        X(EVP_PKEY_get0_type_name) \
        X(EVP_PKEY_get_base_id) \
        X(EVP_PKEY_get_bits) \
        X(EVP_PKEY_get_id) \
        X(EVP_PKEY_get_raw_public_key) \
        X(EVP_PKEY_get_utf8_string_param) \
        X(EVP_sha256) \
        X(GENERAL_NAMES_free) \
        X(OBJ_nid2ln) \
        X(OBJ_obj2txt) \
        X(OBJ_sn2nid) \
        X(OPENSSL_sk_num) \
        X(OPENSSL_sk_value) \
        X(PEM_read_bio_PUBKEY) \
        X(PEM_read_bio_PrivateKey) \
        X(PEM_read_bio_X509_AUX) \
        X(PEM_write_bio_PUBKEY) \
        X(PEM_write_bio_PrivateKey) \
        X(X509_ALGOR_get0) \
        X(X509_NAME_ENTRY_get_data) \
        X(X509_NAME_get_entry) \
        X(X509_NAME_get_index_by_NID) \
        X(X509_NAME_print_ex) \
        X(X509_digest) \
        X(X509_free) \
        X(X509_get0_notAfter) \
        X(X509_get0_notBefore) \
        X(X509_get0_pubkey) \
        X(X509_get0_serialNumber) \
        X(X509_get0_signature) \
        X(X509_get_ext_d2i) \
        X(X509_get_extension_flags) \
        X(X509_get_issuer_name) \
        X(X509_get_signature_info) \
        X(X509_get_signature_nid) \
        X(X509_get_subject_name) \
        X(X509_self_signed) \
        X(d2i_X509)

struct crypto_dl {
#define CRYPTO_DL_FIELD(f) __typeof__(&f) p_##f;
        CRYPTO_DL_FUNCS(CRYPTO_DL_FIELD)
#undef CRYPTO_DL_FIELD
};

extern struct crypto_dl crypto_dl;

/* Loads libcrypto.so.3, once. Returns 0, or -ELIBACC (the reason in
 * crypto_dl_error()) when it is not installed or lacks a function. */
int crypto_dl_load(void);
const char *crypto_dl_error(void);

#define ASN1_INTEGER_to_BN crypto_dl.p_ASN1_INTEGER_to_BN
#define ASN1_STRING_to_UTF8 crypto_dl.p_ASN1_STRING_to_UTF8
#define ASN1_TIME_to_tm crypto_dl.p_ASN1_TIME_to_tm
#define BIO_ctrl crypto_dl.p_BIO_ctrl
#define BIO_free crypto_dl.p_BIO_free
#define BIO_new crypto_dl.p_BIO_new
#define BIO_new_mem_buf crypto_dl.p_BIO_new_mem_buf
#define BIO_s_mem crypto_dl.p_BIO_s_mem
#define BIO_s_secmem crypto_dl.p_BIO_s_secmem
#define BN_bn2hex crypto_dl.p_BN_bn2hex
#define BN_free crypto_dl.p_BN_free
#define CRYPTO_clear_free crypto_dl.p_CRYPTO_clear_free
#define CRYPTO_free crypto_dl.p_CRYPTO_free
#define EC_curve_nid2nist crypto_dl.p_EC_curve_nid2nist
#define ERR_clear_error crypto_dl.p_ERR_clear_error
#define ERR_peek_last_error crypto_dl.p_ERR_peek_last_error
#define EVP_DecodeBlock crypto_dl.p_EVP_DecodeBlock
#define EVP_Digest crypto_dl.p_EVP_Digest
#define EVP_DigestFinal_ex crypto_dl.p_EVP_DigestFinal_ex
#define EVP_DigestInit_ex crypto_dl.p_EVP_DigestInit_ex
#define EVP_DigestSign crypto_dl.p_EVP_DigestSign
#define EVP_DigestSignInit crypto_dl.p_EVP_DigestSignInit
#define EVP_DigestUpdate crypto_dl.p_EVP_DigestUpdate
#define EVP_DigestVerify crypto_dl.p_EVP_DigestVerify
#define EVP_DigestVerifyInit crypto_dl.p_EVP_DigestVerifyInit
#define EVP_EncodeBlock crypto_dl.p_EVP_EncodeBlock
#define EVP_MD_CTX_free crypto_dl.p_EVP_MD_CTX_free
#define EVP_MD_CTX_new crypto_dl.p_EVP_MD_CTX_new
#define EVP_PKEY_Q_keygen crypto_dl.p_EVP_PKEY_Q_keygen
#define EVP_PKEY_free crypto_dl.p_EVP_PKEY_free
#define EVP_PKEY_get0_type_name crypto_dl.p_EVP_PKEY_get0_type_name
#define EVP_PKEY_get_base_id crypto_dl.p_EVP_PKEY_get_base_id
#define EVP_PKEY_get_bits crypto_dl.p_EVP_PKEY_get_bits
#define EVP_PKEY_get_id crypto_dl.p_EVP_PKEY_get_id
#define EVP_PKEY_get_raw_public_key crypto_dl.p_EVP_PKEY_get_raw_public_key
#define EVP_PKEY_get_utf8_string_param crypto_dl.p_EVP_PKEY_get_utf8_string_param
#define EVP_sha256 crypto_dl.p_EVP_sha256
#define GENERAL_NAMES_free crypto_dl.p_GENERAL_NAMES_free
#define OBJ_nid2ln crypto_dl.p_OBJ_nid2ln
#define OBJ_obj2txt crypto_dl.p_OBJ_obj2txt
#define OBJ_sn2nid crypto_dl.p_OBJ_sn2nid
#define OPENSSL_sk_num crypto_dl.p_OPENSSL_sk_num
#define OPENSSL_sk_value crypto_dl.p_OPENSSL_sk_value
#define PEM_read_bio_PUBKEY crypto_dl.p_PEM_read_bio_PUBKEY
#define PEM_read_bio_PrivateKey crypto_dl.p_PEM_read_bio_PrivateKey
#define PEM_read_bio_X509_AUX crypto_dl.p_PEM_read_bio_X509_AUX
#define PEM_write_bio_PUBKEY crypto_dl.p_PEM_write_bio_PUBKEY
#define PEM_write_bio_PrivateKey crypto_dl.p_PEM_write_bio_PrivateKey
#define X509_ALGOR_get0 crypto_dl.p_X509_ALGOR_get0
#define X509_NAME_ENTRY_get_data crypto_dl.p_X509_NAME_ENTRY_get_data
#define X509_NAME_get_entry crypto_dl.p_X509_NAME_get_entry
#define X509_NAME_get_index_by_NID crypto_dl.p_X509_NAME_get_index_by_NID
#define X509_NAME_print_ex crypto_dl.p_X509_NAME_print_ex
#define X509_digest crypto_dl.p_X509_digest
#define X509_free crypto_dl.p_X509_free
#define X509_get0_notAfter crypto_dl.p_X509_get0_notAfter
#define X509_get0_notBefore crypto_dl.p_X509_get0_notBefore
#define X509_get0_pubkey crypto_dl.p_X509_get0_pubkey
#define X509_get0_serialNumber crypto_dl.p_X509_get0_serialNumber
#define X509_get0_signature crypto_dl.p_X509_get0_signature
#define X509_get_ext_d2i crypto_dl.p_X509_get_ext_d2i
#define X509_get_extension_flags crypto_dl.p_X509_get_extension_flags
#define X509_get_issuer_name crypto_dl.p_X509_get_issuer_name
#define X509_get_signature_info crypto_dl.p_X509_get_signature_info
#define X509_get_signature_nid crypto_dl.p_X509_get_signature_nid
#define X509_get_subject_name crypto_dl.p_X509_get_subject_name
#define X509_self_signed crypto_dl.p_X509_self_signed
#define d2i_X509 crypto_dl.p_d2i_X509

#endif
