/* SPDX-License-Identifier: MIT */
#include "output.h"
#include "util.h"

#define ANSI_RED "\033[1;31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_GREY "\033[2m"
#define ANSI_BOLD "\033[1m"
#define ANSI_RESET "\033[0m"

bool output_use_color(FILE *f) {
        const char *term = getenv("TERM");

        if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
                return false;
        if (term && streq(term, "dumb"))
                return false;
        return isatty(fileno(f));
}

static const struct {
        const char *status, *label, *color;
} statuses[] = {
        { "pass", "PASS", ANSI_GREEN },
        { "fail", "FAIL", ANSI_RED },
        { "error", "ERROR", ANSI_RED },
        { "not_applicable", "N/A", ANSI_GREY },
        { "waived", "WAIVED", ANSI_YELLOW },
};

static size_t status_index(const char *status) {
        for (size_t i = 0; i < ELEMENTSOF(statuses); i++)
                if (streq(statuses[i].status, status))
                        return i;
        return 2; /* unknown: show as error */
}

static const char *result_str(const json_t *r, const char *key) {
        return json_string_value(json_object_get(r, key)) ?: "";
}

void output_results_table(FILE *f, const json_t *results, bool color) {
        size_t width = strlen("CONTROL"), i, counts[ELEMENTSOF(statuses)] = { 0 };
        json_t *r;

        json_array_foreach(results, i, r)
                if (strlen(result_str(r, "id")) > width)
                        width = strlen(result_str(r, "id"));

        fprintf(f, "%s%-6s  %-*s  %-8s  %s%s\n", color ? ANSI_BOLD : "", "STATUS", (int) width,
                "CONTROL", "SEVERITY", "WHY", color ? ANSI_RESET : "");
        json_array_foreach(results, i, r) {
                size_t s = status_index(result_str(r, "status"));
                const char *why = result_str(r, "status")[0] == 'e' ? result_str(r, "error")
                                                                   : result_str(r, "summary");

                counts[s]++;
                fprintf(f, "%s%-6s%s  %-*s  %-8s  %s\n", color ? statuses[s].color : "",
                        statuses[s].label, color ? ANSI_RESET : "", (int) width, result_str(r, "id"),
                        result_str(r, "severity"), why);
        }
        fprintf(f, "\n%zu controls: %zu pass, %zu fail, %zu error, %zu not applicable, %zu waived\n",
                json_array_size(results), counts[0], counts[1], counts[2], counts[3], counts[4]);
}

static void criteria_string(const json_t *criteria, const char *sep, char *buf, size_t size) {
        size_t i, off = 0;
        json_t *c;

        buf[0] = '\0';
        json_array_foreach(criteria, i, c) {
                int n = snprintf(buf + off, size - off, "%s%s", i ? sep : "", json_string_value(c) ?: "");
                if (n < 0 || (size_t) n >= size - off)
                        break;
                off += (size_t) n;
        }
}

void output_controls_table(FILE *f, const struct control_set *set, bool color) {
        size_t width = strlen("CONTROL"), pwidth = strlen("PROBE"), twidth = strlen("TITLE");

        for (size_t i = 0; i < set->n; i++) {
                const struct control *c = set->controls[i];
                width = strlen(c->id) > width ? strlen(c->id) : width;
                pwidth = strlen(c->probe) > pwidth ? strlen(c->probe) : pwidth;
                twidth = strlen(c->title) > twidth ? strlen(c->title) : twidth;
        }
        fprintf(f, "%s%-*s  %-8s  %-*s  %-8s  %-*s  %s%s\n", color ? ANSI_BOLD : "", (int) width,
                "CONTROL", "SEVERITY", (int) pwidth, "PROBE", "INTERVAL", (int) twidth, "TITLE",
                "CRITERIA", color ? ANSI_RESET : "");
        for (size_t i = 0; i < set->n; i++) {
                const struct control *c = set->controls[i];
                char interval[32], criteria[1024];

                format_duration(c->interval_usec, interval, sizeof(interval));
                criteria_string(c->criteria, ",", criteria, sizeof(criteria));
                fprintf(f, "%s%-*s  %-8s  %-*s  %-8s  %-*s  %s%s\n",
                        !c->enabled && color ? ANSI_GREY : "", (int) width, c->id,
                        severity_to_string(c->severity), (int) pwidth, c->probe,
                        c->enabled ? interval : "disabled", (int) twidth, c->title, criteria,
                        !c->enabled && color ? ANSI_RESET : "");
        }
}

json_t *output_controls_json(const struct control_set *set) {
        json_t *arr = json_array();

        for (size_t i = 0; arr && i < set->n; i++) {
                const struct control *c = set->controls[i];
                char interval[32];

                if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:O, s:s, s:s, s:O, s:s, s:I, s:b, s:s?, s:s, s:i}",
                        "id", c->id, "title", c->title, "description", c->description,
                        "criteria", c->criteria, "severity", severity_to_string(c->severity),
                        "probe", c->probe, "probe_params", c->probe_params,
                        "interval", format_duration(c->interval_usec, interval, sizeof(interval)),
                        "interval_seconds", (json_int_t) (c->interval_usec / USEC_PER_SEC),
                        "enabled", c->enabled, "remediation", c->remediation,
                        "file", c->file, "line", (int) c->line)) < 0) {
                        json_decref(arr);
                        return NULL;
                }
        }
        return arr;
}

/* A Markdown table cell: pipes escaped, newlines folded. */
static void md_cell(FILE *f, const char *s) {
        for (; s && *s; s++)
                if (*s == '|')
                        fputs("\\|", f);
                else if (*s == '\n')
                        fputc(' ', f);
                else
                        fputc(*s, f);
}

void output_controls_markdown(FILE *f, const struct control_set *set) {
        fputs("| id | what it checks | severity | probe | interval | criteria |\n"
              "|---|---|---|---|---|---|\n", f);
        for (size_t i = 0; i < set->n; i++) {
                const struct control *c = set->controls[i];
                char interval[32], criteria[1024];

                format_duration(c->interval_usec, interval, sizeof(interval));
                criteria_string(c->criteria, ", ", criteria, sizeof(criteria));
                fprintf(f, "| `%s` | ", c->id);
                md_cell(f, c->title);
                fprintf(f, " | %s | `%s` | %s | %s |\n", severity_to_string(c->severity), c->probe,
                        interval, criteria);
        }
}
