// SPDX-License-Identifier: MIT
/*
 * The maple store: a B-tree after lib/maple_tree.c.  256-byte nodes;
 * leaves ("range nodes") hold 16 VMA slots and 15 pivots (each slot's
 * vm_end); internal ("allocation range") nodes hold 10 children, 9
 * pivots (each child's highest vm_end) and the largest gap below each
 * child, so mas_empty_area's search is O(log n).  A node's parent pointer
 * carries its type and its slot in the parent in the low bits, as the
 * kernel's does.  Each VMA keeps the gap below it (mt_gap).
 *
 * Simplifications: VMAs are stored densely (no NULL ranges for holes, the
 * gap below a VMA stands for them); deletion drops empty nodes but does
 * not merge underfull ones.  Fork's bulk copy is mtree_dup: DFS pre-order,
 * each node copied whole, all children of an internal node allocated
 * together, parent pointers fixed up, then each VMA slot replaced by the
 * child's copy (dup_mmap's second pass, done in the same walk here).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mm.h"

#define MT_LEAF_SLOTS	16
#define MT_LEAF_PIVOTS	15
#define MT_INT_SLOTS	10
#define MT_INT_PIVOTS	9
#define MT_NODE_SIZE	256

#define MT_LEAF		1UL		/* parent word: bit 0 the type, */
#define MT_SLOT_SHIFT	1		/* bits 1-4 the slot in the parent */
#define MT_FLAGS_MASK	(MT_NODE_SIZE - 1)

struct maple_node {
	uintptr_t parent;
	union {
		struct {
			unsigned long pivot[MT_LEAF_PIVOTS];
			struct vm_area_struct *slot[MT_LEAF_SLOTS];
		} leaf;
		struct {
			unsigned long pivot[MT_INT_PIVOTS];
			struct maple_node *slot[MT_INT_SLOTS];
			unsigned long gap[MT_INT_SLOTS];
			unsigned long max;	/* highest vm_end below */
			unsigned char end;	/* children in use */
		} in;
	};
};

_Static_assert(sizeof(struct maple_node) == MT_NODE_SIZE, "maple node size");

struct maple_tree {
	struct maple_node *root;	/* NULL: empty */
	struct maple_node *pool;	/* preallocated, linked through parent */
	int pool_n;
	unsigned long nr_nodes, nr;
	int height;
};

/* --- nodes ------------------------------------------------------------ */

static bool is_leaf(const struct maple_node *n)
{
	return n->parent & MT_LEAF;
}

static struct maple_node *mt_parent(const struct maple_node *n)
{
	return (struct maple_node *)(n->parent & ~(uintptr_t)MT_FLAGS_MASK);
}

static int mt_pslot(const struct maple_node *n)
{
	return (n->parent >> MT_SLOT_SHIFT) & 0xf;
}

static void set_parent(struct maple_node *n, struct maple_node *p, int slot)
{
	n->parent = (uintptr_t)p | ((uintptr_t)slot << MT_SLOT_SHIFT) |
		    (n->parent & MT_LEAF);
}

static struct maple_node *node_new(void)
{
	return aligned_alloc(MT_NODE_SIZE, MT_NODE_SIZE);
}

/* Take a node from the pool prealloc() filled: never fails. */
static struct maple_node *node_take(struct maple_tree *t, bool leaf)
{
	struct maple_node *n = t->pool;

	t->pool = (struct maple_node *)n->parent;
	t->pool_n--;
	memset(n, 0, sizeof(*n));
	n->parent = leaf ? MT_LEAF : 0;
	t->nr_nodes++;
	return n;
}

static void node_give(struct maple_tree *t, struct maple_node *n)
{
	n->parent = (uintptr_t)t->pool;
	t->pool = n;
	t->pool_n++;
	t->nr_nodes--;
}

static int leaf_count(const struct maple_node *n)
{
	int i = 0;

	while (i < MT_LEAF_SLOTS && n->leaf.slot[i])
		i++;
	return i;
}

static unsigned long node_max(const struct maple_node *n)
{
	return is_leaf(n) ? n->leaf.slot[leaf_count(n) - 1]->vm_end : n->in.max;
}

