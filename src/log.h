/* SPDX-License-Identifier: MIT */
/* Logging: to the journal when stderr is connected to it (JOURNAL_STREAM),
 * else to stderr — with "<N>" priority prefixes for the daemon (systemd
 * style), plain "complyd: " lines for the command-line tools. */
#ifndef COMPLYD_LOG_H
#define COMPLYD_LOG_H

#include <errno.h>
#include <syslog.h>

enum log_style {
        LOG_STYLE_PLAIN,  /* "complyd: message" — CLI commands */
        LOG_STYLE_DAEMON, /* "<3>message" or the journal — complyd run */
};

void log_setup(enum log_style style);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs at priority (LOG_ERR...) and returns -abs(error) (or 0 when error is 0),
 * so `return log_error_errno(r, "Failed to read %s: %m", path);` logs and
 * returns in one step. %m prints strerror(error). */
int log_internal(int priority, int error, const char *file, int line, const char *func,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#define log_full_errno(prio, error, ...) \
        log_internal((prio), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(...) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_full_errno(LOG_ERR, (e), __VA_ARGS__)

/* out-of-memory: logs and returns -ENOMEM */
#define log_oom() log_error_errno(ENOMEM, "Out of memory.")

#endif
