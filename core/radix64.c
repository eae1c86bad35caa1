// SPDX-License-Identifier: MIT
/*
 * The 64-way radix tree of core/radix64.h.  Marks move up one level at a
 * time and stop where the parent's bit already says the right thing, as
 * node_set_mark/node_clear_mark do in lib/xarray.c.  The RCU rules are in
 * the header: every store a reader can see is an atomic one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include "radix64.h"

#define ALL_SET		(~0ULL)
#define MAX_DEPTH	11	/* 64-bit indexes, 6 bits a level */

static struct radix64_node *node_alloc(struct radix64 *r)
{
	struct radix64_node *n = calloc(1, sizeof(*n));

	r->allocs++;
	return n;
}

/* Fill a node before anyone can see it: plain stores are fine here. */
static void node_init(struct radix64 *r, struct radix64_node *n,
		      unsigned shift, struct radix64_node *parent,
		      unsigned offset)
{
	n->shift = shift;
	n->parent = parent;
	n->offset = offset;
	n->marks[RADIX64_FREE] = ALL_SET;	/* node_mark_all */
	r->nodes++;
}

static void node_destroy(struct radix64_node *n)
{
	if (n && n->shift)
		for (int i = 0; i < RADIX64_SLOTS; i++)
			node_destroy(n->slots[i]);
	free(n);
}

static void node_free_rcu(struct core_rcu_head *head)
{
	core_rcu_callback_begin();
	free((char *)head - offsetof(struct radix64_node, rcu));
}

/* An unlinked node: free now, or after readers that may be on it. */
static void node_free(struct radix64 *r, struct radix64_node *n)
{
	r->nodes--;
	if (r->rcu)
		core_call_rcu(&n->rcu, node_free_rcu);
	else
		free(n);
}

/* Context: no reader can be in the tree. */
void radix64_destroy(struct radix64 *r)
{
	node_destroy(r->root);
	r->root = NULL;
	r->nodes = 0;
}

static void mark_or(struct radix64_node *n, unsigned mark, uint64_t bits)
{
	__atomic_fetch_or(&n->marks[mark], bits, __ATOMIC_RELAXED);
}

static void mark_andnot(struct radix64_node *n, unsigned mark, uint64_t bits)
{
	__atomic_fetch_and(&n->marks[mark], ~bits, __ATOMIC_RELAXED);
}

/* Set @mark on @offset of @n; the parent already has it if @n had any. */
static void mark_set(struct radix64_node *n, unsigned offset, unsigned mark)
{
	while (n) {
		uint64_t was = n->marks[mark];

		mark_or(n, mark, 1ULL << offset);
		if (was)
			return;
		offset = n->offset;
		n = n->parent;
	}
}

/* Clear it; the parent loses it only when @n has none left. */
static void mark_clear(struct radix64_node *n, unsigned offset, unsigned mark)
{
	while (n) {
		mark_andnot(n, mark, 1ULL << offset);
		if (n->marks[mark])
			return;
		offset = n->offset;
		n = n->parent;
	}
}

/* Levels to add on top (or the root's shift for an empty tree) for @index. */
static unsigned shift_for(unsigned long index)
{
	unsigned shift = 0;

	while (shift + RADIX64_BITS < 64 &&
	       (1UL << (shift + RADIX64_BITS)) <= index)
		shift += RADIX64_BITS;
	return shift;
}

/* How many nodes an insert at @index adds: new roots plus a missing path. */
static int nodes_needed(const struct radix64 *r, unsigned long index)
{
	struct radix64_node *n = r->root;
	unsigned top = shift_for(index);

	if (!n)
		return top / RADIX64_BITS + 1;
	/*
	 * New roots: the top one's digit for @index is not 0 (shift_for is
	 * the smallest that fits), so the whole path below it is missing.
	 */
	if (top > n->shift)
		return (top - n->shift) / RADIX64_BITS + top / RADIX64_BITS;
	while (n->shift) {
		struct radix64_node *c = n->slots[(index >> n->shift) & RADIX64_MASK];

		if (!c)
			return n->shift / RADIX64_BITS;
		n = c;
	}
	return 0;
}

