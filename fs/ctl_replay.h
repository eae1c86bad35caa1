/* SPDX-License-Identifier: MIT */
/*
 * The ctl command replay (fs/ctl.h, docs/record.md): a process-event trace
 * drives the world.
 *
 * The file is read, parsed and checked whole with no lock held; a bad one
 * is refused (-EINVAL or -EBADMSG, the reason in c->replay.why) and the
 * world is untouched.  Then each event runs under k->lock held for
 * writing, for that event only; no sleep and no I/O under it.
 *   speed=max (the default) runs flat out inside the command, whose reply
 *   is the summary: bounded by EVENT_TRACE_FILE_MAX, about a second per
 *   million events, and readers get the lock between any two events.
 *   speed=N paces events by the trace's timestamps divided by N, in a
 *   background thread (one at a time: -EBUSY), so no FUSE worker waits
 *   for the trace's minute; it takes ctl_serial and k->lock per event and
 *   sleeps with neither.  "replay status" says how far it got, "replay
 *   stop" stops it.  A load or reset under it ends it (-ESTALE).
 */
#ifndef PROCSIM_CTL_REPLAY_H
#define PROCSIM_CTL_REPLAY_H

#include "buf.h"
#include "ctl.h"

/*
 * ctl_parse_replay() and ctl_exec_replay() are the command's (ctl_args.h,
 * ctl_exec.h).  The latter's context: ctl_serial held, k->lock not
 * (CTL_HOLD_SELF, fs/ctl_lock.h).
 */
/*
 * Stop a background replay and wait for its thread: before the kernel it
 * drives is destroyed.  Context: neither ctl_serial nor k->lock held.
 */
void ctl_replay_shutdown(void);
/*
 * What the background replay calls after each event, with no lock held,
 * so the serving layer invalidates what the event changed (a replay in a
 * ctl write is published when the write ends).  NULL: nothing.
 */
void ctl_replay_set_publish(void (*fn)(void *arg), void *arg);

#endif
