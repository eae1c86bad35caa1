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
	NODE_TRACE,				/* tool traces: fs/trace.h */
	/* Per task: /proc/<pid> (tid 0) and /proc/<pid>/task/<tid>. */
	NODE_PID_DIR, NODE_TASK_DIR, NODE_TID_DIR,
	NODE_T_STAT, NODE_T_STATUS, NODE_T_STATM, NODE_T_CMDLINE,
	NODE_T_ENVIRON, NODE_T_COMM, NODE_T_WCHAN, NODE_T_MAPS, NODE_T_SMAPS,
	NODE_T_CGROUP,			/* the last cached task file */
	/*
	 * More global files and directories (fs/render_sys.c, fs/render_net.c),
	 * after the kinds above so that their numbers, hence the inode numbers
	 * in recorded traces (tests/fixtures), stay as they were.
	 */
	NODE_INTERRUPTS, NODE_SOFTIRQS, NODE_FILESYSTEMS, NODE_DISKSTATS,
	NODE_PARTITIONS, NODE_SWAPS, NODE_CMDLINE, NODE_BUDDYINFO, NODE_ZONEINFO,
	NODE_SLABINFO, NODE_MOUNTS_LINK, NODE_NET_LINK,
	NODE_TTY, NODE_TTY_DRIVERS, NODE_PRESSURE, NODE_PSI_CPU, NODE_PSI_MEMORY,
	NODE_PSI_IO,
	NODE_SYS_VM, NODE_SYS_FS,
	NODE_SYSCTL,			/* tid: the entry's aux (fs/inode.c) */
	NODE_PTS_DIR, NODE_PTS_DEV,	/* /proc/procsim/pts/<n>: tid = n */
	/*
	 * Task nodes served direct, never page-cached, so a ctl command has
	 * no more inodes to invalidate per task than before: the files of
	 * fs/render_task_extra.c (rarely read), links, the fd/, fdinfo/ and
	 * ns/ directories (fs/proc_links.c), and files that depend on other
	 * tasks.  Under
	 * fd/ and fdinfo/ the tid field holds the fd (or a socket or pipe
	 * inode), so those directories exist under /proc/<pid> only.
	 */
	NODE_TX_FIRST,
	NODE_T_IO = NODE_TX_FIRST, NODE_T_LIMITS, NODE_T_OOM_SCORE, NODE_T_OOM_ADJ,
	NODE_T_LOGINUID, NODE_T_SESSIONID, NODE_T_AUTOGROUP, NODE_T_SCHEDSTAT,
	NODE_T_STACK, NODE_T_MOUNTS, NODE_T_MOUNTINFO,
	NODE_T_EXE, NODE_T_CWD, NODE_T_ROOT,
	NODE_T_SMAPS_ROLLUP,
	NODE_FD_DIR, NODE_FDINFO_DIR, NODE_NS_DIR,
	NODE_NET_DIR, NODE_NET_DEV, NODE_NET_TCP, NODE_NET_TCP6, NODE_NET_UDP,
	NODE_NET_UDP6, NODE_NET_UNIX,
	NODE_FD_LINK, NODE_FDINFO_FILE, NODE_FD_SOCKET, NODE_FD_PIPE,
	NODE_NS_LINK,			/* ns/<name>: tid = 1 + its NS_* type */
	NODE_NS_TARGET,			/* "pid:[4026531836]", stat() of ns/pid: likewise */
	NODE_TX_LAST = NODE_NS_TARGET,
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
	int aux;			/* != 0: the node's tid (kind_tid_is_aux) */
};

/* The fixed entries of a directory kind, NULL-name terminated. */
const struct dir_entry *dir_entries(enum node_kind dir);
/* The entry of node kind @kind with tid @tid (for kinds sharing entries). */
const struct dir_entry *node_entry(enum node_kind kind, int tid);
/* The entry describing @kind (any directory), or NULL. */
const struct dir_entry *kind_entry(enum node_kind kind);
/* Look @name up among @dir's fixed entries. */
const struct dir_entry *dir_lookup(enum node_kind dir, const char *name);
bool kind_is_task_file(enum node_kind kind);
/* A direct task node of fs/proc_links.c (links, fd/, ns/, ...). */
bool kind_is_task_extra(unsigned kind);
/* Nodes whose tid field is not a thread (fd numbers, inodes). */
bool kind_tid_is_aux(unsigned kind);
/* ctl, config, stats, audit, events, trace: the daemon's, not /proc's. */
static inline bool kind_is_control_file(unsigned kind)
{
	return kind >= NODE_CTL && kind <= NODE_TRACE;
}
/* A decimal pid in 1..PID_MAX_LIMIT-1 with no sign or leading zero, or -1. */
int parse_pid_name(const char *name);

#endif
