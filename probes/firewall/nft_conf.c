/* SPDX-License-Identifier: MIT */
/* firewall: the input base chains of an nftables script (nftables.conf),
 * read as far as policies and rule tails need: a tokenizer (words, quoted
 * strings, braces, statement ends) and a brace stack that knows tables,
 * chains, skipped blocks (sets, maps, flowtables, ...) and anonymous sets
 * inside a statement ("tcp dport { 80, 443 } accept"). Variables are not
 * expanded; include statements are returned for the caller to read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "firewall.h"
#include "fw_internal.h"

struct tok {
        const char *s;
        size_t len;
};

enum frame_kind { F_TOP, F_TABLE, F_CHAIN, F_SKIP, F_ANON };

struct frame {
        enum frame_kind kind;
        char family[8], table[FW_NAME_MAX];
        long chain;   /* index in rs->chains (F_CHAIN) */
        bool created; /* the chain was added by this block */
};

struct parser {
        struct fw_ruleset *rs;
        struct frame stack[FW_DEPTH_MAX];
        int depth;                /* frames in use; stack[0] is F_TOP */
        struct tok *stmt;
        size_t n;
        bool oom, stop;
};

static bool tok_is(const struct tok *t, const char *s) {
        return t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

static bool is_family(const struct tok *t) {
        static const char *const fams[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };

        for (size_t i = 0; i < ELEMENTSOF(fams); i++)
                if (tok_is(t, fams[i]))
                        return true;
        return false;
}

/* Reads "[family] table" at stmt[i..] into fam/table; returns the index after. */
static size_t family_table(const struct parser *p, size_t i, char *fam, char *table) {
        const struct tok *t = p->stmt;

        if (i < p->n && is_family(&t[i]))
                fw_copy_name(fam, 8, t[i].s, t[i].len), i++;
        else
                strcpy(fam, "ip");
        if (i < p->n)
                fw_copy_name(table, FW_NAME_MAX, t[i].s, t[i].len), i++;
        else
                table[0] = '\0';
        return i;
}

/* The verdict of rule tokens t[0..n) when the rule is unconditional:
 * only counter, log (with options) and comment before the verdict. */
static enum fw_verdict rule_tail(const struct tok *t, size_t n) {
        static const char *const logopts[] = { "prefix", "level", "flags", "group", "snaplen",
                                               "queue-threshold" };
        size_t i = 0;

        while (i < n) {
                if (tok_is(&t[i], "counter")) {
                        i++;
                        while (i + 1 < n && (tok_is(&t[i], "packets") || tok_is(&t[i], "bytes")))
                                i += 2;
                } else if (tok_is(&t[i], "log")) {
                        bool opt = true;
                        i++;
                        while (opt && i + 1 < n) {
                                opt = false;
                                for (size_t k = 0; k < ELEMENTSOF(logopts); k++)
                                        if (tok_is(&t[i], logopts[k]))
                                                opt = true;
                                if (opt)
                                        i += 2;
                        }
                } else if (tok_is(&t[i], "comment") && i + 1 < n)
                        i += 2;
                else
                        break;
        }
        if (i >= n)
                return FW_NONE;
        /* after the verdict only its arguments and a comment may follow */
        if (tok_is(&t[i], "reject"))
                return FW_REJECT;
        if (i + 1 < n && !tok_is(&t[i + 1], "comment") &&
            !(tok_is(&t[i], "jump") || tok_is(&t[i], "goto") || tok_is(&t[i], "queue")))
                return FW_NONE;
        if (tok_is(&t[i], "accept"))
                return FW_ACCEPT;
        if (tok_is(&t[i], "drop"))
                return FW_DROP;
        if (tok_is(&t[i], "jump") || tok_is(&t[i], "goto") || tok_is(&t[i], "return") ||
            tok_is(&t[i], "queue") || tok_is(&t[i], "continue"))
                return FW_JUMP;
        return FW_NONE;
}

/* A chain priority: a number, or a standard name with an optional
 * "+ N" / "- N" offset ("filter", "mangle - 5"). */
static int priority_value(const struct tok *t, size_t n) {
        static const struct { const char *name; int v; } names[] = {
                { "raw", -300 }, { "mangle", -150 }, { "dstnat", -100 },
                { "filter", 0 }, { "security", 50 }, { "srcnat", 100 },
        };
        char buf[16];
        int v = 0;

        if (n == 0 || t[0].len >= sizeof(buf))
                return 0;
        fw_copy_name(buf, sizeof(buf), t[0].s, t[0].len);
        if ((buf[0] >= '0' && buf[0] <= '9') || buf[0] == '-')
                return atoi(buf);
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(buf, names[i].name))
                        v = names[i].v;
        if (n >= 3 && t[2].len < sizeof(buf) && (tok_is(&t[1], "+") || tok_is(&t[1], "-"))) {
                fw_copy_name(buf, sizeof(buf), t[2].s, t[2].len);
                v += tok_is(&t[1], "+") ? atoi(buf) : -atoi(buf);
        }
        return v;
}

