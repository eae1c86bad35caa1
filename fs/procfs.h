/* SPDX-License-Identifier: MIT */
/* The daemon's state: the simulated kernel plus what the mount adds. */
#ifndef PROCSIM_PROCFS_H
#define PROCSIM_PROCFS_H

#include <sys/types.h>
#include "kernel.h"
#include "stats.h"
#include "buf.h"

struct procfs {
	struct kernel k;
	uid_t owner_uid;		/* the mount's owner: may write ctl */
	gid_t owner_gid;
	long long btime;		/* host boot time, epoch seconds */
	double entry_timeout, attr_timeout;
	bool cache;			/* page-cache process files, invalidate on change */
	bool no_opendir;		/* the kernel skips OPENDIR (cache=on) */
	void *se;			/* the struct fuse_session, for notifications */
	const char *mountpoint;
	struct fuse_stats stats;
};

/* /proc/procsim/config: "key value" lines, the active options. */
void procfs_render_config(struct buf *b, const struct procfs *fs);
/* /proc/procsim/stats: core counters, then FUSE requests per opcode. */
void procfs_render_stats(struct buf *b, const struct procfs *fs);

#endif
