/* SPDX-License-Identifier: MIT */
/*
 * A bounded ring of task events with sequence numbers, shared by the audit
 * log and the process-events connector.  The newest overwrite the oldest;
 * a reader behind by more than the ring holds learns how many it lost.
 */
#ifndef PROCSIM_EVENT_RING_H
#define PROCSIM_EVENT_RING_H

#include <stddef.h>
#include <stdint.h>
#include "task.h"

struct kernel;
struct watch_info;

struct task_event {
	uint64_t seq;			/* 1, 2, ... */
	unsigned long long ticks;	/* kernel_now() */
	unsigned char event;		/* enum watch_event */
	bool gid;			/* WATCH_ID: a gid change */
	int pid, tgid, ppid, ptgid;	/* ppid/ptgid: fork's parent */
	unsigned int uid, gid_;		/* the task's real ids after the event */
	unsigned int old_id, new_id;	/* WATCH_ID */
	int code;			/* WATCH_EXIT: the wait status */
	char comm[TASK_COMM_LEN];
};

struct event_ring {
	struct task_event *v;
	size_t cap;
	uint64_t head;			/* seq of the newest event, 0: none yet */
	uint64_t floor;			/* no seq below it is held (after a pop) */
};

/* A ring of @cap events, or NULL (ENOMEM); event_ring_free(NULL) is fine. */
struct event_ring *event_ring_new(size_t cap);
void event_ring_free(struct event_ring *r);
void event_ring_push(struct event_ring *r, struct kernel *k,
		     const struct watch_info *w);
/* Take back the newest event (a fork being rolled back). */
void event_ring_pop(struct event_ring *r);
/* The oldest seq still held. */
uint64_t event_ring_first(const struct event_ring *r);
/*
 * The event at *@pos (advancing it): 1, or 0 when there is none yet.
 * If *@pos fell off the ring, *@lost (else 0) says how many were skipped.
 */
int event_ring_read(const struct event_ring *r, uint64_t *pos,
		    struct task_event *ev, uint64_t *lost);

/* The rings the watchers fill (NULL before boot). Read lock held. */
const struct event_ring *cnproc_ring(const struct kernel *k);
const struct event_ring *audit_ring(const struct kernel *k);

#endif
