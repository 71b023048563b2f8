/* SPDX-License-Identifier: MIT */
/* sshd_config(5) parser: see sshd_config.h for the semantics. */
#include <ctype.h>
#include <errno.h>
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
        { "AddressFamily", 0, NULL, "any" },
        { "AllowAgentForwarding", M | F, NULL, "yes" },
        { "AllowGroups", M | L, NULL, NULL },
        { "AllowStreamLocalForwarding", M, NULL, "yes" },
        { "AllowTcpForwarding", M, NULL, "yes" },
        { "AllowUsers", M | L, NULL, NULL },
        { "AuthenticationMethods", M, NULL, "any" },
        { "AuthorizedKeysCommand", M, NULL, "none" },
        { "AuthorizedKeysCommandUser", M, NULL, "none" },
        { "AuthorizedKeysFile", M, NULL, ".ssh/authorized_keys .ssh/authorized_keys2" },
        { "AuthorizedPrincipalsCommand", M, NULL, "none" },
        { "AuthorizedPrincipalsCommandUser", M, NULL, "none" },
        { "AuthorizedPrincipalsFile", M, NULL, "none" },
        { "Banner", M, NULL, "none" },
        { "CASignatureAlgorithms", 0, NULL,
          "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
          "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"
          "rsa-sha2-256" },
        { "ChallengeResponseAuthentication", M | F, "KbdInteractiveAuthentication", NULL },
        { "ChannelTimeout", M, NULL, "none" },
        { "ChrootDirectory", M, NULL, "none" },
        { "Ciphers", 0, NULL,
          "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
          "aes128-gcm@openssh.com,aes256-gcm@openssh.com" },
        { "ClientAliveCountMax", M, NULL, "3" },
        { "ClientAliveInterval", M, NULL, "0" },
        { "Compression", 0, NULL, "yes" },
        { "DebianBanner", 0, NULL, "yes" },
        { "DenyGroups", M | L, NULL, NULL },
        { "DenyUsers", M | L, NULL, NULL },
        { "DisableForwarding", M | F, NULL, "no" },
        { "DSAAuthentication", F, "PubkeyAuthentication", NULL },
        { "ExposeAuthInfo", M | F, NULL, "no" },
        { "FingerprintHash", 0, NULL, "SHA256" },
        { "ForceCommand", M, NULL, "none" },
        { "GatewayPorts", M, NULL, "no" },
        { "GSSAPIAuthentication", M | F, NULL, "no" },
        { "GSSAPICleanupCredentials", F, NULL, "yes" },
        { "GSSAPIKeyExchange", F, NULL, "no" },
        { "GSSAPIKexAlgorithms", 0, NULL,
          "gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,"
          "gss-curve25519-sha256-,gss-group14-sha1-,gss-gex-sha1-" },
        { "GSSAPIStoreCredentialsOnRekey", F, NULL, "no" },
        { "GSSAPIStrictAcceptorCheck", F, NULL, "yes" },
        { "HostbasedAcceptedAlgorithms", M, NULL, PUBKEY_ALGS },
        { "HostbasedAcceptedKeyTypes", M, "HostbasedAcceptedAlgorithms", NULL },
        { "HostbasedAuthentication", M | F, NULL, "no" },
        { "HostbasedUsesNameFromPacketOnly", M | F, NULL, "no" },
        { "HostCertificate", L, NULL, NULL },
        { "HostKey", L, NULL,
          "/etc/ssh/ssh_host_rsa_key\n/etc/ssh/ssh_host_ecdsa_key\n/etc/ssh/ssh_host_ed25519_key" },
        { "HostKeyAgent", 0, NULL, "none" },
        { "HostKeyAlgorithms", 0, NULL, PUBKEY_ALGS },
        { "IgnoreRhosts", M, NULL, "yes" },
        { "IgnoreUserKnownHosts", M | F, NULL, "no" },
        { "Include", M | SSHD_KW_SPECIAL, NULL, NULL },
        { "IPQoS", M, NULL, "af21 cs1" },
        { "KbdInteractiveAuthentication", M | F, NULL, "yes" },
        { "KerberosAuthentication", M | F, NULL, "no" },
        { "KerberosGetAFSToken", F, NULL, "no" },
        { "KerberosOrLocalPasswd", M | F, NULL, "yes" },
        { "KerberosTicketCleanup", F, NULL, "yes" },
        { "KexAlgorithms", 0, NULL,
          "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
          "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
          "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
          "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256" },
        { "ListenAddress", L, NULL, "[::]:22\n0.0.0.0:22" },
        { "LoginGraceTime", 0, NULL, "120" },
        { "LogLevel", M, NULL, "INFO" },
        { "LogVerbose", M, NULL, "none" },
        { "MACs", 0, NULL,
          "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
          "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
          "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1" },
        { "Match", M | SSHD_KW_SPECIAL, NULL, NULL },
        { "MaxAuthTries", M, NULL, "6" },
        { "MaxSessions", M, NULL, "10" },
        { "MaxStartups", 0, NULL, "10:30:100" },
        { "ModuliFile", 0, NULL, "/etc/ssh/moduli" },
        { "PasswordAuthentication", M | F, NULL, "yes" },
        { "PerSourceMaxStartups", 0, NULL, "none" },
        { "PerSourceNetBlockSize", 0, NULL, "32:128" },
        { "PermitEmptyPasswords", M | F, NULL, "no" },
        { "PermitListen", M, NULL, "any" },
        { "PermitOpen", M, NULL, "any" },
        { "PermitRootLogin", M, NULL, "without-password" },
        { "PermitTTY", M | F, NULL, "yes" },
        { "PermitTunnel", M, NULL, "no" },
        { "PermitUserEnvironment", 0, NULL, "no" },
        { "PermitUserRC", M | F, NULL, "yes" },
        { "PidFile", 0, NULL, "/run/sshd.pid" },
        { "Port", L, NULL, "22" },
        { "PrintLastLog", F, NULL, "yes" },
        { "PrintMotd", F, NULL, "yes" },
        { "PubkeyAcceptedAlgorithms", M, NULL, PUBKEY_ALGS },
        { "PubkeyAcceptedKeyTypes", M, "PubkeyAcceptedAlgorithms", NULL },
        { "PubkeyAuthentication", M | F, NULL, "yes" },
        { "PubkeyAuthOptions", M, NULL, "none" },
        { "RDomain", M, NULL, "none" },
        { "RekeyLimit", M, NULL, "default none" },
        { "RequiredRSASize", M, NULL, "1024" },
        { "RevokedKeys", M, NULL, "none" },
        { "SecurityKeyProvider", 0, NULL, "internal" },
        { "SetEnv", M, NULL, NULL },
        { "SkeyAuthentication", M | F, "KbdInteractiveAuthentication", NULL },
        { "StreamLocalBindMask", M, NULL, "0177" },
        { "StreamLocalBindUnlink", M | F, NULL, "no" },
        { "StrictModes", F, NULL, "yes" },
        { "Subsystem", L, NULL, NULL },
        { "SyslogFacility", 0, NULL, "AUTH" },
        { "TCPKeepAlive", F, NULL, "yes" },
        { "TrustedUserCAKeys", M, NULL, "none" },
        { "UnusedConnectionTimeout", M, NULL, "none" },
        { "UseDNS", F, NULL, "no" },
        { "UsePAM", F, NULL, "no" },
        { "VersionAddendum", 0, NULL, "none" },
        { "X11DisplayOffset", M, NULL, "10" },
        { "X11Forwarding", M | F, NULL, "no" },
        { "X11UseLocalhost", M | F, NULL, "yes" },
        { "XAuthLocation", 0, NULL, "/usr/bin/xauth" },
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
        for (size_t i = 0; i < cfg->n_errors; i++) {
                free(cfg->errors[i].file);
                free(cfg->errors[i].message);
        }
        free(cfg->errors);
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
        struct sshd_error *e;
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