/* xas_expand: new roots on top until @index fits; each published whole. */
static void extend(struct radix64 *r, unsigned long index,
		   struct radix64_node **spare)
{
	if (!r->root) {
		struct radix64_node *n = *spare++;

		node_init(r, n, shift_for(index), NULL, 0);
		rcu_assign_pointer(r->root, n);
		return;
	}
	while (index >= radix64_node_capacity(r->root)) {
		struct radix64_node *old = r->root;
		struct radix64_node *n = *spare++;

		node_init(r, n, old->shift + RADIX64_BITS, NULL, 0);
		n->slots[0] = old;
		n->count = 1;
		for (unsigned m = 0; m < RADIX64_MARKS; m++)
			if (!old->marks[m])
				n->marks[m] &= ~1ULL;
			else
				n->marks[m] |= 1ULL;
		old->parent = n;
		old->offset = 0;
		rcu_assign_pointer(r->root, n);
	}
}

/*
 * xas_delete_node: unlink nodes that became empty, bottom up.  Their marks
 * were already propagated: an empty node is all free and has no user mark.
 */
static void shrink(struct radix64 *r, struct radix64_node *n)
{
	while (n && !n->count) {
		struct radix64_node *p = n->parent;

		if (p) {
			rcu_assign_pointer(p->slots[n->offset], NULL);
			p->count--;
		} else {
			rcu_assign_pointer(r->root, NULL);
		}
		node_free(r, n);
		n = p;
	}
}

int radix64_insert(struct radix64 *r, unsigned long index, void *entry,
		   unsigned marks)
{
	struct radix64_node *spare[MAX_DEPTH + 1], **next = spare;
	struct radix64_node *n;
	unsigned slot;
	int need = nodes_needed(r, index);

	/* Allocate first: a failure must publish nothing (xas_nomem). */
	for (int i = 0; i < need; i++) {
		spare[i] = node_alloc(r);
		if (!spare[i]) {
			while (i--)
				free(spare[i]);
			return -ENOMEM;
		}
	}
	if (index >= radix64_node_capacity(r->root)) {
		int roots = r->root ? (int)(shift_for(index) - r->root->shift) /
				      RADIX64_BITS : 1;

		extend(r, index, next);
		next += roots;
	}
	n = r->root;
	while (n->shift) {
		slot = (index >> n->shift) & RADIX64_MASK;
		if (!n->slots[slot]) {
			struct radix64_node *c = *next++;

			node_init(r, c, n->shift - RADIX64_BITS, n, slot);
			rcu_assign_pointer(n->slots[slot], c);
			n->count++;
		}
		n = n->slots[slot];
	}
	slot = index & RADIX64_MASK;
	rcu_assign_pointer(n->slots[slot], entry);
	n->count++;
	mark_clear(n, slot, RADIX64_FREE);
	for (unsigned m = 1; m < RADIX64_MARKS; m++)
		if (marks & (1U << m))
			mark_set(n, slot, m);
	return 0;
}

/* The leaf of a used slot, or NULL. */
static struct radix64_node *used_leaf(const struct radix64 *r,
				      unsigned long index)
{
	struct radix64_node *n = radix64_leaf(r, index);

	if (n && (n->marks[RADIX64_FREE] & (1ULL << (index & RADIX64_MASK))))
		return NULL;
	return n;
}

void radix64_replace(struct radix64 *r, unsigned long index, void *entry,
		     unsigned set, unsigned clear)
{
	struct radix64_node *n = used_leaf(r, index);
	unsigned slot = index & RADIX64_MASK;

	if (!n)
		return;
	rcu_assign_pointer(n->slots[slot], entry);
	for (unsigned m = 1; m < RADIX64_MARKS; m++) {
		if (set & (1U << m))
			mark_set(n, slot, m);
		else if (clear & (1U << m))
			mark_clear(n, slot, m);
	}
}

void radix64_mark(struct radix64 *r, unsigned long index, unsigned mark,
		  bool on)
{
	struct radix64_node *n = used_leaf(r, index);

	if (!n || mark == RADIX64_FREE || mark >= RADIX64_MARKS)
		return;
	if (on)
		mark_set(n, index & RADIX64_MASK, mark);
	else
		mark_clear(n, index & RADIX64_MASK, mark);
}

