/* SPDX-License-Identifier: MIT */
/*
 * do_wait's strategies: how a waiter finds the tasks it may wait for.
 *
 *	scan	every thread of the waiter's group, each thread's ->children
 *		and ->ptraced lists: do_wait before Linux 5.13, O(children +
 *		tracees) even for one pid.
 *	lookup	WHO > 0: find the pid, check it is a child or tracee of the
 *		waiter's group, consider it alone (do_wait_pid, commit
 *		5449162ac001, v5.13); -1, 0 and -PGID scan as above.
 *
 * Both hand every candidate to wait_consider_task(), so they differ only
 * in cost, never in what a wait reports.
 */
#ifndef PROCSIM_WAIT_H
#define PROCSIM_WAIT_H

#include <stdbool.h>

struct kernel;
struct task;

/* One wait call in flight: the kernel's struct wait_opts. */
struct wait_opts {
	struct kernel *k;
	struct task *waiter;		/* the calling thread */
	int who;			/* > 0 pid, -1 any, 0 own pgrp, < -1 -pgrp */
	int options;			/* W* flags, WEXITED implied */
	int notask_error;		/* -ECHILD until an eligible task is seen */
	int reaped, status;		/* the report */
};

struct wait_strategy {
	const char *name;
	/* 1: reported into wo; 0: nothing ready (wo->notask_error says why). */
	int (*wait)(struct wait_opts *wo);
};

extern const struct wait_strategy wait_scan, wait_lookup;
/* NULL-terminated, default first. */
extern const struct wait_strategy *const wait_strategies[];
const struct wait_strategy *wait_find_strategy(const char *name);

/* Shared by the strategies (core/wait.c). */
int wait_consider_task(struct wait_opts *wo, bool ptrace, struct task *p);
/* Every child and tracee of the waiter's group (or thread, __WNOTHREAD). */
int wait_scan_group(struct wait_opts *wo);

#endif
