/* SPDX-License-Identifier: MIT */
/* complyd report --format md: the report as Markdown that renders on a Git
 * forge (GitHub, GitLab, Gitea): headings, pipe tables, no HTML. */
#include "report_internal.h"
#include "util.h"

#define MD_LIST_MAX 25 /* rows of a per-control list shown; the JSON has them all */

/* Writes s for a table cell or a line: '|' escaped, line breaks and
 * control characters as spaces, '<' '>' '*' '_' '`' '[' ']' escaped. */
static void md_text(FILE *f, const char *s) {
        for (; *s; s++) {
                if (strchr("|<>*_`[]\\#", *s))
                        fputc('\\', f);
                fputc((unsigned char) *s < 0x20 ? ' ' : *s, f);
        }
}

static void md_criteria(FILE *f, const json_t *criteria) {
        const json_t *c;
        size_t i, n = 0;

        json_array_foreach(criteria, i, c) {
                const char *s = json_string_value(c);

                if (s && startswith(s, "soc2:")) {
                        fputs(n++ ? ", " : "", f);
                        md_text(f, s + 5);
                }
        }
        if (!n)
                fputs("—", f);
}

static void md_verification(FILE *f, const json_t *report, const struct vlines *v) {
        const json_t *probs = json_object_get(json_object_get(report, "verification"), "problem_list"), *p;
        size_t i;

        fputs("## Evidence verification\n\n", f);
        for (i = 0; i < v->n; i++) {
                fprintf(f, "- **%s:** ", v->label[i]);
                md_text(f, v->value[i]);
                fputc('\n', f);
        }
        if (json_array_size(probs) > 0) {
                fputs("\n| Where | Problem | Host | Message |\n|---|---|---|---|\n", f);
                json_array_foreach(probs, i, p) {
                        if (i >= MD_LIST_MAX) {
                                fprintf(f, "\n%zu more problems: see the JSON report.\n",
                                        json_array_size(probs) - i);
                                break;
                        }
                        fputs("| ", f);
                        md_text(f, rj_str(p, "where"));
                        fputs(" | ", f);
                        md_text(f, rj_str(p, "kind"));
                        fputs(" | ", f);
                        md_text(f, rj_str(p, "host"));
                        fputs(" | ", f);
                        md_text(f, rj_str(p, "message"));
                        fputs(" |\n", f);
                }
        }
        fputc('\n', f);
}

static void md_criteria_table(FILE *f, const json_t *report) {
        const json_t *rows = json_object_get(report, "criteria"), *c, *x;
        char pct[16], d[48], wp[16];
        size_t i, j;

        fputs("## Summary by SOC 2 criterion\n\n", f);
        if (json_array_size(rows) == 0) {
                fputs("No control in the evidence maps to a SOC 2 criterion.\n\n", f);
                return;
        }
        fputs("| Criterion | Controls | Compliant (time-weighted) | Worst control | Drift events | "
              "Unmonitored (control time) |\n|---|---|--:|---|--:|--:|\n",
              f);
        json_array_foreach(rows, i, c) {
                const json_t *w = json_object_get(c, "worst");

                fprintf(f, "| %s | ", rj_str(c, "criterion"));
                json_array_foreach(json_object_get(c, "controls"), j, x) {
                        fputs(j ? ", " : "", f);
                        md_text(f, json_string_value(x));
                }
                fprintf(f, " | %s | ", rj_pct(c, "share", pct));
                if (json_is_object(w)) {
                        md_text(f, rj_str(w, "control"));
                        fputs(" on ", f);
                        md_text(f, rj_str(w, "hostname"));
                        fprintf(f, " (%s)", rj_pct(w, "share", wp));
                } else
                        fputs("—", f);
                fprintf(f, " | %lld | %s |\n", (long long) json_integer_value(json_object_get(c, "drift_events")),
                        rj_dur(c, "unmonitored_s", d));
        }
        fputc('\n', f);
}

static void md_gaps(FILE *f, const json_t *host) {
        const json_t *gaps = json_object_get(host, "no_monitoring"), *g;
        char a[32], b[32], d[48];
        size_t i;

        fprintf(f, "### Periods with no monitoring\n\n%zu period%s, %s in all.\n\n", json_array_size(gaps),
                json_array_size(gaps) == 1 ? "" : "s", rj_dur(host, "unmonitored_s", d));
        if (json_array_size(gaps) == 0)
                return;
        fputs("| From | To | Duration | Why | Detail |\n|---|---|--:|---|---|\n", f);
        json_array_foreach(gaps, i, g) {
                fprintf(f, "| %s | %s | %s | %s | ", rj_time(g, "from", a), rj_time(g, "to", b),
                        rj_dur(g, "duration_s", d), rj_str(g, "kind"));
                md_text(f, rj_str(g, "detail"));
                fputs(" |\n", f);
        }
        fputc('\n', f);
}

