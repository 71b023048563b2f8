/* SPDX-License-Identifier: MIT */
/* complyd report --format html: one self-contained page (inline CSS, one
 * inline SVG timeline per control, no script, no external asset, nothing
 * fetched), readable on screen and printed to PDF (print CSS, A4
 * landscape, colours kept). */
#include "report_internal.h"
#include "util.h"

#define HTML_LIST_MAX 50  /* rows of a per-control list shown; the JSON has them all */
#define SVG_W 1000
#define SVG_BAR_Y 4
#define SVG_BAR_H 22

static const char css[] =
        "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;"
        "margin:24px auto;max-width:1200px;padding:0 16px}"
        "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #d0d7de;"
        "padding-bottom:4px;margin-top:32px}h3{font-size:16px;margin-top:22px}h4{font-size:15px;margin:18px 0 4px}"
        "table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}"
        "th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}"
        "th{background:#f3f5f7}td.n{text-align:right;white-space:nowrap}td.t{white-space:nowrap}"
        ".meta{color:#57606a}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:700}"
        ".verdict{padding:8px 12px;border-radius:6px;margin:8px 0}"
        ".verdict.ok{background:#dafbe1}.verdict.bad{background:#ffebe9;border:1px solid #cf222e}"
        "code{font-size:12px;background:#f3f5f7;padding:0 3px;border-radius:3px}"
        ".control{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px 10px;margin:12px 0}"
        "svg.timeline{width:100%;height:auto;display:block;margin:4px 0}"
        ".legend span{display:inline-block;margin-right:14px}"
        ".sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px}"
        "@page{size:A4 landscape;margin:12mm}"
        "@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}"
        ".control,table,tr{break-inside:avoid}"
        "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static const struct {
        const char *state, *color, *label;
} colors[] = {
        { "pass", "#2da44e", "pass" },
        { "fail", "#cf222e", "fail" },
        { "error", "#a40e26", "error" },
        { "waived", "#d4a72c", "waived" },
        { "not_applicable", "#afb8c1", "not applicable" },
        { "unmonitored", "#6e7781", "unmonitored" },
};

static const char *color_of(const char *state) {
        for (size_t i = 0; i < ELEMENTSOF(colors); i++)
                if (streq(colors[i].state, state))
                        return colors[i].color;
        return "#000";
}

/* Writes s with & < > " ' escaped and control characters as spaces. */
static void esc(FILE *f, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&#39;", f); break;
                default: fputc((unsigned char) *s < 0x20 ? ' ' : *s, f);
                }
}

