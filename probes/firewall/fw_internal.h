/* SPDX-License-Identifier: MIT */
/* firewall: helpers shared by the parsers of this probe only. */
#ifndef COMPLYD_FW_INTERNAL_H
#define COMPLYD_FW_INTERNAL_H

#include "firewall.h"

#define FW_JSON_MAX (64u << 20) /* `nft -j` output parsed at most */

struct fw_chain *fw_ruleset_add_chain(struct fw_ruleset *rs, bool *oom);
void fw_copy_name(char *dst, size_t size, const char *s, size_t len);

#endif
