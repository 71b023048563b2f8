/* SPDX-License-Identifier: MIT */
/* src/json_check: what a probe's output must be to be printed or
 * evaluated — one JSON value of which kind, or the reason and place it is
 * not JSON — without building a tree. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "json_check.h"
#include "testutil.h"

static struct json_check_error err;

/* json_check_text() on a C string. */
static int check(const char *text) {
        memset(&err, 0, sizeof(err));
        return json_check_text(text, strlen(text), &err);
}

/* "text" repeated n times, then tail, in a malloc'ed string. */
static char *repeat(const char *head, const char *text, size_t n, const char *tail) {
        size_t hl = strlen(head), tl = strlen(text), tal = strlen(tail);
        char *s = malloc(hl + tl * n + tal + 1), *p = s;

        ck_assert_ptr_nonnull(s);
        p = mempcpy(p, head, hl);
        for (size_t i = 0; i < n; i++)
                p = mempcpy(p, text, tl);
        memcpy(p, tail, tal + 1);
        return s;
}

START_TEST(kinds) {
        ck_assert_int_eq(check("{}"), JSON_CHECK_OBJECT);
        ck_assert_int_eq(check(" \t\r\n{\"a\":[1,{\"b\":null}],\"c\":\"d\"}\n"), JSON_CHECK_OBJECT);
        ck_assert_int_eq(check("[1,2]"), JSON_CHECK_ARRAY);
        ck_assert_int_eq(check("\"s\""), JSON_CHECK_STRING);
        ck_assert_int_eq(check("-12"), JSON_CHECK_INTEGER);
        ck_assert_int_eq(check("1.5e3"), JSON_CHECK_REAL);
        ck_assert_int_eq(check("true"), JSON_CHECK_TRUE);
        ck_assert_int_eq(check("false"), JSON_CHECK_FALSE);
        ck_assert_int_eq(check("null"), JSON_CHECK_NULL);
        ck_assert_str_eq(json_check_kind_name(JSON_CHECK_ARRAY), "array");
        ck_assert_str_eq(json_check_kind_name(JSON_CHECK_OBJECT), "object");
        ck_assert_str_eq(json_check_kind_name(42), "?");
}
END_TEST

START_TEST(not_json_with_place) {
        ck_assert_int_eq(check("garbage"), -EINVAL);
        ck_assert_uint_eq(err.line, 1);
        ck_assert_uint_eq(err.column, 1);
        ck_assert_str_eq(err.text, "invalid token, a value expected");

        ck_assert_int_eq(check("{\"a\":1}\n  x"), -EINVAL);
        ck_assert_uint_eq(err.line, 2);
        ck_assert_uint_eq(err.column, 3);
        ck_assert_str_eq(err.text, "end of input expected after the value");

        ck_assert_int_eq(check("{\"a\":1\n,\n\"b\":\n}"), -EINVAL);
        ck_assert_uint_eq(err.line, 4);
        ck_assert_uint_eq(err.column, 1);

        ck_assert_int_eq(check(""), -EINVAL);
        ck_assert_str_eq(err.text, "unexpected end of input, a value expected");
        ck_assert_int_eq(check("{\"a\":1"), -EINVAL);
        ck_assert_str_eq(err.text, "unexpected end of input, ',' or '}' expected");
        ck_assert_int_eq(check("{}{}"), -EINVAL);
        ck_assert_int_eq(check("{\"a\" 1}"), -EINVAL);
        ck_assert_str_eq(err.text, "':' expected");
        ck_assert_int_eq(check("{1:2}"), -EINVAL);
        ck_assert_str_eq(err.text, "a string key expected");
        ck_assert_int_eq(check("{\"a\":1,}"), -EINVAL);
        ck_assert_int_eq(check("[1,]"), -EINVAL);
        ck_assert_int_eq(check("[1 2]"), -EINVAL);
        ck_assert_str_eq(err.text, "',' or ']' expected");
        ck_assert_int_eq(check("{\"a\":truex}"), -EINVAL);
        ck_assert_int_eq(check("{\"a\":nul}"), -EINVAL);
        ck_assert_int_eq(check("{\"a\":\"open"), -EINVAL);
        ck_assert_str_eq(err.text, "unterminated string");
        ck_assert_int_eq(json_check_text("{}\0", 3, &err), -EINVAL);
        ck_assert_int_eq(json_check_text("[1\0]", 4, &err), -EINVAL);
}
END_TEST

