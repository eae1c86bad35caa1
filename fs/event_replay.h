/* SPDX-License-Identifier: MIT */
/*
 * Replay of a process-event trace (fs/event_trace.h) on the simulated
 * kernel: one event at a time, each a few core calls (docs/record.md).
 *
 * Pids: a fork asks for the child's own number by moving the pid store's
 * cursor to just below it (ns_last_pid, as CRIU does).  If that number is
 * taken, the store hands out the next free one: the child is remapped, and
 * every later event naming the host pid goes to the simulated one.  A pid
 * the trace never forked names the world's task of that number (the start
 * snapshot's), unless a remapped task holds that number.
 */
#ifndef PROCSIM_EVENT_REPLAY_H
#define PROCSIM_EVENT_REPLAY_H

#include "buf.h"
#include "event_trace.h"
#include "kernel.h"

struct replay_stats {
	unsigned long applied[EV_NR_KINDS];
	unsigned long skipped[EV_NR_KINDS];	/* no such task, or refused */
	unsigned long remapped;		/* forks that got another pid */
	unsigned long adopted;		/* forks of an unknown parent: init's */
	unsigned long reaped;		/* zombies reaped at their exit */
	unsigned long threads;		/* forks that were thread clones */
	int pid_max_from, pid_max_to;	/* raised to fit the trace's pids */
	uint64_t cpu_ns;		/* this thread's CPU in the core calls */
	size_t done;			/* events handled */
	size_t peak_pid_bytes;		/* the pid store's memory at most */
};

struct event_replay {
	const struct event_trace *t;
	int *map;		/* host pid -> simulated pid; -1 gone; 0 unseen */
	int *owner;		/* simulated pid -> the host pid it stands for */
	uint32_t epoch;		/* the world it started in */
	struct replay_stats st;
};

/* 0 or -ENOMEM.  @t must outlive @r. */
int event_replay_init(struct event_replay *r, const struct event_trace *t);
void event_replay_destroy(struct event_replay *r);
/*
 * Start: remember the world, raise pid_max to fit the trace's pids.
 * Context: k->lock held for writing.
 */
void event_replay_begin(struct kernel *k, struct event_replay *r);
/*
 * Apply the next event (r->st.done of them are).  0, or -ESTALE when the
 * world was replaced (load, reset) since begin: stop then.
 * Context: k->lock held for writing; no I/O, no sleep.
 */
int event_replay_step(struct kernel *k, struct event_replay *r);
/* "N events: applied A (fork F, ...), remapped R, ..., core CPU X ms". */
void event_replay_summary(const struct event_replay *r, struct buf *out);

#endif
