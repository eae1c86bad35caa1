// SPDX-License-Identifier: MIT
/*
 * Resource limits (kernel/sys.c do_prlimit): per process, in the
 * signal_struct as on Linux, but as a block allocated on the first change;
 * until then a process has the defaults below, computed, not stored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "task_alloc.h"

#define INF		RLIM_INFINITY
#define NR_OPEN		1048576		/* fs.nr_open */
#define MLOCK_LIMIT	(8UL << 20)
#define MQ_BYTES_MAX	819200

struct rlimit *rlimit_dup(const struct rlimit *rlim)
{
	struct rlimit *r = malloc(RLIM_NLIMITS * sizeof(*r));

	if (r)
		memcpy(r, rlim, RLIM_NLIMITS * sizeof(*r));
	return r;
}

/* max_threads / 2, max_threads = memory pages / 32 (fork_init). */
static rlim_t default_nproc(const struct kernel *k)
{
	return k->mem_total_kb / 4 / 32 / 2;
}

/* INIT_RLIMITS with what systemd sets at boot. */
static void rlimit_default(const struct kernel *k, const struct task *t,
			   int res, struct rlimit *r)
{
	bool service = !task_is_kthread(t) && t->cred.uid < 1000;

	*r = (struct rlimit){ INF, INF };
	switch (res) {
	case RLIMIT_STACK:	r->rlim_cur = STACK_RLIMIT; break;
	case RLIMIT_CORE:	r->rlim_cur = 0; break;
	case RLIMIT_NPROC:
	case RLIMIT_SIGPENDING:	r->rlim_cur = r->rlim_max = default_nproc(k); break;
	case RLIMIT_NOFILE:
		r->rlim_cur = service ? 524288 : 1024;
		r->rlim_max = 524288;
		break;
	case RLIMIT_MEMLOCK:	r->rlim_cur = r->rlim_max = MLOCK_LIMIT; break;
	case RLIMIT_MSGQUEUE:	r->rlim_cur = r->rlim_max = MQ_BYTES_MAX; break;
	case RLIMIT_NICE:
	case RLIMIT_RTPRIO:	r->rlim_cur = r->rlim_max = 0; break;
	}
}

void task_rlimit(const struct kernel *k, const struct task *t, int res,
		 struct rlimit *out)
{
	const struct signal_struct *sig = t->group_leader->signal;

	if (sig->rlim)
		*out = sig->rlim[res];
	else
		rlimit_default(k, t->group_leader, res, out);
}

/* check_prlimit_permission(), uids only. */
static bool may_prlimit(const struct task *t, const struct sender *as)
{
	const struct cred *c = &t->cred;

	return !as || as->priv || (as->uid == c->uid && as->uid == c->euid &&
				   as->uid == c->suid);
}

int do_prlimit(struct kernel *k, int pid, int res, const struct rlimit *new,
	       struct rlimit *old, const struct sender *as)
{
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;
	struct signal_struct *sig;
	struct rlimit cur;
	int i;

	lockdep_assert_world_held(k);
	if (!t)
		return kerr_no_pid(pid);
	if (!may_prlimit(t, as))
		return kerr(-EPERM, "uid %u may not change pid %d's limits "
			    "without CAP_SYS_RESOURCE", as->uid, pid);
	if (res < 0 || res >= RLIM_NLIMITS)
		return kerr(-EINVAL, "no resource %d (0..%d)", res,
			    RLIM_NLIMITS - 1);
	if (new && new->rlim_cur > new->rlim_max)
		return kerr(-EINVAL, "soft limit %llu above hard limit %llu",
			    (unsigned long long)new->rlim_cur,
			    (unsigned long long)new->rlim_max);
	if (new && res == RLIMIT_NOFILE && new->rlim_max > NR_OPEN)
		return kerr(-EPERM, "NOFILE above nr_open %d", NR_OPEN);
	task_rlimit(k, t, res, &cur);
	if (new && new->rlim_max > cur.rlim_max && as && !as->priv)
		return kerr(-EPERM, "raising a hard limit needs "
			    "CAP_SYS_RESOURCE");
	sig = t->group_leader->signal;
	if (new && !sig->rlim) {
		sig->rlim = malloc(RLIM_NLIMITS * sizeof(*sig->rlim));
		if (!sig->rlim)
			return -ENOMEM;
		for (i = 0; i < RLIM_NLIMITS; i++)
			rlimit_default(k, t->group_leader, i, &sig->rlim[i]);
	}
	if (old)
		*old = cur;
	if (new) {
		sig->rlim[res] = *new;
		task_touch(k, t->group_leader);
	}
	return 0;
}