static unsigned long node_gap(const struct maple_node *n)
{
	unsigned long g = 0;

	if (is_leaf(n)) {
		for (int i = 0; i < MT_LEAF_SLOTS && n->leaf.slot[i]; i++)
			if (n->leaf.slot[i]->mt_gap > g)
				g = n->leaf.slot[i]->mt_gap;
	} else {
		for (int i = 0; i < n->in.end; i++)
			if (n->in.gap[i] > g)
				g = n->in.gap[i];
	}
	return g;
}

static void leaf_pivots(struct maple_node *n)
{
	for (int i = 0; i < MT_LEAF_PIVOTS; i++)
		n->leaf.pivot[i] = n->leaf.slot[i] ? n->leaf.slot[i]->vm_end : 0;
}

/* Pivots, gaps, max and the children's parent words of an internal node. */
static void internal_recalc(struct maple_node *n)
{
	for (int i = 0; i < n->in.end; i++) {
		struct maple_node *c = n->in.slot[i];

		set_parent(c, n, i);
		if (i < MT_INT_PIVOTS)
			n->in.pivot[i] = node_max(c);
		n->in.gap[i] = node_gap(c);
	}
	n->in.max = node_max(n->in.slot[n->in.end - 1]);
}

/* mas_update_gap: carry @n's max and gap up to the root. */
static void refresh_up(struct maple_node *n)
{
	struct maple_node *p;

	if (is_leaf(n))
		leaf_pivots(n);
	for (; (p = mt_parent(n)); n = p) {
		int s = mt_pslot(n);

		if (s < MT_INT_PIVOTS)
			p->in.pivot[s] = node_max(n);
		p->in.gap[s] = node_gap(n);
		p->in.max = node_max(p->in.slot[p->in.end - 1]);
	}
}

/* --- lookup ----------------------------------------------------------- */

static int child_for(const struct maple_node *n, unsigned long addr)
{
	int i;

	for (i = 0; i < n->in.end - 1; i++)
		if (n->in.pivot[i] > addr)
			break;
	return i;
}

/* The leaf where the first VMA with vm_end > addr is, or would go. */
static struct maple_node *leaf_for(const struct maple_tree *t, unsigned long addr)
{
	struct maple_node *n = t->root;

	while (n && !is_leaf(n))
		n = n->in.slot[child_for(n, addr)];
	return n;
}

static int leaf_index(const struct maple_node *n, unsigned long addr)
{
	int i;

	for (i = 0; i < MT_LEAF_SLOTS && n->leaf.slot[i]; i++)
		if ((i < MT_LEAF_PIVOTS ? n->leaf.pivot[i] :
		     n->leaf.slot[i]->vm_end) > addr)
			break;
	return i;
}

static struct vm_area_struct *mt_find(void *root, unsigned long addr)
{
	struct maple_node *n = leaf_for(root, addr);
	int i;

	if (!n)
		return NULL;
	i = leaf_index(n, addr);
	return i < MT_LEAF_SLOTS ? n->leaf.slot[i] : NULL;
}

static struct maple_node *leftmost_leaf(struct maple_node *n)
{
	while (n && !is_leaf(n))
		n = n->in.slot[0];
	return n;
}

static struct maple_node *rightmost_leaf(struct maple_node *n)
{
	while (n && !is_leaf(n))
		n = n->in.slot[n->in.end - 1];
	return n;
}

/* The leaf after (@dir 1) or before (@dir -1) @n, or NULL. */
static struct maple_node *leaf_step(struct maple_node *n, int dir)
{
	struct maple_node *p;

	for (; (p = mt_parent(n)); n = p) {
		int s = mt_pslot(n) + dir;

		if (s >= 0 && s < p->in.end)
			return dir > 0 ? leftmost_leaf(p->in.slot[s]) :
					 rightmost_leaf(p->in.slot[s]);
	}
	return NULL;
}

static struct vm_area_struct *mt_first(void *root)
{
	struct maple_node *n = leftmost_leaf(((struct maple_tree *)root)->root);

	return n ? n->leaf.slot[0] : NULL;
}

static struct vm_area_struct *mt_last(void *root)
{
	struct maple_node *n = rightmost_leaf(((struct maple_tree *)root)->root);

	return n ? n->leaf.slot[leaf_count(n) - 1] : NULL;
}

static struct vm_area_struct *mt_next(void *root, const struct vm_area_struct *v)
{
	return mt_find(root, v->vm_end);
}

static struct vm_area_struct *mt_prev(void *root, const struct vm_area_struct *v)
{
	struct maple_node *n = leaf_for(root, v->vm_start);
	int i = leaf_index(n, v->vm_start);

