/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "children.h"
#include "log.h"
#include "util.h"

#define MAX_WATCHED 256
#define MAX_PROCS 65536

struct watched {
        pid_t pid;
        child_exit_fn done;
        void *userdata;
};

static struct watched watched[MAX_WATCHED];
static sd_event_source *sigchld_source;

static struct watched *find_watched(pid_t pid) {
        for (size_t i = 0; i < MAX_WATCHED; i++)
                if (watched[i].pid == pid)
                        return &watched[i];
        return NULL;
}

/* Reaps every exited child; calls the callback of the watched ones. */
static int on_sigchld(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);
                struct watched *w;

                if (pid <= 0)
                        break;
                w = find_watched(pid);
                if (w) {
                        struct watched copy = *w;
                        w->pid = 0;
                        copy.done(pid, status, copy.userdata);
                }
        }
        return 0;
}

int children_setup(sd_event *e) {
        sigset_t mask;
        int r;

        if (sigchld_source)
                return 0;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return -errno;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(e, &sigchld_source, SIGCHLD, on_sigchld, NULL);
        if (r < 0)
                return r;
        /* run before timers so a finished probe is not reported as timed out */
        sd_event_source_set_priority(sigchld_source, SD_EVENT_PRIORITY_IMPORTANT);
        /* the loop keeps a reference; ours is only to know we did this */
        sd_event_source_set_floating(sigchld_source, 1);
        return 0;
}

int children_watch(pid_t pid, child_exit_fn done, void *userdata) {
        struct watched *w = find_watched(0);

        if (!w)
                return -EBUSY;
        *w = (struct watched) { .pid = pid, .done = done, .userdata = userdata };
        return 0;
}

void children_unwatch(pid_t pid) {
        struct watched *w = find_watched(pid);

        if (w && pid > 0)
                w->pid = 0;
}

/* Reads the parent pid of every process into pids[]/ppids[]; returns count. */
static size_t read_process_table(pid_t *pids, pid_t *ppids, size_t max) {
        _cleanup_closedir_ DIR *d = opendir("/proc");
        struct dirent *de;
        size_t n = 0;

        if (!d)
                return 0;
        while (n < max && (de = readdir(d))) {
                char path[300], buf[512], *p;
                int fd;
                ssize_t k;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                k = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (k <= 0)
                        continue;
                buf[k] = '\0';
                /* "pid (comm) S ppid ...": comm may hold spaces and ')' */
                p = strrchr(buf, ')');
                if (!p || sscanf(p + 1, " %*c %d", &ppids[n]) != 1)
                        continue;
                pids[n++] = (pid_t) atoi(de->d_name);
        }
        return n;
}

/* Kills every process in the table that descends from one of roots[]. */
static int kill_descendants(const pid_t *pids, const pid_t *ppids, size_t n, pid_t *roots,
                            size_t nroots, size_t max_roots) {
        int killed = 0;
        bool grew = true;

        /* breadth-first over the parent links; bounded by the table size */
        while (grew) {
                grew = false;
                for (size_t i = 0; i < n; i++) {
                        bool is_root = false, parent_is_root = false;

                        for (size_t j = 0; j < nroots; j++) {
                                if (pids[i] == roots[j])
                                        is_root = true;
                                if (ppids[i] == roots[j])
                                        parent_is_root = true;
                        }
                        if (!is_root && parent_is_root && nroots < max_roots) {
                                roots[nroots++] = pids[i];
                                grew = true;
                        }
                }
        }
        for (size_t j = 0; j < nroots; j++)
                if (kill(roots[j], SIGKILL) == 0)
                        killed++;
        return killed;
}

static pid_t *proc_pids, *proc_ppids, *kill_roots;

static int ensure_tables(void) {
        if (proc_pids)
                return 0;
        proc_pids = calloc(MAX_PROCS, sizeof(pid_t));
        proc_ppids = calloc(MAX_PROCS, sizeof(pid_t));
        kill_roots = calloc(MAX_PROCS, sizeof(pid_t));
        if (!proc_pids || !proc_ppids || !kill_roots) {
                free(proc_pids), free(proc_ppids), free(kill_roots);
                proc_pids = proc_ppids = kill_roots = NULL;
                return -ENOMEM;
        }
        return 0;
}

void children_kill_tree(pid_t pid) {
        size_t n;

        if (pid <= 0)
                return;
        kill(-pid, SIGKILL);
        if (ensure_tables() < 0) {
                kill(pid, SIGKILL);
                return;
        }
        /* repeat: a process forking while we kill shows up in the next pass */
        for (int pass = 0; pass < 8; pass++) {
                n = read_process_table(proc_pids, proc_ppids, MAX_PROCS);
                kill_roots[0] = pid;
                if (kill_descendants(proc_pids, proc_ppids, n, kill_roots, 1, MAX_PROCS) <= 1)
                        break;
        }
}

/* Does this process have a child nobody watches? /proc/self/task/TID/children
 * answers without scanning every process (a probe that left nothing behind
 * costs one small read). -1 when the kernel lacks the file: scan. */
static int has_unwatched_children(void) {
        char path[64], buf[4096], *p, *end;
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int) getpid());
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0 || n == sizeof(buf) - 1)
                return -1;
        buf[n] = '\0';
        for (p = buf;; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                        return 0;
                if (!find_watched((pid_t) pid))
                        return 1;
        }
}

int children_kill_orphans(void) {
        pid_t self = getpid();
        int killed = 0;

        if (has_unwatched_children() == 0)
                return 0;
        if (ensure_tables() < 0)
                return -ENOMEM;
        for (int pass = 0; pass < 8; pass++) {
                size_t n = read_process_table(proc_pids, proc_ppids, MAX_PROCS), nroots = 0;
                int k;

                for (size_t i = 0; i < n; i++)
                        if (proc_ppids[i] == self && !find_watched(proc_pids[i]))
                                kill_roots[nroots++] = proc_pids[i];
                if (nroots == 0)
                        break;
                k = kill_descendants(proc_pids, proc_ppids, n, kill_roots, nroots, MAX_PROCS);
                killed += k;
                if (k == 0)
                        break;
        }
        return killed;
}

void children_reset_signals(void) {
        sigset_t none;
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}
