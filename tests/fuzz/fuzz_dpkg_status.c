/* SPDX-License-Identifier: MIT */
/* Fuzz target: dpkg status parser (and the hash table it fills). */
#include <stdint.h>
#include <string.h>

#include "dpkg_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pkgdb db = { 0 };

        if (dpkg_status_parse((const char *) data, size, &db) >= 0)
                for (size_t i = 0; i < db.n; i++)
                        if (pkgdb_find(&db, db.pkgs[i].name, strlen(db.pkgs[i].name)) == NULL)
                                __builtin_trap(); /* every added name must be found again */
        pkgdb_free(&db);
        return 0;
}
