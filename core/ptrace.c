// SPDX-License-Identifier: MIT
/*
 * ptrace attach and detach (kernel/ptrace.c): a tracee's ->parent is its
 * tracer, which waits for it as for a child; the real parent keeps
 * ->real_parent and gets the exit status after the tracer.
 */
#include <errno.h>
#include "task_alloc.h"

/* A traced task in a group stop sits in a tracing stop, 't'. */
static void ptrace_link(struct kernel *k, struct task *t, struct task *tracer)
{
	t->ptrace = true;
	t->parent = tracer;
	list_add_tail(&t->ptrace_entry, &tracer->ptraced);
	if (t->state == TASK_STOPPED) {
		t->ptrace_code = t->signal->group_stop_code;
		set_task_state(k, t, TASK_TRACED);
	}
	task_touch(k, t);
}

void ptrace_unlink(struct kernel *k, struct task *t)
{
	t->ptrace = false;
	t->ptrace_code = 0;
	t->parent = t->real_parent;
	list_del_init(&t->ptrace_entry);
	if (t->state == TASK_TRACED)	/* back in the group stop */
		set_task_state(k, t, TASK_STOPPED);
	task_touch(k, t);
}

/*
 * exit_ptrace/__ptrace_detach: a live tracee just loses its tracer; a
 * zombie one goes back to its real parent as a zombie, unless that
 * parent ignores SIGCHLD (kthreadd) or is the tracer's own group, whose
 * exit hands it on to a reaper next (forget_original_parent).
 */
void exit_ptrace(struct kernel *k, struct task *tracer)
{
	struct task *t, *n;

	list_for_each_entry_safe(t, n, &tracer->ptraced, ptrace_entry) {
		ptrace_unlink(k, t);
		if (t->state == EXIT_ZOMBIE && !t->signal->nr_threads &&
		    t->real_parent == k->kthreadd)
			release_task(k, t);
	}
}

int ptrace_attach(struct kernel *k, int pid, int tracer_pid)
{
	struct task *t = find_task(k, pid), *tracer = find_task(k, tracer_pid);

	lockdep_assert_world_held(k);
	if (!t)
		return kerr_no_pid(pid);
	if (!tracer || tracer->state == EXIT_ZOMBIE ||
	    tracer->signal->group_exiting || (tracer->flags & PF_EXITING))
		return kerr(-ESRCH, "no live tracer with pid %d", tracer_pid);
	if (t->ptrace)
		return kerr(-EPERM, "pid %d is already traced", pid);
	if (t->state == EXIT_ZOMBIE || t->group_leader == k->init_task ||
	    task_is_kthread(t) ||
	    task_is_kthread(tracer) || t->signal == tracer->signal ||
	    !thread_group_leader(t))
		return kerr(-EPERM, "pid %d cannot be traced by %d (init, a "
			    "kernel thread, a zombie, a non-leader thread or "
			    "the tracer's own process)", pid, tracer_pid);
	ptrace_link(k, t, tracer);
	return 0;
}

int ptrace_detach(struct kernel *k, int pid)
{
	struct task *t = find_task(k, pid);

	lockdep_assert_world_held(k);
	if (!t || !t->ptrace || t->state == EXIT_ZOMBIE)
		return kerr(-ESRCH, "pid %d is not traced", pid);
	ptrace_unlink(k, t);
	return 0;
}
