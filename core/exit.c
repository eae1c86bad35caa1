// SPDX-License-Identifier: MIT
/*
 * exit_group() and wait4(): kernel/exit.c.  A process that exits becomes a
 * zombie holding its wait status until its parent reaps it; its children
 * go to the nearest child subreaper or to init, and init reaps the orphaned
 * zombies it inherits by itself.
 */
#include <errno.h>
#include <limits.h>
#include "task_alloc.h"
#include "watchers.h"

/*
 * Who inherits @father's children: a live thread of its own group first
 * (exec's de_thread, a single thread's exit), then the nearest child
 * subreaper above it, then init.
 */
static struct task *find_new_reaper(struct kernel *k, struct task *father)
{
	struct task *p;

	if (!father->signal->group_exiting)
		list_for_each_entry(p, &father->signal->thread_head, thread_node)
			if (p != father)
				return p;

	for (p = father->group_leader->real_parent; p && p != k->init_task;
	     p = p->group_leader->real_parent)
		if (p->signal->is_child_subreaper && !p->signal->group_exiting)
			return p->group_leader;
	return k->init_task;
}

void forget_original_parent(struct kernel *k, struct task *father)
{
	struct task *reaper, *c, *n;

	if (list_empty(&father->children))
		return;
	reaper = find_new_reaper(k, father);
	list_for_each_entry_safe(c, n, &father->children, sibling) {
		struct task *th;

		/* Every thread of the child names its parent, not just the leader. */
		list_for_each_entry(th, &c->signal->thread_head, thread_node) {
			th->real_parent = reaper;
			if (th->parent == father)
				th->parent = reaper;
		}
		list_del_init(&c->sibling);
		if (c->state == EXIT_ZOMBIE && reaper == k->init_task) {
			release_task(k, c);
			continue;
		}
		list_add_tail(&c->sibling, &reaper->children);
		task_touch(k, c);
	}
}

int do_exit(struct kernel *k, int pid, int code)
{
	struct task *t = find_task(k, pid), *leader, *th, *n;
	struct signal_struct *sig;

	if (!t || t->state == EXIT_ZOMBIE || t->signal->group_exiting)
		return -ESRCH;
	leader = t->group_leader;
	if (leader == k->init_task || leader == k->kthreadd)
		return -EPERM;
	sig = leader->signal;
	sig->group_exiting = true;
	sig->group_exit_code = (code & 0xff) << 8;	/* as exit_group() masks it */
	list_for_each_entry(th, &sig->thread_head, thread_node)
		forget_original_parent(k, th);
	list_for_each_entry_safe(th, n, &sig->thread_head, thread_node) {
		if (th == leader)
			continue;
		leader->utime += th->utime;	/* the group keeps its threads' times */
		leader->stime += th->stime;
		watch_exit(k, th, sig->group_exit_code);
		release_task(k, th);
	}
	sig->nr_threads = 0;
	mmput(leader->mm);
	leader->mm = NULL;
	leader->wchan = NULL;
	leader->exit_code = sig->group_exit_code;
	leader->flags |= PF_EXITING;
	set_task_state(k, leader, EXIT_ZOMBIE);
	k->total_exits++;
	watch_exit(k, leader, sig->group_exit_code);
	/* kthreadd ignores SIGCHLD: its children are reaped at once. */
	if (leader->parent == k->kthreadd)
		release_task(k, leader);
	return 0;
}

static bool wait_eligible(const struct task *w, const struct task *c, int who)
{
	if (who > 0)
		return c->pid == who;
	if (who == -1)
		return true;
	if (who == 0)
		return c->signal->pgrp == w->signal->pgrp;
	return c->signal->pgrp == -who;
}

int do_wait(struct kernel *k, int pid, int who, int options, int *reaped,
	    int *status)
{
	struct task *w = find_task(k, pid), *th, *c;
	bool any = false;

	if (!w || w->state == EXIT_ZOMBIE || w->signal->group_exiting)
		return -ESRCH;
	if ((options & ~WNOHANG) || who == INT_MIN)
		return -EINVAL;
	/* The pre-5.13 walk: every thread of the group, every child of each. */
	list_for_each_entry(th, &w->signal->thread_head, thread_node) {
		list_for_each_entry(c, &th->children, sibling) {
			if (!wait_eligible(w, c, who))
				continue;
			any = true;
			if (c->state != EXIT_ZOMBIE)
				continue;
			*reaped = c->pid;
			*status = c->exit_code;
			w->signal->cutime += c->utime + c->signal->cutime;
			w->signal->cstime += c->stime + c->signal->cstime;
			release_task(k, c);
			task_touch(k, w);
			return 0;
		}
	}
	if (!any)
		return -ECHILD;
	if (!(options & WNOHANG))
		return -EAGAIN;
	*reaped = *status = 0;
	return 0;
}