START_TEST(strings) {
        ck_assert_int_eq(check("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\""), JSON_CHECK_STRING);
        ck_assert_int_eq(check("\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \x7f\""), JSON_CHECK_STRING);
        ck_assert_int_eq(check("\"a\x01\""), -EINVAL);
        ck_assert_str_eq(err.text, "control character 0x01 in string");
        ck_assert_int_eq(check("\"a\nb\""), -EINVAL);
        ck_assert_int_eq(check("\"\\x\""), -EINVAL);
        ck_assert_str_eq(err.text, "invalid escape '\\x'");
        ck_assert_int_eq(check("\"\\u12G4\""), -EINVAL);
        ck_assert_int_eq(check("\"\\u0000\""), -EINVAL);
        ck_assert_str_eq(err.text, "\\u0000 is not allowed");
        ck_assert_int_eq(check("\"\\ud800\""), -EINVAL);
        ck_assert_int_eq(check("\"\\ud800\\u0041\""), -EINVAL);
        ck_assert_int_eq(check("\"\\udc00\""), -EINVAL);
        /* not UTF-8: a lone continuation, overlong, a surrogate, above U+10FFFF, cut short */
        ck_assert_int_eq(check("\"\x80\""), -EINVAL);
        ck_assert_str_eq(err.text, "invalid UTF-8 byte 0x80");
        ck_assert_int_eq(check("\"\xc0\xaf\""), -EINVAL);
        ck_assert_int_eq(check("\"\xe0\x80\xaf\""), -EINVAL);
        ck_assert_int_eq(check("\"\xed\xa0\x80\""), -EINVAL);
        ck_assert_int_eq(check("\"\xf4\x90\x80\x80\""), -EINVAL);
        ck_assert_int_eq(check("\"\xe2\x82\""), -EINVAL);
        ck_assert_int_eq(check("\xc3\xa9"), -EINVAL);
}
END_TEST

START_TEST(numbers) {
        /* exactly the limit, and one character more */
        _cleanup_free_ char *long_ok = repeat("0.", "0", JSON_CHECK_MAX_NUMBER - 3, "1");
        _cleanup_free_ char *too_long = repeat("0.", "0", JSON_CHECK_MAX_NUMBER - 2, "1");
        _cleanup_free_ char *huge = repeat("1", "0", 400, "");

        ck_assert_int_eq(check("[0,-0,10,0.5,-1.25e-3,2E+10,1e-400]"), JSON_CHECK_ARRAY);
        ck_assert_int_eq(check("9223372036854775807"), JSON_CHECK_INTEGER);
        ck_assert_int_eq(check("-9223372036854775808"), JSON_CHECK_INTEGER);
        ck_assert_int_eq(check("9223372036854775808"), -EINVAL);
        ck_assert_str_eq(err.text, "integer out of range");
        ck_assert_int_eq(check("-9223372036854775809"), -EINVAL);
        ck_assert_int_eq(check("1e400"), -EINVAL);
        ck_assert_str_eq(err.text, "real number overflow");
        ck_assert_int_eq(check("01"), -EINVAL);
        ck_assert_int_eq(check("1."), -EINVAL);
        ck_assert_int_eq(check(".5"), -EINVAL);
        ck_assert_int_eq(check("1e"), -EINVAL);
        ck_assert_int_eq(check("-"), -EINVAL);
        ck_assert_int_eq(check("+1"), -EINVAL);
        ck_assert_int_eq(check(long_ok), JSON_CHECK_REAL);
        ck_assert_int_eq(check(too_long), -EINVAL);
        ck_assert_str_eq(err.text, "number longer than 1024 characters");
        ck_assert_int_eq(check(huge), -EINVAL); /* an integer of 401 digits */
        huge[200] = '.';
        ck_assert_int_eq(check(huge), JSON_CHECK_REAL); /* 1e199 */
}
END_TEST

