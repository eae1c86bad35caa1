// SPDX-License-Identifier: MIT
/*
 * The checks of struct kernel_opts, each with its reason.  The core owns
 * the ranges and the registries, so it also says why a value is refused:
 * the daemon (-o) and the ctl executor print this reason, never their own
 * copy of the rule.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel.h"
#include "registry.h"
#include "watchers.h"

static int __attribute__((format(printf, 2, 3)))
refuse(char *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, KOPT_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int range(long long n, long long min, long long max, char *why)
{
	if (n >= min && n <= max)
		return 0;
	return refuse(why, "%lld is out of range %lld..%lld", n, min, max);
}

int kopt_check_pid_max(long long n, char *why)
{
	return range(n, RESERVED_PIDS + 1, PID_MAX_LIMIT, why);
}

int kopt_check_max_map_count(long long n, char *why)
{
	return range(n, 1, INT_MAX, why);
}

/* "unknown KIND 'NAME' (have: a b c)" over a registry (registry.h). */
#define UNKNOWN(why, kind, name, reg) ({				\
	char have_[KOPT_WHY_LEN / 2];					\
	REGISTRY_NAMES(reg, have_, sizeof(have_));			\
	refuse(why, "unknown %s '%.32s' (have:%s)", kind, name, have_);	\
})

int kernel_opts_check(const struct kernel_opts *o, char *why)
{
	const struct vma_store_ops *vops;
	int err = 0;

	if (o->pidstore && !pid_store_find_ops(o->pidstore))
		return UNKNOWN(why, "pidstore", o->pidstore, pid_store_backends);
	vops = vma_store_find_ops(o->vmastore ? o->vmastore : "list");
	if (!vops)
		return UNKNOWN(why, "vmastore", o->vmastore, vma_store_backends);
	if (mm_config_check(&(struct mm_config){ .vma_ops = vops,
						.forkdup = o->forkdup })) {
		char have[KOPT_WHY_LEN / 2] = "";

		for (int i = 0; vma_store_backends[i]; i++)
			if (vma_store_backends[i]->dup)
				snprintf(have + strlen(have), sizeof(have) - strlen(have),
					 " %s", vma_store_backends[i]->name);
		return refuse(why, "vmastore %s cannot duplicate its structure "
			      "whole; forkdup=bulk needs one of:%s", vops->name,
			      have);
	}
	if (o->wait && !wait_find_strategy(o->wait))
		return UNKNOWN(why, "wait strategy", o->wait, wait_strategies);
	if (o->watchers && !watch_find_ops(o->watchers))
		return UNKNOWN(why, "watchers", o->watchers, watch_mechanisms);
	if (o->pid_max && (err = kopt_check_pid_max(o->pid_max, why)))
		return err;
	if (o->max_map_count &&
	    (err = kopt_check_max_map_count(o->max_map_count, why)))
		return err;
	if (o->pidlock && strcmp(o->pidlock, "twice") && strcmp(o->pidlock, "once"))
		return refuse(why, "pidlock must be twice or once, not '%.32s'",
			      o->pidlock);
	if (o->pidlock_shards &&
	    !pid_store_find_ops(o->pidstore ? o->pidstore : "idr")->nr_shards)
		return refuse(why, "pidlock_shards needs a backend with shards "
			      "(xarray-sharded), not %.32s",
			      o->pidstore ? o->pidstore : "idr");
	if (o->nr_cpus)
		err = range(o->nr_cpus, 1, 4096, why);
	if (!err && o->populate_layouts)
		err = range(o->populate_layouts, -1, POPULATE_LAYOUTS_MAX, why);
	return err;
}
