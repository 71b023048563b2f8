/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "builtin.h"
#include "children.h"
#include "json_build.h"
#include "json_check.h"
#include "probe_ctx.h"
#include "runner.h"
#include "util.h"
#include "write_all.h"

#define STDERR_KEEP 4096
#define PROBE_MEMORY_LIMIT (1024ULL * 1024 * 1024)
#define PROBE_FILE_LIMIT (64ULL * 1024 * 1024)
#define PROBE_NICE 10
#define PROBE_NOFILE_LIMIT 1024
/* stdout pipe capacity asked for: fewer wake-ups of the parent per
 * megabyte of output (best effort: Linux caps it at pipe-max-size) */
#define PIPE_SIZE (1024 * 1024)

struct probe_run {
        sd_event_source *out_source, *err_source, *timer;
        int out_fd, err_fd;
        pid_t pid;
        uint64_t started;
        size_t max_output;
        char *out;
        size_t out_len, out_cap;
        char err[STDERR_KEEP + 1];
        size_t err_len;
        bool timed_out, too_large;
        bool text_only; /* the caller prints the text: no tree is built */
        uint64_t timeout_usec;
        probe_done_fn done;
        void *userdata;
};

void probe_result_clear(struct probe_result *res) {
        json_decref(res->observation);
        free(res->text);
        free(res->error);
        *res = (struct probe_result) { 0 };
}

static void run_free(struct probe_run *run) {
        sd_event_source_disable_unref(run->out_source);
        sd_event_source_disable_unref(run->err_source);
        sd_event_source_disable_unref(run->timer);
        if (run->out_fd >= 0)
                close(run->out_fd);
        if (run->err_fd >= 0)
                close(run->err_fd);
        free(run->out);
        free(run);
}

/* Appends what stdout has now; past max_output the run is cut and killed. */
static void drain_stdout(struct probe_run *run) {
        while (run->out_fd >= 0 && !run->too_large) {
                ssize_t k;

                if (run->out_cap - run->out_len < 16384) {
                        size_t ncap = run->out_cap ? run->out_cap * 2 : 65536;
                        char *p;

                        if (ncap > run->max_output + 16384 + 1)
                                ncap = run->max_output + 16384 + 1;
                        if (!(p = realloc(run->out, ncap)))
                                break;
                        run->out = p;
                        run->out_cap = ncap;
                }
                k = read(run->out_fd, run->out + run->out_len, run->out_cap - run->out_len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        if (k == 0 || errno != EAGAIN) {
                                run->out_source = sd_event_source_disable_unref(run->out_source);
                                close(run->out_fd);
                                run->out_fd = -1;
                        }
                        break;
                }
                run->out_len += (size_t) k;
                if (run->out_len > run->max_output) {
                        run->too_large = true;
                        run->out_source = sd_event_source_disable_unref(run->out_source);
                        children_kill_tree(run->pid);
                }
        }
}

/* Keeps the last STDERR_KEEP bytes of the probe's stderr, for the reason. */
static void drain_stderr(struct probe_run *run) {
        while (run->err_fd >= 0) {
                char buf[4096];
                ssize_t k = read(run->err_fd, buf, sizeof(buf));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        if (k == 0 || errno != EAGAIN) {
                                run->err_source = sd_event_source_disable_unref(run->err_source);
                                close(run->err_fd);
                                run->err_fd = -1;
                        }
                        break;
                }
                if ((size_t) k >= STDERR_KEEP) {
                        memcpy(run->err, buf + k - STDERR_KEEP, STDERR_KEEP);
                        run->err_len = STDERR_KEEP;
                } else {
                        size_t keep = run->err_len + (size_t) k > STDERR_KEEP ? STDERR_KEEP - (size_t) k : run->err_len;
                        memmove(run->err, run->err + run->err_len - keep, keep);
                        memcpy(run->err + keep, buf, (size_t) k);
                        run->err_len = keep + (size_t) k;
                }
        }
}

static int on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        drain_stdout(userdata);
        return 0;
}

static int on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        drain_stderr(userdata);
        return 0;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        struct probe_run *run = userdata;

        run->timed_out = true;
        children_kill_tree(run->pid);
        return 0;
}

