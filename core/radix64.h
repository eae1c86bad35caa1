/* SPDX-License-Identifier: MIT */
/*
 * A 64-way radix tree of pointers with per-slot marks propagated upwards:
 * the tree under the kernel's XArray (lib/xarray.c), on which the IDR is
 * built.  The tree grows upwards as larger indexes arrive and frees nodes
 * that become empty.  The pid stores idr and xarray are thin backends on it.
 *
 * A slot is used (inserted; its entry may be NULL) or free.  The tree keeps
 * RADIX64_FREE itself: set on a free slot, and on an internal slot when some
 * slot below is free; a NULL child is wholly free, so new nodes start with
 * every free bit set (node_mark_all(XA_FREE_MARK)).  The other marks belong
 * to the user: set on a used slot, and on an internal slot when some slot
 * below has it; removing a slot clears them.
 *
 * Concurrency: writers (insert, replace, remove, mark) are serialised by
 * the caller (the pid store's pidmap_lock).  Readers (radix64_lookup,
 * radix64_leaf, find_entry, find_marked with a user mark) may run at the
 * same time inside an RCU read section, as in lib/xarray.c:
 *   - a node is fully built before rcu_assign_pointer() links it, and a
 *     new root holds the old one in slot 0 before it is published, so a
 *     reader sees either the old tree or the new one, both well formed;
 *   - an insert allocates every node it needs before it links any, so a
 *     failure publishes nothing (and frees at once);
 *   - an emptied node is unlinked and, when ->rcu is set, freed by
 *     call_rcu(), so a reader still on it finishes first;
 *   - slots and marks are written with atomic stores, read with atomic
 *     loads; a reader may see a mark whose slot just emptied, so readers
 *     get a NULL entry then and skip it.
 * ->shift of a node never changes once published.  ->count, ->parent and
 * ->offset are the writers' own.
 */
#ifndef PROCSIM_RADIX64_H
#define PROCSIM_RADIX64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rcu.h"

#define RADIX64_BITS	6
#define RADIX64_SLOTS	(1 << RADIX64_BITS)
#define RADIX64_MASK	(RADIX64_SLOTS - 1)
#define RADIX64_MARKS	2	/* the free mark and one user mark */
#define RADIX64_FREE	0

struct radix64_node {
	unsigned char shift;		/* 0: a leaf, slots are entries */
	unsigned char offset;		/* our slot in the parent */
	unsigned char count;		/* used slots (leaf) or non-NULL children */
	struct radix64_node *parent;
	uint64_t marks[RADIX64_MARKS];
	void *slots[RADIX64_SLOTS];
	struct core_rcu_head rcu;	/* the deferred free */
};

struct radix64 {
	struct radix64_node *root;
	size_t nodes;
	bool rcu;			/* free nodes after a grace period */
	unsigned long allocs;		/* node allocations, ever (calloc calls) */
};

/* An empty tree is all zeroes; destroy frees the nodes, not @r. */
void radix64_destroy(struct radix64 *r);

/*
 * Make the free slot @index used, holding @entry, with the user marks in
 * the bitmask @marks (1 << mark).  0, or -ENOMEM with no node added or lost.
 */
int radix64_insert(struct radix64 *r, unsigned long index, void *entry,
		   unsigned marks);
/* Store @entry in the used slot @index, set marks @set, clear marks @clear. */
void radix64_replace(struct radix64 *r, unsigned long index, void *entry,
		     unsigned set, unsigned clear);
/* Make the used slot @index free; nodes left empty are freed. */
void radix64_remove(struct radix64 *r, unsigned long index);
/* Set or clear a user mark on the used slot @index. */
void radix64_mark(struct radix64 *r, unsigned long index, unsigned mark,
		  bool on);
/*
 * First index in [from, to) with @mark, or -1; its entry in *@entry (NULL
 * for a free index).  Indexes beyond the tree are free and have no other mark.
 */
long radix64_find_marked(const struct radix64 *r, unsigned long from,
			 unsigned long to, unsigned mark, void **entry);
/* First index >= @from whose entry is neither NULL nor @skip, scanning slots. */
long radix64_find_entry(const struct radix64 *r, unsigned long from,
			const void *skip, void **entry);
/* Bytes of the tree's own structure: @r and its nodes. */
size_t radix64_mem_bytes(const struct radix64 *r);

static inline unsigned long radix64_node_capacity(const struct radix64_node *n)
{
	return n ? 1UL << (n->shift + RADIX64_BITS) : 0;
}

/* Context: the writers' lock, or an RCU read section (one root loaded). */
static inline unsigned long radix64_capacity(const struct radix64 *r)
{
	return radix64_node_capacity(rcu_dereference(r->root));
}

/*
 * The leaf holding @index, or NULL.
 * Context: the writers' lock, or an RCU read section.
 */
static inline struct radix64_node *radix64_leaf(const struct radix64 *r,
						unsigned long index)
{
	struct radix64_node *n = rcu_dereference(r->root);

	if (index >= radix64_node_capacity(n))
		return NULL;
	while (n && n->shift)
		n = rcu_dereference(n->slots[(index >> n->shift) & RADIX64_MASK]);
	return n;
}

/*
 * The entry at @index: NULL when free (or when the entry is NULL).
 * Context: the writers' lock, or an RCU read section.
 */
static inline void *radix64_lookup(const struct radix64 *r, unsigned long index)
{
	struct radix64_node *n = radix64_leaf(r, index);

	return n ? rcu_dereference(n->slots[index & RADIX64_MASK]) : NULL;
}

#endif
