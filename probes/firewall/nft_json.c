/* SPDX-License-Identifier: MIT */
/* firewall: the input base chains of `nft -j list ruleset` output
 * (libnftables JSON schema 1: {"nftables": [{"metainfo"}, {"table"},
 * {"chain"}, {"rule"}, ...]}). jansson bounds the nesting depth. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "firewall.h"
#include "fw_internal.h"

/* The verdict of a statement object ({"drop": null}, {"reject": {...}},
 * {"jump": {"target": "x"}}), FW_NONE for anything else. */
static enum fw_verdict stmt_verdict(json_t *stmt) {
        static const char *const jumps[] = { "jump", "goto", "return", "queue", "continue" };

        if (json_object_get(stmt, "accept"))
                return FW_ACCEPT;
        if (json_object_get(stmt, "drop"))
                return FW_DROP;
        if (json_object_get(stmt, "reject"))
                return FW_REJECT;
        for (size_t i = 0; i < ELEMENTSOF(jumps); i++)
                if (json_object_get(stmt, jumps[i]))
                        return FW_JUMP;
        return FW_NONE;
}

/* The verdict of a rule's expression list when nothing but counters,
 * logging and a final verdict is in it (an unconditional rule). */
static enum fw_verdict rule_tail(json_t *expr) {
        size_t n = json_array_size(expr), i;
        json_t *stmt;

        if (n == 0)
                return FW_NONE;
        json_array_foreach(expr, i, stmt) {
                if (i + 1 == n)
                        return stmt_verdict(stmt);
                if (!json_is_object(stmt) || json_object_size(stmt) != 1 ||
                    !(json_object_get(stmt, "counter") || json_object_get(stmt, "log")))
                        return FW_NONE;
        }
        return FW_NONE;
}

static const char *str(json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "";
}

/* A {"chain": {...}} object: kept when it is a filter chain on the input hook. */
static int add_chain(struct fw_ruleset *rs, json_t *c) {
        struct fw_chain *ch;
        bool oom = false;

        if (!streq(str(c, "hook"), "input") || !streq(str(c, "type"), "filter"))
                return 0;
        if (!(ch = fw_ruleset_add_chain(rs, &oom)))
                return oom ? -ENOMEM : 0;
        fw_copy_name(ch->family, sizeof(ch->family), str(c, "family"), strlen(str(c, "family")));
        fw_copy_name(ch->table, sizeof(ch->table), str(c, "table"), strlen(str(c, "table")));
        fw_copy_name(ch->name, sizeof(ch->name), str(c, "name"), strlen(str(c, "name")));
        ch->priority = (int) json_integer_value(json_object_get(c, "prio"));
        ch->policy_drop = streq(str(c, "policy"), "drop");
        ch->base = true;
        return 0;
}

/* A {"rule": {...}} object: counted, and for an input base chain it
 * becomes the chain's current last rule. Chains precede their rules in
 * nft's output. */
static void add_rule(struct fw_ruleset *rs, json_t *r) {
        const char *fam = str(r, "family"), *table = str(r, "table"), *chain = str(r, "chain");

        rs->rules++;
        for (size_t i = 0; i < rs->n_chains; i++) {
                struct fw_chain *c = &rs->chains[i];

                if (strncmp(c->name, chain, FW_NAME_MAX - 1) == 0 &&
                    strncmp(c->table, table, FW_NAME_MAX - 1) == 0 && streq(c->family, fam)) {
                        c->rules++;
                        c->tail = rule_tail(json_object_get(r, "expr"));
                        return;
                }
        }
}

int fw_nft_json_parse(const char *buf, size_t len, struct fw_ruleset *rs) {
        _cleanup_json_ json_t *doc = NULL;
        json_t *list, *item;
        size_t i;
        int r;

        memset(rs, 0, sizeof(*rs));
        if (len > FW_JSON_MAX)
                return 0;
        doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
        list = json_object_get(doc, "nftables");
        if (!json_is_array(list))
                return 0;
        rs->parsed = true;
        json_array_foreach(list, i, item) {
                json_t *v;

                if ((v = json_object_get(item, "table")) && json_is_object(v))
                        rs->tables++;
                else if ((v = json_object_get(item, "chain")) && json_is_object(v)) {
                        if ((r = add_chain(rs, v)) < 0)
                                return r;
                } else if ((v = json_object_get(item, "rule")) && json_is_object(v))
                        add_rule(rs, v);
        }
        return 0;
}