static void verification(FILE *f, const json_t *report, const struct vlines *v) {
        const json_t *ver = json_object_get(report, "verification");
        const json_t *probs = json_object_get(ver, "problem_list"), *p;
        bool intact = json_is_true(json_object_get(ver, "intact"));
        size_t i;

        fputs("<h2>Evidence verification</h2>\n", f);
        fprintf(f, "<div class=\"verdict %s\" id=\"verdict\">", intact ? "ok" : "bad");
        esc(f, v->value[0]);
        fputs("</div>\n<table>\n", f);
        for (i = 1; i < v->n; i++) {
                fprintf(f, "<tr><th>%s</th><td>", v->label[i]);
                esc(f, v->value[i]);
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
        if (json_array_size(probs) == 0)
                return;
        fputs("<table><tr><th>Where</th><th>Problem</th><th>Host</th><th>Message</th></tr>\n", f);
        json_array_foreach(probs, i, p) {
                if (i >= HTML_LIST_MAX)
                        break;
                fputs("<tr><td>", f);
                esc(f, rj_str(p, "where"));
                fputs("</td><td class=\"bad\">", f);
                esc(f, rj_str(p, "kind"));
                fputs("</td><td>", f);
                esc(f, rj_str(p, "host"));
                fputs("</td><td>", f);
                esc(f, rj_str(p, "message"));
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
        if (json_array_size(probs) > HTML_LIST_MAX)
                fprintf(f, "<p>%zu more problems: see the JSON report.</p>\n", json_array_size(probs) - HTML_LIST_MAX);
}

static void criteria_table(FILE *f, const json_t *report) {
        const json_t *rows = json_object_get(report, "criteria"), *c, *x;
        char pct[16], wp[16], d[48];
        size_t i, j;

        fputs("<h2>Summary by SOC 2 criterion</h2>\n", f);
        if (json_array_size(rows) == 0) {
                fputs("<p>No control in the evidence maps to a SOC 2 criterion.</p>\n", f);
                return;
        }
        fputs("<table id=\"criteria\"><tr><th>Criterion</th><th>Controls</th><th>Compliant "
              "(time-weighted)</th><th>Worst control</th><th>Drift events</th><th>Unmonitored "
              "(control time)</th></tr>\n",
              f);
        json_array_foreach(rows, i, c) {
                const json_t *w = json_object_get(c, "worst");

                fputs("<tr><td>", f);
                esc(f, rj_str(c, "criterion"));
                fputs("</td><td>", f);
                json_array_foreach(json_object_get(c, "controls"), j, x) {
                        fputs(j ? ", " : "", f);
                        esc(f, json_string_value(x));
                }
                fprintf(f, "</td><td class=\"n\">%s</td><td>", rj_pct(c, "share", pct));
                if (json_is_object(w)) {
                        esc(f, rj_str(w, "control"));
                        fputs(" on ", f);
                        esc(f, rj_str(w, "hostname"));
                        fprintf(f, " (%s)", rj_pct(w, "share", wp));
                }
                fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
                        (long long) json_integer_value(json_object_get(c, "drift_events")),
                        rj_dur(c, "unmonitored_s", d));
        }
        fputs("</table>\n", f);
}

static double xpos(int64_t t, int64_t since, int64_t until) {
        double x = (double) (t - since) / (double) (until - since) * SVG_W;

        return x < 0 ? 0 : x > SVG_W ? SVG_W : x;
}

/* One control's timeline: a band per segment, config.changed marked, five
 * date ticks. */
static void svg_timeline(FILE *f, const json_t *report, const json_t *host, const json_t *c) {
        const json_t *period = json_object_get(report, "period"), *s;
        int64_t since = rj_ms(period, "since"), until = rj_ms(period, "until");
        char a[32], b[32];
        size_t i;

        if (until <= since)
                return;
        fprintf(f, "<svg class=\"timeline\" data-control=\"");
        esc(f, rj_str(c, "id"));
        fprintf(f, "\" viewBox=\"0 0 %d 44\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                "aria-label=\"timeline of ", SVG_W);
        esc(f, rj_str(c, "id"));
        fprintf(f, "\"><rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", SVG_BAR_Y, SVG_W,
                SVG_BAR_H, color_of("unmonitored"));
        json_array_foreach(json_object_get(c, "timeline"), i, s) {
                double x0 = xpos(rj_ms(s, "from"), since, until), x1 = xpos(rj_ms(s, "to"), since, until);

                fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s %s to %s</title></rect>",
                        x0, SVG_BAR_Y, x1 - x0 < 0.4 ? 0.4 : x1 - x0, SVG_BAR_H, color_of(rj_str(s, "state")),
                        rj_str(s, "state"), rj_time(s, "from", a), rj_time(s, "to", b));
        }
        json_array_foreach(json_object_get(host, "config_changes"), i, s) {
                double x = xpos(rj_ms(s, "time"), since, until);

                fprintf(f, "<g class=\"config-changed\"><line x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%d\" "
                        "stroke=\"#0969da\" stroke-width=\"2\" stroke-dasharray=\"3,2\"/>"
                        "<path d=\"M%.2f 0 l-4 -0 l4 5 l4 -5 z\" fill=\"#0969da\"/>"
                        "<title>config.changed %s (seq %lld)</title></g>",
                        x, x, SVG_BAR_Y + SVG_BAR_H + 2, x, rj_time(s, "time", a),
                        (long long) json_integer_value(json_object_get(s, "seq")));
        }
        for (int k = 0; k <= 4; k++)
                fprintf(f, "<text x=\"%d\" y=\"41\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"%s\">%.10s</text>",
                        k * SVG_W / 4, k == 0 ? "start" : k == 4 ? "end" : "middle",
                        report_format_time(since + (until - since) / 4 * k, a));
        fputs("</svg>\n", f);
}

