/* SPDX-License-Identifier: MIT */
/* firewall: the probe on fixture roots (Debian's default nftables.conf, a
 * hardened one, one not enabled, IPv4-only, includes, ufw on and off,
 * iptables-persistent, firewalld public and trusted, nothing at all) and
 * its parsers on outputs recorded from the real tools (nft 1.0.6,
 * iptables-nft 1.8.9, Debian 12) loaded with real rulesets: Debian's
 * default, a ufw-generated ruleset, docker's chains, an empty ruleset. */
#include "cleanup.h"
#include "probe_ctx.h"
#include "testutil.h"
#include "../../probes/firewall/firewall.h"

extern const struct complyd_probe complyd_probe_firewall;

#define REC(name) FIXTURE("hosts/fw-recorded/" name)

static json_t *observe(const char *root) {
        json_t *params, *out = NULL;
        char err[256];
        struct complyd_probe_ctx *ctx;

        ck_assert_int_eq(probe_params_resolve(&complyd_probe_firewall, NULL, &params, err,
                                              sizeof(err)), 0);
        ck_assert_int_eq(probe_ctx_new(root, params, 0, &ctx), 0);
        ck_assert_int_eq(complyd_probe_firewall.observe(ctx, &out), 0);
        probe_ctx_free(ctx);
        json_decref(params);
        ck_assert_str_eq(json_string_value(json_object_get(out, "schema")), "complyd.firewall.v1");
        return out;
}

/* Reads a recorded file whole; the caller frees it. */
static char *slurp(const char *path, size_t *len) {
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        ck_assert_msg(f != NULL, "%s", path);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc((size_t) n + 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        *len = (size_t) n;
        return buf;
}

static json_t *path(json_t *o, const char *a, const char *b, const char *c) {
        o = json_object_get(o, a);
        if (b)
                o = json_object_get(o, b);
        if (c)
                o = json_object_get(o, c);
        return o;
}

static const char *s(json_t *v) {
        return json_is_null(v) ? "null" : json_string_value(v);
}

/* inbound.<fam>: default_deny, source and chain as "true nftables inet filter input". */
static void inbound_is(json_t *o, const char *fam, const char *want) {
        json_t *in = path(o, "inbound", fam, NULL);
        char buf[256];

        snprintf(buf, sizeof(buf), "%s %s %s %s", json_is_true(json_object_get(in, "default_deny"))
                 ? "true" : "false", s(json_object_get(in, "basis")), s(json_object_get(in, "source")),
                 s(json_object_get(in, "chain")));
        ck_assert_str_eq(buf, want);
        ck_assert(json_equal(json_object_get(in, "default_deny"),
                             path(o, "inbound_default_deny", fam, NULL)));
}

/* The chains of a ruleset as "family table name policy rules last default; ...". */
static void chains_are(const struct fw_ruleset *rs, const char *want) {
        char buf[1024] = "";
        size_t off = 0;

        for (size_t i = 0; i < rs->n_chains; i++) {
                const struct fw_chain *c = &rs->chains[i];
                const char *tail = fw_verdict_name(c->tail);

                off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%s%s %s %s %d %s %lu %s %s",
                                         i ? "; " : "", c->family, c->table, c->name, c->priority,
                                         c->policy_drop ? "drop" : "accept", c->rules,
                                         tail ? tail : "-", fw_verdict_name(fw_chain_default(c)));
        }
        ck_assert_str_eq(buf, want);
}

START_TEST(root_debian_default_nftables) {
        json_t *o = observe(FIXTURE("hosts/fw-debian-nftables-default"));

        inbound_is(o, "ipv4", "false saved configuration null null");
        inbound_is(o, "ipv6", "false saved configuration null null");
        ck_assert_str_eq(s(path(o, "nftables", "source", NULL)), "/etc/nftables.conf");
        ck_assert(json_is_true(path(o, "nftables", "service_enabled", NULL)));
        ck_assert_int_eq(json_array_size(path(o, "nftables", "input_chains", NULL)), 1);
        ck_assert_str_eq(s(json_object_get(json_array_get(path(o, "nftables", "input_chains", NULL), 0),
                                           "default")), "accept");
        json_decref(o);
}
END_TEST

