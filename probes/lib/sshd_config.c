/* SPDX-License-Identifier: MIT */
/* sshd_config(5) parser: see sshd_config.h for the semantics. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "sshd_config.h"

#define M SSHD_KW_MATCH
#define L SSHD_KW_LIST
#define F SSHD_KW_FLAG
#define DEP SSHD_KW_DEPRECATED
#define UNS SSHD_KW_UNSUPPORTED

#define PUBKEY_ALGS                                                                          \
        "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"        \
        "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com," \
        "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"  \
        "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"  \
        "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"                       \
        "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"        \
        "rsa-sha2-256"

/* OpenSSH 9.2p1 as built by Debian 12 (openssh-server 1:9.2p1-2): keywords of
 * servconf.c with the values `sshd -T` prints when nothing is configured.
 * Debian's shipped /etc/ssh/sshd_config then sets KbdInteractiveAuthentication
 * no, UsePAM yes, X11Forwarding yes, PrintMotd no, AcceptEnv and Subsystem. */
static const struct sshd_keyword keywords[] = {
        { "AcceptEnv", M | L, NULL, NULL },
        { "AddressFamily", 0, NULL, "any", SSHD_P_MULTI },
        { "AllowAgentForwarding", M | F, NULL, "yes" },
        { "AllowGroups", M | L, NULL, NULL },
        { "AllowStreamLocalForwarding", M, NULL, "yes", SSHD_P_MULTI },
        { "AllowTcpForwarding", M, NULL, "yes", SSHD_P_MULTI },
        { "AllowUsers", M | L, NULL, NULL },
        { "AuthenticationMethods", M, NULL, "any" },
        { "AuthorizedKeysCommand", M, NULL, "none", SSHD_P_REST },
        { "AuthorizedKeysCommandUser", M, NULL, "none", SSHD_P_FIRST },
        { "AuthorizedKeysFile", M, NULL, ".ssh/authorized_keys .ssh/authorized_keys2" },
        { "AuthorizedPrincipalsCommand", M, NULL, "none", SSHD_P_REST },
        { "AuthorizedPrincipalsCommandUser", M, NULL, "none", SSHD_P_FIRST },
        { "AuthorizedPrincipalsFile", M, NULL, "none", SSHD_P_FIRST },
        { "Banner", M, NULL, "none", SSHD_P_FIRST },
        { "CASignatureAlgorithms", 0, NULL,
          "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
          "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"
          "rsa-sha2-256", SSHD_P_ALGS },
        { "ChallengeResponseAuthentication", M | F, "KbdInteractiveAuthentication", NULL },
        { "ChannelTimeout", M, NULL, NULL },
        { "ChrootDirectory", M, NULL, "none", SSHD_P_FIRST },
        { "Ciphers", 0, NULL,
          "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
          "aes128-gcm@openssh.com,aes256-gcm@openssh.com", SSHD_P_ALGS },
        { "ClientAliveCountMax", M, NULL, "3", SSHD_P_INT },
        { "ClientAliveInterval", M, NULL, "0", SSHD_P_TIME },
        { "Compression", 0, NULL, "yes", SSHD_P_MULTI },
        { "DebianBanner", 0, NULL, "yes", SSHD_P_HIDDEN },
        { "DenyGroups", M | L, NULL, NULL },
        { "DenyUsers", M | L, NULL, NULL },
        { "DisableForwarding", M | F, NULL, "no" },
        { "DSAAuthentication", F, "PubkeyAuthentication", NULL },
        { "ExposeAuthInfo", M | F, NULL, "no" },
        { "FingerprintHash", 0, NULL, "SHA256", SSHD_P_MULTI },
        { "ForceCommand", M, NULL, "none", SSHD_P_REST },
        { "GatewayPorts", M, NULL, "no", SSHD_P_MULTI },
        { "GSSAPIAuthentication", M | F, NULL, "no" },
        { "GSSAPICleanupCredentials", F, NULL, "yes" },
        { "GSSAPIKeyExchange", F, NULL, "no" },
        { "GSSAPIKexAlgorithms", 0, NULL,
          "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,"
          "gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-" },
        { "GSSAPIStoreCredentialsOnRekey", F, NULL, "no" },
        { "GSSAPIStrictAcceptorCheck", F, NULL, "yes" },
        { "HostbasedAcceptedAlgorithms", M, NULL, PUBKEY_ALGS, SSHD_P_ALGS },
        { "HostbasedAcceptedKeyTypes", M, "HostbasedAcceptedAlgorithms", NULL },
        { "HostbasedAuthentication", M | F, NULL, "no" },
        { "HostbasedUsesNameFromPacketOnly", M | F, NULL, "no" },
        { "HostCertificate", L, NULL, NULL },
        { "HostKey", L, NULL,
          "/etc/ssh/ssh_host_rsa_key\n/etc/ssh/ssh_host_ecdsa_key\n/etc/ssh/ssh_host_ed25519_key" },
        { "HostKeyAgent", 0, NULL, "none", SSHD_P_FIRST },
        { "HostKeyAlgorithms", 0, NULL, PUBKEY_ALGS, SSHD_P_ALGS },
        { "IgnoreRhosts", M, NULL, "yes", SSHD_P_MULTI },
        { "IgnoreUserKnownHosts", M | F, NULL, "no" },
        { "Include", M | SSHD_KW_SPECIAL, NULL, NULL },
        { "IPQoS", M, NULL, "lowdelay throughput" },
        { "KbdInteractiveAuthentication", M | F, NULL, "yes" },
        { "KerberosAuthentication", M | F, NULL, "no" },
        { "KerberosGetAFSToken", F, NULL, "no", SSHD_P_HIDDEN },
        { "KerberosOrLocalPasswd", M | F, NULL, "yes" },
        { "KerberosTicketCleanup", F, NULL, "yes" },
        { "KexAlgorithms", 0, NULL,
          "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
          "curve25519-sha256@libssh.org,"
          "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
          "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
          "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256", SSHD_P_ALGS },
        { "ListenAddress", L, NULL, "[::]:22\n0.0.0.0:22", SSHD_P_LISTEN },
        { "LoginGraceTime", 0, NULL, "120", SSHD_P_TIME },
        { "LogLevel", M, NULL, "INFO", SSHD_P_MULTI },
        { "LogVerbose", M, NULL, NULL },
        { "MACs", 0, NULL,
          "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
          "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
          "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1", SSHD_P_ALGS },
        { "Match", M | SSHD_KW_SPECIAL, NULL, NULL },
        { "MaxAuthTries", M, NULL, "6", SSHD_P_INT },
        { "MaxSessions", M, NULL, "10", SSHD_P_INT },
        { "MaxStartups", 0, NULL, "10:30:100", SSHD_P_MAXSTARTUPS },
        { "ModuliFile", 0, NULL, "/etc/ssh/moduli", SSHD_P_FIRST },
        { "PasswordAuthentication", M | F, NULL, "yes" },
        { "PerSourceMaxStartups", 0, NULL, "none", SSHD_P_INT_NONE },
        { "PerSourceNetBlockSize", 0, NULL, "32:128", SSHD_P_NETBLOCK },
        { "PermitEmptyPasswords", M | F, NULL, "no" },
        { "PermitListen", M, NULL, "any" },
        { "PermitOpen", M, NULL, "any" },
        { "PermitRootLogin", M, NULL, "without-password", SSHD_P_MULTI },
        { "PermitTTY", M | F, NULL, "yes" },
        { "PermitTunnel", M, NULL, "no", SSHD_P_MULTI },
        { "PermitUserEnvironment", 0, NULL, "no" },
        { "PermitUserRC", M | F, NULL, "yes" },
        { "PidFile", 0, NULL, "/run/sshd.pid", SSHD_P_FIRST },
        { "Port", L, NULL, "22", SSHD_P_INT },
        { "PrintLastLog", F, NULL, "yes" },
        { "PrintMotd", F, NULL, "yes" },
        { "PubkeyAcceptedAlgorithms", M, NULL, PUBKEY_ALGS, SSHD_P_ALGS },
        { "PubkeyAcceptedKeyTypes", M, "PubkeyAcceptedAlgorithms", NULL },
        { "PubkeyAuthentication", M | F, NULL, "yes" },
        { "PubkeyAuthOptions", M, NULL, "none" },
        { "RDomain", M, NULL, NULL, SSHD_P_FIRST },
        { "RekeyLimit", M, NULL, "0 0", SSHD_P_REKEY },
        { "RequiredRSASize", M, NULL, "1024", SSHD_P_INT },
        { "RevokedKeys", M, NULL, "none", SSHD_P_FIRST },
        { "SecurityKeyProvider", 0, NULL, "internal", SSHD_P_FIRST },
        { "SetEnv", M, NULL, NULL, SSHD_P_ARGS },
        { "SkeyAuthentication", M | F, "KbdInteractiveAuthentication", NULL },
        { "StreamLocalBindMask", M, NULL, "0177", SSHD_P_MASK },
        { "StreamLocalBindUnlink", M | F, NULL, "no" },
        { "StrictModes", F, NULL, "yes" },
        { "Subsystem", L, NULL, NULL },
        { "SyslogFacility", 0, NULL, "AUTH", SSHD_P_MULTI },
        { "TCPKeepAlive", F, NULL, "yes" },
        { "TrustedUserCAKeys", M, NULL, "none", SSHD_P_FIRST },
        { "UnusedConnectionTimeout", M, NULL, "none", SSHD_P_TIME_NONE },
        { "UseDNS", F, NULL, "no" },
        { "UsePAM", F, NULL, "no" },
        { "VersionAddendum", 0, NULL, "none", SSHD_P_REST },
        { "X11DisplayOffset", M, NULL, "10", SSHD_P_INT },
        { "X11Forwarding", M | F, NULL, "no" },
        { "X11UseLocalhost", M | F, NULL, "yes" },
        { "XAuthLocation", 0, NULL, "/usr/bin/xauth", SSHD_P_FIRST },
        /* accepted and ignored by 9.2 ("Deprecated option", "Unsupported option") */
        { "AFSTokenPassing", UNS, NULL, NULL },
        { "AuthorizedKeysFile2", DEP, NULL, NULL },
        { "KerberosTgtPassing", UNS, NULL, NULL },
        { "KeyRegenerationInterval", DEP, NULL, NULL },
        { "PAMAuthenticationViaKbdInt", DEP, NULL, NULL },
        { "Protocol", DEP, NULL, NULL },
        { "RhostsRSAAuthentication", DEP, NULL, NULL },
        { "RSAAuthentication", DEP, NULL, NULL },
        { "ServerKeyBits", DEP, NULL, NULL },
        { "UseLogin", DEP, NULL, NULL },
        { "UsePrivilegeSeparation", DEP, NULL, NULL },
        { "VerifyReverseMapping", DEP, NULL, NULL },
};

