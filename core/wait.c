// SPDX-License-Identifier: MIT
/*
 * wait4/waitid (kernel/exit.c): what one candidate task has to report,
 * shared by both strategies, and the entry point that picks a strategy.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "registry.h"
#include "task_alloc.h"

#define WAIT_OPTIONS	(WNOHANG | WUNTRACED | WCONTINUED | WNOWAIT | \
			 WEXITED | __WNOTHREAD | __WALL | __WCLONE)

const struct wait_strategy *const wait_strategies[] = {
	&wait_lookup, &wait_scan, NULL,
};

const struct wait_strategy *wait_find_strategy(const char *name)
{
	return REGISTRY_FIND(wait_strategies, name);
}

/* eligible_pid + eligible_child: WHO, and __WCLONE/__WALL for non-tracees. */
static bool eligible_child(const struct wait_opts *wo, bool ptrace,
			   const struct task *p)
{
	int who = wo->who;

	if (who > 0 ? p->pid != who :
	    who == 0 ? p->signal->pgrp != wo->waiter->signal->pgrp :
	    who < -1 ? p->signal->pgrp != -who : false)
		return false;
	if (ptrace || (wo->options & __WALL))
		return true;
	return (p->exit_signal != SIGCHLD) == !!(wo->options & __WCLONE);
}

/* The tracer is not in the real parent's group (ptrace_reparented). */
static bool ptrace_reparented(const struct task *p)
{
	return p->parent->signal != p->real_parent->signal;
}

/* A leader whose threads still live cannot be reaped (delay_group_leader). */
static bool delay_group_leader(const struct task *p)
{
	return thread_group_leader(p) && p->signal->nr_threads > 0;
}

static int report(struct wait_opts *wo, const struct task *p, int status)
{
	wo->reaped = p->pid;
	wo->status = status;
	return 1;
}

/*
 * wait_task_zombie: the real parent reaps; a tracer that is not the real
 * parent takes the status, then the zombie goes back to its real parent
 * (EXIT_TRACE), which reaps it in turn (kthreadd at once).
 */
static int wait_task_zombie(struct wait_opts *wo, struct task *p)
{
	struct kernel *k = wo->k;
	struct signal_struct *ws = wo->waiter->signal;

	report(wo, p, p->exit_code);
	if (wo->options & WNOWAIT)
		return 1;
	if (p->ptrace && ptrace_reparented(p)) {
		ptrace_unlink(k, p);
		if (p->real_parent == k->kthreadd)
			release_task(k, p);
		return 1;
	}
	ws->cutime += p->utime + p->signal->cutime;
	ws->cstime += p->stime + p->signal->cstime;
	release_task(k, p);
	task_touch(k, wo->waiter->group_leader);
	return 1;
}

/*
 * wait_task_stopped: a tracer sees its tracee's tracing stop without
 * WUNTRACED; others see the group stop once, with WUNTRACED.
 */
static int wait_task_stopped(struct wait_opts *wo, bool ptrace, struct task *p)
{
	int *code;

	if (!ptrace && !(wo->options & WUNTRACED))
		return 0;
	if (ptrace)
		code = p->state == TASK_TRACED ? &p->ptrace_code : NULL;
	else
		code = (p->signal->flags & SIGNAL_STOP_STOPPED) ?
		       &p->signal->group_stop_code : NULL;
	if (!code || !*code)
		return 0;
	report(wo, p, (*code << 8) | 0x7f);
	if (!(wo->options & WNOWAIT))
		*code = 0;
	return 1;
}

static int wait_task_continued(struct wait_opts *wo, struct task *p)
{
	if (!(wo->options & WCONTINUED) ||
	    !(p->signal->flags & SIGNAL_STOP_CONTINUED))
		return 0;
	if (!(wo->options & WNOWAIT))
		p->signal->flags &= ~SIGNAL_STOP_CONTINUED;
	return report(wo, p, 0xffff);
}