static void md_host_events(FILE *f, const json_t *host) {
        const json_t *jumps = json_object_get(host, "clock_jumps"), *changes = json_object_get(host, "config_changes"),
                     *keys = json_object_get(host, "keys"), *x;
        char a[32], b[32], d[48];
        size_t i;

        fputs("| Signing key (key_id) | Seqs | Records | From | To |\n|---|---|--:|---|---|\n", f);
        json_array_foreach(keys, i, x)
                fprintf(f, "| `%s` | %lld-%lld | %lld | %s | %s |\n", rj_str(x, "key_id"),
                        (long long) json_integer_value(json_object_get(x, "first_seq")),
                        (long long) json_integer_value(json_object_get(x, "last_seq")),
                        (long long) json_integer_value(json_object_get(x, "records")),
                        rj_time(x, "first_time", a), rj_time(x, "last_time", b));
        fputc('\n', f);
        if (json_array_size(jumps)) {
                fputs("**Clock jumps** (time going backwards):\n\n| Seq | Stated time | Previous record | Back by |\n|--:|---|---|--:|\n",
                      f);
                json_array_foreach(jumps, i, x)
                        fprintf(f, "| %lld | %s | %s | %s |\n", (long long) json_integer_value(json_object_get(x, "seq")),
                                rj_time(x, "time", a), rj_time(x, "previous_time", b), rj_dur(x, "back_s", d));
                fputc('\n', f);
        }
        if (json_array_size(changes)) {
                fputs("**Configuration changes** (`config.changed`):\n\n| Time | Seq | Old config | New config |\n|---|--:|---|---|\n",
                      f);
                json_array_foreach(changes, i, x)
                        fprintf(f, "| %s | %lld | `%s` | `%s` |\n", rj_time(x, "time", a),
                                (long long) json_integer_value(json_object_get(x, "seq")),
                                rj_str(x, "old_config_hash"), rj_str(x, "new_config_hash"));
                fputc('\n', f);
        }
}

static void md_controls_table(FILE *f, const json_t *controls) {
        const json_t *c;
        char pct[16], d1[48], d2[48], d3[48], d4[48], d5[48], d6[48], d7[48];
        size_t i;

        fputs("| Control | SOC 2 | Interval | Compliant | Fail + error | Drift events | Mean time to "
              "recover | Longest failing | Unmonitored | Not applicable | Waived |\n"
              "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
              f);
        json_array_foreach(controls, i, c) {
                const json_t *t = json_object_get(c, "time_s");
                json_t *fe = json_pack("{s:f}", "s", rj_num(t, "fail") + rj_num(t, "error"));

                fprintf(f, "| `%s` | ", rj_str(c, "id"));
                md_criteria(f, json_object_get(c, "criteria"));
                fprintf(f, " | %s | %s | %s | %lld | %s | %s | %s | %s | %s |\n", rj_dur(c, "interval_s", d1),
                        rj_pct(c, "share", pct), rj_dur(fe, "s", d2),
                        (long long) json_integer_value(json_object_get(c, "drift_events")),
                        rj_dur(c, "mean_time_to_recover_s", d3),
                        rj_dur(json_object_get(c, "longest_failing"), "duration_s", d4),
                        rj_dur(t, "unmonitored", d5), rj_dur(t, "not_applicable", d6), rj_dur(t, "waived", d7));
                json_decref(fe);
        }
        fputc('\n', f);
}

/* A list of {from, to, duration_s} stretches, at most MD_LIST_MAX. */
static void md_spans(FILE *f, const char *title, const json_t *l) {
        const json_t *x;
        char a[32], b[32], d[48];
        size_t i;

        if (json_array_size(l) == 0)
                return;
        fprintf(f, "%s (%zu):", title, json_array_size(l));
        json_array_foreach(l, i, x) {
                if (i >= MD_LIST_MAX) {
                        fprintf(f, " … and %zu more", json_array_size(l) - i);
                        break;
                }
                fprintf(f, "%s %s to %s (%s)", i ? ";" : "", rj_time(x, "from", a), rj_time(x, "to", b),
                        rj_dur(x, "duration_s", d));
        }
        fputs("\n\n", f);
}

