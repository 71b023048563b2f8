/* SPDX-License-Identifier: MIT */
/* kernel_hardening: the kernel's security settings as facts — security
 * sysctls from /proc/sys keyed by their dotted name, the mandatory access
 * control in force (AppArmor profile modes, SELinux mode), Secure Boot from
 * the EFI variable, and which kernel modules of note (the CIS list of rare
 * filesystems, protocols and USB storage) are loaded. Everything is read
 * under the root, so a fixture or a mounted image is audited the same way. */
#include <complyd/probe.h>

#include <fcntl.h>

#include "cleanup.h"
#include "kernel_hardening.h"
#include "sysctl_conf.h"

#define SYSCTL_MAX 4096
#define PROFILES_MAX KH_INPUT_MAX
#define MODULES_MAX (4u << 20)
#define EXTRA_SYSCTLS_MAX 256
#define SECURE_BOOT_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SETUP_MODE_VAR "/sys/firmware/efi/efivars/SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* The sysctls always reported: CIS Debian 12 section 1.5 and 3.3, and the
 * kernel self-protection settings an auditor asks about. */
static const char *const default_sysctls[] = {
        "kernel.randomize_va_space",
        "kernel.kptr_restrict",
        "kernel.dmesg_restrict",
        "kernel.yama.ptrace_scope",
        "kernel.unprivileged_bpf_disabled",
        "kernel.perf_event_paranoid",
        "kernel.kexec_load_disabled",
        "kernel.sysrq",
        "net.core.bpf_jit_harden",
        "fs.protected_hardlinks",
        "fs.protected_symlinks",
        "fs.protected_fifos",
        "fs.protected_regular",
        "fs.suid_dumpable",
        "net.ipv4.ip_forward",
        "net.ipv6.conf.all.forwarding",
        "net.ipv4.conf.all.accept_redirects",
        "net.ipv4.conf.default.accept_redirects",
        "net.ipv4.conf.all.secure_redirects",
        "net.ipv4.conf.default.secure_redirects",
        "net.ipv4.conf.all.send_redirects",
        "net.ipv4.conf.default.send_redirects",
        "net.ipv4.conf.all.accept_source_route",
        "net.ipv4.conf.default.accept_source_route",
        "net.ipv4.conf.all.rp_filter",
        "net.ipv4.conf.default.rp_filter",
        "net.ipv4.conf.all.log_martians",
        "net.ipv4.conf.default.log_martians",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.icmp_echo_ignore_broadcasts",
        "net.ipv4.icmp_ignore_bogus_error_responses",
        "net.ipv6.conf.all.accept_redirects",
        "net.ipv6.conf.default.accept_redirects",
        "net.ipv6.conf.all.accept_source_route",
        "net.ipv6.conf.default.accept_source_route",
        "net.ipv6.conf.all.accept_ra",
        "net.ipv6.conf.default.accept_ra",
};

static const struct complyd_param kh_params[] = {
        { COMPLYD_PARAM_STRINGS, "extra_sysctls", "[]",
          "more sysctls to report, dotted (net.ipv4.conf.eth0.rp_filter) or as a path below "
          "/proc/sys with '/' (net/ipv4/conf/eth0.100/rp_filter)" },
        { COMPLYD_PARAM_STRINGS, "modules_of_note",
          "[\"usb-storage\", \"cramfs\", \"freevxfs\", \"hfs\", \"hfsplus\", \"jffs2\", "
          "\"squashfs\", \"udf\", \"dccp\", \"sctp\", \"rds\", \"tipc\"]",
          "kernel modules reported when loaded (CIS Debian 12 1.1.1.x and 3.2.x)" },
        { 0 },
};

/* The /proc/sys path of a sysctl name. As sysctl(8) does: a name with '/'
 * is already a path; otherwise '.' separates components. Names with ".."
 * components or empty ones are refused (-EINVAL). Returns 0 and a malloc'ed
 * path, -EINVAL or -ENOMEM. */
static int sysctl_path(const char *name, char **ret) {
        bool slash = strchr(name, '/') != NULL;
        char sep = slash ? '/' : '.';
        char *p;

        if (!*name || strlen(name) > 512 || name[0] == sep || name[strlen(name) - 1] == sep)
                return -EINVAL;
        for (const char *c = name; *c; c++)
                if ((c[0] == sep && c[1] == sep) ||
                    ((c == name || c[-1] == sep) && c[0] == '.' && (c[1] == sep || !c[1] ||
                     (c[1] == '.' && (c[2] == sep || !c[2])))))
                        return -EINVAL;
        if (asprintf(&p, "/proc/sys/%s", name) < 0)
                return -ENOMEM;
        if (!slash)
                for (char *c = p + strlen("/proc/sys/"); *c; c++)
                        if (*c == '.')
                                *c = '/';
        *ret = p;
        return 0;
}

/* Adds sysctl[name] to obj: its value, or null when the kernel has no such
 * setting or it cannot be read. 0 or -ENOMEM. */
