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

int do_fork(struct kernel *k, int ppid, int count, int *pids)
{
	struct task *parent = find_task(k, ppid), *child;
	uint64_t gen = k->gen;
	int i, err = 0;

	if (!task_alive(parent))
		return -ESRCH;
	if (count < 1)
		return -EINVAL;
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
	k->gen = gen;		/* no surviving task changed */
	return err;
}

int do_clone_thread(struct kernel *k, int pid, int *tid)
{
	struct task *cur = find_task(k, pid), *t;
	uint64_t gen = k->gen;
	int err;

	if (!task_alive(cur))
		return -ESRCH;
	if (task_is_kthread(cur))
		return -EINVAL;		/* kernel threads have no user threads */
	err = copy_process(k, cur, CLONE_VM | CLONE_THREAD, &t);
	if (err)
		return err;
	err = thread_stack_get(k, t->mm);
	if (err) {
		/* All or nothing: the thread goes again, its watchers undone. */
		watch_fork_undo(k, cur, t);
		t->signal->nr_threads--;
		release_task(k, t);
		k->gen = gen;
		return err;
	}
	/* A thread born into a group stop is stopped too. */
	if (t->signal->flags & SIGNAL_STOP_STOPPED)
		set_task_state(k, t, TASK_STOPPED);
	*tid = t->pid;
	return 0;
}
