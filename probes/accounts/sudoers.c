/* SPDX-License-Identifier: MIT */
/* sudoers(5) parser: the parts an access review needs. Aliases (all four
 * kinds), user specifications (user list, host list, commands with their
 * Runas list and tags; NOPASSWD/PASSWD carry over to later commands of the
 * same line, as in sudo), Defaults with !authenticate, and #include /
 * @include / #includedir / @includedir (files without '.' and not ending
 * in '~', in sorted order; relative paths from the including file's
 * directory). Not modelled: several "hosts = commands" groups on one line
 * (": host = ..."), negated commands, Digest_Spec and options like CWD=. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "cleanup.h"
#include "json_build.h"

static const char *const alias_kinds[] = { "User_Alias", "Runas_Alias", "Host_Alias",
                                           "Cmnd_Alias", "Cmd_Alias" };
static const char *const tags[] = {
        "NOPASSWD", "PASSWD", "NOEXEC", "EXEC", "SETENV", "NOSETENV", "LOG_INPUT",
        "NOLOG_INPUT", "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL", "NOMAIL", "FOLLOW", "NOFOLLOW",
        "INTERCEPT", "NOINTERCEPT",
};

int sudo_policy_init(struct sudo_policy *p) {
        memset(p, 0, sizeof(*p));
        p->files = json_array();
        p->aliases = json_object();
        p->rules = json_array();
        p->no_authenticate = json_array();
        p->errors = json_array();
        if (!p->files || !p->aliases || !p->rules || !p->no_authenticate || !p->errors) {
                sudo_policy_done(p);
                return -ENOMEM;
        }
        return 0;
}

void sudo_policy_done(struct sudo_policy *p) {
        json_decref(p->files);
        json_decref(p->aliases);
        json_decref(p->rules);
        json_decref(p->no_authenticate);
        json_decref(p->errors);
        memset(p, 0, sizeof(*p));
}

/* Records an error (at most 100). 0 or -ENOMEM. */
static int add_error(struct sudo_policy *p, const char *file, unsigned line, const char *msg) {
        json_t *e;

        if (json_array_size(p->errors) >= 100)
                return 0;
        e = json_pack("{s:s, s:i, s:s}", "file", file, "line", (json_int_t) line, "message", msg);
        return !e || json_array_append_new(p->errors, e) < 0 ? -ENOMEM : 0;
}

static char *trim(char *s) {
        size_t n;

        while (*s == ' ' || *s == '\t')
                s++;
        n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                s[--n] = '\0';
        return s;
}

/* Cuts a comment: a '#' starting a word and not followed by a digit (that
 * is a uid, "#1000"). */
static void cut_comment(char *s) {
        for (char *c = s; *c; c++)
                if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t' || c[-1] == ',') &&
                    !isdigit((unsigned char) c[1])) {
                        *c = '\0';
                        return;
                }
}

/* Splits s at separator sep outside parentheses; each piece trimmed and
 * passed to fn. Returns fn's first error or 0. */
static int split_list(char *s, char sep, int (*fn)(char *, void *), void *userdata) {
        int depth = 0;
        char *start = s;

        for (char *c = s;; c++) {
                if (*c == '(')
                        depth++;
                else if (*c == ')' && depth > 0)
                        depth--;
                if (*c == '\0' || (*c == sep && depth == 0)) {
                        bool last = *c == '\0';
                        int r;
                        *c = '\0';
                        if (*trim(start) && (r = fn(trim(start), userdata)) < 0)
                                return r;
                        if (last)
                                return 0;
                        start = c + 1;
                }
        }
}

static int append_str(char *item, void *arr) {
        json_t *s = json_string(item);
        return !s || json_array_append_new(arr, s) < 0 ? (s ? -ENOMEM : 0) : 0;
}

