/* SPDX-License-Identifier: MIT */
/* firewall probe internals: the input base chains found in an nftables
 * ruleset (`nft -j list ruleset` output or an nftables.conf text) or an
 * iptables-save text, and the pure parsers that find them, plus the small
 * readers of ufw's and firewalld's configuration. Parsers take (buffer,
 * length), accept any bytes, have explicit limits and never touch a file,
 * so unit and fuzz tests call them directly. Exported names start with fw_. */
#ifndef COMPLYD_FIREWALL_H
#define COMPLYD_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define FW_NAME_MAX 64          /* table and chain names kept (nft allows 256) */
#define FW_MAX_CHAINS 1024      /* input base chains kept per ruleset */
#define FW_MAX_INCLUDES 64      /* include statements kept per nftables.conf */
#define FW_TEXT_MAX (16u << 20) /* text input beyond this is ignored */
#define FW_TOKENS_MAX 4096      /* tokens kept of one nftables.conf statement */
#define FW_DEPTH_MAX 64         /* nested braces in nftables.conf */

/* What the last rule of a chain does when it is unconditional (only
 * counters, logging and comments besides the verdict). */
enum fw_verdict {
        FW_NONE = 0, /* no rules, or the last rule has a condition or no verdict */
        FW_ACCEPT,
        FW_DROP,
        FW_REJECT,
        FW_JUMP,     /* jump, goto, return, queue, continue: no final decision here */
};

/* One filter chain on the input hook (nft), or the filter table's INPUT
 * chain (iptables). family is "ip", "ip6", "inet" (or another nft family,
 * which does not see IPv4/IPv6 input traffic). */
struct fw_chain {
        char family[8];
        char table[FW_NAME_MAX];
        char name[FW_NAME_MAX];
        int priority;
        bool policy_drop;        /* policy drop (nft) / DROP (iptables) */
        bool base;               /* a base chain on the input hook of type filter */
        unsigned long rules;
        enum fw_verdict tail;    /* the last rule's unconditional verdict */
};

struct fw_ruleset {
        struct fw_chain *chains;    /* input base chains only */
        size_t n_chains;
        bool chains_truncated;
        unsigned long tables;       /* tables seen */
        unsigned long rules;        /* rules seen in all chains */
        char **includes;            /* nftables.conf: include patterns, NULL-terminated */
        size_t n_includes;
        char generator[96];         /* iptables-save: "iptables-nft-save v1.8.9 (nf_tables)" */
        bool legacy_tables_warning; /* iptables-nft-save warned of legacy tables */
        bool parsed;                /* the input had the expected shape */
};

void fw_ruleset_done(struct fw_ruleset *rs);

const char *fw_verdict_name(enum fw_verdict v);

/* The inbound default of a chain: drop when its policy drops, else the
 * tail verdict when it is drop or reject, else accept. */
enum fw_verdict fw_chain_default(const struct fw_chain *c);

/* Whether a chain of this nft family filters IPv4 / IPv6 input. */
bool fw_family_covers(const char *family, bool ipv6);

/* Parses `nft -j list ruleset` output into rs (zeroed first): every chain
 * with "hook": "input" and "type": "filter", its policy, rule count and
 * the tail verdict. Returns 0 (rs->parsed false when the text is not an
 * nftables JSON document), or -ENOMEM. */
int fw_nft_json_parse(const char *buf, size_t len, struct fw_ruleset *rs);

/* Parses an nftables script (/etc/nftables.conf) into rs (chains are
 * appended, so several included files fill one ruleset): table and chain
 * blocks, `add chain`/`add rule` commands, the chain's type/hook/priority/
 * policy and its rules; define, set, map and other blocks are skipped.
 * Top-level include "PATTERN" statements are appended to rs->includes.
 * Returns 0 or -ENOMEM; garbage yields no chains. */
int fw_nft_conf_parse(const char *buf, size_t len, struct fw_ruleset *rs);

/* Parses iptables-save / ip6tables-save output (or a rules.v4/v6 file)
 * into rs (zeroed first): the filter table's INPUT chain with its policy,
 * rule count and tail verdict, as one chain of family fam ("ip"/"ip6").
 * Returns 0 (rs->parsed false when no table was found), or -ENOMEM. */
int fw_iptables_save_parse(const char *buf, size_t len, const char *fam, struct fw_ruleset *rs);

/* The value of KEY= in a shell-style KEY=VALUE file (ufw.conf,
 * /etc/default/ufw, firewalld.conf): last assignment wins, quotes and
 * comments removed. Returns 1 and a malloc'ed value, 0 when absent,
 * -ENOMEM. */
int fw_kv_value(const char *buf, size_t len, const char *key, char **value);

/* The user rules of ufw's user.rules/user6.rules: the text after
 * "### tuple ### " of each such line ("allow tcp 22 0.0.0.0/0 any
 * 0.0.0.0/0 in"), appended to arr (at most 1024). Returns the number
 * added or -ENOMEM. */
int fw_ufw_user_rules(const char *buf, size_t len, json_t *arr);

/* The target attribute of the <zone> element of a firewalld zone XML
 * file: 1 and a malloc'ed value ("DROP", "%%REJECT%%", "ACCEPT"), 0 when
 * the zone has none (firewalld's "default"), -EINVAL when there is no
 * <zone> element, -ENOMEM. */
int fw_firewalld_zone_target(const char *buf, size_t len, char **target);

#endif
