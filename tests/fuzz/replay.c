/* SPDX-License-Identifier: MIT */
/* Runs a libFuzzer target over files and directories given as arguments,
 * once per file, without libFuzzer: how `make check` replays the seed
 * corpora with gcc and the sanitizers. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        uint8_t *buf;
        long n;

        if (!f)
                return perror(path), 1;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc(n > 0 ? (size_t) n : 1);
        if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n) {
                fclose(f);
                free(buf);
                return fprintf(stderr, "%s: read failed\n", path), 1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        free(buf);
        return 0;
}

int main(int argc, char **argv) {
        int count = 0, failed = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                DIR *d;
                struct dirent *de;

                if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
                        failed += run_file(argv[i]);
                        count++;
                        continue;
                }
                if (!(d = opendir(argv[i])))
                        continue;
                while ((de = readdir(d))) {
                        char path[4096];
                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
                        failed += run_file(path);
                        count++;
                }
                closedir(d);
        }
        printf("%s: %d inputs replayed\n", argv[0], count);
        return failed ? 1 : 0;
}
