/* SPDX-License-Identifier: MIT */
/*
 * procsim's simulated kernel: the one header the daemon, the tools and the
 * tests include.  No FUSE, no file I/O, no printing below this line.
 *
 * THE LOCKING RULE
 *   The world lock, k->lock (a reader-writer lock: the kernel's "the world
 *   exists").  Held for WRITING by whole-world operations: boot, populate,
 *   load, reset, pidstore switch, pid_max, and every ctl command but the
 *   converted ones (the daemon's -o ctl_lock=world puts those back under
 *   it too).  Held for READING by readers and by the converted paths.
 *   Under the world lock held for writing no fine lock is needed, and the
 *   converted paths take theirs uncontended.
 *
 *   Converted paths (callable with k->lock held for reading, any number at
 *   once, when the kernel was booted with opts.concurrent):
 *   do_clone, do_clone_thread, do_exit_thread, do_fork, do_exit, do_wait.
 *   They take, in this order, never the other way round:
 *     rcu_read_lock     (core/rcu.h) around the pid lookups and every use
 *                       of a task pointer got from one;
 *     mm->mmap_lock     a process's VMAs: fork's copy reads them under it
 *                       alone; a change (a thread's stack) takes it, then
 *                       tasklist_lock too, for the readers' sake;
 *     tasklist_lock     (rwlock, here) for writing: the task tree (children,
 *                       parent, thread lists, signal_struct, ptrace links),
 *                       every field of a published task, mm->users, the
 *                       VMAs as above, the change logs, the watchers and
 *                       their state (event rings, keys, acct), and the
 *                       counters' writes; held only while the tree changes
 *                       (and for a whole do_wait, which reaps);
 *     pidmap_lock       (per pid store, or per shard: core/pidstore.h):
 *                       alloc, install and free of pids.  alloc_pid takes
 *                       it before tasklist_lock, release_task's free
 *                       inside it, as in the kernel; pidlock=twice takes it
 *                       twice per clone.
 *   Readers (find_task, next_tgid, readdir, every renderer, the event
 *   files) run inside kernel_read_lock(): the world lock for reading, then
 *   rcu_read_lock and tasklist_lock for reading.  So a reader waits for at
 *   most one converted operation's hold of tasklist_lock, and sees tasks,
 *   lists and VMAs still; the kernel's RCU thread lists would let it wait
 *   for none, at the price of RCU-safe list and VMA changes everywhere
 *   (not done: one hold is the bar).  A reader never takes mmap_lock.
 *   Pid lookups take no lock: RCU for idr, xarray and xarray-sharded, the
 *   store's read_lock for bitmap, sparse and judy (core/pidstore.h).
 *   A task is found by pid only once attached (task->unattached clear), and
 *   a released task (and its signal_struct) is freed by call_rcu, so a
 *   reader in a read section never sees a half-built or a freed task.
 *   Counters are atomics: written under tasklist_lock, read without it;
 *   the pid cursor (pids.last_pid) is stored atomically for /proc/loadavg.
 *   Operations are all-or-nothing: on any error the world is exactly as it
 *   was, so a failed command needs no cleanup.
 *
 *   k->lock is taken only through world_read_lock(), world_write_lock()
 *   and world_unlock() (world_lock.h), so that debug builds know who holds
 *   it: every do_* asserts that its thread holds it, for reading or for
 *   writing (lockdep_assert_world_held), and aborts naming itself if not.
 *   "Context:" lines below say which the caller must hold; an internal
 *   function named *_locked runs with the lock its comment names held.
 *
 *   watch_chain's own rwlock (core/watch_chain.c) models the
 *   blocking_notifier_head's rw_semaphore: registration (at boot) takes it
 *   for writing, each fork and exit event's walk of the chain for reading.
 *   Under the world lock held for writing it is uncontended; on the
 *   converted paths many readers may walk the chain at once.
 *
 * ERRORS
 *   Functions return 0 or a negative errno: -ESRCH (no such pid), -ECHILD,
 *   -EAGAIN (pids exhausted), -ENOMEM (allocation, map_count), -EINVAL,
 *   -EPERM (init and kernel threads cannot exit).  Where the core fails it
 *   also says why, in words, to whoever catches reasons (kerr.h): the ctl
 *   executor prints them after the errno's name.
 */
