// SPDX-License-Identifier: MIT
/*
 * Process events connector (drivers/connector/cn_proc.c): every fork,
 * exec, uid/gid change and exit becomes a sequenced event in a ring;
 * /proc/procsim/events streams it (fs/fuse_events.c).  A reader that falls
 * more than the ring behind is told how many it lost.
 */
#include <errno.h>
#include "event_ring.h"
#include "watchers.h"

#define CNPROC_RING	4096

int cnproc_event(struct kernel *k, const struct watch_info *w)
{
	watch_traced(k, "cnproc");
	event_ring_push(k->cnproc, k, w);
	return 0;
}

void cnproc_undo(struct kernel *k, const struct watch_info *w)
{
	(void)w;
	watch_traced(k, "-cnproc");
	event_ring_pop(k->cnproc);
}

const struct event_ring *cnproc_ring(const struct kernel *k)
{
	return k->cnproc;
}

int cnproc_init(struct kernel *k)
{
	k->cnproc = event_ring_new(CNPROC_RING);
	return k->cnproc ? 0 : -ENOMEM;
}

void cnproc_destroy(struct kernel *k)
{
	event_ring_free(k->cnproc);
	k->cnproc = NULL;
}

TASK_WATCHER(fork, 500, cnproc, cnproc_event, cnproc_undo);
TASK_WATCHER(exec, 500, cnproc, cnproc_event, NULL);
TASK_WATCHER(id, 500, cnproc, cnproc_event, NULL);
TASK_WATCHER(exit, 500, cnproc, cnproc_event, NULL);
