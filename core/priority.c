// SPDX-License-Identifier: MIT
/*
 * getpriority(2)/setpriority(2) on nice values (kernel/sys.c): one thread
 * for PRIO_PROCESS, every thread of a process group or of a user for
 * PRIO_PGRP and PRIO_USER.  Nice is per thread, as on Linux; stat and ps
 * show the thread's own.
 */
#include <errno.h>
#include <sys/resource.h>
#include "task_alloc.h"

#define MIN_NICE	-20
#define MAX_NICE	19

/* set_one_prio_perm(): the caller's euid is the target's uid or euid. */
static bool may_renice(const struct task *t, const struct sender *as)
{
	return !as || as->priv || t->cred.uid == as->euid ||
	       t->cred.euid == as->euid;
}

/* set_one_prio(): @error is the result so far; returns the new one. */
static int set_one_prio(struct kernel *k, struct task *t, int niceval,
			const struct sender *as, int error)
{
	if (!may_renice(t, as))
		return kerr(-EPERM, "euid %u may not renice pid %d", as->euid,
			    t->pid);
	/* can_nice(): RLIMIT_NICE is 0 here, so lowering needs the cap. */
	if (niceval < t->nice && as && !as->priv)
		return kerr(-EACCES, "lowering nice to %d needs CAP_SYS_NICE",
			    niceval);
	t->nice = niceval;
	task_touch(k, t);
	return error == -ESRCH ? 0 : error;
}

/* -ESRCH for (@which, @who) that matched nothing, and why. */
int prio_no_match(int which, int who)
{
	static const char *const what[] = { "process", "process group", "user" };

	if (which < 0 || which > 2)
		return kerr(-EINVAL, "no such 'which' %d", which);
	return kerr(-ESRCH, "no %s %d", what[which], who);
}

/* Does @t match (@which, @who)?  Caller checked @which. */
static bool prio_match(const struct task *t, int which, int who)
{
	if (which == PRIO_PGRP)
		return t->group_leader->signal->pgrp == who;
	return t->cred.uid == (unsigned int)who;
}

/*
 * Call @fn on every thread (@which PRIO_PGRP or PRIO_USER) matching @who,
 * group by group in pid order.  @fn must not free tasks.
 */
#define for_each_prio_task(k, which, who, t, leader, pid)			\
	for (pid = next_tgid(k, 1, &leader); pid > 0;				\
	     pid = next_tgid(k, pid + 1, &leader))				\
		list_for_each_entry(t, &leader->signal->thread_head, thread_node) \
			if (prio_match(t, which, who))

int do_setpriority(struct kernel *k, int which, int who, int niceval,
		   const struct sender *as)
{
	struct task *t, *leader;
	int pid, error = -ESRCH;

	lockdep_assert_world_held(k);
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return prio_no_match(which, who);
	niceval = niceval < MIN_NICE ? MIN_NICE :
		  niceval > MAX_NICE ? MAX_NICE : niceval;
	if (which == PRIO_PROCESS) {
		t = who > 0 ? find_task(k, who) : NULL;
		return t ? set_one_prio(k, t, niceval, as, error) :
		       prio_no_match(which, who);
	}
	for_each_prio_task(k, which, who, t, leader, pid)
		error = set_one_prio(k, t, niceval, as, error);
	return error == -ESRCH ? prio_no_match(which, who) : error;
}

int do_getpriority(struct kernel *k, int which, int who, int *prio)
{
	struct task *t, *leader;
	int pid, best = 0;

	lockdep_assert_world_held(k);
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return prio_no_match(which, who);
	if (which == PRIO_PROCESS) {
		t = who > 0 ? find_task(k, who) : NULL;
		if (t)
			best = 20 - t->nice;
	} else {
		for_each_prio_task(k, which, who, t, leader, pid)
			if (20 - t->nice > best)
				best = 20 - t->nice;
	}
	if (!best)
		return prio_no_match(which, who);
	*prio = best;
	return 0;
}