	if (i > 0)
		return n->leaf.slot[i - 1];
	n = leaf_step(n, -1);
	return n ? n->leaf.slot[leaf_count(n) - 1] : NULL;
}

/* --- insert and remove ------------------------------------------------ */

static int mt_prealloc(void *root, int n)
{
	struct maple_tree *t = root;
	int want = n * (t->height + 2);

	/* A wide mprotect may have filled the pool: give most of it back. */
	while (t->pool_n > 2 * want + 64) {
		struct maple_node *m = t->pool;

		t->pool = (struct maple_node *)m->parent;
		t->pool_n--;
		free(m);
	}
	while (t->pool_n < want) {
		struct maple_node *m = node_new();

		if (!m)
			return -ENOMEM;
		m->parent = (uintptr_t)t->pool;
		t->pool = m;
		t->pool_n++;
	}
	return 0;
}

/* Put @child at slot @pos of @p, splitting @p (and up) when full. */

/* A split root: a new internal root above the two halves (the tree grows). */
static void grow_root(struct maple_tree *t, struct maple_node *left,
		      struct maple_node *right)
{
	struct maple_node *r = node_take(t, false);

	r->in.slot[0] = left;
	r->in.slot[1] = right;
	r->in.end = 2;
	internal_recalc(r);
	t->root = r;
	t->height++;
}

static void insert_child(struct maple_tree *t, struct maple_node *p, int pos,
			 struct maple_node *child)
{
	struct maple_node *tmp[MT_INT_SLOTS + 1], *right;
	int n = p->in.end, half;

	if (n < MT_INT_SLOTS) {
		memmove(&p->in.slot[pos + 1], &p->in.slot[pos],
			(n - pos) * sizeof(p->in.slot[0]));
		p->in.slot[pos] = child;
		p->in.end++;
		internal_recalc(p);
		return;
	}
	memcpy(tmp, p->in.slot, pos * sizeof(tmp[0]));
	tmp[pos] = child;
	memcpy(&tmp[pos + 1], &p->in.slot[pos], (n - pos) * sizeof(tmp[0]));
	half = (n + 1) / 2;
	right = node_take(t, false);
	memset(p->in.slot, 0, sizeof(p->in.slot));
	memcpy(p->in.slot, tmp, half * sizeof(tmp[0]));
	p->in.end = half;
	memcpy(right->in.slot, &tmp[half], (n + 1 - half) * sizeof(tmp[0]));
	right->in.end = n + 1 - half;
	internal_recalc(p);
	internal_recalc(right);
	if (!mt_parent(p)) {
		grow_root(t, p, right);
		return;
	}
	insert_child(t, mt_parent(p), mt_pslot(p) + 1, right);
}

static void leaf_insert(struct maple_tree *t, struct maple_node *n, int pos,
			struct vm_area_struct *v)
{
	struct vm_area_struct *tmp[MT_LEAF_SLOTS + 1];
	struct maple_node *right;
	int cnt = leaf_count(n), half;

	if (cnt < MT_LEAF_SLOTS) {
		memmove(&n->leaf.slot[pos + 1], &n->leaf.slot[pos],
			(cnt - pos) * sizeof(v));
		n->leaf.slot[pos] = v;
		refresh_up(n);
		return;
	}
	/* mas_split: the full leaf becomes two, the upper half to the right. */
	memcpy(tmp, n->leaf.slot, pos * sizeof(v));
	tmp[pos] = v;
	memcpy(&tmp[pos + 1], &n->leaf.slot[pos], (cnt - pos) * sizeof(v));
	half = (cnt + 1) / 2;
	right = node_take(t, true);
	memset(n->leaf.slot, 0, sizeof(n->leaf.slot));
	memcpy(n->leaf.slot, tmp, half * sizeof(v));
	memcpy(right->leaf.slot, &tmp[half], (cnt + 1 - half) * sizeof(v));
	leaf_pivots(n);
	leaf_pivots(right);
	if (!mt_parent(n)) {
		grow_root(t, n, right);
		return;
	}
	insert_child(t, mt_parent(n), mt_pslot(n) + 1, right);
	refresh_up(n);
	refresh_up(right);
}

