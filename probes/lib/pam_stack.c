/* SPDX-License-Identifier: MIT */
/* Linux-PAM stack parser and dispatch explorer: see pam_stack.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "pam_stack.h"

/* libpam's _pam_token_returns, indexed by return code. */
static const char *const return_names[PAM_STACK_RETURN_VALUES] = {
        "success", "open_err", "symbol_err", "service_err", "system_err", "buf_err",
        "perm_denied", "auth_err", "cred_insufficient", "authinfo_unavail", "user_unknown",
        "maxtries", "new_authtok_reqd", "acct_expired", "session_err", "cred_unavail",
        "cred_expired", "cred_err", "no_module_data", "conv_err", "authtok_err",
        "authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging", "try_again",
        "ignore", "abort", "authtok_expired", "module_unknown", "bad_item", "conv_again",
        "incomplete",
};

static const char *const type_names[] = { "auth", "account", "password", "session" };

void pam_stack_init(struct pam_stack *s) { memset(s, 0, sizeof(*s)); }

static void entry_done(struct pam_entry *e) {
        free(e->control);
        free(e->module);
        free(e->name);
        strv_free(e->args);
        free(e->file);
}

void pam_stack_done(struct pam_stack *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_entries; i++)
                entry_done(&s->entries[i]);
        free(s->entries);
        file_errors_free(s->errors, s->n_errors);
        free(s->service);
        free(s->type);
        free(s->file);
        memset(s, 0, sizeof(*s));
}

/* Records "message" at file:line (up to PAM_STACK_MAX_ERRORS). 0 or -ENOMEM. */
__attribute__((format(printf, 4, 5))) static int add_error(struct pam_stack *s, const char *file,
                                                           unsigned line, const char *fmt, ...) {
        struct file_error *p;
        char *msg;
        va_list ap;
        int r;

        if (s->n_errors >= PAM_STACK_MAX_ERRORS)
                return 0;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        p = realloc(s->errors, (s->n_errors + 1) * sizeof(*p));
        if (!p) {
                free(msg);
                return -ENOMEM;
        }
        s->errors = p;
        p[s->n_errors] = (struct file_error) { .file = strdup(file), .line = line, .message = msg };
        if (!p[s->n_errors].file) {
                free(msg);
                return -ENOMEM;
        }
        s->n_errors++;
        return 0;
}

/* Next token of *p like libpam's _pam_tokenize(): blanks separate, a token
 * starting with '[' runs to the first unescaped ']' (brackets kept).
 * Returns a pointer into the buffer (NUL-terminated in place) or NULL. */
static char *next_token(char **p) {
        char *s = *p, *start;

        s += strspn(s, " \t\n\r");
        if (!*s)
                return NULL;
        start = s;
        if (*s == '[') {
                for (s++; *s && *s != ']'; s++)
                        if (*s == '\\' && s[1] == ']')
                                s++;
                if (*s == ']')
                        s++;
        } else
                s += strcspn(s, " \t\n\r");
        if (*s)
                *s++ = '\0';
        *p = s;
        return start;
}

/* Copy of an argument with its [brackets] removed and "\]" unescaped. */
static char *arg_dup(const char *tok) {
        size_t l = strlen(tok);
        char *d, *o;

        if (tok[0] == '[') {
                tok++, l--;
                if (l && tok[l - 1] == ']')
                        l--;
        }
        if (!(d = o = malloc(l + 1)))
                return NULL;
        for (size_t i = 0; i < l; i++) {
                if (tok[i] == '\\' && i + 1 < l && tok[i + 1] == ']')
                        i++;
                *o++ = tok[i];
        }
        *o = '\0';
        return d;
}

static void set_default(int *actions, int action) {
        for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                if (actions[i] == PAM_ACT_UNDEF)
                        actions[i] = action;
}

/* Parses an action word: ignore ok done bad die reset or a jump count. */
static int parse_action(const char *w, int *action) {
        static const struct { const char *n; int a; } acts[] = {
                { "ignore", PAM_ACT_IGNORE }, { "ok", PAM_ACT_OK },   { "done", PAM_ACT_DONE },
                { "bad", PAM_ACT_BAD },       { "die", PAM_ACT_DIE }, { "reset", PAM_ACT_RESET },
        };
        char *end;
        long n;

        for (size_t i = 0; i < ELEMENTSOF(acts); i++)
                if (streq(w, acts[i].n)) {
                        *action = acts[i].a;
                        return 0;
                }
        n = strtol(w, &end, 10);
        if (!*w || *end || n <= 0 || n > 10000)
                return -EINVAL;
        *action = (int) n;
        return 0;
}

