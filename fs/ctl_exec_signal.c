// SPDX-License-Identifier: MIT
/*
 * Executing the signal and scheduling commands: kill, tgkill, stop, cont,
 * the priorities, affinity, scheduler, io priority and prlimit.
 */
#include <errno.h>
#include "ctl_exec.h"

int ctl_exec_kill(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	return ctl_reply_ok(do_kill_as(k, c->kill.pid, c->kill.sig,
				       &c->kill.as), out);
}

int ctl_exec_tgkill(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	return ctl_reply_ok(do_tkill(k, c->tgkill.tgid, c->tgkill.tid,
				 c->tgkill.sig, &c->tgkill.as), out);
}

int ctl_exec_setpriority(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	return ctl_reply_ok(do_setpriority(k, c->prio.which, c->prio.who,
				       c->prio.nice, &c->prio.as), out);
}

int ctl_exec_getpriority(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	int prio, err = do_getpriority(k, c->prio.which, c->prio.who, &prio);

	if (!err)
		buf_printf(out, "%d\n", prio);
	return err;
}

int ctl_exec_sched_setaffinity(struct kernel *k, const struct ctl_cmd *c,
			       struct buf *out)
{
	return ctl_reply_ok(do_sched_setaffinity(k, c->sched.pid, c->sched.mask,
					     &c->sched.as), out);
}

int ctl_exec_sched_getaffinity(struct kernel *k, const struct ctl_cmd *c,
			       struct buf *out)
{
	uint64_t mask;
	int err = do_sched_getaffinity(k, c->sched.pid, &mask);

	if (!err)
		buf_printf(out, "0x%llx\n", (unsigned long long)mask);
	return err;
}

int ctl_exec_sched_setscheduler(struct kernel *k, const struct ctl_cmd *c,
				struct buf *out)
{
	return ctl_reply_ok(do_sched_setscheduler(k, c->sched.pid,
						  c->sched.policy, c->sched.prio,
						  &c->sched.as), out);
}

int ctl_exec_sched_getscheduler(struct kernel *k, const struct ctl_cmd *c,
				struct buf *out)
{
	int policy, prio, err = do_sched_getscheduler(k, c->sched.pid, &policy,
						      &prio);

	if (!err)
		buf_printf(out, "%d %d\n", policy, prio);
	return err;
}

/* ctl's WHICH is 0..2 (process, pgrp, user); IOPRIO_WHO_* are 1..3. */
int ctl_exec_ioprio_set(struct kernel *k, const struct ctl_cmd *c,
			struct buf *out)
{
	return ctl_reply_ok(do_ioprio_set(k, c->prio.which + 1, c->prio.who,
				      c->prio.nice, &c->prio.as), out);
}

int ctl_exec_ioprio_get(struct kernel *k, const struct ctl_cmd *c,
			struct buf *out)
{
	int ioprio, err = do_ioprio_get(k, c->prio.which + 1, c->prio.who,
					&ioprio);

	if (!err)
		buf_printf(out, "%d\n", ioprio);
	return err;
}

/* The limit before, "unlimited" spelled as prlimit(1) and limits spell it. */
static void put_rlim(struct buf *out, rlim_t v, char end)
{
	if (v == RLIM_INFINITY)
		buf_puts(out, "unlimited");
	else
		buf_printf(out, "%llu", (unsigned long long)v);
	buf_putc(out, end);
}

int ctl_exec_prlimit(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	struct rlimit old, new = { c->prlimit.soft, c->prlimit.hard };
	int err = do_prlimit(k, c->prlimit.pid, c->prlimit.res,
			     c->prlimit.set ? &new : NULL, &old, &c->prlimit.as);

	if (!err) {
		put_rlim(out, old.rlim_cur, ' ');
		put_rlim(out, old.rlim_max, '\n');
	}
	return err;
}

int ctl_exec_stop(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	return ctl_exec_kill(k, c, out);
}

int ctl_exec_cont(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	return ctl_exec_kill(k, c, out);
}
