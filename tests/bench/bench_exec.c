/* SPDX-License-Identifier: MIT */
/* Runs one command and prints how long it took and its peak RSS, so that
 * the bench times the command and not its own launcher: bench.py (Python,
 * ~100 MB) forks slowly and polls for the exit, which added some 3 ms to
 * every run — a tenth of a 25 ms command, nothing of a 500 ms one.
 *
 *   bench_exec CMD [ARG]...   ->   "SECONDS MAXRSS_KIB EXIT_STATUS\n"
 *
 * The command gets /dev/null as stdin, stdout and stderr. Time is
 * CLOCK_MONOTONIC from just before posix_spawn() to wait4()'s return; peak
 * RSS is wait4()'s ru_maxrss (the command and the descendants it waited
 * for, as GNU time's %M). posix_spawn() shares this small process's memory
 * until the exec, so nothing of ours is counted. The exit status is the
 * command's, or 128+N when signal N ended it. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
        posix_spawn_file_actions_t fa;
        struct rusage ru;
        int status, rc;
        double t0, t1;
        pid_t pid;

        if (argc < 2) {
                fputs("usage: bench_exec CMD [ARG]...\n", stderr);
                return 2;
        }
        posix_spawn_file_actions_init(&fa);
        for (int fd = 0; fd <= 2; fd++)
                posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
        t0 = now();
        rc = posix_spawnp(&pid, argv[1], &fa, NULL, argv + 1, environ);
        if (rc != 0) {
                fprintf(stderr, "bench_exec: cannot run %s\n", argv[1]);
                return 2;
        }
        while (wait4(pid, &status, 0, &ru) < 0)
                if (errno != EINTR)
                        return 2;
        t1 = now();
        printf("%.6f %ld %d\n", t1 - t0, ru.ru_maxrss,
               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return 0;
}
