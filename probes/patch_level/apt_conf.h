/* SPDX-License-Identifier: MIT */
/* Parser of apt.conf syntax (apt.conf(5)): "A::B "v";", nested scopes
 * "A { B "v"; };", // # and C comments. Only assignments are reported;
 * #include and #clear directives are skipped. */
#ifndef PATCH_LEVEL_APT_CONF_H
#define PATCH_LEVEL_APT_CONF_H

#include <stddef.h>

#define APT_CONF_MAX_BYTES (1u << 20)
#define APT_CONF_MAX_DEPTH 16u
#define APT_CONF_MAX_KEY 512u

/* Calls cb(full key, value, userdata) for every "key value;" in buf[0,len),
 * in order (a later value overrides an earlier one, as in apt). Keys are
 * given as written, joined with "::". Returns the number of assignments, or
 * -EBADMSG on a structure error (unbalanced braces, over-deep nesting,
 * over-long key); assignments before the error have been reported. */
int apt_conf_parse(const char *buf, size_t len,
                   void (*cb)(const char *key, const char *value, void *userdata),
                   void *userdata);

#endif
