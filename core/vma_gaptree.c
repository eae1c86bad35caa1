// SPDX-License-Identifier: MIT
/*
 * The gaptree store: an AVL tree of VMAs by address, each node augmented
 * with the largest gap in its subtree, as 3.8's rb_subtree_gap
 * (mm/mmap.c:unmapped_area{,_topdown} walk it in O(log n)).  The nodes
 * live in the VMAs, so the store allocates nothing.  Each VMA keeps the
 * gap below it; a change to a VMA also changes its successor's gap.
 */
#include <stdlib.h>
#include "vma_gaptree.h"

#define L(n)	((n)->rb.left)
#define R(n)	((n)->rb.right)
#define PA(n)	((n)->rb.parent)

static int ht(const struct vm_area_struct *n)
{
	return n ? n->rb.height : 0;
}

static unsigned long sgap(const struct vm_area_struct *n)
{
	return n ? n->rb.subtree_gap : 0;
}

static void update(struct vm_area_struct *n)
{
	unsigned long g = n->rb.gap;
	int hl = ht(L(n)), hr = ht(R(n));

	n->rb.height = 1 + (hl > hr ? hl : hr);
	if (sgap(L(n)) > g)
		g = sgap(L(n));
	if (sgap(R(n)) > g)
		g = sgap(R(n));
	n->rb.subtree_gap = g;
}

static void replace_child(struct gaptree *t, struct vm_area_struct *parent,
			  struct vm_area_struct *old, struct vm_area_struct *new)
{
	if (!parent)
		t->root = new;
	else if (L(parent) == old)
		L(parent) = new;
	else
		R(parent) = new;
	if (new)
		PA(new) = parent;
}

static struct vm_area_struct *rotate_left(struct gaptree *t,
					  struct vm_area_struct *x)
{
	struct vm_area_struct *y = R(x);

	R(x) = L(y);
	if (L(y))
		PA(L(y)) = x;
	replace_child(t, PA(x), x, y);
	L(y) = x;
	PA(x) = y;
	update(x);
	update(y);
	return y;
}

static struct vm_area_struct *rotate_right(struct gaptree *t,
					   struct vm_area_struct *x)
{
	struct vm_area_struct *y = L(x);

	L(x) = R(y);
	if (R(y))
		PA(R(y)) = x;
	replace_child(t, PA(x), x, y);
	R(y) = x;
	PA(x) = y;
	update(x);
	update(y);
	return y;
}

/* Recompute and rebalance from @n up to the root. */
static void fix_up(struct gaptree *t, struct vm_area_struct *n)
{
	while (n) {
		int bf;

		update(n);
		bf = ht(L(n)) - ht(R(n));
		if (bf > 1) {
			if (ht(L(L(n))) < ht(R(L(n))))
				rotate_left(t, L(n));
			n = rotate_right(t, n);
		} else if (bf < -1) {
			if (ht(R(R(n))) < ht(L(R(n))))
				rotate_right(t, R(n));
			n = rotate_left(t, n);
		}
		n = PA(n);
	}
}

static struct vm_area_struct *leftmost(struct vm_area_struct *n)
{
	while (n && L(n))
		n = L(n);
	return n;
}

static struct vm_area_struct *rightmost(struct vm_area_struct *n)
{
	while (n && R(n))
		n = R(n);
	return n;
}

struct vm_area_struct *gt_first(void *root)
{
	return leftmost(((struct gaptree *)root)->root);
}

struct vm_area_struct *gt_last(void *root)
{
	return rightmost(((struct gaptree *)root)->root);
}

struct vm_area_struct *gt_next(void *root, const struct vm_area_struct *v)
{
	struct vm_area_struct *n = (struct vm_area_struct *)v;

	(void)root;
	if (R(n))
		return leftmost(R(n));
	while (PA(n) && R(PA(n)) == n)
		n = PA(n);
	return PA(n);
}

struct vm_area_struct *gt_prev(void *root, const struct vm_area_struct *v)
{
	struct vm_area_struct *n = (struct vm_area_struct *)v;

	(void)root;
	if (L(n))
		return rightmost(L(n));
	while (PA(n) && L(PA(n)) == n)
		n = PA(n);
	return PA(n);
}

struct vm_area_struct *gt_find(void *root, unsigned long addr)
{
	struct vm_area_struct *n = ((struct gaptree *)root)->root, *best = NULL;

	while (n) {
		if (n->vm_end > addr) {
			best = n;
			n = L(n);
		} else {
			n = R(n);
		}
	}
	return best;
}

/* vma_gap_update: @n's own gap changed (its predecessor moved). */
static void gap_update(struct gaptree *t, struct vm_area_struct *n)
{
	if (!n)
		return;
	n->rb.gap = vma_gap(gt_prev(t, n), n);
	fix_up(t, n);
}

void gt_insert(void *root, struct vm_area_struct *v)
{
	struct gaptree *t = root;
	struct vm_area_struct **link = &t->root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = v->vm_start < parent->vm_start ? &L(parent) : &R(parent);
	}
	*link = v;
	PA(v) = parent;
	L(v) = R(v) = NULL;
	v->rb.gap = vma_gap(gt_prev(t, v), v);
	t->nr++;
	fix_up(t, v);
	gap_update(t, gt_next(t, v));
}

