/* SPDX-License-Identifier: MIT */
/* Fuzz target: the firewall probe's iptables-save parser: at most one
 * chain (the filter table's INPUT), whose rules never exceed all rules. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/firewall/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fw_ruleset rs;

        if (fw_iptables_save_parse((const char *) data, size, size & 1 ? "ip6" : "ip", &rs) < 0)
                return 0;
        assert(rs.n_chains <= 1);
        if (rs.n_chains)
                assert(rs.chains[0].rules <= rs.rules);
        fw_ruleset_done(&rs);
        return 0;
}
