// SPDX-License-Identifier: MIT
/* Building and freeing tasks: copy_process and release_task. */
#include <errno.h>
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

int copy_process(struct kernel *k, struct task *cur, unsigned long clone_flags,
		 struct task **out)
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
	p->start_time = kernel_now(k);
	if (thread) {
		p->signal = cur->signal;
		p->group_leader = cur->group_leader;
		p->mm = cur->mm;
		p->real_parent = p->parent = cur->group_leader->real_parent;
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
			if (p->mm)
				p->mm->users++;
		} else if (cur->mm && !(p->mm = dup_mm(cur->mm))) {
			goto free_signal;
		}
		p->flags |= PF_FORKNOEXEC;
		p->real_parent = p->parent = cur;
		p->exit_signal = SIGCHLD;
	}
	err = pid_store_alloc(&k->pids, &p->pid);
	if (err)
		goto free_mm;
	p->tgid = thread ? cur->tgid : p->pid;
	/* Task watchers: the last fallible step; a failure undid its own. */
	err = watch_fork(k, cur, p);
	if (err)
		goto free_pid;
	/* Nothing can fail from here on: link the task in, then publish it. */
	if (thread) {
		if (p->mm)
			p->mm->users++;
		list_add_tail(&p->thread_node, &p->signal->thread_head);
		p->signal->nr_threads++;
		task_touch(k, p->group_leader);
	} else {
		list_add_tail(&p->sibling, &cur->children);
		k->nr_processes++;
	}
	k->nr_tasks++;
	task_log_born(k, p);
	task_touch(k, p);
	pid_store_install(&k->pids, p->pid, p);
	*out = p;
	return 0;
free_pid:
	pid_store_free(&k->pids, p->pid);
free_mm:
	if (!thread)
		mmput(p->mm);
free_signal:
	if (!thread)
		signal_free(p->signal);
free_task:
	free(p);
	return err;
}

void release_task(struct kernel *k, struct task *t)
{
	bool leader = thread_group_leader(t);

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
	if (leader)
		signal_free(t->signal);
	k->gen++;
	free(t);
}