/* Fills actions from "[value=action ...]" like _pam_parse_control(): a
 * `default=` fills every value not yet set; values left unset become bad.
 * A syntax error makes every unset value bad and is reported (-EINVAL). */
static int parse_bracket_control(const char *tok, int *actions) {
        _cleanup_free_ char *copy = arg_dup(tok);
        char *p = copy, *w;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        while ((w = next_token(&p))) {
                char *eq = strchr(w, '=');
                int action, code = -1;

                if (!eq || parse_action(eq + 1, &action) < 0) {
                        r = -EINVAL;
                        break;
                }
                *eq = '\0';
                if (streq(w, "default"))
                        code = PAM_STACK_CODE_DEFAULT;
                for (int i = 0; i < PAM_STACK_RETURN_VALUES && code < 0; i++)
                        if (streq(w, return_names[i]))
                                code = i;
                if (code < 0) {
                        r = -EINVAL;
                        break;
                }
                if (code == PAM_STACK_CODE_DEFAULT)
                        set_default(actions, action);
                else
                        actions[code] = action;
        }
        set_default(actions, PAM_ACT_BAD);
        return r;
}

/* Fills actions for a traditional keyword; -EINVAL when unknown. */
static int parse_keyword_control(const char *tok, int *actions) {
        int dflt;

        if (!strcasecmp(tok, "required") || !strcasecmp(tok, "requisite")) {
                actions[PAM_CODE_SUCCESS] = actions[PAM_CODE_NEW_AUTHTOK_REQD] = PAM_ACT_OK;
                actions[PAM_CODE_IGNORE] = PAM_ACT_IGNORE;
                dflt = !strcasecmp(tok, "required") ? PAM_ACT_BAD : PAM_ACT_DIE;
        } else if (!strcasecmp(tok, "optional")) {
                actions[PAM_CODE_SUCCESS] = actions[PAM_CODE_NEW_AUTHTOK_REQD] = PAM_ACT_OK;
                dflt = PAM_ACT_IGNORE;
        } else if (!strcasecmp(tok, "sufficient")) {
                actions[PAM_CODE_SUCCESS] = actions[PAM_CODE_NEW_AUTHTOK_REQD] = PAM_ACT_DONE;
                dflt = PAM_ACT_IGNORE;
        } else
                return -EINVAL;
        set_default(actions, dflt);
        return 0;
}

/* Appends an entry; takes args. Returns the entry, or NULL with *r set
 * (-ENOMEM, or 0 when the entry limit was hit and the stack truncated). */
static struct pam_entry *add_entry(struct pam_stack *s, enum pam_entry_kind kind, int level,
                                   const int *actions, const char *control, const char *module,
                                   char **args, const char *file, unsigned line, int *r) {
        _cleanup_strv_ char **owned = args;
        struct pam_entry *e, *p;
        const char *base;
        size_t bl;

        *r = 0;
        if (s->n_entries >= PAM_STACK_MAX_ENTRIES) {
                s->truncated = true;
                *r = add_error(s, file, line, "more than %d entries; stack truncated",
                               PAM_STACK_MAX_ENTRIES);
                return NULL;
        }
        if (!(p = realloc(s->entries, (s->n_entries + 1) * sizeof(*p)))) {
                *r = -ENOMEM;
                return NULL;
        }
        s->entries = p;
        e = &p[s->n_entries];
        memset(e, 0, sizeof(*e));
        e->kind = kind;
        e->level = level;
        memcpy(e->actions, actions, sizeof(e->actions));
        e->line = line;
        module = module ? module : "";
        base = strrchr(module, '/') ? strrchr(module, '/') + 1 : module;
        bl = strlen(base);
        if (bl > 3 && streq(base + bl - 3, ".so"))
                bl -= 3;
        e->control = strdup(control ? control : "");
        e->module = strdup(module);
        e->name = strndup(base, bl);
        e->file = strdup(file);
        e->args = owned ? TAKE_PTR(owned) : calloc(1, sizeof(char *));
        if (!e->control || !e->module || !e->name || !e->file || !e->args) {
                entry_done(e);
                *r = -ENOMEM;
                return NULL;
        }
        s->n_entries++;
        return e;
}

static int load_file(struct pam_stack *s, const char *name, const struct pam_stack_io *io,
                     int level, unsigned depth, char **found);