#undef M
#undef L
#undef F
#undef DEP
#undef UNS

const struct sshd_keyword *sshd_keyword_table(size_t *n) {
        if (n)
                *n = ELEMENTSOF(keywords);
        return keywords;
}

/* Index of the entry spelled `name` (case-insensitive), aliases not resolved. */
static int keyword_raw(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (strcasecmp(keywords[i].name, name) == 0)
                        return (int) i;
        return -1;
}

int sshd_keyword_lookup(const char *name) {
        int i = keyword_raw(name);

        if (i >= 0 && keywords[i].alias_of)
                i = keyword_raw(keywords[i].alias_of);
        return i;
}

void sshd_config_init(struct sshd_config *cfg) { memset(cfg, 0, sizeof(*cfg)); }

static void setting_done(struct sshd_setting *s) {
        free(s->value);
        free(s->raw);
        strv_free(s->args);
        free(s->file);
}

void sshd_config_done(struct sshd_config *cfg) {
        if (!cfg)
                return;
        for (size_t i = 0; i < cfg->n_global; i++)
                setting_done(&cfg->global[i]);
        free(cfg->global);
        for (size_t i = 0; i < cfg->n_matches; i++) {
                struct sshd_match *m = &cfg->matches[i];
                for (size_t j = 0; j < m->n_settings; j++)
                        setting_done(&m->settings[j]);
                free(m->settings);
                free(m->criteria);
                free(m->file);
        }
        free(cfg->matches);
        file_errors_free(cfg->errors, cfg->n_errors);
        strv_free(cfg->files);
        memset(cfg, 0, sizeof(*cfg));
}

/* Grows *array (of *n elements of size sz) by one zeroed element; returns
 * the new element or NULL on ENOMEM. Capacity doubles (stored nowhere: the
 * array is reallocated on powers of two). */
static void *array_push(void *array_p, size_t *n, size_t sz) {
        void **array = array_p;
        size_t cap = 1;

        while (cap < *n)
                cap *= 2;
        if (*n == 0 || *n == cap) {
                size_t ncap = *n == 0 ? 4 : cap * 2;
                void *p = realloc(*array, ncap * sz);
                if (!p)
                        return NULL;
                *array = p;
        }
        memset((char *) *array + *n * sz, 0, sz);
        return (char *) *array + (*n)++ * sz;
}

/* Records an error "message" at file:line; past SSHD_MAX_ERRORS only sets
 * errors_truncated. Returns 0 or -ENOMEM. */
__attribute__((format(printf, 4, 5))) static int add_error(struct sshd_config *cfg,
                                                           const char *file, unsigned line,
                                                           const char *fmt, ...) {
        struct file_error *e;
        char *msg;
        va_list ap;
        int r;

        if (cfg->n_errors >= SSHD_MAX_ERRORS) {
                cfg->errors_truncated = true;
                return 0;
        }
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        e = array_push(&cfg->errors, &cfg->n_errors, sizeof(*e));
        if (!e || !(e->file = strdup(file))) {
                if (e)
                        cfg->n_errors--;
                free(msg);
                return -ENOMEM;
        }
        e->line = line;
        e->message = msg;
        return 0;
}

