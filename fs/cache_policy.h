/* SPDX-License-Identifier: MIT */
/*
 * What the kernel may cache of each node of the tree: one table, keyed by
 * serving mode and node class (fs/cache_policy.c holds it and says why
 * each row is fresh).  The request handlers (fs/procfs_node.c) answer
 * every entry and attribute timeout, st_size, st_mtime and keep_cache from
 * it; what keeps the long-lived rows fresh is fs/fuse_ctl.c's
 * publish_changes(), which invalidates a changed task's inodes and entries
 * before the ctl write() that changed it returns.
 */
#ifndef PROCSIM_CACHE_POLICY_H
#define PROCSIM_CACHE_POLICY_H

#include <stdbool.h>
#include <sys/stat.h>
#include "inode.h"

/* Entries that never change meaning: a day in the dentry cache. */
#define FIXED_TIMEOUT	86400.0
/* A timeout the user sets: -o entry_timeout / -o attr_timeout. */
#define OPT_TIMEOUT	(-1.0)

/* Who keeps a node's cached state fresh. */
enum cache_mode {
	CACHE_DIRECT,	/* nobody: cache=off, and the control session */
	CACHE_TRACKED,	/* the change log: cache=on, a simulated task's node */
	CACHE_CALLER,	/* nobody: cache=on, the caller's stand-in (not simulated) */
	CACHE_MODE_NR
};

enum node_class {
	NC_PROCESS_FILE,	/* /proc/<tgid>/<file> of a group leader (task_files) */
	NC_THREAD_FILE,		/* /proc/<tgid>/task/<tid>/<file> (task_files) */
	NC_UNTRACKED_FILE,	/* other per-task files: /proc/<tid>/, the caller's, extras */
	NC_GLOBAL_FILE,		/* /proc/<file>, /proc/sys/...: move with the clock */
	NC_CONTROL_FILE,	/* /proc/procsim/<file>: per-open state */
	NC_DIR,			/* /, sys/, procsim/: fixed directories */
	NC_PID_DIR,		/* /proc/<pid>, task/<tid>: named by a pid */
	NC_TASK_DIR,		/* /proc/<pid>/task */
	NC_TASK_SUBDIR,		/* fd/, fdinfo/, ns/, net/ of a task */
	NC_LINK,		/* self, thread-self, mounts, net, procsim */
	NC_TASK_LINK,		/* exe, cwd, root, fd/<n> and what they lead to */
	NC_NS_LINK,		/* ns/<type> and its target (stat() of the link) */
	NC_NR
};

/* What st_mtime says: a new one makes the kernel drop cached pages. */
enum mtime_rule {
	MTIME_BOOT,		/* the host's boot time: never moves */
	MTIME_START,		/* the task's start time: never moves */
	MTIME_NOW,		/* the wall clock: every getattr */
	MTIME_TICK,		/* the simulated clock, to the tick */
};

struct cache_policy {
	double entry_timeout;	/* seconds the name may stay; OPT_TIMEOUT */
	double attr_timeout;	/* seconds the attributes may stay; OPT_TIMEOUT */
	bool keep_cache;	/* pages stay across opens (else direct_io) */
	bool exact_size;	/* st_size is the render's length (else 0, as procfs) */
	enum mtime_rule mtime;
	/* The size's render serves the READ after it (fs/render_cache.h). */
	bool render_once;
};

/*
 * The class of node @n of mode @mode (S_IF* type), @tgid: the thread group
 * of its task (0: no task).
 */
enum node_class node_class(struct node n, mode_t mode, int tgid);
/* The policy of class @c in mode @m. */
const struct cache_policy *cache_policy(enum cache_mode m, enum node_class c);

#endif