void radix64_remove(struct radix64 *r, unsigned long index)
{
	struct radix64_node *n = used_leaf(r, index);
	unsigned slot = index & RADIX64_MASK;

	if (!n)
		return;
	rcu_assign_pointer(n->slots[slot], NULL);
	n->count--;
	mark_set(n, slot, RADIX64_FREE);
	for (unsigned m = 1; m < RADIX64_MARKS; m++)
		mark_clear(n, slot, m);
	shrink(r, n);
}

/*
 * First index in [from, to) with @mark at or below @n (covering [base, …)).
 * Inlined into one copy per mark, so each copy reads a fixed bitmap.
 */
static inline __attribute__((always_inline))
long find_marked(const struct radix64_node *n, unsigned long base,
		 unsigned long from, unsigned long to, const unsigned mark,
		 void **entry,
		 long (*down)(const struct radix64_node *, unsigned long,
			      unsigned long, unsigned long, void **))
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	for (; i < RADIX64_SLOTS; i++) {
		uint64_t bits = READ_ONCE(n->marks[mark]) >> i;
		const struct radix64_node *c;
		unsigned long cbase;
		long r;

		if (!bits)
			return -1;
		i += __builtin_ctzll(bits);
		cbase = base + ((unsigned long)i << n->shift);
		if (cbase >= to)
			return -1;
		c = rcu_dereference(n->slots[i]);
		if (!n->shift) {
			*entry = (void *)c;
			return cbase;	/* >= from: a leaf starts at from */
		}
		if (!c) {
			if (mark != RADIX64_FREE)
				continue;	/* emptied under a reader */
			*entry = NULL;		/* all free */
			return from > cbase ? (long)from : (long)cbase;
		}
		r = down(c, cbase, from, to, entry);
		if (r >= 0)
			return r;
	}
	return -1;
}

static long find_free(const struct radix64_node *n, unsigned long base,
		      unsigned long from, unsigned long to, void **entry)
{
	return find_marked(n, base, from, to, RADIX64_FREE, entry, find_free);
}

/* RADIX64_MARKS is 2: the one user mark is mark 1. */
static long find_user(const struct radix64_node *n, unsigned long base,
		      unsigned long from, unsigned long to, void **entry)
{
	return find_marked(n, base, from, to, 1, entry, find_user);
}

long radix64_find_marked(const struct radix64 *r, unsigned long from,
			 unsigned long to, unsigned mark, void **entry)
{
	const struct radix64_node *root = rcu_dereference(r->root);
	unsigned long cap = radix64_node_capacity(root);
	void *dummy;
	long ret = -1;

	if (!entry)
		entry = &dummy;
	if (from >= to)
		return -1;
	if (mark != RADIX64_FREE)
		return from < cap ? find_user(root, 0, from, to, entry) : -1;
	if (from < cap)
		ret = find_free(root, 0, from, to, entry);
	if (ret < 0 && to > cap) {
		*entry = NULL;		/* beyond the tree: all free */
		ret = from > cap ? (long)from : (long)cap;
	}
	return ret;
}

/* xas_find: the first entry at index >= from, scanning slots. */
static long node_find_entry(const struct radix64_node *n, unsigned long base,
			    unsigned long from, const void *skip, void **entry)
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	for (; i < RADIX64_SLOTS; i++) {
		unsigned long cbase = base + ((unsigned long)i << n->shift);
		void *e = rcu_dereference(n->slots[i]);
		long r;

		if (!e || e == skip)
			continue;
		if (!n->shift) {
			*entry = e;
			return cbase;
		}
		r = node_find_entry(e, cbase, from, skip, entry);
		if (r >= 0)
			return r;
	}
	return -1;
}

long radix64_find_entry(const struct radix64 *r, unsigned long from,
			const void *skip, void **entry)
{
	const struct radix64_node *root = rcu_dereference(r->root);

	if (from >= radix64_node_capacity(root))
		return -1;
	return node_find_entry(root, 0, from, skip, entry);
}

size_t radix64_mem_bytes(const struct radix64 *r)
{
	return sizeof(*r) + r->nodes * sizeof(struct radix64_node);
}