void gt_remove(void *root, struct vm_area_struct *v)
{
	struct gaptree *t = root;
	struct vm_area_struct *next = gt_next(t, v), *from;

	if (L(v) && R(v)) {
		/* Put the successor (next, no left child) in v's place. */
		from = PA(next) == v ? next : PA(next);
		if (PA(next) != v) {
			replace_child(t, PA(next), next, R(next));
			R(next) = R(v);
			PA(R(next)) = next;
		}
		replace_child(t, PA(v), v, next);
		L(next) = L(v);
		PA(L(next)) = next;
	} else {
		struct vm_area_struct *child = L(v) ? L(v) : R(v);

		from = PA(v);
		replace_child(t, PA(v), v, child);
	}
	t->nr--;
	fix_up(t, from);
	gap_update(t, next);
}

/* mm/mmap.c:unmapped_area_topdown: highest hole first, pruned by gaps. */
static unsigned long search_topdown(struct vm_area_struct *n,
				    const struct vm_unmapped_area_info *info)
{
	unsigned long addr, end;

	if (!n || n->rb.subtree_gap < info->length)
		return 0;
	if (n->vm_end < info->high_limit && (addr = search_topdown(R(n), info)))
		return addr;
	end = vm_start_gap(n);
	if (n->rb.gap >= info->length &&
	    (addr = hole_fit(end - n->rb.gap, end, info)))
		return addr;
	/* Holes on the left end below @n's predecessor's end (n->vm_start at most). */
	if ((n->rb.gap ? end - n->rb.gap : n->vm_start) <= info->low_limit)
		return 0;
	return search_topdown(L(n), info);
}

static unsigned long search_bottomup(struct vm_area_struct *n,
				     const struct vm_unmapped_area_info *info)
{
	unsigned long addr, end;

	if (!n || n->rb.subtree_gap < info->length)
		return 0;
	end = vm_start_gap(n);
	if (n->vm_start > info->low_limit && (addr = search_bottomup(L(n), info)))
		return addr;
	if (n->rb.gap >= info->length &&
	    (addr = hole_fit(end - n->rb.gap, end, info)))
		return addr;
	if (n->vm_end >= info->high_limit)
		return 0;
	return search_bottomup(R(n), info);
}

unsigned long gt_unmapped_area(void *root,
				      const struct vm_unmapped_area_info *info)
{
	struct gaptree *t = root;

	return info->topdown ? search_topdown(t->root, info) :
			       search_bottomup(t->root, info);
}

void gt_init(struct gaptree *t)
{
	t->root = NULL;
	t->nr = 0;
}

static void *gt_create(void)
{
	return calloc(1, sizeof(struct gaptree));
}

static void free_subtree(struct vm_area_struct *n,
			 void (*free_vma)(struct vm_area_struct *))
{
	while (n) {
		struct vm_area_struct *r = R(n);

		free_subtree(L(n), free_vma);
		free_vma(n);
		n = r;
	}
}

void gt_destroy(void *root, void (*free_vma)(struct vm_area_struct *))
{
	struct gaptree *t = root;

	free_subtree(t->root, free_vma);
	free(t);
}

/* Pre-order copy: the shape, heights and gaps carry over unchanged. */
static struct vm_area_struct *copy_subtree(const struct vm_area_struct *n,
					   struct vm_area_struct *parent,
					   vma_copy_fn copy, void *arg, bool *fail)
{
	struct vm_area_struct *c;

	if (!n || *fail)
		return NULL;
	c = copy(n, arg);
	if (!c) {
		*fail = true;
		return NULL;
	}
	c->rb = n->rb;
	PA(c) = parent;
	L(c) = R(c) = NULL;
	L(c) = copy_subtree(L(n), c, copy, arg, fail);
	R(c) = copy_subtree(R(n), c, copy, arg, fail);
	return c;
}

static void *gt_dup(void *root, vma_copy_fn copy, void *arg,
		    void (*free_vma)(struct vm_area_struct *))
{
	struct gaptree *t = root, *n = gt_create();
	bool fail = false;

	if (!n)
		return NULL;
	n->root = copy_subtree(t->root, NULL, copy, arg, &fail);
	n->nr = t->nr;
	if (fail) {
		gt_destroy(n, free_vma);
		return NULL;
	}
	return n;
}

static size_t gt_mem_bytes(void *root)
{
	(void)root;
	return sizeof(struct gaptree);	/* the nodes live in the VMAs */
}

const struct vma_store_ops vma_gaptree_ops = {
	.name		= "gaptree",
	.desc		= "AVL tree augmented with the largest subtree gap (3.8)",
	.vma_size	= VMA_SIZE(rb),
	.create		= gt_create,
	.destroy	= gt_destroy,
	.insert		= gt_insert,
	.remove		= gt_remove,
	.find		= gt_find,
	.first		= gt_first,
	.last		= gt_last,
	.next		= gt_next,
	.prev		= gt_prev,
	.unmapped_area	= gt_unmapped_area,
	.dup		= gt_dup,
	.mem_bytes	= gt_mem_bytes,
};