#ifndef PROCSIM_KERNEL_H
#define PROCSIM_KERNEL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>	/* WNOHANG and friends: Linux values */
#include "pidstore.h"
#include "task.h"
#include "mm.h"
#include "wait.h"
#include "kerr.h"


struct kernel_opts {
	int pid_max;			/* 0: PID_MAX_DEFAULT */
	const char *pidstore;		/* backend name; NULL: "idr" */
	int max_map_count;		/* 0: DEFAULT_MAX_MAP_COUNT */
	const char *vmastore;		/* VMA store name; NULL: "list" */
	enum vma_forkdup forkdup;	/* fork's copy of the VMA store */
	bool mmap_legacy;		/* bottom-up mmap layout */
	int nr_cpus;			/* 0: 2 */
	unsigned long mem_total_kb;	/* 0: 24 GiB */
	const char *wait;		/* do_wait strategy; NULL: "lookup" */
	uint64_t seed;			/* populate's random stream */
	/*
	 * How many layouts populate draws each program's processes from,
	 * shared copy-on-write (core/populate.c); 0: POPULATE_LAYOUTS,
	 * -1: none, every process maps its own.
	 */
	int populate_layouts;
	/* Now, in ticks since boot; NULL: CLOCK_BOOTTIME. Tests pin it. */
	unsigned long long (*clock)(void *arg);
	void *clock_arg;
	const char *watchers;		/* task watcher mechanism; NULL: "table" */
	/* The serving layer's accounting (core/kstat.h); NULL: none. */
	const struct kstat_hook *kstat;
	/*
	 * Converted paths may run under the world lock held for reading:
	 * lookups race writers, so released tasks and pid-store nodes are
	 * freed after an RCU grace period.  Off: freed at once, as before.
	 */
	bool concurrent;
	const char *pidlock;		/* "twice" (NULL) or "once" */
	bool pidlock_shards;		/* a pidmap_lock per shard (pid_store_set_shards) */
	bool pidlock_timing;		/* measure pidmap_lock (k->pids.stats) */
};

/*
 * The one check of each setting, with its reason (a line for a user) in
 * @why (KOPT_WHY_LEN bytes; may be NULL): kernel_init, the daemon's -o and
 * ctl's pid_max and max_map_count all refuse a value alike.  -EINVAL.
 */
#define KOPT_WHY_LEN	192
int kopt_check_pid_max(long long n, char *why);		/* RESERVED_PIDS+1..PID_MAX_LIMIT */
int kopt_check_max_map_count(long long n, char *why);	/* 1..INT_MAX */
/* Every field; 0 (or NULL) means the default, as kernel_init reads them. */
int kernel_opts_check(const struct kernel_opts *o, char *why);

/* Pids whose /proc files changed or vanished: see kernel_take_changes(). */
struct pid_change {
	int pid, tgid;
	uint32_t epoch;		/* the world the task lived in (k->epoch) */
};

struct change_log {
	struct pid_change *v;
	size_t n, cap;
	bool overflow;		/* an entry was lost (ENOMEM): assume all changed */
};

struct kernel {
	pthread_rwlock_t lock;		/* the world: see THE LOCKING RULE above */
	pthread_rwlock_t tasklist_lock;	/* the task tree: THE LOCKING RULE */
	bool concurrent;		/* opts.concurrent */
	struct pid_store pids;		/* its own pidmap_lock */
	struct task *init_task;		/* pid 1 */
	struct task *kthreadd;		/* pid 2 */
	int max_map_count;
	struct mm_config mm_cfg;	/* every new mm's store, layout, names */
	struct intern_table *strings;	/* interned names (mm_cfg.names too) */
	int nr_cpus;
	unsigned long mem_total_kb;
	unsigned long long (*clock)(void *arg);
	void *clock_arg;
	uint64_t rng;			/* xorshift state for populate */
	struct layout_pool *layouts;	/* populate's templates, or NULL */
	const struct wait_strategy *wait;	/* scan or lookup */
	struct kernel_opts opts;	/* as booted, for kernel_reset */
	const struct kstat_hook *kstat;	/* opts.kstat: wait and watchers charge it */