/* "type filter hook input [device X] priority P" inside a chain. */
static void chain_type(struct fw_chain *c, const struct tok *t, size_t n) {
        bool filter = n > 1 && tok_is(&t[1], "filter"), input = false;

        for (size_t i = 2; i + 1 < n; i++) {
                if (tok_is(&t[i], "hook"))
                        input = tok_is(&t[i + 1], "input");
                else if (tok_is(&t[i], "priority"))
                        c->priority = priority_value(t + i + 1, n - i - 1);
        }
        c->base = filter && input;
}

static struct fw_chain *find_chain(struct fw_ruleset *rs, const char *fam, const char *table,
                                   const char *name) {
        for (size_t i = 0; i < rs->n_chains; i++)
                if (streq(rs->chains[i].family, fam) && streq(rs->chains[i].table, table) &&
                    streq(rs->chains[i].name, name))
                        return &rs->chains[i];
        return NULL;
}

static void count_rule(struct fw_ruleset *rs, struct fw_chain *c, const struct tok *t, size_t n) {
        rs->rules++;
        if (c) {
                c->rules++;
                c->tail = rule_tail(t, n);
        }
}

/* Appends the include pattern (a quoted string token) to rs->includes. */
static void add_include(struct parser *p, const struct tok *t) {
        char **v;

        if (p->rs->n_includes >= FW_MAX_INCLUDES)
                return;
        if (!(v = reallocarray(p->rs->includes, p->rs->n_includes + 2, sizeof(char *)))) {
                p->oom = true;
                return;
        }
        p->rs->includes = v;
        if (!(v[p->rs->n_includes] = strndup(t->s, t->len))) {
                p->oom = true;
                v[p->rs->n_includes] = NULL;
                return;
        }
        v[++p->rs->n_includes] = NULL;
}

/* A complete statement in the current frame. */
static void statement(struct parser *p) {
        struct frame *f = &p->stack[p->depth - 1];
        const struct tok *t = p->stmt;
        char fam[8], table[FW_NAME_MAX], name[FW_NAME_MAX];

        if (p->n == 0)
                return;
        if (f->kind == F_CHAIN) {
                struct fw_chain *c = &p->rs->chains[f->chain];

                if (tok_is(&t[0], "type"))
                        chain_type(c, t, p->n);
                else if (tok_is(&t[0], "policy") && p->n > 1)
                        c->policy_drop = tok_is(&t[1], "drop");
                else if (!tok_is(&t[0], "comment") && !tok_is(&t[0], "devices") &&
                         !tok_is(&t[0], "device"))
                        count_rule(p->rs, c, t, p->n);
        } else if (f->kind == F_TOP) {
                if (tok_is(&t[0], "include") && p->n > 1)
                        add_include(p, &t[1]);
                else if (p->n > 2 && (tok_is(&t[0], "add") || tok_is(&t[0], "insert")) &&
                         tok_is(&t[1], "rule")) {
                        size_t i = family_table(p, 2, fam, table);

                        if (i < p->n) {
                                fw_copy_name(name, sizeof(name), t[i].s, t[i].len);
                                count_rule(p->rs, find_chain(p->rs, fam, table, name), t + i + 1,
                                           p->n - i - 1);
                        }
                } else if (tok_is(&t[0], "table") || (p->n > 1 && tok_is(&t[1], "table")))
                        p->rs->tables++;
        }
}

static void push(struct parser *p, struct frame f) {
        if (p->depth >= FW_DEPTH_MAX) {
                p->stop = true;
                return;
        }
        p->stack[p->depth++] = f;
}

/* Opens a chain block for fam/table/name: the existing chain when the
 * script declares it again, else a new one (kept only if it turns out to
 * be an input base chain). */
static void open_chain(struct parser *p, const char *fam, const char *table, const char *name) {
        struct fw_chain *c = find_chain(p->rs, fam, table, name);
        struct frame f = { .kind = F_CHAIN };

        if (!c) {
                if (!(c = fw_ruleset_add_chain(p->rs, &p->oom))) {
                        push(p, (struct frame) { .kind = F_SKIP });
                        return;
                }
                strcpy(c->family, fam);
                strcpy(c->table, table);
                strcpy(c->name, name);
                f.created = true;
        }
        f.chain = c - p->rs->chains;
        push(p, f);
}