/* One logical line: [-]type control module args, or @include file. */
static int parse_line(struct pam_stack *s, const char *path, unsigned lineno, char *line,
                      const struct pam_stack_io *io, int level, unsigned depth) {
        int actions[PAM_STACK_RETURN_VALUES];
        _cleanup_strv_ char **args = NULL;
        char *p = line, *type, *control, *module, *tok;
        bool include = false, substack = false;
        size_t nargs = 0;
        int r;

        if (!(type = next_token(&p)))
                return 0;
        if (streq(type, "@include")) {
                if (!(module = next_token(&p)))
                        return add_error(s, path, lineno, "@include without a file");
                r = load_file(s, module, io, level, depth + 1, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                                actions[i] = PAM_ACT_BAD;
                        if (!add_entry(s, PAM_ENTRY_MUST_FAIL, level, actions, "@include", module,
                                       NULL, path, lineno, &r))
                                return r;
                        return add_error(s, path, lineno, "@include %s: %s", module,
                                         strerror(-r));
                }
                return 0;
        }
        if (type[0] == '-')
                type++;
        {
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(type_names); i++)
                        known |= strcasecmp(type, type_names[i]) == 0;
                if (!known)
                        return add_error(s, path, lineno, "illegal module type: %s", type);
        }
        if (strcasecmp(type, s->type) != 0)
                return 0;
        for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                actions[i] = PAM_ACT_UNDEF;
        control = next_token(&p);
        module = next_token(&p);
        if (!control || !module) {
                for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                        actions[i] = PAM_ACT_BAD;
                if (!add_entry(s, PAM_ENTRY_MUST_FAIL, level, actions, control, module, NULL,
                               path, lineno, &r))
                        return r;
                return add_error(s, path, lineno, "no %s supplied",
                                 control ? "module name" : "control flag");
        }
        if (!strcasecmp(control, "include"))
                include = true;
        else if (!strcasecmp(control, "substack"))
                include = substack = true;
        else if (control[0] == '[')
                r = parse_bracket_control(control, actions);
        else
                r = parse_keyword_control(control, actions);
        if (!include && r == -ENOMEM)
                return r;
        if (!include && r < 0) {
                set_default(actions, PAM_ACT_BAD);
                if ((r = add_error(s, path, lineno, "bad control %s", control)) < 0)
                        return r;
        }
        if (include) {
                for (int i = 0; i < PAM_STACK_RETURN_VALUES; i++)
                        actions[i] = PAM_ACT_BAD;
                if (substack && !add_entry(s, PAM_ENTRY_SUBSTACK, level, actions, control,
                                           module, NULL, path, lineno, &r))
                        return r;
                r = load_file(s, module, io, level + substack, depth + 1, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        return 0;
                if (!add_entry(s, PAM_ENTRY_MUST_FAIL, level, actions, control, module, NULL,
                               path, lineno, &r))
                        return r;
                return add_error(s, path, lineno, "%s %s: %s", control, module, strerror(-r));
        }
        if (!(args = calloc(PAM_STACK_MAX_ARGS + 1, sizeof(char *))))
                return -ENOMEM;
        while ((tok = next_token(&p))) {
                if (nargs >= PAM_STACK_MAX_ARGS)
                        return add_error(s, path, lineno, "too many module arguments");
                if (!(args[nargs++] = arg_dup(tok)))
                        return -ENOMEM;
        }
        if (!add_entry(s, PAM_ENTRY_MODULE, level, actions, control, module, TAKE_PTR(args), path,
                       lineno, &r))
                return r;
        return 0;
}