	/*
	 * Counters (what /proc/stat and /proc/procsim/stats print): atomics,
	 * written under tasklist_lock (or the world's write lock).
	 */
	_Atomic unsigned long nr_tasks;	/* every task with a pid, zombies too */
	_Atomic unsigned long nr_processes;	/* thread-group leaders */
	_Atomic unsigned long nr_running;	/* state R */
	_Atomic unsigned long total_forks;	/* /proc/stat "processes" */
	_Atomic unsigned long total_exits;
	_Atomic uint64_t gen;		/* bumped on every change */
	/* Bumped when a process with a terminal comes or goes, or populate
	 * hands terminals out: the set /proc/procsim/pts lists may differ. */
	_Atomic uint64_t tty_gen;
	/*
	 * Which world this is: kernel_replace (reset, load) bumps it, so a
	 * pid of the old world is never the same pid of the new one, even
	 * with the same number.  The daemon puts it in task inode numbers.
	 */
	uint32_t epoch;

	/* Change logs, kept only when track_changes is set (the daemon's caches). */
	bool track_changes;
	/*
	 * A task is in the logs since the last take if its ->logged equals
	 * this; a take moves it on, so no task needs clearing (kernel.c).
	 */
	unsigned char log_seq;
	struct change_log changed;	/* tasks touched since the last take */
	struct change_log gone;		/* tasks released since the last take */
	struct change_log born;		/* tasks created since the last take */

	/* Task watchers (core/watchers.h) and their state. */
	const struct watch_ops *watch;
	struct watch_chain *watch_chain;
	struct event_ring *audit, *cnproc;
	_Atomic unsigned long nr_keys;	/* live per-task keyrings (watch_keys.c) */
	_Atomic unsigned long nr_blocked;	/* state D: /proc/stat procs_blocked */
	int watch_fail_fork;		/* test hook: the Nth fork from now fails */
	struct watch_trace *watch_trace;	/* test hook: watchers log calls */
};

/* world_read_lock(), world_write_lock(), world_unlock(): take k->lock. */
#include "world_lock.h"

int kernel_init(struct kernel *k, const struct kernel_opts *o);
void kernel_destroy(struct kernel *k);
/* Tear everything down and boot again with the same options. */
int kernel_reset(struct kernel *k);
unsigned long long kernel_now(const struct kernel *k);
int kernel_set_pid_max(struct kernel *k, int pid_max);

/*
 * A reader's section (find_task, readdir, every renderer): the world lock
 * for reading, then, when concurrent, rcu_read_lock and tasklist_lock for
 * reading.  Inside it every task found, its lists, its signal_struct and
 * its mm's VMAs stay still and valid; it waits for at most one converted
 * operation's hold of tasklist_lock (THE LOCKING RULE).  Never held
 * across I/O or a blocking call.  Context: none of the kernel's locks held.
 */
void kernel_read_lock(struct kernel *k);
void kernel_read_unlock(struct kernel *k);

/*
 * Any task with a pid (threads and zombies too), or NULL.
 * Context: k->lock held for writing, or for reading inside rcu_read_lock.
 */
struct task *find_task(const struct kernel *k, int pid);
/* The smallest thread-group leader pid >= @from, or -1 (for readdir).
 * Context: as find_task(). */
int next_tgid(const struct kernel *k, int from, struct task **t);
/* The process (group leader) of @pid, or NULL. */
struct task *find_process(const struct kernel *k, int pid);

/*
 * copy_process for fork(): @count children of the task @ppid, each with a
 * copy of its mm.  All or nothing.  The new pids go to @pids[0..count).
 * Context: k->lock held (reading: see THE LOCKING RULE).
 */
int do_fork(struct kernel *k, int ppid, int count, int *pids);
/*
 * clone(CLONE_THREAD): a new thread in @pid's group; its tid in *@tid.
 * NPTL's allocate_stack too: an 8 MiB stack with its guard page.
 * Context: k->lock held (reading: see THE LOCKING RULE).
 */
int do_clone_thread(struct kernel *k, int pid, int *tid);
/*
 * clone(2) itself with CLONE_VM | CLONE_THREAD | CLONE_SIGHAND: a thread
 * and nothing mapped, as when NPTL's stack cache hands out a cached stack
 * (the steady state of a pthread_create/join loop).  Same context.
 * Context: k->lock held for writing.
 */