static void legend(FILE *f) {
        fputs("<p class=\"legend\">", f);
        for (size_t i = 0; i < ELEMENTSOF(colors); i++)
                fprintf(f, "<span><span class=\"sw\" style=\"background:%s\"></span>%s</span>", colors[i].color,
                        colors[i].label);
        fputs("<span><span class=\"sw\" style=\"background:#0969da;width:3px\"></span>config.changed</span></p>\n", f);
}

static void spans(FILE *f, const char *title, const json_t *l) {
        const json_t *x;
        char a[32], b[32], d[48];
        size_t i;

        if (json_array_size(l) == 0)
                return;
        fprintf(f, "<p><b>%s</b> (%zu): ", title, json_array_size(l));
        json_array_foreach(l, i, x) {
                if (i >= HTML_LIST_MAX) {
                        fprintf(f, " … and %zu more", json_array_size(l) - i);
                        break;
                }
                fprintf(f, "%s%s to %s (%s)", i ? "; " : "", rj_time(x, "from", a), rj_time(x, "to", b),
                        rj_dur(x, "duration_s", d));
        }
        fputs("</p>\n", f);
}

static void drift_table(FILE *f, const json_t *drifts) {
        const json_t *x;
        char a[32], b[32], d[48];
        size_t i;

        if (json_array_size(drifts) == 0)
                return;
        fputs("<table class=\"drifts\"><tr><th>Drift at</th><th>Status</th><th>Reason</th><th>Recovered at</th>"
              "<th>Time to recover</th></tr>\n",
              f);
        json_array_foreach(drifts, i, x) {
                if (i >= HTML_LIST_MAX)
                        break;
                fprintf(f, "<tr><td class=\"t\">%s%s</td><td class=\"bad\">%s</td><td>", rj_time(x, "start", a),
                        json_is_true(json_object_get(x, "began_before_period")) ? " (before the period)" : "",
                        rj_str(x, "status"));
                esc(f, rj_str(x, "reason"));
                fprintf(f, "</td><td class=\"t\">%s</td><td class=\"n\">%s</td></tr>\n",
                        json_is_null(json_object_get(x, "recovered")) ? "not recovered" : rj_time(x, "recovered", b),
                        rj_dur(x, "time_to_recover_s", d));
        }
        fputs("</table>\n", f);
}

