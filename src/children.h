/* SPDX-License-Identifier: MIT */
/* Child processes of complyd: one SIGCHLD source on the event loop reaps every
 * child and dispatches to the callback registered for its pid; anything else
 * that dies or lingers is an orphan that a probe left behind (complyd is a
 * child subreaper, so a probe's escaped descendants are reparented to it) and
 * is killed. */
#ifndef COMPLYD_CHILDREN_H
#define COMPLYD_CHILDREN_H

#include <sys/types.h>
#include <systemd/sd-event.h>

/* status is as from waitpid(): use WIFEXITED() etc. */
typedef void (*child_exit_fn)(pid_t pid, int status, void *userdata);

/* Become a child subreaper and install the SIGCHLD source on e (blocks
 * SIGCHLD in this process). Idempotent per event loop. */
int children_setup(sd_event *e);

/* Call done when pid exits. */
int children_watch(pid_t pid, child_exit_fn done, void *userdata);
/* Forget pid (its callback will not be called). */
void children_unwatch(pid_t pid);

/* SIGKILL pid's process group and every descendant of pid, including ones
 * that moved to another session or process group. */
void children_kill_tree(pid_t pid);

/* SIGKILL every child of ours that is not watched, and their descendants:
 * what probes left behind (after a probe exits, its descendants are all our
 * children, or theirs). Cheap when there are none. Returns how many were
 * killed. */
int children_kill_orphans(void);

/* Reset what a forked child must not inherit: signal mask and dispositions. */
void children_reset_signals(void);

#endif
