/* SPDX-License-Identifier: MIT */
/*
 * Pid stores: the structure that maps a pid number to its task.
 *
 * Every backend fills one struct pid_store_ops and lives in one file,
 * core/pidstore_<name>.c; core/pidstore.c holds the registry and the
 * allocation policy that all backends share (cyclic from the last pid,
 * wrapping to RESERVED_PIDS at pid_max, as kernel/pid.c:alloc_pid does).
 * Backends never see pid_max: they index the whole range [0, PID_MAX_LIMIT),
 * so pid_max can change at run time without touching a backend.
 *
 * A backend holds three kinds of slot: free, reserved (allocated, task not
 * yet installed: the kernel's idr_alloc(NULL) before idr_replace) and
 * present.  lookup() and next() never return reserved slots, so a reader
 * can never see a half-built task.
 *
 * LOCKING (kernel/pid.c's pidmap_lock)
 *   Every change (alloc, install, free, switch) takes the store's own
 *   pidmap_lock inside the dispatch functions below; the backends' write
 *   hooks run with it held and never take a lock of their own.  It is a
 *   pthread mutex of the adaptive kind (spin a little, then sleep): the
 *   kernel's spinlock runs with preemption off, a user thread does not, and
 *   a plain spinlock whose holder is preempted burns a whole time slice of
 *   every waiter (this machine runs the bench with more threads than CPUs).
 *   Lookups (lookup, next, next_leader) take no pidmap_lock:
 *     - a backend with .rcu_lookup is read under RCU: the caller is in a
 *       core_rcu_read_lock() section (or holds the world lock for writing),
 *       and a concurrent writer frees nothing a reader may hold before a
 *       grace period (the backend's file says how);
 *     - any other backend is read under the store's read_lock (rwlock),
 *       which its writers take for writing, nested inside pidmap_lock,
 *       while the store is concurrent; so a reader waits for at most one
 *       write hook, never for an allocation.
 *   pidlock=twice (the kernel today): alloc reserves under one hold, and
 *   install takes the lock again to publish (idr_alloc(NULL), idr_replace).
 *   pidlock=once (the Nov 2025 fix): pid_store_alloc_task() reserves and
 *   publishes in one hold; the caller then hides the task until it is
 *   built (task->unattached, see find_task()).
 *   pidlock_shards (a backend with .nr_shards): a pidmap_lock per shard,
 *   each guarding its shard's slots, cursor and reserved pids; an alloc
 *   takes only its shard's lock (the shard of its CPU, others when that
 *   one is full), install and free only the pid's.  Both pidlock modes
 *   keep their meaning, per shard.  nr_used is an atomic (every lock
 *   writes it).
 */
#ifndef PROCSIM_PIDSTORE_H
#define PROCSIM_PIDSTORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "kstat.h"

#define PID_MAX_DEFAULT	32768
#define PID_MAX_LIMIT	4194304		/* 4M, the x86-64 ceiling */
#define RESERVED_PIDS	300

struct task;

