/* SPDX-License-Identifier: MIT */
/* bench_evalmem OBS_DIR CYCLES: memory over time of the evaluation code.
 * Loads the default control set exactly as `complyd check` does
 * (app_load() with the default configuration), reads one canned
 * observation per probe from OBS_DIR/<probe>.json (what `complyd probe
 * <probe>` printed on this host; a missing file makes the control's result
 * an error, as a failed run does), then evaluates every enabled control
 * against it CYCLES times through control_evaluate() — the code check and
 * the daemon run on each observation — serialising and freeing each result.
 * Prints
 *   controls N cycle C rss_kib R heap_kib H us_per_cycle U
 * after cycles 1, 100, 1000 and every multiple of 1000 up to CYCLES.
 * Probes are not run: the loop measures what stays allocated in complyd's
 * own process, not the children. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "rules.h"
#include "util.h"

#define MAX_CONTROLS 1024

/* VmRSS of this process in KiB (0 when unreadable). */
static long rss_kib(void) {
        char line[256];
        long v = 0;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
                        break;
        fclose(f);
        return v;
}

/* One pass over every control: evaluate, serialise, free. */
static void cycle(const struct control *const *cs, json_t *const *obs, size_t n) {
        uint64_t now = now_realtime_usec();

        for (size_t i = 0; i < n; i++) {
                json_t *result = NULL;
                char *text;

                if (obs[i])
                        (void) control_evaluate(cs[i], obs[i], now, &result);
                else
                        result = control_result_error(cs[i], "no canned observation");
                text = result ? json_dumps(result, JSON_COMPACT) : NULL;
                free(text);
                json_decref(result);
        }
}

static double now_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        static const struct control *cs[MAX_CONTROLS];
        static json_t *obs[MAX_CONTROLS];
        struct diag_list diag = DIAG_LIST_INIT;
        struct app app;
        size_t n = 0;
        long cycles;
        double t0;
        int r;

        if (argc != 3)
                return fprintf(stderr, "usage: bench_evalmem OBS_DIR CYCLES\n"), 2;
        cycles = strtol(argv[2], NULL, 10);
        r = app_load(NULL, &diag, &app);
        if (r < 0) {
                diag_print(&diag, stderr);
                return fprintf(stderr, "cannot load the controls: %s\n", strerror(-r)), 1;
        }
        for (size_t i = 0; i < app.controls->n && n < MAX_CONTROLS; i++) {
                const struct control *c = app.controls->controls[i];
                char path[4096];

                if (!c->enabled)
                        continue;
                snprintf(path, sizeof(path), "%s/%s.json", argv[1], c->probe);
                cs[n] = c;
                obs[n++] = json_load_file(path, 0, NULL);
        }
        t0 = now_sec();
        for (long k = 1; k <= cycles; k++) {
                cycle(cs, obs, n);
                if (k == 1 || k == 100 || k % 1000 == 0 || k == cycles) {
                        struct mallinfo2 mi = mallinfo2();
                        printf("controls %zu cycle %ld rss_kib %ld heap_kib %zu us_per_cycle %.1f\n", n, k,
                               rss_kib(), mi.uordblks / 1024, (now_sec() - t0) * 1e6 / (double) k);
                        fflush(stdout);
                }
        }
        for (size_t i = 0; i < n; i++)
                json_decref(obs[i]);
        app_free(&app);
        diag_clear(&diag);
        return 0;
}
