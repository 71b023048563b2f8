/* SPDX-License-Identifier: MIT */
/* Second-factor modules. To recognise a new one, add a row. */
#include <string.h>

#include "cleanup.h"
#include "factors.h"

#define OPTS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const struct mfa_factor factors[] = {
        { "pam_google_authenticator", "totp", false, OPTS("nullok"), NULL },
        { "pam_oath", "oath-hotp/totp", false, NULL, NULL },
        { "pam_u2f", "fido2/u2f", false, OPTS("nouserok"), NULL },
        { "pam_yubico", "yubikey-otp", false, OPTS("nullok"), NULL },
        { "pam_duo", "duo", false, NULL, NULL },
        { "login_duo", "duo", true, NULL, NULL },
        { "pam_radius_auth", "radius-otp", false, OPTS("localifdown"), NULL },
        /* pam_sss is a second factor only when it asks for a smartcard */
        { "pam_sss", "sssd-smartcard", false,
          OPTS("try_cert_auth", "ignore_unknown_user", "ignore_authinfo_unavail"),
          OPTS("require_cert_auth", "try_cert_auth") },
        { "pam_pkcs11", "smartcard", false, NULL, NULL },
        { "pam_p11", "smartcard", false, NULL, NULL },
};

const struct mfa_factor *mfa_factor_for_pam(const struct pam_entry *e) {
        if (e->kind != PAM_ENTRY_MODULE)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(factors); i++) {
                const struct mfa_factor *f = &factors[i];
                bool has = !f->needs_options;

                if (f->force_command || !streq(f->module, e->name))
                        continue;
                for (const char *const *o = f->needs_options; o && *o; o++)
                        has |= pam_entry_has_option(e, *o);
                return has ? f : NULL;
        }
        return NULL;
}

const struct mfa_factor *mfa_factor_for_command(const char *command) {
        size_t len = strcspn(command, " \t");
        const char *base = command;

        for (const char *p = command; p < command + len; p++)
                if (*p == '/')
                        base = p + 1;
        len -= (size_t) (base - command);
        for (size_t i = 0; i < ELEMENTSOF(factors); i++)
                if (factors[i].force_command && strlen(factors[i].module) == len &&
                    strncmp(factors[i].module, base, len) == 0)
                        return &factors[i];
        return NULL;
}

const char *mfa_factor_skip_option(const struct mfa_factor *f, const struct pam_entry *e) {
        for (const char *const *o = f->skip_options; o && *o; o++)
                if (pam_entry_has_option(e, *o))
                        return *o;
        return NULL;
}
