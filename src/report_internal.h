/* SPDX-License-Identifier: MIT */
/* Shared by report.c (reading and verifying the input, one compact entry
 * per record) and report_analyze.c (timelines and figures). Not installed,
 * not used elsewhere. */
#ifndef COMPLYD_REPORT_INTERNAL_H
#define COMPLYD_REPORT_INTERNAL_H

#include "report.h"
#include "verify.h"

#define NO_INDEX UINT32_MAX

enum rstate {
        ST_UNMON, /* not monitored: no result holds */
        ST_PASS,
        ST_FAIL,
        ST_ERROR,
        ST_NA,
        ST_WAIVED,
        _ST_MAX,
};

enum rtype { RT_RESULT, RT_START, RT_STOP, RT_HEARTBEAT, RT_CONFIG, RT_DROPPED, RT_OTHER };

/* One authentic record, as small as the analysis allows. */
struct rrec {
        uint64_t seq;
        int64_t t;              /* its stated time, Unix ms */
        uint32_t host, inst;    /* inst: the host x control pair (results), else NO_INDEX */
        uint32_t text;          /* results: the reason (failing) or the waiver; config.changed: hashes */
        uint32_t order;         /* arrival */
        uint32_t key;           /* its key_id (texts) */
        uint8_t type, status;   /* enum rtype, enum rstate */
        bool waiver_expired;    /* a waiver is configured but expired */
};

/* Interned strings: index -> string, string -> index. */
struct strtab {
        char **s;
        size_t n, cap;
        uint32_t *table;        /* index + 1, open addressing */
        size_t size;
};

int strtab_intern(struct strtab *t, const char *s, size_t len, uint32_t *ret);
void strtab_clear(struct strtab *t);

struct rhost {
        char *hostname;         /* of its highest seq */
        uint64_t hostname_seq;
        uint32_t *insts;        /* its host x control pairs */
        size_t n_insts, cap_insts;
};

struct rinst {
        uint32_t host;
        char *control_id, *title, *severity;
        json_t *criteria;       /* of the highest seq seen */
        uint64_t meta_seq;
};

struct rdrop {
        uint32_t host;
        uint64_t first_seq, last_seq, count, declared_by;
        char *reason;
};

struct report {
        const struct report_options *opt;
        struct strtab host_ids, inst_keys, texts;
        struct rhost *hosts;    /* index = host_ids index */
        size_t cap_hosts;
        struct rinst *insts;    /* index = inst_keys index */
        size_t cap_insts;
        struct rrec *recs;
        size_t n_recs, cap_recs;
        uint64_t *bad;          /* input positions the verifier found not authentic, ascending */
        size_t n_bad, cap_bad;
        struct rdrop *drops;
        size_t n_drops, cap_drops;
        json_t *problems;       /* [{where, kind, host, seq, last_seq, message}] (capped) */
        uint64_t excluded;      /* records left out of the figures */
        struct verify_summary vsum;
        int oom;
};

/* Grows *array (elements of elem bytes) to hold n + 1. 0 or -ENOMEM. */
int report_grow(void *array, size_t *cap, size_t n, size_t elem);

/* Sorts r->recs and builds the report document. 0 or -errno. */
int report_analyze(struct report *r, json_t **ret);

/* "soc2:CC6.1" -> its state name, etc. */
const char *report_state_name(enum rstate s);

/* --- rendering helpers (report_render.c), reading the report document --- */

#define VLINES_MAX 9

/* The verification block both renderers show: label and value pairs
 * (values malloc'ed), the first one the verdict. */
struct vlines {
        const char *label[VLINES_MAX];
        char *value[VLINES_MAX];
        size_t n;
};

const char *rj_str(const json_t *o, const char *key);       /* "" when missing */
double rj_num(const json_t *o, const char *key);            /* 0 when missing */
int64_t rj_ms(const json_t *o, const char *key);            /* a time member as Unix ms */
/* "2025-04-10T12:00:00.000Z" -> "2025-04-10 12:00:00" (".250" kept when not 0). */
const char *rj_time(const json_t *o, const char *key, char buf[static 32]);
/* A duration member in seconds as "2d 3h"; "—" for null. */
const char *rj_dur(const json_t *o, const char *key, char buf[static 48]);
/* A share member as "98.7 %"; "—" for null. */
const char *rj_pct(const json_t *o, const char *key, char buf[static 16]);
int vlines_build(const json_t *report, struct vlines *v);
void vlines_clear(struct vlines *v);

#endif