START_TEST(root_nftables_hardened) {
        json_t *o = observe(FIXTURE("hosts/fw-nftables-hardened"));
        json_t *c = json_array_get(path(o, "nftables", "input_chains", NULL), 0);

        inbound_is(o, "ipv4", "true saved configuration nftables inet filter input");
        inbound_is(o, "ipv6", "true saved configuration nftables inet filter input");
        ck_assert_str_eq(s(json_object_get(c, "policy")), "drop");
        ck_assert_int_eq(json_integer_value(json_object_get(c, "rules")), 9);
        ck_assert(json_is_null(json_object_get(c, "last_rule")));
        json_decref(o);
}
END_TEST

/* The same file, but nftables.service is not enabled: it never loads. */
START_TEST(root_nftables_not_enabled) {
        json_t *o = observe(FIXTURE("hosts/fw-nftables-not-enabled"));

        inbound_is(o, "ipv4", "false no firewall configured null null");
        ck_assert_int_eq(json_array_size(path(o, "nftables", "input_chains", NULL)), 1);
        ck_assert_int_eq(json_array_size(path(o, "managers_enabled", NULL, NULL)), 0);
        json_decref(o);
}
END_TEST

START_TEST(root_nftables_v4only) {
        json_t *o = observe(FIXTURE("hosts/fw-nftables-v4only"));

        inbound_is(o, "ipv4", "true saved configuration nftables ip filter INPUT");
        inbound_is(o, "ipv6", "false saved configuration null null");
        json_decref(o);
}
END_TEST

/* include "/etc/nftables.d/ *.nft" (sic, without the blank): the input chain lives in an included
 * file and ends in an unconditional reject. */
START_TEST(root_nftables_include) {
        json_t *o = observe(FIXTURE("hosts/fw-nftables-include"));
        json_t *files = path(o, "nftables", "files", NULL);

        inbound_is(o, "ipv6", "true saved configuration nftables inet filter input");
        ck_assert_int_eq(json_array_size(files), 3);
        ck_assert_str_eq(s(json_array_get(files, 1)), "/etc/nftables.d/10-filter.nft");
        ck_assert_str_eq(s(path(o, "inbound", "ipv4", "default")), "reject");
        json_decref(o);
}
END_TEST

START_TEST(root_ufw_enabled) {
        json_t *o = observe(FIXTURE("hosts/fw-ufw-enabled"));
        json_t *rules = path(o, "ufw", "user_rules", NULL);

        inbound_is(o, "ipv4", "true saved configuration ufw null");
        inbound_is(o, "ipv6", "true saved configuration ufw null");
        ck_assert(json_is_true(path(o, "ufw", "enabled", NULL)));
        ck_assert_str_eq(s(path(o, "ufw", "default_input_policy", NULL)), "DROP");
        ck_assert_int_eq(json_array_size(rules), 4);
        ck_assert_str_eq(s(json_array_get(rules, 0)), "allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in");
        ck_assert_str_eq(s(json_array_get(rules, 2)), "allow tcp 22 ::/0 any ::/0 in");
        ck_assert_str_eq(s(json_array_get(path(o, "managers_enabled", NULL, NULL), 0)), "ufw");
        json_decref(o);
}
END_TEST

START_TEST(root_ufw_disabled) {
        json_t *o = observe(FIXTURE("hosts/fw-ufw-disabled"));

        inbound_is(o, "ipv4", "false no firewall configured null null");
        ck_assert(json_is_false(path(o, "ufw", "enabled", NULL)));
        ck_assert_int_eq(json_array_size(path(o, "ufw", "user_rules", NULL)), 0);
        json_decref(o);
}
END_TEST

START_TEST(root_iptables_persistent) {
        json_t *o = observe(FIXTURE("hosts/fw-iptables-persistent"));
        json_t *c = json_array_get(path(o, "iptables", "ipv4", "input_chains"), 0);

        inbound_is(o, "ipv4", "true saved configuration iptables ip filter INPUT");
        inbound_is(o, "ipv6", "false saved configuration null null");
        ck_assert_str_eq(s(path(o, "iptables", "ipv4", "source")), "/etc/iptables/rules.v4");
        ck_assert_str_eq(s(path(o, "iptables", "ipv4", "generator")), "iptables-save v1.8.9");
        ck_assert_int_eq(json_integer_value(json_object_get(c, "rules")), 5);
        json_decref(o);
}
END_TEST

