/* SPDX-License-Identifier: MIT */
/* Human-readable tables for `check` and `controls`. Colour only when asked
 * (a TTY without NO_COLOR). */
#ifndef COMPLYD_OUTPUT_H
#define COMPLYD_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "controls.h"

/* Should output to f use colour? (a TTY, NO_COLOR unset, TERM not "dumb") */
bool output_use_color(FILE *f);

/* The results of a check (array of result objects), one line each, then a
 * count line. */
void output_results_table(FILE *f, const json_t *results, bool color);

/* One line per control: id, severity, probe, interval, criteria, title. */
void output_controls_table(FILE *f, const struct control_set *set, bool color);

/* The controls as a Markdown table (the README's control table). */
void output_controls_markdown(FILE *f, const struct control_set *set);

/* The controls as JSON (for machines). NULL on OOM. */
json_t *output_controls_json(const struct control_set *set);

#endif
