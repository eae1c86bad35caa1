// SPDX-License-Identifier: MIT
/*
 * The IDR pid store: a 64-way radix tree, as the kernel has used for pids
 * since v4.15 (commit 95846ecf9dac).  Each node keeps two bitmaps over its
 * 64 slots so that both searches are a find-first-set per level:
 *   free:    the slot (leaf) or the subtree below it (internal) has room;
 *   present: the slot holds a task, or the subtree holds at least one.
 * A reserved pid (allocated, task not yet installed) is "not free" and "not
 * present", so lookup and next never return a half-built task.
 * The tree grows upwards as larger pids arrive and frees empty nodes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "pidstore.h"

#define IDR_BITS	6
#define IDR_SLOTS	(1 << IDR_BITS)
#define IDR_MASK	(IDR_SLOTS - 1)
#define ALL_FREE	(~0ULL)

struct idr_node {
	unsigned char shift;		/* 0: a leaf, slots are tasks */
	unsigned char offset;		/* our slot in the parent */
	unsigned char count;		/* slots in use (leaf) or non-NULL children */
	struct idr_node *parent;
	uint64_t free, present;
	void *slots[IDR_SLOTS];
};

struct idr {
	struct idr_node *root;
	size_t nodes;
};

static unsigned long node_span(const struct idr_node *n)
{
	return 1UL << (n->shift + IDR_BITS);
}

static struct idr_node *node_new(struct idr *idr, unsigned shift,
				 struct idr_node *parent, unsigned offset)
{
	struct idr_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->shift = shift;
	n->parent = parent;
	n->offset = offset;
	n->free = ALL_FREE;
	idr->nodes++;
	return n;
}

static void *idr_create(void)
{
	return calloc(1, sizeof(struct idr));
}

static void node_destroy(struct idr *idr, struct idr_node *n)
{
	if (!n)
		return;
	if (n->shift)
		for (int i = 0; i < IDR_SLOTS; i++)
			node_destroy(idr, n->slots[i]);
	free(n);
	idr->nodes--;
}

static void idr_destroy(void *priv)
{
	struct idr *idr = priv;

	node_destroy(idr, idr->root);
	free(idr);
}

static unsigned long capacity(const struct idr *idr)
{
	return idr->root ? node_span(idr->root) : 0;
}

/* First free index >= from (and < to) below @n, which covers [base, …). */
static long node_find_free(const struct idr_node *n, unsigned long base,
			   unsigned long from, unsigned long to)
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	for (; i < IDR_SLOTS; i++) {
		unsigned long cbase = base + ((unsigned long)i << n->shift);
		uint64_t bits = n->free >> i;
		long r;

		if (!bits)
			return -1;
		i += __builtin_ctzll(bits);
		cbase = base + ((unsigned long)i << n->shift);
		if (cbase >= to)
			return -1;
		if (!n->shift || !n->slots[i])
			r = from > cbase ? (long)from : (long)cbase;
		else
			r = node_find_free(n->slots[i], cbase, from, to);
		if (r >= 0 && (unsigned long)r < to)
			return r;
	}
	return -1;
}

static int idr_find_free(void *priv, int from, int to)
{
	struct idr *idr = priv;
	unsigned long cap = capacity(idr);
	long r = -1;

	if (from >= to)
		return -1;
	if ((unsigned long)from < cap)
		r = node_find_free(idr->root, 0, from, to);
	if (r < 0 && (unsigned long)to > cap)	/* beyond the tree: all free */
		r = (unsigned long)from > cap ? from : (long)cap;
	return r >= 0 && r < to ? (int)r : -1;
}

/* Grow the tree upwards until @index fits. */
static int idr_extend(struct idr *idr, unsigned long index)
{
	if (!idr->root) {
		unsigned shift = 0;

		while ((1UL << (shift + IDR_BITS)) <= index)
			shift += IDR_BITS;
		idr->root = node_new(idr, shift, NULL, 0);
		return idr->root ? 0 : -ENOMEM;
	}
	while (index >= capacity(idr)) {
		struct idr_node *old = idr->root;
		struct idr_node *n = node_new(idr, old->shift + IDR_BITS, NULL, 0);

		if (!n)
			return -ENOMEM;
		n->slots[0] = old;
		n->count = 1;
		if (!old->free)
			n->free &= ~1ULL;
		if (old->present)
			n->present = 1;
		old->parent = n;
		old->offset = 0;
		idr->root = n;
	}
	return 0;
}

