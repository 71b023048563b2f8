/* SPDX-License-Identifier: MIT */
/* probes/lib/json_build: json_write_compact(), the writer of a probe's
 * observation, prints exactly what json_dumps(JSON_COMPACT) prints, in
 * pieces, and stops on the first error. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "json_build.h"
#include "testutil.h"

struct sink {
        char *buf;
        size_t len, pieces, largest;
        int fail_at; /* piece number that fails with -EPIPE, 0: none */
};

static int to_sink(const char *buf, size_t n, void *userdata) {
        struct sink *s = userdata;

        if (++s->pieces == (size_t) s->fail_at)
                return -EPIPE;
        s->buf = realloc(s->buf, s->len + n + 1);
        ck_assert_ptr_nonnull(s->buf);
        memcpy(s->buf + s->len, buf, n);
        s->len += n;
        s->buf[s->len] = '\0';
        if (n > s->largest)
                s->largest = n;
        return 0;
}

/* json_write_compact(j) as a string, checked to equal json_dumps(). */
static void assert_same_as_dumps(const json_t *j) {
        _cleanup_free_ char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        struct sink s = { 0 };

        ck_assert_int_eq(json_write_compact(j, to_sink, &s), 0);
        ck_assert_ptr_nonnull(want);
        ck_assert_str_eq(s.buf, want);
        free(s.buf);
}

START_TEST(same_text_as_jansson) {
        _cleanup_json_ json_t *o = json_pack(
                "{s:s, s:i, s:I, s:I, s:f, s:f, s:f, s:f, s:b, s:b, s:n, s:[], s:{}, s:[i, {s:s}, [s]]}",
                "plain", "nginx", "port", 22, "min", (json_int_t) INT64_MIN, "max", (json_int_t) INT64_MAX,
                "one", 1.0, "tenth", 0.1, "big", 1e300, "small", -2.5e-300, "yes", 1, "no", 0, "none",
                "empty_array", "empty_object", "mixed", 1, "k", "v", "\xc3\xa9");

        ck_assert_ptr_nonnull(o);
        /* every control byte, the escapes, UTF-8 and DEL, in a value and a key */
        ck_assert_int_eq(json_object_set_new(o, "ctl", json_stringn("\x01\x1f\"\\/\b\f\n\r\t\x7f\xe2\x82\xac", 14)), 0);
        ck_assert_int_eq(json_object_set_new(o, "nul", json_stringn("a\0b", 3)), 0);
        ck_assert_int_eq(json_object_set_new(o, "key \"with\"\n\\escapes", json_true()), 0);
        assert_same_as_dumps(o);
        assert_same_as_dumps(json_object_get(o, "mixed"));
        assert_same_as_dumps(json_object_get(o, "plain"));
}
END_TEST

START_TEST(large_values_in_pieces) {
        _cleanup_json_ json_t *a = json_array();
        _cleanup_free_ char *big = malloc(200000);
        struct sink s = { 0 };

        ck_assert_ptr_nonnull(big);
        memset(big, 'x', 199999);
        big[199999] = '\0';
        for (int i = 0; i < 20000; i++)
                ck_assert_int_eq(json_array_append_new(a, json_pack("{s:i, s:s}", "i", i, "s", "abc")), 0);
        ck_assert_int_eq(json_array_append_new(a, json_string(big)), 0);
        for (size_t i = 0; i < 30000; i += 97)
                big[i] = i % 2 ? '\n' : '"'; /* escapes in a string too long for one buffer */
        big[30000] = '\0';
        ck_assert_int_eq(json_array_append_new(a, json_string(big)), 0);
        assert_same_as_dumps(a);
        ck_assert_int_eq(json_write_compact(a, to_sink, &s), 0);
        ck_assert_uint_gt(s.pieces, 2);
        ck_assert_uint_gt(s.largest, 65536); /* a string larger than the buffer goes straight through */
        free(s.buf);
}
END_TEST

START_TEST(errors) {
        _cleanup_json_ json_t *a = json_array(), *deep = json_array();
        struct sink s = { .fail_at = 2 };
        json_t *inner = deep;

        for (int i = 0; i < 30000; i++)
                ck_assert_int_eq(json_array_append_new(a, json_string("0123456789")), 0);
        ck_assert_int_eq(json_write_compact(a, to_sink, &s), -EPIPE);
        ck_assert_uint_eq(s.pieces, 2); /* nothing written after the failure */
        free(s.buf);

        for (int i = 1; i < JSON_WRITE_MAX_DEPTH; i++) {
                json_t *next = json_array();
                ck_assert_int_eq(json_array_append_new(inner, next), 0);
                inner = next;
        }
        s = (struct sink) { 0 };
        ck_assert_int_eq(json_write_compact(deep, to_sink, &s), 0);
        free(s.buf);
        ck_assert_int_eq(json_array_append_new(inner, json_integer(1)), 0);
        s = (struct sink) { 0 };
        ck_assert_int_eq(json_write_compact(deep, to_sink, &s), -ELOOP);
        free(s.buf);
        ck_assert_int_eq(json_write_compact(NULL, to_sink, &s), -EINVAL);
}
END_TEST

Suite *make_suite(void) {
        Suite *s = suite_create("json_build");
        TCase *tc = tcase_create("json_write_compact");

        tcase_add_test(tc, same_text_as_jansson);
        tcase_add_test(tc, large_values_in_pieces);
        tcase_add_test(tc, errors);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
