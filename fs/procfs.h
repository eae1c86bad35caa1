/* SPDX-License-Identifier: MIT */
/* The daemon's state: the simulated kernel plus what the mount adds. */
#ifndef PROCSIM_PROCFS_H
#define PROCSIM_PROCFS_H

#include <sys/types.h>
#include "kernel.h"
#include "render_cache.h"
#include "seen.h"
#include "stats.h"
#include "trace.h"
#include "warm.h"
#include "buf.h"

/*
 * One FUSE session of the daemon.  With cache=on there are two: the /proc
 * tree, where the kernel skips OPEN and keeps every file in its page cache,
 * and the control directory (ctl, config, stats, events, audit), whose files
 * need a per-open state and so get OPEN: FUSE can only skip OPEN for a whole
 * connection.  /proc/procsim is then a symlink to the control mount.
 */
struct procfs_session {
	struct procfs *fs;
	bool control;			/* the control directory's session */
	/* What the kernel skips on this connection (cache=on, the tree's). */
	bool no_open;			/* OPEN, FLUSH, RELEASE: files keep no per-open state */
	bool no_opendir;		/* OPENDIR, RELEASEDIR: listings are cookies */
	void *se;			/* struct fuse_session */
};

struct procfs {
	struct kernel k;
	uid_t owner_uid;		/* the mount's owner: may write ctl */
	gid_t owner_gid;
	long long btime;		/* host boot time, epoch seconds */
	double entry_timeout, attr_timeout;
	/*
	 * cache=on: the kernel keeps what fs/cache_policy.c allows and the
	 * daemon invalidates on change; the control files are then served
	 * on a session of their own (struct procfs_session).
	 */
	bool cache;
	bool ns_links;			/* serve /proc/<pid>/ns (-o ns_links=on) */
	void *se;			/* the /proc tree's fuse_session, for notifications */
	struct procfs_session tree, control;
	char *control_path;		/* where the control session is mounted */
	const char *mountpoint;
	struct fuse_stats stats;
	struct render_cache rcache;	/* one render per change (cache=on) */
	struct trace trace;		/* ctl trace start|stop, /proc/procsim/trace */
	struct warm warm;		/* -o warm=on: page cache filled after populate */
	struct seen seen;		/* what the kernel may cache (cache=on): fs/seen.h */
};

/*
 * The daemon state behind a FUSE request, whichever session it came
 * through (the session is the request's userdata).  A macro, so that this
 * header needs no FUSE: only the daemon's fs/fuse_*.c expand it.
 */
#define procfs_of(req) \
	(((struct procfs_session *)fuse_req_userdata(req))->fs)

/* /proc/procsim/config: "key value" lines, the active options. */
void procfs_render_config(struct buf *b, const struct procfs *fs);
/* /proc/procsim/stats: core counters, then FUSE requests per opcode. */
void procfs_render_stats(struct buf *b, struct procfs *fs);

/* The stats hook's ctl for what is not a reset: trace start and stop. */
int procfs_serve_ctl(void *arg, enum kstat_ctl what);

#endif