static void control(FILE *f, const json_t *report, const json_t *host, const json_t *c) {
        const json_t *t = json_object_get(c, "time_s"), *lf = json_object_get(c, "longest_failing"), *x;
        char pct[16], d1[48], d2[48], d3[48], d4[48], d5[48], d6[48], a[32], b[32];
        size_t i;

        fputs("<div class=\"control\"><h4><code>", f);
        esc(f, rj_str(c, "id"));
        fputs("</code> ", f);
        esc(f, rj_str(c, "title"));
        fprintf(f, "</h4>\n<p class=\"meta\">Compliant <b>%s</b> of judged time · %lld drift events · mean time to "
                "recover %s · longest failing %s · unmonitored %s · not applicable %s · waived %s · "
                "interval %s · severity ",
                rj_pct(c, "share", pct), (long long) json_integer_value(json_object_get(c, "drift_events")),
                rj_dur(c, "mean_time_to_recover_s", d1), rj_dur(lf, "duration_s", d2),
                rj_dur(t, "unmonitored", d3), rj_dur(t, "not_applicable", d4), rj_dur(t, "waived", d5),
                rj_dur(c, "interval_s", d6));
        esc(f, rj_str(c, "severity"));
        fputs("</p>\n", f);
        svg_timeline(f, report, host, c);
        if (json_is_object(lf))
                fprintf(f, "<p>Longest failing stretch: %s to %s.</p>\n", rj_time(lf, "from", a), rj_time(lf, "to", b));
        drift_table(f, json_object_get(c, "drifts"));
        json_array_foreach(json_object_get(c, "waivers"), i, x) {
                fputs("<p><b>Waiver in force:</b> ", f);
                esc(f, rj_str(x, "reason"));
                fputs(", expires ", f);
                esc(f, rj_str(x, "expires"));
                fprintf(f, " (waived results from %s to %s).</p>\n", rj_time(x, "first_seen", a), rj_time(x, "last_seen", b));
        }
        spans(f, "Not applicable", json_object_get(c, "not_applicable"));
        spans(f, "Unmonitored", json_object_get(c, "gaps"));
        fputs("</div>\n", f);
}

static void host_tables(FILE *f, const json_t *h) {
        const json_t *x;
        char a[32], b[32], d[48];
        size_t i;

        fputs("<table><tr><th>Signing key (key_id)</th><th>Seqs</th><th>Records</th><th>From</th><th>To</th></tr>\n", f);
        json_array_foreach(json_object_get(h, "keys"), i, x)
                fprintf(f, "<tr><td><code>%s</code></td><td>%lld-%lld</td><td class=\"n\">%lld</td><td>%s</td><td>%s</td></tr>\n",
                        rj_str(x, "key_id"), (long long) json_integer_value(json_object_get(x, "first_seq")),
                        (long long) json_integer_value(json_object_get(x, "last_seq")),
                        (long long) json_integer_value(json_object_get(x, "records")), rj_time(x, "first_time", a),
                        rj_time(x, "last_time", b));
        fputs("</table>\n", f);
        fprintf(f, "<h3>Periods with no monitoring</h3>\n<p>%zu periods, %s in all.</p>\n",
                json_array_size(json_object_get(h, "no_monitoring")), rj_dur(h, "unmonitored_s", d));
        if (json_array_size(json_object_get(h, "no_monitoring"))) {
                fputs("<table class=\"gaps\"><tr><th>From</th><th>To</th><th>Duration</th><th>Why</th><th>Detail</th></tr>\n", f);
                json_array_foreach(json_object_get(h, "no_monitoring"), i, x) {
                        fprintf(f, "<tr><td class=\"t\">%s</td><td class=\"t\">%s</td><td class=\"n\">%s</td><td>%s</td><td>", rj_time(x, "from", a),
                                rj_time(x, "to", b), rj_dur(x, "duration_s", d), rj_str(x, "kind"));
                        esc(f, rj_str(x, "detail"));
                        fputs("</td></tr>\n", f);
                }
                fputs("</table>\n", f);
        }
        if (json_array_size(json_object_get(h, "clock_jumps"))) {
                fputs("<h3>Clock jumps</h3>\n<table><tr><th>Seq</th><th>Stated time</th><th>Previous record</th><th>Back by</th></tr>\n", f);
                json_array_foreach(json_object_get(h, "clock_jumps"), i, x)
                        fprintf(f, "<tr><td class=\"n\">%lld</td><td>%s</td><td>%s</td><td class=\"n\">%s</td></tr>\n",
                                (long long) json_integer_value(json_object_get(x, "seq")), rj_time(x, "time", a),
                                rj_time(x, "previous_time", b), rj_dur(x, "back_s", d));
                fputs("</table>\n", f);
        }
        if (json_array_size(json_object_get(h, "config_changes"))) {
                fputs("<h3>Configuration changes</h3>\n<table><tr><th>Time</th><th>Seq</th><th>Old config</th><th>New config</th></tr>\n", f);
                json_array_foreach(json_object_get(h, "config_changes"), i, x)
                        fprintf(f, "<tr><td>%s</td><td class=\"n\">%lld</td><td><code>%s</code></td><td><code>%s</code></td></tr>\n",
                                rj_time(x, "time", a), (long long) json_integer_value(json_object_get(x, "seq")),
                                rj_str(x, "old_config_hash"), rj_str(x, "new_config_hash"));
                fputs("</table>\n", f);
        }
}

