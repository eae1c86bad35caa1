// SPDX-License-Identifier: MIT
/*
 * The cache store: 2.6.13's mm: a balanced tree for find_vma (mm_rb; the
 * gaptree's AVL here, its gaps unused) walked in address order for the
 * hole search, plus mm->free_area_cache and mm->cached_hole_size
 * (arch_get_unmapped_area{,_topdown}).
 *
 * The cursor keeps one invariant: every hole on the far side of it (above
 * it top-down, below it bottom-up) is at most cached_hole_size long.  A
 * request longer than that resumes the walk at the cursor; a shorter one
 * starts over.  So placement is exactly the list's first fit; only the
 * cost differs.  munmap moves the cursor past the hole it opens, which is
 * the weak spot: mixed-size churn keeps sending the walk back.
 */
#include <stdlib.h>
#include "vma_gaptree.h"

struct vma_cache {
	struct gaptree tree;		/* first: the tree helpers take it */
	unsigned long free_area_cache;
	unsigned long cached_hole_size;
	unsigned long low, high;	/* the window the cursor belongs to */
	bool topdown, valid;
};

extern const struct vma_store_ops vma_cache_ops;

static void *cache_create(void)
{
	struct vma_cache *c = calloc(1, sizeof(*c));

	if (c)
		gt_init(&c->tree);
	return c;
}

static void cache_reset(struct vma_cache *c,
			const struct vm_unmapped_area_info *info)
{
	c->low = info->low_limit;
	c->high = info->high_limit;
	c->topdown = info->topdown;
	c->valid = true;
	c->free_area_cache = info->topdown ? info->high_limit : info->low_limit;
	c->cached_hole_size = 0;
}

static unsigned long cache_unmapped_area(void *root,
					 const struct vm_unmapped_area_info *info)
{
	struct vma_cache *c = root;
	struct vm_area_struct *from;
	unsigned long addr, largest = 0;

	if (!c->valid || c->low != info->low_limit || c->high != info->high_limit ||
	    c->topdown != info->topdown || info->length <= c->cached_hole_size)
		cache_reset(c, info);
	from = gt_find(root, c->free_area_cache);
	if (!info->topdown && !from)
		return 0;	/* nothing above the cursor: the caller's tail hole */
	addr = vma_walk_unmapped_area(root, &vma_cache_ops, info, from, &largest);
	if (largest > c->cached_hole_size)
		c->cached_hole_size = largest;
	if (addr)
		c->free_area_cache = info->topdown ? addr : addr + info->length;
	return addr;
}

/*
 * A VMA placed above a top-down cursor (MAP_FIXED, a hint) may cut a
 * hole out of the open space above the last VMA, which the cursor never
 * covered: take the cursor up to it so the walk sees that hole.
 */
static void cache_insert(void *root, struct vm_area_struct *v)
{
	struct vma_cache *c = root;
	unsigned long s = vm_start_gap(v);

	gt_insert(root, v);
	if (c->valid && c->topdown && s > c->free_area_cache)
		c->free_area_cache = s < c->high ? s : c->high;
}

/* arch_unmap_area{,_topdown}: a new hole past the cursor pulls it along. */
static void cache_note_unmap(void *root, unsigned long start, unsigned long end)
{
	struct vma_cache *c = root;
	struct vm_area_struct *v = gt_find(root, end), *prev;

	if (!c->valid)
		return;
	if (c->topdown) {
		unsigned long top = v ? vm_start_gap(v) : c->high;

		if (top > c->free_area_cache)
			c->free_area_cache = top < c->high ? top : c->high;
	} else {
		prev = v ? gt_prev(root, v) : gt_last(root);
		if (start < c->free_area_cache) {
			unsigned long s = vma_gap_start(prev);

			c->free_area_cache = s > c->low ? s : c->low;
		}
	}
}

static size_t cache_mem_bytes(void *root)
{
	(void)root;
	return sizeof(struct vma_cache);
}

const struct vma_store_ops vma_cache_ops = {
	.name		= "cache",
	.desc		= "tree walked in order, free_area_cache + cached_hole_size (2.6.13)",
	.vma_size	= VMA_SIZE(rb),		/* a gaptree underneath */
	.create		= cache_create,
	.destroy	= gt_destroy,
	.insert		= cache_insert,
	.remove		= gt_remove,
	.find		= gt_find,
	.first		= gt_first,
	.last		= gt_last,
	.next		= gt_next,
	.prev		= gt_prev,
	.unmapped_area	= cache_unmapped_area,
	.note_unmap	= cache_note_unmap,
	.mem_bytes	= cache_mem_bytes,
};
