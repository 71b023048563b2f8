/* SPDX-License-Identifier: MIT */
/* Tables generated at build time (see the Makefile): the built-in probes
 * (probes/<name>/) and the embedded default control files (etc/controls.d/). */
#ifndef COMPLYD_BUILTIN_H
#define COMPLYD_BUILTIN_H

#include "complyd/probe.h"

struct builtin_file {
        const char *name; /* "<builtin>/controls.d/mfa.yaml" */
        const char *text; /* NUL-terminated file contents */
};

/* NULL-terminated */
extern const struct complyd_probe *const builtin_probes[];
/* terminated by an entry with name NULL */
extern const struct builtin_file builtin_controls[];

#endif