/* The last non-empty line the probe wrote to stderr, without "<N>". */
static const char *stderr_last_line(struct probe_run *run) {
        char *end, *start;

        run->err[run->err_len] = '\0';
        end = run->err + run->err_len;
        while (end > run->err && (end[-1] == '\n' || end[-1] == ' '))
                *--end = '\0';
        start = end;
        while (start > run->err && start[-1] != '\n')
                start--;
        if (start[0] == '<' && start[1] && start[2] == '>')
                start += 3;
        return start;
}

static char *describe_failure(struct probe_run *run, int status) {
        char dur[32];
        const char *why = stderr_last_line(run);

        if (run->timed_out)
                return strdup_printf("timed out after %s (process tree killed)",
                                     format_duration(run->timeout_usec, dur, sizeof(dur)));
        if (run->too_large)
                return strdup_printf("output too large (more than %zu bytes)", run->max_output);
        if (WIFSIGNALED(status))
                return strdup_printf("killed by signal %s%s%s", sigabbrev_np(WTERMSIG(status)) ?: "?",
                                     *why ? ": " : "", why);
        if (WEXITSTATUS(status) != 0)
                return strdup_printf("exited with status %d%s%s", WEXITSTATUS(status),
                                     *why ? ": " : "", why);
        return NULL;
}

/* Turns the captured stdout into the observation, or an error. The text is
 * first checked in one pass without a tree (json_check.h: one JSON object,
 * valid UTF-8, no duplicate keys), which gives every run the same reasons
 * for refusing it; the tree is built only for a caller that evaluates it.
 * The text itself is handed on in either case. */
static void parse_output(struct probe_run *run, struct probe_result *res) {
        struct json_check_error cerr;
        json_error_t jerr;
        json_t *j = NULL;
        int kind;

        if (run->out_len == 0) {
                res->error = strdup("no output (a probe prints one JSON object)");
                return;
        }
        kind = json_check_text(run->out, run->out_len, &cerr);
        if (kind == -EINVAL) {
                res->error = strdup_printf("output is not JSON: %s (line %u, column %u)", cerr.text,
                                           cerr.line, cerr.column);
                return;
        }
        if (kind < 0) {
                res->error = strdup_printf("cannot check the output: %s", strerror(-kind));
                return;
        }
        if (kind != JSON_CHECK_OBJECT) {
                res->error = strdup_printf("output is a JSON %s, not an object",
                                           json_check_kind_name(kind));
                return;
        }
        if (!run->text_only) {
                j = json_loadb(run->out, run->out_len, JSON_REJECT_DUPLICATES, &jerr);
                if (!j) {
                        res->error = strdup_printf("output is not JSON: %s (line %d, column %d)",
                                                   jerr.text, jerr.line, jerr.column);
                        return;
                }
        }
        res->observation = j;
        run->out[run->out_len] = '\0';
        res->text = TAKE_PTR(run->out);
        res->text_len = run->out_len;
}

static void on_exit_status(pid_t pid, int status, void *userdata) {
        struct probe_run *run = userdata;
        struct probe_result res = { .exit_status = -1 };

        /* what the probe wrote before it died is in the pipes: take it, then
         * make sure nothing it started lives on */
        drain_stdout(run);
        drain_stderr(run);
        /* the probe is gone: its process group, and whatever it left
         * behind, which is now reparented to us (we are a subreaper) */
        kill(-pid, SIGKILL);
        children_kill_orphans();

        res.duration_usec = now_monotonic_usec() - run->started;
        res.timed_out = run->timed_out;
        res.output_too_large = run->too_large;
        if (WIFEXITED(status))
                res.exit_status = WEXITSTATUS(status);
        else if (WIFSIGNALED(status))
                res.signal = WTERMSIG(status);
        res.error = describe_failure(run, status);
        if (!res.error)
                parse_output(run, &res);

        run->done(run, &res, run->userdata);
        probe_result_clear(&res);
        run_free(run);
}

struct child_spec {
        const char *path;
        char **argv;
        char **envp;
        uid_t uid;
        gid_t gid;
        bool switch_user;
        uint64_t timeout_usec;
        bool limit_memory;
        bool clear_ambient_caps;
        /* built-in probes run in the forked child itself, no exec */
        const struct complyd_probe *inproc;
        const char *root;
        const json_t *params;
};

static int observe_and_write(const struct complyd_probe *probe, const char *root,
                             const json_t *params, uint64_t timeout_usec, bool exiting);

static void set_limit(int resource, rlim_t value) {
        struct rlimit rl = { value, value };
        (void) setrlimit(resource, &rl);
}