/* A '{': what block it opens depends on the frame and the statement so far. */
static void open_brace(struct parser *p) {
        struct frame *f = &p->stack[p->depth - 1], nf = { .kind = F_SKIP };
        const struct tok *t = p->stmt;
        char name[FW_NAME_MAX];
        size_t i = 0;

        if (f->kind == F_ANON || (f->kind == F_CHAIN && p->n > 0) ||
            (f->kind == F_TOP && p->n > 0 && tok_is(&t[0], "define"))) {
                push(p, (struct frame) { .kind = F_ANON });
                return; /* the statement goes on */
        }
        if (f->kind == F_TOP && p->n > 0) {
                if (p->n > 1 && (tok_is(&t[0], "add") || tok_is(&t[0], "create")))
                        i = 1;
                if (tok_is(&t[i], "table")) {
                        nf.kind = F_TABLE;
                        family_table(p, i + 1, nf.family, nf.table);
                        p->rs->tables++;
                } else if (tok_is(&t[i], "chain") && i == 1) {
                        size_t k = family_table(p, 2, nf.family, nf.table);
                        if (k < p->n) {
                                fw_copy_name(name, sizeof(name), t[k].s, t[k].len);
                                p->n = 0;
                                open_chain(p, nf.family, nf.table, name);
                                return;
                        }
                }
        } else if (f->kind == F_TABLE && p->n == 2 && tok_is(&t[0], "chain")) {
                fw_copy_name(name, sizeof(name), t[1].s, t[1].len);
                p->n = 0;
                open_chain(p, f->family, f->table, name);
                return;
        }
        p->n = 0;
        push(p, nf);
}

/* A '}': ends the statement in progress and the block. A chain that is
 * not an input base chain is dropped again. */
static void close_brace(struct parser *p) {
        struct frame *f = &p->stack[p->depth - 1];

        if (p->depth <= 1)
                return; /* unbalanced: ignored */
        if (f->kind == F_ANON) {
                p->depth--;
                return;
        }
        statement(p);
        p->n = 0;
        if (f->kind == F_CHAIN && f->created && !p->rs->chains[f->chain].base &&
            (size_t) f->chain == p->rs->n_chains - 1)
                p->rs->n_chains--;
        p->depth--;
}

static void add_token(struct parser *p, const char *s, size_t len) {
        if (p->n < FW_TOKENS_MAX)
                p->stmt[p->n++] = (struct tok) { s, len };
}

/* Ends a statement at a newline or ';' (not inside an anonymous set). */
static void end_statement(struct parser *p) {
        if (p->stack[p->depth - 1].kind == F_ANON)
                return;
        statement(p);
        p->n = 0;
}

/* Removes chains that are not input base chains: a block the text never
 * closed, or a chain that a later declaration moved to another hook. */
static void drop_non_base(struct fw_ruleset *rs) {
        size_t n = 0;

        for (size_t i = 0; i < rs->n_chains; i++)
                if (rs->chains[i].base)
                        rs->chains[n++] = rs->chains[i];
        rs->n_chains = n;
}

int fw_nft_conf_parse(const char *buf, size_t len, struct fw_ruleset *rs) {
        struct parser p = { .rs = rs, .depth = 1 };
        const char *s = buf, *end;

        if (len > FW_TEXT_MAX)
                len = FW_TEXT_MAX;
        end = buf + len;
        if (!(p.stmt = calloc(FW_TOKENS_MAX, sizeof(*p.stmt))))
                return -ENOMEM;
        p.stack[0].kind = F_TOP;
        while (s < end && !p.oom && !p.stop) {
                char c = *s;

                if (c == ' ' || c == '\t' || c == '\r' || c == '\0')
                        s++;
                else if (c == '\\' && s + 1 < end && s[1] == '\n')
                        s += 2;
                else if (c == '\n' || c == ';')
                        end_statement(&p), s++;
                else if (c == '#') {
                        while (s < end && *s != '\n')
                                s++;
                } else if (c == '{')
                        open_brace(&p), s++;
                else if (c == '}')
                        close_brace(&p), s++;
                else if (c == '"') {
                        const char *q = ++s;
                        while (s < end && *s != '"' && *s != '\n')
                                s++;
                        add_token(&p, q, (size_t) (s - q));
                        if (s < end && *s == '"')
                                s++;
                } else {
                        const char *w = s;
                        while (s < end && !strchr(" \t\r\n;{}#\"", *s) && *s != '\0')
                                s++;
                        add_token(&p, w, (size_t) (s - w));
                }
        }
        if (!p.oom && p.depth == 1)
                statement(&p);
        free(p.stmt);
        drop_non_base(rs);
        if (p.oom)
                return -ENOMEM;
        rs->parsed = true;
        return 0;
}
