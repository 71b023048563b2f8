/* SPDX-License-Identifier: MIT */
/* Fuzz target: the firewall probe's nftables.conf parser: any text yields
 * only input base chains, within the chain and include limits, and
 * parsing it twice into one ruleset (as included files are) stays bounded. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../probes/firewall/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fw_ruleset rs = { 0 };

        if (fw_nft_conf_parse((const char *) data, size, &rs) < 0 ||
            fw_nft_conf_parse((const char *) data, size, &rs) < 0) {
                fw_ruleset_done(&rs);
                return 0;
        }
        assert(rs.n_chains <= FW_MAX_CHAINS && rs.n_includes <= FW_MAX_INCLUDES);
        for (size_t i = 0; i < rs.n_chains; i++)
                assert(rs.chains[i].base && memchr(rs.chains[i].table, 0, sizeof(rs.chains[i].table)));
        for (size_t i = 0; i < rs.n_includes; i++)
                assert(rs.includes[i] && strlen(rs.includes[i]) <= size);
        assert(!rs.includes || !rs.includes[rs.n_includes]);
        fw_ruleset_done(&rs);
        return 0;
}