/* In the forked child: everything a probe must not inherit is reset, then
 * exec — or, for a built-in probe, its observe() runs right here (complyd
 * is single-threaded, so the forked image is consistent): a fork costs
 * ~0.2 ms where a fresh exec costs ~3 ms, and built-in probes are complyd's
 * own code. Third-party shared objects and scripts always get a fresh exec,
 * so they never see the daemon's memory. Failures end in _exit(127) with a
 * message on stderr (the pipe) that becomes the error reason. */
_Noreturn static void exec_child(const struct child_spec *spec, pid_t parent, int out_w, int err_w) {
        int null_fd;

        children_reset_signals();
        setsid(); /* own session and process group, killed as one */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0 ||
            dup2(err_w, STDERR_FILENO) < 0)
                _exit(127);
        syscall(SYS_close_range, 3U, ~0U, 0U);
        if (spec->clear_ambient_caps)
                (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        set_limit(RLIMIT_CORE, 0);
        set_limit(RLIMIT_NOFILE, PROBE_NOFILE_LIMIT);
        set_limit(RLIMIT_FSIZE, PROBE_FILE_LIMIT);
        set_limit(RLIMIT_CPU, (rlim_t) (spec->timeout_usec / USEC_PER_SEC + 2));
        if (spec->switch_user &&
            (setgroups(0, NULL) < 0 || setgid(spec->gid) < 0 || setuid(spec->uid) < 0)) {
                static const char msg[] = "cannot switch to the probe user\n";
                (void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
                _exit(127);
        }
        umask(077);
        /* Probes yield to the host's work and to complyd itself: the parent
         * that starts the other probes of a run, evaluates, signs and ships
         * (raising a nice value back needs a capability the unit does not
         * grant, so a probe cannot undo it). */
        (void) setpriority(PRIO_PROCESS, 0, PROBE_NICE);
        if (chdir("/") < 0)
                _exit(127);
        if (spec->limit_memory)
                set_limit(RLIMIT_AS, PROBE_MEMORY_LIMIT);
        if (spec->inproc)
                _exit(observe_and_write(spec->inproc, spec->root, spec->params, spec->timeout_usec,
                                        true));
        execve(spec->path, spec->argv, spec->envp);
        {
                static const char msg[] = "cannot execute the probe\n";
                (void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
        }
        _exit(127);
}

static bool built_with_asan(void) {
#if defined(__SANITIZE_ADDRESS__)
        return true;
#else
        return false;
#endif
}

/* argv/envp for the child. Built-in and .so probes run in a fresh exec of
 * complyd itself (`complyd __probe-child`), so no daemon state leaks in. */
static int build_exec(const struct probe_request *req, const char *params_json, char ***argv_ret,
                      char ***envp_ret) {
        const struct probe_entry *e = req->entry;
        char *argv[8] = { 0 }, *envp[16] = { 0 };
        size_t na = 0, ne = 0;
        static const char *const passthrough[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
                                                   "COMPLYD_LOG_LEVEL" };

        if (e->kind == PROBE_SCRIPT) {
                argv[na++] = strdup(e->path);
        } else {
                argv[na++] = strdup("complyd");
                argv[na++] = strdup("__probe-child");
                argv[na++] = strdup(e->name);
                argv[na++] = strdup(e->path ?: "");
        }
        envp[ne++] = strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
        envp[ne++] = strdup("LANG=C.UTF-8");
        envp[ne++] = strdup("LC_ALL=C.UTF-8");
        envp[ne++] = strdup_printf("COMPLYD_PROBE=%s", e->name);
        envp[ne++] = strdup_printf("COMPLYD_ROOT=%s", req->root);
        envp[ne++] = strdup_printf("COMPLYD_PARAMS=%s", params_json);
        envp[ne++] = strdup_printf("COMPLYD_TIMEOUT_MS=%llu",
                                   (unsigned long long) (req->timeout_usec / USEC_PER_MSEC));
        for (size_t i = 0; i < ELEMENTSOF(passthrough); i++)
                if (getenv(passthrough[i]))
                        envp[ne++] = strdup_printf("%s=%s", passthrough[i], getenv(passthrough[i]));

        for (size_t i = 0; i < na; i++)
                if (!argv[i])
                        goto oom;
        for (size_t i = 0; i < ne; i++)
                if (!envp[i])
                        goto oom;
        *argv_ret = calloc(na + 1, sizeof(char *));
        *envp_ret = calloc(ne + 1, sizeof(char *));
        if (!*argv_ret || !*envp_ret) {
                free(*argv_ret), free(*envp_ret);
                goto oom;
        }
        memcpy(*argv_ret, argv, na * sizeof(char *));
        memcpy(*envp_ret, envp, ne * sizeof(char *));
        return 0;
oom:
        for (size_t i = 0; i < ELEMENTSOF(argv); i++)
                free(argv[i]);
        for (size_t i = 0; i < ELEMENTSOF(envp); i++)
                free(envp[i]);
        return -ENOMEM;
}

static int resolve_user(const char *user, struct child_spec *spec) {
        struct passwd pw, *res = NULL;
        char buf[4096];

        if (!user)
                return 0;
        if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res)
                return -ESRCH;
        spec->uid = pw.pw_uid;
        spec->gid = pw.pw_gid;
        spec->switch_user = true;
        return 0;
}

static int spawn(struct probe_run *run, const struct child_spec *spec) {
        int out[2], err[2];
        pid_t parent = getpid(), pid;

        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(err, O_CLOEXEC) < 0) {
                int r = -errno;
                close(out[0]), close(out[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(out[0]), close(out[1]), close(err[0]), close(err[1]);
                return r;
        }
        if (pid == 0)
                exec_child(spec, parent, out[1], err[1]);
        close(out[1]);
        close(err[1]);
        (void) fcntl(out[0], F_SETPIPE_SZ, PIPE_SIZE);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(err[0], F_SETFL, O_NONBLOCK);
        run->out_fd = out[0];
        run->err_fd = err[0];
        run->pid = pid;
        return 0;
}

/* runner_start() and runner_start_text(): the same run, with or without
 * the observation's tree. */
static int start(sd_event *e, const struct probe_request *req, bool text_only, probe_done_fn done,
                 void *userdata, struct probe_run **ret) {
        _cleanup_free_ char *params_json = NULL;
        _cleanup_strv_ char **argv = NULL, **envp = NULL;
        struct child_spec spec = { 0 };
        struct probe_run *run;
        int r;

        run = calloc(1, sizeof(*run));
        if (!run)
                return -ENOMEM;
        run->out_fd = run->err_fd = -1;
        run->timeout_usec = req->timeout_usec ?: RUNNER_DEFAULT_TIMEOUT_USEC;
        run->max_output = req->max_output ?: RUNNER_DEFAULT_MAX_OUTPUT;
        run->done = done;
        run->userdata = userdata;
        run->text_only = text_only;

        params_json = json_dumps(req->params ?: json_object(), JSON_COMPACT | JSON_SORT_KEYS);
        r = params_json ? build_exec(req, params_json, &argv, &envp) : -ENOMEM;
        if (r >= 0 && req->entry->kind == PROBE_SCRIPT)
                r = resolve_user(req->user, &spec);
        if (r < 0)
                goto fail;
        spec.path = req->entry->kind == PROBE_SCRIPT ? req->entry->path : "/proc/self/exe";
        spec.argv = argv;
        spec.envp = envp;
        spec.timeout_usec = run->timeout_usec;
        spec.limit_memory = req->entry->kind == PROBE_SCRIPT || !built_with_asan();
        /* Third-party code gets none of complyd's capabilities. Built-in
         * probes keep the ambient set the unit grants (CAP_DAC_READ_SEARCH,
         * CAP_SYS_PTRACE): they need it to read /etc/shadow and
         * /proc/<pid>/fd when complyd runs as an unprivileged user. */
        spec.clear_ambient_caps = req->entry->kind != PROBE_BUILTIN;
        if (req->entry->kind == PROBE_BUILTIN) {
                spec.inproc = req->entry->probe;
                spec.root = req->root;
                spec.params = req->params;
        }

        run->started = now_monotonic_usec();
        r = spawn(run, &spec);
        if (r < 0)
                goto fail;
        r = children_watch(run->pid, on_exit_status, run);
        if (r >= 0)
                r = sd_event_add_io(e, &run->out_source, run->out_fd, EPOLLIN, on_stdout, run);
        if (r >= 0)
                r = sd_event_add_io(e, &run->err_source, run->err_fd, EPOLLIN, on_stderr, run);
        if (r >= 0)
                r = sd_event_add_time_relative(e, &run->timer, CLOCK_MONOTONIC, run->timeout_usec,
                                               10 * USEC_PER_MSEC, on_timeout, run);
        if (r < 0) {
                children_unwatch(run->pid);
                children_kill_tree(run->pid);
                waitpid(run->pid, NULL, 0);
                goto fail;
        }
        if (ret)
                *ret = run;
        return 0;
fail:
        run_free(run);
        return r;
}

int runner_start(sd_event *e, const struct probe_request *req, probe_done_fn done,
                 void *userdata, struct probe_run **ret) {
        return start(e, req, false, done, userdata, ret);
}

int runner_start_text(sd_event *e, const struct probe_request *req, probe_done_fn done,
                      void *userdata, struct probe_run **ret) {
        return start(e, req, true, done, userdata, ret);
}

void runner_cancel(struct probe_run *run) {
        if (!run)
                return;
        children_unwatch(run->pid);
        children_kill_tree(run->pid);
        run_free(run);
}

/* --- child side ---------------------------------------------------------- */

static const struct complyd_probe *child_find_probe(const char *name, const char *so_path) {
        const struct complyd_probe *p;
        void *dl;

        if (!*so_path) {
                for (size_t i = 0; builtin_probes[i]; i++)
                        if (streq(builtin_probes[i]->name, name))
                                return builtin_probes[i];
                return NULL;
        }
        dl = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                fprintf(stderr, "cannot load %s: %s\n", so_path, dlerror());
                return NULL;
        }
        p = dlsym(dl, COMPLYD_PROBE_SYMBOL);
        if (!p || p->abi_version != COMPLYD_PROBE_ABI_VERSION || !p->observe)
                return NULL;
        return p; /* the handle stays open until exit */
}

/* Hands a piece of the observation to stdout; -errno when it cannot. */
static int write_stdout(const char *buf, size_t len, void *userdata) {
        return write_all(STDOUT_FILENO, buf, len);
}

/* The observation on stdout as compact text, written in 64 KiB pieces as
 * it is made (json_write_compact()): the parent reads a piece while the
 * next one is made, and megabytes (every listener of a busy host) are
 * never held twice. Returns the child's exit status. */
static int write_observation(const json_t *out) {
        int r = json_write_compact(out, write_stdout, NULL);

        if (r < 0)
                return fprintf(stderr, "cannot write the observation: %s\n", strerror(-r)), 1;
        return 0;
}

/* Runs probe on root and writes its observation to stdout: the body of a
 * probe child. When exiting, the process ends right after this (the forked
 * child's _exit()), so the observation is not freed: taking a tree of
 * 10^5 values apart only to exit costs more than making it. Returns the
 * child's exit status. */
static int observe_and_write(const struct complyd_probe *probe, const char *root,
                             const json_t *params, uint64_t timeout_usec, bool exiting) {
        struct complyd_probe_ctx *ctx = NULL;
        json_t *out = NULL;
        uint64_t deadline = timeout_usec ? now_monotonic_usec() + timeout_usec : 0;
        int r = probe_ctx_new(root, (json_t *) params, deadline, &ctx), status;

        if (r < 0)
                return fprintf(stderr, "cannot open root %s: %s\n", root, strerror(-r)), 1;
        r = probe->observe(ctx, &out);
        probe_ctx_free(ctx);
        if (r < 0)
                return fprintf(stderr, "probe failed: %s\n", strerror(-r)), 1;
        if (!json_is_object(out))
                status = (fprintf(stderr, "probe returned no JSON object\n"), 1);
        else
                status = write_observation(out);
        if (!exiting)
                json_decref(out);
        return status;
}

int runner_child_main(int argc, char **argv) {
        const char *params_env = getenv("COMPLYD_PARAMS"), *timeout_env = getenv("COMPLYD_TIMEOUT_MS");
        const struct complyd_probe *probe;
        _cleanup_json_ json_t *params = NULL;
        json_error_t jerr;

        if (argc != 4)
                return fprintf(stderr, "usage: complyd __probe-child NAME SO-PATH\n"), 2;
        probe = child_find_probe(argv[2], argv[3]);
        if (!probe)
                return fprintf(stderr, "no such probe: %s\n", argv[2]), 2;
        params = json_loads(params_env ?: "{}", 0, &jerr);
        if (!json_is_object(params))
                return fprintf(stderr, "bad COMPLYD_PARAMS\n"), 2;
        return observe_and_write(probe, getenv("COMPLYD_ROOT") ?: "/", params,
                                 timeout_env ? strtoull(timeout_env, NULL, 10) * USEC_PER_MSEC : 0,
                                 false);
}