/* Splits the arguments of one line like OpenSSH's argv_split() with
 * terminate_on_comment: whitespace separates, "..." and '...' quote, a
 * backslash escapes a quote, a backslash or a blank, and a word starting
 * with '#' ends the line. Returns the argument count (>= 0) with *argv
 * (NULL-terminated, malloc'ed), -EINVAL on unbalanced quotes or too many
 * arguments, -ENOMEM. */
static int split_args(const char *s, char ***argv) {
        _cleanup_strv_ char **v = calloc(SSHD_MAX_ARGS + 1, sizeof(char *));
        _cleanup_free_ char *word = malloc(strlen(s) + 1);
        int n = 0;

        if (!v || !word)
                return -ENOMEM;
        for (;;) {
                size_t wl = 0;
                char quote = 0;

                while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f')
                        s++;
                if (!*s || *s == '#')
                        break;
                for (; *s; s++) {
                        if (*s == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
                                           (!quote && (s[1] == ' ' || s[1] == '\t')))) {
                                word[wl++] = *++s;
                                continue;
                        }
                        if (quote) {
                                if (*s == quote)
                                        quote = 0;
                                else
                                        word[wl++] = *s;
                                continue;
                        }
                        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f')
                                break;
                        if (*s == '"' || *s == '\'')
                                quote = *s;
                        else
                                word[wl++] = *s;
                }
                if (quote)
                        return -EINVAL;
                if (n >= SSHD_MAX_ARGS)
                        return -EINVAL;
                if (!(v[n++] = strndup(word, wl)))
                        return -ENOMEM;
        }
        *argv = TAKE_PTR(v);
        return n;
}

/* Joins args with one space; malloc'ed, NULL on ENOMEM. */
static char *join_args(char *const *args) {
        size_t len = 1;
        char *s, *p;

        for (char *const *a = args; *a; a++)
                len += strlen(*a) + 1;
        if (!(s = p = malloc(len)))
                return NULL;
        *p = '\0';
        for (char *const *a = args; *a; a++)
                p += sprintf(p, "%s%s", a == args ? "" : " ", *a);
        return s;
}

/* Parse state of one file: where we are and which Match block (if any) the
 * lines belong to. NULL block = global; a `Match all` block is global too
 * but recorded. */
struct parse_state {
        struct sshd_config *cfg;
        const struct sshd_config_io *io;
        const char *file;
        unsigned line;
        unsigned depth;
        ssize_t match;       /* index into cfg->matches, -1 = global */
};

static const struct sshd_setting *settings_find(const struct sshd_setting *s, size_t n, int kw) {
        for (size_t i = 0; i < n; i++)
                if (s[i].kw == kw)
                        return &s[i];
        return NULL;
}

/* Whether a `Match all` line already set keyword kw. */
static bool match_all_dup(const struct sshd_setting *s, size_t n, int kw) {
        for (size_t i = 0; i < n; i++)
                if (s[i].kw == kw && s[i].match_all)
                        return true;
        return false;
}

/* Appends a setting (taking args) to the global list or to the current Match
 * block. First value wins for single-valued keywords: a later one is dropped.
 * Returns 0 or -ENOMEM. */
static int add_setting(struct parse_state *st, int kw, char **args, const char *raw) {
        _cleanup_strv_ char **owned = args;
        struct sshd_config *cfg = st->cfg;
        struct sshd_setting **arr, *s;
        size_t *n;
        bool list = keywords[kw].flags & SSHD_KW_LIST;

        if (st->match >= 0 && !cfg->matches[st->match].all) {
                arr = &cfg->matches[st->match].settings;
                n = &cfg->matches[st->match].n_settings;
        } else {
                arr = &cfg->global;
                n = &cfg->n_global;
        }
        /* a `Match all` line also overrides earlier global ones (see
         * match_all_find()), so it is kept unless a `Match all` line set it */
        if (!list && (st->match >= 0 && cfg->matches[st->match].all
                              ? match_all_dup(*arr, *n, kw)
                              : settings_find(*arr, *n, kw) != NULL))
                return 0;
        if (cfg->n_settings_total >= SSHD_MAX_SETTINGS)
                return add_error(cfg, st->file, st->line, "too many settings (limit %d)",
                                 SSHD_MAX_SETTINGS);
        if (!(s = array_push(arr, n, sizeof(*s))))
                return -ENOMEM;
        s->kw = kw;
        s->line = st->line;
        s->match_all = st->match >= 0 && cfg->matches[st->match].all;
        s->seq = (unsigned) cfg->n_settings_total;
        s->args = TAKE_PTR(owned);
        if (!(s->value = join_args(s->args)) || !(s->file = strdup(st->file)) ||
            !(s->raw = strdup(raw))) {
                setting_done(s);
                (*n)--;
                return -ENOMEM;
        }
        cfg->n_settings_total++;
        return 0;
}

static const char *const match_criteria[] = {
        "all", "user", "group", "host", "localaddress", "localport", "rdomain", "address",
};

/* Starts a Match block from its arguments (validated like match_cfg_line():
 * known criteria, each but `all` with one argument, `all` alone). */
static int start_match(struct parse_state *st, char **args, int argc) {
        struct sshd_config *cfg = st->cfg;
        struct sshd_match *m;
        bool all = false;

        for (int i = 0; i < argc; i++) {
                bool known = false;
                for (size_t k = 0; k < ELEMENTSOF(match_criteria); k++)
                        known |= strcasecmp(args[i], match_criteria[k]) == 0;
                if (!known)
                        return add_error(cfg, st->file, st->line,
                                         "unsupported Match attribute %s", args[i]);
                if (strcasecmp(args[i], "all") == 0) {
                        if (argc != 1)
                                return add_error(cfg, st->file, st->line,
                                                 "'all' cannot be combined with other Match attributes");
                        all = true;
                } else if (++i >= argc)
                        return add_error(cfg, st->file, st->line,
                                         "Match %s requires an argument", args[i - 1]);
        }
        if (argc == 0)
                return add_error(cfg, st->file, st->line, "Match needs criteria");
        if (cfg->n_matches >= SSHD_MAX_MATCH_BLOCKS)
                return add_error(cfg, st->file, st->line, "too many Match blocks");
        if (!(m = array_push(&cfg->matches, &cfg->n_matches, sizeof(*m))))
                return -ENOMEM;
        m->all = all;
        m->line = st->line;
        if (!(m->criteria = join_args(args)) || !(m->file = strdup(st->file))) {
                free(m->criteria);
                cfg->n_matches--;
                return -ENOMEM;
        }
        st->match = (ssize_t) (cfg->n_matches - 1);
        return 0;
}

static int parse_file(struct sshd_config *cfg, const char *path, const char *buf, size_t len,
                      const struct sshd_config_io *io, unsigned depth, ssize_t match);

/* Include: each argument is a glob, relative to /etc/ssh unless absolute;
 * matches are parsed in sorted order, in place, inside the current Match
 * block. No match is not an error (as in sshd). */
