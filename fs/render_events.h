/* SPDX-License-Identifier: MIT */
/* The task watchers' files: /proc/procsim/audit and /proc/procsim/events. */
#ifndef PROCSIM_RENDER_EVENTS_H
#define PROCSIM_RENDER_EVENTS_H

#include "buf.h"
#include "event_ring.h"
#include "render.h"

/*
 * One line of /proc/procsim/events:
 *	SEQ fork ppid=P ptgid=PT pid=C tgid=CT
 *	SEQ exec pid=P tgid=T comm=NAME
 *	SEQ uid pid=P tgid=T old=U new=U	(gid likewise)
 *	SEQ exit pid=P tgid=T code=C
 */
void render_task_event(struct buf *b, const struct task_event *e);
/* The line a reader gets in place of @lost events it was too slow for. */
void render_events_lost(struct buf *b, uint64_t lost);
/* /proc/procsim/audit: the audit ring, oldest first. */
void render_audit(struct buf *b, const struct render_ctx *c);

#endif
