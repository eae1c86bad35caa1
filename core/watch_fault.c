// SPDX-License-Identifier: MIT
/*
 * A test hook watcher that fails on demand: with k->watch_fail_fork = N,
 * the Nth fork from now fails with -ENOMEM after acct and keys ran, so
 * the rollback of watchers that already ran is exercised.
 */
#include <errno.h>
#include "watchers.h"

int fault_fork(struct kernel *k, const struct watch_info *w)
{
	(void)w;
	watch_traced(k, "fault");
	if (k->watch_fail_fork > 0 && --k->watch_fail_fork == 0)
		return -ENOMEM;
	return 0;
}

TASK_WATCHER(fork, 300, fault, fault_fork, NULL);
