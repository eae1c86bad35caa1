// SPDX-License-Identifier: MIT
/*
 * Parsing the signal and scheduling commands: kill, tgkill, stop, cont,
 * the priorities, affinity, scheduler, io priority and prlimit, with
 * their optional "as UID EUID" sender.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "ctl_args.h"

/* A number 0..64 or a name, with or without SIG, any case. */
static int arg_signal(const struct ctl_args *a, int i, int *sig)
{
	const char *s = a->argv[i];
	long long v;

	if (*s >= '0' && *s <= '9') {
		if (ctl_arg_int(a, i, "SIG", 0, 64, &v))
			return -EINVAL;
		*sig = v;
		return 0;
	}
	*sig = signal_from_name(s);
	if (*sig < 0)
		return ctl_fail(a->err, "%s: unknown signal " QFMT, a->cmd,
				QARG(s));
	return 0;
}

/*
 * The optional "as UID EUID" at argv[i..]: an unprivileged sender.  With
 * none, the operator: as->priv.
 */
static int arg_sender(const struct ctl_args *a, int i, struct sender *as)
{
	long long uid, euid;

	*as = (struct sender){ .priv = true };
	if (a->argc == i)
		return 0;
	if (a->argc != i + 3 || strcmp(a->argv[i], "as"))
		return ctl_fail(a->err, "%s: expected 'as UID EUID' at the "
				"end, not " QFMT, a->cmd, QARG(a->argv[i]));
	if (ctl_arg_int(a, i + 1, "UID", 0, 4294967294LL, &uid) ||
	    ctl_arg_int(a, i + 2, "EUID", 0, 4294967294LL, &euid))
		return -EINVAL;
	*as = (struct sender){ .uid = uid, .euid = euid };
	return 0;
}

/* kill(2)'s PID: a pid, -1 or -PGID, never 0 (ctl has no own group). */
int ctl_parse_kill(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long pid;

	if (ctl_arg_int(a, 0, "PID", -(long long)INT_MAX, INT_MAX, &pid))
		return -EINVAL;
	if (!pid)
		return ctl_fail(a->err, "%s: PID must be a pid, -1 or -PGID, "
				"not '0'", a->cmd);
	c->kill.pid = pid;
	return arg_signal(a, 1, &c->kill.sig) ? -EINVAL :
	       arg_sender(a, 2, &c->kill.as);
}

int ctl_parse_tgkill(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long tgid;

	if (ctl_arg_int(a, 0, "TGID", 0, INT_MAX, &tgid) ||
	    ctl_arg_pid(a, 1, "TID", &c->tgkill.tid) ||
	    arg_signal(a, 2, &c->tgkill.sig))
		return -EINVAL;
	c->tgkill.tgid = tgid;
	return arg_sender(a, 3, &c->tgkill.as);
}

/* WHICH WHO of setpriority and getpriority. */
static int arg_prio_target(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const which[] = { "process", "pgrp", "user" };
	long long who;

	for (c->prio.which = 0; c->prio.which < 3; c->prio.which++)
		if (!strcmp(a->argv[0], which[c->prio.which]))
			break;
	if (c->prio.which == 3)
		return ctl_fail(a->err, "%s: expected process, pgrp or user, "
				"not " QFMT, a->cmd, QARG(a->argv[0]));
	if (ctl_arg_int(a, 1, "WHO", c->prio.which == 2 ? 0 : 1,
			c->prio.which == 2 ? 4294967294LL : INT_MAX, &who))
		return -EINVAL;
	c->prio.who = (int)(unsigned int)who;
	return 0;
}

int ctl_parse_setpriority(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long nice;

	if (arg_prio_target(a, c) || ctl_arg_int(a, 2, "NICE", INT_MIN + 1LL,
						 INT_MAX, &nice))
		return -EINVAL;
	c->prio.nice = nice;
	return arg_sender(a, 3, &c->prio.as);
}

int ctl_parse_getpriority(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_prio_target(a, c);
}

int ctl_parse_sched_setaffinity(const struct ctl_args *a, struct ctl_cmd *c)
{
	unsigned long mask;

	if (ctl_arg_pid(a, 0, "PID", &c->sched.pid) ||
	    ctl_arg_ulong(a, 1, "MASK", false, &mask))
		return -EINVAL;
	c->sched.mask = mask;
	return arg_sender(a, 2, &c->sched.as);
}

int ctl_parse_sched_getaffinity(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_arg_pid(a, 0, "PID", &c->sched.pid);
}

int ctl_parse_sched_setscheduler(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long policy, prio;

	if (ctl_arg_pid(a, 0, "PID", &c->sched.pid) ||
	    ctl_arg_int(a, 1, "POLICY", 0, INT_MAX, &policy) ||
	    ctl_arg_int(a, 2, "PRIO", 0, INT_MAX, &prio))
		return -EINVAL;
	c->sched.policy = policy;
	c->sched.prio = prio;
	return arg_sender(a, 3, &c->sched.as);
}

int ctl_parse_sched_getscheduler(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_arg_pid(a, 0, "PID", &c->sched.pid);
}

int ctl_parse_ioprio_set(const struct ctl_args *a, struct ctl_cmd *c)
{
	/* IOPRIO is any int; the core checks */
	return ctl_parse_setpriority(a, c);
}

int ctl_parse_ioprio_get(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_prio_target(a, c);
}

/* A limit: a number (decimal or 0x) or "unlimited" (RLIM_INFINITY). */
static int arg_rlim(const struct ctl_args *a, int i, const char *what,
		    unsigned long long *v)
{
	unsigned long x;

	if (!strcmp(a->argv[i], "unlimited")) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (ctl_arg_ulong(a, i, what, false, &x))
		return -EINVAL;
	*v = x;
	return 0;
}

int ctl_parse_prlimit(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const names[RLIM_NLIMITS] = {
		"cpu", "fsize", "data", "stack", "core", "rss", "nproc",
		"nofile", "memlock", "as", "locks", "sigpending", "msgqueue",
		"nice", "rtprio", "rttime",
	};
	const char *r = a->argv[1];
	long long res;
	int i;

	if (ctl_arg_pid(a, 0, "PID", &c->prlimit.pid))
		return -EINVAL;
	if (!strncasecmp(r, "RLIMIT_", 7))
		r += 7;
	for (i = 0; i < RLIM_NLIMITS && strcasecmp(r, names[i]); i++)
		;
	if (i < RLIM_NLIMITS)
		c->prlimit.res = i;
	else if (ctl_arg_int(a, 1, "RESOURCE", 0, INT_MAX, &res))
		return -EINVAL;
	else
		c->prlimit.res = res;	/* >= RLIM_NLIMITS: the core's EINVAL */
	c->prlimit.set = a->argc >= 4 && strcmp(a->argv[2], "as");
	if (c->prlimit.set && (arg_rlim(a, 2, "SOFT", &c->prlimit.soft) ||
			       arg_rlim(a, 3, "HARD", &c->prlimit.hard)))
		return -EINVAL;
	return arg_sender(a, c->prlimit.set ? 4 : 2, &c->prlimit.as);
}

int ctl_parse_stop(const struct ctl_args *a, struct ctl_cmd *c)
{
	c->kill.as = (struct sender){ .priv = true };
	c->kill.sig = SIGSTOP;
	return ctl_arg_pid(a, 0, "PID", &c->kill.pid);
}

int ctl_parse_cont(const struct ctl_args *a, struct ctl_cmd *c)
{
	c->kill.as = (struct sender){ .priv = true };
	c->kill.sig = SIGCONT;
	return ctl_arg_pid(a, 0, "PID", &c->kill.pid);
}
