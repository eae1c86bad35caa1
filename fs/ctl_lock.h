/* SPDX-License-Identifier: MIT */
/*
 * How a ctl command holds the world (THE LOCKING RULE, core/kernel.h).
 *
 * A concurrent kernel (the daemon's default, -o ctl_lock=fine) runs the
 * converted commands (fork, clone, exit, exit_thread, wait, and a repeat
 * of only those) under the world lock held for READING: the core takes
 * the fine locks (tasklist_lock, pidmap_lock, mmap_lock) itself, and a
 * reader of the mount waits for at most one op's hold of tasklist_lock.
 * Every other command, and every command of a kernel that is not
 * concurrent (-o ctl_lock=world, the old mode), holds it for WRITING.
 * save, load, import and replay take k->lock themselves around their
 * memory-only part (a paced replay's thread, per event, with ctl_serial
 * for writing: ctl_serial_lock()).
 *
 * ctl_serial (a rwlock that prefers writers): a load builds its new world
 * outside k->lock from k's options, so nothing else may run meanwhile.
 * Converted commands hold it for reading, all others for writing.
 * Readers of the mount never take it.
 */
#ifndef PROCSIM_CTL_LOCK_H
#define PROCSIM_CTL_LOCK_H

#include "ctl.h"

enum ctl_hold {
	CTL_HOLD_WRITE,		/* ctl_serial and k->lock for writing */
	CTL_HOLD_READ,		/* both for reading: a converted command */
	CTL_HOLD_SELF,		/* ctl_serial for writing; k->lock by the command */
};

/* What @cmd needs on @k. */
enum ctl_hold ctl_hold_for(const struct kernel *k, const struct ctl_cmd *cmd);
/*
 * Around a look at tasks outside a core call (the error messages): RCU
 * and tasklist_lock for reading when @k is concurrent, as a reader takes
 * them, since converted writers may run beside.  Context: within a hold.
 */
void ctl_tree_read_lock(struct kernel *k);
void ctl_tree_read_unlock(struct kernel *k);

/* Context: the caller holds none of the kernel's locks. */
void ctl_hold_begin(struct kernel *k, enum ctl_hold h);
void ctl_hold_end(struct kernel *k, enum ctl_hold h);

#endif
