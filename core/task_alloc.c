// SPDX-License-Identifier: MIT
/* Building and freeing tasks: copy_process and release_task. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "task_alloc.h"
#include "watchers.h"

struct task *alloc_task(void)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	INIT_LIST_HEAD(&t->children);
	INIT_LIST_HEAD(&t->sibling);
	INIT_LIST_HEAD(&t->thread_node);
	INIT_LIST_HEAD(&t->ptraced);
	INIT_LIST_HEAD(&t->ptrace_entry);
	t->state = TASK_INTERRUPTIBLE;
	return t;
}

void signal_free(struct signal_struct *sig)
{
	if (sig)
		free(sig->rlim);
	free(sig);
}

int init_signal(struct task *t)
{
	struct signal_struct *sig = calloc(1, sizeof(*sig));

	if (!sig)
		return -ENOMEM;
	INIT_LIST_HEAD(&sig->thread_head);
	list_add_tail(&t->thread_node, &sig->thread_head);
	sig->nr_threads = 1;
	t->signal = sig;
	t->group_leader = t;
	return 0;
}

void set_task_state(struct kernel *k, struct task *t, char state)
{
	if (t->state == TASK_RUNNING)
		k->nr_running--;
	if (t->state == TASK_UNINTERRUPTIBLE)
		k->nr_blocked--;
	if (state == TASK_RUNNING)
		k->nr_running++;
	if (state == TASK_UNINTERRUPTIBLE)
		k->nr_blocked++;
	t->state = state;
	task_touch(k, t);
}

void set_task_comm(struct task *t, const char *name)
{
	strncpy(t->comm, name, TASK_COMM_LEN - 1);
	t->comm[TASK_COMM_LEN - 1] = '\0';
}

/* fork's copy of the parent's VMAs.  Context: old->mmap_lock held. */
static struct mm_struct *dup_mm_locked(struct mm_struct *old)
{
	struct mm_struct *mm;

	pthread_mutex_lock(&old->mmap_lock);
	mm = dup_mm(old);
	pthread_mutex_unlock(&old->mmap_lock);
	return mm;
}

/* alloc_pid: one hold of pidmap_lock (once) or two (twice). */
static int alloc_pid(struct kernel *k, struct task *p, bool leader)
{
	int err;

	if (k->pids.lock_mode == PIDLOCK_ONCE)
		return pid_store_alloc_task(&k->pids, p, leader);
	err = pid_store_alloc(&k->pids, &p->pid);
	if (err)
		return err;
	if (leader)
		p->tgid = p->pid;
	pid_store_install(&k->pids, p->pid, p);	/* idr_replace */
	return 0;
}

/* Whether @cur may still clone: checked again under tasklist_lock. */
static bool can_clone(const struct task *cur)
{
	return cur->state != EXIT_ZOMBIE && cur->state != EXIT_DEAD &&
	       !(cur->flags & PF_EXITING) && !cur->signal->group_exiting;
}

/*
 * Context: k->lock held; under it for reading, the caller is in an RCU
 * read section (@cur stays valid).  Takes pidmap_lock, then tasklist_lock.
 */
int copy_process(struct kernel *k, struct task *cur, unsigned long clone_flags,
		 struct task **out)
{
	return copy_process_at(k, cur, clone_flags, kernel_now(k), out);
}