int pam_stack_parse_buffer(struct pam_stack *s, const char *path, const char *buf, size_t len,
                           const struct pam_stack_io *io, int level, unsigned depth) {
        _cleanup_free_ char *logical = NULL;
        size_t pos = 0, ll = 0;
        unsigned lineno = 0, start = 0;

        if (len > PAM_STACK_MAX_FILE_SIZE)
                return add_error(s, path, 0, "file larger than %d bytes", PAM_STACK_MAX_FILE_SIZE);
        if (!(logical = malloc(PAM_STACK_MAX_LINE + 1)))
                return -ENOMEM;
        while (pos < len) {
                const char *nl = memchr(buf + pos, '\n', len - pos);
                size_t l = nl ? (size_t) (nl - (buf + pos)) : len - pos;
                const char *hash = memchr(buf + pos, '#', l), *nul = memchr(buf + pos, '\0', l);
                bool cont;
                int r;

                lineno++;
                if (ll == 0)
                        start = lineno;
                if (hash)
                        l = (size_t) (hash - (buf + pos));
                if (nul && (size_t) (nul - (buf + pos)) < l)
                        l = (size_t) (nul - (buf + pos));
                while (l && strchr(" \t\r", buf[pos + l - 1]))
                        l--;
                cont = l && buf[pos + l - 1] == '\\';
                if (cont)
                        l--;
                if (ll + l + 1 > PAM_STACK_MAX_LINE) {
                        if ((r = add_error(s, path, start, "line too long")) < 0)
                                return r;
                        ll = 0;
                } else {
                        memcpy(logical + ll, buf + pos, l);
                        ll += l;
                        logical[ll++] = ' ';
                }
                pos += (nl ? (size_t) (nl - (buf + pos)) : len - pos) + 1;
                if (cont && pos < len)
                        continue;
                logical[ll] = '\0';
                ll = 0;
                if ((r = parse_line(s, path, start, logical, io, level, depth)) < 0)
                        return r;
        }
        return 0;
}

/* Finds and parses an included or service file: absolute path as given,
 * else /etc/pam.d/<name>, then /usr/lib/pam.d/<name>. Returns 0, -ENOENT
 * (or another -errno) when it cannot be read, -ELOOP past the include depth,
 * -ENOMEM. *found (if not NULL) receives the path read. */
static int load_file(struct pam_stack *s, const char *name, const struct pam_stack_io *io,
                     int level, unsigned depth, char **found) {
        static const char *const dirs[] = { "/etc/pam.d", "/usr/lib/pam.d" };
        int r = -ENOENT;

        if (!io)
                return -ENOENT;
        if (depth >= PAM_STACK_MAX_LEVEL || level >= PAM_STACK_MAX_LEVEL)
                return -ELOOP;
        if (s->n_files_read >= PAM_STACK_MAX_FILES) {
                s->truncated = true;
                return -E2BIG;
        }
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *path = NULL, *buf = NULL;
                size_t len = 0;

                if (name[0] == '/')
                        path = strdup(name);
                else if (asprintf(&path, "%s/%s", dirs[i], name) < 0)
                        path = NULL;
                if (!path)
                        return -ENOMEM;
                r = io->read(io->userdata, path, &buf, &len);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        s->n_files_read++;
                        r = pam_stack_parse_buffer(s, path, buf, len, io, level, depth);
                        if (r >= 0 && found)
                                *found = TAKE_PTR(path);
                        return r;
                }
                if (name[0] == '/')
                        break;
        }
        return r;
}

int pam_stack_load(struct pam_stack *s, const char *service, const char *type,
                   const struct pam_stack_io *io) {
        char *found = NULL;
        int r;

        if (!*service || strchr(service, '/') || strstr(service, ".."))
                return -EINVAL;
        if (!(s->service = strdup(service)) || !(s->type = strdup(type)))
                return -ENOMEM;
        r = load_file(s, service, io, 0, 0, &found);
        if (r == -ENOMEM)
                return r;
        s->exists = r >= 0;
        s->file = found;
        if (s->n_entries > 0)
                return 0;
        /* libpam uses `other` when the service has no lines of this type */
        for (size_t i = 0; i < s->n_entries; i++)
                entry_done(&s->entries[i]);
        s->n_entries = 0;
        r = load_file(s, "other", io, 0, 0, NULL);
        if (r == -ENOMEM)
                return r;
        s->uses_other = r >= 0;
        return 0;
}

bool pam_entry_has_option(const struct pam_entry *e, const char *opt) {
        size_t l = strlen(opt);

        for (char **a = e->args; a && *a; a++)
                if (strncmp(*a, opt, l) == 0 && ((*a)[l] == '\0' || (*a)[l] == '='))
                        return true;
        return false;
}

const char *pam_action_name(int action) {
        static __thread char buf[32];

        switch (action) {
        case PAM_ACT_IGNORE: return "ignore";
        case PAM_ACT_OK: return "ok";
        case PAM_ACT_DONE: return "done";
        case PAM_ACT_BAD: return "bad";
        case PAM_ACT_DIE: return "die";
        case PAM_ACT_RESET: return "reset";
        default:
                snprintf(buf, sizeof(buf), "jump %d", action);
                return buf;
        }
}

/* ---- dispatch explorer ------------------------------------------------- */

