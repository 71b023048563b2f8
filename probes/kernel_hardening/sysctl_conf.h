/* SPDX-License-Identifier: MIT */
/* What the host sets at boot: the sysctl.d files as systemd-sysctl(8)
 * applies them (sysctl.d(5)). Files named *.conf in /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and
 * /lib/sysctl.d; a name in an earlier directory hides the same name in a
 * later one; all are applied in the order of their names, line by line,
 * a later assignment replacing an earlier one. A key may use '/' instead
 * of '.' (the first separator decides) and may be a glob
 * ("net.ipv4.conf.*.rp_filter"); an explicit key wins over a glob whatever
 * their order, as systemd-sysctl does. */
#ifndef COMPLYD_KH_SYSCTL_CONF_H
#define COMPLYD_KH_SYSCTL_CONF_H

#include <complyd/probe.h>

#include <stdbool.h>
#include <stddef.h>

#define KH_SYSCTL_CONF_MAX_FILES 1024
#define KH_SYSCTL_CONF_MAX_BYTES (1u << 20)  /* of one file */
#define KH_SYSCTL_KEY_MAX 256

/* One line of a sysctl.d file that is not blank or a comment: an
 * assignment (key and value trimmed, key already dotted), or error (why the
 * line is not one; key and value unset). */
struct kh_sysctl_line {
        unsigned line;
        char key[KH_SYSCTL_KEY_MAX + 1];
        const char *value;
        size_t value_len;
        bool ignore_failure; /* "-key = value": a failure to set it is not logged */
        bool glob;
        const char *error;
};

/* Calls fn for each assignment or bad line of the text buf[0, len) (at
 * most KH_SYSCTL_CONF_MAX_BYTES are read; lines over KH_LINE_MAX are
 * errors). A negative return of fn stops and is returned; else 0. */
typedef int (*kh_sysctl_line_fn)(const struct kh_sysctl_line *l, void *userdata);
int kh_sysctl_conf_parse(const char *buf, size_t len, kh_sysctl_line_fn fn, void *userdata);

/* The sysctl_config fact: {files: [paths in the order applied], settings:
 * {name: {value, file, line} or null} for each name of the object names
 * (the sysctls reported), errors: [{file, line, message}]}. NULL only on
 * out-of-memory. */
json_t *kh_sysctl_config(const struct complyd_probe_ctx *ctx, const json_t *names);

#endif
