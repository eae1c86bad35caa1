// SPDX-License-Identifier: MIT
/*
 * The caching policy: what the kernel may keep of each node, and for how
 * long (cache_policy.h).  One row per node class, one table per mode.
 *
 * cache=off serves everything direct, as procfs does: st_size 0,
 * direct_io, and only the user's -o entry_timeout/attr_timeout on what
 * moves.  cache=on (CACHE_TRACKED) lets the kernel keep much more:
 *  - process files: exact size, pages kept across opens, a day of
 *    attributes.  Their content changes only through task_touch() on the
 *    group leader, which the change log reports, and publish_changes()
 *    invalidates the task's inodes before the ctl write() returns.
 *  - thread files (/proc/<tgid>/task/<tid>/<file>): kept as process
 *    files are.  A thread's files also show its group (Threads:, the mm,
 *    shared signals, creds), and every such change touches the leader;
 *    a change to one thread alone (comm, scheduling) touches that thread.
 *    publish_thread_files() (fs/fuse_ctl.c, fs/thread_dirs.h) then
 *    invalidates every thread's files of a changed leader's group, and a
 *    changed or gone thread's own.  Like process files, none prints the
 *    clock: no tick moves them.
 *  - untracked task files: exact size, but a new mtime at every getattr,
 *    so auto_inval_data drops their pages.  The extras that read other
 *    tasks (no log names those changes), and /proc/<tid>/<file> of a
 *    thread, or task/<tid>/<file> reached through /proc/<tid>: one more
 *    name for a thread file, which would double what a change invalidates
 *    (ps and top never read them).
 *  - global files: move with the clock and print it to the tick: a new
 *    mtime and attributes every tick keep them as fresh as their
 *    resolution; a ctl command that changes them invalidates them at once.
 *  - pid-named directories, task/ and ns links: invalidated with their
 *    task (inval_task), so they live a day.
 * The caller's stand-in (CACHE_CALLER) is no simulated task: no log names
 * its changes, so its nodes keep only what cache=off would, and its files
 * are revalidated as untracked files are.
 *
 * render_once: a file whose size is exact is rendered by the LOOKUP or
 * GETATTR that reports it, and the READ right after reuses those bytes
 * (fs/render_cache.h, keyed by every change).  Not for the caller's
 * stand-in, re-made from the host on every request, nor cache=off, where
 * st_size is 0 and an open renders once anyway.
 */
#include "cache_policy.h"
#include "task.h"

#define F	FIXED_TIMEOUT
#define O	OPT_TIMEOUT
#define TICK	(1.0 / USER_HZ)

