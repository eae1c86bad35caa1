// SPDX-License-Identifier: MIT
/* fork() and clone(CLONE_THREAD): kernel/fork.c's entry points. */
#include <errno.h>
#include <stdlib.h>
#include "task_alloc.h"
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

int do_fork(struct kernel *k, int ppid, int count, int *pids)
{
	struct task *parent = find_task(k, ppid), *child;
	struct world_mark mark = world_mark(k);
	int i, err = 0;

	if (!task_alive(parent))
		return -ESRCH;
	if (count < 1)
		return -EINVAL;
	/*
	 * Fail fast what must fail: more children than pids 1..pid_max-1
	 * left free would build (and take back) them all under the lock.
	 */
	if ((unsigned long)count > fork_room(k))
		return -EAGAIN;
	for (i = 0; i < count; i++) {
		err = copy_process(k, parent, 0, &child);
		if (err)
			break;
		pids[i] = child->pid;
	}
	if (!err)
		return 0;
	/* All or nothing: take back the children made so far. */
	while (i--) {
		child = find_task(k, pids[i]);
		watch_fork_undo(k, parent, child);
		release_task(k, child);
	}
	world_rollback(k, mark);	/* the cursor too: no pid was used */
	return err;
}

/*
 * NPTL's allocate_stack: an 8 MiB anonymous stack, its lowest page made
 * PROT_NONE as the guard, so two VMAs per thread.  Checked up front, so
 * the mprotect cannot fail for map_count once the mmap is done.
 */
static int map_thread_stack(struct kernel *k, struct mm_struct *mm)
{
	unsigned long addr;
	int err;

	if (mm->map_count + 2 > k->max_map_count)
		return -ENOMEM;
	err = mm_mmap(mm, 0, THREAD_STACK_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, NULL, 0, 0, 0, 0,
		      k->max_map_count, &addr);
	if (err)
		return err;
	err = mm_mprotect(mm, addr, PAGE_SIZE, PROT_NONE, k->max_map_count);
	if (err)
		mm_munmap(mm, addr, THREAD_STACK_SIZE, k->max_map_count);
	return err;
}

int do_clone_thread(struct kernel *k, int pid, int *tid)
{
	struct task *cur = find_task(k, pid), *t;
	struct world_mark mark = world_mark(k);
	int err;

	if (!task_alive(cur))
		return -ESRCH;
	if (task_is_kthread(cur))
		return -EINVAL;		/* kernel threads have no user threads */
	err = copy_process(k, cur, CLONE_VM | CLONE_THREAD, &t);
	if (err) {
		world_rollback(k, mark);
		return err;
	}
	err = map_thread_stack(k, t->mm);
	if (err) {
		/* All or nothing: the thread goes again, its watchers undone. */
		watch_fork_undo(k, cur, t);
		t->signal->nr_threads--;
		release_task(k, t);
		world_rollback(k, mark);
		return err;
	}
	/* A thread born into a group stop is stopped too. */
	if (t->signal->flags & SIGNAL_STOP_STOPPED)
		set_task_state(k, t, TASK_STOPPED);
	*tid = t->pid;
	return 0;
}
