/* SPDX-License-Identifier: MIT */
/* Internal to core/: task construction and teardown shared by fork, exit, boot. */
#ifndef PROCSIM_TASK_ALLOC_H
#define PROCSIM_TASK_ALLOC_H

#include <sched.h>	/* CLONE_* */
#include "kernel.h"

/*
 * The converted paths' RCU read section.  Only a concurrent kernel needs
 * one: under the world lock held for writing nothing reads beside us and
 * nothing is freed late, so the daemon never touches liburcu.
 */
static inline void kernel_rcu_read_lock(const struct kernel *k)
{
	if (k->concurrent)
		core_rcu_read_lock();
}

static inline void kernel_rcu_read_unlock(const struct kernel *k)
{
	if (k->concurrent)
		core_rcu_read_unlock();
}

/*
 * A converted path's change to @mm's VMAs (a thread's stack): mmap_lock
 * against the other writers of @mm (fork's copy reads it under that
 * alone), then tasklist_lock for writing against the readers, who walk
 * VMAs under kernel_read_lock() (THE LOCKING RULE).
 */
static inline void mm_change_begin(struct kernel *k, struct mm_struct *mm)
{
	pthread_mutex_lock(&mm->mmap_lock);
	pthread_rwlock_wrlock(&k->tasklist_lock);
}

static inline void mm_change_end(struct kernel *k, struct mm_struct *mm)
{
	pthread_rwlock_unlock(&k->tasklist_lock);
	pthread_mutex_unlock(&mm->mmap_lock);
}

/*
 * -ESRCH with its reason: nothing matched (@which 0 process, 1 process
 * group, 2 user; PRIO_* values) @who; -EINVAL for another @which.
 */
int prio_no_match(int which, int who);

/*
 * The pid of a task whose ->real_parent chain comes back to itself, or 0:
 * a world built from a file (load, import) must have none, since exit's
 * reaper walk climbs that chain.  Uses and then resets every task's gen.
 * Context: a world being built, not yet visible.
 */
int parent_cycle(struct kernel *k);

/*
 * A task a world builder (load, import) made: counted in the kernel's
 * totals by its state, and stamped with the world's generation.
 * Context: a world being built, not yet visible.
 */
static inline void count_built_task(struct kernel *k, struct task *t)
{
	k->nr_tasks++;
	if (t->state == TASK_RUNNING)
		k->nr_running++;
	if (t->state == TASK_UNINTERRUPTIBLE)
		k->nr_blocked++;
	t->gen = k->gen;
}

/* A zeroed task with empty lists, state S. */
struct task *alloc_task(void);
/* Give @t a fresh signal_struct whose only thread is @t, the leader. */
int init_signal(struct task *t);
/* A copy of a process's RLIM_NLIMITS limits (core/rlimit.c), or NULL. */
struct rlimit *rlimit_dup(const struct rlimit *rlim);
/* Free a signal_struct and what it owns (its limits). */
void signal_free(struct signal_struct *sig);
/* Change state, keeping k->nr_running right. */
void set_task_state(struct kernel *k, struct task *t, char state);
/* Unhash and free a task: pid, thread list, parent's children list. */
void release_task(struct kernel *k, struct task *t);
/*
 * copy_process: a new task from @cur.  @clone_flags as clone(2)'s: with
 * CLONE_THREAD a thread of @cur's group (sharing its mm); else a process
 * with a copy of the mm, or with CLONE_VM the very mm (vfork, for a fork
 * that execs at once).
 * The pid is reserved, the task built, then published (pid_store_install),
 * so readers see all of it or nothing.
 */
int copy_process(struct kernel *k, struct task *cur, unsigned long clone_flags,
		 struct task **out);
/*
 * copy_process with the new task's start time given: a caller making many
 * tasks at one instant (populate) reads the clock once, not per task.
 */
int copy_process_at(struct kernel *k, struct task *cur, unsigned long clone_flags,
		    unsigned long long start_time, struct task **out);
void set_task_comm(struct task *t, const char *name);
/*
 * x86-64 ELF loader model: a fresh mm for @path with @argv and @env, its
 * randomisation drawn from k->rng.  binfmt_load_rng draws it from *@rng
 * instead (populate's shared layouts: core/populate.c).
 */
struct mm_struct *binfmt_load(struct kernel *k, const char *path,
			      const char *args, size_t args_len,
			      const char *env, size_t env_len);
struct mm_struct *binfmt_load_rng(struct kernel *k, uint64_t *rng,
				  const char *path, const char *args,
				  size_t args_len, const char *env,
				  size_t env_len);
/* xorshift64*: the next number of the stream whose state is *@state (!= 0). */
uint64_t rng_next(uint64_t *state);
uint64_t kernel_rand(struct kernel *k);		/* rng_next(&k->rng) */

/*
 * What an undone change puts back beside its tasks: the pid cursor, the
 * rng and gen.  A refused command then leaves the world, and so its save,
 * byte for byte as it was.  (Linux's cursor does move on a failed fork:
 * here the all-or-nothing promise wins; docs/saverestore.md.)
 */
struct world_mark {
	int last_pid;
	uint64_t rng, gen;
};

static inline struct world_mark world_mark(const struct kernel *k)
{
	return (struct world_mark){ k->pids.last_pid, k->rng, k->gen };
}

static inline void world_rollback(struct kernel *k, struct world_mark m)
{
	k->pids.last_pid = m.last_pid;
	k->rng = m.rng;
	k->gen = m.gen;
}
/* Log a task's release for the daemon's caches (track_changes). */
void task_log_gone(struct kernel *k, const struct task *t);
/* Give @t's children to the reaper, as exit's forget_original_parent. */
void forget_original_parent(struct kernel *k, struct task *t);

/* A live (not exited) thread of @t's group, or NULL: find_alive_thread. */
struct task *find_alive_thread(struct task *t);
/* End @leader's whole group with wait status @status: do_group_exit. */
void group_exit(struct kernel *k, struct task *leader, int status);
/* Detach every tracee of @tracer (exit_ptrace); they go back to their parents. */
void exit_ptrace(struct kernel *k, struct task *tracer);
/* Drop @t's tracer (__ptrace_unlink): ->parent is the real parent again. */
void ptrace_unlink(struct kernel *k, struct task *t);
/* The group has no live thread left: the parent may reap the leader. */
void notify_parent_dead(struct kernel *k, struct task *leader);

/* Free every task and its pid, keeping the (empty) store: restore's start. */
void kernel_free_tasks(struct kernel *k);
/*
 * Swap the world @fresh (from kernel_init, lock unused) into @k in place,
 * leaving k->lock alone: old pids are logged gone, the event rings kept.
 */
void kernel_replace(struct kernel *k, struct kernel *fresh);

#endif