static void md_control(FILE *f, const json_t *c) {
        const json_t *drifts = json_object_get(c, "drifts"), *w = json_object_get(c, "waivers"), *x;
        char a[32], b[32], d[48];
        size_t i;

        fprintf(f, "#### `%s`: ", rj_str(c, "id"));
        md_text(f, rj_str(c, "title"));
        fprintf(f, "\n\nSeverity %s, %lld results in the period.", rj_str(c, "severity"),
                (long long) json_integer_value(json_object_get(c, "observations")));
        if (json_is_object(json_object_get(c, "longest_failing"))) {
                const json_t *lf = json_object_get(c, "longest_failing");

                fprintf(f, " Longest failing stretch: %s to %s (%s).", rj_time(lf, "from", a), rj_time(lf, "to", b),
                        rj_dur(lf, "duration_s", d));
        }
        fputs("\n\n", f);
        if (json_array_size(drifts)) {
                fputs("| Drift at | Status | Reason | Recovered at | Time to recover |\n|---|---|---|---|--:|\n", f);
                json_array_foreach(drifts, i, x) {
                        if (i >= MD_LIST_MAX) {
                                fprintf(f, "\n%zu more drift events: see the JSON report.\n", json_array_size(drifts) - i);
                                break;
                        }
                        fprintf(f, "| %s%s | %s | ", rj_time(x, "start", a),
                                json_is_true(json_object_get(x, "began_before_period")) ? " (before the period)" : "",
                                rj_str(x, "status"));
                        md_text(f, rj_str(x, "reason"));
                        fprintf(f, " | %s | %s |\n",
                                json_is_null(json_object_get(x, "recovered")) ? "not recovered" : rj_time(x, "recovered", b),
                                rj_dur(x, "time_to_recover_s", d));
                }
                fputc('\n', f);
        }
        json_array_foreach(w, i, x) {
                fputs("Waiver in force: ", f);
                md_text(f, rj_str(x, "reason"));
                fprintf(f, ", expires %s (waived results from %s to %s).\n\n", rj_str(x, "expires"),
                        rj_time(x, "first_seen", a), rj_time(x, "last_seen", b));
        }
        md_spans(f, "Not applicable", json_object_get(c, "not_applicable"));
        md_spans(f, "Unmonitored", json_object_get(c, "gaps"));
}

static void md_host(FILE *f, const json_t *h) {
        const json_t *controls = json_object_get(h, "controls"), *c;
        char a[32], b[32], d1[48], d2[48], d3[48];
        size_t i;

        fputs("## Host ", f);
        md_text(f, rj_str(h, "hostname"));
        fprintf(f, " (`%s`)\n\n", rj_str(h, "id"));
        fprintf(f, "%lld records (%lld in the period), seq %lld-%lld, %s to %s; %lld agent starts in the period.\n\n",
                (long long) json_integer_value(json_object_get(h, "records")),
                (long long) json_integer_value(json_object_get(h, "records_in_period")),
                (long long) json_integer_value(json_object_get(h, "first_seq")),
                (long long) json_integer_value(json_object_get(h, "last_seq")), rj_time(h, "first_time", a),
                rj_time(h, "last_time", b), (long long) json_integer_value(json_object_get(h, "restarts")));
        fprintf(f, "No monitoring when nothing was recorded for more than %s (twice the longest interval, %s; "
                "heartbeat every %s).\n\n",
                rj_dur(h, "gap_threshold_s", d1), rj_dur(h, "longest_interval_s", d2),
                rj_dur(h, "heartbeat_interval_s", d3));
        md_host_events(f, h);
        md_gaps(f, h);
        fputs("### Controls\n\n", f);
        md_controls_table(f, controls);
        json_array_foreach(controls, i, c) md_control(f, c);
}

static void md_rules(FILE *f, const json_t *report) {
        const json_t *rules = json_object_get(report, "rules");
        static const char *const order[] = { "share", "hold", "interval", "no_monitoring", "drift", "clock" };

        fputs("## How the figures are computed\n\n", f);
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                fputs("- ", f);
                md_text(f, rj_str(rules, order[i]));
                fputc('\n', f);
        }
}

int report_render_md(const json_t *report, FILE *f) {
        const json_t *period = json_object_get(report, "period"), *h;
        struct vlines v;
        char a[32], b[32], g[32], d[48];
        size_t i;

        if (vlines_build(report, &v) < 0)
                return -ENOMEM;
        fputs("# SOC 2 Type II period report\n\n", f);
        fprintf(f, "**Period:** %s to %s UTC (%s) · **Input:** `%s` · **Generated:** %s UTC\n\n",
                rj_time(period, "since", a), rj_time(period, "until", b), rj_dur(period, "duration_s", d),
                rj_str(report, "input"), rj_time(report, "generated", g));
        if (json_array_size(json_object_get(report, "controls_selected"))) {
                fputs("**Controls selected:** ", f);
                json_array_foreach(json_object_get(report, "controls_selected"), i, h) {
                        fputs(i ? ", " : "", f);
                        md_text(f, json_string_value(h));
                }
                fputs("\n\n", f);
        }
        md_verification(f, report, &v);
        vlines_clear(&v);
        md_criteria_table(f, report);
        json_array_foreach(json_object_get(report, "hosts"), i, h) md_host(f, h);
        md_rules(f, report);
        return ferror(f) ? -EIO : 0;
}
