/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI,
 * ext4 and Vector's disk buffer. Slicing-by-8 tables in software; the SSE4.2
 * crc32 instruction when the CPU has it. Both give the same values.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spool.h"

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[8][256];
static bool crc_table_ready;

/* Fills the slicing-by-8 tables (idempotent; the spool is single-threaded
 * and the tables are the same whoever fills them). */
static void crc32c_init_tables(void) {
        for (uint32_t n = 0; n < 256; n++) {
                uint32_t c = n;
                for (int k = 0; k < 8; k++)
                        c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
                crc_table[0][n] = c;
        }
        for (uint32_t n = 0; n < 256; n++)
                for (int t = 1; t < 8; t++)
                        crc_table[t][n] = (crc_table[t - 1][n] >> 8) ^
                                          crc_table[0][crc_table[t - 1][n] & 0xff];
        crc_table_ready = true;
}

/* Software CRC over len bytes from a pre-inverted state; returns the state. */
static uint32_t crc32c_sw(uint32_t c, const uint8_t *p, size_t len) {
        if (!crc_table_ready)
                crc32c_init_tables();
        while (len > 0 && ((uintptr_t) p & 7)) {
                c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
                len--;
        }
        while (len >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                w ^= c;
                c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^
                    crc_table[5][(w >> 16) & 0xff] ^ crc_table[4][(w >> 24) & 0xff] ^
                    crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff] ^
                    crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
                p += 8;
                len -= 8;
        }
        while (len-- > 0)
                c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        return c;
}

#if defined(__x86_64__)
/* The same with the SSE4.2 instruction (8 bytes per step). */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p,
                                                             size_t len) {
        uint64_t c64;

        while (len > 0 && ((uintptr_t) p & 7)) {
                c = __builtin_ia32_crc32qi(c, *p++);
                len--;
        }
        c64 = c;
        while (len >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                c64 = __builtin_ia32_crc32di(c64, w);
                p += 8;
                len -= 8;
        }
        c = (uint32_t) c64;
        while (len-- > 0)
                c = __builtin_ia32_crc32qi(c, *p++);
        return c;
}

static bool have_hw(void) {
        static int cached = -1;

        if (cached < 0) {
                __builtin_cpu_init();
                cached = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        }
        return cached;
}
#endif

/* The CRC-32C of data continuing from crc, the value a previous call
 * returned (0 to start): crc32c(crc32c(0, a), b) == crc32c(0, a || b). */
uint32_t crc32c(uint32_t crc, const void *data, size_t len) {
        const uint8_t *p = data;

        if (len == 0)
                return crc;
#if defined(__x86_64__)
        if (have_hw())
                return ~crc32c_hw(~crc, p, len);
#endif
        return ~crc32c_sw(~crc, p, len);
}

/* The software path alone, so a test can compare both on this CPU. */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len) {
        return ~crc32c_sw(~crc, data, len);
}