static int do_include(struct parse_state *st, char **args, int argc) {
        struct sshd_config *cfg = st->cfg;
        int r;

        if (!st->io)
                return add_error(cfg, st->file, st->line, "Include not followed (no file access)");
        if (st->depth + 1 >= SSHD_MAX_INCLUDE_DEPTH)
                return add_error(cfg, st->file, st->line, "Include nested too deeply");
        for (int i = 0; i < argc; i++) {
                _cleanup_free_ char *pattern = NULL;
                char **paths = NULL;

                if (args[i][0] == '~')
                        return add_error(cfg, st->file, st->line,
                                         "Include paths may not start with ~");
                if (args[i][0] == '/')
                        pattern = strdup(args[i]);
                else if (asprintf(&pattern, "%s/%s", SSHD_CONFIG_DIR, args[i]) < 0)
                        pattern = NULL;
                if (!pattern)
                        return -ENOMEM;
                r = st->io->glob(st->io->userdata, pattern, &paths);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                for (char **p = paths; *p && r >= 0; p++) {
                        _cleanup_free_ char *data = NULL;
                        size_t dlen = 0;

                        if (cfg->n_files >= SSHD_MAX_FILES) {
                                r = add_error(cfg, st->file, st->line, "too many included files");
                                break;
                        }
                        r = st->io->read(st->io->userdata, *p, &data, &dlen);
                        if (r == -ENOMEM)
                                break;
                        if (r < 0) {
                                r = add_error(cfg, st->file, st->line, "cannot read %s: %s", *p,
                                              strerror(-r));
                                continue;
                        }
                        r = parse_file(cfg, *p, data, dlen, st->io, st->depth + 1, st->match);
                }
                st->io->strv_free(paths);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const char *const auth_methods[] = {
        "publickey", "password", "keyboard-interactive", "hostbased", "gssapi-with-mic", "none",
};

/* Whether one list "m1,m2,..." names only known methods (a ":submethod"
 * suffix allowed on keyboard-interactive), like auth2_methods_valid(). */
static bool auth_list_valid(const char *list) {
        if (!*list)
                return false;
        while (*list) {
                size_t k = strcspn(list, ","), ml = strcspn(list, ",:");
                bool ok = false;

                for (size_t i = 0; i < ELEMENTSOF(auth_methods); i++)
                        ok |= strlen(auth_methods[i]) == ml && strncmp(list, auth_methods[i], ml) == 0;
                if (!ok || k == 0 || (ml < k && strncmp(list, "keyboard-interactive", ml) != 0))
                        return false;
                list += k;
                if (*list == ',' && !*++list)
                        return false;
        }
        return true;
}

/* "any" alone, or lists of known methods. */
static bool auth_methods_valid(char **args, int argc) {
        if (argc == 1 && streq(args[0], "any"))
                return true;
        for (int i = 0; i < argc; i++)
                if (!auth_list_valid(args[i]))
                        return false;
        return true;
}

/* ---- values: what sshd accepts and how `sshd -T` prints it ---- */

/* One accepted word of a multi-state keyword and the word `sshd -T` prints
 * for it (the first name sshd's table has for the same value). */
struct multistate {
        const char *kw, *word, *print;
};

static const struct multistate multistates[] = {
        { "AddressFamily", "inet", "inet" },
        { "AddressFamily", "inet6", "inet6" },
        { "AddressFamily", "any", "any" },
        { "AllowStreamLocalForwarding", "yes", "yes" },
        { "AllowStreamLocalForwarding", "all", "yes" },
        { "AllowStreamLocalForwarding", "no", "no" },
        { "AllowStreamLocalForwarding", "remote", "remote" },
        { "AllowStreamLocalForwarding", "local", "local" },
        { "AllowTcpForwarding", "yes", "yes" },
        { "AllowTcpForwarding", "all", "yes" },
        { "AllowTcpForwarding", "no", "no" },
        { "AllowTcpForwarding", "remote", "remote" },
        { "AllowTcpForwarding", "local", "local" },
        { "Compression", "yes", "yes" },
        { "Compression", "delayed", "yes" },
        { "Compression", "no", "no" },
        { "FingerprintHash", "md5", "MD5" },
        { "FingerprintHash", "sha256", "SHA256" },
        { "GatewayPorts", "clientspecified", "clientspecified" },
        { "GatewayPorts", "yes", "yes" },
        { "GatewayPorts", "no", "no" },
        { "IgnoreRhosts", "yes", "yes" },
        { "IgnoreRhosts", "no", "no" },
        { "IgnoreRhosts", "shosts-only", "shosts-only" },
        { "LogLevel", "quiet", "QUIET" },
        { "LogLevel", "fatal", "FATAL" },
        { "LogLevel", "error", "ERROR" },
        { "LogLevel", "info", "INFO" },
        { "LogLevel", "verbose", "VERBOSE" },
        { "LogLevel", "debug", "DEBUG" },
        { "LogLevel", "debug1", "DEBUG" },
        { "LogLevel", "debug2", "DEBUG2" },
        { "LogLevel", "debug3", "DEBUG3" },
        { "PermitRootLogin", "without-password", "without-password" },
        { "PermitRootLogin", "prohibit-password", "without-password" },
        { "PermitRootLogin", "forced-commands-only", "forced-commands-only" },
        { "PermitRootLogin", "yes", "yes" },
        { "PermitRootLogin", "no", "no" },
        { "PermitTunnel", "yes", "yes" },
        { "PermitTunnel", "point-to-point", "point-to-point" },
        { "PermitTunnel", "ethernet", "ethernet" },
        { "PermitTunnel", "no", "no" },
        { "SyslogFacility", "daemon", "DAEMON" },
        { "SyslogFacility", "user", "USER" },
        { "SyslogFacility", "auth", "AUTH" },
        { "SyslogFacility", "authpriv", "AUTHPRIV" },
        { "SyslogFacility", "local0", "LOCAL0" },
        { "SyslogFacility", "local1", "LOCAL1" },
        { "SyslogFacility", "local2", "LOCAL2" },
        { "SyslogFacility", "local3", "LOCAL3" },
        { "SyslogFacility", "local4", "LOCAL4" },
        { "SyslogFacility", "local5", "LOCAL5" },
        { "SyslogFacility", "local6", "LOCAL6" },
        { "SyslogFacility", "local7", "LOCAL7" },
};

/* The printed word for `word` of keyword `kw`, or NULL when not accepted. */
static const char *multistate_print(const char *kw, const char *word) {
        for (size_t i = 0; i < ELEMENTSOF(multistates); i++)
                if (streq(multistates[i].kw, kw) && strcasecmp(multistates[i].word, word) == 0)
                        return multistates[i].print;
        return NULL;
}

/* What OpenSSH 9.2 supports (`ssh -Q cipher|mac|kex|key-sig|sig`), in its
 * order: wildcards expand in this order, unknown names are dropped. */
#define ALL_CIPHERS                                                                        \
        "3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr,"      \
        "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com"
#define ALL_MACS                                                                           \
        "hmac-sha1,hmac-sha1-96,hmac-sha2-256,hmac-sha2-512,hmac-md5,hmac-md5-96,"         \
        "umac-64@openssh.com,umac-128@openssh.com,hmac-sha1-etm@openssh.com,"              \
        "hmac-sha1-96-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"                      \
        "hmac-sha2-512-etm@openssh.com,hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com," \
        "umac-64-etm@openssh.com,umac-128-etm@openssh.com"
#define ALL_KEX                                                                            \
        "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,"                          \
        "diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,"                     \
        "diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha1,"                \
        "diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"      \
        "ecdh-sha2-nistp521,curve25519-sha256,curve25519-sha256@libssh.org,"               \
        "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com"
#define ALL_KEYS                                                                           \
        "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,"         \
        "sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,"                         \
        "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,"                    \
        "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521,"                    \
        "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"     \
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"                                     \
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-dss-cert-v01@openssh.com," \
        "ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256,"                               \
        "rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com"
#define ALL_SIGS                                                                           \
        "ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"  \
        "ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,"                          \
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-rsa,rsa-sha2-256,"        \
        "rsa-sha2-512"

struct alg_kw {
        const char *kw, *all;
        bool wildcards;         /* patterns allowed in a plain, + or ^ list */
};

static const struct alg_kw alg_kws[] = {
        { "Ciphers", ALL_CIPHERS, false },
        { "MACs", ALL_MACS, false },
        { "KexAlgorithms", ALL_KEX, false },
        { "HostKeyAlgorithms", ALL_KEYS, true },
        { "PubkeyAcceptedAlgorithms", ALL_KEYS, true },
        { "HostbasedAcceptedAlgorithms", ALL_KEYS, true },
        { "CASignatureAlgorithms", ALL_SIGS, true },
};

static const struct alg_kw *alg_kw_find(const char *kw) {
        for (size_t i = 0; i < ELEMENTSOF(alg_kws); i++)
                if (streq(alg_kws[i].kw, kw))
                        return &alg_kws[i];
        return NULL;
}

/* Whether name (len bytes) matches one of the comma-separated patterns. */
static bool name_matches(const char *name, size_t len, const char *patterns) {
        char nm[128], pat[128];

        if (len >= sizeof(nm))
                return false;
        memcpy(nm, name, len);
        nm[len] = '\0';
        while (*patterns) {
                size_t k = strcspn(patterns, ",");
                if (k < sizeof(pat)) {
                        memcpy(pat, patterns, k);
                        pat[k] = '\0';
                        if (fnmatch(pat, nm, 0) == 0)
                                return true;
                }
                patterns += k + (patterns[k] ? 1 : 0);
        }
        return false;
}

/* Whether `list` already holds name (len bytes). */
static bool list_has(const char *list, const char *name, size_t len) {
        while (*list) {
                size_t k = strcspn(list, ",");
                if (k == len && strncmp(list, name, len) == 0)
                        return true;
                list += k + (list[k] ? 1 : 0);
        }
        return false;
}

/* Appends name (len bytes) to the comma list in buf (size n) unless there. */
static void list_add(char *buf, size_t n, const char *name, size_t len) {
        size_t used = strlen(buf);

        if (list_has(buf, name, len) || used + len + 2 > n)
                return;
        if (used)
                buf[used++] = ',';
        memcpy(buf + used, name, len);
        buf[used + len] = '\0';
}

/* Every entry of `from` matching pattern (plen bytes), in `from`'s order. */
static void add_matching(char *buf, size_t n, const char *from, const char *pattern,
                         size_t plen) {
        char pat[128];

        if (plen == 0 || plen >= sizeof(pat))
                return;
        memcpy(pat, pattern, plen);
        pat[plen] = '\0';
        while (*from) {
                size_t k = strcspn(from, ",");
                if (name_matches(from, k, pat))
                        list_add(buf, n, from, k);
                from += k + (from[k] ? 1 : 0);
        }
}

char *sshd_algorithms_assemble(const char *keyword, const char *spec) {
        int kw = sshd_keyword_lookup(keyword);
        const struct alg_kw *a = kw < 0 ? NULL : alg_kw_find(keywords[kw].name);
        const char *def = a ? keywords[kw].def : NULL;
        _cleanup_free_ char *list = NULL;
        char *out;
        size_t n;

        if (!a)
                return NULL;
        /* kex_assemble_names(): +append, -remove (patterns), ^prepend */
        if (spec[0] == '+')
                n = asprintf(&list, "%s,%s", def, spec + 1);
        else if (spec[0] == '^')
                n = asprintf(&list, "%s,%s", spec + 1, def);
        else if (spec[0] == '-') {
                size_t sz = strlen(def) + 1;
                if (!(list = calloc(1, sz)))
                        return NULL;
                for (const char *d = def; *d;) {
                        size_t k = strcspn(d, ",");
                        if (!name_matches(d, k, spec + 1))
                                list_add(list, sz, d, k);
                        d += k + (d[k] ? 1 : 0);
                }
                n = 0;
        } else
                n = (list = strdup(spec)) ? 0 : (size_t) -1;
        if (n == (size_t) -1 || !list)
                return NULL;
        n = strlen(a->all) + 1;
        if (!(out = calloc(1, n)))
                return NULL;
        for (const char *p = list; *p;) {
                size_t k = strcspn(p, ",");
                add_matching(out, n, a->all, p, k);
                p += k + (p[k] ? 1 : 0);
        }
        return out;
}

/* Whether every name of the comma list is supported (or, with wildcards,
 * matches one supported name), like ciphers_valid()/sshkey_names_valid2(). */
static bool algs_valid(const struct alg_kw *a, const char *list) {
        if (!*list)
                return false;
        while (*list) {
                size_t k = strcspn(list, ",");
                bool ok = false;

                if (k == 0)
                        return false;
                for (const char *p = a->all; *p && !ok;) {
                        size_t j = strcspn(p, ",");
                        ok = j == k && strncmp(p, list, k) == 0;
                        p += j + (p[j] ? 1 : 0);
                }
                if (!ok && a->wildcards && strcspn(list, "*?") < k) {
                        char buf[2048] = "";
                        add_matching(buf, sizeof(buf), a->all, list, k);
                        ok = buf[0] != '\0';
                }
                if (!ok)
                        return false;
                list += k + (list[k] ? 1 : 0);
        }
        return true;
}

/* convtime(): "90", "1m30s", "2h" -> seconds; -1 when malformed or above
 * INT_MAX. */
static long convtime(const char *s) {
        long total = 0;

        if (!*s)
                return -1;
        while (*s) {
                char *end;
                long v, mult = 1;

                errno = 0;
                v = strtol(s, &end, 10);
                if (end == s || v < 0 || errno)
                        return -1;
                switch (*end) {
                case '\0': break;
                case 's': case 'S': end++; break;
                case 'm': case 'M': mult = 60; end++; break;
                case 'h': case 'H': mult = 3600; end++; break;
                case 'd': case 'D': mult = 86400; end++; break;
                case 'w': case 'W': mult = 604800; end++; break;
                default: return -1;
                }
                if (v > INT_MAX / mult || total > INT_MAX - v * mult)
                        return -1;
                total += v * mult;
                s = end;
        }
        return total;
}

/* strtonum(s, lo, hi) for decimal integers; -1 when out of range or junk. */
static long long num(const char *s, long long lo, long long hi) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (end == s || *end || errno || v < lo || v > hi)
                return -1;
        return v;
}

/* scan_scaled(): "1G", "512K", "100" -> bytes; -1 when malformed. */
static long long scaled(const char *s) {
        static const char units[] = "BKMGTPE";
        char *end;
        long long v;
        const char *u;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (end == s || v < 0 || errno)
                return -1;
        if (!*end)
                return v;
        if (end[1] || !(u = strchr(units, toupper((unsigned char) *end))))
                return -1;
        for (long i = u - units; i > 0; i--) {
                if (v > LLONG_MAX / 1024)
                        return -1;
                v *= 1024;
        }
        return v;
}

/* "a:b:c" or "a" as MaxStartups; false when malformed. */
static bool maxstartups(const char *s, int *b, int *r, int *f) {
        char tail;
        int n = sscanf(s, "%d:%d:%d%c", b, r, f, &tail);

        if (n == 3)
                return *b > 0 && *r > 0 && *r <= 100 && *b <= *f;
        if (n == 1 && sscanf(s, "%d%c", b, &tail) == 1) {
                *r = 30;
                *f = *b;
                return *b > 0;
        }
        return false;
}

/* "v4[:v6]" as PerSourceNetBlockSize; false when malformed. */
static bool netblock(const char *s, int *v4, int *v6) {
        char tail;
        int n = sscanf(s, "%d:%d%c", v4, v6, &tail);

        if (n == 1 && sscanf(s, "%d%c", v4, &tail) == 1)
                *v6 = 0; /* sshd leaves the IPv6 size at 0 (prints "24:0") */
        else if (n != 2)
                return false;
        return *v4 >= 0 && *v4 <= 32 && *v6 >= 0 && *v6 <= 128;
}

/* Whether the arguments of keyword kw are what sshd 9.2 accepts (for the
 * keywords whose value is checked here; yes/no flags are checked by the
 * caller). */
static bool value_valid(int kw, char **args, int argc) {
        const struct sshd_keyword *k = &keywords[kw];
        const struct alg_kw *a;
        int x, y, z;
        char *end;
        long m;

        switch (k->print) {
        case SSHD_P_MULTI:
                return multistate_print(k->name, args[0]) != NULL;
        case SSHD_P_INT:
                return streq(k->name, "Port") ? num(args[0], 1, 65535) > 0
                                              : num(args[0], 0, INT_MAX) >= 0;
        case SSHD_P_TIME:
                return convtime(args[0]) >= 0;
        case SSHD_P_TIME_NONE:
                return streq(args[0], "none") || convtime(args[0]) >= 0;
        case SSHD_P_INT_NONE:
                return streq(args[0], "none") || num(args[0], 1, INT_MAX) > 0;
        case SSHD_P_MAXSTARTUPS:
                return maxstartups(args[0], &x, &y, &z);
        case SSHD_P_NETBLOCK:
                return netblock(args[0], &x, &y);
        case SSHD_P_MASK:
                errno = 0;
                m = strtol(args[0], &end, 8);
                return end != args[0] && !*end && !errno && m >= 0 && m <= 0777;
        case SSHD_P_REKEY:
                if (!streq(args[0], "default") && scaled(args[0]) < 16)
                        return false;
                return argc < 2 || streq(args[1], "none") || convtime(args[1]) >= 0;
        case SSHD_P_ALGS:
                a = alg_kw_find(k->name);
                return args[0][0] == '-' ||
                       algs_valid(a, args[0] + (args[0][0] == '+' || args[0][0] == '^'));
        default:
                return true;
        }
}

/* Handles one logical line: keyword, optional '=', arguments. */
static int parse_line(struct parse_state *st, char *line) {
        struct sshd_config *cfg = st->cfg;
        _cleanup_strv_ char **args = NULL;
        char *kwstart, *raw, *p = line;
        int kw, argc;

        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f')
                p++;
        if (!*p || *p == '#')
                return 0;
        kwstart = p;
        while (*p && !strchr(" \t\r\f=", *p))
                p++;
        if (*p) {
                bool eq = *p == '=';
                *p++ = '\0';
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!eq && *p == '=')
                        p++;
        }
        raw = p;
        for (size_t n = strlen(p); n > 0 && strchr(" \t\r\f", p[n - 1]); n--)
                p[n - 1] = '\0';
        argc = split_args(p, &args);
        if (argc == -ENOMEM)
                return argc;
        if (argc < 0)
                return add_error(cfg, st->file, st->line, "invalid quotes or too many arguments");
        if (argc == 0)
                return add_error(cfg, st->file, st->line, "no argument after keyword \"%s\"",
                                 kwstart);
        kw = sshd_keyword_lookup(kwstart);
        if (kw < 0)
                return add_error(cfg, st->file, st->line, "Bad configuration option: %s", kwstart);
        if (streq(keywords[kw].name, "Match"))
                return start_match(st, args, argc);
        if (st->match >= 0 && !cfg->matches[st->match].all &&
            !(keywords[kw].flags & SSHD_KW_MATCH))
                return add_error(cfg, st->file, st->line,
                                 "Directive '%s' is not allowed within a Match block",
                                 keywords[kw].name);
        if (streq(keywords[kw].name, "Include"))
                return do_include(st, args, argc);
        if (keywords[kw].flags & (SSHD_KW_DEPRECATED | SSHD_KW_UNSUPPORTED))
                return 0;
        if (streq(keywords[kw].name, "AuthenticationMethods") && !auth_methods_valid(args, argc))
                return add_error(cfg, st->file, st->line, "invalid AuthenticationMethods");
        if (keywords[kw].flags & SSHD_KW_FLAG) {
                if (argc != 1 || (strcasecmp(args[0], "yes") && strcasecmp(args[0], "no")))
                        return add_error(cfg, st->file, st->line, "%s: expects yes or no",
                                         keywords[kw].name);
                for (char *c = args[0]; *c; c++)
                        *c = (char) tolower((unsigned char) *c);
        } else if (!value_valid(kw, args, argc))
                return add_error(cfg, st->file, st->line, "%s: bad value \"%s\"",
                                 keywords[kw].name, args[0]);
        return add_setting(st, kw, TAKE_PTR(args), raw);
}

