/* SPDX-License-Identifier: MIT */
/* The command sink: runs the configured program (no shell, no arguments)
 * once per alert with the facts in COMPLYD_* environment variables and
 * nothing else inherited; stdin and stdout are /dev/null, the last line of
 * stderr is kept for the log. A timeout kills the whole process tree; exit 0
 * is a delivery, anything else a failure that alerts.c retries. */
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "alert_sink.h"
#include "children.h"
#include "log.h"
#include "util.h"

#define STDERR_KEEP 512
#define CHILD_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct command {
        struct alert_sink *sink;
        char *path;
        uint64_t timeout_usec;
        pid_t pid;                       /* running child, 0 when none */
        int err_fd;
        sd_event_source *err_source, *timer;
        char err[STDERR_KEEP + 1];
        size_t err_len;
        bool timed_out;
};

char **alert_command_env(const struct alert_msg *m) {
        char when[40];
        char **env = calloc(11, sizeof(char *));
        size_t n = 0;

        if (!env)
                return NULL;
        env[n++] = strdup(CHILD_PATH);
        env[n++] = strdup_printf("COMPLYD_KIND=%s", alert_kind_to_string(m->kind));
        env[n++] = strdup_printf("COMPLYD_CONTROL=%s", m->control_id);
        env[n++] = strdup_printf("COMPLYD_TITLE=%s", m->title);
        env[n++] = strdup_printf("COMPLYD_SEVERITY=%s", m->severity);
        env[n++] = strdup_printf("COMPLYD_STATUS=%s", m->status);
        env[n++] = strdup_printf("COMPLYD_PREVIOUS=%s", m->previous ?: "");
        env[n++] = strdup_printf("COMPLYD_WHY=%s", m->why);
        env[n++] = strdup_printf("COMPLYD_HOST=%s", m->hostname);
        env[n++] = strdup_printf("COMPLYD_TIME=%s", alert_format_time(m->time_usec, when, sizeof(when)));
        for (size_t i = 0; i < n; i++)
                if (!env[i]) {
                        for (size_t j = 0; j < n; j++)
                                free(env[j]);
                        free(env);
                        return NULL;
                }
        return env;
}

/* Keeps the last STDERR_KEEP bytes the command wrote to stderr. */
static void drain_stderr(struct command *c) {
        while (c->err_fd >= 0) {
                char buf[1024];
                ssize_t k = read(c->err_fd, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        if (k == 0 || errno != EAGAIN) {
                                c->err_source = sd_event_source_disable_unref(c->err_source);
                                close(c->err_fd);
                                c->err_fd = -1;
                        }
                        return;
                }
                if ((size_t) k >= STDERR_KEEP) {
                        memcpy(c->err, buf + k - STDERR_KEEP, STDERR_KEEP);
                        c->err_len = STDERR_KEEP;
                } else {
                        size_t keep = c->err_len + (size_t) k > STDERR_KEEP ? STDERR_KEEP - (size_t) k
                                                                             : c->err_len;
                        memmove(c->err, c->err + c->err_len - keep, keep);
                        memcpy(c->err + keep, buf, (size_t) k);
                        c->err_len = keep + (size_t) k;
                }
        }
}

/* The last non-empty line of the kept stderr, printable only. */
static const char *stderr_last_line(struct command *c) {
        char *end, *start;

        c->err[c->err_len] = '\0';
        end = c->err + c->err_len;
        while (end > c->err && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
                *--end = '\0';
        start = end;
        while (start > c->err && start[-1] != '\n')
                start--;
        for (char *p = start; *p; p++)
                if ((unsigned char) *p < 0x20)
                        *p = ' ';
        return start;
}

static void run_cleanup(struct command *c) {
        c->err_source = sd_event_source_disable_unref(c->err_source);
        c->timer = sd_event_source_disable_unref(c->timer);
        if (c->err_fd >= 0)
                close(c->err_fd);
        c->err_fd = -1;
        c->pid = 0;
        c->err_len = 0;
        c->timed_out = false;
}

static int on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        drain_stderr(userdata);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        struct command *c = userdata;

        c->timed_out = true;
        children_kill_tree(c->pid);
        return 0;
}

/* The command ended: anything it left behind is killed, the outcome is
 * reported to the queue. */
