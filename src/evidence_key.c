/* SPDX-License-Identifier: MIT */
/*
 * The host's Ed25519 signing key: generated on first start as
 * state_dir/key (PKCS#8 PEM, 0600) with state_dir/key.pub (SPKI PEM) beside
 * it; loaded afterwards; its key_id is the hex SHA-256 of the raw 32-byte
 * public key. Private key bytes are wiped from memory after use and never
 * logged (nothing here logs at all).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "crypto_dl.h"
#include "evidence.h"
#include "util.h"
#include "write_all.h"

#define KEY_FILE_MAX (64 * 1024)

struct evidence_key {
        EVP_PKEY *pkey;
        bool has_private;
        char id[65];
};

static void bio_freep(BIO **b) { BIO_free(*b); }
static void pkey_freep(EVP_PKEY **p) { EVP_PKEY_free(*p); }
static void md_ctx_freep(EVP_MD_CTX **c) { EVP_MD_CTX_free(*c); }

/* Encrypted keys are not supported: never prompt on a terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) { return -1; }

/* Wraps pkey (taken) into a new key if it is Ed25519: computes key_id.
 * Returns 0, -EINVAL (another algorithm) or -ENOMEM. */
static int key_new_take(EVP_PKEY *pkey, bool has_private, struct evidence_key **ret) {
        _cleanup_(pkey_freep) EVP_PKEY *p = pkey;
        uint8_t raw[32], md[32];
        size_t len = sizeof(raw);
        struct evidence_key *k;

        if (!p || EVP_PKEY_get_id(p) != EVP_PKEY_ED25519)
                return -EINVAL;
        if (EVP_PKEY_get_raw_public_key(p, raw, &len) != 1 || len != 32)
                return -EINVAL;
        if (!EVP_Digest(raw, len, md, NULL, EVP_sha256(), NULL))
                return -ENOMEM;
        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        k->pkey = TAKE_PTR(p);
        k->has_private = has_private;
        evidence_hex(md, 32, k->id);
        *ret = k;
        return 0;
}

void evidence_key_free(struct evidence_key *k) {
        if (!k)
                return;
        EVP_PKEY_free(k->pkey);
        free(k);
}

const char *evidence_key_id(const struct evidence_key *k) { return k->id; }

/* Reads a small key file: regular, not a symlink, at most KEY_FILE_MAX
 * bytes; when private, refuses one that group or others may access
 * (-EPERM). The buffer is malloc'ed (caller wipes and frees it). */
static int read_key_file(const char *path, bool private, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        struct stat st;
        char *data;
        size_t got = 0;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (private && (st.st_mode & 077))
                return -EPERM;
        if (st.st_size > KEY_FILE_MAX)
                return -EFBIG;
        data = malloc((size_t) st.st_size + 1);
        if (!data)
                return -ENOMEM;
        while (got < (size_t) st.st_size) {
                ssize_t n = read(fd, data + got, (size_t) st.st_size - got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int r = n < 0 ? -errno : -EIO;

                        OPENSSL_clear_free(data, (size_t) st.st_size + 1);
                        return r;
                }
                got += (size_t) n;
        }
        data[got] = 0;
        *ret = data;
        *ret_len = got;
        return 0;
}

/* Parses PEM text: a private key when private, else a public key (or, as a
 * convenience, the public half of a private key). */
static int key_from_pem(const char *pem, size_t len, bool private, struct evidence_key **ret) {
        _cleanup_(bio_freep) BIO *b = BIO_new_mem_buf(pem, (int) len);
        EVP_PKEY *p;

        if (!b)
                return -ENOMEM;
        if (private)
                return key_new_take(PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL), true, ret);
        p = PEM_read_bio_PUBKEY(b, NULL, no_passphrase, NULL);
        if (!p) {
                BIO_free(b);
                b = BIO_new_mem_buf(pem, (int) len);
                if (!b)
                        return -ENOMEM;
                p = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
        }
        return key_new_take(p, false, ret);
}

int evidence_key_parse_public(const char *pem, size_t len, struct evidence_key **ret) {
        int r = crypto_dl_load();

        if (r < 0)
                return r;
        if (len > KEY_FILE_MAX)
                return -EFBIG;
        return key_from_pem(pem, len, false, ret);
}

int evidence_key_load_public(const char *path, struct evidence_key **ret) {
        char *pem = NULL;
        size_t len;
        int r;

        if ((r = crypto_dl_load()) < 0)
                return r;
        r = read_key_file(path, false, &pem, &len);
        if (r < 0)
                return r;
        r = key_from_pem(pem, len, false, ret);
        OPENSSL_clear_free(pem, len + 1);
        return r;
}

/* PEM text of k's private (PKCS#8) or public (SPKI) key into a malloc'ed
 * buffer the caller wipes. */
