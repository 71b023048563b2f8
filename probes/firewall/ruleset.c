/* SPDX-License-Identifier: MIT */
/* firewall: the ruleset model shared by the parsers (chains, verdicts). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "firewall.h"
#include "fw_internal.h"

void fw_ruleset_done(struct fw_ruleset *rs) {
        free(rs->chains);
        strv_free(rs->includes);
        rs->chains = NULL;
        rs->includes = NULL;
        rs->n_chains = rs->n_includes = 0;
}

const char *fw_verdict_name(enum fw_verdict v) {
        switch (v) {
        case FW_ACCEPT: return "accept";
        case FW_DROP: return "drop";
        case FW_REJECT: return "reject";
        case FW_JUMP: return "jump";
        case FW_NONE: break;
        }
        return NULL;
}

enum fw_verdict fw_chain_default(const struct fw_chain *c) {
        if (c->policy_drop)
                return FW_DROP;
        if (c->tail == FW_DROP || c->tail == FW_REJECT)
                return c->tail;
        return FW_ACCEPT;
}

bool fw_family_covers(const char *family, bool ipv6) {
        return streq(family, "inet") || streq(family, ipv6 ? "ip6" : "ip");
}

/* Appends a zeroed chain to rs and returns it; NULL when the table is full
 * (rs->chains_truncated set) or on out-of-memory (*oom set). */

struct fw_chain *fw_ruleset_add_chain(struct fw_ruleset *rs, bool *oom) {
        struct fw_chain *p;

        if (rs->n_chains >= FW_MAX_CHAINS) {
                rs->chains_truncated = true;
                return NULL;
        }
        if (!(p = reallocarray(rs->chains, rs->n_chains + 1, sizeof(*p)))) {
                *oom = true;
                return NULL;
        }
        rs->chains = p;
        p = &rs->chains[rs->n_chains++];
        memset(p, 0, sizeof(*p));
        return p;
}

/* Copies at most FW_NAME_MAX-1 bytes of s (len bytes) into dst. */

void fw_copy_name(char *dst, size_t size, const char *s, size_t len) {
        if (len >= size)
                len = size - 1;
        memcpy(dst, s, len);
        dst[len] = '\0';
}