struct pid_store_ops {
	const char *name;
	const char *desc;		/* one line, for config and --help */
	void *(*create)(void);		/* NULL on ENOMEM */
	void (*destroy)(void *priv);
	/* First pid in [from, to) that is neither reserved nor present, or -1. */
	int (*find_free)(void *priv, int from, int to);
	/* Mark @pid used, with @t (which may be NULL: reserved).  0 or -ENOMEM. */
	int (*insert)(void *priv, int pid, struct task *t);
	/* Replace the entry of a used pid; never allocates. */
	void (*replace)(void *priv, int pid, struct task *t);
	/* Make @pid free again. */
	void (*remove)(void *priv, int pid);
	/* The task at @pid, or NULL when free or only reserved. */
	struct task *(*lookup)(void *priv, int pid);
	/* Smallest present pid >= @from (its task in *@t), or -1. */
	int (*next)(void *priv, int from, struct task **t);
	/*
	 * Optional: like next() but only thread-group leaders.  A NULL hook
	 * means the backend has no leader index; pid_store_next_leader() then
	 * walks next() and skips the threads, as the kernel's readdir does.
	 */
	int (*next_leader)(void *priv, int from, struct task **t);
	/* Optional: tell the backend whether a present pid leads its group. */
	void (*set_leader)(void *priv, int pid, bool leader);
	/* Bytes the backend holds for its own structure (not the tasks). */
	size_t (*mem_bytes)(void *priv);
	/*
	 * Optional: lookups are safe in an RCU read section against the
	 * write hooks; set_rcu() then tells the backend to free what a
	 * reader may hold only after a grace period (core_call_rcu).
	 */
	bool rcu_lookup;
	void (*set_rcu)(void *priv);
	/* Optional: allocator calls (malloc/calloc/realloc) made so far. */
	unsigned long (*alloc_calls)(void *priv);
	/*
	 * Optional (idr_preload): allocate ahead what an insert may need,
	 * called before pidmap_lock is taken while the store is concurrent.
	 * Context: no lock; races other preloads and the write hooks.
	 */
	void (*preload)(void *priv);
	/*
	 * Optional (a sharded backend): pids live in nr_shards parts whose
	 * write hooks touch nothing another part uses; shard_of() says whose
	 * a pid is, find_free_in() is find_free() within shard @i.  Then
	 * pidlock_shards gives every shard its own pidmap_lock and cursor.
	 */
	unsigned nr_shards;
	unsigned (*shard_of)(int pid);
	int (*find_free_in)(void *priv, unsigned i, int from, int to);
};

enum pid_lock_mode { PIDLOCK_TWICE, PIDLOCK_ONCE };

/*
 * pidmap_lock's measured use (only while pid_store.timing is set).  A hold
 * longer than PIDLOCK_PREEMPTED_NS means the holder lost its CPU (a user
 * thread can be preempted under the lock, a kernel spinlock holder cannot):
 * it is counted in ->preempted and left out of ->hold_ns.
 */
#define PIDLOCK_PREEMPTED_NS	50000
struct pid_lock_stats {
	unsigned long acquired;		/* lock holds */
	unsigned long allocs;		/* pids handed out */
	unsigned long preempted;	/* holds left out of hold_ns */
	uint64_t wait_ns, hold_ns;	/* summed */
	uint64_t max_wait_ns, max_hold_ns;
};

/* Pids allocated but not installed yet (a switch carries them over). */
struct pid_resv {
	int *v;
	int n, cap;
};

/*
 * One shard's pidmap_lock and what it guards (pidlock_shards): the shard's
 * own cyclic cursor and reserved pids, so that allocations in different
 * shards never meet.  Pids then come in order per shard, not globally.
 */
struct pid_shard {
	pthread_mutex_t lock;
	int last_pid;
	struct pid_resv reserved;
	struct pid_lock_stats stats;
};

struct pid_store {
	const struct pid_store_ops *ops;
	void *priv;
	/*
	 * Cursor: the last pid handed out.  With shards, the last any shard
	 * handed out (a relaxed atomic store; each shard has its own).
	 */
	int last_pid;
	int pid_max;		/* pids are < pid_max */
	_Atomic unsigned long nr_used;	/* reserved + present */
	struct pid_resv reserved;
	const struct kstat_hook *kstat;	/* accounting, or NULL (kernel_init sets it) */
	pthread_mutex_t pidmap_lock;	/* every field above; see LOCKING */
	pthread_rwlock_t read_lock;	/* non-RCU backends, while concurrent */
	enum pid_lock_mode lock_mode;
	bool concurrent;	/* lookups may run beside writers */
	bool timing;		/* measure pidmap_lock into ->stats */
	/*
	 * pidlock_shards asked for: a lock per shard of a backend that has
	 * shards (->shard, ->nr_shards; NULL and 0 otherwise, and the one
	 * pidmap_lock above serves).
	 */
	bool want_shards;
	struct pid_shard *shard;
	unsigned nr_shards;
	struct pid_lock_stats stats;	/* under pidmap_lock */
};

/* The registry: NULL-terminated, in the order --help lists them. */
extern const struct pid_store_ops *const pid_store_backends[];
const struct pid_store_ops *pid_store_find_ops(const char *name);

int pid_store_init(struct pid_store *s, const struct pid_store_ops *ops,
		   int pid_max);
void pid_store_destroy(struct pid_store *s);