static int key_to_pem(const struct evidence_key *k, bool private, char **ret, size_t *ret_len) {
        _cleanup_(bio_freep) BIO *b = BIO_new(BIO_s_secmem());
        char *data;
        long n;

        if (!b)
                return -ENOMEM;
        if (private ? PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL) != 1
                    : PEM_write_bio_PUBKEY(b, k->pkey) != 1)
                return -ENOMEM;
        n = BIO_get_mem_data(b, &data);
        if (n <= 0)
                return -EIO;
        *ret = malloc((size_t) n + 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, data, (size_t) n);
        (*ret)[n] = 0;
        *ret_len = (size_t) n;
        return 0;
}

static int fsync_dir(const char *dir) {
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Writes the private key as path, never replacing an existing file: a
 * 0600 temp file, fsync, link() to path (-EEXIST when another process won
 * the race), fsync of the directory. */
static int write_private_key(const struct evidence_key *k, const char *dir, const char *path) {
        _cleanup_free_ char *tmp = strdup_printf("%s.tmp.%ld", path, (long) getpid());
        _cleanup_close_ int fd = -1;
        char *pem = NULL;
        size_t len = 0;
        int r;

        if (!tmp)
                return -ENOMEM;
        r = key_to_pem(k, true, &pem, &len);
        if (r < 0)
                return r;
        (void) unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                r = -errno;
        if (r >= 0)
                r = write_all(fd, pem, len);
        OPENSSL_clear_free(pem, len + 1);
        if (r >= 0 && (fchmod(fd, 0600) < 0 || fsync(fd) < 0))
                r = -errno;
        if (r >= 0 && link(tmp, path) < 0)
                r = -errno;
        if (fd >= 0)
                (void) unlink(tmp);
        if (r < 0)
                return r;
        return fsync_dir(dir);
}

/* Makes dir/key.pub hold k's public key (rewritten when missing or
 * different, 0644). */
static int sync_public_key(const struct evidence_key *k, const char *dir) {
        _cleanup_free_ char *path = strdup_printf("%s/key.pub", dir), *pem = NULL, *old = NULL;
        size_t len, old_len;
        int r;

        if (!path)
                return -ENOMEM;
        r = key_to_pem(k, false, &pem, &len);
        if (r < 0)
                return r;
        if (read_full_file(path, KEY_FILE_MAX, &old, &old_len) >= 0 && old_len == len &&
            memcmp(old, pem, len) == 0)
                return 0;
        return write_file_atomic(path, pem, len, 0644);
}

/* A new Ed25519 key pair. */
static int key_generate(struct evidence_key **ret) {
        EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

        return p ? key_new_take(p, true, ret) : -ENOMEM;
}

/* Loads dir/key if it exists (0), -ENOENT when it does not. */
static int key_load_private(const char *path, struct evidence_key **ret) {
        char *pem = NULL;
        size_t len;
        int r;

        r = read_key_file(path, true, &pem, &len);
        if (r < 0)
                return r;
        r = key_from_pem(pem, len, true, ret);
        OPENSSL_clear_free(pem, len + 1);
        return r;
}

int evidence_key_load_or_create(const char *state_dir, struct evidence_key **ret) {
        _cleanup_free_ char *path = strdup_printf("%s/key", state_dir);
        struct evidence_key *k = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        if ((r = crypto_dl_load()) < 0)
                return r;
        if (mkdir(state_dir, 0750) < 0 && errno != EEXIST)
                return -errno;
        r = key_load_private(path, &k);
        if (r == -ENOENT) {
                r = key_generate(&k);
                if (r >= 0)
                        r = write_private_key(k, state_dir, path);
                if (r == -EEXIST) { /* another process created it first: use theirs */
                        evidence_key_free(TAKE_PTR(k));
                        r = key_load_private(path, &k);
                }
        }
        if (r >= 0)
                r = sync_public_key(k, state_dir);
        if (r < 0) {
                evidence_key_free(k);
                return r;
        }
        *ret = k;
        return 0;
}

int evidence_key_sign(const struct evidence_key *k, const uint8_t digest[32],
                      char sig_b64[EVIDENCE_SIG_B64_LEN + 1]) {
        _cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = NULL;
        uint8_t sig[64];
        size_t len = sizeof(sig);

        if (!k->has_private)
                return -ENOKEY;
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
            EVP_DigestSign(ctx, sig, &len, digest, 32) != 1 || len != 64)
                return -EIO;
        EVP_EncodeBlock((unsigned char *) sig_b64, sig, 64);
        return 0;
}

int evidence_key_verify(const struct evidence_key *k, const uint8_t digest[32], const uint8_t *sig,
                        size_t sig_len) {
        _cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        if (!ctx)
                return -ENOMEM;
        if (sig_len != 64 || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
            EVP_DigestVerify(ctx, sig, sig_len, digest, 32) != 1)
                return -EBADMSG;
        return 0;
}
