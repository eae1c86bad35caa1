/* SPDX-License-Identifier: MIT */
/*
 * Internal to core/: one XArray-style pid tree (core/pidstore_xarray.c),
 * shared by the "xarray" backend (one tree) and "xarray-sharded" (several).
 * Write hooks: the pid store's pidmap_lock held.  Lookups (xa_tree_lookup,
 * xa_tree_next, xa_tree_next_leader): that lock, or an RCU read section.
 */
#ifndef PROCSIM_PIDSTORE_XARRAY_H
#define PROCSIM_PIDSTORE_XARRAY_H

#include "pidstore.h"
#include "radix64.h"

long xa_tree_find_free(struct radix64 *xa, unsigned long from, unsigned long to);
int xa_tree_insert(struct radix64 *xa, unsigned long index, struct task *t);
void xa_tree_replace(struct radix64 *xa, unsigned long index, struct task *t);
void xa_tree_set_leader(struct radix64 *xa, unsigned long index, bool leader);
struct task *xa_tree_lookup(const struct radix64 *xa, unsigned long index);
/* Smallest index >= @from holding a task (*@t), or -1. */
long xa_tree_next(const struct radix64 *xa, unsigned long from, struct task **t);
/* The same among leaders only (XA_LEADER_MARK). */
long xa_tree_next_leader(const struct radix64 *xa, unsigned long from,
			 struct task **t);

#endif