static void host(FILE *f, const json_t *report, const json_t *h) {
        const json_t *c;
        char a[32], b[32], d1[48], d2[48], d3[48];
        size_t i;

        fputs("<h2>Host ", f);
        esc(f, rj_str(h, "hostname"));
        fputs(" <code>", f);
        esc(f, rj_str(h, "id"));
        fprintf(f, "</code></h2>\n<p>%lld records (%lld in the period), seq %lld-%lld, %s to %s; %lld agent starts in "
                "the period. No monitoring when nothing was recorded for more than %s (twice the longest interval, "
                "%s; heartbeat every %s).</p>\n",
                (long long) json_integer_value(json_object_get(h, "records")),
                (long long) json_integer_value(json_object_get(h, "records_in_period")),
                (long long) json_integer_value(json_object_get(h, "first_seq")),
                (long long) json_integer_value(json_object_get(h, "last_seq")), rj_time(h, "first_time", a),
                rj_time(h, "last_time", b), (long long) json_integer_value(json_object_get(h, "restarts")),
                rj_dur(h, "gap_threshold_s", d1), rj_dur(h, "longest_interval_s", d2),
                rj_dur(h, "heartbeat_interval_s", d3));
        host_tables(f, h);
        fputs("<h3>Controls</h3>\n", f);
        legend(f);
        json_array_foreach(json_object_get(h, "controls"), i, c) control(f, report, h, c);
}

int report_render_html(const json_t *report, FILE *f) {
        const json_t *period = json_object_get(report, "period"), *h, *rules = json_object_get(report, "rules");
        static const char *const order[] = { "share", "hold", "interval", "no_monitoring", "drift", "clock" };
        struct vlines v;
        char a[32], b[32], g[32], d[48];
        size_t i;

        if (vlines_build(report, &v) < 0)
                return -ENOMEM;
        fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
                "<title>SOC 2 Type II period report %.10s to %.10s</title>\n<style>%s</style></head><body>\n",
                rj_str(period, "since"), rj_str(period, "until"), css);
        fprintf(f, "<h1>SOC 2 Type II period report</h1>\n<p class=\"meta\">Period <b>%s</b> to <b>%s</b> UTC (%s) · "
                "input <code>",
                rj_time(period, "since", a), rj_time(period, "until", b), rj_dur(period, "duration_s", d));
        esc(f, rj_str(report, "input"));
        fprintf(f, "</code> · generated %s UTC · all times UTC</p>\n", rj_time(report, "generated", g));
        if (json_array_size(json_object_get(report, "controls_selected"))) {
                fputs("<p>Controls selected: ", f);
                json_array_foreach(json_object_get(report, "controls_selected"), i, h) {
                        fputs(i ? ", " : "", f);
                        esc(f, json_string_value(h));
                }
                fputs("</p>\n", f);
        }
        verification(f, report, &v);
        vlines_clear(&v);
        criteria_table(f, report);
        json_array_foreach(json_object_get(report, "hosts"), i, h) host(f, report, h);
        fputs("<h2>How the figures are computed</h2>\n<ul>\n", f);
        for (i = 0; i < ELEMENTSOF(order); i++) {
                fputs("<li>", f);
                esc(f, rj_str(rules, order[i]));
                fputs("</li>\n", f);
        }
        fputs("</ul>\n</body></html>\n", f);
        return ferror(f) ? -EIO : 0;
}