START_TEST(root_firewalld) {
        json_t *o = observe(FIXTURE("hosts/fw-firewalld-public"));

        inbound_is(o, "ipv4", "true saved configuration firewalld null");
        ck_assert_str_eq(s(path(o, "firewalld", "default_zone", NULL)), "public");
        ck_assert_str_eq(s(path(o, "firewalld", "zone_target", NULL)), "default");
        ck_assert_str_eq(s(path(o, "firewalld", "zone_file", NULL)),
                         "/usr/lib/firewalld/zones/public.xml");
        json_decref(o);
        o = observe(FIXTURE("hosts/fw-firewalld-trusted"));
        inbound_is(o, "ipv6", "false saved configuration null null");
        ck_assert_str_eq(s(path(o, "firewalld", "zone_target", NULL)), "ACCEPT");
        json_decref(o);
}
END_TEST

START_TEST(root_nothing) {
        json_t *o = observe(FIXTURE("hosts/fw-none"));

        inbound_is(o, "ipv4", "false no firewall configured null null");
        inbound_is(o, "ipv6", "false no firewall configured null null");
        ck_assert(json_is_null(path(o, "inbound", "ipv6", "kernel_enabled")));
        ck_assert(json_is_false(path(o, "nftables", "installed", NULL)));
        ck_assert(json_is_null(path(o, "ufw", "enabled", NULL)));
        json_decref(o);
}
END_TEST

/* nft's JSON of each recorded ruleset: the input base chains. */
START_TEST(nft_json_recorded) {
        static const struct { const char *file, *chains; unsigned long tables; } cases[] = {
                { REC("nft-debian-default.json"), "inet filter input 0 accept 0 - accept", 1 },
                { REC("nft-hardened.json"), "inet filter input 0 drop 9 - drop", 1 },
                { REC("nft-reject-tail.json"), "inet filter input 0 accept 4 reject reject", 1 },
                { REC("nft-v4only.json"), "ip filter INPUT 0 drop 3 - drop; "
                                          "ip6 filter INPUT 0 accept 0 - accept", 2 },
                { REC("nft-empty.json"), "", 0 },
                /* iptables-nft's ufw tables: INPUT policy DROP, last rule a jump */
                { REC("nft-ufw.json"), "ip filter INPUT 0 drop 6 jump drop; "
                                       "ip6 filter INPUT 0 drop 6 jump drop", 2 },
                /* docker: the nat table's INPUT chain is type nat, not counted */
                { REC("nft-docker.json"), "ip filter INPUT 0 accept 0 - accept", 2 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct fw_ruleset rs;
                size_t len;
                char *buf = slurp(cases[i].file, &len);

                ck_assert_int_eq(fw_nft_json_parse(buf, len, &rs), 0);
                ck_assert_msg(rs.parsed, "%s", cases[i].file);
                chains_are(&rs, cases[i].chains);
                ck_assert_uint_eq(rs.tables, cases[i].tables);
                fw_ruleset_done(&rs);
                free(buf);
        }
}
END_TEST

/* The text parser gives the same chains as nft's own JSON of the same
 * script (the script was loaded with nft -f and listed with nft -j), for
 * the scripts and for nft's `list ruleset` text of them. */
START_TEST(nft_conf_agrees_with_nft_json) {
        static const char *const names[] = { "debian-default", "hardened", "reject-tail", "v4only" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                static const char *const kinds[] = { ".nft", ".nft-list.txt" };
                char p[512];
                struct fw_ruleset want;
                size_t len;
                char *buf;

                snprintf(p, sizeof(p), REC("nft-%s.json"), names[i]);
                buf = slurp(p, &len);
                ck_assert_int_eq(fw_nft_json_parse(buf, len, &want), 0);
                free(buf);
                for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
                        struct fw_ruleset got = { 0 };
                        char f[256];

                        snprintf(f, sizeof(f), "%s%s", names[i], kinds[k]);
                        snprintf(p, sizeof(p), REC("%s"), f);
                        buf = slurp(p, &len);
                        ck_assert_int_eq(fw_nft_conf_parse(buf, len, &got), 0);
                        ck_assert_msg(got.n_chains == want.n_chains, "%s: %zu chains, nft says %zu",
                                      f, got.n_chains, want.n_chains);
                        for (size_t c = 0; c < want.n_chains; c++) {
                                const struct fw_chain *a = &got.chains[c], *b = &want.chains[c];
                                ck_assert_msg(streq(a->family, b->family) && streq(a->table, b->table) &&
                                              streq(a->name, b->name) && a->priority == b->priority &&
                                              a->policy_drop == b->policy_drop && a->rules == b->rules &&
                                              a->tail == b->tail,
                                              "%s: chain %s differs (%s %d %d %lu %d)", f, b->name,
                                              a->name, a->priority, a->policy_drop, a->rules, a->tail);
                        }
                        ck_assert_uint_eq(got.tables, want.tables);
                        fw_ruleset_done(&got);
                        free(buf);
                }
                fw_ruleset_done(&want);
        }
}
END_TEST

