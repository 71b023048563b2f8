/* SPDX-License-Identifier: MIT */
/* kernel_hardening probe internals: the pure parsers of the kernel's and
 * the distribution's text files (sysctl values, the AppArmor profile list,
 * /proc/modules, /etc/selinux/config, an EFI variable). Each takes a buffer
 * and its length, accepts any bytes, has explicit limits and never touches a
 * file, so the unit and fuzz tests call them directly. Exported names start
 * with kh_. */
#ifndef COMPLYD_KERNEL_HARDENING_H
#define COMPLYD_KERNEL_HARDENING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Longest line of any parsed file that is looked at; longer ones are skipped. */
#define KH_LINE_MAX 4096
/* Input beyond this is ignored by every parser (the kernel's profile list
 * of a busy host is a few hundred KiB). */
#define KH_INPUT_MAX (8u << 20)

/* A /proc/sys value as JSON: an integer when the text is one decimal
 * integer (the usual case: "2\n"), else the text with trailing newline
 * removed and tabs between fields kept ("32768\t60999"); null for text
 * that is not UTF-8. NULL only on out-of-memory. */
json_t *kh_sysctl_value(const char *buf, size_t len);

/* Modes counted from /sys/kernel/security/apparmor/profiles, whose lines
 * are "NAME (MODE)". */
struct kh_apparmor_counts {
        unsigned long enforce, complain, kill, unconfined, other;
};

/* Counts the profiles of an AppArmor profiles text into *ret (zeroed
 * first). Malformed lines count as other. Returns the number of profiles. */
unsigned long kh_apparmor_profiles(const char *buf, size_t len, struct kh_apparmor_counts *ret);

/* Calls fn(name, name_len, userdata) with the module name (first field)
 * of each line of a /proc/modules text ("usb_storage 81920 0 - Live
 * 0x0000000000000000"). A negative return of fn stops and is returned;
 * otherwise returns the number of modules. */
typedef int (*kh_module_fn)(const char *name, size_t name_len, void *userdata);
int kh_proc_modules(const char *buf, size_t len, kh_module_fn fn, void *userdata);

/* The value of KEY= in a shell-style KEY=VALUE file (/etc/selinux/config):
 * last assignment wins, quotes stripped, comments skipped. Returns 1 and a
 * malloc'ed string in *value, 0 when absent, -ENOMEM. */
int kh_kv_value(const char *buf, size_t len, const char *key, char **value);

/* The boolean of an efivarfs file: 4 bytes of attributes, then the data;
 * returns 1 or 0 from the first data byte, -EINVAL when too short. */
int kh_efivar_bool(const char *buf, size_t len);

/* Same spelling of a module name whichever way it is written: '-' becomes
 * '_' (the kernel lists usb-storage as usb_storage). Writes at most
 * outlen-1 bytes and a NUL into out. */
void kh_module_name_normalize(const char *in, size_t len, char *out, size_t outlen);

#endif