/* Abstract state of _pam_dispatch_aux(): impression (undef/positive/negative),
 * whether status is PAM_SUCCESS, and the state saved on entry to each
 * substack level (for `reset`). Packed with the entry index into 64 bits:
 * index 10 bits, 3 bits for the current state, 3 bits per level 1..15. */
enum { IMP_UNDEF = 0, IMP_POS = 1, IMP_NEG = 2 };
#define EXPLORE_MAX_STATES (1u << 18)

struct explore {
        const struct pam_stack *s;
        const unsigned char *outcomes;
        int target;
        int *witness;
        uint64_t *dead;          /* open-addressing set of states known to fail */
        size_t cap, used;
        bool overflow;
};

struct astate {
        unsigned char imp, ok;   /* ok: status == PAM_SUCCESS */
        unsigned char sub[PAM_STACK_MAX_LEVEL]; /* saved (imp | ok << 2) per level */
};

static uint64_t pack(size_t i, const struct astate *a, int level) {
        uint64_t k = (uint64_t) i | (uint64_t) (a->imp | a->ok << 2) << 10;

        for (int l = 1; l <= level && l < PAM_STACK_MAX_LEVEL; l++)
                k |= (uint64_t) (a->sub[l] & 7) << (13 + 3 * (l - 1));
        return k + 1; /* 0 marks an empty slot */
}

static uint64_t mix(uint64_t k) {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdULL;
        k ^= k >> 33;
        return k;
}

/* Doubles the set (up to EXPLORE_MAX_STATES slots); false when it cannot. */
static bool dead_grow(struct explore *x) {
        size_t ncap = x->cap * 2;
        uint64_t *n;

        if (ncap > EXPLORE_MAX_STATES || !(n = calloc(ncap, sizeof(uint64_t))))
                return false;
        for (size_t i = 0; i < x->cap; i++) {
                size_t j;
                if (!x->dead[i])
                        continue;
                for (j = mix(x->dead[i]) & (ncap - 1); n[j]; j = (j + 1) & (ncap - 1))
                        ;
                n[j] = x->dead[i];
        }
        free(x->dead);
        x->dead = n;
        x->cap = ncap;
        return true;
}

/* Set membership (insert = true adds). Returns true when present. A set
 * that cannot grow sets x->overflow. */
static bool dead_set(struct explore *x, uint64_t k, bool insert) {
        size_t i = mix(k) & (x->cap - 1);

        for (; x->dead[i]; i = (i + 1) & (x->cap - 1))
                if (x->dead[i] == k)
                        return true;
        if (insert) {
                if (x->used * 2 >= x->cap) {
                        if (!dead_grow(x)) {
                                x->overflow = true;
                                return false;
                        }
                        return dead_set(x, k, true);
                }
                x->dead[i] = k;
                x->used++;
        }
        return false;
}

/* Index after skipping `n` entries at `level` from i (a substack counts as
 * one); *left receives the count that could not be skipped. */
static size_t jump_from(const struct pam_stack *s, size_t i, int level, int n, int *left) {
        size_t h = i;

        while (h + 1 < s->n_entries && s->entries[h + 1].level >= level && n > 0) {
                do
                        h++;
                while (h + 1 < s->n_entries && s->entries[h + 1].level > level);
                n--;
        }
        *left = n;
        return h + 1;
}

/* Index after the current (sub)stack ends on done/die. */
static size_t decision_from(const struct pam_stack *s, size_t i, int level) {
        while (i + 1 < s->n_entries && s->entries[i + 1].level >= level)
                i++;
        return i + 1;
}

static int explore(struct explore *x, size_t i, struct astate a);

/* Applies action (for a module result class: 's' success, 'i' ignore,
 * 'f' failure) at entry i and continues. Returns 1 if success reachable. */
