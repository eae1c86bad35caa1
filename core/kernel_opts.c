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

/* "unknown KIND 'NAME' (have: a b c)"; @name_of(i) is a registry's i-th name. */
static int unknown(char *why, const char *kind, const char *name,
		   const char *(*name_of)(int i))
{
	size_t len;

	if (!why)
		return -EINVAL;
	len = (size_t)snprintf(why, KOPT_WHY_LEN, "unknown %s '%.32s' (have:",
			       kind, name);
	for (int i = 0; name_of(i) && len < KOPT_WHY_LEN; i++)
		len += (size_t)snprintf(why + len, KOPT_WHY_LEN - len, " %s",
					name_of(i));
	if (len < KOPT_WHY_LEN)
		snprintf(why + len, KOPT_WHY_LEN - len, ")");
	return -EINVAL;
}

static const char *pidstore_name(int i)
{
	return pid_store_backends[i] ? pid_store_backends[i]->name : NULL;
}

static const char *vmastore_name(int i)
{
	return vma_store_backends[i] ? vma_store_backends[i]->name : NULL;
}

static const char *wait_name(int i)
{
	return wait_strategies[i] ? wait_strategies[i]->name : NULL;
}

static const char *watchers_name(int i)
{
	return watch_mechanisms[i] ? watch_mechanisms[i]->name : NULL;
}

/* Stores that can copy their whole structure, for forkdup=bulk. */
static const char *dup_store_name(int i)
{
	for (int j = 0, n = 0; vma_store_backends[j]; j++)
		if (vma_store_backends[j]->dup && n++ == i)
			return vma_store_backends[j]->name;
	return NULL;
}

int kernel_opts_check(const struct kernel_opts *o, char *why)
{
	const struct vma_store_ops *vops;
	int err = 0;

	if (o->pidstore && !pid_store_find_ops(o->pidstore))
		return unknown(why, "pidstore", o->pidstore, pidstore_name);
	vops = vma_store_find_ops(o->vmastore ? o->vmastore : "list");
	if (!vops)
		return unknown(why, "vmastore", o->vmastore, vmastore_name);
	if (o->forkdup == FORKDUP_BULK && !vops->dup) {
		char have[KOPT_WHY_LEN / 2] = "";

		for (int i = 0; dup_store_name(i); i++)
			snprintf(have + strlen(have), sizeof(have) - strlen(have),
				 " %s", dup_store_name(i));
		return refuse(why, "vmastore %s cannot duplicate its structure "
			      "whole; forkdup=bulk needs one of:%s", vops->name,
			      have);
	}
	if (o->wait && !wait_find_strategy(o->wait))
		return unknown(why, "wait strategy", o->wait, wait_name);
	if (o->watchers && !watch_find_ops(o->watchers))
		return unknown(why, "watchers", o->watchers, watchers_name);
	if (o->pid_max && (err = kopt_check_pid_max(o->pid_max, why)))
		return err;
	if (o->max_map_count &&
	    (err = kopt_check_max_map_count(o->max_map_count, why)))
		return err;
	if (o->nr_cpus)
		err = range(o->nr_cpus, 1, 4096, why);
	return err;
}
