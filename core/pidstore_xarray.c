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
 * XA_ZERO_ENTRY, which lookups and scans treat as empty.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "pidstore.h"
#include "task.h"

#define XA_CHUNK_SHIFT	6
#define XA_CHUNK_SIZE	(1 << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK	(XA_CHUNK_SIZE - 1)

enum xa_mark { XA_FREE_MARK, XA_LEADER_MARK, XA_MAX_MARKS };

static const char xa_zero_entry;
#define XA_ZERO_ENTRY	((void *)&xa_zero_entry)

struct xa_node {
	unsigned char shift;		/* 0: slots are entries */
	unsigned char offset;		/* our slot in the parent */
	unsigned char count;		/* non-NULL slots */
	struct xa_node *parent;
	uint64_t marks[XA_MAX_MARKS];
	void *slots[XA_CHUNK_SIZE];
};

struct xarray {
	struct xa_node *head;
	size_t nodes;
};

static unsigned long node_span(const struct xa_node *n)
{
	return 1UL << (n->shift + XA_CHUNK_SHIFT);
}

static unsigned long xa_capacity(const struct xarray *xa)
{
	return xa->head ? node_span(xa->head) : 0;
}

static struct xa_node *xa_alloc_node(struct xarray *xa, unsigned shift)
{
	struct xa_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->shift = shift;
	n->marks[XA_FREE_MARK] = ~0ULL;	/* node_mark_all */
	xa->nodes++;
	return n;
}

static void *xa_create(void)
{
	return calloc(1, sizeof(struct xarray));
}

static void xa_free_nodes(struct xa_node *n)
{
	if (n && n->shift)
		for (int i = 0; i < XA_CHUNK_SIZE; i++)
			xa_free_nodes(n->slots[i]);
	free(n);
}

static void xa_destroy(void *priv)
{
	struct xarray *xa = priv;

	xa_free_nodes(xa->head);
	free(xa);
}

/* node_set_mark and its walk up: stop where the parent already has it. */
static void xa_mark_set(struct xa_node *n, unsigned offset, enum xa_mark m)
{
	while (n) {
		uint64_t was = n->marks[m];

		n->marks[m] |= 1ULL << offset;
		if (was)
			return;
		offset = n->offset;
		n = n->parent;
	}
}

/* node_clear_mark: the parent loses it only when the node has none left. */
static void xa_mark_clear(struct xa_node *n, unsigned offset, enum xa_mark m)
{
	while (n) {
		n->marks[m] &= ~(1ULL << offset);
		if (n->marks[m])
			return;
		offset = n->offset;
		n = n->parent;
	}
}

/*
 * First index in [from, to) at or below @n (covering [base, …)) with mark
 * @m.  For XA_FREE_MARK a NULL child is wholly free.
 */
static long xa_node_find_marked(const struct xa_node *n, unsigned long base,
				unsigned long from, unsigned long to,
				enum xa_mark m)
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	for (; i < XA_CHUNK_SIZE; i++) {
		uint64_t bits = n->marks[m] >> i;
		unsigned long cbase;
		long r;

		if (!bits)
			return -1;
		i += __builtin_ctzll(bits);
		cbase = base + ((unsigned long)i << n->shift);
		if (cbase >= to)
			return -1;
		if (!n->shift || !n->slots[i])
			return from > cbase ? (long)from : (long)cbase;
		r = xa_node_find_marked(n->slots[i], cbase, from, to, m);
		if (r >= 0)
			return r;
	}
	return -1;
}

static int xa_find_free(void *priv, int from, int to)
{
	struct xarray *xa = priv;
	unsigned long cap = xa_capacity(xa);
	long r = -1;

	if (from >= to)
		return -1;
	if ((unsigned long)from < cap)
		r = xa_node_find_marked(xa->head, 0, from, to, XA_FREE_MARK);
	if (r < 0 && (unsigned long)to > cap)	/* beyond the tree: all free */
		r = (unsigned long)from > cap ? from : (long)cap;
	return r >= 0 && r < to ? (int)r : -1;
}

/* xas_expand: add levels on top until @index fits. */
static int xa_expand(struct xarray *xa, unsigned long index)
{
	unsigned shift = 0;

	if (!xa->head) {
		while ((1UL << (shift + XA_CHUNK_SHIFT)) <= index)
			shift += XA_CHUNK_SHIFT;
		xa->head = xa_alloc_node(xa, shift);
		return xa->head ? 0 : -ENOMEM;
	}
	while (index >= xa_capacity(xa)) {
		struct xa_node *old = xa->head;
		struct xa_node *n = xa_alloc_node(xa, old->shift + XA_CHUNK_SHIFT);

		if (!n)
			return -ENOMEM;
		n->slots[0] = old;
		n->count = 1;
		if (!old->marks[XA_FREE_MARK])
			n->marks[XA_FREE_MARK] &= ~1ULL;
		if (old->marks[XA_LEADER_MARK])
			n->marks[XA_LEADER_MARK] |= 1ULL;
		old->parent = n;
		old->offset = 0;
		xa->head = n;
	}
	return 0;
}

static struct xa_node *xa_leaf(const struct xarray *xa, unsigned long index)
{
	struct xa_node *n = xa->head;

