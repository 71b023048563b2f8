/* SPDX-License-Identifier: MIT */
/* bench_debversion PAIRS OUT REPS: compares every "a<TAB>b" line of PAIRS
 * with complyd's debversion_cmp() (the code patch_level uses), writes the
 * sign of each comparison (-1, 0, 1), one a line, to OUT, then runs the
 * whole comparison loop REPS times more and prints
 *   pairs N reps R ns_per_pair X
 * compare_all() is kept out of line so that callgrind can count exactly its
 * instructions (--toggle-collect=compare_all). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "debversion.h"

#define MAX_PAIRS 1000000u
#define MAX_FILE (64u << 20)

struct pair {
        const char *a, *b;
        size_t alen, blen;
};

/* Reads the whole file (at most MAX_FILE bytes) into a NUL-terminated
 * buffer the caller frees. NULL on error. */
static char *slurp(const char *path, size_t *len) {
        FILE *f = fopen(path, "re");
        char *buf;
        size_t n;

        if (!f)
                return NULL;
        buf = malloc(MAX_FILE + 1);
        n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
        fclose(f);
        if (!buf)
                return NULL;
        buf[n] = '\0';
        *len = n;
        return buf;
}

/* Splits buf in place into pairs (lines "a\tb"); lines without a tab are
 * skipped. Returns the number of pairs. */
static size_t parse_pairs(char *buf, struct pair *pairs, size_t max) {
        size_t n = 0;

        for (char *line = buf, *next; line && *line && n < max; line = next) {
                char *tab;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                tab = strchr(line, '\t');
                if (!tab)
                        continue;
                *tab = '\0';
                pairs[n++] = (struct pair) { line, tab + 1, (size_t) (tab - line), strlen(tab + 1) };
        }
        return n;
}

/* The measured loop: one debversion_cmp() per pair, signs into out. */
__attribute__((noinline)) void compare_all(const struct pair *pairs, size_t n, signed char *out) {
        for (size_t i = 0; i < n; i++) {
                int c = debversion_cmp(pairs[i].a, pairs[i].alen, pairs[i].b, pairs[i].blen);
                out[i] = (signed char) (c < 0 ? -1 : c > 0);
        }
}

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        size_t len, n;
        char *buf;
        struct pair *pairs;
        signed char *signs;
        FILE *out;
        long reps;
        double t0, t1;

        if (argc != 4)
                return fprintf(stderr, "usage: bench_debversion PAIRS OUT REPS\n"), 2;
        reps = strtol(argv[3], NULL, 10);
        buf = slurp(argv[1], &len);
        pairs = calloc(MAX_PAIRS, sizeof(*pairs));
        signs = calloc(MAX_PAIRS, 1);
        if (!buf || !pairs || !signs)
                return fprintf(stderr, "%s: %s\n", argv[1], strerror(errno ?: ENOMEM)), 1;
        n = parse_pairs(buf, pairs, MAX_PAIRS);
        compare_all(pairs, n, signs);
        out = fopen(argv[2], "we");
        if (!out)
                return fprintf(stderr, "%s: %s\n", argv[2], strerror(errno)), 1;
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%d\n", signs[i]);
        if (fclose(out) != 0)
                return fprintf(stderr, "%s: %s\n", argv[2], strerror(errno)), 1;
        t0 = now_sec();
        for (long r = 0; r < reps; r++)
                compare_all(pairs, n, signs);
        t1 = now_sec();
        printf("pairs %zu reps %ld ns_per_pair %.2f\n", n, reps,
               reps > 0 && n > 0 ? (t1 - t0) * 1e9 / ((double) n * (double) reps) : 0.0);
        free(signs);
        free(pairs);
        free(buf);
        return 0;
}