START_TEST(nft_conf_forms) {
        static const char text[] =
                "define P = { 22, 443 }\n"
                "add table inet t\n"
                "add chain inet t in { type filter hook input priority filter + 10 ; policy accept ; }\n"
                "add chain inet t other { type filter hook output priority 0; }\n"
                "add rule inet t in tcp dport $P accept\n"
                "add rule inet t in counter packets 0 bytes 0 log prefix \"in drop \" level info drop\n"
                "table ip6 raw { chain pre { type filter hook prerouting priority raw; } }\n"
                "table bridge b {\n  set s { type ipv4_addr; elements = { 1.2.3.4,\n 5.6.7.8 } }\n"
                "  chain c { type filter hook input priority -200; policy drop; }\n}\n"
                "include \"/etc/nft/*.nft\"\n";
        struct fw_ruleset rs = { 0 };

        ck_assert_int_eq(fw_nft_conf_parse(text, strlen(text), &rs), 0);
        chains_are(&rs, "inet t in 10 accept 2 drop drop; bridge b c -200 drop 0 - drop");
        ck_assert(!fw_family_covers("bridge", false) && !fw_family_covers("bridge", true));
        ck_assert_uint_eq(rs.n_includes, 1);
        ck_assert_str_eq(rs.includes[0], "/etc/nft/*.nft");
        fw_ruleset_done(&rs);
}
END_TEST