int wait_consider_task(struct wait_opts *wo, bool ptrace, struct task *p)
{
	int ret;

	if (!eligible_child(wo, ptrace, p))
		return 0;
	/* Traced by the real parent's own group: one report, as the tracer. */
	if (!ptrace && p->ptrace && !ptrace_reparented(p))
		ptrace = true;
	if (p->state == EXIT_ZOMBIE) {
		/* A traced zombie shows only to its tracer. */
		if (!delay_group_leader(p) && (ptrace || !p->ptrace))
			return wait_task_zombie(wo, p);
	}
	wo->notask_error = 0;	/* alive, or a zombie to come: wait on */
	ret = wait_task_stopped(wo, ptrace, p);
	if (ret)
		return ret;
	return wait_task_continued(wo, p);
}

static int wait_one_thread(struct wait_opts *wo, struct task *tsk)
{
	struct task *p, *n;
	int ret;

	list_for_each_entry_safe(p, n, &tsk->children, sibling)
		if ((ret = wait_consider_task(wo, false, p)))
			return ret;
	list_for_each_entry_safe(p, n, &tsk->ptraced, ptrace_entry)
		if ((ret = wait_consider_task(wo, true, p)))
			return ret;
	return 0;
}

int wait_scan_group(struct wait_opts *wo)
{
	struct task *th;
	int ret;

	if (wo->options & __WNOTHREAD)
		return wait_one_thread(wo, wo->waiter);
	list_for_each_entry(th, &wo->waiter->signal->thread_head, thread_node)
		if ((ret = wait_one_thread(wo, th)))
			return ret;
	return 0;
}

/* wait's -ECHILD (or the strategy's other error), and why. */
static int no_child(const struct task *w, int who, int err)
{
	if (err != -ECHILD)
		return err;
	if (who == -1)
		return kerr(err, "pid %d has no children", w->pid);
	if (who <= 0)
		return kerr(err, "pid %d has no children in process group %d",
			    w->pid, who ? -who : w->signal->pgrp);
	return kerr(err, "pid %d has no child %d", w->pid, who);
}

/* Context: k->lock, the RCU read section and tasklist_lock (writing) held. */
static int wait_locked(struct kernel *k, int pid, int who, int options,
		       int *reaped, int *status)
{
	struct task *w = find_task(k, pid);
	struct wait_opts wo;
	struct kstat *ks;
	uint64_t t0;
	int found;

	if (!w || w->state == EXIT_ZOMBIE || w->signal->group_exiting ||
	    (w->flags & PF_EXITING))
		return kerr_no_pid(pid);
	if (options & ~WAIT_OPTIONS)
		return kerr(-EINVAL, "unknown options 0x%x",
			    options & ~WAIT_OPTIONS);
	if (who == INT_MIN)	/* -INT_MIN is not defined: kernel_wait4 */
		return kerr(-ESRCH, "no process group %d", who);
	wo = (struct wait_opts){
		.k = k, .waiter = w, .who = who, .options = options | WEXITED,
		.notask_error = -ECHILD,
	};
	ks = kstat_begin(k->kstat, &t0);
	found = k->wait->wait(&wo);
	kstat_end(ks, KSTAT_WAIT, t0);
	if (found) {
		*reaped = wo.reaped;
		*status = wo.status;
		return 0;
	}
	if (wo.notask_error)
		return no_child(w, who, wo.notask_error);
	if (!(options & WNOHANG))	/* nothing runs to wake a sleeper */
		return who > 0 ? kerr(-EAGAIN, "child %d of pid %d has not "
				      "exited", who, pid) :
		       kerr(-EAGAIN, "no child of pid %d has exited", pid);
	*reaped = *status = 0;
	return 0;
}

/* Scan and reap under tasklist_lock held for writing (it may release). */
int do_wait(struct kernel *k, int pid, int who, int options, int *reaped,
	    int *status)
{
	int err;

	lockdep_assert_world_held(k);
	kernel_rcu_read_lock(k);
	pthread_rwlock_wrlock(&k->tasklist_lock);
	err = wait_locked(k, pid, who, options, reaped, status);
	pthread_rwlock_unlock(&k->tasklist_lock);
	kernel_rcu_read_unlock(k);
	return err;
}