/* The gap below @v changed (a neighbour moved): store it, carry it up. */
static void gap_update(struct maple_tree *t, struct vm_area_struct *v)
{
	if (!v)
		return;
	v->mt_gap = vma_gap(mt_prev(t, v), v);
	refresh_up(leaf_for(t, v->vm_start));
}

static void mt_insert(void *root, struct vm_area_struct *v)
{
	struct maple_tree *t = root;
	struct maple_node *n;
	int pos;

	if (!t->root) {
		t->root = node_take(t, true);
		t->height = 1;
	}
	n = leaf_for(t, v->vm_start);
	for (pos = 0; pos < MT_LEAF_SLOTS && n->leaf.slot[pos]; pos++)
		if (n->leaf.slot[pos]->vm_start > v->vm_start)
			break;
	v->mt_gap = 0;
	leaf_insert(t, n, pos, v);
	t->nr++;
	gap_update(t, v);
	gap_update(t, mt_next(t, v));
}

/* Drop the empty node @n from its parent, and so on up. */
static void node_unlink(struct maple_tree *t, struct maple_node *n)
{
	struct maple_node *p = mt_parent(n);
	int s;

	if (!p) {
		node_give(t, n);
		t->root = NULL;
		t->height = 0;
		return;
	}
	s = mt_pslot(n);
	node_give(t, n);
	memmove(&p->in.slot[s], &p->in.slot[s + 1],
		(p->in.end - s - 1) * sizeof(p->in.slot[0]));
	p->in.slot[--p->in.end] = NULL;
	if (!p->in.end) {
		node_unlink(t, p);
		return;
	}
	internal_recalc(p);
	refresh_up(p);
}

static void mt_remove(void *root, struct vm_area_struct *v)
{
	struct maple_tree *t = root;
	struct vm_area_struct *next = mt_next(t, v);
	struct maple_node *n = leaf_for(t, v->vm_start);
	int i = leaf_index(n, v->vm_start), cnt = leaf_count(n);

	memmove(&n->leaf.slot[i], &n->leaf.slot[i + 1], (cnt - i - 1) * sizeof(v));
	n->leaf.slot[cnt - 1] = NULL;
	t->nr--;
	if (cnt == 1)
		node_unlink(t, n);
	else
		refresh_up(n);
	/* A root with one child hands the tree to it. */
	while (t->root && !is_leaf(t->root) && t->root->in.end == 1) {
		struct maple_node *r = t->root;

		t->root = r->in.slot[0];
		set_parent(t->root, NULL, 0);
		node_give(t, r);
		t->height--;
	}
	gap_update(t, next);
}

/* --- mas_empty_area{,_rev} -------------------------------------------- */

static unsigned long leaf_search(const struct maple_node *n,
				 const struct vm_unmapped_area_info *info)
{
	int cnt = leaf_count(n);

	for (int k = 0; k < cnt; k++) {
		const struct vm_area_struct *v =
			n->leaf.slot[info->topdown ? cnt - 1 - k : k];
		unsigned long end = vm_start_gap(v), addr;

		if (v->mt_gap >= info->length &&
		    (addr = hole_fit(end - v->mt_gap, end, info)))
			return addr;
	}
	return 0;
}

static unsigned long node_search(const struct maple_node *n,
				 const struct vm_unmapped_area_info *info)
{
	int end;

	if (is_leaf(n))
		return leaf_search(n, info);
	end = n->in.end;
	for (int k = 0; k < end; k++) {
		int i = info->topdown ? end - 1 - k : k;
		/* Holes below child i's VMAs lie in (lo, hi]. */
		unsigned long lo = i ? n->in.pivot[i - 1] : 0;
		unsigned long hi = i < MT_INT_PIVOTS && i < end - 1 ?
				   n->in.pivot[i] : n->in.max;
		unsigned long addr;

		if (info->topdown && hi <= info->low_limit)
			break;
		if (!info->topdown && lo >= info->high_limit)
			break;
		if (n->in.gap[i] < info->length ||
		    lo >= info->high_limit || hi <= info->low_limit)
			continue;
		addr = node_search(n->in.slot[i], info);
		if (addr)
			return addr;
	}
	return 0;
}

static unsigned long mt_unmapped_area(void *root,
				      const struct vm_unmapped_area_info *info)
{
	struct maple_tree *t = root;

	return t->root ? node_search(t->root, info) : 0;
}

/* --- create, destroy, dup --------------------------------------------- */

static void *mt_create(void)
{
	return calloc(1, sizeof(struct maple_tree));
}

