/* SPDX-License-Identifier: MIT */
/*
 * Import: a world built from another machine's process table (the records
 * fs/proc_import.c reads out of a /proc tree).  Pure: the caller parses
 * the files; this only checks the records and builds tasks and mms from
 * them, as load builds them from a snapshot (docs/import.md).
 */
#ifndef PROCSIM_IMPORT_H
#define PROCSIM_IMPORT_H

#include <stddef.h>
#include "kernel.h"
#include "snapshot.h"

/* proc_task_name's longest: a kthread's name or a worker's with its
 * workqueue (WQ_NAME_LEN 32 + desc 24), NUL included. */
#define IMPORT_NAME_LEN	64

/* One line of /proc/<pid>/maps (and smaps' Rss). */
struct import_vma {
	unsigned long start, end;
	unsigned long flags;		/* VM_READ, VM_WRITE, VM_EXEC, VM_SHARED */
	unsigned long pgoff;		/* in pages */
	unsigned int dev;		/* major << 8 | minor, as maps prints it */
	unsigned long ino;
	const char *name;		/* NULL: none; the caller's memory */
	unsigned long rss_pages;
	unsigned long dirty_pages;	/* smaps' Shared_ + Private_Dirty */
};

/* One task: /proc/<pid>/stat and status, or task/<tid>/ for a thread. */
struct import_task {
	int pid, tgid, ppid;		/* ppid: status' PPid (a tgid), 0: none */
	char state;			/* the stat letter */
	unsigned int flags;		/* PF_* from stat */
	char comm[TASK_COMM_LEN];
	char name[IMPORT_NAME_LEN];	/* the whole name: longer than comm
					 * only for a kernel thread */
	struct cred cred;
	int pgrp, session, tty_nr, tpgid;
	int nice, policy, rt_priority;
	unsigned int cpu;
	unsigned long utime, stime, minflt, majflt, nvcsw, nivcsw;
	unsigned long long start_time;	/* ticks since the source's boot */
	/* Leaders only; has_mm false for kernel threads and zombies. */
	bool has_mm;
	unsigned long start_code, end_code, start_stack, start_data, end_data,
		      start_brk, arg_start, arg_end, env_start, env_end;
	unsigned long locked_pages;	/* VmLck */
	const char *args, *env;		/* NUL-separated; NULL: unreadable */
	size_t args_len, env_len;
	struct import_vma *vmas;	/* in address order */
	size_t nr_vmas;
};

struct import_world {
	struct import_task *tasks;	/* sorted by pid, each pid once */
	size_t nr;
	unsigned long long now;		/* ticks since the source's boot */
};

/* What was handled rather than refused, for the one-line summary. */
struct import_report {
	unsigned long processes, threads;
	unsigned long orphans;		/* parent not in the tree: to init/kthreadd */
	unsigned long cpus_folded;	/* ran on a CPU the simulation lacks */
	/* VMAs only partly dirty: the simulation has all or none of a
	 * file mapping's resident pages dirty, and all of anonymous memory */
	unsigned long dirty_rounded;
	int pid_max;			/* the new world's */
};

/*
 * Build the world of @w into @fresh, touching neither @k's world nor its
 * lock (only @k's options are read: the new world boots with them, pid_max
 * raised past the largest pid).  Checks every record: a bad state, a
 * thread without its leader, a parent cycle, a missing pid 1 or 2, VMAs
 * out of order are -EINVAL with a one-line reason in @why; -ENOMEM.  On
 * success swap @fresh in with kernel_load_commit() under @k's write lock;
 * on error @fresh holds nothing.  Start times are rebased: a task @w->now
 * - start ticks old is as old on the simulation's clock (at most since its
 * boot).  Each pid keeps its number.
 * Context: as kernel_load_prepare().
 */
int kernel_import_prepare(const struct kernel *k, const struct import_world *w,
			  struct kernel *fresh, struct import_report *rep,
			  char why[SNAPSHOT_WHY_LEN]);

#endif