static int add_sysctl(const struct complyd_probe_ctx *ctx, json_t *obj, const char *name) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len;
        json_t *v;
        int r = sysctl_path(name, &path);

        if (r == -ENOMEM)
                return r;
        if (r < 0 || ctx->read_file(ctx, path, SYSCTL_MAX, &buf, &len) < 0)
                v = json_null();
        else if (!(v = kh_sysctl_value(buf, len)))
                return -ENOMEM;
        return json_object_set_new(obj, name, v) < 0 ? -ENOMEM : 0;
}

/* sysctl: {dotted name: value or null} for the default list and the
 * extra_sysctls parameter. */
static int observe_sysctls(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *obj = json_object();
        json_t *extra = json_object_get(ctx->params, "extra_sysctls"), *e;
        size_t i;
        int r;

        if (!obj)
                return -ENOMEM;
        for (i = 0; i < ELEMENTSOF(default_sysctls); i++)
                if ((r = add_sysctl(ctx, obj, default_sysctls[i])) < 0)
                        return r;
        json_array_foreach(extra, i, e) {
                if (i >= EXTRA_SYSCTLS_MAX)
                        break;
                if (json_string_value(e) && !json_object_get(obj, json_string_value(e)) &&
                    (r = add_sysctl(ctx, obj, json_string_value(e))) < 0)
                        return r;
        }
        *out = TAKE_PTR(obj);
        return 0;
}

/* First line of a small file, or NULL when it cannot be read. */
static char *first_line(const struct complyd_probe_ctx *ctx, const char *path) {
        char *buf = NULL;

        if (ctx->read_file(ctx, path, 4096, &buf, NULL) < 0)
                return NULL;
        buf[strcspn(buf, "\n")] = '\0';
        return buf;
}

static bool exists(const struct complyd_probe_ctx *ctx, const char *path) {
        struct stat st;
        return ctx->stat(ctx, path, &st, 0) >= 0;
}

/* lsm: the active Linux security modules in order, null when securityfs is
 * not readable. */