/* Appends a setting (taking args) to the global list or to the current Match
 * block. First value wins for single-valued keywords: a later one is dropped.
 * Returns 0 or -ENOMEM. */
static int add_setting(struct parse_state *st, int kw, char **args) {
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
        if (!list && settings_find(*arr, *n, kw))
                return 0;
        if (cfg->n_settings_total >= SSHD_MAX_SETTINGS)
                return add_error(cfg, st->file, st->line, "too many settings (limit %d)",
                                 SSHD_MAX_SETTINGS);
        if (!(s = array_push(arr, n, sizeof(*s))))
                return -ENOMEM;
        s->kw = kw;
        s->line = st->line;
        s->args = TAKE_PTR(owned);
        if (!(s->value = join_args(s->args)) || !(s->file = strdup(st->file))) {
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

/* Handles one logical line: keyword, optional '=', arguments. */
static int parse_line(struct parse_state *st, char *line) {
        struct sshd_config *cfg = st->cfg;
        _cleanup_strv_ char **args = NULL;
        char *kwstart, *p = line;
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
        }
        return add_setting(st, kw, TAKE_PTR(args));
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

const struct sshd_setting *sshd_config_get(const struct sshd_config *cfg, const char *name) {
        int kw = sshd_keyword_lookup(name);

        return kw < 0 ? NULL : settings_find(cfg->global, cfg->n_global, kw);
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
        const struct sshd_setting *s = sshd_match_get(m, name);

        if (!s)
                s = sshd_config_get(cfg, name);
        return s ? s->value : sshd_config_default(name);
}

bool sshd_config_flag(const struct sshd_config *cfg, const struct sshd_match *m,
                      const char *name) {
        const char *v = sshd_config_value(cfg, m, name);

        return v && strcasecmp(v, "yes") == 0;
}

/* Adds the default of a list keyword (entries separated by '\n') to arr. */
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

json_t *sshd_config_effective(const struct sshd_config *cfg) {
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return NULL;
        for (size_t k = 0; k < ELEMENTSOF(keywords); k++) {
                const struct sshd_keyword *kw = &keywords[k];
                char key[64];
                json_t *v;

                if (kw->alias_of || kw->flags & (SSHD_KW_SPECIAL | SSHD_KW_DEPRECATED |
                                                 SSHD_KW_UNSUPPORTED))
                        continue;
                if (kw->flags & SSHD_KW_LIST) {
                        bool any = false;
                        if (!(v = json_array()))
                                return NULL;
                        /* one entry per argument, as `sshd -T` prints them; a
                         * Subsystem line is one entry "name command args" */
                        for (size_t i = 0; i < cfg->n_global; i++) {
                                const struct sshd_setting *s = &cfg->global[i];
                                if (s->kw != (int) k)
                                        continue;
                                any = true;
                                if (streq(kw->name, "Subsystem"))
                                        json_array_append_new(v, json_string(s->value));
                                else
                                        for (char **a = s->args; *a; a++)
                                                json_array_append_new(v, json_string(*a));
                        }
                        if (!any && add_default_list(v, kw->def) < 0) {
                                json_decref(v);
                                return NULL;
                        }
                } else {
                        const struct sshd_setting *s =
                                settings_find(cfg->global, cfg->n_global, (int) k);
                        const char *val = s ? s->value : kw->def;
                        v = val ? json_string(val) : json_null();
                }
                if (json_object_set_new(o, lower(kw->name, key, sizeof(key)), v) < 0)
                        return NULL;
        }
        return TAKE_PTR(o);
}

json_t *sshd_config_matches_json(const struct sshd_config *cfg) {
        _cleanup_json_ json_t *arr = json_array();

        if (!arr)
                return NULL;
        for (size_t i = 0; i < cfg->n_matches; i++) {
                const struct sshd_match *m = &cfg->matches[i];
                json_t *ov = json_object(), *o;

                if (!ov)
                        return NULL;
                for (size_t j = 0; j < m->n_settings; j++)
                        json_object_set_new(ov, keywords[m->settings[j].kw].name,
                                            json_string(m->settings[j].value));
                o = json_pack("{s:s, s:b, s:s, s:i, s:o}", "criteria", m->criteria, "all",
                              m->all, "file", m->file, "line", (json_int_t) m->line,
                              "overrides", ov);
                if (!o || json_array_append_new(arr, o) < 0)
                        return NULL;
        }
        return TAKE_PTR(arr);
}

json_t *sshd_config_errors_json(const struct sshd_config *cfg) {
        _cleanup_json_ json_t *arr = json_array();

        if (!arr)
                return NULL;
        for (size_t i = 0; i < cfg->n_errors; i++) {
                json_t *o = json_pack("{s:s, s:i, s:s}", "file", cfg->errors[i].file, "line",
                                      (json_int_t) cfg->errors[i].line, "message",
                                      cfg->errors[i].message);
                if (!o || json_array_append_new(arr, o) < 0)
                        return NULL;
        }
        return TAKE_PTR(arr);
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