static void free_nodes(struct maple_node *n,
		       void (*free_vma)(struct vm_area_struct *))
{
	if (is_leaf(n)) {
		for (int i = 0; i < MT_LEAF_SLOTS && n->leaf.slot[i]; i++)
			free_vma(n->leaf.slot[i]);
	} else {
		for (int i = 0; i < n->in.end && n->in.slot[i]; i++)
			free_nodes(n->in.slot[i], free_vma);
	}
	free(n);
}

static void mt_destroy(void *root, void (*free_vma)(struct vm_area_struct *))
{
	struct maple_tree *t = root;

	if (t->root)
		free_nodes(t->root, free_vma);
	while (t->pool) {
		struct maple_node *n = t->pool;

		t->pool = (struct maple_node *)n->parent;
		free(n);
	}
	free(t);
}

/*
 * mtree_dup's walk: @dst already holds a byte copy of its source.  A leaf
 * gets the child's VMAs; an internal node gets all its children at once,
 * each copied whole and given its new parent.  On ENOMEM the slots not
 * filled are NULL, which free_nodes stops at.
 */
static int dup_node(struct maple_node *dst, vma_copy_fn copy, void *arg,
		    unsigned long *nodes)
{
	if (is_leaf(dst)) {
		for (int i = 0; i < MT_LEAF_SLOTS && dst->leaf.slot[i]; i++) {
			struct vm_area_struct *c = copy(dst->leaf.slot[i], arg);

			if (!c) {
				memset(&dst->leaf.slot[i], 0,
				       (MT_LEAF_SLOTS - i) * sizeof(c));
				return -ENOMEM;
			}
			dst->leaf.slot[i] = c;
		}
		return 0;
	}
	struct maple_node *kids[MT_INT_SLOTS];
	int end = dst->in.end;

	for (int i = 0; i < end; i++) {
		kids[i] = node_new();
		if (!kids[i]) {
			while (i--)
				free(kids[i]);
			memset(dst->in.slot, 0, sizeof(dst->in.slot));
			return -ENOMEM;
		}
	}
	for (int i = 0; i < end; i++) {
		memcpy(kids[i], dst->in.slot[i], MT_NODE_SIZE);
		set_parent(kids[i], dst, i);
		dst->in.slot[i] = kids[i];
	}
	*nodes += end;
	for (int i = 0; i < end; i++)
		if (dup_node(kids[i], copy, arg, nodes)) {
			/* Siblings not yet walked still point at source VMAs. */
			for (int j = i + 1; j < end; j++) {
				if (is_leaf(kids[j]))
					memset(kids[j]->leaf.slot, 0,
					       sizeof(kids[j]->leaf.slot));
				else
					kids[j]->in.end = 0;
			}
			return -ENOMEM;
		}
	return 0;
}

static void *mt_dup(void *root, vma_copy_fn copy, void *arg,
		    void (*free_vma)(struct vm_area_struct *))
{
	struct maple_tree *t = root, *n = mt_create();

	if (!n)
		return NULL;
	n->nr = t->nr;
	n->height = t->height;
	if (!t->root)
		return n;
	n->root = node_new();
	if (!n->root) {
		free(n);
		return NULL;
	}
	memcpy(n->root, t->root, MT_NODE_SIZE);
	n->nr_nodes = 1;
	if (dup_node(n->root, copy, arg, &n->nr_nodes)) {
		mt_destroy(n, free_vma);
		return NULL;
	}
	return n;
}

static size_t mt_mem_bytes(void *root)
{
	struct maple_tree *t = root;

	return sizeof(*t) + (t->nr_nodes + t->pool_n) * MT_NODE_SIZE;
}

const struct vma_store_ops vma_maple_ops = {
	.name		= "maple",
	.desc		= "B-tree of 256-byte nodes with per-child max gap (6.1)",
	.vma_size	= VMA_SIZE(mt_gap),
	.create		= mt_create,
	.destroy	= mt_destroy,
	.prealloc	= mt_prealloc,
	.insert		= mt_insert,
	.remove		= mt_remove,
	.find		= mt_find,
	.first		= mt_first,
	.last		= mt_last,
	.next		= mt_next,
	.prev		= mt_prev,
	.unmapped_area	= mt_unmapped_area,
	.dup		= mt_dup,
	.mem_bytes	= mt_mem_bytes,
};
