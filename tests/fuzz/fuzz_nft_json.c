/* SPDX-License-Identifier: MIT */
/* Fuzz target: the firewall probe's parser of `nft -j list ruleset` output:
 * never crashes, keeps at most FW_MAX_CHAINS input chains, each with a
 * NUL-terminated family, table and name. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/firewall/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fw_ruleset rs;

        if (fw_nft_json_parse((const char *) data, size, &rs) < 0)
                return 0;
        assert(rs.n_chains <= FW_MAX_CHAINS);
        for (size_t i = 0; i < rs.n_chains; i++) {
                assert(memchr(rs.chains[i].family, 0, sizeof(rs.chains[i].family)));
                assert(memchr(rs.chains[i].name, 0, sizeof(rs.chains[i].name)));
                assert(rs.chains[i].base);
                (void) fw_chain_default(&rs.chains[i]);
        }
        fw_ruleset_done(&rs);
        return 0;
}
