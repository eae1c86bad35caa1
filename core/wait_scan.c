// SPDX-License-Identifier: MIT
/* do_wait before Linux 5.13: every child and tracee of every thread. */
#include "task_alloc.h"

const struct wait_strategy wait_scan = {
	.name = "scan",
	.wait = wait_scan_group,
};