/* Propagate a leaf's full/empty and present/absent changes upwards. */
static void propagate(struct idr_node *n)
{
	for (struct idr_node *p = n->parent; p; n = p, p = p->parent) {
		uint64_t bit = 1ULL << n->offset;
		uint64_t f = n->free ? p->free | bit : p->free & ~bit;
		uint64_t pr = n->present ? p->present | bit : p->present & ~bit;

		if (f == p->free && pr == p->present)
			break;
		p->free = f;
		p->present = pr;
	}
}

static struct idr_node *walk_to_leaf(const struct idr *idr, unsigned long index)
{
	struct idr_node *n = idr->root;

	if (!n || index >= node_span(n))
		return NULL;
	while (n && n->shift)
		n = n->slots[(index >> n->shift) & IDR_MASK];
	return n;
}

/* Free nodes that became empty, bottom up, and fix the bitmaps above. */
static void idr_shrink(struct idr *idr, struct idr_node *n)
{
	while (n && !n->count) {
		struct idr_node *p = n->parent;

		if (p) {
			p->slots[n->offset] = NULL;
			p->count--;
			p->free |= 1ULL << n->offset;
			p->present &= ~(1ULL << n->offset);
		} else {
			idr->root = NULL;
		}
		free(n);
		idr->nodes--;
		n = p;
	}
	if (n)
		propagate(n);
}

/* Drop root levels that only hold slot 0 (what a failed extend added). */
static void idr_trim_root(struct idr *idr)
{
	struct idr_node *r;

	while ((r = idr->root) && r->shift && r->count == 1 && r->slots[0]) {
		idr->root = r->slots[0];
		idr->root->parent = NULL;
		free(r);
		idr->nodes--;
	}
}

static int idr_insert(void *priv, int pid, struct task *t)
{
	struct idr *idr = priv;
	struct idr_node *n, *leaf = NULL;
	unsigned slot;
	int err = idr_extend(idr, pid);

	if (err) {
		idr_trim_root(idr);
		return err;
	}
	n = idr->root;
	while (n->shift) {
		slot = (pid >> n->shift) & IDR_MASK;
		if (!n->slots[slot]) {
			struct idr_node *c = node_new(idr, n->shift - IDR_BITS,
						      n, slot);
			if (!c) {
				idr_shrink(idr, n);	/* nothing leaked */
				idr_trim_root(idr);
				return -ENOMEM;
			}
			n->slots[slot] = c;
			n->count++;
		}
		n = n->slots[slot];
	}
	leaf = n;
	slot = pid & IDR_MASK;
	leaf->slots[slot] = t;
	leaf->free &= ~(1ULL << slot);
	if (t)
		leaf->present |= 1ULL << slot;
	leaf->count++;
	propagate(leaf);
	return 0;
}

static void idr_replace(void *priv, int pid, struct task *t)
{
	struct idr_node *leaf = walk_to_leaf(priv, pid);
	unsigned slot = pid & IDR_MASK;

	if (!leaf)
		return;
	leaf->slots[slot] = t;
	if (t)
		leaf->present |= 1ULL << slot;
	else
		leaf->present &= ~(1ULL << slot);
	propagate(leaf);
}

static void idr_remove(void *priv, int pid)
{
	struct idr *idr = priv;
	struct idr_node *n = walk_to_leaf(idr, pid);
	unsigned slot = pid & IDR_MASK;

	if (!n || (n->free & (1ULL << slot)))
		return;
	n->slots[slot] = NULL;
	n->free |= 1ULL << slot;
	n->present &= ~(1ULL << slot);
	n->count--;
	propagate(n);
	idr_shrink(idr, n);
}

static struct task *idr_lookup(void *priv, int pid)
{
	struct idr_node *leaf = walk_to_leaf(priv, pid);

	return leaf ? leaf->slots[pid & IDR_MASK] : NULL;
}

/* First present index >= from below @n covering [base, …), or -1. */
static long node_next(const struct idr_node *n, unsigned long base,
		      unsigned long from, struct task **t)
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	while (i < IDR_SLOTS) {
		uint64_t bits = n->present >> i;
		unsigned long cbase;
		long r;

		if (!bits)
			return -1;
		i += __builtin_ctzll(bits);
		cbase = base + ((unsigned long)i << n->shift);
		if (!n->shift) {
			if (cbase >= from) {
				*t = n->slots[i];
				return cbase;
			}
		} else {
			r = node_next(n->slots[i], cbase, from, t);
			if (r >= 0)
				return r;
		}
		i++;
	}
	return -1;
}

static int idr_next(void *priv, int from, struct task **t)
{
	struct idr *idr = priv;

	if (!idr->root || (unsigned long)from >= capacity(idr))
		return -1;
	return node_next(idr->root, 0, from, t);
}

static size_t idr_mem_bytes(void *priv)
{
	const struct idr *idr = priv;

	return sizeof(*idr) + idr->nodes * sizeof(struct idr_node);
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
};
