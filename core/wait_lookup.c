// SPDX-License-Identifier: MIT
/*
 * do_wait since Linux 5.13 (commit 5449162ac001): a specific pid is
 * looked up, not searched for; -1, 0 and -PGID still scan.
 */
#include "task_alloc.h"

/* is_effectively_child: @parent is the waiter, or (no __WNOTHREAD) in its group. */
static bool is_effectively_child(const struct wait_opts *wo,
				 const struct task *parent)
{
#ifdef PROCSIM_MUTATE_no_child_check	/* test hook: see tools/test */
	return true;
#endif
	return parent == wo->waiter ||
	       (!(wo->options & __WNOTHREAD) &&
		parent->signal == wo->waiter->signal);
}

/* do_wait_pid: as a child (a group leader), then as a tracee. */
static int wait_lookup_pid(struct wait_opts *wo)
{
	struct task *p = find_task(wo->k, wo->who);
	int ret;

	if (!p)
		return 0;
	if (thread_group_leader(p) && p->real_parent &&
	    is_effectively_child(wo, p->real_parent)) {
		ret = wait_consider_task(wo, false, p);
		if (ret)
			return ret;
	}
	if (p->ptrace && is_effectively_child(wo, p->parent))
		return wait_consider_task(wo, true, p);
	return 0;
}

static int lookup_or_scan(struct wait_opts *wo)
{
	return wo->who > 0 ? wait_lookup_pid(wo) : wait_scan_group(wo);
}

const struct wait_strategy wait_lookup = {
	.name = "lookup",
	.wait = lookup_or_scan,
};
