// SPDX-License-Identifier: MIT
/*
 * An XArray-style pid store (lib/xarray.c, include/linux/xarray.h): a tree
 * of 64-slot nodes, each with one bitmap per mark over its slots.  A mark
 * set in a node means "this slot, or something below it, has the mark".
 *   XA_FREE_MARK:   the slot is free (XA_FLAGS_ALLOC arrays); a NULL child
 *                   is all free, so new nodes start with every free bit set.
 *   XA_LEADER_MARK: the slot holds a thread-group leader, so readdir finds
 *                   the next leader by following marks and never visits a
 *                   thread (the TGID tag of the 2022 proposal).
 * Like xa_find(XA_PRESENT), next() scans slots; a reserved pid holds
 * XA_ZERO_ENTRY, which lookups and scans treat as empty.  The tree is
 * core/radix64.c, with XA_LEADER_MARK as its user mark.
 *
 * Lookups are RCU-safe (core/radix64.h): nodes are published whole and
 * freed after a grace period; a leader mark whose slot a writer just
 * emptied yields no task, and the search moves on past it.  The XArray
 * allocates no node ahead (no idr_preload): an insert calls calloc only
 * when its path lacks a node, once per 64 pids for a cyclic cursor —
 * the thread's "1.6% of xa_alloc calls reach the slab".
 */
#include <stdlib.h>
#include "pidstore_xarray.h"

#define XA_FREE_MARK	RADIX64_FREE
#define XA_LEADER_MARK	1	/* the radix64 user mark */

static const char xa_zero_entry;
#define XA_ZERO_ENTRY	((void *)&xa_zero_entry)

static void *xa_entry(struct task *t)
{
	return t ? (void *)t : XA_ZERO_ENTRY;
}

static struct task *xa_task(void *e)
{
	return e == XA_ZERO_ENTRY ? NULL : e;
}

long xa_tree_find_free(struct radix64 *xa, unsigned long from, unsigned long to)
{
	return radix64_find_marked(xa, from, to, XA_FREE_MARK, NULL);
}

int xa_tree_insert(struct radix64 *xa, unsigned long index, struct task *t)
{
	return radix64_insert(xa, index, xa_entry(t), 0);
}

void xa_tree_replace(struct radix64 *xa, unsigned long index, struct task *t)
{
	radix64_replace(xa, index, xa_entry(t), 0, 0);
}

void xa_tree_set_leader(struct radix64 *xa, unsigned long index, bool leader)
{
	radix64_mark(xa, index, XA_LEADER_MARK, leader);
}

struct task *xa_tree_lookup(const struct radix64 *xa, unsigned long index)
{
	return xa_task(radix64_lookup(xa, index));
}

/* xa_find(XA_PRESENT): scan the slots for the first real entry. */
long xa_tree_next(const struct radix64 *xa, unsigned long from, struct task **t)
{
	void *e;
	long n = radix64_find_entry(xa, from, XA_ZERO_ENTRY, &e);

	if (n >= 0)
		*t = e;
	return n;
}

/* xa_find(XA_LEADER_MARK): follow the leader marks, threads never visited. */
long xa_tree_next_leader(const struct radix64 *xa, unsigned long from,
			 struct task **t)
{
	void *e = NULL;
	long n;

	do
		n = radix64_find_marked(xa, from, PID_MAX_LIMIT, XA_LEADER_MARK, &e);
	while (n >= 0 && !xa_task(e) && (from = n + 1));
	if (n >= 0)
		*t = xa_task(e);
	return n;
}

static void *xa_create(void)
{
	return calloc(1, sizeof(struct radix64));
}

static void xa_destroy(void *priv)
{
	radix64_destroy(priv);
	free(priv);
}

static int xa_find_free(void *priv, int from, int to)
{
	return xa_tree_find_free(priv, from, to);
}

static int xa_insert(void *priv, int pid, struct task *t)
{
	return xa_tree_insert(priv, pid, t);
}

static void xa_replace(void *priv, int pid, struct task *t)
{
	xa_tree_replace(priv, pid, t);
}

static void xa_set_leader(void *priv, int pid, bool leader)
{
	xa_tree_set_leader(priv, pid, leader);
}

static void xa_remove(void *priv, int pid)
{
	radix64_remove(priv, pid);
}

static struct task *xa_lookup(void *priv, int pid)
{
	return xa_tree_lookup(priv, pid);
}

static int xa_next(void *priv, int from, struct task **t)
{
	return xa_tree_next(priv, from, t);
}

static int xa_next_leader(void *priv, int from, struct task **t)
{
	return xa_tree_next_leader(priv, from, t);
}

static size_t xa_mem_bytes(void *priv)
{
	return radix64_mem_bytes(priv);
}

static void xa_set_rcu(void *priv)
{
	((struct radix64 *)priv)->rcu = true;
}

static unsigned long xa_alloc_calls(void *priv)
{
	return ((struct radix64 *)priv)->allocs;
}

const struct pid_store_ops pid_store_xarray_ops = {
	.name = "xarray",
	.desc = "XArray-style 64-slot nodes with a free mark and a leader mark",
	.create = xa_create,
	.destroy = xa_destroy,
	.find_free = xa_find_free,
	.insert = xa_insert,
	.replace = xa_replace,
	.remove = xa_remove,
	.lookup = xa_lookup,
	.next = xa_next,
	.next_leader = xa_next_leader,
	.set_leader = xa_set_leader,
	.mem_bytes = xa_mem_bytes,
	.rcu_lookup = true,
	.set_rcu = xa_set_rcu,
	.alloc_calls = xa_alloc_calls,
};
