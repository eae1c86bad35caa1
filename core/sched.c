// SPDX-License-Identifier: MIT
/*
 * Per-task scheduling attributes beyond nice (kernel/sched/syscalls.c,
 * block/ioprio.c): the CPU affinity mask, the scheduling policy with its
 * real-time priority, and the io priority.  Each is per thread, as on
 * Linux, inherited at fork, and checked against a sender's ids.
 */
#include <errno.h>
#include <sched.h>
#include "task_alloc.h"

#define MAX_RT_PRIO		100
#define IOPRIO_CLASS_SHIFT	13
#define IOPRIO_NR_LEVELS	8
enum { IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE };
enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER };

/* check_same_owner(): the sender's euid is the target's uid or euid. */
static bool same_owner(const struct task *t, const struct sender *as)
{
	return !as || as->priv || t->cred.uid == as->euid ||
	       t->cred.euid == as->euid;
}

static int not_owner(const struct task *t, const struct sender *as)
{
	return kerr(-EPERM, "euid %u may not change pid %d without "
		    "CAP_SYS_NICE", as->euid, t->pid);
}

/* The CPUs the simulation has, within the mask's 64 bits. */
static uint64_t online_mask(const struct kernel *k)
{
	return k->nr_cpus >= 64 ? ~0ULL : (1ULL << k->nr_cpus) - 1;
}

int do_sched_setaffinity(struct kernel *k, int pid, uint64_t mask,
			 const struct sender *as)
{
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;

	lockdep_assert_world_held(k);
	if (!t)
		return kerr_no_pid(pid);
	if (!same_owner(t, as))
		return not_owner(t, as);
	/* CPUs 64 and up stay allowed, so the mask is never empty there. */
	if (!(mask & online_mask(k)) && k->nr_cpus <= 64)
		return kerr(-EINVAL, "mask 0x%llx has none of the %d CPUs",
			    (unsigned long long)mask, k->nr_cpus);
	t->cpus_excluded = ~mask & online_mask(k);
	if (t->cpus_excluded & (1ULL << (t->cpu & 63)) && t->cpu < 64)
		t->cpu = __builtin_ctzll(mask & online_mask(k));	/* migrate */
	task_touch(k, t);
	return 0;
}