static int apply(struct explore *x, size_t i, struct astate a, int action, char res) {
        const struct pam_entry *e = &x->s->entries[i];
        size_t next = i + 1;
        int left = 0, r;

        switch (action) {
        case PAM_ACT_RESET:
                a.imp = e->level ? a.sub[e->level] & 3 : IMP_UNDEF;
                a.ok = e->level ? (a.sub[e->level] >> 2) & 1 : 0;
                break;
        case PAM_ACT_OK:
        case PAM_ACT_DONE:
                if ((a.imp == IMP_UNDEF || (a.imp == IMP_POS && a.ok)) && res != 'i') {
                        a.imp = IMP_POS;
                        a.ok = res == 's';
                }
                if (a.imp == IMP_POS && action == PAM_ACT_DONE)
                        next = decision_from(x->s, i, e->level);
                break;
        case PAM_ACT_BAD:
        case PAM_ACT_DIE:
                if (a.imp != IMP_NEG)
                        a.imp = IMP_NEG, a.ok = 0;
                if (action == PAM_ACT_DIE)
                        next = decision_from(x->s, i, e->level);
                break;
        case PAM_ACT_IGNORE:
                break;
        default:
                next = jump_from(x->s, i, e->level, action, &left);
                if (left)
                        a.imp = IMP_NEG, a.ok = 0;
                break;
        }
        r = explore(x, next, a);
        if (r > 0 && x->witness && x->target >= 0 && (size_t) x->target > i &&
            (size_t) x->target < next)
                *x->witness = (int) i;
        return r;
}

/* Depth-first search from entry i in state a; memoizes failing states. */
static int explore(struct explore *x, size_t i, struct astate a) {
        const struct pam_stack *s = x->s;
        const struct pam_entry *e;
        unsigned char out;
        uint64_t key;
        int r = 0;

        if (i >= s->n_entries)
                return a.imp == IMP_POS && a.ok;
        e = &s->entries[i];
        if (e->level > 0 && e->level < PAM_STACK_MAX_LEVEL && i > 0 &&
            e->level > s->entries[i - 1].level)
                a.sub[e->level] = (unsigned char) (a.imp | a.ok << 2);
        key = pack(i, &a, e->level);
        if (dead_set(x, key, false))
                return 0;
        if (x->overflow)
                return -E2BIG;

        if (e->kind == PAM_ENTRY_SUBSTACK)
                r = explore(x, i + 1, a);
        else if (e->kind == PAM_ENTRY_MUST_FAIL)
                r = apply(x, i, a, e->actions[PAM_CODE_PERM_DENIED], 'f');
        else {
                out = x->outcomes[i];
                if (out & PAM_OUT_SUCCESS)
                        r = apply(x, i, a, e->actions[PAM_CODE_SUCCESS], 's');
                if (r == 0 && (out & PAM_OUT_IGNORE))
                        r = apply(x, i, a, e->actions[PAM_CODE_IGNORE], 'i');
                /* every distinct action an error code can trigger */
                for (int c = 1; r == 0 && (out & PAM_OUT_FAIL) && c < PAM_STACK_RETURN_VALUES; c++) {
                        bool seen = false;
                        if (c == PAM_CODE_IGNORE || c == PAM_STACK_RETURN_VALUES - 1)
                                continue; /* ignore; incomplete suspends the stack */
                        for (int d = 1; d < c && !seen; d++)
                                seen = d != PAM_CODE_IGNORE && e->actions[d] == e->actions[c];
                        if (!seen)
                                r = apply(x, i, a, e->actions[c], 'f');
                }
        }
        if (r == 0) {
                dead_set(x, key, true);
                if (x->overflow)
                        return -E2BIG;
        }
        return r;
}

int pam_stack_can_succeed(const struct pam_stack *s, const unsigned char *outcomes, int target,
                          int *witness) {
        struct explore x = { .s = s, .outcomes = outcomes, .target = target, .witness = witness,
                             .cap = 256 };
        struct astate a = { 0 };
        int r;

        if (witness)
                *witness = -1;
        if (!(x.dead = calloc(x.cap, sizeof(uint64_t))))
                return -ENOMEM;
        r = explore(&x, 0, a);
        free(x.dead);
        return r;
}

static json_t *strv_json(char **v) {
        json_t *a = json_array();

        for (; a && v && *v; v++)
                if (json_array_append_new(a, json_string(*v)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* array_json() item: entry i of a stack as {kind, module, control, level,
 * file, line, options[]}. */
static json_t *entry_json(const void *userdata, size_t i) {
        static const char *const kinds[] = { "module", "substack", "broken" };
        const struct pam_entry *e = &((const struct pam_stack *) userdata)->entries[i];

        return json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o}", "kind", kinds[e->kind], "module",
                         e->name, "control", e->control, "level", (json_int_t) e->level, "file",
                         e->file, "line", (json_int_t) e->line, "options", strv_json(e->args));
}

json_t *pam_stack_entries_json(const struct pam_stack *s) {
        return array_json(s->n_entries, entry_json, s);
}

json_t *pam_stack_errors_json(const struct pam_stack *s) {
        return file_errors_json(s->errors, s->n_errors);
}