START_TEST(duplicate_keys) {
        _cleanup_free_ char *many = NULL, *many_dup = NULL;
        char *p;
        size_t n = 5000;

        ck_assert_int_eq(check("{\"a\":1,\"b\":2,\"a\":3}"), -EINVAL);
        ck_assert_str_eq(err.text, "duplicate object key");
        ck_assert_int_eq(check("{\"a\":1,\"\\u0061\":2}"), -EINVAL); /* same key once decoded */
        ck_assert_int_eq(check("{\"\":1,\"\":2}"), -EINVAL);
        /* the same key in different objects, nested or side by side, is fine */
        ck_assert_int_eq(check("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}"), JSON_CHECK_OBJECT);
        ck_assert_int_eq(check("{\"a\":{\"b\":1},\"b\":2}"), JSON_CHECK_OBJECT);

        /* a large object (hash index): unique keys pass, one repeat is found */
        many = malloc(n * 16 + 16);
        ck_assert_ptr_nonnull(many);
        p = stpcpy(many, "{");
        for (size_t i = 0; i < n; i++)
                p += sprintf(p, "%s\"k%zu\":%zu", i ? "," : "", i, i);
        strcpy(p, "}");
        ck_assert_int_eq(check(many), JSON_CHECK_OBJECT);
        many[strlen(many) - 1] = '\0';
        ck_assert_int_ge(asprintf(&many_dup, "%s,\"k4321\":0}", many), 0);
        ck_assert_int_eq(check(many_dup), -EINVAL);
        ck_assert_str_eq(err.text, "duplicate object key");
}
END_TEST

START_TEST(depth_limit) {
        _cleanup_free_ char *deepest = repeat("", "[", JSON_CHECK_MAX_DEPTH - 1, "1");
        _cleanup_free_ char *empty = repeat("", "[", JSON_CHECK_MAX_DEPTH, "");
        _cleanup_free_ char *deeper = repeat("", "[", JSON_CHECK_MAX_DEPTH, "1");
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        a = repeat(deepest, "]", JSON_CHECK_MAX_DEPTH - 1, "");
        b = repeat(empty, "]", JSON_CHECK_MAX_DEPTH, "");
        c = repeat(deeper, "]", JSON_CHECK_MAX_DEPTH, "");
        ck_assert_int_eq(check(a), JSON_CHECK_ARRAY);
        ck_assert_int_eq(check(b), JSON_CHECK_ARRAY);
        ck_assert_int_eq(check(c), -EINVAL);
        ck_assert_str_eq(err.text, "nesting deeper than 2048");
}
END_TEST

START_TEST(error_left_alone_on_success) {
        struct json_check_error e = { .line = 77, .text = "untouched" };

        ck_assert_int_eq(json_check_text("{}", 2, &e), JSON_CHECK_OBJECT);
        ck_assert_uint_eq(e.line, 77);
        ck_assert_str_eq(e.text, "untouched");
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("json_check");
        TCase *tc = tcase_create("json_check");

        tcase_add_test(tc, kinds);
        tcase_add_test(tc, not_json_with_place);
        tcase_add_test(tc, strings);
        tcase_add_test(tc, numbers);
        tcase_add_test(tc, duplicate_keys);
        tcase_add_test(tc, depth_limit);
        tcase_add_test(tc, error_left_alone_on_success);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