int do_sched_getaffinity(struct kernel *k, int pid, uint64_t *mask)
{
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;

	lockdep_assert_world_held(k);
	if (!t)
		return kerr_no_pid(pid);
	*mask = ~t->cpus_excluded & online_mask(k);
	return 0;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

int do_sched_setscheduler(struct kernel *k, int pid, int policy, int prio,
			  const struct sender *as)
{
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;

	lockdep_assert_world_held(k);
	if (policy != SCHED_OTHER && policy != SCHED_BATCH &&
	    policy != SCHED_IDLE && !rt_policy(policy))
		return kerr(-EINVAL, "no policy %d", policy);
	if (rt_policy(policy) ? prio < 1 || prio >= MAX_RT_PRIO : prio != 0)
		return kerr(-EINVAL, "policy %d takes priority %s, not %d",
			    policy, rt_policy(policy) ? "1..99" : "0", prio);
	if (!t)
		return kerr_no_pid(pid);
	/* RLIMIT_RTPRIO is 0: without CAP_SYS_NICE, no way up into RT. */
	if (as && !as->priv && rt_policy(policy) &&
	    (policy != t->policy || prio > t->rt_priority))
		return kerr(-EPERM, "raising pid %d to real-time priority %d "
			    "needs CAP_SYS_NICE", pid, prio);
	if (!same_owner(t, as))
		return not_owner(t, as);
	t->policy = policy;
	t->rt_priority = prio;
	task_touch(k, t);
	return 0;
}

int do_sched_getscheduler(struct kernel *k, int pid, int *policy, int *prio)
{
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;

	lockdep_assert_world_held(k);
	if (!t)
		return kerr_no_pid(pid);
	*policy = t->policy;
	*prio = t->rt_priority;
	return 0;
}

static int bad_ioprio(int ioprio)
{
	return kerr(-EINVAL, "bad io priority %d (class << 13 | level)", ioprio);
}

/* ioprio_check_cap(): the value itself, before any target is looked up. */
static int ioprio_check(int ioprio, const struct sender *as)
{
	int class = ioprio >> IOPRIO_CLASS_SHIFT;
	int level = ioprio & ((1 << IOPRIO_CLASS_SHIFT) - 1);

	switch (class) {
	case IOPRIO_CLASS_RT:
		if (as && !as->priv)
			return kerr(-EPERM, "uid %u may not set real-time io "
				    "priority %d without CAP_SYS_ADMIN",
				    as->uid, ioprio);
		/* fall through */
	case IOPRIO_CLASS_BE:
		return level >= IOPRIO_NR_LEVELS ? bad_ioprio(ioprio) : 0;
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return level ? bad_ioprio(ioprio) : 0;
	default:
		return bad_ioprio(ioprio);
	}
}

static bool ioprio_match(const struct task *t, int which, int who)
{
	if (which == IOPRIO_WHO_PGRP)
		return t->group_leader->signal->pgrp == who;
	return t->cred.uid == (unsigned int)who;
}

/* set_task_ioprio(): @error so far in, the new one out (as set_one_prio). */
static int set_task_ioprio(struct kernel *k, struct task *t, int ioprio,
			   const struct sender *as, int error)
{
	if (as && !as->priv && t->cred.uid != as->euid && t->cred.uid != as->uid)
		return kerr(-EPERM, "uid %u may not set the io priority of "
			    "pid %d", as->uid, t->pid);
	t->ioprio = ioprio;
	task_touch(k, t);
	return error == -ESRCH ? 0 : error;
}

/* Every thread of every group, in pid order, matching (@which, @who). */
#define for_each_ioprio_task(k, which, who, t, leader, pid)			\
	for (pid = next_tgid(k, 1, &leader); pid > 0;				\
	     pid = next_tgid(k, pid + 1, &leader))				\
		list_for_each_entry(t, &leader->signal->thread_head, thread_node) \
			if (ioprio_match(t, which, who))

int do_ioprio_set(struct kernel *k, int which, int who, int ioprio,
		  const struct sender *as)
{
	struct task *t, *leader;
	int pid, err = ioprio_check(ioprio, as), error = -ESRCH;

	lockdep_assert_world_held(k);
	if (err)
		return err;
	if (which == IOPRIO_WHO_PROCESS) {
		t = who > 0 ? find_task(k, who) : NULL;
		return t ? set_task_ioprio(k, t, ioprio, as, error) :
		       prio_no_match(which - 1, who);
	}
	if (which != IOPRIO_WHO_PGRP && which != IOPRIO_WHO_USER)
		return prio_no_match(which - 1, who);
	for_each_ioprio_task(k, which, who, t, leader, pid)
		error = set_task_ioprio(k, t, ioprio, as, error);
	return error == -ESRCH ? prio_no_match(which - 1, who) : error;
}

/* ioprio_best(): a lower class wins (NONE counts as BE), then a lower level. */
static int ioprio_rank(int ioprio)
{
	int class = ioprio >> IOPRIO_CLASS_SHIFT;

	return class == IOPRIO_CLASS_NONE ? (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | 4
					  : ioprio;
}

int do_ioprio_get(struct kernel *k, int which, int who, int *ioprio)
{
	struct task *t, *leader;
	int pid, best = -1;

	lockdep_assert_world_held(k);
	if (which == IOPRIO_WHO_PROCESS) {
		t = who > 0 ? find_task(k, who) : NULL;
		if (t)
			best = t->ioprio;
	} else if (which == IOPRIO_WHO_PGRP || which == IOPRIO_WHO_USER) {
		for_each_ioprio_task(k, which, who, t, leader, pid)
			if (best < 0 || ioprio_rank(t->ioprio) < ioprio_rank(best))
				best = t->ioprio;
	} else {
		return prio_no_match(which - 1, who);
	}
	if (best < 0)
		return prio_no_match(which - 1, who);
	*ioprio = best;
	return 0;
}