int do_clone(struct kernel *k, int pid, int *tid);
/*
 * execve: @argv (argc strings) becomes the cmdline, @comm (or the basename
 * of argv[0] if NULL) the name; fresh mm; the other threads are gone.
 * -EACCES for a path that names a directory ("/", "dir/", "."), as Linux.
 * Context: k->lock held for writing.
 */
int do_execve(struct kernel *k, int pid, const char *comm, int argc,
	      char *const argv[]);
/*
 * exit_group(@code & 0xff): the process becomes a zombie, children
 * reparented.  -EPERM for init and every kernel thread: userspace cannot
 * make a kernel thread exit (they ignore signals; only the kernel stops them).
 * Context: k->lock held (reading: see THE LOCKING RULE).
 */
int do_exit(struct kernel *k, int pid, int code);
/*
 * do_exit with the wait status the parent will see, as a death by a
 * signal leaves it (@status & 0x7f the signal, 0x80 a core): replay.
 * Context: as do_exit().
 */
int do_exit_status(struct kernel *k, int pid, int status);
/*
 * prctl(PR_SET_NAME) by the thread @tid: its comm, cut to 15 bytes.
 * -ESRCH, -EINVAL for an empty @name.  Context: k->lock held for writing.
 */
int do_set_comm(struct kernel *k, int tid, const char *name);
/*
 * A single thread's exit (the kernel's do_exit without the group): the
 * thread is gone, a leader stays a zombie until its whole group has
 * exited, and the parent can reap the group once the last thread goes.
 * Context: k->lock held (reading: see THE LOCKING RULE).
 */
int do_exit_thread(struct kernel *k, int tid, int code);
/*
 * wait4/waitid on behalf of the thread @pid: @who > 0 a pid, -1 any child,
 * 0 the waiter's process group, < -1 the group -@who.  @options: WNOHANG,
 * WUNTRACED (WSTOPPED), WCONTINUED, WNOWAIT, WEXITED (always implied),
 * __WNOTHREAD, __WALL, __WCLONE; others -EINVAL.  A report: *@reaped its
 * pid, *@status the wait status (exited code << 8; killed sig | 0x80 with
 * core; stopped (sig << 8) | 0x7f; continued 0xffff).  -ECHILD with no
 * eligible child or tracee.  WNOHANG and none ready: 0 in *@reaped.
 * Without WNOHANG and none ready: -EAGAIN, since nothing in the simulation
 * runs to wake a sleeper.
 * Context: k->lock held (reading: see THE LOCKING RULE).
 */
int do_wait(struct kernel *k, int pid, int who, int options, int *reaped,
	    int *status);
/*
 * kill(@pid, @sig) for @sig 0..64: 0 only checks @pid exists.  Fatal
 * signals end the group with status @sig (| 0x80 for core-dumping ones,
 * as with an unlimited RLIMIT_CORE); SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU
 * stop it (T); SIGCONT resumes it (S).  Init and kernel threads ignore
 * signals, as they do on Linux.  -EINVAL for a bad @sig, -ESRCH.
 * Context: k->lock held for writing.
 */
int do_kill(struct kernel *k, int pid, int sig);

/*
 * Who asks, for the permission checks of the emulated syscalls
 * (tools/procsim-syscalls.c): a real process's ids inside its namespace.
 * @priv: it holds the capability the call needs (CAP_KILL for signals,
 * CAP_SYS_NICE for priorities), so ids do not matter.  A NULL sender is
 * the simulation's operator (ctl without "as"), who may do anything.
 */
struct sender {
	bool priv;
	unsigned int uid, euid;
};

/*
 * kill(2) as a sender: @pid > 0 that process (any of its threads' tids),
 * -1 every simulated process but init, < -1 the process group -@pid.
 * -EPERM when the sender may not signal the target (Linux's
 * kill_ok_by_cred); a group or -1 follow Linux's rules for mixed results
 * (a group: 0 if one member got it; -1: 0 unless there was nobody).
 * -EINVAL for a bad @sig, -ESRCH for no target.
 * Context: k->lock held for writing.
 */
int do_kill_as(struct kernel *k, int pid, int sig, const struct sender *as);
/*
 * tgkill(@tgid, @tid, @sig), or tkill with @tgid 0: -ESRCH unless @tid
 * exists in @tgid.  The default action is still the whole group's.
 * Context: k->lock held for writing.
 */
int do_tkill(struct kernel *k, int tgid, int tid, int sig,
	     const struct sender *as);