/*
 * The dispatch below charges lookup, next, next_leader, alloc and free to
 * the accumulator s->kstat gives (core/kstat.h), when it gives one.
 *
 * alloc_pid's policy: the first free pid after last_pid, wrapping to
 * RESERVED_PIDS (or 1, before the first wrap) at pid_max.  The slot is
 * reserved; pid_store_install() publishes the task.  -EAGAIN when full.
 */
int pid_store_alloc(struct pid_store *s, int *pid);
/* -EAGAIN, with its reason (kerr.h): no pid below pid_max is free. */
int pid_store_exhausted(const struct pid_store *s);
/*
 * pidlock=once: alloc_pid and publish @t in one hold of pidmap_lock; sets
 * @t->pid (and @t->tgid if @leader) before @t is visible.  The caller keeps
 * @t hidden from find_task() until it is built (task->unattached).
 */
int pid_store_alloc_task(struct pid_store *s, struct task *t, bool leader);
/*
 * Reserve a given pid (restore).  -EEXIST if used, -EINVAL outside
 * 1..PID_MAX_LIMIT-1: pid_max bounds only new pids, and Linux lets it be
 * lowered below live ones, which a saved world then holds.
 */
int pid_store_alloc_at(struct pid_store *s, int pid);
void pid_store_install(struct pid_store *s, int pid, struct task *t);
/*
 * Move the cursor, as a write to /proc/sys/kernel/ns_last_pid does: the
 * next alloc hands out the first free pid after @last (CRIU's way to
 * fork a given pid; replay's too).  @last 0..PID_MAX_LIMIT-1.
 */
void pid_store_set_cursor(struct pid_store *s, int last);
void pid_store_free(struct pid_store *s, int pid);
struct task *pid_store_lookup(const struct pid_store *s, int pid);
int pid_store_next(const struct pid_store *s, int from, struct task **t);
int pid_store_next_leader(const struct pid_store *s, int from, struct task **t);
/* Move every entry into a store of another backend; the cursor is kept. */
int pid_store_switch(struct pid_store *s, const struct pid_store_ops *ops);
/*
 * A store kept aside: pid_store_park() builds one of @ops holding every
 * pid of @s, and pid_store_swap() exchanges it with @s's live one (so a
 * second swap puts things back).  It lets a benchmark measure every
 * backend on one world without rebuilding a store between runs
 * (procsim-replay).  A parked store does not follow allocs and frees: the
 * caller swaps it in only while no pid has come or gone since it was
 * parked; a changed pid count is refused (-ESTALE), other changes are not
 * seen.  -ENOMEM from park leaves @p empty.
 * Context: the world lock held for writing (park, swap).
 */
struct pid_store_parked {
	const struct pid_store_ops *ops;
	void *priv;
	unsigned long nr_used;	/* @s's when parked */
};
int pid_store_park(struct pid_store *s, const struct pid_store_ops *ops,
		   struct pid_store_parked *p);
int pid_store_swap(struct pid_store *s, struct pid_store_parked *p);
void pid_store_parked_free(struct pid_store_parked *p);
/*
 * From now on lookups may run beside writers (the kernel's converted fast
 * paths): RCU backends free after a grace period, the others lock reads.
 * Context: no other thread uses @s yet.
 */
void pid_store_set_concurrent(struct pid_store *s);
/*
 * pidlock_shards: from now on (and across switches) a backend with shards
 * gets a pidmap_lock per shard; an allocation takes the shard of the CPU
 * it runs on (sched_getcpu, as the kernel's per-CPU caches), then the
 * others in turn when that one is full.  -ENOMEM.
 * Context: no other thread uses @s yet.
 */
int pid_store_set_shards(struct pid_store *s);
/*
 * Bytes the backend holds (ops->mem_bytes), read under pidmap_lock (every
 * shard's in turn), as writers change the counts: a reader waits for at
 * most one hold.  Context: any.
 */
size_t pid_store_mem_bytes(const struct pid_store *s);
/* pidmap_lock's stats summed over every lock (the one, or the shards'). */
void pid_store_lock_stats(const struct pid_store *s, struct pid_lock_stats *out);
/* Allocator calls the backend made so far, or -1 when it cannot tell. */
long pid_store_alloc_calls(const struct pid_store *s);

#endif