/* entry, attr, keep_cache, exact_size, mtime, render_once */
static const struct cache_policy policy[CACHE_MODE_NR][NC_NR] = {
	[CACHE_DIRECT] = {
		[NC_PROCESS_FILE] = { F, O, false, false, MTIME_START, false },
		[NC_THREAD_FILE]  = { F, O, false, false, MTIME_START, false },
		[NC_UNTRACKED_FILE] = { F, O, false, false, MTIME_START, false },
		[NC_GLOBAL_FILE]  = { F, F, false, false, MTIME_BOOT, false },
		[NC_CONTROL_FILE] = { F, F, false, false, MTIME_BOOT, false },
		[NC_DIR]          = { F, F, false, false, MTIME_BOOT, false },
		[NC_PID_DIR]      = { O, O, false, false, MTIME_START, false },
		[NC_TASK_DIR]     = { F, O, false, false, MTIME_START, false },
		[NC_TASK_SUBDIR]  = { F, O, false, false, MTIME_START, false },
		[NC_LINK]         = { F, F, false, false, MTIME_BOOT, false },
		[NC_TASK_LINK]    = { F, O, false, false, MTIME_START, false },
		[NC_NS_LINK]      = { F, O, false, false, MTIME_START, false },
	},
	[CACHE_TRACKED] = {
		[NC_PROCESS_FILE] = { F, F, true,  true,  MTIME_START, true },
		[NC_THREAD_FILE]  = { F, F, true,  true,  MTIME_START, true },
		[NC_UNTRACKED_FILE] = { F, 0, false, true, MTIME_NOW, true },
		[NC_GLOBAL_FILE]  = { F, TICK, false, true, MTIME_TICK, true },
		[NC_CONTROL_FILE] = { F, F, false, false, MTIME_BOOT, false },
		[NC_DIR]          = { F, F, false, false, MTIME_BOOT, false },
		[NC_PID_DIR]      = { F, F, false, false, MTIME_START, false },
		[NC_TASK_DIR]     = { F, F, false, false, MTIME_START, false },
		[NC_TASK_SUBDIR]  = { F, O, false, false, MTIME_START, false },	/* fd/ moves untracked */
		[NC_LINK]         = { F, F, false, false, MTIME_BOOT, false },
		[NC_TASK_LINK]    = { F, O, false, false, MTIME_START, false },
		[NC_NS_LINK]      = { F, F, false, false, MTIME_START, false },
	},
	[CACHE_CALLER] = {
		[NC_PROCESS_FILE] = { F, 0, false, true,  MTIME_NOW, false },	/* never: see node_class */
		[NC_THREAD_FILE]  = { F, 0, false, true,  MTIME_NOW, false },	/* never: see node_class */
		[NC_UNTRACKED_FILE] = { F, 0, false, true, MTIME_NOW, false },
		[NC_GLOBAL_FILE]  = { F, TICK, false, true, MTIME_TICK, false },	/* never a caller's */
		[NC_CONTROL_FILE] = { F, F, false, false, MTIME_BOOT, false },
		[NC_DIR]          = { F, F, false, false, MTIME_BOOT, false },
		[NC_PID_DIR]      = { O, O, false, false, MTIME_START, false },
		[NC_TASK_DIR]     = { F, O, false, false, MTIME_START, false },
		[NC_TASK_SUBDIR]  = { F, O, false, false, MTIME_START, false },
		[NC_LINK]         = { F, F, false, false, MTIME_BOOT, false },
		[NC_TASK_LINK]    = { F, O, false, false, MTIME_START, false },
		[NC_NS_LINK]      = { F, O, false, false, MTIME_START, false },
	},
};

enum node_class node_class(struct node n, mode_t mode, int tgid)
{
	unsigned kind = n.kind & ~NODE_CALLER_FLAG;

	switch (kind) {
	case NODE_PID_DIR:
	case NODE_TID_DIR:
		return NC_PID_DIR;
	case NODE_TASK_DIR:
		return NC_TASK_DIR;
	case NODE_NS_LINK:
	case NODE_NS_TARGET:
		return NC_NS_LINK;
	case NODE_PTS_DEV:
		return NC_CONTROL_FILE;
	}
	if (kind_is_control_file(kind))
		return NC_CONTROL_FILE;
	if (!kind_is_task_file(kind) && !kind_is_task_extra(kind))
		return S_ISDIR(mode) ? NC_DIR : S_ISLNK(mode) ? NC_LINK : NC_GLOBAL_FILE;
	if (S_ISDIR(mode))
		return NC_TASK_SUBDIR;
	if (!S_ISREG(mode) || kind == NODE_FD_PIPE)	/* a pipe's stat(), through fd/<n> */
		return NC_TASK_LINK;
	if (!kind_is_task_file(kind) || (n.kind & NODE_CALLER_FLAG) || n.pid != tgid)
		return NC_UNTRACKED_FILE;
	/* Under /proc/<tgid>: the names publish_changes() invalidates. */
	return n.tid ? NC_THREAD_FILE : NC_PROCESS_FILE;
}

const struct cache_policy *cache_policy(enum cache_mode m, enum node_class c)
{
	return &policy[m][c];
}