static void on_exit_status(pid_t pid, int status, void *userdata) {
        struct command *c = userdata;
        char why[STDERR_KEEP + 128], dur[32];
        const char *line;
        bool ok;

        drain_stderr(c);
        children_kill_tree(pid);
        line = stderr_last_line(c);
        ok = !c->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (c->timed_out)
                snprintf(why, sizeof(why), "%s timed out after %s (process tree killed)", c->path,
                         format_duration(c->timeout_usec, dur, sizeof(dur)));
        else if (WIFSIGNALED(status))
                snprintf(why, sizeof(why), "%s killed by signal %s%s%s", c->path,
                         sigabbrev_np(WTERMSIG(status)) ?: "?", *line ? ": " : "", line);
        else
                snprintf(why, sizeof(why), "%s exited with status %d%s%s", c->path,
                         WEXITSTATUS(status), *line ? ": " : "", line);
        run_cleanup(c);
        alert_sink_done(c->sink, ok ? ALERT_DELIVERED : ALERT_RETRY, 0, why);
}

/* In the forked child: the same hygiene as a probe (own session, killed
 * with complyd, no inherited fds, signals or capabilities), then exec.
 * Only async-signal-safe calls. */
_Noreturn static void exec_child(const char *path, char **env, pid_t parent, int err_w) {
        char *argv[] = { (char *) path, NULL };
        struct rlimit core = { 0, 0 };
        int null_fd;

        children_reset_signals();
        setsid();
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
            dup2(err_w, STDERR_FILENO) < 0)
                _exit(127);
        syscall(SYS_close_range, 3U, ~0U, 0U);
        (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        (void) setrlimit(RLIMIT_CORE, &core);
        umask(077);
        if (chdir("/") < 0)
                _exit(127);
        execve(path, argv, env);
        {
                static const char msg[] = "cannot execute the command\n";
                (void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
        }
        _exit(127);
}

/* Event sources of a started run; on failure the caller kills the child. */
static int watch_run(struct command *c) {
        sd_event *e = c->sink->event;
        uint64_t now;
        int r;

        r = sd_event_add_io(e, &c->err_source, c->err_fd, EPOLLIN, on_stderr, c);
        if (r < 0)
                return r;
        sd_event_now(e, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(e, &c->timer, CLOCK_MONOTONIC, now + c->timeout_usec, USEC_PER_MSEC,
                              on_timeout, c);
        if (r < 0)
                return r;
        return children_watch(c->pid, on_exit_status, c);
}

static int command_start(struct alert_sink *s, struct alert_msg *m) {
        struct command *c = s->impl;
        _cleanup_strv_ char **env = alert_command_env(m);
        pid_t parent = getpid(), pid;
        int p[2], r;

        if (!env)
                return -ENOMEM;
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(p[0]), close(p[1]);
                return r;
        }
        if (pid == 0)
                exec_child(c->path, env, parent, p[1]);
        close(p[1]);
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        c->err_fd = p[0];
        c->pid = pid;
        r = watch_run(c);
        if (r < 0) {
                children_kill_tree(pid);
                run_cleanup(c);
        }
        return r;
}

static void command_cancel(struct alert_sink *s) {
        struct command *c = s->impl;

        if (c->pid > 0) {
                children_unwatch(c->pid);
                children_kill_tree(c->pid);
        }
        run_cleanup(c);
}

static void command_free(void *impl) {
        struct command *c = impl;

        if (!c)
                return;
        free(c->path);
        free(c);
}

static const struct alert_sink_ops command_ops = {
        .name = "command",
        .start = command_start,
        .cancel = command_cancel,
        .free = command_free,
};

int alert_command_new(struct alert_sink *s, const struct config_command *cfg) {
        struct command *c;
        int r;

        if (!cfg->path || cfg->path[0] != '/')
                return log_error_errno(EINVAL, "alerts.command: path must be absolute.");
        r = children_setup(s->event);
        if (r < 0)
                return log_error_errno(r, "alerts.command: cannot watch child processes: %m");
        c = calloc(1, sizeof(*c));
        if (!c)
                return log_oom();
        c->path = strdup(cfg->path);
        if (!c->path) {
                free(c);
                return log_oom();
        }
        c->sink = s;
        c->timeout_usec = cfg->timeout_usec ?: 30 * USEC_PER_SEC;
        c->err_fd = -1;
        s->ops = &command_ops;
        s->impl = c;
        return 0;
}
