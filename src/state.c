/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>

#include "state.h"
#include "util.h"

#define STATE_FILE_MAX (16 * 1024 * 1024)

bool status_is_failing(const char *status) {
        return streq(status, "fail") || streq(status, "error");
}

static void copy_status(char dst[STATE_STATUS_MAX], const char *src) {
        snprintf(dst, STATE_STATUS_MAX, "%s", src ? src : "");
}

const struct control_state *state_find(const struct state *s, const char *id) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->controls[i].id, id))
                        return &s->controls[i];
        return NULL;
}

struct control_state *state_get(struct state *s, const char *id) {
        struct control_state *p = (struct control_state *) state_find(s, id);

        if (p)
                return p;
        p = realloc(s->controls, (s->n + 1) * sizeof(*p));
        if (!p)
                return NULL;
        s->controls = p;
        p = &s->controls[s->n];
        *p = (struct control_state) { .id = strdup(id) };
        if (!p->id)
                return NULL;
        s->n++;
        return p;
}

enum drift_decision state_observe(struct control_state *cs, const char *status, uint64_t now_usec,
                                  unsigned damping, uint64_t renotify_usec,
                                  char previous_ret[STATE_STATUS_MAX]) {
        bool failing = status_is_failing(status);
        bool announced_failing = cs->announced[0] && status_is_failing(cs->announced);

        if (cs->streak_status[0] && status_is_failing(cs->streak_status) == failing)
                cs->streak++;
        else
                cs->streak = 1;
        copy_status(cs->streak_status, status);
        copy_status(cs->status, status);
        cs->last_run_usec = now_usec;
        if (previous_ret)
                copy_status(previous_ret, cs->announced);

        if (cs->streak >= (damping ? damping : 1) && (!cs->announced[0] || announced_failing != failing)) {
                bool first = !cs->announced[0];

                copy_status(cs->announced, status);
                if (failing) {
                        cs->last_notified_usec = now_usec;
                        cs->drift_events++;
                        return DRIFT_ANNOUNCE;
                }
                /* a first result that passes is the normal case: nothing to say */
                return first ? DRIFT_NONE : DRIFT_RECOVERY;
        }
        if (failing && announced_failing && renotify_usec &&
            now_usec - cs->last_notified_usec >= renotify_usec) {
                cs->last_notified_usec = now_usec;
                return DRIFT_REMIND;
        }
        return DRIFT_NONE;
}

static void read_control(struct control_state *cs, json_t *o) {
        copy_status(cs->status, json_string_value(json_object_get(o, "status")));
        copy_status(cs->announced, json_string_value(json_object_get(o, "announced")));
        copy_status(cs->streak_status, json_string_value(json_object_get(o, "streak_status")));
        cs->streak = (unsigned) json_integer_value(json_object_get(o, "streak"));
        cs->last_run_usec = (uint64_t) json_integer_value(json_object_get(o, "last_run_usec"));
        cs->last_notified_usec = (uint64_t) json_integer_value(json_object_get(o, "last_notified_usec"));
        cs->drift_events = (uint64_t) json_integer_value(json_object_get(o, "drift_events"));
}

static int parse_state(struct state *s, const char *text, size_t len) {
        _cleanup_json_ json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
        json_t *controls = json_object_get(doc, "controls"), *o;
        const char *id;

        if (!json_is_object(doc) || json_integer_value(json_object_get(doc, "version")) != 1 ||
            !json_is_object(controls))
                return -EBADMSG;
        snprintf(s->config_hash, sizeof(s->config_hash), "%s",
                 json_string_value(json_object_get(doc, "config_hash")) ?: "");
        json_object_foreach(controls, id, o) {
                struct control_state *cs;

                if (!json_is_object(o))
                        return -EBADMSG;
                if (!(cs = state_get(s, id)))
                        return -ENOMEM;
                read_control(cs, o);
        }
        return 0;
}

int state_load(const char *state_dir, struct state **ret) {
        struct state *s = calloc(1, sizeof(*s));
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        if (!s || !(s->path = strdup_printf("%s/state.json", state_dir))) {
                free(s);
                return -ENOMEM;
        }
        r = read_full_file(s->path, STATE_FILE_MAX, &text, &len);
        if (r == -ENOENT)
                r = 0;
        else if (r >= 0)
                r = parse_state(s, text, len);
        if (r == -EBADMSG || r == -EFBIG) {
                _cleanup_free_ char *aside = strdup_printf("%s.corrupt", s->path);
                if (aside)
                        (void) rename(s->path, aside);
                for (size_t i = 0; i < s->n; i++)
                        free(s->controls[i].id);
                s->n = 0;
                r = -EBADMSG;
        }
        if (r < 0 && r != -EBADMSG) {
                state_free(s);
                return r;
        }
        *ret = s;
        return r;
}

int state_save(const struct state *s) {
        _cleanup_json_ json_t *controls = json_object(), *doc = NULL;
        _cleanup_free_ char *text = NULL;

        if (!controls)
                return -ENOMEM;
        for (size_t i = 0; i < s->n; i++) {
                const struct control_state *cs = &s->controls[i];
                if (json_object_set_new(controls, cs->id, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
                        "status", cs->status, "announced", cs->announced,
                        "streak_status", cs->streak_status, "streak", (json_int_t) cs->streak,
                        "last_run_usec", (json_int_t) cs->last_run_usec,
                        "last_notified_usec", (json_int_t) cs->last_notified_usec,
                        "drift_events", (json_int_t) cs->drift_events)) < 0)
                        return -ENOMEM;
        }
        doc = json_pack("{s:i, s:s, s:O}", "version", 1, "config_hash", s->config_hash, "controls",
                        controls);
        text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
        if (!text)
                return -ENOMEM;
        return write_file_atomic(s->path, text, strlen(text), 0600);
}

void state_free(struct state *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                free(s->controls[i].id);
        free(s->controls);
        free(s->path);
        free(s);
}
