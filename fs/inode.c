// SPDX-License-Identifier: MIT
/* The fixed part of the tree: which names each directory holds. */
#include <string.h>
#include <sys/stat.h>
#include "inode.h"
#include "render_events.h"
#include "pidstore.h"

#define DIR_MODE	(S_IFDIR | 0555)
#define FILE_MODE	(S_IFREG | 0444)

static const struct dir_entry root_entries[] = {
	{ "self", NODE_SELF, S_IFLNK | 0777, NULL, NULL },
	{ "thread-self", NODE_THREAD_SELF, S_IFLNK | 0777, NULL, NULL },
	{ "uptime", NODE_UPTIME, FILE_MODE, render_uptime, NULL },
	{ "stat", NODE_STAT, FILE_MODE, render_stat, NULL },
	{ "meminfo", NODE_MEMINFO, FILE_MODE, render_meminfo, NULL },
	{ "cpuinfo", NODE_CPUINFO, FILE_MODE, render_cpuinfo, NULL },
	{ "loadavg", NODE_LOADAVG, FILE_MODE, render_loadavg, NULL },
	{ "vmstat", NODE_VMSTAT, FILE_MODE, render_vmstat, NULL },
	{ "version", NODE_VERSION, FILE_MODE, render_version, NULL },
	{ "sys", NODE_SYS, DIR_MODE, NULL, NULL },
	{ "procsim", NODE_PROCSIM, DIR_MODE, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct dir_entry sys_entries[] = {
	{ "kernel", NODE_SYS_KERNEL, DIR_MODE, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct dir_entry sys_kernel_entries[] = {
	{ "pid_max", NODE_PID_MAX, FILE_MODE, render_pid_max, NULL },
	{ "osrelease", NODE_OSRELEASE, FILE_MODE, render_osrelease, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

/* config, stats and trace are rendered by the daemon, which owns their data. */
static const struct dir_entry procsim_entries[] = {
	{ "ctl", NODE_CTL, S_IFREG | 0600, NULL, NULL },
	{ "config", NODE_CONFIG, FILE_MODE, NULL, NULL },
	{ "stats", NODE_STATS, FILE_MODE, NULL, NULL },
	{ "audit", NODE_AUDIT, FILE_MODE, render_audit, NULL },
	{ "events", NODE_EVENTS, FILE_MODE, NULL, NULL },
	{ "trace", NODE_TRACE, FILE_MODE, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

/* /proc/<pid>/task/<tid>: the per-task files, as the kernel's tid_base_stuff. */
#define TASK_FILES							\
	{ "cgroup", NODE_T_CGROUP, FILE_MODE, NULL, render_tid_cgroup },	\
	{ "cmdline", NODE_T_CMDLINE, FILE_MODE, NULL, render_tid_cmdline }, \
	{ "comm", NODE_T_COMM, FILE_MODE, NULL, render_tid_comm },	\
	{ "environ", NODE_T_ENVIRON, S_IFREG | 0400, NULL, render_tid_environ }, \
	{ "maps", NODE_T_MAPS, FILE_MODE, NULL, render_tid_maps },	\
	{ "smaps", NODE_T_SMAPS, FILE_MODE, NULL, render_tid_smaps },	\
	{ "stat", NODE_T_STAT, FILE_MODE, NULL, render_tid_stat },	\
	{ "statm", NODE_T_STATM, FILE_MODE, NULL, render_tid_statm },	\
	{ "status", NODE_T_STATUS, FILE_MODE, NULL, render_tid_status },	\
	{ "wchan", NODE_T_WCHAN, FILE_MODE, NULL, render_tid_wchan }

static const struct dir_entry pid_entries[] = {
	TASK_FILES,
	{ "task", NODE_TASK_DIR, DIR_MODE, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct dir_entry tid_entries[] = {
	TASK_FILES,
	{ NULL, 0, 0, NULL, NULL },
};

static const struct dir_entry no_entries[] = {
	{ NULL, 0, 0, NULL, NULL },
};

const struct dir_entry *dir_entries(enum node_kind dir)
{
	switch (dir) {
	case NODE_ROOT:		return root_entries;
	case NODE_SYS:		return sys_entries;
	case NODE_SYS_KERNEL:	return sys_kernel_entries;
	case NODE_PROCSIM:	return procsim_entries;
	case NODE_PID_DIR:	return pid_entries;
	case NODE_TID_DIR:	return tid_entries;
	default:		return no_entries;
	}
}

const struct dir_entry *dir_lookup(enum node_kind dir, const char *name)
{
	for (const struct dir_entry *e = dir_entries(dir); e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

const struct dir_entry *kind_entry(enum node_kind kind)
{
	static const enum node_kind dirs[] = {
		NODE_ROOT, NODE_SYS, NODE_SYS_KERNEL, NODE_PROCSIM, NODE_PID_DIR,
	};

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (const struct dir_entry *e = dir_entries(dirs[i]); e->name; e++)
			if (e->kind == kind)
				return e;
	return NULL;
}

bool kind_is_task_file(enum node_kind kind)
{
	return kind >= NODE_T_STAT && kind <= NODE_T_CGROUP;
}

int parse_pid_name(const char *name)
{
	long v = 0;

	if (name[0] < '1' || name[0] > '9')
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v >= PID_MAX_LIMIT)
			return -1;
	}
	return (int)v;
}
