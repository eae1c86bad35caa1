// SPDX-License-Identifier: MIT
/* The fixed part of the tree: which names each directory holds. */
#include <string.h>
#include <sys/stat.h>
#include "inode.h"
#include "render_events.h"
#include "render_clients.h"
#include "pidstore.h"

#define DIR_MODE	(S_IFDIR | 0555)
#define FILE_MODE	(S_IFREG | 0444)

static const struct dir_entry root_entries[] = {
	{ "self", NODE_SELF, S_IFLNK | 0777, NULL, NULL, 0 },
	{ "thread-self", NODE_THREAD_SELF, S_IFLNK | 0777, NULL, NULL, 0 },
	{ "uptime", NODE_UPTIME, FILE_MODE, render_uptime, NULL, 0 },
	{ "stat", NODE_STAT, FILE_MODE, render_stat, NULL, 0 },
	{ "meminfo", NODE_MEMINFO, FILE_MODE, render_meminfo, NULL, 0 },
	{ "cpuinfo", NODE_CPUINFO, FILE_MODE, render_cpuinfo, NULL, 0 },
	{ "loadavg", NODE_LOADAVG, FILE_MODE, render_loadavg, NULL, 0 },
	{ "vmstat", NODE_VMSTAT, FILE_MODE, render_vmstat, NULL, 0 },
	{ "version", NODE_VERSION, FILE_MODE, render_version, NULL, 0 },
	{ "interrupts", NODE_INTERRUPTS, FILE_MODE, render_interrupts, NULL, 0 },
	{ "softirqs", NODE_SOFTIRQS, FILE_MODE, render_softirqs, NULL, 0 },
	{ "filesystems", NODE_FILESYSTEMS, FILE_MODE, render_filesystems, NULL, 0 },
	{ "diskstats", NODE_DISKSTATS, FILE_MODE, render_diskstats, NULL, 0 },
	{ "partitions", NODE_PARTITIONS, FILE_MODE, render_partitions, NULL, 0 },
	{ "swaps", NODE_SWAPS, FILE_MODE, render_swaps, NULL, 0 },
	{ "cmdline", NODE_CMDLINE, FILE_MODE, render_cmdline, NULL, 0 },
	{ "buddyinfo", NODE_BUDDYINFO, FILE_MODE, render_buddyinfo, NULL, 0 },
	{ "zoneinfo", NODE_ZONEINFO, FILE_MODE, render_zoneinfo, NULL, 0 },
	{ "slabinfo", NODE_SLABINFO, S_IFREG | 0400, render_slabinfo, NULL, 0 },
	{ "mounts", NODE_MOUNTS_LINK, S_IFLNK | 0777, NULL, NULL, 0 },
	{ "net", NODE_NET_LINK, S_IFLNK | 0777, NULL, NULL, 0 },
	{ "tty", NODE_TTY, DIR_MODE, NULL, NULL, 0 },
	{ "pressure", NODE_PRESSURE, DIR_MODE, NULL, NULL, 0 },
	{ "sys", NODE_SYS, DIR_MODE, NULL, NULL, 0 },
	{ "procsim", NODE_PROCSIM, DIR_MODE, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry tty_entries[] = {
	{ "drivers", NODE_TTY_DRIVERS, FILE_MODE, render_tty_drivers, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry pressure_entries[] = {
	{ "cpu", NODE_PSI_CPU, FILE_MODE, render_psi_cpu, NULL, 0 },
	{ "io", NODE_PSI_IO, FILE_MODE, render_psi_io, NULL, 0 },
	{ "memory", NODE_PSI_MEMORY, FILE_MODE, render_psi_memory, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry sys_entries[] = {
	{ "fs", NODE_SYS_FS, DIR_MODE, NULL, NULL, 0 },
	{ "kernel", NODE_SYS_KERNEL, DIR_MODE, NULL, NULL, 0 },
	{ "vm", NODE_SYS_VM, DIR_MODE, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

/* Sysctls (fs/render_sys.c): read-only here; ctl sets max_map_count. */
#define SYSCTL(name, n, fn)	{ name, NODE_SYSCTL, FILE_MODE, fn, NULL, 1 + (n) }

static const struct dir_entry sys_kernel_entries[] = {
	{ "pid_max", NODE_PID_MAX, FILE_MODE, render_pid_max, NULL, 0 },
	{ "osrelease", NODE_OSRELEASE, FILE_MODE, render_osrelease, NULL, 0 },
	SYSCTL("ostype", 0, render_sysctl_ostype),
	SYSCTL("version", 1, render_sysctl_version),
	SYSCTL("hostname", 2, render_sysctl_hostname),
	SYSCTL("domainname", 3, render_sysctl_domainname),
	SYSCTL("threads-max", 4, render_sysctl_threads_max),
	SYSCTL("ngroups_max", 5, render_sysctl_ngroups_max),
	SYSCTL("cap_last_cap", 6, render_sysctl_cap_last_cap),
	SYSCTL("tainted", 7, render_sysctl_zero),
	SYSCTL("kptr_restrict", 8, render_sysctl_zero),
	SYSCTL("sched_autogroup_enabled", 9, render_sysctl_one),
	SYSCTL("randomize_va_space", 10, render_sysctl_randomize),
	SYSCTL("panic", 11, render_sysctl_zero),
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry sys_vm_entries[] = {
	SYSCTL("max_map_count", 20, render_sysctl_max_map_count),
	SYSCTL("overcommit_memory", 21, render_sysctl_zero),
	SYSCTL("overcommit_ratio", 22, render_sysctl_overcommit_ratio),
	SYSCTL("swappiness", 23, render_sysctl_swappiness),
	SYSCTL("min_free_kbytes", 24, render_sysctl_min_free_kbytes),
	SYSCTL("dirty_ratio", 25, render_sysctl_dirty_ratio),
	SYSCTL("dirty_background_ratio", 26, render_sysctl_dirty_bg_ratio),
	SYSCTL("page-cluster", 27, render_sysctl_page_cluster),
	SYSCTL("vfs_cache_pressure", 28, render_sysctl_vfs_cache_pressure),
	SYSCTL("nr_hugepages", 29, render_sysctl_zero),
	SYSCTL("stat_interval", 30, render_sysctl_one),
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry sys_fs_entries[] = {
	SYSCTL("file-max", 40, render_sysctl_file_max),
	SYSCTL("file-nr", 41, render_sysctl_file_nr),
	SYSCTL("nr_open", 42, render_sysctl_nr_open),
	{ NULL, 0, 0, NULL, NULL, 0 },
};

/* config, stats and trace are rendered by the daemon, which owns their data. */
static const struct dir_entry procsim_entries[] = {
	{ "ctl", NODE_CTL, S_IFREG | 0600, NULL, NULL, 0 },
	{ "config", NODE_CONFIG, FILE_MODE, NULL, NULL, 0 },
	{ "stats", NODE_STATS, FILE_MODE, NULL, NULL, 0 },
	{ "audit", NODE_AUDIT, FILE_MODE, render_audit, NULL, 0 },
	{ "events", NODE_EVENTS, FILE_MODE, NULL, NULL, 0 },
	{ "trace", NODE_TRACE, FILE_MODE, NULL, NULL, 0 },
	{ "pts", NODE_PTS_DIR, DIR_MODE, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

/* /proc/<pid>/task/<tid>: the per-task files, as the kernel's tid_base_stuff. */
#define TASK_FILES							\
	{ "cgroup", NODE_T_CGROUP, FILE_MODE, NULL, render_tid_cgroup, 0 },	\
	{ "cmdline", NODE_T_CMDLINE, FILE_MODE, NULL, render_tid_cmdline, 0 }, \
	{ "comm", NODE_T_COMM, FILE_MODE, NULL, render_tid_comm, 0 },	\
	{ "environ", NODE_T_ENVIRON, S_IFREG | 0400, NULL, render_tid_environ, 0 }, \
	{ "maps", NODE_T_MAPS, FILE_MODE, NULL, render_tid_maps, 0 },	\
	{ "smaps", NODE_T_SMAPS, FILE_MODE, NULL, render_tid_smaps, 0 },	\
	{ "stat", NODE_T_STAT, FILE_MODE, NULL, render_tid_stat, 0 },	\
	{ "statm", NODE_T_STATM, FILE_MODE, NULL, render_tid_statm, 0 },	\
	{ "status", NODE_T_STATUS, FILE_MODE, NULL, render_tid_status, 0 },	\
	{ "wchan", NODE_T_WCHAN, FILE_MODE, NULL, render_tid_wchan, 0 },	\
	{ "io", NODE_T_IO, S_IFREG | 0400, NULL, render_tid_io, 0 },	\
	{ "limits", NODE_T_LIMITS, FILE_MODE, NULL, render_tid_limits, 0 },	\
	{ "oom_score", NODE_T_OOM_SCORE, FILE_MODE, NULL, render_tid_oom_score, 0 }, \
	{ "oom_score_adj", NODE_T_OOM_ADJ, FILE_MODE, NULL, render_tid_oom_score_adj, 0 }, \
	{ "loginuid", NODE_T_LOGINUID, FILE_MODE, NULL, render_tid_loginuid, 0 }, \
	{ "sessionid", NODE_T_SESSIONID, FILE_MODE, NULL, render_tid_sessionid, 0 }, \
	{ "schedstat", NODE_T_SCHEDSTAT, FILE_MODE, NULL, render_tid_schedstat, 0 }, \
	{ "stack", NODE_T_STACK, S_IFREG | 0400, NULL, render_tid_stack, 0 },	\
	{ "mounts", NODE_T_MOUNTS, FILE_MODE, NULL, render_tid_mounts, 0 },	\
	{ "mountinfo", NODE_T_MOUNTINFO, FILE_MODE, NULL, render_tid_mountinfo, 0 }, \
	{ "exe", NODE_T_EXE, S_IFLNK | 0777, NULL, NULL, 0 },		\
	{ "cwd", NODE_T_CWD, S_IFLNK | 0777, NULL, NULL, 0 },		\
	{ "root", NODE_T_ROOT, S_IFLNK | 0777, NULL, NULL, 0 },		\
	{ "smaps_rollup", NODE_T_SMAPS_ROLLUP, FILE_MODE, NULL, render_tid_smaps_rollup, 0 }, \
	{ "ns", NODE_NS_DIR, S_IFDIR | 0511, NULL, NULL, 0 },		\
	{ "net", NODE_NET_DIR, DIR_MODE, NULL, NULL, 0 }

static const struct dir_entry pid_entries[] = {
	TASK_FILES,
	{ "autogroup", NODE_T_AUTOGROUP, FILE_MODE, NULL, render_tid_autogroup, 0 },
	{ "fd", NODE_FD_DIR, S_IFDIR | 0500, NULL, NULL, 0 },
	{ "fdinfo", NODE_FDINFO_DIR, S_IFDIR | 0500, NULL, NULL, 0 },
	{ "task", NODE_TASK_DIR, DIR_MODE, NULL, NULL, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry tid_entries[] = {
	TASK_FILES,
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry net_entries[] = {
	{ "dev", NODE_NET_DEV, FILE_MODE, NULL, render_tid_net_dev, 0 },
	{ "tcp", NODE_NET_TCP, FILE_MODE, NULL, render_tid_net_tcp, 0 },
	{ "tcp6", NODE_NET_TCP6, FILE_MODE, NULL, render_tid_net_tcp6, 0 },
	{ "udp", NODE_NET_UDP, FILE_MODE, NULL, render_tid_net_udp, 0 },
	{ "udp6", NODE_NET_UDP6, FILE_MODE, NULL, render_tid_net_udp6, 0 },
	{ "unix", NODE_NET_UNIX, FILE_MODE, NULL, render_tid_net_unix, 0 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

/* ns/: links whose targets name the namespace, "pid:[4026531836]". */
static const struct dir_entry ns_entries[] = {
	{ "cgroup", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 0 },
	{ "ipc", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 1 },
	{ "mnt", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 2 },
	{ "net", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 3 },
	{ "pid", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 4 },
	{ "pid_for_children", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 5 },
	{ "time", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 6 },
	{ "time_for_children", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 7 },
	{ "user", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 8 },
	{ "uts", NODE_NS_LINK, S_IFLNK | 0777, NULL, NULL, 1 + 9 },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

static const struct dir_entry no_entries[] = {
	{ NULL, 0, 0, NULL, NULL, 0 },
};

const struct dir_entry *dir_entries(enum node_kind dir)
{
	switch (dir) {
	case NODE_ROOT:		return root_entries;
	case NODE_SYS:		return sys_entries;
	case NODE_SYS_KERNEL:	return sys_kernel_entries;
	case NODE_SYS_VM:	return sys_vm_entries;
	case NODE_SYS_FS:	return sys_fs_entries;
	case NODE_TTY:		return tty_entries;
	case NODE_PRESSURE:	return pressure_entries;
	case NODE_NS_DIR:	return ns_entries;
	case NODE_NET_DIR:	return net_entries;
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

const struct dir_entry *node_entry(enum node_kind kind, int tid)
{
	static const enum node_kind dirs[] = {
		NODE_SYS_KERNEL, NODE_SYS_VM, NODE_SYS_FS, NODE_NS_DIR,
	};

	if (!kind_tid_is_aux(kind))
		return kind_entry(kind);
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		for (const struct dir_entry *e = dir_entries(dirs[i]); e->name; e++)
			if (e->kind == kind && e->aux == tid)
				return e;
	return kind_entry(kind);
}

const struct dir_entry *kind_entry(enum node_kind kind)
{
	static const enum node_kind dirs[] = {
		NODE_ROOT, NODE_SYS, NODE_SYS_KERNEL, NODE_PROCSIM, NODE_PID_DIR,
		NODE_SYS_VM, NODE_SYS_FS, NODE_TTY, NODE_PRESSURE, NODE_NS_DIR,
		NODE_NET_DIR,
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

bool kind_is_task_extra(unsigned kind)
{
	return kind >= NODE_TX_FIRST && kind <= NODE_TX_LAST;
}

bool kind_tid_is_aux(unsigned kind)
{
	return kind == NODE_FD_LINK || kind == NODE_FDINFO_FILE ||
	       kind == NODE_FD_SOCKET || kind == NODE_FD_PIPE ||
	       kind == NODE_PTS_DEV || kind == NODE_SYSCTL ||
	       kind == NODE_NS_LINK || kind == NODE_NS_TARGET;
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
