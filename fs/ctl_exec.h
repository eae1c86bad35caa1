/* SPDX-License-Identifier: MIT */
/*
 * Inside the ctl executor (fs/ctl_exec*.c): one function per command,
 * driven by the table in ctl_exec.c.
 */
#ifndef PROCSIM_CTL_EXEC_H
#define PROCSIM_CTL_EXEC_H

#include "ctl.h"

/*
 * Run @c's core calls and, on success only, append its reply to @out.
 * Returns 0 or -errno; the world is unchanged on failure.
 * Context: ctl_serial held, and k->lock for writing unless the command
 * locks for itself (save, load).
 */
typedef int (*ctl_exec_fn)(struct kernel *k, const struct ctl_cmd *c,
			   struct buf *out);

/* One per command, in its family's file (ctl_exec_proc.c, _signal.c, ...). */
#define CTL_EXEC_DECL_(op, nm, min, max, use) \
	int ctl_exec_##nm(struct kernel *k, const struct ctl_cmd *c, \
			  struct buf *out);
CTL_COMMANDS(CTL_EXEC_DECL_)
#undef CTL_EXEC_DECL_

/* "ok\n" into @out if @err is 0; returns @err. */
int ctl_reply_ok(int err, struct buf *out);

/* The daemon's own mounts (ctl_set_own_mounts): save, load, replay refuse them. */
const char *const *ctl_get_own_mounts(void);

/* The message after "E<NAME>: <command>: "; called under k->lock. */
void ctl_explain(struct buf *out, const struct kernel *k,
		 const struct ctl_cmd *c, int err);

#endif