	if (!n || index >= node_span(n))
		return NULL;
	while (n && n->shift)
		n = n->slots[(index >> n->shift) & XA_CHUNK_MASK];
	return n;
}

/* Delete empty nodes from @n upwards (xas_delete_node). */
static void xa_shrink(struct xarray *xa, struct xa_node *n)
{
	while (n && !n->count) {
		struct xa_node *p = n->parent;

		if (p) {
			p->slots[n->offset] = NULL;
			p->count--;
		} else {
			xa->head = NULL;
		}
		free(n);
		xa->nodes--;
		n = p;
	}
}

/* xas_shrink: drop head levels that only hold slot 0. */
static void xa_trim_head(struct xarray *xa)
{
	struct xa_node *h;

	while ((h = xa->head) && h->shift && h->count == 1 && h->slots[0]) {
		xa->head = h->slots[0];
		xa->head->parent = NULL;
		free(h);
		xa->nodes--;
	}
}

static int xa_insert(void *priv, int pid, struct task *t)
{
	struct xarray *xa = priv;
	struct xa_node *n;
	unsigned slot;
	int err = xa_expand(xa, pid);

	if (err) {
		xa_trim_head(xa);
		return err;
	}
	n = xa->head;
	while (n->shift) {
		slot = (pid >> n->shift) & XA_CHUNK_MASK;
		if (!n->slots[slot]) {
			struct xa_node *c = xa_alloc_node(xa, n->shift -
							  XA_CHUNK_SHIFT);

			if (!c) {
				xa_shrink(xa, n);	/* drop what we added */
				xa_trim_head(xa);
				return -ENOMEM;
			}
			c->parent = n;
			c->offset = slot;
			n->slots[slot] = c;
			n->count++;
		}
		n = n->slots[slot];
	}
	slot = pid & XA_CHUNK_MASK;
	n->slots[slot] = t ? (void *)t : XA_ZERO_ENTRY;
	n->count++;
	xa_mark_clear(n, slot, XA_FREE_MARK);
	return 0;
}

static void xa_replace(void *priv, int pid, struct task *t)
{
	struct xa_node *n = xa_leaf(priv, pid);

	if (n && n->slots[pid & XA_CHUNK_MASK])
		n->slots[pid & XA_CHUNK_MASK] = t ? (void *)t : XA_ZERO_ENTRY;
}

static void xa_set_leader(void *priv, int pid, bool leader)
{
	struct xa_node *n = xa_leaf(priv, pid);

	if (!n)
		return;
	if (leader)
		xa_mark_set(n, pid & XA_CHUNK_MASK, XA_LEADER_MARK);
	else
		xa_mark_clear(n, pid & XA_CHUNK_MASK, XA_LEADER_MARK);
}

static void xa_remove(void *priv, int pid)
{
	struct xarray *xa = priv;
	struct xa_node *n = xa_leaf(xa, pid);
	unsigned slot = pid & XA_CHUNK_MASK;

	if (!n || !n->slots[slot])
		return;
	n->slots[slot] = NULL;
	n->count--;
	xa_mark_set(n, slot, XA_FREE_MARK);
	xa_mark_clear(n, slot, XA_LEADER_MARK);
	xa_shrink(xa, n);
}

static struct task *xa_lookup(void *priv, int pid)
{
	struct xa_node *n = xa_leaf(priv, pid);
	void *e = n ? n->slots[pid & XA_CHUNK_MASK] : NULL;

	return e == XA_ZERO_ENTRY ? NULL : e;
}

/* xas_find: the first real entry at index >= from, scanning slots. */
static long xa_node_find_present(const struct xa_node *n, unsigned long base,
				 unsigned long from, struct task **t)
{
	unsigned i = from > base ? (from - base) >> n->shift : 0;

	for (; i < XA_CHUNK_SIZE; i++) {
		unsigned long cbase = base + ((unsigned long)i << n->shift);
		void *e = n->slots[i];
		long r;

		if (!e || e == XA_ZERO_ENTRY)
			continue;
		if (!n->shift) {
			*t = e;
			return cbase;
		}
		r = xa_node_find_present(e, cbase, from, t);
		if (r >= 0)
			return r;
	}
	return -1;
}

static int xa_next(void *priv, int from, struct task **t)
{
	struct xarray *xa = priv;

	if (!xa->head || (unsigned long)from >= xa_capacity(xa))
		return -1;
	return xa_node_find_present(xa->head, 0, from, t);
}

/* xa_find(XA_LEADER_MARK): follow the leader marks, threads never visited. */
static int xa_next_leader(void *priv, int from, struct task **t)
{
	struct xarray *xa = priv;
	long r;

	if (!xa->head || (unsigned long)from >= xa_capacity(xa) ||
	    !xa->head->marks[XA_LEADER_MARK])
		return -1;
	r = xa_node_find_marked(xa->head, 0, from, xa_capacity(xa),
				XA_LEADER_MARK);
	if (r >= 0)
		*t = xa_lookup(xa, r);
	return r;
}

static size_t xa_mem_bytes(void *priv)
{
	const struct xarray *xa = priv;

	return sizeof(*xa) + xa->nodes * sizeof(struct xa_node);
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
