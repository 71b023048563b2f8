/* SPDX-License-Identifier: MIT */
/* The probes complyd knows: built-in ones, shared objects and executables
 * found in the configured probe directories. */
#ifndef COMPLYD_REGISTRY_H
#define COMPLYD_REGISTRY_H

#include <stdbool.h>

#include "complyd/probe.h"
#include "diag.h"

enum probe_kind {
        PROBE_BUILTIN,
        PROBE_SHARED_OBJECT,
        PROBE_SCRIPT,
};

struct probe_entry {
        char *name;
        enum probe_kind kind;
        const struct complyd_probe *probe; /* built-in and .so; NULL for scripts */
        char *path;                        /* .so or script file; NULL for built-ins */
        void *dl;                          /* dlopen() handle */
};

struct registry {
        struct probe_entry *entries;
        size_t n;
};

/* Builds the registry from the built-in table and every directory in
 * probe_dirs (NULL-terminated, may be NULL). Problems with a file (ABI
 * mismatch, unsafe permissions, a name clash, dlopen failure) are added to
 * diag naming the file; the rest of the registry is still built. Returns 0 or
 * -ENOMEM. */
int registry_load(char *const *probe_dirs, struct diag_list *diag, struct registry **ret);
void registry_free(struct registry *reg);

const struct probe_entry *registry_find(const struct registry *reg, const char *name);
const char *probe_kind_name(enum probe_kind kind);

/* A probe_lookup_fn for controls_load(): 0 and the parameter table, 1 for a
 * script (it takes any parameters), or -ENOENT. */
int registry_lookup_params(void *reg, const char *name, const struct complyd_param **params);

#endif