/* Parses one file's text; Match blocks opened here end with the file. */
static int parse_file(struct sshd_config *cfg, const char *path, const char *buf, size_t len,
                      const struct sshd_config_io *io, unsigned depth, ssize_t match) {
        struct parse_state st = { .cfg = cfg, .io = io, .file = path, .depth = depth,
                                  .match = match };
        char **files;
        size_t pos = 0;

        if (cfg->n_files >= SSHD_MAX_FILES)
                return add_error(cfg, path, 0, "too many configuration files");
        if (len > SSHD_MAX_FILE_SIZE)
                return add_error(cfg, path, 0, "file larger than %d bytes", SSHD_MAX_FILE_SIZE);
        if (!(files = realloc(cfg->files, (cfg->n_files + 2) * sizeof(char *))))
                return -ENOMEM;
        cfg->files = files;
        if (!(files[cfg->n_files] = strdup(path)))
                return -ENOMEM;
        files[++cfg->n_files] = NULL;

        while (pos < len) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                size_t l = nl ? (size_t) (nl - (buf + pos)) : len - pos;
                _cleanup_free_ char *line = strndup(buf + pos, l); /* stops at a NUL, like sshd */
                int r;

                st.line++;
                pos += l + 1;
                if (!line)
                        return -ENOMEM;
                if ((r = parse_line(&st, line)) < 0)
                        return r;
        }
        return 0;
}

