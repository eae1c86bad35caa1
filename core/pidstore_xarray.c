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
 */
#include <stdlib.h>
#include "pidstore.h"
#include "radix64.h"

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
	return radix64_find_marked(priv, from, to, XA_FREE_MARK, NULL);
}

static int xa_insert(void *priv, int pid, struct task *t)
{
	return radix64_insert(priv, pid, xa_entry(t), 0);
}

static void xa_replace(void *priv, int pid, struct task *t)
{
	radix64_replace(priv, pid, xa_entry(t), 0, 0);
}

static void xa_set_leader(void *priv, int pid, bool leader)
{
	radix64_mark(priv, pid, XA_LEADER_MARK, leader);
}

static void xa_remove(void *priv, int pid)
{
	radix64_remove(priv, pid);
}

static struct task *xa_lookup(void *priv, int pid)
{
	return xa_task(radix64_lookup(priv, pid));
}

/* xa_find(XA_PRESENT): scan the slots for the first real entry. */
static int xa_next(void *priv, int from, struct task **t)
{
	void *e;
	long n = radix64_find_entry(priv, from, XA_ZERO_ENTRY, &e);

	if (n >= 0)
		*t = e;
	return n;
}

/* xa_find(XA_LEADER_MARK): follow the leader marks, threads never visited. */
static int xa_next_leader(void *priv, int from, struct task **t)
{
	const struct radix64 *xa = priv;
	void *e;
	long n = radix64_find_marked(xa, from, radix64_capacity(xa),
				     XA_LEADER_MARK, &e);

	if (n >= 0)
		*t = xa_task(e);
	return n;
}

static size_t xa_mem_bytes(void *priv)
{
	return radix64_mem_bytes(priv);
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
};
