/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

static enum log_style log_style = LOG_STYLE_PLAIN;
static int log_max_level = LOG_INFO;
static int log_to_journal = 0;

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected to stderr;
 * it is ours only if stderr still is that very stream. */
static int stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return 0;
        if (fstat(STDERR_FILENO, &st) < 0)
                return 0;
        return st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
}

void log_setup(enum log_style style) {
        const char *lvl = getenv("COMPLYD_LOG_LEVEL");

        log_style = style;
        log_to_journal = style == LOG_STYLE_DAEMON && stderr_is_journal();
        if (lvl) {
                static const char *const names[] = { "emerg", "alert", "crit", "err",
                                                     "warning", "notice", "info", "debug" };
                for (int i = 0; i < 8; i++)
                        if (strcmp(lvl, names[i]) == 0 || (lvl[0] == '0' + i && !lvl[1]))
                                log_max_level = i;
        }
}

void log_set_max_level(int level) { log_max_level = level; }
int log_get_max_level(void) { return log_max_level; }

int log_internal(int priority, int error, const char *file, int line, const char *func,
                 const char *fmt, ...) {
        char msg[4096];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (priority > log_max_level)
                return -error;

        errno = error;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (log_to_journal)
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", priority, "CODE_FILE=%s", file,
                                "CODE_LINE=%i", line, "CODE_FUNC=%s", func,
                                "SYSLOG_IDENTIFIER=complyd", NULL);
        else if (log_style == LOG_STYLE_DAEMON)
                fprintf(stderr, "<%i>%s\n", priority, msg);
        else
                fprintf(stderr, "complyd: %s\n", msg);

        errno = saved;
        return -error;
}