int copy_process_at(struct kernel *k, struct task *cur, unsigned long clone_flags,
		    unsigned long long start_time, struct task **out)
{
	bool thread = clone_flags & CLONE_THREAD;
	struct task *p = alloc_task();
	int err = -ENOMEM;

	if (!p)
		return -ENOMEM;
	memcpy(p->comm, cur->comm, sizeof(p->comm));
	p->cred = cur->cred;
	p->nice = cur->nice;
	p->policy = cur->policy;		/* no SCHED_RESET_ON_FORK */
	p->rt_priority = cur->rt_priority;
	p->ioprio = cur->ioprio;
	p->cpus_excluded = cur->cpus_excluded;
	p->cpu = cur->cpu;
	p->wchan = cur->wchan;
	p->flags = cur->flags & (PF_KTHREAD | PF_NOFREEZE | PF_RANDOMIZE);
	p->start_time = start_time;
	p->unattached = true;		/* until attach_pid below */
	if (thread) {
		p->signal = cur->signal;
		p->group_leader = cur->group_leader;
		p->mm = cur->mm;
		p->tgid = cur->tgid;
		p->exit_signal = -1;
	} else {
		if (init_signal(p))
			goto free_task;
		p->signal->pgrp = cur->signal->pgrp;
		p->signal->session = cur->signal->session;
		p->signal->tty_nr = cur->signal->tty_nr;
		p->signal->tpgid = cur->signal->tpgid;
		if (cur->signal->rlim &&	/* copy_signal(): limits inherited */
		    !(p->signal->rlim = rlimit_dup(cur->signal->rlim)))
			goto free_signal;
		if (clone_flags & CLONE_VM) {
			/* vfork: the child borrows the mm until it execs. */
			p->mm = cur->mm;
		} else if (cur->mm && !(p->mm = dup_mm_locked(cur->mm))) {
			goto free_signal;
		}
		p->flags |= PF_FORKNOEXEC;
		p->exit_signal = SIGCHLD;
	}
	err = alloc_pid(k, p, !thread);
	if (err)
		goto free_mm;
	pthread_rwlock_wrlock(&k->tasklist_lock);
	if (!can_clone(cur) && k->concurrent) {	/* it exited meanwhile */
		err = kerr_no_pid(cur->pid);
		goto unlock;
	}
	if (thread)
		p->real_parent = p->parent = cur->group_leader->real_parent;
	else
		p->real_parent = p->parent = cur;
	/* Task watchers: the last fallible step; a failure undid its own. */
	err = watch_fork(k, cur, p);
	if (err)
		goto unlock;
	/* Nothing can fail from here on: link the task in, then attach it. */
	if (thread) {
		if (p->mm)
			p->mm->users++;
		list_add_tail(&p->thread_node, &p->signal->thread_head);
		p->signal->nr_threads++;
		task_touch(k, p->group_leader);
		/* A thread born into a group stop is stopped too. */
		if (p->signal->flags & SIGNAL_STOP_STOPPED)
			set_task_state(k, p, TASK_STOPPED);
	} else {
		if ((clone_flags & CLONE_VM) && p->mm)
			p->mm->users++;
		list_add_tail(&p->sibling, &cur->children);
		k->nr_processes++;
		if (p->signal->tty_nr)
			k->tty_gen++;
	}
	k->nr_tasks++;
	task_log_born(k, p);
	task_touch(k, p);
	__atomic_store_n(&p->unattached, false, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&k->tasklist_lock);
	*out = p;
	return 0;
unlock:
	pthread_rwlock_unlock(&k->tasklist_lock);
	pid_store_free(&k->pids, p->pid);
free_mm:
	if (!thread && !(clone_flags & CLONE_VM))
		mmput(p->mm);
free_signal:
	if (!thread)
		signal_free(p->signal);
free_task:
	free(p);
	return err;
}

static void free_task_rcu(struct core_rcu_head *head)
{
	struct task *t = (struct task *)((char *)head -
					 offsetof(struct task, rcu));

	core_rcu_callback_begin();
	if (thread_group_leader(t))
		signal_free(t->signal);
	free(t);
}

/*
 * Context: tasklist_lock held for writing (or the world lock for writing).
 * Takes pidmap_lock to free the pid.
 */
void release_task(struct kernel *k, struct task *t)
{
	bool leader = thread_group_leader(t);

	if (leader && t->signal->tty_nr)
		k->tty_gen++;
	task_log_gone(k, t);
	list_del_init(&t->sibling);
	list_del_init(&t->thread_node);
	list_del_init(&t->ptrace_entry);	/* __ptrace_unlink */
	pid_store_free(&k->pids, t->pid);
	k->nr_tasks--;
	if (leader)
		k->nr_processes--;
	if (t->state == TASK_RUNNING)
		k->nr_running--;
	if (t->state == TASK_UNINTERRUPTIBLE)
		k->nr_blocked--;
	mmput(t->mm);
	t->mm = NULL;
	k->gen++;
	if (k->concurrent) {	/* a reader may still hold it: delayed_put_task_struct */
		core_call_rcu(&t->rcu, free_task_rcu);
		return;
	}
	if (leader)
		signal_free(t->signal);
	free(t);
}

int parent_cycle(struct kernel *k)
{
	struct task *t, *p;
	int pid, bad = 0;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		t->gen = 0;
	/* 1: on the walk now; 2: known to reach the top. */
	for (pid = pid_store_next(&k->pids, 0, &t); !bad && pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		for (p = t; p && p->gen == 0; p = p->real_parent)
			p->gen = 1;
		if (p && p->gen == 1)
			bad = t->pid;
		for (p = t; p && p->gen == 1; p = p->real_parent)
			p->gen = 2;
	}
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		t->gen = k->gen;
	return bad;
}
