/* SPDX-License-Identifier: MIT */
#include <check.h>

#include "diag.h"
#include "testutil.h"
#include "util.h"
#include "yaml_tree.h"

/* Parses text; returns the parse result and leaves the diagnostics text
 * (what `complyd validate` prints) in *out. */
static int parse(const char *text, size_t len, struct ynode **root, char **out) {
        struct diag_list d = DIAG_LIST_INIT;
        int r = yaml_tree_parse(text, len, "t.yaml", &d, root);

        *out = diag_to_string(&d);
        diag_clear(&d);
        return r;
}

#define PARSE_FAILS(text, expected)                                          \
        do {                                                                 \
                struct ynode *_root = NULL;                                  \
                _cleanup_free_ char *_out = NULL;                            \
                int _r = parse(text, strlen(text), &_root, &_out);           \
                ck_assert_int_eq(_r, -EINVAL);                               \
                ck_assert_ptr_null(_root);                                   \
                ck_assert_str_eq(_out, expected);                            \
        } while (0)

START_TEST(test_positions) {
        const char *text = "a: 1\nlist:\n  - x\n  - \"y\"\nmap: {k: v}\n";
        _cleanup_ynode_ struct ynode *root = NULL;
        _cleanup_free_ char *out = NULL;
        const struct ynode *key = NULL, *v;

        ck_assert_int_eq(parse(text, strlen(text), &root, &out), 0);
        ck_assert_str_eq(out, "");
        ck_assert_int_eq(root->type, YNODE_MAPPING);
        ck_assert_uint_eq(root->n, 3);
        v = ynode_get(root, "list", &key);
        ck_assert_uint_eq(key->line, 2);
        ck_assert_uint_eq(key->col, 1);
        ck_assert_int_eq(v->type, YNODE_SEQUENCE);
        ck_assert_uint_eq(v->items[1]->line, 4);
        ck_assert_uint_eq(v->items[1]->col, 5);
        ck_assert(v->items[1]->quoted);
        ck_assert(!v->items[0]->quoted);
        v = ynode_get(ynode_get(root, "map", NULL), "k", &key);
        ck_assert_str_eq(v->value, "v");
        ck_assert_uint_eq(key->line, 5);
        ck_assert_uint_eq(key->col, 7);
        ck_assert_uint_eq(v->col, 10);
        ck_assert_ptr_null(ynode_get(root, "missing", NULL));
}
END_TEST

START_TEST(test_to_json_typing) {
        const char *text = "t: true\nf: False\nn: null\nt2: ~\ne:\ni: -42\nr: 1.5e3\n"
                           "s: yes\nq: \"12\"\nhex: 0x10\nbig: 99999999999999999999\nlit: |\n  12\n";
        _cleanup_ynode_ struct ynode *root = NULL;
        _cleanup_free_ char *out = NULL, *dump = NULL;
        _cleanup_json_ json_t *j = NULL;

        ck_assert_int_eq(parse(text, strlen(text), &root, &out), 0);
        j = ynode_to_json(root);
        dump = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ck_assert_str_eq(dump, "{\"t\":true,\"f\":false,\"n\":null,\"t2\":null,\"e\":null,\"i\":-42,"
                               "\"r\":1500.0,\"s\":\"yes\",\"q\":\"12\",\"hex\":\"0x10\","
                               "\"big\":1e20,\"lit\":\"12\\n\"}");
}
END_TEST

START_TEST(test_empty_document) {
        _cleanup_ynode_ struct ynode *root = NULL;
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(parse("# only a comment\n", 17, &root, &out), 0);
        ck_assert_ptr_null(root);
        ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_anchor_alias_refused) {
        PARSE_FAILS("a: &x 1\nb: *x\n",
                    "t.yaml:1:4: anchors (&name) are not allowed\n"
                    "t.yaml:2:4: aliases (*name) are not allowed\n");
}
END_TEST

START_TEST(test_billion_laughs_refused) {
        PARSE_FAILS("a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n",
                    "t.yaml:1:4: anchors (&name) are not allowed\n"
                    "t.yaml:2:4: anchors (&name) are not allowed\n"
                    "t.yaml:2:8: aliases (*name) are not allowed\n");
}
END_TEST

START_TEST(test_tag_refused) {
        PARSE_FAILS("a: !!str 1\n", "t.yaml:1:4: tags (!name) are not allowed\n");
}
END_TEST

