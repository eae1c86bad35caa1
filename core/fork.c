// SPDX-License-Identifier: MIT
/* fork() and clone(CLONE_THREAD): kernel/fork.c's entry points. */
#include <errno.h>
#include <stdlib.h>
#include "task_alloc.h"
#include "thread_stack.h"
#include "watchers.h"

static bool task_alive(const struct task *t)
{
	return t && t->state != EXIT_ZOMBIE && t->state != EXIT_DEAD &&
	       !t->signal->group_exiting;
}

/*
 * An upper bound on the pids alloc_pid can still hand out: every pid in
 * 1..pid_max-1 not in use (pids at or above a lowered pid_max do not count).
 */
static unsigned long fork_room(const struct kernel *k)
{
	const struct pid_store *s = &k->pids;
	unsigned long above = 0;
	struct task *t;
	int pid;

	for (pid = pid_store_next(s, s->pid_max, &t); pid >= 0;
	     pid = pid_store_next(s, pid + 1, &t))
		above++;
	return (unsigned long)(s->pid_max - 1) - (s->nr_used - above);
}

/*
 * world_mark and world_rollback for an undone fork or clone, unless
 * concurrent: then other threads move the cursor (under pidmap_lock), rng
 * and gen too, and the undo only takes back its own tasks.
 */
static struct world_mark take_marks(const struct kernel *k)
{
	return k->concurrent ? (struct world_mark){ 0 } : world_mark(k);
}

static void undo_marks(struct kernel *k, struct world_mark mark)
{
	if (!k->concurrent)
		world_rollback(k, mark);
}

/* Take back a child copy_process made (all-or-nothing undo). */
static void undo_child(struct kernel *k, struct task *cur, struct task *child)
{
	pthread_rwlock_wrlock(&k->tasklist_lock);
	watch_fork_undo(k, cur, child);
	if (!thread_group_leader(child))
		child->signal->nr_threads--;
	release_task(k, child);
	pthread_rwlock_unlock(&k->tasklist_lock);
}

int do_fork(struct kernel *k, int ppid, int count, int *pids)
{
	struct task *parent, *child;
	struct world_mark mark = take_marks(k);
	int i, err = 0;

	lockdep_assert_world_held(k);
	kernel_rcu_read_lock(k);
	parent = find_task(k, ppid);
	if (!task_alive(parent)) {
		err = kerr_no_pid(ppid);
		goto out;
	}
	if (count < 1) {
		err = kerr(-EINVAL, "cannot fork %d children", count);
		goto out;
	}
	/*
	 * Fail fast what must fail: more children than pids 1..pid_max-1
	 * left free would build (and take back) them all under the lock.
	 * (Counted under the world lock held for writing only: concurrent
	 * forks would race the count, and alloc_pid says -EAGAIN anyway.)
	 */
	if (!k->concurrent && (unsigned long)count > fork_room(k)) {
		err = pid_store_exhausted(&k->pids);
		goto out;
	}
	for (i = 0; i < count; i++) {
		err = copy_process(k, parent, 0, &child);
		if (err)
			break;
		pids[i] = child->pid;
	}
	if (!err)
		goto out;
	/* All or nothing: take back the children made so far. */
#ifdef PROCSIM_MUTATE_no_fork_rollback	/* test hook: see tools/test */
	i = 0;
#endif
	while (i--)
		undo_child(k, parent, find_task(k, pids[i]));
	undo_marks(k, mark);	/* the cursor too: no pid was used */
out:
	kernel_rcu_read_unlock(k);
	return err;
}

static int clone_thread(struct kernel *k, int pid, bool stack, int *tid)
{
	struct task *cur, *t;
	struct world_mark mark = take_marks(k);
	int err;

	kernel_rcu_read_lock(k);
	cur = find_task(k, pid);
	if (!task_alive(cur)) {
		err = kerr_no_pid(pid);
		goto out;
	}
	if (task_is_kthread(cur)) {	/* no user threads */
		err = kerr(-EINVAL, "pid %d is a kernel thread", pid);
		goto out;
	}
	err = copy_process(k, cur, CLONE_VM | CLONE_THREAD, &t);
	if (err) {
		undo_marks(k, mark);
		goto out;
	}
	if (stack) {
		mm_change_begin(k, t->mm);
		err = thread_stack_get(k, t->mm);	/* glibc's cache first */
		mm_change_end(k, t->mm);
	}
	if (err) {
		/* All or nothing: the thread goes again, its watchers undone. */
		undo_child(k, cur, t);
		undo_marks(k, mark);
		goto out;
	}
	*tid = t->pid;
out:
	kernel_rcu_read_unlock(k);
	return err;
}

int do_clone_thread(struct kernel *k, int pid, int *tid)
{
	lockdep_assert_world_held(k);
	return clone_thread(k, pid, true, tid);
}

int do_clone(struct kernel *k, int pid, int *tid)
{
	lockdep_assert_world_held(k);
	return clone_thread(k, pid, false, tid);
}
