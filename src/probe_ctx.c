/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "probe_ctx.h"
#include "util.h"

struct probe_ctx {
        struct complyd_probe_ctx pub; /* first: the public view */
        char *root;                   /* canonical root, "/" or "/x/y" */
        int root_fd;                  /* O_PATH|O_DIRECTORY */
        json_t *params;
};

static struct probe_ctx *priv(const struct complyd_probe_ctx *c) {
        return (struct probe_ctx *) c;
}

#define FALLBACK_MAX_DEPTH 128
#define FALLBACK_MAX_LINKS 40

/* RESOLVE_IN_ROOT done by hand, for kernels before 5.6 and for valgrind,
 * which does not know openat2: walks path one component at a time with
 * O_PATH|O_NOFOLLOW, follows symlinks itself (absolute targets restart at
 * the root, ".." never climbs above it). Returns an fd or -errno. */
static int open_in_root_fallback(int root_fd, const char *path, int flags) {
        int stack[FALLBACK_MAX_DEPTH], depth = 0, links = 0, r = -ENOENT;
        _cleanup_free_ char *work = strdup(path);
        char *rest = work;

        if (!work)
                return -ENOMEM;
        for (;;) {
                char *comp, target[PATH_MAX];
                struct stat st;
                bool last;
                int cur = depth ? stack[depth - 1] : root_fd, fd;
                ssize_t n;

                while (*rest == '/')
                        rest++;
                comp = rest;
                rest += strcspn(rest, "/");
                last = !rest[strspn(rest, "/")];
                if (*rest)
                        *rest++ = '\0';
                if (streq(comp, "..") || streq(comp, ".") || !*comp) {
                        if (streq(comp, "..") && depth > 0)
                                close(stack[--depth]);
                        if (!last)
                                continue;
                        r = openat(depth ? stack[depth - 1] : root_fd, ".", flags);
                        r = r < 0 ? -errno : r;
                        break;
                }
                fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0) {
                        r = -errno;
                        if (fd >= 0)
                                close(fd);
                        break;
                }
                if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
                        _cleanup_free_ char *joined = NULL;

                        n = readlinkat(fd, "", target, sizeof(target) - 1);
                        close(fd);
                        if (n < 0 || ++links > FALLBACK_MAX_LINKS) {
                                r = n < 0 ? -errno : -ELOOP;
                                break;
                        }
                        target[n] = '\0';
                        if (target[0] == '/')
                                while (depth > 0)
                                        close(stack[--depth]);
                        joined = strdup_printf("%s/%s", target, last ? "" : rest);
                        if (!joined) {
                                r = -ENOMEM;
                                break;
                        }
                        free(work);
                        work = TAKE_PTR(joined);
                        rest = work;
                        continue;
                }
                if (last) {
                        close(fd);
                        r = openat(cur, comp, flags | O_NOFOLLOW);
                        r = r < 0 ? -errno : r;
                        break;
                }
                if (!S_ISDIR(st.st_mode) || depth == FALLBACK_MAX_DEPTH) {
                        close(fd);
                        r = S_ISDIR(st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
                        break;
                }
                stack[depth++] = fd;
        }
        while (depth > 0)
                close(stack[--depth]);
        return r;
}

/* Opens path (an absolute host path) inside the root; symlinks are resolved
 * as if root were "/". */
static int ctx_openat2(const struct complyd_probe_ctx *c, const char *path, int flags, mode_t mode) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .mode = mode,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        static bool no_openat2; /* kernel < 5.6, or valgrind */
        const char *rel = path;
        int fd;

        while (*rel == '/')
                rel++;
        if (!*rel)
                rel = ".";
        if (no_openat2)
                return open_in_root_fallback(priv(c)->root_fd, rel, flags | O_CLOEXEC);
        fd = (int) syscall(SYS_openat2, priv(c)->root_fd, rel, &how, sizeof(how));
        if (fd < 0 && errno == ENOSYS) {
                no_openat2 = true;
                return open_in_root_fallback(priv(c)->root_fd, rel, flags | O_CLOEXEC);
        }
        return fd < 0 ? -errno : fd;
}

