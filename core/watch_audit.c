// SPDX-License-Identifier: MIT
/*
 * Audit watcher: a bounded in-memory log of every fork, exec, id change
 * and exit (kernel/auditsc.c's audit_alloc/audit_free records, kept in a
 * ring instead of sent to auditd).  /proc/procsim/audit prints it.
 */
#include <errno.h>
#include "event_ring.h"
#include "watchers.h"

#define AUDIT_RING	1024

int audit_event(struct kernel *k, const struct watch_info *w)
{
	watch_traced(k, "audit");
	event_ring_push(k->audit, k, w);
	return 0;
}

void audit_undo(struct kernel *k, const struct watch_info *w)
{
	(void)w;
	watch_traced(k, "-audit");
	event_ring_pop(k->audit);
}

const struct event_ring *audit_ring(const struct kernel *k)
{
	return k->audit;
}

int audit_init(struct kernel *k)
{
	k->audit = event_ring_new(AUDIT_RING);
	return k->audit ? 0 : -ENOMEM;
}

void audit_destroy(struct kernel *k)
{
	event_ring_free(k->audit);
	k->audit = NULL;
}

TASK_WATCHER(fork, 400, audit, audit_event, audit_undo);
TASK_WATCHER(exec, 400, audit, audit_event, NULL);
TASK_WATCHER(id, 400, audit, audit_event, NULL);
TASK_WATCHER(exit, 400, audit, audit_event, NULL);