/*
 * setpriority(@which, @who, @niceval) with PRIO_PROCESS (the thread @who),
 * PRIO_PGRP (every thread of group @who) or PRIO_USER (every thread whose
 * real uid is @who).  @niceval is clamped to -20..19.  Per task as Linux:
 * -EPERM unless the sender's euid is the target's uid or euid, -EACCES to
 * lower a nice value without CAP_SYS_NICE; such an error sticks while
 * the other matches still change (set_one_prio), -ESRCH if none matched.  -EINVAL for a bad @which.
 * Context: k->lock held for writing.
 */
int do_setpriority(struct kernel *k, int which, int who, int niceval,
		   const struct sender *as);
/*
 * getpriority(): *@prio = 20 - the lowest nice among the matches (1..40).
 * Context: k->lock held for writing.
 */
int do_getpriority(struct kernel *k, int which, int who, int *prio);
/*
 * sched_setaffinity(@pid, @mask): bit n allows CPU n; CPUs at or beyond
 * k->nr_cpus are dropped, and an empty result is -EINVAL.  The per-task
 * mask covers CPUs 0..63; CPUs from 64 up stay allowed.  -EPERM unless the
 * sender's euid is the target's uid or euid (check_same_owner) or it holds
 * CAP_SYS_NICE.  Getting it needs no permission.
 * Context: k->lock held for writing.
 */
int do_sched_setaffinity(struct kernel *k, int pid, uint64_t mask,
			 const struct sender *as);
int do_sched_getaffinity(struct kernel *k, int pid, uint64_t *mask);
/*
 * sched_setscheduler(@pid, @policy, @prio): SCHED_OTHER, BATCH, IDLE with
 * prio 0; FIFO and RR with 1..99, which needs CAP_SYS_NICE (RLIMIT_RTPRIO
 * is 0).  -EINVAL for a bad pair, -EPERM as sched_setaffinity.
 * Context: k->lock held for writing.
 */
int do_sched_setscheduler(struct kernel *k, int pid, int policy, int prio,
			  const struct sender *as);
int do_sched_getscheduler(struct kernel *k, int pid, int *policy, int *prio);
/*
 * ioprio_set(IOPRIO_WHO_PROCESS|PGRP|USER (1, 2, 3), @who, @ioprio): class
 * NONE (0, level 0), RT (1, needs CAP_SYS_ADMIN, here the operator or a
 * privileged sender), BE (2) or IDLE (3), level 0..7.  -EPERM unless the
 * sender's uid or euid is the target's uid, or CAP_SYS_NICE; errors stick
 * as setpriority's.  ioprio_get: the best (lowest) value among matches.
 * Context: k->lock held for writing.
 */
int do_ioprio_set(struct kernel *k, int which, int who, int ioprio,
		  const struct sender *as);
int do_ioprio_get(struct kernel *k, int which, int who, int *ioprio);
/*
 * The limit @res (RLIMIT_*) of @t's process: what prlimit set, else the
 * default a booted distribution gives (systemd's NOFILE 1024/524288,
 * 524288 soft for services below uid 1000; NPROC and SIGPENDING from the
 * memory size, as max_threads / 2).
 */
void task_rlimit(const struct kernel *k, const struct task *t, int res,
		 struct rlimit *out);
/*
 * prlimit64(@pid, @res, @new, @old) for the process of @pid (any thread):
 * *@old (if not NULL) gets the limit before, @new (if not NULL) replaces
 * it.  As Linux: -ESRCH; -EPERM unless the sender's uid is the target's
 * uid, euid and saved uid (gids are not checked) or it holds
 * CAP_SYS_RESOURCE (@as->priv); -EINVAL for @res >= RLIM_NLIMITS or soft
 * above hard; -EPERM to raise the hard limit without CAP_SYS_RESOURCE or
 * NOFILE's above nr_open (1048576).  -ENOMEM: the first change allocates.
 * Context: k->lock held for writing.
 */
int do_prlimit(struct kernel *k, int pid, int res, const struct rlimit *new,
	       struct rlimit *old, const struct sender *as);