int sshd_config_parse_buffer(struct sshd_config *cfg, const char *path, const char *buf,
                             size_t len, const struct sshd_config_io *io) {
        return parse_file(cfg, path, buf, len, io, 0, -1);
}

int sshd_config_load(struct sshd_config *cfg, const char *path, const struct sshd_config_io *io) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        r = io->read(io->userdata, path, &buf, &len);
        if (r < 0)
                return r;
        return sshd_config_parse_buffer(cfg, path, buf, len, io);
}

/* The first setting of keyword k in a `Match all` block, for keywords a
 * Match can set: sshd applies matching blocks after the global pass, so it
 * overrides the global value (copy_set_server_options()). NULL if none. */
static const struct sshd_setting *match_all_find(const struct sshd_config *cfg, int k) {
        if (!(keywords[k].flags & SSHD_KW_MATCH))
                return NULL;
        for (size_t i = 0; i < cfg->n_global; i++)
                if (cfg->global[i].kw == k && cfg->global[i].match_all)
                        return &cfg->global[i];
        return NULL;
}

/* The setting of keyword kw in effect for a connection matching block m
 * (NULL: none but `Match all`, as `sshd -T` without -C), the one rule shared
 * by the getters and sshd_config_effective(). sshd first parses the global
 * lines (first value wins; a `Match all` block is active then too), then
 * re-reads the file applying only the blocks the connection matches, first
 * value wins among them in file order, and copies what they set over the
 * global options (parse_server_match_config()). NULL: default in effect. */
