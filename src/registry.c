/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "builtin.h"
#include "registry.h"
#include "util.h"

const char *probe_kind_name(enum probe_kind kind) {
        switch (kind) {
        case PROBE_BUILTIN: return "built-in";
        case PROBE_SHARED_OBJECT: return "shared object";
        case PROBE_SCRIPT: return "script";
        }
        return "?";
}

static bool valid_probe_name(const char *s) {
        if (!*s || strlen(s) > 64)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
                        return false;
        return true;
}

const struct probe_entry *registry_find(const struct registry *reg, const char *name) {
        for (size_t i = 0; reg && i < reg->n; i++)
                if (streq(reg->entries[i].name, name))
                        return &reg->entries[i];
        return NULL;
}

int registry_lookup_params(void *userdata, const char *name, const struct complyd_param **params) {
        const struct probe_entry *e = registry_find(userdata, name);

        if (!e)
                return -ENOENT;
        if (!e->probe)
                return 1; /* a script takes any parameters */
        *params = e->probe->params;
        return 0;
}

static int registry_add(struct registry *reg, struct probe_entry *e) {
        struct probe_entry *p = realloc(reg->entries, (reg->n + 1) * sizeof(*p));

        if (!p)
                return -ENOMEM;
        reg->entries = p;
        reg->entries[reg->n++] = *e;
        return 0;
}

/* Third-party code runs with complyd's privileges: like osquery's extension
 * autoload, refuse a file that someone other than root (or us) could have
 * written. */
static const char *unsafe_reason(const struct stat *st) {
        if (!S_ISREG(st->st_mode))
                return "not a regular file";
        if (st->st_uid != 0 && st->st_uid != geteuid())
                return "not owned by root";
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return "writable by group or others";
        return NULL;
}

/* dlopen()s path and checks what it exports; errors go to diag. */
static int load_shared_object(struct registry *reg, const char *path, struct diag_list *diag) {
        const struct complyd_probe *p;
        struct probe_entry e = { .kind = PROBE_SHARED_OBJECT };
        void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);

        if (!dl) {
                diag_add(diag, path, 0, 0, "cannot load probe: %s", dlerror());
                return 0;
        }
        p = dlsym(dl, COMPLYD_PROBE_SYMBOL);
        if (!p) {
                diag_add(diag, path, 0, 0, "not a complyd probe: no symbol '%s'", COMPLYD_PROBE_SYMBOL);
        } else if (p->abi_version != COMPLYD_PROBE_ABI_VERSION) {
                diag_add(diag, path, 0, 0,
                         "probe ABI version %u, but this complyd supports version %u: rebuild it "
                         "against this complyd's <complyd/probe.h>",
                         p->abi_version, COMPLYD_PROBE_ABI_VERSION);
        } else if (!p->name || !valid_probe_name(p->name) || !p->observe) {
                diag_add(diag, path, 0, 0, "probe has no valid name ([a-z0-9_]+) or no observe()");
        } else if (registry_find(reg, p->name)) {
                diag_add(diag, path, 0, 0, "probe '%s' is already defined (%s)", p->name,
                         registry_find(reg, p->name)->path ?: "built-in");
        } else {
                e.name = strdup(p->name);
                e.path = strdup(path);
                e.probe = p;
                e.dl = dl;
                if (!e.name || !e.path || registry_add(reg, &e) < 0) {
                        free(e.name), free(e.path), dlclose(dl);
                        return -ENOMEM;
                }
                return 0;
        }
        dlclose(dl);
        return 0;
}

static int add_script(struct registry *reg, const char *name, const char *path,
                      struct diag_list *diag) {
        struct probe_entry e = { .kind = PROBE_SCRIPT };

        if (!valid_probe_name(name)) {
                diag_add(diag, path, 0, 0, "executable probe names are [a-z0-9_]+: rename the file");
                return 0;
        }
        if (registry_find(reg, name)) {
                diag_add(diag, path, 0, 0, "probe '%s' is already defined (%s)", name,
                         registry_find(reg, name)->path ?: "built-in");
                return 0;
        }
        e.name = strdup(name);
        e.path = strdup(path);
        if (!e.name || !e.path || registry_add(reg, &e) < 0) {
                free(e.name), free(e.path);
                return -ENOMEM;
        }
        return 0;
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

/* Adds every *.so and every other executable file in dir, in name order. */
static int load_dir(struct registry *reg, const char *dir, struct diag_list *diag) {
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, cmp_dirent), r = 0;

        if (n < 0) {
                if (errno != ENOENT)
                        diag_add(diag, dir, 0, 0, "cannot read probe directory: %m");
                return 0;
        }
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                _cleanup_free_ char *path = NULL;
                const char *why;
                size_t len = strlen(name);
                struct stat st;

                if (name[0] == '.' || r < 0)
                        continue;
                if (!(path = strdup_printf("%s/%s", dir, name))) {
                        r = -ENOMEM;
                        continue;
                }
                if (lstat(path, &st) < 0 || S_ISDIR(st.st_mode))
                        continue;
                if (len > 3 && streq(name + len - 3, ".so")) {
                        if ((why = unsafe_reason(&st)))
                                diag_add(diag, path, 0, 0, "refusing probe: %s", why);
                        else
                                r = load_shared_object(reg, path, diag);
                } else if (st.st_mode & S_IXUSR) {
                        if ((why = unsafe_reason(&st)))
                                diag_add(diag, path, 0, 0, "refusing probe: %s", why);
                        else
                                r = add_script(reg, name, path, diag);
                }
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

int registry_load(char *const *probe_dirs, struct diag_list *diag, struct registry **ret) {
        struct registry *reg = calloc(1, sizeof(*reg));
        int r = 0;

        if (!reg)
                return -ENOMEM;
        for (size_t i = 0; builtin_probes[i] && r >= 0; i++) {
                struct probe_entry e = { .kind = PROBE_BUILTIN, .probe = builtin_probes[i] };

                if (!(e.name = strdup(builtin_probes[i]->name)) || registry_add(reg, &e) < 0) {
                        free(e.name);
                        r = -ENOMEM;
                }
        }
        for (size_t i = 0; probe_dirs && probe_dirs[i] && r >= 0; i++)
                r = load_dir(reg, probe_dirs[i], diag);
        if (r < 0) {
                registry_free(reg);
                return r;
        }
        *ret = reg;
        return 0;
}

void registry_free(struct registry *reg) {
        if (!reg)
                return;
        for (size_t i = 0; i < reg->n; i++) {
                free(reg->entries[i].name);
                free(reg->entries[i].path);
                if (reg->entries[i].dl)
                        dlclose(reg->entries[i].dl);
        }
        free(reg->entries);
        free(reg);
}