static json_t *lsm_list(const struct complyd_probe_ctx *ctx) {
        _cleanup_free_ char *line = first_line(ctx, "/sys/kernel/security/lsm");
        json_t *arr;

        if (!line)
                return json_null();
        if (!(arr = json_array()))
                return NULL;
        for (char *save = NULL, *t = strtok_r(line, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (json_array_append_new(arr, json_string(t)) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        return arr;
}

/* apparmor: whether the module is enabled and how many loaded profiles are
 * in each mode (null counts when the list is unreadable: not root, or
 * securityfs not mounted). *enforcing is set when profiles enforce. */
static json_t *apparmor_facts(const struct complyd_probe_ctx *ctx, bool *enforcing) {
        _cleanup_free_ char *en = first_line(ctx, "/sys/module/apparmor/parameters/enabled");
        _cleanup_free_ char *buf = NULL;
        struct kh_apparmor_counts c;
        json_t *enabled;
        size_t len;

        if (en)
                enabled = json_boolean(en[0] == 'Y');
        else
                enabled = exists(ctx, "/sys/module") ? json_false() : json_null();
        if (ctx->read_file(ctx, "/sys/kernel/security/apparmor/profiles", PROFILES_MAX, &buf,
                           &len) < 0) {
                *enforcing = false;
                return json_pack("{s:o, s:b, s:n, s:n, s:n, s:n, s:n}", "enabled", enabled,
                                 "profiles_readable", false, "profiles", "enforce", "complain",
                                 "kill", "unconfined");
        }
        unsigned long n = kh_apparmor_profiles(buf, len, &c);
        *enforcing = json_is_true(enabled) && c.enforce > 0;
        return json_pack("{s:o, s:b, s:I, s:I, s:I, s:I, s:I}", "enabled", enabled,
                         "profiles_readable", true, "profiles", (json_int_t) n, "enforce",
                         (json_int_t) c.enforce, "complain", (json_int_t) c.complain, "kill",
                         (json_int_t) c.kill, "unconfined", (json_int_t) c.unconfined);
}

/* selinux: the running mode from selinuxfs (enforce 1/0; disabled when it
 * is not mounted) and the configured mode and policy from
 * /etc/selinux/config. *enforcing is set when the kernel enforces. */
static json_t *selinux_facts(const struct complyd_probe_ctx *ctx, bool *enforcing) {
        _cleanup_free_ char *enf = first_line(ctx, "/sys/fs/selinux/enforce");
        _cleanup_free_ char *cfg = NULL, *mode = NULL, *type = NULL;
        const char *running = !enf ? "disabled" : enf[0] == '1' ? "enforcing" : "permissive";
        size_t len;

        if (ctx->read_file(ctx, "/etc/selinux/config", 65536, &cfg, &len) >= 0 &&
            (kh_kv_value(cfg, len, "SELINUX", &mode) < 0 ||
             kh_kv_value(cfg, len, "SELINUXTYPE", &type) < 0))
                return NULL;
        *enforcing = streq(running, "enforcing");
        return json_pack("{s:s, s:b, s:s?, s:s?}", "mode", running, "config_exists", cfg != NULL,
                         "config_mode", mode, "config_type", type);
}

/* secure_boot: EFI or not, and the SecureBoot and SetupMode variables
 * (null when not EFI or not readable). */
static json_t *secure_boot_facts(const struct complyd_probe_ctx *ctx) {
        _cleanup_free_ char *sb = NULL, *sm = NULL;
        size_t sblen = 0, smlen = 0;
        bool efi = exists(ctx, "/sys/firmware/efi");
        int sbv = -1, smv = -1;

        if (efi && ctx->read_file(ctx, SECURE_BOOT_VAR, 64, &sb, &sblen) >= 0)
                sbv = kh_efivar_bool(sb, sblen);
        if (efi && ctx->read_file(ctx, SETUP_MODE_VAR, 64, &sm, &smlen) >= 0)
                smv = kh_efivar_bool(sm, smlen);
        return json_pack("{s:b, s:o, s:o}", "efi", efi,
                         "enabled", sbv < 0 ? json_null() : json_boolean(sbv),
                         "setup_mode", smv < 0 ? json_null() : json_boolean(smv));
}

struct module_scan {
        const json_t *watched; /* the modules_of_note parameter */
        json_t *loaded;        /* names (as written in the parameter) found loaded */
};

/* One loaded module: kept when it is in the watch list (compared with '-'
 * and '_' the same). 0 or -ENOMEM. */
static int module_seen(const char *name, size_t len, void *userdata) {
        struct module_scan *s = userdata;
        char got[256], want[256];
        json_t *w;
        size_t i;

        kh_module_name_normalize(name, len, got, sizeof(got));
        json_array_foreach(s->watched, i, w) {
                const char *wn = json_string_value(w);

                if (!wn)
                        continue;
                kh_module_name_normalize(wn, strlen(wn), want, sizeof(want));
                if (streq(got, want))
                        return json_array_append_new(s->loaded, json_string(wn)) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

/* modules: whether the kernel loads modules at all (/proc/modules exists
 * in a readable /proc; null when /proc is missing too), how many are loaded
 * and which of modules_of_note are. */
static json_t *modules_facts(const struct complyd_probe_ctx *ctx) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ json_t *loaded = json_array();
        struct module_scan s = { json_object_get(ctx->params, "modules_of_note"), loaded };
        size_t len;
        int r;

        if (!loaded)
                return NULL;
        r = ctx->read_file(ctx, "/proc/modules", MODULES_MAX, &buf, &len);
        if (r == -ENOENT && exists(ctx, "/proc/sys"))
                return json_pack("{s:b, s:b, s:n, s:O, s:O}", "supported", false, "readable", false,
                                 "loaded_count", "of_note_loaded", loaded, "of_note", s.watched);
        if (r < 0)
                return json_pack("{s:n, s:b, s:n, s:n, s:O}", "supported", "readable", false,
                                 "loaded_count", "of_note_loaded", "of_note", s.watched);
        if ((r = kh_proc_modules(buf, len, module_seen, &s)) < 0)
                return NULL;
        return json_pack("{s:b, s:b, s:i, s:O, s:O}", "supported", true, "readable", true,
                         "loaded_count", r, "of_note_loaded", loaded, "of_note", s.watched);
}

static int kh_observe(const struct complyd_probe_ctx *ctx, json_t **out) {
        _cleanup_json_ json_t *sysctl = NULL, *apparmor = NULL, *selinux = NULL, *config = NULL;
        bool aa_enforcing = false, se_enforcing = false;
        json_t *o;
        int r;

        if ((r = observe_sysctls(ctx, &sysctl)) < 0)
                return r;
        if (!(apparmor = apparmor_facts(ctx, &aa_enforcing)) ||
            !(selinux = selinux_facts(ctx, &se_enforcing)) ||
            !(config = kh_sysctl_config(ctx, sysctl)))
                return -ENOMEM;
        o = json_pack("{s:s, s:b, s:O, s:O, s:o, s:O, s:O, s:{s:b, s:s?}, s:o, s:o}",
                      "schema", "complyd.kernel_hardening.v1",
                      "proc_sys_readable", exists(ctx, "/proc/sys/kernel"),
                      "sysctl", sysctl, "sysctl_config", config, "lsm", lsm_list(ctx),
                      "apparmor", apparmor, "selinux", selinux,
                      "mac", "enforcing", aa_enforcing || se_enforcing,
                      "module", se_enforcing ? "selinux" : aa_enforcing ? "apparmor" : NULL,
                      "secure_boot", secure_boot_facts(ctx),
                      "modules", modules_facts(ctx));
        if (!o)
                return -ENOMEM;
        *out = o;
        return 0;
}

const struct complyd_probe complyd_probe_kernel_hardening = {
        .abi_version = COMPLYD_PROBE_ABI_VERSION,
        .name = "kernel_hardening",
        .version = "1.0",
        .description = "security sysctls, AppArmor/SELinux mode, Secure Boot, kernel modules of note",
        .params = kh_params,
        .observe = kh_observe,
};
