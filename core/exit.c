// SPDX-License-Identifier: MIT
/*
 * exit_group() and a single thread's exit: kernel/exit.c.  A process that
 * exits becomes a zombie holding its wait status until its parent (or
 * first its tracer) reaps it; its children go to a live thread of its
 * group, else the nearest child subreaper, else init, and init reaps the
 * orphaned zombies it inherits by itself.
 */
#include <errno.h>
#include "task_alloc.h"
#include "thread_stack.h"
#include "watchers.h"

/*
 * Who inherits @father's children: a live thread of its own group first
 * (exec's de_thread, a single thread's exit), then the nearest child
 * subreaper above it, then init.
 */
static bool thread_alive(const struct task *t)
{
	return t->state != EXIT_ZOMBIE && t->state != EXIT_DEAD &&
	       !(t->flags & PF_EXITING) && !t->signal->group_exiting;
}

struct task *find_alive_thread(struct task *t)
{
	struct task *p;

	list_for_each_entry(p, &t->signal->thread_head, thread_node)
		if (thread_alive(p))
			return p;
	return NULL;
}

static struct task *find_new_reaper(struct kernel *k, struct task *father)
{
	struct task *p, *th;

	list_for_each_entry(p, &father->signal->thread_head, thread_node)
		if (p != father && thread_alive(p))
			return p;

	for (p = father->group_leader->real_parent; p && p != k->init_task;
	     p = p->group_leader->real_parent)
		if (p->signal->is_child_subreaper && (th = find_alive_thread(p)))
			return th;
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
		/* A traced zombie is its tracer's until reaped or detached. */
		if (c->state == EXIT_ZOMBIE && !c->ptrace &&
		    c->signal->nr_threads == 0 && reaper == k->init_task) {
			release_task(k, c);
			continue;
		}
		list_add_tail(&c->sibling, &reaper->children);
		task_touch(k, c);
	}
}

/*
 * do_notify_parent for a group with no live thread: kthreadd ignores
 * SIGCHLD, so its children are reaped at once; a tracer holds a traced
 * zombie until it waits.
 */
void notify_parent_dead(struct kernel *k, struct task *leader)
{
	struct signal_struct *sig = leader->signal;

	sig->group_exiting = true;
	sig->flags = 0;
	sig->nr_threads = 0;
	k->total_exits++;
	task_touch(k, leader);
	if (!leader->ptrace && leader->parent == k->kthreadd)
		release_task(k, leader);
}

/* A leader's own exit: it stays, a zombie, with no mm (exit_mm). */
static void leader_exit(struct kernel *k, struct task *leader, int status)
{
	mmput(leader->mm);
	leader->mm = NULL;
	leader->wchan = NULL;
	leader->exit_code = status;
	leader->flags |= PF_EXITING;
	set_task_state(k, leader, EXIT_ZOMBIE);
}

void group_exit(struct kernel *k, struct task *leader, int status)
{
	struct signal_struct *sig = leader->signal;
	struct task *th, *n;

	sig->group_exiting = true;
	sig->group_exit_code = status;
	list_for_each_entry(th, &sig->thread_head, thread_node) {
		exit_ptrace(k, th);
		forget_original_parent(k, th);
	}
	list_for_each_entry_safe(th, n, &sig->thread_head, thread_node) {
		if (th == leader)
			continue;
		leader->utime += th->utime;	/* the group keeps its threads' times */
		leader->stime += th->stime;
		watch_exit(k, th, sig->group_exit_code);
		release_task(k, th);
	}
	leader_exit(k, leader, status);
	watch_exit(k, leader, status);
	notify_parent_dead(k, leader);
}

/* Userspace cannot end init or a kernel thread: -EPERM. */
static int cannot_exit(int pid)
{
	return kerr(-EPERM, "pid %d is init or a kernel thread, which cannot "
		    "exit", pid);
}

/* Context: k->lock, the RCU read section and tasklist_lock (writing) held. */
static int exit_group_locked(struct kernel *k, int pid, int status)
{
	struct task *t = find_task(k, pid), *leader;

	if (!t || t->state == EXIT_ZOMBIE || t->signal->group_exiting)
		return kerr_no_pid(pid);
	leader = t->group_leader;
	if (leader == k->init_task || task_is_kthread(leader))
		return cannot_exit(pid);
	group_exit(k, leader, status);
	return 0;
}

/* The whole exit under tasklist_lock, as exit_notify's part is in Linux. */
int do_exit_status(struct kernel *k, int pid, int status)
{
	int err;

	lockdep_assert_world_held(k);
	kernel_rcu_read_lock(k);
	pthread_rwlock_wrlock(&k->tasklist_lock);
	err = exit_group_locked(k, pid, status & 0xffff);
	pthread_rwlock_unlock(&k->tasklist_lock);
	kernel_rcu_read_unlock(k);
	return err;
}

/* Context: as do_exit_status(). */
int do_exit(struct kernel *k, int pid, int code)
{
	return do_exit_status(k, pid, (code & 0xff) << 8); /* as exit_group() masks it */
}

/* Context: as exit_group_locked(). */
static int exit_thread_locked(struct kernel *k, int tid, int code)
{
	struct task *t = find_task(k, tid), *leader;
	struct signal_struct *sig;

	if (!t || !thread_alive(t))
		return kerr_no_pid(tid);
	leader = t->group_leader;
	if (leader == k->init_task || task_is_kthread(leader))
		return cannot_exit(tid);
	sig = t->signal;
	if (sig->nr_threads == 1 && t == leader) {
		group_exit(k, leader, (code & 0xff) << 8);
		return 0;
	}
	exit_ptrace(k, t);
	t->flags |= PF_EXITING;		/* find_new_reaper skips us */
	forget_original_parent(k, t);
	sig->nr_threads--;
	if (t == leader) {
		/* delay_group_leader: a zombie until the group is empty */
		leader_exit(k, leader, (code & 0xff) << 8);
		watch_exit(k, leader, leader->exit_code);
		return 0;
	}
	leader->utime += t->utime;
	leader->stime += t->stime;
	watch_exit(k, t, (code & 0xff) << 8);
	release_task(k, t);
	task_touch(k, leader);		/* Threads: in status */
	if (!sig->nr_threads)		/* the last one: the group is reapable */
		notify_parent_dead(k, leader);
	return 0;
}

/*
 * A thread other than the leader leaves a stack (its mm's VMAs, so under
 * mmap_lock and tasklist_lock: mm_change_begin, THE LOCKING RULE).  The
 * checks are exit_thread_locked's, which then cannot fail: no other
 * command acts on this process meanwhile, and the thread's reference
 * keeps the mm.  RCU read section held.
 */
static void exit_thread_stack(struct kernel *k, int tid)
{
	struct task *t = find_task(k, tid);
	struct mm_struct *mm;

	if (!t || !thread_alive(t) || t == t->group_leader || !t->mm ||
	    t->group_leader == k->init_task || task_is_kthread(t->group_leader))
		return;
	mm = t->mm;
	mm_change_begin(k, mm);
	thread_stack_put(k, mm);	/* to glibc's cache, or unmapped */
	mm_change_end(k, mm);
}

int do_exit_thread(struct kernel *k, int tid, int code)
{
	int err;

	lockdep_assert_world_held(k);
	kernel_rcu_read_lock(k);
	exit_thread_stack(k, tid);
	pthread_rwlock_wrlock(&k->tasklist_lock);
	err = exit_thread_locked(k, tid, code);
	pthread_rwlock_unlock(&k->tasklist_lock);
	kernel_rcu_read_unlock(k);
	return err;
}