/* 1..31 for a name: "KILL", "SIGKILL", "kill"; -EINVAL otherwise. */
int signal_from_name(const char *name);
/* "KILL" for 9; NULL for no such signal. */
const char *signal_name(int sig);
/*
 * PTRACE_SEIZE of the process @pid by the thread @tracer: -EPERM for init,
 * kernel threads, the tracer's own group, an already traced task, or a
 * thread that is not a group leader (procsim traces processes); -ESRCH.
 * Context: k->lock held for writing.
 */
int ptrace_attach(struct kernel *k, int pid, int tracer);
/*
 * PTRACE_DETACH: -ESRCH if @pid is not traced (or has exited).
 * Context: k->lock held for writing.
 */
int ptrace_detach(struct kernel *k, int pid);
/*
 * prctl(PR_SET_CHILD_SUBREAPER, @on) for the process of @pid.
 * Context: k->lock held for writing.
 */
int set_child_subreaper(struct kernel *k, int pid, bool on);

/*
 * mmap/munmap on a process's mm, for the ctl commands.
 * Context: k->lock held for writing.
 */
int do_mmap(struct kernel *k, int pid, unsigned long addr, unsigned long len,
	    int prot, int flags, unsigned long *out);
int do_munmap(struct kernel *k, int pid, unsigned long addr,
	      unsigned long len);
int do_mprotect(struct kernel *k, int pid, unsigned long addr,
		unsigned long len, int prot);
/*
 * brk(@brk); the break after it in *@out.
 * Context: k->lock held for writing.
 */
int do_brk(struct kernel *k, int pid, unsigned long brk, unsigned long *out);
/*
 * vm.max_map_count; -EINVAL unless 1 <= n <= INT_MAX.
 * Context: k->lock held for writing.
 */
int kernel_set_max_map_count(struct kernel *k, long n);

/* setuid()/setgid() of every thread of @pid's process: real, effective,
 * saved and fs ids.  @id up to 4294967294 ((uid_t)-1 means "no change").
 * Context: k->lock held for writing.
 */
int do_setuid(struct kernel *k, int pid, unsigned long long id);
int do_setgid(struct kernel *k, int pid, unsigned long long id);

/*
 * Add @n realistic processes (a booted distribution's shape). All or nothing.
 * Context: k->lock held for writing, or no other thread yet (boot).
 */
int populate(struct kernel *k, int n);
#define POPULATE_LAYOUTS	64	/* templates per program: see populate.c */
#define POPULATE_LAYOUTS_MAX	65536
/* Drop populate's references to its templates (kernel_destroy, reset). */
void populate_layouts_free(struct kernel *k);
/* K: how many layouts per program (POPULATE_LAYOUTS, the option's, or -1). */
int populate_layouts_per_prog(const struct kernel *k);
/*
 * A template's place in populate's pool, for save and load (core/snapshot.c):
 * its program (a number in populate.c's tables, with that entry's path and
 * argv as a check) and its slot, 0 .. K-1.
 */
struct layout_key {
	unsigned int prog;
	int slot;
	const char *path, *args;
};
/*
 * Call @fn for each template in the pool, in pool order; stops at and
 * returns @fn's first nonzero return.
 * Context: k->lock held, for reading at least.
 */
int populate_layouts_walk(const struct kernel *k,
			  int (*fn)(void *arg, const struct layout_key *key,
				    struct mm_struct *tmpl), void *arg);
/*
 * Put template @tmpl at @key in @k's pool, which takes a reference: 0,
 * -ENOENT (no program with that number, path and argv), -EINVAL (slot not
 * in 0 .. K-1, or K is -1), -EEXIST (slot taken) or -ENOMEM; on error the
 * pool is as it was (but for an empty row).
 * Context: k->lock held for writing, or a kernel nobody else sees yet.
 */
int populate_layout_install(struct kernel *k, const struct layout_key *key,
			    struct mm_struct *tmpl);

/* Mark a task changed: bumps task->gen and logs it (track_changes). */
void task_touch(struct kernel *k, struct task *t);
/*
 * Move the change logs to the caller (who frees ->v) and start new ones.
 * A task born since the last take is only in @born, however often it was
 * touched since: no reader can have cached anything of it yet.
 * Context: k->lock held (for reading is enough); takes tasklist_lock.
 */
void kernel_take_changes(struct kernel *k, struct change_log *changed,
			 struct change_log *gone, struct change_log *born);
/* Log a new task (copy_process): see kernel_take_changes(). */
void task_log_born(struct kernel *k, struct task *t);

#endif
