/* SPDX-License-Identifier: MIT */
/* The OCSF mapping shared by the two writers of an event: the tree
 * (format_ocsf_event(), format_ocsf.c: the reference) and the text written
 * directly (format_ocsf_text.c: what the shipper sends). */
#ifndef COMPLYD_FORMAT_OCSF_MAP_H
#define COMPLYD_FORMAT_OCSF_MAP_H

#include <jansson.h>
#include <stddef.h>

#define OCSF_STATUS_DETAILS_MAX 50

struct ocsf_severity {
        const char *name, *caption;
        int id;
};

struct status_map {
        const char *status;
        int compliance_id;
        const char *compliance;
        int finding_id;
        const char *finding;
};

struct ocsf_standard {
        const char *prefix, *name;
};

extern const struct ocsf_severity ocsf_severities[];
extern const size_t ocsf_n_severities;
extern const struct ocsf_standard ocsf_standards[];
extern const size_t ocsf_n_standards;

/* The row of a result status; an "Unknown" row for anything else. */
const struct status_map *ocsf_status_lookup(const char *status);

static inline const char *jstr(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

#endif