static const struct sshd_setting *effective_setting(const struct sshd_config *cfg,
                                                    const struct sshd_match *m, int kw) {
        const struct sshd_setting *all = match_all_find(cfg, kw);
        const struct sshd_setting *own = m ? settings_find(m->settings, m->n_settings, kw) : NULL;

        if (own && (!all || own->seq < all->seq))
                return own;
        return all ? all : settings_find(cfg->global, cfg->n_global, kw);
}

const struct sshd_setting *sshd_config_get(const struct sshd_config *cfg, const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 ? NULL : effective_setting(cfg, NULL, kw);
}

const struct sshd_setting *sshd_config_first_pass(const struct sshd_config *cfg,
                                                  const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 ? NULL : settings_find(cfg->global, cfg->n_global, kw);
}

const struct sshd_setting *sshd_config_setting(const struct sshd_config *cfg,
                                               const struct sshd_match *m, const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 ? NULL : effective_setting(cfg, m, kw);
}

const struct sshd_setting *sshd_match_get(const struct sshd_match *m, const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 || !m ? NULL : settings_find(m->settings, m->n_settings, kw);
}

const char *sshd_config_default(const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 ? NULL : keywords[kw].def;
}

const char *sshd_config_value(const struct sshd_config *cfg, const struct sshd_match *m,
                              const char *name) {
        const struct sshd_setting *s = sshd_config_setting(cfg, m, name);

        return s ? s->value : sshd_config_default(name);
}

bool sshd_config_flag(const struct sshd_config *cfg, const struct sshd_match *m,
                      const char *name) {
        const char *v = sshd_config_value(cfg, m, name);

        return v && strcasecmp(v, "yes") == 0;
}

/* Appends each '\n'-separated entry of a list default to arr. */
static int add_default_list(json_t *arr, const char *def) {
        while (def && *def) {
                size_t l = strcspn(def, "\n");
                if (json_array_append_new(arr, json_stringn(def, l)) < 0)
                        return -ENOMEM;
                def += l + (def[l] ? 1 : 0);
        }
        return 0;
}

/* Lowercase copy of s in buf (size n). */
static const char *lower(const char *s, char *buf, size_t n) {
        size_t i = 0;

        for (; s[i] && i + 1 < n; i++)
                buf[i] = (char) tolower((unsigned char) s[i]);
        buf[i] = '\0';
        return buf;
}

/* The value of setting s of keyword k as `sshd -T` prints it (values were
 * validated when parsed); a new JSON string, NULL on ENOMEM. */
static json_t *print_value(const struct sshd_keyword *k, const struct sshd_setting *s) {
        const char *a0 = s->args[0], *a1 = s->args[1];
        _cleanup_free_ char *algs = NULL;
        int x, y, z;

        switch (k->print) {
        case SSHD_P_FIRST:
                return json_string(a0);
        case SSHD_P_REST:
                return json_string(s->raw);
        case SSHD_P_INT:
                return json_sprintf("%lld", num(a0, 0, INT_MAX));
        case SSHD_P_TIME:
                return json_sprintf("%ld", convtime(a0));
        case SSHD_P_TIME_NONE:
                return streq(a0, "none") ? json_string(a0) : json_sprintf("%ld", convtime(a0));
        case SSHD_P_INT_NONE:
                return streq(a0, "none") ? json_string(a0) : json_sprintf("%lld", num(a0, 1, INT_MAX));
        case SSHD_P_MULTI:
                return json_string(multistate_print(k->name, a0) ?: a0);
        case SSHD_P_MAXSTARTUPS:
                return maxstartups(a0, &x, &y, &z) ? json_sprintf("%d:%d:%d", x, y, z)
                                                   : json_string(a0);
        case SSHD_P_NETBLOCK:
                return netblock(a0, &x, &y) ? json_sprintf("%d:%d", x, y) : json_string(a0);
        case SSHD_P_MASK:
                return json_sprintf("0%lo", strtol(a0, NULL, 8));
        case SSHD_P_REKEY:
                return json_sprintf("%lld %ld", streq(a0, "default") ? 0 : scaled(a0),
                                    !a1 || streq(a1, "none") ? 0 : convtime(a1));
        case SSHD_P_ALGS:
                if (!(algs = sshd_algorithms_assemble(k->name, a0)))
                        return NULL;
                return json_string(algs);
        default:
                return json_string(s->value);
        }
}

/* Whether a ListenAddress is an IPv6 literal ("::1", "[::1]:22"). */
static bool is_v6(const char *addr) {
        return addr[0] == '[' || strchr(addr, ':') != strrchr(addr, ':');
}