static int ctx_open(const struct complyd_probe_ctx *c, const char *path, int flags) {
        return ctx_openat2(c, path, flags & ~O_CREAT, 0);
}

static int ctx_read_file(const struct complyd_probe_ctx *c, const char *path, size_t max,
                         char **buf, size_t *len) {
        _cleanup_close_ int fd = ctx_open(c, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL; /* a FIFO or device under a hostile root must not block us */
        return read_fd_full(fd, max, buf, len);
}

static int ctx_opendir(const struct complyd_probe_ctx *c, const char *path, DIR **dir) {
        int fd = ctx_open(c, path, O_RDONLY | O_DIRECTORY);
        DIR *d;

        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        *dir = d;
        return 0;
}

static int ctx_stat(const struct complyd_probe_ctx *c, const char *path, struct stat *st, int flags) {
        int oflags = O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0);
        _cleanup_close_ int fd = ctx_open(c, path, oflags);
        struct stat s;

        if (fd < 0)
                return fd;
        if (fstat(fd, &s) < 0)
                return -errno;
        *st = s;
        return 0;
}

static int ctx_readlink(const struct complyd_probe_ctx *c, const char *path, char **target) {
        _cleanup_close_ int fd = ctx_open(c, path, O_PATH | O_NOFOLLOW);
        char buf[PATH_MAX];
        ssize_t n;

        if (fd < 0)
                return fd;
        /* readlinkat() with an empty path reads the link fd itself */
        n = readlinkat(fd, "", buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        if (!(*target = strdup(buf)))
                return -ENOMEM;
        return 0;
}

static int ctx_realpath(const struct complyd_probe_ctx *c, const char *path, char **resolved) {
        _cleanup_close_ int fd = ctx_open(c, path, O_PATH);
        char link[64], buf[PATH_MAX];
        const char *root = priv(c)->root, *rel;
        size_t rootlen = strlen(root);
        ssize_t n;

        if (fd < 0)
                return fd;
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        if (streq(root, "/"))
                rel = buf;
        else if (strncmp(buf, root, rootlen) == 0 && (buf[rootlen] == '/' || !buf[rootlen]))
                rel = buf[rootlen] ? buf + rootlen : "/";
        else
                return -EXDEV;
        if (!(*resolved = strdup(rel)))
                return -ENOMEM;
        return 0;
}

static void ctx_strv_free(char **strv) { strv_free(strv); }

struct strv_builder {
        char **v;
        size_t n, cap;
};

static int strv_push(struct strv_builder *b, char *s) {
        if (b->n + 2 > b->cap) {
                size_t ncap = b->cap ? b->cap * 2 : 16;
                char **p = realloc(b->v, ncap * sizeof(char *));
                if (!p) {
                        free(s);
                        return -ENOMEM;
                }
                b->v = p;
                b->cap = ncap;
        }
        b->v[b->n++] = s;
        b->v[b->n] = NULL;
        return 0;
}

static bool has_glob_chars(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (s[i] == '*' || s[i] == '?' || s[i] == '[')
                        return true;
        return false;
}

/* Expands pattern component by component below dir (a host path, "" for /). */
static int glob_walk(const struct complyd_probe_ctx *c, const char *dir, const char *pattern,
                     struct strv_builder *out, unsigned depth) {
        const char *comp = pattern, *rest;
        size_t len;
        int r = 0;

        if (depth > 64)
                return -ELOOP;
        while (*comp == '/')
                comp++;
        if (!*comp)
                return 0;
        rest = strchr(comp, '/');
        len = rest ? (size_t) (rest - comp) : strlen(comp);

        if (!has_glob_chars(comp, len)) {
                _cleanup_free_ char *p = strdup_printf("%s/%.*s", dir, (int) len, comp);
                struct stat st;

                if (!p)
                        return -ENOMEM;
                if (rest && rest[strspn(rest, "/")])
                        return glob_walk(c, p, rest, out, depth + 1);
                if (ctx_stat(c, p, &st, 0) < 0)
                        return 0;
                return strv_push(out, TAKE_PTR(p));
        }

        _cleanup_free_ char *pat = strndup(comp, len);
        DIR *d = NULL;
        struct dirent *de;

        if (!pat)
                return -ENOMEM;
        if (ctx_opendir(c, *dir ? dir : "/", &d) < 0)
                return 0;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fnmatch(pat, de->d_name, FNM_PERIOD) != 0)
                        continue;
                if (!(p = strdup_printf("%s/%s", dir, de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                if (rest && rest[strspn(rest, "/")])
                        r = glob_walk(c, p, rest, out, depth + 1);
                else
                        r = strv_push(out, TAKE_PTR(p));
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int ctx_glob(const struct complyd_probe_ctx *c, const char *pattern, char ***paths) {
        struct strv_builder b = { 0 };
        int r;

        if (pattern[0] != '/')
                return -EINVAL;
        r = glob_walk(c, "", pattern, &b, 0);
        if (r >= 0 && !b.v && !(b.v = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        if (r < 0) {
                strv_freep(&b.v);
                return r;
        }
        qsort(b.v, b.n, sizeof(char *), cmp_str);
        *paths = b.v;
        return 0;
}

static bool ctx_expired(const struct complyd_probe_ctx *c) {
        return c->deadline_usec && now_monotonic_usec() >= c->deadline_usec;
}

__attribute__((format(printf, 3, 4)))
static void ctx_log(const struct complyd_probe_ctx *c, int priority, const char *fmt, ...) {
        va_list ap;

        (void) c;
        fprintf(stderr, "<%d>", priority);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* The child side of ctx_run(): clean environment, stdout to the pipe,
 * stdin and stderr to /dev/null, every other descriptor closed. */
_Noreturn static void run_child(const char *const *argv, int out_fd) {
        static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
                                      "LANG=C", NULL };
        int null = open("/dev/null", O_RDWR);

        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(null, STDERR_FILENO) < 0)
                _exit(127);
        syscall(SYS_close_range, 3U, ~0U, 0U);
        setpgid(0, 0);
        execve(argv[0], (char *const *) argv, envp);
        _exit(127);
}

static int ctx_run(const struct complyd_probe_ctx *c, const char *const *argv, size_t max,
                   char **out) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        int pipefd[2], status, r = 0;
        pid_t pid;

        if (!c->live_host)
                return -EOPNOTSUPP;
        if (!argv || !argv[0] || argv[0][0] != '/')
                return -EINVAL;
        if (access(argv[0], X_OK) < 0)
                return -errno;
        if (!(buf = malloc(max + 1)))
                return -ENOMEM;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0)
                run_child(argv, pipefd[1]);
        close(pipefd[1]);

        for (;;) {
                struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
                int timeout = -1;
                ssize_t k;

                if (c->deadline_usec) {
                        uint64_t now = now_monotonic_usec();
                        if (now >= c->deadline_usec) {
                                r = -ETIMEDOUT;
                                break;
                        }
                        timeout = (int) ((c->deadline_usec - now) / USEC_PER_MSEC) + 1;
                }
                if (poll(&p, 1, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (!p.revents)
                        continue;
                k = read(pipefd[0], buf + n, max + 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
                if (n > max) {
                        r = -EFBIG;
                        break;
                }
        }
        close(pipefd[0]);
        if (r < 0)
                kill(-pid, SIGKILL), kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return r;
        buf[n] = '\0';
        *out = TAKE_PTR(buf);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

int probe_ctx_new(const char *root, json_t *params, uint64_t deadline_usec,
                  struct complyd_probe_ctx **ret) {
        struct probe_ctx *p;
        char *canon;

        if (!root || !*root)
                root = "/";
        canon = realpath(root, NULL);
        if (!canon)
                return -errno;
        p = calloc(1, sizeof(*p));
        if (!p) {
                free(canon);
                return -ENOMEM;
        }
        p->root = canon;
        p->root_fd = open(canon, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (p->root_fd < 0) {
                int r = -errno;
                free(canon);
                free(p);
                return r;
        }
        p->params = params ? json_incref(params) : json_object();
        p->pub = (struct complyd_probe_ctx) {
                .abi_version = COMPLYD_PROBE_ABI_VERSION,
                .size = sizeof(struct complyd_probe_ctx),
                .root = p->root,
                .live_host = streq(canon, "/"),
                .deadline_usec = deadline_usec,
                .params = p->params,
                .open = ctx_open,
                .read_file = ctx_read_file,
                .opendir = ctx_opendir,
                .stat = ctx_stat,
                .readlink = ctx_readlink,
                .realpath = ctx_realpath,
                .glob = ctx_glob,
                .strv_free = ctx_strv_free,
                .run = ctx_run,
                .expired = ctx_expired,
                .log = ctx_log,
        };
        *ret = &p->pub;
        return 0;
}

void probe_ctx_free(struct complyd_probe_ctx *ctx) {
        struct probe_ctx *p = priv(ctx);

        if (!ctx)
                return;
        if (p->root_fd >= 0)
                close(p->root_fd);
        json_decref(p->params);
        free(p->root);
        free(p);
}

static bool param_type_ok(enum complyd_param_type t, const json_t *v) {
        size_t i;
        json_t *e;

        switch (t) {
        case COMPLYD_PARAM_STRING:
                return json_is_string(v);
        case COMPLYD_PARAM_INTEGER:
                return json_is_integer(v);
        case COMPLYD_PARAM_BOOLEAN:
                return json_is_boolean(v);
        case COMPLYD_PARAM_STRINGS:
                if (!json_is_array(v))
                        return false;
                json_array_foreach(v, i, e) if (!json_is_string(e)) return false;
                return true;
        }
        return false;
}

static const char *param_type_name(enum complyd_param_type t) {
        switch (t) {
        case COMPLYD_PARAM_STRING: return "a string";
        case COMPLYD_PARAM_INTEGER: return "an integer";
        case COMPLYD_PARAM_BOOLEAN: return "true or false";
        case COMPLYD_PARAM_STRINGS: return "a list of strings";
        }
        return "?";
}

int probe_params_resolve(const struct complyd_probe *probe, const json_t *configured,
                         json_t **ret, char *err, size_t errlen) {
        _cleanup_json_ json_t *out = json_object();
        const char *key;
        json_t *v;

        if (!out)
                return -ENOMEM;
        for (const struct complyd_param *p = probe->params; p && p->key; p++) {
                json_error_t jerr;
                json_t *d = json_loads(p->default_json, JSON_DECODE_ANY, &jerr);

                if (!d || !param_type_ok(p->type, d)) {
                        json_decref(d);
                        snprintf(err, errlen, "probe %s: bad default for parameter %s",
                                 probe->name, p->key);
                        return -EINVAL;
                }
                json_object_set_new(out, p->key, d);
        }
        if (configured)
                json_object_foreach((json_t *) configured, key, v) {
                        const struct complyd_param *p = probe->params;

                        while (p && p->key && !streq(p->key, key))
                                p++;
                        if (!p || !p->key) {
                                size_t off = (size_t) snprintf(err, errlen,
                                        "probe %s has no parameter '%s' (valid:", probe->name, key);
                                for (p = probe->params; p && p->key && off < errlen; p++)
                                        off += (size_t) snprintf(err + off, errlen - off, " %s", p->key);
                                if (off < errlen)
                                        snprintf(err + off, errlen - off, "%s)",
                                                 probe->params && probe->params->key ? "" : " none");
                                return -EINVAL;
                        }
                        if (!param_type_ok(p->type, v)) {
                                snprintf(err, errlen, "probe %s: parameter '%s' must be %s",
                                         probe->name, key, param_type_name(p->type));
                                return -EINVAL;
                        }
                        json_object_set(out, key, v);
                }
        *ret = TAKE_PTR(out);
        return 0;
}
