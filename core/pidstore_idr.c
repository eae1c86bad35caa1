// SPDX-License-Identifier: MIT
/*
 * The IDR pid store: a 64-way radix tree, as the kernel has used for pids
 * since v4.15 (commit 95846ecf9dac).  Each node keeps two bitmaps over its
 * 64 slots so that both searches are a find-first-set per level:
 *   free:    the slot (leaf) or the subtree below it (internal) has room;
 *   present: the slot holds a task, or the subtree holds at least one.
 * A reserved pid (allocated, task not yet installed) is "not free" and "not
 * present", so lookup and next never return a half-built task.
 * The tree is core/radix64.c, with its free mark and present as the user
 * mark; the tree grows upwards as larger pids arrive and frees empty nodes.
 *
 * Lookups are RCU-safe (core/radix64.h): nodes are published whole and
 * freed after a grace period; next() may meet a present mark whose slot a
 * writer just emptied, and moves on past it.
 */
#include <stdlib.h>
#include "pidstore.h"
#include "radix64.h"

#define IDR_PRESENT	1	/* the radix64 user mark */

static void *idr_create(void)
{
	return calloc(1, sizeof(struct radix64));
}

static void idr_destroy(void *priv)
{
	radix64_destroy(priv);
	free(priv);
}

static int idr_find_free(void *priv, int from, int to)
{
	return radix64_find_marked(priv, from, to, RADIX64_FREE, NULL);
}

static int idr_insert(void *priv, int pid, struct task *t)
{
	return radix64_insert(priv, pid, t, t ? 1U << IDR_PRESENT : 0);
}

static void idr_replace(void *priv, int pid, struct task *t)
{
	unsigned p = 1U << IDR_PRESENT;

	radix64_replace(priv, pid, t, t ? p : 0, t ? 0 : p);
}

static void idr_remove(void *priv, int pid)
{
	radix64_remove(priv, pid);
}

static struct task *idr_lookup(void *priv, int pid)
{
	return radix64_lookup(priv, pid);
}

static int idr_next(void *priv, int from, struct task **t)
{
	const struct radix64 *r = priv;
	void *e = NULL;
	long n;

	do
		n = radix64_find_marked(r, from, PID_MAX_LIMIT, IDR_PRESENT, &e);
	while (n >= 0 && !e && (from = n + 1));
	if (n >= 0)
		*t = e;
	return n;
}

static void idr_set_rcu(void *priv)
{
	((struct radix64 *)priv)->rcu = true;
}

static unsigned long idr_alloc_calls(void *priv)
{
	return ((struct radix64 *)priv)->allocs;
}

static size_t idr_mem_bytes(void *priv)
{
	return radix64_mem_bytes(priv);
}

const struct pid_store_ops pid_store_idr_ops = {
	.name = "idr",
	.desc = "64-way radix tree with free/present bitmaps per node (v4.15+)",
	.create = idr_create,
	.destroy = idr_destroy,
	.find_free = idr_find_free,
	.insert = idr_insert,
	.replace = idr_replace,
	.remove = idr_remove,
	.lookup = idr_lookup,
	.next = idr_next,
	.mem_bytes = idr_mem_bytes,
	.rcu_lookup = true,
	.set_rcu = idr_set_rcu,
	.alloc_calls = idr_alloc_calls,
};
