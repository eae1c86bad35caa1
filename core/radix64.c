// SPDX-License-Identifier: MIT
/*
 * The 64-way radix tree of core/radix64.h.  Marks move up one level at a
 * time and stop where the parent's bit already says the right thing, as
 * node_set_mark/node_clear_mark do in lib/xarray.c.
 */
#include <errno.h>
#include <stdlib.h>
#include "radix64.h"

#define ALL_SET		(~0ULL)

static struct radix64_node *node_new(struct radix64 *r, unsigned shift,
				     struct radix64_node *parent,
				     unsigned offset)
{
	struct radix64_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->shift = shift;
	n->parent = parent;
	n->offset = offset;
	n->marks[RADIX64_FREE] = ALL_SET;	/* node_mark_all */
	r->nodes++;
	return n;
}

static void node_destroy(struct radix64_node *n)
{
	if (n && n->shift)
		for (int i = 0; i < RADIX64_SLOTS; i++)
			node_destroy(n->slots[i]);
	free(n);
}

void radix64_destroy(struct radix64 *r)
{
	node_destroy(r->root);
	r->root = NULL;
	r->nodes = 0;
}

/* Set @mark on @offset of @n; the parent already has it if @n had any. */
static void mark_set(struct radix64_node *n, unsigned offset, unsigned mark)
{
	while (n) {
		uint64_t was = n->marks[mark];

		n->marks[mark] |= 1ULL << offset;
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
		n->marks[mark] &= ~(1ULL << offset);
		if (n->marks[mark])
			return;
		offset = n->offset;
		n = n->parent;
	}
}

/* xas_expand: add levels on top until @index fits. */
static int extend(struct radix64 *r, unsigned long index)
{
	if (!r->root) {
		unsigned shift = 0;

		while ((1UL << (shift + RADIX64_BITS)) <= index)
			shift += RADIX64_BITS;
		r->root = node_new(r, shift, NULL, 0);
		return r->root ? 0 : -ENOMEM;
	}
	while (index >= radix64_capacity(r)) {
		struct radix64_node *old = r->root;
		struct radix64_node *n = node_new(r, old->shift + RADIX64_BITS,
						  NULL, 0);

		if (!n)
			return -ENOMEM;
		n->slots[0] = old;
		n->count = 1;
		for (unsigned m = 0; m < RADIX64_MARKS; m++)
			if (!old->marks[m])
				n->marks[m] &= ~1ULL;
			else
				n->marks[m] |= 1ULL;
		old->parent = n;
		old->offset = 0;
		r->root = n;
	}
	return 0;
}

/*
 * xas_delete_node: free nodes that became empty, bottom up.  Their marks
 * were already propagated: an empty node is all free and has no user mark.
 */
static void shrink(struct radix64 *r, struct radix64_node *n)
{
	while (n && !n->count) {
		struct radix64_node *p = n->parent;

		if (p) {
			p->slots[n->offset] = NULL;
			p->count--;
		} else {
			r->root = NULL;
		}
		free(n);
		r->nodes--;
		n = p;
	}
}

/* xas_shrink: drop root levels that only hold slot 0 (a failed extend's). */
static void trim_root(struct radix64 *r)
{
	struct radix64_node *t;

	while ((t = r->root) && t->shift && t->count == 1 && t->slots[0]) {
		r->root = t->slots[0];
		r->root->parent = NULL;
		free(t);
		r->nodes--;
	}
}

int radix64_insert(struct radix64 *r, unsigned long index, void *entry,
		   unsigned marks)
{
	struct radix64_node *n;
	unsigned slot;
	int err = extend(r, index);

	if (err) {
		trim_root(r);
		return err;
	}
	n = r->root;
	while (n->shift) {
		slot = (index >> n->shift) & RADIX64_MASK;
		if (!n->slots[slot]) {
			struct radix64_node *c = node_new(r, n->shift -
							  RADIX64_BITS, n, slot);

			if (!c) {
				shrink(r, n);	/* nothing leaked */
				trim_root(r);
				return -ENOMEM;
			}
			n->slots[slot] = c;
			n->count++;
		}
		n = n->slots[slot];
	}
	slot = index & RADIX64_MASK;
	n->slots[slot] = entry;
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
	n->slots[slot] = entry;
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
	n->slots[slot] = NULL;
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
		uint64_t bits = n->marks[mark] >> i;
		unsigned long cbase;
		long r;

		if (!bits)
			return -1;
		i += __builtin_ctzll(bits);
		cbase = base + ((unsigned long)i << n->shift);
		if (cbase >= to)
			return -1;
		if (!n->shift) {
			*entry = n->slots[i];
			return cbase;	/* >= from: a leaf starts at from */
		}
		if (mark == RADIX64_FREE && !n->slots[i]) {	/* all free */
			*entry = NULL;
			return from > cbase ? (long)from : (long)cbase;
		}
		r = down(n->slots[i], cbase, from, to, entry);
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
	unsigned long cap = radix64_capacity(r);
	void *dummy;
	long ret = -1;

	if (!entry)
		entry = &dummy;
	if (from >= to)
		return -1;
	if (mark != RADIX64_FREE)
		return from < cap ? find_user(r->root, 0, from, to, entry) : -1;
	if (from < cap)
		ret = find_free(r->root, 0, from, to, entry);
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
		void *e = n->slots[i];
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
	if (from >= radix64_capacity(r))
		return -1;
	return node_find_entry(r->root, 0, from, skip, entry);
}

size_t radix64_mem_bytes(const struct radix64 *r)
{
	return sizeof(*r) + r->nodes * sizeof(struct radix64_node);
}
