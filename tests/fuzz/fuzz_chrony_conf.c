/* SPDX-License-Identifier: MIT */
/* Fuzz target: the time_sync probe's chrony.conf / ntp.conf source
 * parser: the sources added are counted right and stay within limits. */
#include <assert.h>
#include <stdint.h>

#include "../../probes/time_sync/time_sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_t *src = json_array(), *dirs = json_pack("{s:[], s:[], s:[]}", "confdir", "sourcedir",
                                                       "include");
        int r;

        assert(src && dirs);
        r = ts_sources_parse((const char *) data, size, src, dirs);
        assert(r >= 0 && (size_t) r == json_array_size(src) && r <= TS_SOURCES_MAX);
        assert(json_array_size(json_object_get(dirs, "confdir")) <= TS_DIRS_MAX);
        json_decref(src);
        json_decref(dirs);
        return 0;
}