/* "User_Alias A = x, y : B = z". 0 or -ENOMEM. */
static int parse_alias(struct sudo_policy *p, const char *kind, char *defs, const char *file,
                       unsigned line) {
        json_t *kind_obj = json_object_get(p->aliases, kind);
        char *save = NULL;

        if (!kind_obj) {
                if (json_object_set_new(p->aliases, kind, json_object()) < 0)
                        return -ENOMEM;
                kind_obj = json_object_get(p->aliases, kind);
        }
        for (char *d = strtok_r(defs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *eq = strchr(d, '='), *name;
                json_t *members;
                int r;

                if (!eq)
                        return add_error(p, file, line, "alias definition without '='");
                *eq = '\0';
                name = trim(d);
                if (!*name || !utf8_valid(name) || json_object_size(kind_obj) >= SUDO_MAX_ALIASES)
                        return add_error(p, file, line, "bad alias name or too many aliases");
                if (!(members = json_array()))
                        return -ENOMEM;
                if ((r = split_list(eq + 1, ',', append_str, members)) < 0 ||
                    json_object_set_new(kind_obj, name, members) < 0) {
                        json_decref(members);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* "Defaults[:@!>]scope a, !authenticate, b=c": records !authenticate. */
static int parse_defaults(struct sudo_policy *p, char *line, const char *file, unsigned lno) {
        char *rest = line + strlen("Defaults"), *params, *scope = "all";
        json_t *o;

        if (*rest == ':' || *rest == '@' || *rest == '!' || *rest == '>') {
                scope = rest;
                rest += strcspn(rest, " \t");
                if (*rest)
                        *rest++ = '\0';
        }
        params = rest;
        for (char *save = NULL, *tok = strtok_r(params, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
                if (!streq(trim(tok), "!authenticate"))
                        continue;
                if (!utf8_valid(scope))
                        scope = "?";
                o = json_pack("{s:s, s:i, s:s}", "file", file, "line", (json_int_t) lno, "scope",
                              scope);
                if (!o || json_array_append_new(p->no_authenticate, o) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* State carried over the commands of one user specification. */
struct cmnd_state {
        json_t *commands;
        bool nopasswd;
        char runas[256];
};

/* Whether word (n bytes) is a sudoers tag. */
static bool is_tag(const char *word, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(tags); i++)
                if (strlen(tags[i]) == n && strncmp(tags[i], word, n) == 0)
                        return true;
        return false;
}

/* One Cmnd_Spec: "[(runas)] [OPTION=x ...] [TAG: ...] command". */
static int parse_cmnd(char *item, void *userdata) {
        struct cmnd_state *st = userdata;
        json_t *o;

        if (*item == '(') {
                char *close = strchr(item, ')');
                if (!close)
                        return 0;
                snprintf(st->runas, sizeof(st->runas), "%.*s", (int) (close - item - 1), item + 1);
                item = trim(close + 1);
        }
        for (;;) {
                size_t w = strspn(item, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
                if (w > 0 && item[w] == ':' && is_tag(item, w)) {
                        if (w == 8 && startswith(item, "NOPASSWD"))
                                st->nopasswd = true;
                        else if (w == 6 && startswith(item, "PASSWD"))
                                st->nopasswd = false;
                        item = trim(item + w + 1);
                } else if (w > 0 && item[w] == '=') {  /* ROLE=, CWD=, TIMEOUT=... */
                        item = trim(item + w + 1 + strcspn(item + w + 1, " \t"));
                } else
                        break;
        }
        if (!*item || !utf8_valid(item) || !utf8_valid(st->runas))
                return 0;
        o = json_pack("{s:s, s:s, s:b}", "command", item, "runas", st->runas, "nopasswd",
                      st->nopasswd);
        return !o || json_array_append_new(st->commands, o) < 0 ? -ENOMEM : 0;
}

/* Length of the user list at the start of s: up to the first blank that
 * is not next to a comma. */
static size_t user_list_len(const char *s) {
        size_t i = 0;

        while (s[i]) {
                if ((s[i] == ' ' || s[i] == '\t')) {
                        size_t j = i;
                        while (s[j] == ' ' || s[j] == '\t')
                                j++;
                        if ((i > 0 && s[i - 1] == ',') || s[j] == ',') {
                                i = j;
                                continue;
                        }
                        return i;
                }
                i++;
        }
        return i;
}

/* "users hosts = [(runas)] [TAGS:] cmnd, ...". 0 or -ENOMEM. */
static int parse_userspec(struct sudo_policy *p, char *line, const char *file, unsigned lno) {
        struct cmnd_state st = { .runas = "root" };
        _cleanup_json_ json_t *users = json_array();
        char *eq = strchr(line, '='), *hosts;
        size_t ul;
        json_t *o;
        int r;

        if (!users || !(st.commands = json_array()))
                return -ENOMEM;
        if (!eq)
                return json_decref(st.commands), add_error(p, file, lno, "syntax error");
        *eq = '\0';
        ul = user_list_len(line);
        hosts = line[ul] ? trim(line + ul + 1) : line + ul;
        line[ul] = '\0';
        if ((r = split_list(line, ',', append_str, users)) < 0 ||
            (r = split_list(eq + 1, ',', parse_cmnd, &st)) < 0)
                return json_decref(st.commands), r;
        if (!*hosts || json_array_size(users) == 0 || json_array_size(st.commands) == 0 ||
            !utf8_valid(hosts))
                return json_decref(st.commands), add_error(p, file, lno, "syntax error");
        if (json_array_size(p->rules) >= SUDO_MAX_RULES)
                return json_decref(st.commands), add_error(p, file, lno, "too many rules");
        o = json_pack("{s:s, s:i, s:O, s:s, s:o}", "file", file, "line", (json_int_t) lno,
                      "users", users, "hosts", hosts, "commands", st.commands);
        return !o || json_array_append_new(p->rules, o) < 0 ? -ENOMEM : 0;
}

static int include_file(struct sudo_policy *p, const char *path, const struct sudo_io *io,
                        const char *from, unsigned lno);

/* An include path relative to the including file's directory. */
static char *resolve(const char *from, const char *path) {
        const char *slash = strrchr(from, '/');
        char *out;

        if (path[0] == '/' || !slash)
                return strdup(path);
        if (asprintf(&out, "%.*s/%s", (int) (slash - from), from, path) < 0)
                return NULL;
        return out;
}

/* @includedir: every entry without '.' and not ending in '~', sorted. */
static int include_dir(struct sudo_policy *p, const char *dir, const struct sudo_io *io,
                       const char *from, unsigned lno) {
        char **names = NULL;
        int r = io->list(io->userdata, dir, &names);

        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* a missing directory is not an error for sudo */
        for (char **n = names; *n && r >= 0; n++) {
                _cleanup_free_ char *path = NULL;
                size_t l = strlen(*n);

                if (strchr(*n, '.') || (l > 0 && (*n)[l - 1] == '~'))
                        continue;
                if (asprintf(&path, "%s/%s", dir, *n) < 0)
                        r = -ENOMEM;
                else
                        r = include_file(p, path, io, from, lno);
        }
        strv_free(names);
        return r < 0 ? r : 0;
}

/* Handles one logical line (comments cut, continuation lines joined). */
static int parse_line(struct sudo_policy *p, char *line, const char *file, unsigned lno,
                      const struct sudo_io *io) {
        char *s = trim(line);
        bool inc = startswith(s, "@include") || startswith(s, "#include");

        if (!inc)
                cut_comment(s);
        s = trim(s);
        if (!*s)
                return 0;
        if (inc) {
                bool dir = startswith(s + 1, "includedir");
                char *arg = trim(s + (dir ? 11 : 8));
                _cleanup_free_ char *path = NULL;

                if (!*arg || !(path = resolve(file, arg)))
                        return *arg ? -ENOMEM : add_error(p, file, lno, "include without a path");
                if (!io)
                        return add_error(p, file, lno, "include not followed");
                return dir ? include_dir(p, path, io, file, lno) : include_file(p, path, io, file, lno);
        }
        if (startswith(s, "Defaults"))
                return parse_defaults(p, s, file, lno);
        for (size_t i = 0; i < ELEMENTSOF(alias_kinds); i++) {
                size_t k = strlen(alias_kinds[i]);
                if (strncmp(s, alias_kinds[i], k) == 0 && (s[k] == ' ' || s[k] == '\t'))
                        return parse_alias(p, i == 4 ? "Cmnd_Alias" : alias_kinds[i], s + k,
                                           file, lno);
        }
        return parse_userspec(p, s, file, lno);
}

int sudo_parse(struct sudo_policy *p, const char *path, const char *buf, size_t len,
               const struct sudo_io *io) {
        const char *end = buf + len, *c = buf;
        _cleanup_free_ char *logical = NULL;
        size_t ll = 0;
        unsigned lno = 0, first = 0;
        int r;

        if (json_array_size(p->files) >= SUDO_MAX_FILES || len > ACCT_MAX_FILE)
                return add_error(p, path, 0, "too many files or file too large");
        if (!utf8_valid(path) || json_array_append_new(p->files, json_string(path)) < 0)
                return utf8_valid(path) ? -ENOMEM : 0;
        if (!(logical = malloc(ACCT_MAX_LINE + 1)))
                return -ENOMEM;
        while (c < end) {
                const char *nl = memchr(c, '\n', (size_t) (end - c));
                size_t n = (size_t) ((nl ? nl : end) - c);
                bool cont;

                lno++;
                if (ll == 0)
                        first = lno;
                if (n > 0 && c[n - 1] == '\r')
                        n--;
                cont = n > 0 && c[n - 1] == '\\';
                if (ll + n > ACCT_MAX_LINE) {
                        r = add_error(p, path, first, "line too long");
                        ll = 0;
                } else {
                        memcpy(logical + ll, c, n - cont);
                        ll += n - cont;
                        r = 0;
                        if (!cont) {
                                logical[ll] = '\0';
                                if (strlen(logical) == ll)
                                        r = parse_line(p, logical, path, first, io);
                                ll = 0;
                        }
                }
                if (r < 0)
                        return r;
                c = nl ? nl + 1 : end;
        }
        if (ll > 0) {
                logical[ll] = '\0';
                if (strlen(logical) == ll && (r = parse_line(p, logical, path, first, io)) < 0)
                        return r;
        }
        return 0;
}

static int include_file(struct sudo_policy *p, const char *path, const struct sudo_io *io,
                        const char *from, unsigned lno) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        if (p->depth >= SUDO_MAX_DEPTH)
                return add_error(p, from, lno, "includes nested too deeply");
        r = io->read(io->userdata, path, &buf, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return add_error(p, from, lno, "cannot read included file");
        p->depth++;
        r = sudo_parse(p, path, buf, len, io);
        p->depth--;
        return r;
}

/* Appends the expansion of one user list entry to out. */
static int expand_one(const struct sudo_policy *p, const char *e, json_t *out, unsigned depth) {
        json_t *alias = json_object_get(json_object_get(p->aliases, "User_Alias"), e), *m;
        size_t i;

        if (e[0] == '!')
                return 0;
        if (!alias || depth >= SUDO_MAX_ALIAS_DEPTH)
                return json_array_append_new(out, json_string(e)) < 0 ? -ENOMEM : 0;
        json_array_foreach(alias, i, m) {
                int r = expand_one(p, json_string_value(m), out, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

json_t *sudo_expand_users(const struct sudo_policy *p, const json_t *users) {
        _cleanup_json_ json_t *out = json_array();
        json_t *u;
        size_t i;

        if (!out)
                return NULL;
        json_array_foreach(users, i, u)
                if (json_is_string(u) && expand_one(p, json_string_value(u), out, 0) < 0)
                        return NULL;
        return TAKE_PTR(out);
}
