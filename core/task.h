/* SPDX-License-Identifier: MIT */
/*
 * Tasks: one struct task per thread, a shared signal_struct per thread
 * group, and an mm per address space, named as in the kernel's sched.h.
 */
#ifndef PROCSIM_TASK_H
#define PROCSIM_TASK_H

#include <signal.h>
#include <sys/resource.h>
#include <stdint.h>
#include <string.h>
#include "list.h"
#include "mm.h"
#include "rcu.h"

#define TASK_COMM_LEN	16
#define USER_HZ		100		/* clock ticks, sysconf(_SC_CLK_TCK) */

/* Task states, as the letter /proc/<pid>/stat prints. */
#define TASK_RUNNING		'R'
#define TASK_INTERRUPTIBLE	'S'
#define TASK_UNINTERRUPTIBLE	'D'
#define TASK_STOPPED		'T'
#define TASK_TRACED		't'
#define TASK_IDLE		'I'
#define EXIT_ZOMBIE		'Z'
#define EXIT_DEAD		'X'

/*
 * task->flags (PF_*), kernel values: ps F is (flags >> 6) & 7.  As on
 * Linux: kernel threads PF_KTHREAD | PF_NOFREEZE | PF_FORKNOEXEC; exec
 * sets PF_RANDOMIZE and clears PF_FORKNOEXEC; fork clears PF_SUPERPRIV,
 * which a task gets by using a capability (root daemons, setuid()).
 */
#define PF_EXITING	0x00000004U
#define PF_FORKNOEXEC	0x00000040U
#define PF_NOFREEZE	0x00008000U
#define PF_SUPERPRIV	0x00000100U
#define PF_KTHREAD	0x00200000U
#define PF_RANDOMIZE	0x00400000U

struct cred {
	unsigned int uid, euid, suid, fsuid;
	unsigned int gid, egid, sgid, fsgid;
};

/* What the threads of one group share (the kernel's signal_struct). */
struct signal_struct {
	int nr_threads;			/* live (non-exited) threads */
	struct list_head thread_head;	/* every thread, leader first */
	int pgrp, session;
	int tty_nr, tpgid;
	int group_exit_code;		/* wait status of exit_group() */
	bool group_exiting;
	bool is_child_subreaper;
	unsigned int flags;		/* SIGNAL_STOP_* */
	int group_stop_code;		/* the stop signal, until reported */
	int pending_fatal;		/* a fatal signal held back by a stop */
	unsigned long cutime, cstime;	/* reaped children's times */
	/* RLIM_NLIMITS limits once one was set (prlimit), else NULL: the
	 * defaults of core/rlimit.c.  A block of its own, so a million
	 * processes do not each carry 256 bytes of defaults. */
	struct rlimit *rlim;
};

/* signal->flags: a group stop to report, or a continue (kernel values). */
#define SIGNAL_STOP_STOPPED	0x00000001U
#define SIGNAL_STOP_CONTINUED	0x00000002U

/* A full_name's bound, NUL included: proc_task_name's buffer (64). */
#define TASK_FULL_NAME_MAX	64

/*
 * Packed: the byte-sized fields share one word after state, the 4-byte
 * ones pair up, so a task is 320 bytes, not 344 (a 336-byte malloc chunk,
 * not 352; 2.1 tasks per populated process).
 */
struct task {
	int pid, tgid;
	char state;			/* one of the TASK_ and EXIT_ letters */
	bool ptrace;			/* traced: ->parent is the tracer */
	unsigned char logged;		/* == kernel->log_seq: in a change log already */
	/*
	 * copy_process: the pid is in the store but attach_pid() has not
	 * happened yet, so find_task() does not return the task.  Cleared
	 * (release) under tasklist_lock once the task is whole.
	 */
	bool unattached;
	unsigned int flags;		/* PF_* */
	char comm[TASK_COMM_LEN];
	struct task *group_leader;
	struct task *real_parent;	/* forked us, or our reaper */
	struct task *parent;		/* gets our SIGCHLD and wait status */
	struct list_head children;	/* our children, linked by ->sibling */
	struct list_head sibling;
	struct list_head thread_node;	/* in signal->thread_head */
	struct list_head ptraced;	/* our tracees, linked by ->ptrace_entry */
	struct list_head ptrace_entry;
	int ptrace_code;		/* stop signal for the tracer (Linux: exit_code) */
	unsigned int cpu;
	struct signal_struct *signal;
	struct mm_struct *mm;		/* NULL: kernel thread, or exited */
	struct cred cred;
	int exit_code;			/* wait status, valid once a zombie */
	int exit_signal;		/* SIGCHLD for processes, -1 for threads */
	int nice;
	/* sched_setscheduler, ioprio_set, sched_setaffinity (core/sched.c) */
	unsigned char policy;		/* SCHED_OTHER (0), FIFO, RR, BATCH, IDLE */
	unsigned char rt_priority;	/* 1..99 for FIFO and RR, else 0 */
	unsigned short ioprio;		/* IOPRIO_PRIO_VALUE(class, level); 0: none */
	uint64_t cpus_excluded;		/* bit n: not allowed on CPU n (n < 64) */
	unsigned long utime, stime;	/* ticks */
	unsigned long long start_time;	/* ticks since boot (CLOCK_BOOTTIME) */
	unsigned long minflt, majflt;
	unsigned long nvcsw, nivcsw;
	const char *wchan;		/* static symbol name, or NULL: "0" */
	/* A kernel thread's name beyond comm (proc_task_name: a worker's
	 * "kworker/0:1-events"), interned; NULL: comm is the whole name.
	 * Only import sets it: the simulation's own kthreads fit comm. */
	const char *full_name;		/* < TASK_FULL_NAME_MAX bytes */
	uint64_t gen;			/* bumped on every visible change */
	struct key *keys;		/* the keys watcher's per-task keyring */
	struct core_rcu_head rcu;	/* release_task's deferred free */
};

/* Find_task's view: published and attached (acquire pairs with release). */
static inline bool task_attached(const struct task *t)
{
#ifdef PROCSIM_MUTATE_no_attach_check	/* test hook: see tools/test */
	(void)t;
	return true;
#endif
	return !__atomic_load_n(&t->unattached, __ATOMIC_ACQUIRE);
}

static inline bool thread_group_leader(const struct task *t)
{
	return t->pid == t->tgid;
}

static inline bool task_is_kthread(const struct task *t)
{
	return t->flags & PF_KTHREAD;
}

/* The name stat, status and comm print (proc_task_name), its length in *@len. */
static inline const char *task_name(const struct task *t, size_t *len)
{
	const char *s = t->full_name ? t->full_name : t->comm;

	*len = t->full_name ? strlen(s) : strnlen(s, TASK_COMM_LEN);
	return s;
}

#endif