START_TEST(iptables_save_recorded) {
        static const struct { const char *file, *fam, *chains, *gen; unsigned long tables; } cases[] = {
                { REC("iptables-save-ufw.txt"), "ip", "ip filter INPUT 0 drop 6 jump drop",
                  "iptables-nft-save v1.8.9 (nf_tables)", 1 },
                { REC("ip6tables-save-ufw.txt"), "ip6", "ip6 filter INPUT 0 drop 6 jump drop",
                  "ip6tables-nft-save v1.8.9 (nf_tables)", 1 },
                { REC("iptables-save-docker.txt"), "ip", "ip filter INPUT 0 accept 0 - accept",
                  "iptables-nft-save v1.8.9 (nf_tables)", 2 },
                { REC("ip6tables-save-docker.txt"), "ip6", "", "", 0 },
                { REC("iptables-save-empty.txt"), "ip", "", "", 0 },
                { FIXTURE("hosts/fw-iptables-persistent/etc/iptables/rules.v4"), "ip",
                  "ip filter INPUT 0 drop 5 - drop", "iptables-save v1.8.9", 1 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct fw_ruleset rs;
                size_t len;
                char *buf = slurp(cases[i].file, &len);

                ck_assert_int_eq(fw_iptables_save_parse(buf, len, cases[i].fam, &rs), 0);
                chains_are(&rs, cases[i].chains);
                ck_assert_str_eq(rs.generator, cases[i].gen);
                ck_assert_uint_eq(rs.tables, cases[i].tables);
                ck_assert(rs.parsed == (cases[i].tables > 0));
                fw_ruleset_done(&rs);
                free(buf);
        }
}
END_TEST

START_TEST(iptables_save_tails) {
        static const char text[] =
                "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n"
                "*filter\n:INPUT ACCEPT [10:200]\n"
                "-A INPUT -i lo -j ACCEPT\n"
                "-A INPUT -m comment --comment \"last \\\"rule\\\"\" -j REJECT --reject-with icmp-host-prohibited\n"
                "COMMIT\n*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j DROP\nCOMMIT\n";
        struct fw_ruleset rs;

        ck_assert_int_eq(fw_iptables_save_parse(text, strlen(text), "ip", &rs), 0);
        chains_are(&rs, "ip filter INPUT 0 accept 2 reject reject");
        ck_assert(rs.legacy_tables_warning);
        ck_assert_uint_eq(rs.rules, 3);
        fw_ruleset_done(&rs);
}
END_TEST

START_TEST(conf_readers) {
        static const char zone[] = "<?xml version=\"1.0\"?>\n<zones-are-not-this/>\n"
                                   "<zone version=\"1\" target='%%REJECT%%'>\n<short>x</short></zone>";
        static const char notarget[] = "<?xml version=\"1.0\"?>\n<zone>\n<short>x</short></zone>";
        json_t *arr = json_array();
        char *v = NULL;

        ck_assert_int_eq(fw_firewalld_zone_target(zone, strlen(zone), &v), 1);
        ck_assert_str_eq(v, "%%REJECT%%");
        free(v);
        ck_assert_int_eq(fw_firewalld_zone_target(notarget, strlen(notarget), &v), 0);
        ck_assert_int_eq(fw_firewalld_zone_target("<zon", 4, &v), -EINVAL);
        ck_assert_int_eq(fw_kv_value("A=1\n#A=2\n A=\"3\" \n", 17, "A", &v), 1);
        ck_assert_str_eq(v, "3");
        free(v);
        ck_assert_int_eq(fw_ufw_user_rules("### tuple ### deny udp 53 0.0.0.0/0 any 0.0.0.0/0 in\n"
                                           "### tuple ###\n-A x\n", 72, arr), 1);
        ck_assert_str_eq(json_string_value(json_array_get(arr, 0)),
                         "deny udp 53 0.0.0.0/0 any 0.0.0.0/0 in");
        json_decref(arr);
}
END_TEST

START_TEST(parsers_survive_garbage) {
        static const char *const junk[] = { "", "}}}}{{{", "{\"nftables\": 5}", "{\"nftables\": [1, {\"chain\": 3}, {\"rule\": {}}]}",
                                            "table inet { chain { type filter hook input; policy drop; drop", 
                                            "*filter\n:INPUT\n-A\n-A INPUT\n-A INPUT -j\n" };
        for (size_t i = 0; i < ELEMENTSOF(junk); i++) {
                struct fw_ruleset rs = { 0 };

                ck_assert_int_eq(fw_nft_json_parse(junk[i], strlen(junk[i]), &rs), 0);
                fw_ruleset_done(&rs);
                ck_assert_int_eq(fw_nft_conf_parse(junk[i], strlen(junk[i]), &rs), 0);
                fw_ruleset_done(&rs);
                ck_assert_int_eq(fw_iptables_save_parse(junk[i], strlen(junk[i]), "ip", &rs), 0);
                fw_ruleset_done(&rs);
        }
}
END_TEST

Suite *make_suite(void) {
        Suite *su = suite_create("probe_firewall");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, root_debian_default_nftables);
        tcase_add_test(tc, root_nftables_hardened);
        tcase_add_test(tc, root_nftables_not_enabled);
        tcase_add_test(tc, root_nftables_v4only);
        tcase_add_test(tc, root_nftables_include);
        tcase_add_test(tc, root_ufw_enabled);
        tcase_add_test(tc, root_ufw_disabled);
        tcase_add_test(tc, root_iptables_persistent);
        tcase_add_test(tc, root_firewalld);
        tcase_add_test(tc, root_nothing);
        tcase_add_test(tc, nft_json_recorded);
        tcase_add_test(tc, nft_conf_agrees_with_nft_json);
        tcase_add_test(tc, nft_conf_forms);
        tcase_add_test(tc, iptables_save_recorded);
        tcase_add_test(tc, iptables_save_tails);
        tcase_add_test(tc, conf_readers);
        tcase_add_test(tc, parsers_survive_garbage);
        suite_add_tcase(su, tc);
        return su;
}

TEST_MAIN()
