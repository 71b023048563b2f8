/* SPDX-License-Identifier: MIT */
/* The commands of the complyd binary. Each takes argv with argv[0] the
 * command name and returns the process exit status. */
#ifndef COMPLYD_COMMANDS_H
#define COMPLYD_COMMANDS_H

#define EXIT_OK 0
#define EXIT_FAILED 1 /* a control failed or errored; validate found problems */
#define EXIT_USAGE 2  /* usage or configuration error */

int cmd_check(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_controls(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "complyd: unknown option" style errors plus a hint; returns EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
