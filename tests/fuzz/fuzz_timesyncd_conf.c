/* SPDX-License-Identifier: MIT */
/* Fuzz target: the time_sync probe's timesyncd.conf parser, fed the input
 * twice into one state (as drop-ins are): lists stay bounded arrays. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/time_sync/time_sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct ts_timesyncd st = { 0 };

        if (ts_timesyncd_parse((const char *) data, size, &st) == 0)
                (void) ts_timesyncd_parse((const char *) data, size, &st);
        assert(!st.ntp || (json_is_array(st.ntp) && json_array_size(st.ntp) <= TS_SOURCES_MAX));
        assert(!st.fallback || json_array_size(st.fallback) <= TS_SOURCES_MAX);
        ts_timesyncd_done(&st);
        return 0;
}
