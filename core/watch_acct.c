// SPDX-License-Identifier: MIT
/*
 * Accounting watcher: /proc/stat's "processes" (total forks, counted in
 * copy_process by mainline) and the exiting task's last voluntary context
 * switch (do_task_dead's final schedule() counts in nvcsw).  procs_running
 * and procs_blocked follow state changes, not task events, so they stay
 * with set_task_state().
 */
#include "watchers.h"

int acct_fork(struct kernel *k, const struct watch_info *w)
{
	(void)w;
	watch_traced(k, "acct");
	k->total_forks++;
	return 0;
}

void acct_fork_undo(struct kernel *k, const struct watch_info *w)
{
	(void)w;
	watch_traced(k, "-acct");
	k->total_forks--;
}

int acct_exit(struct kernel *k, const struct watch_info *w)
{
	watch_traced(k, "acct");
	w->task->nvcsw++;
	return 0;
}

TASK_WATCHER(fork, 100, acct, acct_fork, acct_fork_undo);
TASK_WATCHER(exit, 100, acct, acct_exit, NULL);
