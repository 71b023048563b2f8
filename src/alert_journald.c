/* SPDX-License-Identifier: MIT */
/* The journald sink: one structured entry per alert, with a fixed MESSAGE_ID
 * per kind (see alert_sink.h), PRIORITY by severity and the facts as
 * COMPLYD_* fields. Without a journal: "<N>sentence" lines on stderr, as
 * complyd's own log does. */
#include <sys/uio.h>
#include <syslog.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "alert_sink.h"
#include "util.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define N_FIELDS 12

bool alert_journald_available(void) {
        return access(JOURNAL_SOCKET, W_OK) == 0;
}

/* critical 2, high 3, medium 4, low 5; a recovery is a notice. */
int alert_journald_priority(const struct alert_msg *m) {
        if (m->kind == ALERT_RECOVERY)
                return LOG_NOTICE;
        if (streq(m->severity, "critical"))
                return LOG_CRIT;
        if (streq(m->severity, "high"))
                return LOG_ERR;
        if (streq(m->severity, "low"))
                return LOG_NOTICE;
        return LOG_WARNING;
}

static const char *message_id(enum alert_kind k) {
        switch (k) {
        case ALERT_RECOVERY:
                return ALERT_MESSAGE_ID_RECOVERY;
        case ALERT_REMINDER:
                return ALERT_MESSAGE_ID_REMINDER;
        case ALERT_DRIFT:
        default:
                return ALERT_MESSAGE_ID_DRIFT;
        }
}

char *alert_journald_fallback_line(const struct alert_msg *m) {
        _cleanup_free_ char *sentence = alert_sentence(m);

        if (!sentence)
                return NULL;
        return strdup_printf("<%d>%s\n", alert_journald_priority(m), sentence);
}

/* Writes the whole line to fd. Returns 0 or -errno. */
static int write_line(int fd, const char *line) {
        size_t len = strlen(line), done = 0;

        while (done < len) {
                ssize_t k = write(fd, line + done, len - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                done += (size_t) k;
        }
        return 0;
}

/* The journal entry's fields into f (each malloc'ed). Returns how many, or
 * -ENOMEM. */
static int build_fields(const struct alert_msg *m, char *f[N_FIELDS]) {
        _cleanup_free_ char *sentence = alert_sentence(m);
        int n = 0;

        if (!sentence)
                return -ENOMEM;
        f[n++] = strdup_printf("MESSAGE=%s", sentence);
        f[n++] = strdup_printf("MESSAGE_ID=%s", message_id(m->kind));
        f[n++] = strdup_printf("PRIORITY=%d", alert_journald_priority(m));
        f[n++] = strdup("SYSLOG_IDENTIFIER=complyd");
        f[n++] = strdup_printf("COMPLYD_KIND=%s", alert_kind_to_string(m->kind));
        f[n++] = strdup_printf("COMPLYD_CONTROL=%s", m->control_id);
        f[n++] = strdup_printf("COMPLYD_TITLE=%s", m->title);
        f[n++] = strdup_printf("COMPLYD_SEVERITY=%s", m->severity);
        f[n++] = strdup_printf("COMPLYD_STATUS=%s", m->status);
        f[n++] = strdup_printf("COMPLYD_PREVIOUS=%s", m->previous ?: "");
        f[n++] = strdup_printf("COMPLYD_WHY=%s", m->why);
        for (int i = 0; i < n; i++)
                if (!f[i])
                        return -ENOMEM;
        return n;
}

int alert_journald_send(const struct alert_msg *m, bool use_journal, int fallback_fd) {
        _cleanup_free_ char *line = NULL;

        if (use_journal) {
                char *f[N_FIELDS] = { 0 };
                struct iovec iov[N_FIELDS];
                int n = build_fields(m, f), r = n;

                if (n >= 0) {
                        for (int i = 0; i < n; i++)
                                iov[i] = (struct iovec) { f[i], strlen(f[i]) };
                        r = sd_journal_sendv(iov, n);
                }
                for (int i = 0; i < N_FIELDS; i++)
                        free(f[i]);
                if (r >= 0)
                        return 0;
                /* no journal after all: the line below still tells the story */
        }
        line = alert_journald_fallback_line(m);
        if (!line)
                return -ENOMEM;
        return write_line(fallback_fd, line);
}
