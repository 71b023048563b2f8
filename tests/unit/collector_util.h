/* SPDX-License-Identifier: MIT */
/* For the C suites that talk to the real HTTPS test collector
 * (tests/collector/collector.py): writing small files, starting the
 * collector and waiting for its port. */
#ifndef COMPLYD_COLLECTOR_UTIL_H
#define COMPLYD_COLLECTOR_UTIL_H

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define COLLECTOR TOP_SRCDIR "/tests/collector/collector.py"
#define MAKE_CERTS TOP_SRCDIR "/tests/collector/make_certs.sh"

static inline void write_text(const char *path, const char *text, mode_t mode) {
        FILE *f = fopen(path, "w");

        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
        chmod(path, mode);
}

/* Starts `python3 argv...` (argv[0] is "python3", NULL-terminated) with an
 * empty signal mask (the event loop blocks SIGCHLD) and waits up to 15 s for
 * the port number in portfile. Returns the pid; *port is set. */
static inline pid_t collector_spawn(const char *const *argv, const char *portfile, int *port) {
        char p[16] = "";
        pid_t pid;

        unlink(portfile);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execvp("python3", (char **) argv);
                _exit(127);
        }
        for (int i = 0; i < 300 && !p[0]; i++) {
                FILE *f = fopen(portfile, "r");
                if (f) {
                        if (!fgets(p, sizeof(p), f))
                                p[0] = '\0';
                        fclose(f);
                }
                if (!p[0])
                        usleep(50000);
        }
        *port = atoi(p);
        ck_assert_int_gt(*port, 0);
        return pid;
}

#endif
