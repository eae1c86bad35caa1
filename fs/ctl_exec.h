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
 * Context: as ctl_hold_for() says (fs/ctl_lock.h): k->lock for reading
 * (converted commands of a concurrent kernel) or writing, or none (save,
 * load lock for themselves).
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
/* save, load, import: @err with its reason "FILE: why" (kerr.h). */
int ctl_file_err(const struct ctl_cmd *c, int err);

#endif