/* Appends "addr:port" ("[addr]:port" for IPv6) unless the address family
 * excludes it. Returns 0 or -ENOMEM. */
static int listen_add(json_t *arr, const char *addr, size_t alen, const char *port,
                      const char *family) {
        bool v6 = memchr(addr, ':', alen) != NULL;

        if ((v6 && streq(family, "inet")) || (!v6 && streq(family, "inet6") &&
                                              strspn(addr, "0123456789.") == alen))
                return 0;
        return json_array_append_new(arr, json_sprintf(v6 ? "[%.*s]:%s" : "%.*s:%s",
                                                       (int) alen, addr, port));
}

/* listenaddress: each ListenAddress with its own port, or with every Port;
 * without ListenAddress, the wildcard addresses of the address family for
 * every Port. NULL on ENOMEM. */
static json_t *listen_addresses(const struct sshd_config *cfg, json_t *ports,
                                const char *family) {
        _cleanup_json_ json_t *arr = json_array();
        int kw = sshd_keyword_lookup("ListenAddress");
        bool any = false;
        size_t i;
        json_t *p;

        if (!arr)
                return NULL;
        for (size_t j = 0; j < cfg->n_global; j++) {
                const char *a = cfg->global[j].args[0], *c;
                int r = 0;

                if (cfg->global[j].kw != kw)
                        continue;
                any = true;
                if (a[0] == '[' && (c = strstr(a, "]:")))
                        r = listen_add(arr, a + 1, (size_t) (c - a - 1), c + 2, family);
                else if (a[0] == '[' && (c = strchr(a, ']')))
                        json_array_foreach(ports, i, p) r |= listen_add(
                                arr, a + 1, (size_t) (c - a - 1), json_string_value(p), family);
                else if (!is_v6(a) && (c = strchr(a, ':')))
                        r = listen_add(arr, a, (size_t) (c - a), c + 1, family);
                else
                        json_array_foreach(ports, i, p) r |= listen_add(
                                arr, a, strlen(a), json_string_value(p), family);
                if (r < 0)
                        return NULL;
        }
        if (!any)
                json_array_foreach(ports, i, p) {
                        if (listen_add(arr, "::", 2, json_string_value(p), family) < 0 ||
                            listen_add(arr, "0.0.0.0", 7, json_string_value(p), family) < 0)
                                return NULL;
                }
        return TAKE_PTR(arr);
}

/* A keyword sshd prints on several lines: one array entry per argument of
 * every line (one per Subsystem line, "name command args"; Port numbers
 * normalised; SetEnv: the first line only), or the default. NULL when
 * unset without a default (sshd prints nothing), or on ENOMEM (*oom). */
static json_t *print_list(const struct sshd_config *cfg, int k, bool *oom) {
        const struct sshd_keyword *kw = &keywords[k];
        _cleanup_json_ json_t *v = json_array();
        bool any = false, only_match_all = match_all_find(cfg, k) != NULL;

        if (!v)
                return *oom = true, NULL;
        /* Match all lines replace the global list (M_CP_STRARRAYOPT) */
        for (size_t i = 0; i < cfg->n_global && !(any && kw->print == SSHD_P_ARGS); i++) {
                const struct sshd_setting *s = &cfg->global[i];
                if (s->kw != k || (only_match_all && !s->match_all))
                        continue;
                any = true;
                if (streq(kw->name, "Subsystem"))
                        json_array_append_new(v, json_string(s->value));
                else
                        for (char **a = s->args; *a; a++)
                                json_array_append_new(v, kw->print == SSHD_P_INT
                                                                 ? json_sprintf("%lld", num(*a, 1, 65535))
                                                                 : json_string(*a));
        }
        if (!any && !kw->def)
                return NULL;
        if (!any && add_default_list(v, kw->def) < 0)
                return *oom = true, NULL;
        return TAKE_PTR(v);
}

json_t *sshd_config_effective(const struct sshd_config *cfg) {
        _cleanup_json_ json_t *o = json_object();
        json_t *ports, *la;
        bool oom = false;

        if (!o)
                return NULL;
        for (size_t k = 0; k < ELEMENTSOF(keywords); k++) {
                const struct sshd_keyword *kw = &keywords[k];
                const struct sshd_setting *s;
                char key[64];
                json_t *v;

                if (kw->alias_of || kw->print == SSHD_P_HIDDEN || kw->print == SSHD_P_LISTEN ||
                    kw->flags & (SSHD_KW_SPECIAL | SSHD_KW_DEPRECATED | SSHD_KW_UNSUPPORTED))
                        continue;
                if (kw->flags & SSHD_KW_LIST || kw->print == SSHD_P_ARGS)
                        v = print_list(cfg, (int) k, &oom);
                else if ((s = effective_setting(cfg, NULL, (int) k)))
                        oom |= !(v = print_value(kw, s));
                else
                        v = kw->def ? json_string(kw->def) : NULL;
                if (oom || (v && json_object_set_new(o, lower(kw->name, key, sizeof(key)), v) < 0))
                        return NULL;
        }
        ports = json_object_get(o, "port");
        la = listen_addresses(cfg, ports, json_string_value(json_object_get(o, "addressfamily")));
        if (!la || json_object_set_new(o, "listenaddress", la) < 0)
                return NULL;
        return TAKE_PTR(o);
}

/* array_json() item: Match block i as {criteria, all, file, line,
 * overrides{keyword: value}}. */
static json_t *match_json(const void *userdata, size_t i) {
        const struct sshd_match *m = &((const struct sshd_config *) userdata)->matches[i];
        json_t *ov = json_object();

        if (!ov)
                return NULL;
        for (size_t j = 0; j < m->n_settings; j++)
                json_object_set_new(ov, keywords[m->settings[j].kw].name,
                                    json_string(m->settings[j].value));
        return json_pack("{s:s, s:b, s:s, s:I, s:o}", "criteria", m->criteria, "all", m->all,
                         "file", m->file, "line", (json_int_t) m->line, "overrides", ov);
}

json_t *sshd_config_matches_json(const struct sshd_config *cfg) {
        return array_json(cfg->n_matches, match_json, cfg);
}

json_t *sshd_config_errors_json(const struct sshd_config *cfg) {
        return file_errors_json(cfg->errors, cfg->n_errors);
}

json_t *sshd_auth_methods_json(const char *value) {
        _cleanup_json_ json_t *lists = NULL;
        _cleanup_strv_ char **args = NULL;
        int n;

        if (!value || strcasecmp(value, "any") == 0)
                return json_null();
        n = split_args(value, &args);
        if (n == -ENOMEM || !(lists = json_array()))
                return NULL;
        for (int i = 0; i < n; i++) {
                json_t *l = json_array();
                const char *p = args[i];

                if (!l || json_array_append_new(lists, l) < 0)
                        return NULL;
                while (*p) {
                        size_t k = strcspn(p, ",");
                        if (k && json_array_append_new(l, json_stringn(p, k)) < 0)
                                return NULL;
                        p += k + (p[k] ? 1 : 0);
                }
        }
        return TAKE_PTR(lists);
}
