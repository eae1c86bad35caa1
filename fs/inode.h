/* SPDX-License-Identifier: MIT */
/*
 * The inode scheme: every node of the tree is named by its inode number
 * alone, so the daemon keeps no inode table and FORGET costs nothing.
 *
 *   bits 52..63  epoch (a task node's world, k->epoch mod 4096; 0: global)
 *   bits 30..51  pid   (the task a /proc/<pid> directory names; 0: global)
 *   bits  8..29  tid   (the thread of a task/<tid> directory; 0: none)
 *   bit   7      NODE_CALLER_FLAG
 *   bits  0..6   kind  (what the node is: enum node_kind)
 *
 * The root is kind NODE_ROOT with pid = tid = 0, i.e. FUSE_ROOT_ID (1).
 * A node of a task that has gone resolves to ENOENT on its next use; so
 * does one of an earlier world (reset, load) whose pid number is reused,
 * as Linux answers a reaped pid's directory.  The epoch wraps after 4096
 * worlds; the FUSE generation carries the rest (epoch >> 12).
 */
#ifndef PROCSIM_INODE_H
#define PROCSIM_INODE_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include "render.h"

enum node_kind {
	NODE_NONE = 0,
	NODE_ROOT = 1,
	/* Global files and directories. */
	NODE_SELF, NODE_THREAD_SELF,
	NODE_UPTIME, NODE_STAT, NODE_MEMINFO, NODE_CPUINFO, NODE_LOADAVG,
	NODE_VMSTAT, NODE_VERSION,
	NODE_SYS, NODE_SYS_KERNEL, NODE_PID_MAX, NODE_OSRELEASE,
	NODE_PROCSIM, NODE_CTL, NODE_CONFIG, NODE_STATS,
	NODE_AUDIT, NODE_EVENTS,		/* task watchers: fs/fuse_events.c */
	/* Per task: /proc/<pid> (tid 0) and /proc/<pid>/task/<tid>. */
	NODE_PID_DIR, NODE_TASK_DIR, NODE_TID_DIR,
	NODE_T_STAT, NODE_T_STATUS, NODE_T_STATM, NODE_T_CMDLINE,
	NODE_T_ENVIRON, NODE_T_COMM, NODE_T_WCHAN, NODE_T_MAPS, NODE_T_SMAPS,
	NODE_T_CGROUP,
	NODE_KIND_MAX,
};

/* The caller's own /proc/<pid> when it is not a simulated pid. */
#define NODE_CALLER_FLAG	0x8000

#define NODE_EPOCH_BITS		12
#define NODE_EPOCH_MASK		((1u << NODE_EPOCH_BITS) - 1)

struct node {
	int pid, tid;
	unsigned kind;			/* enum node_kind | NODE_CALLER_FLAG */
	unsigned epoch;			/* task nodes: the world's, masked */
};

_Static_assert(NODE_KIND_MAX <= 0x80, "kinds fit in 7 bits");

static inline uint64_t node_ino(struct node n)
{
	return (uint64_t)(n.epoch & NODE_EPOCH_MASK) << 52 |
	       (uint64_t)n.pid << 30 | (uint64_t)n.tid << 8 |
	       (n.kind & NODE_CALLER_FLAG ? 0x80 : 0) | (n.kind & 0x7f);
}

static inline struct node ino_node(uint64_t ino)
{
	struct node n = {
		.pid = (int)((ino >> 30) & 0x3fffff),
		.tid = (int)((ino >> 8) & 0x3fffff),
		.kind = (unsigned)(ino & 0x7f) | (ino & 0x80 ? NODE_CALLER_FLAG : 0),
		.epoch = (unsigned)(ino >> 52),
	};
	return n;
}

/* The epoch a task node of world @epoch carries. */
static inline unsigned node_epoch(uint32_t epoch)
{
	return epoch & NODE_EPOCH_MASK;
}

/* One entry of a fixed directory: a name and what it leads to. */
struct dir_entry {
	const char *name;
	enum node_kind kind;
	mode_t mode;			/* with the S_IF* type */
	global_render_fn global;	/* for global files */
	task_render_fn task;		/* for per-task files */
};

/* The fixed entries of a directory kind, NULL-name terminated. */
const struct dir_entry *dir_entries(enum node_kind dir);
/* The entry describing @kind (any directory), or NULL. */
const struct dir_entry *kind_entry(enum node_kind kind);
/* Look @name up among @dir's fixed entries. */
const struct dir_entry *dir_lookup(enum node_kind dir, const char *name);
bool kind_is_task_file(enum node_kind kind);
/* A decimal pid in 1..PID_MAX_LIMIT-1 with no sign or leading zero, or -1. */
int parse_pid_name(const char *name);

#endif