START_TEST(test_duplicate_key) {
        PARSE_FAILS("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n",
                    "t.yaml:4:3: duplicate key 'c' (first defined at line 3, column 3)\n"
                    "t.yaml:5:1: duplicate key 'a' (first defined at line 1, column 1)\n");
}
END_TEST

static char *nested(int depth) {
        char *s = malloc((size_t) depth * 2 + 2);

        memset(s, '[', (size_t) depth);
        memset(s + depth, ']', (size_t) depth);
        s[depth * 2] = '\n';
        s[depth * 2 + 1] = '\0';
        return s;
}

START_TEST(test_depth) {
        _cleanup_free_ char *ok = nested(64), *bad = nested(65), *out = NULL, *huge = NULL;
        _cleanup_ynode_ struct ynode *root = NULL;

        ck_assert_int_eq(parse(ok, strlen(ok), &root, &out), 0);
        ck_assert_ptr_nonnull(root);
        PARSE_FAILS(bad, "t.yaml:1:65: nested deeper than 64 levels\n");
        /* a megabyte of '[' stops at the same place */
        huge = malloc(YAML_MAX_INPUT + 1);
        memset(huge, '[', YAML_MAX_INPUT);
        huge[YAML_MAX_INPUT] = '\0';
        PARSE_FAILS(huge, "t.yaml:1:65: nested deeper than 64 levels\n");
}
END_TEST

START_TEST(test_oversize) {
        size_t n = YAML_MAX_INPUT + 1;
        _cleanup_free_ char *big = malloc(n + 1), *out = NULL;
        struct ynode *root = NULL;

        memset(big, '#', n);
        big[n] = '\0';
        ck_assert_int_eq(parse(big, n, &root, &out), -EINVAL);
        ck_assert_str_eq(out, "t.yaml: file too large (1048577 bytes, limit 1048576)\n");
}
END_TEST

START_TEST(test_long_scalar) {
        size_t n = YAML_MAX_SCALAR + 1;
        _cleanup_free_ char *s = malloc(n + 8);

        memcpy(s, "a: ", 3);
        memset(s + 3, 'x', n);
        strcpy(s + 3 + n, "\n");
        PARSE_FAILS(s, "t.yaml:1:4: value longer than 65536 bytes\n");
}
END_TEST

START_TEST(test_node_limit) {
        size_t n = YAML_MAX_NODES + 1;
        _cleanup_free_ char *s = malloc(n * 2 + 4);
        size_t len = 0;

        s[len++] = '[';
        for (size_t i = 0; i < n; i++) {
                s[len++] = '0';
                s[len++] = ',';
        }
        s[len - 1] = ']';
        s[len] = '\0';
        PARSE_FAILS(s, "t.yaml:1:200000: too many nodes (limit 100000)\n");
}
END_TEST

START_TEST(test_two_documents) {
        PARSE_FAILS("a: 1\n---\nb: 2\n", "t.yaml:2:1: only one YAML document is allowed\n");
}
END_TEST

START_TEST(test_syntax_error_position) {
        PARSE_FAILS("a: 1\nb: [1, 2\nc: 3\n",
                    "t.yaml:3:2: YAML syntax error: did not find expected ',' or ']' "
                    "(while parsing a flow sequence)\n");
        PARSE_FAILS("a: 1\n  b: 2\n",
                    "t.yaml:2:4: YAML syntax error: mapping values are not allowed in this context\n");
}
END_TEST

START_TEST(test_complex_key_refused) {
        PARSE_FAILS("? [a, b]\n: 1\n", "t.yaml:1:3: mapping keys must be plain strings\n");
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("yaml_tree");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_positions);
        tcase_add_test(tc, test_to_json_typing);
        tcase_add_test(tc, test_empty_document);
        tcase_add_test(tc, test_anchor_alias_refused);
        tcase_add_test(tc, test_billion_laughs_refused);
        tcase_add_test(tc, test_tag_refused);
        tcase_add_test(tc, test_duplicate_key);
        tcase_add_test(tc, test_depth);
        tcase_add_test(tc, test_oversize);
        tcase_add_test(tc, test_long_scalar);
        tcase_add_test(tc, test_node_limit);
        tcase_add_test(tc, test_two_documents);
        tcase_add_test(tc, test_syntax_error_position);
        tcase_add_test(tc, test_complex_key_refused);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
